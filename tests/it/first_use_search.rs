//! A newcomer's searches and matches: other forms of a word find what the
//! feed said, a database made before stemming is reindexed for it, `match`
//! says what lies outside its window, `show` says what matched.

use crate::support::env::Env;
use crate::support::rss;

/// An RSS feed in `lang` of (guid, title, text).
fn feed_in(lang: &str, items: &[(&str, &str, &str)]) -> String {
    rss(items).replace(
        "<description>test</description>",
        &format!("<description>test</description><language>{lang}</language>"),
    )
}

/// `search` folds and stems words as topics do, in English, Russian and
/// Ukrainian; phrases are stemmed too; a prefix matches words as written.
#[test]
fn search_finds_other_forms_of_a_word() {
    let env = Env::with_sources(
        "",
        &[
            ("en", "https://en.invalid/rss"),
            ("ru", "https://ru.invalid/rss"),
            ("uk", "https://uk.invalid/rss"),
        ],
    );
    let ingest = |source: &str, text: String| {
        let file = env.path(&format!("{source}.xml"));
        std::fs::write(&file, text).unwrap();
        env.run(&["ingest", "--source", source, file.to_str().unwrap()])
            .expect(0);
    };
    ingest(
        "en",
        feed_in(
            "en",
            &[
                ("e1", "Envoys keep negotiating in Geneva", "Talks go on."),
                ("e2", "A peace talk in Riyadh", "Both sides attend."),
            ],
        ),
    );
    ingest(
        "ru",
        feed_in(
            "ru",
            &[("r1", "Визит Путина в Пекин", "Кремль подтвердил визит.")],
        ),
    );
    ingest(
        "uk",
        feed_in(
            "uk",
            &[(
                "u1",
                "Делегації на перемовинах у Стамбулі",
                "Сторони домовились.",
            )],
        ),
    );
    let titles = |query: &[&str]| -> Vec<String> {
        let mut args = vec!["--json", "search"];
        args.extend_from_slice(query);
        let mut t: Vec<String> = env
            .run(&args)
            .expect(0)
            .json_lines()
            .iter()
            .map(|h| h["title"].as_str().unwrap().to_string())
            .collect();
        t.sort();
        t
    };
    assert_eq!(titles(&["Путин"]), ["Визит Путина в Пекин"]);
    assert_eq!(titles(&["путину"]), ["Визит Путина в Пекин"]);
    assert_eq!(
        titles(&["перемовини"]),
        ["Делегації на перемовинах у Стамбулі"]
    );
    assert_eq!(
        titles(&["negotiations"]),
        ["Envoys keep negotiating in Geneva"]
    );
    // A phrase of other forms of its words.
    assert_eq!(titles(&["\"peace talks\""]), ["A peace talk in Riyadh"]);
    // The phrase does not run from the last word of a title into its stems.
    assert!(titles(&["\"riyadh a\""]).is_empty());
    // A prefix matches the words as written: `negotiat*` finds
    // "negotiating", `negotiati*` too, though its stem is "negoti".
    assert_eq!(
        titles(&["negotiati*"]),
        ["Envoys keep negotiating in Geneva"]
    );
    assert_eq!(
        titles(&["title:визиты", "AND", "Кремля"]),
        ["Визит Путина в Пекин"]
    );
    assert_eq!(
        titles(&["(путина", "OR", "negotiation)", "NOT", "geneva"]),
        ["Визит Путина в Пекин"]
    );
}

/// The schema of newswatch before search stemmed: its first five migrations.
const SCHEMA_5: [&str; 5] = [
    include_str!("../../src/store/sql/001_initial.sql"),
    include_str!("../../src/store/sql/002_detections.sql"),
    include_str!("../../src/store/sql/003_outbox.sql"),
    include_str!("../../src/store/sql/004_runs.sql"),
    include_str!("../../src/store/sql/005_retention.sql"),
];

