//! Unit tests for normalize: small inline feeds, and fixture files
//! (tests/fixtures) reproducing the real feeds whose quirks forced the rules.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::{TimeZone, Timelike, Utc};

use super::*;
use crate::model::Document;
use crate::parse::parse_document;

fn ctx() -> NormalizeContext<'static> {
    NormalizeContext {
        now: Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
        source_language: None,
    }
}

fn load(rel: &str) -> Vec<Entry> {
    let path = crate::testutil::fixture(rel);
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let feed = parse_document(&Document {
        bytes,
        content_type: None,
        url: None,
    })
    .unwrap_or_else(|e| panic!("{rel}: {e}"));
    normalize(&feed, &ctx())
}

fn raw(title: &str, link: Option<&str>, guid: Option<&str>, summary: &str, day: u32) -> RawEntry {
    RawEntry {
        guid: guid.map(str::to_owned),
        link: link.map(str::to_owned),
        title: Some(title.to_owned()),
        summary: Some(summary.to_owned()),
        published: Utc.with_ymd_and_hms(2026, 5, day, 12, 0, 0).single(),
        ..RawEntry::default()
    }
}

fn feed(entries: Vec<RawEntry>) -> ParsedFeed {
    ParsedFeed {
        link: Some("https://site.example/".into()),
        entries,
        ..ParsedFeed::default()
    }
}

#[test]
fn title_and_text_cleaning() {
    let mut e = raw(
        "It&amp;rsquo;s <b>big</b>\u{00A0}news",
        Some("https://a.example/1"),
        Some("g"),
        "",
        1,
    );
    e.summary = Some("<p>Zel\u{200B}ensky&nbsp;said</p><script>x()</script><p>more</p>".into());
    e.authors = vec![" Ann  Smith ".into()];
    e.categories = vec!["World".into(), "World".into(), " ".into()];
    e.language = Some("en-US".into());
    let out = normalize(&feed(vec![e]), &ctx());
    assert_eq!(out.len(), 1);
    let x = &out[0];
    assert_eq!(x.current.title, "It’s big news");
    assert_eq!(x.current.text, "Zelensky said\nmore");
    assert_eq!(
        x.current.content_hash,
        stable_hash(&[&x.current.title, &x.current.text])
    );
    assert_eq!(
        x.keys,
        vec!["g:g".to_owned(), "u:https://a.example/1".to_owned()]
    );
    assert_eq!(x.language.as_deref(), Some("en"));
    assert_eq!(x.author.as_deref(), Some("Ann Smith"));
    assert_eq!(x.categories, vec!["World".to_owned()]);
}

#[test]
fn content_preferred_and_caps() {
    let mut e = raw("t", None, None, "summary", 1);
    e.content = Some("<div>content</div>".into());
    e.title = Some("x".repeat(MAX_TITLE_BYTES + 10) + "é");
    let out = normalize(&feed(vec![e]), &ctx());
    assert_eq!(out[0].current.text, "content");
    assert_eq!(out[0].current.title.len(), MAX_TITLE_BYTES);
    // A 1 MB title is kept whole.
    let mut e = raw("t", None, None, "", 1);
    e.title = Some("peace talks ".repeat(90_000) + "end");
    let out = normalize(&feed(vec![e]), &ctx());
    assert_eq!(out[0].current.title.len(), 12 * 90_000 + 3);
    assert!(out[0].current.title.ends_with("talks end"));
    let mut e = raw("t", None, None, "", 1);
    e.summary = Some("ж".repeat(200_000));
    let out = normalize(&feed(vec![e]), &ctx());
    assert!(out[0].current.text.len() <= MAX_TEXT_BYTES);
}

