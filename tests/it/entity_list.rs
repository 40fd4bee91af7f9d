//! The user's entity list (`[daemon] entities`): added to the shipped
//! one, so names it spells across scripts meet in story grouping; a bad
//! line is refused with its file and line.

use crate::support::env::Env;

const REPORTS: [(&str, &str, (&str, &str, &str)); 2] = [
    (
        "wire-a",
        "2026-05-04T10:00:00Z",
        (
            "a1",
            "Tsikhanouskaya meets Sybiha in Vilnius on 12 detained activists",
            "VILNIUS, May 4 (Wire) - Belarusian opposition leader Sviatlana Tsikhanouskaya met Ukraine's foreign minister Andrii Sybiha in Vilnius to discuss 12 detained activists.",
        ),
    ),
    (
        "wire-b",
        "2026-05-04T11:00:00Z",
        (
            "b1",
            "Тихановская и Сибига обсудили в Вильнюсе 12 задержанных активистов",
            "Лидер белорусской оппозиции Светлана Тихановская и министр иностранных дел Украины Андрей Сибига обсудили в Вильнюсе судьбу 12 задержанных активистов.",
        ),
    ),
];

fn env_with_list(list: Option<&str>) -> Env {
    let daemon = if list.is_some() {
        "entities = \"my-entities.txt\"\n"
    } else {
        ""
    };
    let env = Env::with_sources(
        daemon,
        &[
            ("wire-a", "http://127.0.0.1:9/a"),
            ("wire-b", "http://127.0.0.1:9/b"),
        ],
    );
    if let Some(list) = list {
        std::fs::write(env.path("my-entities.txt"), list).unwrap();
    }
    env
}

fn why_of_second(env: &Env) -> String {
    for (source, at, item) in REPORTS {
        env.ingest_rss(source, at, &[item]);
    }
    env.db()
        .query_row(
            "SELECT coalesce(story_why, '') FROM items WHERE guid = 'b1'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_name_of_the_users_entity_list_meets_its_other_script() {
    let without = why_of_second(&env_with_list(None));
    assert!(!without.contains("tsikhanouskaya"), "{without}");
    let with = why_of_second(&env_with_list(Some(
        "# our own names\n## People\ntsikhanouskaya: tsikhanouskaya*, tsikhanovskaya*, тихановск*, ціханоўск*\n",
    )));
    assert!(with.contains("tsikhanouskaya"), "{with}");
}

#[test]
fn a_bad_line_of_the_users_entity_list_is_refused_with_file_and_line() {
    let env = env_with_list(Some("## People\nok: ok*\nno colon here\n"));
    let out = env.run(&["check-config"]).expect(2);
    assert!(
        out.stderr.contains("my-entities.txt:3: entity list")
            && out.stderr.contains("no colon here"),
        "{}",
        out.stderr
    );
    let missing = Env::with_sources("entities = \"nowhere.txt\"\n", &[]);
    let out = missing.run(&["check-config"]).expect(2);
    assert!(
        out.stderr.contains("daemon.entities") && out.stderr.contains("nowhere.txt"),
        "{}",
        out.stderr
    );
}

/// The running daemon reads the list again on SIGHUP, as the rest of the
/// config: a name added to it meets its other script in the next polls; a
/// bad line refuses the reload with file and line, and the list in use
/// stays.
#[test]
fn the_daemon_reads_the_entity_list_again_on_sighup() {
    use crate::support::http::{Response, TestServer};
    use crate::support::{daemon_log, rss, signal, start_daemon, wait_until};
    use std::time::Duration;

    let server = TestServer::start();
    server.fixed("/a", Response::ok(rss(&[])));
    server.fixed("/b", Response::ok(rss(&[])));
    let env = Env::with_sources(
        "min_interval = \"1s\"\njitter = 0.0\nentities = \"my-entities.txt\"\n",
        &[("wire-a", &server.url("/a")), ("wire-b", &server.url("/b"))],
    );
    // Every source polled every second.
    let config = std::fs::read_to_string(&env.config)
        .unwrap()
        .replace("url = ", "interval = \"1s\"\nurl = ");
    env.write_config(&config);
    std::fs::write(
        env.path("my-entities.txt"),
        "## People\nsomeone: someone*\n",
    )
    .unwrap();
    let mut daemon = start_daemon(&env, &[]);
    wait_until("both sources polled", Duration::from_secs(20), || {
        env.try_count("SELECT count(DISTINCT source_id) FROM fetches") == Some(2)
    });

    // A bad line: the reload is refused, naming the file and line.
    std::fs::write(
        env.path("my-entities.txt"),
        "## People\nok: ok*\nno colon here\n",
    )
    .unwrap();
    signal(&daemon, "-HUP");
    wait_until("the refused reload", Duration::from_secs(10), || {
        daemon_log(&env).contains("configuration NOT reloaded")
    });
    let log = daemon_log(&env);
    assert!(log.contains("my-entities.txt:3: entity list"), "{log}");

    // The name added: the reload takes it.
    std::fs::write(
        env.path("my-entities.txt"),
        "## People\ntsikhanouskaya: tsikhanouskaya*, tsikhanovskaya*, тихановск*, ціханоўск*\n",
    )
    .unwrap();
    signal(&daemon, "-HUP");
    wait_until("the reload", Duration::from_secs(10), || {
        daemon_log(&env).contains("configuration reloaded")
    });
    server.fixed("/a", Response::ok(rss(&[REPORTS[0].2])));
    wait_until("the first report", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM items WHERE guid = 'a1'") == Some(1)
    });
    server.fixed("/b", Response::ok(rss(&[REPORTS[1].2])));
    wait_until("the second report", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM items WHERE guid = 'b1'") == Some(1)
    });
    let why = env
        .text("SELECT coalesce(story_why, '') FROM items WHERE guid = 'b1'")
        .unwrap_or_default();
    assert!(
        why.contains("tsikhanouskaya"),
        "the reloaded list was not used: {why:?}\n{}",
        daemon_log(&env)
    );
    signal(&daemon, "-TERM");
    assert_eq!(daemon.wait().unwrap().code(), Some(0));
}
