//! A topic's temporary context terms (`topic terms T`): a person the
//! topic's strong matches keep naming becomes a term of the topic, and
//! expires when the strong matches stop naming them.

use crate::support::env::Env;

fn env() -> Env {
    Env::new(
        "",
        "[[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/rss\"\n\n\
         [[topic]]\nname = \"talks\"\nquery = 'talks OR negotiat*'\n",
    )
}

fn terms(env: &Env, at: &str) -> Vec<String> {
    env.run(&["--json", "topic", "terms", "talks", "--at", at])
        .expect(0)
        .json_lines()
        .iter()
        .map(|l| l["term"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn a_person_named_by_strong_matches_becomes_a_term_and_expires() {
    let env = env();
    env.ingest_rss(
        "wire",
        "2026-03-02T09:00:00Z",
        &[(
            "a1",
            "Kushner holds talks with Dmitriev on a ceasefire plan",
            "Jared Kushner held talks with Kirill Dmitriev on Monday about a ceasefire plan.",
        )],
    );
    // One strong match is an occasion, not yet a pattern.
    assert!(
        !terms(&env, "2026-03-02T12:00:00Z").contains(&"kushner".to_owned()),
        "listed after one match"
    );
    // Named again beside the topic's words; another name twice in items
    // that do not match the topic (they count for nothing).
    env.ingest_rss(
        "wire",
        "2026-03-04T09:00:00Z",
        &[
            (
                "a2",
                "Kushner and Dmitriev resume negotiations in Geneva",
                "Jared Kushner and Kirill Dmitriev resumed negotiations in Geneva on Wednesday.",
            ),
            (
                "a3",
                "Lindqvist opens a new bridge over the river",
                "Mayor Anna Lindqvist opened the bridge on Wednesday.",
            ),
            (
                "a4",
                "Lindqvist cuts the ribbon at the new library",
                "Mayor Anna Lindqvist opened the library on Wednesday.",
            ),
        ],
    );
    let now = terms(&env, "2026-03-04T12:00:00Z");
    assert!(now.contains(&"kushner".to_owned()), "{now:?}");
    assert!(now.contains(&"dmitriev".to_owned()), "{now:?}");
    assert!(!now.iter().any(|t| t.contains("lindqvist")), "{now:?}");
    assert!(!now.iter().any(|t| t.contains("talk")), "{now:?}");

    let text = env
        .run(&["topic", "terms", "talks", "--at", "2026-03-04T12:00:00Z"])
        .expect(0)
        .stdout;
    let line = text
        .lines()
        .find(|l| l.contains("kushner"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("2 matches"), "{line}");
    assert!(line.contains("first 2026-03-02T09:00:00Z"), "{line}");
    assert!(line.contains("last 2026-03-04T09:00:00Z"), "{line}");

    // A week after the last strong match that named them, they are gone.
    assert!(terms(&env, "2026-03-10T12:00:00Z").contains(&"kushner".to_owned()));
    assert!(terms(&env, "2026-03-11T12:00:00Z").is_empty());
    // And the next strong match drops them from the database: a name that
    // comes back starts counting again.
    env.ingest_rss(
        "wire",
        "2026-03-20T09:00:00Z",
        &[(
            "a5",
            "Kushner returns to the talks",
            "Jared Kushner returned to the talks on Friday.",
        )],
    );
    assert_eq!(
        env.count("SELECT count FROM context_terms WHERE term = 'kushner'"),
        1
    );
    assert!(terms(&env, "2026-03-20T12:00:00Z").is_empty());
}

#[test]
fn terms_of_an_unknown_topic_or_a_bad_time_are_refused() {
    let env = env();
    let r = env.run(&["topic", "terms", "weather"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("weather"), "{}", r.stderr);
    let r = env.run(&["topic", "terms", "talks", "--at", "tuesday"]);
    assert_ne!(r.code, 0);
    assert!(r.stderr.contains("not a time"), "{}", r.stderr);
}
