//! A revision as its alert, digest and the command line show it: one diff
//! when the feed's description is its title, and the subject naming the
//! title the revision brought (not a later one). Feeds served on loopback,
//! the real binary, a real SMTP server on 127.0.0.1.

use std::time::Duration;

use crate::mail::{FILLER, TOPICS};
use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::SmtpServer;
use crate::support::undated_rss as feed;

/// One source, "Wire", with immediate alerts on `talks` and an evening
/// digest, mailed to a real SMTP server; alerts wait `group_window`.
fn wire(http: &TestServer, smtp: &SmtpServer, group_window: &str) -> Env {
    Env::new(
        "",
        &format!(
            "[[source]]\nname = \"Wire\"\nurl = \"{}\"\n{TOPICS}\n\
             [email]\nsmtp_url = \"{}\"\nfrom = \"alerts@example.org\"\nto = [\"analyst@example.org\"]\n\
             group_window = \"{group_window}\"\nretry_min = \"1s\"\nretry_max = \"2s\"\ntimeout = \"5s\"\n\n\
             [[digest]]\nname = \"evening\"\nschedule = \"daily 18:00\"\ntopics = [\"talks\"]\n",
            http.url("/wire"),
            smtp.url()
        ),
    )
}

/// The wire with its filler item polled once, alerts sent at once.
fn polled_wire() -> (SmtpServer, TestServer, Env) {
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    http.fixed("/wire", Response::ok(feed(&[filler()])));
    let env = wire(&http, &smtp, "0s");
    env.run(&["poll", "--all"]).expect(0);
    (smtp, http, env)
}

/// The story under guid "talks" with `title` as its title and description.
fn headline_only(title: &str) -> (String, String, String) {
    ("talks".into(), title.into(), title.into())
}

fn filler() -> (String, String, String) {
    (FILLER.0.into(), FILLER.1.into(), FILLER.2.into())
}

/// Serves the story under guid "talks" with `killed` people dead (and the
/// filler), and polls.
fn poll_killed(http: &TestServer, env: &Env, killed: u32) {
    let title = format!("Strike on Kharkiv during ceasefire talks kills {killed} people");
    let text = format!("Rescuers in Kharkiv say {killed} people were killed by a missile.");
    http.fixed(
        "/wire",
        Response::ok(feed(&[("talks".into(), title, text), filler()])),
    );
    env.run(&["poll", "--all"]).expect(0);
}

