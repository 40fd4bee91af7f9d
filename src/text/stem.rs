//! Word tokens and stemming for English, Russian and Ukrainian (Snowball, via
//! `snowball_stemmers_rs`, the one well-kept crate with a Ukrainian stemmer;
//! CRATES.md). Pure: no I/O. Input words must already be folded (`fold`).

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use snowball_stemmers_rs::{Algorithm, Stemmer};

/// Which stemmer a word goes through.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StemLang {
    English,
    Russian,
    Ukrainian,
    /// Languages we do not stem: words are matched as they are.
    None,
}

impl StemLang {
    /// From an ISO 639-1 code (`en`, `ru`, `uk`); anything else is `None`.
    pub fn from_code(code: Option<&str>) -> StemLang {
        match code.map(|c| c.get(..2).unwrap_or(c)) {
            Some("en") => StemLang::English,
            Some("ru") => StemLang::Russian,
            Some("uk") => StemLang::Ukrainian,
            _ => StemLang::None,
        }
    }

    /// The stemmer for a word whose document language is `doc`: Cyrillic words
    /// in an English document (and Latin words in a Russian one) are stemmed by
    /// their script, so "Песков" in an English story still stems as Russian.
    pub fn for_word(doc: StemLang, word: &str) -> StemLang {
        let cyrillic = word.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
        match (doc, cyrillic) {
            (StemLang::Russian | StemLang::Ukrainian, true) => doc,
            (_, true) => {
                if word.chars().any(|c| matches!(c, 'і' | 'ї' | 'є' | 'ґ')) {
                    StemLang::Ukrainian
                } else {
                    StemLang::Russian
                }
            }
            (_, false) if word.is_ascii() => StemLang::English,
            _ => StemLang::None,
        }
    }
}

fn stemmer(lang: StemLang) -> Option<&'static Stemmer> {
    static EN: OnceLock<Stemmer> = OnceLock::new();
    static RU: OnceLock<Stemmer> = OnceLock::new();
    static UK: OnceLock<Stemmer> = OnceLock::new();
    Some(match lang {
        StemLang::English => EN.get_or_init(|| Stemmer::create(Algorithm::English)),
        StemLang::Russian => RU.get_or_init(|| Stemmer::create(Algorithm::Russian)),
        StemLang::Ukrainian => UK.get_or_init(|| Stemmer::create(Algorithm::Ukrainian)),
        StemLang::None => return None,
    })
}

/// Entries kept in each thread's stem cache before it is emptied.
const STEM_CACHE_MAX: usize = 50_000;

/// Per stemmer: folded word → stem. Looked up by `&str`, so a hit allocates
/// nothing but the returned stem.
type StemCache = [HashMap<Box<str>, Box<str>, foldhash::fast::RandomState>; 3];

thread_local! {
    /// News words follow Zipf's law: a small cache answers most lookups for
    /// the price of a hash, where a Snowball stem costs about a microsecond
    /// (perf on the 40,000-item farm: stemming was the largest detection cost).
    static STEM_CACHE: RefCell<StemCache> = RefCell::new(Default::default());
}

/// Stem one folded word. Digits and words of fewer than 3 letters are kept as
/// they are (stemmers mangle "us", "un", numbers).
pub fn stem(word: &str, lang: StemLang) -> Cow<'_, str> {
    with_stem(word, lang, |stemmed| {
        if stemmed.len() == word.len() && stemmed == word {
            Cow::Borrowed(word)
        } else {
            Cow::Owned(stemmed.to_string())
        }
    })
}

/// Call `f` with the stem of `word` (as [`stem`]), borrowed from the cache:
/// no allocation on a cache hit, for callers that only look the stem up.
/// `f` must not stem (the cache is borrowed while it runs).
pub fn with_stem<R>(word: &str, lang: StemLang, f: impl FnOnce(&str) -> R) -> R {
    if word.chars().count() < 3 || word.chars().any(|c| c.is_ascii_digit()) {
        return f(word);
    }
    let Some(stemmer) = stemmer(lang) else {
        return f(word);
    };
    let slot = match lang {
        StemLang::English => 0,
        StemLang::Russian => 1,
        _ => 2,
    };
    STEM_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let map = &mut cache[slot];
        if let Some(stemmed) = map.get(word) {
            return f(stemmed);
        }
        let stemmed = stemmer.stem(word);
        if map.len() >= STEM_CACHE_MAX {
            map.clear();
        }
        map.insert(word.into(), stemmed.as_ref().into());
        f(&stemmed)
    })
}

/// A word of a text: its byte range in the text it came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

/// The words of `text` (Unicode word boundaries, UAX #29), with byte spans.
/// Punctuation and spaces are not words; "U.S." is one word, "3-day" two.
pub fn words(text: &str) -> impl Iterator<Item = (Span, &str)> {
    super::words::word_indices(text).map(|(start, w)| {
        (
            Span {
                start,
                end: start + w.len(),
            },
            w,
        )
    })
}

/// The words of `text` (as [`words`]) in a list, for callers that read them
/// more than once.
pub fn word_list(text: &str) -> Vec<&str> {
    // About one word per six bytes of English (Cyrillic takes more).
    let mut list = Vec::with_capacity(text.len() / 6 + 1);
    list.extend(words(text).map(|(_, w)| w));
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    fn stems(text: &str, lang: StemLang) -> Vec<String> {
        words(&fold(text))
            .map(|(_, w)| stem(w, StemLang::for_word(lang, w)).into_owned())
            .collect()
    }

    #[test]
    fn english_russian_ukrainian_stems_meet() {
        assert_eq!(
            stems("negotiations negotiating", StemLang::English),
            ["negoti", "negoti"]
        );
        let ru = stems("переговоры переговорах", StemLang::Russian);
        assert_eq!(ru[0], ru[1]);
        let uk = stems("перемовини перемовинах", StemLang::Ukrainian);
        assert_eq!(uk[0], uk[1]);
    }

    #[test]
    fn script_decides_inside_a_mixed_document() {
        assert_eq!(
            StemLang::for_word(StemLang::English, "песков"),
            StemLang::Russian
        );
        assert_eq!(
            StemLang::for_word(StemLang::English, "зеленський"),
            StemLang::Russian
        );
        assert_eq!(
            StemLang::for_word(StemLang::English, "україна"),
            StemLang::Ukrainian
        );
        assert_eq!(
            StemLang::for_word(StemLang::Russian, "kremlin"),
            StemLang::English
        );
    }

    #[test]
    fn short_words_and_numbers_are_kept() {
        assert_eq!(stem("us", StemLang::English), "us");
        assert_eq!(stem("3-day", StemLang::English), "3-day");
    }

    #[test]
    fn words_have_spans() {
        let t = "Peskov: «Talks, 3-day truce»";
        let w: Vec<&str> = words(t).map(|(_, w)| w).collect();
        assert_eq!(w, ["Peskov", "Talks", "3", "day", "truce"]);
        let (span, _) = words(t).nth(1).unwrap();
        assert_eq!(&t[span.start..span.end], "Talks");
    }
}
