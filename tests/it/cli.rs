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

/// Whether `text` holds anything that could drive a terminal: a control
/// character other than a line break, or a bidi override/isolate/mark.
fn terminal_unsafe(text: &str) -> Option<char> {
    text.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
    })
}

/// `https://user:password@host/` is refused by `sources add` and skipped by
/// `import-opml` as the config file refuses it: nothing stored, the password
/// never printed, and so never in `sources list` or an OPML export.
#[test]
fn source_urls_with_credentials_are_refused_however_they_come_in() {
    let env = Env::new("", "");
    for (url, secret, why) in [
        (
            "https://reader:hunter2@127.0.0.1:9/feed",
            "hunter2",
            "contains a password",
        ),
        (
            "https://tok3n-abc@127.0.0.1:9/feed",
            "tok3n-abc",
            "contains a user name",
        ),
        (
            "ftp://reader:hunter2@127.0.0.1:9/feed",
            "hunter2",
            "only http and https",
        ),
        ("https://a.example/fe\red", "\r", "control characters"),
    ] {
        let out = env.run(&["sources", "add", "leaky", url]).expect(2);
        assert!(out.stderr.contains(why), "{url}: {}", out.stderr);
        assert!(
            !out.stderr.contains(secret) && !out.stdout.contains(secret),
            "{url}: {}",
            out.stderr
        );
        assert_eq!(env.count("SELECT count(*) FROM sources"), 0, "{url}");
    }
    // Other fields get the config file's checks too.
    let out = env
        .run(&[
            "sources",
            "add",
            "x",
            "http://127.0.0.1:9/",
            "--language",
            "English",
        ])
        .expect(2);
    assert!(out.stderr.contains("--language"), "{}", out.stderr);
    let long = "n".repeat(201);
    env.run(&["sources", "add", &long, "http://127.0.0.1:9/"])
        .expect(2);
    assert_eq!(env.count("SELECT count(*) FROM sources"), 0);

    let opml = env.path("leaky.opml");
    std::fs::write(
        &opml,
        r#"<opml version="2.0"><body>
  <outline text="Leaky" xmlUrl="https://reader:hunter2@127.0.0.1:9/a"/>
  <outline xmlUrl="https://reader:hunter2@127.0.0.1:9/untitled"/>
  <outline text="Fine" xmlUrl="http://127.0.0.1:9/b"/>
</body></opml>"#,
    )
    .unwrap();
    let out = env
        .run(&["sources", "import-opml", &opml.display().to_string()])
        .expect(0);
    assert!(
        out.stdout.contains("imported 1 source from") && out.stdout.contains("(2 skipped)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stderr.contains("skipped \"Leaky\": ") && out.stderr.contains("contains a password"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("\"https://…@127.0.0.1:9/untitled\""),
        "an untitled feed is named by its URL, without the credentials: {}",
        out.stderr
    );
    let list = env.run(&["--json", "sources", "list"]).expect(0);
    let export = env.run(&["sources", "export-opml"]).expect(0);
    for text in [&out.stdout, &out.stderr, &list.stdout, &export.stdout] {
        assert!(!text.contains("hunter2"), "{text}");
    }
    assert_eq!(list.json_lines().len(), 1);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM sources WHERE url LIKE '%hunter2%' OR name LIKE '%hunter2%'"
        ),
        0
    );
}

/// A permanent redirect to a URL with credentials is followed this once but
/// not stored: the source keeps its URL, and nothing shows the password.
#[test]
fn a_redirect_cannot_plant_credentials_in_a_source_url() {
    let server = TestServer::start();
    let port = server
        .url("/")
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    server.fixed(
        "/old",
        Response::status(301).header(
            "Location",
            &format!("http://reader:hunter2@127.0.0.1:{port}/new"),
        ),
    );
    server.fixed("/new", Response::ok(rss(&[("n1", "Moved", "Text")])));
    let env = Env::with_sources("", &[("moved", &server.url("/old"))]);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        server.requests("/new").len(),
        1,
        "the redirect was followed"
    );
    assert_eq!(
        env.text("SELECT url FROM sources WHERE name = 'moved'"),
        Some(server.url("/old"))
    );
    let list = env.run(&["sources", "list"]).expect(0);
    assert!(!list.stdout.contains("hunter2"), "{}", list.stdout);
}

/// Everything `import-opml` prints about a hostile file, and the main error
/// printer's messages, reach the terminal without control characters, escape
/// sequences or bidi overrides.
#[test]
fn opml_import_and_errors_print_no_control_characters() {
    let env = Env::new("", "");
    env.run(&["sources", "add", "Taken", "http://127.0.0.1:9/taken"])
        .expect(0);
    let opml = env.path("hostile.opml");
    // XML carries CR, C1 controls (U+009B is a one-byte CSI: "\u{9b}2J"
    // clears some terminals) and bidi overrides; ESC itself is not XML.
    std::fs::write(
        &opml,
        "<opml version=\"2.0\"><body>\n\
  <outline text=\"CR url\" xmlUrl=\"https://a.example/feed&#13;\u{9b}2J\"/>\n\
  <outline xmlUrl=\"https://a.example/x&#13;\u{9b}2J\"/>\n\
  <outline text=\"C1 \u{9b}2J title\" xmlUrl=\"http://127.0.0.1:9/c1\"/>\n\
  <outline text=\"Bidi \u{202e}txt.exe\" xmlUrl=\"http://127.0.0.1:9/taken\"/>\n\
  <outline text=\"Bidi \u{202e}ok\" xmlUrl=\"http://127.0.0.1:9/fine\"/>\n\
</body></opml>",
    )
    .unwrap();
    let out = env
        .run(&["sources", "import-opml", &opml.display().to_string()])
        .expect(0);
    assert!(out.stdout.contains("(4 skipped)"), "{}", out.stdout);
    assert_eq!(out.stderr.matches("skipped ").count(), 4, "{}", out.stderr);
    for text in [&out.stdout, &out.stderr] {
        assert_eq!(terminal_unsafe(text), None, "{text:?}");
    }
    let list = env.run(&["sources", "list"]).expect(0);
    assert_eq!(terminal_unsafe(&list.stdout), None, "{:?}", list.stdout);

    // The main error printer: a message that quotes what the user typed.
    let out = env.run(&["show", "x\u{1b}[2Jy\rz"]).expect(2);
    assert!(out.stderr.starts_with("error: "), "{:?}", out.stderr);
    assert_eq!(terminal_unsafe(&out.stderr), None, "{:?}", out.stderr);
    let out = env
        .run(&["ingest", "--source", "w\u{1b}[2J", "/dev/null"])
        .expect(2);
    assert_eq!(terminal_unsafe(&out.stderr), None, "{:?}", out.stderr);
}

