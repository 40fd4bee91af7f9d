//! Alerts and digests end to end: feeds served on loopback, the real binary,
//! and a real SMTP server (`support::smtp`, in-process) on 127.0.0.1 receiving the mail.

use std::time::{Duration, Instant};

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::{Received, SmtpServer};
use crate::support::{daemon_log, undated_rss as feed, wait_until};

pub(crate) const TOPICS: &str = r#"
[[topic]]
name = "talks"
query = 'ceasefire OR "peace talks" OR negotiat*'
alert = "immediate"

[[speaker]]
name = "Dmitry Peskov"
aliases = ["Peskov", "Песков"]
"#;

fn email_section(smtp_url: &str) -> String {
    format!(
        "[email]\nsmtp_url = \"{smtp_url}\"\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"analyst@example.org\", \"desk@example.org\"]\ngroup_window = \"0s\"\nretry_min = \"1s\"\nretry_max = \"2s\"\ntimeout = \"5s\"\n"
    )
}

pub(crate) const FILLER: (&str, &str, &str) = (
    "old-1",
    "Weather in Kyiv",
    "Sunny with light winds across the capital region on Tuesday.",
);

pub(crate) const STORY_A: (&str, &str, &str) = (
    "talks-a",
    "Russia and Ukraine agree to resume ceasefire talks in Istanbul",
    "Delegations from Russia and Ukraine will meet in Istanbul on Thursday to resume ceasefire talks, Turkish officials said. The talks will focus on a 30-day ceasefire and an exchange of prisoners.",
);
const STORY_B: (&str, &str, &str) = (
    "talks-b",
    "Russia and Ukraine agree to resume ceasefire talks in Istanbul, officials say",
    "Delegations from Russia and Ukraine will meet in Istanbul on Thursday to resume ceasefire talks, Turkish officials said on Monday. The talks will focus on a 30-day ceasefire and a prisoner exchange.",
);
const HOSTILE: (&str, &str, &str) = (
    "evil",
    "&lt;script&gt;alert(1)&lt;/script&gt; ceasefire&#13;&#10;Bcc: victim@example.org",
    "<p onclick=\"x()\">A ceasefire <b>story</b> <script>alert(2)</script> with a <a href=\"javascript:alert(3)\">link</a>.</p>",
);

/// The message whose subject contains `needle` (the test fails without one).
pub(crate) fn by_subject<'a>(msgs: &'a [Received], needle: &str) -> &'a Received {
    msgs.iter()
        .find(|m| m.subject().contains(needle))
        .unwrap_or_else(|| {
            panic!(
                "no message with '{needle}' in its subject; got {:?}",
                msgs.iter().map(Received::subject).collect::<Vec<_>>()
            )
        })
}

