//! What a newcomer meets in a first session: polling without a network,
//! mistyped names and paths, the words `status`, `sources` and `search`
//! answer with. Each test runs the real binary as a user would.

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::rss;

/// A loopback port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Offline: every source fails to resolve its host or to connect. The
/// names are under `.invalid`, which the resolver answers itself (no DNS
/// query leaves the machine); the third source is a closed loopback port.
#[test]
fn an_offline_poll_says_once_that_the_network_seems_down() {
    let port = closed_port();
    let wire = format!("http://127.0.0.1:{port}/feed");
    let env = Env::with_sources(
        "",
        &[
            (
                "Kyiv Independent",
                "https://kyivindependent.invalid/news-archive/rss/",
            ),
            ("Meduza", "https://meduza.invalid/rss/all"),
            ("Wire", &wire),
        ],
    );
    let out = env.run(&["poll", "--all"]).expect(1);
    assert_eq!(
        out.stderr.matches("the network seems to be down").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("all 3 sources"), "{}", out.stderr);
    assert!(out.stderr.contains("`newswatch demo`"), "{}", out.stderr);
    // Each source's own line is short and says what failed, with the host.
    let line = |name: &str| {
        out.stderr
            .lines()
            .find(|l| l.starts_with(&format!("error: {name}: ")))
            .unwrap_or_else(|| panic!("no line for {name}: {}", out.stderr))
            .to_string()
    };
    assert_eq!(
        line("Kyiv Independent"),
        "error: Kyiv Independent: cannot resolve kyivindependent.invalid: \
         names under .invalid never resolve (RFC 6761)"
    );
    assert_eq!(
        line("Wire"),
        format!("error: Wire: cannot connect to 127.0.0.1:{port}: Connection refused")
    );
    assert!(!out.stderr.contains("dns error"), "{}", out.stderr);
    assert!(
        out.stdout.starts_with("polled 3 sources in "),
        "{}",
        out.stdout
    );
}

