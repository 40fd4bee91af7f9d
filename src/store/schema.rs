//! Schema migrations, keyed by `PRAGMA user_version`.
//!
//! Each migration runs in its own transaction and bumps `user_version`; a
//! database written by a newer newswatch is refused rather than guessed at.
//! `application_id` marks the file as ours so `--db` pointed at some other
//! SQLite file fails clearly instead of being altered.

use rusqlite::Connection;

/// "nwch" in ASCII: identifies a newswatch database to `file(1)` and to us.
const APPLICATION_ID: i64 = 0x6e77_6368;

/// A migration: its SQL, then (for what SQL alone cannot do) a step in Rust
/// run in the same transaction.
struct Migration {
    sql: &'static str,
    then: Option<fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>>,
}

const fn sql(sql: &'static str) -> Migration {
    Migration { sql, then: None }
}

/// Migrations in order; index + 1 is the `user_version` after applying it.
const MIGRATIONS: &[Migration] = &[
    sql(include_str!("sql/001_initial.sql")),
    sql(include_str!("sql/002_detections.sql")),
    sql(include_str!("sql/003_outbox.sql")),
    sql(include_str!("sql/004_runs.sql")),
    sql(include_str!("sql/005_retention.sql")),
    Migration {
        sql: include_str!("sql/006_search_stems.sql"),
        then: Some(reindex_search),
    },
    sql(include_str!("sql/007_story_evidence.sql")),
    sql(include_str!("sql/008_feedback.sql")),
    sql(include_str!("sql/009_positions.sql")),
    sql(include_str!("sql/010_story_unit.sql")),
    sql(include_str!("sql/011_match_via_story.sql")),
    sql(include_str!("sql/012_context_terms.sql")),
    Migration {
        sql: include_str!("sql/013_readable_reasons.sql"),
        then: Some(readable_reasons),
    },
    sql(include_str!("sql/014_version_titles.sql")),
    sql(include_str!("sql/015_cascade_indexes.sql")),
];

/// Rewrite the reasons of revisions stored as codes by an earlier build in
/// words, as every later one stores them (`text::readable_reason`; reasons
/// already in words stay as they are).
fn readable_reasons(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    let mut read = tx.prepare("SELECT id, reasons FROM revisions")?;
    let mut write = tx.prepare("UPDATE revisions SET reasons = ?2 WHERE id = ?1")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let (id, stored): (i64, String) = (row.get(0)?, row.get(1)?);
        let Ok(reasons) = serde_json::from_str::<Vec<String>>(&stored) else {
            continue;
        };
        let words: Vec<String> = reasons
            .iter()
            .map(|r| crate::text::readable_reason(r))
            .collect();
        if words != reasons {
            let json = serde_json::to_string(&words).unwrap_or(stored);
            write.execute(rusqlite::params![id, json])?;
        }
    }
    Ok(())
}

/// Fill the search index from every item's current version, as the
/// writer indexes a new one (`text::search_document`).
fn reindex_search(tx: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    use crate::text::{fold, search_document};
    let mut read = tx.prepare(
        "SELECT i.id, v.title, v.text, i.language FROM items i
         JOIN item_versions v ON v.item_id = i.id AND v.version = i.version_count",
    )?;
    let mut insert =
        tx.prepare("INSERT INTO items_fts (rowid, title, text) VALUES (?1, ?2, ?3)")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let (id, title, text, language): (i64, String, String, Option<String>) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let language = language.as_deref();
        insert.execute(rusqlite::params![
            id,
            search_document(&fold(&title), language),
            search_document(&fold(&text), language)
        ])?;
    }
    Ok(())
}

pub enum MigrateError {
    Sqlite(rusqlite::Error),
    TooNew { found: i64, known: i64 },
    NotOurs,
}

impl From<rusqlite::Error> for MigrateError {
    fn from(e: rusqlite::Error) -> Self {
        MigrateError::Sqlite(e)
    }
}

/// The schema version of a newswatch database (0: a new, empty file), or
/// why it cannot be used.
fn check(conn: &Connection) -> Result<i64, MigrateError> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let app_id: i64 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if app_id != 0 && app_id != APPLICATION_ID {
        return Err(MigrateError::NotOurs);
    }
    if app_id == 0 && version != 0 {
        return Err(MigrateError::NotOurs);
    }
    if version > known {
        return Err(MigrateError::TooNew {
            found: version,
            known,
        });
    }
    Ok(version)
}

/// Whether the database has this newswatch's schema, with nothing to
/// migrate (false: older, or a new empty file).
pub fn is_current(conn: &Connection) -> Result<bool, MigrateError> {
    Ok(check(conn)? == MIGRATIONS.len() as i64)
}

pub fn migrate(conn: &mut Connection) -> Result<(), MigrateError> {
    let version = check(conn)?;
    for (i, migration) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = super::write_transaction(conn)?;
        tx.execute_batch(migration.sql)?;
        if let Some(step) = migration.then {
            step(&tx)?;
        }
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        // A migration that leaves dangling references is a bug; refuse to commit it.
        let dangling: i64 =
            tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if dangling != 0 {
            return Err(MigrateError::Sqlite(rusqlite::Error::InvalidParameterName(
                format!("migration {} left {dangling} foreign-key violations", i + 1),
            )));
        }
        tx.commit()?;
    }
    Ok(())
}
