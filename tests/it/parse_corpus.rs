//! Every feed file of the test-suite corpus (`<corpus>/suites/`) through
//! `parse::parse_document` + `normalize::normalize`: no panic may escape, no
//! file may hang, and at least a measured floor of files must parse. The
//! charset decisions (HTTP charset over the prolog, windows-1251, UTF-16/32
//! with and without BOM) on the project's fixtures (`tests/fixtures/charset`).
//!
//! The corpus tests run when `build.rs` found the corpus
//! (`$NEWSWATCH_CORPUS`, else `../shared/corpus` next to the crate); without
//! it `cargo test` lists them as ignored.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chrono::Utc;
use newswatch::model::{Document, ParsedFeed};
use newswatch::normalize::{NormalizeContext, normalize};
use newswatch::parse::{ParseError, parse_document};

use crate::support::{corpus, fixture};

/// Files with these extensions are treated as feed documents.
const FEED_EXTENSIONS: &[&str] = &["xml", "rss", "atom", "rdf", "json", "opml"];

/// Measured with this parser: 2,339 of 2,373 feed files parse. The other 34
/// are not feeds (OPML, CDF, HTML fragments, an empty file) or XML broken
/// beyond loose repair (mismatched end tags, unterminated CDATA). Set
/// slightly below the measurement so a corpus tweak does not fail CI while
/// a real regression does.
const PARSED_FLOOR: usize = 2_300;

/// A parse that takes longer than this is a hang.
const TIMEOUT: Duration = Duration::from_secs(10);

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            walk(&path, out);
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| FEED_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(path);
        }
    }
}

/// JSON files that are not feeds: a suite's expected output (feed-rs
/// `*.serde.json`, gofeed `x.json` next to `x.xml`, `*_expected.json`) or any
/// JSON without a JSON Feed version URL — JSON Feed is defined by it.
fn is_expectation(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    if !name.ends_with(".json") {
        return false;
    }
    if name.ends_with(".serde.json") || name.ends_with("_expected.json") {
        return true;
    }
    if ["xml", "rss", "atom", "rdf"]
        .iter()
        .any(|ext| path.with_extension(ext).exists())
    {
        return true;
    }
    let text = std::fs::read(path).unwrap_or_default();
    !String::from_utf8_lossy(&text).contains("jsonfeed.org/version")
}

/// feedparser's test files give the HTTP response headers in a leading
/// comment: `Header: Content-type: application/xml;charset = us-ascii`.
fn header_content_type(bytes: &[u8]) -> Option<String> {
    let head: String = bytes.iter().take(2048).map(|&b| char::from(b)).collect();
    head.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("Header:")?.trim();
        let (name, value) = rest.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-type")
            .then(|| value.trim().to_owned())
    })
}

fn load(path: &Path) -> Document {
    let mut bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // node-feedparser's compressed.xml and invalid-characters-gzipped.xml
    // are gzip bodies as a server would send them.
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut plain)
            .unwrap_or_else(|e| panic!("{}: gunzip: {e}", path.display()));
        bytes = plain;
    }
    let content_type = header_content_type(&bytes);
    Document {
        bytes,
        content_type,
        url: None,
    }
}

enum Outcome {
    Parsed(ParsedFeed, usize),
    Failed(ParseError),
}

/// Runs parse + normalize on a worker thread; Err describes a panic or hang.
fn run(doc: Document) -> Result<Outcome, String> {
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        let outcome = match parse_document(&doc) {
            Ok(feed) => {
                let ctx = NormalizeContext {
                    now: Utc::now(),
                    source_language: None,
                };
                let n = normalize(&feed, &ctx).len();
                Outcome::Parsed(feed, n)
            }
            Err(e) => Outcome::Failed(e),
        };
        let _ = tx.send(outcome);
    });
    match rx.recv_timeout(TIMEOUT) {
        Ok(outcome) => {
            let _ = worker.join();
            Ok(outcome)
        }
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("no result after {TIMEOUT:?} (hang)")),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(match worker.join() {
            Err(p) => format!(
                "panicked: {}",
                p.downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default()
            ),
            Ok(()) => "worker ended without a result".to_owned(),
        }),
    }
}

