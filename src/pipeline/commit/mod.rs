//! The commit stage (DESIGN.md, "commit"): each fetch in ONE transaction.
//! It reads the history the fetch needs through the store's typed reads,
//! hands it to `detect` (pure: the guards on revisions, the diff and its
//! significance, statement shifts, story assignment), and writes the fetch
//! row, items, versions, keys, matches, revisions, statements, shifts,
//! stories, outbox rows and the source's state through the store's typed
//! writes ([`WriteTx`]). A crash never leaves an item without its alerts,
//! nor an alert for an item that is not stored.
//!
//! What needs no history was analysed on the fetch workers
//! ([`FetchRecord::analyses`]); what does is decided here, entry by entry
//! in document order, because a later entry's history includes what the
//! earlier ones wrote (a story founded, a statement made, a revision that
//! counts towards churn). Fetches waiting for the writer at the same moment
//! share one transaction ([`Committer::apply_all`]).
//!
//! Runs on the writer thread (`writer`) and for `ingest` (`file`). No SQL
//! here, and no I/O but the store's. `entries`: a document's entries in
//! order (unchanged, counters, changed, new); `detections`: the revisions
//! and statements they record.

mod detections;
mod entries;
mod story_context;

use super::record::FetchRecord;
use super::stories::StoryIndex;
use crate::model::{AlertRules, Entry, FetchStatus};
use crate::store::{
    self, NewFetch, QueuedAlerts, SourceAfterFetch, Stamp, Store, StoreError, StoredItem, WriteTx,
};
use entries::Doc;

/// What committing a fetch did, for progress output and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchSummary {
    pub fetch_id: i64,
    pub items_seen: u64,
    pub items_new: u64,
    pub items_changed: u64,
    /// Items that matched at least one topic: new or changed ones, and
    /// earlier reports of their stories they made relevant.
    pub items_matched: u64,
    /// Revisions stored, by significance (cosmetic, minor, major).
    pub revisions: [u64; 3],
    /// Statement shifts found.
    pub shifts: u64,
    /// Alerts queued in the outbox.
    pub alerts: QueuedAlerts,
}

/// The commit stage's state between fetches: the story index (detection
/// state fed from the store) and the alert rules (from the configuration;
/// None queues no alerts, as for `ingest`).
#[derive(Default)]
pub struct Committer {
    stories: StoryIndex,
    alerts: Option<AlertRules>,
}

impl Committer {
    pub fn new(alerts: Option<AlertRules>) -> Committer {
        Committer {
            stories: StoryIndex::default(),
            alerts,
        }
    }

    /// Queue alerts by `rules` from the next fetch on (a reloaded config).
    pub fn set_alert_rules(&mut self, rules: Option<AlertRules>) {
        self.alerts = rules;
    }

    /// Commit one fetch in one transaction.
    pub fn apply(&mut self, store: &mut Store, rec: &FetchRecord) -> store::Result<FetchSummary> {
        self.apply_all(store, std::slice::from_ref(rec))
            .pop()
            .unwrap_or_else(|| Ok(FetchSummary::default()))
    }

    /// Commit several fetches with one commit (group commit). Each fetch
    /// stays atomic: if any of them fails, the whole transaction rolls back
    /// and each fetch is retried in a transaction of its own, so one bad
    /// fetch fails alone and no fetch is ever partly stored. (Savepoints per
    /// fetch would be simpler, but FTS5 flushes its pending index at every
    /// savepoint, which is most of the cost a batch saves.)
    #[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
    pub fn apply_all(
        &mut self,
        store: &mut Store,
        recs: &[FetchRecord],
    ) -> Vec<store::Result<FetchSummary>> {
        let batch = store.write(|tx| {
            recs.iter()
                .map(|rec| commit_fetch(tx, &mut self.stories, self.alerts.as_ref(), rec))
                .collect::<store::Result<Vec<_>>>()
        });
        let err = match batch {
            Ok(summaries) => {
                tracing::debug!(fetches = recs.len(), "fetches committed");
                return summaries.into_iter().map(Ok).collect();
            }
            Err(err) => err,
        };
        // The in-memory story index may name stories that were rolled back.
        self.stories.invalidate();
        if recs.len() == 1 {
            return vec![Err(err)];
        }
        // One by one, a fetch that cannot be stored does not hold back the
        // others. A lock held by another process holds back them all,
        // though: waiting for it once per fetch kept the writer from
        // everything else for minutes.
        let mut lock_held = err.is_locked().then(|| err.to_string());
        let mut results = Vec::with_capacity(recs.len());
        for rec in recs {
            if let Some(message) = &lock_held {
                results.push(Err(StoreError::Locked(message.clone())));
                continue;
            }
            let result =
                store.write(|tx| commit_fetch(tx, &mut self.stories, self.alerts.as_ref(), rec));
            if let Err(err) = &result {
                self.stories.invalidate();
                if err.is_locked() {
                    lock_held = Some(err.to_string());
                }
            }
            results.push(result);
        }
        results
    }
}

/// One fetch: its `fetches` row, what its document brought, the alerts
/// that caused, and the source's new state.
fn commit_fetch<'r>(
    tx: &mut WriteTx<'_, 'r>,
    stories: &mut StoryIndex,
    alerts: Option<&AlertRules>,
    rec: &'r FetchRecord,
) -> store::Result<FetchSummary> {
    let now = Stamp::new(rec.started_at);
    let fetch = NewFetch {
        source_id: rec.source_id,
        started_at: &now,
        duration_ms: rec.duration_ms,
        url: &rec.url,
        http_status: rec.http_status,
        outcome: &rec.outcome,
        bytes: rec.bytes,
        error: rec.error.as_deref(),
    };
    let fetch_id = tx.insert_fetch(&fetch)?;
    let mut summary = FetchSummary {
        fetch_id,
        ..Default::default()
    };
    if rec.outcome == FetchStatus::Ok {
        let mut doc = Doc {
            tx: &mut *tx,
            stories,
            rec,
            fetch_id,
            now: &now,
            summary: &mut summary,
            matched: Default::default(),
        };
        doc.commit_entries()?;
        if let Some(rules) = alerts {
            summary.alerts = tx.queue_alerts(rules, rec.source_id, fetch_id, rec.started_at)?;
        }
        tx.set_fetch_counts(
            fetch_id,
            summary.items_seen,
            summary.items_new,
            summary.items_changed,
        )?;
    }
    tx.update_source(&SourceAfterFetch {
        fetch: &fetch,
        new_items: summary.items_new,
        update: &rec.update,
    })?;
    Ok(summary)
}

/// The item already has exactly this entry's text: nothing to store but
/// `last_seen`.
pub(super) fn holds(stored: &StoredItem, entry: &Entry) -> bool {
    entry.current.content_hash == stored.content_hash && entry.earlier.is_empty()
}

#[cfg(test)]
mod tests;
