//! Store: the only module that speaks SQL.
//!
//! One SQLite file in WAL mode with foreign keys on; migrations run at open
//! (`PRAGMA user_version`, see `schema`). One writer connection; the commit
//! stage (`pipeline::commit`) writes each fetch in ONE transaction through
//! the typed reads and writes of [`WriteTx`] (`write`, `items`,
//! `detections`, `outbox`); read-only commands open their own connection.
//! Times are stored everywhere as RFC 3339 UTC text with second precision
//! (`2026-05-04T19:46:55Z`), which sorts correctly as text.
//!
//! The store imports nothing above it: only the shared vocabulary (`model`)
//! and `text`: the folding and stems the search index shares with its
//! queries, and the words a source's health is told in (`health`). It never
//! calls detection or rendering, and never reads a clock (the time is
//! passed in).

mod alerts;
mod changes;
mod churn;
mod context_terms;
mod detections;
mod feedback;
pub mod files;
mod health;
mod items;
mod known;
mod outbox;
mod positions;
mod queries;
mod retention;
mod runs;
mod schema;
mod sources;
mod story_alert;
mod story_corrections;
mod story_reads;
mod views;
mod vocab;
mod wal;
mod write;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};

pub use alerts::{CHURN_ALERT_HOLD_HOURS, CHURN_KEY_PREFIX, QueuedAlerts};
pub use changes::{ChangeFilter, ChangeRow};
pub use churn::StepDiff;
pub use context_terms::{ContextPrune, ContextTermRow};
pub use detections::{EarlierStatement, NewRevision, NewStatement, StoryItem};
pub use feedback::{FeedbackRow, StoredModel};
pub use health::{Health, SourceState};
pub use items::{ItemUpdate, KnownItems, NewItem, StoredItem, StoredVersion};
pub use known::KnownReader;
pub use outbox::{DigestRun, NewDigest, OutboxFilter, OutboxRow, Watermark};
pub use positions::{PositionFilter, PositionRow, ShiftRow, StatementRow};
pub use queries::{
    FetchRow, ItemFilter, ItemRow, ItemText, ItemVersionRow, MatchRow, SearchHit, SourceRow,
    StatusReport,
};
pub use retention::PruneReport;
pub use runs::{OutboxBacklog, RunRow, SentDigest};
pub use sources::{DueFilter, DueSource, NextDue, REASON_NOT_IN_CONFIG, SyncReport, unknown_name};
pub use story_corrections::Correction;
pub use story_reads::{StoryFilter, StoryMemberRow, StoryRow};
// Shared vocabulary the store takes, where its callers have long found it.
pub use crate::model::{SourceSpec, later};
pub use views::{StoredRevision, TopicStories, is_web_url};
pub use wal::Checkpointer;
use wal::WAL_RESTART_BYTES;
pub use write::{FetchId, NewFetch, SourceAfterFetch, SourceUpdate, Stamp, WriteTx};

/// How long a connection waits for a lock held by another process before failing.
/// Readers (CLI) and the daemon's writer share the file; WAL keeps waits short.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a write waits for the lock once a write has found it held by
/// another process for the whole `BUSY_TIMEOUT`, until a write gets through
/// again: the fetches queued behind it then fail in turn within this time
/// instead of `BUSY_TIMEOUT` each (see `Store::note_lock`).
const LOCKED_OUT_WAIT: Duration = Duration::from_millis(250);

/// How the database is opened: never created by SQLite (`files` creates it
/// first, private and without following a link), and a path is a path (no
/// `file:` URIs).
const OPEN_FLAGS: OpenFlags =
    OpenFlags::SQLITE_OPEN_READ_WRITE.union(OpenFlags::SQLITE_OPEN_NO_MUTEX);

/// Errors from the store, with the database path for context.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // SQLite's message is part of this one and not also its `source()`:
    // printed with its causes (`{:#}`), it came out twice.
    #[error("database {path}: {error}{hint}", hint = sqlite_hint(error))]
    Sqlite {
        path: PathBuf,
        error: rusqlite::Error,
    },
    #[error("database {path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// Another process holds the write lock (said of the fetches that were
    /// to share a transaction with one that met the lock).
    #[error("{0}")]
    Locked(String),
}

