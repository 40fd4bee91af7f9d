//! Positions (statements stage): the negotiating issue a statement is
//! about and the stance it takes, from the issue terms and stance cues of
//! `detect::lexicon::positions`. Pure and deterministic; any text gives a
//! position (`other` / `statement` when nothing fits).

use crate::detect::lexicon::negation::NEGATORS;
use crate::detect::lexicon::positions::{
    CHANGE_CUES, CONCESSION_CUES, ISSUE_TERMS, RESTATEMENT_CUES, STANCE_CUES, TALKS_ASPECTS,
    TALKS_CAP, VIEW_WORDS,
};
use crate::text::{fold, words};

use super::cues::{Starts, find_cue};

/// The issue of a statement (STATEMENTS.md in the corpus labels).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Issue {
    Talks,
    Ceasefire,
    Territory,
    Guarantees,
    Sanctions,
    Elections,
    Plan,
    Humanitarian,
    Other,
}

impl Issue {
    pub const ALL: [Issue; 9] = [
        Issue::Talks,
        Issue::Ceasefire,
        Issue::Territory,
        Issue::Guarantees,
        Issue::Sanctions,
        Issue::Elections,
        Issue::Plan,
        Issue::Humanitarian,
        Issue::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Issue::Talks => "talks",
            Issue::Ceasefire => "ceasefire",
            Issue::Territory => "territory",
            Issue::Guarantees => "guarantees",
            Issue::Sanctions => "sanctions",
            Issue::Elections => "elections",
            Issue::Plan => "plan",
            Issue::Humanitarian => "humanitarian",
            Issue::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Issue> {
        Issue::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

/// What a statement claims. `Statement` has no stance cue (a fact, a
/// schedule, a description): it is stored but never compared for shifts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stance {
    Readiness,
    Refusal,
    Condition,
    Demand,
    Offer,
    Acceptance,
    Rejection,
    /// A verdict on the other side's good faith or on progress: hopeful.
    Hopeful,
    /// The same, doubtful.
    Doubtful,
    Statement,
}

impl Stance {
    pub const ALL: [Stance; 10] = [
        Stance::Readiness,
        Stance::Refusal,
        Stance::Condition,
        Stance::Demand,
        Stance::Offer,
        Stance::Acceptance,
        Stance::Rejection,
        Stance::Hopeful,
        Stance::Doubtful,
        Stance::Statement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stance::Readiness => "readiness",
            Stance::Refusal => "refusal",
            Stance::Condition => "condition",
            Stance::Demand => "demand",
            Stance::Offer => "offer",
            Stance::Acceptance => "acceptance",
            Stance::Rejection => "rejection",
            Stance::Hopeful => "hopeful",
            Stance::Doubtful => "doubtful",
            Stance::Statement => "statement",
        }
    }

    pub fn parse(s: &str) -> Option<Stance> {
        Stance::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The direction of a position, for comparing two stances: open
    /// (readiness, offer, acceptance, hopeful), closed (refusal, rejection,
    /// doubtful), conditional, demanding; `None` for a bare statement.
    pub fn direction(self) -> Option<Direction> {
        Some(match self {
            Stance::Readiness | Stance::Offer | Stance::Acceptance | Stance::Hopeful => {
                Direction::Open
            }
            Stance::Refusal | Stance::Rejection | Stance::Doubtful => Direction::Closed,
            Stance::Condition => Direction::Conditional,
            Stance::Demand => Direction::Demanding,
            Stance::Statement => return None,
        })
    }
}

/// What a `talks` statement is about (`Whether` for every other issue):
/// stances are compared within one aspect, so a venue offer does not
/// "move" a refusal of talks in public, nor a date a readiness to talk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Aspect {
    /// Whether to talk, with whom, the talks' prospects: the rest.
    Whether,
    /// Timing and urgency.
    When,
    /// A venue, hosting.
    Where,
    /// The format: public or not, working groups, direct or mediated.
    Format,
    /// A meeting on a given day: schedule news.
    Date,
}

impl Aspect {
    pub fn as_str(self) -> &'static str {
        match self {
            Aspect::Whether => "whether",
            Aspect::When => "when",
            Aspect::Where => "where",
            Aspect::Format => "format",
            Aspect::Date => "date",
        }
    }
}

/// The aspect of a statement on `issue` from its words (the quote or the
/// headline without its attribution): the first of
/// `lexicon::positions::TALKS_ASPECTS` with a cue, for `talks` only.
pub fn aspect(issue: Issue, text: &str) -> Aspect {
    if issue != Issue::Talks {
        return Aspect::Whether;
    }
    aspect_of(&keys(text))
}

