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
//! here, and no I/O but the store's.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::analyse::Analysed;
use super::record::FetchRecord;
use super::stories::StoryIndex;
use crate::detect::revisions::{self, VersionText};
use crate::detect::statements::find_shift;
use crate::detect::{Analysis, FoundQuote};
use crate::model::{AlertRules, Entry, EntryText, FetchStatus, ItemId, Significance, TopicMatch};
use crate::store::{
    self, ItemUpdate, KnownItems, NewFetch, NewItem, NewRevision, NewStatement, QueuedAlerts,
    SourceState, Stamp, Store, StoreError, StoredItem, StoredVersion, WriteTx,
};
use crate::text::fold;

/// Earlier statements a new one is compared with (same speaker and topic).
const SHIFT_WINDOW_DAYS: i64 = 30;
/// At most this many earlier statements are compared (newest first).
const SHIFT_HISTORY_MAX: usize = 200;

/// What committing a fetch did, for progress output and tests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FetchSummary {
    pub fetch_id: i64,
    pub items_seen: u64,
    pub items_new: u64,
    pub items_changed: u64,
    /// Items (new or changed) that matched at least one topic.
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
            match &result {
                Err(err) if err.is_locked() => lock_held = Some(err.to_string()),
                Err(_) => self.stories.invalidate(),
                Ok(_) => {}
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
    tx.update_source(&SourceState {
        fetch: &fetch,
        new_items: summary.items_new,
        update: &rec.update,
    })?;
    Ok(summary)
}

/// The entries of one fetched document, being committed (`'r`: the record).
struct Doc<'a, 'c, 'r> {
    tx: &'a mut WriteTx<'c, 'r>,
    stories: &'a mut StoryIndex,
    rec: &'r FetchRecord,
    fetch_id: i64,
    now: &'a Stamp,
    summary: &'a mut FetchSummary,
}

/// An entry with what was computed for it, usually off the writer thread.
struct Incoming<'r> {
    entry: &'r Entry,
    /// None: no detection (folded on demand for the index).
    analysed: Option<Cow<'r, Analysed>>,
}

impl<'r> Incoming<'r> {
    /// Entry `i` of `rec`, analysed now if it was skipped as unchanged.
    fn new(rec: &'r FetchRecord, i: usize, entry: &'r Entry) -> Incoming<'r> {
        let analysed = match rec.analyses.get(i) {
            Some(Some(a)) => Some(Cow::Borrowed(a)),
            Some(None) => rec.analyser.as_ref().map(|a| Cow::Owned(a.analyse(entry))),
            None => None,
        };
        Incoming { entry, analysed }
    }

    fn analysis(&self) -> Option<&Analysis> {
        self.analysed.as_deref().map(|a| &a.analysis)
    }

    fn topics(&self) -> &[TopicMatch] {
        self.analysis().map(|a| a.topics.as_slice()).unwrap_or(&[])
    }

    fn earlier_topics(&self, i: usize) -> &[TopicMatch] {
        self.analysis()
            .and_then(|a| a.earlier_topics.get(i))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The folded title and text the search index takes: those analysis
    /// made, else folded now.
    fn folded(&self) -> (Cow<'r, str>, Cow<'r, str>) {
        match &self.analysed {
            Some(Cow::Borrowed(a)) => (
                Cow::Borrowed(a.folded.0.as_str()),
                Cow::Borrowed(a.folded.1.as_str()),
            ),
            Some(Cow::Owned(a)) => (
                Cow::Owned(a.folded.0.clone()),
                Cow::Owned(a.folded.1.clone()),
            ),
            None => {
                let cur = &self.entry.current;
                (Cow::Owned(fold(&cur.title)), Cow::Owned(fold(&cur.text)))
            }
        }
    }
}

/// The item already has exactly this entry's text: nothing to store but
/// `last_seen`.
pub(super) fn holds(stored: &StoredItem, entry: &Entry) -> bool {
    entry.current.content_hash == stored.content_hash && entry.earlier.is_empty()
}

