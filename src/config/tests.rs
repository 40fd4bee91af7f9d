//! Unit tests for config loading: defaults, every invalid value with its
//! file/line/key, includes, duplicate names, path resolution.
//!
//! Over 600 lines for a reason: one table-like file of cases over one
//! loader, sharing its helpers; split by section it would only scatter them.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

const FAKE: &str = "/nonexistent/newswatch-tests/newswatch.toml";

fn load_text(text: &str) -> Result<Config, ConfigError> {
    load_str(text, Path::new(FAKE))
}

fn err(text: &str) -> ConfigError {
    match load_text(text) {
        Ok(c) => panic!("expected an error for:\n{text}\ngot {c:#?}"),
        Err(e) => e,
    }
}

/// Assert an error's line, key and message fragment, and that its Display names the file.
#[track_caller]
fn assert_err(e: &ConfigError, line: usize, key: &str, fragment: &str) {
    let shown = e.to_string();
    assert_eq!(e.line, Some(line), "line in {shown}");
    assert_eq!(e.key.as_deref(), Some(key), "key in {shown}");
    assert!(e.message.contains(fragment), "{fragment:?} not in {shown}");
    assert!(
        shown.starts_with(&e.file.display().to_string()),
        "file in {shown}"
    );
    assert!(shown.contains(&format!(":{line}:")), "line in {shown}");
}

const SOURCE: &str = "[[source]]\nname = \"A\"\nurl = \"https://a.example/feed\"\n";
/// A minimal valid `[email]`, four lines.
const EMAIL: &str = "[email]\nsendmail = \"/usr/sbin/sendmail\"\nfrom = \"nw@example.org\"\nto = \"analyst@example.org\"\n";

