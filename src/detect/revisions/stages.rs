//! Stages of a process (module docs, "Cues"): a law is voted on, passed,
//! enacted; a suspect is charged, convicted, sentenced. A headline that
//! moves to a later stage tells an outcome even when the old one told
//! another.

use super::content::ContentChange;
use crate::text::fold;

/// A step to a later stage of one process: a word of an earlier stage
/// gone and one of a later stage come ("pass" → "enacts", "charged" →
/// "sentenced").
pub(super) fn next_stage(change: &ContentChange) -> Option<(&str, &str)> {
    let stage = |w: &str| {
        let w = fold(w);
        STAGES.iter().enumerate().find_map(|(p, steps)| {
            steps
                .iter()
                .position(|step| step.contains(&w.as_str()))
                .map(|i| (p, i))
        })
    };
    change.removed.iter().find_map(|r| {
        let (p, i) = stage(&r.text)?;
        change
            .added
            .iter()
            .find(|a| stage(&a.text).is_some_and(|(q, j)| q == p && j > i))
            .map(|a| (r.text.as_str(), a.text.as_str()))
    })
}

/// Processes and their stages in order.
#[rustfmt::skip]
const STAGES: &[&[&[&str]]] = &[
    // A law.
    &[
        &["vote", "votes", "debate", "debates", "consider", "considers", "weigh", "weighs"],
        &["pass", "passes", "passed", "approve", "approves", "approved", "adopt", "adopts"],
        &["enact", "enacts", "enacted", "sign", "signs", "signed"],
    ],
    // A prosecution.
    &[
        &["suspected", "suspect", "accused", "arrested", "detained"],
        &["charged", "charges", "indicted"],
        &["convicted", "guilty"],
        &["sentenced", "jailed", "imprisoned"],
    ],
];
