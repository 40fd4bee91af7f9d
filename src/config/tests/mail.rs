//! Config tests: `[email]` and `[[digest]]` read, with their defaults
//! and transports.

use super::*;

#[test]
fn email_and_digests_read_every_key() {
    let c = load_str(
        r#"
[[topic]]
name = "peace-talks"
query = "ceasefire"
alert = "immediate"

[[topic]]
name = "sanctions"
query = "sanctions"

[email]
smtp_url = "smtps://alerts%40example.org@smtp.example.org:2465"
password_file = "secrets/smtp-password"
from = "newswatch <alerts@example.org>"
to = ["Analyst <analyst@example.org>", "desk@example.org"]
timeout = "1m"
group_window = "5m"
alert_max_age = "30d"
retry_min = "10s"
retry_max = "2h"
give_up_after = "1d"
templates = "templates"
subject_prefix = "[nw]"

[[digest]]
name = "morning"
schedule = "weekdays 07:30"
timezone = "Europe/Kyiv"
topics = ["peace-talks", "sanctions", "peace-talks"]
to = "boss@example.org"
send_empty = true
min_significance = "major"

[[digest]]
name = "hourly"
schedule = "every 1h"
"#,
        Path::new("/etc/nw/main.toml"),
    )
    .unwrap();
    let e = c.email.as_ref().unwrap();
    assert_eq!(
        smtp(&c),
        &SmtpConfig {
            security: SmtpSecurity::Tls,
            host: "smtp.example.org".into(),
            port: 2465,
            username: Some("alerts@example.org".into()),
            password: Some(PasswordSource::File("/etc/nw/secrets/smtp-password".into())),
            allow_plaintext_auth: false,
        }
    );
    assert_eq!(e.from.email.to_string(), "alerts@example.org");
    assert_eq!(e.from.name.as_deref(), Some("newswatch"));
    assert_eq!(
        addresses(&e.to),
        ["analyst@example.org", "desk@example.org"]
    );
    assert_eq!(e.to[0].name.as_deref(), Some("Analyst"));
    assert_eq!(e.timeout, Duration::from_secs(60));
    assert_eq!(e.group_window, Duration::from_secs(300));
    assert_eq!(e.alert_max_age, Duration::from_secs(30 * 86400));
    assert_eq!(
        (e.retry_min, e.retry_max, e.give_up_after),
        (
            Duration::from_secs(10),
            Duration::from_secs(7200),
            Duration::from_secs(86400)
        )
    );
    assert_eq!(e.templates.as_deref(), Some(Path::new("/etc/nw/templates")));
    assert_eq!((e.subject_prefix.as_str(), e.line), ("[nw]", 11));

    let d = c.digest("morning").unwrap();
    assert_eq!(d.schedule.describe(), "weekdays 07:30");
    assert_eq!(d.timezone, chrono_tz::Europe::Kyiv);
    assert_eq!(
        d.topics,
        ["peace-talks", "sanctions"],
        "duplicates collapse"
    );
    assert_eq!(addresses(&d.to), ["boss@example.org"]);
    assert!(d.send_empty);
    assert_eq!(d.min_significance, crate::model::Significance::Major);
    assert_eq!(d.line, 25);
    let h = &c.digests[1];
    assert_eq!(h.name, "hourly");
    assert_eq!(h.schedule.describe(), "every 1h");
    assert_eq!(h.timezone, chrono_tz::UTC);
    assert!(h.topics.is_empty(), "all topics");
    assert_eq!(h.to, e.to, "defaults to [email].to");
    assert!(!h.send_empty);
    assert_eq!(h.min_significance, crate::model::Significance::Minor);
    assert_eq!(h.line, 34);
    assert!(c.digest("Morning").is_none(), "lookup is exact");
}

