//! The command-line contract: exit codes, config errors that name file and
//! line, JSON field names, search, sources management, OPML.

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::{fixture, rss};

#[test]
fn bad_config_exits_2_naming_file_line_and_key() {
    let env = Env::new(
        "",
        "[[source]]\nname = \"x\"\nurl = \"http://127.0.0.1:9/\"\nintervall = \"5m\"\n",
    );
    let out = env.run(&["check-config"]).expect(2);
    assert!(out.stderr.contains("newswatch.toml"), "{}", out.stderr);
    assert!(
        out.stderr.contains(":8:"),
        "line of the bad key: {}",
        out.stderr
    );
    assert!(out.stderr.contains("intervall"), "{}", out.stderr);

    let env = Env::new("default_interval = \"15 parsecs\"", "");
    let out = env.run(&["poll"]).expect(2);
    assert!(
        out.stderr.contains(":3:") && out.stderr.contains("default_interval"),
        "{}",
        out.stderr
    );

    let env = Env::new("", "[[source]]\nname = \"x\"\nurl = \"not a url\"\n");
    let out = env.run(&["items"]).expect(2);
    assert!(out.stderr.contains("url"), "{}", out.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let env = Env::new("", "");
    env.run(&["poll", "--bogus"]).expect(2);
    env.run(&["ingest", "--source", "nope", "/dev/null"])
        .expect(2);
    env.run(&["show", "12345"]).expect(2);
    env.run(&["items", "--since", "yesterday-ish"]).expect(2);
}

#[test]
fn check_config_prints_what_would_be_watched() {
    let env = Env::new(
        "",
        "[[source]]\nname = \"Kyiv Independent\"\nurl = \"https://kyivindependent.com/news-archive/rss/\"\n\n[[topic]]\nname = \"peace-talks\"\nquery = 'ceasefire OR \"peace talks\"'\n",
    );
    let out = env.run(&["check-config"]).expect(0);
    assert!(out.stdout.contains("Kyiv Independent"), "{}", out.stdout);
    assert!(out.stdout.contains("peace-talks"), "{}", out.stdout);
}

fn polled_env() -> (TestServer, Env) {
    let server = TestServer::start();
    server.fixed(
        "/ru",
        Response::ok(rss(&[
            (
                "r1",
                "Переговоры в Стамбуле: Ёмкий ответ Кремля",
                "Песков заявил, что переговоры продолжатся.",
            ),
            ("r2", "Погода в Москве", "Тепло."),
        ])),
    );
    server.fixed(
        "/en",
        Response::ok(rss(&[(
            "e1",
            "Ceasefire talks stall",
            "Négociations are difficult, officials said.",
        )])),
    );
    let env = Env::with_sources(
        "",
        &[("ru", &server.url("/ru")), ("en", &server.url("/en"))],
    );
    env.run(&["poll", "--all"]).expect(0);
    (server, env)
}

#[test]
fn items_json_has_the_documented_fields() {
    let (_server, env) = polled_env();
    let lines = env.run(&["--json", "items"]).expect(0).json_lines();
    assert_eq!(lines.len(), 3);
    for field in [
        "id",
        "url",
        "title",
        "source",
        "published",
        "first_seen",
        "topics",
    ] {
        assert!(
            lines[0].get(field).is_some(),
            "missing {field}: {}",
            lines[0]
        );
    }
    assert!(lines[0]["topics"].is_array());
    assert!(lines[0]["published"].as_str().unwrap().ends_with('Z'));
    let ru = env
        .run(&["--json", "items", "--source", "ru", "--limit", "1"])
        .expect(0)
        .json_lines();
    assert_eq!(ru.len(), 1);
    assert_eq!(ru[0]["source"], "ru");
    let human = env.run(&["items"]).expect(0);
    assert!(
        human.stdout.contains("Ceasefire talks stall"),
        "{}",
        human.stdout
    );
}

#[test]
fn search_folds_cyrillic_case_yo_and_diacritics() {
    let (_server, env) = polled_env();
    for query in [
        "ПЕРЕГОВОРЫ",
        "переговор*",
        "емкий",
        "ЁМКИЙ",
        "negociations",
        "песков AND стамбуле",
    ] {
        let out = env.run(&["--json", "search", query]).expect(0);
        let hits = out.json_lines();
        assert!(!hits.is_empty(), "no hit for {query}");
    }
    let hits = env
        .run(&["--json", "search", "переговоры"])
        .expect(0)
        .json_lines();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["source"], "ru");
    // Text that is not valid FTS5 syntax still searches, by words.
    env.run(&["search", "\"unbalanced (quote"]).expect(0);
}

#[test]
fn cyrillic_1251_feed_is_searchable_in_upper_case() {
    let env = Env::with_sources("", &[("cp1251", "http://127.0.0.1:9/none")]);
    let f = fixture("charset/windows-1251.xml");
    env.run(&["ingest", "--source", "cp1251", &f.display().to_string()])
        .expect(0);
    let title = env
        .text("SELECT title FROM items ORDER BY id LIMIT 1")
        .unwrap();
    let word: String = title
        .split(|c: char| !c.is_alphabetic())
        .find(|w| w.chars().count() >= 6)
        .expect("a long Cyrillic word")
        .to_string();
    let out = env.run(&["search", &word.to_uppercase()]).expect(0);
    assert!(
        out.stdout.to_lowercase().contains(&word.to_lowercase()),
        "{}",
        out.stdout
    );
}

