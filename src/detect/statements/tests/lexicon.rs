//! Every word-list entry the statements stage reads can match a word: it is
//! already in the form the list is compared in (a loose key, a folded word,
//! a position key), one word per part. An entry in another form ("пiсля"
//! with a Latin i, "объяснил" whose loose key drops the hard sign, a
//! possessive "army's") silently never matches.

use super::position::keys;
use super::tokens::loose_key;
use crate::detect::lexicon::negation::NEGATORS;
use crate::detect::lexicon::positions::{
    CHANGE_CUES, CONCESSION_CUES, ISSUE_TERMS, RESTATEMENT_CUES, STANCE_CUES, TALKS_ASPECTS,
    VIEW_WORDS,
};
use crate::detect::lexicon::speech::{
    DIGEST_WORDS, HEADLINE_INTENT_VERBS, HEADLINE_LEADING_VERBS, HEADLINE_VERBS, QUOTE_INTRO_WORDS,
    QUOTE_VERBS_CYRILLIC, QUOTE_VERBS_EN, SPEAKER_PRONOUNS,
};
use crate::detect::lexicon::stopwords::{HEADLINE_TAIL_WORDS, SIMILARITY_STOPWORDS};
use crate::text::{fold, words};

/// `e` as one word of one script (a Latin letter in a Cyrillic word is a
/// typo no text has).
fn one_word(e: &str) -> Option<&str> {
    let ws: Vec<&str> = words(e).map(|(_, w)| w).collect();
    let cyrillic = e.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    let latin = e.chars().any(|c| c.is_ascii_alphabetic());
    (ws.len() == 1 && !(cyrillic && latin)).then(|| ws[0])
}

/// The entries of `list` that no word's `form` can equal.
fn unreachable<'a>(list: &[&'a str], form: impl Fn(&str) -> String) -> Vec<&'a str> {
    list.iter()
        .copied()
        .filter(|e| one_word(e).is_none_or(|w| form(w) != *e))
        .collect()
}

#[test]
fn loose_key_lists_are_reachable() {
    let loose = |w: &str| loose_key(w).0;
    for (name, list) in [
        ("QUOTE_VERBS_EN", QUOTE_VERBS_EN),
        ("QUOTE_VERBS_CYRILLIC", QUOTE_VERBS_CYRILLIC),
        ("SPEAKER_PRONOUNS", SPEAKER_PRONOUNS),
        ("DIGEST_WORDS", DIGEST_WORDS),
        ("HEADLINE_TAIL_WORDS", HEADLINE_TAIL_WORDS),
        ("SIMILARITY_STOPWORDS", SIMILARITY_STOPWORDS),
    ] {
        assert_eq!(unreachable(list, loose), Vec::<&str>::new(), "{name}");
    }
}

#[test]
fn folded_lists_are_reachable() {
    for (name, list) in [
        ("HEADLINE_VERBS", HEADLINE_VERBS),
        ("HEADLINE_LEADING_VERBS", HEADLINE_LEADING_VERBS),
        ("HEADLINE_INTENT_VERBS", HEADLINE_INTENT_VERBS),
        ("QUOTE_INTRO_WORDS", QUOTE_INTRO_WORDS),
    ] {
        assert_eq!(unreachable(list, fold), Vec::<&str>::new(), "{name}");
    }
}

/// Issue terms and stance cues are prefixes of position keys, a phrase one
/// prefix per word; the negators are whole position keys.
#[test]
fn position_lists_are_reachable() {
    let key = |w: &str| keys(w).concat();
    let parts = |cue: &'static str| cue.split(' ').map(|p| p.trim_end_matches('$'));
    let mut bad: Vec<&str> = Vec::new();
    for (_, terms) in ISSUE_TERMS {
        for (term, _) in *terms {
            bad.extend(unreachable(&parts(term).collect::<Vec<_>>(), key));
        }
    }
    for (_, cues) in STANCE_CUES.iter().chain(TALKS_ASPECTS).chain(&[
        ("restated", RESTATEMENT_CUES),
        ("changed", CHANGE_CUES),
        ("concession", CONCESSION_CUES),
        ("view", VIEW_WORDS),
    ]) {
        for cue in *cues {
            bad.extend(unreachable(&parts(cue).collect::<Vec<_>>(), key));
        }
    }
    bad.extend(unreachable(NEGATORS, key));
    bad.extend(unreachable(super::position::REFUSALS, key));
    for cue in super::position::DOUBT {
        bad.extend(unreachable(&parts(cue).collect::<Vec<_>>(), key));
    }
    bad.extend(unreachable(super::position::CLAUSE_OPENERS, key));
    bad.extend(unreachable(super::position::CLAIMS, key));
    bad.extend(unreachable(super::position::WHO, key));
    bad.extend(unreachable(super::position::CLAIM_VERBS, key));
    bad.extend(unreachable(super::position::AFTER, key));
    assert_eq!(bad, Vec::<&str>::new());
}
