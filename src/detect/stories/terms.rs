//! The terms of a fingerprint: folded, stemmed content words, with
//! stopwords dropped, small numerals as digits and a trailing outlet tag cut
//! from the title.

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::detect::lexicon::numbers::english_numeral;
use crate::detect::lexicon::stopwords::FINGERPRINT_STOPWORDS;
use crate::text::{StemLang, stem, words};

/// Folded, stemmed content words of a text, kept one after another in one
/// buffer (no allocation per word: this runs for every item).
#[derive(Default)]
pub(super) struct Terms {
    buf: String,
    /// Where each term ends in `buf`.
    ends: Vec<usize>,
}

impl Terms {
    pub(super) fn push(&mut self, term: &str) {
        self.buf.push_str(term);
        self.ends.push(self.buf.len());
    }

    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    pub(super) fn get(&self, i: usize) -> &str {
        let start = i.checked_sub(1).map_or(0, |p| self.ends[p]);
        &self.buf[start..self.ends[i]]
    }
}

/// Content words among folded words (`text::words`), stemmed.
pub(super) fn terms<'w>(folded_words: impl Iterator<Item = &'w str>) -> Terms {
    let mut out = Terms::default();
    let (words_at_least, _) = folded_words.size_hint();
    out.ends.reserve(words_at_least);
    out.buf.reserve(words_at_least * 8);
    TERM_MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        for w in folded_words {
            if let Some(term) = memo.get(w) {
                if let Some(term) = term {
                    out.push(term);
                }
                continue;
            }
            if memo.len() >= TERM_MEMO_MAX {
                memo.clear();
            }
            let term = term_of(w);
            if let Some(term) = &term {
                out.push(term);
            }
            memo.insert(w.into(), term);
        }
    });
    out
}

/// Words remembered per thread by `terms` before the memo is emptied.
const TERM_MEMO_MAX: usize = 100_000;

thread_local! {
    /// Folded word → its term (`None`: dropped). One hash lookup per word
    /// for the words seen before, which is most of them (Zipf's law).
    static TERM_MEMO: RefCell<foldhash::HashMap<Box<str>, Option<Box<str>>>> =
        RefCell::new(Default::default());
}

/// The term one folded word contributes, or `None` for a stopword.
fn term_of(word: &str) -> Option<Box<str>> {
    // "U.S." and "US" are one word; possessive 's is noise.
    let mut w = word;
    while let Some(stripped) = w.strip_suffix("'s") {
        w = stripped;
    }
    let undotted;
    if w.contains('.') {
        undotted = w.replace('.', "");
        w = &undotted;
    }
    if w.is_empty() || is_stopword(w) {
        return None;
    }
    // English numerals only: fingerprints are stored, and Russian and
    // Ukrainian numerals as digits would move the fingerprint of every item
    // that has one away from those stored before.
    Some(match english_numeral(w) {
        Some(digits) => digits.into(),
        None => stem(w, StemLang::for_word(StemLang::None, w)).into(),
    })
}

/// `FINGERPRINT_STOPWORDS` as a set: looked up for every word of every item.
fn is_stopword(word: &str) -> bool {
    static SET: OnceLock<foldhash::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| FINGERPRINT_STOPWORDS.iter().copied().collect())
        .contains(word)
}

/// A title without a trailing outlet tag ("… - Reuters", "… | BBC News"):
/// the tag is shared by every item of that outlet and by none of another's.
/// An em dash is not such a separator: "… — Putin" names a speaker.
pub(super) fn strip_outlet(title: &str) -> &str {
    for sep in [" - ", " | "] {
        if let Some(i) = title.rfind(sep) {
            let tail = &title[i + sep.len()..];
            let n = words(tail).count();
            let capitalised = tail.chars().next().is_some_and(char::is_uppercase);
            if (1..=3).contains(&n) && capitalised && i > 0 {
                return &title[..i];
            }
        }
    }
    title
}