#[test]
fn empty_file_gives_every_default() {
    let c = load_text("").unwrap();
    let d = &c.daemon;
    assert_eq!(
        d.database,
        Path::new("/nonexistent/newswatch-tests/newswatch.db")
    );
    assert_eq!(d.concurrency, 32);
    assert_eq!(d.per_host, 4);
    assert_eq!(d.default_interval, Duration::from_secs(900));
    assert_eq!(d.min_interval, Duration::from_secs(120));
    assert_eq!(d.max_interval, Duration::from_secs(6 * 3600));
    assert_eq!(d.max_backoff, Duration::from_secs(24 * 3600));
    assert_eq!(d.jitter, 0.1);
    assert_eq!(d.timeout, Duration::from_secs(30));
    assert_eq!(d.connect_timeout, Duration::from_secs(10));
    assert_eq!(d.max_body, 10_000_000);
    assert_eq!(d.max_redirects, 5);
    assert_eq!(
        d.user_agent,
        format!(
            "newswatch/{} (+https://example.org/newswatch)",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert_eq!(d.log, None);
    assert!(!d.allow_private_networks);
    assert!(c.sources.is_empty() && c.topics.is_empty() && c.speakers.is_empty());
    assert!(c.email.is_none() && c.digests.is_empty());
    assert_eq!(c.files, vec![PathBuf::from(FAKE)]);
    assert_eq!(c.path, Path::new(FAKE));
    assert_eq!(load_text("[daemon]\n").unwrap().daemon, c.daemon);
}

#[test]
fn source_and_topic_defaults() {
    let c = load_text(&format!("{SOURCE}[[topic]]\nname = \"t\"\nquery = \"x\"\n")).unwrap();
    let s = c.source("A").unwrap();
    assert_eq!(s.url.as_str(), "https://a.example/feed");
    assert_eq!(
        (s.interval, s.kind, s.enabled),
        (None, SourceKind::News, true)
    );
    assert!(s.tags.is_empty() && s.language.is_none() && s.speaker.is_none());
    assert!(!s.allow_private_network);
    assert!(c.source("a").is_none(), "lookup is exact");
    let t = &c.topics[0];
    assert_eq!(
        (t.alert, t.exclude.as_deref(), t.line),
        (AlertMode::Digest, None, 4)
    );
    assert_eq!(t.file, Path::new(FAKE));
    assert_eq!(SourceKind::Statements.as_str(), "statements");
    assert_eq!(AlertMode::Immediate.as_str(), "immediate");
}

#[test]
fn every_option_is_read() {
    let c = load_text(
        r#"
[daemon]
database = "/var/lib/newswatch/nw.db"
concurrency = 8
per_host = 2
default_interval = "1h 30m"
min_interval = "90s"
max_interval = "12h"
max_backoff = "2d"
jitter = 0
timeout = "1m"
connect_timeout = "5s"
max_body = "512KiB"
max_redirects = 0
user_agent = "test/1"
log = "info,newswatch=debug"

[[speaker]]
name = "Dmitry Peskov"
aliases = ["Peskov", "Песков"]

[[source]]
name = "Kremlin"
url = "http://en.kremlin.ru/events/president/news/feed"
interval = "10m"
tags = ["russia", "official", "russia"]
kind = "statements"
language = "en-GB"
speaker = "Dmitry Peskov"
enabled = false

[[topic]]
name = "peace-talks"
query = 'ceasefire AND Russia'
exclude = "football"
alert = "immediate"

[email]
sendmail = "sendmail"
from = "a@example.org"
to = "b@example.org"
"#,
    )
    .unwrap();
    let d = &c.daemon;
    assert_eq!(d.database, Path::new("/var/lib/newswatch/nw.db"));
    assert_eq!((d.concurrency, d.per_host, d.max_redirects), (8, 2, 0));
    assert_eq!(d.default_interval, Duration::from_secs(5400));
    assert_eq!(d.min_interval, Duration::from_secs(90));
    assert_eq!(d.max_interval, Duration::from_secs(12 * 3600));
    assert_eq!(d.max_backoff, Duration::from_secs(48 * 3600));
    assert_eq!(d.jitter, 0.0);
    assert_eq!(
        (d.timeout, d.connect_timeout),
        (Duration::from_secs(60), Duration::from_secs(5))
    );
    assert_eq!(d.max_body, 512 * 1024);
    assert_eq!(
        (d.user_agent.as_str(), d.log.as_deref()),
        ("test/1", Some("info,newswatch=debug"))
    );
    let s = &c.sources[0];
    assert_eq!(s.interval, Some(Duration::from_secs(600)));
    assert_eq!(s.tags, ["russia", "official"], "duplicate tags collapse");
    assert_eq!((s.kind, s.enabled), (SourceKind::Statements, false));
    assert_eq!(
        (s.language.as_deref(), s.speaker.as_deref()),
        (Some("en-GB"), Some("Dmitry Peskov"))
    );
    let t = &c.topics[0];
    assert_eq!(
        (t.alert, t.exclude.as_deref(), t.line),
        (AlertMode::Immediate, Some("football"), 32)
    );
    let sp = &c.speakers[0];
    assert_eq!(
        (sp.name.as_str(), sp.aliases.len(), sp.line),
        ("Dmitry Peskov", 2, 18)
    );
}

#[test]
fn private_network_keys_are_read_and_typed() {
    let c = load_text(&format!(
        "[daemon]\nallow_private_networks = true\n\n{SOURCE}allow_private_network = true\n"
    ))
    .unwrap();
    assert!(c.daemon.allow_private_networks);
    assert!(c.source("A").unwrap().allow_private_network);
    let e = err("[daemon]\nallow_private_networks = \"yes\"\n");
    assert_err(
        &e,
        2,
        "daemon.allow_private_networks",
        "expected true or false",
    );
    let e = err(&format!("{SOURCE}allow_private_networks = true\n"));
    assert!(e.to_string().contains("allow_private_network"), "{e}");
}

#[test]
fn bad_durations_name_line_and_key() {
    let e = err("[daemon]\ndefault_interval = \"15 minutes please\"\n");
    assert_err(&e, 2, "daemon.default_interval", "invalid duration");
    assert_eq!(e.column, Some(20));
    assert_err(
        &err("[daemon]\ntimeout = \"0s\"\n"),
        2,
        "daemon.timeout",
        "zero",
    );
    assert_err(
        &err("[daemon]\nmax_backoff = \"\"\n"),
        2,
        "daemon.max_backoff",
        "empty",
    );
    assert_err(
        &err("[daemon]\nmax_interval = \"400d\"\n"),
        2,
        "daemon.max_interval",
        "limit",
    );
    let e = err(&format!("{SOURCE}interval = \"soon\"\n"));
    assert_err(&e, 4, "source \"A\".interval", "invalid duration");
    let e = err("[daemon]\ntimeout = 30\n");
    assert_err(&e, 2, "daemon.timeout", "quoted strings");
}

#[test]
fn bad_sizes_and_numbers() {
    assert_err(
        &err("[daemon]\nmax_body = \"10 parsecs\"\n"),
        2,
        "daemon.max_body",
        "unknown unit",
    );
    assert_err(
        &err("[daemon]\nmax_body = \"0\"\n"),
        2,
        "daemon.max_body",
        "out of range",
    );
    assert_err(
        &err("[daemon]\nmax_body = \"2GiB\"\n"),
        2,
        "daemon.max_body",
        "out of range",
    );
    assert_err(
        &err("[daemon]\nconcurrency = 0\n"),
        2,
        "daemon.concurrency",
        "1..=1024",
    );
    assert_err(
        &err("[daemon]\nconcurrency = -3\n"),
        2,
        "daemon.concurrency",
        "out of range",
    );
    assert_err(
        &err("[daemon]\nper_host = 65\n"),
        2,
        "daemon.per_host",
        "1..=64",
    );
    assert_err(
        &err("[daemon]\nmax_redirects = 21\n"),
        2,
        "daemon.max_redirects",
        "0..=20",
    );
    assert_err(
        &err("[daemon]\njitter = 0.7\n"),
        2,
        "daemon.jitter",
        "out of range",
    );
    assert_err(
        &err("[daemon]\njitter = nan\n"),
        2,
        "daemon.jitter",
        "out of range",
    );
}

#[test]
fn parse_size_units() {
    let ok = [
        ("2048", 2048),
        ("10MB", 10_000_000),
        ("10 mb", 10_000_000),
        ("512KiB", 524_288),
        ("1GB", 1_000_000_000),
        ("1.5MiB", 1_572_864),
        ("7B", 7),
    ];
    for (s, n) in ok {
        assert_eq!(parse_size(s), Ok(n), "{s}");
    }
    for s in [
        "",
        "MB",
        "-1",
        "1.2.3MB",
        "1.MB",
        "99999999999999999999",
        "20000000TB",
        "1 M",
    ] {
        assert!(parse_size(s).is_err(), "{s} should fail");
    }
}

#[test]
fn parse_duration_forms() {
    let ok = [
        ("15m", 900),
        ("2h", 7200),
        ("1h 30m", 5400),
        ("90s", 90),
        ("1d", 86400),
    ];
    for (s, secs) in ok {
        assert_eq!(parse_duration(s), Ok(Duration::from_secs(secs)), "{s}");
    }
    for s in ["0s", "0", "", "15 minutes please", "-5m", "m"] {
        assert!(parse_duration(s).is_err(), "{s} should fail");
    }
}

#[test]
fn interval_and_timeout_order_is_enforced() {
    let e = err("[daemon]\nmin_interval = \"7h\"\n");
    assert_err(
        &e,
        2,
        "daemon.min_interval",
        "must not be longer than default_interval",
    );
    let e = err("[daemon]\nmax_interval = \"1m\"\n");
    assert_err(
        &e,
        2,
        "daemon.max_interval",
        "default_interval (15m) must not be longer",
    );
    let e = err(
        "[daemon]\nmin_interval = \"1h\"\nmax_interval = \"30m\"\ndefault_interval = \"45m\"\n",
    );
    assert_err(&e, 2, "daemon.min_interval", "longer than default_interval");
    let e = err("[daemon]\nconnect_timeout = \"1m\"\n");
    assert_err(&e, 2, "daemon.connect_timeout", "timeout (30s)");
}

#[test]
fn bad_urls() {
    let e = err("[[source]]\nname = \"A\"\nurl = \"not a url\"\n");
    assert_err(&e, 3, "source \"A\".url", "invalid URL");
    let e = err(&format!(
        "{SOURCE}[[source]]\nname = \"B\"\nurl = \"ftp://b.example/feed\"\n"
    ));
    assert_err(&e, 6, "source \"B\".url", "only http and https");
    let e = err("[[source]]\nname = \"A\"\nurl = \"file:///etc/passwd\"\n");
    assert_err(&e, 3, "source \"A\".url", "scheme");
    let e = err("[[source]]\nname = \"A\"\nurl = \"https://u:secret@a.example/\"\n");
    assert_err(&e, 3, "source \"A\".url", "contains a password");
    assert!(!e.to_string().contains("secret@"), "{e}");
    let e = err("[[source]]\nname = \"A\"\nurl = \"https://t0ken@a.example/\"\n");
    assert_err(&e, 3, "source \"A\".url", "contains a user name");
    assert!(!e.to_string().contains("t0ken"), "{e}");
}

/// The one feed URL check (config, `sources add`, OPML, redirects).
#[test]
fn feed_url_check_and_how_messages_show_urls() {
    use super::{FEED_URL_MAX_BYTES, feed_url, url_for_messages};
    assert_eq!(
        feed_url("  https://a.example/rss?x=1 ").unwrap().as_str(),
        "https://a.example/rss?x=1"
    );
    for (url, why) in [
        ("", "empty"),
        ("/relative/feed", "invalid URL"),
        ("https://a.example/x\ty", "control characters"),
        ("https://a.example/\u{202e}lmth", "control characters"),
        ("https://a.example/\u{9b}2J", "control characters"),
        ("data:text/xml,<rss/>", "only http and https"),
    ] {
        let e = feed_url(url).unwrap_err();
        assert!(e.contains(why), "{url:?}: {e}");
        assert!(!e.chars().any(char::is_control), "{url:?}: {e:?}");
    }
    let long = format!("https://a.example/{}", "x".repeat(FEED_URL_MAX_BYTES));
    assert!(feed_url(&long).unwrap_err().contains("the limit is 2048"));
    // A URL that does not parse is quoted without its credentials.
    let e = feed_url("https://bob:hunter2@a.example:99999/").unwrap_err();
    assert!(e.contains("\"https://…@a.example:99999/\""), "{e}");
    assert!(!e.contains("hunter2"), "{e}");
    assert_eq!(
        url_for_messages("http://u:p@h/a@b?c@d\r"),
        "\"http://…@h/a@b?c@d\\r\""
    );
    assert_eq!(url_for_messages("no scheme@all"), "\"no scheme@all\"");
}

#[test]
fn unknown_keys_are_errors_with_hints() {
    let e = err("[daemon]\nconcurency = 3\n");
    assert_err(&e, 2, "daemon.concurency", "did you mean `concurrency`");
    assert_eq!(e.column, Some(1));
    let e = err(&format!("{SOURCE}urll = \"x\"\n"));
    assert_err(&e, 4, "source \"A\".urll", "unknown field `urll`");
    let e = err("[[topic]]\nname = \"t\"\nqeury = \"x\"\n");
    assert_err(&e, 3, "topic \"t\".qeury", "did you mean `query`");
    let e = err("[[speaker]]\nname = \"P\"\nalias = [\"x\"]\n");
    assert_err(&e, 3, "speaker \"P\".alias", "did you mean `aliases`");
    let e = err(&format!("{EMAIL}subjekt_prefix = \"x\"\n"));
    assert_err(
        &e,
        5,
        "email.subjekt_prefix",
        "did you mean `subject_prefix`",
    );
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"m\"\nschedule = \"daily 08:00\"\ntimezon = \"UTC\"\n"
    ));
    assert_err(&e, 8, "digest \"m\".timezon", "did you mean `timezone`");
    let e = err("[deamon]\n");
    assert_err(&e, 1, "deamon", "did you mean `daemon`");
}