/// `ingest`, `import-opml` and `match` read at most `[daemon] max_body` of a
/// file: a larger one is refused by its size before it is read (a sparse
/// file of 11 MB has no data to read), and a file with no size (/dev/zero)
/// is cut off at the cap rather than read until memory runs out.
#[test]
fn file_input_is_capped_at_max_body() {
    let rest = "[[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/feed\"\n\n\
                [[topic]]\nname = \"t\"\nquery = \"ceasefire\"\n";
    let env = Env::new("", rest);
    let big = env.path("big.xml");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(11_000_000)
        .unwrap();
    let big = big.display().to_string();
    let said = format!("{big} is 11 MB, larger than max_body (10 MB)");
    let out = env.run(&["ingest", "--source", "wire", &big]).expect(1);
    assert!(out.stderr.contains(&said), "{}", out.stderr);
    assert_eq!(
        env.count("SELECT count(*) FROM fetches WHERE outcome = 'error' AND error LIKE '%larger than max_body%'"),
        1,
        "recorded as a failed fetch of the source"
    );
    let out = env.run(&["sources", "import-opml", &big]).expect(1);
    assert!(out.stderr.contains(&said), "{}", out.stderr);
    let out = env.run(&["match", "--topic", "t", &big]).expect(2);
    assert!(out.stderr.contains(&said), "{}", out.stderr);

    let small = Env::new("max_body = \"1MB\"", rest);
    let said = "/dev/zero holds more than max_body (1 MB)";
    for args in [
        &["ingest", "--source", "wire", "/dev/zero"][..],
        &["sources", "import-opml", "/dev/zero"][..],
        &["match", "--topic", "t", "/dev/zero"][..],
    ] {
        let out = small.run(args);
        assert_ne!(out.code, 0, "{args:?}");
        assert!(out.stderr.contains(said), "{args:?}: {}", out.stderr);
    }
    assert_eq!(
        small.count("SELECT count(*) FROM sources WHERE name != 'wire'"),
        0
    );
}

/// Stray FTS5 syntax searches (by the words left, or finds nothing) instead
/// of failing; and only a syntax error is retried as plain words. A damaged
/// index used to be retried too: `ceasefire OR truce` failed on the damage,
/// came back as `"ceasefire" "truce"` (both words, no such item), and
/// printed "no hits" with exit 0.
#[test]
fn search_retries_only_syntax_errors_as_plain_words() {
    let env = Env::with_sources("", &[("wire", "http://127.0.0.1:9/feed")]);
    let feed = env.path("feed.xml");
    std::fs::write(
        &feed,
        rss(&[
            ("c", "Ceasefire talks resume", "Delegations meet again."),
            ("t", "Weather", "Sunny: a truce among the clouds."),
        ]),
    )
    .unwrap();
    env.run(&["ingest", "--source", "wire", &feed.display().to_string()])
        .expect(0);
    for query in [
        "\"",
        "(",
        ")",
        "AND",
        "OR",
        "NOT",
        "*",
        "NEAR(",
        "NEAR(a b, x)",
        "-",
        ":",
        "a:b",
        "^",
        "+",
        "*reads",
    ] {
        let out = env.run(&["--json", "search", query]).expect(0);
        assert!(out.json_lines().is_empty(), "{query}: {}", out.stdout);
        assert!(out.stderr.is_empty(), "{query}: {}", out.stderr);
    }
    for query in [
        "ceasefire \"",
        "(ceasefire",
        "ceasefire AND",
        "ceasefire*)",
        "title:ceasefire",
    ] {
        let hits = env.run(&["--json", "search", query]).expect(0).json_lines();
        assert_eq!(hits.len(), 1, "{query}");
        assert_eq!(hits[0]["title"], "Ceasefire talks resume", "{query}");
    }
    let both = env
        .run(&["--json", "search", "ceasefire OR truce"])
        .expect(0)
        .json_lines();
    assert_eq!(both.len(), 2);

    // Damage the index: the sizes FTS5 ranks the "truce" item by are gone.
    let truce_id = env.count("SELECT id FROM items WHERE title = 'Weather'");
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute("DELETE FROM items_fts_docsize WHERE id = ?1", [truce_id])
        .unwrap();
    let out = env.run(&["search", "ceasefire OR truce"]).expect(1);
    assert!(
        out.stderr.contains("database disk image is malformed"),
        "{}",
        out.stderr
    );
    assert!(
        !out.stdout.contains("ID"),
        "no (empty) result table: {}",
        out.stdout
    );
}
