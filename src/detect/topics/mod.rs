//! Topic matching (DESIGN.md, "detect" → topics): parsed rules compiled once
//! into one dictionary, then matched against items. Pure: no I/O, never
//! panics on any input.
//!
//! How it stays cheap with thousands of rules:
//!
//! 1. `compile` collects every distinct term of every rule (query and
//!    exclude) into *atoms*: a word (matched by stem), a prefix (matched on
//!    the folded word, no stemming) or a tag. Word atoms go into one
//!    `HashMap<stem, atoms>`; prefixes into one Aho-Corasick automaton; tags
//!    into a `HashMap<tag, atom>`. An inverted index maps each atom to the
//!    rules that use it positively.
//! 2. `match_doc` tokenises each document word, looks up the atoms it hits
//!    (by stem in the dictionary, by prefix in the automaton; remembered per
//!    thread, so a word seen before costs one hash lookup) and records which
//!    atoms occur where (field and word position). Only words that hit some
//!    atom are recorded.
//! 3. Only the rules reachable from the atoms present are evaluated — `parse`
//!    guarantees every rule needs at least one positive term, so a rule with
//!    none of its terms present cannot match. Cost per item is about
//!    O(words + hits + candidate rules), not O(rules × words).
//!
//! Stems: a query term is stemmed by its own script (Latin → English,
//! Cyrillic → Russian, or Ukrainian when it has і/ї/є/ґ); a Cyrillic term
//! without those letters is *also* stemmed as Ukrainian, because "перемовини"
//! looks Russian to the script test but occurs in Ukrainian items, which are
//! stemmed by the Ukrainian stemmer. Document words use the item's language
//! (guessed from the text when the feed does not say), by script.
//!
//! Score (for ranking only): the sum over the terms that hit of
//! (2.0 if the term occurs in the title, else 1.0) × (its number of words:
//! 1 for a term, n for an n-word phrase).
//!
//! # Files
//!
//! This file holds the rule, document and hit types and the matcher's entry
//! points; `compile` the atoms, leaves and rule trees, `scan` the per-word
//! atom lookup (with its per-thread memo), `eval` the evaluation of a rule
//! over one document's occurrences.

mod compile;
mod eval;
mod scan;

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use super::query::Query;
use crate::text::{fold, word_list};
use compile::{AtomId, Builder, Compiled, Leaf, LeafId, TITLE, anchors, to_id};
use eval::View;
use scan::NEXT_MATCHER_ID;

/// One topic as configured: a parsed query and an optional exclusion.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicRule {
    pub name: String,
    pub query: Query,
    /// A document that matches this does not hit the topic.
    pub exclude: Option<Query>,
}

/// What a topic is matched against.
#[derive(Clone, Copy, Debug)]
pub struct MatchDoc<'a> {
    pub title: &'a str,
    pub text: &'a str,
    /// The source's name.
    pub source: &'a str,
    /// The source's tags.
    pub tags: &'a [String],
    /// ISO 639-1 code (`en`, `ru`, `uk`); guessed from the text when `None`.
    pub language: Option<&'a str>,
}

/// One topic that an item hits.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicHit {
    /// Index into the rules given to [`TopicMatcher::compile`].
    pub topic: usize,
    /// The query's terms and phrases that hit, in their printed (folded)
    /// form (`negotiat*`, `"peace talks"`, `title:truce`), deduplicated, in
    /// query order. Terms under NOT and in `exclude` are never listed.
    pub terms: Vec<String>,
    /// See the module documentation; only for ranking.
    pub score: f64,
    /// Some term that hit occurs in the title.
    pub in_title: bool,
    /// Some term that hit occurs among the first [`LEAD_WORDS`] words of the text.
    pub in_lead: bool,
}

/// Words of the text that count as its lead (where a hit weighs more than in
/// the body).
pub const LEAD_WORDS: u32 = 40;

/// Rules compiled into one dictionary; see the module documentation.
#[derive(Debug)]
pub struct TopicMatcher {
    rules: Vec<TopicRule>,
    compiled: Vec<Compiled>,
    leaves: Vec<Leaf>,
    /// Stem → word atoms whose term has this stem (looked up for every
    /// word of every item: a fast hash).
    stems: foldhash::HashMap<String, Vec<AtomId>>,
    /// Folded tag → tag atom.
    tags: HashMap<String, AtomId>,
    /// All prefixes; pattern id `i` is atom `prefix_atoms[i]`.
    prefixes: Option<AhoCorasick>,
    prefix_atoms: Vec<AtomId>,
    /// Atom → rules that use it positively (outside NOT, outside exclude).
    atom_rules: Vec<Vec<u32>>,
    /// Tells this matcher's entries in the per-thread `WORD_ATOMS` memo
    /// apart from another matcher's (a reload compiles a new one).
    id: u64,
}

/// Total length of prefix patterns up to which they are compiled to a DFA.
const DFA_MAX_PATTERN_BYTES: usize = 20_000;