/// [`aspect`] of a `talks` statement's [`keys`].
fn aspect_of(ws: &[String]) -> Aspect {
    let starts = Starts::of(ws);
    for (name, cues) in TALKS_ASPECTS {
        if cues.iter().any(|c| starts.find(ws, c).is_some()) {
            return match *name {
                "when" => Aspect::When,
                "where" => Aspect::Where,
                "format" => Aspect::Format,
                "date" => Aspect::Date,
                _ => Aspect::Whether,
            };
        }
    }
    Aspect::Whether
}

/// See [`Stance::direction`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Open,
    Closed,
    Conditional,
    Demanding,
}

/// A statement's issue and stance, with the words that decided them.
#[derive(Clone, Debug, PartialEq)]
pub struct Position {
    pub issue: Issue,
    /// What of the issue it is about ([`aspect`]).
    pub aspect: Aspect,
    pub stance: Stance,
    /// The issue term that decided the issue ("summit", "sanctions"), or
    /// empty: what the stance is about.
    pub object: String,
    /// The stance cue found ("only after", "ready"), or empty.
    pub cue: String,
    /// A restatement cue ("continues to", "remains") is there: the stance
    /// is a known one repeated, never a shift.
    pub restated: bool,
    /// A change cue ("toughen", "from a worse position") is there: the
    /// statement says the position moved (`position_shift_announced`).
    pub changed: bool,
}

/// Folded words with apostrophes dropped ("army's" → "armys" is not
/// wanted: the possessive 's is cut), for prefix matching.
pub(super) fn keys(text: &str) -> Vec<String> {
    words(text)
        .map(|(_, w)| {
            let f = fold(w);
            let f = f.strip_suffix("'s").unwrap_or(&f).to_string();
            f.replace('’', "'")
        })
        .collect()
}

/// The issue and stance of a statement: the issue from its words (`text`:
/// the quote, or the headline without its attribution, so that "— US envoy
/// to NATO" does not make it about NATO), else from `context` (the sentence
/// or headline it came from); the stance from `context`, where the verb and
/// its negation are ("Kremlin won't …").
pub fn position(text: &str, context: &str) -> Position {
    let text_keys = keys(text);
    let context_keys = keys(context);
    let (issue, object) = match issue_of(&text_keys) {
        (Issue::Other, _) => issue_of(&context_keys),
        found => found,
    };
    let owners = possessives(context);
    let (mut stance, mut cue) = stance_of(&context_keys, &owners);
    // "agrees with X's assessment that peace is closer": the view agreed
    // with is the statement's verdict.
    if stance == Stance::Acceptance
        && let Some(v) = agreed_view(&context_keys, &cue)
        && let (s @ (Stance::Hopeful | Stance::Doubtful), c) =
            stance_of(&context_keys[v..], owners.get(v..).unwrap_or(&[]))
    {
        (stance, cue) = (s, c);
    }
    let starts = Starts::of(&context_keys);
    let has = |cues: &[&str]| cues.iter().any(|c| starts.find(&context_keys, c).is_some());
    let restated = has(RESTATEMENT_CUES);
    let changed = has(CHANGE_CUES);
    Position {
        restated,
        changed,
        issue,
        aspect: if issue == Issue::Talks {
            aspect_of(&text_keys)
        } else {
            Aspect::Whether
        },
        stance,
        object,
        cue,
    }
}

/// Where the view a speaker agrees with begins: the word after a
/// [`VIEW_WORDS`] word within a few words of the acceptance cue `cue`
/// ("agrees with Trump's assessment that …").
fn agreed_view(ws: &[String], cue: &str) -> Option<usize> {
    let at = find_cue(ws, cue)?;
    (at + 1..ws.len().min(at + 5))
        .find(|&i| VIEW_WORDS.iter().any(|v| ws[i].starts_with(v)))
        .map(|i| i + 1)
}

