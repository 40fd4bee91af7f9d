//! A read-only look at what the store already holds for a document, from a
//! connection of its own beside the writer (WAL lets it read while the
//! writer writes): the poller asks which entries the store will find
//! unchanged, so it need not analyse them again, and which stored version a
//! changed one will be compared with, so the comparison is made before the
//! transaction. Advisory only: the commit stage decides, and checks that
//! what was read is still what it finds.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::items::{KnownItems, StoredVersion};
use super::{BUSY_TIMEOUT, Result, sqlite_err};
use crate::model::{Entry, ItemId, SourceId, TopicMatch};

pub struct KnownReader {
    conn: Connection,
    path: std::path::PathBuf,
}

impl KnownReader {
    /// Open the (existing, migrated) database at `path` read-only.
    pub fn open(path: &Path) -> Result<KnownReader> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(|e| sqlite_err(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| sqlite_err(path, e))?;
        super::stable_query_plans(&conn).map_err(|e| sqlite_err(path, e))?;
        // A small cache: these lookups touch a few index pages per document.
        conn.pragma_update(None, "cache_size", -1000)
            .map_err(|e| sqlite_err(path, e))?;
        Ok(KnownReader {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The stored items of `source` that the keys of `entries` name.
    pub fn known_items<'e>(
        &self,
        source: SourceId,
        entries: impl IntoIterator<Item = &'e Entry>,
    ) -> Result<KnownItems> {
        KnownItems::load(&self.conn, source, entries).map_err(|e| sqlite_err(&self.path, e))
    }

    /// An item's newest version, with the topics it matched.
    pub fn last_version(&self, item: ItemId) -> Result<Option<(StoredVersion, Vec<TopicMatch>)>> {
        let e = |e| sqlite_err(&self.path, e);
        let Some(last) = super::items::last_version(&self.conn, item).map_err(e)? else {
            return Ok(None);
        };
        let topics =
            super::detections::version_matches(&self.conn, item, last.version).map_err(e)?;
        Ok(Some((last, topics)))
    }
}