impl StoreError {
    /// Whether the write failed because another process holds the lock:
    /// it will go through once that process lets go.
    pub fn is_locked(&self) -> bool {
        match self {
            StoreError::Sqlite { error, .. } => is_lock_error(error),
            StoreError::Locked(_) => true,
            _ => false,
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// An open database: one connection plus the path for messages.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// WAL growth after which `restart_wal_if_large` restarts the WAL
    /// (`WAL_RESTART_BYTES`; smaller in tests).
    pub(super) wal_restart_bytes: u64,
    /// WAL size at which `restart_wal_if_large` next tries a restart.
    pub(super) wal_restart_at: u64,
    /// A write found the database locked by another process and none has
    /// got through since; writes wait `LOCKED_OUT_WAIT` for the lock.
    locked_out: bool,
}

impl Store {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
            && !dir.exists()
        {
            return Err(StoreError::Invalid {
                path: path.to_path_buf(),
                message: format!("folder {} does not exist", dir.display()),
            });
        }
        let invalid = |message| StoreError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        files::prepare_database(path).map_err(invalid)?;
        if files::running_as_root() {
            files::check_sqlite_files(path).map_err(invalid)?;
        }
        let conn =
            Connection::open_with_flags(path, OPEN_FLAGS).map_err(|e| sqlite_err(path, e))?;
        let mut store = Store {
            conn,
            path: path.to_path_buf(),
            wal_restart_bytes: WAL_RESTART_BYTES,
            wal_restart_at: WAL_RESTART_BYTES,
            locked_out: false,
        };
        store.configure()?;
        schema::migrate(&mut store.conn).map_err(|e| migrate_err(path, e))?;
        Ok(store)
    }

    /// Open the database at `path` for commands that only read: nothing is
    /// created (`Ok(None)` when there is no database yet) or migrated
    /// (`Ok(None)` when its schema is older than this newswatch's: only
    /// `open` may migrate), and every statement that would write is refused
    /// (`query_only`).
    ///
    /// With `read_only` (root on a database another user owns) the file is
    /// opened read-only, so nothing at all is written to the database or
    /// its WAL (a read-write connection that is the last to close copies
    /// the WAL into the database and removes `-wal` and `-shm`). SQLite
    /// still needs `-wal` and `-shm` to read a WAL database: when they are
    /// missing it creates them, with the database file's mode and owner,
    /// and leaves them. As root those files must be plain ones
    /// (`files::check_sqlite_files`): SQLite hands them to the database's
    /// owner.
    pub fn open_reader(path: &Path, read_only: bool) -> Result<Option<Store>> {
        let invalid = |message| StoreError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        files::check_database_path(path).map_err(invalid)?;
        match std::fs::metadata(path) {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(invalid(format!("cannot look at the database file: {e}"))),
        }
        if files::running_as_root() {
            files::check_sqlite_files(path).map_err(invalid)?;
        }
        let flags = if read_only {
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX
        } else {
            OPEN_FLAGS
        };
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sqlite_err(path, e))?;
        let current = schema::is_current(&conn).map_err(|e| migrate_err(path, e))?;
        if !current {
            return Ok(None);
        }
        let store = Store {
            conn,
            path: path.to_path_buf(),
            wal_restart_bytes: WAL_RESTART_BYTES,
            wal_restart_at: WAL_RESTART_BYTES,
            locked_out: false,
        };
        store
            .conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sqlite_err(path, e))?;
        store.conn.set_prepared_statement_cache_capacity(64);
        stable_query_plans(&store.conn).map_err(|e| sqlite_err(path, e))?;
        store
            .conn
            .execute_batch(
                "PRAGMA query_only = ON;
                 PRAGMA temp_store = MEMORY;
                 PRAGMA cache_size = -2000;",
            )
            .map_err(|e| sqlite_err(path, e))?;
        Ok(Some(store))
    }

    fn configure(&mut self) -> Result<()> {
        let path = self.path.clone();
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sqlite_err(&path, e))?;
        // The write path uses ~20 distinct statements; the default cache of 16
        // would re-prepare some of them on every fetch.
        self.conn.set_prepared_statement_cache_capacity(64);
        stable_query_plans(&self.conn).map_err(|e| sqlite_err(&path, e))?;
        // WAL lets readers run beside the daemon's writer; NORMAL sync is
        // durable across process crashes (only an OS crash can lose the last
        // transactions, never corrupt the file). The page cache stays at
        // SQLite's default 2 MB: 8 MB bought no CPU on the cold poll of the
        // bench farm and cost 6 MB of peak RSS.
        self.conn
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA foreign_keys = ON;
                 PRAGMA temp_store = MEMORY;
                 PRAGMA cache_size = -2000;
                 PRAGMA journal_size_limit = 16777216;",
            )
            .map_err(|e| sqlite_err(&path, e))
    }

    /// The database file this store writes.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Note how a write ended, for the lock wait of the next ones. Why: a
    /// `sqlite3` shell left in a write transaction for minutes made every
    /// queued write wait the whole busy timeout in turn; the scheduler's
    /// own look at the plan queued behind them and systemd's watchdog went
    /// unfed for minutes (a restart, and no use: the lock stays). Now only
    /// the first write waits the full time, and the next ones briefly, until
    /// one gets through.
    fn note_lock(&mut self, outcome: std::result::Result<(), &StoreError>) {
        let locked_out = match outcome {
            Ok(()) => false,
            Err(e) if e.is_locked() => true,
            // Other failures say nothing about the lock.
            Err(_) => return,
        };
        if locked_out != self.locked_out {
            self.locked_out = locked_out;
            let wait = if locked_out {
                LOCKED_OUT_WAIT
            } else {
                BUSY_TIMEOUT
            };
            let _ = self.conn.busy_timeout(wait);
        }
    }

    /// Take the write lock and let it go at once, waiting no longer than
    /// writes now do: whether a write would get through.
    pub fn try_write_lock(&mut self) -> Result<()> {
        let taken = write_transaction(&mut self.conn)
            .map(drop)
            .map_err(|e| sqlite_err(&self.path, e));
        self.note_lock(taken.as_ref().map(|_| ()));
        taken
    }

    fn err(&self, e: rusqlite::Error) -> StoreError {
        sqlite_err(&self.path, e)
    }

    /// `PRAGMA integrity_check` result ("ok" when healthy).
    pub fn integrity_check(&self) -> Result<String> {
        self.conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }
}

