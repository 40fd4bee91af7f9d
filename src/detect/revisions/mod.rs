//! Revisions: the word diff between two versions of an item and how much the
//! change matters (DESIGN.md, "detect" → *revisions*; issue 3, "Revisions").
//!
//! Owns the stage "an item came back with changed normalised text: what
//! changed, and is it cosmetic, minor or major?", plus the four guards the
//! writer applies before storing or alerting on a revision (extraction
//! failure, counters ticking across a feed, flapping, churn). Pure: values in, values out. No I/O, no SQL, no clock (callers pass
//! `now`), no tokio; it depends only on `crate::text` and the `similar` crate.
//! It must never panic, whatever the feed sent (a randomised test checks).
//!
//! # Two views of a change
//!
//! - **Display diff** ([`FieldDiff`]): the exact text, split into words,
//!   whitespace runs and single punctuation marks, diffed with `similar`
//!   (Myers). Concatenating `Equal`+`Delete` gives the old text back and
//!   `Equal`+`Insert` the new one, byte for byte. Long texts are diffed
//!   paragraph by paragraph first and very large changed regions fall back to
//!   one coarse delete/insert pair (reason `diff_truncated`), so a 256 KiB
//!   article costs milliseconds, not seconds.
//! - **Analysis**: the cleaned text cut into words with [`text::words`]
//!   (UAX #29), each reduced to a *key*: folded ([`text::fold`]), apostrophes
//!   and English possessive `'s` dropped, acronym dots dropped (`U.S.` = `US`),
//!   spelled numerals one–ten as digits (`three` = `3`, also Russian and
//!   Ukrainian), thousands separators unified (`10,000` = `10 000`),
//!   Cyrillic spelling variants merged (`ґ`→`г`, `є`→`е`, `ї`/`і`→`и`) and, in
//!   Ukrainian text, the euphonic alternations `у`/`в`, `з`/`із`/`зі`, `і`/`й`.
//!   The share of words changed and the words that changed come from the
//!   multiset difference of keys, so moving a phrase is not "rewriting" it.
//!
//! # Significance rules (per field, title and text; quotes per item)
//!
//! **Major** when any of these holds (each adds its reason):
//! - `numbers_changed: 5 → 22` — the multiset of numbers differs (digits
//!   inside words count: `800-drone`, `Q1`). AP "…strikes kill 5 in
//!   Ukraine…" → "…kill 22…" (`history/apnews`, 20260505T180105Z).
//! - `negation_flipped` — the count of negators (not, no, never, n't, не, ни,
//!   нет, без, ні, немає…) differs. Novaya Gazeta Europe "…Это правда? Не
//!   совсем" → "…Это правда?" (20251107T114622Z): dropping "Не совсем"
//!   reverses the answer.
//! - `quote_changed` — a quoted span («…», “…”, „…“, "…", ‘…’) of either
//!   version whose stemmed words are in no quote of the other version (title
//!   and text together) and do not stand there un-quoted either. Novaya
//!   "«Сыт по горло этой властью»" → "«Сыт до горла…»" (20251219T171751Z).
//!   Short capitalised spans are names, not speech, and are left to the
//!   names rule: Svoboda `главы "Ростеха"` dropped (20250916T093248Z),
//!   `"Рубикона"` → `"Рубикон"` (20250917T125814Z).
//! - `speaker_changed: Russia → Russia and Ukraine` — the words before a
//!   speech verb (said, accuses, заявил, заявив…; after it when the clause
//!   starts with the verb, "заявил Песков"; after "by" in a passive) were
//!   replaced, not merely added or dropped. AP "Russia accuses
//!   Ukraine of violating US-brokered 3-day truce" → "Russia and Ukraine
//!   accuse each other…" (20260510T210106Z): the proper names are the same
//!   set, so only this rule sees it.
//! - `names_changed: Дмитрий → Денис` — a capitalised word (not at a sentence
//!   start) was removed *and* another added, and they are not spelling
//!   variants of each other. Novaya "анархист Дмитрий Козак" → "…Денис Козак"
//!   (20250913T172339Z). Corrections within one or two letters are only
//!   noted (`name_spelling: Пунчук/Пинчук`, Novaya 20251020T172757Z; The
//!   Insider "УСБ ФБ" → "УСБ ФСБ", 20250805T193207Z).
//! - `title_reframed: 0.67` — the title changed with a title share ≥
//!   [`TITLE_REFRAMED_SHARE`].
//! - `topic_terms_changed: ceasefire, truce` — a changed word whose fold or
//!   stem is one of `topic_terms`. AP "…before brief truce takes hold" →
//!   "…before announced ceasefire" (20260505T162850Z) is major for a topic
//!   watching ceasefire/truce and minor (share 0.20) for everybody else: a
//!   synonym swap only matters to a topic whose own vocabulary moved.
//! - `share_changed: 0.42` — changed share ≥ [`MAJOR_SHARE`].
//!
//! **Cosmetic** when no major rule fired and each field is either unchanged
//! in keys (reasons `whitespace_only`, `quote_glyphs_only`, `case_only`,
//! `punctuation_only`, `spelling_variant: U.S./US`,
//! `numerals_spelled: three/3`) or the same multiset of keys in another
//! order (`word_order_only`). AP "…violating U.S.-brokered three-day truce" →
//! "…US-brokered 3-day truce" (20260510T170848Z); The Insider "Ландромат на
//! службе Кремля: миллиардер…" → "…Кремля. Миллиардер…" (20250925T103218Z);
//! texty.org.ua "за грати" → "за ґрати" (20250804T094359Z) and "з
//! Херсонщини…у Росії…проект" → "із Херсонщини…в Росії…проєкт"
//! (20251215T100427Z); Svoboda "Как Сергей Чемезов с товарищами обустроился
//! в Дубае" → "Как обустроился в Дубае Сергей Чемезов с товарищами"
//! (20250731T114847Z → 20250731T135121Z). A reordering that swaps who
//! accuses whom ("Russia accuses Ukraine" → "Ukraine accuses Russia") is
//! caught by `speaker_changed` first. Quote marks added or removed around the same words
//! are not cosmetic (`quote_marks_changed`, minor): AP "…was ‘fraudulently’
//! taken" → "…was fraudulently taken" (20260510T160056Z) moves a claim from
//! Venezuela's voice into AP's.
//!
//! **Minor** otherwise, with `words_changed: N`.
//!
//! # Files
//!
//! This file holds the entry points and the verdict types; `diff` the display
//! diff, `words` the analysed words and their keys, `quotes` the quoted spans,
//! `evidence` the numbers, negation, speaker and name rules, `verdict` the
//! per-field verdict and the rules above, `guards` the four guards. The
//! word lists (negators, speech verbs, numerals, spelling folds) are in
//! `detect::lexicon`.
//!
//! [`text::words`]: crate::text::words
//! [`text::fold`]: crate::text::fold