#[test]
fn missing_and_mistyped_keys() {
    let e = err("[[source]]\nname = \"A\"\n");
    assert_err(&e, 1, "source \"A\"", "missing field `url`");
    let e = err(&format!(
        "{SOURCE}[[source]]\nname = 3\nurl = \"https://b.example/\"\n"
    ));
    assert_err(&e, 5, "source[1].name", "expected a string");
    let e = err("[daemon]\nconcurrency = \"32\"\n");
    assert_err(&e, 2, "daemon.concurrency", "invalid type");
}

#[test]
fn toml_syntax_errors_are_located() {
    let e = err("[daemon]\nconcurrency = = 3\n");
    assert_eq!(e.line, Some(2));
    assert!(e.to_string().starts_with(&format!("{FAKE}:2:")), "{e}");
    let e = err("[daemon]\nconcurrency = 3\nconcurrency = 4\n");
    assert_eq!(e.line, Some(3), "{e}");
}

#[test]
fn enum_words() {
    let e = err("[[topic]]\nname = \"peace-talks\"\nquery = \"x\"\nalert = \"immediately\"\n");
    assert_err(
        &e,
        4,
        "topic \"peace-talks\".alert",
        "did you mean \"immediate\"",
    );
    let e = err(&format!("{SOURCE}kind = \"newz\"\n"));
    assert_err(
        &e,
        4,
        "source \"A\".kind",
        "expected \"news\" or \"statements\"",
    );
    let e = err(&format!("{SOURCE}kind = \"News\"\n"));
    assert_err(&e, 4, "source \"A\".kind", "did you mean \"news\"");
}

#[test]
fn names_tags_languages_and_speakers() {
    let e = err("[[source]]\nname = \"\"\nurl = \"https://a.example/\"\n");
    assert_err(&e, 2, "source[0].name", "must not be empty");
    let e = err("[[source]]\nname = \"a\\u0007b\"\nurl = \"https://a.example/\"\n");
    assert_err(&e, 2, "source[0].name", "control characters");
    let long = "x".repeat(201);
    let e = err(&format!(
        "[[source]]\nname = \"{long}\"\nurl = \"https://a.example/\"\n"
    ));
    assert_err(&e, 2, "source[0].name", "limit is 200");
    assert_err(
        &err(&format!("{SOURCE}tags = [\"ok\", \" \"]\n")),
        4,
        "source \"A\".tags",
        "empty",
    );
    assert_err(
        &err(&format!("{SOURCE}language = \"EN\"\n")),
        4,
        "source \"A\".language",
        "ISO 639",
    );
    assert_err(
        &err(&format!("{SOURCE}language = \"english\"\n")),
        4,
        "source \"A\".language",
        "ISO",
    );
    assert!(load_text(&format!("{SOURCE}language = \"uk\"\n")).is_ok());
    let e = err(&format!(
        "{SOURCE}kind = \"statements\"\nspeaker = \"Peskov\"\n"
    ));
    assert_err(
        &e,
        5,
        "source \"A\".speaker",
        "no [[speaker]] named \"Peskov\"",
    );
    let e = err(&format!(
        "[[speaker]]\nname = \"Peskov\"\n{SOURCE}speaker = \"Peskov\"\n"
    ));
    assert_err(
        &e,
        6,
        "source \"A\".speaker",
        "only meaningful with kind = \"statements\"",
    );
    let e = err("[[topic]]\nname = \"t\"\nquery = \"  \"\n");
    assert_err(&e, 3, "topic \"t\".query", "must not be empty");
    let e = err("[[speaker]]\nname = \"P\"\naliases = [\"\"]\n");
    assert_err(&e, 3, "speaker \"P\".aliases", "empty");
    let e = err("[daemon]\nuser_agent = \"bad\\nagent\"\n");
    assert_err(&e, 2, "daemon.user_agent", "printable ASCII");
    let e = err("[daemon]\nlog = \"info,[[[\"\n");
    assert_err(&e, 2, "daemon.log", "invalid log filter");
}

