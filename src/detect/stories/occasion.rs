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
/// The bit of a call in [`KINDS`].
pub const CALL: u8 = 1;

const KINDS: &[(&str, u8)] = &[
    ("call", CALL),
    ("meeting", 2),
    ("talks", 2),
    ("visit", 2),
    ("summit", 2),
];

/// Events other than an occasion that a headline can name, as bits: a
/// strike, casualties, a prisoner exchange, sanctions, a vote. A report of
/// a strike "before the Zelenskiy–Trump meeting" is the strike's, not the
/// meeting's.
const ACTS: &[(&str, u8)] = &[
    ("strike", 1),
    ("drone", 1),
    ("missile", 1),
    ("killed", 2),
    ("wounded", 2),
    ("prisoner", 4),
    ("exchange", 4),
    ("sanction", 8),
    ("election", 16),
    ("referendum", 16),
];

/// The events other than an occasion a profile's headline names (bits of
/// [`ACTS`]).
pub fn acts(keys: &[Key]) -> u8 {
    keys.iter()
        .filter(|k| k.in_title && k.kind == KeyKind::Word)
        .filter_map(|k| ACTS.iter().find(|(w, _)| *w == k.text).map(|(_, b)| *b))
        .fold(0, |a, b| a | b)
}

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
        if m.profile.background {
            continue;
        }
        if m.occasion_only || m.source == source || m.profile.speaker != Some(speaker) {
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

/// Whether a profile is a report of an occasion of two principals: its
/// headline names exactly two listed actors and one occasion kind
/// ("Zelenskiy to meet Trump in Florida for talks"), and is no third
/// party's statement about them nor a view ("… — expert").
pub fn two_principals(p: &Interned) -> bool {
    p.principals.len() == 2
        && p.kinds.count_ones() == 1
        && !p.opinion
        && (p.speaker.is_none() || (p.speaker_actor && same_set(&p.subject, &p.principals)))
}

fn same_set(a: &[u32], b: &[u32]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.contains(x))
}

/// The day (days since the epoch) `at` falls on at a UTC offset.
fn day(at: i64, offset_hours: i32) -> i64 {
    (at + i64::from(offset_hours) * 3600).div_euclid(86_400)
}

