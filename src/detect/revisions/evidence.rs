//! The evidence rules of a field's verdict: numbers, negation, who speaks and
//! proper names (module docs, "Significance rules"). Each `check_*` adds a
//! major reason (or a minor note) to the field's [`FieldVerdict`].

use std::sync::LazyLock;

use super::content::respelling;
use super::verdict::FieldVerdict;
use super::words::{Field, Tok, counts, take};
use crate::detect::lexicon::WordSet;
use crate::detect::lexicon::edit_cues::ORDINALS;
use crate::detect::lexicon::negation::NEGATORS;
use crate::detect::lexicon::speech::SPEECH_AND_BLAME_VERBS;
use crate::detect::lexicon::stopwords::NOT_ACTORS;
use crate::text::StemLang;

/// Quantities that stand for a count no longer given.
#[rustfmt::skip]
const VAGUE_COUNTS: &[&str] = &[
    "several", "some", "many", "multiple", "dozens", "scores", "hundreds", "thousands", "few",
    "несколько", "десятки", "сотни", "тысячи", "многие", "кілька", "десятки", "сотні", "тисячі",
];

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
        // Dropping a figure without contradicting it is a detail gone;
        // a new or changed figure is a fact.
        if added.is_empty() {
            // A count that became a vague quantity ("2 ministers quit" →
            // "several ministers quit") is a count changed, not dropped.
            let vague = |f: &Field| {
                f.toks
                    .iter()
                    .filter(|t| VAGUE_COUNTS.contains(&t.key.as_str()))
                    .count()
            };
            if let Some(v) = (vague(new) > vague(old))
                .then(|| {
                    new.toks
                        .iter()
                        .find(|t| VAGUE_COUNTS.contains(&t.key.as_str()))
                })
                .flatten()
            {
                self.major
                    .push(format!("figure {} → {}", removed.join(", "), v.text));
                return;
            }
            self.notes
                .push(format!("figure dropped: {}", removed.join(", ")));
        } else if removed.is_empty() {
            self.major
                .push(format!("figure added: {}", added.join(", ")));
        } else {
            self.major.push(format!(
                "figure {} → {}",
                removed.join(", "),
                added.join(", ")
            ));
        }
    }

    pub(super) fn check_speaker(&mut self, old: &Field, new: &Field) {
        let a = actors(old);
        let b = actors(new);
        let gone = a.iter().find(|x| !b.iter().any(|y| y.keys == x.keys));
        let came = b.iter().find(|x| !a.iter().any(|y| y.keys == x.keys));
        if let (Some(from), Some(to)) = (gone, came)
            && !same_words_respelled(&from.shown, &to.shown)
            && from.named
            && to.named
            && !to.within(from)
        {
            let (from, to) = (&from.shown, &to.shown);
            self.major.push(format!("speaker changed: {from} → {to}"));
        }
    }

    /// Names compared by their content words, after spelling fixes, first
    /// names and spelled-out acronyms were paired off (`content`).
    pub(super) fn check_names(&mut self, old: &Field, new: &Field, _doc: StemLang) {
        for (a, b) in &self.content.respelled {
            if a.chars().next().is_some_and(char::is_uppercase) {
                self.notes.push(format!("name spelling: {a}/{b}"));
            }
        }
        let gone: Vec<&str> = self
            .content
            .removed
            .iter()
            .filter(|c| c.name)
            .map(|c| c.text.as_str())
            .collect();
        let came: Vec<&str> = self
            .content
            .added
            .iter()
            .filter(|c| c.name)
            .map(|c| c.text.as_str())
            .collect();
        // A name swapped in an otherwise kept sentence (Астаны → Алматы),
        // in the same place: the word before or after it is the same
        // ("в аэропорту Астаны" → "в аэропорту Алматы"; "to Europe" → "to
        // Canary Islands"). In a rewrite, names come and go with the
        // wording, and the rewrite rule judges it; a name dropped from one
        // clause and another named in a new one is the wording too.
        let others =
            self.content.removed.len() + self.content.added.len() - gone.len() - came.len();
        if others > NAME_SWAP_MAX_OTHER_WORDS {
            return;
        }
        let swap = gone.iter().find_map(|g| {
            came.iter()
                .find(|c| same_slot(old, g, new, c))
                .map(|c| (g, c))
        });
        if let Some((g, c)) = swap {
            self.major.push(format!("name changed: {g} → {c}"));
            return;
        }
        // A name added to or dropped from a list of names the other
        // version keeps ("Musk, Cook and other executives" → "Musk, Cook,
        // Huang and other executives"; "accuses Ethiopia and the UAE" →
        // "accuses Ethiopia"): who is involved changed.
        if gone.len() + came.len() == 1 && others <= NAME_LIST_MAX_OTHER_WORDS {
            if let Some(c) = came.first()
                && in_list_of_names(new, c, old)
            {
                self.major.push(format!("name added: {c}"));
            } else if let Some(g) = gone.first()
                && in_list_of_names(old, g, new)
            {
                self.major.push(format!("name dropped: {g}"));
            }
        }
    }
}

/// Other content words that may change beside a name added to a list.
const NAME_LIST_MAX_OTHER_WORDS: usize = 1;

