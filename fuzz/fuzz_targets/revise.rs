//! Fuzz target: any two versions of an item through the revision path —
//! the word diff, its significance, the extraction-failure guard, statement
//! similarity and shift finding, and the diff as a message shows it (from
//! the stored JSON, capped). Nothing may panic, and the diff must give back
//! both texts: its `Equal` + `Delete` runs are the old text and `Equal` +
//! `Insert` runs the new one. Input: old title, old text, new title, new
//! text, separated by NUL bytes. Seeds: real edits from the corpus histories
//! (fuzz/revision_pairs.py, run by fuzz/run).
#![no_main]

use libfuzzer_sys::fuzz_target;
use newswatch::detect::revisions::{self, DiffOp, FieldDiff, VersionText};
use newswatch::detect::statements;
use newswatch::notify::diffview;

/// Topic terms in every form `compare` understands (see its docs).
const TERMS: [&str; 6] = [
    "ceasefire",
    "negotiat*",
    "\"peace talks\"",
    "title:truce",
    "перемирие",
    "перемовин*",
];

/// The old and the new text a field's diff spells out.
fn sides(diff: &FieldDiff) -> (String, String) {
    let (mut old, mut new) = (String::new(), String::new());
    for op in &diff.ops {
        match op {
            DiffOp::Equal(s) => {
                old.push_str(s);
                new.push_str(s);
            }
            DiffOp::Delete(s) => old.push_str(s),
            DiffOp::Insert(s) => new.push_str(s),
        }
    }
    (old, new)
}

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let mut fields = input.splitn(4, '\0');
    let mut next = || fields.next().unwrap_or("");
    let old = VersionText {
        title: next(),
        text: next(),
    };
    let new = VersionText {
        title: next(),
        text: next(),
    };
    let terms: Vec<String> = TERMS.iter().map(|t| t.to_string()).collect();

    let _ = revisions::is_extraction_failure(&old, &new);
    let revision = revisions::compare(&old, &new, &terms);
    assert!((0.0..=1.0).contains(&revision.changed_share));
    assert_eq!(sides(&revision.title), (old.title.into(), new.title.into()));
    assert_eq!(sides(&revision.text), (old.text.into(), new.text.into()));

    let _ = revisions::render_plain(&revision.text);
    let stored = serde_json::json!({ "title": revision.title.ops, "text": revision.text.ops });
    let stored = stored.to_string();
    for field in ["title", "text"] {
        let ops = diffview::field_ops(&stored, field);
        let parts = diffview::diff_parts(&ops, 6);
        let _ = diffview::cap_parts(parts, 300, 2000);
    }

    let _ = statements::similarity(old.text, new.text);
    let _ = statements::find_shift(new.text, &[old.text, old.title]);
});
