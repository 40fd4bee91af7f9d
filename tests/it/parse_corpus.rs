//! Every feed file of the test-suite corpus (`<corpus>/suites/`) through
//! `parse::parse_document` + `normalize::normalize`: no panic may escape, no
//! file may hang, and at least a measured floor of files must parse.
//!
//! The corpus is `$NEWSWATCH_CORPUS`, else `../shared/corpus` next to the
//! crate; a missing corpus fails the test (it never silently skips).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use chrono::Utc;
use newswatch::model::{Document, ParsedFeed};
use newswatch::normalize::{NormalizeContext, normalize};
use newswatch::parse::{ParseError, parse_document};

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

fn corpus() -> PathBuf {
    let dir = std::env::var("NEWSWATCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
        });
    assert!(
        dir.join("suites").is_dir(),
        "corpus not found at {} (set NEWSWATCH_CORPUS to the folder holding suites/)",
        dir.display()
    );
    dir
}

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

fn parse_file(rel: &str) -> ParsedFeed {
    let path = corpus().join(rel);
    match run(load(&path)) {
        Ok(Outcome::Parsed(feed, _)) => feed,
        Ok(Outcome::Failed(e)) => panic!("{rel}: {e}"),
        Err(e) => panic!("{rel}: {e}"),
    }
}

#[test]
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

#[test]
fn windows_1251_iconv_feed_has_clean_cyrillic_titles() {
    for rel in [
        "suites/node-feedparser/test/feeds/iconv.xml",
        "suites/node-feedparser/test/feeds/compressed.xml",
    ] {
        let feed = parse_file(rel);
        assert_eq!(feed.encoding, "windows-1251", "{rel}");
        let titles: Vec<&str> = feed
            .entries
            .iter()
            .filter_map(|e| e.title.as_deref())
            .collect();
        assert!(!titles.is_empty(), "{rel}: no titles");
        assert!(
            titles
                .iter()
                .any(|t| t.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))),
            "{rel}: no Cyrillic in titles {titles:?}"
        );
        for t in &titles {
            assert!(
                !t.contains('\u{FFFD}'),
                "{rel}: replacement character in {t:?}"
            );
        }
    }
}

#[test]
fn http_charset_overrides_xml_prolog() {
    let dir = corpus().join("suites/feedparser/tests/encoding");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let n = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            n.starts_with("http_") && n.contains("charset_overrides_encoding")
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 8,
        "expected the feedparser override cases in {}",
        dir.display()
    );
    for path in &files {
        let rel = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        let doc = load(path);
        let ct = doc
            .content_type
            .clone()
            .unwrap_or_else(|| panic!("{rel}: no Header: line"));
        let charset = ct
            .split(';')
            .find_map(|p| {
                p.split_once('=')
                    .filter(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
            })
            .map(|(_, v)| v.trim().trim_matches(['"', '\'']).to_owned())
            .unwrap_or_else(|| panic!("{rel}: no charset in {ct}"));
        let feed = match run(doc) {
            Ok(Outcome::Parsed(feed, _)) => feed,
            Ok(Outcome::Failed(e)) => panic!("{rel}: {e}"),
            Err(e) => panic!("{rel}: {e}"),
        };
        // feedparser asserts `encoding == <the header's charset>`; we report
        // encoding_rs's canonical name for that label (us-ascii and
        // iso-8859-1 are windows-1252, gb2312 is GBK, per the WHATWG
        // Encoding Standard).
        let expected = encoding_rs::Encoding::for_label(charset.as_bytes())
            .unwrap_or_else(|| panic!("{rel}: unknown label {charset}"))
            .name();
        assert_eq!(feed.encoding, expected, "{rel}");
        if rel == "http_text_xml_charset_overrides_encoding_2.xml" {
            // Expect: entries[0]['description'] == 'This is a \xa3\u201ctest.\u201d'
            assert_eq!(
                feed.entries.first().and_then(|e| e.summary.as_deref()),
                Some("This is a \u{a3}\u{201c}test.\u{201d}"),
                "{rel}"
            );
        }
    }
}

#[test]
fn utf16_and_utf32_files_parse() {
    let dir = corpus().join("suites/feedparser/tests/encoding");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.expect("dir entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_owned();
        if !(name.starts_with("utf-16") || name.starts_with("utf-32")) {
            continue;
        }
        n += 1;
        match run(load(&path)) {
            Ok(Outcome::Parsed(feed, _)) => {
                assert!(
                    feed.encoding.starts_with("UTF-16") || feed.encoding.starts_with("UTF-32"),
                    "{name}: {}",
                    feed.encoding
                );
            }
            Ok(Outcome::Failed(e)) => panic!("{name}: {e}"),
            Err(e) => panic!("{name}: {e}"),
        }
    }
    assert!(
        n >= 7,
        "expected the feedparser UTF-16/32 files in {}",
        dir.display()
    );
}

/// The real-world snapshots (`history/`, `feeds/`) must all parse: they are
/// what production looks like.
#[test]
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
