//! Occasion grouping (stories): the reports of one statement occasion — a
//! press chat, a briefing, an interview — are mostly headlines attributed
//! to one speaker ("… — Lavrov", "Zelensky says …"), and share few content
//! keys with another outlet's one report of it. Two reports of different
//! outlets attributed to the same listed actor join one story when they
//! come within [`SPEAKER_OCCASION_HOURS`] of the story's first report
//! attributed to that speaker (not through a chain of reports), and the new
//! report names no occasion kind the story does not (a call is not a
//! meeting).
//! Pure; never panics.

use super::decide::{Interned, Member};
use super::event::{Key, KeyKind};
use crate::detect::lexicon::entities::Aliases;

/// A report attributed to a speaker joins that speaker's occasion within
/// this long of the story's first report attributed to them: one press
/// chat or briefing, and its readouts, fit in an afternoon; the same
/// speaker the next morning is usually a new occasion.
pub const SPEAKER_OCCASION_HOURS: i64 = 6;

/// Kinds of occasion a headline can name, as bits: the event words of the
/// alias list (canonical keys) that tell one occasion from another of the
/// same people — a call; a meeting, talks, a visit or a summit. A statement
/// that names a strike, a sanction or an election names its subject, not
/// its occasion: guarding on those kinds too (strike/drone/missile,
/// prisoner exchange, sanctions, vote/election) kept two briefing headlines
/// of `dec-2025-late` apart and parted no false pair more.
const KINDS: &[(&str, u8)] = &[
    ("call", 1),
    ("meeting", 2),
    ("talks", 2),
    ("visit", 2),
    ("summit", 2),
];

/// The occasion kinds a profile's headline names (bits of [`KINDS`]).
pub fn kinds(keys: &[Key]) -> u8 {
    keys.iter()
        .filter(|k| k.in_title && k.kind == KeyKind::Word)
        .filter_map(|k| KINDS.iter().find(|(w, _)| *w == k.text).map(|(_, b)| *b))
        .fold(0, |a, b| a | b)
}

/// Names of occasion kinds in `bits`, for an explanation.
pub fn kind_names(bits: u8) -> Vec<&'static str> {
    let mut seen = 0u8;
    KINDS
        .iter()
        .filter(|(_, b)| {
            let new = bits & b != 0 && seen & b == 0;
            seen |= b;
            new
        })
        .map(|(w, _)| *w)
        .collect()
}

/// Whether a speaker key ("zelensky", "kremlin", "trump+zelensky") names
/// only actors of the alias list (people and organisations): "— expert",
/// "Russia says" or "— German MP" name no one an outlet's report of the
/// occasion would also name.
pub fn actor_speaker(text: &str, aliases: &Aliases) -> bool {
    !text.is_empty() && text.split('+').all(|p| aliases.is_actor(p))
}