#[test]
fn sources_add_disable_remove_and_opml_round_trip() {
    let server = TestServer::start();
    server.fixed("/x", Response::ok(rss(&[("x1", "Title", "Text")])));
    let env = Env::new("", "");
    env.run(&[
        "sources",
        "add",
        "extra",
        &server.url("/x"),
        "--tag",
        "test",
    ])
    .expect(0);
    env.run(&["sources", "add", "extra", &server.url("/x")])
        .expect(2);
    env.run(&["poll"]).expect(0);
    assert_eq!(env.count("SELECT count(*) FROM items"), 1);
    env.run(&["sources", "disable", "extra"]).expect(0);
    let list = env
        .run(&["--json", "sources", "list"])
        .expect(0)
        .json_lines();
    for field in [
        "name",
        "url",
        "enabled",
        "last_status",
        "error_streak",
        "next_poll_at",
    ] {
        assert!(list[0].get(field).is_some(), "missing {field}");
    }
    assert_eq!(list[0]["enabled"], false);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        server.requests("/x").len(),
        1,
        "disabled sources are not polled"
    );

    let opml = env.path("out.opml");
    env.run(&["sources", "export-opml", &opml.display().to_string()])
        .expect(0);
    let text = std::fs::read_to_string(&opml).unwrap();
    assert!(text.contains(&server.url("/x")), "{text}");

    env.run(&["sources", "remove", "extra"]).expect(0);
    assert_eq!(env.count("SELECT count(*) FROM items"), 0);
    env.run(&["sources", "import-opml", &opml.display().to_string()])
        .expect(0);
    assert_eq!(
        env.count("SELECT count(*) FROM sources WHERE url LIKE '%/x'"),
        1
    );

    // Config sources cannot be removed from the CLI (they would come back).
    let env2 = Env::with_sources("", &[("cfg", &server.url("/x"))]);
    let out = env2.run(&["sources", "remove", "cfg"]).expect(2);
    assert!(out.stderr.contains("config"), "{}", out.stderr);
}

#[test]
fn a_source_removed_from_config_is_disabled_but_keeps_its_items() {
    let server = TestServer::start();
    server.fixed("/a", Response::ok(rss(&[("a1", "Kept", "Text")])));
    let env = Env::with_sources("", &[("a", &server.url("/a"))]);
    env.run(&["poll", "--all"]).expect(0);
    env.write_config("[daemon]\ndatabase = \"test.db\"\n");
    let list = env.run(&["--json", "sources"]).expect(0).json_lines();
    assert_eq!(list[0]["enabled"], false);
    assert_eq!(env.count("SELECT count(*) FROM items"), 1);
}

#[test]
fn status_reports_failing_sources() {
    let server = TestServer::start();
    server.fixed("/ok", Response::ok(rss(&[("a", "A", "B")])));
    server.fixed("/err", Response::status(500));
    let env = Env::with_sources(
        "",
        &[("ok", &server.url("/ok")), ("err", &server.url("/err"))],
    );
    env.run(&["poll", "--all"]).expect(1);
    let st = env.run(&["--json", "status"]).expect(0).json_lines();
    assert_eq!(st[0]["sources_ok"], 1);
    assert_eq!(st[0]["sources_failing"], 1);
    assert_eq!(st[0]["items"], 1);
    let human = env.run(&["status"]).expect(0);
    assert!(human.stdout.contains("HTTP 500"), "{}", human.stdout);
}

#[test]
fn hostile_titles_are_stored_as_text_and_shown_safely() {
    let server = TestServer::start();
    // JSON Feed allows control characters that XML cannot carry.
    let feed = serde_json::json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "hostile",
        "items": [{
            "id": "h1",
            "url": "https://news.example/h1",
            "title": "Evil <script>alert(1)</script> \u{1b}[31mred\u{202e}txt\r\nInjected: header",
            "content_text": "body"
        }]
    });
    server.fixed(
        "/h",
        Response::ok(feed.to_string()).header("Content-Type", "application/feed+json"),
    );
    let env = Env::with_sources("", &[("h", &server.url("/h"))]);
    env.run(&["poll", "--all"]).expect(0);
    let stored = env.text("SELECT title FROM items").unwrap();
    assert!(stored.contains("<script>alert(1)</script>"), "{stored}");
    assert!(
        !stored.contains('\u{1b}') && !stored.contains('\r') && !stored.contains('\n'),
        "{stored:?}"
    );
    for args in [&["items"][..], &["show", "1"][..], &["search", "evil"][..]] {
        let out = env.run(args).expect(0);
        assert!(out.stdout.contains("alert(1)"), "{}", out.stdout);
        assert!(!out.stdout.contains('\u{1b}'), "terminal escape leaked");
        assert!(!out.stdout.contains('\u{202e}'), "bidi override leaked");
    }
}
