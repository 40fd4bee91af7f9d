//! The one write transaction per fetch: the `fetches` row, new items, new
//! versions of changed items, the full-text index, and the source's state
//! (validators, next poll, error streak) commit together or not at all.
//!
//! Later stages (detections, outbox rows) join this same transaction, so a
//! crash never leaves an item without what it caused.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::detections::{Change, load_matches, store_matches, store_revision, store_statements};
use super::outbox::{QueuedAlerts, queue_alerts};
use super::stories::StoryIndex;
use super::{Result, Store, StoreError, ts};
use crate::detect::revisions::{self, Significance, VersionText};
use crate::detect::{Analysis, TopicMatch};
use crate::model::AlertRules;
use crate::model::{Entry, EntryText, FetchStatus, ItemId, SourceId, Validators};
use crate::text::fold;

/// Everything one fetch attempt (or one ingested file) produced.
#[derive(Clone, Debug)]
pub struct FetchRecord {
    pub source_id: SourceId,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    /// Requested URL, or `file://…` for `ingest`.
    pub url: String,
    pub http_status: Option<u16>,
    pub outcome: FetchStatus,
    pub bytes: u64,
    pub error: Option<String>,
    /// Normalised entries (only for `FetchStatus::Ok`).
    pub entries: Vec<Entry>,
    pub update: SourceUpdate,
    /// What detection found in each entry (same order as `entries`),
    /// computed off the writer thread; empty = no detection. `None` = not
    /// analysed because the source's previous document had this entry
    /// unchanged; the writer asks `analyser` in the rare case it turns out
    /// new or changed after all.
    pub analyses: Vec<Option<Analysed>>,
    pub analyser: Option<Analyser>,
}

/// One entry's detection results and its folded (title, text), which the
/// full-text index reuses.
#[derive(Clone, Debug, Default)]
pub struct Analysed {
    pub analysis: Analysis,
    pub folded: (String, String),
}

/// Analyses one entry on demand (see [`FetchRecord::analyses`]).
#[derive(Clone)]
pub struct Analyser(pub std::sync::Arc<dyn Fn(&Entry) -> Analysed + Send + Sync>);

impl std::fmt::Debug for Analyser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyser")
    }
}

impl FetchRecord {
    /// A record of a failed attempt with nothing in it yet; callers fill in
    /// what the attempt produced.
    pub fn new(source_id: SourceId, started_at: DateTime<Utc>, url: String) -> FetchRecord {
        FetchRecord {
            source_id,
            started_at,
            duration_ms: 0,
            url,
            http_status: None,
            outcome: FetchStatus::Error,
            bytes: 0,
            error: None,
            entries: Vec::new(),
            update: SourceUpdate::default(),
            analyses: Vec::new(),
            analyser: None,
        }
    }
}

/// How the source row changes after this attempt.
#[derive(Clone, Debug, Default)]
pub struct SourceUpdate {
    /// New validators to remember (None = keep the stored ones).
    pub validators: Option<Validators>,
    /// A permanent redirect's target: becomes the source's URL.
    pub new_url: Option<String>,
    /// Disable the source with this reason (410 Gone).
    pub disable_reason: Option<String>,
    /// When to poll next (None = leave the plan alone, e.g. for `ingest`).
    pub next_poll_at: Option<DateTime<Utc>>,
    /// The error streak after this attempt (None = leave alone).
    pub error_streak: Option<u32>,
    /// The regular interval planned from this attempt (None = leave alone).
    pub interval: Option<std::time::Duration>,
}

/// What the transaction did, for progress output and tests.
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

pub(super) struct Stored {
    id: ItemId,
    content_hash: String,
    version_count: i64,
}

impl Stored {
    /// The item already has exactly this entry's text: nothing to store but
    /// `last_seen`.
    pub(super) fn holds(&self, entry: &Entry) -> bool {
        entry.current.content_hash == self.content_hash && entry.earlier.is_empty()
    }
}

impl Store {
    /// Apply one fetch in one transaction.
    pub fn apply_fetch(&mut self, rec: &FetchRecord) -> Result<FetchSummary> {
        let mut results = self.apply_fetches(std::slice::from_ref(rec))?;
        results.pop().unwrap_or_else(|| Ok(FetchSummary::default()))
    }