/// Whether word `w` of `f` stands in a list beside a name that `other`
/// has too: joined to it by a comma or "and" ("Musk, Cook, Huang";
/// "Ethiopia and the UAE").
fn in_list_of_names(f: &Field, w: &str, other: &Field) -> bool {
    let kept = |t: &Tok| t.cap && other.toks.iter().any(|o| o.key == t.key);
    let and = |t: &Tok| AND.contains(&t.key.as_str());
    let toks = &f.toks;
    (0..toks.len()).filter(|&i| toks[i].text == w).any(|i| {
        // The name before it: "Cook, Huang", "Ethiopia and (the) UAE".
        let mut j = i;
        while j > 0 && toks[j - 1].key == "the" {
            j -= 1;
        }
        let comma_before = j >= 1 && toks[j].clause_start && kept(&toks[j - 1]);
        let and_before = j >= 2 && and(&toks[j - 1]) && kept(&toks[j - 2]);
        // The name after it: "Huang, Cook", "UAE and Ethiopia".
        let comma_after = toks.get(i + 1).is_some_and(|n| n.clause_start && kept(n));
        let and_after = toks.get(i + 1).is_some_and(and) && toks.get(i + 2).is_some_and(kept);
        comma_before || and_before || comma_after || and_after
    })
}

/// Words that join two names in a list.
const AND: &[&str] = &["and", "и", "і", "та", "й"];

/// Whether word `a` of `old` and word `b` of `new` stand in the same place:
/// the word before or the word after them is the same.
fn same_slot(old: &Field, a: &str, new: &Field, b: &str) -> bool {
    let neighbours = |f: &Field, w: &str| -> Vec<(Option<String>, Option<String>)> {
        f.toks
            .iter()
            .enumerate()
            .filter(|(_, t)| t.text == w)
            .map(|(i, _)| {
                let before = i.checked_sub(1).map(|j| f.toks[j].key.clone());
                let after = f.toks.get(i + 1).map(|t| t.key.clone());
                (before, after)
            })
            .collect()
    };
    let (na, nb) = (neighbours(old, a), neighbours(new, b));
    na.iter().any(|(ba, aa)| {
        nb.iter()
            .any(|(bb, ab)| (ba.is_some() && ba == bb) || (aa.is_some() && aa == ab))
    })
}

/// Other content words that may change beside a name swap.
const NAME_SWAP_MAX_OTHER_WORDS: usize = 4;

/// Numbers of a field as a sorted multiset: numeric words by their key, and
/// digit runs inside other words ("q1", "f16").
fn numbers(f: &Field) -> Vec<String> {
    let mut out = Vec::new();
    for t in &f.toks {
        if let Some((_, digits)) = ORDINALS.iter().find(|(w, _)| *w == t.key) {
            out.push(digits.trim_end_matches(char::is_alphabetic).to_string());
            continue;
        }
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

/// The first word of `f` that turns a statement into a question of
/// whether it holds ("как это возможно" → "возможно ли это"), and how many
/// such words `f` has.
pub(super) fn doubts(f: &Field) -> (usize, Option<&str>) {
    let mut n = 0;
    let mut first = None;
    for t in &f.toks {
        if DOUBT_WORDS.contains(&t.folded.as_str()) {
            n += 1;
            first.get_or_insert(t.text.as_str());
        }
    }
    (n, first)
}

/// Words that put a statement in doubt: Russian "ли", English "whether"
/// (Ukrainian "чи" is also "or", so it is left out).
const DOUBT_WORDS: &[&str] = &["ли", "whether"];

/// Who speaks, as one speech verb's words give it.
struct Actor {
    /// Folded keys, sorted.
    keys: Vec<String>,
    /// As written.
    shown: String,
    /// Has a capitalised word: "Amnesty International", not "rights
    /// group", which may describe it.
    named: bool,
}

impl Actor {
    /// Every word of this speaker is in `other`: the same speaker told less
    /// precisely ("U.S. military" → "US"); the other way round, a speaker
    /// joined ("Russia" → "Russia and Ukraine") is a change.
    fn within(&self, other: &Actor) -> bool {
        self.keys.iter().all(|k| other.keys.contains(k))
    }
}

/// Who says what: for each speech verb, the words before it in its clause
/// (up to four, articles and auxiliaries skipped), the words after "by" in a
/// passive ("…attack claimed by a Pakistani Taliban splinter group", AP
/// 20260510T170848Z), or the words after the verb when the clause opens
/// with it ("заявил Песков").
fn actors(f: &Field) -> Vec<Actor> {
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
        let mut keys: Vec<String> = picked.iter().map(|t| t.key.clone()).collect();
        keys.sort_unstable();
        let shown: Vec<&str> = picked.iter().map(|t| t.text.as_str()).collect();
        out.push(Actor {
            keys,
            shown: shown.join(" "),
            named: picked.iter().any(|t| t.cap),
        });
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

/// The word lists (`lexicon`) as sets, built once: going through a list again
/// for every token made `actors` 7% of a tick's instructions (`bench/instructions.py`).
static NEGATOR_SET: WordSet = LazyLock::new(|| NEGATORS.iter().copied().collect());
static SPEECH_VERB_SET: WordSet =
    LazyLock::new(|| SPEECH_AND_BLAME_VERBS.iter().copied().collect());
static NOT_ACTOR_SET: WordSet = LazyLock::new(|| NOT_ACTORS.iter().copied().collect());

fn in_list(set: &WordSet, word: &str) -> bool {
    set.contains(word)
}

/// "Pakistan Taliban group" / "Pakistani Taliban group": the same words, one
/// respelled.
fn same_words_respelled(a: &str, b: &str) -> bool {
    let a: Vec<String> = a.split_whitespace().map(str::to_lowercase).collect();
    let b: Vec<String> = b.split_whitespace().map(str::to_lowercase).collect();
    a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x == y || respelling(x, y))
}
