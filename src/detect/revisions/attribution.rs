//! Attribution (module docs, "Cues"): a claim that loses its source is
//! stated as fact, and one that gains a source is a claim; the source of an
//! official tally, a poll's finding and a speaker who opens both versions
//! are no such change.

use std::sync::LazyLock;

use super::content::stem_of;
use super::cues::Stems;
use super::words::Field;
use crate::detect::lexicon::edit_cues::ATTRIBUTION;
use crate::text::StemLang;

static ATTRIBUTION_STEMS: LazyLock<Stems> = LazyLock::new(|| Stems::of(ATTRIBUTION));

/// The attribution dropped or added between two versions of a field, as a
/// reason.
pub(super) fn attribution_change(old: &Field, new: &Field, doc: StemLang) -> Option<String> {
    // Attribution dropped (a claim now stated as fact) or added.
    // Not when the speaker opens both versions: "Spirit Airlines says it's
    // going out of business" → "Spirit Airlines goes out of business" says
    // who does it, not who claims it.
    if speaker_opens_both(old, new, doc) || speaker_opens_both(new, old, doc) {
        // The speaker is the subject either way.
        return None;
    }
    let (aa, ab) = (attributions(old, doc), attributions(new, doc));
    if aa > 0 && ab == 0 && !official_source(old, doc) {
        Some(format!(
            "attribution dropped: {}",
            attribution_phrase(old, doc)
        ))
    } else if ab > 0 && aa == 0 {
        Some(format!(
            "attribution added: {}",
            attribution_phrase(new, doc)
        ))
    } else {
        None
    }
}

/// How many words of `f` attribute a claim to a source.
fn attributions(f: &Field, doc: StemLang) -> usize {
    (0..f.toks.len())
        .filter(|&i| attributing(f, i, doc))
        .count()
}

/// Whether word `i` of `f` is a reporting word in its reporting use: not a
/// noun after an article, adjective or preposition ("the final say",
/// "rejects claims", "on conflicting reports"), "reported" only after the
/// name of who reports ("Spain reported", not "tornadoes reported"), and
/// "according" only before "to" (not "accord").
fn attributing(f: &Field, i: usize, doc: StemLang) -> bool {
    let t = &f.toks[i];
    // "new poll finds", "study shows": a finding attributed to its source.
    if FINDS.contains(&t.key.as_str())
        && f.toks[i.saturating_sub(2)..i]
            .iter()
            .any(|p| STUDIES.contains(&p.key.as_str()))
    {
        return true;
    }
    let s = stem_of(t, doc);
    if !ATTRIBUTION_STEMS.has(&s) {
        return false;
    }
    let prev = i.checked_sub(1).map(|j| &f.toks[j]);
    let noun = prev.is_some_and(|p| NOUN_BEFORE.contains(&p.key.as_str()));
    match t.key.as_str() {
        "say" | "says" | "claim" | "claims" | "report" | "reports" => !noun,
        // "multiple tornadoes reported": a passive with no one reporting.
        "reported" => prev.is_some_and(|p| p.cap || p.key == "media"),
        "according" => f.toks.get(i + 1).is_some_and(|n| n.key == "to"),
        "accord" => false,
        _ => true,
    }
}

/// Verbs a study reports its finding with.
const FINDS: &[&str] = &[
    "finds", "find", "found", "shows", "show", "showed", "suggests",
];

/// What finds: a poll, a survey, a study.
#[rustfmt::skip]
const STUDIES: &[&str] = &[
    "poll", "polls", "survey", "study", "studies",
    "опрос", "исследование", "опитування", "дослідження",
];

/// Whether the first attribution of `f` names an official source giving
/// its tally ("…, officials say", "police said"): dropping it leaves an
/// uncontested figure as it was; dropping a claimant's ("activists say",
/// "пишут СМИ") turns a claim into a fact.
fn official_source(f: &Field, doc: StemLang) -> bool {
    let Some(i) = (0..f.toks.len()).find(|&i| attributing(f, i, doc)) else {
        return false;
    };
    f.toks[i.saturating_sub(3)..i]
        .iter()
        .any(|t| OFFICIAL.contains(&t.key.as_str()))
        || agency_tally(f, i)
}

/// Whether the attribution at word `i` closes a clause as an agency's
/// tally: one acronym of two to five capitals as the whole source, set off
/// by a comma after the fact it reports ("…kills 3 people, WHO says",
/// "…strikes light pole, FAA says"). A party opening the headline with its
/// claim ("UAE says Iran has resumed attacks") is no tally.
fn agency_tally(f: &Field, i: usize) -> bool {
    let Some(src) = i.checked_sub(1).map(|j| &f.toks[j]) else {
        return false;
    };
    let letters = src.text.chars().count();
    let acronym = (2..=5).contains(&letters) && src.text.chars().all(char::is_uppercase);
    let closes = f.toks.get(i + 1).is_none_or(|n| n.clause_start);
    acronym && src.clause_start && !src.sentence_start && closes
}

/// Sources of official tallies (not a party to a dispute).
#[rustfmt::skip]
const OFFICIAL: &[&str] = &[
    "officials", "official", "authorities", "police", "coroner", "sheriff", "firefighters",
    "rescuers", "власти", "полиция", "спасатели", "влада", "поліція", "рятувальники",
];

/// Words after which a reporting word is a noun.
#[rustfmt::skip]
const NOUN_BEFORE: &[&str] = &[
    "the", "a", "an", "final", "no", "any", "of", "on", "conflicting", "new", "rejects", "denies",
    "dismisses", "disputes",
];

/// `with` attributes a claim to the words opening it ("Iran's supreme leader
/// says …"), and `other` opens with the same words.
fn speaker_opens_both(with: &Field, other: &Field, doc: StemLang) -> bool {
    let Some(i) = (0..with.toks.len()).find(|&i| attributing(with, i, doc)) else {
        return false;
    };
    (1..=5).contains(&i)
        && other.toks.len() > i
        && with.toks[..i]
            .iter()
            .zip(&other.toks)
            .all(|(a, b)| a.key == b.key)
}

/// The attribution as written: the reporting word and the one or two words
/// before it ("Activists say", "пишут СМИ").
fn attribution_phrase(f: &Field, doc: StemLang) -> String {
    let Some(i) = (0..f.toks.len()).find(|&i| attributing(f, i, doc)) else {
        return String::new();
    };
    let from = if f.toks[i].clause_start {
        i
    } else {
        i.saturating_sub(2)
    };
    let from = (from..=i)
        .find(|&j| j == i || !f.toks[j + 1..=i].iter().any(|t| t.clause_start))
        .unwrap_or(i);
    let to = (i + 1).min(f.toks.len() - 1);
    let to = if f.toks[to].clause_start || !f.toks[i].clause_start {
        i
    } else {
        to
    };
    f.toks[from..=to]
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}