#[test]
fn published_plausibility() {
    let mut a = raw("a", None, None, "", 1);
    a.published = Utc.with_ymd_and_hms(1970, 1, 1, 0, 0, 0).single();
    let mut b = raw("b", None, None, "", 1);
    b.published = Utc.with_ymd_and_hms(2026, 6, 4, 0, 0, 0).single();
    let mut c = raw("c", None, None, "", 1);
    c.published = None;
    c.updated = Utc.with_ymd_and_hms(2026, 5, 30, 0, 0, 0).single();
    let out = normalize(&feed(vec![a, b, c]), &ctx());
    assert_eq!(out[0].current.published, None);
    assert_eq!(out[1].current.published, None);
    assert_eq!(
        out[2].current.published,
        Utc.with_ymd_and_hms(2026, 5, 30, 0, 0, 0).single()
    );
}

#[test]
fn guid_duplicates() {
    // Same guid, same content: collapsed. Same guid, different content: no g: key.
    let entries = vec![
        raw("one", Some("https://a.example/1"), Some("dup"), "x", 1),
        raw("one", Some("https://a.example/1"), Some("dup"), "x", 1),
        raw("two", Some("https://a.example/2"), Some("clash"), "y", 2),
        raw("three", Some("https://a.example/3"), Some("clash"), "z", 3),
    ];
    let out = normalize(&feed(entries), &ctx());
    assert_eq!(out.len(), 3);
    assert_eq!(out[0].keys[0], "g:dup");
    assert_eq!(out[1].keys, vec!["u:https://a.example/2".to_owned()]);
    assert_eq!(out[2].keys, vec!["u:https://a.example/3".to_owned()]);
    assert_eq!(out[1].guid, None);
}

#[test]
fn versions_of_one_link_fold_into_one_entry() {
    let entries = vec![
        raw(
            "Old headline",
            Some("https://ap.example/story?utm_source=rss"),
            Some("v1"),
            "",
            1,
        ),
        raw("Other", Some("https://ap.example/other"), Some("o"), "", 1),
        raw(
            "New headline",
            Some("https://ap.example/story"),
            Some("v2"),
            "",
            3,
        ),
        raw(
            "Mid headline",
            Some("https://ap.example/story"),
            Some("v3"),
            "",
            2,
        ),
        raw(
            "Old headline",
            Some("https://ap.example/story"),
            Some("v4"),
            "",
            2,
        ),
    ];
    // Padding: a link shared by more than half of a document is a home-page
    // link (Meduza), not a story; AP files carry 500 items.
    let mut entries = entries;
    for n in 0..5 {
        entries.push(raw(
            &format!("pad {n}"),
            Some(&format!("https://ap.example/p{n}")),
            None,
            "",
            1,
        ));
    }
    let out = normalize(&feed(entries), &ctx());
    assert_eq!(out.len(), 7);
    let s = &out[1];
    assert_eq!(s.current.title, "New headline");
    let earlier: Vec<&str> = s.earlier.iter().map(|e| e.title.as_str()).collect();
    assert_eq!(earlier, vec!["Old headline", "Mid headline"]);
    assert_eq!(s.keys[0], "g:v2");
    for k in ["g:v1", "g:v3", "g:v4", "u:https://ap.example/story"] {
        assert!(s.keys.iter().any(|x| x == k), "missing {k} in {:?}", s.keys);
    }
    assert_eq!(s.url.as_deref(), Some("https://ap.example/story"));
}

#[test]
fn shared_and_channel_links_are_not_identities() {
    let entries = vec![
        raw("a", Some("https://site.example/"), None, "", 1),
        raw("b", Some("https://site.example/news"), None, "", 1),
        raw("c", Some("https://site.example/news"), None, "", 1),
        raw("d", Some("https://site.example/news"), None, "", 1),
    ];
    let out = normalize(&feed(entries), &ctx());
    assert_eq!(out.len(), 4);
    for e in &out {
        assert_eq!(e.keys.len(), 1);
        assert!(e.keys[0].starts_with("h:"), "{:?}", e.keys);
    }
    // h: depends on folded title and date only.
    let again = normalize(&feed(vec![raw("A", None, None, "other text", 1)]), &ctx());
    assert_eq!(again[0].keys, out[0].keys);
}

