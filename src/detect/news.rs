//! What a later report of a story brings that its earlier reports did not:
//! new figures (a number with the word it counts, "22 killed") and new
//! actors (a person or organisation of the entity list, "Witkoff"). A
//! report that brings either is a development of the story and alerts
//! again; one that repeats known facts joins silently. Compares event
//! profiles (`stories::event`), so a figure or a name meets its other
//! spellings and scripts. Pure; never panics.

use std::collections::HashSet;

use super::lexicon::entities::Aliases;
use super::lexicon::numbers::numeral;
use super::lexicon::stopwords::FINGERPRINT_STOPWORDS;
use super::stories::event::{Key, KeyKind, after_dateline, decode, headline};
use crate::text::{fold, words};

/// Words of the lead searched for a figure's unit (as the profile reads).
const LEAD_WORDS: usize = 40;

/// The figures and actors a story's reports have given so far.
#[derive(Clone, Debug, Default)]
pub struct Known {
    figures: HashSet<String>,
    actors: HashSet<String>,
}

impl Known {
    /// Add what one earlier report's profile holds.
    pub fn add(&mut self, keys: &[Key], aliases: &Aliases) {
        for k in keys {
            match k.kind {
                KeyKind::Number => {
                    self.figures.insert(k.text.clone());
                }
                KeyKind::Name if aliases.is_actor(&k.text) => {
                    self.actors.insert(k.text.clone());
                }
                _ => {}
            }
        }
    }
}

/// What a new report (its profile, title and text) brings beyond `known`,
/// as phrases a message shows: "new figure: 22 killed", "new actor:
/// Witkoff". Empty when it repeats what is known.
pub fn news(
    keys: &[Key],
    title: &str,
    text: &str,
    known: &Known,
    aliases: &Aliases,
) -> Vec<String> {
    let mut out = Vec::new();
    for k in keys {
        match k.kind {
            KeyKind::Number if !known.figures.contains(&k.text) => {
                out.push(format!("new figure: {}", figure(&k.text, title, text)));
            }
            KeyKind::Name if aliases.is_actor(&k.text) && !known.actors.contains(&k.text) => {
                out.push(format!("new actor: {}", capitalised(&k.text)));
            }
            _ => {}
        }
    }
    out.dedup();
    out
}

/// What a story's reports have given, from their stored profiles
/// (`stories::event::encode`), by the shipped entity list.
pub fn known_from_stored<'a>(profiles: impl IntoIterator<Item = &'a str>) -> Known {
    let aliases = Aliases::shipped();
    let mut known = Known::default();
    for p in profiles {
        known.add(&decode(p), aliases);
    }
    known
}

/// [`news`] by the shipped entity list.
pub fn report_news(keys: &[Key], title: &str, text: &str, known: &Known) -> Vec<String> {
    news(keys, title, text, known, Aliases::shipped())
}

/// A figure with the word it counts, as the report words it: the word
/// after the number ("22 killed", "111 drones"), else the word before it
/// when that is not a stopword ("kills 22"), else the number alone; the
/// title first, then the lead.
fn figure(value: &str, title: &str, text: &str) -> String {
    let parts = [headline(title), after_dateline(text.trim())];
    let mut before: Option<String> = None;
    let mut alone: Option<String> = None;
    for part in parts {
        let toks: Vec<_> = words(part).take(LEAD_WORDS).collect();
        let adjacent = |a: usize, b: usize| {
            part.get(a..b)
                .is_some_and(|gap| !gap.is_empty() && gap.chars().all(char::is_whitespace))
        };
        for (i, (span, raw)) in toks.iter().enumerate() {
            if figure_value(&fold(raw)).as_deref() != Some(value) {
                continue;
            }
            if let Some((next, w)) = toks.get(i + 1)
                && adjacent(span.end, next.start)
                && figure_value(&fold(w)).is_none()
            {
                return format!("{raw} {w}");
            }
            if let Some((prev, w)) = i.checked_sub(1).and_then(|j| toks.get(j))
                && adjacent(prev.end, span.start)
                && !FINGERPRINT_STOPWORDS.contains(&fold(w).as_str())
            {
                before.get_or_insert_with(|| format!("{w} {raw}"));
            }
            alone.get_or_insert_with(|| raw.to_string());
        }
    }
    before.or(alone).unwrap_or_else(|| value.to_string())
}

/// The value of a word as the profile keys it: digits without separators,
/// or a spelled numeral.
fn figure_value(folded: &str) -> Option<String> {
    if let Some(d) = numeral(folded) {
        return Some(d.to_string());
    }
    let digits: String = folded
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let digits = digits.trim_matches('.');
    (!digits.is_empty() && folded.chars().any(|c| c.is_ascii_digit())).then(|| digits.to_string())
}

fn capitalised(key: &str) -> String {
    let mut cs = key.chars();
    match cs.next() {
        Some(c) => c.to_uppercase().chain(cs).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::stories::event::profile;

    fn known(reports: &[(&str, &str)]) -> Known {
        let aliases = Aliases::shipped();
        let mut k = Known::default();
        for (title, text) in reports {
            k.add(&profile(title, text, aliases), aliases);
        }
        k
    }

    fn news_of(title: &str, text: &str, k: &Known) -> Vec<String> {
        let aliases = Aliases::shipped();
        news(&profile(title, text, aliases), title, text, k, aliases)
    }

    const FIRST: (&str, &str) = (
        "Drone strike on Kharkiv apartment block kills 7, governor says",
        "KHARKIV (Wire) - A Russian drone strike on an apartment block in Kharkiv killed seven people and wounded 21 overnight.",
    );

    #[test]
    fn a_new_figure_is_named_with_the_word_it_counts() {
        let k = known(&[FIRST]);
        assert_eq!(
            news_of(
                "Kharkiv strike: death toll rises to 22",
                "The number of people killed in the drone strike on Kharkiv rose to 22 killed and 21 wounded.",
                &k
            ),
            ["new figure: 22 killed"]
        );
    }

    #[test]
    fn a_new_actor_of_the_list_is_named_in_any_script() {
        let k = known(&[FIRST]);
        assert_eq!(
            news_of(
                "Уиткофф осудил удар по Харькову",
                "Спецпосланник США Стив Уиткофф осудил удар беспилотников по Харькову, в котором погибли 7 человек.",
                &k
            ),
            ["new actor: Witkoff"]
        );
    }

    #[test]
    fn a_report_repeating_known_facts_brings_nothing() {
        let k = known(&[FIRST]);
        assert!(
            news_of(
                "Seven dead as drones hit residential building in Kharkiv",
                "At least seven people were killed and 21 injured when Russian drones struck Kharkiv overnight.",
                &k
            )
            .is_empty()
        );
        // A place is not an actor.
        let k = known(&[("Putin and Trump speak by phone", "The two leaders spoke.")]);
        assert_eq!(
            news_of("Putin and Trump discuss Kharkiv by phone", "", &k),
            Vec::<String>::new()
        );
    }
}
