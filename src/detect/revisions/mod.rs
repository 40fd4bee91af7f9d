//! Revisions: the word diff between two versions of an item and how much the
//! change matters (DESIGN.md, "detect" → *revisions*).
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
//!   one coarse delete/insert pair (reason `diff coarse (…)`), so a 256 KiB
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
//! # Content words
//!
//! Significance is judged on *content words*: each key reduced to its stem
//! (Snowball English, Russian, Ukrainian), function words left out
//! (articles, prepositions, auxiliaries, pronouns: `lexicon::edit_cues::FILLER`),
//! and ordinals written out ("1st" = "first"). The two versions' multisets
//! are compared, and then paired off: spelling fixes (one letter in a word
//! of four letters or more, a suffix of up to two letters: Пунчук/Пинчук,
//! blacked/backed, Pakistan/Pakistani), a first name added or dropped before
//! a surname both versions have, an acronym spelled out (EU/European
//! Union), a word written as one or two, an acronym with a letter added or
//! dropped (ФБ/ФСБ), and near-synonyms of general news vocabulary
//! (`lexicon::edit_cues::SYNONYMS` and the up and down words: top/supreme,
//! jet/plane, former/ex, rally/leap); `framing` pairs off a pronoun
//! described in its place ("it" → "the country", never a name), a pending
//! word over an infinitive the other version keeps ("is to land" → "is set
//! to land") and leaves out a frame of pictures ("photos of"); a text that
//! only lost or gained a leading copy of its headline is unchanged
//! (`headline copy in the text`). So inflection and tense ("heading"
//! → "heads", "мультивиз" → "мультивизы"), articles, hyphenation,
//! abbreviations, quote marks, word order and a synonym swapped leave
//! nothing changed.
//!
//! # Significance rules (per field, title and text)
//!
//! **Major** when any of these holds; each gives a reason a person reads:
//! - `figure 5 → 22`, `figure added: 3.75` — a number the old version did
//!   not have (units and digits inside words count: `Switch 2`, `800-drone`).
//!   A figure only dropped is a detail gone (minor, `figure dropped: 3.75`),
//!   unless a vague quantity took its place (`figure 2 → several`).
//! - `negation added` / `negation dropped` — the count of negators differs
//!   ("Это правда? Не совсем" → "Это правда?").
//! - `doubt added: ли` / `doubt dropped: whether` — a statement turned into
//!   a question of whether it holds, or back, with at most two content
//!   words changed on each side ("как это возможно" → "возможно ли это").
//! - `state changed: set → done` — a word of a pending event (will, set,
//!   poised, expected, likely, может, планирует…) dropped while the rest of
//!   the headline stays, or a headline infinitive become a verb in another
//!   form, within the first words ("Shakira to follow" → "Shakira
//!   follows"; not a purpose clause deeper in: "with a visit to Pompeii to
//!   pray" → "Pope prays"; "will investigate" →
//!   "to investigate", "poised to vote" → "lawmakers to vote" and "seeks
//!   to new funding" → "seeks new funding" are not one; nor a pending
//!   clause dropped with the word it governed: "could face sanctions",
//!   "awaits Iran response" gone is a detail dropped).
//! - `outcome: adopt` — an end-state verb (pass, sentenced, freed, killed,
//!   adopt, принят, задержан…), in one of its listed forms, where the old
//!   version had none of its stem ("resignation calls" is no outcome), not
//!   negated ("won't quit"), nor governing the act the old version told
//!   ("sanctions" → "agree to sanction"); where it had one, a further outcome while the
//!   old stays ("charged" → "jailed after being charged", not a one-word
//!   swap nor "remains closed"), a death where there was none, or a later
//!   stage of one process (`outcome: pass → enacts`, `outcome: кандидат →
//!   новый`, `stages`).
//! - `direction reversed: climb → dip` — up-words only before, down-words
//!   only after, or the other way round; or, with at most two content words
//!   changed on each side, an up-word swapped for a down-word (one of two
//!   markets turned).
//! - `market turned: oil surges → ease` — in a market report (`market`:
//!   both versions name stocks or oil with a direction word next to it), a
//!   market's lead direction went up where it went down or the other way;
//!   mixed or steady never turns. A market report whose markets kept
//!   their directions is not rewritten by its share of words, and an
//!   outcome word in it (a side event) is no cue.
//! - `count grew: 2 more` — a number followed by more, further, additional
//!   or new that the old version did not have.
//! - `qualifier dropped: initially` / `qualifier added: …` — a word that
//!   limits a fact to part of it or a time (initially, partly,
//!   temporarily, briefly, частично…).
//! - `role added: former` — a role word (former, ex, acting, interim,
//!   бывший…) added right before a word the old version had.
//! - `record reached` / `record reached or lost` — a record named that was
//!   not, or the words that kept a figure short of it (near, toward, below)
//!   dropped while the record stays ("hover above their record" is past it).
//! - `attribution dropped: пишут СМИ` / `attribution added: Trump says` —
//!   the claim changes owner or loses one; not when the speaker opens both
//!   versions ("X says it will" → "X vows to": the speaker is the subject),
//!   nor an official source of a tally dropped ("…, officials say", or
//!   an agency's acronym closing the headline: "…, WHO says"),
//!   nor for a reporting word used as a noun or a passive ("the final
//!   say", "on conflicting reports", "tornadoes reported"); a poll's
//!   "shows"/"finds" attributes like "according to".
//! - `speaker changed: Russia → Russia and Ukraine` — the words before a
//!   speech verb replaced, not merely added or dropped, nor respelled, nor
//!   the same speaker described ("rights group", no capitalised word) or
//!   named less precisely ("U.S. military" → "US").
//! - `name changed: Астаны → Алматы` — a name (a capitalised word not
//!   opening a sentence) removed and another added in its place (the word
//!   before or after the same), after spelling fixes were paired off.
//! - `name added: Huang` / `name dropped: UAE` — a name joined by a comma
//!   or "and" to a name both versions keep, little else changed.
//! - `headline rewritten (67% of words)` / `text rewritten (…)` — the share
//!   of content words changed reaches a threshold that depends on length
//!   ([`verdict::rewrite_threshold`]: 0.9 up to 12 content words in both
//!   versions, [`TITLE_REFRAMED_SHARE`] up to 24, [`MAJOR_SHARE`] beyond),
//!   counting as added only words the old item (title and text) did not
//!   have: a teaser replaced by a line of its own description is a rewording.
//!   Not for a headline of which one version is wholly a quotation (a
//!   feature's quote headline retold); its negations, attributions and
//!   speakers are the quotation's and count neither.
//! - `topic words changed: ceasefire, truce` — a changed word is one of the
//!   matched topics' terms.
//!
//! A figure, a name or an outcome the old item already had in its other
//! field does not count. A quotation reworded is minor (`quotation
//! changed`): a trimmed quote is a rewording.
//!
//! **Cosmetic** when no major rule fired and each field's content words are
//! the same (reasons `same content words`, `spelling: blacked/backed`,
//! `name spelling: Пунчук/Пинчук`, or the finer `spacing only`,
//! `quote marks only`, `letter case only`, `punctuation only`, `spelling
//! variant: U.S./US`, `number written out: three/3`, `word order only` when the words
//! are equal before stemming).
//!
//! **Minor** otherwise, with `reworded (N words)` (content words changed).
//!
//! **Wording only**: then a learned cosmetic head (`learned`, a logistic
//! regression over the evidence above, never a headline's words, shipped
//! as `cosmetic.model`, cut at [`SHIPPED_CUTS`]) may call a minor a
//! rewording of the same fact: it becomes cosmetic with `wording only:
//! reworded (N words)`. It never touches a major or a cosmetic.
//!
//! Measured against labels made by reading (`bench/README.md`, "Edit
//! significance"): cues that read surface words cannot tell a paraphrase
//! of a headline from a new development in every case; the figures and
//! the gaps are there.
//!
//! # Files
//!
//! This file holds the entry points and the verdict types; `diff` the display
//! diff, `words` the analysed words and their keys, `quotes` the quoted spans,
//! `content` the content words, `cues` the few-word majors (`attribution`
//! the claims and their sources, `stages` the stages of a process),
//! `evidence` the numbers, negation, speaker and name rules, `verdict` the
//! per-field verdict and the rules above, `guards` the four guards,
//! `learned` the learned heads over the rules' evidence ([`compare_evidence`]):
//! the cosmetic head turns minors cosmetic; the major head is evaluated
//! but does not decide, as it did not beat the rules by grouped
//! cross-validation (`bench/README.md`). The
//! word lists (negators, speech verbs, numerals, spelling folds) are in
//! `detect::lexicon`.
//!
//! [`text::words`]: crate::text::words
//! [`text::fold`]: crate::text::fold

