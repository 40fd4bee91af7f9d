//! A bounded, deterministic fuzz pass on stable Rust: the project's fixture
//! feeds, and corpus feed files when the corpus is there, mutated with a
//! seeded generator (bytes flipped, inserted, deleted,
//! duplicated, cut; markup-aware splices), through the same parse →
//! normalise → detect path as `fuzz/fuzz_targets/parse_detect.rs`. No input
//! may panic. `cargo fuzz` (fuzz/run) explores far more; this keeps CI
//! honest without a nightly toolchain.

use std::path::{Path, PathBuf};

use newswatch::detect::SourceContext;
use newswatch::model::Document;
use newswatch::pipeline::{Detection, parse_and_normalize};

use crate::support::{Rng, corpus, fixture};

/// Corpus files mutated, spread evenly over the sorted list.
const FILES: usize = 40;
/// Mutants per file.
const MUTANTS: usize = 60;

/// Fragments that stress the parser when spliced in.
const SPLICES: &[&[u8]] = &[
    b"<![CDATA[",
    b"]]>",
    b"&#xD800;",
    b"&nbsp;&amp;&#0;",
    b"<item><title>",
    b"</channel>",
    b"<?xml version=\"1.0\" encoding=\"utf-16\"?>",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xc3\x28",
    b"<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]>",
    "«цитата» — Зеленський заявив".as_bytes(),
];

fn mutate(input: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let len = out.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, rng.next() as u8),
            2 if len > 0 => {
                let end = (at + 1 + rng.below(64)).min(len);
                out.drain(at.min(len)..end);
            }
            3 => out.truncate(at),
            4 if len > 0 => {
                let from = rng.below(len);
                let end = (from + 1 + rng.below(256)).min(len);
                let piece = out[from..end].to_vec();
                out.splice(at..at, piece);
            }
            _ => {
                let piece = SPLICES[rng.below(SPLICES.len())];
                out.splice(at..at, piece.iter().copied());
            }
        }
    }
    out
}

fn feed_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            feed_files(&p, out);
        } else if p
            .extension()
            .and_then(|x| x.to_str())
            .is_some_and(|x| ["xml", "rss", "atom", "rdf", "json"].contains(&x))
            && e.metadata().is_ok_and(|m| m.len() < 256 * 1024)
        {
            out.push(p);
        }
    }
}

#[test]
fn mutated_fixture_feeds_never_panic() {
    let mut files = Vec::new();
    for dir in ["feeds", "history", "charset"] {
        feed_files(&fixture(dir), &mut files);
    }
    files.sort();
    assert!(files.len() >= 20, "{} fixture feed files", files.len());
    // A mutation breaks more of a small file: about a seventh of these
    // mutants stay readable.
    let parsed = mutate_and_parse(&files);
    assert!(
        parsed > files.len() * MUTANTS / 10,
        "only {parsed} mutants parsed"
    );
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn mutated_corpus_feeds_never_panic() {
    let mut files = Vec::new();
    feed_files(&corpus().join("suites"), &mut files);
    files.sort();
    assert!(
        files.len() >= FILES,
        "corpus has {} feed files",
        files.len()
    );
    let step = files.len() / FILES;
    let picked: Vec<PathBuf> = files.into_iter().step_by(step).take(FILES).collect();
    let parsed = mutate_and_parse(&picked);
    // About a quarter of the mutants stay readable (loose repair), so the
    // pass exercises the whole path, not just the parser's error exits.
    assert!(parsed > FILES * MUTANTS / 5, "only {parsed} mutants parsed");
}

/// `MUTANTS` mutants of each file through parse → normalise → detect; fails
/// on the first panic, saving its input. Returns how many mutants parsed.
fn mutate_and_parse(files: &[PathBuf]) -> usize {
    let config = newswatch::config::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/newswatch.example.toml"
    )))
    .expect("example config");
    let detection = Detection::new(&config);
    let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    let ctx = SourceContext {
        name: "fuzz",
        tags: &[],
        statement_speaker: None,
    };
    let mut parsed = 0;
    for (n, file) in files.iter().enumerate() {
        let original = std::fs::read(file).unwrap();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ n as u64);
        for m in 0..MUTANTS {
            let bytes = mutate(&original, &mut rng);
            let outcome = std::panic::catch_unwind(|| {
                let doc = Document {
                    bytes: bytes.clone(),
                    content_type: None,
                    url: Some("https://fuzz.example/feed".into()),
                };
                let Ok(doc) = parse_and_normalize(&doc, None, now) else {
                    return false;
                };
                for entry in &doc.entries {
                    let _ = detection.detector().analyse(entry, &ctx);
                }
                true
            });
            match outcome {
                Ok(ok) => parsed += usize::from(ok),
                Err(_) => {
                    let keep = std::env::temp_dir().join(format!("newswatch-mutant-{n}-{m}.xml"));
                    let _ = std::fs::write(&keep, &bytes);
                    panic!(
                        "mutant {m} of {} panicked; input saved to {}",
                        file.display(),
                        keep.display()
                    );
                }
            }
        }
    }
    parsed
}
