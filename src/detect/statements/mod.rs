//! Statements: quoted speech attributed to configured speakers, and shifts
//! (DESIGN.md §5 "detect"). Pure: text in, quotes out;
//! no I/O, never panics on any input.
//!
//! How a quote is attributed, in order:
//! 1. *Same sentence*: a speaker mention paired with a speech verb outside the
//!    quote marks — `“…,” Peskov said`, `"…", said Peskov`, `Peskov said that
//!    "…"`, `Peskov: «…»`, `according to Peskov, "…"`, `«…», — заявил Песков`,
//!    `По словам Пескова, «…»`, `«…», — заявив Зеленський`.
//! 2. *Adjacent sentence*: a quote whose sentence has no speech verb, or only a
//!    pronoun one (`“…,” he added`), takes the speaker of the previous
//!    sentence; a quote sentence with no verb at all may also take the speaker
//!    of the next one (`«…». Об этом заявил Песков.`).
//! 3. *Headlines* (TASS, RBC, Interfax style, title only): `… — Peskov`,
//!    `… — Kremlin spokesman Peskov`, `…, says Lavrov`, `Lavrov: …`,
//!    `Zelensky says …` — the headline (or its quoted part) is the statement.
//!
//! A quote in a sentence whose speech verb belongs to someone else
//! (`"…," Stefanchuk said`) is not returned, nor a quote with no speaker in
//! the same or adjacent sentence.
//!
//! Scare quotes (decided here): a quote of fewer than [`SHORT_QUOTE_WORDS`]
//! words counts only in a direct-speech position — right after `Peskov said:`
//! / `that` / `что`, or right before `, Peskov said` / `», — заявил`.
//! `Peskov said the “special military operation” would go on` yields nothing:
//! the phrase is a label, not his words.
//!
//! # Files
//!
//! This file holds the entry points and the quote type; `tokens` the word
//! keys (loose Cyrillic keys, stems), `speakers` the speaker and alias
//! matching, `quotes` the quote marks, `sentences` the sentence split,
//! `attribution` the pairing of quotes with speakers in body text,
//! `headlines` the headline forms, `similarity` statement similarity and
//! shifts. The word lists (speech verbs, titles, stopwords, negators, case
//! endings) are in `detect::lexicon`.

mod attribution;
mod cues;
mod headlines;
mod position;
mod quotes;
mod sentences;
mod shift;
mod similarity;
mod speakers;
mod tokens;

use std::collections::HashSet;

use crate::text::fold;

use attribution::body_quotes;
use headlines::headline_statement;
pub use position::{Aspect, Direction, Issue, Position, Stance, aspect, position};
pub use shift::{
    POSITION_MEMORY, POSITION_WINDOW_DAYS, PastStance, position_shift, position_shift_announced,
    statement_shift,
};
pub use similarity::{SHIFT_THRESHOLD, Shift, find_shift, similarity};
pub use speakers::SpeakerSet;

/// A person whose statements are tracked.
#[derive(Clone, Debug, PartialEq)]
pub struct Speaker {
    pub name: String,
    pub aliases: Vec<String>,
}

/// A quote found in a source, attributed to a speaker.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub speaker: usize,
    /// The quoted words, as in the source, trimmed.
    pub text: String,
    /// The sentence it came from.
    pub context: String,
}

/// Quotes shorter than this (in words) count only in a direct-speech
/// position; elsewhere they are scare quotes ("special military operation").
pub const SHORT_QUOTE_WORDS: usize = 4;

/// Quotes in an item attributed to configured speakers: the title (its own
/// sentence, plus the headline forms) and the text, deduplicated.
#[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
pub fn extract_quotes(title: &str, text: &str, speakers: &SpeakerSet) -> Vec<Quote> {
    if speakers.aliases.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let title_line = title.replace('\n', " ");
    body_quotes(&title_line, speakers, &mut out);
    if out.is_empty() {
        out.extend(headline_statement(&title_line, speakers));
    }
    body_quotes(text, speakers, &mut out);
    let mut seen = HashSet::new();
    out.retain(|q| !q.text.is_empty() && seen.insert((q.speaker, fold(&q.text))));
    out
}

/// For `kind = "statements"` sources: the whole item is the speaker's
/// statement — the text (or the title when there is none), with the title as
/// its context.
pub fn whole_item_statement(speaker: usize, title: &str, text: &str) -> Quote {
    let body = text.trim();
    Quote {
        speaker,
        text: if body.is_empty() { title.trim() } else { body }.to_string(),
        context: title.trim().to_string(),
    }
}

#[cfg(test)]
#[path = "tests/eval_tass.rs"]
mod eval_tass;
#[cfg(test)]
#[path = "tests/lexicon.rs"]
mod lexicon_tests;
#[cfg(test)]
#[path = "tests/positions.rs"]
mod positions_tests;
#[cfg(test)]
mod tests;
