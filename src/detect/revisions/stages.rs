//! Stages of a process (module docs, "Cues"): a law is voted on, passed,
//! enacted; a suspect is charged, convicted, sentenced; a ship arrives and
//! its passengers disembark; a candidate is elected (becomes the new
//! holder of the post). A headline that
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
    // The latest stage added of each process, found in one pass (a
    // hostile text may repeat a stage word a million times).
    let mut latest: Vec<Option<(usize, &str)>> = vec![None; STAGES.len()];
    for a in &change.added {
        if let Some((p, j)) = stage(&a.text)
            && latest[p].is_none_or(|(k, _)| j > k)
        {
            latest[p] = Some((j, a.text.as_str()));
        }
    }
    change.removed.iter().find_map(|r| {
        let (p, i) = stage(&r.text)?;
        latest[p]
            .filter(|(j, _)| *j > i)
            .map(|(_, to)| (r.text.as_str(), to))
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
    // A journey's end: a ship or plane arrives, then its people leave it.
    &[
        &["arrives", "arrived", "docks", "docked"],
        &["disembark", "disembarks", "disembarking", "disembarked"],
    ],
    // An election: a candidate for a post, then its holder ("кандидат на
    // пост мэра" → "новый мэр").
    &[
        &["candidate", "nominee", "кандидат", "кандидатка", "претендент"],
        &[
            "elected", "new", "избран", "избрана", "новый", "новая", "обраний", "обрана",
            "новий", "нова",
        ],
    ],
];
