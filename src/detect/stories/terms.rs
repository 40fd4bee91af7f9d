//! The terms of a fingerprint: folded, stemmed content words, with
//! stopwords dropped, small numerals as digits and a trailing outlet tag cut
//! from the title.

use std::cell::RefCell;
use std::sync::OnceLock;

use crate::text::{StemLang, stem, words};

/// Function words dropped before shingling (small en/ru/uk lists): "the",
/// "в", "у" carry no event and would make unrelated headlines share shingles.
const STOPWORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "and",
    "or",
    "with",
    "by",
    "at",
    "from",
    "as",
    "is",
    "are",
    "be",
    "was",
    "were",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "he",
    "his",
    "she",
    "her",
    "they",
    "their",
    "we",
    "our",
    "i",
    "you",
    "after",
    "over",
    "into",
    "about",
    "but",
    "not",
    "than",
    "so",
    "says",
    "said",
    "say",
    "amid",
    "while",
    "what",
    "who",
    "how",
    "why",
    "new",
    "в",
    "во",
    "на",
    "и",
    "с",
    "со",
    "по",
    "о",
    "об",
    "из",
    "за",
    "к",
    "ко",
    "для",
    "что",
    "как",
    "от",
    "до",
    "а",
    "у",
    "не",
    "это",
    "его",
    "ее",
    "их",
    "же",
    "ли",
    "бы",
    "то",
    "но",
    "или",
    "при",
    "после",
    "заявил",
    "заявила",
    "і",
    "й",
    "та",
    "з",
    "із",
    "зі",
    "до",
    "про",
    "що",
    "як",
    "це",
    "його",
    "її",
    "або",
    "після",
    "заявив",
    "від",
];

/// Small number words, so "three-day truce" and "3-day truce" meet (AP
/// headline history, `history/apnews/`: "U.S.-brokered three-day truce" →
/// "US-brokered 3-day truce").
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
];

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
    Some(match NUMBER_WORDS.iter().find(|(n, _)| *n == w) {
        Some((_, digits)) => (*digits).into(),
        None => stem(w, StemLang::for_word(StemLang::None, w)).into(),
    })
}

/// `STOPWORDS` as a set: looked up for every word of every item.
fn is_stopword(word: &str) -> bool {
    static SET: OnceLock<foldhash::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.iter().copied().collect())
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
