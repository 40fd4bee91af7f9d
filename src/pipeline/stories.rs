//! Story assignment, part of the commit stage: an in-memory index of the
//! fingerprints of recent items (detection state, loaded lazily from the
//! store through a typed read, banded for near-duplicate lookup) so one
//! event reported by many outlets gets one story id. The decision itself is
//! `detect::stories::assign` (pure); the story rows are typed store writes
//! in the fetch's transaction.

use std::hash::BuildHasher;

use foldhash::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::detect::stories::event::{Key, decode};
use crate::detect::stories::{
    SAME_STORY_MAX_DISTANCE, StoryCandidate, article_link, assign, hamming,
};
use crate::model::SourceId;

use super::story_profiles::ProfileIndex;
use crate::store::{Stamp, WriteTx};

/// Items older than this are not joined to (a story is an event, not a theme).
const STORY_WINDOW_HOURS: i64 = 72;

/// A recent item as a band bucket remembers it.
#[derive(Clone, Copy)]
struct Recent {
    story_id: i64,
    fingerprint: u64,
    source: SourceId,
    /// Unix seconds.
    seen: i64,
}

/// The newest [`PER_BUCKET`] founders sharing one band value, kept as a
/// ring: when full, a new one replaces the oldest. Fingerprints sit apart
/// from the rest so the distance test is one tight loop over 64 integers
/// (it runs for 8 buckets of every new item: 512 tests an item once the
/// buckets are full, on the writer thread).
#[derive(Default)]
struct Bucket {
    fingerprints: Vec<u64>,
    /// `recent[i]` is the founder whose fingerprint is `fingerprints[i]`.
    recent: Vec<Recent>,
    /// Where the next founder goes once the ring is full (its oldest).
    next: usize,
}

impl Bucket {
    fn push(&mut self, recent: Recent) {
        if self.recent.len() < PER_BUCKET {
            self.fingerprints.push(recent.fingerprint);
            self.recent.push(recent);
        } else if let (Some(fp), Some(slot)) = (
            self.fingerprints.get_mut(self.next),
            self.recent.get_mut(self.next),
        ) {
            *fp = recent.fingerprint;
            *slot = recent;
            self.next = (self.next + 1) % PER_BUCKET;
        }
    }

    /// Founders within `max_distance` bits of `fingerprint`, in no
    /// particular order.
    fn close_to(&self, fingerprint: u64, max_distance: u32) -> impl Iterator<Item = &Recent> {
        // PER_BUCKET <= 64: one bit per member.
        let mut close = 0u64;
        for (i, fp) in self.fingerprints.iter().enumerate() {
            close |= u64::from(hamming(*fp, fingerprint) <= max_distance) << i;
        }
        // Visit the set bits only (nearly every member is far).
        std::iter::successors((close != 0).then_some(close), |rest| {
            let rest = rest & (rest - 1);
            (rest != 0).then_some(rest)
        })
        .filter_map(|bits| self.recent.get(bits.trailing_zeros() as usize))
    }
}

/// A URL's story and first sighting, packed into 8 bytes: story ids and
/// Unix seconds both fit in 32 bits (seconds until 2106; a URL of a story
/// past id 2^32 is simply not indexed, and joins by fingerprint only).
#[derive(Clone, Copy)]
struct UrlSeen {
    story: u32,
    seen: u32,
}

impl UrlSeen {
    fn new(story: i64, seen: i64) -> Option<UrlSeen> {
        Some(UrlSeen {
            story: u32::try_from(story).ok()?,
            seen: u32::try_from(seen.max(0)).unwrap_or(u32::MAX),
        })
    }
}