#[test]
fn email_defaults() {
    let c = load_text(EMAIL).unwrap();
    let e = c.email.unwrap();
    assert_eq!(
        e.transport,
        MailTransport::Sendmail {
            command: "/usr/sbin/sendmail".into()
        }
    );
    assert_eq!(e.timeout, Duration::from_secs(30));
    assert_eq!(e.group_window, Duration::from_secs(120));
    assert_eq!(e.alert_max_age, Duration::from_secs(48 * 3600));
    assert_eq!(e.retry_min, Duration::from_secs(30));
    assert_eq!(e.retry_max, Duration::from_secs(3600));
    assert_eq!(e.give_up_after, Duration::from_secs(3 * 86400));
    assert_eq!(e.templates, None);
    assert_eq!(e.subject_prefix, "[newswatch]");
    assert_eq!(e.line, 1);
    assert_eq!(e.from.name, None);
    assert!(c.digests.is_empty());

    let c = load_text(&format!(
        "{EMAIL}group_window = \"0\"\nsubject_prefix = \"\"\n"
    ))
    .unwrap();
    let e = c.email.unwrap();
    assert_eq!(
        (e.group_window, e.subject_prefix.as_str()),
        (Duration::ZERO, "")
    );
    let c = load_text(&format!("{EMAIL}group_window = \"0s\"\n")).unwrap();
    assert_eq!(c.email.unwrap().group_window, Duration::ZERO);
}

#[test]
fn smtp_url_schemes_ports_and_user() {
    let url = |u: &str, extra: &str| {
        load_text(&format!(
            "[email]\nsmtp_url = \"{u}\"\n{extra}from = \"a@example.org\"\nto = \"b@example.org\"\n"
        ))
        .unwrap_or_else(|e| panic!("{u}: {e}"))
    };
    let cases = [
        ("smtp://mail.example.org", SmtpSecurity::Opportunistic, 25),
        ("smtps://mail.example.org", SmtpSecurity::Tls, 465),
        (
            "smtp+starttls://mail.example.org/",
            SmtpSecurity::StartTls,
            587,
        ),
        (
            "SMTP://mail.example.org:2525",
            SmtpSecurity::Opportunistic,
            2525,
        ),
    ];
    for (u, security, port) in cases {
        let c = url(u, "");
        let s = smtp(&c);
        assert_eq!(
            (s.security, s.port, s.host.as_str()),
            (security, port, "mail.example.org"),
            "{u}"
        );
        assert_eq!((&s.username, &s.password), (&None, &None), "{u}");
    }
    assert_eq!(SmtpSecurity::StartTls.scheme(), "smtp+starttls");
    let c = url("smtp://127.0.0.1:2525", "");
    assert_eq!(smtp(&c).host, "127.0.0.1");
    let c = url("smtp://[::1]:2525", "");
    assert_eq!(smtp(&c).host, "::1");
    let c = url(
        "smtp+starttls://alerts%40example.org@smtp.example.org",
        "password_env = \"NEWSWATCH_SMTP_PASSWORD\"\n",
    );
    let s = smtp(&c);
    assert_eq!(s.username.as_deref(), Some("alerts@example.org"));
    assert_eq!(
        s.password,
        Some(PasswordSource::Env("NEWSWATCH_SMTP_PASSWORD".into()))
    );
    let c = url(
        "smtps://you%40fastmail.com@smtp.fastmail.com:465",
        "password_file = \"pw\"\n",
    );
    assert_eq!(smtp(&c).username.as_deref(), Some("you@fastmail.com"));
    assert_eq!(
        smtp(&c).password,
        Some(PasswordSource::File(
            "/nonexistent/newswatch-tests/pw".into()
        )),
        "resolved like database, not read"
    );
    let c = url(
        "smtp://j%C3%BCrgen@mail.example.org",
        "password_env = \"PW\"\n",
    );
    assert_eq!(smtp(&c).username.as_deref(), Some("jürgen"));
}

