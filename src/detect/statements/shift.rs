//! Position shifts (statements stage): a speaker's stance on an issue that
//! moves away from the stance the speaker held on it recently.
//!
//! The rule, for a new statement with a stance (not a bare `statement`):
//! 1. take the same speaker's earlier statements on the same issue from the
//!    last [`POSITION_WINDOW_DAYS`] days that have a stance of the same kind:
//!    verdicts (hopeful, doubtful) are compared with verdicts, demands
//!    with demands, positions (readiness, refusal, a condition, …) with
//!    positions — a demand ("X must …") is mostly a call on the other side,
//!    and moving between it and the speaker's own readiness or refusal is
//!    not a move of the speaker's position;
//! 2. none at all on the issue, ever (in what the caller passes): the first
//!    statement on an issue is not a shift, nor one with no recent stance
//!    to compare with;
//! 3. a positioned statement on the issue earlier the same day with the
//!    same direction: this one is a follow-up of that day's burst, not a
//!    shift (the first item of a burst carries the change);
//! 4. a shift when the new stance's direction (open, closed, conditional,
//!    demanding: `Stance::direction`) differs from the directions of the
//!    last [`POSITION_MEMORY`] positioned statements — restating a position
//!    held a few statements ago is not a move.
//!
//! The shift names the statement it replaces (the latest of those), so the
//! two can be shown side by side with their dates.

use chrono::{DateTime, Duration, Utc};

use super::position::{Issue, Stance};

/// Earlier statements older than this are not compared: a stance from two
/// months ago is history, not the position a new statement moves from.
pub const POSITION_WINDOW_DAYS: i64 = 45;

/// A new stance must differ from this many of the latest positioned
/// statements on the issue.
pub const POSITION_MEMORY: usize = 1;

/// An earlier statement of the same speaker, as the rule needs it.
#[derive(Clone, Debug, PartialEq)]
pub struct PastStance {
    pub issue: Issue,
    pub stance: Stance,
    pub at: DateTime<Utc>,
}

/// Whether a new statement (`issue`, `stance`, said `at`) shifts the
/// speaker's position, given the speaker's earlier statements (any order,
/// any issue). Returns the index in `earlier` of the statement whose stance
/// it replaces.
pub fn position_shift(
    issue: Issue,
    stance: Stance,
    at: DateTime<Utc>,
    earlier: &[PastStance],
) -> Option<usize> {
    let dir = stance.direction()?;
    let mut same: Vec<(usize, &PastStance)> = earlier
        .iter()
        .enumerate()
        .filter(|(_, e)| e.issue == issue && e.at <= at)
        .collect();
    if same.is_empty() {
        return None;
    }
    same.sort_by_key(|(i, e)| (e.at, *i));
    let since = at - Duration::days(POSITION_WINDOW_DAYS);
    let positioned: Vec<(usize, &PastStance)> = same
        .into_iter()
        .filter(|(_, e)| {
            e.at >= since && e.stance.direction().is_some() && kind(e.stance) == kind(stance)
        })
        .collect();
    let (latest_i, _) = *positioned.last()?;
    let same_day_follow_up = positioned
        .iter()
        .any(|(_, e)| e.at.date_naive() == at.date_naive() && e.stance.direction() == Some(dir));
    if same_day_follow_up {
        return None;
    }
    let moved = positioned
        .iter()
        .rev()
        .take(POSITION_MEMORY)
        .all(|(_, e)| e.stance.direction() != Some(dir));
    moved.then_some(latest_i)
}

/// The kinds of stance compared with each other: verdicts (on progress, on
/// the other side), demands, and positions (readiness, a condition, …).
fn kind(s: Stance) -> u8 {
    match s {
        Stance::Hopeful | Stance::Doubtful => 0,
        Stance::Demand => 1,
        _ => 2,
    }
}
