//! Reads of positions: the statements of an item with their issue and
//! stance, each speaker's latest stance per issue, and the shifts between
//! stances (the `positions` command and `show`).

use rusqlite::params;
use serde::Serialize;

use super::{Result, Store};
use crate::model::ItemId;

/// A stored statement with its position.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementRow {
    pub speaker: String,
    pub topic: String,
    pub issue: String,
    pub stance: String,
    pub object: String,
    pub text: String,
    /// When it was said (RFC 3339 UTC).
    pub said_at: String,
    /// The stance it replaced and when that was said, when it is a shift.
    pub shifted_from: Option<(String, String)>,
}

/// A speaker's latest stance on an issue.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PositionRow {
    pub speaker: String,
    pub issue: String,
    pub stance: String,
    pub object: String,
    pub text: String,
    pub said_at: String,
    pub source: String,
    pub url: Option<String>,
}

/// One position shift: the stance before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShiftRow {
    pub speaker: String,
    pub issue: String,
    pub topic: String,
    pub from_stance: String,
    pub from_text: String,
    pub from_at: String,
    pub to_stance: String,
    pub to_text: String,
    pub to_at: String,
    pub source: String,
    pub url: Option<String>,
}

/// Which positions to list: `None` is any.
#[derive(Clone, Debug, Default)]
pub struct PositionFilter {
    pub speaker: Option<String>,
    pub issue: Option<String>,
}

impl Store {
    /// An item's statements, one per speaker, text and topic, in the order stored.
    pub fn item_statements(&self, item: ItemId) -> Result<Vec<StatementRow>> {
        self.conn
            .prepare(
                "SELECT st.speaker, st.topic, st.issue, st.stance, st.object, st.text,
                        coalesce(st.said_at, st.seen_at), c.stance, coalesce(c.said_at, c.seen_at)
                 FROM statements st
                 LEFT JOIN shifts sh ON sh.statement_id = st.id
                 LEFT JOIN statements c ON c.id = sh.closest_id
                 WHERE st.item_id = ?1 ORDER BY st.id",
            )
            .and_then(|mut s| {
                s.query_map([item], |r| {
                    let from: Option<String> = r.get(7)?;
                    let from_at: Option<String> = r.get(8)?;
                    Ok(StatementRow {
                        speaker: r.get(0)?,
                        topic: r.get(1)?,
                        issue: r.get(2)?,
                        stance: r.get(3)?,
                        object: r.get(4)?,
                        text: r.get(5)?,
                        said_at: r.get(6)?,
                        shifted_from: from.zip(from_at),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The latest stance of each speaker on each issue (`v_positions`), by
    /// speaker then issue.
    pub fn positions(&self, f: &PositionFilter) -> Result<Vec<PositionRow>> {
        self.conn
            .prepare(
                "SELECT speaker, issue, stance, object, text, said_at, source, url
                 FROM v_positions
                 WHERE (?1 IS NULL OR speaker = ?1 COLLATE NOCASE)
                   AND (?2 IS NULL OR issue = ?2)
                 ORDER BY speaker, issue",
            )
            .and_then(|mut s| {
                s.query_map(params![f.speaker, f.issue], |r| {
                    Ok(PositionRow {
                        speaker: r.get(0)?,
                        issue: r.get(1)?,
                        stance: r.get(2)?,
                        object: r.get(3)?,
                        text: r.get(4)?,
                        said_at: r.get(5)?,
                        source: r.get(6)?,
                        url: r.get(7)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Position shifts (`v_shifts`), oldest first.
    pub fn position_shifts(&self, f: &PositionFilter) -> Result<Vec<ShiftRow>> {
        self.conn
            .prepare(
                "SELECT speaker, issue, topic, from_stance, from_text, from_at,
                        to_stance, to_text, to_at, source, url
                 FROM v_shifts
                 WHERE (?1 IS NULL OR speaker = ?1 COLLATE NOCASE)
                   AND (?2 IS NULL OR issue = ?2)
                 ORDER BY to_at, id",
            )
            .and_then(|mut s| {
                s.query_map(params![f.speaker, f.issue], |r| {
                    Ok(ShiftRow {
                        speaker: r.get(0)?,
                        issue: r.get(1)?,
                        topic: r.get(2)?,
                        from_stance: r.get(3)?,
                        from_text: r.get(4)?,
                        from_at: r.get(5)?,
                        to_stance: r.get(6)?,
                        to_text: r.get(7)?,
                        to_at: r.get(8)?,
                        source: r.get(9)?,
                        url: r.get(10)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }
}