/// A database from before search stemmed is re-indexed when it is opened:
/// its items are found by other forms of their words at once.
#[test]
fn an_older_database_is_reindexed_for_stemmed_search() {
    let env = Env::with_sources("", &[("ru", "https://ru.invalid/rss")]);
    let file = env.path("ru.xml");
    std::fs::write(
        &file,
        feed_in(
            "ru",
            &[("r1", "Визит Путина в Пекин", "Кремль подтвердил визит.")],
        ),
    )
    .unwrap();
    env.run(&["ingest", "--source", "ru", file.to_str().unwrap()])
        .expect(0);
    // As newswatch before: a file of schema 5, made by its own migrations
    // (001–005), holding the rows this build stored in the columns schema 5
    // had, an index of folded words only, and an old revision's reasons as
    // codes.
    let old = env.path("old.db");
    {
        let db = rusqlite::Connection::open(&old).unwrap();
        for sql in SCHEMA_5 {
            db.execute_batch(sql).unwrap();
        }
        db.execute_batch(&format!(
            // Tables are copied in any order: references hold once all are.
            "PRAGMA foreign_keys = OFF; PRAGMA application_id = {}; ATTACH '{}' AS cur;",
            0x6e77_6368,
            env.db.display()
        ))
        .unwrap();
        let tables: Vec<String> = db
            .prepare(
                "SELECT name FROM main.sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'items_fts%' AND name NOT LIKE 'sqlite_%'",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for table in tables {
            let columns: Vec<String> = db
                .prepare(&format!(
                    "SELECT name FROM pragma_table_info('{table}', 'main')"
                ))
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            let columns = columns.join(", ");
            db.execute(
                &format!(
                    "INSERT OR REPLACE INTO main.{table} ({columns}) SELECT {columns} FROM cur.{table}"
                ),
                [],
            )
            .unwrap();
        }
        db.execute_batch(
            "DETACH cur;
             INSERT INTO items_fts (rowid, title, text)
                 SELECT id, 'визит путина в пекин', 'кремль подтвердил визит.' FROM items;
             INSERT INTO revisions (item_id, from_version, to_version, seen_at, significance,
                                    reasons, diff, changed_share, topics)
                 SELECT id, 1, 2, '2026-05-04T10:00:00Z', 'major',
                        '[\"share_changed: 0.61\",\"numbers_changed: 5 → 22\"]', '{}', 0.61, '[]'
                 FROM items;
             -- The revision's version: the item retitled, its first version matched.
             INSERT INTO item_versions (item_id, version, seen_at, title, text, content_hash)
                 SELECT id, 2, '2026-05-04T10:00:00Z', 'Путин прибыл в Пекин',
                        'Кремль подтвердил визит.', 'v2' FROM items;
             UPDATE items SET title = 'Путин прибыл в Пекин', version_count = 2;
             INSERT INTO matches (item_id, version, topic, terms, score, seen_at)
                 SELECT id, 1, 'visits', '[\"визит\"]', 1.0, '2026-05-04T09:00:00Z' FROM items;
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    for stale in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{stale}", env.db.display()));
    }
    std::fs::rename(&old, &env.db).unwrap();
    assert_eq!(
        env.count("SELECT count(*) FROM items"),
        1,
        "the item was copied"
    );
    let hits = env
        .run(&["--json", "search", "Путин"])
        .expect(0)
        .json_lines();
    assert_eq!(hits.len(), 1, "not re-indexed");
    assert_eq!(env.count("PRAGMA user_version"), 15);
    // The outbox takes developments, and the corrections table is there.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM sqlite_master WHERE name = 'outbox' AND sql LIKE '%''development''%'"
        ),
        1
    );
    assert_eq!(env.count("SELECT count(*) FROM story_corrections"), 0);
    assert_eq!(
        env.count("SELECT count(*) FROM pragma_table_info('matches') WHERE name = 'via_story'"),
        1,
        "matches can carry a story again"
    );
    assert_eq!(
        env.count("SELECT count(*) FROM context_terms"),
        0,
        "the context terms table is there"
    );
    // Reasons stored as codes read in words, in the database too.
    assert_eq!(
        env.text("SELECT reasons FROM v_changes").unwrap(),
        r#"["text rewritten (61% of words)","figure 5 → 22"]"#
    );
    // The outbox is read by item through an index.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'outbox_by_item'"
        ),
        1
    );
    // Deleting a row whose children cascade (a revision's or a shift's or
    // a digest's outbox rows, a statement's shifts) finds them through an
    // index, not a scan.
    let db = env.db();
    db.execute_batch("PRAGMA foreign_keys = ON").unwrap();
    for (parent, child) in [
        ("revisions", "outbox"),
        ("shifts", "outbox"),
        ("digests", "outbox"),
        ("statements", "shifts"),
    ] {
        let plan: Vec<String> = db
            .prepare(&format!(
                "EXPLAIN QUERY PLAN DELETE FROM {parent} WHERE id = 1"
            ))
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.starts_with(&format!("SEARCH {child} USING"))),
            "deleting from {parent}: {plan:?}"
        );
        assert!(
            !plan
                .iter()
                .any(|step| step.starts_with(&format!("SCAN {child}"))),
            "deleting from {parent}: {plan:?}"
        );
    }
    drop(db);
    // A match is named by the title of the version it matched, not the latest.
    assert_eq!(
        env.text("SELECT title FROM v_matches").as_deref(),
        Some("Визит Путина в Пекин")
    );
}

