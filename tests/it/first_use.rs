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
