//! Edit significance against the labels made by reading
//! (`corpus/labels/edits-visible.tsv`, guideline in `EDITS.md`): every labeled
//! old/new pair goes straight through `detect::revisions::compare`, without
//! the replay's guards (flap, churn, extraction failure, counters), so one run
//! takes seconds. Prints major recall, major precision, cosmetic quiet and a
//! per-feed confusion matrix (`cargo test --test it edits_eval -- --nocapture`);
//! `bench/README.md` keeps the figures and the method. Scored like the
//! shared check: pairs matched by (link, newer snapshot) as multisets, AP
//! description rows left out (they repeat the title).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use newswatch::detect::revisions::{Significance, VersionText, compare};
use newswatch::model::Document;
use newswatch::parse::parse_document;
use newswatch::text::{html_to_text, title_to_text};

use crate::support::corpus;

const RANK: [&str; 3] = ["cosmetic", "minor", "major"];

/// One version change: feed, link, older and newer snapshot.
type Change = (String, String, String, String);
/// Labels and predictions (ranks) of one (feed, link, newer snapshot).
type Scored = (Vec<usize>, Vec<usize>);

/// One row of `edit_pairs.tsv` / `edits-visible.tsv`: the first five columns.
type PairKey = (String, String, String, String, String);

/// A field of `edit_pairs.tsv` as Python's `csv` wrote it (quoted when it has `"`).
fn unquote(f: &str) -> String {
    match f.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => f.to_string(),
    }
}

fn read_tsv(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').map(unquote).collect())
        .collect()
}

/// The cleaned (title, text) of the item with `link` in a history snapshot.
fn snapshot_item(
    cache: &mut HashMap<String, Vec<(String, String, String)>>,
    dir: &Path,
    snapshot: &str,
    link: &str,
) -> Option<(String, String)> {
    let stem = snapshot.split('#').next().unwrap_or(snapshot).to_string();
    let items = cache
        .entry(format!("{}/{stem}", dir.display()))
        .or_insert_with(|| {
            let bytes = std::fs::read(dir.join(format!("{stem}.xml"))).unwrap_or_default();
            let doc = Document {
                bytes,
                content_type: None,
                url: None,
            };
            let Ok(feed) = parse_document(&doc) else {
                return Vec::new();
            };
            feed.entries
                .iter()
                .map(|e| {
                    let title = e.title.as_deref().map(title_to_text).unwrap_or_default();
                    let mut text = e.content.as_deref().map(html_to_text).unwrap_or_default();
                    if text.is_empty() {
                        text = e.summary.as_deref().map(html_to_text).unwrap_or_default();
                    }
                    let key = e.link.clone().or(e.guid.clone()).unwrap_or_default();
                    (key, title, text)
                })
                .collect()
        });
    items
        .iter()
        .find(|(k, _, _)| k == link)
        .map(|(_, t, x)| (t.clone(), x.clone()))
}

#[derive(Default)]
struct Tally {
    /// confusion[label][predicted], per labeled row.
    confusion: [[usize; 3]; 3],
    lab_major: usize,
    lab_cosmetic: usize,
    major_hit: usize,
    pred_major: usize,
    cos_quiet: usize,
}

