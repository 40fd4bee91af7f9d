//! Similarity of two statements and shifts: a statement far from all the
//! speaker said before.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::tokens::{loose_key, stem_key};
use crate::detect::lexicon::negation::NEGATORS;
use crate::detect::lexicon::stopwords::SIMILARITY_STOPWORDS;
use crate::text::{fold, words};

/// The negators (`lexicon`) as loose keys, the form statement words are
/// compared in.
static NEGATOR_KEYS: LazyLock<HashSet<String>> =
    LazyLock::new(|| NEGATORS.iter().map(|w| loose_key(w).0).collect());

/// Content-word stems of a statement and whether it contains a negation.
fn statement_terms(s: &str) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut negated = false;
    for (_, w) in words(s) {
        let (key, _) = loose_key(w);
        if NEGATOR_KEYS.contains(&key) || key.ends_with("n't") {
            negated = true;
            continue;
        }
        if SIMILARITY_STOPWORDS.contains(&key.as_str()) {
            continue;
        }
        out.push(stem_key(&key));
    }
    (out, negated)
}

fn jaccard<T: std::hash::Hash + Eq>(a: &HashSet<T>, b: &HashSet<T>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Weight of the word-set Jaccard in [`similarity`]; the rest goes to the
/// word-pair (2-shingle) Jaccard, which rewards the same word order.
const WORD_SET_WEIGHT: f64 = 0.6;
/// A statement and its negation ("ready" / "not ready") keep this share of
/// their word similarity: at most 0.25, always below [`SHIFT_THRESHOLD`], so
/// a reversed position is always a shift.
const NEGATION_FACTOR: f64 = 0.25;

/// Similarity of two statements, 0..=1, symmetric and deterministic:
/// `0.6 × Jaccard(content-word stems) + 0.4 × Jaccard(stem 2-shingles)`,
/// over folded words with stopwords dropped (with fewer than two words on
/// either side, the word-set Jaccard alone), times 0.25 when exactly one side
/// is negated. Identical texts score 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (ta, na) = statement_terms(a);
    let (tb, nb) = statement_terms(b);
    if ta.is_empty() || tb.is_empty() {
        return if ta.is_empty() && tb.is_empty() && fold(a.trim()) == fold(b.trim()) {
            1.0
        } else {
            0.0
        };
    }
    let wa: HashSet<&str> = ta.iter().map(String::as_str).collect();
    let wb: HashSet<&str> = tb.iter().map(String::as_str).collect();
    let words_j = jaccard(&wa, &wb);
    let sim = if ta.len() < 2 || tb.len() < 2 {
        words_j
    } else {
        let sa: HashSet<(&str, &str)> = ta
            .windows(2)
            .map(|w| (w[0].as_str(), w[1].as_str()))
            .collect();
        let sb: HashSet<(&str, &str)> = tb
            .windows(2)
            .map(|w| (w[0].as_str(), w[1].as_str()))
            .collect();
        WORD_SET_WEIGHT * words_j + (1.0 - WORD_SET_WEIGHT) * jaccard(&sa, &sb)
    };
    let sim = if na != nb { sim * NEGATION_FACTOR } else { sim };
    sim.clamp(0.0, 1.0)
}

/// Below this similarity to every earlier statement, a statement is a shift.
///
/// Chosen on the headline statements of Lavrov and Putin in
/// `datasets/tass__english-headlines-2025.json` (all 54,121 same-speaker
/// pairs, almost all about different things): median 0.00, 99th percentile
/// 0.12, 99.9th 0.23; the 19 pairs at ≥ 0.30 are mostly repeats or close
/// paraphrases ("Japan should weigh/weight everything…", 0.65; "Europe missed
/// all chance…" / "Europe had chances… but missed them", 0.58), with a few
/// template look-alikes ("Russia-Egypt / Russia, Mongolia cooperation
/// steadily developing", 0.46). Lower would call paraphrases shifts.
pub const SHIFT_THRESHOLD: f64 = 0.3;

/// A statement far from everything the speaker said before on the topic.
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    /// Index into `earlier` of the closest earlier statement.
    pub closest: usize,
    pub similarity: f64,
}

/// A new statement is a shift when its best similarity to every earlier
/// statement (same speaker, same topic, last N days — the caller filters) is
/// below [`SHIFT_THRESHOLD`]; returns the closest earlier one for
/// side-by-side display. `None` when there are no earlier statements (the
/// first statement is not a shift) or when it is a near-repeat.
pub fn find_shift(new: &str, earlier: &[&str]) -> Option<Shift> {
    let mut best: Option<Shift> = None;
    for (i, e) in earlier.iter().enumerate() {
        let s = similarity(new, e);
        if best.as_ref().is_none_or(|b| s > b.similarity) {
            best = Some(Shift {
                closest: i,
                similarity: s,
            });
        }
    }
    best.filter(|b| b.similarity < SHIFT_THRESHOLD)
}
