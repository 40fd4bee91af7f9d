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
