//! The write transaction of the commit stage (`pipeline::commit`): a
//! [`WriteTx`] whose methods are the typed reads of the history a fetch
//! needs and the typed writes of what it produced. The commit stage decides
//! (with `detect`); this module only speaks SQL.
//!
//! [`Store::write`] runs one transaction: `BEGIN IMMEDIATE`, the caller's
//! reads and writes, the full-text index writes batched at the end, then
//! `COMMIT`; anything failing rolls all of it back. The tables of one fetch
//! (fetch row, items, versions, keys, matches, revisions, statements,
//! shifts, stories, outbox rows, source state) live in `write.rs`,
//! `items.rs` and `detections.rs`; alert rows in `outbox.rs`.

use std::borrow::Cow;
use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Transaction, params};

use super::{Result, Store, StoreError, sqlite_err, ts};
use crate::model::{FetchStatus, ItemId, SourceId, Validators};

/// Row id of a `fetches` row.
pub type FetchId = i64;

/// A time as the database stores it, formatted once: a fetch's writes all
/// carry the time the fetch started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stamp {
    at: DateTime<Utc>,
    text: String,
}

impl Stamp {
    pub fn new(at: DateTime<Utc>) -> Stamp {
        Stamp { at, text: ts(at) }
    }

    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    pub(super) fn text(&self) -> &str {
        &self.text
    }
}

/// One write transaction (see the module docs). `'r`: what the search
/// index writes borrow until the commit (the fetch records).
pub struct WriteTx<'c, 'r> {
    tx: Transaction<'c>,
    path: &'c Path,
    search: SearchWrites<'r>,
}

impl Store {
    /// Run `f` in one write transaction and commit it; roll it back when
    /// `f` or the commit fails. The transaction takes the write lock at
    /// BEGIN (see `write_transaction`), and how it ended sets the lock wait
    /// of the next ones (`note_lock`).
    pub fn write<'r, R>(
        &mut self,
        f: impl for<'c> FnOnce(&mut WriteTx<'c, 'r>) -> Result<R>,
    ) -> Result<R> {
        let result = (|| {
            let tx =
                super::write_transaction(&mut self.conn).map_err(|e| sqlite_err(&self.path, e))?;
            let mut w = WriteTx {
                tx,
                path: &self.path,
                search: SearchWrites::default(),
            };
            let value = f(&mut w)?;
            let WriteTx {
                tx,
                path,
                mut search,
            } = w;
            search.apply(&tx).map_err(|e| sqlite_err(path, e))?;
            tx.commit().map_err(|e| sqlite_err(path, e))?;
            Ok(value)
        })();
        self.note_lock(result.as_ref().map(drop));
        result
    }
}

/// A fetch attempt, as its `fetches` row records it.
#[derive(Clone, Debug)]
pub struct NewFetch<'a> {
    pub source_id: SourceId,
    pub started_at: &'a Stamp,
    pub duration_ms: u64,
    /// Requested URL, or `file://…` for `ingest`.
    pub url: &'a str,
    pub http_status: Option<u16>,
    pub outcome: &'a FetchStatus,
    pub bytes: u64,
    pub error: Option<&'a str>,
}

/// How the source row changes after an attempt.
#[derive(Clone, Debug, Default)]
pub struct SourceUpdate {
    /// New validators to remember (None = keep the stored ones).
    pub validators: Option<Validators>,
    /// A permanent redirect's target: becomes the source's URL.
    pub new_url: Option<String>,
    /// Disable the source with this reason (410 Gone).
    pub disable_reason: Option<String>,
    /// When to poll next (None = leave the plan alone, e.g. for `ingest`).
    pub next_poll_at: Option<DateTime<Utc>>,
    /// The error streak after this attempt (None = leave alone).
    pub error_streak: Option<u32>,
    /// The regular interval planned from this attempt (None = leave alone).
    pub interval: Option<std::time::Duration>,
}

/// The source's state after an attempt: what its last fetch row says,
/// whether it brought new items, and the planned changes.
#[derive(Clone, Debug)]
pub struct SourceAfterFetch<'a> {
    pub fetch: &'a NewFetch<'a>,
    pub new_items: u64,
    pub update: &'a SourceUpdate,
}

impl<'c, 'r> WriteTx<'c, 'r> {
    pub(super) fn conn(&self) -> &Connection {
        &self.tx
    }

    pub(super) fn err(&self, e: rusqlite::Error) -> StoreError {
        sqlite_err(self.path, e)
    }