/// One source answers: the others' failures are theirs, not the network's.
#[test]
fn failures_beside_a_source_that_answers_are_not_blamed_on_the_network() {
    let server = TestServer::start();
    server.fixed("/feed", Response::ok(rss(&[("a", "Talks resume", "text")])));
    let port = closed_port();
    let closed = format!("http://127.0.0.1:{port}/feed");
    let env = Env::with_sources(
        "",
        &[
            ("Good", &server.url("/feed")),
            ("Gone A", "https://a.invalid/feed"),
            ("Gone B", &closed),
        ],
    );
    let out = env.run(&["poll", "--all"]).expect(1);
    assert!(!out.stderr.contains("network"), "{}", out.stderr);
    assert_eq!(
        out.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        2
    );
    // And one source, one new item: no "1 sources", no "1 new items".
    let env = Env::with_sources("", &[("Good", &server.url("/feed"))]);
    let out = env.run(&["poll", "--all"]).expect(0);
    assert!(
        out.stdout.starts_with("polled 1 source in "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("; 1 new item, 0 changed"),
        "{}",
        out.stdout
    );
}

/// `status` and `sources` agree on every source's state, and `status`
/// counts each source once: a failed `ingest` makes a source failing in
/// both (it used to be "error" in one and "ok" in the other).
#[test]
fn status_and_sources_agree_after_a_failed_ingest() {
    let server = TestServer::start();
    server.fixed("/feed", Response::ok(rss(&[("a", "Talks resume", "text")])));
    let env = Env::with_sources(
        "",
        &[
            ("Good", &server.url("/feed")),
            ("Archive", "https://archive.invalid/rss"),
        ],
    );
    env.run(&["poll", "--source", "Good"]).expect(0);
    let broken = env.path("broken.xml");
    std::fs::write(&broken, "this is not a feed").unwrap();
    env.run(&["ingest", "--source", "Archive", broken.to_str().unwrap()])
        .expect(1);

    let status = env.run(&["status"]).expect(0);
    assert!(
        status.stdout.contains(
            "sources    2 enabled: 1 ok, 1 failing, 0 silent, 0 never fetched; 0 disabled"
        ),
        "{}",
        status.stdout
    );
    let row = |out: &str, name: &str| {
        out.lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("no row for {name}: {out}"))
            .to_string()
    };
    assert!(
        row(&status.stdout, "Archive").contains(" failing "),
        "{}",
        status.stdout
    );
    assert!(
        row(&status.stdout, "Good").contains(" ok "),
        "{}",
        status.stdout
    );
    let sources = env.run(&["sources"]).expect(0);
    assert!(
        row(&sources.stdout, "Archive").contains("failing: "),
        "{}",
        sources.stdout
    );
    assert!(
        row(&sources.stdout, "Good").contains("  ok  "),
        "{}",
        sources.stdout
    );

    // The JSON of both says the same, and the counts add up.
    let status = &env.run(&["--json", "status"]).expect(0).json_lines()[0];
    let states: Vec<(String, String)> = status["source_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    let mut listed: Vec<(String, String)> = env
        .run(&["--json", "sources"])
        .expect(0)
        .json_lines()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().into(),
                s["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    listed.sort();
    let mut states_sorted = states.clone();
    states_sorted.sort();
    assert_eq!(states_sorted, listed);
    let counted: i64 = [
        "sources_ok",
        "sources_failing",
        "sources_silent",
        "sources_never_fetched",
        "sources_disabled",
    ]
    .iter()
    .map(|k| status[k].as_i64().unwrap())
    .sum();
    assert_eq!(counted, status["sources"].as_i64().unwrap(), "{status}");
}

/// A source whose newest item is months old: `status` and `sources` say
/// since when, in days, the same way, and the source is silent, not also ok.
#[test]
fn a_silent_source_says_since_when_in_days_everywhere() {
    use chrono::Datelike;
    let env = Env::with_sources("", &[("Kyiv Independent", "https://kyiv.invalid/rss")]);
    let now = chrono::Utc::now();
    let then = now - chrono::Duration::days(206) - chrono::Duration::hours(6);
    let feed = env.path("archive.xml");
    std::fs::write(&feed, rss(&[("a", "Talks resume", "text")])).unwrap();
    env.run(&[
        "ingest",
        "--source",
        "Kyiv Independent",
        "--at",
        &then.to_rfc3339(),
        feed.to_str().unwrap(),
    ])
    .expect(0);
    let day = if then.year() == now.year() {
        then.format("%-d %b").to_string()
    } else {
        then.format("%-d %b %Y").to_string()
    };
    let since = format!("no new item since {day} (206 days)");

    let status = env.run(&["status"]).expect(0);
    assert!(
        status.stdout.contains(
            "sources    1 enabled: 0 ok, 0 failing, 1 silent, 0 never fetched; 0 disabled"
        ),
        "{}",
        status.stdout
    );
    let row = status
        .stdout
        .lines()
        .find(|l| l.starts_with("Kyiv Independent"))
        .unwrap()
        .to_string();
    assert!(row.contains(" silent "), "{row}");
    assert!(row.contains(" 206 days ago "), "{row}");
    assert!(row.ends_with(&since), "{row}");
    let sources = env.run(&["sources"]).expect(0);
    let row = sources
        .stdout
        .lines()
        .find(|l| l.starts_with("Kyiv Independent"))
        .unwrap()
        .to_string();
    assert!(row.contains(&format!("silent: {since}")), "{row}");
    assert!(row.contains(" 206 days ago "), "{row}");
    assert!(!row.contains("months"), "{row}");
}

/// A name that names nothing is an error that lists the names there are
/// (it used to print an empty table and exit 0); any case names the thing.
#[test]
fn unknown_names_are_errors_and_names_ignore_case() {
    let env = Env::new(
        "",
        r#"[[source]]
name = "Kyiv Independent"
url = "https://kyiv.invalid/rss"

[[source]]
name = "Meduza"
url = "https://meduza.invalid/rss"

[[topic]]
name = "peace-talks"
query = "talks"

[email]
maildir = "mail"
from = "nw@example.org"
to = ["analyst@example.org"]

[[digest]]
name = "morning"
schedule = "daily 08:00"
"#,
    );
    let feed = env.path("feed.xml");
    std::fs::write(&feed, rss(&[("a", "Peace talks resume", "text")])).unwrap();
    let feed = feed.to_str().unwrap();
    env.run(&["ingest", "--source", "kyiv INDEPENDENT", feed])
        .expect(0);

    let known_sources = "no source named 'nosuch'; known: Kyiv Independent, Meduza";
    for args in [
        &["items", "--source", "nosuch"][..],
        &["poll", "--source", "nosuch"],
        &["ingest", "--source", "nosuch", feed],
        &["sources", "enable", "nosuch"],
        &["sources", "disable", "nosuch"],
        &["sources", "remove", "nosuch"],
    ] {
        let out = env.run(args).expect(2);
        assert!(
            out.stderr.contains(known_sources),
            "{args:?}: {}",
            out.stderr
        );
        assert!(out.stdout.is_empty(), "{args:?}: {}", out.stdout);
    }
    for args in [
        &["items", "--topic", "nosuch"][..],
        &["changes", "--topic", "nosuch"],
        &["match", "--topic", "nosuch"],
    ] {
        let out = env.run(args).expect(2);
        assert!(
            out.stderr
                .contains("no topic named 'nosuch'; known: peace-talks"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let out = env.run(&["digest", "--name", "nosuch"]).expect(2);
    assert!(
        out.stderr
            .contains("no [[digest]] named 'nosuch'; known: morning"),
        "{}",
        out.stderr
    );

    // Any case finds the one of that name.
    let items = env
        .run(&[
            "--json",
            "items",
            "--source",
            "KYIV independent",
            "--topic",
            "Peace-Talks",
        ])
        .expect(0)
        .json_lines();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["source"], "Kyiv Independent");
    let out = env
        .run(&["match", "--topic", "PEACE-TALKS", feed])
        .expect(0);
    assert!(
        out.stdout.contains("topic peace-talks: 1 of 1"),
        "{}",
        out.stdout
    );
    env.run(&["digest", "--name", "Morning"]).expect(0);
    let out = env.run(&["sources", "disable", "meduza"]).expect(0);
    assert_eq!(out.stdout.trim(), "disabled source 'Meduza'");
    let out = env.run(&["poll", "--source", "MEDUZA"]).expect(2);
    assert!(
        out.stderr.contains("source 'Meduza' is disabled"),
        "{}",
        out.stderr
    );
    // And a source added under another case of a taken name is refused.
    let out = env
        .run(&["sources", "add", "meduza", "https://other.invalid/rss"])
        .expect(2);
    assert!(out.stderr.contains("already exists"), "{}", out.stderr);
}

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
    // As newswatch before: schema 5, an index of folded words only.
    {
        let db = rusqlite::Connection::open(&env.db).unwrap();
        db.execute_batch(
            "DELETE FROM items_fts;
             INSERT INTO items_fts (rowid, title, text)
                 SELECT id, 'визит путина в пекин', 'кремль подтвердил визит.' FROM items;
             PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let hits = env
        .run(&["--json", "search", "Путин"])
        .expect(0)
        .json_lines();
    assert_eq!(hits.len(), 1, "not re-indexed");
    assert_eq!(env.count("PRAGMA user_version"), 7);
}

/// `or` in lower case is a word to find: `check-config` says so, with the
/// topic, file, line and column, and suggests upper case.
#[test]
fn check_config_warns_about_lower_case_operators() {
    let env = Env::new(
        "",
        r#"[[topic]]
name = "peace-talks"
query = '(ceasefire or truce) AND "war and peace"'
exclude = "football not"
"#,
    );
    let out = env.run(&["check-config"]).expect(0);
    let file = env.config.display().to_string();
    let lines: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert!(
        lines[0].starts_with(&format!(
            "warning: {file}:7:21: topic \"peace-talks\".query: \"or\" is taken as a word to find"
        )),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("write OR if that is what you mean"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(&format!(
            "warning: {file}:8:21: topic \"peace-talks\".exclude: \"not\""
        )),
        "{}",
        lines[1]
    );
    // In a phrase, or upper case, it is what was written.
    env.write_config(
        "[daemon]\ndatabase = \"test.db\"\n[[topic]]\nname = \"t\"\nquery = '\"war and peace\" OR truce'\n",
    );
    let out = env.run(&["check-config"]).expect(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

/// A command that reads, pointed at a database that is not there (a typo
/// in `--db`), says so and creates nothing.
#[test]
fn read_commands_never_create_a_database() {
    let env = Env::new(
        "",
        "[[topic]]\nname = \"t\"\nquery = \"x\"\n\n[email]\nmaildir = \"mail\"\nfrom = \"a@example.org\"\nto = [\"b@example.org\"]\n",
    );
    let typo = env.path("newswach.db");
    let db = typo.to_str().unwrap();
    for args in [
        &["items"][..],
        &["search", "talks"],
        &["status"],
        &["changes"],
        &["show", "1"],
        &["sources"],
        &["sources", "export-opml"],
        &["match", "--topic", "t"],
        &["digest"],
        &["outbox"],
        &["outbox", "send"],
        &["outbox", "retry"],
        &["prune", "--older-than", "30d"],
    ] {
        let mut all = vec!["--db", db];
        all.extend_from_slice(args);
        let out = env.run(&all).expect(2);
        assert!(
            out.stderr.contains(&format!(
                "no database at {db}; check --db / [daemon] database in "
            )),
            "{args:?}: {}",
            out.stderr
        );
        assert!(!typo.exists(), "{args:?} created {db}");
    }
    // The configured one, likewise, until something polls into it.
    env.run(&["status"]).expect(2);
    assert!(!env.db.exists());
}

/// `check-config` looks at where the database goes: a folder that is not
/// there or not writable is a warning, a database path that is a folder an
/// error.
#[test]
fn check_config_checks_the_database_folder() {
    let env = Env::new("", "");
    env.write_config("[daemon]\ndatabase = \"state/news.db\"\n");
    let out = env.run(&["check-config"]).expect(0);
    let folder = env.path("state");
    assert!(
        out.stderr.contains(&format!(
            "warning: the database folder {} does not exist",
            folder.display()
        )),
        "{}",
        out.stderr
    );
    std::fs::create_dir(&folder).unwrap();
    let out = env.run(&["check-config"]).expect(0);
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);

    // Not writable for the user checking (root may write anywhere: as
    // root, the check runs as nobody).
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let mode = |p: &std::path::Path, m: u32| {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap()
    };
    mode(env.dir.path(), 0o755);
    mode(&env.config, 0o644);
    mode(&folder, 0o555);
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_newswatch"));
    cmd.arg("--config").arg(&env.config).arg("check-config");
    if crate::support::running_as_root(env.dir.path()) {
        cmd.uid(65534).gid(65534);
    }
    let out = crate::support::env::Run::from(cmd.output().unwrap()).expect(0);
    assert!(
        out.stderr.contains(&format!(
            "warning: the database folder {} is not writable by ",
            folder.display()
        )),
        "{}",
        out.stderr
    );
    mode(&folder, 0o755);

    std::fs::create_dir(folder.join("news.db")).unwrap();
    let out = env.run(&["check-config"]).expect(2);
    assert!(out.stderr.contains("is a folder"), "{}", out.stderr);
}

/// Every file newswatch leaves beside a database in a checkout (the
/// database, its WAL and shared memory, the daemon's lock) is one git
/// ignores; `status` counts the WAL in the database's size.
#[test]
fn files_beside_the_database_are_ignored_by_git_and_counted_by_status() {
    let server = TestServer::start();
    server.fixed("/feed", Response::ok(rss(&[("a", "Talks resume", "text")])));
    let env = Env::with_sources("", &[("wire", &server.url("/feed"))]);
    let mut daemon = crate::support::start_daemon(&env, &[]);
    crate::support::wait_until("a first poll", std::time::Duration::from_secs(30), || {
        env.try_count("SELECT count(*) FROM items") == Some(1)
    });
    // While the daemon runs: the WAL holds what is not yet checkpointed.
    let wal = std::fs::metadata(env.path("test.db-wal")).map_or(0, |m| m.len());
    let db = std::fs::metadata(&env.db).unwrap().len();
    let status = &env.run(&["--json", "status"]).expect(0).json_lines()[0];
    assert_eq!(status["database_bytes"].as_u64(), Some(db));
    let wal_now = status["database_wal_bytes"].as_u64().unwrap();
    assert!(wal_now >= wal && wal_now > 0, "{status}");
    let text = env.run(&["status"]).expect(0).stdout;
    let line = text.lines().find(|l| l.starts_with("database ")).unwrap();
    assert!(line.ends_with("-wal)"), "{line}");
    assert!(
        line.contains(&format!("{}-wal", env.db.display())),
        "{line}"
    );

    let names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("test.db"))
        .collect();
    crate::support::signal(&daemon, "-TERM");
    assert_eq!(daemon.wait().unwrap().code(), Some(0));
    assert!(names.iter().any(|n| n.ends_with(".lock")), "{names:?}");
    let ignore =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/.gitignore")).unwrap();
    let patterns: Vec<glob::Pattern> = ignore
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#') && !l.contains('/'))
        .map(|l| glob::Pattern::new(l.trim()).unwrap())
        .collect();
    for name in &names {
        assert!(
            patterns.iter().any(|p| p.matches(name)),
            "{name} is not ignored by .gitignore:\n{ignore}"
        );
    }
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

/// `run` in the foreground: its log lines carry the time (a terminal, a
/// file, a pipe; even with a `JOURNAL_STREAM` inherited from a desktop
/// session that names another stream), and once the first polls are done
/// it says which source is polled next and when. Written to the journal's
/// own stream, the lines have no time: the journal stamps them.
#[test]
fn the_foreground_daemon_logs_times_and_says_when_it_polls_next() {
    use std::os::unix::fs::MetadataExt;
    let server = TestServer::start();
    server.fixed("/feed", Response::ok(rss(&[("a", "Talks resume", "text")])));
    let env = Env::new(
        "jitter = 0.0\nlog_format = \"text\"",
        &format!(
            "[[source]]\nname = \"Kyiv Independent\"\nurl = \"{}\"\ninterval = \"10m\"\n",
            server.url("/feed")
        ),
    );
    let log = env.path("daemon.log");
    // The daemon's log until it says when it polls next; with `journal`,
    // `JOURNAL_STREAM` names the log file itself (as systemd names the
    // journal's stream), else another stream.
    let run = |journal: bool| {
        let _ = std::fs::remove_file(&log);
        std::fs::write(&log, "").unwrap();
        let meta = std::fs::metadata(&log).unwrap();
        let stream = if journal {
            format!("{}:{}", meta.dev(), meta.ino())
        } else {
            "1:1".to_string()
        };
        let stream = std::ffi::OsString::from(stream);
        let mut daemon = crate::support::start_daemon(&env, &[("JOURNAL_STREAM", &stream)]);
        crate::support::wait_until(
            "the next poll said",
            std::time::Duration::from_secs(20),
            || crate::support::daemon_log(&env).contains("next poll: "),
        );
        crate::support::signal(&daemon, "-TERM");
        assert_eq!(daemon.wait().unwrap().code(), Some(0));
        crate::support::daemon_log(&env)
    };
    let starts_with_time = |line: &str| {
        chrono::DateTime::parse_from_rfc3339(line.split_whitespace().next().unwrap_or("")).is_ok()
    };

    let text = run(false);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(starts_with_time(line), "no time at the start of: {line}");
    }
    // Polled just now, every 10 minutes: next in 9m 5xs, or 10m.
    let next = lines
        .iter()
        .find_map(|l| l.split("next poll: ").nth(1))
        .unwrap();
    assert!(
        next.starts_with("Kyiv Independent in 9m ") || next == "Kyiv Independent in 10m",
        "{next}"
    );

    let text = run(true);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        assert!(!starts_with_time(line), "a time in a journal line: {line}");
    }
}

/// A configuration with several mistakes: `check-config` reports every one
/// of them in one run, in file order, each with file:line:column and the
/// source named by its name; toml's type words are said plainly.
#[test]
fn config_errors_are_all_reported_and_named() {
    let env = Env::new(
        "timeout = \"0s\"",
        r#"[[source]]
name = "Kyiv Independent"
url = "https://kyiv.invalid/rss"
interval = "soon"

[[source]]
name = "Meduza"
url = "ftp://meduza.invalid/"

[[topic]]
name = "talks"
query = "(ceasefire"
"#,
    );
    let out = env.run(&["check-config"]).expect(2);
    let file = env.config.display().to_string();
    let errors: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    let keys: Vec<String> = errors
        .iter()
        .map(|l| {
            let rest = l
                .strip_prefix(&format!("error: {file}:"))
                .unwrap_or_else(|| panic!("{l}"));
            // line:column: key: message
            let mut parts = rest.splitn(4, ": ");
            let place = parts.next().unwrap();
            assert_eq!(place.split(':').count(), 2, "line and column in {l}");
            parts.next().unwrap().to_string()
        })
        .collect();
    assert_eq!(
        keys,
        [
            "daemon.timeout",
            "source \"Kyiv Independent\".interval",
            "source \"Meduza\".url",
            "topic \"talks\".query",
        ],
        "{}",
        out.stderr
    );

    // What the TOML reader finds: the type in plain words, the source by name.
    env.write_config(
        "[daemon]\nconcurrency = 1.5\n\n[[source]]\nname = \"Kyiv Independent\"\nurl = \"https://kyiv.invalid/rss\"\n",
    );
    let out = env.run(&["check-config"]).expect(2);
    assert!(
        out.stderr.contains("expected a whole number"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("i64"), "{}", out.stderr);
    env.write_config(
        "[[source]]\nname = \"Kyiv Independent\"\nurl = \"https://kyiv.invalid/rss\"\ninterval = 10\n",
    );
    let out = env.run(&["check-config"]).expect(2);
    assert!(
        out.stderr.contains(&format!(
            "{file}:4:12: source \"Kyiv Independent\".interval: "
        )),
        "{}",
        out.stderr
    );
}

/// The test message says what it is, down to its footer (it used to sign
/// off as an alert).
#[test]
fn the_test_message_does_not_call_itself_an_alert() {
    let env = Env::new(
        "",
        "[email]\nmaildir = \"mail\"\nfrom = \"nw@example.org\"\nto = [\"analyst@example.org\"]\n",
    );
    env.run(&["test-email"]).expect(0);
    let sent: Vec<std::path::PathBuf> = std::fs::read_dir(env.path("mail/new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(sent.len(), 1);
    let raw = std::fs::read(&sent[0]).unwrap();
    let message = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let text = message.body_text(0).unwrap();
    let html = message.body_html(0).unwrap();
    assert!(text.contains("This is a test message"), "{text}");
    for part in [&text, &html] {
        assert!(part.contains("newswatch test message"), "{part}");
        assert!(!part.contains("newswatch alert"), "{part}");
    }
}

/// Counts agree with their nouns: "1 item", "1 version", "1 source",
/// "1 topic", never "1 items" or "message(s)".
#[test]
fn counts_agree_with_their_nouns() {
    let env = Env::new(
        "",
        "[[source]]\nname = \"wire\"\nurl = \"https://wire.invalid/rss\"\n\n\
         [[topic]]\nname = \"talks\"\nquery = \"talks\"\n\n\
         [[speaker]]\nname = \"Peskov\"\naliases = [\"Песков\"]\n",
    );
    let feed = env.path("feed.xml");
    std::fs::write(&feed, rss(&[("a", "Peace talks resume", "text")])).unwrap();
    let file = feed.to_str().unwrap();
    let then = (chrono::Utc::now() - chrono::Duration::days(3)).to_rfc3339();
    let ingest = env
        .run(&["ingest", "--source", "wire", "--at", &then, file])
        .expect(0);
    assert_eq!(
        ingest.stdout.trim(),
        format!("{file}: 1 item, 1 new, 0 changed")
    );
    let check = env.run(&["check-config"]).expect(0).stdout;
    for line in ["\n1 source:\n", "\n1 topic:\n", "\n1 speaker:\n"] {
        assert!(check.contains(line), "{line:?} not in {check}");
    }
    let status = env.run(&["status"]).expect(0).stdout;
    assert!(status.contains("items      1 (1 version)\n"), "{status}");
    let show = env.run(&["show", "1"]).expect(0).stdout;
    assert!(show.contains("   1 version\n"), "{show}");
    let prune = env.run(&["prune", "--older-than", "1d"]).expect(0).stdout;
    assert!(
        prune.starts_with("pruned the text of 1 item (1 version, "),
        "{prune}"
    );
    for out in [&ingest.stdout, &check, &status, &show, &prune] {
        assert!(!out.contains("(s)"), "{out}");
        assert!(
            !out.contains(" 1 items") && !out.contains(" 1 versions"),
            "{out}"
        );
    }
}

/// `--help` explains `--limit` (and every other option; the unit test
/// `cli::tests::every_option_and_argument_has_help` walks them all).
#[test]
fn limit_options_have_help() {
    let env = Env::new("", "");
    for (args, words) in [
        (&["search", "--help"][..], "At most this many results"),
        (&["changes", "--help"], "At most this many changes"),
        (&["outbox", "list", "--help"], "At most this many messages"),
    ] {
        let out = env.run(args).expect(0);
        let line = out
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with("--limit"))
            .unwrap_or_else(|| panic!("{args:?}: {}", out.stdout));
        assert!(line.contains(words), "{args:?}: {line}");
    }
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
