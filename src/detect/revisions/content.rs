//! Content words: what a field says once morphology and function words are
//! set aside (module docs, "Content words"). Each word is reduced to its
//! stem (English, Russian, Ukrainian Snowball), function words go
//! (`lexicon::edit_cues::FILLER`), and the two versions' multisets are
//! compared with spelling fixes paired off: so "heading" = "heads",
//! "мультивиз" = "мультивизы", "the" added, "Пунчук" → "Пинчук" and a
//! first name added before the same surname all leave nothing changed.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::framing::{drop_pending_kept, media_frame, pair_named_pronouns};
use super::words::{Field, Tok};
use crate::detect::lexicon::WordSet;
use crate::detect::lexicon::edit_cues::{DOWN, FILLER, ORDINALS, SYNONYMS, UP};
use crate::text::{StemLang, fold, stem};

/// One content word: its stem and the word as written.
#[derive(Clone, Debug)]
pub(super) struct Content {
    pub(super) stem: String,
    pub(super) text: String,
    /// Capitalised and not the first word of a sentence: a name.
    pub(super) name: bool,
}

/// The content-word change of one field.
#[derive(Debug, Default)]
pub(super) struct ContentChange {
    /// Content words of the old version not in the new, as written.
    pub(super) removed: Vec<Content>,
    /// Content words of the new version not in the old.
    pub(super) added: Vec<Content>,
    /// Spelling fixes paired off (old → new), as written.
    pub(super) respelled: Vec<(String, String)>,
    /// Near-synonyms paired off (old → new), as written.
    pub(super) synonyms: Vec<(String, String)>,
    /// Content words of both versions together.
    pub(super) total: usize,
}

impl ContentChange {
    pub(super) fn is_empty(&self) -> bool {
        self.removed.is_empty() && self.added.is_empty()
    }
}

pub(super) fn content_words(f: &Field, doc: StemLang) -> Vec<Content> {
    f.toks
        .iter()
        .enumerate()
        // "about 800" is a hedge on a figure, not a preposition.
        .filter(|(i, t)| {
            let before_number = matches!(t.key.as_str(), "about" | "over" | "around")
                && f.toks.get(i + 1).is_some_and(|n| {
                    n.key.bytes().next().is_some_and(|b| b.is_ascii_digit())
                        && n.key.bytes().all(|b| b.is_ascii_digit() || b == b'.')
                });
            // "1st" may come as "1" and "st".
            let ordinal_suffix = matches!(t.key.as_str(), "st" | "nd" | "rd" | "th")
                && i.checked_sub(1)
                    .and_then(|p| f.toks.get(p))
                    .is_some_and(|p| p.key.bytes().all(|b| b.is_ascii_digit()));
            !t.key.is_empty()
                && !ordinal_suffix
                && !media_frame(f, *i)
                && (before_number || !FILLER_SET.contains(t.key.as_str()))
        })
        .map(|(_, t)| t)
        .map(|t| Content {
            stem: ordinal_digits(&t.key).unwrap_or_else(|| stem_of(t, doc)),
            text: t.text.clone(),
            name: t.cap && !t.sentence_start,
        })
        .collect()
}

/// "first" and "1st" (and "1" when the numerals fold made "first" one) are
/// one word: the digits.
fn ordinal_digits(key: &str) -> Option<String> {
    if let Some((_, d)) = ORDINALS.iter().find(|(w, _)| *w == key) {
        return Some(d.trim_end_matches(char::is_alphabetic).to_string());
    }
    let digits = key.trim_end_matches(['s', 't', 'n', 'd', 'r', 'h']);
    let suffix = &key[digits.len()..];
    let ordinal = matches!(suffix, "st" | "nd" | "rd" | "th");
    (ordinal && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.to_string())
}

/// The stem of a word's comparison key, in the word's own language.
pub(super) fn stem_of(t: &Tok, doc: StemLang) -> String {
    stem(&t.key, StemLang::for_word(doc, &t.key)).into_owned()
}

/// Compares the content words of two versions of a field.
pub(super) fn compare_content(old: &Field, new: &Field, doc: StemLang) -> ContentChange {
    let a = content_words(old, doc);
    let b = content_words(new, doc);
    let total = a.len() + b.len();
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for c in &b {
        *pool.entry(c.stem.as_str()).or_insert(0) += 1;
    }
    let mut removed = Vec::new();
    for c in &a {
        match pool.get_mut(c.stem.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => removed.push(c.clone()),
        }
    }
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for c in &a {
        *pool.entry(c.stem.as_str()).or_insert(0) += 1;
    }
    let mut added = Vec::new();
    for c in &b {
        match pool.get_mut(c.stem.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => added.push(c.clone()),
        }
    }
    let mut change = ContentChange {
        removed,
        added,
        respelled: Vec::new(),
        synonyms: Vec::new(),
        total,
    };
    pair_spellings(&mut change);
    pair_synonyms(&mut change);
    drop_compounds(&mut change, &a, &b);
    drop_first_names(&mut change, old, new, doc);
    pair_named_pronouns(&mut change, old, new);
    drop_pending_kept(&mut change, old, new, doc);
    change
}

