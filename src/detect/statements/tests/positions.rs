//! Tests of positions (issue and stance) and of the position-shift rule,
//! on sentences written for them.

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::detect::statements::{
    Aspect, Issue, PastStance, Stance, aspect, position, position_shift, position_shift_announced,
};

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
    // A phrase term's words count for its issue only: "security
    // agreements" is not also a plan's "agreement".
    assert_eq!(
        pos("Russia willing to consider all proposals on security agreements").0,
        Issue::Guarantees
    );
    assert_eq!(pos("The agreement needs more work").0, Issue::Plan);
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
        // A readiness held back until something happens is a condition.
        (
            "Kiev will be ready for talks with Russia after meetings with allies",
            Stance::Condition,
        ),
        (
            "Россия готова к переговорам после выборов",
            Stance::Condition,
        ),
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
    PastStance {
        issue,
        aspect: Aspect::Whether,
        stance,
        at,
    }
}

/// `position_shift` for a statement on whether to talk.
fn shift(issue: Issue, stance: Stance, at: DateTime<Utc>, earlier: &[PastStance]) -> Option<usize> {
    position_shift(&past(issue, stance, at), earlier)
}

#[test]
fn a_shift_is_a_new_direction_on_the_same_issue() {
    let ready = past(Issue::Talks, Stance::Readiness, day(0));
    // Readiness, then a refusal two days later: a shift, replacing it.
    assert_eq!(
        shift(
            Issue::Talks,
            Stance::Refusal,
            day(2),
            std::slice::from_ref(&ready)
        ),
        Some(0)
    );
    // The same direction again: a restatement.
    assert_eq!(
        shift(
            Issue::Talks,
            Stance::Offer,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    // Another issue: not compared; the first statement on an issue is no shift.
    assert_eq!(
        shift(
            Issue::Ceasefire,
            Stance::Refusal,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    assert_eq!(shift(Issue::Talks, Stance::Refusal, day(2), &[]), None);
    // A demand on the other side is not compared with the speaker's own
    // readiness; the speaker's readiness after a refusal still is.
    let demand = past(Issue::Talks, Stance::Demand, day(1));
    assert_eq!(
        shift(
            Issue::Talks,
            Stance::Demand,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    let refused = past(Issue::Talks, Stance::Refusal, day(0));
    assert_eq!(
        shift(Issue::Talks, Stance::Readiness, day(2), &[refused, demand]),
        Some(0)
    );
    // A bare statement has no stance to move.
    assert_eq!(
        shift(
            Issue::Talks,
            Stance::Statement,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    // Outside the window there is nothing recent to move from.
    assert_eq!(
        shift(
            Issue::Talks,
            Stance::Refusal,
            day(60),
            std::slice::from_ref(&ready)
        ),
        None
    );
    // A verdict is compared with verdicts only.
    assert_eq!(
        shift(
            Issue::Talks,
            Stance::Doubtful,
            day(2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    let hopeful = past(Issue::Talks, Stance::Hopeful, day(1));
    assert_eq!(
        shift(Issue::Talks, Stance::Doubtful, day(2), &[ready, hopeful]),
        Some(1)
    );
}

#[test]
fn on_settlement_terms_a_demand_and_a_concession_are_compared() {
    // "No chance of joining NATO", then "Kiev seeks 30-50 years of
    // guarantees": a new demand on the issue moves the position.
    let conceded = past(Issue::Guarantees, Stance::Rejection, day(0));
    assert_eq!(
        shift(
            Issue::Guarantees,
            Stance::Demand,
            day(20),
            std::slice::from_ref(&conceded)
        ),
        Some(0)
    );
    // "The plan requires discussion of the territorial issue", then
    // "admits Ukraine cannot take Crimea back": a concession after a demand.
    let asked = past(Issue::Territory, Stance::Demand, day(0));
    assert_eq!(
        shift(
            Issue::Territory,
            Stance::Offer,
            day(1),
            std::slice::from_ref(&asked)
        ),
        Some(0)
    );
    // Only when the issue has no stance of the new one's own kind: a demand
    // after a demand and a concession is compared with the demand.
    let demanded = past(Issue::Guarantees, Stance::Demand, day(5));
    assert_eq!(
        shift(
            Issue::Guarantees,
            Stance::Demand,
            day(20),
            &[conceded, demanded]
        ),
        None
    );
    // On talks and a plan a demand is a call on the other side ("needs
    // further analysis"), not compared with the speaker's own stances.
    let accepted = past(Issue::Plan, Stance::Acceptance, day(0));
    assert_eq!(
        shift(
            Issue::Plan,
            Stance::Demand,
            day(1),
            std::slice::from_ref(&accepted)
        ),
        None
    );
}

#[test]
fn a_position_that_says_it_moved_is_a_shift() {
    let p = position(
        "Ukraine will have to return to negotiations but from worse position",
        "Ukraine will have to return to negotiations but from worse position — Kremlin",
    );
    assert!(p.changed);
    assert!(position("stance", "Kremlin says will 'toughen' negotiating stance").changed);
    assert!(!position("talks", "Ukraine will have to return to negotiations").changed);
    // "Focus should be on settlement work", then "will have to return …
    // from a worse position": a hardening in the same direction, a move.
    let demanded = past(Issue::Talks, Stance::Demand, day(0));
    let now = past(Issue::Talks, p.stance, day(11));
    let earlier = std::slice::from_ref(&demanded);
    assert_eq!(position_shift(&now, earlier), None);
    assert_eq!(position_shift_announced(&now, earlier, true), Some(0));
    // Still nothing to move from without an earlier stance.
    assert_eq!(position_shift_announced(&now, &[], true), None);
}

#[test]
fn an_agreed_view_is_a_verdict() {
    let p = position(
        "peace in Ukraine is much closer",
        "Kremlin agrees with Trump's assessment that peace in Ukraine is much closer",
    );
    assert_eq!((p.issue, p.stance), (Issue::Talks, Stance::Hopeful));
    assert_eq!(
        position("plan", "Kremlin agrees with the proposal").stance,
        Stance::Acceptance
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
        shift(Issue::Talks, Stance::Rejection, later, &earlier),
        None
    );
    // So is another way of putting it later that day ("won't hold talks in
    // public", then "fully open to talks"): the first item carries the day.
    assert_eq!(
        shift(Issue::Talks, Stance::Readiness, later, &earlier),
        None
    );
    // With nothing before the day, the day's first statement is what a
    // later one moves from.
    let morning = [past(Issue::Talks, Stance::Readiness, day(3))];
    assert_eq!(
        shift(Issue::Talks, Stance::Condition, later, &morning),
        Some(0)
    );
    assert_eq!(shift(Issue::Talks, Stance::Offer, later, &morning), None);
    // The next day a reversal is a move again.
    assert_eq!(
        shift(Issue::Talks, Stance::Readiness, day(4), &earlier),
        Some(1)
    );
}

#[test]
fn a_denied_claim_is_no_rejection() {
    let stance = |s: &str| position(s, s).stance;
    assert_eq!(
        stance("Trump rejects suggestions Russia not serious about peace"),
        Stance::Statement
    );
    assert_eq!(
        stance("Kremlin dismisses reports of a summit"),
        Stance::Statement
    );
    assert_eq!(stance("Kremlin rejects the plan"), Stance::Rejection);
    assert_eq!(
        stance("Aide says he never comments on conversations"),
        Stance::Statement
    );
    assert_eq!(
        stance("Kremlin won't comment on the report"),
        Stance::Statement
    );
    // Nor is "the willing" anyone's readiness.
    assert_eq!(
        stance("Coalition of the willing may deploy troops"),
        Stance::Statement
    );
    assert_eq!(
        stance("Coalition of willing may deploy troops away from front lines"),
        Stance::Statement
    );
    assert_eq!(
        stance("Russia willing to deploy observers"),
        Stance::Readiness
    );
    // Admitting what cannot be had is a concession; admitting a fact is
    // no stance, and taking something back is no backing.
    assert_eq!(
        stance("Zelensky admits that Ukraine cannot take Crimea back from Russia"),
        Stance::Offer
    );
    assert_eq!(
        stance("Trump admits settling the conflict is harder than expected"),
        Stance::Statement
    );
    assert_eq!(stance("Orban backs new US plan"), Stance::Acceptance);
    // A claim the speaker reports is not the speaker's stance.
    assert_eq!(
        stance("Those who say Putin rejected US peace plan are wrong — Kremlin spokesman"),
        Stance::Statement
    );
    assert_eq!(
        stance("Те, кто говорит, что Москва отвергла план, ошибаются"),
        Stance::Statement
    );
    assert_eq!(
        stance("Putin rejected the plan, the Kremlin says"),
        Stance::Rejection
    );
}

#[test]
fn a_restated_position_is_marked() {
    assert!(
        position(
            "talks",
            "Turkey to continue supporting peace efforts — Erdogan"
        )
        .restated
    );
    assert!(position("talks", "Russia remains open to talks — Kremlin").restated);
    assert!(position("переговоры", "Россия по-прежнему готова к переговорам").restated);
    assert!(!position("talks", "Russia now open to talks — Kremlin").restated);
    assert!(
        position(
            "dialogue",
            "Russia-US agree to maintain dialogue on Ukraine after envoy's trip — Kremlin"
        )
        .restated
    );
    // The stance stays what it is.
    assert_eq!(
        position("talks", "Russia remains open to talks").stance,
        Stance::Readiness
    );
}

#[test]
fn talks_aspects_from_their_cues() {
    let of = |s: &str| aspect(Issue::Talks, s);
    assert_eq!(
        of("Istanbul remains ready to host negotiations"),
        Aspect::Where
    );
    assert_eq!(
        of("Kremlin will not hold talks in a megaphone mode"),
        Aspect::Format
    );
    assert_eq!(
        of("Russia unwilling to discuss the settlement publicly"),
        Aspect::Format
    );
    assert_eq!(of("Putin accepts working groups"), Aspect::Format);
    assert_eq!(of("No need for an urgent meeting"), Aspect::When);
    assert_eq!(of("Interested in a meeting soon"), Aspect::When);
    assert_eq!(of("Встреча возможна скоро"), Aspect::When);
    assert_eq!(of("Ready for talks with Russia"), Aspect::Whether);
    assert_eq!(
        of("Not taking part in the talks on November 19"),
        Aspect::Date
    );
    assert_eq!(of("Ready to continue the talks next week"), Aspect::Date);
    // Another issue has no aspects.
    assert_eq!(
        aspect(Issue::Plan, "we will publicly host the plan"),
        Aspect::Whether
    );
    assert_eq!(
        position("No need for urgent talks", "").aspect,
        Aspect::When
    );
}

#[test]
fn stances_are_compared_within_an_aspect() {
    let at = |a: Aspect, stance: Stance, d: i64| PastStance {
        aspect: a,
        ..past(Issue::Talks, stance, day(d))
    };
    let ready = at(Aspect::Whether, Stance::Readiness, 0);
    // Not in public, after ready to talk: another aspect, nothing to move.
    assert_eq!(
        position_shift(
            &at(Aspect::Format, Stance::Refusal, 2),
            std::slice::from_ref(&ready)
        ),
        None
    );
    // No urgency, then a meeting soon: a move on timing.
    let no_rush = at(Aspect::When, Stance::Refusal, 1);
    assert_eq!(
        position_shift(
            &at(Aspect::When, Stance::Readiness, 5),
            &[ready.clone(), no_rush]
        ),
        Some(1)
    );
    // A venue offer is schedule news, never a shift.
    let refused_venue = at(Aspect::Where, Stance::Refusal, 1);
    assert_eq!(
        position_shift(&at(Aspect::Where, Stance::Readiness, 5), &[refused_venue]),
        None
    );
    // Whether to talk at all moves a stance on any aspect but a venue.
    let next_week = at(Aspect::Date, Stance::Readiness, 1);
    assert_eq!(
        position_shift(
            &at(Aspect::Whether, Stance::Condition, 5),
            std::slice::from_ref(&next_week)
        ),
        Some(0)
    );
    // A dated meeting is schedule news, never a shift itself.
    assert_eq!(
        position_shift(&at(Aspect::Date, Stance::Refusal, 5), &[next_week]),
        None
    );
    // Verdicts on the talks are compared across aspects.
    let hopeful = at(Aspect::When, Stance::Hopeful, 1);
    assert_eq!(
        position_shift(&at(Aspect::Whether, Stance::Doubtful, 5), &[hopeful]),
        Some(0)
    );
}
