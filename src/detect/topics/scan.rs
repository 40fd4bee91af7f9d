//! Scanning a document (module docs, step 2): each folded word of each
//! field looked up for the atoms it hits, remembered per thread.

use std::cell::RefCell;
use std::sync::atomic::AtomicU64;

use super::compile::{AtomId, SOURCE, TAG, TEXT, TITLE, to_id};
use super::{MatchDoc, TopicMatcher};
use crate::text::{StemLang, fold, guess_language, with_stem, words};

/// Words remembered per thread before the memo is emptied.
const WORD_MEMO_MAX: usize = 100_000;

/// Per thread: for one matcher and one document language (slot), each
/// folded word → every atom it hits (by stem and by prefix), most often
/// none. News words follow Zipf's law, so one hash lookup answers most
/// words, in place of the script test, the stem and the prefix search.
struct WordMemo {
    matcher: u64,
    by_lang: [foldhash::HashMap<Box<str>, Box<[AtomId]>>; 4],
}

thread_local! {
    static WORD_ATOMS: RefCell<WordMemo> = RefCell::new(WordMemo {
        matcher: 0,
        by_lang: Default::default(),
    });
}

fn lang_slot(lang: StemLang) -> usize {
    match lang {
        StemLang::English => 0,
        StemLang::Russian => 1,
        StemLang::Ukrainian => 2,
        StemLang::None => 3,
    }
}

/// Ids for matchers; 0 is the empty memo's.
pub(super) static NEXT_MATCHER_ID: AtomicU64 = AtomicU64::new(1);

impl TopicMatcher {
    /// Every occurrence of an atom in the document, sorted by atom, field,
    /// position.
    pub(super) fn scan(&self, doc: &MatchDoc, title_folded: &str, text_words: &[&str]) -> Vec<Occ> {
        let lang = doc.language.or_else(|| {
            let sample = if doc.text.trim().is_empty() {
                doc.title
            } else {
                doc.text
            };
            guess_language(sample)
        });
        let lang = StemLang::from_code(lang);
        let mut occ = Vec::new();
        self.scan_field(words(title_folded).map(|(_, w)| w), TITLE, lang, &mut occ);
        self.scan_field(text_words.iter().copied(), TEXT, lang, &mut occ);
        let source = fold(doc.source);
        self.scan_field(words(&source).map(|(_, w)| w), SOURCE, lang, &mut occ);
        for (i, tag) in doc.tags.iter().enumerate() {
            let folded = fold(tag);
            let joined = words(&folded).map(|(_, w)| w).collect::<Vec<_>>().join(" ");
            let mut atoms: Vec<AtomId> = self.tags.get(&joined).copied().into_iter().collect();
            self.prefix_hits(&joined, &mut atoms);
            let pos = to_id(i);
            occ.extend(atoms.into_iter().map(|atom| Occ {
                atom,
                field: TAG,
                pos,
            }));
        }
        occ.sort_unstable();
        occ.dedup();
        occ
    }

    /// Occurrences of atoms among one field's folded words.
    fn scan_field<'w>(
        &self,
        folded_words: impl Iterator<Item = &'w str>,
        field: u8,
        lang: StemLang,
        occ: &mut Vec<Occ>,
    ) {
        WORD_ATOMS.with(|memo| {
            let mut memo = memo.borrow_mut();
            if memo.matcher != self.id {
                memo.matcher = self.id;
                memo.by_lang.iter_mut().for_each(|m| m.clear());
            }
            let map = &mut memo.by_lang[lang_slot(lang)];
            for (pos, w) in folded_words.enumerate() {
                let pos = to_id(pos);
                let atoms = match map.get(w) {
                    Some(atoms) => atoms,
                    None => {
                        if map.len() >= WORD_MEMO_MAX {
                            map.clear();
                        }
                        let atoms = self.word_atoms(w, lang);
                        map.entry(w.into()).or_insert(atoms)
                    }
                };
                occ.extend(atoms.iter().map(|&atom| Occ { atom, field, pos }));
            }
        });
    }

    /// Every atom one folded word hits in a document of language `lang`: by
    /// stem, and by prefix (a prefix that starts the word and ends inside it).
    fn word_atoms(&self, word: &str, lang: StemLang) -> Box<[AtomId]> {
        let mut atoms: Vec<AtomId> = Vec::new();
        with_stem(word, StemLang::for_word(lang, word), |s| {
            if let Some(hit) = self.stems.get(s) {
                atoms.extend_from_slice(hit);
            }
        });
        self.prefix_hits(word, &mut atoms);
        atoms.into_boxed_slice()
    }

    /// Append the prefix atoms that start `word` (and end inside it).
    fn prefix_hits(&self, word: &str, atoms: &mut Vec<AtomId>) {
        let Some(ac) = &self.prefixes else { return };
        // The automaton cannot do anchored overlapping searches, so search
        // the word and keep the matches that start it.
        let Ok(iter) = ac.try_find_overlapping_iter(word) else {
            return;
        };
        atoms.extend(
            iter.filter(|m| m.start() == 0)
                .filter_map(|m| self.prefix_atoms.get(m.pattern().as_usize())),
        );
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Occ {
    pub(super) atom: AtomId,
    pub(super) field: u8,
    pub(super) pos: u32,
}