/// `match` on an archive (items published months ago) says how many items
/// lie outside its default window of 7 days, and which `--since` takes them
/// in; that `--since` does.
#[test]
fn match_says_what_lies_outside_its_window() {
    let env = Env::new(
        "",
        "[[source]]\nname = \"archive\"\nurl = \"https://a.invalid/rss\"\n\n\
         [[topic]]\nname = \"talks\"\nquery = \"talks\"\n",
    );
    let feed = env.path("archive.xml");
    // Published on 4 May 2026 (see `rss`).
    std::fs::write(
        &feed,
        rss(&[
            ("a", "Peace talks resume", "text"),
            ("b", "Talks stall", "text"),
            ("c", "Weather", "text"),
        ]),
    )
    .unwrap();
    env.run(&["ingest", "--source", "archive", feed.to_str().unwrap()])
        .expect(0);
    let out = env.run(&["match", "--topic", "talks"]).expect(0);
    let line = out.stdout.trim();
    assert!(
        line.starts_with(
            "topic talks: 0 of 0 items published in the last 7d match; \
             3 older items (back to 2026-05-04 10:00) are outside that window: add --since "
        ),
        "{line}"
    );
    let since = line
        .rsplit("--since ")
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let out = env
        .run(&["match", "--topic", "talks", "--since", since])
        .expect(0);
    assert!(
        out.stdout.trim_end().ends_with(&format!(
            "topic talks: 2 of 3 items published in the last {since} match"
        )),
        "{}",
        out.stdout
    );
}

/// `show` lists the topics an item matched, with the terms that hit.
#[test]
fn show_lists_the_topics_and_terms_that_matched() {
    let env = Env::new(
        "",
        "[[source]]\nname = \"wire\"\nurl = \"https://wire.invalid/rss\"\n\n\
         [[topic]]\nname = \"peace-talks\"\nquery = '(\"peace talks\" OR ceasefire) AND (Russia OR Ukraine)'\n\n\
         [[topic]]\nname = \"sport\"\nquery = \"football\"\n",
    );
    let feed = env.path("feed.xml");
    std::fs::write(
        &feed,
        rss(&[(
            "a",
            "Peace talks: Russia and Ukraine agree on a ceasefire",
            "text",
        )]),
    )
    .unwrap();
    env.run(&["ingest", "--source", "wire", feed.to_str().unwrap()])
        .expect(0);
    let out = env.run(&["show", "1"]).expect(0).stdout;
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("matches "))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        line.trim_start().starts_with("matches peace-talks (score "),
        "{line}"
    );
    for term in ["\"peace talks\"", "ceasefire", "russia", "ukraine"] {
        assert!(line.contains(term), "{term} not in {line}");
    }
    assert!(!out.contains("sport"), "{out}");
    let json = &env.run(&["--json", "show", "1"]).expect(0).json_lines()[0];
    assert_eq!(json["matches"][0]["topic"], "peace-talks");
    assert!(
        json["matches"][0]["terms"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "ceasefire"),
        "{json}"
    );
}