    /// Apply several fetches with one commit (group commit). Each fetch stays
    /// atomic: if any of them fails, the whole transaction rolls back and each
    /// fetch is retried in a transaction of its own, so one bad fetch fails
    /// alone and no fetch is ever partly stored. (Savepoints per fetch would
    /// be simpler, but FTS5 flushes its pending index at every savepoint,
    /// which is most of the cost a batch saves.)
    #[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
    pub fn apply_fetches(&mut self, recs: &[FetchRecord]) -> Result<Vec<Result<FetchSummary>>> {
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let stories = &mut self.stories;
        let alerts = self.alerts.as_ref();
        let batch: rusqlite::Result<Vec<FetchSummary>> = (|| {
            let tx = super::write_transaction(&mut self.conn)?;
            let mut search = SearchWrites::default();
            let summaries = recs
                .iter()
                .map(|rec| apply_one(&tx, stories, alerts, rec, &mut search))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            search.apply(&tx)?;
            tx.commit()?;
            tracing::debug!(fetches = recs.len(), "fetches committed");
            Ok(summaries)
        })();
        self.note_lock(batch.as_ref().map(drop));
        match batch {
            Ok(summaries) => Ok(summaries.into_iter().map(Ok).collect()),
            Err(err) => {
                // The in-memory story index may name stories that were rolled back.
                self.stories.invalidate();
                if recs.len() == 1 {
                    return Ok(vec![Err(e(err))]);
                }
                // One by one, a fetch that cannot be stored does not hold
                // back the others. A lock held by another process holds back
                // them all, though: waiting for it once per fetch kept the
                // writer from everything else for minutes.
                let mut lock_held = super::is_lock_error(&err).then(|| e(err).to_string());
                let mut results = Vec::with_capacity(recs.len());
                for rec in recs {
                    if let Some(message) = &lock_held {
                        results.push(Err(StoreError::Locked(message.clone())));
                        continue;
                    }
                    let result = self.apply_alone(rec);
                    if let Err(err) = &result
                        && err.is_locked()
                    {
                        lock_held = Some(err.to_string());
                    }
                    results.push(result);
                }
                Ok(results)
            }
        }
    }

    /// Store one fetch in a transaction of its own.
    fn apply_alone(&mut self, rec: &FetchRecord) -> Result<FetchSummary> {
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let tx = super::write_transaction(&mut self.conn).map_err(e)?;
        let mut search = SearchWrites::default();
        let result = apply_one(
            &tx,
            &mut self.stories,
            self.alerts.as_ref(),
            rec,
            &mut search,
        )
        .and_then(|summary| search.apply(&tx).map(|()| summary))
        .and_then(|summary| tx.commit().map(|()| summary));
        if result.is_err() {
            self.stories.invalidate();
        }
        result.map_err(e)
    }
}

fn apply_one<'r>(
    tx: &Connection,
    stories: &mut StoryIndex,
    alerts: Option<&AlertRules>,
    rec: &'r FetchRecord,
    search: &mut SearchWrites<'r>,
) -> rusqlite::Result<FetchSummary> {
    let now = rec.started_at;
    tx.prepare_cached(
        "INSERT INTO fetches (source_id, started_at, duration_ms, url, http_status, outcome, bytes, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        rec.source_id,
        ts(now),
        rec.duration_ms as i64,
        rec.url,
        rec.http_status,
        rec.outcome.as_str(),
        rec.bytes as i64,
        rec.error
    ])?;
    let fetch_id = tx.last_insert_rowid();
    let mut summary = FetchSummary {
        fetch_id,
        ..Default::default()
    };
    if rec.outcome == FetchStatus::Ok {
        let mut ctx = Ctx {
            tx,
            stories,
            source_id: rec.source_id,
            fetch_id,
            now: rec.started_at,
            now_text: ts(rec.started_at),
            summary: &mut summary,
            search,
        };
        store_entries(&mut ctx, rec)?;
        if let Some(rules) = alerts {
            summary.alerts = queue_alerts(tx, rules, rec.source_id, fetch_id, rec.started_at)?;
        }
        tx.prepare_cached(
            "UPDATE fetches SET items_seen = ?2, items_new = ?3, items_changed = ?4 WHERE id = ?1",
        )?
        .execute(params![
            fetch_id,
            summary.items_seen as i64,
            summary.items_new as i64,
            summary.items_changed as i64
        ])?;
    }
    update_source(tx, rec, &summary)?;
    Ok(summary)
}