#[test]
fn immediate_alerts_group_a_story_escape_hostile_titles_and_thread_revisions() {
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    http.fixed("/a", Response::ok(feed(&[FILLER])));
    http.fixed("/b", Response::ok(feed::<&str>(&[])));
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"Wire A\"\nurl = \"{}\"\n\n[[source]]\nname = \"Wire B\"\nurl = \"{}\"\n{TOPICS}\n{}",
            http.url("/a"),
            http.url("/b"),
            email_section(&smtp.url())
        ),
    );
    // First poll: the baseline. The backlog is not news: no mail.
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(env.count("SELECT count(*) FROM outbox"), 0);

    // Both wires report the same event, plus one hostile item.
    http.fixed("/a", Response::ok(feed(&[STORY_A, HOSTILE, FILLER])));
    http.fixed("/b", Response::ok(feed(&[STORY_B])));
    let out = env.run(&["poll", "--all"]).expect(0);
    assert!(out.stderr.contains("sent 2 messages"), "{}", out.stderr);
    let msgs = smtp.wait_for(2, Duration::from_secs(10));
    assert_eq!(msgs.len(), 2, "one story alert and one hostile alert");
    // Both went over one connection.
    assert_eq!(smtp.log().matches("Peer:").count(), 1, "{}", smtp.log());

    let story = by_subject(&msgs, "Istanbul");
    assert!(story.subject().contains("talks"), "{}", story.subject());
    assert!(
        story.subject().contains("(2 sources)"),
        "{}",
        story.subject()
    );
    let mut rcpt = story.rcpt_tos.clone();
    rcpt.sort();
    assert_eq!(rcpt, ["analyst@example.org", "desk@example.org"]);
    assert_eq!(story.mail_from, "alerts@example.org");
    assert_eq!(
        story.content_types(),
        ["multipart/alternative", "text/plain", "text/html"]
    );
    let story_id = story.message_id().expect("Message-ID");
    assert!(
        story_id.starts_with("<newswatch.story-") && story_id.ends_with("@example.org>"),
        "{story_id}"
    );
    for part in [story.text(), story.html()] {
        assert!(part.contains("Wire A") && part.contains("Wire B"), "{part}");
        assert!(part.contains("https://news.example/talks-a"), "{part}");
        assert!(part.contains("https://news.example/talks-b"), "{part}");
    }
    assert!(
        story
            .html()
            .contains("href=\"https://news.example/talks-a\"")
    );

    // The hostile title is text, never markup or a header.
    let evil = by_subject(&msgs, "alert(1)");
    assert!(!evil.subject().contains('\n') && !evil.subject().contains('\r'));
    assert!(
        !evil
            .raw
            .lines()
            .any(|l| l.to_ascii_lowercase().starts_with("bcc:")),
        "{}",
        evil.raw
    );
    let mut rcpt = evil.rcpt_tos.clone();
    rcpt.sort();
    assert_eq!(rcpt, ["analyst@example.org", "desk@example.org"]);
    let html = evil.html();
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("javascript:"), "{html}");
    assert!(!html.contains("onclick"), "{html}");

    // Nothing goes twice: a poll with nothing new sends nothing. `poll`
    // sends what it queued before it exits, and the server stores a message
    // before it accepts it: when the poll (seen in the fetch log) is over,
    // anything sent would be there.
    let fetches = env.count("SELECT count(*) FROM fetches");
    env.run(&["poll", "--all"]).expect(0);
    assert!(env.count("SELECT count(*) FROM fetches") > fetches);
    assert_eq!(env.count("SELECT count(*) FROM outbox"), 2);
    assert_eq!(smtp.messages().len(), 2);

    // A major revision of the alerted story: its own alert, threaded under it.
    let revised = (
        "talks-a",
        "Russia and Ukraine cancel ceasefire talks in Istanbul",
        "Delegations from Russia and Ukraine will not meet in Istanbul on Thursday, Turkish officials said. The talks on a 60-day ceasefire and an exchange of prisoners were cancelled.",
    );
    http.fixed("/a", Response::ok(feed(&[revised, HOSTILE, FILLER])));
    env.run(&["poll", "--all"]).expect(0);
    let msgs = smtp.wait_for(3, Duration::from_secs(10));
    assert_eq!(msgs.len(), 3);
    let rev = by_subject(&msgs, "changed");
    assert!(rev.subject().contains("major"), "{}", rev.subject());
    assert_eq!(rev.in_reply_to().as_deref(), Some(story_id.as_str()));
    assert!(rev.references().contains(&story_id));
    assert_ne!(rev.message_id().as_deref(), Some(story_id.as_str()));
    let (text, html) = (rev.text(), rev.html());
    assert!(text.contains("[-") && text.contains("{+"), "{text}");
    assert!(html.contains("<del") && html.contains("<ins"), "{html}");
    assert!(html.contains("cancel"), "{html}");

    // The outbox says what happened, with the server's answer.
    let rows = env.run(&["--json", "outbox"]).expect(0).json_lines();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row["status"], "sent", "{row}");
        assert!(
            row["server_reply"].as_str().unwrap().starts_with("250"),
            "{row}"
        );
    }
}

