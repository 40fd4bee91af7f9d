//! Stories: one event, many outlets (DESIGN.md §5 "detect",
//! "stories"). Pure: a 64-bit near-duplicate fingerprint per item and the
//! decision which earlier story a new item joins. No I/O; never panics.
//!
//! The fingerprint is a 64-bit SimHash over folded, stemmed words and word
//! pairs (2-shingles) of the title (weighted ×3, an outlet tag such as
//! " - Reuters" dropped) and of the first 60 words of the text, with
//! stopwords dropped; two items are the same story when their fingerprints
//! differ in at most [`SAME_STORY_MAX_DISTANCE`] bits and they come from
//! different sources, or when they share a canonical URL.
//!
//! Why words + pairs and not 3-shingles, and why SimHash and not MinHash:
//! headlines are 6–12 content words, so a reworded headline shares almost no
//! 3-shingles with the original. Measured on titles only, with 20
//! hand-checked same-event rewrites from `history/apnews/` (recall) against
//! the 3.68 M pairs of distinct TASS headlines published within 3 days of
//! each other in `datasets/tass__english-headlines-2025.json` (merges):
//!
//! | features, sketch                  | distance | recall | TASS pairs merged |
//! |-----------------------------------|----------|--------|-------------------|
//! | 3-shingles, SimHash               | 6        | 0/20   | 4                 |
//! | words, SimHash                    | 12       | 6/20   | 168               |
//! | words, 1-bit MinHash ×64          | 8        | 8/20   | 65                |
//! | words + pairs, 1-bit MinHash ×64  | 12       | 6/20   | 66                |
//! | words + pairs + triples, SimHash  | 12       | 4/20   | 31                |
//! | **words + pairs, SimHash**        | **12**   | **8/20** | **56**          |
//! | words + pairs, SimHash, IDF-weighted | 12 / 14 | 5/20 / 7/20 | 33 / 76   |
//! | exact word sets, IDF-weighted Jaccard ≥ 0.7 / 0.6 | – | 8/20 / 11/20 | 47 / 94 |
//! | exact word sets, Jaccard ≥ 0.6    | –        | 12/20    | 166             |
//!
//! (IDF from the 11,108 distinct headlines of the corpus; measured 1 Dec
//! 2026 with a throw-away test.) Exact word sets, which a token index on
//! title words would give, merge no more same-event pairs than the
//! fingerprint at the same TASS merge count: the limit is in headline words
//! themselves, not in the 64-bit sketch, so a token index is not worth its
//! memory.
//!
//! Of those 56 TASS pairs about 19 are really one event (FACTBOX re-titles,
//! running death tolls, a "weigh"/"weight" typo fix); the rest are TASS's own
//! daily templates ("MOEX Index down 0.11% / 1.13% as morning trading session
//! opens"), which `assign` never merges because they come from one source:
//! a false-merge rate of about 1e-5 per pair, under 1 % of items. A 64-bit
//! sketch cannot tell a heavy rewrite (word Jaccard ≈ 0.3) from a different
//! event told in the same words, so recall on real rewrites stays near 40 %;
//! wire copy carried verbatim by several outlets always merges.
//!
//! # Files
//!
//! This file holds the fingerprint entry points and `assign`; `terms` the
//! words that go into a fingerprint (stopwords, numerals, outlet tags),
//! `simhash` the shingles, their hash and the sketch. The stopwords and
//! numerals are in `detect::lexicon`.

pub mod decide;
pub mod event;
pub mod occasion;
mod simhash;
mod terms;

use crate::text::{fold, words};
use simhash::{shingles, simhash};
use terms::{strip_outlet, terms};

/// Words of the text (after the title) that go into the fingerprint: the
/// lead, where outlets state the event; later paragraphs drift apart.
const TEXT_WORDS: usize = 60;
/// Title shingles count this many times a text shingle.
const TITLE_WEIGHT: i32 = 3;

