//! The display diff (module docs, "Two views of a change"): the exact text
//! cut into words, whitespace runs and single punctuation marks, diffed with
//! `similar`; long texts paragraph by paragraph first, within token budgets.

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::{DiffOp, FieldDiff};
use crate::text::words;

/// Display diff: texts with more tokens than this (both sides together) are
/// diffed paragraph by paragraph first. ~20k tokens ≈ 50 KiB of prose.
const DIRECT_DIFF_MAX_TOKENS: usize = 20_000;
/// A changed paragraph region with more tokens than this is shown as one
/// coarse delete/insert pair (reason `diff coarse (…)`).
const HUNK_DIFF_MAX_TOKENS: usize = 20_000;
/// At most this many tokens are word-diffed per field in total; regions past
/// the budget are coarse (reason `diff coarse (…)`). Bounds the work on a 256 KiB text
/// rewritten paragraph by paragraph.
const TOKEN_DIFF_BUDGET: usize = 200_000;

/// Renders a diff as inline markup for terminals and plain-text mail:
/// deletions as `[-old-]`, insertions as `{+new+}`, equal text as is.
pub fn render_plain(diff: &FieldDiff) -> String {
    let mut out = String::new();
    for op in &diff.ops {
        match op {
            DiffOp::Equal(s) => out.push_str(s),
            DiffOp::Delete(s) => {
                out.push_str("[-");
                out.push_str(s);
                out.push_str("-]");
            }
            DiffOp::Insert(s) => {
                out.push_str("{+");
                out.push_str(s);
                out.push_str("+}");
            }
        }
    }
    out
}

/// Word diff of one field, paragraph-first for long texts.
pub(super) fn diff_field(old: &str, new: &str, truncated: &mut bool) -> FieldDiff {
    let mut ops = Ops::default();
    if old == new {
        ops.push(Kind::Equal, old);
        return FieldDiff { ops: ops.finish() };
    }
    let old_toks = display_tokens(old);
    let new_toks = display_tokens(new);
    if old_toks.len() + new_toks.len() <= DIRECT_DIFF_MAX_TOKENS {
        token_diff(&old_toks, &new_toks, &mut ops);
        return FieldDiff { ops: ops.finish() };
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut budget = TOKEN_DIFF_BUDGET;
    for op in capture_diff_slices(Algorithm::Patience, &old_lines, &new_lines) {
        let (tag, o, n) = op.as_tag_tuple();
        let old_part: String = old_lines[o].concat();
        let new_part: String = new_lines[n].concat();
        match tag {
            DiffTag::Equal => ops.push(Kind::Equal, &old_part),
            DiffTag::Delete => ops.push(Kind::Delete, &old_part),
            DiffTag::Insert => ops.push(Kind::Insert, &new_part),
            DiffTag::Replace => {
                let a = display_tokens(&old_part);
                let b = display_tokens(&new_part);
                let size = a.len() + b.len();
                if size <= HUNK_DIFF_MAX_TOKENS && size <= budget {
                    budget -= size;
                    token_diff(&a, &b, &mut ops);
                } else {
                    *truncated = true;
                    ops.push(Kind::Delete, &old_part);
                    ops.push(Kind::Insert, &new_part);
                }
            }
        }
    }
    FieldDiff { ops: ops.finish() }
}

fn token_diff(old: &[&str], new: &[&str], ops: &mut Ops) {
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => ops.push(Kind::Equal, &old[o].concat()),
            DiffTag::Delete => ops.push(Kind::Delete, &old[o].concat()),
            DiffTag::Insert => ops.push(Kind::Insert, &new[n].concat()),
            DiffTag::Replace => {
                ops.push(Kind::Delete, &old[o].concat());
                ops.push(Kind::Insert, &new[n].concat());
            }
        }
    }
}

/// Words, whitespace runs and single other characters, covering `s` exactly.
fn display_tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut pos = 0;
    for (span, _) in words(s) {
        gap_tokens(&s[pos..span.start], &mut out);
        out.push(&s[span.start..span.end]);
        pos = span.end;
    }
    gap_tokens(&s[pos..], &mut out);
    out
}

fn gap_tokens<'a>(gap: &'a str, out: &mut Vec<&'a str>) {
    let mut rest = gap;
    while let Some(c) = rest.chars().next() {
        let len = if c.is_whitespace() {
            rest.find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Equal,
    Delete,
    Insert,
}

/// Builds the op list: merges neighbours of one kind, and folds an equal run
/// of only spaces/punctuation that sits between two changes into both sides,
/// so "brief truce takes hold" → "announced ceasefire" reads as one change
/// instead of `[-brief-]{+announced+} [-truce takes hold-]{+ceasefire+}`.
#[derive(Default)]
struct Ops {
    out: Vec<DiffOp>,
    del: String,
    ins: String,
    /// Word-less equal text seen after a change, not yet placed.
    pending: String,
}

impl Ops {
    fn push(&mut self, kind: Kind, s: &str) {
        if s.is_empty() {
            return;
        }
        let in_change = !self.del.is_empty() || !self.ins.is_empty();
        match kind {
            Kind::Equal if in_change && !s.chars().any(char::is_alphanumeric) => {
                self.pending.push_str(s);
            }
            Kind::Equal => {
                self.flush_change();
                let text = std::mem::take(&mut self.pending) + s;
                match self.out.last_mut() {
                    Some(DiffOp::Equal(e)) => e.push_str(&text),
                    _ => self.out.push(DiffOp::Equal(text)),
                }
            }
            Kind::Delete | Kind::Insert => {
                if !self.pending.is_empty() {
                    // Absorb the separator only if the change then has both
                    // sides; a run of pure deletions keeps its spaces equal.
                    let other_side = match kind {
                        Kind::Delete => &self.ins,
                        _ => &self.del,
                    };
                    if !other_side.is_empty() {
                        let p = std::mem::take(&mut self.pending);
                        self.del.push_str(&p);
                        self.ins.push_str(&p);
                    } else {
                        self.flush_change();
                        let p = std::mem::take(&mut self.pending);
                        self.out.push(DiffOp::Equal(p));
                    }
                }
                match kind {
                    Kind::Delete => self.del.push_str(s),
                    _ => self.ins.push_str(s),
                }
            }
        }
    }

    fn flush_change(&mut self) {
        if !self.del.is_empty() {
            self.out.push(DiffOp::Delete(std::mem::take(&mut self.del)));
        }
        if !self.ins.is_empty() {
            self.out.push(DiffOp::Insert(std::mem::take(&mut self.ins)));
        }
    }

    fn finish(mut self) -> Vec<DiffOp> {
        self.flush_change();
        if !self.pending.is_empty() {
            let p = std::mem::take(&mut self.pending);
            self.out.push(DiffOp::Equal(p));
        }
        self.out
    }
}