/// Pairs off a removed and an added word that are one spelling fix apart
/// (typos, Пунчук/Пинчук, attendances/attendance, Pakistan/Pakistani).
fn pair_spellings(change: &mut ContentChange) {
    // A rewrite this large is one whatever its spellings; pairing it off
    // would cost removed × added comparisons.
    if change.removed.len().saturating_mul(change.added.len()) > MAX_PAIRINGS {
        return;
    }
    let mut i = 0;
    while i < change.removed.len() {
        let r = &change.removed[i];
        let hit = change.added.iter().position(|a| {
            (respelling(&r.stem, &a.stem) || acronym_respelled(&r.text, &a.text))
                && !digits_differ(&r.text, &a.text)
        });
        match hit {
            Some(j) => {
                let a = change.added.remove(j);
                let r = change.removed.remove(i);
                change.respelled.push((r.text, a.text));
            }
            None => i += 1,
        }
    }
}

/// Pairs off a removed and an added word of one near-synonym group
/// (`lexicon::edit_cues::SYNONYMS`, and the up and down words): "jet" →
/// "plane", "kicks off" → "begins", "Supreme Court" → "top court".
fn pair_synonyms(change: &mut ContentChange) {
    // As with spellings: a rewrite this large is one whatever its
    // synonyms, and pairing it off would cost removed × added lookups.
    if change.removed.len().saturating_mul(change.added.len()) > MAX_PAIRINGS {
        return;
    }
    let mut added_groups: Vec<Vec<usize>> = change.added.iter().map(synonym_groups).collect();
    let mut i = 0;
    while i < change.removed.len() {
        let r = synonym_groups(&change.removed[i]);
        let hit = if r.is_empty() {
            None
        } else {
            added_groups
                .iter()
                .position(|a| a.iter().any(|g| r.contains(g)))
        };
        match hit {
            Some(j) => {
                added_groups.remove(j);
                let a = change.added.remove(j);
                let r = change.removed.remove(i);
                change.synonyms.push((r.text, a.text));
            }
            None => i += 1,
        }
    }
}

/// The near-synonym groups a content word belongs to, by its stem or its
/// folded form.
fn synonym_groups(c: &Content) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for key in [c.stem.clone(), fold(&c.text)] {
        if let Some(g) = SYNONYM_GROUPS.get(key.as_str()) {
            out.extend(g);
        }
    }
    out
}

/// Every form and stem (in each stemmed language) of the near-synonym
/// groups, with the groups it belongs to; the up and down words are the
/// last two groups.
static SYNONYM_GROUPS: LazyLock<HashMap<String, Vec<usize>>> = LazyLock::new(|| {
    let mut map: HashMap<String, Vec<usize>> = HashMap::new();
    let groups = SYNONYMS.iter().copied().chain([UP, DOWN]);
    for (g, words) in groups.enumerate() {
        for w in words {
            let keys = [
                (*w).to_string(),
                stem(w, StemLang::English).into_owned(),
                stem(w, StemLang::Russian).into_owned(),
                stem(w, StemLang::Ukrainian).into_owned(),
            ];
            for k in keys {
                let entry = map.entry(k).or_default();
                if !entry.contains(&g) {
                    entry.push(g);
                }
            }
        }
    }
    map
});

/// A word written as one or as two ("hantavirus-stricken ship" vs
/// "hantavirus cruise ship" is not this; "train security" vs "security on
/// trains" is stems; "healthcare" vs "health care" is this): an added word
/// equal to two removed ones joined, or the other way round.
fn drop_compounds(change: &mut ContentChange, a: &[Content], b: &[Content]) {
    let joined = |v: &[Content]| -> Vec<String> {
        v.windows(2)
            .map(|w| format!("{}{}", w[0].text, w[1].text).to_lowercase())
            .collect()
    };
    let ja: HashSet<String> = joined(a).into_iter().collect();
    let jb: HashSet<String> = joined(b).into_iter().collect();
    change
        .added
        .retain(|c| !ja.contains(&c.text.to_lowercase()));
    change
        .removed
        .retain(|c| !jb.contains(&c.text.to_lowercase()));
}

