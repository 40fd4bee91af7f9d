//! Word diffs for display: turns a stored word diff (`model`
//! [`DiffOp`]s, or their JSON in the `revisions.diff` column) into the
//! [`DiffPart`]s a message shows — changed runs whole, a few words of
//! unchanged context around them, longer unchanged stretches as one `gap`.
//! Pure functions, no I/O; bad stored JSON gives an empty diff, never a panic.

use std::borrow::Cow;

use serde::Deserialize;

use crate::model::DiffOp;
use crate::notify::content::DiffPart;

/// The text of a `gap` part.
pub const GAP: &str = "…";

/// Display parts for a word diff: kinds `same`, `del`, `ins` and `gap`.
///
/// Deleted and inserted runs are kept whole. Unchanged text keeps up to
/// `context_words` words next to each change (words are runs of non-space
/// characters, punctuation attached); anything further away becomes one
/// `gap` part whose text is [`GAP`]. The whitespace next to a gap stays with
/// the kept text, so `same + gap + same` reads "… talks … in Istanbul".
/// Adjacent parts of one kind are merged. No changes at all → empty Vec.
pub fn diff_parts(ops: &[DiffOp], context_words: usize) -> Vec<DiffPart> {
    // Normalise: drop empty runs, merge neighbours of one kind.
    let mut runs: Vec<(&'static str, String)> = Vec::new();
    for op in ops {
        let (kind, text) = match op {
            DiffOp::Equal(s) => ("same", s),
            DiffOp::Delete(s) => ("del", s),
            DiffOp::Insert(s) => ("ins", s),
        };
        if text.is_empty() {
            continue;
        }
        match runs.last_mut() {
            Some((k, t)) if *k == kind => t.push_str(text),
            _ => runs.push((kind, text.clone())),
        }
    }
    let Some(first_change) = runs.iter().position(|(k, _)| *k != "same") else {
        return Vec::new();
    };
    let last_change = runs
        .iter()
        .rposition(|(k, _)| *k != "same")
        .unwrap_or(first_change);

    let mut out = Vec::new();
    for (i, (kind, text)) in runs.iter().enumerate() {
        if *kind != "same" {
            push(&mut out, kind, text);
            continue;
        }
        let words = word_spans(text);
        let n = words.len();
        let ctx = context_words;
        if i < first_change {
            // Before the first change: keep the last `ctx` words.
            if n > ctx {
                push(&mut out, "gap", GAP);
                let from = if ctx == 0 {
                    text.len()
                } else {
                    words[n - ctx - 1].1
                };
                push(&mut out, "same", &text[from..]);
            } else {
                push(&mut out, "same", text);
            }
        } else if i > last_change {
            // After the last change: keep the first `ctx` words.
            if n > ctx {
                let to = if ctx == 0 { 0 } else { words[ctx].0 };
                push(&mut out, "same", &text[..to]);
                push(&mut out, "gap", GAP);
            } else {
                push(&mut out, "same", text);
            }
        } else if n > ctx.saturating_mul(2) {
            // Between two changes: `ctx` words on each side, a gap between.
            let to = if ctx == 0 { 0 } else { words[ctx].0 };
            let from = if ctx == 0 {
                text.len()
            } else {
                words[n - ctx - 1].1
            };
            push(&mut out, "same", &text[..to]);
            push(&mut out, "gap", GAP);
            push(&mut out, "same", &text[from..]);
        } else {
            push(&mut out, "same", text);
        }
    }
    out
}

/// [`diff_parts`] for one field's ops as stored, a JSON array such as
/// `[{"Equal":"words "},{"Delete":"x"},{"Insert":"y"}]`. Invalid JSON → empty.
pub fn diff_parts_from_json(json: &str, context_words: usize) -> Vec<DiffPart> {
    match serde_json::from_str::<Vec<StoredOp>>(json) {
        Ok(ops) => {
            let ops: Vec<DiffOp> = ops.into_iter().map(DiffOp::from).collect();
            diff_parts(&ops, context_words)
        }
        Err(_) => Vec::new(),
    }
}

/// The ops of one field (`"title"` or `"text"`) of a stored `revisions.diff`
/// value (`{"title": [ops], "text": [ops]}`). Missing field or invalid JSON →
/// empty.
pub fn field_ops(diff_json: &str, field: &str) -> Vec<DiffOp> {
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_str(diff_json) else {
        return Vec::new();
    };
    let Some(value) = map.remove(field) else {
        return Vec::new();
    };
    match serde_json::from_value::<Vec<StoredOp>>(value) {
        Ok(ops) => ops.into_iter().map(DiffOp::from).collect(),
        Err(_) => Vec::new(),
    }
}

/// The stored form of a [`DiffOp`] (serde's external tagging), read here
/// because `DiffOp` itself only serialises.
#[derive(Deserialize)]
enum StoredOp {
    Equal(String),
    Delete(String),
    Insert(String),
}

impl From<StoredOp> for DiffOp {
    fn from(op: StoredOp) -> DiffOp {
        match op {
            StoredOp::Equal(s) => DiffOp::Equal(s),
            StoredOp::Delete(s) => DiffOp::Delete(s),
            StoredOp::Insert(s) => DiffOp::Insert(s),
        }
    }
}

/// Appends a part, merging it into the previous one of the same kind.
fn push(out: &mut Vec<DiffPart>, kind: &'static str, text: &str) {
    if text.is_empty() {
        return;
    }
    match out.last_mut() {
        Some(last) if last.kind == kind && kind != "gap" => last.text.push_str(text),
        Some(last) if last.kind == kind => {}
        _ => out.push(DiffPart {
            kind,
            text: text.to_string(),
        }),
    }
}

/// Bounds what a message shows of one field's diff: each part keeps at most
/// `part_chars` characters (the rest becomes "… (+N characters)" inside that
/// part, so the beginning of both the old and the new text stays visible),
/// and once `total_chars` have been shown the remaining parts become one
/// `gap` part. A 1 MB title rewritten would otherwise put 2 MB in a mail.
pub fn cap_parts(parts: Vec<DiffPart>, part_chars: usize, total_chars: usize) -> Vec<DiffPart> {
    let mut out = Vec::with_capacity(parts.len());
    let mut shown = 0usize;
    for mut part in parts {
        if shown >= total_chars {
            push(&mut out, "gap", GAP);
            break;
        }
        let limit = part_chars.min(total_chars - shown);
        if let Cow::Owned(cut) = cut_chars(&part.text, limit) {
            part.text = cut;
            shown += limit;
        } else {
            shown += part.text.chars().count();
        }
        out.push(part);
    }
    out
}

/// `text` cut after `max_chars` characters, the rest replaced by
/// "… (+N characters)"; borrowed when it is no longer than that.
pub fn cut_chars(text: &str, max_chars: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max_chars) {
        Some((cut, _)) => {
            let rest = text[cut..].chars().count();
            Cow::Owned(format!(
                "{}… (+{} characters)",
                &text[..cut],
                thousands(rest)
            ))
        }
        None => Cow::Borrowed(text),
    }
}

