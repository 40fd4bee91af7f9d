//! Positions end to end: a served feed (127.0.0.1) in which a speaker's
//! stance on an issue changes between two days gives a shift alert with
//! both stances over a real SMTP server on loopback, threaded under the
//! statement's story; `positions`, `show`, the digest section and the
//! sqlite3 views show it.

use std::time::Duration;

use chrono::{Duration as Days, Utc};

use crate::mail::by_subject;
use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::SmtpServer;

const CONFIG: &str = r#"
[[topic]]
name = "talks"
query = 'negotiat* OR "peace talks" OR talks'
alert = "immediate"

[[speaker]]
name = "Dmitry Peskov"
aliases = ["Peskov", "Kremlin spokesman"]
"#;

/// An RSS feed whose items are (guid, title, days ago).
fn feed(items: &[(&str, &str, i64)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Wire</title><link>https://news.example/</link><description>test</description>\n",
    );
    for (guid, title, ago) in items {
        let at = (Utc::now() - Days::days(*ago)).to_rfc2822();
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link><description>{title}.</description><pubDate>{at}</pubDate></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

const READY: (&str, &str, i64) = (
    "ready",
    "Russia ready to resume peace talks with Ukraine in Istanbul — Peskov",
    3,
);
const REFUSES: (&str, &str, i64) = (
    "refuses",
    "Russia refuses to hold peace talks with Ukraine before spring — Kremlin spokesman",
    1,
);

/// The served wire, mail over `smtp`, the speaker and an evening digest.
fn wire(http: &TestServer, smtp: &SmtpServer) -> Env {
    Env::new(
        "",
        &format!(
            "[[source]]\nname = \"Wire\"\nurl = \"{}\"\n{CONFIG}\n\
             [email]\nsmtp_url = \"{}\"\nfrom = \"alerts@example.org\"\nto = [\"analyst@example.org\"]\n\
             group_window = \"0s\"\nretry_min = \"1s\"\nretry_max = \"2s\"\ntimeout = \"5s\"\n\n\
             [[digest]]\nname = \"evening\"\nschedule = \"daily 18:00\"\ntopics = [\"talks\"]\n",
            http.url("/wire"),
            smtp.url()
        ),
    )
}

#[test]
fn a_changed_stance_is_a_shift_alert_a_position_and_a_digest_entry() {
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    http.fixed("/wire", Response::ok(feed(&[READY])));
    let env = wire(&http, &smtp);
    // The first poll is the baseline: the statement is stored, not news.
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.count("SELECT count(*) FROM statements WHERE issue = 'talks' AND stance = 'readiness'"),
        1
    );

    // Two days later the spokesman refuses what he was ready for.
    http.fixed("/wire", Response::ok(feed(&[REFUSES, READY])));
    env.run(&["poll", "--all"]).expect(0);
    let msgs = smtp.wait_for(2, Duration::from_secs(10));
    let story = by_subject(&msgs, "before spring");
    let shift = by_subject(&msgs, "Dmitry Peskov on talks: readiness -> refusal");
    assert_ne!(story.message_id(), shift.message_id());
    assert_eq!(
        shift.in_reply_to(),
        story.message_id(),
        "threaded under its story"
    );
    for part in [shift.text(), shift.html()] {
        assert!(part.contains("Russia refuses to hold"), "{part}");
        assert!(part.contains("Russia ready to resume"), "{part}");
        assert!(
            part.contains("readiness") && part.contains("refusal"),
            "{part}"
        );
    }

    // The position board: the latest stance, and the shift with both stances.
    let out = env.run(&["--json", "positions", "--speaker", "Dmitry Peskov"]);
    let v = &out.expect(0).json_lines()[0];
    let latest = &v["positions"][0];
    assert_eq!(
        (latest["issue"].as_str(), latest["stance"].as_str()),
        (Some("talks"), Some("refusal")),
        "{v:#}"
    );
    let moved = &v["shifts"][0];
    assert_eq!(moved["from_stance"], "readiness", "{v:#}");
    assert_eq!(moved["to_stance"], "refusal", "{v:#}");
    assert!(moved["from_at"].as_str() < moved["to_at"].as_str(), "{v:#}");
    let human = env.run(&["positions", "--issue", "talks"]).expect(0).stdout;
    assert!(
        human.contains("readiness") && human.contains("-> refusal"),
        "{human}"
    );
    let bad = env.run(&["positions", "--issue", "weather"]);
    assert!(bad.stderr.contains("unknown issue"), "{}", bad.stderr);

    // The digest lists it under "Positions that moved".
    let preview = env
        .run(&["digest", "--preview", "--since", "7d"])
        .expect(0)
        .stdout;
    assert!(preview.contains("Positions that moved (1)"), "{preview}");
    assert!(preview.contains("readiness"), "{preview}");

    // `show` and sqlite3 see the stance with the statement.
    let show = env
        .run(&["show", "https://news.example/refuses"])
        .expect(0)
        .stdout;
    assert!(
        show.contains("on talks: refusal") && show.contains("SHIFT: readiness"),
        "{show}"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM v_shifts WHERE from_stance = 'readiness' AND to_stance = 'refusal'"),
        1
    );
}

/// A shift is listed (`changes`, its JSON, `v_changes`) under the title of
/// the version its statement was read from, not under a later retitle; the
/// statement, the position and the topic match too (`v_statements`,
/// `v_positions`, `v_matches`).
#[test]
fn a_shift_keeps_the_title_of_its_own_version() {
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    http.fixed("/wire", Response::ok(feed(&[READY])));
    let env = wire(&http, &smtp);
    env.run(&["poll", "--all"]).expect(0);
    http.fixed("/wire", Response::ok(feed(&[REFUSES, READY])));
    env.run(&["poll", "--all"]).expect(0);
    // The outlet then retitles the refusal (no statement in the new title).
    let retitled = "Moscow and Kyiv further apart after a week of diplomacy";
    http.fixed(
        "/wire",
        Response::ok(feed(&[("refuses", retitled, 1), READY])),
    );
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.text("SELECT title FROM items WHERE url = 'https://news.example/refuses'")
            .as_deref(),
        Some(retitled),
        "the item was retitled"
    );
    assert_eq!(env.count("SELECT count(*) FROM shifts"), 1);

    let changes = env.run(&["changes"]).expect(0).stdout;
    let shift = changes
        .split("\n\n")
        .find(|b| b.contains(" shift "))
        .unwrap_or_else(|| panic!("no shift: {changes}"));
    assert!(shift.contains(" v1  "), "{changes}");
    assert!(shift.contains(&format!("\n  {}\n", REFUSES.1)), "{changes}");
    assert!(!shift.contains(retitled), "{changes}");

    let json = env.run(&["--json", "changes"]).expect(0).json_lines();
    let shifts: Vec<_> = json.iter().filter(|r| r["kind"] == "shift").collect();
    assert_eq!(shifts.len(), 1, "{json:#?}");
    assert_eq!(shifts[0]["to_version"], 1);
    assert_eq!(shifts[0]["title"], REFUSES.1);

    assert_eq!(
        env.text("SELECT title FROM v_changes WHERE kind = 'shift'")
            .as_deref(),
        Some(REFUSES.1)
    );
    for (view, row) in [
        ("v_statements", "url = 'https://news.example/refuses'"),
        ("v_positions", "url = 'https://news.example/refuses'"),
        (
            "v_matches",
            "url = 'https://news.example/refuses' AND version = 1",
        ),
    ] {
        assert_eq!(
            env.text(&format!("SELECT title FROM {view} WHERE {row}"))
                .as_deref(),
            Some(REFUSES.1),
            "{view}"
        );
    }
}