#[test]
fn duplicates_name_both_lines() {
    let text = format!("{SOURCE}\n[[source]]\nname = \"a\"\nurl = \"https://b.example/\"\n");
    let e = err(&text);
    assert_err(&e, 6, "source \"a\".name", "first defined at line 2");
    let text = format!("{SOURCE}\n[[source]]\nname = \"B\"\nurl = \"https://A.example/feed\"\n");
    let e = err(&text);
    assert_err(
        &e,
        7,
        "source \"B\".url",
        "already used by source \"A\" at line 3",
    );
    let text = "[[topic]]\nname = \"t\"\nquery = \"x\"\n[[topic]]\nname = \"t\"\nquery = \"y\"\n";
    let e = err(text);
    assert_err(
        &e,
        4,
        "topic \"t\".name",
        &format!("first defined at {FAKE}:1"),
    );
    let text = "[[speaker]]\nname = \"P\"\n[[speaker]]\nname = \"p\"\n";
    assert_err(&err(text), 3, "speaker \"p\".name", &format!("{FAKE}:1"));
}

#[test]
fn relative_database_resolves_against_config_folder() {
    let c = load_str(
        "[daemon]\ndatabase = \"data/nw.db\"\n",
        Path::new("/etc/nw/main.toml"),
    )
    .unwrap();
    assert_eq!(c.daemon.database, Path::new("/etc/nw/data/nw.db"));
    let c = load_str("", Path::new("conf/main.toml")).unwrap();
    assert_eq!(c.daemon.database, Path::new("conf/newswatch.db"));
    let c = load_str("", Path::new("main.toml")).unwrap();
    assert_eq!(c.daemon.database, Path::new("newswatch.db"));
    let e = err("[daemon]\ndatabase = \"\"\n");
    assert_err(&e, 2, "daemon.database", "empty");
}

/// A temp folder with a main config and some included files.
fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn include_glob_reads_sorted_files() {
    let dir = folder(&[
        (
            "main.toml",
            "[daemon]\ninclude = [\"topics/*.toml\", \"none/*.toml\"]\n[[topic]]\nname = \"main\"\nquery = \"m\"\n",
        ),
        ("topics/b.toml", "[[topic]]\nname = \"b\"\nquery = \"b\"\n"),
        (
            "topics/a.toml",
            "\n[[speaker]]\nname = \"S\"\n\n[[topic]]\nname = \"a\"\nquery = \"a\"\n",
        ),
        ("topics/notes.txt", "not toml"),
    ]);
    let main = dir.path().join("main.toml");
    let c = load(&main).unwrap();
    let names: Vec<&str> = c.topics.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["main", "a", "b"]);
    assert_eq!(c.topics[1].file, dir.path().join("topics/a.toml"));
    assert_eq!(c.topics[1].line, 5);
    assert_eq!(c.speakers[0].line, 2);
    assert_eq!(
        c.files,
        [
            main.clone(),
            dir.path().join("topics/a.toml"),
            dir.path().join("topics/b.toml")
        ]
    );
    // Top-level `include` works too, and a file matched twice is read once.
    let text = "include = [\"topics/a.toml\", \"topics/*.toml\"]\n";
    let c = load_str(text, &main).unwrap();
    assert_eq!(c.files.len(), 3);
}

#[test]
fn included_file_errors_name_that_file() {
    let dir = folder(&[
        ("main.toml", "[daemon]\ninclude = [\"topics/*.toml\"]\n"),
        ("topics/a.toml", "[[topic]]\nname = \"a\"\nquery = \"a\"\n"),
        (
            "topics/b.toml",
            "\n[[topic]]\nname = \"b\"\nquery = \"b\"\nalert = \"loud\"\n",
        ),
    ]);
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(e.file, dir.path().join("topics/b.toml"));
    assert_err(&e, 5, "topic \"b\".alert", "unknown value \"loud\"");

    fs::write(dir.path().join("topics/b.toml"), "[[topic]\nname = 1\n").unwrap();
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(
        (e.file.clone(), e.line),
        (dir.path().join("topics/b.toml"), Some(1)),
        "{e}"
    );

    fs::write(
        dir.path().join("topics/b.toml"),
        "[daemon]\nconcurrency = 3\n",
    )
    .unwrap();
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_err(&e, 1, "daemon", "only [[topic]] and [[speaker]]");

    fs::write(
        dir.path().join("topics/b.toml"),
        "[[topic]]\nname = \"A\"\nquery = \"x\"\n",
    )
    .unwrap();
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(e.file, dir.path().join("topics/b.toml"));
    let first = dir.path().join("topics/a.toml");
    assert_err(
        &e,
        1,
        "topic \"A\".name",
        &format!("first defined at {}:1", first.display()),
    );

    let e = load_str(
        "[daemon]\ninclude = [\"[\"]\n",
        &dir.path().join("main.toml"),
    )
    .unwrap_err();
    assert_err(&e, 2, "daemon.include", "invalid pattern");
}

#[test]
fn speakers_from_includes_can_be_referenced() {
    let dir = folder(&[
        (
            "main.toml",
            "include = [\"s.toml\"]\n[[source]]\nname = \"K\"\nurl = \"https://k.example/\"\nkind = \"statements\"\nspeaker = \"Peskov\"\n",
        ),
        ("s.toml", "[[speaker]]\nname = \"Peskov\"\n"),
    ]);
    let c = load(&dir.path().join("main.toml")).unwrap();
    assert_eq!(c.sources[0].speaker.as_deref(), Some("Peskov"));
}

#[test]
fn missing_file_is_named() {
    let e = load(Path::new("/nonexistent/nw.toml")).unwrap_err();
    assert_eq!(e.file, Path::new("/nonexistent/nw.toml"));
    assert!(
        e.to_string()
            .starts_with("/nonexistent/nw.toml: cannot read config file"),
        "{e}"
    );
}

#[test]
fn default_path_order() {
    let (etc, local) = (Path::new("/etc/x.toml"), Path::new("config/x.toml"));
    let cands = [etc, local];
    assert_eq!(
        pick_path(Some("/my.toml".into()), &cands, |_| false),
        Path::new("/my.toml")
    );
    assert_eq!(pick_path(Some("".into()), &cands, |_| true), etc);
    assert_eq!(pick_path(None, &cands, |p| p == local), local);
    assert_eq!(pick_path(None, &cands, |_| false), local);
    assert!(!default_path().as_os_str().is_empty());
}

