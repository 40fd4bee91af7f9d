//! Story assignment by event profile, part of the commit stage: the recent
//! items' profiles (detection state, a sliding window), an inverted index
//! from key to the items that have it, and the document frequency of every
//! key in the window, which gives its rarity (IDF). The decision is
//! `detect::stories::decide` (pure).

use std::collections::VecDeque;

use foldhash::HashMap;

use crate::detect::stories::decide::{Join, Member, decide};
use crate::detect::stories::event::{Key, KeyKind};

/// A recent item's profile.
struct Recent {
    story_id: i64,
    source: i64,
    seen: i64,
    keys: Vec<Key>,
    lang: String,
}

/// Pseudo-documents added to the window's count, so that rarity means
/// something while the window is still nearly empty (a fresh database).
const IDF_PRIOR_DOCS: f64 = 30.0;
/// Items compared with a new one at most (the most recent sharing a key);
/// also the most taken from one key's postings, so that the cost of a new
/// item does not grow with the window.
const MAX_CANDIDATES: usize = 40;
/// A key held by more than this share of the window does not find
/// candidates (it still counts in the score): "Russia" in a war's news.
const COMMON_SHARE: f64 = 0.02;

/// The window's profiles, oldest first, with their index.
#[derive(Default)]
pub struct ProfileIndex {
    items: VecDeque<Recent>,
    /// Sequence number of `items[0]`.
    base: u64,
    /// Key (kind tag + text) → sequence numbers of items that have it,
    /// oldest first (may name items already gone: skipped when read).
    postings: HashMap<String, Vec<u64>>,
    /// Key text → how many window items have it.
    df: HashMap<String, u32>,
    /// Story → the names and figures of the item that founded it (stories
    /// whose founder left the window are not in it: any anchor will do).
    founders: HashMap<i64, (i64, Vec<String>)>,
    window_secs: i64,
}

/// Names and figures of a profile.
fn anchors(keys: &[Key]) -> Vec<String> {
    keys.iter()
        .filter(|k| matches!(k.kind, KeyKind::Name | KeyKind::Number))
        .map(|k| k.text.clone())
        .collect()
}

fn posting_key(k: &Key) -> String {
    if k.kind == KeyKind::Speaker {
        format!("s:{}", k.text)
    } else {
        k.text.clone()
    }
}

impl ProfileIndex {
    pub fn new(window_secs: i64) -> ProfileIndex {
        ProfileIndex {
            window_secs,
            ..ProfileIndex::default()
        }
    }

