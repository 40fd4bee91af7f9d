//! Story assignment by event profile, part of the commit stage: the recent
//! items' profiles (detection state, a sliding window), an inverted index
//! from key to the items that have it, and the document frequency of every
//! key in the window, which gives its rarity (IDF). The decision is
//! `detect::stories::decide` (pure).

use std::collections::{BinaryHeap, VecDeque};

use foldhash::HashMap;

use crate::detect::stories::decide::{Interned, Join, KeyIds, Member, Scratch, UNKNOWN, decide};
use crate::detect::stories::event::{Key, KeyKind};
use crate::detect::stories::occasion::two_principals;

/// A recent item's profile.
struct Recent {
    story_id: i64,
    source: i64,
    seen: i64,
    profile: Interned,
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
/// Reports of an occasion of two principals passed with every decision at
/// most (the newest): their names are too common in the window to find
/// them as candidates.
const MAX_OCCASIONS: usize = 20;
/// Backgrounders passed with a backgrounder's decision at most (the
/// newest): another outlet republishes an explainer days later, when its
/// keys' newest postings are other items.
const MAX_BACKGROUNDERS: usize = 20;

/// The window's profiles, oldest first, with their index. Key texts are
/// numbered (`KeyIds`): postings and counts are vectors indexed by key id,
/// so scoring a candidate hashes no string.
#[derive(Default)]
pub struct ProfileIndex {
    items: VecDeque<Recent>,
    /// Sequence number of `items[0]`.
    base: u64,
    ids: KeyIds,
    /// Key id → sequence numbers of items that have it, oldest first (may
    /// name items already gone: skipped when read).
    postings: Vec<Vec<u64>>,
    /// Content key id → how many window items have it.
    df: Vec<u32>,
    /// Content keys with a count above 0.
    live: usize,
    /// Story → the names and figures of the item that founded it (stories
    /// whose founder left the window are not in it: any anchor will do).
    founders: HashMap<i64, (i64, Vec<u32>)>,
    window_secs: i64,
    scratch: Scratch,
    /// Document count → (decision it was computed for, rarity): a window
    /// has far fewer distinct counts than keys.
    rarity_memo: Vec<(u64, f64)>,
    decisions: u64,
    /// Sequence numbers of the window's reports of an occasion of two
    /// principals (`occasion::two_principals`), oldest first.
    occasions: VecDeque<u64>,
    /// Sequence numbers of the window's backgrounders (`Interned::background`),
    /// oldest first.
    backgrounders: VecDeque<u64>,
    /// Story split off by the user → the story it left (`stories split`).
    split_from: HashMap<i64, i64>,
    /// Story → when its latest report in the window was seen.
    last_seen: HashMap<i64, i64>,
}

/// Names and figures of a profile, and its demonyms' places ("Ukrainian"
/// meets a founder's "Ukraine's"; two demonyms alone anchor no join, as
/// `decide` scores them).
fn anchors(p: &Interned) -> Vec<u32> {
    p.keys
        .iter()
        .filter(|k| k.place || matches!(k.kind, KeyKind::Name | KeyKind::Number))
        .map(|k| k.id)
        .collect()
}

/// The `max` largest distinct numbers of ascending lists, largest first:
/// a merge from the lists' ends, which reads only as far as it needs.
fn newest_distinct(lists: &[&[u64]], max: usize) -> Vec<u64> {
    let mut heap: BinaryHeap<(u64, usize)> = lists
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((*p.last()?, i)))
        .collect();
    let mut next = vec![0usize; lists.len()];
    let mut out: Vec<u64> = Vec::with_capacity(max);
    while let Some((s, i)) = heap.pop() {
        if out.last() != Some(&s) {
            if out.len() == max {
                break;
            }
            out.push(s);
        }
        next[i] += 1;
        if let Some(&t) = lists[i].iter().rev().nth(next[i]) {
            heap.push((t, i));
        }
    }
    out
}

impl ProfileIndex {
    pub fn new(window_secs: i64) -> ProfileIndex {
        ProfileIndex {
            window_secs,
            ..ProfileIndex::default()
        }
    }

    /// The user's splits: (the new story, the story its reports left).
    pub fn set_splits(&mut self, splits: impl IntoIterator<Item = (i64, i64)>) {
        self.split_from = splits.into_iter().collect();
    }