/// Stories are compared through their founding item: a new item joins a
/// story when it is close to the item that started it, not to any member,
/// so a story cannot drift from one event to the next through a chain of
/// near neighbours (on templated text such chains swallowed whole feeds).
///
/// Founders' fingerprints are split into 8 bands of 8 bits; only items sharing at
/// least one band exactly are compared. Two fingerprints up to 7 bits apart
/// always share a band (pigeonhole); at `SAME_STORY_MAX_DISTANCE` (12) most
/// do (about 4 in 5). More, narrower bands would find all of them but compare
/// nearly every recent item, which a 40,000-item poll cannot afford.
///
/// Memory is bounded: a bucket keeps only its newest [`PER_BUCKET`] items
/// (the only ones ever compared), and the URL map (hashed URLs) is swept of
/// items outside the window whenever it has doubled since the last sweep.
#[derive(Default)]
pub struct StoryIndex {
    loaded: bool,
    bands: Vec<HashMap<u64, Bucket>>,
    /// Hash of the canonical URL → its story and when it was first seen.
    /// One entry per recent item (400,000 after a 10,000-feed cold poll),
    /// hence the 16-byte entries.
    by_url: HashMap<u64, UrlSeen>,
    /// Story → when its newest item was seen (unix seconds): a story stays
    /// joinable while it is active.
    last_seen: HashMap<i64, i64>,
    /// Sweep `by_url` when it grows past this.
    sweep_above: usize,
    /// Event profiles of the window's items (the main rule).
    profiles: ProfileIndex,
    /// The user's latest story correction when the index was loaded
    /// (`stories merge`/`split` move items: a newer one means reload).
    corrections: i64,
    /// Merged story → the story the user kept (grouping still finds the
    /// merged one; its reports go to the one kept).
    merged: HashMap<i64, i64>,
}

/// A story decision: the story, and why the item joined it (`None`: it
/// founded it).
pub struct Assigned {
    pub story_id: i64,
    pub why: Option<String>,
}

const BANDS: usize = 8;
/// Most recent items of each band bucket compared with a new one (at most
/// 64: `Bucket::close_to` keeps a bit per member).
const PER_BUCKET: usize = 64;
/// Smallest URL map that is swept.
const SWEEP_MIN: usize = 100_000;

fn band_count() -> usize {
    BANDS
}

fn band_keys(fp: u64) -> impl Iterator<Item = (usize, u64)> {
    let n = band_count();
    let width = 64 / n;
    (0..n).map(move |i| {
        let shift = i * width;
        let bits = if i == n - 1 { 64 - shift } else { width };
        let mask = if bits >= 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        };
        (i, (fp >> shift) & mask)
    })
}

/// A fixed hash of a URL (64 bits: a collision among the window's URLs is
/// about as likely as a fingerprint collision the story rules accept).
fn url_key(url: &str) -> u64 {
    foldhash::fast::FixedState::with_seed(0x6e77_6368).hash_one(url)
}

impl StoryIndex {
    /// Forget everything (after a rolled-back transaction the index may name
    /// stories that were never stored).
    pub fn invalidate(&mut self) {
        *self = StoryIndex::default();
    }

    fn ensure_loaded(
        &mut self,
        tx: &WriteTx<'_, '_>,
        now: DateTime<Utc>,
    ) -> crate::store::Result<()> {
        let corrections = tx.story_corrections_stamp()?;
        if self.loaded && corrections == self.corrections {
            return Ok(());
        }
        if self.loaded {
            self.invalidate();
        }
        self.loaded = true;
        self.corrections = corrections;
        self.merged = tx.story_merges()?.into_iter().collect();
        self.bands = (0..band_count()).map(|_| HashMap::default()).collect();
        self.sweep_above = SWEEP_MIN;
        self.profiles = ProfileIndex::new(STORY_WINDOW_HOURS * 3600);
        self.profiles.set_splits(tx.story_splits()?);
        tx.for_each_recent_story_item(now - Duration::hours(STORY_WINDOW_HOURS), |item| {
            let seen = item.first_seen.unwrap_or(now);
            // Rows come in id order: a story's first row is its founder.
            let founder = !self.last_seen.contains_key(&item.story_id);
            if let Some(k) = item.keys {
                self.profiles.push(
                    item.story_id,
                    item.source,
                    item.language.unwrap_or(""),
                    seen.timestamp(),
                    &decode(k),
                );
            }
            self.push(
                item.story_id,
                item.fingerprint,
                item.source,
                item.url,
                seen,
                founder,
            );
        })
    }

