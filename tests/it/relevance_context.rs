//! Context from the story and the topic's context terms: what `prune`
//! keeps of the terms, and what the commands show of the context.

use crate::support::env::Env;

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

#[test]
fn prune_counts_what_it_deleted() {
    let env = env();
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