#[test]
fn a_statement_shift_alert_shows_both_statements() {
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    let before = (
        "s1",
        "Kremlin on Istanbul talks",
        "“Russia is ready to continue the peace talks in Istanbul next week,” Kremlin spokesman Dmitry Peskov said on Monday.",
    );
    http.fixed("/k", Response::ok(feed(&[before])));
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"Kremlin wire\"\nurl = \"{}\"\n{TOPICS}\n{}",
            http.url("/k"),
            email_section(&smtp.url())
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    let after = (
        "s2",
        "Kremlin rules out ceasefire negotiations",
        "“There will be no peace talks in Istanbul until Kyiv changes its position,” Peskov told reporters.",
    );
    http.fixed("/k", Response::ok(feed(&[before, after])));
    env.run(&["poll", "--all"]).expect(0);
    let msgs = smtp.wait_for(2, Duration::from_secs(10));
    let shift = by_subject(&msgs, "on talks: readiness -> condition");
    assert!(shift.subject().contains("Peskov"), "{}", shift.subject());
    for part in [shift.text(), shift.html()] {
        let flat = part.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("no peace talks in Istanbul until Kyiv"),
            "{part}"
        );
        assert!(flat.contains("ready to continue the peace talks"), "{part}");
    }
}

/// Start `newswatch run`; its log is appended to `daemon.log` in the test folder.
fn start_daemon(env: &Env) -> crate::support::Running {
    crate::support::start_daemon(env, &[])
}