impl TopicMatcher {
    /// Compile the rules once. Rules come from [`super::query::parse`], which
    /// rejects queries without a positive term; a hand-built rule without one
    /// simply never matches.
    pub fn compile(rules: Vec<TopicRule>) -> TopicMatcher {
        let mut b = Builder::default();
        let compiled: Vec<Compiled> = rules
            .iter()
            .map(|r| Compiled {
                query: b.node(&r.query),
                exclude: r.exclude.as_ref().map(|q| b.node(q)),
            })
            .collect();
        let mut atom_rules = vec![Vec::new(); b.atoms.len()];
        let mut scratch = Vec::new();
        for (i, c) in compiled.iter().enumerate() {
            scratch.clear();
            anchors(&c.query, &b.leaves, &mut scratch);
            scratch.sort_unstable();
            scratch.dedup();
            for &a in &scratch {
                if let Some(v) = atom_rules.get_mut(a as usize) {
                    v.push(to_id(i));
                }
            }
        }
        // Standard match semantics + overlapping search: every prefix that
        // starts a word is reported, not just the longest. Building fails
        // only on absurd pattern sets; then prefixes simply never match.
        let prefixes = if b.prefixes.is_empty() {
            None
        } else {
            // A DFA when the prefixes are few enough for it to stay small
            // (a few MB at most): the scan runs over every word of every
            // item, and the DFA's overlapping search is the fastest kind.
            let bytes: usize = b.prefixes.iter().map(String::len).sum();
            let kind = (bytes <= DFA_MAX_PATTERN_BYTES).then_some(AhoCorasickKind::DFA);
            AhoCorasick::builder()
                .kind(kind)
                .build(&b.prefixes)
                .or_else(|_| AhoCorasick::new(&b.prefixes))
                .ok()
        };
        TopicMatcher {
            rules,
            compiled,
            leaves: b.leaves,
            stems: b.stems,
            tags: b.tags,
            prefixes,
            prefix_atoms: b.prefix_atoms,
            atom_rules,
            id: NEXT_MATCHER_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// The rules, in the order they were compiled (`TopicHit::topic` indexes
    /// this).
    pub fn rules(&self) -> &[TopicRule] {
        &self.rules
    }

    /// The topics `doc` hits, in rule order.
    pub fn match_doc(&self, doc: &MatchDoc) -> Vec<TopicHit> {
        let text_folded = fold(doc.text);
        self.match_folded(doc, &fold(doc.title), &word_list(&text_folded))
    }

    /// `match_doc` with the title already folded (`text::fold`) and the
    /// folded text already split into words (`text::words`), for callers
    /// that fold and split them once for several uses.
    #[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
    pub fn match_folded(
        &self,
        doc: &MatchDoc,
        title_folded: &str,
        text_words: &[&str],
    ) -> Vec<TopicHit> {
        let occ = self.scan(doc, title_folded, text_words);
        if occ.is_empty() {
            return Vec::new();
        }
        let mut candidates: Vec<u32> = Vec::new();
        let mut last = None;
        for o in &occ {
            if last != Some(o.atom) {
                last = Some(o.atom);
                if let Some(rules) = self.atom_rules.get(o.atom as usize) {
                    candidates.extend_from_slice(rules);
                }
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut present = vec![0u64; self.atom_rules.len().div_ceil(64)];
        for o in &occ {
            if let Some(word) = present.get_mut(o.atom as usize / 64) {
                *word |= 1 << (o.atom % 64);
            }
        }
        let view = View {
            occ: &occ,
            present: &present,
            leaves: &self.leaves,
        };
        let mut hits = Vec::new();
        let mut leaf_hits = Vec::new();
        for r in candidates {
            let Some(c) = self.compiled.get(r as usize) else {
                continue;
            };
            leaf_hits.clear();
            if !view.eval(&c.query, &mut leaf_hits) {
                continue;
            }
            if let Some(ex) = &c.exclude
                && view.eval(ex, &mut Vec::new())
            {
                continue;
            }
            hits.push(self.hit(r as usize, &leaf_hits, &view));
        }
        hits
    }

    fn hit(&self, topic: usize, leaf_hits: &[LeafId], view: &View) -> TopicHit {
        let mut seen: Vec<LeafId> = Vec::with_capacity(leaf_hits.len());
        let mut terms = Vec::new();
        let mut score = 0.0;
        let (mut any_title, mut any_lead) = (false, false);
        for &l in leaf_hits {
            if seen.contains(&l) {
                continue;
            }
            seen.push(l);
            let Some(leaf) = self.leaves.get(l as usize) else {
                continue;
            };
            let in_title = leaf.fields & TITLE != 0 && view.leaf_in(leaf, TITLE);
            score += leaf.weight * if in_title { 2.0 } else { 1.0 };
            any_title |= in_title;
            any_lead |= view.leaf_in_lead(leaf, LEAD_WORDS);
            terms.push(leaf.label.clone());
        }
        TopicHit {
            topic,
            terms,
            score,
            in_title: any_title,
            in_lead: any_lead,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