/// The member whose story the new report's speaker occasion is, and when
/// that occasion started (the story's first report attributed to the
/// speaker among `members`): a member of another outlet attributed to the
/// same listed actor, the occasion started within
/// [`SPEAKER_OCCASION_HOURS`], and, when both the new headline and the
/// story's name an occasion kind (a call; a meeting or talks), one they
/// share. The latest
/// occasion wins; ties go to the earliest story.
pub fn by_speaker(
    new: &Interned,
    source: i64,
    at: i64,
    members: &[Member<'_>],
) -> Option<(usize, i64)> {
    let speaker = new.speaker.filter(|_| new.speaker_actor)?;
    let mut best: Option<((i64, i64), usize, i64)> = None;
    for (n, m) in members.iter().enumerate() {
        if m.source == source || m.profile.speaker != Some(speaker) {
            continue;
        }
        let story = || members.iter().filter(|o| o.story_id == m.story_id);
        let start = story()
            .filter(|o| o.profile.speaker == Some(speaker))
            .map(|o| o.seen)
            .min()
            .unwrap_or(m.seen);
        if (at - start).abs() > SPEAKER_OCCASION_HOURS * 3600 {
            continue;
        }
        let kinds = story().fold(0u8, |k, o| k | o.profile.kinds);
        if new.kinds != 0 && kinds != 0 && new.kinds & kinds == 0 {
            continue;
        }
        let rank = (start, -m.story_id);
        if best.is_none_or(|(b, ..)| rank > b) {
            best = Some((rank, n, start));
        }
    }
    best.map(|(_, n, start)| (n, start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::stories::decide::{Join, KeyIds, Rule, Scratch, decide};
    use crate::detect::stories::event::profile;

    const HOUR: i64 = 3600;

    /// (story, source, seconds, headline) of earlier reports; the new
    /// report's decision, every key as rare as every other.
    fn join(new: &str, source: i64, at: i64, earlier: &[(i64, i64, i64, &str)]) -> Option<Join> {
        let list = Aliases::shipped();
        let mut ids = KeyIds::default();
        let mut intern = |s: bool, t: &str| ids.intern(s, t);
        let new = Interned::new(&profile(new, "", list), &mut intern);
        let profiles: Vec<Interned> = earlier
            .iter()
            .map(|e| Interned::new(&profile(e.3, "", list), &mut intern))
            .collect();
        let members: Vec<Member<'_>> = earlier
            .iter()
            .zip(&profiles)
            .map(|(e, p)| Member {
                story_id: e.0,
                source: e.1,
                seen: e.2,
                profile: p,
                lang: "en",
                near_founder: true,
            })
            .collect();
        let text = |id: u32| ids.text(id).1.to_string();
        decide(
            &new,
            source,
            "en",
            at,
            &members,
            &mut |_| 2.0,
            &text,
            &mut Scratch::default(),
        )
    }

    /// One outlet's report of a press chat and another's headline of it,
    /// two hours later (`dec-2025-late`): one speaker, no shared content.
    #[test]
    fn another_outlets_headline_of_the_same_speaker_joins_the_occasion() {
        let chat = (
            7,
            1,
            0,
            "Zelenskiy says 20-point peace plan should be put to referendum in Ukraine",
        );
        let j = join(
            "Trump offers Ukraine 15-year security guarantees, Kiev seeks 30-50 years — Zelensky",
            2,
            2 * HOUR + 19 * 60,
            &[chat],
        )
        .expect("one occasion");
        assert_eq!((j.story_id, j.rule), (7, Rule::Speaker));
        assert_eq!(
            j.why(),
            "same speaker: zelensky, 2h19 after the story's first report attributed to them"
        );
    }

    #[test]
    fn a_speaker_at_another_kind_of_event_or_the_next_morning_is_a_new_occasion() {
        let call = (3, 1, 0, "Lavrov says phone call with Rubio was useful");
        // A meeting is not the call.
        let meeting = "Next round of talks set for Friday in Istanbul — Lavrov";
        assert_eq!(join(meeting, 2, HOUR, &[call]), None);
        // Naming no kind, the same hour: the call's occasion.
        let quote = "Moscow remains open to dialogue with Washington — Lavrov";
        assert_eq!(join(quote, 2, HOUR, &[call]).map(|j| j.story_id), Some(3));
        // A subject (sanctions, an election) is not an occasion's kind.
        let subject = "Western sanctions have failed to isolate the country — Lavrov";
        assert_eq!(join(subject, 2, HOUR, &[call]).map(|j| j.story_id), Some(3));
        // Seven hours after the occasion began: not through a chain of
        // reports of it.
        let later = (3, 2, 5 * HOUR, quote);
        let next = "Western pressure has failed to isolate the country — Lavrov";
        assert_eq!(join(next, 4, 7 * HOUR, &[call, later]), None);
        assert_eq!(
            join(next, 4, 5 * HOUR + 10, &[call, later]).map(|j| j.story_id),
            Some(3)
        );
        // The same outlet is the same-outlet rule's, not this one's.
        let j = join(quote, 1, HOUR, &[call]);
        assert!(j.as_ref().is_none_or(|j| j.rule != Rule::Speaker), "{j:?}");
    }

    #[test]
    fn only_listed_actors_are_speakers_of_an_occasion() {
        let a = (
            1,
            1,
            0,
            "Europe is preparing for a long confrontation — expert",
        );
        let b = "Oil price cap hurts buyers most — expert";
        assert_eq!(join(b, 2, HOUR, &[a]), None);
        let list = Aliases::shipped();
        assert!(actor_speaker("zelensky", list));
        assert!(actor_speaker("trump+zelensky", list));
        assert!(!actor_speaker("russia", list));
        assert!(!actor_speaker("german+mp", list));
        assert_eq!(
            kind_names(kinds(&profile(
                "Putin, Trump hold phone call before meeting",
                "",
                list
            ))),
            ["call", "meeting"]
        );
    }
}
