//! Speakers compiled for matching, and their mentions in text.

use std::collections::HashSet;

use super::Speaker;
use super::tokens::{Token, is_cyrillic, loose_key, stem_key, tokens};
use crate::detect::lexicon::cyrillic::CASE_ENDINGS;
use crate::detect::lexicon::names::TITLES;
use crate::text::{Span, words};

/// One alias word, precomputed for matching.
#[derive(Clone, Debug)]
struct AliasWord {
    key: String,
    stem: String,
    cyrillic: bool,
}

#[derive(Clone, Debug)]
pub(super) struct Alias {
    words: Vec<AliasWord>,
    speaker: usize,
    /// A title or an institution written in lower case ("presidential
    /// envoy", "top Russian diplomat"): matched in any case.
    lowercase: bool,
}

/// Speakers compiled for matching: every name and alias (and the last word
/// of a multi-word one: "Dmitry Peskov" → "Peskov") as a sequence of folded
/// words. A text word matches an alias word when the folded forms are equal,
/// when their stems are (≥ 4 letters: Зеленский/Зеленского), or — Cyrillic
/// only — when the word is the alias plus a case ending (Песков/Пескову/
/// Песковым, Путин/Путина). Ukrainian and Russian spellings meet through a
/// loose key (і/ї→и, є→е, й→и, ь dropped: Зеленський = Зеленский, Пєсков =
/// Песков); Latin transliterations ending -yy/-iy/-ii meet at -y (Zelenskyy,
/// Zelenskiy, Zelensky). A mention must start with a capital letter, unless
/// the alias is written in lower case (a title: "presidential envoy").
#[derive(Clone, Debug, Default)]
pub struct SpeakerSet {
    speakers: Vec<Speaker>,
    pub(super) aliases: Vec<Alias>,
    /// The aliases (their indexes, in order) whose first word's key, and
    /// those whose first word's stem, begins with each byte (256: empty):
    /// the only ones [`may_match`] lets a word try.
    by_key: Vec<Vec<u32>>,
    by_stem: Vec<Vec<u32>>,
}

/// Where [`SpeakerSet::by_key`] files a key or stem.
fn slot(s: &str) -> usize {
    s.as_bytes().first().map_or(256, |&b| usize::from(b))
}

impl SpeakerSet {
    pub fn new(speakers: Vec<Speaker>) -> SpeakerSet {
        let mut aliases = Vec::new();
        let mut seen: HashSet<(usize, Vec<String>)> = HashSet::new();
        for (i, sp) in speakers.iter().enumerate() {
            for name in std::iter::once(&sp.name).chain(sp.aliases.iter()) {
                let ws: Vec<AliasWord> = words(name).map(|(_, w)| alias_word(w)).collect();
                if ws.is_empty() {
                    continue;
                }
                let lowercase = !name.trim_start().starts_with(char::is_uppercase);
                let last_capital = words(name)
                    .last()
                    .is_some_and(|(_, w)| w.starts_with(char::is_uppercase));
                let mut forms = vec![ws.clone()];
                // "Dmitry Peskov" → "Peskov"; not "Kremlin aide" → "aide".
                if ws.len() > 1 && last_capital {
                    let last = ws[ws.len() - 1].clone();
                    if last.key.chars().count() >= 4 {
                        forms.push(vec![last]);
                    }
                }
                for form in forms {
                    let keys = form.iter().map(|w| w.key.clone()).collect();
                    if seen.insert((i, keys)) {
                        aliases.push(Alias {
                            words: form,
                            speaker: i,
                            lowercase,
                        });
                    }
                }
            }
        }
        // Longest aliases first, so "Dmitry Peskov" wins over "Peskov".
        aliases.sort_by_key(|a| std::cmp::Reverse(a.words.len()));
        let mut by_key = vec![Vec::new(); 257];
        let mut by_stem = vec![Vec::new(); 257];
        for (i, a) in aliases.iter().enumerate() {
            by_key[slot(&a.words[0].key)].push(i as u32);
            by_stem[slot(&a.words[0].stem)].push(i as u32);
        }
        SpeakerSet {
            speakers,
            aliases,
            by_key,
            by_stem,
        }
    }

    pub fn speakers(&self) -> &[Speaker] {
        &self.speakers
    }

    /// Every mention of a speaker in `text`: (speaker index, byte span in
    /// `text`), in text order, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<(usize, Span)> {
        let toks = tokens(text);
        self.mentions(&toks, &vec![false; toks.len()])
            .into_iter()
            .map(|m| {
                (
                    m.speaker,
                    Span {
                        start: toks[m.first].span.start,
                        end: toks[m.last].span.end,
                    },
                )
            })
            .collect()
    }

    /// Mentions over pre-tokenised text, skipping tokens marked `skip`
    /// (inside quote marks: a name quoted is not a speaker speaking).
    pub(super) fn mentions<'a>(&'a self, toks: &[Token], skip: &[bool]) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if skip[i] {
                i += 1;
                continue;
            }
            let mut found = None;
            // The aliases `may_match` lets this word try, in their order:
            // the two sorted lists of its key's and its stem's first byte,
            // merged.
            let list = |by: &'a [Vec<u32>], s: &str| by.get(slot(s)).map_or(&[][..], Vec::as_slice);
            let (ks, ss) = (
                list(&self.by_key, &toks[i].key),
                list(&self.by_stem, &toks[i].stem),
            );
            let (mut x, mut y) = (0, 0);
            loop {
                let next = match (ks.get(x), ss.get(y)) {
                    (Some(&a), Some(&b)) if a == b => {
                        (x, y) = (x + 1, y + 1);
                        a
                    }
                    (Some(&a), Some(&b)) if a < b => {
                        x += 1;
                        a
                    }
                    (_, Some(&b)) => {
                        y += 1;
                        b
                    }
                    (Some(&a), None) => {
                        x += 1;
                        a
                    }
                    (None, None) => break,
                };
                let alias = &self.aliases[next as usize];
                let n = alias.words.len();
                if (!toks[i].capital && !alias.lowercase)
                    || i + n > toks.len()
                    || alias.words.first().is_some_and(|w| !may_match(&toks[i], w))
                    || (i..i + n).any(|j| skip[j])
                {
                    continue;
                }
                let mut exact = true;
                let all =
                    alias
                        .words
                        .iter()
                        .zip(&toks[i..i + n])
                        .all(|(a, t)| match word_match(t, a) {
                            Some(e) => {
                                exact &= e;
                                true
                            }
                            None => false,
                        });
                if all {
                    found = Some((alias.speaker, n, exact));
                    break;
                }
            }
            // "Eric Trump" is not Donald Trump: a bare Latin surname right
            // after another capitalised name (not a title, not "Russia's")
            // names someone else.
            if let Some((_, 1, _)) = found
                && i > 0
                && self.other_first_name(toks, i)
            {
                found = None;
            }
            match found {
                Some((speaker, n, exact)) => {
                    out.push(Mention {
                        speaker,
                        first: i,
                        last: i + n - 1,
                        exact,
                        possessive: toks[i + n - 1].possessive,
                    });
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }
}