    /// The `fetches` row of an attempt.
    pub fn insert_fetch(&self, f: &NewFetch<'_>) -> Result<FetchId> {
        self.tx
            .prepare_cached(
                "INSERT INTO fetches (source_id, started_at, duration_ms, url, http_status, outcome, bytes, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    f.source_id,
                    f.started_at.text(),
                    f.duration_ms as i64,
                    f.url,
                    f.http_status,
                    f.outcome.as_str(),
                    f.bytes as i64,
                    f.error
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(self.tx.last_insert_rowid())
    }

    /// What a stored document held: entries seen, new, changed.
    pub fn set_fetch_counts(
        &self,
        fetch: FetchId,
        seen: u64,
        new: u64,
        changed: u64,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE fetches SET items_seen = ?2, items_new = ?3, items_changed = ?4 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![fetch, seen as i64, new as i64, changed as i64]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The source row after an attempt: last status, error streak, the
    /// plan, validators, a moved URL, a disabling.
    pub fn update_source(&self, s: &SourceAfterFetch<'_>) -> Result<()> {
        let f = s.fetch;
        let u = s.update;
        let ok = matches!(f.outcome, FetchStatus::Ok | FetchStatus::NotModified);
        let e = |e| self.err(e);
        self.tx
            .prepare_cached(
                "UPDATE sources SET
                     last_fetch_at = ?2,
                     last_status = ?3,
                     last_http_status = ?4,
                     last_error = ?5,
                     last_ok_at = CASE WHEN ?6 THEN ?2 ELSE last_ok_at END,
                     last_new_item_at = CASE WHEN ?7 > 0 THEN ?2 ELSE last_new_item_at END,
                     error_streak = coalesce(?8, error_streak),
                     next_poll_at = coalesce(?9, next_poll_at),
                     poll_interval_s = coalesce(?10, poll_interval_s)
                 WHERE id = ?1",
            )
            .and_then(|mut st| {
                st.execute(params![
                    f.source_id,
                    f.started_at.text(),
                    f.outcome.as_str(),
                    f.http_status,
                    f.error,
                    ok,
                    s.new_items as i64,
                    u.error_streak.map(i64::from),
                    u.next_poll_at.map(ts),
                    u.interval.map(|d| d.as_secs() as i64)
                ])
            })
            .map_err(e)?;
        if let Some(v) = &u.validators {
            self.tx
                .prepare_cached("UPDATE sources SET etag = ?2, last_modified = ?3 WHERE id = ?1")
                .and_then(|mut st| st.execute(params![f.source_id, v.etag, v.last_modified]))
                .map_err(e)?;
        }
        if let Some(url) = &u.new_url {
            self.tx
                .prepare_cached("UPDATE sources SET url = ?2 WHERE id = ?1")
                .and_then(|mut st| st.execute(params![f.source_id, url]))
                .map_err(e)?;
        }
        if let Some(reason) = &u.disable_reason {
            self.tx
                .prepare_cached(
                    "UPDATE sources SET enabled = 0, disabled_reason = ?2 WHERE id = ?1",
                )
                .and_then(|mut st| st.execute(params![f.source_id, reason]))
                .map_err(e)?;
        }
        Ok(())
    }

    /// Index an item's title and text for full-text search, in the form
    /// `text::search_document` makes (folded, with their stems), after
    /// removing its old terms when `replace`. Written at the commit, in
    /// the order given: see [`SearchWrites`].
    pub fn index_for_search(
        &mut self,
        item: ItemId,
        title: Cow<'r, str>,
        text: Cow<'r, str>,
        replace: bool,
    ) {
        self.search.writes.push(SearchWrite {
            item,
            replace,
            title,
            text,
        });
    }
}

/// Full-text index writes of a transaction, applied together just before
/// the commit. FTS5 flushes its pending terms to a new segment whenever a
/// statement opens a savepoint (any statement that may need to undo part of
/// itself does), so index writes interleaved with the other inserts made one
/// tiny segment per item and constant merging; written last, a batch of
/// fetches makes one segment.
#[derive(Default)]
struct SearchWrites<'r> {
    writes: Vec<SearchWrite<'r>>,
}

struct SearchWrite<'r> {
    item: ItemId,
    /// The item was indexed before: remove its old terms first.
    replace: bool,
    title: Cow<'r, str>,
    text: Cow<'r, str>,
}

impl SearchWrites<'_> {
    /// Write everything, in the order it was added (an item replaced twice
    /// in one batch ends with its last text).
    #[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
    fn apply(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut delete = tx.prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")?;
        let mut insert =
            tx.prepare_cached("INSERT INTO items_fts (rowid, title, text) VALUES (?1, ?2, ?3)")?;
        for w in self.writes.drain(..) {
            if w.replace {
                delete.execute([w.item])?;
            }
            insert.execute(params![w.item, w.title, w.text])?;
        }
        Ok(())
    }
}
