//! Story grouping over a labeled story set of the shared corpus
//! (`stories/dec-2025-late`): every feed file ingested in time order, as
//! `stories/replay.sh` does, then scored against the gold stories (labels
//! made by reading) the way `stories/score.py` scores: cross-outlet pairwise
//! precision and recall and BCubed F1 over the non-borderline labeled items.
//! The floors sit between what grouping scored before a participant's
//! remarks joined their meeting (cross-outlet P/R 1.000/0.737, B3 F1 0.901)
//! and what it reaches now (1.000/0.860, 0.935; bench/README.md).

use std::collections::HashMap;

use crate::support::corpus;
use crate::support::env::Env;

/// Title as score.py normalises it: spaces collapsed, case folded.
fn norm(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn replayed_story_set_groups_reports_of_one_event_across_outlets() {
    let set = corpus().join("stories/dec-2025-late");
    let tsv = std::fs::read_to_string(set.join("items.tsv")).unwrap();
    let items: Vec<Vec<&str>> = tsv
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect())
        .collect();
    let mut outlets: Vec<&str> = items.iter().map(|r| r[1]).collect();
    outlets.sort_unstable();
    outlets.dedup();
    let urls: Vec<String> = outlets
        .iter()
        .map(|o| format!("http://127.0.0.1:9/{o}"))
        .collect();
    let sources: Vec<(&str, &str)> = outlets
        .iter()
        .zip(&urls)
        .map(|(o, u)| (*o, u.as_str()))
        .collect();
    let env = Env::with_sources("", &sources);

    // Every feed file, oldest first (ties by outlet), each as fetched at the
    // time its name gives.
    let mut files: Vec<(String, String, String)> = Vec::new();
    for o in &outlets {
        for e in std::fs::read_dir(set.join("feeds").join(o)).unwrap() {
            let p = e.unwrap().path();
            let stem = p.file_stem().unwrap().to_string_lossy().to_string();
            files.push((stem, o.to_string(), p.display().to_string()));
        }
    }
    files.sort();
    for (stamp, outlet, path) in &files {
        let at = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &stamp[0..4],
            &stamp[4..6],
            &stamp[6..8],
            &stamp[9..11],
            &stamp[11..13],
            &stamp[13..15]
        );
        env.run(&["ingest", "--source", outlet, "--at", &at, path])
            .expect(0);
    }

    // Predicted story of each row, by (source, normalised title).
    let db = env.db();
    let mut stmt = db
        .prepare(
            "SELECT s.name, i.title, coalesce(i.story_id, -i.id) FROM items i
             JOIN sources s ON s.id = i.source_id",
        )
        .unwrap();
    let predicted: HashMap<(String, String), i64> = stmt
        .query_map([], |r| {
            Ok(((r.get(0)?, norm(&r.get::<_, String>(1)?)), r.get(2)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let by_id: HashMap<&str, (&str, String)> =
        items.iter().map(|r| (r[0], (r[1], norm(r[5])))).collect();
    let labels = std::fs::read_to_string(set.join("labels.tsv")).unwrap();
    // (outlet, gold cluster, predicted story) of each scored item.
    let scored: Vec<(&str, &str, i64)> = labels
        .lines()
        .skip(1)
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|r| r[2] == "0")
        .map(|r| {
            let (outlet, title) = &by_id[r[0]];
            let story = predicted[&(outlet.to_string(), title.clone())];
            (*outlet, r[1], story)
        })
        .collect();
    assert!(scored.len() > 100, "{} scored items", scored.len());

    let (mut both, mut gold, mut pred) = (0, 0, 0);
    for (i, a) in scored.iter().enumerate() {
        for b in &scored[i + 1..] {
            if a.0 == b.0 {
                continue;
            }
            let g = a.1 == b.1;
            let p = a.2 == b.2;
            gold += usize::from(g);
            pred += usize::from(p);
            both += usize::from(g && p);
        }
    }
    let precision = both as f64 / pred.max(1) as f64;
    let recall = both as f64 / gold.max(1) as f64;
    let (mut b3p, mut b3r) = (0.0, 0.0);
    for a in &scored {
        let same_pred = scored.iter().filter(|b| b.2 == a.2);
        let same_gold = scored.iter().filter(|b| b.1 == a.1);
        let hits = scored.iter().filter(|b| b.1 == a.1 && b.2 == a.2).count() as f64;
        b3p += hits / same_pred.count() as f64;
        b3r += hits / same_gold.count() as f64;
    }
    let n = scored.len() as f64;
    let (b3p, b3r) = (b3p / n, b3r / n);
    let b3f = 2.0 * b3p * b3r / (b3p + b3r);
    let figures = format!(
        "cross-outlet P {precision:.3} R {recall:.3} ({both}/{gold}, {pred} predicted), B3 F1 {b3f:.3}"
    );
    assert!(b3f >= 0.93, "{figures}");
    assert!(recall >= 0.80, "{figures}");
    assert!(precision >= 0.95, "{figures}");
    // A link every item of a generated feed shares (the site root) groups
    // nothing: no story holds two Meduza items.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM (SELECT story_id FROM items i JOIN sources s
             ON s.id = i.source_id WHERE s.name = 'meduza' AND story_id IS NOT NULL
             GROUP BY story_id HAVING count(*) > 1)"
        ),
        0
    );
    // Every item that joined a story says why (v_story_members, for
    // sqlite3 users); the first report of a story has no reason.
    assert_eq!(
        env.count(
            "SELECT count(*) FROM v_story_members m WHERE why IS NULL AND item_id <> (
             SELECT min(item_id) FROM v_story_members WHERE story_id = m.story_id)"
        ),
        0
    );
    assert!(
        env.count(
            "SELECT count(*) FROM v_story_members
             WHERE why LIKE 'same event (score %; names: %'"
        ) > 5
    );
    // A TASS headline of a press chat joined Reuters' report of it through
    // its speaker alone, and `stories show` says so.
    let chat: i64 = db
        .query_row(
            "SELECT story_id FROM items WHERE title LIKE 'Trump offers Ukraine 15-year%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let show = env
        .run(&["stories", "show", &chat.to_string()])
        .expect(0)
        .stdout;
    assert!(
        show.contains("Zelenskiy says 20-point peace plan"),
        "{show}"
    );
    assert!(
        show.contains("why: same speaker: zelensky, 2h19 after the story's first report"),
        "{show}"
    );
}