impl SpeakerSet {
    /// A bare title as a headline tag (`… — spokesman`, `… — top
    /// diplomat`): the speaker one of whose title aliases ends with these
    /// words and whose other words (its institution or country: "Kremlin",
    /// "Hungary's", "Putin's") all occur in `context`, compared by their
    /// first five letters (Hungary/Hungarian). `None` unless exactly one
    /// speaker fits.
    pub(super) fn by_title(&self, tag: &[Token], context: &[Token]) -> Option<usize> {
        if tag.is_empty() {
            return None;
        }
        let prefix = |k: &str| k.chars().take(5).collect::<String>();
        let seen: HashSet<String> = context.iter().map(|t| prefix(&t.key)).collect();
        let mut found: Option<usize> = None;
        for a in &self.aliases {
            let n = a.words.len();
            if n <= tag.len() {
                continue;
            }
            let tail = &a.words[n - tag.len()..];
            if !tail.iter().zip(tag).all(|(w, t)| w.key == t.key) {
                continue;
            }
            let rest = &a.words[..n - tag.len()];
            if rest
                .iter()
                .filter(|w| w.key != "top")
                .all(|w| seen.contains(&prefix(&w.key)))
            {
                match found {
                    Some(sp) if sp != a.speaker => return None,
                    _ => found = Some(a.speaker),
                }
            }
        }
        found
    }

    fn other_first_name(&self, toks: &[Token], i: usize) -> bool {
        let (prev, cur) = (&toks[i - 1], &toks[i]);
        // Sentence-initial words ("Yesterday Trump said") are capitalised anyway.
        !is_cyrillic(&cur.key)
            && prev.capital
            && !prev.possessive
            && !prev.sentence_start
            && !TITLES.contains(&prev.key.as_str())
    }
}

/// Whether [`word_match`] can match `t` with `a` at all: each of its ways
/// needs the same first byte of the keys (equal, or the alias's a prefix
/// of the text word's) or of the stems. Checked first for every alias at
/// every word.
fn may_match(t: &Token, a: &AliasWord) -> bool {
    t.key.as_bytes().first() == a.key.as_bytes().first()
        || t.stem.as_bytes().first() == a.stem.as_bytes().first()
}

/// Does text word `t` match alias word `a`? `Some(true)` for the same form
/// (nominative), `Some(false)` for an inflected one, `None` for no match.
fn word_match(t: &Token, a: &AliasWord) -> Option<bool> {
    if t.key == a.key {
        return Some(true);
    }
    if a.stem.chars().count() >= 4 && t.stem == a.stem {
        return Some(!a.cyrillic);
    }
    if a.cyrillic
        && a.key.chars().count() >= 4
        && let Some(rest) = t.key.strip_prefix(a.key.as_str())
        && CASE_ENDINGS.contains(&rest)
    {
        return Some(false);
    }
    None
}

fn alias_word(w: &str) -> AliasWord {
    let (key, _) = loose_key(w);
    AliasWord {
        stem: stem_key(&key),
        cyrillic: is_cyrillic(&key),
        key,
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Mention {
    pub(super) speaker: usize,
    pub(super) first: usize,
    pub(super) last: usize,
    /// Nominative (uninflected) form: may be the subject of a verb.
    pub(super) exact: bool,
    pub(super) possessive: bool,
}

#[cfg(test)]
mod prefilter_tests {
    use super::super::tokens::tokens;
    use super::*;

    /// `may_match` never turns away a word `word_match` would take: every
    /// word of a text of names in two scripts and their case forms, against
    /// every alias word made from the same words.
    #[test]
    fn the_first_byte_check_keeps_every_match() {
        let text = "Peskov Peskov's Пескова Пескову Песков Lavrov Лавров Лаврова \
                    Zelensky Зеленский Зеленского Зеленським Ушаков Ушакова Witkoff \
                    Уиткофф Уиткоффа envoy presidential Dmitry Дмитрий Дмитрия Kremlin";
        let toks = tokens(text);
        let mut matched = 0;
        for t in &toks {
            for w in text.split_whitespace() {
                let a = alias_word(w);
                if word_match(t, &a).is_some() {
                    matched += 1;
                    assert!(may_match(t, &a), "{:?} {w:?}", t.key);
                }
            }
        }
        assert!(
            matched > toks.len(),
            "inflected forms matched too: {matched}"
        );
    }
}