fn parse(path: &Path, content_type: Option<&str>) -> ParsedFeed {
    let mut doc = load(path);
    doc.content_type = content_type.map(str::to_owned);
    match run(doc) {
        Ok(Outcome::Parsed(feed, _)) => feed,
        Ok(Outcome::Failed(e)) => panic!("{}: {e}", path.display()),
        Err(e) => panic!("{}: {e}", path.display()),
    }
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn every_suite_file_parses_or_fails_cleanly() {
    let root = corpus();
    let mut files = Vec::new();
    walk(&root.join("suites"), &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no feed files under {}",
        root.join("suites").display()
    );

    let (mut feeds, mut parsed, mut errors, mut entries) = (0usize, 0usize, 0usize, 0usize);
    let (mut expectations, mut expectations_parsed) = (0usize, 0usize);
    let mut escaped: Vec<String> = Vec::new();
    let mut crashed: Vec<String> = Vec::new();
    let mut by_reason: BTreeMap<String, usize> = BTreeMap::new();
    // NEWSWATCH_CORPUS_VERBOSE=1 lists every file that failed and why.
    let verbose = std::env::var_os("NEWSWATCH_CORPUS_VERBOSE").is_some();
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        let expectation = is_expectation(path);
        if expectation {
            expectations += 1;
        } else {
            feeds += 1;
        }
        match run(load(path)) {
            Ok(Outcome::Parsed(_, n)) => {
                if expectation {
                    expectations_parsed += 1;
                } else {
                    parsed += 1;
                    entries += n;
                }
            }
            Ok(Outcome::Failed(e)) => {
                if matches!(e, ParseError::Crashed(_)) {
                    crashed.push(format!("{rel}: {e}"));
                }
                if !expectation {
                    errors += 1;
                    let reason = e.to_string();
                    if verbose {
                        eprintln!("parse_corpus: {rel}: {reason}");
                    }
                    let kind = reason.split(':').next().unwrap_or("");
                    let kind = kind.split(" at line").next().unwrap_or(kind).to_owned();
                    *by_reason.entry(kind).or_default() += 1;
                }
            }
            Err(e) => escaped.push(format!("{rel}: {e}")),
        }
    }

    eprintln!(
        "parse_corpus: {} files under suites/: {feeds} feed files → {parsed} parsed ({entries} entries), \
         {errors} clean errors; {expectations} expectation JSON files ({expectations_parsed} happen to parse)",
        files.len()
    );
    for (reason, n) in &by_reason {
        eprintln!("parse_corpus:   {n:5} × {reason}");
    }
    assert!(
        escaped.is_empty(),
        "panics/hangs escaped parse_document:\n{}",
        escaped.join("\n")
    );
    assert!(
        crashed.is_empty(),
        "feed-rs panicked (caught) on:\n{}",
        crashed.join("\n")
    );
    assert!(
        parsed >= PARSED_FLOOR,
        "only {parsed} of {feeds} feed files parsed (floor {PARSED_FLOOR})"
    );
}

/// A windows-1251 feed that says so in its prolog, read without an HTTP
/// charset (a file, or a server that sends none).
#[test]
fn windows_1251_feed_has_clean_cyrillic_titles() {
    let feed = parse(&fixture("charset/windows-1251.xml"), None);
    assert_eq!(feed.encoding, "windows-1251");
    let titles: Vec<&str> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.as_deref())
        .collect();
    assert_eq!(
        titles,
        [
            "В Заречном главные стройки года – детский сад и бассейн",
            "Снегопад парализовал движение на трассе № 12",
            "«Ёлка желаний» собрала подарки для трёхсот детей",
            "Городская больница получила новый томограф",
        ]
    );
}