/// One event reported in English and in Russian by two outlets is one
/// story, listed once with both outlets; `stories show` says why the second
/// joined. The same leader at another event stays a story of its own.
#[test]
fn stories_lists_one_event_once_and_shows_why_reports_joined() {
    let env = Env::with_sources(
        "",
        &[
            ("wire-a", "http://127.0.0.1:9/a"),
            ("wire-b", "http://127.0.0.1:9/b"),
            ("wire-c", "http://127.0.0.1:9/c"),
        ],
    );
    let feeds = [
        (
            "wire-a",
            "2026-05-04T10:00:00Z",
            (
                "a1",
                "Zelenskiy and Macron sign pact on 40 air defence systems in Paris",
                "PARIS, May 4 (Wire) - Ukrainian President Volodymyr Zelenskiy and French President Emmanuel Macron signed a pact on 40 air defence systems on Monday.",
            ),
        ),
        (
            "wire-b",
            "2026-05-04T11:00:00Z",
            (
                "b1",
                "Зеленский и Макрон подписали соглашение о 40 системах ПВО в Париже",
                "Президент Украины Владимир Зеленский и президент Франции Эмманюэль Макрон подписали в Париже соглашение о поставке 40 систем ПВО.",
            ),
        ),
        (
            "wire-c",
            "2026-05-04T12:00:00Z",
            (
                "c1",
                "Macron meets Scholz in Berlin for defence talks",
                "BERLIN, May 4 (Wire) - The French and German leaders met to discuss European defence spending.",
            ),
        ),
    ];
    for (source, at, item) in feeds {
        env.ingest_rss(source, at, &[item]);
    }
    let stories = env
        .run(&["--json", "stories", "--since", "1000d"])
        .expect(0)
        .json_lines();
    assert_eq!(stories.len(), 2, "{stories:?}");
    let pact = stories
        .iter()
        .find(|s| s["items"] == 2)
        .unwrap_or_else(|| panic!("no story of two reports: {stories:?}"));
    assert_eq!(pact["sources"], serde_json::json!(["wire-a", "wire-b"]));
    let id = pact["id"].to_string();
    let show = env.run(&["stories", "show", &id]).expect(0).stdout;
    assert!(show.contains("first report"), "{show}");
    let why = show
        .lines()
        .find(|l| l.contains("why: same event"))
        .unwrap_or_else(|| panic!("{show}"));
    for shared in ["zelensky", "macron", "40"] {
        assert!(why.contains(shared), "{why}");
    }
    // A story that does not exist is a usage error, not a panic.
    let missing = env.run(&["stories", "show", "999999"]).expect(2);
    assert!(
        missing.stderr.contains("no story 999999"),
        "{}",
        missing.stderr
    );
}

