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

/// [`Store::last_mailed_version`]'s query: a seek on `outbox_by_item`, not
/// a pass over every alert ever sent.
const LAST_MAILED_VERSION: &str =
    "SELECT r.to_version FROM outbox o JOIN revisions r ON r.id = o.revision_id
     WHERE o.item_id = ?1 AND o.kind = 'revision' AND o.status = 'sent'
       AND o.revision_id < ?2
     ORDER BY o.revision_id DESC LIMIT 1";

impl Store {
    /// The version of `item` its last sent revision alert showed (the
    /// revision's new version), among alerts on revisions before
    /// `before_revision`; None when none was sent.
    pub fn last_mailed_version(&self, item: i64, before_revision: i64) -> Result<Option<i64>> {
        self.conn
            .prepare_cached(LAST_MAILED_VERSION)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite's plan for `sql`, one step a line.
    fn plan(store: &Store, sql: &str) -> String {
        let mut stmt = store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap();
        // Unbound parameters: the plan is the same for any value (QPSG).
        let unbound = vec![rusqlite::types::Null; stmt.parameter_count()];
        let steps = stmt
            .query_map(rusqlite::params_from_iter(unbound), |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        steps.join("\n")
    }

    /// The two looks a churning item's alert takes at the outbox by item
    /// find its rows by index: the outbox keeps every alert ever sent, and
    /// `outbox_due` (status, next_attempt_at) would read all of them.
    #[test]
    fn the_outbox_is_read_by_item_through_an_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        for sql in [
            LAST_MAILED_VERSION,
            crate::store::alerts::CHURN_ALERT_TAKES_REVISION,
        ] {
            let plan = plan(&store, sql);
            assert!(
                plan.contains(" USING INDEX outbox_by_item (item_id=?"),
                "{sql}\n{plan}"
            );
            assert!(!plan.contains("outbox_due"), "{sql}\n{plan}");
            assert!(
                !plan
                    .lines()
                    .any(|l| l == "SCAN o" || l.starts_with("SCAN outbox")),
                "{sql}\n{plan}"
            );
        }
    }
}
