//! Identity for feeds without stable keys (revision detection): an entry
//! with no guid and no link of its own, whose title is new, may be an edit
//! of an item that left the feed in the same fetch.

use std::collections::HashSet;

use crate::text::{fold, words};

/// Word-set Jaccard at or above which a new title is an edit of a gone one:
/// one or two words changed in a headline of eight keep about 0.6, a
/// different story on the same subject shares far fewer.
pub const SUCCESSOR_SIMILARITY: f64 = 0.6;

fn word_set(title: &str) -> HashSet<String> {
    let folded = fold(title);
    words(&folded).map(|(_, w)| w.to_owned()).collect()
}

/// Jaccard of the folded word sets of two titles, 0..=1.
pub fn title_similarity(a: &str, b: &str) -> f64 {
    let (wa, wb) = (word_set(a), word_set(b));
    let union = wa.union(&wb).count();
    if union == 0 {
        return 0.0;
    }
    wa.intersection(&wb).count() as f64 / union as f64
}

/// Pairs new titles with gone ones they revise, as `(new index, gone
/// index)`: most similar pairs first, each title at most once, only pairs
/// at or above [`SUCCESSOR_SIMILARITY`].
pub fn successors(gone: &[&str], new: &[&str]) -> Vec<(usize, usize)> {
    let mut scored: Vec<(f64, usize, usize)> = Vec::new();
    for (n, new_title) in new.iter().enumerate() {
        for (g, gone_title) in gone.iter().enumerate() {
            let s = title_similarity(gone_title, new_title);
            if s >= SUCCESSOR_SIMILARITY {
                scored.push((s, n, g));
            }
        }
    }
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let (mut used_new, mut used_gone) = (HashSet::new(), HashSet::new());
    let mut pairs = Vec::new();
    for (_, n, g) in scored {
        if !used_new.contains(&n) && !used_gone.contains(&g) {
            used_new.insert(n);
            used_gone.insert(g);
            pairs.push((n, g));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edited_headline_succeeds_the_gone_one() {
        let gone = [
            "Council approves the new budget for the harbour district",
            "Storm closes three schools on the coast",
        ];
        let new = ["Council approves a revised budget for the harbour district"];
        assert_eq!(successors(&gone, &new), vec![(0, 0)]);
    }

    #[test]
    fn a_different_story_is_no_successor() {
        let gone = ["Council approves the new budget for the harbour district"];
        let new = ["Ferry service resumes after the winter break"];
        assert!(successors(&gone, &new).is_empty());
    }

    #[test]
    fn each_gone_item_has_one_successor() {
        let gone = ["Storm closes three schools on the coast"];
        let new = [
            "Storm closes four schools on the coast",
            "Storm closes three schools on the coast today",
        ];
        let pairs = successors(&gone, &new);
        assert_eq!(pairs.len(), 1);
    }
}
