//! The verdict: what each field's change amounts to (share of words changed,
//! cosmetic explanations) and the rules of the module docs that turn the two
//! fields' verdicts into a significance with its reasons, in one documented
//! order.

use std::collections::{BTreeSet, HashSet};

use super::evidence::negations;
use super::quotes::{QuoteChange, unify_quotes};
use super::words::{Field, Tok, counts, is_numeric, take};
use super::{MAJOR_SHARE, Significance, TITLE_REFRAMED_SHARE};
use crate::text::{StemLang, fold, stem};

/// Weight of the title in [`Revision::changed_share`](super::Revision::changed_share) when both fields have
/// words: a headline is read by everyone, the body by few, so the title
/// counts for a quarter however short it is.
pub(super) const TITLE_WEIGHT: f64 = 0.25;

/// Major reason codes in the order they are listed.
const MAJOR_ORDER: &[&str] = &[
    "numbers_changed",
    "negation_flipped",
    "quote_changed",
    "speaker_changed",
    "names_changed",
    "title_reframed",
    "topic_terms_changed",
    "share_changed",
];

/// Reasons list at most this many words (topic terms) to stay one line.
const MAX_LISTED: usize = 5;

/// The rules of the module docs, applied to the per-field verdicts.
pub(super) fn classify(
    t: &FieldVerdict,
    x: &FieldVerdict,
    quotes: QuoteChange,
    hits: &[String],
    changed_share: f64,
) -> (Significance, Vec<String>) {
    let mut major = Vec::new();
    major.extend(t.major.iter().cloned());
    major.extend(x.major.iter().cloned());
    if quotes == QuoteChange::Changed {
        major.push("quote_changed".to_string());
    }
    if t.share >= TITLE_REFRAMED_SHARE {
        major.push(format!("title_reframed: {:.2}", t.share));
    }
    if !hits.is_empty() {
        major.push(format!("topic_terms_changed: {}", hits.join(", ")));
    }
    if changed_share >= MAJOR_SHARE {
        major.push(format!("share_changed: {changed_share:.2}"));
    }

    // One documented order, whichever field a reason came from.
    major.sort_by_key(|r| MAJOR_ORDER.iter().position(|c| r.starts_with(c)));
    if !major.is_empty() {
        (Significance::Major, major)
    } else if t.cosmetic && x.cosmetic && quotes == QuoteChange::Same {
        let mut r: Vec<String> = t.notes.iter().chain(&x.notes).cloned().collect();
        if r.is_empty() {
            r.push("unchanged".to_string());
        }
        (Significance::Cosmetic, r)
    } else {
        let changed = t.changed_words() + x.changed_words();
        let mut r: Vec<String> = t.notes.iter().chain(&x.notes).cloned().collect();
        // Cosmetic notes of the other field would only distract here.
        r.retain(|n| n.starts_with("name_spelling"));
        if quotes == QuoteChange::MarksOnly {
            r.insert(0, "quote_marks_changed".to_string());
        }
        r.push(format!("words_changed: {changed}"));
        (Significance::Minor, r)
    }
}

/// What one field's change amounts to.
pub(super) struct FieldVerdict {
    /// Changed share of this field, 0..=1.
    pub(super) share: f64,
    /// Number of words in the two versions together.
    pub(super) total: usize,
    /// Folded words in the multiset difference (old side, then new side).
    pub(super) changed: Vec<String>,
    pub(super) major: Vec<String>,
    /// Cosmetic reasons, or minor notes (`name_spelling`).
    pub(super) notes: Vec<String>,
    /// Nothing but cosmetic differences.
    pub(super) cosmetic: bool,
}

impl FieldVerdict {
    pub(super) fn judge(old: &Field, new: &Field, doc: StemLang, identical: bool) -> FieldVerdict {
        if identical {
            return FieldVerdict {
                share: 0.0,
                total: old.toks.len() * 2,
                changed: Vec::new(),
                major: Vec::new(),
                notes: Vec::new(),
                cosmetic: true,
            };
        }
        let mut pool_new = counts(new.keys());
        let mut changed = Vec::new();
        for t in &old.toks {
            if !take(&mut pool_new, &t.key) {
                changed.push(t.folded.clone());
            }
        }
        let mut pool_old = counts(old.keys());
        for t in &new.toks {
            if !take(&mut pool_old, &t.key) {
                changed.push(t.folded.clone());
            }
        }
        let total = old.toks.len() + new.toks.len();
        let share = if total == 0 {
            0.0
        } else {
            changed.len() as f64 / total as f64
        };
        let mut v = FieldVerdict {
            share,
            total,
            changed,
            major: Vec::new(),
            notes: Vec::new(),
            cosmetic: false,
        };
        v.check_numbers(old, new);
        if negations(old) != negations(new) {
            v.major.push("negation_flipped".to_string());
        }
        v.check_speaker(old, new);
        v.check_names(old, new, doc);
        v.check_cosmetic(old, new);
        v
    }