/// A first name added or dropped right before a surname both versions
/// have ("Jackson" → "Peter Jackson"; "Сергей Чемезов" → "Чемезов"); and an
/// acronym spelled out ("EU" → "European Union").
fn drop_first_names(change: &mut ContentChange, old: &Field, new: &Field, doc: StemLang) {
    let stems = |f: &Field| -> HashSet<String> { f.toks.iter().map(|t| stem_of(t, doc)).collect() };
    // The word after each capitalised word, by the word as written.
    let next_of = |f: &Field| -> HashMap<String, String> {
        let mut m = HashMap::new();
        for w in f.toks.windows(2) {
            if w[0].cap && w[1].cap {
                m.entry(w[0].text.clone())
                    .or_insert_with(|| stem_of(&w[1], doc));
            }
        }
        m
    };
    let (old_stems, new_stems) = (stems(old), stems(new));
    let (old_next, new_next) = (next_of(old), next_of(new));
    // A first name replaced before the same surname is another person
    // (Дмитрий → Денис Козак): only a first name with no counterpart goes.
    let surnames = |v: &[Content], next: &HashMap<String, String>, other: &HashSet<String>| {
        v.iter()
            .filter_map(|c| next.get(&c.text).filter(|n| other.contains(*n)).cloned())
            .collect::<HashSet<String>>()
    };
    let added_before = surnames(&change.added, &new_next, &old_stems);
    let removed_before = surnames(&change.removed, &old_next, &new_stems);
    change.added.retain(|c| {
        !new_next
            .get(&c.text)
            .is_some_and(|n| old_stems.contains(n) && !removed_before.contains(n))
    });
    change.removed.retain(|c| {
        !old_next
            .get(&c.text)
            .is_some_and(|n| new_stems.contains(n) && !added_before.contains(n))
    });
    // Acronyms spelled out: "EU" removed, "European" and "Union" added.
    let initials = |v: &[Content]| -> String {
        v.iter()
            .filter_map(|c| c.text.chars().next())
            .filter(|c| c.is_uppercase())
            .collect()
    };
    let acronym = |c: &Content| c.text.len() >= 2 && c.text.chars().all(char::is_uppercase);
    if let Some(i) = change.removed.iter().position(acronym) {
        let caps: Vec<Content> = change.added.iter().filter(|c| c.name).cloned().collect();
        if !caps.is_empty() && initials(&caps) == change.removed[i].text {
            change.removed.remove(i);
            change.added.retain(|c| !c.name);
        }
    }
    if let Some(i) = change.added.iter().position(acronym) {
        let caps: Vec<Content> = change.removed.iter().filter(|c| c.name).cloned().collect();
        if !caps.is_empty() && initials(&caps) == change.added[i].text {
            change.added.remove(i);
            change.removed.retain(|c| !c.name);
        }
    }
}

/// Two stems that are one spelling fix apart: one letter changed, added or
/// dropped in a word of five letters or more, or one a prefix of the other
/// by at most two letters (Pakistan/Pakistani).
pub(super) fn respelling(a: &str, b: &str) -> bool {
    let ca: Vec<char> = a.chars().collect();
    let cb: Vec<char> = b.chars().collect();
    let min = ca.len().min(cb.len());
    if min < 4 {
        return false;
    }
    if (a.starts_with(b) || b.starts_with(a)) && ca.len().abs_diff(cb.len()) <= 2 {
        return true;
    }
    (min >= 5 || (min >= 4 && ca.len() != cb.len())) && edit_distance_is_one(&ca, &cb)
}

/// An acronym with a letter added or dropped (УСБ ФБ → УСБ ФСБ): both in
/// capitals, two letters or more, one letter longer than the other. A
/// letter replaced ("EU" → "US") is another body.
fn acronym_respelled(a: &str, b: &str) -> bool {
    let caps = |s: &str| s.chars().count() >= 2 && s.chars().all(char::is_uppercase);
    if !caps(a) || !caps(b) || a.chars().count().abs_diff(b.chars().count()) != 1 {
        return false;
    }
    let ca: Vec<char> = a.chars().collect();
    let cb: Vec<char> = b.chars().collect();
    edit_distance_is_one(&ca, &cb)
}

fn edit_distance_is_one(a: &[char], b: &[char]) -> bool {
    if a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let (mut i, mut j, mut edits) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            i += 1;
            j += 1;
            continue;
        }
        edits += 1;
        if edits > 1 {
            return false;
        }
        match a.len().cmp(&b.len()) {
            std::cmp::Ordering::Greater => i += 1,
            std::cmp::Ordering::Less => j += 1,
            std::cmp::Ordering::Equal => {
                i += 1;
                j += 1;
            }
        }
    }
    edits + (a.len() - i) + (b.len() - j) <= 1
}

/// "Switch" → "Switch 2" is not a spelling fix, nor "F16" → "F35".
fn digits_differ(a: &str, b: &str) -> bool {
    let d = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    d(a) != d(b)
}

/// See [`pair_spellings`].
const MAX_PAIRINGS: usize = 10_000;

/// A word of no content (articles, prepositions, auxiliaries).
pub(super) fn is_filler(key: &str) -> bool {
    FILLER_SET.contains(key)
}

static FILLER_SET: WordSet = LazyLock::new(|| FILLER.iter().copied().collect());