mod attribution;
mod content;
mod cues;
mod diff;
mod evidence;
mod framing;
mod guards;
mod learned;
mod market;
mod quotes;
mod stages;
mod successor;
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
pub use learned::{
    COSMETIC_MODEL, COSMETIC_MODEL_HEADER, Cuts, Decision, Evidence, SHIPPED_CUTS, TrainOptions,
    VerdictModel,
};
use quotes::quote_change;
pub use successor::{SUCCESSOR_SIMILARITY, successors, title_similarity};
use verdict::{FieldVerdict, classify, topic_hits, weighted_share};
use words::Field;

/// A changed share (see [`Revision::changed_share`]) at or above this is a
/// large rewrite. AP "Wall Street drops from its records…" → "…falls from…"
/// (one verb, 0.06) must stay minor; "Sudan's military accuses Ethiopia…" →
/// "Sudan recalls ambassador to Ethiopia over drone attack…" (0.52) is a new
/// story under the same link.
pub const MAJOR_SHARE: f64 = 0.35;
/// A headline-length field (13–24 content words in both versions) whose
/// share of content words changed, new to the item, is at or above this
/// has been rewritten. 0.5 called half of the paraphrased AP headlines
/// major; 0.6 trades 3 points of major recall for 3 of precision on the
/// labeled edits (`bench/README.md`).
pub const TITLE_REFRAMED_SHARE: f64 = 0.6;

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
    compare_evidence(old, new, topic_terms).0
}