/// What every write of one fetch needs (`'r`: the fetch record).
struct Ctx<'a, 'r> {
    tx: &'a Connection,
    stories: &'a mut StoryIndex,
    source_id: SourceId,
    fetch_id: i64,
    now: DateTime<Utc>,
    now_text: String,
    summary: &'a mut FetchSummary,
    search: &'a mut SearchWrites<'r>,
}

/// An entry with what was computed for it, usually off the writer thread.
struct Incoming<'a> {
    entry: &'a Entry,
    /// None: no detection (folded on demand for the index).
    analysed: Option<Cow<'a, Analysed>>,
}

impl<'a> Incoming<'a> {
    /// Entry `i` of `rec`, analysed now if it was skipped as unchanged.
    fn new(rec: &'a FetchRecord, i: usize, entry: &'a Entry) -> Incoming<'a> {
        let analysed = match rec.analyses.get(i) {
            Some(Some(a)) => Some(Cow::Borrowed(a)),
            Some(None) => rec.analyser.as_ref().map(|f| Cow::Owned((f.0)(entry))),
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
}

fn store_entries<'r>(ctx: &mut Ctx<'_, 'r>, rec: &'r FetchRecord) -> rusqlite::Result<()> {
    let mut known = KnownItems::load(ctx.tx, rec.source_id, &rec.entries)?;
    let counters = counter_changes(ctx.tx, &known, &rec.entries)?;
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
        ctx.summary.items_seen += 1;
        match known.find(&entry.keys) {
            Some((stored, matched)) if touched.insert(stored.id) => {
                add_keys(ctx.tx, rec.source_id, stored.id, &entry.keys, &matched)?;
                if stored.holds(entry) || counters.contains(&i) {
                    unchanged.push(stored.id);
                    continue;
                }
                let incoming = Incoming::new(rec, i, entry);
                if apply_versions(ctx, &stored, &incoming)? {
                    ctx.summary.items_changed += 1;
                } else {
                    unchanged.push(stored.id);
                }
            }
            // A second entry of this document resolving to an item we already
            // updated is a different story that shares a stale key: store it new.
            _ => {
                let incoming = Incoming::new(rec, i, entry);
                let id = insert_item(ctx, &incoming)?;
                touched.insert(id);
                known.remember(id, entry);
                ctx.summary.items_new += 1;
            }
        }
    }
    // Unchanged items cost one statement per fetch, not one per item.
    if !unchanged.is_empty() {
        ctx.tx
            .prepare_cached(
                "UPDATE items SET last_seen = ?1 WHERE id IN (SELECT value FROM json_each(?2))",
            )?
            .execute(params![ctx.now_text, ids_json(&unchanged)])?;
    }
    Ok(())
}

