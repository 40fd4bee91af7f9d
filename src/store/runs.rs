//! Daemon runs (`runs` table): the scheduler records when it started, beats
//! a heartbeat while alive, counts reloads and records how it stopped, so
//! `status` can tell uptime and whether the last run ended cleanly.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store, ts};

/// One row of `runs`, as `status` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub started_at: String,
    pub pid: i64,
    pub version: String,
    pub config: String,
    pub heartbeat_at: String,
    pub reloads: i64,
    pub last_reload_at: Option<String>,
    pub stopped_at: Option<String>,
    pub stop_reason: Option<String>,
}

/// Pending and failed mail, for `status`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct OutboxBacklog {
    pub pending: i64,
    pub failed: i64,
    pub sent: i64,
    pub oldest_pending_at: Option<String>,
    pub next_attempt_at: Option<String>,
}

/// The newest digest that went out.
#[derive(Debug, Clone, Serialize)]
pub struct SentDigest {
    pub name: String,
    pub sent_at: Option<String>,
    pub period_start: String,
    pub period_end: String,
    pub entries: i64,
}

impl Store {
    /// Record the start of a daemon run; returns its id.
    pub fn start_run(&self, now: DateTime<Utc>, pid: u32, config: &str) -> Result<i64> {
        self.conn
            .execute(
                "INSERT INTO runs (started_at, pid, version, config, heartbeat_at)
                 VALUES (?1, ?2, ?3, ?4, ?1)",
                params![ts(now), pid, env!("CARGO_PKG_VERSION"), config],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// The run is alive at `now`.
    pub fn heartbeat_run(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.exec_run(
            "UPDATE runs SET heartbeat_at = ?2 WHERE id = ?1",
            id,
            ts(now),
        )
    }

    /// The run reloaded its configuration at `now`.
    pub fn note_run_reload(&self, id: i64, now: DateTime<Utc>) -> Result<()> {
        self.exec_run(
            "UPDATE runs SET reloads = reloads + 1, last_reload_at = ?2, heartbeat_at = ?2 WHERE id = ?1",
            id,
            ts(now),
        )
    }

    /// The run stopped cleanly at `now` because of `reason`.
    pub fn stop_run(&self, id: i64, now: DateTime<Utc>, reason: &str) -> Result<()> {
        self.conn
            .execute(
                "UPDATE runs SET stopped_at = ?2, heartbeat_at = ?2, stop_reason = ?3 WHERE id = ?1",
                params![id, ts(now), reason],
            )
            .map(drop)
            .map_err(|e| self.err(e))
    }

    fn exec_run(&self, sql: &str, id: i64, at: String) -> Result<()> {
        self.conn
            .execute(sql, params![id, at])
            .map(drop)
            .map_err(|e| self.err(e))
    }

    /// The newest daemon run, if the daemon ever ran on this database.
    pub fn last_run(&self) -> Result<Option<RunRow>> {
        self.conn
            .query_row(
                "SELECT id, started_at, pid, version, config, heartbeat_at, reloads,
                        last_reload_at, stopped_at, stop_reason
                 FROM runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(RunRow {
                        id: r.get(0)?,
                        started_at: r.get(1)?,
                        pid: r.get(2)?,
                        version: r.get(3)?,
                        config: r.get(4)?,
                        heartbeat_at: r.get(5)?,
                        reloads: r.get(6)?,
                        last_reload_at: r.get(7)?,
                        stopped_at: r.get(8)?,
                        stop_reason: r.get(9)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Mail waiting, given up on and sent.
    pub fn outbox_backlog(&self) -> Result<OutboxBacklog> {
        self.conn
            .query_row(
                "SELECT count(*) FILTER (WHERE status = 'pending'),
                        count(*) FILTER (WHERE status = 'failed'),
                        count(*) FILTER (WHERE status = 'sent'),
                        min(created_at) FILTER (WHERE status = 'pending'),
                        min(max(next_attempt_at, not_before)) FILTER (WHERE status = 'pending')
                 FROM outbox",
                [],
                |r| {
                    Ok(OutboxBacklog {
                        pending: r.get(0)?,
                        failed: r.get(1)?,
                        sent: r.get(2)?,
                        oldest_pending_at: r.get(3)?,
                        next_attempt_at: r.get(4)?,
                    })
                },
            )
            .map_err(|e| self.err(e))
    }

    /// The newest digest that was sent (its mail may still be in the outbox).
    pub fn last_sent_digest(&self) -> Result<Option<SentDigest>> {
        self.conn
            .query_row(
                "SELECT d.name, o.sent_at, d.period_start, d.period_end, d.entries
                 FROM digests d LEFT JOIN outbox o ON o.digest_id = d.id
                 WHERE d.sent = 1 ORDER BY d.id DESC LIMIT 1",
                [],
                |r| {
                    Ok(SentDigest {
                        name: r.get(0)?,
                        sent_at: r.get(1)?,
                        period_start: r.get(2)?,
                        period_end: r.get(3)?,
                        entries: r.get(4)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.err(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_recorded_from_start_to_stop() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        assert!(store.last_run().unwrap().is_none());
        let t0 = crate::store::parse_ts("2026-11-30T10:00:00Z").unwrap();
        let id = store
            .start_run(t0, 42, "/etc/newswatch/newswatch.toml")
            .unwrap();
        store
            .heartbeat_run(id, t0 + chrono::Duration::minutes(1))
            .unwrap();
        store
            .note_run_reload(id, t0 + chrono::Duration::minutes(2))
            .unwrap();
        let run = store.last_run().unwrap().unwrap();
        assert_eq!(run.pid, 42);
        assert_eq!(run.reloads, 1);
        assert_eq!(run.heartbeat_at, "2026-11-30T10:02:00Z");
        assert!(run.stopped_at.is_none());
        store
            .stop_run(id, t0 + chrono::Duration::minutes(3), "SIGTERM")
            .unwrap();
        let run = store.last_run().unwrap().unwrap();
        assert_eq!(run.stopped_at.as_deref(), Some("2026-11-30T10:03:00Z"));
        assert_eq!(run.stop_reason.as_deref(), Some("SIGTERM"));
    }
}