/// The story is the unit of alerting, over HTTP and a loopback SMTP server:
/// three outlets' differently worded reports of one strike (one in Russian)
/// give one alert naming the three; a later casualty-figure change in one
/// report gives one alert, threaded under the first (In-Reply-To).
#[test]
fn three_outlets_one_event_one_alert_and_a_figure_change_threads_under_it() {
    use std::time::Duration;

    use crate::support::http::{Response, TestServer};
    use crate::support::smtp::SmtpServer;
    use crate::support::undated_rss as feed;

    const FILLER: (&str, &str, &str) = (
        "old",
        "Weather in Lviv",
        "Light rain over the west of the country on Tuesday.",
    );
    let a = (
        "strike-a",
        "Drone strike on Kharkiv apartment block kills 7, governor says",
        "KHARKIV, May 4 (Wire) - A Russian drone strike on an apartment block in Kharkiv killed seven people and wounded 21 overnight, the regional governor said.",
    );
    let b = (
        "strike-b",
        "Seven dead as drones hit residential building in Kharkiv",
        "At least seven people were killed and 21 injured when Russian drones struck a nine-storey residential building in Kharkiv overnight, officials said.",
    );
    let c = (
        "strike-c",
        "Харьков: при ударе беспилотников по жилому дому погибли 7 человек",
        "В Харькове в результате удара российских беспилотников по жилому дому погибли 7 человек, 21 ранен, сообщил губернатор.",
    );
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    for path in ["/a", "/b", "/c"] {
        http.fixed(path, Response::ok(feed(&[FILLER])));
    }
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"Wire A\"\nurl = \"{}\"\n\n[[source]]\nname = \"Wire B\"\nurl = \"{}\"\n\n[[source]]\nname = \"Wire C\"\nurl = \"{}\"\nlanguage = \"ru\"\n\n\
             [[topic]]\nname = \"strikes\"\nquery = 'drone* OR strike* OR беспилотник*'\nalert = \"immediate\"\n\n\
             [email]\nsmtp_url = \"{}\"\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"desk@example.org\"]\ngroup_window = \"0s\"\nretry_min = \"1s\"\nretry_max = \"2s\"\ntimeout = \"5s\"\n",
            http.url("/a"),
            http.url("/b"),
            http.url("/c"),
            smtp.url()
        ),
    );
    // The baseline poll: a backlog is not news.
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(env.count("SELECT count(*) FROM outbox"), 0);

    http.fixed("/a", Response::ok(feed(&[a, FILLER])));
    http.fixed("/b", Response::ok(feed(&[b, FILLER])));
    http.fixed("/c", Response::ok(feed(&[c, FILLER])));
    env.run(&["poll", "--all"]).expect(0);
    let msgs = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1, "one alert for the story");
    let story = &msgs[0];
    assert!(
        story.subject().contains("(3 sources)"),
        "{}",
        story.subject()
    );
    for outlet in ["Wire A", "Wire B", "Wire C"] {
        assert!(story.text().contains(outlet), "{}", story.text());
    }
    let first = story.message_id().expect("Message-ID");

    // The toll rises in one report: one more alert, in the story's thread.
    let revised = (
        "strike-a",
        "Drone strike on Kharkiv apartment block kills 12, governor says",
        "KHARKIV, May 4 (Wire) - A Russian drone strike on an apartment block in Kharkiv killed 12 people and wounded 30 overnight, the regional governor said.",
    );
    http.fixed("/a", Response::ok(feed(&[revised, FILLER])));
    env.run(&["poll", "--all"]).expect(0);
    let msgs = smtp.wait_for(2, Duration::from_secs(10));
    assert_eq!(msgs.len(), 2, "one threaded alert for the change");
    let change = msgs
        .iter()
        .find(|m| m.message_id().as_deref() != Some(first.as_str()))
        .unwrap();
    assert_eq!(change.in_reply_to().as_deref(), Some(first.as_str()));
    assert!(change.text().contains("12"), "{}", change.text());
}