fn rank(s: &str) -> usize {
    RANK.iter().position(|r| *r == s).unwrap_or(1)
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS to the corpus folder"
)]
fn edits_eval() {
    let root = corpus();
    let labels_dir = root.join("labels");
    let pairs = read_tsv(&labels_dir.join("edit_pairs.tsv"));
    let texts: HashMap<PairKey, (String, String)> = pairs
        .iter()
        .filter(|p| p.len() >= 7)
        .map(|p| {
            let k = (
                p[0].clone(),
                p[1].clone(),
                p[2].clone(),
                p[3].clone(),
                p[4].clone(),
            );
            (k, (p[5].clone(), p[6].clone()))
        })
        .collect();
    let labels = read_tsv(&labels_dir.join("edits-visible.tsv"));

    // One verdict per version change (feed, link, from, to): title and
    // description rows of one change are one revision in newswatch.
    let mut groups: BTreeMap<Change, Vec<(String, String)>> = BTreeMap::new();
    for l in &labels {
        if l.len() < 6 || !RANK.contains(&l[5].as_str()) {
            continue;
        }
        groups
            .entry((l[0].clone(), l[1].clone(), l[2].clone(), l[3].clone()))
            .or_default()
            .push((l[4].clone(), l[5].clone()));
    }

    let mut cache = HashMap::new();
    let verbose = std::env::var("EDITS_EVAL_VERBOSE").ok();
    // (feed, link, newer snapshot) → labels and predictions.
    let mut scored: BTreeMap<(String, String, String), Scored> = BTreeMap::new();
    let mut per_feed: BTreeMap<String, Tally> = BTreeMap::new();
    for ((feed, link, from, to), rows) in &groups {
        let field_text = |field: &str| {
            texts
                .get(&(
                    feed.clone(),
                    link.clone(),
                    from.clone(),
                    to.clone(),
                    field.to_string(),
                ))
                .cloned()
        };
        let title = field_text("title");
        let desc = field_text("description");
        let dir = root.join("history").join(feed);
        let (old, new) = if feed == "apnews" {
            // AP's description is an image plus the title: the text is the title.
            let Some((o, n)) = title.clone().or(desc.clone()) else {
                continue;
            };
            let (o, n) = (title_to_text(&strip_ap(&o)), title_to_text(&strip_ap(&n)));
            ((o.clone(), o), (n.clone(), n))
        } else {
            let base_old = snapshot_item(&mut cache, &dir, from, link);
            let base_new = snapshot_item(&mut cache, &dir, to, link);
            let (Some(mut o), Some(mut n)) = (base_old, base_new) else {
                panic!("{feed} {link}: not found in snapshots {from} / {to}");
            };
            if let Some((a, b)) = &title {
                o.0 = title_to_text(a);
                n.0 = title_to_text(b);
            }
            if let Some((a, b)) = &desc {
                o.1 = html_to_text(a);
                n.1 = html_to_text(b);
            }
            (o, n)
        };
        let rev = compare(
            &VersionText {
                title: &old.0,
                text: &old.1,
            },
            &VersionText {
                title: &new.0,
                text: &new.1,
            },
            &[],
        );
        let pred = match rev.significance {
            Significance::Cosmetic => 0,
            Significance::Minor => 1,
            Significance::Major => 2,
        };
        let stem = to.split('#').next().unwrap_or(to).to_string();
        let entry = scored
            .entry((feed.clone(), link.clone(), stem))
            .or_default();
        let tally = per_feed.entry(feed.clone()).or_default();
        for (field, label) in rows {
            let lab = rank(label);
            tally.confusion[lab][pred] += 1;
            if feed == "apnews" && field != "title" {
                continue;
            }
            entry.0.push(lab);
        }
        if feed != "apnews" || rows.iter().any(|(f, _)| f == "title") {
            entry.1.push(pred);
        }
        let lab = rank(&rows[0].1);
        if verbose
            .as_deref()
            .is_some_and(|v| v == "all" || lab != pred)
        {
            println!(
                "MISS {feed} {} {to} label={} pred={} reasons={:?}\n  - {}\n  + {}",
                link.rsplit('/').next().unwrap_or(link),
                RANK[lab],
                RANK[pred],
                rev.reasons,
                old.0.chars().take(300).collect::<String>(),
                new.0.chars().take(300).collect::<String>(),
            );
        }
    }

    for ((feed, _, _), (labs, preds)) in &scored {
        let t = per_feed.entry(feed.clone()).or_default();
        let nl = |c: usize| labs.iter().filter(|&&l| l == c).count();
        let np = |c: usize| preds.iter().filter(|&&p| p == c).count();
        let quiet = labs.len().saturating_sub(preds.len()) + np(0);
        t.lab_major += nl(2);
        t.lab_cosmetic += nl(0);
        t.major_hit += nl(2).min(np(2));
        t.pred_major += np(2);
        t.cos_quiet += nl(0).min(quiet);
    }

    let ratio = |a: usize, b: usize| {
        if b == 0 {
            f64::NAN
        } else {
            a as f64 / b as f64
        }
    };
    let mut all = Tally::default();
    println!(
        "feed                  label→ predicted cosmetic/minor/major      major R   major P   cos quiet"
    );
    for (feed, t) in &per_feed {
        let row = |l: usize| {
            format!(
                "{}/{}/{}",
                t.confusion[l][0], t.confusion[l][1], t.confusion[l][2]
            )
        };
        println!(
            "{feed:22} c {:>9} mi {:>9} ma {:>9}   {:.2} ({})  {:.2} ({})  {:.2} ({})",
            row(0),
            row(1),
            row(2),
            ratio(t.major_hit, t.lab_major),
            t.lab_major,
            ratio(t.major_hit, t.pred_major),
            t.pred_major,
            ratio(t.cos_quiet, t.lab_cosmetic),
            t.lab_cosmetic,
        );
        for l in 0..3 {
            for p in 0..3 {
                all.confusion[l][p] += t.confusion[l][p];
            }
        }
        all.lab_major += t.lab_major;
        all.lab_cosmetic += t.lab_cosmetic;
        all.major_hit += t.major_hit;
        all.pred_major += t.pred_major;
        all.cos_quiet += t.cos_quiet;
    }
    let recall = ratio(all.major_hit, all.lab_major);
    let precision = ratio(all.major_hit, all.pred_major);
    let quiet = ratio(all.cos_quiet, all.lab_cosmetic);
    println!(
        "visible edits (verdict only): major recall {recall:.2} ({}), major precision {precision:.2} ({}), cosmetic quiet {quiet:.2} ({})",
        all.lab_major, all.pred_major, all.lab_cosmetic
    );
    println!(
        "all rows: label cosmetic → {:?}, minor → {:?}, major → {:?} (predicted cosmetic, minor, major)",
        all.confusion[0], all.confusion[1], all.confusion[2]
    );
    // A floor under the figures, so a change that loses ground fails here.
    assert!(
        recall >= FLOOR.0,
        "major recall {recall:.2} fell below {}",
        FLOOR.0
    );
    assert!(
        precision >= FLOOR.1,
        "major precision {precision:.2} fell below {}",
        FLOOR.1
    );
    assert!(
        quiet >= FLOOR.2,
        "cosmetic quiet {quiet:.2} fell below {}",
        FLOOR.2
    );
}

/// Major recall, major precision and cosmetic quiet this verdict keeps.
const FLOOR: (f64, f64, f64) = (0.78, 0.64, 0.55);

/// AP descriptions are `<img …><br/>` and the title; the title is what counts.
fn strip_ap(s: &str) -> String {
    match s.rfind("<br/>").or_else(|| s.rfind("<br />")) {
        Some(i) if s.trim_start().starts_with('<') => s[i..]
            .trim_start_matches("<br/>")
            .trim_start_matches("<br />")
            .to_string(),
        _ => s.to_string(),
    }
}
