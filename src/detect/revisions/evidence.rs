//! The evidence rules of a field's verdict: numbers, negation, who speaks and
//! proper names (module docs, "Significance rules"). Each `check_*` adds a
//! major reason (or a minor note) to the field's [`FieldVerdict`].

use std::collections::HashSet;
use std::sync::LazyLock;

use super::verdict::FieldVerdict;
use super::words::{Field, Tok, counts, take};
use crate::detect::lexicon::WordSet;
use crate::detect::lexicon::negation::NEGATORS;
use crate::detect::lexicon::speech::SPEECH_AND_BLAME_VERBS;
use crate::detect::lexicon::stopwords::NOT_ACTORS;
use crate::text::{StemLang, stem};

impl FieldVerdict {
    pub(super) fn check_numbers(&mut self, old: &Field, new: &Field) {
        let a = numbers(old);
        let b = numbers(new);
        if a == b {
            return;
        }
        let mut pool_b = counts(b.iter().map(String::as_str));
        let removed: Vec<&str> = a
            .iter()
            .filter(|n| !take(&mut pool_b, n))
            .map(String::as_str)
            .collect();
        let mut pool_a = counts(a.iter().map(String::as_str));
        let added: Vec<&str> = b
            .iter()
            .filter(|n| !take(&mut pool_a, n))
            .map(String::as_str)
            .collect();
        let side = |v: &[&str]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        self.major.push(format!(
            "numbers_changed: {} → {}",
            side(&removed),
            side(&added)
        ));
    }

    pub(super) fn check_speaker(&mut self, old: &Field, new: &Field) {
        let a = actors(old);
        let b = actors(new);
        let gone = a.iter().find(|(k, _)| !b.iter().any(|(kb, _)| kb == k));
        let came = b.iter().find(|(k, _)| !a.iter().any(|(ka, _)| ka == k));
        if let (Some((_, from)), Some((_, to))) = (gone, came) {
            self.major.push(format!("speaker_changed: {from} → {to}"));
        }
    }

    pub(super) fn check_names(&mut self, old: &Field, new: &Field, doc: StemLang) {
        let a = names(old, doc);
        let b = names(new, doc);
        let gone: Vec<&(String, String)> =
            a.iter().filter(|n| !b.iter().any(|m| m.0 == n.0)).collect();
        let came: Vec<&(String, String)> =
            b.iter().filter(|n| !a.iter().any(|m| m.0 == n.0)).collect();
        let mut replaced = None;
        for g in &gone {
            match came.iter().find(|c| spelling_variant(&g.0, &c.0)) {
                Some(c) => self.notes.push(format!("name_spelling: {}/{}", g.1, c.1)),
                None => {
                    let unmatched = came
                        .iter()
                        .find(|c| !gone.iter().any(|g| spelling_variant(&g.0, &c.0)));
                    if let (None, Some(c)) = (&replaced, unmatched) {
                        replaced = Some(format!("names_changed: {} → {}", g.1, c.1));
                    }
                }
            }
        }
        if let Some(r) = replaced {
            self.major.push(r);
        }
    }
}

/// Numbers of a field as a sorted multiset: numeric words by their key, and
/// digit runs inside other words ("q1", "f16").
fn numbers(f: &Field) -> Vec<String> {
    let mut out = Vec::new();
    for t in &f.toks {
        if t.key.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && t.key.bytes().any(|b| b.is_ascii_digit())
        {
            out.push(t.key.clone());
            continue;
        }
        let mut run = String::new();
        for c in t.key.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() {
                run.push(c);
            } else if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
        }
    }
    out.sort();
    out
}

pub(super) fn negations(f: &Field) -> usize {
    f.toks
        .iter()
        .filter(|t| in_list(&NEGATOR_SET, &t.folded) || t.folded.ends_with("n't"))
        .count()
}