impl<'r> Doc<'_, '_, 'r> {
    fn commit_entries(&mut self) -> store::Result<()> {
        let rec = self.rec;
        let mut known = self.tx.known_items(rec.source_id, &rec.entries)?;
        let counters = self.counter_changes(&known)?;
        if !counters.is_empty() {
            tracing::debug!(
                source = rec.source_id,
                items = counters.len(),
                "counters changed, not stored as versions"
            );
        }
        let mut touched: HashSet<ItemId> = HashSet::new();
        let mut unchanged: Vec<ItemId> = Vec::new();
        for (i, entry) in rec.entries.iter().enumerate() {
            self.summary.items_seen += 1;
            match known.find(&entry.keys) {
                Some((stored, matched)) if touched.insert(stored.id) => {
                    if entry.keys.len() > 1 {
                        let others = entry.keys.iter().filter(|k| **k != matched);
                        self.tx.add_item_keys(
                            rec.source_id,
                            stored.id,
                            others.map(String::as_str),
                        )?;
                    }
                    if holds(&stored, entry) || counters.contains(&i) {
                        unchanged.push(stored.id);
                        continue;
                    }
                    let incoming = Incoming::new(rec, i, entry);
                    if self.apply_versions(&stored, &incoming)? {
                        self.summary.items_changed += 1;
                    } else {
                        unchanged.push(stored.id);
                    }
                }
                // A second entry of this document resolving to an item we already
                // updated is a different story that shares a stale key: store it new.
                _ => {
                    let incoming = Incoming::new(rec, i, entry);
                    let id = self.insert_item(&incoming)?;
                    touched.insert(id);
                    known.remember(id, entry);
                    self.summary.items_new += 1;
                }
            }
        }
        self.tx.touch_items(&unchanged, self.now)
    }

    /// Entries (by index) whose change since their stored version is counters
    /// ticking (see `revisions::counters_in_feed`): they are kept as they are,
    /// like unchanged ones. Storing them made a version of every item of an
    /// aggregator's feed at every poll, each a `numbers_changed` major revision.
    fn counter_changes(&self, known: &KnownItems) -> store::Result<HashSet<usize>> {
        let entries = &self.rec.entries;
        let mut numbers_only = HashSet::new();
        for (i, entry) in entries.iter().enumerate() {
            let Some((stored, _)) = known.find(&entry.keys) else {
                continue;
            };
            if holds(&stored, entry) || !entry.earlier.is_empty() {
                continue;
            }
            let Some((title, text)) = self.tx.latest_version_text(stored.id)? else {
                continue;
            };
            let old = VersionText {
                title: &title,
                text: &text,
            };
            let new = VersionText {
                title: &entry.current.title,
                text: &entry.current.text,
            };
            if revisions::numbers_only(&old, &new) {
                numbers_only.insert(i);
            }
        }
        if !revisions::counters_in_feed(numbers_only.len(), entries.len()) {
            numbers_only.clear();
        }
        Ok(numbers_only)
    }

    /// A new item: its story, row, keys, versions (the earlier states its
    /// document carried, then the current one) with their matches and the
    /// revisions between them, its statements, and its search entry.
    fn insert_item(&mut self, incoming: &Incoming<'r>) -> store::Result<ItemId> {
        let entry = incoming.entry;
        let cur = &entry.current;
        let story = match incoming.analysis() {
            Some(a) => Some(self.stories.assign_story(
                self.tx,
                self.rec.source_id,
                a.fingerprint,
                entry.url.as_deref(),
                &cur.title,
                self.now,
            )?),
            None => None,
        };
        let id = self.tx.insert_item(
            &NewItem {
                source_id: self.rec.source_id,
                entry,
                version_count: entry.earlier.len() as i64 + 1,
                story_id: story,
                fingerprint: incoming.analysis().map(|a| a.fingerprint),
            },
            self.now,
        )?;
        self.tx.add_item_keys(
            self.rec.source_id,
            id,
            entry.keys.iter().map(String::as_str),
        )?;
        // Versions oldest first: the earlier states this document carried (AP
        // appends one item per headline edit), then the current one.
        let states: Vec<(&EntryText, &[TopicMatch])> = entry
            .earlier
            .iter()
            .enumerate()
            .map(|(i, t)| (t, incoming.earlier_topics(i)))
            .chain(std::iter::once((cur, incoming.topics())))
            .collect();
        for (i, (text, topics)) in states.iter().enumerate() {
            let version = i as i64 + 1;
            self.tx
                .insert_version(id, version, text, self.fetch_id, self.now)?;
            self.tx.insert_matches(id, version, topics, self.now)?;
            if i > 0 {
                let (old, old_topics) = states[i - 1];
                let change = Change {
                    item: id,
                    from_version: version - 1,
                    to_version: version,
                    old: VersionText {
                        title: &old.title,
                        text: &old.text,
                    },
                    new: VersionText {
                        title: &text.title,
                        text: &text.text,
                    },
                    old_topics,
                    new_topics: topics,
                    flap: false,
                    old_text_pruned: false,
                };
                let significance = self.record_revision(&change)?;
                self.count_revision(significance);
            }
        }
        if !incoming.topics().is_empty() {
            self.summary.items_matched += 1;
        }
        if let Some(a) = incoming.analysis() {
            self.summary.shifts +=
                self.record_statements(id, states.len() as i64, &a.quotes, incoming.topics())?;
        }
        let (title, text) = incoming.folded();
        self.tx.index_for_search(id, title, text, false);
        Ok(id)
    }

