//! Context from the story and the topic's context terms: what `prune`
//! and the daemon's daily pass keep of the terms, and what the commands
//! show of the context.

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::rss;
use crate::support::wires::{FILLER, MATCHING_REPORT, UNRELATED, WORDED_APART, wires_config};

const TOPICS: &str = "[[topic]]\nname = \"talks\"\nquery = 'talks OR negotiat*'\n\n\
                      [[topic]]\nname = \"storms\"\nquery = 'storm*'\n";

const SOURCE: &str = "[[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/rss\"\n\n";

fn env() -> Env {
    Env::new("", &format!("{SOURCE}{TOPICS}"))
}

fn config(topics: &str) -> String {
    format!(
        "[daemon]\ndatabase = \"test.db\"\n\n\
         {SOURCE}{topics}"
    )
}

fn terms(env: &Env, topic: &str) -> Vec<String> {
    let mut out: Vec<String> = env
        .db()
        .prepare("SELECT term FROM context_terms WHERE topic = ?1 ORDER BY term")
        .unwrap()
        .query_map([topic], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    out.dedup();
    out
}

#[test]
fn prune_deletes_expired_terms_and_those_of_topics_no_longer_configured() {
    let env = env();
    // Strong matches naming Witkoff and Umerov yesterday, a storm's names
    // yesterday, and Kushner and Dmitriev in March (long expired by now).
    let old = [
        (
            "a1",
            "Kushner holds talks with Dmitriev on a ceasefire plan",
            "Jared Kushner held talks with Kirill Dmitriev about a ceasefire plan.",
        ),
        (
            "a2",
            "Kushner and Dmitriev resume negotiations in Geneva",
            "Jared Kushner and Kirill Dmitriev resumed negotiations in Geneva.",
        ),
    ];
    let recent = (chrono::Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    env.ingest_rss(
        "wire",
        &recent,
        &[
            (
                "b1",
                "Witkoff holds talks with Umerov in Miami",
                "Steve Witkoff held talks with Rustem Umerov in Miami.",
            ),
            (
                "b2",
                "Witkoff and Umerov resume negotiations",
                "Steve Witkoff and Rustem Umerov resumed negotiations on Sunday.",
            ),
            (
                "b3",
                "Storm Bramwell hits Galway",
                "Storm Bramwell hit Galway overnight, Met Eireann said.",
            ),
            (
                "b4",
                "Storm Bramwell moves on from Galway",
                "Storm Bramwell left Galway on Sunday, Met Eireann said.",
            ),
        ],
    );
    // The March items come in last (a feed's backlog): a strong match drops
    // only the terms expired at its own time, so both sets are stored.
    env.ingest_rss("wire", "2026-03-02T09:00:00Z", &old);
    let talks = terms(&env, "talks");
    for name in ["kushner", "dmitriev", "witkoff", "umerov"] {
        assert!(talks.iter().any(|t| t.contains(name)), "{name}: {talks:?}");
    }
    assert!(!terms(&env, "storms").is_empty(), "storms has terms");

    // The storms topic leaves the configuration.
    env.write_config(&config(
        "[[topic]]\nname = \"talks\"\nquery = 'talks OR negotiat*'\n",
    ));
    let out = env.run(&["prune", "--older-than", "30d"]).expect(0).stdout;
    assert!(out.contains("expired context terms"), "{out}");
    assert!(out.contains("of topics no longer configured"), "{out}");

    let talks = terms(&env, "talks");
    for name in ["kushner", "dmitriev"] {
        assert!(!talks.iter().any(|t| t.contains(name)), "{name}: {talks:?}");
    }
    for name in ["witkoff", "umerov"] {
        assert!(talks.iter().any(|t| t.contains(name)), "{name}: {talks:?}");
    }
    assert!(
        terms(&env, "storms").is_empty(),
        "{:?}",
        terms(&env, "storms")
    );

    // A second run finds nothing left to delete, and says so in JSON.
    let again = env
        .run(&["--json", "prune", "--older-than", "30d"])
        .expect(0)
        .json_lines();
    assert_eq!(again[0]["context_terms_expired"], 0, "{again:?}");
    assert_eq!(again[0]["context_terms_unconfigured"], 0, "{again:?}");
}

/// In March: a strong match of talks and one of storms, each naming
/// people and places.
fn ingest_march_reports(env: &Env) {
    env.ingest_rss(
        "wire",
        "2026-03-02T09:00:00Z",
        &[
            (
                "a1",
                "Kushner holds talks with Dmitriev on a ceasefire plan",
                "Jared Kushner held talks with Kirill Dmitriev about a ceasefire plan.",
            ),
            (
                "a2",
                "Storm Bramwell hits Galway",
                "Storm Bramwell hit Galway overnight, Met Eireann said.",
            ),
        ],
    );
}

#[test]
fn prune_counts_what_it_deleted() {
    let env = env();
    ingest_march_reports(&env);
    let talks = env.count("SELECT count(*) FROM context_terms WHERE topic = 'talks'");
    let storms = env.count("SELECT count(*) FROM context_terms WHERE topic = 'storms'");
    assert!(talks > 0 && storms > 0, "talks {talks}, storms {storms}");
    env.write_config(&config(
        "[[topic]]\nname = \"talks\"\nquery = 'talks OR negotiat*'\n",
    ));
    let out = env
        .run(&["--json", "prune", "--older-than", "30d"])
        .expect(0)
        .json_lines();
    assert_eq!(out[0]["context_terms_expired"], talks, "{out:?}");
    assert_eq!(out[0]["context_terms_unconfigured"], storms, "{out:?}");
    assert_eq!(env.count("SELECT count(*) FROM context_terms"), 0);
}

fn item_id(env: &Env, title: &str) -> String {
    env.text(&format!(
        "SELECT CAST(id AS TEXT) FROM items WHERE title = '{}'",
        title.replace('\'', "''")
    ))
    .unwrap_or_else(|| panic!("no item {title:?}"))
}

/// Two outlets over HTTP: Wire A's report of talks matches on its own
/// (and with Wire C's earlier one makes Medinsky and Umerov context
/// terms); Wire B's report of the same meeting, worded without the
/// query's words, joins the story and is relevant through it.
fn story_of_two_outlets() -> (TestServer, Env, [&'static str; 2]) {
    let server = TestServer::start();
    let filler = FILLER;
    let earlier = (
        "c1",
        "Umerov says talks with Medinsky will go on in May",
        "Rustem Umerov said his talks with Vladimir Medinsky would continue in May.",
    );
    let first = MATCHING_REPORT;
    let second = WORDED_APART;
    server.fixed("/a", Response::ok(rss(&[filler])));
    server.fixed("/b", Response::ok(rss(&[filler])));
    server.fixed("/c", Response::ok(rss(&[filler])));
    let env = Env::new("", &wires_config(&server, &['A', 'B', 'C']));
    env.run(&["poll", "--all"]).expect(0);
    server.fixed("/c", Response::ok(rss(&[filler, earlier])));
    server.fixed("/a", Response::ok(rss(&[filler, first])));
    env.run(&["poll", "--all"]).expect(0);
    server.fixed("/b", Response::ok(rss(&[filler, second])));
    env.run(&["poll", "--all"]).expect(0);
    (server, env, [first.1, second.1])
}

#[test]
fn match_explain_and_show_print_the_story_and_the_context_terms() {
    let (_server, env, [first, second]) = story_of_two_outlets();
    let story = env
        .text(&format!(
            "SELECT CAST(story_id AS TEXT) FROM items WHERE title = '{first}'"
        ))
        .expect("a story");
    assert_eq!(
        env.text(&format!(
            "SELECT CAST(via_story AS TEXT) FROM matches m JOIN items i ON i.id = m.item_id \
             WHERE i.title = '{}' AND m.topic = 'talks'",
            second.replace('\'', "''")
        ))
        .as_deref(),
        Some(story.as_str()),
        "the second report is relevant via the story"
    );

    let out = env
        .run(&["match", "--topic", "talks", "--explain", "--since", "400d"])
        .expect(0)
        .stdout;
    let block = |title: &str| -> String {
        let start = out
            .find(&title[..40])
            .unwrap_or_else(|| panic!("{title} not explained:\n{out}"));
        let rest = &out[start..];
        let end = rest[1..]
            .find("\nMATCH")
            .or_else(|| rest[1..].find("\nno "))
            .map_or(rest.len(), |e| e + 1);
        rest[..end].to_owned()
    };
    let carried = block(second);
    assert!(
        carried.contains(&format!("story: relevant via story {story}")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("MATCH") && l.contains(&second[..40])),
        "the carried report is a match: {out}"
    );
    let own = block(first);
    assert!(!own.contains("via story"), "{own}");
    for b in [&carried, &own] {
        let line = b
            .lines()
            .find(|l| l.contains("context terms named:"))
            .unwrap_or_else(|| panic!("no context terms: {b}"));
        assert!(
            line.contains("medinsk") && line.contains("umerov"),
            "{line}"
        );
    }

    let json = env
        .run(&[
            "--json",
            "match",
            "--topic",
            "talks",
            "--explain",
            "--since",
            "400d",
        ])
        .expect(0)
        .json_lines();
    let row = json
        .iter()
        .find(|r| r["title"] == second)
        .unwrap_or_else(|| panic!("{json:?}"));
    assert_eq!(row["relevant"], true, "{row}");
    assert_eq!(row["via_story"].to_string(), story, "{row}");
    let terms = row["context_terms"].to_string();
    assert!(
        terms.contains("medinsk") && terms.contains("umerov"),
        "{row}"
    );

    let shown = env.run(&["show", &item_id(&env, second)]).expect(0).stdout;
    let relevance = &shown[shown.find("── relevance").expect("a relevance section")..];
    assert!(relevance.contains("talks relevant"), "{relevance}");
    assert!(
        relevance.contains(&format!("story: relevant via story {story}")),
        "{relevance}"
    );
    assert!(relevance.contains("context terms named:"), "{relevance}");
}

fn via_story_of(env: &Env, title: &str, version: i64) -> Option<String> {
    env.text(&format!(
        "SELECT (SELECT CAST(m.via_story AS TEXT) FROM matches m JOIN items i ON i.id = m.item_id \
         WHERE i.title = '{}' AND m.topic = 'talks' AND m.version = {version})",
        title.replace('\'', "''")
    ))
}

#[test]
fn a_later_match_takes_the_earlier_reports_of_its_story_and_a_new_version_keeps_it() {
    let server = TestServer::start();
    let filler = FILLER;
    // Wire B's report, worded without the query's words, comes first.
    let early = WORDED_APART;
    let unrelated = UNRELATED;
    let matching = MATCHING_REPORT;
    server.fixed("/a", Response::ok(rss(&[filler])));
    server.fixed("/b", Response::ok(rss(&[filler])));
    let env = Env::new("", &wires_config(&server, &['A', 'B']));
    env.run(&["poll", "--all"]).expect(0);
    server.fixed("/b", Response::ok(rss(&[filler, early, unrelated])));
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(via_story_of(&env, early.1, 1), None, "nothing matched yet");
    assert_eq!(
        env.count("SELECT count(*) FROM matches WHERE topic = 'talks'"),
        0
    );

    // Wire A's report of the same meeting matches on its own and joins the
    // story: Wire B's earlier report is taken through it, the unrelated
    // one is not.
    server.fixed("/a", Response::ok(rss(&[filler, matching])));
    env.run(&["poll", "--all"]).expect(0);
    let story = env
        .text(&format!(
            "SELECT CAST(story_id AS TEXT) FROM items WHERE title = '{}'",
            matching.1
        ))
        .expect("a story");
    assert_eq!(
        env.text(&format!(
            "SELECT CAST(story_id AS TEXT) FROM items WHERE title = '{}'",
            early.1.replace('\'', "''")
        ))
        .as_deref(),
        Some(story.as_str()),
        "the two reports share a story"
    );
    assert_eq!(
        via_story_of(&env, early.1, 1).as_deref(),
        Some(story.as_str())
    );
    let listed: Vec<String> = env
        .run(&["--json", "items", "--topic", "talks"])
        .expect(0)
        .json_lines()
        .iter()
        .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert!(listed.iter().any(|t| t == early.1), "{listed:?}");
    assert!(!listed.iter().any(|t| t == unrelated.1), "{listed:?}");
    let shown = env.run(&["show", &item_id(&env, early.1)]).expect(0).stdout;
    assert!(
        shown.contains(&format!("matches talks via story {story}")),
        "{shown}"
    );

    // Wire B edits its report (a new version): it is decided against its
    // story again and stays relevant through it.
    let edited = (
        early.0,
        early.1,
        "Vladimir Medinsky and Rustem Umerov met in Istanbul on Friday; Russia and Ukraine will each hand over 1,000 prisoners, the first of them next week.",
    );
    server.fixed("/b", Response::ok(rss(&[filler, edited, unrelated])));
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.count(&format!(
            "SELECT version_count FROM items WHERE title = '{}'",
            early.1.replace('\'', "''")
        )),
        2,
        "the edit is a new version"
    );
    assert_eq!(
        via_story_of(&env, early.1, 2).as_deref(),
        Some(story.as_str())
    );
}

/// The daemon's daily pass deletes the topics' expired context terms and
/// those of topics no longer configured, as `prune` does, with no
/// `[daemon] retention` set (they are derived state): terms a strong match
/// named this week stay, and so does the text of the items.
#[test]
fn the_daemon_deletes_expired_context_terms_at_start_without_retention() {
    let summit = "[[topic]]\nname = \"summit\"\nquery = 'summit*'\n";
    let env = Env::new("", &format!("{SOURCE}{TOPICS}\n{summit}"));
    ingest_march_reports(&env);
    // An hour ago: a strong match of another topic names others (one of
    // talks would drop its expired terms itself).
    let recent = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    env.ingest_rss(
        "wire",
        &recent,
        &[(
            "a3",
            "Witkoff and Umerov meet at the Geneva summit",
            "Steve Witkoff and Rustem Umerov met at the summit in Geneva.",
        )],
    );
    let count = |sql: &str| env.try_count(sql).unwrap_or(-1);
    let expired =
        "SELECT count(*) FROM context_terms WHERE topic = 'talks' AND last_seen < '2026-04-01'";
    let fresh = "SELECT count(*) FROM context_terms WHERE topic = 'summit'";
    let of_storms = "SELECT count(*) FROM context_terms WHERE topic = 'storms'";
    assert!(count(expired) > 0, "no expired term to delete");
    assert!(count(of_storms) > 0, "no term of storms");
    let kept = count(fresh);
    assert!(kept > 0, "no term named this week");

    // storms leaves the configuration; no retention; the daemon starts.
    let talks = "[[topic]]\nname = \"talks\"\nquery = 'talks OR negotiat*'\n\n";
    let config = config(&format!("{talks}{summit}"));
    assert!(!config.contains("retention"), "{config}");
    env.write_config(&config);
    let mut child = crate::support::start_daemon(&env, &[]);
    crate::support::wait_until(
        "the daemon deletes expired context terms",
        std::time::Duration::from_secs(20),
        || count(expired) == 0 && count(of_storms) == 0,
    );
    assert_eq!(count(fresh), kept, "a term named this week was deleted");
    crate::support::signal(&child, "-TERM");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(
        count("SELECT count(*) FROM item_versions WHERE pruned_at IS NOT NULL"),
        0,
        "without retention, the March reports keep their text"
    );
    assert_eq!(
        count("SELECT count(*) FROM item_versions WHERE text IS NULL OR text = ''"),
        0,
        "without retention, the March reports keep their text"
    );
}

/// A poll counts what its fetch made relevant: the new report that
/// matches and the other outlet's earlier report its story carries the
/// topic back to, each once (`poll --json`, `items_matched`).
#[test]
fn the_earlier_reports_a_match_carries_its_topic_to_count_as_matched() {
    let server = TestServer::start();
    let filler = FILLER;
    let early = WORDED_APART;
    let matching = MATCHING_REPORT;
    server.fixed("/a", Response::ok(rss(&[filler])));
    server.fixed("/b", Response::ok(rss(&[filler])));
    let env = Env::new("", &wires_config(&server, &['A', 'B']));
    env.run(&["poll", "--all"]).expect(0);
    server.fixed("/b", Response::ok(rss(&[filler, early])));
    let lines = env.run(&["--json", "poll", "--all"]).expect(0).json_lines();
    let matched: Vec<u64> = lines
        .iter()
        .map(|l| l["items_matched"].as_u64().expect("items_matched"))
        .collect();
    assert_eq!(matched, [0, 0], "{lines:?}");

    server.fixed("/a", Response::ok(rss(&[filler, matching])));
    let lines = env.run(&["--json", "poll", "--all"]).expect(0).json_lines();
    let of = |new: u64| {
        lines
            .iter()
            .find(|l| l["items_new"].as_u64() == Some(new))
            .unwrap_or_else(|| panic!("no source with {new} new: {lines:?}"))["items_matched"]
            .as_u64()
    };
    assert_eq!(
        of(1),
        Some(2),
        "its own report and the earlier one: {lines:?}"
    );
    assert!(
        via_story_of(&env, early.1, 1).is_some(),
        "the earlier report was carried the topic"
    );
}
