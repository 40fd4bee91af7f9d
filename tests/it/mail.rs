//! Alerts and digests end to end: what they say and how they are threaded
//! (delivery through failures: `mail_delivery`). Feeds served on loopback,
//! the real binary, and a real SMTP server (`support::smtp`, in-process) on
//! 127.0.0.1 receiving the mail.

use std::time::Duration;

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::{Received, SmtpServer};
use crate::support::undated_rss as feed;

pub(crate) const TOPICS: &str = r#"
[[topic]]
name = "talks"
query = 'ceasefire OR "peace talks" OR negotiat*'
alert = "immediate"

[[speaker]]
name = "Dmitry Peskov"
aliases = ["Peskov", "Песков"]
"#;

pub(crate) fn email_section(smtp_url: &str) -> String {
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
    // The database's view of changes says why, in the same words.
    assert_eq!(
        env.text("SELECT reasons FROM v_changes WHERE kind = 'shift'")
            .unwrap(),
        r#"["position changed: Dmitry Peskov on talks, readiness → condition"]"#
    );
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
