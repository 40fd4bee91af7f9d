//! Replaying feed histories with `ingest`: identities stay stable, unchanged
//! polls write no versions, edited headlines become versions. The project's
//! fixture histories (`tests/fixtures/history`) always; the real histories of
//! the corpus when it is there.

use std::path::Path;

use crate::support::env::Env;
use crate::support::{corpus, fixture, snapshots};

/// A fresh database with `source`, and every snapshot of `dir` ingested.
fn replay(source: &str, dir: &Path) -> Env {
    let env = Env::with_sources("", &[(source, "http://127.0.0.1:9/unused")]);
    let files = snapshots(dir);
    assert!(!files.is_empty(), "no snapshots in {}", dir.display());
    let mut args = vec!["ingest", "--source", source];
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    env.run(&args).expect(0);
    env
}

/// Polls that add and drop items but edit none (guid = link): one version
/// per item, one fetch per snapshot, fetch times from the file names.
#[test]
fn unchanged_history_creates_no_versions() {
    let env = replay("wire", &fixture("history/unchanged"));
    assert_eq!(env.count("SELECT count(*) FROM items"), 8);
    assert_eq!(env.count("SELECT count(*) FROM item_versions"), 8);
    assert_eq!(
        env.count("SELECT count(*) FROM fetches WHERE outcome = 'ok'"),
        3
    );
    assert_eq!(
        env.text("SELECT min(started_at) FROM fetches").as_deref(),
        Some("2026-07-05T12:11:59Z")
    );
}