/// The member whose story is an occasion of two principals that the new
/// report is a statement of, and when that member was seen: the member is
/// a report of the occasion ([`two_principals`]); the new headline's
/// subject is one or both of the principals, it names both, or the other,
/// or the occasion's kind, names no other occasion kind unless both
/// principals are its subject (what the two do together that day), and
/// falls on the day of that report of the occasion for one of its subject
/// (that person's time zone in the entity list, else UTC): the occasion's
/// day as its latest report gives it, so that the next morning's readouts
/// of a meeting, joined to it by [`by_pair`], carry their statements too.
/// The latest report wins; ties go to the earliest story.
pub fn by_participants(
    new: &Interned,
    at: i64,
    members: &[Member<'_>],
) -> Option<(usize, i64, bool)> {
    if new.subject.is_empty() || new.subject.contains(&super::decide::UNKNOWN) {
        return None;
    }
    let mut best: Option<((i64, i64), usize, i64, bool)> = None;
    for (n, m) in members.iter().enumerate() {
        if m.profile.background {
            continue;
        }
        let p = m.profile;
        if !two_principals(p) || !new.subject.iter().all(|s| p.principals.contains(s)) {
            continue;
        }
        // Both principals as the subject ("Trump, Zelensky holding phone
        // call with European leaders"): what the two do together on the
        // day of their occasion is part of it, whatever its kind.
        if new.kinds & !p.kinds != 0 && !same_set(&new.subject, &p.principals) {
            continue;
        }
        let other = p.principals.iter().find(|q| !new.subject.contains(q));
        let continues = match other {
            None => true,
            Some(o) => new.principals.contains(o) || new.kinds & p.kinds != 0,
        };
        let start = m.seen;
        let zones: &[i32] = if new.zones.is_empty() {
            &[0]
        } else {
            &new.zones
        };
        if at < start {
            continue;
        }
        if continues {
            if !zones.iter().any(|&z| day(at, z) == day(start, z)) {
                continue;
            }
        } else if !remark_at_meeting(new, p, m, members, at, zones) {
            continue;
        }
        let remark = !continues;
        let rank = (start, -m.story_id);
        if best.is_none_or(|(b, ..)| rank > b) {
            best = Some((rank, n, start, remark));
        }
    }
    best.map(|(_, n, start, remark)| (n, start, remark))
}

/// A participant's remarks of a meeting's evening reach the news through
/// the night: a statement this many hours into the next day (the
/// subject's time zone) is still the evening's.
pub const NIGHT_HOURS: i64 = 6;

/// Whether a participant's statement that names neither the other
/// principal nor any occasion kind ("Trump rejects suggestions Russia not
/// serious about peace in Ukraine", that afternoon) is a remark at the
/// meeting `p` reports, `p` being the first report of its story and
/// naming no other event (a strike, a vote): the occasion is met in person (a meeting, talks,
/// a visit or a summit — a call gives readouts that name the call or the
/// other party, no remarks), and the statement falls on the day of the
/// story's first report of the occasion among `members` in the subject's
/// time zone, or in the night after it (before [`NIGHT_HOURS`]). The
/// first report, not the latest: the next morning's readouts carry the
/// occasion's own reports, not every remark of its participants that day
/// (a participant's press chat the next morning is another occasion).
fn remark_at_meeting(
    new: &Interned,
    p: &Interned,
    m: &Member<'_>,
    members: &[Member<'_>],
    at: i64,
    zones: &[i32],
) -> bool {
    if new.kinds != 0 || p.kinds & CALL != 0 || p.acts != 0 {
        return false;
    }
    // The story began with this report: a strike "before the
    // Zelenskiy–Trump meeting" names the meeting, and is no report of it.
    let first = members
        .iter()
        .filter(|o| o.story_id == m.story_id)
        .map(|o| o.seen)
        .min()
        .unwrap_or(m.seen);
    if first != m.seen {
        return false;
    }
    let that_day = zones.iter().any(|&z| {
        let d = day(first, z);
        day(at, z) == d || day(at - NIGHT_HOURS * 3600, z) == d
    });
    that_day
        && members
            .iter()
            .any(|o| o.story_id == m.story_id && shares_subject_matter(new, o.profile))
}

/// Whether a remark shares something besides its speaker with a report
/// of the meeting: a name, a figure or an event word ("… peace in
/// Ukraine" and a report of the talks on Ukraine). A participant says
/// other things that day too (tariffs, another country); those are not
/// the meeting's.
fn shares_subject_matter(remark: &Interned, report: &Interned) -> bool {
    remark.keys.iter().any(|k| {
        k.kind != KeyKind::Speaker
            && !remark.subject.contains(&k.id)
            && report.keys.iter().any(|r| r.id == k.id && r.kind == k.kind)
    })
}

/// A story stays open to another report of its occasion of two
/// principals this long after its latest report: one occasion's readouts
/// come through the night after it; the same two people the next evening
/// are usually a new occasion.
pub const OCCASION_QUIET_HOURS: i64 = 12;

/// The member whose story the new report continues, and when that story
/// last had a report: the new headline is itself a report of an occasion
/// of two principals ([`two_principals`]), and the member one of the same
/// two principals and the same kind (a meeting of the same two people),
/// whose story's latest report came at most [`OCCASION_QUIET_HOURS`]
/// before. The latest story wins; ties go to the earliest story.
pub fn by_pair(new: &Interned, at: i64, members: &[Member<'_>]) -> Option<(usize, i64)> {
    if !two_principals(new) {
        return None;
    }
    let mut best: Option<((i64, i64), usize, i64)> = None;
    for (n, m) in members.iter().enumerate() {
        if m.profile.background {
            continue;
        }
        // The story's first report among the members: the story is that
        // occasion only when it began with a report of it, naming both
        // principals and the kind and no other event ("Trump says he had
        // a call with Putin ahead of Zelenskiy meeting" begins the call's
        // story; a strike "before the Zelenskiy–Trump meeting" does not
        // begin the meeting's).
        let first = members
            .iter()
            .filter(|o| o.story_id == m.story_id)
            .min_by_key(|o| o.seen)
            .unwrap_or(m);
        let f = first.profile;
        if f.acts != new.acts
            || f.kinds & new.kinds == 0
            || !new.principals.iter().all(|q| f.principals.contains(q))
        {
            continue;
        }
        let p = m.profile;
        if !two_principals(p)
            || p.kinds != new.kinds
            || p.acts != new.acts
            || !same_set(&p.principals, &new.principals)
        {
            continue;
        }
        let last = m.story_last.max(m.seen);
        if at < last - 60 || at - last > OCCASION_QUIET_HOURS * 3600 {
            continue;
        }
        let rank = (last, -m.story_id);
        if best.is_none_or(|(b, ..)| rank > b) {
            best = Some((rank, n, last));
        }
    }
    best.map(|(_, n, last)| (n, last))
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
        join_rare(2.0, new, source, at, earlier)
    }

    /// [`join`] with every key as rare as `rarity` (0: no content join).
    fn join_rare(
        rarity: f64,
        new: &str,
        source: i64,
        at: i64,
        earlier: &[(i64, i64, i64, &str)],
    ) -> Option<Join> {
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
                occasion_only: false,
                split_from: None,
                story_last: earlier
                    .iter()
                    .filter(|o| o.0 == e.0)
                    .map(|o| o.2)
                    .max()
                    .unwrap_or(e.2),
            })
            .collect();
        let text = |id: u32| ids.text(id).1.to_string();
        decide(
            &new,
            source,
            "en",
            at,
            &members,
            &mut |_| rarity,
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

    /// The announced meeting of two principals (`dec-2025-late`, times as
    /// first seen) takes their statements of that day in their time zones,
    /// not a call of one of them, nor the next day's chat.
    #[test]
    fn statements_of_two_principals_join_their_meeting_on_its_day() {
        let meeting = (
            7,
            1,
            1_766_899_607, // 2025-12-28T05:26:47Z
            "Zelenskiy to meet Trump in Florida for talks on Ukraine peace plan",
        );
        // Every key as common as can be: no content join, only this rule.
        let join =
            |n: &str, src: i64, at: i64, e: &[(i64, i64, i64, &str)]| join_rare(0.0, n, src, at, e);
        let j = join(
            "Trump, Zelensky say Ukraine peace deal edging closer but key issues unresolved",
            2,
            1_766_965_413, // 23:43:33Z: 18:43 in Florida
            &[meeting],
        )
        .expect("a statement of both on the meeting's day");
        assert_eq!((j.story_id, j.rule), (7, Rule::Participant));
        assert!(
            j.why().starts_with(
                "a participant's statement: trump, zelensky, on the day of the story's meeting of "
            ),
            "{}",
            j.why()
        );
        let evening = 1_766_951_200; // 19:46:40Z
        let named =
            "Trump believes prospects for new meeting with Putin hinge on settlement progress";
        assert_eq!(
            join(named, 3, evening, &[meeting]).map(|j| j.story_id),
            Some(7)
        );
        // Naming neither the other principal nor the meeting: a remark at
        // the meeting, that afternoon or reported in the night after it.
        let neither = "Trump rejects suggestions Russia not serious about peace in Ukraine";
        let j = join(neither, 3, evening, &[meeting]).expect("a remark at the meeting");
        assert_eq!((j.story_id, j.rule), (7, Rule::Remark));
        // Other business of a participant that day shares nothing with the
        // meeting's reports but the participant: not a remark of it.
        let other = "Trump threatens new tariffs on Mexican cement imports";
        assert_eq!(join(other, 3, evening, &[meeting]), None);
        assert_eq!(
            j.why(),
            "a participant's remark: trump, on the day of the story's meeting of zelensky, trump or the night after, 14h19 after its first report"
        );
        let night = 1_766_991_094; // 2025-12-29T06:51:34Z: 01:51 in Florida
        let understands = "Trump says he understands Putin who questions need of ceasefire for Ukraine referendum";
        assert_eq!(
            join(understands, 3, night, &[meeting]).map(|j| j.story_id),
            Some(7)
        );
        // An expert's view of a principal is the expert's, not a remark,
        // and an expert's view of the meeting no report of it.
        let expert = "Trump sees diminishing leverage for Kiev as settlement stalls — expert";
        assert_eq!(join(expert, 3, night, &[meeting]), None);
        let preview = (
            6,
            2,
            1_766_860_560, // the day before
            "Trump-Zelensky meeting unlikely to achieve breakthrough in Kiev's favor — German expert",
        );
        assert_eq!(join(meeting.3, 1, meeting.2, &[preview]), None);
        // The next morning, with the meeting's readouts: a press chat of
        // the other participant is another occasion.
        let readout = (
            7,
            2,
            1_766_991_570, // 2025-12-29T06:59:30Z
            "American expert expresses his frustration with Trump-Zelensky talks",
        );
        let chat = "Zelenskiy says 20-point peace plan should be put to referendum in Ukraine";
        assert_eq!(join(chat, 4, 1_767_000_840, &[meeting, readout]), None);
        // A call of the same two gives no remarks: a bare statement of
        // that day is not the call's.
        let call = (
            8,
            1,
            1_766_899_607,
            "Trump, Zelensky to hold phone call on peace plan",
        );
        assert_eq!(join(neither, 3, evening, &[call]), None);
        // A strike report that names the meeting is no report of it: a
        // statement of that night is not the strike's.
        let strike = (
            9,
            1,
            1_766_808_615, // 2025-12-27T04:10:15Z: 23:10 in Florida
            "Russian drones, missiles pound Ukraine before Zelenskiy-Trump meeting",
        );
        let chance = "Trump sees good chance for resolving Ukrainian conflict";
        assert_eq!(join(chance, 3, 1_766_820_240, &[strike]), None);
        // A call of one of them is another occasion.
        let call = "Trump says he had 'very productive' call with Putin ahead of Zelenskiy meeting";
        assert_eq!(join(call, 3, 1_766_942_446, &[meeting]), None);
        // The two together, on the meeting's day, in another kind of
        // occasion: part of the meeting (a call with European leaders
        // during it).
        let together = "Trump, Zelensky holding phone call with European leaders — news agency";
        let j = join(together, 3, 1_766_957_613, &[meeting]).expect("the two together");
        assert_eq!((j.story_id, j.rule), (7, Rule::Participant));
        // The next day in Kyiv and in Florida.
        let next = "Trump, Zelensky reveal names on working groups on Ukraine";
        assert_eq!(join(next, 3, 1_766_991_570, &[meeting]), None);
    }

    /// The next morning's readouts of a meeting (`dec-2025-late`) join it
    /// while its story is open; a strike report that names the meeting
    /// is not the meeting's story.
    #[test]
    fn another_report_of_the_same_occasion_joins_it_while_its_story_is_open() {
        let join =
            |n: &str, src: i64, at: i64, e: &[(i64, i64, i64, &str)]| join_rare(0.0, n, src, at, e);
        let announced = (
            7,
            1,
            1_766_899_607, // 2025-12-28T05:26:47Z
            "Zelenskiy to meet Trump in Florida for talks on Ukraine peace plan",
        );
        let evening = (
            7,
            2,
            1_766_964_000, // 23:20Z
            "Trump, Zelensky say Ukraine peace deal edging closer but key issues unresolved",
        );
        let results =
            "Working groups, unresolved territorial issues: results of Trump-Zelensky meeting";
        let morning = 1_766_997_240; // 2025-12-29T08:34Z
        let j = join(results, 3, morning, &[announced, evening]).expect("the same meeting");
        assert_eq!((j.story_id, j.rule), (7, Rule::Pair));
        assert_eq!(
            j.why(),
            "the same meeting of zelensky, trump as the story's, 9h14 after its latest report"
        );
        // The story quiet since the announcement, 27 hours before.
        assert_eq!(join(results, 3, morning, &[announced]), None);
        // A call of the two is not their meeting.
        let call = "Trump, Zelensky to hold phone call on Ukraine peace plan";
        assert!(join(call, 3, morning, &[announced, evening]).is_none_or(|j| j.rule != Rule::Pair),);
        // A strike "before the Zelenskiy-Trump meeting" founded a story:
        // the meeting's announcement is not that story's.
        let strike = (
            3,
            1,
            1_766_808_615, // 2025-12-27T04:10:15Z
            "Russian drones, missiles pound Ukraine before Zelenskiy-Trump meeting",
        );
        let later = (
            3,
            2,
            1_766_860_560,
            "Kyiv power restored after overnight strike",
        );
        assert_eq!(join(announced.3, 2, announced.2, &[strike, later]), None);
    }

    /// `dec-2025-late`, times as first seen: the call of Dec 28 began
    /// with a headline that named another occasion too; a later readout of
    /// the call joins it, and the next day's readout of a second call
    /// ("Putin told Trump …" after a drone attack) joins neither that call
    /// nor the attack's story, but takes the second call's own readouts.
    #[test]
    fn a_readout_of_a_conversation_is_that_conversations() {
        let call = [
            (
                5,
                1,
                1_766_942_446, // 2025-12-28T17:20:46Z
                "Trump says he had 'very productive' call with Putin ahead of Zelenskiy meeting",
            ),
            (
                5,
                2,
                1_766_948_000, // 18:53:20Z
                "Sunday’s Putin-Trump phone call was their ninth in 2025, 1st since October 16",
            ),
            (
                5,
                2,
                1_766_991_570, // 2025-12-29T06:59:30Z
                "Trump describes his phone call with Putin, meeting with Zelensky as excellent",
            ),
        ];
        let details =
            "Working groups on Ukraine, cooperation prospects: details of Putin-Trump phone call";
        let j = join_rare(0.0, details, 2, 1_766_955_466, &call[..2]).expect("the call's");
        assert_eq!((j.story_id, j.rule), (5, Rule::Pair));
        let list = Aliases::shipped();
        let told = "Putin told Trump that Russia's position will change after Ukrainian drone attack on residence";
        assert!(crate::detect::stories::event::conversation(told, list));
        assert!(!crate::detect::stories::event::conversation(
            "Putin tells army to press on with campaign to take southern Ukrainian region",
            list
        ));
        let attack = (
            9,
            1,
            1_767_023_226, // 2025-12-29T15:47:06Z
            "Russia says Ukraine tried to attack Putin's residence so Moscow's negotiating stance will change",
        );
        let mut earlier = call.to_vec();
        earlier.push(attack);
        let at = 1_767_027_112; // 16:51:52Z
        assert_eq!(join(told, 1, at, &earlier), None);
        earlier.push((11, 1, at, told));
        let reaction = "Trump’s reaction to attack on Putin’s residence and contacts with Kiev: Putin-Trump call";
        let j = join_rare(0.0, reaction, 2, 1_767_041_553, &earlier).expect("the second call's");
        assert_eq!(j.story_id, 11);
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