#[test]
fn alerts_queued_while_smtp_is_down_arrive_exactly_once_after_restarts() {
    let mut smtp = SmtpServer::start();
    smtp.stop(); // the server is down from the start
    let http = TestServer::start();
    http.fixed("/a", Response::ok(feed(&[FILLER])));
    let env = Env::new(
        "min_interval = \"1s\"\njitter = 0.0",
        &format!(
            "[[source]]\nname = \"wire\"\nurl = \"{}\"\ninterval = \"1s\"\n{TOPICS}\n{}",
            http.url("/a"),
            email_section(&smtp.url())
        ),
    );
    let mut daemon = start_daemon(&env);
    // Three pending alerts, and the server tried (an unreachable server is
    // probed with the oldest row only, so the others wait their turn).
    let pending = |env: &Env| {
        let tried = env
            .try_count("SELECT sum(attempts) FROM outbox WHERE status = 'pending'")
            .unwrap_or(0);
        let rows = env
            .try_count("SELECT count(*) FROM outbox WHERE status = 'pending'")
            .unwrap_or(0);
        if tried >= 2 { rows } else { 0 }
    };
    wait_until("the baseline poll", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM fetches WHERE outcome = 'ok'")
            .unwrap_or(0)
            >= 1
    });
    // Three separate stories while the server is down.
    http.fixed(
        "/a",
        Response::ok(feed(&[
            (
                "n1",
                "Ceasefire talks open in Geneva",
                "Negotiators met in Geneva for ceasefire talks.",
            ),
            (
                "n2",
                "Prisoner swap agreed in negotiations",
                "A prisoner exchange was agreed in negotiations on Friday.",
            ),
            (
                "n3",
                "Black Sea ceasefire proposal tabled",
                "A ceasefire at sea was proposed by Turkey.",
            ),
            FILLER,
        ])),
    );
    let t0 = Instant::now();
    while pending(&env) < 3 {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "three alerts should be pending and tried; outbox:\n{}\nitems:\n{}",
            env.run(&["outbox"]).stdout,
            env.run(&["items"]).stdout
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Killed hard while alerts are pending: nothing in memory matters.
    daemon.kill().unwrap();
    daemon.wait().unwrap();

    // The server comes back but refuses for a while (451).
    smtp.refuse(true);
    smtp.restart();
    let mut daemon = start_daemon(&env);
    let attempts = |env: &Env| {
        env.try_count("SELECT sum(attempts) FROM outbox")
            .unwrap_or(0)
    };
    let before = attempts(&env);
    wait_until("refused attempts", Duration::from_secs(30), || {
        attempts(&env) > before
    });
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    // Let the server finish (refuse) a transaction the kill cut short: a
    // message whose DATA had fully arrived would otherwise be accepted after
    // the sender died, the one window where a resend cannot be avoided.
    assert!(
        smtp.wait_idle(Duration::from_secs(10)),
        "the server saw the connections close: {}",
        smtp.log()
    );
    assert!(smtp.messages().is_empty());

    // Now it accepts: everything pending goes out, once.
    smtp.refuse(false);
    let mut daemon = start_daemon(&env);
    let msgs = smtp.wait_for(3, Duration::from_secs(30));
    assert_eq!(msgs.len(), 3, "every alert arrives");
    wait_until("all marked sent", Duration::from_secs(10), || {
        env.try_count("SELECT count(*) FROM outbox WHERE status = 'sent'") == Some(3)
    });
    // Stop with SIGTERM, start again: nothing is sent twice.
    crate::support::signal(&daemon, "-TERM");
    daemon.wait().unwrap();
    // The restarted daemon sends a new alert: the pass that sends it would
    // have sent anything else it (wrongly) found pending with it.
    let mut daemon = start_daemon(&env);
    http.fixed(
        "/a",
        Response::ok(feed(&[
            (
                "n4",
                "Observers arrive to monitor the ceasefire near Kherson",
                "International monitors reached the Dnipro front line on Sunday.",
            ),
            FILLER,
        ])),
    );
    let msgs = smtp.wait_for(4, Duration::from_secs(30));
    assert!(
        msgs.len() >= 4,
        "the new alert arrives: {}",
        daemon_log(&env)
    );
    wait_until("the new alert marked sent", Duration::from_secs(10), || {
        env.try_count("SELECT count(*) FROM outbox WHERE status = 'sent'") == Some(4)
    });
    daemon.kill().unwrap();
    daemon.wait().unwrap();
    let msgs = smtp.messages();
    assert_eq!(
        msgs.len(),
        4,
        "no duplicates after restarts: {:?}\n{}",
        msgs.iter()
            .map(|m| (m.subject(), m.message_id()))
            .collect::<Vec<_>>(),
        daemon_log(&env)
    );
    let mut ids: Vec<String> = msgs.iter().filter_map(Received::message_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 4, "four distinct Message-IDs");
    let subjects: Vec<String> = msgs.iter().map(Received::subject).collect();
    for needle in ["Geneva", "Prisoner swap", "Black Sea", "Kherson"] {
        assert_eq!(
            subjects.iter().filter(|s| s.contains(needle)).count(),
            1,
            "{needle}: {subjects:?}"
        );
    }
}