    fn evict(&mut self, now: i64) {
        while let Some(front) = self.items.front() {
            if now - front.seen <= self.window_secs {
                break;
            }
            if let Some(old) = self.items.pop_front() {
                for k in &old.profile.keys {
                    if let Some(n) = self.df.get_mut(k.id as usize)
                        && *n > 0
                    {
                        *n -= 1;
                        if *n == 0 {
                            self.live -= 1;
                        }
                    }
                }
            }
            self.base += 1;
        }
        // Renumber once most numbered texts have left the window.
        if self.ids.len() > 4 * (self.live + 1000) {
            self.renumber();
        }
        if self.founders.len() > 2 * self.items.len() + 1000 {
            let window = self.window_secs;
            self.founders.retain(|_, (seen, _)| now - *seen <= window);
        }
        if self.last_seen.len() > 2 * self.items.len() + 1000 {
            let window = self.window_secs;
            self.last_seen.retain(|_, seen| now - *seen <= window);
        }
    }

    /// Number again only the texts of the window's items and founders,
    /// dropping postings of items gone.
    fn renumber(&mut self) {
        let old = std::mem::take(&mut self.ids);
        let mut old_postings = std::mem::take(&mut self.postings);
        let old_df = std::mem::take(&mut self.df);
        let mut remap = vec![UNKNOWN; old.len()];
        let (ids, postings, df) = (&mut self.ids, &mut self.postings, &mut self.df);
        let base = self.base;
        let mut map = |id: u32| -> u32 {
            let Some(slot) = remap.get_mut(id as usize) else {
                return UNKNOWN;
            };
            if *slot == UNKNOWN {
                let (speaker, text) = old.text(id);
                *slot = ids.intern(speaker, text);
                let mut p = old_postings
                    .get_mut(id as usize)
                    .map(std::mem::take)
                    .unwrap_or_default();
                p.retain(|&s| s >= base);
                postings.push(p);
                df.push(old_df.get(id as usize).copied().unwrap_or(0));
            }
            *slot
        };
        for item in &mut self.items {
            for k in &mut item.profile.keys {
                k.id = map(k.id);
            }
            if let Some(s) = &mut item.profile.speaker {
                *s = map(*s);
            }
            for id in item
                .profile
                .principals
                .iter_mut()
                .chain(item.profile.subject.iter_mut())
            {
                *id = map(*id);
            }
        }
        for (_, anchors) in self.founders.values_mut() {
            for a in anchors {
                *a = map(*a);
            }
        }
    }

    /// Remember an item that joined or founded `story_id`.
    pub fn push(&mut self, story_id: i64, source: i64, lang: &str, seen: i64, keys: &[Key]) {
        self.evict(seen);
        let profile = Interned::new(keys, &mut |s, t| self.ids.intern(s, t));
        self.founders
            .entry(story_id)
            .or_insert_with(|| (seen, anchors(&profile)));
        let last = self.last_seen.entry(story_id).or_insert(seen);
        *last = (*last).max(seen);
        let seq = self.base + self.items.len() as u64;
        if self.postings.len() < self.ids.len() {
            self.postings.resize_with(self.ids.len(), Vec::new);
            self.df.resize(self.ids.len(), 0);
        }
        for id in profile.keys.iter().map(|k| k.id).chain(profile.speaker) {
            if let Some(p) = self.postings.get_mut(id as usize) {
                p.push(seq);
            }
        }
        for (i, k) in profile.keys.iter().enumerate() {
            // A text twice in one profile counts once.
            if profile.keys[..i].iter().any(|o| o.id == k.id) {
                continue;
            }
            if let Some(n) = self.df.get_mut(k.id as usize) {
                if *n == 0 {
                    self.live += 1;
                }
                *n += 1;
            }
        }
        if two_principals(&profile) {
            self.occasions.push_back(seq);
            if self.occasions.len() > MAX_OCCASIONS {
                self.occasions.pop_front();
            }
        }
        if profile.background {
            self.backgrounders.push_back(seq);
            if self.backgrounders.len() > MAX_BACKGROUNDERS {
                self.backgrounders.pop_front();
            }
        }
        self.items.push_back(Recent {
            story_id,
            source,
            seen,
            profile,
            lang: lang.to_string(),
        });
    }

