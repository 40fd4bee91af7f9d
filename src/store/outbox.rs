//! The outbox: mail waiting to be delivered, and the digest runs.
//!
//! Alert rows are queued inside the fetch's own transaction (`alerts`), so
//! an item and the alert it causes commit together. The notifier reads due
//! rows, and records each attempt: a row becomes `sent` only after the
//! server accepted the message.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::{Result, Store, StoreError, later, parse_ts, ts};

/// One outbox row.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct OutboxRow {
    pub id: i64,
    /// `story`, `revision`, `shift` or `digest`.
    pub kind: String,
    pub dedupe_key: String,
    pub topics: Vec<String>,
    pub item_id: Option<i64>,
    pub story_id: Option<i64>,
    pub revision_id: Option<i64>,
    pub shift_id: Option<i64>,
    pub digest_id: Option<i64>,
    /// Name of the digest for `digest` rows.
    pub digest: Option<String>,
    pub message_key: String,
    pub parent_key: Option<String>,
    pub created_at: String,
    pub not_before: String,
    /// `pending`, `sent` or `failed` (given up; `outbox retry` requeues).
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    pub sent_at: Option<String>,
    pub server_reply: Option<String>,
    pub subject: Option<String>,
}

const OUTBOX_COLUMNS: &str = "o.id, o.kind, o.dedupe_key, o.topics, o.item_id, o.story_id,
    o.revision_id, o.shift_id, o.digest_id, d.name, o.message_key, o.parent_key, o.created_at,
    o.not_before, o.status, o.attempts, o.next_attempt_at, o.last_error, o.sent_at,
    o.server_reply, o.subject";

fn outbox_row(r: &Row<'_>) -> rusqlite::Result<OutboxRow> {
    let topics: String = r.get(3)?;
    Ok(OutboxRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        dedupe_key: r.get(2)?,
        topics: serde_json::from_str(&topics).unwrap_or_default(),
        item_id: r.get(4)?,
        story_id: r.get(5)?,
        revision_id: r.get(6)?,
        shift_id: r.get(7)?,
        digest_id: r.get(8)?,
        digest: r.get(9)?,
        message_key: r.get(10)?,
        parent_key: r.get(11)?,
        created_at: r.get(12)?,
        not_before: r.get(13)?,
        status: r.get(14)?,
        attempts: r.get(15)?,
        next_attempt_at: r.get(16)?,
        last_error: r.get(17)?,
        sent_at: r.get(18)?,
        server_reply: r.get(19)?,
        subject: r.get(20)?,
    })
}

/// Which rows `outbox` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxFilter {
    All,
    Pending,
    Sent,
    Failed,
}

/// A position in the stored history: the highest item, revision and shift
/// ids. A digest covers what lies between two watermarks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Watermark {
    pub item: i64,
    pub revision: i64,
    pub shift: i64,
}

/// A digest run as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestRun {
    pub id: i64,
    pub slot: DateTime<Utc>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub manual: bool,
    pub after: Watermark,
    pub upto: Watermark,
}

const DIGEST_COLUMNS: &str = "id, name, slot, period_start, period_end, manual,
    after_item, after_revision, after_shift, upto_item, upto_revision, upto_shift";

fn digest_run(r: &Row<'_>) -> rusqlite::Result<(String, Option<DigestRun>)> {
    let time = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
        Ok(parse_ts(&r.get::<_, String>(i)?))
    };
    let run = match (time(2)?, time(3)?, time(4)?) {
        (Some(slot), Some(period_start), Some(period_end)) => Some(DigestRun {
            id: r.get(0)?,
            slot,
            period_start,
            period_end,
            manual: r.get(5)?,
            after: Watermark {
                item: r.get(6)?,
                revision: r.get(7)?,
                shift: r.get(8)?,
            },
            upto: Watermark {
                item: r.get(9)?,
                revision: r.get(10)?,
                shift: r.get(11)?,
            },
        }),
        _ => None,
    };
    Ok((r.get(1)?, run))
}

