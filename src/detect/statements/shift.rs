//! Position shifts (statements stage): a speaker's stance on an issue that
//! moves away from the stance the speaker held on it recently.
//!
//! The rule, for a new statement with a stance (not a bare `statement`):
//! 1. a statement on where talks are held (a venue, hosting) or on a
//!    meeting on a given day is schedule news, never a shift;
//! 2. take the same speaker's earlier statements on the same issue from the
//!    last [`POSITION_WINDOW_DAYS`] days that have a stance of the same kind:
//!    verdicts (hopeful, doubtful) are compared with verdicts, demands
//!    with demands, positions (readiness, refusal, a condition, …) with
//!    positions — a demand ("X must …") is mostly a call on the other side,
//!    and moving between it and the speaker's own readiness or refusal is
//!    not a move of the speaker's position. Positions and demands on `talks`
//!    are compared within one aspect (when, format, …: `Aspect`): "not in
//!    public" does not move "ready to talk"; a stance on whether to talk at
//!    all is compared with any but a venue; verdicts on the talks'
//!    prospects are compared across aspects. On the terms of a settlement
//!    (territory, guarantees, a truce, sanctions), when the issue has no
//!    such statement of the new stance's own kind, demands and positions
//!    are compared with each other: a first demand after a concession
//!    ("no chance of joining NATO", then "seeks 30-50 years of
//!    guarantees") moves the position;
//! 3. none at all to compare with: the first statement on an issue is not a
//!    shift, nor one with no recent stance to compare with;
//! 4. such a statement earlier the same day: this one is part of that day's
//!    burst, not a shift — the first item of a burst carries the change,
//!    even when the day's later items put it another way. Only when the
//!    day's statements are all there is to compare with (nothing before
//!    that day) is a later one compared with them: a readiness in the
//!    morning, a condition in the evening is a move; a second item in the
//!    same direction is still a follow-up;
//! 5. a shift when the new stance's direction (open, closed, conditional,
//!    demanding: `Stance::direction`) differs from the directions of the
//!    last [`POSITION_MEMORY`] statements compared — restating a position
//!    held a few statements ago is not a move — or when the statement says
//!    itself that it moved ([`position_shift_announced`]: "will toughen its
//!    stance", "from a worse position").
//!
//! The shift names the statement it replaces (the latest of those), so the
//! two can be shown side by side with their dates.

use chrono::{DateTime, Duration, Utc};

use super::position::{Aspect, Issue, Position, Stance};

/// Earlier statements older than this are not compared: a stance from two
/// months ago is history, not the position a new statement moves from.
pub const POSITION_WINDOW_DAYS: i64 = 45;

/// A new stance must differ from this many of the latest positioned
/// statements on the issue.
pub const POSITION_MEMORY: usize = 1;

/// A statement of a speaker, as the rule needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct PastStance {
    pub issue: Issue,
    pub aspect: Aspect,
    pub stance: Stance,
    pub at: DateTime<Utc>,
}

/// The decision the commit stage makes for a statement read at `at`:
/// whether its position (`position`) shifts the speaker's, given the
/// speaker's earlier statements. A restated stance ("continues to",
/// "remains") never does; one that says it moved ("toughen") is judged by
/// [`position_shift_announced`]. Returns the index in `earlier` of the
/// statement it replaces.
pub fn statement_shift(pos: &Position, at: DateTime<Utc>, earlier: &[PastStance]) -> Option<usize> {
    if pos.restated {
        return None;
    }
    let new = PastStance {
        issue: pos.issue,
        aspect: pos.aspect,
        stance: pos.stance,
        at,
    };
    position_shift_announced(&new, earlier, pos.changed)
}

/// Whether a new statement (`new`) shifts the speaker's position, given
/// the speaker's earlier statements (any order, any issue). Returns the
/// index in `earlier` of the statement whose stance it replaces.
pub fn position_shift(new: &PastStance, earlier: &[PastStance]) -> Option<usize> {
    position_shift_announced(new, earlier, false)
}

/// [`position_shift`] for a statement that may say itself that the
/// position moved (`Position::changed`: "will toughen its stance", "will
/// have to return … from a worse position"): when `announced`, a stance in
/// the direction of the last ones is a move too (a hardening of a refusal);
/// the window, the kinds and aspects compared and the day's burst still
/// apply, and with nothing to compare with it is no shift.
pub fn position_shift_announced(
    new: &PastStance,
    earlier: &[PastStance],
    announced: bool,
) -> Option<usize> {
    let dir = new.stance.direction()?;
    if matches!(new.aspect, Aspect::Where | Aspect::Date) {
        return None;
    }
    let since = new.at - Duration::days(POSITION_WINDOW_DAYS);
    let comparable = |k: u8| -> Vec<(usize, &PastStance)> {
        earlier
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.issue == new.issue
                    && e.at <= new.at
                    && e.at >= since
                    && e.stance.direction().is_some()
                    && kind(e.stance) == k
                    && (k == VERDICT || same_aspect(new.aspect, e.aspect))
            })
            .collect()
    };
    let mut compared = comparable(kind(new.stance));
    // On the terms of a settlement, a first demand after a concession, or
    // a concession after a demand: the other kind is the reference point.
    if compared.is_empty() && kind(new.stance) != VERDICT && is_term(new.issue) {
        compared = comparable(if kind(new.stance) == DEMAND {
            POSITION
        } else {
            DEMAND
        });
    }
    compared.sort_by_key(|(i, e)| (e.at, *i));
    let (latest_i, _) = *compared.last()?;
    let day = new.at.date_naive();
    let (today, before): (Vec<_>, Vec<_>) =
        compared.iter().partition(|(_, e)| e.at.date_naive() == day);
    // A position held before the day: the day's first item carries the change.
    if !today.is_empty() && !before.is_empty() {
        return None;
    }
    if today.iter().any(|(_, e)| e.stance.direction() == Some(dir)) {
        return None;
    }
    let moved = announced
        || compared
            .iter()
            .rev()
            .take(POSITION_MEMORY)
            .all(|(_, e)| e.stance.direction() != Some(dir));
    moved.then_some(latest_i)
}

/// The issues on which a side gives or asks something of substance
/// (territory, security guarantees, a truce, sanctions): there a demand
/// and a concession are two ends of one position. On talks and a plan a
/// demand is mostly a call on the other side to act ("must understand",
/// "needs further analysis"), not the speaker's terms.
fn is_term(issue: Issue) -> bool {
    matches!(
        issue,
        Issue::Territory | Issue::Guarantees | Issue::Ceasefire | Issue::Sanctions
    )
}

const VERDICT: u8 = 0;
const DEMAND: u8 = 1;
const POSITION: u8 = 2;

/// Whether a stance on aspect `new` is compared with one on `old`: within
/// an aspect, and a stance on whether to talk at all with any earlier one
/// but a venue ("no talks until …" moves "ready for the round next week").
fn same_aspect(new: Aspect, old: Aspect) -> bool {
    new == old || (new == Aspect::Whether && old != Aspect::Where)
}

/// The kinds of stance compared with each other: verdicts (on progress, on
/// the other side), demands, and positions (readiness, a condition, …).
fn kind(s: Stance) -> u8 {
    match s {
        Stance::Hopeful | Stance::Doubtful => VERDICT,
        Stance::Demand => DEMAND,
        _ => POSITION,
    }
}
