//! Words of analysed text with their keys: a loose key that levels
//! Ukrainian/Russian spellings and Latin transliterations, and its stem.

use crate::detect::lexicon::cyrillic::loose_letter;
use crate::text::{Span, StemLang, fold, stem, words};

pub(super) fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Folded word with Ukrainian/Russian spelling differences levelled and a
/// Latin possessive ('s) removed; the flag says whether one was removed.
pub(super) fn loose_key(w: &str) -> (String, bool) {
    let f = fold(w);
    if is_cyrillic(&f) {
        return (f.chars().filter_map(loose_letter).collect(), false);
    }
    let (base, possessive) = match f.strip_suffix("'s").or_else(|| f.strip_suffix('\'')) {
        Some(b) if !b.is_empty() => (b.to_string(), true),
        _ => (f, false),
    };
    // Zelenskyy / Zelenskiy / Zelenskii → zelensky.
    let mut k = base;
    for end in ["yy", "iy", "ii", "yi"] {
        if k.len() > 4 && k.ends_with(end) {
            k.truncate(k.len() - 2);
            k.push('y');
            break;
        }
    }
    (k, possessive)
}

pub(super) fn stem_key(key: &str) -> String {
    stem(key, StemLang::for_word(StemLang::None, key)).into_owned()
}

/// A word of the analysed text.
#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) span: Span,
    pub(super) key: String,
    pub(super) stem: String,
    pub(super) capital: bool,
    pub(super) possessive: bool,
    /// First word of the text or after . ! ? : or a line break.
    pub(super) sentence_start: bool,
}

pub(super) fn tokens(text: &str) -> Vec<Token> {
    let mut prev_end = 0;
    words(text)
        .map(|(span, w)| {
            let (key, possessive) = loose_key(w);
            let gap = &text[prev_end..span.start];
            prev_end = span.end;
            Token {
                span,
                stem: stem_key(&key),
                capital: w.chars().next().is_some_and(char::is_uppercase),
                possessive,
                sentence_start: span.start == 0
                    || gap.contains(['.', '!', '?', ':', '\n', '«', '“', '"']),
                key,
            }
        })
        .collect()
}
