//! Detection end to end: topic matches, revisions with significance, statement
//! shifts and stories, as a user sees them through `items`, `changes`, `show`,
//! `match` and the database.

use std::path::Path;

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::{corpus, fixture, rss, shipped_topics, snapshots};

fn env_with_topics(sources: &[(&str, &str)]) -> Env {
    let mut rest: String = sources
        .iter()
        .map(|(n, u)| format!("[[source]]\nname = \"{n}\"\nurl = \"{u}\"\n\n"))
        .collect();
    rest.push_str(&shipped_topics());
    Env::new("", &rest)
}

/// The snapshots of a history folder as `ingest` arguments; there must be some.
fn history(dir: &Path) -> Vec<String> {
    let files = snapshots(dir);
    assert!(!files.is_empty(), "no snapshots in {}", dir.display());
    files.iter().map(|p| p.display().to_string()).collect()
}

fn ingest_all(env: &Env, source: &str, files: &[String]) {
    let mut args = vec!["ingest", "--source", source];
    args.extend(files.iter().map(String::as_str));
    env.run(&args).expect(0);
}

/// A history whose scraper re-issues the guid at each headline edit (the AP
/// mirror's way): topic matches, and each edit classified. The topic's query
/// decides here (its model is left out): the shipped model, trained on
/// TASS headlines, misses the truce-violation story (known-gaps.md).
#[test]
fn reissued_guid_history_gives_topic_matches_and_classified_revisions() {
    let topics = shipped_topics().replace("model = \"builtin:peace-talks\"\n", "");
    assert!(!topics.contains("builtin:"), "the model line is left out");
    let env = Env::new(
        "",
        &format!("[[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/unused\"\n\n{topics}"),
    );
    ingest_all(&env, "wire", &history(&fixture("history/reissued-guids")));

    // Topic matches: the truce stories are in, the school tax story is not.
    let items = env.topic_items("peace-talks");
    let mut titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
    titles.sort_unstable();
    assert_eq!(
        titles,
        [
            "Governor says strikes kill 22 in Ukraine before announced ceasefire",
            "Moscow and Kyiv accuse each other of violating US-brokered 3-day truce",
        ]
    );

    // "strikes kill 5" → "strikes kill 22": a major revision, numbers changed.
    let major = env
        .run(&["--json", "changes", "--min", "major", "--limit", "1000"])
        .expect(0)
        .json_lines();
    let kill = major
        .iter()
        .find(|c| c["kind"] == "revision" && c["title"].as_str().unwrap().contains("kill 22"))
        .expect("the 5 → 22 revision is listed as major");
    assert!(
        kill["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("figure")),
        "{kill}"
    );

    // "U.S.-brokered three-day" → "US-brokered 3-day": cosmetic, hidden from --min minor.
    let all = env
        .run(&["--json", "changes", "--limit", "5000"])
        .expect(0)
        .json_lines();
    let cosmetic: Vec<&serde_json::Value> = all
        .iter()
        .filter(|c| c["significance"] == "cosmetic")
        .collect();
    assert_eq!(cosmetic.len(), 1, "{all:#?}");
    assert_eq!(
        cosmetic[0]["reasons"],
        serde_json::json!(["spelling variant: U.S./US", "number written out: three/3"])
    );
    let minor = env
        .run(&["--json", "changes", "--min", "minor", "--limit", "5000"])
        .expect(0)
        .json_lines();
    assert_eq!(minor.len(), all.len() - 1);
    assert!(minor.iter().all(|c| c["significance"] != "cosmetic"));

    // `show` prints the diff between versions.
    let id = kill["item_id"].as_i64().unwrap().to_string();
    let show = env.run(&["show", &id]).expect(0);
    assert!(show.stdout.contains("[-5-]"), "{}", show.stdout);
    assert!(show.stdout.contains("major"), "{}", show.stdout);
}

/// Polls that add and drop items but edit none: no change to report.
#[test]
fn unchanged_history_reports_no_changes() {
    let env = env_with_topics(&[("wire", "http://127.0.0.1:9/unused")]);
    ingest_all(&env, "wire", &history(&fixture("history/unchanged")));
    assert_eq!(env.count("SELECT count(*) FROM items"), 8);
    assert_eq!(env.count("SELECT count(*) FROM revisions"), 0);
    let out = env.run(&["changes"]).expect(0);
    assert!(out.stdout.contains("no changes"), "{}", out.stdout);
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn ap_history_gives_topic_matches_and_classified_revisions() {
    let env = env_with_topics(&[("ap", "http://127.0.0.1:9/unused")]);
    ingest_all(&env, "ap", &history(&corpus().join("history/apnews")));

    // Topic matches: the truce stories are in, the Missouri tax story is not.
    let items = env.topic_items("peace-talks");
    let titles: Vec<&str> = items.iter().map(|i| i["title"].as_str().unwrap()).collect();
    assert!(
        titles.iter().any(|t| t.contains("3-day truce")),
        "{titles:#?}"
    );
    assert!(
        !titles.iter().any(|t| t.contains("Missouri")),
        "{titles:#?}"
    );
    assert!(items.iter().all(|i| {
        i["topics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "peace-talks")
    }));

    // "strikes kill 5" → "strikes kill 22": a major revision, numbers changed.
    let major = env
        .run(&["--json", "changes", "--min", "major", "--limit", "1000"])
        .expect(0)
        .json_lines();
    let kill = major
        .iter()
        .find(|c| {
            c["kind"] == "revision" && c["title"].as_str().unwrap().contains("strikes kill 22")
        })
        .expect("the 5 → 22 revision is listed as major");
    assert!(
        kill["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r.as_str().unwrap().starts_with("figure")),
        "{kill}"
    );
    for field in [
        "item_id",
        "url",
        "source",
        "kind",
        "from_version",
        "to_version",
        "seen_at",
        "significance",
        "reasons",
    ] {
        assert!(kill.get(field).is_some(), "missing {field}");
    }

    // "U.S.-brokered three-day" → "US-brokered 3-day": cosmetic, hidden from --min minor.
    let all = env
        .run(&["--json", "changes", "--limit", "5000"])
        .expect(0)
        .json_lines();
    assert!(
        all.iter().any(|c| c["significance"] == "cosmetic"),
        "some cosmetic revision"
    );
    let minor = env
        .run(&["--json", "changes", "--min", "minor", "--limit", "5000"])
        .expect(0)
        .json_lines();
    assert!(minor.iter().all(|c| c["significance"] != "cosmetic"));

    // `show` prints the diff between versions.
    let id = kill["item_id"].as_i64().unwrap().to_string();
    let show = env.run(&["show", &id]).expect(0);
    assert!(
        show.stdout.contains("[-5-]") || show.stdout.contains("[-5"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("major"), "{}", show.stdout);
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn reuters_history_reports_no_changes() {
    let env = env_with_topics(&[("reuters", "http://127.0.0.1:9/unused")]);
    ingest_all(
        &env,
        "reuters",
        &history(&corpus().join("history/reuters-direct")),
    );
    assert_eq!(env.count("SELECT count(*) FROM revisions"), 0);
    let out = env.run(&["changes"]).expect(0);
    assert!(out.stdout.contains("no changes"), "{}", out.stdout);
}

#[test]
fn a_statement_on_another_issue_is_not_a_position_shift() {
    let server = TestServer::start();
    server.fixed(
        "/a",
        Response::ok(rss(&[(
            "s1",
            "Kremlin on Istanbul talks",
            "“Russia is ready to continue the peace talks in Istanbul next week,” Kremlin spokesman Dmitry Peskov said on Monday.",
        )])),
    );
    let env = env_with_topics(&[("wire", &server.url("/a"))]);
    env.run(&["poll", "--all"]).expect(0);
    assert!(env.count("SELECT count(*) FROM statements WHERE speaker = 'Dmitry Peskov'") >= 1);
    server.fixed(
        "/a",
        Response::ok(rss(&[
            (
                "s1",
                "Kremlin on Istanbul talks",
                "“Russia is ready to continue the peace talks in Istanbul next week,” Kremlin spokesman Dmitry Peskov said on Monday.",
            ),
            (
                "s2",
                "Kremlin rules out ceasefire negotiations",
                "“There will be no negotiations on a ceasefire until Kyiv withdraws its troops from the four regions,” Peskov told reporters.",
            ),
        ])),
    );
    env.run(&["poll", "--all"]).expect(0);
    // Each statement has its issue and stance; the second is on another
    // issue (a ceasefire, with a condition), the same day: not a shift of
    // the position on talks (tests/it/positions.rs has one that is).
    assert_eq!(
        env.count(
            "SELECT count(*) FROM statements WHERE speaker = 'Dmitry Peskov' \
             AND issue = 'talks' AND stance = 'readiness'"
        ),
        1
    );
    assert_eq!(
        env.count(
            "SELECT count(*) FROM statements WHERE speaker = 'Dmitry Peskov' \
             AND issue = 'ceasefire' AND stance = 'condition'"
        ),
        1
    );
    assert_eq!(env.count("SELECT count(*) FROM shifts"), 0);
}

#[test]
fn one_event_from_two_outlets_is_one_story() {
    let server = TestServer::start();
    server.fixed(
        "/one",
        Response::ok(rss(&[(
            "a1",
            "Russia and Ukraine swap 390 prisoners in largest exchange of the war",
            "Russia and Ukraine exchanged 390 prisoners of war on Friday in the first stage of the largest swap since the full-scale invasion, agreed at talks in Istanbul.",
        )])),
    );
    server.fixed(
        "/two",
        Response::ok(rss(&[(
            "b1",
            "Russia, Ukraine swap 390 prisoners in largest exchange of the war",
            "Russia and Ukraine exchanged 390 prisoners of war on Friday, the first stage of the largest swap since the full-scale invasion agreed at Istanbul talks.",
        )])),
    );
    server.fixed(
        "/three",
        Response::ok(rss(&[(
            "c1",
            "Central bank holds interest rate at 16%",
            "The central bank kept its key rate unchanged.",
        )])),
    );
    let env = env_with_topics(&[
        ("one", &server.url("/one")),
        ("two", &server.url("/two")),
        ("three", &server.url("/three")),
    ]);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(env.count("SELECT count(DISTINCT story_id) FROM items"), 2);
    assert_eq!(env.count("SELECT max(sources) FROM stories"), 2);
}

#[test]
fn bad_topic_query_is_a_config_error_with_its_column() {
    let env = Env::new(
        "",
        "[[topic]]\nname = \"broken\"\nquery = '(\"peace talks\" OR ceasefire'\n",
    );
    let out = env.run(&["check-config"]).expect(2);
    assert!(
        out.stderr.contains("newswatch.toml:7:10:"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("topic \"broken\".query"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("unclosed"), "{}", out.stderr);
}

#[test]
fn check_config_shows_parsed_topics_and_match_tests_a_rule() {
    let env = env_with_topics(&[]);
    let out = env.run(&["check-config"]).expect(0);
    assert!(out.stdout.contains("peace-talks"), "{}", out.stdout);
    assert!(
        out.stdout.contains(" OR "),
        "parsed form shown: {}",
        out.stdout
    );

    let f = env.path("feed.xml");
    std::fs::write(
        &f,
        rss(&[
            (
                "1",
                "Ceasefire talks resume in Istanbul",
                "Delegations of Russia and Ukraine met.",
            ),
            ("2", "Football club signs striker", "Transfer news."),
        ]),
    )
    .unwrap();
    let out = env
        .run(&["match", "--topic", "peace-talks", &f.display().to_string()])
        .expect(0);
    assert!(
        out.stdout.contains("Ceasefire talks resume"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("Football"), "{}", out.stdout);
    assert!(
        out.stdout.contains("1 of 2 items matches"),
        "{}",
        out.stdout
    );
    env.run(&[
        "match",
        "--topic",
        "no-such-topic",
        &f.display().to_string(),
    ])
    .expect(2);
}

#[test]
fn a_statements_source_makes_every_item_its_speakers_statement() {
    let server = TestServer::start();
    server.fixed(
        "/mfa",
        Response::ok(rss(&[
            (
                "m1",
                "Foreign Minister on the negotiations",
                "Ukraine is ready for a ceasefire along the current line of contact.",
            ),
            (
                "m2",
                "Statement on the prisoner exchange",
                "All prisoners must be exchanged on the all-for-all principle.",
            ),
        ])),
    );
    let mut rest = format!(
        "[[source]]\nname = \"mfa\"\nurl = \"{}\"\nkind = \"statements\"\nspeaker = \"Andrii Sybiha\"\n\n",
        server.url("/mfa")
    );
    rest.push_str(&shipped_topics());
    let env = Env::new("", &rest);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.count("SELECT count(DISTINCT item_id) FROM statements WHERE speaker = 'Andrii Sybiha'"),
        2
    );
}

/// An aggregator's feed carries counters in every item ("Points: 74 #
/// Comments: 44", as Hacker News does): they tick at every poll, and each
/// tick used to be a new version and a figure-changed major revision of
/// every item. A real edit among them, and one story's figure updated in a
/// news feed, are still revisions.
#[test]
fn counters_ticking_in_every_item_are_not_revisions() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let server = TestServer::start();
    let polls = Arc::new(AtomicUsize::new(0));
    let hn_polls = polls.clone();
    server.route("/hn", move |_| {
        let n = hn_polls.fetch_add(1, Ordering::SeqCst) + 1;
        let items: Vec<(String, String, String)> = (0..20)
            .map(|i| {
                let title = if i == 5 && n >= 3 {
                    "Ceasefire talks collapse in Istanbul".to_string()
                } else {
                    format!("Ceasefire talks item {i} resume in Istanbul")
                };
                let text = format!(
                    "<p>Article URL: https://site.example/{i}</p><p>Points: {}</p><p># Comments: {}</p>",
                    10 + i + n * 7,
                    i + n * 3
                );
                (format!("hn-{i}"), title, text)
            })
            .collect();
        let items: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        Response::ok(rss(&items))
    });
    let news_polls = Arc::new(AtomicUsize::new(0));
    let seen = news_polls.clone();
    server.route("/news", move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
        let killed = if n >= 2 { 22 } else { 5 };
        let mut items = vec![(
            "news-0".to_string(),
            "Strikes hit Kharkiv as ceasefire talks stall".to_string(),
            format!("Russian strikes kill {killed} in Kharkiv, officials say."),
        )];
        items.extend((1..8).map(|i| {
            (
                format!("news-{i}"),
                format!("Story {i} on the negotiations"),
                format!("Delegations met for round {i} of the talks."),
            )
        }));
        let items: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
            .collect();
        Response::ok(rss(&items))
    });
    let env = env_with_topics(&[("hn", &server.url("/hn")), ("news", &server.url("/news"))]);
    for _ in 0..4 {
        env.run(&["poll", "--all"]).expect(0);
    }
    assert_eq!(polls.load(Ordering::SeqCst), 4);

    let versions = |source: &str| {
        env.count(&format!(
            "SELECT count(*) FROM item_versions v JOIN items i ON i.id = v.item_id
             JOIN sources s ON s.id = i.source_id WHERE s.name = '{source}'"
        ))
    };
    // 20 items, and one version more for the retitled one.
    assert_eq!(versions("hn"), 21);
    let changes = env.run(&["--json", "changes"]).expect(0).json_lines();
    let revisions: Vec<(String, String)> = changes
        .iter()
        .filter(|c| c["kind"] == "revision")
        .map(|c| {
            (
                c["title"].as_str().unwrap_or_default().to_string(),
                c["significance"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(revisions.len(), 2, "{changes:#?}");
    assert!(
        revisions
            .iter()
            .any(|(t, _)| t == "Ceasefire talks collapse in Istanbul"),
        "{revisions:?}"
    );
    assert!(
        revisions
            .iter()
            .any(|(t, s)| t.starts_with("Strikes hit Kharkiv") && s == "major"),
        "{revisions:?}"
    );
}