fn ids_json(ids: &[ItemId]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// Entries (by index) whose change since their stored version is counters
/// ticking (see `revisions::counters_in_feed`): they are kept as they are,
/// like unchanged ones. Storing them made a version of every item of an
/// aggregator's feed at every poll, each a `numbers_changed` major revision.
fn counter_changes(
    tx: &Connection,
    known: &KnownItems,
    entries: &[Entry],
) -> rusqlite::Result<HashSet<usize>> {
    let mut numbers_only = HashSet::new();
    for (i, entry) in entries.iter().enumerate() {
        let Some((stored, _)) = known.find(&entry.keys) else {
            continue;
        };
        if stored.holds(entry) || !entry.earlier.is_empty() {
            continue;
        }
        let last: Option<(String, String)> = tx
            .prepare_cached(
                "SELECT title, text FROM item_versions WHERE item_id = ?1
                 ORDER BY version DESC LIMIT 1",
            )?
            .query_row([stored.id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        let Some((title, text)) = last else { continue };
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

/// The stored items this document's keys point at, looked up with two queries
/// per fetch rather than one per entry. (Per-entry lookups were re-prepared on
/// every call: the bundled SQLite's STAT4 planner re-plans for each bound key.)
pub(super) struct KnownItems {
    by_key: HashMap<String, ItemId>,
    items: HashMap<ItemId, (String, i64)>,
}

impl KnownItems {
    pub(super) fn load(
        tx: &Connection,
        source_id: SourceId,
        entries: &[Entry],
    ) -> rusqlite::Result<KnownItems> {
        // A source's first fetch (every source, on a cold start) knows no
        // item: one probe instead of one per key of every entry.
        let source_has_items = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM item_keys WHERE source_id = ?1)")?
            .query_row([source_id], |r| r.get::<_, bool>(0))?;
        if !source_has_items {
            return Ok(KnownItems {
                by_key: HashMap::new(),
                items: HashMap::new(),
            });
        }
        let keys: Vec<&str> = entries
            .iter()
            .flat_map(|e| e.keys.iter().map(String::as_str))
            .collect();
        let keys_json = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into());
        let by_key: HashMap<String, ItemId> = tx
            .prepare_cached(
                "SELECT key, item_id FROM item_keys
                 WHERE source_id = ?1 AND key IN (SELECT value FROM json_each(?2))",
            )?
            .query_map(params![source_id, keys_json], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut items = HashMap::new();
        if !by_key.is_empty() {
            let ids: Vec<ItemId> = by_key.values().copied().collect();
            let mut stmt = tx.prepare_cached(
                "SELECT id, content_hash, version_count FROM items
                 WHERE id IN (SELECT value FROM json_each(?1))",
            )?;
            let rows = stmt.query_map([ids_json(&ids)], |r| {
                Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
            })?;
            for row in rows {
                let (id, v) = row?;
                items.insert(id, v);
            }
        }
        Ok(KnownItems { by_key, items })
    }

    /// The item for the first of `keys` that is known, in order of preference.
    pub(super) fn find(&self, keys: &[String]) -> Option<(Stored, Vec<String>)> {
        keys.iter().find_map(|key| {
            let id = *self.by_key.get(key)?;
            let (hash, versions) = self.items.get(&id)?;
            Some((
                Stored {
                    id,
                    content_hash: hash.clone(),
                    version_count: *versions,
                },
                vec![key.clone()],
            ))
        })
    }

    fn remember(&mut self, id: ItemId, entry: &Entry) {
        for key in &entry.keys {
            self.by_key.entry(key.clone()).or_insert(id);
        }
        let versions = entry.earlier.len() as i64 + 1;
        self.items
            .insert(id, (entry.current.content_hash.clone(), versions));
    }
}

fn add_keys(
    tx: &Connection,
    source_id: SourceId,
    item: ItemId,
    keys: &[String],
    known: &[String],
) -> rusqlite::Result<()> {
    if keys.len() == known.len() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO item_keys (source_id, key, item_id) VALUES (?1, ?2, ?3)",
    )?;
    for key in keys.iter().filter(|k| !known.contains(k)) {
        stmt.execute(params![source_id, key, item])?;
    }
    Ok(())
}

fn insert_item<'r>(ctx: &mut Ctx<'_, 'r>, incoming: &Incoming<'r>) -> rusqlite::Result<ItemId> {
    let tx = ctx.tx;
    let entry = incoming.entry;
    let cur = &entry.current;
    let now = ctx.now_text.clone();
    let published = cur.published.map(ts).unwrap_or_else(|| now.clone());
    let categories = serde_json::to_string(&entry.categories).unwrap_or_else(|_| "[]".into());
    let (story, fingerprint) = match incoming.analysis() {
        Some(a) => {
            let story = ctx.stories.assign_story(
                tx,
                ctx.source_id,
                a.fingerprint,
                entry.url.as_deref(),
                &cur.title,
                ctx.now,
            )?;
            // SQLite integers are signed; the bits are what matter.
            (Some(story), Some(a.fingerprint as i64))
        }
        None => (None, None),
    };
    tx.prepare_cached(
        "INSERT INTO items (source_id, guid, url, title, published_at, first_seen, last_seen,
             language, author, categories, content_hash, version_count, story_id, fingerprint)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?
    .execute(params![
        ctx.source_id,
        entry.guid,
        entry.url,
        cur.title,
        published,
        now,
        entry.language,
        entry.author,
        categories,
        cur.content_hash,
        entry.earlier.len() as i64 + 1,
        story,
        fingerprint
    ])?;
    let id = tx.last_insert_rowid();
    add_keys(tx, ctx.source_id, id, &entry.keys, &[])?;
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
        insert_version(tx, id, version, text, ctx.fetch_id, &now)?;
        store_matches(tx, id, version, topics, &now)?;
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
            count_revision(ctx.summary, store_revision(tx, &change, ctx.now)?);
        }
    }
    if !incoming.topics().is_empty() {
        ctx.summary.items_matched += 1;
    }
    if let Some(a) = incoming.analysis() {
        ctx.summary.shifts += store_statements(
            tx,
            id,
            states.len() as i64,
            &a.quotes,
            incoming.topics(),
            ctx.now,
        )? as u64;
    }
    ctx.search.add(id, incoming, false);
    Ok(id)
}