#[test]
fn key_lists_match_the_raw_structs() {
    let cases: [(&str, &[&str]); 7] = [
        ("zzz = 1\n", TOP_LEVEL_KEYS),
        ("[daemon]\nzzz = 1\n", DAEMON_KEYS),
        ("[[source]]\nzzz = 1\n", SOURCE_KEYS),
        ("[[topic]]\nzzz = 1\n", TOPIC_KEYS),
        ("[[speaker]]\nzzz = 1\n", SPEAKER_KEYS),
        ("[email]\nzzz = 1\n", EMAIL_KEYS),
        ("[[digest]]\nzzz = 1\n", DIGEST_KEYS),
    ];
    for (text, keys) in cases {
        let e = err(text);
        let listed: Vec<&str> = e.message.split('`').skip(3).step_by(2).collect();
        assert_eq!(listed, keys, "{e}");
    }
}

#[test]
fn error_display_forms() {
    let mut e = ConfigError::file(Path::new("a.toml"), "boom");
    assert_eq!(e.to_string(), "a.toml: boom");
    e.line = Some(3);
    e.key = Some("daemon.x".into());
    assert_eq!(e.to_string(), "a.toml:3: daemon.x: boom");
    e.column = Some(7);
    assert_eq!(e.to_string(), "a.toml:3:7: daemon.x: boom");
    assert_eq!(error::line_col("ab\nпри=x", 9), (2, 4));
    assert_eq!(error::line_col("ab", 99), (1, 3));
}

#[test]
fn odd_inputs_do_not_panic() {
    let inputs = [
        "\u{feff}[daemon]\n",
        "[[source]]\nname = \"\u{202e}\"\nurl = \"https://x/\"\n",
        "source = [{name=\"a\", url=\"https://a/\"}, {name=\"b\", q=1}]\n",
        "[daemon]\ninclude = [\n  3,\n]\n",
        "[daemon.x]\n",
        "[[source]]\nname=\"a\"\nurl=\"http://[::1\"\n",
        "\"quoted key\" = 1\n",
        "a.b.c = 1\n",
        "[daemon]\nmax_body = \"18446744073709551615\"\n",
        "[daemon]\nmax_body = \"1e9\"\n",
        "[daemon]\njitter = inf\n",
        "[daemon]\nconcurrency = 9223372036854775807\n",
    ];
    for text in inputs {
        let _ = load_text(text).map_err(|e| e.to_string());
    }
}

fn smtp(c: &Config) -> &SmtpConfig {
    match &c.email.as_ref().expect("[email]").transport {
        MailTransport::Smtp(s) => s,
        other => panic!("not SMTP: {other:?}"),
    }
}

fn addresses(list: &[lettre::message::Mailbox]) -> Vec<String> {
    list.iter().map(|m| m.email.to_string()).collect()
}

#[test]
fn email_and_digests_read_every_key() {
    let c = load_str(
        r#"
[[topic]]
name = "peace-talks"
query = "ceasefire"
alert = "immediate"

[[topic]]
name = "sanctions"
query = "sanctions"

[email]
smtp_url = "smtps://alerts%40example.org@smtp.example.org:2465"
password_file = "secrets/smtp-password"
from = "newswatch <alerts@example.org>"
to = ["Analyst <analyst@example.org>", "desk@example.org"]
timeout = "1m"
group_window = "5m"
alert_max_age = "30d"
retry_min = "10s"
retry_max = "2h"
give_up_after = "1d"
templates = "templates"
subject_prefix = "[nw]"

[[digest]]
name = "morning"
schedule = "weekdays 07:30"
timezone = "Europe/Kyiv"
topics = ["peace-talks", "sanctions", "peace-talks"]
to = "boss@example.org"
send_empty = true
min_significance = "major"

[[digest]]
name = "hourly"
schedule = "every 1h"
"#,
        Path::new("/etc/nw/main.toml"),
    )
    .unwrap();
    let e = c.email.as_ref().unwrap();
    assert_eq!(
        smtp(&c),
        &SmtpConfig {
            security: SmtpSecurity::Tls,
            host: "smtp.example.org".into(),
            port: 2465,
            username: Some("alerts@example.org".into()),
            password: Some(PasswordSource::File("/etc/nw/secrets/smtp-password".into())),
            allow_plaintext_auth: false,
        }
    );
    assert_eq!(e.from.email.to_string(), "alerts@example.org");
    assert_eq!(e.from.name.as_deref(), Some("newswatch"));
    assert_eq!(
        addresses(&e.to),
        ["analyst@example.org", "desk@example.org"]
    );
    assert_eq!(e.to[0].name.as_deref(), Some("Analyst"));
    assert_eq!(e.timeout, Duration::from_secs(60));
    assert_eq!(e.group_window, Duration::from_secs(300));
    assert_eq!(e.alert_max_age, Duration::from_secs(30 * 86400));
    assert_eq!(
        (e.retry_min, e.retry_max, e.give_up_after),
        (
            Duration::from_secs(10),
            Duration::from_secs(7200),
            Duration::from_secs(86400)
        )
    );
    assert_eq!(e.templates.as_deref(), Some(Path::new("/etc/nw/templates")));
    assert_eq!((e.subject_prefix.as_str(), e.line), ("[nw]", 11));

    let d = c.digest("morning").unwrap();
    assert_eq!(d.schedule.describe(), "weekdays 07:30");
    assert_eq!(d.timezone, chrono_tz::Europe::Kyiv);
    assert_eq!(
        d.topics,
        ["peace-talks", "sanctions"],
        "duplicates collapse"
    );
    assert_eq!(addresses(&d.to), ["boss@example.org"]);
    assert!(d.send_empty);
    assert_eq!(d.min_significance, crate::model::Significance::Major);
    assert_eq!(d.line, 25);
    let h = &c.digests[1];
    assert_eq!(h.name, "hourly");
    assert_eq!(h.schedule.describe(), "every 1h");
    assert_eq!(h.timezone, chrono_tz::UTC);
    assert!(h.topics.is_empty(), "all topics");
    assert_eq!(h.to, e.to, "defaults to [email].to");
    assert!(!h.send_empty);
    assert_eq!(h.min_significance, crate::model::Significance::Minor);
    assert_eq!(h.line, 34);
    assert!(c.digest("Morning").is_none(), "lookup is exact");
}