    fn evict(&mut self, now: i64) {
        while let Some(front) = self.items.front() {
            if now - front.seen <= self.window_secs {
                break;
            }
            if let Some(old) = self.items.pop_front() {
                for k in old.keys.iter().filter(|k| k.kind != KeyKind::Speaker) {
                    if let Some(n) = self.df.get_mut(&k.text) {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            self.df.remove(&k.text);
                        }
                    }
                }
            }
            self.base += 1;
        }
        // Postings shrink once they are mostly stale.
        if self.postings.len() > 4 * (self.df.len() + 1000) {
            let base = self.base;
            self.postings.retain(|_, v| {
                v.retain(|&s| s >= base);
                !v.is_empty()
            });
        }
        if self.founders.len() > 2 * self.items.len() + 1000 {
            let window = self.window_secs;
            self.founders.retain(|_, (seen, _)| now - *seen <= window);
        }
    }

    /// Remember an item that joined or founded `story_id`.
    pub fn push(&mut self, story_id: i64, source: i64, lang: &str, seen: i64, keys: Vec<Key>) {
        self.evict(seen);
        self.founders
            .entry(story_id)
            .or_insert_with(|| (seen, anchors(&keys)));
        let seq = self.base + self.items.len() as u64;
        let mut counted: Vec<&str> = Vec::new();
        for k in &keys {
            self.postings.entry(posting_key(k)).or_default().push(seq);
            if k.kind != KeyKind::Speaker && !counted.contains(&k.text.as_str()) {
                counted.push(&k.text);
                *self.df.entry(k.text.clone()).or_default() += 1;
            }
        }
        self.items.push_back(Recent {
            story_id,
            source,
            seen,
            keys,
            lang: lang.to_string(),
        });
    }

    /// Rarity of a key in the window.
    fn idf(&self, k: &Key) -> f64 {
        let n = self.items.len() as f64 + IDF_PRIOR_DOCS;
        let df = f64::from(self.df.get(&k.text).copied().unwrap_or(0));
        (n / (df + 1.0)).ln().max(0.0)
    }

    /// The story a new item joins (with why), or `None`.
    pub fn decide(&mut self, keys: &[Key], source: i64, lang: &str, at: i64) -> Option<Join> {
        self.evict(at);
        let common = (self.items.len() as f64 * COMMON_SHARE).max(20.0);
        let mut seqs: Vec<u64> = Vec::new();
        for k in keys {
            if k.kind != KeyKind::Speaker
                && f64::from(self.df.get(&k.text).copied().unwrap_or(0)) > common
            {
                continue;
            }
            if let Some(p) = self.postings.get(&posting_key(k)) {
                seqs.extend(
                    p.iter()
                        .rev()
                        .take_while(|&&s| s >= self.base)
                        .take(MAX_CANDIDATES),
                );
            }
        }
        seqs.sort_unstable_by(|a, b| b.cmp(a));
        seqs.dedup();
        seqs.truncate(MAX_CANDIDATES);
        let own = anchors(keys);
        let members: Vec<Member<'_>> = seqs
            .iter()
            .filter_map(|&s| self.items.get((s - self.base) as usize))
            .map(|r| Member {
                story_id: r.story_id,
                source: r.source,
                seen: r.seen,
                keys: &r.keys,
                lang: &r.lang,
                near_founder: self
                    .founders
                    .get(&r.story_id)
                    .is_none_or(|(_, f)| f.iter().any(|a| own.contains(a))),
            })
            .collect();
        decide(keys, source, lang, at, &members, &|k| self.idf(k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic pseudo-random stream (no crate for a benchmark).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    fn synthetic(rng: &mut Lcg) -> Vec<Key> {
        let mut keys = Vec::new();
        for _ in 0..3 {
            keys.push(Key {
                kind: KeyKind::Name,
                text: format!("name{}", rng.next(5_000)),
                in_title: true,
            });
        }
        keys.push(Key {
            kind: KeyKind::Number,
            text: rng.next(1_000).to_string(),
            in_title: true,
        });
        for i in 0..30 {
            // Zipf-like: a few common words, a long tail.
            let tail = 1 + rng.next(20_000);
            let w = rng.next(tail);
            keys.push(Key {
                kind: KeyKind::Word,
                text: format!("word{w}"),
                in_title: i < 6,
            });
        }
        keys.sort_by(|a, b| a.text.cmp(&b.text));
        keys.dedup_by(|a, b| a.text == b.text);
        keys
    }

    /// 100,000 items over a week through the window, as the commit stage
    /// sends them: time per item (`cargo test --release --lib
    /// bench_story_grouping -- --ignored --nocapture`; bench/README.md).
    #[test]
    #[ignore = "benchmark"]
    fn bench_story_grouping() {
        let mut index = ProfileIndex::new(72 * 3600);
        let mut rng = Lcg(7);
        let n = 100_000i64;
        let week = 7 * 24 * 3600;
        let t0 = std::time::Instant::now();
        let mut joined = 0;
        for i in 0..n {
            let at = i * week / n;
            let keys = synthetic(&mut rng);
            let source = rng.next(1_000) as i64;
            let story = match index.decide(&keys, source, "en", at) {
                Some(j) => {
                    joined += 1;
                    j.story_id
                }
                None => i,
            };
            index.push(story, source, "en", at, keys);
        }
        let per_item = t0.elapsed() / n as u32;
        println!(
            "story grouping: {n} items over a week, {per_item:?} per item, {joined} joined, window {} items",
            index.items.len()
        );
    }
}