fn count_revision(summary: &mut FetchSummary, significance: Significance) {
    summary.revisions[significance as usize] += 1;
}

/// A stored version, as history for the next one.
struct StoredVersion {
    version: i64,
    title: String,
    text: String,
    content_hash: String,
    /// Retention emptied `text`: it cannot be compared with.
    pruned: bool,
}

/// Store the entry's text states that the item has not had yet, each with its
/// revision from the previous one (for an entry the item does not already
/// hold, see [`Stored::holds`]). Returns true when the item's current text
/// changed.
fn apply_versions<'r>(
    ctx: &mut Ctx<'_, 'r>,
    stored: &Stored,
    incoming: &Incoming<'r>,
) -> rusqlite::Result<bool> {
    let tx = ctx.tx;
    let entry = incoming.entry;
    let cur = &entry.current;
    let history: Vec<StoredVersion> = tx
        .prepare_cached(
            "SELECT version, title, text, content_hash, pruned_at IS NOT NULL FROM item_versions
             WHERE item_id = ?1 ORDER BY version",
        )?
        .query_map([stored.id], |r| {
            Ok(StoredVersion {
                version: r.get(0)?,
                title: r.get(1)?,
                text: r.get(2)?,
                content_hash: r.get(3)?,
                pruned: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
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
    let mut prev_topics = load_matches(tx, stored.id, last.version)?;
    let mut version = stored.version_count.max(last.version);
    let now = ctx.now_text.clone();
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
        insert_version(tx, stored.id, version, text, ctx.fetch_id, &now)?;
        store_matches(tx, stored.id, version, topics, &now)?;
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
        count_revision(ctx.summary, store_revision(tx, &change, ctx.now)?);
        prev_title = text.title.clone();
        prev_text = text.text.clone();
        prev_pruned = false;
        prev_topics = topics.to_vec();
        current_changed = std::ptr::eq(text, cur);
    }
    if current_changed {
        tx.prepare_cached(
            "UPDATE items SET title = ?2, content_hash = ?3, version_count = ?4, last_seen = ?5,
                 guid = coalesce(?6, guid), url = coalesce(?7, url)
             WHERE id = ?1",
        )?
        .execute(params![
            stored.id,
            cur.title,
            cur.content_hash,
            version,
            now,
            entry.guid,
            entry.url
        ])?;
        ctx.search.add(stored.id, incoming, true);
        if !incoming.topics().is_empty() {
            ctx.summary.items_matched += 1;
        }
        if let Some(a) = incoming.analysis() {
            ctx.summary.shifts += store_statements(
                tx,
                stored.id,
                version,
                &a.quotes,
                incoming.topics(),
                ctx.now,
            )? as u64;
        }
    } else if version != stored.version_count {
        tx.prepare_cached("UPDATE items SET version_count = ?2, last_seen = ?3 WHERE id = ?1")?
            .execute(params![stored.id, version, now])?;
    }
    Ok(current_changed)
}

fn insert_version(
    tx: &Connection,
    item: ItemId,
    version: i64,
    text: &EntryText,
    fetch_id: i64,
    now: &str,
) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "INSERT INTO item_versions (item_id, version, seen_at, fetch_id, title, text, content_hash, published_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        item,
        version,
        now,
        fetch_id,
        text.title,
        text.text,
        text.content_hash,
        text.published.map(ts)
    ])?;
    Ok(())
}

