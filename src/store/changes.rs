//! Read side for `changes` and `show`: stored revisions and statement
//! shifts, newest first, with their diffs.

use chrono::{DateTime, Utc};
use rusqlite::Row;

use super::{Result, Store, ts};
use crate::model::{ItemId, Significance};

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// Filters for `changes`.
#[derive(Clone, Debug, Default)]
pub struct ChangeFilter {
    pub since: Option<DateTime<Utc>>,
    /// Lowest significance shown (None: all).
    pub min: Option<Significance>,
    pub topic: Option<String>,
    pub limit: usize,
}

/// A revision or a statement shift, as `changes` lists them.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ChangeRow {
    pub kind: String,
    pub item_id: ItemId,
    pub url: Option<String>,
    pub source: String,
    pub title: String,
    pub from_version: Option<i64>,
    pub to_version: i64,
    pub seen_at: String,
    pub significance: Significance,
    pub reasons: Vec<String>,
    pub topics: Vec<String>,
    /// Revisions: `{"title": [ops], "text": [ops]}`, op = `{"Equal"|"Delete"|"Insert": text}`.
    pub diff: Option<serde_json::Value>,
    /// Shifts: the speaker, the new statement, and the closest earlier one.
    pub speaker: Option<String>,
    pub statement: Option<String>,
    pub earlier_statement: Option<String>,
    pub earlier_seen_at: Option<String>,
    pub earlier_url: Option<String>,
    pub similarity: Option<f64>,
}

/// Columns `revision_row` reads (revisions r, items i, sources s, and rv:
/// the item's version the revision brought). The title is that version's,
/// not the item's latest (the latest when that version is gone).
const REVISION_COLS: &str = "r.item_id, i.url, s.name, coalesce(rv.title, i.title),
    r.from_version, r.to_version, r.seen_at, r.significance, r.reasons, r.topics, r.diff";

/// The joins `REVISION_COLS` reads from.
const REVISION_FROM: &str = "revisions r JOIN items i ON i.id = r.item_id
    JOIN sources s ON s.id = i.source_id
    LEFT JOIN item_versions rv ON rv.item_id = r.item_id AND rv.version = r.to_version";

fn revision_row(r: &Row<'_>) -> rusqlite::Result<ChangeRow> {
    let reasons: String = r.get(8)?;
    let topics: String = r.get(9)?;
    let diff: String = r.get(10)?;
    Ok(ChangeRow {
        kind: "revision".into(),
        item_id: r.get(0)?,
        url: r.get(1)?,
        source: r.get(2)?,
        title: r.get(3)?,
        from_version: r.get(4)?,
        to_version: r.get(5)?,
        seen_at: r.get(6)?,
        significance: r.get(7)?,
        reasons: crate::text::readable_reasons(&reasons),
        topics: json_list(&topics),
        diff: serde_json::from_str(&diff).ok(),
        speaker: None,
        statement: None,
        earlier_statement: None,
        earlier_seen_at: None,
        earlier_url: None,
        similarity: None,
    })
}

impl Store {
    /// Revisions (reported ones) and statement shifts, newest first.
    pub fn changes(&self, f: &ChangeFilter) -> Result<Vec<ChangeRow>> {
        let since = f.since.map(ts).unwrap_or_default();
        let levels = super::vocab::at_least(f.min.unwrap_or(Significance::Cosmetic));
        let mut rows: Vec<ChangeRow> = Vec::new();
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {REVISION_COLS}
                 FROM {REVISION_FROM}
                 WHERE r.reported = 1 AND r.seen_at >= ?1
                   AND r.significance IN (SELECT value FROM json_each(?2))
                   AND (?3 IS NULL OR EXISTS (SELECT 1 FROM json_each(r.topics) WHERE value = ?3))
                 ORDER BY r.seen_at DESC, r.id DESC LIMIT ?4"
            ))
            .map_err(|e| self.err(e))?;
        let revs = stmt
            .query_map(
                rusqlite::params![since, levels, f.topic, f.limit as i64],
                revision_row,
            )
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        rows.extend(revs);
        // Shifts are always "major": a changed position is what the user watches for.
        // A shift is listed under the title of the version its statement was
        // read from (the item's latest when that version is gone), as revisions are.
        let mut stmt = self
            .conn
            .prepare(
                "SELECT st.item_id, i.url, s.name, coalesce(sv.title, i.title), st.version, sh.seen_at,
                        st.speaker, st.topic, st.text, prev.text, coalesce(prev.said_at, prev.seen_at),
                        pi.url, sh.similarity, st.issue, prev.stance, st.stance
                 FROM shifts sh
                 JOIN statements st ON st.id = sh.statement_id
                 JOIN statements prev ON prev.id = sh.closest_id
                 JOIN items i ON i.id = st.item_id JOIN sources s ON s.id = i.source_id
                 LEFT JOIN item_versions sv ON sv.item_id = st.item_id AND sv.version = st.version
                 JOIN items pi ON pi.id = prev.item_id
                 WHERE sh.seen_at >= ?1 AND (?2 IS NULL OR st.topic = ?2)
                 ORDER BY sh.seen_at DESC, sh.id DESC LIMIT ?3",
            )
            .map_err(|e| self.err(e))?;
        let shifts = stmt
            .query_map(rusqlite::params![since, f.topic, f.limit as i64], |r| {
                let speaker: String = r.get(6)?;
                let (issue, from, to): (String, String, String) =
                    (r.get(13)?, r.get(14)?, r.get(15)?);
                Ok(ChangeRow {
                    kind: "shift".into(),
                    item_id: r.get(0)?,
                    url: r.get(1)?,
                    source: r.get(2)?,
                    title: r.get(3)?,
                    from_version: None,
                    to_version: r.get(4)?,
                    seen_at: r.get(5)?,
                    significance: Significance::Major,
                    // In words, as revisions' reasons read ("figure 5 → 22").
                    reasons: vec![format!(
                        "position changed: {speaker} on {issue}, {from} → {to}"
                    )],
                    topics: vec![r.get(7)?],
                    diff: None,
                    speaker: Some(speaker),
                    statement: Some(r.get(8)?),
                    earlier_statement: Some(r.get(9)?),
                    earlier_seen_at: Some(r.get(10)?),
                    earlier_url: r.get(11)?,
                    similarity: Some(r.get(12)?),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        rows.extend(shifts);
        rows.sort_by(|a, b| b.seen_at.cmp(&a.seen_at));
        rows.truncate(f.limit);
        Ok(rows)
    }

    /// Every revision of one item (all, reported or not), oldest first, with its flags.
    pub fn item_revisions(&self, item: ItemId) -> Result<Vec<(ChangeRow, Vec<String>)>> {
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT {REVISION_COLS}, r.flags
                 FROM {REVISION_FROM}
                 WHERE r.item_id = ?1 ORDER BY r.to_version"
            ))
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([item], |r| {
                let flags: String = r.get(11)?;
                Ok((revision_row(r)?, json_list(&flags)))
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }
}