/// Plan each statement once, whatever values are bound to it (SQLite's
/// query planner stability guarantee). Without it, a statement whose
/// parameter feeds `json_each(?)`, a range, or an index the bundled build's
/// STAT4 could estimate is compiled again at every new binding: 400 compiles
/// of the alert queries, 4% of a 1,000-feed tick. Our plans do not depend on
/// the values (no ANALYZE data exists to choose by).
pub(super) fn stable_query_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
}

/// Begin a write transaction that takes the write lock at once. Why: a
/// deferred transaction that reads first takes the lock at its first
/// write, and if another connection holds it then or wrote since the read
/// (the daemon's writer, beside `prune` or the notifier), SQLite fails it
/// at once with SQLITE_BUSY: it cannot wait there without risking a
/// deadlock or a stale snapshot. Taking the lock at BEGIN waits for it (the
/// busy timeout) and cannot be refused for that reason.
fn write_transaction(conn: &mut Connection) -> rusqlite::Result<rusqlite::Transaction<'_>> {
    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
}

/// Whether `error` means another connection holds the lock we need.
fn is_lock_error(error: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        error.sqlite_error_code(),
        Some(DatabaseBusy | DatabaseLocked)
    )
}

/// What a person can do about the SQLite errors a running service meets.
fn sqlite_hint(error: &rusqlite::Error) -> &'static str {
    use rusqlite::ErrorCode::*;
    match error.sqlite_error_code() {
        Some(DiskFull) => {
            " (the file system holding it is full; newswatch tries again, and goes on once there is space)"
        }
        Some(DatabaseBusy | DatabaseLocked) => {
            " (another process holds a write transaction on it: a `sqlite3` shell left in BEGIN?)"
        }
        Some(ReadOnly) => " (the file, its folder or the file system is read-only for this user)",
        Some(DatabaseCorrupt | NotADatabase) => {
            " (the file is damaged or not a newswatch database; `sqlite3 FILE .recover` can save what is left)"
        }
        _ => "",
    }
}

