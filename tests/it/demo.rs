//! `newswatch demo`: the main job offline, as a newcomer sees it. The real
//! binary runs the demo (its own feed server on 127.0.0.1, `newswatch run`
//! as a child); the test reads what it leaves: the exit code, the Maildir,
//! the database, and the commands it says to type next, which must work.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::env::Run;
use crate::support::smtp::Received;

fn newswatch() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_newswatch"));
    cmd.env_remove("NEWSWATCH_CONFIG").env_remove("RUST_LOG");
    cmd
}

/// The demo on `dir`; it must end well within a minute and a half even on
/// a slow machine (it takes about 20 s).
fn demo(dir: &Path) -> Run {
    let mut cmd = newswatch();
    cmd.args(["demo", "--dir"]).arg(dir);
    Run::within(cmd, Duration::from_secs(150))
}

/// Every message in the Maildir, parsed.
fn mailbox(dir: &Path) -> Vec<Received> {
    let mut files: Vec<_> = std::fs::read_dir(dir.join("Mail/new"))
        .expect("the demo's Maildir")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .map(|f| Received {
            mail_from: String::new(),
            rcpt_tos: Vec::new(),
            raw: std::fs::read_to_string(f).unwrap(),
            auth_user: None,
            tls: None,
        })
        .collect()
}

#[test]
fn the_demo_shows_the_main_job_and_its_next_commands_work() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("newswatch-demo");
    // What an earlier demo left: replaced, not mixed with this run's.
    std::fs::create_dir_all(dir.join("Mail/new")).unwrap();
    std::fs::write(dir.join(".newswatch-demo"), "").unwrap();
    std::fs::write(dir.join("Mail/new/1.old"), "Subject: stale\n\nold").unwrap();
    std::fs::write(dir.join("newswatch.db"), "not a database").unwrap();

    let run = demo(&dir).expect(0);
    let out = &run.stdout;
    assert!(out.contains("held an earlier demo"), "{out}");
    for line in [
        "polled the 4 feeds: 12 new items",
        "polled the 4 feeds: 3 new items",
        "polled the 4 feeds: 1 changed item",
        "figure 5 → 22",
        "shift: Grigory Savin on peace-talks",
        "digest sent: [newswatch] evening digest",
        "stopped the daemon",
    ] {
        assert!(out.contains(line), "missing {line:?} in:\n{out}");
    }
    assert!(!out.contains("PROBLEM"), "{out}");

    // The mail a user finds: the three-outlet story once, the edit threaded
    // under it, the shift, and a digest.
    let mail = mailbox(&dir);
    let subjects: Vec<String> = mail.iter().map(Received::subject).collect();
    assert!(!subjects.iter().any(|s| s == "stale"), "{subjects:#?}");
    let strike: Vec<&Received> = mail
        .iter()
        .filter(|m| {
            let s = m.subject();
            s.contains("missile strike") && !s.contains("changed")
        })
        .collect();
    assert_eq!(strike.len(), 1, "one alert for the story: {subjects:#?}");
    let story = strike[0];
    assert!(
        story.subject().ends_with("(3 sources)"),
        "{}",
        story.subject()
    );
    for outlet in ["Kyiv Ledger", "Northern Courier", "Danube Post"] {
        assert!(story.text().contains(outlet), "{}", story.text());
    }
    let revision = mail
        .iter()
        .find(|m| m.subject().contains("changed (major)"))
        .unwrap_or_else(|| panic!("no revision alert: {subjects:#?}"));
    assert!(
        revision.text().contains("figure 5 → 22"),
        "{}",
        revision.text()
    );
    assert_eq!(revision.in_reply_to(), story.message_id());
    let shift = mail
        .iter()
        .find(|m| {
            m.subject()
                .contains("Grigory Savin on ceasefire: readiness -> condition")
        })
        .unwrap_or_else(|| panic!("no shift alert: {subjects:#?}"));
    assert!(shift.text().contains("ceasefire until"), "{}", shift.text());
    assert!(
        shift.text().contains("ready to discuss a ceasefire"),
        "{}",
        shift.text()
    );
    let digest = mail
        .iter()
        .find(|m| m.subject().contains("evening digest"))
        .unwrap_or_else(|| panic!("no digest: {subjects:#?}"));
    assert!(
        digest.text().contains("Positions that moved"),
        "{}",
        digest.text()
    );
    assert_eq!(
        mail.len(),
        5,
        "story, edit, second story, shift, digest: {subjects:#?}"
    );

    // The database holds every item, the edited one with two versions.
    let db = rusqlite::Connection::open(dir.join("newswatch.db")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM items"), 16);
    assert_eq!(
        count("SELECT count(*) FROM items WHERE version_count = 2"),
        1
    );
    assert_eq!(
        count(
            "SELECT count(DISTINCT source_id) FROM items WHERE story_id = (SELECT story_id FROM outbox WHERE kind = 'story' ORDER BY id LIMIT 1)"
        ),
        3
    );

    // The commands it says to type next work, from where it was started.
    let next: Vec<&str> = out
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("newswatch --config") || l.starts_with("ls "))
        .map(|l| l.split("  #").next().unwrap().trim())
        .collect();
    assert!(next.len() >= 7, "{out}");
    let mut seen_show = false;
    for line in next {
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut cmd = match words[0] {
            "ls" => Command::new("ls"),
            _ => newswatch(),
        };
        cmd.args(&words[1..]);
        let run = Run::within(cmd, Duration::from_secs(30));
        assert_eq!(run.code, 0, "{line}\n{}\n{}", run.stdout, run.stderr);
        assert!(!run.stdout.trim().is_empty(), "{line} printed nothing");
        match words.get(3) {
            Some(&"changes") => {
                assert!(run.stdout.contains("figure 5 → 22"), "{}", run.stdout);
                assert!(run.stdout.contains("position changed: "), "{}", run.stdout);
            }
            Some(&"show") => {
                seen_show = true;
                assert!(run.stdout.contains("kills [-5-]{+22+}"), "{}", run.stdout);
            }
            Some(&"items") => assert!(run.stdout.contains("Savin rules out"), "{}", run.stdout),
            _ => {}
        }
        if words[0] == "ls" {
            assert_eq!(run.stdout.lines().count(), 5, "{}", run.stdout);
        }
    }
    assert!(seen_show, "{out}");
}

#[test]
fn the_demo_refuses_a_folder_it_did_not_make() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("newswatch.db"), "someone's database").unwrap();
    let run = demo(tmp.path()).expect(2);
    assert!(
        run.stderr.contains("was not made by `newswatch demo`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("newswatch.db")).unwrap(),
        "someone's database"
    );
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "nothing added");

    let mut cmd = newswatch();
    cmd.args(["--config", "/nonexistent.toml", "demo", "--dir"])
        .arg(tmp.path().join("d"));
    let run = Run::within(cmd, Duration::from_secs(30)).expect(2);
    assert!(run.stderr.contains("--config"), "{}", run.stderr);
}
