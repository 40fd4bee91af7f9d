//! What a churning item's combined alert reads besides its revisions: the
//! version the reader last got by mail, and the stored diffs of every step
//! from it to the latest, so the alert shows one diff across them.

use rusqlite::{OptionalExtension, params};

use super::{Result, Store};

/// One stored revision's versions and diff, as [`Store::step_diffs`] reads them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepDiff {
    pub from_version: Option<i64>,
    pub to_version: i64,
    /// `{"title": [ops], "text": [ops]}` as stored.
    pub diff_json: String,
}

impl Store {
    /// The version of `item` its last sent revision alert showed (the
    /// revision's new version), among alerts on revisions before
    /// `before_revision`; None when none was sent.
    pub fn last_mailed_version(&self, item: i64, before_revision: i64) -> Result<Option<i64>> {
        self.conn
            .prepare_cached(
                "SELECT r.to_version FROM outbox o JOIN revisions r ON r.id = o.revision_id
                 WHERE o.item_id = ?1 AND o.kind = 'revision' AND o.status = 'sent'
                   AND o.revision_id < ?2
                 ORDER BY o.revision_id DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row(params![item, before_revision], |r| r.get(0))
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Every revision of `item` whose new version is after `from` and at
    /// most `to`, oldest first (all of them: reported, held or not).
    pub fn step_diffs(&self, item: i64, from: i64, to: i64) -> Result<Vec<StepDiff>> {
        self.conn
            .prepare_cached(
                "SELECT from_version, to_version, diff FROM revisions
                 WHERE item_id = ?1 AND to_version > ?2 AND to_version <= ?3
                 ORDER BY to_version, id",
            )
            .and_then(|mut s| {
                s.query_map(params![item, from, to], |r| {
                    Ok(StepDiff {
                        from_version: r.get(0)?,
                        to_version: r.get(1)?,
                        diff_json: r.get(2)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }
}