/// How often `needle` occurs in `hay`.
fn times(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

const FIRST: &str = "Strike on Kharkiv during ceasefire talks kills 3 people";
const UPDATED: &str = "Strike on Kharkiv during ceasefire talks kills 11 people";

/// A feed whose description is its headline (svoboda's): each revision's
/// change is shown once in `changes`, `show`, the alert and the digest,
/// not once for the title and again for the description.
#[test]
fn a_description_equal_to_the_title_shows_one_diff_everywhere() {
    let (smtp, http, env) = polled_wire();
    http.fixed(
        "/wire",
        Response::ok(feed(&[headline_only(FIRST), filler()])),
    );
    env.run(&["poll", "--all"]).expect(0);
    http.fixed(
        "/wire",
        Response::ok(feed(&[headline_only(UPDATED), filler()])),
    );
    env.run(&["poll", "--all"]).expect(0);
    let msgs = smtp.wait_for(2, Duration::from_secs(10));
    assert_eq!(
        msgs.len(),
        2,
        "{:?}\n{}",
        msgs.iter().map(|m| m.subject()).collect::<Vec<_>>(),
        env.run(&["changes"]).expect(0).stdout
    );

    // The alert: the change once, in the text and in the HTML part.
    let alert = crate::mail::by_subject(&msgs, "changed");
    let text = alert.text();
    assert!(text.contains("{+11+}"), "{text}");
    assert_eq!(times(&text, "{+11+}"), 1, "{text}");
    let html = alert.html();
    assert_eq!(times(&html, "<ins"), 1, "{text}\n{html}");

    // `changes` and `show`: one diff line.
    let changes = env.run(&["changes"]).expect(0).stdout;
    assert_eq!(times(&changes, "{+11+}"), 1, "{changes}");
    assert!(changes.contains("title:"), "{changes}");
    assert!(!changes.contains("text:"), "{changes}");
    let id = env
        .text("SELECT CAST(item_id AS TEXT) FROM revisions")
        .expect("a revision");
    let shown = env.run(&["show", &id]).expect(0).stdout;
    assert_eq!(times(&shown, "{+11+}"), 1, "{shown}");

    // The digest.
    let digest = env.run(&["digest", "--preview"]).expect(0).stdout;
    assert_eq!(times(&digest, "{+11+}"), 1, "{digest}");
}

/// Alerts composed after the item changed again: each revision's alert
/// names the title that revision brought, not the item's latest.
#[test]
fn a_revision_alert_names_the_title_of_its_own_revision() {
    let (smtp, http, env) = polled_wire();
    let killed = |n: u32| poll_killed(&http, &env, n);
    killed(3);
    assert_eq!(smtp.wait_for(1, Duration::from_secs(10)).len(), 1);
    // The server refuses mail while the story is updated twice: both
    // revisions' alerts wait, and are composed after the second.
    smtp.refuse(true);
    killed(11);
    killed(25);
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(
        env.count("SELECT count(*) FROM outbox WHERE kind = 'revision' AND status = 'pending'"),
        2
    );
    smtp.refuse(false);
    env.run(&["outbox", "send"]).expect(0);
    let msgs = smtp.wait_for(3, Duration::from_secs(10));
    let mut subjects: Vec<String> = msgs
        .iter()
        .map(|m| m.subject())
        .filter(|s| s.contains("changed"))
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        [
            "[newswatch] talks: changed (major): Strike on Kharkiv during ceasefire talks kills 11 people",
            "[newswatch] talks: changed (major): Strike on Kharkiv during ceasefire talks kills 25 people",
        ]
    );
    // The message's heading names it too.
    let first = crate::mail::by_subject(&msgs, "kills 11 people");
    let text = first.text();
    assert!(
        text.contains("* Strike on Kharkiv during ceasefire talks kills 11 people"),
        "{text}"
    );
}

/// `changes` and `show` list each revision under the title it brought,
/// not the item's latest.
#[test]
fn changes_and_show_name_the_title_of_each_revision() {
    let (_smtp, http, env) = polled_wire();
    for n in [3, 11, 25] {
        poll_killed(&http, &env, n);
    }
    // Text: each revision's block (newest first) names its own title.
    let changes = env.run(&["changes"]).expect(0).stdout;
    let blocks: Vec<&str> = changes
        .split("\n\n")
        .filter(|b| b.contains(" revision "))
        .collect();
    assert_eq!(blocks.len(), 2, "{changes}");
    assert!(blocks[0].contains("v2→v3"), "{changes}");
    assert!(
        blocks[0].contains("\n  Strike on Kharkiv during ceasefire talks kills 25 people\n"),
        "{changes}"
    );
    assert!(blocks[1].contains("v1→v2"), "{changes}");
    assert!(
        blocks[1].contains("\n  Strike on Kharkiv during ceasefire talks kills 11 people\n"),
        "{changes}"
    );
    // JSON: `changes` and `show` carry each revision's title.
    let titles = |rows: &[serde_json::Value]| -> Vec<(i64, String)> {
        rows.iter()
            .map(|r| {
                (
                    r["to_version"].as_i64().unwrap_or(-1),
                    r["title"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let want = |v: i64, n: u32| {
        (
            v,
            format!("Strike on Kharkiv during ceasefire talks kills {n} people"),
        )
    };
    let json = env.run(&["--json", "changes"]).expect(0).json_lines();
    assert_eq!(titles(&json), [want(3, 25), want(2, 11)]);
    let id = env
        .text("SELECT CAST(item_id AS TEXT) FROM revisions LIMIT 1")
        .expect("a revision");
    let shown = env.run(&["--json", "show", &id]).expect(0).json_lines();
    let revisions = shown[0]["revisions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(titles(&revisions), [want(2, 11), want(3, 25)]);
    // The `v_changes` view, for `sqlite3` users.
    assert_eq!(
        env.text("SELECT title FROM v_changes WHERE to_version = 2")
            .as_deref(),
        Some("Strike on Kharkiv during ceasefire talks kills 11 people")
    );
}
