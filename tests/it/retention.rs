//! Retention: `prune` empties the text of items not seen for a while and
//! deletes old fetch rows, but keeps titles, revisions with their diffs,
//! statements and search by title; recent items are untouched.

use crate::support::env::Env;
use crate::support::shipped_topics;

const QUOTE_V1: &str = "“Russia is ready to continue the peace talks in Istanbul next week,” Kremlin spokesman Dmitry Peskov said on Monday. Delegations met in the Zanzibar room.";
const QUOTE_V2: &str = "“Russia is ready to continue the peace talks in Istanbul next week,” Kremlin spokesman Dmitry Peskov said on Monday. Delegations met in the Zanzibar room. Ukraine's delegation has not confirmed the date and said no meeting would happen before the ceasefire.";

fn env() -> Env {
    let topics = shipped_topics();
    Env::new(
        "",
        &format!("[[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/unused\"\n\n{topics}"),
    )
}

#[test]
fn prune_removes_old_text_but_keeps_titles_revisions_and_statements() {
    let env = env();
    let old = ("old", "Kremlin on Istanbul talks in Geneva", QUOTE_V1);
    env.ingest_rss("wire", "2026-01-01T10:00:00Z", &[old]);
    let edited = ("old", "Kremlin on Istanbul talks in Geneva", QUOTE_V2);
    env.ingest_rss("wire", "2026-01-02T10:00:00Z", &[edited]);
    let now = chrono::Utc::now().to_rfc3339();
    let fresh = (
        "new",
        "Talks resume in Riyadh",
        "Fresh text about Timbuktu delegations.",
    );
    env.ingest_rss("wire", &now, &[fresh]);
    let revisions = env.count("SELECT count(*) FROM revisions");
    let statements = env.count("SELECT count(*) FROM statements");
    assert!(
        revisions >= 1 && statements >= 1,
        "fixture has a revision and a quote"
    );
    let diff_before = env.text("SELECT diff FROM revisions LIMIT 1");
    let search = |word: &str| {
        env.run(&["--json", "search", word])
            .expect(0)
            .json_lines()
            .len()
    };
    assert_eq!(search("zanzibar"), 1);

    // No retention configured and no --older-than: a usage error.
    let e = env.run(&["prune"]).expect(2);
    assert!(e.stderr.contains("no retention configured"), "{}", e.stderr);

    let out = env.run(&["prune", "--older-than", "30d"]).expect(0);
    assert!(
        out.stdout.contains("pruned the text of 1 item (2 versions"),
        "{}",
        out.stdout
    );

    // The old item: text gone, titles and history kept.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM item_versions v JOIN items i ON i.id = v.item_id
                   WHERE i.guid = 'old' AND v.text = '' AND v.pruned_at IS NOT NULL"
        ),
        2
    );
    assert_eq!(
        env.text("SELECT title FROM items WHERE guid = 'old'")
            .as_deref(),
        Some("Kremlin on Istanbul talks in Geneva")
    );
    assert_eq!(env.count("SELECT count(*) FROM revisions"), revisions);
    assert_eq!(env.text("SELECT diff FROM revisions LIMIT 1"), diff_before);
    assert_eq!(env.count("SELECT count(*) FROM statements"), statements);
    assert_eq!(search("zanzibar"), 0, "old text is no longer searchable");
    assert_eq!(search("geneva"), 1, "but the item is found by its title");
    let shown = env.run(&["show", "1"]).expect(0).stdout;
    assert!(shown.contains("[text removed by retention on"), "{shown}");
    assert!(shown.contains("Geneva"), "{shown}");
    let changes = env.run(&["--json", "changes"]).expect(0).json_lines();
    assert!(
        changes.iter().any(|c| c["kind"] == "revision"),
        "revisions still listed"
    );

    // The recent item is untouched; the old fetch rows are gone, the new one kept.
    assert_eq!(
        env.text(
            "SELECT text FROM item_versions v JOIN items i ON i.id = v.item_id WHERE i.guid = 'new'"
        )
        .as_deref(),
        Some("Fresh text about Timbuktu delegations.")
    );
    assert_eq!(env.count("SELECT count(*) FROM fetches"), 1);
    assert_eq!(search("timbuktu"), 1);

    // A second run has nothing left to do.
    let again = env
        .run(&["--json", "prune", "--older-than", "30d"])
        .expect(0)
        .json_lines();
    assert_eq!(again[0]["items"], 0);
    assert_eq!(env.text("PRAGMA integrity_check").as_deref(), Some("ok"));
}

