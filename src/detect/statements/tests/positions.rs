//! Tests of positions (issue and stance) and of the position-shift rule,
//! on sentences written for them.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::detect::statements::{Issue, PastStance, Stance, position, position_shift};

fn pos(s: &str) -> (Issue, Stance) {
    let p = position(s, s);
    (p.issue, p.stance)
}

#[test]
fn issues_from_their_terms() {
    for (s, issue) in [
        ("The summit will take place next month", Issue::Talks),
        (
            "A 30-day truce on energy strikes is possible",
            Issue::Ceasefire,
        ),
        ("Crimea is not on the table", Issue::Territory),
        (
            "Foreign troops in the country are unacceptable",
            Issue::Guarantees,
        ),
        ("Sanctions relief can be part of a deal", Issue::Sanctions),
        ("Elections can be held within 90 days", Issue::Elections),
        ("The 20-point plan needs more work", Issue::Plan),
        (
            "The next prisoner swap is being prepared",
            Issue::Humanitarian,
        ),
        ("The weather was fine", Issue::Other),
        ("Переговоры о перемирии возможны", Issue::Ceasefire),
        ("Обмін полоненими відбудеться завтра", Issue::Humanitarian),
    ] {
        assert_eq!(pos(s).0, issue, "{s}");
    }
    // A specific term outweighs the general talk words.
    assert_eq!(
        pos("Talks on a meeting about talks on the Crimea question").0,
        Issue::Territory
    );
    // A meeting word outweighs a position word; settlement words do not.
    assert_eq!(
        pos("They will come back to the negotiations from a weaker position").0,
        Issue::Talks
    );
    assert_eq!(
        pos("We understand their position on the settlement").0,
        Issue::Plan
    );
    // Security questions raised at talks are about guarantees.
    assert_eq!(
        pos("Security issues were the main subject of the talks").0,
        Issue::Guarantees
    );
    assert_eq!(
        pos("Their troops would be a legitimate military target").0,
        Issue::Guarantees
    );
    // The attribution does not set the issue: the statement's words do.
    let p = position("peace is close", "Peace is close — envoy to NATO");
    assert_eq!(p.issue, Issue::Talks);
}

#[test]
fn stances_from_their_cues() {
    for (s, stance) in [
        ("We are ready to meet next week", Stance::Readiness),
        ("We are not ready to meet", Stance::Refusal),
        ("A meeting only after a full agreement", Stance::Condition),
        ("We rule out any truce", Stance::Rejection),
        ("Kyiv must withdraw first", Stance::Demand),
        ("Moscow agrees to the working groups", Stance::Acceptance),
        ("We propose a new round in May", Stance::Offer),
        ("Real progress was made at the talks", Stance::Hopeful),
        ("The talks are stalled", Stance::Doubtful),
        ("There was no progress at the talks", Stance::Doubtful),
        ("The delegation arrived on Monday", Stance::Statement),
        ("Россия готова к переговорам", Stance::Readiness),
        ("Москва не готова к переговорам", Stance::Refusal),
    ] {
        assert_eq!(pos(s).1, stance, "{s}");
    }
    // "agreement" is a plan word, not an acceptance.
    assert_ne!(pos("The agreement was discussed").1, Stance::Acceptance);
}

#[test]
fn whose_stance_it_is() {
    // A refusal denied is openness.
    assert_eq!(pos("We never refused talks").1, Stance::Readiness);
    assert_eq!(pos("We refused talks").1, Stance::Refusal);
    // The other side's refusal, or one in a clause of circumstances, is a
    // verdict on that side, not the speaker's own position.
    assert_eq!(
        pos("Talks stall over the other side's unwillingness").1,
        Stance::Doubtful
    );
    assert_eq!(
        pos("Our work goes on since they stopped the talks").1,
        Stance::Doubtful
    );
    assert_eq!(pos("Their side is ready to talk").1, Stance::Readiness);
    // A condition keeps its form whoever it names.
    assert_eq!(
        pos("We will meet only if the other side's army stops").1,
        Stance::Condition
    );
}

fn day(n: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap() + Duration::days(n)
}

fn past(issue: Issue, stance: Stance, at: DateTime<Utc>) -> PastStance {
    PastStance { issue, stance, at }
}

#[test]
fn a_shift_is_a_new_direction_on_the_same_issue() {
    let ready = past(Issue::Talks, Stance::Readiness, day(0));
    // Readiness, then a refusal two days later: a shift, replacing it.
    assert_eq!(
        position_shift(
            Issue::Talks,
            Stance::Refusal,
            day(2),
            std::slice::from_ref(&ready)
        ),
        Some(0)
    );
    // The same direction again: a restatement.
    assert_eq!(
        position_shift(
            Issue::Talks,
            Stance::Offer,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    // Another issue: not compared; the first statement on an issue is no shift.
    assert_eq!(
        position_shift(
            Issue::Ceasefire,
            Stance::Refusal,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    assert_eq!(
        position_shift(Issue::Talks, Stance::Refusal, day(2), &[]),
        None
    );
    // A demand on the other side is not compared with the speaker's own
    // readiness; the speaker's readiness after a refusal still is.
    let demand = past(Issue::Talks, Stance::Demand, day(1));
    assert_eq!(
        position_shift(
            Issue::Talks,
            Stance::Demand,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    let refused = past(Issue::Talks, Stance::Refusal, day(0));
    assert_eq!(
        position_shift(Issue::Talks, Stance::Readiness, day(2), &[refused, demand]),
        Some(0)
    );
    // A bare statement has no stance to move.
    assert_eq!(
        position_shift(
            Issue::Talks,
            Stance::Statement,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    // Outside the window there is nothing recent to move from.
    assert_eq!(
        position_shift(
            Issue::Talks,
            Stance::Refusal,
            day(60),
            std::slice::from_ref(&ready)
        ),
        None
    );
    // A verdict is compared with verdicts only.
    assert_eq!(
        position_shift(
            Issue::Talks,
            Stance::Doubtful,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    let hopeful = past(Issue::Talks, Stance::Hopeful, day(1));
    assert_eq!(
        position_shift(Issue::Talks, Stance::Doubtful, day(2), &[ready, hopeful]),
        Some(1)
    );
}

#[test]
fn a_same_day_follow_up_is_not_a_second_shift() {
    let earlier = [
        past(Issue::Talks, Stance::Readiness, day(0)),
        // The day's first refusal carried the shift …
        past(Issue::Talks, Stance::Refusal, day(3)),
    ];
    // … a second refusal the same day follows it up.
    let later = day(3) + Duration::hours(2);
    assert_eq!(
        position_shift(Issue::Talks, Stance::Rejection, later, &earlier),
        None
    );
    // A reversal later that day is a move again.
    assert_eq!(
        position_shift(Issue::Talks, Stance::Readiness, later, &earlier),
        Some(1)
    );
}
