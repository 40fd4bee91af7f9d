//! The word lists of detection, each in one place: stopwords, negators,
//! speech verbs, numerals, titles and abbreviations, and the Cyrillic
//! spelling folds and case endings. Data, and the few small functions that
//! apply a fold; no I/O.
//!
//! Languages: English, Russian and Ukrainian, the languages of the corpus
//! and of the configured speakers; each list says which it covers.
//!
//! Every list is written in the form its user compares words in:
//! - *folded*: [`crate::text::fold`] (lower case, ё→е, apostrophes as `'`);
//! - *revision keys*: folded, then Ukrainian spelling levelled
//!   ([`cyrillic::level_spelling`]), as `revisions` compares words;
//! - *loose keys*: folded, levelled, й→и and ь, ъ and apostrophes dropped
//!   ([`cyrillic::loose_letter`]), as `statements` compares words, so that
//!   the Ukrainian and Russian spellings of one word meet (`повідомив` is
//!   listed as `повидомив`).
//!
//! Two stages that keep a list for a similar purpose keep two lists only
//! where merging them would change what they find; the lists say why.
//!
//! - `stopwords`: function words dropped or skipped (stories, statements,
//!   revisions, headline tails).
//! - `negation`: negators (revisions and statements, one list).
//! - `speech`: speech verbs, pronouns and the words that introduce a quote.
//! - `numbers`: spelled numerals one to ten.
//! - `names`: titles before a surname, abbreviations before a full stop.
//! - `positions`: issue terms and stance cues of a statement.
//! - `cyrillic`: spelling folds, Ukrainian euphony, case endings of names.
//! - `entities`: the alias list of names and event words across scripts
//!   (`config/entities.txt`) and transliteration.
//! - `diplomacy`: the vocabulary of talks and of conflict (relevance features).
//! - `edit_cues`: the few words that change what a headline says (event
//!   state and modality, outcomes, direction, attribution).

pub mod cyrillic;
pub mod diplomacy;
pub mod edit_cues;
pub mod entities;
pub mod names;
pub mod negation;
pub mod numbers;
pub mod positions;
pub mod speech;
pub mod stopwords;

use std::sync::LazyLock;

/// A word list as a hash set, built on first use, for a list looked up for
/// every word of every item.
pub type WordSet = LazyLock<foldhash::HashSet<&'static str>>;
