//! Keeping the WAL small while one writer commits without pause: a
//! background checkpointer, a restart of the WAL between transactions once
//! it has grown large, and merging the search index while the writer is
//! idle.

use std::path::PathBuf;
use std::time::Duration;

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, OPEN_FLAGS, Result, Store};

/// How often the background checkpointer looks at the WAL.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);
/// WAL size above which it checkpoints (SQLite's own default is ~4 MB).
const CHECKPOINT_WAL_BYTES: u64 = 4 * 1024 * 1024;
/// WAL file size above which the writer makes the WAL start over
/// (`Store::restart_wal_if_large`); the file is cut back to
/// `journal_size_limit` (16 MB) when it does.
pub(super) const WAL_RESTART_BYTES: u64 = 64 * 1024 * 1024;
/// How long the writer waits for readers to leave the WAL before it gives
/// the restart up until the WAL has grown by another `WAL_RESTART_BYTES`.
const WAL_RESTART_WAIT: Duration = Duration::from_millis(200);

/// Handle of the background checkpoint thread; dropping it stops the thread.
pub struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Store {
    /// Move WAL checkpoints off this connection onto a background thread with
    /// its own connection, so the single writer spends its time on inserts.
    /// The checkpointer stops when the returned handle is dropped.
    pub fn spawn_checkpointer(&self) -> Result<Checkpointer> {
        let conn = Connection::open_with_flags(&self.path, OPEN_FLAGS).map_err(|e| self.err(e))?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(|e| self.err(e))?;
        self.conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(|e| self.err(e))?;
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let wal = self.wal_path();
        let thread = std::thread::Builder::new()
            .name("newswatch-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                    stopped.recv_timeout(CHECKPOINT_EVERY)
                {
                    let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
                    if size > CHECKPOINT_WAL_BYTES {
                        // PASSIVE never blocks the writer; whatever it cannot
                        // copy now is copied next time.
                        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
                    }
                }
            })
            .ok();
        Ok(Checkpointer {
            stop: Some(stop),
            thread,
        })
    }

    pub(super) fn wal_path(&self) -> PathBuf {
        PathBuf::from(format!("{}-wal", self.path.display()))
    }

    /// Let the WAL start over from its beginning once it has grown past
    /// `WAL_RESTART_BYTES`; the writer calls this between transactions.
    ///
    /// Why: the background checkpointer copies WAL frames into the database,
    /// but SQLite only starts the WAL over when a transaction begins with
    /// every frame copied, which never happens while the writer commits
    /// without a pause (a cold poll). The file then only grew: 4.4 GB of WAL
    /// beside an 876 MB database after the first poll of 10,000 feeds. A
    /// RESTART checkpoint here waits only for readers (this is the only
    /// writer), and then the next transaction writes from the start of the
    /// file, which is cut back to `journal_size_limit`.
    pub fn restart_wal_if_large(&mut self) {
        let size = std::fs::metadata(self.wal_path())
            .map(|m| m.len())
            .unwrap_or(0);
        if size < self.wal_restart_at {
            if size < self.wal_restart_bytes {
                self.wal_restart_at = self.wal_restart_bytes;
            }
            return;
        }
        // A reader holding an old snapshot (a `sqlite3` shell left in a
        // transaction) must not stall the writer for the full busy timeout.
        let _ = self.conn.busy_timeout(WAL_RESTART_WAIT);
        let restarted = self
            .conn
            .query_row("PRAGMA wal_checkpoint(RESTART)", [], |r| r.get::<_, i64>(0))
            .is_ok_and(|busy| busy == 0);
        let _ = self.conn.busy_timeout(BUSY_TIMEOUT);
        self.wal_restart_at = if restarted {
            self.wal_restart_bytes
        } else {
            tracing::debug!(wal_bytes = size, "WAL restart deferred: a reader is busy");
            size + self.wal_restart_bytes
        };
    }

    /// One bounded step of merging the search index's segments, for the
    /// writer to take when it has nothing else to do. Returns whether there
    /// was anything to merge (call again until it says no).
    ///
    /// Why: every commit adds a small FTS5 segment, and FTS5 merges them a
    /// little at every later commit. After a burst (the first poll of many
    /// feeds) that merging is owed by the next cycles: it was 16% of the
    /// instructions of a 1,000-feed tick (`bench/instructions.py`). Done
    /// while idle, in steps of `pages` leaf pages (a few milliseconds each),
    /// the next cycle does not pay for it. FTS5's own measure of "nothing
    /// left": the command changed fewer than two rows.
    pub fn merge_search_index_step(&mut self, pages: u32) -> Result<bool> {
        let before = self.conn.total_changes();
        self.conn
            .execute(
                "INSERT INTO items_fts (items_fts, rank) VALUES ('merge', ?1)",
                [pages],
            )
            .map_err(|e| self.err(e))?;
        Ok(self.conn.total_changes() - before >= 2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames in the WAL (those of transactions since it last started over).
    fn wal_frames(store: &Store) -> i64 {
        store
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get(1))
            .unwrap()
    }

    fn write_mb(store: &Store, mb: usize) {
        for _ in 0..mb {
            store
                .conn
                .execute(
                    "INSERT INTO wal_test (b) VALUES (zeroblob(1024 * 1024))",
                    [],
                )
                .unwrap();
        }
    }

    #[test]
    fn a_large_wal_starts_over_unless_a_reader_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut store = Store::open(&path).unwrap();
        // As under the daemon: no automatic checkpoints on the writer.
        store
            .conn
            .pragma_update(None, "wal_autocheckpoint", 0)
            .unwrap();
        store.wal_restart_bytes = 1024 * 1024;
        store.wal_restart_at = store.wal_restart_bytes;
        store
            .conn
            .execute_batch("CREATE TABLE wal_test (b BLOB)")
            .unwrap();
        write_mb(&store, 3);
        assert!(wal_frames(&store) > 700);
        // Frames not yet copied, so the reader below reads from the WAL (a
        // reader of a fully copied WAL reads the database file alone). With
        // every frame copied, this write itself starts the WAL over: about
        // 260 frames.
        write_mb(&store, 1);

        // A reader in an open transaction: the restart gives up quickly.
        let reader = Connection::open(&path).unwrap();
        reader.execute_batch("BEGIN").unwrap();
        let _: i64 = reader
            .query_row("SELECT count(*) FROM wal_test", [], |r| r.get(0))
            .unwrap();
        let started = std::time::Instant::now();
        store.restart_wal_if_large();
        assert!(started.elapsed() < Duration::from_secs(5));
        write_mb(&store, 1);
        let frames = wal_frames(&store);
        assert!(
            frames > 450,
            "the WAL did not go on growing: {frames} frames"
        );
        reader.execute_batch("COMMIT").unwrap();

        // Grown past the restart size again, reader gone: the WAL starts over.
        write_mb(&store, 3);
        store.restart_wal_if_large();
        write_mb(&store, 1);
        let frames = wal_frames(&store);
        assert!(frames < 300, "WAL did not start over: {frames} frames");
        let count: i64 = store
            .conn
            .query_row("SELECT count(*) FROM wal_test", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 9);
    }
}