fn migrate_err(path: &Path, e: schema::MigrateError) -> StoreError {
    match e {
        schema::MigrateError::Sqlite(e) => sqlite_err(path, e),
        schema::MigrateError::TooNew { found, known } => StoreError::Invalid {
            path: path.to_path_buf(),
            message: format!(
                "schema version {found} is newer than this newswatch understands ({known}); upgrade newswatch"
            ),
        },
        schema::MigrateError::NotOurs => StoreError::Invalid {
            path: path.to_path_buf(),
            message: "not a newswatch database (application_id differs)".into(),
        },
    }
}

fn sqlite_err(path: &Path, error: rusqlite::Error) -> StoreError {
    StoreError::Sqlite {
        path: path.to_path_buf(),
        error,
    }
}

/// Format a time the one way the database stores times.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parse a stored time; stored values are always written by `ts`.
pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_a_person_can_act_on_say_what_to_do() {
        // As SQLite reports them: the code and its message.
        let err = |code| {
            let message = rusqlite::ffi::code_to_str(code).to_string();
            sqlite_err(
                Path::new("/var/lib/newswatch/newswatch.db"),
                rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), Some(message)),
            )
            .to_string()
        };
        let full = err(rusqlite::ffi::SQLITE_FULL);
        assert!(
            full.starts_with("database /var/lib/newswatch/newswatch.db: database or disk is full (the file system holding it is full;"),
            "{full}"
        );
        assert!(err(rusqlite::ffi::SQLITE_BUSY).contains("write transaction"));
        assert!(err(rusqlite::ffi::SQLITE_READONLY).contains("read-only"));
        assert!(err(rusqlite::ffi::SQLITE_CORRUPT).contains(".recover"));
        assert!(err(rusqlite::ffi::SQLITE_CONSTRAINT).ends_with("constraint failed"));
        // Printed with its causes, as `main` prints errors: SQLite's message once.
        let readonly = sqlite_err(
            Path::new("/var/lib/newswatch/newswatch.db"),
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_READONLY),
                Some("attempt to write a readonly database".into()),
            ),
        );
        let printed = format!("{:#}", anyhow::Error::from(readonly));
        assert_eq!(
            printed
                .matches("attempt to write a readonly database")
                .count(),
            1,
            "{printed}"
        );
    }

    #[test]
    fn a_write_transaction_waits_for_another_writer_instead_of_failing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::open(&path).unwrap();
        store.conn.execute_batch("CREATE TABLE t (n)").unwrap();
        // Another process writes, and commits a moment later.
        let other_writes = |path: PathBuf| {
            let other = Connection::open(path).unwrap();
            other
                .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
                .unwrap();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                other.execute_batch("COMMIT").unwrap();
            })
        };

        // A deferred transaction that reads first is refused at its first
        // write while the other holds the lock, without waiting for it.
        let committed = other_writes(path.clone());
        let tx = store.conn.transaction().unwrap();
        let _: i64 = tx
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        let refused = tx.execute("INSERT INTO t VALUES (2)", []).unwrap_err();
        assert!(is_lock_error(&refused), "{refused}");
        drop(tx);
        committed.join().unwrap();

        // Ours takes the lock at BEGIN: it waits, then reads what the other
        // committed and writes.
        let committed = other_writes(path.clone());
        let tx = write_transaction(&mut store.conn).unwrap();
        let seen: i64 = tx
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        tx.execute("INSERT INTO t VALUES (2)", []).unwrap();
        tx.commit().unwrap();
        committed.join().unwrap();
        assert_eq!(seen, 2);
    }
}
