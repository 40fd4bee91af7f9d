//! Mail transports and their security end to end: Maildir and sendmail
//! without a server, SMTP authentication with a secret that is never printed
//! nor sent without TLS, STARTTLS and smtps against servers the client must
//! verify, and a digest with no `[email]` section.

use std::time::Duration;

use crate::mail::{FILLER, STORY_A, TOPICS};
use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::{ServerTls, SmtpServer, TestCerts};
use crate::support::undated_rss as feed;

#[test]
fn maildir_and_sendmail_transports_deliver_without_an_smtp_server() {
    let http = TestServer::start();
    http.fixed("/a", Response::ok(feed(&[FILLER])));
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("Mail");
    let source = format!(
        "[[source]]\nname = \"wire\"\nurl = \"{}\"\n",
        http.url("/a")
    );
    let env = Env::new(
        "",
        &format!(
            "{source}{TOPICS}\n[email]\nmaildir = \"{}\"\nfrom = \"nw@example.org\"\nto = \"me@example.org\"\n",
            maildir.display()
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    http.fixed("/a", Response::ok(feed(&[STORY_A, FILLER])));
    env.run(&["poll", "--all"]).expect(0);
    let files: Vec<_> = std::fs::read_dir(maildir.join("new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1);
    let raw = std::fs::read_to_string(&files[0]).unwrap();
    assert!(raw.contains("Message-ID: <newswatch.story-"), "{raw}");
    assert!(raw.contains("multipart/alternative"), "{raw}");

    // A sendmail-compatible command gets the message on its standard input.
    let script = dir.path().join("fake-sendmail");
    let spool = dir.path().join("spool.eml");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$@\" > '{0}.args'\ncat > '{0}'\n",
            spool.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    env.write_config(&format!(
        "[daemon]\ndatabase = \"test.db\"\n{source}{TOPICS}\n[email]\nsendmail = \"{}\"\nfrom = \"nw@example.org\"\nto = \"me@example.org\"\n",
        script.display()
    ));
    let out = env.run(&["test-email"]).expect(0);
    assert!(out.stdout.contains("accepted by"), "{}", out.stdout);
    let sent = std::fs::read_to_string(&spool).unwrap();
    assert!(sent.contains("Subject: [newswatch] test message"), "{sent}");
    let args = std::fs::read_to_string(format!("{}.args", spool.display())).unwrap();
    assert!(args.contains("me@example.org"), "{args}");
}

/// The password goes over a server without STARTTLS only with the
/// explicit opt-out, which `check-config` and `test-email` both shout about.
#[test]
fn test_email_authenticates_with_a_secret_it_never_prints() {
    let smtp = SmtpServer::start_with_auth("alerts@example.org", "s3cret-Pa55");
    let env = Env::new(
        "",
        &format!(
            "[email]\nsmtp_url = \"smtp://alerts%40example.org@127.0.0.1:{}\"\npassword_env = \"NW_TEST_SMTP_PASSWORD\"\nallow_plaintext_auth = true\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"analyst@example.org\"]\n",
            smtp.port()
        ),
    );
    let secret = [("NW_TEST_SMTP_PASSWORD", "s3cret-Pa55")];
    let out = env.run_with(&["test-email"], &secret).expect(0);
    assert!(out.stdout.contains("250"), "{}", out.stdout);
    assert!(
        out.stderr.contains("warning: allow_plaintext_auth = true")
            && out.stderr.contains("UNENCRYPTED"),
        "{}",
        out.stderr
    );
    let json = env
        .run_with(
            &["--json", "-vv", "test-email", "--to", "other@example.org"],
            &secret,
        )
        .expect(0);
    assert_eq!(json.json_lines()[0]["status"], "sent");
    let check = env.run_with(&["--json", "check-config"], &secret).expect(0);
    assert_eq!(check.json_lines()[0]["email"]["allow_plaintext_auth"], true);
    let check_text = env.run_with(&["check-config"], &secret).expect(0);
    assert!(
        check_text
            .stdout
            .contains("WARNING: allow_plaintext_auth = true"),
        "{}",
        check_text.stdout
    );
    for run in [&out, &json, &check, &check_text] {
        assert!(!run.stdout.contains("s3cret") && !run.stderr.contains("s3cret"));
    }
    let msgs = smtp.wait_for(2, Duration::from_secs(10));
    assert_eq!(msgs.len(), 2);
    assert_eq!(msgs[0].auth_user.as_deref(), Some("alerts@example.org"));
    assert!(
        smtp.commands().iter().any(|c| c == "AUTH PLAIN plain"),
        "{:?}",
        smtp.commands()
    );
    assert_eq!(msgs[1].rcpt_tos, ["other@example.org"]);
    assert!(msgs[0].subject().contains("test message"));

    // The password may come from a file as well.
    let pw_file = env.path("smtp-password");
    std::fs::write(&pw_file, "s3cret-Pa55\n").unwrap();
    let text = std::fs::read_to_string(&env.config).unwrap().replace(
        "password_env = \"NW_TEST_SMTP_PASSWORD\"",
        &format!("password_file = \"{}\"", pw_file.display()),
    );
    let env_file = Env::new("", "");
    env_file.write_config(&text.replace("test.db", &env_file.db.display().to_string()));
    env_file.run(&["test-email"]).expect(0);
    assert_eq!(smtp.wait_for(3, Duration::from_secs(10)).len(), 3);

    // A server that does not answer in time: a clear failure, bounded by `timeout`.
    smtp.slow(Some(10));
    let slow_text = text.replace("[email]\n", "[email]\ntimeout = \"1s\"\n");
    env_file.write_config(&slow_text.replace("test.db", &env_file.db.display().to_string()));
    // The server would answer after 10 s; the message says the 1 s limit cut it off.
    let slow = env_file.run(&["test-email"]).expect(1);
    assert!(
        slow.stderr.contains("no answer within 1s"),
        "{}",
        slow.stderr
    );
    smtp.slow(None);

    // A wrong password is a clear failure, exit 1.
    let bad = env
        .run_with(&["test-email"], &[("NW_TEST_SMTP_PASSWORD", "wrong")])
        .expect(1);
    assert!(bad.stderr.contains("not sent"), "{}", bad.stderr);
    assert!(!bad.stderr.contains("wrong"), "{}", bad.stderr);
    // No password variable: says which one is missing.
    let missing = env.run(&["test-email"]);
    assert_ne!(missing.code, 0);
    assert!(
        missing.stderr.contains("NW_TEST_SMTP_PASSWORD"),
        "{}",
        missing.stderr
    );
}

/// `[email]` logging in as alerts@example.org (password from
/// `$NW_TEST_SMTP_PASSWORD`) at `url`, which names no user.
fn auth_email_section(url: &str) -> String {
    let url = url.replacen("://", "://alerts%40example.org@", 1);
    format!(
        "[email]\nsmtp_url = \"{url}\"\npassword_env = \"NW_TEST_SMTP_PASSWORD\"\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"analyst@example.org\"]\ntimeout = \"5s\"\n"
    )
}

/// With a password, `smtp://` means STARTTLS required: a server that does
/// not offer STARTTLS (or a man in the middle that strips it) is told
/// nothing — the test server records every command line it receives, and
/// no AUTH is among them. Over STARTTLS or smtps the same login works.
#[test]
fn a_password_is_never_sent_without_tls() {
    let certs = TestCerts::new();
    let ca = certs.ca.display().to_string();
    let vars = [
        ("NW_TEST_SMTP_PASSWORD", "s3cret-Pa55"),
        ("SSL_CERT_FILE", ca.as_str()),
    ];
    let plain = SmtpServer::start_with_auth("alerts@example.org", "s3cret-Pa55");
    let env = Env::new("", &auth_email_section(&plain.url()));
    let check = env.run_with(&["check-config"], &vars).expect(0);
    assert!(
        check
            .stdout
            .contains("tls: STARTTLS required (a password is sent"),
        "{}",
        check.stdout
    );
    assert!(!check.stdout.contains("WARNING"), "{}", check.stdout);
    let refused = env.run_with(&["test-email"], &vars).expect(1);
    assert!(
        refused.stderr.contains("does not offer STARTTLS")
            && refused
                .stderr
                .contains("newswatch does not send the password without TLS")
            && refused.stderr.contains("use smtps://")
            && refused.stderr.contains("allow_plaintext_auth = true"),
        "{}",
        refused.stderr
    );
    assert!(!refused.stderr.contains("s3cret"), "{}", refused.stderr);
    let commands = plain.commands();
    assert!(
        commands.iter().any(|c| c.starts_with("EHLO")),
        "the server was reached: {commands:?}\n{}",
        plain.log()
    );
    assert!(
        !commands.iter().any(|c| c.starts_with("AUTH")),
        "{commands:?}"
    );
    assert!(plain.messages().is_empty());

    // The same login over STARTTLS (smtp:// upgrades) and over smtps://.
    let starttls = SmtpServer::start_tls_with_auth(
        ServerTls::StartTls,
        &certs,
        "alerts@example.org",
        "s3cret-Pa55",
    );
    let smtps = SmtpServer::start_tls_with_auth(
        ServerTls::Wrapper,
        &certs,
        "alerts@example.org",
        "s3cret-Pa55",
    );
    for (url, server) in [
        (starttls.url(), &starttls),
        (format!("smtps://127.0.0.1:{}", smtps.port()), &smtps),
    ] {
        let env = Env::new("", &auth_email_section(&url));
        let out = env.run_with(&["test-email"], &vars).expect(0);
        assert!(out.stdout.contains("250"), "{url}: {}", out.stdout);
        let msgs = server.wait_for(1, Duration::from_secs(10));
        assert_eq!(msgs.len(), 1, "{url}: {}", server.log());
        assert_eq!(msgs[0].auth_user.as_deref(), Some("alerts@example.org"));
        assert!(msgs[0].tls.is_some(), "{url}");
        let auth: Vec<String> = server
            .commands()
            .into_iter()
            .filter(|c| c.starts_with("AUTH"))
            .collect();
        assert_eq!(auth, ["AUTH PLAIN tls"], "{url}");
    }
}

/// `[email]` sending to `url` from alerts@example.org to analyst@example.org.
fn plain_email_section(url: &str) -> String {
    format!(
        "[email]\nsmtp_url = \"{url}\"\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"analyst@example.org\"]\ntimeout = \"5s\"\n"
    )
}

#[test]
fn mail_goes_over_starttls_and_smtps_and_never_to_a_server_it_cannot_verify() {
    // A private CA, trusted through SSL_CERT_FILE (how a user points
    // newswatch at a mail relay with an in-house certificate).
    let certs = TestCerts::new();
    let ca = certs.ca.display().to_string();
    let other_ca = certs.other_ca.display().to_string();
    let trust_ca = [("SSL_CERT_FILE", ca.as_str())];
    let trust_other = [("SSL_CERT_FILE", other_ca.as_str())];

    // STARTTLS required, opportunistic STARTTLS, and TLS from the first
    // byte: each message arrives, and arrives encrypted.
    let starttls = SmtpServer::start_tls(ServerTls::StartTls, &certs);
    let smtps = SmtpServer::start_tls(ServerTls::Wrapper, &certs);
    let cases = [
        (
            format!("smtp+starttls://127.0.0.1:{}", starttls.port()),
            &starttls,
            1,
        ),
        (
            format!("smtp://127.0.0.1:{}", starttls.port()),
            &starttls,
            2,
        ),
        (format!("smtps://127.0.0.1:{}", smtps.port()), &smtps, 1),
    ];
    for (url, server, expected) in &cases {
        let env = Env::new("", &plain_email_section(url));
        let out = env.run_with(&["test-email"], &trust_ca).expect(0);
        assert!(out.stdout.contains("250"), "{url}: {}", out.stdout);
        let msgs = server.wait_for(*expected, Duration::from_secs(10));
        assert_eq!(msgs.len(), *expected, "{url}: {}", server.log());
        let last = msgs.last().unwrap();
        assert!(
            last.tls.as_deref().is_some_and(|v| v.starts_with("TLSv1.")),
            "{url}: message came over {:?}",
            last.tls
        );
        assert!(last.subject().contains("test message"));
    }

    // A certificate the trust store does not vouch for: not sent, exit 1,
    // and the error says it is the certificate. Nothing reaches the server.
    for (url, server) in [
        (
            format!("smtp+starttls://127.0.0.1:{}", starttls.port()),
            &starttls,
        ),
        (format!("smtps://127.0.0.1:{}", smtps.port()), &smtps),
        (format!("smtp://127.0.0.1:{}", starttls.port()), &starttls),
    ] {
        let before = server.messages().len();
        let env = Env::new("", &plain_email_section(&url));
        let bad = env.run_with(&["test-email"], &trust_other).expect(1);
        assert!(
            bad.stderr.contains("not sent") && bad.stderr.contains("UnknownIssuer"),
            "{url}: {}",
            bad.stderr
        );
        assert!(bad.stderr.contains("SSL_CERT_FILE"), "{}", bad.stderr);
        assert_eq!(server.messages().len(), before, "{url}");
    }

    // A trusted certificate for another name (it names 127.0.0.1 only).
    let env = Env::new(
        "",
        &plain_email_section(&format!("smtps://localhost:{}", smtps.port())),
    );
    let wrong_name = env.run_with(&["test-email"], &trust_ca).expect(1);
    assert!(
        wrong_name.stderr.contains("not valid for name")
            && !wrong_name.stderr.contains("SSL_CERT_FILE"),
        "{}",
        wrong_name.stderr
    );
    assert_eq!(smtps.messages().len(), 1);

    // smtp+starttls:// to a server that offers no STARTTLS: refused rather
    // than sent in the clear.
    let plain = SmtpServer::start();
    let env = Env::new(
        "",
        &plain_email_section(&format!("smtp+starttls://127.0.0.1:{}", plain.port())),
    );
    let downgrade = env.run_with(&["test-email"], &trust_ca).expect(1);
    assert!(
        downgrade.stderr.to_lowercase().contains("tls"),
        "{}",
        downgrade.stderr
    );
    assert!(plain.messages().is_empty());
}

#[test]
fn digest_without_email_previews_but_cannot_send() {
    let env = Env::new("", "[[topic]]\nname = \"talks\"\nquery = \"ceasefire\"\n");
    env.run(&["poll"]).expect(0);
    let out = env.run(&["digest"]).expect(0);
    assert!(out.stdout.contains("nothing new"), "{}", out.stdout);
    let send = env.run(&["digest", "--send"]).expect(2);
    assert!(send.stderr.contains("[email]"), "{}", send.stderr);
}