#[test]
fn digest_groups_stories_shows_diffs_shifts_and_source_health() {
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    let peskov_before = (
        "p1",
        "Kremlin on Istanbul talks",
        "“Russia is ready to continue the peace talks in Istanbul next week,” Kremlin spokesman Dmitry Peskov said on Monday.",
    );
    let peskov_after = (
        "p2",
        "Kremlin rules out ceasefire negotiations",
        "“There will be no peace talks in Istanbul until Kyiv changes its position,” Peskov told reporters.",
    );
    http.fixed("/a", Response::ok(feed(&[STORY_A, peskov_before])));
    http.fixed("/b", Response::ok(feed(&[FILLER])));
    http.fixed("/gone", Response::ok(feed::<&str>(&[])));
    http.fixed("/bad", Response::status(500));
    let topics = TOPICS.replace("alert = \"immediate\"", "alert = \"digest\"");
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"Wire A\"\nurl = \"{}\"\n\n[[source]]\nname = \"Wire B\"\nurl = \"{}\"\n\n\
             [[source]]\nname = \"Gone wire\"\nurl = \"{}\"\n\n[[source]]\nname = \"Broken wire\"\nurl = \"{}\"\n\
             {topics}\n{}\n[[digest]]\nname = \"evening\"\nschedule = \"daily 18:00\"\ntimezone = \"Europe/Kyiv\"\ntopics = [\"talks\"]\n",
            http.url("/a"),
            http.url("/b"),
            http.url("/gone"),
            http.url("/bad"),
            email_section(&smtp.url())
        ),
    );
    env.run(&["poll", "--all"]).expect(1);
    let revised = (
        "talks-a",
        "Russia and Ukraine cancel ceasefire talks in Istanbul",
        "Delegations from Russia and Ukraine will not meet in Istanbul on Thursday, Turkish officials said. The talks on a 60-day ceasefire and an exchange of prisoners were cancelled.",
    );
    http.fixed(
        "/a",
        Response::ok(feed(&[revised, peskov_before, peskov_after])),
    );
    http.fixed("/b", Response::ok(feed(&[STORY_B, FILLER])));
    http.fixed("/gone", Response::status(410));
    env.run(&["poll", "--all"]).expect(1);
    // Digest topics never alert on their own.
    assert!(smtp.messages().is_empty());

    // Preview: the text part on the terminal, nothing recorded or sent.
    let preview = env.run(&["digest", "--preview"]).expect(0).stdout;
    let flat = preview.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("evening digest"), "{preview}");
    for needle in [
        "Wire A",
        "Wire B",
        "https://news.example/talks-b",
        "[-",
        "{+",
        "no peace talks in Istanbul until Kyiv",
        "ready to continue the peace talks",
        "Broken wire",
        "Gone wire",
    ] {
        assert!(
            flat.contains(needle),
            "preview lacks {needle:?}:\n{preview}"
        );
    }
    assert!(!flat.contains("Weather in Kyiv"), "{preview}");
    let html_file = env.path("digest.html");
    env.run(&["digest", "--html", html_file.to_str().unwrap()])
        .expect(0);
    let html = std::fs::read_to_string(&html_file).unwrap();
    assert!(html.contains("<del") && html.contains("<ins"), "{html}");
    assert_eq!(env.count("SELECT count(*) FROM digests"), 0);
    assert!(smtp.messages().is_empty());

    // Send it now.
    let out = env.run(&["digest", "--send"]).expect(0);
    assert!(out.stdout.contains("250"), "{}", out.stdout);
    let msgs = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1);
    let mail = &msgs[0];
    assert!(
        mail.subject().contains("evening digest"),
        "{}",
        mail.subject()
    );
    assert_eq!(
        mail.content_types(),
        ["multipart/alternative", "text/plain", "text/html"]
    );
    let mut rcpt = mail.rcpt_tos.clone();
    rcpt.sort();
    assert_eq!(rcpt, ["analyst@example.org", "desk@example.org"]);
    let html = mail.html();
    let flat_html = html.split_whitespace().collect::<Vec<_>>().join(" ");
    // One story, both outlets, each linked to its own article.
    assert!(
        html.contains("href=\"https://news.example/talks-a\""),
        "{html}"
    );
    assert!(
        html.contains("href=\"https://news.example/talks-b\""),
        "{html}"
    );
    assert!(html.contains("<del") && html.contains("<ins"), "{html}");
    assert!(
        flat_html.contains("no peace talks in Istanbul until Kyiv"),
        "{html}"
    );
    assert!(
        flat_html.contains("ready to continue the peace talks"),
        "{html}"
    );
    assert!(
        html.contains("Broken wire") && html.contains("Gone wire"),
        "{html}"
    );
    let row = &env.run(&["--json", "outbox"]).expect(0).json_lines()[0];
    assert_eq!(row["kind"], "digest");
    assert_eq!(row["status"], "sent");

    // The next digest starts where this one ended: nothing new yet.
    let next = env.run(&["digest", "--preview"]).expect(0).stdout;
    assert!(next.contains("nothing new"), "{next}");
}