    fn count_revision(&mut self, significance: Significance) {
        self.summary.revisions[significance as usize] += 1;
    }

    /// Store the entry's text states that the item has not had yet, each with its
    /// revision from the previous one (for an entry the item does not already
    /// hold, see [`holds`]). Returns true when the item's current text
    /// changed.
    fn apply_versions(
        &mut self,
        stored: &StoredItem,
        incoming: &Incoming<'r>,
    ) -> store::Result<bool> {
        let entry = incoming.entry;
        let cur = &entry.current;
        let history: Vec<StoredVersion> = self.tx.item_versions(stored.id)?;
        let known: HashSet<&str> = history.iter().map(|v| v.content_hash.as_str()).collect();
        let Some(last) = history.last() else {
            return Ok(false);
        };
        let mut prev_title = last.title.clone();
        let mut prev_text = last.text.clone();
        // After retention emptied the stored text, the first new state can only
        // be compared by its title (diffing against "" would report the whole
        // body as new).
        let mut prev_pruned = last.pruned;
        let mut prev_topics = self.tx.version_matches(stored.id, last.version)?;
        let mut version = stored.version_count.max(last.version);
        // Older states from the same document (AP appends one item per headline
        // edit) are history we have not seen: record them, oldest first.
        let mut pending: Vec<(&EntryText, &[TopicMatch], bool)> = entry
            .earlier
            .iter()
            .enumerate()
            .filter(|(_, t)| !known.contains(t.content_hash.as_str()))
            .map(|(i, t)| (t, incoming.earlier_topics(i), false))
            .collect();
        let changed = cur.content_hash != stored.content_hash;
        if changed {
            let new = VersionText {
                title: &cur.title,
                text: &cur.text,
            };
            let old = VersionText {
                title: &prev_title,
                text: &prev_text,
            };
            // A body that collapses to a fraction of itself is a broken extraction
            // or a truncated feed, not an edit: keep the stored text.
            if !last.pruned && revisions::is_extraction_failure(&old, &new) {
                tracing::debug!(item = stored.id, "text collapsed: not treated as an edit");
            } else {
                let earlier_hashes: Vec<String> =
                    history.iter().map(|v| v.content_hash.clone()).collect();
                let flap = revisions::is_flap(&cur.content_hash, &earlier_hashes);
                pending.push((cur, incoming.topics(), flap));
            }
        }
        let mut current_changed = false;
        for (text, topics, flap) in pending {
            version += 1;
            self.tx
                .insert_version(stored.id, version, text, self.fetch_id, self.now)?;
            self.tx
                .insert_matches(stored.id, version, topics, self.now)?;
            let change = Change {
                item: stored.id,
                from_version: version - 1,
                to_version: version,
                old: VersionText {
                    title: &prev_title,
                    text: if prev_pruned { &text.text } else { &prev_text },
                },
                new: VersionText {
                    title: &text.title,
                    text: &text.text,
                },
                old_topics: &prev_topics,
                new_topics: topics,
                flap,
                old_text_pruned: prev_pruned,
            };
            let significance = self.record_revision(&change)?;
            self.count_revision(significance);
            prev_title = text.title.clone();
            prev_text = text.text.clone();
            prev_pruned = false;
            prev_topics = topics.to_vec();
            current_changed = std::ptr::eq(text, cur);
        }
        if current_changed {
            self.tx.update_item_text(
                &ItemUpdate {
                    id: stored.id,
                    entry,
                    version_count: version,
                },
                self.now,
            )?;
            let (title, text) = incoming.folded();
            self.tx.index_for_search(stored.id, title, text, true);
            if !incoming.topics().is_empty() {
                self.summary.items_matched += 1;
            }
            if let Some(a) = incoming.analysis() {
                self.summary.shifts +=
                    self.record_statements(stored.id, version, &a.quotes, incoming.topics())?;
            }
        } else if version != stored.version_count {
            self.tx.set_version_count(stored.id, version, self.now)?;
        }
        Ok(current_changed)
    }