/// The issue of a statement's words and the term that decided it.
fn issue_of(ws: &[String]) -> (Issue, String) {
    // The words of a phrase term ("security agreement") belong to its issue:
    // its last word does not count again for another ("agreement": plan).
    let mut phrase_of: Vec<Option<&str>> = vec![None; ws.len()];
    // A term can only be found where a word starts as it does: the others
    // (most of the ~200) are not looked for.
    let starts = Starts::of(ws);
    let find = |term: &str| starts.find(ws, term);
    for (name, terms) in ISSUE_TERMS {
        for (term, _) in *terms {
            if term.contains(' ')
                && let Some(at) = find(term)
            {
                let n = term.split(' ').count();
                for slot in &mut phrase_of[at..at + n] {
                    slot.get_or_insert(name);
                }
            }
        }
    }
    // Issue: highest weighted sum of terms; earlier issue on a tie.
    let mut best: Option<(u32, Issue, &str)> = None;
    for (name, terms) in ISSUE_TERMS {
        let Some(issue) = Issue::parse(name) else {
            continue;
        };
        let mut score = 0u32;
        let mut first: Option<(usize, &str)> = None;
        for (term, weight) in *terms {
            let found = find(term).filter(|&at| {
                term.contains(' ') || phrase_of[at].is_none_or(|owner| owner == *name)
            });
            if let Some(at) = found {
                score += u32::from(*weight);
                if first.is_none_or(|(a, _)| at < a) {
                    first = Some((at, term));
                }
            }
        }
        if issue == Issue::Talks {
            score = score.min(TALKS_CAP);
        }
        if score > 0 && best.is_none_or(|(s, _, _)| score > s) {
            best = Some((score, issue, first.map_or("", |(_, t)| t)));
        }
    }
    match best {
        Some((_, issue, term)) => (issue, term.trim_end_matches('$').to_string()),
        None => (Issue::Other, String::new()),
    }
}

/// Which words of `text` (as `keys` numbers them) are possessives
/// ("Kiev's", "allies’"): the owner of what follows.
fn possessives(text: &str) -> Vec<bool> {
    words(text)
        .map(|(_, w)| {
            let f = fold(w).replace('’', "'");
            f.ends_with("'s") || f.ends_with("s'")
        })
        .collect()
}

/// Whether the stance cue at word `at` describes another party rather than
/// the speaker: it follows a possessive ("the other side's reluctance", "their
/// partners' unwillingness", a word or two before it) or a subordinate
/// clause ("… since the other side stopped talks"). Such a stance is a
/// verdict on the other side.
fn about_others(ws: &[String], owners: &[bool], at: usize) -> bool {
    owners
        .iter()
        .take(at)
        .skip(at.saturating_sub(OWNER_REACH))
        .any(|&o| o)
        || ws
            .iter()
            .take(at)
            .any(|w| CLAUSE_OPENERS.contains(&w.as_str()))
}

/// How near before a stance cue a possessive owns it ("the regime's army
/// not ready"): further away it belongs to an object ("… for the other
/// side's plan if …").
const OWNER_REACH: usize = 2;

/// Words that open a clause describing circumstances, not the speaker's
/// own position.
pub(super) const CLAUSE_OPENERS: &[&str] = &[
    "amid",
    "since",
    "because",
    "as",
    "while",
    "despite",
    "whereas",
    "пока",
    "поскольку",
    "оскільки",
];

/// The stance of a statement's words and the cue that decided it.
fn stance_of(ws: &[String], owners: &[bool]) -> (Stance, String) {
    // Stance: the first kind with a cue; a negator before a hopeful verdict
    // or a readiness makes it doubtful or a refusal.
    let negated = ws
        .iter()
        .any(|w| NEGATORS.contains(&w.as_str()) || w.ends_with("n't"));
    let starts = Starts::of(ws);
    let find_cue = |c: &str| starts.find(ws, c);
    let mut stance = Stance::Statement;
    let mut cue = String::new();
    for (name, cues) in STANCE_CUES {
        // "the willing", "coalition of willing": a noun, nobody's readiness.
        let used = |c: &&&str| {
            find_cue(c).is_some_and(|at| {
                *name != "readiness" || at == 0 || !matches!(ws[at - 1].as_str(), "the" | "of")
            })
        };
        if let Some(c) = cues.iter().find(used) {
            cue = c.trim_end_matches('$').to_string();
            stance = match *name {
                "verdict" => {
                    if negated || DOUBT.iter().any(|d| find_cue(d).is_some()) {
                        Stance::Doubtful
                    } else {
                        Stance::Hopeful
                    }
                }
                "readiness" if negated => Stance::Refusal,
                "acceptance" if negated => Stance::Rejection,
                "rejection" | "refusal" if negated_refusal(ws) => Stance::Readiness,
                // "rejects suggestions that …", "dismisses reports": a claim
                // denied, not a proposal refused.
                "rejection" | "refusal" if denies_a_claim(ws, c) => Stance::Statement,
                other => Stance::parse(other).unwrap_or(Stance::Statement),
            };
            let at = find_cue(c).unwrap_or(0);
            // "Those who say Putin rejected …": a claim the speaker reports
            // (and mostly denies), not the speaker's stance.
            if reported_claim(ws, at) {
                stance = Stance::Statement;
            }
            if stance != Stance::Condition && about_others(ws, owners, at) {
                stance = match stance.direction() {
                    Some(Direction::Open) => Stance::Hopeful,
                    Some(_) => Stance::Doubtful,
                    None => stance,
                };
            }
            break;
        }
    }
    // "ready for talks with Russia after meetings with allies": a readiness
    // held back until something happens is a condition ("not before").
    if stance == Stance::Readiness
        && let Some(at) = find_cue(&cue)
        && ws[at..].iter().any(|w| AFTER.contains(&w.as_str()))
    {
        stance = Stance::Condition;
    }
    if stance == Stance::Statement
        && negated
        && let Some(c) = CONCESSION_CUES.iter().find(|c| find_cue(c).is_some())
    {
        stance = Stance::Offer;
        cue = c.to_string();
    }
    (stance, cue)
}