/// Near-duplicate fingerprint of an item: SimHash over folded, stemmed words
/// and word pairs of the title (weight 3, outlet tag dropped) and of the
/// first 60 words of the text (weight 1), stopwords dropped. 0 for an item
/// with no words.
pub fn fingerprint(title: &str, text: &str) -> u64 {
    fingerprint_folded(title, &fold(text))
}

/// `fingerprint` with the text already folded (`text::fold`).
pub fn fingerprint_folded(title: &str, text_folded: &str) -> u64 {
    let text_words: Vec<&str> = words(text_folded)
        .take(TEXT_WORDS)
        .map(|(_, w)| w)
        .collect();
    fingerprint_words(title, &text_words)
}

/// `fingerprint` with the folded text already split into words
/// (`text::words`), for callers that split it once for several uses; only
/// the first 60 words are read.
#[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
pub fn fingerprint_words(title: &str, text_words: &[&str]) -> u64 {
    let title_folded = fold(strip_outlet(title.trim()));
    let (mut title, mut text) = (Vec::new(), Vec::new());
    shingles(&terms(words(&title_folded).map(|(_, w)| w)), &mut title);
    shingles(
        &terms(text_words.iter().take(TEXT_WORDS).copied()),
        &mut text,
    );
    simhash(&[(&title, TITLE_WEIGHT), (&text, 1)])
}

/// Whether a link names one article, so that two items sharing it are one
/// story: not a site root or a section page (`https://meduza.io/`,
/// `https://example.com/world/`), which generated feeds give every item.
/// An article's path has a segment with a digit, or a long one (a slug).
pub fn article_link(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (path, query) = match rest.split_once('/') {
        Some((_, p)) => p.split_once('?').unwrap_or((p, "")),
        None => return false,
    };
    !query.is_empty()
        || path
            .split('/')
            .any(|seg| seg.chars().any(|c| c.is_ascii_digit()) || seg.chars().count() >= 16)
}

/// Number of differing bits.
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// Fingerprints at most this many bits apart are the same story: the largest
/// distance at which TASS merges stay near 1e-5 of pairs (module docs).
/// Unrelated fingerprints come this close with probability ≈ 5e-7.
pub const SAME_STORY_MAX_DISTANCE: u32 = 12;

/// An earlier item a new one may join.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StoryCandidate<'a> {
    pub story_id: i64,
    pub fingerprint: u64,
    pub url: Option<&'a str>,
    pub source: &'a str,
}

/// The story a new item joins: same canonical URL, or a fingerprint within
/// [`SAME_STORY_MAX_DISTANCE`] of a candidate from a DIFFERENT source (the
/// caller passes candidates from the last 72 h). `None` = a new story.
///
/// Same-source near-duplicates are left apart on purpose: one outlet's
/// follow-ups ("strikes kill 5", next day "strikes kill 22") are separate
/// items of its own feed, and an outlet's template headlines ("… — Putin")
/// collide with each other far more often than with another outlet's. The
/// closest candidate wins; ties go to the earliest story id, so the answer
/// does not depend on candidate order. An empty fingerprint (no words)
/// joins by URL only.
pub fn assign(
    fingerprint: u64,
    url: Option<&str>,
    source: &str,
    candidates: &[StoryCandidate],
) -> Option<i64> {
    if let Some(url) = url.filter(|u| !u.is_empty())
        && let Some(c) = candidates
            .iter()
            .filter(|c| c.url == Some(url))
            .min_by_key(|c| c.story_id)
    {
        return Some(c.story_id);
    }
    if fingerprint == 0 {
        return None;
    }
    candidates
        .iter()
        .filter(|c| c.source != source && c.fingerprint != 0)
        .map(|c| (hamming(fingerprint, c.fingerprint), c.story_id))
        .filter(|&(d, _)| d <= SAME_STORY_MAX_DISTANCE)
        .min()
        .map(|(_, id)| id)
}

#[cfg(test)]
mod tests;
