//! The revisions the fetch workers compute before the transaction: the
//! commit stage stores them when they still apply, and compares anew when
//! they do not. (Each test marks the prepared revision, so that the stored
//! one shows which was used.) Also: the search index's form of an entry,
//! whoever analysed it.

use chrono::{DateTime, Utc};

use super::*;
use crate::detect::revisions::{Revision, VersionText};
use crate::model::Document;
use crate::pipeline::PreparedRevision;
use crate::pipeline::analyse::entry_keys;
use crate::pipeline::lookahead::Lookahead;
use crate::pipeline::{Detection, parse_and_normalize, source_specs};
use crate::store::{DueSource, ItemFilter};

const CONFIG: &str = r#"
[daemon]
database = "DB"

[[source]]
name = "wire"
url = "http://127.0.0.1:1/feed.xml"

[[topic]]
name = "truce"
query = "ceasefire"
"#;

/// Mark a prepared revision, so the stored one shows it was used.
const MARK: &str = "prepared before the transaction";

struct Bench {
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
    store: Store,
    committer: Committer,
    detection: Detection,
    src: DueSource,
    t0: DateTime<Utc>,
}

fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("t.db");
    let text = CONFIG.replace("DB", &db.display().to_string());
    let config = crate::config::load_str(&text, &dir.path().join("c.toml")).unwrap();
    let mut store = Store::open(&db).unwrap();
    let t0 = crate::store::parse_ts("2026-11-30T10:00:00Z").unwrap();
    store
        .sync_config_sources(&source_specs(&config), t0)
        .unwrap();
    let src = store.source_by_name("wire").unwrap();
    Bench {
        _dir: dir,
        db,
        store,
        committer: Committer::new(None),
        detection: Detection::new(&config),
        src,
        t0,
    }
}

/// An RSS document of (guid, link, pubDate, title, description) items.
fn rss(items: &[(&str, &str, &str, &str, &str)]) -> Document {
    let body: String = items
        .iter()
        .map(|(guid, link, date, title, text)| {
            format!(
                "<item><guid>{guid}</guid><link>{link}</link><pubDate>{date}</pubDate>\
                 <title>{title}</title><description>{text}</description></item>"
            )
        })
        .collect();
    Document {
        bytes: format!("<rss version=\"2.0\"><channel><title>w</title>{body}</channel></rss>")
            .into_bytes(),
        content_type: None,
        url: Some("http://127.0.0.1:1/feed.xml".into()),
    }
}

impl Bench {
    fn record(&self, doc: &Document, minutes: i64) -> FetchRecord {
        let at = self.t0 + chrono::Duration::minutes(minutes);
        let mut rec = FetchRecord::new(self.src.id, at, self.src.url.clone());
        rec.outcome = FetchStatus::Ok;
        rec.entries = parse_and_normalize(doc, None, at).unwrap().entries;
        rec
    }

    fn commit(&mut self, rec: &FetchRecord) -> FetchSummary {
        self.committer.apply(&mut self.store, rec).unwrap()
    }