/// A digest run to record.
#[derive(Clone, Debug)]
pub struct NewDigest<'a> {
    pub name: &'a str,
    pub slot: DateTime<Utc>,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub after: Watermark,
    pub upto: Watermark,
    pub manual: bool,
    /// Stories + revisions + shifts it reports.
    pub entries: usize,
    /// Queue it for sending (false: an empty digest, recorded so the next
    /// one starts where this one ended).
    pub send: bool,
    pub now: DateTime<Utc>,
}

impl Store {
    /// Rows whose time has come: pending, past the grouping window and the
    /// retry backoff; oldest first. A row planned more than `horizon` past
    /// `now` (the longest wait the notifier plans) is due too: a clock since
    /// stepped back planned it.
    pub fn due_outbox(
        &self,
        now: DateTime<Utc>,
        horizon: Duration,
        limit: usize,
    ) -> Result<Vec<OutboxRow>> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o LEFT JOIN digests d ON d.id = o.digest_id
             WHERE o.status = 'pending' AND (o.next_attempt_at <= ?1 OR o.next_attempt_at > ?2)
             ORDER BY o.id LIMIT ?3"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(
                    params![ts(now), ts(later(now, horizon)), limit as i64],
                    outbox_row,
                )?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// One outbox row by id.
    pub fn outbox_row(&self, id: i64) -> Result<OutboxRow> {
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o LEFT JOIN digests d ON d.id = o.digest_id
             WHERE o.id = ?1"
        );
        self.conn
            .query_row(&sql, [id], outbox_row)
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| super::StoreError::NotFound(format!("no outbox row {id}")))
    }

    /// When the next pending row becomes due, if any (`horizon` as in
    /// `due_outbox`).
    pub fn next_outbox_due(
        &self,
        now: DateTime<Utc>,
        horizon: Duration,
    ) -> Result<Option<DateTime<Utc>>> {
        let next: Option<String> = self
            .conn
            .query_row(
                "SELECT min(CASE WHEN next_attempt_at > ?2 THEN ?1 ELSE next_attempt_at END)
                 FROM outbox WHERE status = 'pending'",
                params![ts(now), ts(later(now, horizon))],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        Ok(next.as_deref().and_then(parse_ts))
    }

    /// Make every pending row due now, skipping grouping windows and backoff
    /// (for `poll`, whose pass is the grouping window, and `outbox send`).
    /// A churning item's combined alert waits out its hold unless
    /// `held_too` (`outbox send`): a `poll` run every few minutes must not
    /// send each update the hold is there to combine.
    pub fn expedite_outbox(&self, now: DateTime<Utc>, held_too: bool) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE outbox SET next_attempt_at = ?1
                 WHERE status = 'pending' AND next_attempt_at > ?1
                   AND (?2 OR dedupe_key NOT LIKE ?3)",
                params![ts(now), held_too, format!("{}%", super::CHURN_KEY_PREFIX)],
            )
            .map_err(|e| self.err(e))
    }

    /// The server accepted the message rendered from the row as it was read,
    /// showing `rendered_revision` (its `revision_id` then). A churning
    /// item's combined alert can have moved on to a later revision while the
    /// message was composed and sent: the row is recorded as sent with the
    /// revision the message showed, and the later updates, which were not in
    /// it, go to a new combined alert that starts its own hold. No update is
    /// marked sent unless it was in the message; one transaction, so a fetch
    /// cannot move the row in between.
    pub fn mark_sent(
        &mut self,
        id: i64,
        rendered_revision: Option<i64>,
        now: DateTime<Utc>,
        subject: &str,
        server_reply: &str,
    ) -> Result<()> {
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let tx = super::write_transaction(&mut self.conn).map_err(e)?;
        let current: Option<(Option<i64>, Option<i64>, String)> = tx
            .query_row(
                "SELECT revision_id, item_id, status FROM outbox WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(e)?;
        if let Some((Some(latest), Some(item), status)) = current
            && status == "pending"
            && rendered_revision.is_some_and(|shown| shown < latest)
        {
            let shown = rendered_revision.unwrap_or(latest);
            // The first update after the one shown starts the new alert.
            let first: i64 = tx
                .query_row(
                    "SELECT coalesce(min(id), ?3) FROM revisions
                     WHERE item_id = ?1 AND id > ?2 AND id <= ?3",
                    params![item, shown, latest],
                    |r| r.get(0),
                )
                .map_err(e)?;
            let key = format!("{}{item}-{first}", super::CHURN_KEY_PREFIX);
            let due = ts(now + chrono::Duration::hours(super::CHURN_ALERT_HOLD_HOURS));
            tx.execute(
                "INSERT OR IGNORE INTO outbox
                     (kind, dedupe_key, topics, item_id, story_id, revision_id, message_key,
                      parent_key, created_at, not_before, next_attempt_at)
                 SELECT kind, ?2, topics, item_id, story_id, revision_id,
                        'newswatch.' || ?2 || '.' || (SELECT value FROM meta WHERE key = 'instance'),
                        parent_key, ?3, ?4, ?4
                 FROM outbox WHERE id = ?1",
                params![id, key, ts(now), due],
            )
            .map_err(e)?;
        }
        tx.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?2, subject = ?3, server_reply = ?4,
                 attempts = attempts + 1, last_error = NULL,
                 revision_id = coalesce(?5, revision_id)
             WHERE id = ?1",
            params![id, ts(now), subject, server_reply, rendered_revision],
        )
        .map_err(e)?;
        tx.commit().map_err(e)
    }

    /// An attempt failed: try again at `retry_at`, or give up (`None`).
    pub fn mark_attempt_failed(
        &self,
        id: i64,
        error: &str,
        subject: Option<&str>,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        let (status, next) = match retry_at {
            Some(t) => ("pending", Some(ts(t))),
            None => ("failed", None),
        };
        self.conn
            .execute(
                "UPDATE outbox SET status = ?2, attempts = attempts + 1, last_error = ?3,
                     next_attempt_at = coalesce(?4, next_attempt_at),
                     subject = coalesce(?5, subject)
                 WHERE id = ?1",
                params![id, status, error, next, subject],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// Requeue rows that were given up on; returns how many.
    pub fn retry_failed_outbox(&self, now: DateTime<Utc>) -> Result<usize> {
        self.conn
            .execute(
                "UPDATE outbox SET status = 'pending', next_attempt_at = ?1, attempts = 0
                 WHERE status = 'failed'",
                [ts(now)],
            )
            .map_err(|e| self.err(e))
    }

    /// Outbox rows, newest first.
    pub fn outbox(&self, filter: OutboxFilter, limit: usize) -> Result<Vec<OutboxRow>> {
        let status = match filter {
            OutboxFilter::All => None,
            OutboxFilter::Pending => Some("pending"),
            OutboxFilter::Sent => Some("sent"),
            OutboxFilter::Failed => Some("failed"),
        };
        let sql = format!(
            "SELECT {OUTBOX_COLUMNS} FROM outbox o LEFT JOIN digests d ON d.id = o.digest_id
             WHERE ?1 IS NULL OR o.status = ?1
             ORDER BY o.id DESC LIMIT ?2"
        );
        self.conn
            .prepare(&sql)
            .and_then(|mut s| {
                s.query_map(params![status, limit as i64], outbox_row)?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Counts of outbox rows by status: (pending, sent, failed).
    pub fn outbox_counts(&self) -> Result<(i64, i64, i64)> {
        self.conn
            .query_row(
                "SELECT count(*) FILTER (WHERE status = 'pending'),
                        count(*) FILTER (WHERE status = 'sent'),
                        count(*) FILTER (WHERE status = 'failed')
                 FROM outbox",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.err(e))
    }

    /// The newest scheduled run of digest `name` for a slot at or before
    /// `now`, if any (manual runs do not move the schedule, but do move where
    /// the next period starts: see `last_digest`). A run for a later slot was
    /// recorded by a clock since stepped back, and must not hold the schedule
    /// off until the clock catches up with it.
    pub fn last_scheduled_digest(
        &self,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DigestRun>> {
        self.one_digest(
            &format!(
                "SELECT {DIGEST_COLUMNS} FROM digests
                 WHERE name = ?1 AND manual = 0 AND slot <= ?2
                 ORDER BY slot DESC, id DESC LIMIT 1"
            ),
            params![name, ts(now)],
        )
        .map(|r| r.map(|(_, run)| run))
    }

    /// The newest run of digest `name`, scheduled or manual.
    pub fn last_digest(&self, name: &str) -> Result<Option<DigestRun>> {
        self.one_digest(
            &format!(
                "SELECT {DIGEST_COLUMNS} FROM digests
                 WHERE name = ?1 ORDER BY id DESC LIMIT 1"
            ),
            params![name],
        )
        .map(|r| r.map(|(_, run)| run))
    }

    /// The digest run with this id, with its name.
    pub fn digest_by_id(&self, id: i64) -> Result<Option<(String, DigestRun)>> {
        self.one_digest(
            &format!("SELECT {DIGEST_COLUMNS} FROM digests WHERE id = ?1"),
            params![id],
        )
    }

    fn one_digest(
        &self,
        sql: &str,
        args: impl rusqlite::Params,
    ) -> Result<Option<(String, DigestRun)>> {
        let row = self
            .conn
            .query_row(sql, args, digest_run)
            .optional()
            .map_err(|e| self.err(e))?;
        Ok(row.and_then(|(name, run)| Some((name, run?))))
    }

    /// Where the stored history ends now.
    pub fn watermark(&self) -> Result<Watermark> {
        self.conn
            .query_row(
                "SELECT (SELECT coalesce(max(id), 0) FROM items),
                        (SELECT coalesce(max(id), 0) FROM revisions),
                        (SELECT coalesce(max(id), 0) FROM shifts)",
                [],
                watermark_row,
            )
            .map_err(|e| self.err(e))
    }

    /// Where the stored history ended at `t`: the highest ids first seen before it.
    pub fn watermark_before(&self, t: DateTime<Utc>) -> Result<Watermark> {
        self.conn
            .query_row(
                "SELECT (SELECT coalesce(max(id), 0) FROM items WHERE first_seen < ?1),
                        (SELECT coalesce(max(id), 0) FROM revisions WHERE seen_at < ?1),
                        (SELECT coalesce(max(id), 0) FROM shifts WHERE seen_at < ?1)",
                [ts(t)],
                watermark_row,
            )
            .map_err(|e| self.err(e))
    }

    /// Record a digest run and, when it is to be sent, its outbox row, in one
    /// transaction. Returns the outbox row id when one was queued. A second
    /// run for the same scheduled slot is refused by the unique index, so a
    /// digest is never queued twice.
    pub fn record_digest(&mut self, d: &NewDigest<'_>) -> Result<Option<i64>> {
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let tx = super::write_transaction(&mut self.conn).map_err(e)?;
        tx.execute(
            "INSERT INTO digests (name, slot, period_start, period_end, created_at, manual, entries, sent,
                 after_item, after_revision, after_shift, upto_item, upto_revision, upto_shift)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                d.name,
                ts(d.slot),
                ts(d.period_start),
                ts(d.period_end),
                ts(d.now),
                d.manual,
                d.entries as i64,
                d.send,
                d.after.item,
                d.after.revision,
                d.after.shift,
                d.upto.item,
                d.upto.revision,
                d.upto.shift
            ],
        )
        .map_err(|err| match err.sqlite_error_code() {
            // Another process recorded this digest for the same slot first.
            Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict(format!(
                "digest '{}' was recorded for {} by another newswatch just now; \
                 run the command again to send what came in since",
                d.name,
                ts(d.slot)
            )),
            _ => e(err),
        })?;
        let digest_id = tx.last_insert_rowid();
        let mut outbox_id = None;
        if d.send {
            let now = ts(d.now);
            tx.execute(
                "INSERT INTO outbox (kind, dedupe_key, digest_id, message_key, created_at,
                     not_before, next_attempt_at)
                 VALUES ('digest', 'digest-' || ?1, ?1,
                     'newswatch.digest-' || ?1 || '.' || (SELECT value FROM meta WHERE key = 'instance'),
                     ?2, ?2, ?2)",
                params![digest_id, now],
            )
            .map_err(e)?;
            outbox_id = Some(tx.last_insert_rowid());
        }
        tx.commit().map_err(e)?;
        Ok(outbox_id)
    }
}

/// A watermark from a row of (items, revisions, shifts) ids.
fn watermark_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Watermark> {
    Ok(Watermark {
        item: r.get(0)?,
        revision: r.get(1)?,
        shift: r.get(2)?,
    })
}