/// Who says what: for each speech verb, the words before it in its clause
/// (up to four, articles and auxiliaries skipped), the words after "by" in a
/// passive ("…attack claimed by a Pakistani Taliban splinter group", AP
/// 20260510T170848Z), or the words after the verb when the clause opens
/// with it ("заявил Песков"). Returned as (sorted keys, words as written).
fn actors(f: &Field) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, t) in f.toks.iter().enumerate() {
        if !in_list(&SPEECH_VERB_SET, &t.folded) {
            continue;
        }
        // Only participles make a passive: "will say by week's end" (AP
        // 20260513T182509Z) is not one.
        let participle = t.folded.ends_with("ed") || t.folded == "said" || t.folded == "told";
        let passive = participle
            && f.toks
                .get(i + 1)
                .is_some_and(|n| n.key == "by" && !n.clause_start);
        let picked = if passive {
            words_after(f, i + 2, 4)
        } else {
            let before = words_before(f, i, 4);
            if before.is_empty() {
                words_after(f, i + 1, 3)
            } else {
                before
            }
        };
        if picked.is_empty() {
            continue;
        }
        let mut keys: Vec<&str> = picked.iter().map(|t| t.key.as_str()).collect();
        keys.sort_unstable();
        let shown: Vec<&str> = picked.iter().map(|t| t.text.as_str()).collect();
        out.push((keys.join(" "), shown.join(" ")));
    }
    out
}

/// Up to `max` actor words before word `i`, within its clause.
fn words_before(f: &Field, i: usize, max: usize) -> Vec<&Tok> {
    let mut out = Vec::new();
    let mut j = i;
    while j > 0 && !f.toks[j].clause_start && out.len() < max {
        j -= 1;
        if !in_list(&NOT_ACTOR_SET, &f.toks[j].key) {
            out.push(&f.toks[j]);
        }
    }
    out.reverse();
    out
}

/// Up to `max` actor words from word `from` on, within one clause.
fn words_after(f: &Field, from: usize, max: usize) -> Vec<&Tok> {
    f.toks
        .get(from..)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .take_while(|(n, t)| *n == 0 || !t.clause_start)
        .map(|(_, t)| t)
        .filter(|t| !in_list(&NOT_ACTOR_SET, &t.key))
        .take(max)
        .collect()
}

/// Capitalised words that do not open a sentence: (stem of the key, as
/// written). Stems, because names inflect: Путиным/Путина (Svoboda
/// 20251020T093421Z), Рубикона/Рубикон (20250917T125814Z).
fn names(f: &Field, doc: StemLang) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    f.toks
        .iter()
        .filter(|t| t.cap && !t.sentence_start)
        .map(|t| {
            let s = stem(&t.key, StemLang::for_word(doc, &t.key)).into_owned();
            (s, t.text.clone())
        })
        .filter(|(s, _)| seen.insert(s.clone()))
        .collect()
}

/// Two name keys that are one spelling fix or one inflection apart:
/// Пунчук/Пинчук, Путин/Путина, ФБ/ФСБ — but not US/UK (a two-letter
/// substitution changes the country).
fn spelling_variant(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let min_len = a.len().min(b.len());
    let d = levenshtein(&a, &b, 3);
    (min_len >= 4 && d <= (min_len / 4).max(1)) || (d == 1 && a.len() != b.len())
}

/// Edit distance, giving up (returning `cap`) once it exceeds `cap`.
fn levenshtein(a: &[char], b: &[char], cap: usize) -> usize {
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|&m| m > cap) {
            return cap + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The word lists (`lexicon`) as sets, built once: going through a list again
/// for every token made `actors` 7% of a tick's instructions (`bench/instructions.py`).
static NEGATOR_SET: WordSet = LazyLock::new(|| NEGATORS.iter().copied().collect());
static SPEECH_VERB_SET: WordSet =
    LazyLock::new(|| SPEECH_AND_BLAME_VERBS.iter().copied().collect());
static NOT_ACTOR_SET: WordSet = LazyLock::new(|| NOT_ACTORS.iter().copied().collect());

fn in_list(set: &WordSet, word: &str) -> bool {
    set.contains(word)
}