    /// The story a new item joins (with why), or `None`.
    pub fn decide(&mut self, keys: &[Key], source: i64, lang: &str, at: i64) -> Option<Join> {
        self.evict(at);
        let new = Interned::new(keys, &mut |s, t| self.ids.get(s, t));
        let common = (self.items.len() as f64 * COMMON_SHARE).max(20.0);
        let df = |id: u32| self.df.get(id as usize).copied().unwrap_or(0);
        let content = new
            .keys
            .iter()
            .filter(|k| f64::from(df(k.id)) <= common)
            .map(|k| k.id);
        // The newest MAX_CANDIDATES of each key's postings still in the
        // window, merged newest first until MAX_CANDIDATES distinct items
        // (a merge of sorted lists: no sort of every posting read).
        let lists: Vec<&[u64]> = content
            .chain(new.speaker)
            .filter_map(|id| self.postings.get(id as usize))
            .map(|p| {
                let live = p.len() - p.partition_point(|&s| s < self.base);
                &p[p.len() - live.min(MAX_CANDIDATES)..]
            })
            .filter(|p| !p.is_empty())
            .collect();
        let mut seqs: Vec<(u64, bool)> = newest_distinct(&lists, MAX_CANDIDATES)
            .into_iter()
            .map(|s| (s, false))
            .collect();
        for &s in &self.occasions {
            if s >= self.base && !seqs.iter().any(|&(t, _)| t == s) {
                seqs.push((s, true));
            }
        }
        if new.background {
            for &s in &self.backgrounders {
                if s >= self.base && !seqs.iter().any(|&(t, _)| t == s) {
                    seqs.push((s, false));
                }
            }
        }
        let own = anchors(&new);
        let members: Vec<Member<'_>> = seqs
            .iter()
            .filter_map(|&(s, only)| Some((self.items.get((s - self.base) as usize)?, only)))
            .map(|(r, occasion_only)| Member {
                story_id: r.story_id,
                source: r.source,
                seen: r.seen,
                profile: &r.profile,
                lang: &r.lang,
                near_founder: self
                    .founders
                    .get(&r.story_id)
                    .is_none_or(|(_, f)| f.iter().any(|a| own.contains(a))),
                occasion_only,
                split_from: self.split_from.get(&r.story_id).copied(),
                story_last: self.last_seen.get(&r.story_id).copied().unwrap_or(r.seen),
            })
            .collect();
        // Rarity of a key in the window: ln(N / (df + 1)), N with a prior.
        self.decisions += 1;
        let (stamp, memo) = (self.decisions, &mut self.rarity_memo);
        let n = self.items.len() as f64 + IDF_PRIOR_DOCS;
        let mut rarity = |id: u32| -> f64 {
            let d = df(id) as usize;
            if memo.len() <= d {
                memo.resize(d + 1, (0, 0.0));
            }
            let (at, r) = &mut memo[d];
            if *at != stamp {
                *at = stamp;
                *r = (n / (d as f64 + 1.0)).ln().max(0.0);
            }
            *r
        };
        let ids = &self.ids;
        let text = |id: u32| ids.text(id).1.to_string();
        decide(
            &new,
            source,
            lang,
            at,
            &members,
            &mut rarity,
            &text,
            &mut self.scratch,
        )
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

    fn key(kind: KeyKind, text: &str) -> Key {
        Key {
            kind,
            text: text.to_string(),
            in_title: true,
        }
    }

    /// Once most numbered texts have left the window they are numbered
    /// again; the window's items still find each other and share their
    /// keys by name.
    #[test]
    fn renumbering_keeps_the_window_comparable() {
        let mut index = ProfileIndex::new(100);
        let event = [
            key(KeyKind::Name, "zelensky"),
            key(KeyKind::Number, "111"),
            key(KeyKind::Word, "drone"),
        ];
        index.push(1, 1, "en", 0, &event);
        for i in 0..3_000 {
            let keys: Vec<Key> = (0..3)
                .map(|j| key(KeyKind::Word, &format!("w{i}x{j}")))
                .collect();
            index.push(10 + i, 2, "en", 1_000 + i, &keys);
        }
        let before = index.ids.len();
        index.push(5_000, 3, "en", 100_000, &event);
        let join = index.decide(&event, 4, "en", 100_010).expect("joins");
        assert!(index.ids.len() < before / 100, "{} ids", index.ids.len());
        assert_eq!(join.story_id, 5_000);
        let shared: Vec<&str> = join.shared.iter().map(|(_, t)| t.as_str()).collect();
        for k in ["zelensky", "111", "drone"] {
            assert!(shared.contains(&k), "{shared:?}");
        }
    }

    /// The merge gives what sorting every posting read would give.
    #[test]
    fn newest_distinct_is_the_sorted_union_cut() {
        let mut rng = Lcg(3);
        for round in 0..200 {
            let lists: Vec<Vec<u64>> = (0..rng.next(12))
                .map(|_| {
                    let mut l: Vec<u64> = (0..rng.next(60)).map(|_| rng.next(300)).collect();
                    l.sort_unstable();
                    l
                })
                .collect();
            let slices: Vec<&[u64]> = lists.iter().map(Vec::as_slice).collect();
            let max = 1 + rng.next(50) as usize;
            let mut all: Vec<u64> = lists.concat();
            all.sort_unstable_by(|a, b| b.cmp(a));
            all.dedup();
            all.truncate(max);
            assert_eq!(newest_distinct(&slices, max), all, "round {round}");
        }
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
            index.push(story, source, "en", at, &keys);
        }
        let per_item = t0.elapsed() / n as u32;
        println!(
            "story grouping: {n} items over a week, {per_item:?} per item, {joined} joined, window {} items",
            index.items.len()
        );
    }
}