#[test]
fn email_defaults() {
    let c = load_text(EMAIL).unwrap();
    let e = c.email.unwrap();
    assert_eq!(
        e.transport,
        MailTransport::Sendmail {
            command: "/usr/sbin/sendmail".into()
        }
    );
    assert_eq!(e.timeout, Duration::from_secs(30));
    assert_eq!(e.group_window, Duration::from_secs(120));
    assert_eq!(e.alert_max_age, Duration::from_secs(48 * 3600));
    assert_eq!(e.retry_min, Duration::from_secs(30));
    assert_eq!(e.retry_max, Duration::from_secs(3600));
    assert_eq!(e.give_up_after, Duration::from_secs(3 * 86400));
    assert_eq!(e.templates, None);
    assert_eq!(e.subject_prefix, "[newswatch]");
    assert_eq!(e.line, 1);
    assert_eq!(e.from.name, None);
    assert!(c.digests.is_empty());

    let c = load_text(&format!(
        "{EMAIL}group_window = \"0\"\nsubject_prefix = \"\"\n"
    ))
    .unwrap();
    let e = c.email.unwrap();
    assert_eq!(
        (e.group_window, e.subject_prefix.as_str()),
        (Duration::ZERO, "")
    );
    let c = load_text(&format!("{EMAIL}group_window = \"0s\"\n")).unwrap();
    assert_eq!(c.email.unwrap().group_window, Duration::ZERO);
}

#[test]
fn smtp_url_schemes_ports_and_user() {
    let url = |u: &str, extra: &str| {
        load_text(&format!(
            "[email]\nsmtp_url = \"{u}\"\n{extra}from = \"a@example.org\"\nto = \"b@example.org\"\n"
        ))
        .unwrap_or_else(|e| panic!("{u}: {e}"))
    };
    let cases = [
        ("smtp://mail.example.org", SmtpSecurity::Opportunistic, 25),
        ("smtps://mail.example.org", SmtpSecurity::Tls, 465),
        (
            "smtp+starttls://mail.example.org/",
            SmtpSecurity::StartTls,
            587,
        ),
        (
            "SMTP://mail.example.org:2525",
            SmtpSecurity::Opportunistic,
            2525,
        ),
    ];
    for (u, security, port) in cases {
        let c = url(u, "");
        let s = smtp(&c);
        assert_eq!(
            (s.security, s.port, s.host.as_str()),
            (security, port, "mail.example.org"),
            "{u}"
        );
        assert_eq!((&s.username, &s.password), (&None, &None), "{u}");
    }
    assert_eq!(SmtpSecurity::StartTls.scheme(), "smtp+starttls");
    let c = url("smtp://127.0.0.1:2525", "");
    assert_eq!(smtp(&c).host, "127.0.0.1");
    let c = url("smtp://[::1]:2525", "");
    assert_eq!(smtp(&c).host, "::1");
    let c = url(
        "smtp+starttls://alerts%40example.org@smtp.example.org",
        "password_env = \"NEWSWATCH_SMTP_PASSWORD\"\n",
    );
    let s = smtp(&c);
    assert_eq!(s.username.as_deref(), Some("alerts@example.org"));
    assert_eq!(
        s.password,
        Some(PasswordSource::Env("NEWSWATCH_SMTP_PASSWORD".into()))
    );
    let c = url(
        "smtps://you%40fastmail.com@smtp.fastmail.com:465",
        "password_file = \"pw\"\n",
    );
    assert_eq!(smtp(&c).username.as_deref(), Some("you@fastmail.com"));
    assert_eq!(
        smtp(&c).password,
        Some(PasswordSource::File(
            "/nonexistent/newswatch-tests/pw".into()
        )),
        "resolved like database, not read"
    );
    let c = url(
        "smtp://j%C3%BCrgen@mail.example.org",
        "password_env = \"PW\"\n",
    );
    assert_eq!(smtp(&c).username.as_deref(), Some("jürgen"));
}

#[test]
fn a_password_is_only_sent_over_tls_unless_allow_plaintext_auth() {
    let load = |u: &str, extra: &str| {
        load_text(&format!(
            "[email]\nsmtp_url = \"{u}\"\n{extra}from = \"a@example.org\"\nto = \"b@example.org\"\n"
        ))
    };
    let pw = "password_env = \"PW\"\n";
    let required = |u: &str, extra: &str| {
        let c = load(u, extra).unwrap_or_else(|e| panic!("{u}: {e}"));
        let s = smtp(&c);
        (s.tls_required(), s.allow_plaintext_auth)
    };
    // smtp:// without a user name: STARTTLS if offered; with one: required.
    assert_eq!(required("smtp://u@h", pw), (true, false));
    assert_eq!(required("smtp://h", ""), (false, false));
    assert_eq!(required("smtp+starttls://h", ""), (true, false));
    assert_eq!(required("smtps://u@h", pw), (true, false));
    assert_eq!(
        required("smtp://u@h", &format!("{pw}allow_plaintext_auth = false\n")),
        (true, false)
    );
    // The opt-out, where it means something.
    assert_eq!(
        required("smtp://u@h", &format!("{pw}allow_plaintext_auth = true\n")),
        (false, true)
    );
    let c = load("smtp://u@h", &format!("{pw}allow_plaintext_auth = true\n")).unwrap();
    assert!(smtp(&c).describe_tls().contains("PLAIN TEXT"));
    // Anywhere else it is an error, not a silent no-op.
    for (u, extra, why) in [
        ("smtps://u@h", pw, "smtps:// always encrypts"),
        (
            "smtp+starttls://u@h",
            pw,
            "smtp+starttls:// always encrypts",
        ),
        ("smtp://h", "", "no user name"),
    ] {
        let e = load(u, &format!("{extra}allow_plaintext_auth = true\n")).unwrap_err();
        assert_eq!(
            e.key.as_deref(),
            Some("email.allow_plaintext_auth"),
            "{u}: {e}"
        );
        assert!(e.message.contains(why), "{u}: {e}");
    }
    let e = load_text(
        "[email]\nmaildir = \"m\"\nallow_plaintext_auth = true\nfrom = \"a@example.org\"\nto = \"b@example.org\"\n",
    )
    .unwrap_err();
    assert_eq!(e.key.as_deref(), Some("email.allow_plaintext_auth"), "{e}");
    assert!(e.message.contains("only used with smtp_url"), "{e}");
    let e = load(
        "smtp://u@h",
        &format!("{pw}allow_plaintext_auth = \"yes\"\n"),
    )
    .unwrap_err();
    assert!(e.to_string().contains("allow_plaintext_auth"), "{e}");
}

#[test]
fn sendmail_and_maildir_paths() {
    let with = |line: &str| {
        load_str(
            &format!("[email]\n{line}\nfrom = \"a@example.org\"\nto = \"b@example.org\"\n"),
            Path::new("/etc/nw/main.toml"),
        )
        .unwrap()
        .email
        .unwrap()
        .transport
    };
    assert_eq!(
        with("sendmail = \"sendmail\""),
        MailTransport::Sendmail {
            command: "sendmail".into()
        },
        "a bare name is looked up in PATH"
    );
    assert_eq!(
        with("sendmail = \"bin/sendmail\""),
        MailTransport::Sendmail {
            command: "/etc/nw/bin/sendmail".into()
        }
    );
    assert_eq!(
        with("sendmail = \"/usr/sbin/sendmail\""),
        MailTransport::Sendmail {
            command: "/usr/sbin/sendmail".into()
        }
    );
    assert_eq!(
        with("maildir = \"mail/\""),
        MailTransport::Maildir {
            path: "/etc/nw/mail/".into()
        }
    );
    assert_eq!(
        with("maildir = \"/var/mail/nw\""),
        MailTransport::Maildir {
            path: "/var/mail/nw".into()
        }
    );
}