    fn changed_words(&self) -> usize {
        self.changed.len()
    }

    fn check_cosmetic(&mut self, old: &Field, new: &Field) {
        let same_keys = old.toks.len() == new.toks.len()
            && old.toks.iter().zip(&new.toks).all(|(a, b)| a.key == b.key);
        if same_keys {
            self.cosmetic = true;
            let mut variants = Vec::new();
            for (a, b) in old.toks.iter().zip(&new.toks) {
                if a.folded == b.folded {
                    continue;
                }
                let numeral = |t: &Tok| {
                    !t.key.is_empty()
                        && t.key.bytes().all(|c| c.is_ascii_digit())
                        && !is_numeric(&t.folded)
                };
                let code = if numeral(a) || numeral(b) {
                    "numerals_spelled"
                } else {
                    "spelling_variant"
                };
                variants.push(format!("{code}: {}/{}", a.text, b.text));
            }
            if variants.is_empty() {
                variants.push(text_level_reason(old, new).to_string());
            }
            self.notes.extend(variants);
        } else if self.changed.is_empty() {
            self.cosmetic = true;
            self.notes.push("word_order_only".to_string());
        }
    }
}

/// Why two fields with the same words differ: the cheapest explanation.
fn text_level_reason(old: &Field, new: &Field) -> &'static str {
    // `clean_text` already dropped invisible characters and collapsed
    // whitespace, so equal clean texts differed only in those.
    let no_space = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if no_space(&old.clean) == no_space(&new.clean) {
        "whitespace_only"
    } else if unify_quotes(&old.clean) == unify_quotes(&new.clean) {
        "quote_glyphs_only"
    } else if old.clean.to_lowercase() == new.clean.to_lowercase() {
        "case_only"
    } else {
        "punctuation_only"
    }
}
pub(super) fn weighted_share(t: &FieldVerdict, x: &FieldVerdict) -> f64 {
    let share = match (t.total, x.total) {
        (0, 0) => 0.0,
        (_, 0) => t.share,
        (0, _) => x.share,
        _ => TITLE_WEIGHT * t.share + (1.0 - TITLE_WEIGHT) * x.share,
    };
    share.clamp(0.0, 1.0)
}

/// Changed words that are topic terms, sorted, at most [`MAX_LISTED`].
pub(super) fn topic_hits(
    t: &FieldVerdict,
    x: &FieldVerdict,
    topic_terms: &[String],
    doc: StemLang,
) -> Vec<String> {
    if topic_terms.is_empty() {
        return Vec::new();
    }
    let mut exact: HashSet<String> = HashSet::new();
    let mut prefixes: Vec<String> = Vec::new();
    for term in topic_terms {
        let term = match term.split_once(':') {
            Some(("title" | "text", rest)) => rest,
            Some(("source" | "tag", _)) => continue,
            _ => term.as_str(),
        };
        for w in fold(term).split(|c: char| c.is_whitespace() || c == '"') {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '*');
            if let Some(p) = w.strip_suffix('*') {
                if p.chars().count() >= 2 {
                    prefixes.push(p.to_string());
                }
            } else if !w.is_empty() {
                exact.insert(stem(w, StemLang::for_word(doc, w)).into_owned());
                exact.insert(w.to_string());
            }
        }
    }
    let mut hits = BTreeSet::new();
    for w in t.changed.iter().chain(&x.changed) {
        let hit = exact.contains(w)
            || exact.contains(stem(w, StemLang::for_word(doc, w)).as_ref())
            || prefixes.iter().any(|p| w.starts_with(p.as_str()));
        if hit {
            hits.insert(w.clone());
        }
    }
    hits.into_iter().take(MAX_LISTED).collect()
}