#[test]
fn language_fallbacks() {
    let e = raw("Песков заявил о переговорах", None, None, "", 1);
    let out = normalize(&feed(vec![e.clone()]), &ctx());
    assert_eq!(out[0].language.as_deref(), Some("ru"));
    let mut f = feed(vec![e.clone()]);
    f.language = Some("uk-UA".into());
    assert_eq!(normalize(&f, &ctx())[0].language.as_deref(), Some("uk"));
    let c = NormalizeContext {
        source_language: Some("de"),
        ..ctx()
    };
    assert_eq!(
        normalize(&feed(vec![e]), &c)[0].language.as_deref(),
        Some("de")
    );
}

/// A scraper that appends a new item per headline edit (same link, new
/// guid, new date) and keeps the old ones (the AP mirror of the corpus):
/// one entry per story, carrying the earlier headlines.
#[test]
fn reissued_guids_fold_into_versions() {
    let dir = crate::testutil::fixture("history/reissued-guids");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "snapshots in {}", dir.display());
    let mut folded = 0;
    for path in &files {
        let bytes = std::fs::read(path).expect("readable");
        let feed = parse_document(&Document {
            bytes,
            content_type: None,
            url: None,
        })
        .expect("snapshot parses");
        let out = normalize(&feed, &ctx());
        // Every link appears in at most one Entry.
        let mut urls = HashSet::new();
        for e in &out {
            if let Some(u) = &e.url {
                assert!(
                    urls.insert(u.clone()),
                    "{}: link {u} in two entries",
                    path.display()
                );
            }
        }
        // Every raw guid ends up in some entry's keys.
        let keys: HashSet<&str> = out
            .iter()
            .flat_map(|e| e.keys.iter().map(String::as_str))
            .collect();
        for r in &feed.entries {
            if let Some(g) = &r.guid {
                assert!(
                    keys.contains(format!("g:{g}").as_str()),
                    "{}: guid {g} lost",
                    path.display()
                );
            }
        }
        for e in out.iter().filter(|e| !e.earlier.is_empty()) {
            folded += 1;
            assert!(e.keys.iter().filter(|k| k.starts_with("g:")).count() >= 2);
            assert!(e.keys.iter().any(|k| k.starts_with("u:")));
            let newest = e.current.published;
            assert!(e.earlier.iter().all(|x| x.published <= newest));
        }
    }
    // Two stories edited in the second snapshot, the same two again in the
    // third.
    assert_eq!(folded, 4, "entries with earlier versions");
    let last = load("history/reissued-guids/20260505T190105Z.xml");
    assert_eq!(last.len(), 5, "five stories in nine items");
    let strikes = last
        .iter()
        .find(|e| e.current.title.contains("strikes kill"))
        .expect("the strikes story");
    assert!(strikes.current.title.contains("kill 22"), "{strikes:?}");
    let earlier: Vec<&str> = strikes.earlier.iter().map(|v| v.title.as_str()).collect();
    assert_eq!(
        earlier,
        [
            "Governor says strikes kill 5 in Ukraine before brief truce takes hold",
            "Governor says strikes kill 5 in Ukraine before announced ceasefire"
        ]
    );
    // The description is an <img> and the title: the text is the title.
    assert_eq!(strikes.current.text, strikes.current.title);
}

/// No guid, every item linking the site's home page, 1970-01-01 dates,
/// no-break spaces after short words (a generated Russian feed).
#[test]
fn shared_link_without_guid_gives_title_keys() {
    let out = load("feeds/no-guid-shared-link-epoch-dates.xml");
    assert!(out.len() > 3);
    for e in &out {
        assert_eq!(e.keys.len(), 1, "{:?}", e.keys);
        assert!(e.keys[0].starts_with("h:"));
        assert_eq!(e.current.published, None);
        assert!(!e.current.title.contains('\u{00A0}'));
        assert_eq!(e.language.as_deref(), Some("ru"));
    }
    let keys: HashSet<&String> = out.iter().map(|e| &e.keys[0]).collect();
    assert_eq!(
        keys.len(),
        out.len(),
        "distinct items must get distinct h: keys"
    );
}

