//! The user's corrections of story grouping (`stories merge`, `stories
//! split`): items move to the story the user gave them, in one transaction
//! with the remembered correction (`story_corrections`). Story grouping
//! reads stories from the items (a merged item as the story grouping gave
//! it, then mapped to the story kept), so later reports follow the correction,
//! and reads the splits ([`WriteTx::story_splits`]): a report closer to the
//! reports split off than to the story they left goes with them;
//! a running daemon reloads its story index when a correction is newer
//! than the one it loaded ([`WriteTx::story_corrections_stamp`]).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::write::WriteTx;
use super::{Result, Store, StoreError, ts};

/// What a correction did, for the command's answer.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Correction {
    /// `merge` or `split`.
    pub kind: &'static str,
    /// Merge: the story kept; split: the story the items left.
    pub story_id: i64,
    /// Merge: the story merged into it (now empty); split: the new story.
    pub other_id: i64,
    /// The items that moved.
    pub items: Vec<i64>,
}

impl Store {
    /// Merge story `from` into story `into`: every report of `from` joins
    /// `into`, and `from` is gone.
    pub fn merge_stories(&self, into: i64, from: i64, now: DateTime<Utc>) -> Result<Correction> {
        if into == from {
            return Err(StoreError::NotFound(format!(
                "story {into} cannot be merged with itself"
            )));
        }
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let run = || -> rusqlite::Result<std::result::Result<Correction, String>> {
            for id in [into, from] {
                if story_items(&tx, id)?.is_empty() {
                    return Ok(Err(format!("no story {id} (see `newswatch stories`)")));
                }
            }
            let items = story_items(&tx, from)?;
            tx.execute(
                "UPDATE items SET story_id = ?1, story_grouped = coalesce(story_grouped, story_id),
                     story_why = coalesce(story_why || '; ', '') || ?3
                 WHERE story_id = ?2",
                params![into, from, format!("merged by the user from story {from}")],
            )?;
            recount(&tx, into)?;
            // Kept, empty, so that its id is never reused: later reports
            // grouped with it follow the merge.
            tx.execute(
                "UPDATE stories SET items = 0, sources = 0 WHERE id = ?1",
                [from],
            )?;
            remember(&tx, "merge", into, from, &items, now)?;
            Ok(Ok(Correction {
                kind: "merge",
                story_id: into,
                other_id: from,
                items,
            }))
        };
        let outcome = run();
        finish(self, tx, outcome)
    }

    /// Split `items` (reports of story `story`) off into a new story.
    pub fn split_story(&self, story: i64, items: &[i64], now: DateTime<Utc>) -> Result<Correction> {
        let tx = self.conn.unchecked_transaction().map_err(|e| self.err(e))?;
        let run = || -> rusqlite::Result<std::result::Result<Correction, String>> {
            let members = story_items(&tx, story)?;
            if members.is_empty() {
                return Ok(Err(format!("no story {story} (see `newswatch stories`)")));
            }
            let mut moved: Vec<i64> = items.to_vec();
            moved.sort_unstable();
            moved.dedup();
            if let Some(stray) = moved.iter().find(|i| !members.contains(i)) {
                return Ok(Err(format!(
                    "item {stray} is not a report of story {story} (see `newswatch stories show {story}`)"
                )));
            }
            if moved.len() == members.len() {
                return Ok(Err(format!(
                    "that is every report of story {story}: name the ones to split off"
                )));
            }
            let (first_seen, title): (String, String) = tx.query_row(
                "SELECT first_seen, title FROM items WHERE id = ?1",
                [moved[0]],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            tx.execute(
                "INSERT INTO stories (first_seen, title) VALUES (?1, ?2)",
                params![first_seen, title],
            )?;
            let new = tx.last_insert_rowid();
            let why = format!("split off by the user from story {story}");
            for item in &moved {
                tx.execute(
                    "UPDATE items SET story_id = ?1, story_grouped = NULL, story_why = ?2 WHERE id = ?3",
                    params![new, why, item],
                )?;
            }
            recount(&tx, story)?;
            recount(&tx, new)?;
            remember(&tx, "split", story, new, &moved, now)?;
            Ok(Ok(Correction {
                kind: "split",
                story_id: story,
                other_id: new,
                items: moved,
            }))
        };
        let outcome = run();
        finish(self, tx, outcome)
    }
}

impl WriteTx<'_, '_> {
    /// The latest correction's id (0 when none): a story index loaded
    /// before a newer correction is stale.
    pub fn story_corrections_stamp(&self) -> Result<i64> {
        self.conn()
            .prepare_cached("SELECT coalesce(max(id), 0) FROM story_corrections")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }
}

impl WriteTx<'_, '_> {
    /// Merged stories: (the story merged, the story kept), oldest first.
    pub fn story_merges(&self) -> Result<Vec<(i64, i64)>> {
        self.conn()
            .prepare_cached(
                "SELECT other_id, story_id FROM story_corrections WHERE kind = 'merge' ORDER BY id",
            )
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.err(e))
    }
}

impl WriteTx<'_, '_> {
    /// Split stories: (the new story, the story its reports left).
    pub fn story_splits(&self) -> Result<Vec<(i64, i64)>> {
        self.conn()
            .prepare_cached("SELECT other_id, story_id FROM story_corrections WHERE kind = 'split'")
            .and_then(|mut s| s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect())
            .map_err(|e| self.err(e))
    }
}

/// Commit on success; a refusal (the `Err(String)`) rolls back and becomes
/// `NotFound` (a usage error for the command).
fn finish(
    store: &Store,
    tx: rusqlite::Transaction<'_>,
    outcome: rusqlite::Result<std::result::Result<Correction, String>>,
) -> Result<Correction> {
    match outcome.map_err(|e| store.err(e))? {
        Ok(done) => {
            tx.commit().map_err(|e| store.err(e))?;
            Ok(done)
        }
        Err(refused) => Err(StoreError::NotFound(refused)),
    }
}

fn story_items(conn: &Connection, story: i64) -> rusqlite::Result<Vec<i64>> {
    conn.prepare("SELECT id FROM items WHERE story_id = ?1 ORDER BY id")?
        .query_map([story], |r| r.get(0))?
        .collect()
}

/// A story's counts, title and start from its items.
fn recount(conn: &Connection, story: i64) -> rusqlite::Result<()> {
    let first: Option<(String, String)> = conn
        .query_row(
            "SELECT first_seen, title FROM items WHERE story_id = ?1 ORDER BY first_seen, id LIMIT 1",
            [story],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((first_seen, title)) = first else {
        return Ok(());
    };
    conn.execute(
        "UPDATE stories SET first_seen = ?2, title = ?3,
             items = (SELECT count(*) FROM items WHERE story_id = ?1),
             sources = (SELECT count(DISTINCT source_id) FROM items WHERE story_id = ?1)
         WHERE id = ?1",
        params![story, first_seen, title],
    )?;
    Ok(())
}

fn remember(
    conn: &Connection,
    kind: &str,
    story: i64,
    other: i64,
    items: &[i64],
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO story_corrections (kind, story_id, other_id, items, at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            kind,
            story,
            other,
            serde_json::to_string(items).unwrap_or_else(|_| "[]".into()),
            ts(now)
        ],
    )?;
    Ok(())
}