/// 1044403 → "1,044,403".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Byte ranges `(start, end)` of the words of `s`: runs of non-whitespace
/// with at least one letter or digit (a lone dash or comma is not a word; it
/// stays with the kept text beside it).
fn word_spans(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    let mut push_run = |st: usize, end: usize| {
        if s[st..end].chars().any(char::is_alphanumeric) {
            out.push((st, end));
        }
    };
    for (i, c) in s.char_indices() {
        match (c.is_whitespace(), start) {
            (true, Some(st)) => {
                push_run(st, i);
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        push_run(st, s.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(s: &str) -> DiffOp {
        DiffOp::Equal(s.to_string())
    }
    fn del(s: &str) -> DiffOp {
        DiffOp::Delete(s.to_string())
    }
    fn ins(s: &str) -> DiffOp {
        DiffOp::Insert(s.to_string())
    }
    fn show(parts: &[DiffPart]) -> String {
        parts
            .iter()
            .map(|p| match p.kind {
                "del" => format!("[-{}-]", p.text),
                "ins" => format!("{{+{}+}}", p.text),
                "gap" => format!("<{}>", p.text),
                _ => p.text.clone(),
            })
            .collect()
    }

    #[test]
    fn no_changes_is_empty() {
        assert!(diff_parts(&[], 3).is_empty());
        assert!(diff_parts(&[eq("all the same words")], 3).is_empty());
        assert!(diff_parts(&[eq("a "), eq(""), eq("b")], 0).is_empty());
        // Empty changes are no changes.
        assert!(diff_parts(&[eq("a"), del(""), ins("")], 2).is_empty());
    }

    #[test]
    fn short_context_is_kept_whole() {
        let ops = [eq("Talks "), del("stalled"), ins("resumed"), eq(" today.")];
        let parts = diff_parts(&ops, 3);
        assert_eq!(show(&parts), "Talks [-stalled-]{+resumed+} today.");
        assert_eq!(parts.len(), 4);
        assert_eq!(parts[1].kind, "del");
        assert_eq!(parts[2].kind, "ins");
    }

    #[test]
    fn long_unchanged_stretches_become_gaps() {
        let ops = [
            eq("one two three four five six "),
            del("seven"),
            ins("SEVEN"),
            eq(" eight nine ten eleven twelve thirteen "),
            ins("new "),
            eq("fourteen fifteen sixteen seventeen"),
        ];
        let parts = diff_parts(&ops, 2);
        assert_eq!(
            show(&parts),
            "<…> five six [-seven-]{+SEVEN+} eight nine <…> twelve thirteen {+new +}fourteen fifteen <…>"
        );
        // Exactly one gap per left-out stretch, text "…".
        let gaps: Vec<_> = parts.iter().filter(|p| p.kind == "gap").collect();
        assert_eq!(gaps.len(), 3);
        assert!(gaps.iter().all(|g| g.text == GAP));
    }

    #[test]
    fn middle_stretch_within_twice_context_stays() {
        let ops = [del("a"), eq(" b c d e "), ins("f")];
        assert_eq!(show(&diff_parts(&ops, 2)), "[-a-] b c d e {+f+}");
        assert_eq!(show(&diff_parts(&ops, 1)), "[-a-] b <…> e {+f+}");
    }

    #[test]
    fn zero_context_keeps_only_changes() {
        let ops = [eq("a b "), del("c"), eq(" d e "), ins("f"), eq(" g")];
        assert_eq!(show(&diff_parts(&ops, 0)), "<…>[-c-]<…>{+f+}<…>");
        // Punctuation is not a word: it stays with the kept text.
        let ops = [eq("a b — c "), del("d")];
        assert_eq!(show(&diff_parts(&ops, 1)), "<…> — c [-d-]");
        // A word-less equal run between changes is not a gap.
        let ops = [del("x"), eq(", "), ins("y")];
        assert_eq!(show(&diff_parts(&ops, 0)), "[-x-], {+y+}");
    }

    #[test]
    fn adjacent_parts_of_one_kind_merge() {
        let ops = [
            eq("a "),
            eq("b "),
            del("c "),
            del("d"),
            ins("e"),
            ins("f"),
            eq(" g"),
        ];
        let parts = diff_parts(&ops, 5);
        assert_eq!(
            parts,
            vec![
                DiffPart {
                    kind: "same",
                    text: "a b ".into()
                },
                DiffPart {
                    kind: "del",
                    text: "c d".into()
                },
                DiffPart {
                    kind: "ins",
                    text: "ef".into()
                },
                DiffPart {
                    kind: "same",
                    text: " g".into()
                },
            ]
        );
    }

    #[test]
    fn kept_text_concatenates_to_the_versions() {
        // With unlimited context, same+del is the old text and same+ins the new.
        let ops = [
            eq("Переговоры в Стамбуле "),
            del("сорваны"),
            ins("возобновлены"),
            eq(", сообщил Песков."),
        ];
        let parts = diff_parts(&ops, usize::MAX);
        let old: String = parts
            .iter()
            .filter(|p| p.kind != "ins")
            .map(|p| p.text.as_str())
            .collect();
        let new: String = parts
            .iter()
            .filter(|p| p.kind != "del")
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(old, "Переговоры в Стамбуле сорваны, сообщил Песков.");
        assert_eq!(new, "Переговоры в Стамбуле возобновлены, сообщил Песков.");
        // Cyrillic with a small context cuts on char boundaries.
        assert_eq!(
            show(&diff_parts(&ops, 1)),
            "<…> Стамбуле [-сорваны-]{+возобновлены+}, сообщил <…>"
        );
    }

    #[test]
    fn newlines_count_as_space() {
        let ops = [
            eq("first para.\n\nsecond para "),
            ins("added"),
            eq("\nthird"),
        ];
        assert_eq!(show(&diff_parts(&ops, 1)), "<…> para {+added+}\nthird");
    }

    #[test]
    fn from_json() {
        let json = r#"[{"Equal":"words "},{"Delete":"x"},{"Insert":"y"}]"#;
        assert_eq!(show(&diff_parts_from_json(json, 3)), "words [-x-]{+y+}");
        assert!(diff_parts_from_json("not json", 3).is_empty());
        assert!(diff_parts_from_json(r#"[{"Replace":"x"}]"#, 3).is_empty());
        assert!(diff_parts_from_json(r#"{"Equal":"x"}"#, 3).is_empty());
        assert!(diff_parts_from_json("", 3).is_empty());
    }

    #[test]
    fn field_ops_reads_the_stored_column() {
        let json = r#"{"title":[{"Equal":"Talks "},{"Delete":"off"},{"Insert":"on"}],"text":[{"Equal":"same"}]}"#;
        assert_eq!(
            field_ops(json, "title"),
            vec![eq("Talks "), del("off"), ins("on")]
        );
        assert_eq!(field_ops(json, "text"), vec![eq("same")]);
        assert!(field_ops(json, "other").is_empty());
        assert!(field_ops("[1,2]", "title").is_empty());
        assert!(field_ops("{broken", "title").is_empty());
        assert!(field_ops(r#"{"title": 5}"#, "title").is_empty());
    }

    #[test]
    fn round_trips_the_serialised_form() {
        // What `store` writes (serde of DiffOp) is what we read back.
        let ops = vec![eq("a "), del("b"), ins("c")];
        let stored = serde_json::json!({ "title": ops, "text": [] }).to_string();
        assert_eq!(field_ops(&stored, "title"), ops);
        assert!(field_ops(&stored, "text").is_empty());
    }

    #[test]
    fn cap_parts_keeps_the_start_of_each_side_and_bounds_the_total() {
        let big_old = "Peace talks resume ".repeat(1000);
        let big_new = "Talks collapse ".repeat(1000);
        let parts = diff_parts(&[del(&big_old), ins(&big_new), eq(" in Istanbul")], 3);
        let capped = cap_parts(parts, 40, 60);
        assert_eq!(
            show(&capped),
            "[-Peace talks resume Peace talks resume Pe… (+18,960 characters)-]\
             {+Talks collapse Talks… (+14,980 characters)+}<…>"
        );
        // Under both limits nothing changes.
        let small = diff_parts(&[eq("a b "), del("c"), ins("d"), eq(" e")], 3);
        assert_eq!(cap_parts(small.clone(), 40, 100), small);
        // Multi-byte text is cut on a character boundary.
        let cyr = diff_parts(&[ins(&"переговоры ".repeat(50))], 3);
        let cut = cap_parts(cyr, 5, 100);
        assert_eq!(cut[0].text, "перег… (+545 characters)");
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_044_403), "1,044,403");
    }
}
