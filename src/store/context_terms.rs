//! A topic's temporary context terms (`context_terms` table): names seen
//! with its strong matches, with first and last sighting and a count. What
//! counts as strong and when a term expires is `detect::relevance::context`'s
//! to say; this only keeps the rows.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Result, Stamp, Store, WriteTx, ts};
use crate::model::{ItemId, SourceId};

/// One context term of a topic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContextTermRow {
    pub topic: String,
    pub term: String,
    pub first_seen: String,
    pub last_seen: String,
    pub count: i64,
}

impl WriteTx<'_, '_> {
    /// Count one strong match of `topic` naming `terms`, at `now`; the
    /// topic's terms last seen before `expired_before` are deleted first
    /// (a term that comes back starts again).
    pub fn note_context_terms(
        &self,
        topic: &str,
        terms: &[String],
        now: &Stamp,
        expired_before: DateTime<Utc>,
    ) -> Result<()> {
        if terms.is_empty() {
            return Ok(());
        }
        self.conn()
            .prepare_cached("DELETE FROM context_terms WHERE topic = ?1 AND last_seen < ?2")
            .and_then(|mut s| s.execute(params![topic, ts(expired_before)]))
            .map_err(|e| self.err(e))?;
        let mut upsert = self
            .conn()
            .prepare_cached(
                "INSERT INTO context_terms (topic, term, first_seen, last_seen, count)
                 VALUES (?1, ?2, ?3, ?3, 1)
                 ON CONFLICT (topic, term) DO UPDATE SET
                     count = count + 1, last_seen = max(last_seen, ?3)",
            )
            .map_err(|e| self.err(e))?;
        for term in terms {
            upsert
                .execute(params![topic, term, now.text()])
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }
}

impl Store {
    /// The context terms of `topic` last seen at or after `since` and
    /// counted at least `min_count` times, most counted first.
    pub fn context_terms(
        &self,
        topic: &str,
        since: DateTime<Utc>,
        min_count: i64,
    ) -> Result<Vec<ContextTermRow>> {
        self.conn
            .prepare(
                "SELECT topic, term, first_seen, last_seen, count FROM context_terms
                 WHERE topic = ?1 AND last_seen >= ?2 AND count >= ?3
                 ORDER BY count DESC, last_seen DESC, term",
            )
            .and_then(|mut s| {
                s.query_map(params![topic, ts(since), min_count], |r| {
                    Ok(ContextTermRow {
                        topic: r.get(0)?,
                        term: r.get(1)?,
                        first_seen: r.get(2)?,
                        last_seen: r.get(3)?,
                        count: r.get(4)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }
}

/// What [`Store::prune_context_terms`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ContextPrune {
    /// Terms last seen before the expiry.
    pub expired: u64,
    /// Terms of topics no longer configured.
    pub unconfigured: u64,
}

impl Store {
    /// Delete, in one transaction, the context terms last seen before
    /// `expired_before` and those of every topic not in `topics` (the
    /// configured ones).
    pub fn prune_context_terms(
        &mut self,
        expired_before: DateTime<Utc>,
        topics: &[String],
    ) -> Result<ContextPrune> {
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let tx = super::write_transaction(&mut self.conn).map_err(e)?;
        // The configured topics as a JSON array: one statement, any count.
        let configured = serde_json::to_string(topics).unwrap_or_else(|_| "[]".to_owned());
        let unconfigured = tx
            .prepare_cached(
                "DELETE FROM context_terms
                 WHERE topic NOT IN (SELECT value FROM json_each(?1))",
            )
            .and_then(|mut s| s.execute([&configured]))
            .map_err(e)? as u64;
        let expired = tx
            .prepare_cached("DELETE FROM context_terms WHERE last_seen < ?1")
            .and_then(|mut s| s.execute([ts(expired_before)]))
            .map_err(e)? as u64;
        tx.commit().map_err(e)?;
        Ok(ContextPrune {
            expired,
            unconfigured,
        })
    }
}

impl Store {
    /// For the items published since `since`: the story through which the
    /// latest version of each is relevant to `topic` (items relevant on
    /// their own, or not at all, are left out). One read for a whole list.
    pub fn via_story_matches(
        &self,
        topic: &str,
        since: DateTime<Utc>,
    ) -> Result<std::collections::HashMap<i64, i64>> {
        self.conn
            .prepare(
                "SELECT m.item_id, m.via_story FROM items i
                 JOIN matches m ON m.item_id = i.id AND m.version = i.version_count
                 WHERE m.topic = ?1 AND m.via_story IS NOT NULL AND i.published_at >= ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![topic, ts(since)], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }
}

/// Earlier members of a story a report's own match re-decides at most (the
/// most recent ones): a bound, so that a match joining a story of
/// thousands writes a few rows, not one per member.
const STORY_MEMBERS_REDECIDED: i64 = 64;

impl WriteTx<'_, '_> {
    /// Context from the story, backwards: `item` (from `source`) matched
    /// `topics` on its own, so the other outlets' reports of `story` stored
    /// before it become relevant to them "via story" in their current
    /// version, unless they match the topic already or the user marked
    /// them irrelevant to it. One statement; returns the items it gave a
    /// topic (each once, however many topics it took).
    pub fn carry_to_story_members(
        &self,
        story: i64,
        item: ItemId,
        source: SourceId,
        topics: &[&str],
        now: &Stamp,
    ) -> Result<Vec<ItemId>> {
        if topics.is_empty() {
            return Ok(Vec::new());
        }
        let topics = serde_json::to_string(topics).unwrap_or_else(|_| "[]".to_owned());
        let mut items: Vec<ItemId> = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO matches (item_id, version, topic, terms, score, seen_at, via_story)
                 SELECT i.id, i.version_count, t.value, '[]', 0.0, ?5, ?1
                 FROM (SELECT id, version_count FROM items
                       WHERE story_id = ?1 AND id <> ?2 AND source_id <> ?3
                       ORDER BY id DESC LIMIT ?6) i
                 CROSS JOIN json_each(?4) t
                 WHERE NOT EXISTS (SELECT 1 FROM feedback f
                                   WHERE f.item_id = i.id AND f.topic = t.value AND f.relevant = 0)
                 RETURNING item_id",
            )
            .and_then(|mut s| {
                s.query_map(
                    params![
                        story,
                        item,
                        source,
                        topics,
                        now.text(),
                        STORY_MEMBERS_REDECIDED
                    ],
                    |r| r.get(0),
                )?
                .collect()
            })
            .map_err(|e| self.err(e))?;
        items.sort_unstable();
        items.dedup();
        Ok(items)
    }
}

impl WriteTx<'_, '_> {
    /// The story an item belongs to, if any.
    pub fn item_story(&self, item: ItemId) -> Result<Option<i64>> {
        self.conn()
            .prepare_cached("SELECT story_id FROM items WHERE id = ?1")
            .and_then(|mut s| s.query_row([item], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}