#[test]
fn to_is_a_string_or_a_list() {
    let base = "[email]\nmaildir = \"m\"\nfrom = \"a@example.org\"\n";
    let c = load_text(&format!("{base}to = \"One <one@example.org>\"\n")).unwrap();
    assert_eq!(addresses(&c.email.unwrap().to), ["one@example.org"]);
    let c = load_text(&format!(
        "{base}to = [\"one@example.org\", \"two@example.org\", \"One <one@example.org>\"]\n"
    ))
    .unwrap();
    assert_eq!(
        addresses(&c.email.unwrap().to),
        ["one@example.org", "two@example.org"]
    );
    let e = err(&format!("{base}to = []\n"));
    assert_err(&e, 4, "email.to", "at least one address");
    let e = err(&format!("{base}to = 3\n"));
    assert_err(&e, 4, "email.to", "a string or an array of strings");
    let e = err(&format!(
        "{base}to = [\n  \"ok@example.org\",\n  \"not an address\",\n]\n"
    ));
    assert_err(&e, 6, "email.to", "invalid mail address \"not an address\"");
    let e = err(&format!(
        "{base}to = \"one@example.org, two@example.org\"\n"
    ));
    assert_err(&e, 4, "email.to", "more than one address");
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"d\"\nschedule = \"hourly\"\nto = []\n"
    ));
    assert_err(&e, 8, "digest \"d\".to", "leave `to` out");
    let c = load_text(&format!(
        "{EMAIL}[[digest]]\nname = \"d\"\nschedule = \"hourly\"\nto = [\"x@example.org\"]\n"
    ))
    .unwrap();
    assert_eq!(addresses(&c.digests[0].to), ["x@example.org"]);
}

#[test]
fn email_errors_name_line_and_key() {
    let tail = "from = \"a@example.org\"\nto = \"b@example.org\"\n";
    let e = err(&format!("[email]\n{tail}"));
    assert_err(&e, 1, "email", "needs one of smtp_url, sendmail or maildir");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtp://h\"\nmaildir = \"m\"\n{tail}"
    ));
    assert_err(&e, 3, "email.maildir", "smtp_url and maildir are both set");
    let e = err(&format!("[email]\nsmtp_url = \"http://h\"\n{tail}"));
    assert_err(
        &e,
        2,
        "email.smtp_url",
        "expected smtp:// (STARTTLS if offered), smtps://",
    );
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://bob:hunter2@h\"\n{tail}"
    ));
    assert_err(
        &e,
        2,
        "email.smtp_url",
        "secrets come from password_file or password_env, never the config file",
    );
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://bob:hunter2@h:x\"\n{tail}"
    ));
    assert_err(&e, 2, "email.smtp_url", "invalid SMTP URL");
    assert!(!e.to_string().contains("hunter2"), "{e}");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtp://h/path?x=1\"\n{tail}"
    ));
    assert_err(&e, 2, "email.smtp_url", "unexpected path");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://u@h\"\npassword_file = \"f\"\npassword_env = \"E\"\n{tail}"
    ));
    assert_err(
        &e,
        4,
        "email.password_env",
        "password_file and password_env are both set",
    );
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://h\"\npassword_env = \"E\"\n{tail}"
    ));
    assert_err(&e, 3, "email.password_env", "smtp_url has no user name");
    let e = err(&format!("[email]\nsmtp_url = \"smtps://u@h\"\n{tail}"));
    assert_err(&e, 2, "email.smtp_url", "no password source");
    let e = err(&format!(
        "[email]\nsmtp_url = \"smtps://u@h\"\npassword_env = \"1PW\"\n{tail}"
    ));
    assert_err(
        &e,
        3,
        "email.password_env",
        "invalid environment variable name",
    );
    let e = err(&format!(
        "[email]\nsendmail = \"sendmail\"\npassword_file = \"f\"\n{tail}"
    ));
    assert_err(&e, 3, "email.password_file", "only used with smtp_url");
    let e = err(&format!("[email]\nmaildir = \"\"\n{tail}"));
    assert_err(&e, 2, "email.maildir", "must not be empty");
    let e = err("[email]\nmaildir = \"m\"\nfrom = \"nobody\"\nto = \"b@example.org\"\n");
    assert_err(&e, 3, "email.from", "invalid mail address \"nobody\"");
    let e = err("[email]\nmaildir = \"m\"\nto = \"b@example.org\"\n");
    assert_err(&e, 1, "email", "missing field `from`");
    let e = err(&format!("{EMAIL}group_window = \"2h\"\n"));
    assert_err(&e, 5, "email.group_window", "limit of 1h");
    let e = err(&format!("{EMAIL}retry_min = \"500ms\"\n"));
    assert_err(&e, 5, "email.retry_min", "at least 1s");
    let e = err(&format!("{EMAIL}retry_min = \"2h\"\n"));
    assert_err(
        &e,
        5,
        "email.retry_min",
        "must not be longer than retry_max (1h)",
    );
    let e = err(&format!("{EMAIL}retry_max = \"10s\"\n"));
    assert_err(
        &e,
        5,
        "email.retry_max",
        "retry_min (30s) must not be longer",
    );
    let e = err(&format!("{EMAIL}timeout = \"0s\"\n"));
    assert_err(&e, 5, "email.timeout", "zero");
    let e = err(&format!("{EMAIL}alert_max_age = \"20000d\"\n"));
    assert_err(&e, 5, "email.alert_max_age", "longer than the limit");
    let e = err(&format!("{EMAIL}alert_max_age = \"soon\"\n"));
    assert_err(&e, 5, "email.alert_max_age", "");
    let e = err(&format!("{EMAIL}give_up_after = 3\n"));
    assert_err(&e, 5, "email.give_up_after", "quoted strings");
    let e = err(&format!(
        "{EMAIL}subject_prefix = \"a\\nBcc: x@example.org\"\n"
    ));
    assert_err(&e, 5, "email.subject_prefix", "control characters");
}

