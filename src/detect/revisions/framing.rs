//! Words that frame the same fact without changing it (module docs,
//! "Content words"): a pronoun described in its place ("as it charts" → "as
//! the country charts"), a pending word over an infinitive both versions
//! keep ("is to land" → "is set to land"), a frame of pictures ("See
//! photos of the best looks"). Each pairs off or leaves out content words,
//! in one pass over each field: a hostile text may be a megabyte.

use std::collections::HashMap;

use super::content::{ContentChange, stem_of};
use super::words::Field;
use crate::detect::lexicon::edit_cues::PENDING;
use crate::text::StemLang;

/// Whether word `i` of `f` frames what follows as pictures of it ("photos
/// of", "video of"): no content of its own.
pub(super) fn media_frame(f: &Field, i: usize) -> bool {
    MEDIA.contains(&f.toks[i].key.as_str()) && f.toks.get(i + 1).is_some_and(|n| n.key == "of")
}

/// Nouns of pictures that frame a report of what they show.
const MEDIA: &[&str] = &["photos", "photo", "pictures", "images", "video", "videos"];

/// Pairs off a pronoun of one version with the description that took its
/// place in the other, between the same two words ("as it charts" → "as
/// the country charts"; "он" → one lower-case word in Russian and
/// Ukrainian). A name in its place is not paired: "he" → "Trump" may be
/// someone else.
pub(super) fn pair_named_pronouns(change: &mut ContentChange, old: &Field, new: &Field) {
    for (from, to, forward) in [(old, new, true), (new, old, false)] {
        if !from.toks.iter().any(|t| PRONOUNS.contains(&t.key.as_str())) {
            continue;
        }
        // The descriptions of `to` by the words around them, in one pass.
        let mut slots: HashMap<(&str, &str), (&str, String)> = HashMap::new();
        for (p, w) in to.toks.iter().enumerate() {
            let Some(prev) = p.checked_sub(1).map(|j| to.toks[j].key.as_str()) else {
                continue;
            };
            // The words around, the noun to pair off, the description as written.
            let described = |d: usize| {
                to.toks.get(p + d).map(|next| {
                    let shown = to.toks[p..p + d]
                        .iter()
                        .map(|t| t.text.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    (
                        (prev, next.key.as_str()),
                        (to.toks[p + d - 1].text.as_str(), shown),
                    )
                })
            };
            let slot = if w.key == "the" {
                to.toks
                    .get(p + 1)
                    .filter(|n| !n.cap)
                    .and_then(|_| described(2))
            } else if w.text.chars().next().is_some_and(|c| c.is_lowercase())
                && w.text.chars().any(is_cyrillic)
            {
                described(1)
            } else {
                None
            };
            if let Some((around, noun)) = slot {
                slots.entry(around).or_insert(noun);
            }
        }
        let mut paired = 0;
        for (i, t) in from.toks.iter().enumerate() {
            if paired == MAX_PAIRED {
                break;
            }
            if !PRONOUNS.contains(&t.key.as_str()) {
                continue;
            }
            let (Some(prev), Some(next)) = (
                i.checked_sub(1).map(|j| from.toks[j].key.as_str()),
                from.toks.get(i + 1).map(|n| n.key.as_str()),
            ) else {
                continue;
            };
            let Some((noun, shown)) = slots.get(&(prev, next)) else {
                continue;
            };
            let side = if forward {
                &mut change.added
            } else {
                &mut change.removed
            };
            if let Some(k) = side.iter().position(|c| c.text == *noun) {
                side.remove(k);
                paired += 1;
                let pair = (t.text.clone(), shown.clone());
                change
                    .synonyms
                    .push(if forward { pair } else { (pair.1, pair.0) });
            }
        }
    }
}

/// Pairings made at most in each direction: a headline has a pronoun or
/// a plan or two; a hostile text with a million must stay linear.
const MAX_PAIRED: usize = 4;

fn is_cyrillic(c: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&c)
}

/// Personal pronouns that stand for a thing or person named before.
#[rustfmt::skip]
const PRONOUNS: &[&str] = &[
    "it", "he", "she", "they", "him", "her", "them",
    "он", "она", "оно", "они", "він", "вона", "воно", "вони",
];

/// Leaves out a pending word over an infinitive that the other version has
/// with the same verb: "is to land" → "is set to land" tells the same
/// plan. "Is set to mark" → "marks" keeps it (the state cue reads it).
pub(super) fn drop_pending_kept(
    change: &mut ContentChange,
    old: &Field,
    new: &Field,
    doc: StemLang,
) {
    for (from, to, added) in [(new, old, true), (old, new, false)] {
        // Verbs after "to" in the other version, in one pass.
        let mut infinitives: HashMap<String, usize> = HashMap::new();
        for w in to.toks.windows(2) {
            if w[0].key == "to" {
                *infinitives.entry(stem_of(&w[1], doc)).or_insert(0) += 1;
            }
        }
        let mut paired = 0;
        for (i, t) in from.toks.iter().enumerate() {
            if paired == MAX_PAIRED {
                break;
            }
            if !PENDING.contains(&t.key.as_str())
                || from.toks.get(i + 1).is_none_or(|n| n.key != "to")
            {
                continue;
            }
            let Some(verb) = from.toks.get(i + 2).map(|v| stem_of(v, doc)) else {
                continue;
            };
            let side = if added {
                &mut change.added
            } else {
                &mut change.removed
            };
            if infinitives.get(&verb).is_some_and(|n| *n > 0)
                && let Some(k) = side.iter().position(|c| c.text == t.text)
            {
                side.remove(k);
                paired += 1;
                let with = format!("{} to {}", t.text, from.toks[i + 2].text);
                let without = format!("to {}", from.toks[i + 2].text);
                change.synonyms.push(if added {
                    (without, with)
                } else {
                    (with, without)
                });
            }
        }
    }
}