#[test]
fn a_password_is_only_sent_over_tls_unless_allow_plaintext_auth() {
    let load = |u: &str, extra: &str| {
        load_text(&format!(
            "[email]\nsmtp_url = \"{u}\"\n{extra}from = \"a@example.org\"\nto = \"b@example.org\"\n"
        ))
    };
    let pw = "password_env = \"PW\"\n";
    let required = |u: &str, extra: &str| {
        let c = load(u, extra).unwrap_or_else(|e| panic!("{u}: {e}"));
        let s = smtp(&c);
        (s.tls_required(), s.allow_plaintext_auth)
    };
    // smtp:// without a user name: STARTTLS if offered; with one: required.
    assert_eq!(required("smtp://u@h", pw), (true, false));
    assert_eq!(required("smtp://h", ""), (false, false));
    assert_eq!(required("smtp+starttls://h", ""), (true, false));
    assert_eq!(required("smtps://u@h", pw), (true, false));
    assert_eq!(
        required("smtp://u@h", &format!("{pw}allow_plaintext_auth = false\n")),
        (true, false)
    );
    // The opt-out, where it means something.
    assert_eq!(
        required("smtp://u@h", &format!("{pw}allow_plaintext_auth = true\n")),
        (false, true)
    );
    let c = load("smtp://u@h", &format!("{pw}allow_plaintext_auth = true\n")).unwrap();
    assert!(smtp(&c).describe_tls().contains("PLAIN TEXT"));
    // Anywhere else it is an error, not a silent no-op.
    for (u, extra, why) in [
        ("smtps://u@h", pw, "smtps:// always encrypts"),
        (
            "smtp+starttls://u@h",
            pw,
            "smtp+starttls:// always encrypts",
        ),
        ("smtp://h", "", "no user name"),
    ] {
        let e = load(u, &format!("{extra}allow_plaintext_auth = true\n")).unwrap_err();
        assert_eq!(
            e.key.as_deref(),
            Some("email.allow_plaintext_auth"),
            "{u}: {e}"
        );
        assert!(e.message.contains(why), "{u}: {e}");
    }
    let e = load_text(
        "[email]\nmaildir = \"m\"\nallow_plaintext_auth = true\nfrom = \"a@example.org\"\nto = \"b@example.org\"\n",
    )
    .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("email.allow_plaintext_auth"), "{e}");
    assert!(e.message.contains("only used with smtp_url"), "{e}");
    let e = load(
        "smtp://u@h",
        &format!("{pw}allow_plaintext_auth = \"yes\"\n"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("allow_plaintext_auth"), "{e}");
}

#[test]
fn sendmail_and_maildir_paths() {
    let with = |line: &str| {
        load_str(
            &format!("[email]\n{line}\nfrom = \"a@example.org\"\nto = \"b@example.org\"\n"),
            Path::new("/etc/nw/main.toml"),
        )
        .unwrap()
        .email
        .unwrap()
        .transport
    };
    assert_eq!(
        with("sendmail = \"sendmail\""),
        MailTransport::Sendmail {
            command: "sendmail".into()
        },
        "a bare name is looked up in PATH"
    );
    assert_eq!(
        with("sendmail = \"bin/sendmail\""),
        MailTransport::Sendmail {
            command: "/etc/nw/bin/sendmail".into()
        }
    );
    assert_eq!(
        with("sendmail = \"/usr/sbin/sendmail\""),
        MailTransport::Sendmail {
            command: "/usr/sbin/sendmail".into()
        }
    );
    assert_eq!(
        with("maildir = \"mail/\""),
        MailTransport::Maildir {
            path: "/etc/nw/mail/".into()
        }
    );
    assert_eq!(
        with("maildir = \"/var/mail/nw\""),
        MailTransport::Maildir {
            path: "/var/mail/nw".into()
        }
    );
}

#[test]
fn to_is_a_string_or_a_list() {
    let base = "[email]\nmaildir = \"m\"\nfrom = \"a@example.org\"\n";
    let c = load_text(&format!("{base}to = \"One <one@example.org>\"\n")).unwrap();
    assert_eq!(addresses(&c.email.unwrap().to), ["one@example.org"]);
    let c = load_text(&format!(
        "{base}to = [\"one@example.org\", \"two@example.org\", \"One <one@example.org>\"]\n"
    ))
    .unwrap();
    assert_eq!(
        addresses(&c.email.unwrap().to),
        ["one@example.org", "two@example.org"]
    );
    let e = err(&format!("{base}to = []\n"));
    assert_err(&e, 4, "email.to", "at least one address");
    let e = err(&format!("{base}to = 3\n"));
    assert_err(&e, 4, "email.to", "a string or an array of strings");
    let e = err(&format!(
        "{base}to = [\n  \"ok@example.org\",\n  \"not an address\",\n]\n"
    ));
    assert_err(&e, 6, "email.to", "invalid mail address \"not an address\"");
    let e = err(&format!(
        "{base}to = \"one@example.org, two@example.org\"\n"
    ));
    assert_err(&e, 4, "email.to", "more than one address");
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"d\"\nschedule = \"hourly\"\nto = []\n"
    ));
    assert_err(&e, 8, "digest \"d\".to", "leave `to` out");
    let c = load_text(&format!(
        "{EMAIL}[[digest]]\nname = \"d\"\nschedule = \"hourly\"\nto = [\"x@example.org\"]\n"
    ))
    .unwrap();
    assert_eq!(addresses(&c.digests[0].to), ["x@example.org"]);
}