    /// The reasons of every revision of the item at `LINK`, oldest first.
    fn reasons(&self) -> Vec<Vec<String>> {
        let items = self
            .store
            .items(&ItemFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        let item = items
            .iter()
            .find(|i| i.url.as_deref() == Some(LINK))
            .expect("the item");
        self.store
            .item_revisions(item.id)
            .unwrap()
            .into_iter()
            .map(|(r, _)| r.reasons)
            .collect()
    }
}

fn marked(mut rev: Revision) -> Revision {
    rev.reasons = vec![MARK.into()];
    rev
}

const LINK: &str = "http://127.0.0.1:1/a";
const MON: &str = "Mon, 30 Nov 2026 09:00:00 GMT";
const TUE: &str = "Tue, 01 Dec 2026 09:00:00 GMT";
const WED: &str = "Wed, 02 Dec 2026 09:00:00 GMT";

fn talks(killed: u32) -> String {
    format!("Strikes killed {killed} people as ceasefire talks opened in Geneva on Monday.")
}

#[test]
fn a_revision_prepared_by_the_worker_is_stored_while_its_version_holds() {
    let mut b = bench();
    let lookahead = Lookahead::new(b.db.clone());
    let first = rss(&[("g1", LINK, MON, "Ceasefire talks open", &talks(5))]);
    let mut rec = b.record(&first, 0);
    b.detection.analyse(&b.src.name, &mut rec);
    b.commit(&rec);

    // The poller reads the stored version beside the writer and compares.
    let second = rss(&[("g1", LINK, MON, "Ceasefire talks open", &talks(22))]);
    let mut rec = b.record(&second, 15);
    let found = lookahead.look_up(&rec);
    b.detection
        .analyse_changed(&b.src.name, &mut rec, &found.unchanged);
    found.prepare(&mut rec);
    let p = rec.prepared[0].as_ref().expect("a prepared revision");
    assert_eq!(p.version, 1);
    let direct = crate::detect::revisions::compare(
        &VersionText {
            title: "Ceasefire talks open",
            text: &talks(5),
        },
        &VersionText {
            title: "Ceasefire talks open",
            text: &talks(22),
        },
        &p.terms,
    );
    assert_eq!(p.revision, direct, "the same comparison as on the writer");
    assert!(!p.terms.is_empty(), "the topic's terms are weighed");

    // Still version 1 when the writer gets it: stored as prepared.
    let mut used = rec.clone();
    if let Some(p) = used.prepared[0].as_mut() {
        p.revision = marked(p.revision.clone());
    }
    let summary = b.commit(&used);
    assert_eq!(summary.items_changed, 1);
    assert_eq!(b.reasons(), [vec![MARK.to_string()]]);

    // Prepared against version 1, but version 2 is stored by then: the
    // writer compares with version 2 itself.
    let third = rss(&[("g1", LINK, MON, "Ceasefire talks open", &talks(30))]);
    let mut stale = b.record(&third, 30);
    b.detection.analyse(&b.src.name, &mut stale);
    stale.prepared = vec![Some(PreparedRevision {
        revision: marked(direct),
        ..p_clone(&rec)
    })];
    b.commit(&stale);
    let reasons = b.reasons();
    assert_eq!(reasons.len(), 2);
    assert_ne!(reasons[1], [MARK.to_string()], "{reasons:?}");
    assert!(
        reasons[1]
            .iter()
            .any(|r| r.contains("22") && r.contains("30")),
        "{reasons:?}"
    );

    // With the last document remembered (a running daemon), only the
    // entries it did not have are looked up, and a changed one is prepared.
    lookahead.remember_document(b.src.id, true, Some(entry_keys(&stale)));
    let fourth = rss(&[
        ("g1", LINK, MON, "Ceasefire talks open", &talks(31)),
        (
            "g2",
            "http://127.0.0.1:1/b",
            TUE,
            "Grain exports rise",
            "Ports reopen.",
        ),
    ]);
    let mut rec = b.record(&fourth, 45);
    let found = lookahead.look_up(&rec);
    b.detection
        .analyse_changed(&b.src.name, &mut rec, &found.unchanged);
    found.prepare(&mut rec);
    let p = rec.prepared[0].as_ref().expect("a prepared revision");
    assert_eq!((p.version, rec.prepared[1].is_none()), (3, true));
}

fn p_clone(rec: &FetchRecord) -> PreparedRevision {
    rec.prepared[0].clone().unwrap()
}

#[test]
fn revisions_between_the_states_one_document_carries_are_made_by_analysis() {
    let mut b = bench();
    // Two states of one story (one link, new guid per edit, as AP does).
    let two = rss(&[
        ("g1", LINK, MON, "Ceasefire talks stall", &talks(5)),
        ("g2", LINK, TUE, "Ceasefire talks resume", &talks(5)),
    ]);
    let mut rec = b.record(&two, 0);
    b.detection.analyse(&b.src.name, &mut rec);
    let analysed = rec.analyses[0].as_mut().unwrap();
    assert_eq!(analysed.doc_revisions.len(), 1);
    analysed.doc_revisions[0] = marked(analysed.doc_revisions[0].clone());
    assert_eq!(b.commit(&rec).items_new, 1);
    assert_eq!(b.reasons(), [vec![MARK.to_string()]]);

    // A third state: the stored version is the document's second one, so
    // analysis's revision from it applies. (Other stories beside it: a link
    // most items of a feed share identifies none of them.)
    let three = rss(&[
        ("g1", LINK, MON, "Ceasefire talks stall", &talks(5)),
        ("g2", LINK, TUE, "Ceasefire talks resume", &talks(5)),
        (
            "g3",
            LINK,
            WED,
            "Ceasefire talks resume in Geneva",
            &talks(5),
        ),
        (
            "o1",
            "http://127.0.0.1:1/o1",
            MON,
            "Grain exports rise",
            "Ports reopen.",
        ),
        (
            "o2",
            "http://127.0.0.1:1/o2",
            MON,
            "Rail line repaired",
            "Trains run.",
        ),
        (
            "o3",
            "http://127.0.0.1:1/o3",
            MON,
            "Harvest begins",
            "Fields are busy.",
        ),
    ]);
    let mut rec = b.record(&three, 15);
    b.detection.analyse(&b.src.name, &mut rec);
    let at = rec
        .entries
        .iter()
        .position(|e| e.url.as_deref() == Some(LINK))
        .unwrap();
    let analysed = rec.analyses[at].as_mut().unwrap();
    assert_eq!(analysed.doc_revisions.len(), 2);
    analysed.doc_revisions[1] = marked(analysed.doc_revisions[1].clone());
    let summary = b.commit(&rec);
    assert_eq!((summary.items_new, summary.items_changed), (3, 1));
    assert_eq!(b.reasons().len(), 2);
    assert_eq!(b.reasons()[1], [MARK.to_string()]);
}

/// The search index takes every entry with its stems, whichever way it
/// reached the commit stage: analysed by the worker, analysed on the
/// writer (skipped by the worker, new after all), or not analysed at all.
/// Each is found by another inflection of its words.
#[test]
fn every_entry_is_indexed_with_its_stems_however_it_was_analysed() {
    let mut b = bench();
    let doc = rss(&[
        (
            "a",
            "http://127.0.0.1:1/a",
            MON,
            "Визит Путина в Пекин",
            "Кремль.",
        ),
        (
            "b",
            "http://127.0.0.1:1/b",
            MON,
            "Звонок Путину из Вашингтона",
            "Кремль.",
        ),
        (
            "c",
            "http://127.0.0.1:1/c",
            MON,
            "Envoys keep negotiating in Geneva",
            "Talks.",
        ),
    ]);
    let mut rec = b.record(&doc, 0);
    // a: analysed by the worker; b: skipped by it, analysed on the writer;
    // c: past the analyses, so never analysed.
    rec.analyses = vec![
        Some(b.detection.analyse_entry("wire", &rec.entries[0])),
        None,
    ];
    let detection =
        Detection::new(&crate::config::load_str(CONFIG, std::path::Path::new("c.toml")).unwrap());
    rec.analyser = Some(crate::pipeline::analyse::Analyser::new(
        std::sync::Arc::new(detection),
        "wire".into(),
    ));
    assert_eq!(b.commit(&rec).items_new, 3);
    let found = |q: &str| -> Vec<String> {
        let mut t: Vec<String> = b
            .store
            .search(q, 10)
            .unwrap()
            .into_iter()
            .map(|h| h.item.title)
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        found("Путин"),
        ["Визит Путина в Пекин", "Звонок Путину из Вашингтона"]
    );
    assert_eq!(found("negotiations"), ["Envoys keep negotiating in Geneva"]);
}