/// [`compare`], and the evidence its rules weighed as the features of a
/// learned verdict ([`VerdictModel`]; for its evaluation).
pub fn compare_evidence(
    old: &VersionText,
    new: &VersionText,
    topic_terms: &[String],
) -> (Revision, Evidence) {
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

    let mut t = FieldVerdict::judge(&title_old, &title_new, doc, old.title == new.title);
    t.mark_quote_headline(&title_old, &title_new);
    // A text that only lost (or gained) a leading copy of its headline says
    // what it said.
    let copy_only = headline_copy_only(&title_old, &text_old, &text_new)
        || headline_copy_only(&title_new, &text_new, &text_old);
    let mut x = if copy_only {
        let mut x = FieldVerdict::judge(&text_new, &text_new, doc, true);
        x.notes.push("headline copy in the text".to_string());
        x
    } else {
        FieldVerdict::judge(&text_old, &text_new, doc, old.text == new.text)
    };
    let known = known_words(&[&title_old, &text_old], doc);
    t.discount_known(&known, doc);
    x.discount_known(&known, doc);
    let changed_share = weighted_share(&t, &x);
    let quotes = quote_change([&title_old, &text_old], [&title_new, &text_new], doc);

    let hits = topic_hits(&t, &x, topic_terms, doc);
    let judged = classify(&t, &x, quotes, &hits, changed_share);
    let evidence = Evidence {
        rules: judged.rules,
        features: learned::features(&t, &x, &judged, quotes, lang),
    };
    let mut significance = judged.rules;
    let mut reasons = judged.reasons(significance);
    // The learned cosmetic head may call a rules' minor a rewording; it
    // never touches a major or a cosmetic.
    if significance == Significance::Minor && learned::wording_only(&evidence.features).is_some() {
        significance = Significance::Cosmetic;
        reasons = vec![format!("wording only: {}", reasons.join(", "))];
    }
    if truncated {
        reasons.push("diff coarse (text too long to compare word by word)".to_string());
    }
    dedup_keep_order(&mut reasons);
    let revision = Revision {
        significance,
        reasons,
        title,
        text,
        changed_share,
    };
    (revision, evidence)
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

/// Whether `with` is `without` after a copy of `title`: the text lost or
/// gained the headline it opened with.
fn headline_copy_only(title: &Field, with: &Field, without: &Field) -> bool {
    let title = title.clean.trim();
    !title.is_empty()
        && !without.clean.trim().is_empty()
        && with
            .clean
            .trim_start()
            .strip_prefix(title)
            .is_some_and(|rest| rest.trim() == without.clean.trim())
}

/// Stems and number keys of the old version's fields.
fn known_words(fields: &[&Field], doc: StemLang) -> HashSet<String> {
    let mut out = HashSet::new();
    for f in fields {
        for c in content::content_words(f, doc) {
            out.insert(c.stem);
        }
        for t in &f.toks {
            out.insert(t.key.clone());
        }
    }
    out
}

fn dedup_keep_order(v: &mut Vec<String>) {
    let mut seen = HashSet::new();
    v.retain(|r| seen.insert(r.clone()));
}

#[cfg(test)]
mod tests;
