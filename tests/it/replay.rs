//! Replaying real feed histories from the corpus with `ingest`: identities stay
//! stable, unchanged polls write no versions, edited headlines become versions.

use std::path::PathBuf;

use crate::support::corpus;
use crate::support::env::Env;

fn snapshots(feed: &str) -> Vec<PathBuf> {
    let dir = corpus().join("history").join(feed);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
}

fn replay(feed: &str) -> Env {
    let env = Env::with_sources("", &[(feed, "http://127.0.0.1:9/unused")]);
    let files = snapshots(feed);
    let mut args = vec!["ingest", "--source", feed];
    let paths: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    args.extend(paths.iter().map(String::as_str));
    env.run(&args).expect(0);
    env
}

#[test]
fn reuters_replay_creates_no_versions() {
    let env = replay("reuters-direct");
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
fn apnews_replay_turns_headline_edits_into_versions() {
    let env = replay("apnews");
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
    let env = Env::with_sources("", &[("nge", "http://127.0.0.1:9/unused")]);
    let file = snapshots("novaya-gazeta-europe").remove(0);
    let f = file.display().to_string();
    env.run(&["ingest", "--source", "nge", &f]).expect(0);
    let items = env.count("SELECT count(*) FROM items");
    let versions = env.count("SELECT count(*) FROM item_versions");
    assert!(items > 0);
    let out = env
        .run(&[
            "ingest",
            "--source",
            "nge",
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
fn meduza_shared_link_items_stay_distinct_and_get_first_seen_dates() {
    let env = Env::with_sources("", &[("meduza", "http://127.0.0.1:9/unused")]);
    let f = corpus().join("feeds/meduza__generated-no-guid-shared-link-epoch-dates.xml");
    let entries = std::fs::read_to_string(&f)
        .unwrap()
        .matches("<item>")
        .count() as i64;
    env.run(&[
        "ingest",
        "--source",
        "meduza",
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
    let env = Env::with_sources("", &[("reuters", "http://127.0.0.1:9/unused")]);
    let f = corpus().join("feeds/reuters__scraped-fulltext-zero-width-chars-2026-04.xml");
    env.run(&["ingest", "--source", "reuters", &f.display().to_string()])
        .expect(0);
    assert!(env.count("SELECT count(*) FROM items") > 0);
    assert_eq!(
        env.count("SELECT count(*) FROM item_versions WHERE instr(text, char(8203)) > 0 OR instr(text, char(8288)) > 0"),
        0
    );
}