    fn push(
        &mut self,
        story_id: i64,
        fingerprint: u64,
        source: SourceId,
        url: Option<&str>,
        seen: DateTime<Utc>,
        founder: bool,
    ) {
        let recent = Recent {
            story_id,
            fingerprint,
            source,
            seen: seen.timestamp(),
        };
        let last = self.last_seen.entry(story_id).or_insert(recent.seen);
        *last = (*last).max(recent.seen);
        if founder {
            for (band, key) in band_keys(fingerprint) {
                self.bands[band].entry(key).or_default().push(recent);
            }
        }
        if let Some(u) = url.filter(|u| article_link(u))
            && let Some(entry) = UrlSeen::new(story_id, recent.seen)
        {
            self.by_url.entry(url_key(u)).or_insert(entry);
        }
        if self.by_url.len() + self.last_seen.len() > self.sweep_above {
            self.sweep(seen);
        }
    }

    /// The story a new item belongs to, creating one if it is a new event.
    /// Rules in order: the same article link; a near-identical text from
    /// another outlet (syndicated copy, live page); the event profile
    /// (`detect::stories::decide`).
    #[allow(clippy::too_many_arguments)]
    pub fn assign_story(
        &mut self,
        tx: &WriteTx<'_, '_>,
        source_id: SourceId,
        fingerprint: u64,
        keys: &[Key],
        lang: Option<&str>,
        url: Option<&str>,
        title: &str,
        now: &Stamp,
    ) -> crate::store::Result<Assigned> {
        let lang = lang.unwrap_or("");
        let stamp = now;
        let now = stamp.at();
        self.ensure_loaded(tx, now)?;
        let window_secs = STORY_WINDOW_HOURS * 3600;
        let now_secs = now.timestamp();
        let in_window = |seen: i64| (now_secs - seen).abs() <= window_secs;
        // Same article link within the window: that story. A link shared
        // by unrelated items (home page, section page) is not an article's.
        let url = url.filter(|u| article_link(u));
        let by_url = url
            .and_then(|u| self.by_url.get(&url_key(u)))
            .filter(|e| in_window(i64::from(e.seen)))
            .map(|e| i64::from(e.story));
        let source = source_id.to_string();
        let found: Option<(i64, String)> = match by_url {
            Some(story) => Some((story, "same link as a report of it".to_string())),
            None => {
                // Only candidates `assign` could pick (close enough, still
                // active) are handed over; the cheap distance test goes first
                // because nearly every bucket member fails it.
                let close: Vec<(i64, u64, String)> = band_keys(fingerprint)
                    .filter_map(|(band, key)| self.bands.get(band)?.get(&key))
                    .flat_map(|bucket| bucket.close_to(fingerprint, SAME_STORY_MAX_DISTANCE))
                    .filter(|r| {
                        self.last_seen
                            .get(&r.story_id)
                            .is_some_and(|&t| in_window(t))
                    })
                    .map(|r| (r.story_id, r.fingerprint, r.source.to_string()))
                    .collect();
                let candidates: Vec<StoryCandidate<'_>> = close
                    .iter()
                    .map(|(story_id, fp, src)| StoryCandidate {
                        story_id: *story_id,
                        fingerprint: *fp,
                        url: None,
                        source: src,
                    })
                    .collect();
                match assign(fingerprint, None, &source, &candidates) {
                    Some(story) => Some((story, "near-identical text from another outlet".into())),
                    None => self
                        .profiles
                        .decide(keys, source_id, lang, now_secs)
                        .map(|j| (j.story_id, j.why())),
                }
            }
        };
        let (story, kept) = match &found {
            Some((story, _)) => {
                let kept = self.kept(*story);
                tx.join_story(kept, source_id)?;
                (*story, kept)
            }
            None => {
                let story = tx.insert_story(title, stamp)?;
                (story, story)
            }
        };
        self.profiles.push(story, source_id, lang, now_secs, keys);
        self.push(story, fingerprint, source_id, url, now, found.is_none());
        Ok(Assigned {
            story_id: kept,
            why: found.map(|(_, why)| why),
        })
    }