/// The scraper re-issues the guid at every headline edit and keeps the old
/// item (same link): the versions of one story are versions of one item.
#[test]
fn reissued_guids_turn_headline_edits_into_versions() {
    let env = replay("wire", &fixture("history/reissued-guids"));
    assert_eq!(env.count("SELECT count(*) FROM items"), 5);
    let titles = |like: &str| -> Vec<(i64, String)> {
        let db = env.db();
        let mut stmt = db
            .prepare(
                "SELECT item_id, title FROM item_versions WHERE title LIKE ?1 ORDER BY version",
            )
            .unwrap();
        stmt.query_map([like], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let strikes = titles("Governor says strikes kill%");
    let words: Vec<&str> = strikes.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        words,
        [
            "Governor says strikes kill 5 in Ukraine before brief truce takes hold",
            "Governor says strikes kill 5 in Ukraine before announced ceasefire",
            "Governor says strikes kill 22 in Ukraine before announced ceasefire",
        ]
    );
    assert!(
        strikes.iter().all(|(id, _)| *id == strikes[0].0),
        "{strikes:?}"
    );
    let truce = titles("Moscow%truce");
    assert_eq!(truce.len(), 3, "{truce:?}");
    assert!(truce.iter().all(|(id, _)| *id == truce[0].0), "{truce:?}");
    assert_eq!(
        env.count("SELECT count(*) FROM items WHERE version_count > 1"),
        2
    );
    assert_eq!(
        env.count("SELECT count(*) FROM (SELECT url FROM items WHERE url IS NOT NULL GROUP BY url HAVING count(*) > 1)"),
        0
    );
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn reuters_replay_creates_no_versions() {
    let env = replay("reuters-direct", &corpus().join("history/reuters-direct"));
    let items = env.count("SELECT count(*) FROM items");
    assert!(items > 100, "{items} items");
    assert_eq!(
        env.count("SELECT count(*) FROM item_versions"),
        items,
        "no headline changed between these polls"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM fetches WHERE outcome = 'ok'"),
        4
    );
    // Fetch times come from the file names.
    assert!(
        env.text("SELECT min(started_at) FROM fetches")
            .unwrap()
            .starts_with("2026-07-05T")
    );
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn apnews_replay_turns_headline_edits_into_versions() {
    let env = replay("apnews", &corpus().join("history/apnews"));
    // One story, one item: AP re-issued the guid for every headline edit.
    let ids: Vec<i64> = {
        let db = env.db();
        let mut stmt = db
            .prepare("SELECT DISTINCT item_id FROM item_versions WHERE title LIKE 'Zelenskyy slams Russia%utter cynicism%'")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(ids.len(), 1, "the Zelenskyy story is one item: {ids:?}");
    let titles: Vec<String> = {
        let db = env.db();
        let mut stmt = db
            .prepare("SELECT title FROM item_versions WHERE item_id = ?1 ORDER BY version")
            .unwrap();
        stmt.query_map([ids[0]], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(titles.len() >= 3, "{titles:#?}");
    assert!(
        titles.iter().any(|t| t.contains("strikes kill 5")),
        "{titles:#?}"
    );
    assert!(
        titles.iter().any(|t| t.contains("strikes kill 22")),
        "{titles:#?}"
    );
    // No story appears twice: every canonical URL belongs to one item.
    assert_eq!(
        env.count("SELECT count(*) FROM (SELECT url FROM items WHERE url IS NOT NULL GROUP BY url HAVING count(*) > 1)"),
        0
    );
    assert!(env.count("SELECT count(*) FROM items WHERE version_count > 1") >= 10);
    // And the truce headline's three wordings are versions of one item.
    assert_eq!(
        env.count("SELECT count(DISTINCT item_id) FROM item_versions WHERE title LIKE 'Russia%accuse%truce'"),
        1
    );
}

#[test]
fn replaying_the_same_snapshot_twice_changes_nothing() {
    let env = Env::with_sources("", &[("gazette", "http://127.0.0.1:9/unused")]);
    let f = fixture("feeds/duplicate-items.xml").display().to_string();
    env.run(&["ingest", "--source", "gazette", &f]).expect(0);
    let items = env.count("SELECT count(*) FROM items");
    let versions = env.count("SELECT count(*) FROM item_versions");
    assert_eq!(items, 4, "every item is printed twice in the file");
    let out = env
        .run(&[
            "ingest",
            "--source",
            "gazette",
            "--at",
            "2030-01-01T00:00:00Z",
            &f,
        ])
        .expect(0);
    assert!(out.stdout.contains("0 new, 0 changed"), "{}", out.stdout);
    assert_eq!(env.count("SELECT count(*) FROM items"), items);
    assert_eq!(env.count("SELECT count(*) FROM item_versions"), versions);
}

#[test]
fn shared_link_items_stay_distinct_and_get_first_seen_dates() {
    let env = Env::with_sources("", &[("weekly", "http://127.0.0.1:9/unused")]);
    let f = fixture("feeds/no-guid-shared-link-epoch-dates.xml");
    let entries = std::fs::read_to_string(&f)
        .unwrap()
        .matches("<item>")
        .count() as i64;
    env.run(&[
        "ingest",
        "--source",
        "weekly",
        "--at",
        "2026-01-05T00:00:00Z",
        &f.display().to_string(),
    ])
    .expect(0);
    assert_eq!(
        env.count("SELECT count(*) FROM items"),
        entries,
        "one shared link must not merge stories"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM items WHERE published_at LIKE '1970%'"),
        0
    );
    assert_eq!(
        env.count("SELECT count(*) FROM items WHERE published_at = '2026-01-05T00:00:00Z'"),
        entries
    );
    assert_eq!(
        env.count("SELECT count(*) FROM items WHERE title LIKE '%' || char(160) || '%'"),
        0,
        "NBSP normalised"
    );
}

#[test]
fn zero_width_characters_are_removed_from_stored_text() {
    let env = Env::with_sources("", &[("wire", "http://127.0.0.1:9/unused")]);
    let f = fixture("feeds/zero-width-chars.xml");
    env.run(&["ingest", "--source", "wire", &f.display().to_string()])
        .expect(0);
    assert_eq!(env.count("SELECT count(*) FROM items"), 3);
    assert_eq!(
        env.count("SELECT count(*) FROM item_versions WHERE instr(text, char(8203)) > 0 OR instr(text, char(8288)) > 0"),
        0
    );
}

/// The time `ingest` stamps: `--at` for every file given; without it, the
/// time a file's name gives (`20260504T120000Z.xml`), else the current
/// time. Items are first seen then, and one whose entry has no date is
/// published then.
#[test]
fn ingest_stamps_the_given_time_the_file_name_or_now() {
    let env = Env::with_sources("", &[("wire", "http://127.0.0.1:9/unused")]);
    let undated = |guid: &str| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Wire</title>\
             <item><guid isPermaLink=\"false\">{guid}</guid><title>Report {guid}</title>\
             <description>Text of {guid}.</description></item></channel></rss>"
        )
    };
    let write = |name: &str, guid: &str| {
        let path = env.path(name);
        std::fs::write(&path, undated(guid)).unwrap();
        path.display().to_string()
    };
    let (a, b) = (write("a.xml", "a"), write("b.xml", "b"));
    let named = write("20260504T120000Z.xml", "n");
    let plain = write("plain.xml", "p");
    let stamped = |guid: &str| {
        env.text(&format!(
            "SELECT first_seen || ' ' || published_at FROM items WHERE guid = '{guid}'"
        ))
        .unwrap_or_else(|| panic!("no item {guid}"))
    };

    // --at: every file, even one named as a time.
    let out = env
        .run(&[
            "--json",
            "ingest",
            "--source",
            "wire",
            "--at",
            "20260301T080000Z",
            &a,
            &b,
        ])
        .expect(0)
        .json_lines();
    assert_eq!(out.len(), 2, "{out:?}");
    assert!(
        out.iter().all(|l| l["at"] == "2026-03-01T08:00:00Z"),
        "{out:?}"
    );
    assert_eq!(stamped("a"), "2026-03-01T08:00:00Z 2026-03-01T08:00:00Z");
    assert_eq!(stamped("b"), "2026-03-01T08:00:00Z 2026-03-01T08:00:00Z");

    // Without --at: the file name's time, else now.
    let before = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    env.run(&["ingest", "--source", "wire", &named, &plain])
        .expect(0);
    let after = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    assert_eq!(stamped("n"), "2026-05-04T12:00:00Z 2026-05-04T12:00:00Z");
    let now = stamped("p");
    let (first_seen, published) = now.split_once(' ').unwrap();
    assert!(
        before.as_str() <= first_seen && first_seen <= after.as_str(),
        "{before} <= {first_seen} <= {after}"
    );
    assert_eq!(published, first_seen);
}