#[test]
fn a_message_refused_past_give_up_after_is_failed_until_retried() {
    let mut smtp = SmtpServer::start();
    smtp.stop();
    let http = TestServer::start();
    http.fixed("/a", Response::ok(feed(&[FILLER])));
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"wire\"\nurl = \"{}\"\n{TOPICS}\n{}give_up_after = \"1h\"\n",
            http.url("/a"),
            email_section(&smtp.url())
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    http.fixed("/a", Response::ok(feed(&[STORY_A, FILLER])));
    // The server is down: the alert stays queued and poll says so.
    let out = env.run(&["poll", "--all"]).expect(0);
    assert!(out.stderr.contains("not sent yet"), "{}", out.stderr);
    assert_eq!(
        env.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 1"),
        1
    );
    // The notifier on a clock stepped on (not waited for): half an hour
    // later, within give_up_after, it tries again and will go on trying;
    // two hours later, still down, it gives up.
    let created = env.text("SELECT created_at FROM outbox").unwrap();
    let created = chrono::DateTime::parse_from_rfc3339(&created)
        .unwrap()
        .to_utc();
    let (sooner, later) = (
        created + chrono::Duration::minutes(30),
        created + chrono::Duration::hours(2),
    );
    let clock = newswatch::clock::ManualClock::new(sooner);
    let config = newswatch::config::load(&env.config).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    {
        let _inside = rt.enter();
        let mut notifier =
            newswatch::notify::Notifier::open(config.mail_settings(), &env.db, clock.shared())
                .unwrap()
                .unwrap();
        let report = rt.block_on(notifier.deliver_due(sooner));
        assert_eq!((report.deferred, report.failed), (1, 0), "{report:?}");
        assert_eq!(
            env.text("SELECT status FROM outbox").as_deref(),
            Some("pending")
        );
        clock.set(later);
        let report = rt.block_on(notifier.deliver_due(later));
        assert_eq!((report.sent, report.failed), (0, 1), "{report:?}");
        assert_eq!(
            env.text("SELECT status FROM outbox").as_deref(),
            Some("failed")
        );
    }
    let failed = env
        .run(&["--json", "outbox", "list", "--status", "failed"])
        .expect(0)
        .json_lines();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("Connection refused"),
        "{}",
        failed[0]
    );
    // A given-up message is not retried on its own…
    smtp.restart();
    env.run(&["outbox", "send"]).expect(0);
    assert!(smtp.messages().is_empty());
    // …until the user asks.
    let out = env.run(&["outbox", "retry"]).expect(0);
    assert!(
        out.stdout.contains("1 message queued again"),
        "{}",
        out.stdout
    );
    env.run(&["outbox", "send"]).expect(0);
    let msgs = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1);
    assert!(msgs[0].subject().contains("Istanbul"));
}

/// A clock stepped back leaves an alert planned by the fast clock (here a
/// retry two days ahead, where `retry_max` allows two seconds): the daemon
/// sends it now, not when the clock catches up.
#[test]
fn an_alert_planned_by_a_clock_since_stepped_back_goes_out_now() {
    let smtp = SmtpServer::start();
    smtp.refuse(true);
    let http = TestServer::start();
    http.fixed("/a", Response::ok(feed(&[FILLER])));
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"wire\"\nurl = \"{}\"\n{TOPICS}\n{}",
            http.url("/a"),
            email_section(&smtp.url())
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    http.fixed("/a", Response::ok(feed(&[STORY_A, FILLER])));
    // Refused (451): pending, to be retried.
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 1"),
        1
    );
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute(
            "UPDATE outbox SET next_attempt_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+2 days')",
            [],
        )
        .unwrap();
    smtp.refuse(false);
    let _daemon = start_daemon(&env);
    let mail = smtp.wait_for(1, Duration::from_secs(20));
    assert_eq!(mail.len(), 1);
    assert!(
        mail[0].subject().contains("ceasefire talks"),
        "{}",
        mail[0].subject()
    );
}