    /// The story a user's merges put `story`'s reports in (itself if none).
    fn kept(&self, mut story: i64) -> i64 {
        // Merges chain (B into A, then A into C); a cycle cannot be made
        // (a merged story is empty), but the walk is bounded anyway.
        for _ in 0..self.merged.len() {
            match self.merged.get(&story) {
                Some(&into) => story = into,
                None => break,
            }
        }
        story
    }

    /// Drop URLs outside the window (keeps a long-running daemon's index
    /// small); sweep again only once the map has doubled, so a window full of
    /// recent items costs one sweep per doubling, not one per item.
    fn sweep(&mut self, now: DateTime<Utc>) {
        let oldest = (now - Duration::hours(STORY_WINDOW_HOURS)).timestamp();
        self.by_url.retain(|_, e| i64::from(e.seen) >= oldest);
        self.last_seen.retain(|_, seen| *seen >= oldest);
        self.sweep_above = ((self.by_url.len() + self.last_seen.len()) * 2).max(SWEEP_MIN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_keeps_its_newest_founders_and_finds_the_close_ones() {
        let mut bucket = Bucket::default();
        for id in 1..=PER_BUCKET as i64 + 6 {
            bucket.push(Recent {
                story_id: id,
                // Even ids 3 bits from 0, odd ids 20 bits away.
                fingerprint: if id % 2 == 0 { 0b111 } else { (1 << 20) - 1 },
                source: 1,
                seen: id,
            });
        }
        let mut close: Vec<i64> = bucket.close_to(0, 12).map(|r| r.story_id).collect();
        close.sort_unstable();
        let newest_even: Vec<i64> = (7..=PER_BUCKET as i64 + 6)
            .filter(|id| id % 2 == 0)
            .collect();
        assert_eq!(close, newest_even);
    }

    #[test]
    fn fingerprints_within_the_distance_share_a_band() {
        let a: u64 = 0xDEAD_BEEF_0123_4567;
        let mut b = a;
        for bit in (0..(BANDS as u32 - 1)).map(|i| i * 7 % 64) {
            b ^= 1 << bit;
        }
        let ka: Vec<_> = band_keys(a).collect();
        let kb: Vec<_> = band_keys(b).collect();
        assert!(ka.iter().zip(&kb).any(|(x, y)| x == y));
    }

    /// A chain of near neighbours does not drag a story along: the third
    /// item is close to the second but not to the founder, so it starts a
    /// story of its own.
    #[test]
    fn stories_do_not_drift_through_a_chain() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::Store::open(&dir.path().join("t.db")).unwrap();
        let now = Stamp::new(crate::store::parse_ts("2026-11-30T10:00:00Z").unwrap());
        let f0: u64 = 0x0123_4567_89ab_cdef;
        let f1 = f0 ^ 0xff; // 8 bits from f0
        let f2 = f1 ^ (0xff << 32); // 8 bits from f1, 16 from f0
        let mut index = StoryIndex::default();
        store
            .write(|tx| {
                let a = index
                    .assign_story(tx, 1, f0, &[], None, None, "a", &now)?
                    .story_id;
                let b = index
                    .assign_story(tx, 2, f1, &[], None, None, "b", &now)?
                    .story_id;
                let c = index
                    .assign_story(tx, 3, f2, &[], None, None, "c", &now)?
                    .story_id;
                assert_eq!(a, b, "close to the founder: joins");
                assert_ne!(c, a, "close only to a member: a new story");
                // The same URL within the window joins whatever the fingerprint.
                let url = Some("https://x.example/news/2026/11/30/a-story");
                let d = index
                    .assign_story(tx, 4, !f0, &[], None, url, "d", &now)?
                    .story_id;
                let e = index
                    .assign_story(tx, 5, f0, &[], None, url, "e", &now)?
                    .story_id;
                assert_eq!(d, e);
                Ok(())
            })
            .unwrap();
    }
}