#[test]
fn digest_errors_name_line_and_key() {
    let topic = "[[topic]]\nname = \"peace-talks\"\nquery = \"x\"\n";
    let digest = |extra: &str| {
        format!("{EMAIL}{topic}[[digest]]\nname = \"m\"\nschedule = \"daily 08:00\"\n{extra}")
    };
    assert!(load_text(&digest("")).is_ok());
    let e = err(&digest("schedule2 = 1\n"));
    assert_err(&e, 11, "digest \"m\".schedule2", "did you mean `schedule`");
    let e = err(&format!("{EMAIL}[[digest]]\nname = \"m\"\n"));
    assert_err(&e, 5, "digest \"m\"", "missing field `schedule`");
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"m\"\nschedule = \"dayly 8\"\n"
    ));
    assert_err(
        &e,
        7,
        "digest \"m\".schedule",
        r#"expected "daily HH:MM", "weekdays HH:MM", "mon,thu HH:MM" or "every DURATION", found "dayly 8""#,
    );
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"m\"\nschedule = \"every 1m\"\n"
    ));
    assert_err(&e, 7, "digest \"m\".schedule", "minimum of 5m");
    let e = err(&digest("timezone = \"Kyiv\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".timezone",
        "did you mean \"Europe/Kyiv\"",
    );
    let e = err(&digest("timezone = \"europe/berlin\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".timezone",
        "did you mean \"Europe/Berlin\"",
    );
    let e = err(&digest("timezone = \"Mars/Olympus\"\n"));
    assert_err(&e, 11, "digest \"m\".timezone", "such as \"Europe/Kyiv\"");
    let e = err(&digest("topics = [\"peace-talk\"]\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".topics",
        "no [[topic]] named \"peace-talk\" (did you mean \"peace-talks\"?); known topics: \"peace-talks\"",
    );
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"m\"\nschedule = \"hourly\"\ntopics = [\"x\"]\n"
    ));
    assert_err(&e, 8, "digest \"m\".topics", "no topics are configured");
    let e = err(&digest("min_significance = \"big\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".min_significance",
        "expected \"cosmetic\" or \"minor\" or \"major\"",
    );
    let e = err(&digest("min_significance = \"Major\"\n"));
    assert_err(
        &e,
        11,
        "digest \"m\".min_significance",
        "did you mean \"major\"",
    );
    let e = err(&digest("[[digest]]\nname = \"M\"\nschedule = \"hourly\"\n"));
    assert_err(
        &e,
        12,
        "digest \"M\".name",
        "duplicate digest name \"M\"; first defined at line 8",
    );
    let e = err(&format!(
        "{EMAIL}[[digest]]\nname = \"\"\nschedule = \"hourly\"\n"
    ));
    assert_err(&e, 6, "digest[0].name", "must not be empty");
}

#[test]
fn mail_needs_an_email_section() {
    let e = err("[[digest]]\nname = \"morning\"\nschedule = \"daily 08:00\"\n");
    assert_err(
        &e,
        1,
        "digest \"morning\"",
        "needs an [email] section to send it: add an [email] section",
    );
    let e = err("\n[[topic]]\nname = \"t\"\nquery = \"x\"\nalert = \"immediate\"\n");
    assert_eq!(e.file, Path::new(FAKE));
    assert_err(&e, 2, "topic \"t\".alert", "add an [email] section to");
    assert!(e.message.contains(FAKE), "{e}");
    assert!(
        load_text(&format!(
            "{EMAIL}[[topic]]\nname = \"t\"\nquery = \"x\"\nalert = \"immediate\"\n"
        ))
        .is_ok()
    );

    // An immediate topic in an included file is blamed there.
    let dir = folder(&[
        ("main.toml", "include = [\"t.toml\"]\n"),
        (
            "t.toml",
            "[[topic]]\nname = \"a\"\nquery = \"a\"\n[[topic]]\nname = \"b\"\nquery = \"b\"\nalert = \"immediate\"\n",
        ),
    ]);
    let e = load(&dir.path().join("main.toml")).unwrap_err();
    assert_eq!(e.file, dir.path().join("t.toml"));
    assert_err(&e, 4, "topic \"b\".alert", "no [email] section");
}

#[test]
fn email_and_digest_belong_to_the_main_file() {
    for table in ["[email]\nmaildir = \"m\"\n", "[[digest]]\nname = \"d\"\n"] {
        let dir = folder(&[("main.toml", "include = [\"t.toml\"]\n"), ("t.toml", table)]);
        let e = load(&dir.path().join("main.toml")).unwrap_err();
        assert_eq!(e.file, dir.path().join("t.toml"));
        let key = if table.starts_with("[email]") {
            "email"
        } else {
            "digest"
        };
        assert_err(&e, 1, key, "belong in the main config file");
    }
}

/// The example's commented `[email]`/`[[digest]]` tables, uncommented, load
/// (lines starting with "##" are alternatives and stay commented).
#[test]
fn example_mail_section_loads_when_uncommented() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/newswatch.example.toml");
    let as_shipped = load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(as_shipped.email.is_none() && as_shipped.digests.is_empty());
    let text = fs::read_to_string(&path).unwrap();
    let start = text.find("# Mail: immediate alerts").expect("mail section");
    let is_code = |rest: &&str| {
        let header = rest.starts_with('[')
            && rest
                .trim_matches(['[', ']'])
                .bytes()
                .all(|b| b.is_ascii_lowercase());
        let key = rest.split_once(" = ").is_some_and(|(k, _)| {
            !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
        });
        header || key
    };
    let mut uncommented = text[..start].to_string();
    for line in text[start..].lines() {
        uncommented.push_str(line.strip_prefix("# ").filter(is_code).unwrap_or(line));
        uncommented.push('\n');
    }
    let c = load_str(&uncommented, &path).unwrap_or_else(|e| panic!("{e}"));
    let s = smtp(&c);
    assert_eq!(
        (s.host.as_str(), s.port, s.username.as_deref()),
        ("smtp.fastmail.com", 465, Some("you@fastmail.com"))
    );
    let e = c.email.as_ref().unwrap();
    assert_eq!(e.to.len(), 2);
    let d = &c.digests[0];
    assert_eq!(
        (d.name.as_str(), d.timezone),
        ("morning", chrono_tz::Europe::Kyiv)
    );
    assert_eq!(d.schedule.describe(), "daily 08:00");
    // And every [email] / [[digest]] key is documented there.
    for key in EMAIL_KEYS.iter().chain(DIGEST_KEYS) {
        let assigned = |l: &str| {
            l.trim_start_matches('#')
                .trim_start()
                .strip_prefix(key)
                .is_some_and(|r| r.trim_start().starts_with('='))
        };
        assert!(
            text[start..].lines().any(assigned),
            "example does not document {key}"
        );
    }
}