/// The charset of the HTTP Content-Type overrides the XML prolog (RFC 3023;
/// feedparser's http_*_charset_overrides_encoding cases): each fixture's
/// bytes are in the header's charset while its prolog names another, so a
/// prolog that won would garble the text. Every way servers write the
/// parameter: bare, spaced, single- and double-quoted.
#[test]
fn http_charset_overrides_xml_prolog() {
    let cases = [
        (
            "http-utf-8-over-prolog-iso-8859-1.xml",
            "application/rss+xml; charset=utf-8",
            "UTF-8",
            "Café terrace reopens",
            "Coffee now costs £3 – up 10 %",
        ),
        (
            "http-windows-1252-over-prolog-utf-8.xml",
            "text/xml; charset=windows-1252",
            "windows-1252",
            "Ticket prices",
            "Tickets cost £5 — “cheap”.",
        ),
        (
            "http-koi8-r-over-prolog-windows-1251.xml",
            "application/xml;charset = koi8-r",
            "KOI8-R",
            "Переговоры продолжатся в пятницу",
            "Делегации встретятся в Женеве.",
        ),
        // us-ascii is windows-1252 in the WHATWG Encoding Standard.
        (
            "http-us-ascii-over-prolog-koi8-r.xml",
            "application/rss+xml;charset= \"us-ascii\"",
            "windows-1252",
            "Plain ASCII headline",
            "Nothing but ASCII here.",
        ),
        // gb2312 is GBK in the WHATWG Encoding Standard.
        (
            "http-gb2312-over-prolog-utf-8.atom",
            "application/atom+xml; charset='gb2312'",
            "GBK",
            "和平谈判将在日内瓦继续",
            "双方代表团下周会面。",
        ),
    ];
    for (name, content_type, encoding, title, summary) in cases {
        let feed = parse(&fixture("charset").join(name), Some(content_type));
        assert_eq!(feed.encoding, encoding, "{name}");
        let entry = feed
            .entries
            .first()
            .unwrap_or_else(|| panic!("{name}: no entry"));
        assert_eq!(entry.title.as_deref(), Some(title), "{name}");
        assert_eq!(entry.summary.as_deref(), Some(summary), "{name}");
    }
}

/// UTF-16 and UTF-32, big- and little-endian, with a byte order mark and
/// without one (recognised by the zero bytes around the first `<`).
#[test]
fn utf16_and_utf32_files_parse() {
    for (name, encoding) in [
        ("utf-16be-bom.xml", "UTF-16BE"),
        ("utf-16le-bom.xml", "UTF-16LE"),
        ("utf-16be.xml", "UTF-16BE"),
        ("utf-16le.xml", "UTF-16LE"),
        ("utf-32be-bom.xml", "UTF-32BE"),
        ("utf-32le-bom.xml", "UTF-32LE"),
        ("utf-32be.xml", "UTF-32BE"),
        ("utf-32le.xml", "UTF-32LE"),
    ] {
        let feed = parse(&fixture("charset").join(name), None);
        assert_eq!(feed.encoding, encoding, "{name}");
        assert_eq!(
            feed.entries.first().and_then(|e| e.title.as_deref()),
            Some("Переговоры — talks «resume»"),
            "{name}"
        );
    }
}

/// The real-world snapshots (`history/`, `feeds/`) must all parse: they are
/// what production looks like.
#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn history_and_single_feeds_all_parse() {
    let root = corpus();
    let mut files = Vec::new();
    walk(&root.join("history"), &mut files);
    walk(&root.join("feeds"), &mut files);
    assert!(
        files.len() >= 100,
        "expected the history snapshots under {}",
        root.display()
    );
    let mut entries = 0;
    for path in &files {
        match run(load(path)) {
            Ok(Outcome::Parsed(_, n)) => entries += n,
            Ok(Outcome::Failed(e)) => panic!("{}: {e}", path.display()),
            Err(e) => panic!("{}: {e}", path.display()),
        }
    }
    eprintln!(
        "parse_corpus: {} history/feeds snapshots → {entries} entries",
        files.len()
    );
}