    /// Compare two versions (`detect::revisions`), apply the flap and churn
    /// guards, and store the revision. Returns its significance.
    fn record_revision(&self, change: &Change<'_>) -> store::Result<Significance> {
        let mut terms: Vec<String> = change
            .old_topics
            .iter()
            .chain(change.new_topics)
            .flat_map(|m| m.terms.iter().cloned())
            .collect();
        terms.sort();
        terms.dedup();
        let mut topics: Vec<&str> = change
            .old_topics
            .iter()
            .chain(change.new_topics)
            .map(|m| m.topic.as_str())
            .collect();
        topics.sort_unstable();
        topics.dedup();
        let rev = revisions::compare(&change.old, &change.new, &terms);
        let mut flags: Vec<&str> = Vec::new();
        if change.flap {
            flags.push("flap");
        }
        if self.is_churning(change.item)? {
            flags.push("churn");
        }
        // Flap and churn hold a revision back from alerts and digests; a pruned
        // old text only marks what the diff could not cover.
        let reported = flags.is_empty();
        if change.old_text_pruned {
            flags.push("text_pruned");
        }
        self.tx.insert_revision(
            &NewRevision {
                item: change.item,
                from_version: change.from_version,
                to_version: change.to_version,
                significance: rev.significance,
                reasons: &rev.reasons,
                title_diff: &rev.title.ops,
                text_diff: &rev.text.ops,
                changed_share: rev.changed_share,
                topics: &topics,
                flags: &flags,
                reported,
            },
            self.now,
        )?;
        Ok(rev.significance)
    }

    /// Whether the item has been revised too often lately (the revisions
    /// this fetch stored for it count).
    fn is_churning(&self, item: ItemId) -> store::Result<bool> {
        let now = self.now.at();
        let since = now - Duration::hours(revisions::CHURN_WINDOW_HOURS);
        let times: Vec<DateTime<Utc>> = self.tx.revision_times_since(item, since)?;
        Ok(revisions::is_churning(&times, now))
    }

    /// Store the quotes of one item version (once per item: a quote repeated in a
    /// later version is not stored again) under each topic the version matched,
    /// and record a shift when a quote is far from everything the speaker said on
    /// that topic recently. Returns how many shifts were found.
    fn record_statements(
        &self,
        item: ItemId,
        version: i64,
        quotes: &[FoundQuote],
        topics: &[TopicMatch],
    ) -> store::Result<u64> {
        let mut shifts = 0;
        let topic_names: Vec<&str> = if topics.is_empty() {
            vec![""]
        } else {
            topics.iter().map(|t| t.topic.as_str()).collect()
        };
        let since = self.now.at() - Duration::days(SHIFT_WINDOW_DAYS);
        for quote in quotes {
            if self.tx.statement_known(item, &quote.speaker, &quote.text)? {
                continue;
            }
            for topic in &topic_names {
                // Earlier statements first, so the new one is not compared with itself.
                let earlier: Vec<(i64, String)> = if topic.is_empty() {
                    Vec::new()
                } else {
                    self.tx.recent_statements(
                        &quote.speaker,
                        topic,
                        since,
                        item,
                        SHIFT_HISTORY_MAX,
                    )?
                };
                let id = self.tx.insert_statement(
                    &NewStatement {
                        item,
                        version,
                        speaker: &quote.speaker,
                        topic,
                        text: &quote.text,
                        context: &quote.context,
                    },
                    self.now,
                )?;
                let texts: Vec<&str> = earlier.iter().map(|(_, t)| t.as_str()).collect();
                if let Some(shift) = find_shift(&quote.text, &texts)
                    && let Some((closest_id, _)) = earlier.get(shift.closest)
                {
                    self.tx
                        .insert_shift(id, *closest_id, shift.similarity, self.now)?;
                    shifts += 1;
                }
            }
        }
        Ok(shifts)
    }
}

/// One version change to record.
struct Change<'a> {
    item: ItemId,
    from_version: i64,
    to_version: i64,
    old: VersionText<'a>,
    new: VersionText<'a>,
    old_topics: &'a [TopicMatch],
    new_topics: &'a [TopicMatch],
    /// The new text equals an earlier version's (A→B→A).
    flap: bool,
    /// Retention had emptied the old text: `old.text` is the new text, so
    /// only the title is compared, and the revision says so.
    old_text_pruned: bool,
}