#[test]
fn retention_setting_is_checked() {
    let env = Env::new("retention = \"1h\"", "");
    let e = env.run(&["check-config"]).expect(2);
    assert!(e.stderr.contains("daemon.retention"), "{}", e.stderr);
    assert!(e.stderr.contains("minimum of 1day"), "{}", e.stderr);
    let env = Env::new("retention = \"90d\"", "");
    env.run(&["check-config"]).expect(0);
    env.run(&["poll"]).expect(0);
    let out = env.run(&["--json", "prune"]).expect(0).json_lines();
    assert_eq!(out[0]["items"], 0);
}

#[test]
fn the_daemon_prunes_at_start_when_retention_is_set() {
    let env = env();
    env.ingest_rss(
        "wire",
        "2026-01-01T10:00:00Z",
        &[("old", "Kremlin on Istanbul talks in Geneva", QUOTE_V1)],
    );
    let config = std::fs::read_to_string(&env.config)
        .unwrap()
        .replace("[daemon]\n", "[daemon]\nretention = \"30d\"\n");
    env.write_config(&config);
    let mut child = crate::support::start_daemon(&env, &[]);
    let t0 = std::time::Instant::now();
    while env.try_count("SELECT count(*) FROM item_versions WHERE pruned_at IS NOT NULL") != Some(1)
    {
        assert!(
            t0.elapsed() < std::time::Duration::from_secs(20),
            "not pruned"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    crate::support::signal(&child, "-TERM");
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

#[test]
fn an_item_back_after_its_text_was_pruned_is_compared_by_title_only() {
    let env = env();
    let t1 = "Kremlin on Istanbul talks in Geneva";
    env.ingest_rss("wire", "2026-01-01T10:00:00Z", &[("old", t1, QUOTE_V1)]);
    env.run(&["prune", "--older-than", "30d"]).expect(0);

    // Back with a new headline and a longer body: the body cannot be diffed
    // against the pruned text, so the revision holds the title change only
    // and is marked, instead of reporting the whole body as inserted.
    let t2 = "Kremlin on Istanbul talks moved to Riyadh";
    let now = chrono::Utc::now();
    env.ingest_rss("wire", &now.to_rfc3339(), &[("old", t2, QUOTE_V2)]);
    let row = |to: i64| {
        (
            env.text(&format!(
                "SELECT flags FROM revisions WHERE to_version = {to}"
            )),
            env.text(&format!(
                "SELECT diff FROM revisions WHERE to_version = {to}"
            )),
        )
    };
    let (flags, diff) = row(2);
    assert_eq!(flags.as_deref(), Some(r#"["text_pruned"]"#));
    let diff: serde_json::Value = serde_json::from_str(&diff.unwrap()).unwrap();
    let changed = |field: &str| {
        diff[field]
            .as_array()
            .unwrap()
            .iter()
            .any(|op| op.get("Insert").is_some() || op.get("Delete").is_some())
    };
    assert!(changed("title"), "{diff}");
    assert!(!changed("text"), "{diff}");
    // The new text is stored and searchable again.
    assert_eq!(
        env.text("SELECT text FROM item_versions WHERE version = 2")
            .as_deref(),
        Some(QUOTE_V2)
    );
    let found = env.run(&["--json", "search", "ceasefire"]).expect(0);
    assert_eq!(found.json_lines().len(), 1, "{}", found.stdout);

    // The next edit has a text to compare with again.
    let later = (now + chrono::Duration::minutes(5)).to_rfc3339();
    env.ingest_rss("wire", &later, &[("old", t2, QUOTE_V1)]);
    let (flags, diff) = row(3);
    assert_eq!(flags.as_deref(), Some("[]"));
    assert!(diff.unwrap().contains("Delete"));
}
