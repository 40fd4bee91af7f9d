//! Temporary context terms of a topic: the people and places (names of the
//! items' event profiles, `stories::event`) that keep appearing in items
//! the topic matched strongly. A new envoy or venue that the query does not
//! name becomes a term of the topic while the news keeps naming it beside
//! the topic's own words, and expires when it stops. Pure: the commit
//! stage records what this says, the commands list it.

use crate::detect::stories::event::{Key, KeyKind};
use crate::model::TopicMatch;

/// Days a term stays after the last strong match that named it. A week: a
/// round of talks, a visit or an envoy's shuttle is reported over days,
/// and the weekly rhythm of news (a Friday meeting, its Monday follow-ups)
/// fits in it; a name not seen beside the topic for a week has left it.
pub const EXPIRY_DAYS: i64 = 7;

/// Strong matches that must name a term before it counts as context: one
/// item naming someone is an occasion, two or more a pattern.
pub const MIN_COUNT: i64 = 2;

/// The probability a topic's model must give a match for it to be strong.
pub const STRONG_PROBABILITY: f64 = 0.8;

/// Names shorter than this are initials and abbreviations ("us", "eu"):
/// too common to say anything about one topic.
const MIN_NAME_CHARS: usize = 3;

/// Whether a match is strong enough to lend its names to the topic: the
/// item matched on its own (not through its story), the topic's query hit
/// its words, and, when a model decided, with a high probability.
pub fn is_strong(m: &TopicMatch) -> bool {
    if m.via_story.is_some() {
        return false;
    }
    let model = m.terms.iter().any(|t| t.starts_with("model "));
    let query_hit = m.terms.iter().any(|t| !t.starts_with("model "));
    query_hit && (!model || m.score >= STRONG_PROBABILITY)
}

/// The names of an item's event profile that may become context terms,
/// each once, in the order they appear.
pub fn names(keys: &[Key]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in keys {
        if k.kind == KeyKind::Name
            && k.text.chars().count() >= MIN_NAME_CHARS
            && !out.contains(&k.text)
        {
            out.push(k.text.clone());
        }
    }
    out
}

/// The names of an item's title and lead that may be context terms (as
/// [`names`] of its event profile, with the shipped entity list).
pub fn item_names(title: &str, text: &str) -> Vec<String> {
    names(&crate::detect::stories::event::profile(
        title,
        text,
        crate::detect::lexicon::entities::Aliases::shipped(),
    ))
}

/// Which of `terms` (a topic's current context terms) an item names.
pub fn named<'a>(names: &[String], terms: &'a [String]) -> Vec<&'a str> {
    terms
        .iter()
        .filter(|t| names.contains(t))
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(terms: &[&str], score: f64, via_story: Option<i64>) -> TopicMatch {
        TopicMatch {
            topic: "talks".into(),
            terms: terms.iter().map(|t| t.to_string()).collect(),
            score,
            via_story,
        }
    }

    #[test]
    fn strong_is_an_own_query_hit_the_model_is_sure_of() {
        assert!(is_strong(&m(&["talks"], 1.0, None)));
        assert!(is_strong(&m(&["talks", "model 0.93"], 0.93, None)));
        assert!(!is_strong(&m(&["talks", "model 0.61"], 0.61, None)));
        assert!(!is_strong(&m(&["model 0.99"], 0.99, None)), "no query hit");
        assert!(!is_strong(&m(&[], 0.0, Some(4))), "carried by a story");
    }

    #[test]
    fn names_are_the_profiles_people_and_places_once() {
        let keys = crate::detect::stories::event::profile(
            "Witkoff meets Dmitriev in Miami",
            "Steve Witkoff met Kirill Dmitriev in Miami on Saturday; the US side said the talks went well.",
            crate::detect::lexicon::entities::Aliases::shipped(),
        );
        let names = names(&keys);
        for n in ["witkoff", "dmitriev", "miami"] {
            assert!(names.iter().any(|x| x.contains(n)), "{n} in {names:?}");
        }
        assert_eq!(
            names.len(),
            names.iter().collect::<std::collections::HashSet<_>>().len()
        );
        assert!(!names.iter().any(|x| x.contains("talk")), "{names:?}");
    }
}
