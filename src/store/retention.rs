//! Retention (`[daemon] retention`): empties the text of item versions of
//! items not seen for longer than the retention period, re-indexes those
//! items by title only, and deletes old rows of the `fetches` log. Titles,
//! content hashes, revisions (with their word diffs), statements, shifts,
//! stories, digests and the outbox are never touched, so `changes`, digests
//! and alert threading keep working on old items.
//!
//! Work is done in batches, one transaction each, so the daemon's writer
//! never holds the database for long.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;

use super::{Result, Store, ts};
use crate::text::{fold, search_document};

/// What one batch (or a whole run) pruned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PruneReport {
    /// Items whose text was emptied.
    pub items: u64,
    /// Item versions whose text was emptied.
    pub versions: u64,
    /// Rows of the `fetches` log deleted.
    pub fetches: u64,
    /// Bytes of text removed (before SQLite reuses the pages).
    pub text_bytes: u64,
}

impl PruneReport {
    pub fn add(&mut self, other: PruneReport) {
        self.items += other.items;
        self.versions += other.versions;
        self.fetches += other.fetches;
        self.text_bytes += other.text_bytes;
    }

    pub fn is_empty(&self) -> bool {
        self.items == 0 && self.fetches == 0
    }
}

impl Store {
    /// Prune at most `batch` items last seen before `cutoff` (and as many
    /// old fetch rows), in one transaction. Call until it returns an empty
    /// report.
    pub fn prune_batch(
        &mut self,
        cutoff: DateTime<Utc>,
        now: DateTime<Utc>,
        batch: usize,
    ) -> Result<PruneReport> {
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let tx = super::write_transaction(&mut self.conn).map_err(e)?;
        let mut report = PruneReport::default();
        let cutoff = ts(cutoff);
        let items: Vec<(i64, String, Option<String>)> = tx
            .prepare_cached(
                "SELECT i.id, i.title, i.language FROM items i
                 WHERE i.last_seen < ?1
                   AND EXISTS (SELECT 1 FROM item_versions v
                               WHERE v.item_id = i.id AND v.pruned_at IS NULL)
                 LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![cutoff, batch as i64], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?
                .collect()
            })
            .map_err(e)?;
        for (id, title, language) in &items {
            let (versions, bytes): (i64, i64) = tx
                .prepare_cached(
                    "SELECT count(*), coalesce(sum(length(CAST(text AS BLOB))), 0)
                     FROM item_versions WHERE item_id = ?1 AND pruned_at IS NULL",
                )
                .and_then(|mut s| s.query_row([id], |r| Ok((r.get(0)?, r.get(1)?))))
                .map_err(e)?;
            tx.prepare_cached(
                "UPDATE item_versions SET text = '', pruned_at = ?2
                 WHERE item_id = ?1 AND pruned_at IS NULL",
            )
            .and_then(|mut s| s.execute(params![id, ts(now)]))
            .map_err(e)?;
            // The index keeps the title: old items stay findable by headline.
            tx.prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")
                .and_then(|mut s| s.execute([id]))
                .map_err(e)?;
            tx.prepare_cached("INSERT INTO items_fts (rowid, title, text) VALUES (?1, ?2, '')")
                .and_then(|mut s| {
                    s.execute(params![
                        id,
                        search_document(&fold(title), language.as_deref())
                    ])
                })
                .map_err(e)?;
            report.items += 1;
            report.versions += versions as u64;
            report.text_bytes += bytes as u64;
        }
        report.fetches = tx
            .prepare_cached(
                "DELETE FROM fetches WHERE id IN
                   (SELECT id FROM fetches WHERE started_at < ?1 ORDER BY id LIMIT ?2)",
            )
            .and_then(|mut s| s.execute(params![cutoff, batch as i64]))
            .map_err(e)? as u64;
        tx.commit().map_err(e)?;
        Ok(report)
    }
}
