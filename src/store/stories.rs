//! Story assignment inside the write transaction: an in-memory index of the
//! fingerprints of recent items (loaded lazily from the database, banded for
//! near-duplicate lookup) so one event reported by many outlets gets one
//! story id. The decision itself is `detect::stories::assign` (pure).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};

use super::{parse_ts, ts};
use crate::detect::stories::{SAME_STORY_MAX_DISTANCE, StoryCandidate, assign, hamming};
use crate::model::SourceId;

/// Items older than this are not joined to (a story is an event, not a theme).
const STORY_WINDOW_HOURS: i64 = 72;

struct Recent {
    story_id: i64,
    fingerprint: u64,
    source: String,
    url: Option<String>,
    seen: DateTime<Utc>,
}

/// Recent fingerprints, split into 8 bands of 8 bits; only items sharing at
/// least one band exactly are compared. Two fingerprints up to 7 bits apart
/// always share a band (pigeonhole); at `SAME_STORY_MAX_DISTANCE` (12) most
/// do (about 4 in 5). More, narrower bands would find all of them but compare
/// nearly every recent item, which a 40,000-item poll cannot afford.
#[derive(Default)]
pub struct StoryIndex {
    loaded: bool,
    recent: Vec<Recent>,
    bands: Vec<HashMap<u64, Vec<usize>>>,
    by_url: HashMap<String, usize>,
}

const BANDS: usize = 8;
/// Most recent items of each band bucket compared with a new one.
const PER_BUCKET: usize = 64;

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

impl StoryIndex {
    /// Forget everything (after a rolled-back transaction the index may name
    /// stories that were never stored).
    pub fn invalidate(&mut self) {
        *self = StoryIndex::default();
    }

    fn ensure_loaded(&mut self, tx: &Connection, now: DateTime<Utc>) -> rusqlite::Result<()> {
        if self.loaded {
            return Ok(());
        }
        self.loaded = true;
        self.bands = (0..band_count()).map(|_| HashMap::new()).collect();
        let since = ts(now - Duration::hours(STORY_WINDOW_HOURS));
        let mut stmt = tx.prepare(
            "SELECT story_id, fingerprint, source_id, url, first_seen FROM items
             WHERE first_seen >= ?1 AND story_id IS NOT NULL AND fingerprint IS NOT NULL",
        )?;
        let rows = stmt.query_map([since], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, String>(4)?,
            ))
        })?;
        for row in rows {
            let (story_id, fp, source, url, seen) = row?;
            let seen = parse_ts(&seen).unwrap_or(now);
            self.push(story_id, fp as u64, source, url, seen);
        }
        Ok(())
    }

    fn push(
        &mut self,
        story_id: i64,
        fingerprint: u64,
        source: SourceId,
        url: Option<String>,
        seen: DateTime<Utc>,
    ) {
        let idx = self.recent.len();
        for (band, key) in band_keys(fingerprint) {
            self.bands[band].entry(key).or_default().push(idx);
        }
        if let Some(u) = &url {
            self.by_url.insert(u.clone(), idx);
        }
        self.recent.push(Recent {
            story_id,
            fingerprint,
            source: source.to_string(),
            url,
            seen,
        });
    }

    /// The story a new item belongs to, creating one if it is a new event.
    pub fn assign_story(
        &mut self,
        tx: &Connection,
        source_id: SourceId,
        fingerprint: u64,
        url: Option<&str>,
        title: &str,
        now: DateTime<Utc>,
    ) -> rusqlite::Result<i64> {
        self.ensure_loaded(tx, now)?;
        // Only the newest items of each bucket are compared: with thousands of
        // recent items an 8-bit bucket holds many unrelated ones, and the
        // newest are the likeliest to be the same event (bounds the work).
        fn newest(bucket: &[usize]) -> impl Iterator<Item = usize> + '_ {
            bucket[bucket.len().saturating_sub(PER_BUCKET)..]
                .iter()
                .copied()
        }
        let by_url = url.and_then(|u| self.by_url.get(u)).copied();
        let window_secs = STORY_WINDOW_HOURS * 3600;
        let now_secs = now.timestamp();
        // Only candidates `assign` could pick (same URL, or close enough)
        // are handed over: most bucket neighbours are far apart.
        let candidates: Vec<StoryCandidate<'_>> = band_keys(fingerprint)
            .filter_map(|(band, key)| self.bands.get(band)?.get(&key))
            .flat_map(|bucket| newest(bucket))
            .filter(|&i| {
                self.recent
                    .get(i)
                    .is_some_and(|r| hamming(r.fingerprint, fingerprint) <= SAME_STORY_MAX_DISTANCE)
            })
            .chain(by_url)
            .filter_map(|i| self.recent.get(i))
            .filter(|r| (now_secs - r.seen.timestamp()).abs() <= window_secs)
            .map(|r| StoryCandidate {
                story_id: r.story_id,
                fingerprint: r.fingerprint,
                url: r.url.as_deref(),
                source: &r.source,
            })
            .collect();
        let source = source_id.to_string();
        let story = match assign(fingerprint, url, &source, &candidates) {
            Some(story) => {
                tx.prepare_cached(
                    "UPDATE stories SET items = items + 1,
                         sources = sources + NOT EXISTS
                             (SELECT 1 FROM items WHERE story_id = ?1 AND source_id = ?2)
                     WHERE id = ?1",
                )?
                .execute(params![story, source_id])?;
                story
            }
            None => {
                tx.prepare_cached("INSERT INTO stories (first_seen, title) VALUES (?1, ?2)")?
                    .execute(params![ts(now), title])?;
                tx.last_insert_rowid()
            }
        };
        self.push(story, fingerprint, source_id, url.map(str::to_string), now);
        if self.recent.len() > 200_000 {
            self.prune(now);
        }
        Ok(story)
    }

    /// Drop entries outside the window (keeps a long-running daemon's index small).
    fn prune(&mut self, now: DateTime<Utc>) {
        let window = Duration::hours(STORY_WINDOW_HOURS);
        let keep: Vec<Recent> = std::mem::take(&mut self.recent)
            .into_iter()
            .filter(|r| (now - r.seen).abs() <= window)
            .collect();
        self.bands = (0..band_count()).map(|_| HashMap::new()).collect();
        self.by_url.clear();
        for r in keep {
            let source: SourceId = r.source.parse().unwrap_or_default();
            self.push(r.story_id, r.fingerprint, source, r.url, r.seen);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
