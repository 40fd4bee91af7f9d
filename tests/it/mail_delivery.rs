//! Mail delivery end to end: alerts queued while the SMTP server is down
//! arrive exactly once after restarts, a message refused past
//! `give_up_after` is failed until retried, and an alert planned by a
//! clock since stepped back goes out now. Feeds served on loopback, the
//! real binary, a real SMTP server on 127.0.0.1.

use std::time::{Duration, Instant};

use crate::mail::{FILLER, STORY_A, TOPICS, email_section};
use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::{Received, SmtpServer};
use crate::support::{daemon_log, undated_rss as feed, wait_until};

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