/// Whether the cue at word `at` sits in a claim of others the statement
/// reports: after "who say", "those who claim", "кто говорит" within a few
/// words.
fn reported_claim(ws: &[String], at: usize) -> bool {
    let from = at.saturating_sub(CLAIM_REACH);
    ws[from..at]
        .windows(2)
        .any(|p| WHO.contains(&p[0].as_str()) && CLAIM_VERBS.iter().any(|v| p[1].starts_with(v)))
}

/// How far before a stance cue "who say" makes it a reported claim.
const CLAIM_REACH: usize = 5;

/// "After", for a readiness held back until something happens.
pub(super) const AFTER: &[&str] = &["after", "после", "після"];

/// Relative pronouns opening a claimant ("those who say").
pub(super) const WHO: &[&str] = &["who", "кто", "хто"];

/// Verbs of claiming after [`WHO`], as prefixes.
pub(super) const CLAIM_VERBS: &[&str] = &[
    "say",
    "said",
    "claim",
    "insist",
    "argu",
    "believ",
    "think",
    "assert",
    "allege",
    "говор",
    "утвержда",
    "счита",
    "каж",
    "стверджу",
    "вважа",
];

/// A refusal denied ("never refused talks", "did not reject", "not
/// against"): the speaker says it is open.
fn negated_refusal(ws: &[String]) -> bool {
    ws.windows(2).any(|p| {
        let negator = NEGATORS.contains(&p[0].as_str()) || p[0].ends_with("n't");
        negator && REFUSALS.iter().any(|r| p[1].starts_with(r))
    })
}

/// A rejection cue `cue` whose object is a claim ("rejects suggestions",
/// "won't comment"): the speaker denies what was said or declines to say,
/// a statement of fact.
fn denies_a_claim(ws: &[String], cue: &str) -> bool {
    let Some(at) = find_cue(ws, cue) else {
        return false;
    };
    let after = at + cue.split(' ').count();
    ws.iter()
        .skip(after)
        .take(2)
        .any(|w| CLAIMS.iter().any(|c| w.starts_with(c)))
}

/// What a denial denies, for [`denies_a_claim`]: a claim, or a comment
/// ("never comments on …", "won't comment").
pub(super) const CLAIMS: &[&str] = &[
    "comment",
    "коммент",
    "комент",
    "suggestion",
    "claim",
    "report",
    "allegation",
    "rumo",
    "speculation",
    "accusation",
    "assertion",
    "сообщени",
    "утверждени",
    "слух",
    "обвинени",
    "домысл",
    "заяв",
    "повідомленн",
    "твердженн",
    "чутк",
    "звинуваченн",
];

/// Words of refusing, for [`negated_refusal`].
pub(super) const REFUSALS: &[&str] = &[
    "refus",
    "reject",
    "oppos",
    "against",
    "отказ",
    "отверг",
    "против",
    "відмов",
    "відкин",
    "проти",
];

/// Verdict cues that are doubtful by themselves (no negator needed).
pub(super) const DOUBT: &[&str] = &[
    "blocked",
    "stalled",
    "stalemate",
    "deadlock",
    "sabotag",
    "obstruct",
    "bad faith",
    "тупик",
    "саботир",
    "глухий кут",
];
