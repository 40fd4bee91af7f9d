//! Unit tests for config loading: defaults, every invalid value with its
//! file/line/key, duplicate names, path resolution; with the helpers the
//! other files share. Included files and paths: `files`; `[email]` and
//! `[[digest]]` read: `mail`; their errors: `mail_errors`.

mod files;
mod mail;
mod mail_errors;

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

fn smtp(c: &Config) -> &SmtpConfig {
    match &c.email.as_ref().expect("[email]").transport {
        MailTransport::Smtp(s) => s,
        other => panic!("not SMTP: {other:?}"),
    }
}

fn addresses(list: &[lettre::message::Mailbox]) -> Vec<String> {
    list.iter().map(|m| m.email.to_string()).collect()
}
