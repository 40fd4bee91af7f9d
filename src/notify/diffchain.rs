//! One word diff across several consecutive stored diffs: what a churning
//! item's combined alert shows, from the version the reader last got to the
//! latest. The stored diffs are chained (no new diffing): text inserted by
//! one step and deleted by a later one never shows, and a run deleted and
//! put back reads as unchanged. Pure functions, no I/O.

use crate::model::DiffOp;

fn text(op: &DiffOp) -> &str {
    match op {
        DiffOp::Equal(s) | DiffOp::Delete(s) | DiffOp::Insert(s) => s,
    }
}

/// The text a diff turns its old text into (its equal and inserted runs).
fn new_side(ops: &[DiffOp]) -> String {
    ops.iter()
        .filter(|op| !matches!(op, DiffOp::Delete(_)))
        .map(text)
        .collect()
}

/// The text a diff starts from (its equal and deleted runs).
fn old_side(ops: &[DiffOp]) -> String {
    ops.iter()
        .filter(|op| !matches!(op, DiffOp::Insert(_)))
        .map(text)
        .collect()
}

/// The diff from `a`'s old text to `b`'s new text, when `b` starts from
/// the text `a` ends with; None when it does not (a step's text was pruned).
pub fn chain(a: &[DiffOp], b: &[DiffOp]) -> Option<Vec<DiffOp>> {
    if new_side(a) != old_side(b) {
        return None;
    }
    let mut out = Vec::new();
    // Walk the middle text: `a`'s equal and inserted runs cover it, and so
    // do `b`'s equal and deleted runs; `a`'s deletions and `b`'s
    // insertions take no room in it.
    let (mut i, mut at_a) = (0, 0);
    let (mut j, mut at_b) = (0, 0);
    loop {
        match a.get(i) {
            Some(DiffOp::Delete(s)) => {
                out.push(DiffOp::Delete(s.clone()));
                i += 1;
                continue;
            }
            Some(op) if text(op).len() == at_a => {
                (i, at_a) = (i + 1, 0);
                continue;
            }
            _ => {}
        }
        match b.get(j) {
            Some(DiffOp::Insert(s)) => {
                out.push(DiffOp::Insert(s.clone()));
                j += 1;
                continue;
            }
            Some(op) if text(op).len() == at_b => {
                (j, at_b) = (j + 1, 0);
                continue;
            }
            _ => {}
        }
        let (Some(pa), Some(pb)) = (a.get(i), b.get(j)) else {
            break;
        };
        let (sa, sb) = (text(pa), text(pb));
        let n = (sa.len() - at_a).min(sb.len() - at_b);
        let piece = sa[at_a..at_a + n].to_string();
        match (pa, pb) {
            (DiffOp::Equal(_), DiffOp::Equal(_)) => out.push(DiffOp::Equal(piece)),
            (DiffOp::Equal(_), _) => out.push(DiffOp::Delete(piece)),
            (_, DiffOp::Equal(_)) => out.push(DiffOp::Insert(piece)),
            // Inserted by one step, deleted by the next: never seen.
            _ => {}
        }
        at_a += n;
        at_b += n;
    }
    Some(tidy(out))
}

/// Merge each run of changes into one deletion then one insertion (equal
/// text when both are the same), and neighbouring equal runs into one.
fn tidy(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut out: Vec<DiffOp> = Vec::new();
    let (mut del, mut ins) = (String::new(), String::new());
    let flush = |out: &mut Vec<DiffOp>, del: &mut String, ins: &mut String| {
        if del == ins {
            push_equal(out, std::mem::take(del));
            ins.clear();
            return;
        }
        if !del.is_empty() {
            out.push(DiffOp::Delete(std::mem::take(del)));
        }
        if !ins.is_empty() {
            out.push(DiffOp::Insert(std::mem::take(ins)));
        }
    };
    for op in ops {
        match op {
            DiffOp::Delete(s) => del.push_str(&s),
            DiffOp::Insert(s) => ins.push_str(&s),
            DiffOp::Equal(s) => {
                flush(&mut out, &mut del, &mut ins);
                push_equal(&mut out, s);
            }
        }
    }
    flush(&mut out, &mut del, &mut ins);
    out
}

fn push_equal(out: &mut Vec<DiffOp>, s: String) {
    if s.is_empty() {
        return;
    }
    if let Some(DiffOp::Equal(last)) = out.last_mut() {
        last.push_str(&s);
    } else {
        out.push(DiffOp::Equal(s));
    }
}

/// Chain every step's diff, oldest first; None when any two do not meet.
pub fn chain_all(steps: &[Vec<DiffOp>]) -> Option<Vec<DiffOp>> {
    let (first, rest) = steps.split_first()?;
    rest.iter()
        .try_fold(first.clone(), |acc, step| chain(&acc, step))
}

#[cfg(test)]
mod tests {
    use super::*;
    use DiffOp::{Delete as D, Equal as E, Insert as I};

    fn s(x: &str) -> String {
        x.to_string()
    }

    #[test]
    fn three_steps_of_one_figure_read_as_one_change() {
        let step =
            |from: &str, to: &str| vec![E(s("kills ")), D(s(from)), I(s(to)), E(s(" people"))];
        let chained = chain_all(&[step("17", "19"), step("19", "22"), step("22", "25")]);
        assert_eq!(
            chained,
            Some(vec![
                E(s("kills ")),
                D(s("17")),
                I(s("25")),
                E(s(" people"))
            ])
        );
    }

    #[test]
    fn text_that_came_and_went_does_not_show_and_a_restored_run_is_unchanged() {
        let a = vec![E(s("talks ")), I(s("paused ")), E(s("in Geneva"))];
        let b = vec![
            E(s("talks ")),
            D(s("paused ")),
            E(s("in ")),
            D(s("Geneva")),
            I(s("Riyadh")),
        ];
        assert_eq!(
            chain(&a, &b),
            Some(vec![E(s("talks in ")), D(s("Geneva")), I(s("Riyadh"))])
        );
        let there = vec![E(s("kills ")), D(s("3")), I(s("5"))];
        let back = vec![E(s("kills ")), D(s("5")), I(s("3"))];
        assert_eq!(chain(&there, &back), Some(vec![E(s("kills 3"))]));
    }

    #[test]
    fn steps_that_do_not_meet_give_none() {
        let a = vec![E(s("kills ")), D(s("3")), I(s("5"))];
        let b = vec![E(s("kills ")), D(s("7")), I(s("9"))];
        assert_eq!(chain(&a, &b), None);
        assert_eq!(chain_all(&[]), None);
        // Changes at both ends and Cyrillic split across runs.
        let a = vec![I(s("Срочно: ")), E(s("удар по Харькову")), D(s("."))];
        let b = vec![E(s("Срочно: удар")), D(s(" по Харькову")), I(s("ы"))];
        assert_eq!(
            chain(&a, &b),
            Some(vec![
                I(s("Срочно: ")),
                E(s("удар")),
                D(s(" по Харькову.")),
                I(s("ы"))
            ])
        );
    }
}