/// Full-text index writes of a transaction, applied together just before
/// the commit. FTS5 flushes its pending terms to a new segment whenever a
/// statement opens a savepoint (any statement that may need to undo part of
/// itself does), so index writes interleaved with the other inserts made one
/// tiny segment per item and constant merging; written last, a batch of
/// fetches makes one segment.
#[derive(Default)]
struct SearchWrites<'r> {
    writes: Vec<SearchWrite<'r>>,
}

struct SearchWrite<'r> {
    item: ItemId,
    /// The item was indexed before: remove its old terms first.
    replace: bool,
    title: Cow<'r, str>,
    text: Cow<'r, str>,
}

impl<'r> SearchWrites<'r> {
    fn add(&mut self, item: ItemId, incoming: &Incoming<'r>, replace: bool) {
        let (title, text) = match &incoming.analysed {
            Some(Cow::Borrowed(a)) => (
                Cow::Borrowed(a.folded.0.as_str()),
                Cow::Borrowed(a.folded.1.as_str()),
            ),
            Some(Cow::Owned(a)) => (
                Cow::Owned(a.folded.0.clone()),
                Cow::Owned(a.folded.1.clone()),
            ),
            None => {
                let cur = &incoming.entry.current;
                (Cow::Owned(fold(&cur.title)), Cow::Owned(fold(&cur.text)))
            }
        };
        self.writes.push(SearchWrite {
            item,
            replace,
            title,
            text,
        });
    }

    /// Write everything, in the order it was added (an item replaced twice
    /// in one batch ends with its last text).
    #[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
    fn apply(&mut self, tx: &Connection) -> rusqlite::Result<()> {
        let mut delete = tx.prepare_cached("DELETE FROM items_fts WHERE rowid = ?1")?;
        let mut insert =
            tx.prepare_cached("INSERT INTO items_fts (rowid, title, text) VALUES (?1, ?2, ?3)")?;
        for w in self.writes.drain(..) {
            if w.replace {
                delete.execute([w.item])?;
            }
            insert.execute(params![w.item, w.title, w.text])?;
        }
        Ok(())
    }
}

fn update_source(
    tx: &Connection,
    rec: &FetchRecord,
    summary: &FetchSummary,
) -> rusqlite::Result<()> {
    let now = ts(rec.started_at);
    let u = &rec.update;
    let ok = matches!(rec.outcome, FetchStatus::Ok | FetchStatus::NotModified);
    tx.prepare_cached(
        "UPDATE sources SET
             last_fetch_at = ?2,
             last_status = ?3,
             last_http_status = ?4,
             last_error = ?5,
             last_ok_at = CASE WHEN ?6 THEN ?2 ELSE last_ok_at END,
             last_new_item_at = CASE WHEN ?7 > 0 THEN ?2 ELSE last_new_item_at END,
             error_streak = coalesce(?8, error_streak),
             next_poll_at = coalesce(?9, next_poll_at),
             poll_interval_s = coalesce(?10, poll_interval_s)
         WHERE id = ?1",
    )?
    .execute(params![
        rec.source_id,
        now,
        rec.outcome.as_str(),
        rec.http_status,
        rec.error,
        ok,
        summary.items_new as i64,
        u.error_streak.map(i64::from),
        u.next_poll_at.map(ts),
        u.interval.map(|d| d.as_secs() as i64)
    ])?;
    if let Some(v) = &u.validators {
        tx.prepare_cached("UPDATE sources SET etag = ?2, last_modified = ?3 WHERE id = ?1")?
            .execute(params![rec.source_id, v.etag, v.last_modified])?;
    }
    if let Some(url) = &u.new_url {
        tx.prepare_cached("UPDATE sources SET url = ?2 WHERE id = ?1")?
            .execute(params![rec.source_id, url])?;
    }
    if let Some(reason) = &u.disable_reason {
        tx.prepare_cached("UPDATE sources SET enabled = 0, disabled_reason = ?2 WHERE id = ?1")?
            .execute(params![rec.source_id, reason])?;
    }
    Ok(())
}