/// Every item printed twice, same guid and content: one entry each.
#[test]
fn exact_duplicate_items_collapse() {
    let rel = "feeds/duplicate-items.xml";
    let path = crate::testutil::fixture(rel);
    let bytes = std::fs::read(&path).expect("readable");
    let feed = parse_document(&Document {
        bytes,
        content_type: None,
        url: None,
    })
    .expect("parses");
    let guids: HashSet<&str> = feed
        .entries
        .iter()
        .filter_map(|e| e.guid.as_deref())
        .collect();
    assert!(feed.entries.len() > guids.len(), "{rel} has no duplicates");
    let out = normalize(&feed, &ctx());
    assert_eq!(out.len(), guids.len());
    assert!(out.iter().all(|e| e.keys[0].starts_with("g:")));
}

/// Full-text bodies sprinkled with U+200B, U+200C, U+2060 and U+FEFF.
#[test]
fn zero_width_characters_are_removed() {
    let out = load("feeds/zero-width-chars.xml");
    assert!(!out.is_empty());
    for e in &out {
        for bad in ['\u{200B}', '\u{200C}', '\u{2060}', '\u{FEFF}'] {
            assert!(
                !e.current.text.contains(bad),
                "{bad:?} in text of {}",
                e.current.title
            );
            assert!(!e.current.title.contains(bad));
        }
        assert!(!e.current.text.is_empty());
    }
}

/// No guid, date-only publication times (00:00 UTC), some items without a
/// description: the link is the identity.
#[test]
fn midnight_dates_without_guid_keep_link_identity() {
    let out = load("feeds/no-guid-midnight-dates.xml");
    assert_eq!(out.len(), 5);
    for e in &out {
        let p = e.current.published.expect("midnight dates are plausible");
        assert_eq!((p.hour(), p.minute()), (0, 0));
        assert_eq!(e.guid, None);
        assert!(
            e.keys[0].starts_with("u:https://news.example/russian/articles/"),
            "{:?}",
            e.keys
        );
        assert_eq!(e.language.as_deref(), Some("ru"));
    }
    // Items without a description are kept, with no text.
    assert_eq!(out.iter().filter(|e| e.current.text.is_empty()).count(), 2);
}

/// Throughput smoke test for the parse + normalize path (the benchmark
/// target is 1,000 feeds × 40 items, ~40 MB, well under a second on two
/// cores). Run with `cargo test --release --lib perf_smoke -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release mode by hand"]
fn perf_smoke() {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel><title>P</title><link>https://p.example/</link>",
    );
    for i in 0..40 {
        xml.push_str(&format!(
            "<item><title>Peace talks update {i} &amp; more</title><link>https://p.example/a/{i}?utm_source=rss</link><guid>g{i}</guid>\
             <pubDate>Mon, 04 May 2026 10:00:00 +0000</pubDate><description><![CDATA[{}]]></description></item>",
            "<p>Officials said the negotiations&nbsp;would resume, according to <a href=\"https://x\">sources</a>.</p>".repeat(9)
        ));
    }
    xml.push_str("</channel></rss>");
    let doc = Document {
        bytes: xml.into_bytes(),
        content_type: None,
        url: None,
    };
    let t = std::time::Instant::now();
    let mut n = 0;
    for _ in 0..1000 {
        let f = parse_document(&doc).expect("parses");
        n += normalize(&f, &ctx()).len();
    }
    let el = t.elapsed();
    let t = std::time::Instant::now();
    for _ in 0..1000 {
        let _ = parse_document(&doc).expect("parses");
    }
    let parse_only = t.elapsed();
    eprintln!(
        "perf_smoke: 1000 docs × {} bytes, {n} entries in {el:?} (parse alone {parse_only:?})",
        doc.bytes.len()
    );
}