mod diff;
mod evidence;
mod guards;
mod quotes;
mod verdict;
mod words;

use std::collections::HashSet;

use crate::text::{StemLang, guess_language};

use diff::diff_field;
pub use diff::render_plain;
pub use guards::{
    CHURN_MAX_REVISIONS, CHURN_WINDOW_HOURS, COUNTER_MIN_ITEMS, counters_in_feed, is_churning,
    is_extraction_failure, is_flap, numbers_only,
};
use quotes::quote_change;
use verdict::{FieldVerdict, classify, topic_hits, weighted_share};
use words::Field;

/// A changed share (see [`Revision::changed_share`]) at or above this is a
/// large rewrite. AP "Wall Street drops from its records…" → "…falls from…"
/// (one verb, 0.06) must stay minor; "Sudan's military accuses Ethiopia…" →
/// "Sudan recalls ambassador to Ethiopia over drone attack…" (0.52) is a new
/// story under the same link.
pub const MAJOR_SHARE: f64 = 0.35;
/// A title whose own changed share is at or above this has been reframed.
pub const TITLE_REFRAMED_SHARE: f64 = 0.5;

// The classes and the diff are the shared vocabulary (`model`): the
// store keeps them and messages show them.
pub use crate::model::{DiffOp, FieldDiff, Significance, UnknownSignificance};

/// One version of an item, as compared.
#[derive(Clone, Copy, Debug)]
pub struct VersionText<'a> {
    pub title: &'a str,
    pub text: &'a str,
}

/// The comparison of two versions.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub significance: Significance,
    /// Machine-stable short codes, `code` or `code: detail` (module docs).
    pub reasons: Vec<String>,
    pub title: FieldDiff,
    pub text: FieldDiff,
    /// Share of words changed, 0..=1: per field (deleted + inserted words) /
    /// (old + new words) after normalisation; title and text weighted
    /// [`TITLE_WEIGHT`](verdict::TITLE_WEIGHT) : 1 − `TITLE_WEIGHT` when both have words.
    pub changed_share: f64,
}

/// Compares two versions of an item. `topic_terms` are the terms of the
/// topics either version matched (folded words or stems; `negotiat*`,
/// `"peace talks"` and `title:truce` forms are understood); may be empty.
pub fn compare(old: &VersionText, new: &VersionText, topic_terms: &[String]) -> Revision {
    let mut truncated = false;
    let title = diff_field(old.title, new.title, &mut truncated);
    let text = diff_field(old.text, new.text, &mut truncated);

    let lang = doc_language(old).or_else(|| doc_language(new));
    let ukrainian = lang == Some("uk");
    let doc = StemLang::from_code(lang);
    let title_old = Field::analyse(old.title, ukrainian);
    let title_new = Field::analyse(new.title, ukrainian);
    let text_old = Field::analyse(old.text, ukrainian);
    let text_new = Field::analyse(new.text, ukrainian);

    let t = FieldVerdict::judge(&title_old, &title_new, doc, old.title == new.title);
    let x = FieldVerdict::judge(&text_old, &text_new, doc, old.text == new.text);
    let changed_share = weighted_share(&t, &x);
    let quotes = quote_change([&title_old, &text_old], [&title_new, &text_new], doc);

    let hits = topic_hits(&t, &x, topic_terms, doc);
    let (significance, mut reasons) = classify(&t, &x, quotes, &hits, changed_share);
    if truncated {
        reasons.push("diff_truncated".to_string());
    }
    dedup_keep_order(&mut reasons);
    Revision {
        significance,
        reasons,
        title,
        text,
        changed_share,
    }
}

/// The document language from the title and the start of the text
/// (`guess_language` reads ~200 characters).
fn doc_language(v: &VersionText) -> Option<&'static str> {
    let mut end = v.text.len().min(512);
    while !v.text.is_char_boundary(end) {
        end -= 1;
    }
    guess_language(&format!("{} {}", v.title, &v.text[..end]))
}

fn dedup_keep_order(v: &mut Vec<String>) {
    let mut seen = HashSet::new();
    v.retain(|r| seen.insert(r.clone()));
}

#[cfg(test)]
mod tests;
