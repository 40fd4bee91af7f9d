//! What the poller reads of the store before it hands a record to the
//! writer, so that work which needs the stored history but not the write
//! transaction runs on the fetch workers, not on the one writer thread:
//!
//! - which entries the commit stage will find unchanged (not analysed again): those
//!   of the source's last stored document, remembered here, or, after a
//!   start, those the database holds with the same text;
//! - for a changed entry, the stored version it will be compared with, so
//!   the revision (`detect::revisions::compare`, the costliest detection
//!   the writer did on a tick) is computed here ([`PreparedRevision`]).
//!
//! The reads go through a read-only connection of their own beside the
//! writer (WAL lets it read while the writer writes). All of it is
//! advisory: the commit stage decides, analyses what it finds new after
//! all, and uses a prepared revision only when the version it finds is the
//! one it was computed from. Any failure here means "leave it to the
//! writer".

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use super::analyse::{entry_key, revision_terms, sorted_keys};
use super::commit::holds;
use super::record::{FetchRecord, PreparedRevision};
use crate::detect::revisions::{self, VersionText};
use crate::model::{FetchStatus, ItemId, SourceId, TopicMatch};
use crate::store::{KnownReader, StoredVersion};

/// Changed entries of one document whose stored version is read here at
/// most; the rest are compared on the writer as before. Bounds the time a
/// worker holds the shared read connection for a feed that rewrote
/// thousands of items at once.
const PREPARE_MAX_PER_DOCUMENT: usize = 200;

/// The poller's memory of what it stored, and its read connection.
pub(super) struct Lookahead {
    /// Per source, the entry keys of its last stored document.
    last_documents: Mutex<HashMap<SourceId, Vec<u64>>>,
    /// Where to read: a read-only connection, opened on first use.
    database: PathBuf,
    reader: Mutex<Option<KnownReader>>,
}

/// What was found for one record.
#[derive(Default)]
pub(super) struct Found {
    /// Entry keys that need no analysis (sorted).
    pub unchanged: Vec<u64>,
    /// Changed entries (by index) with the item and stored version they
    /// will be compared with, and the topics that version matched.
    stored: Vec<(usize, ItemId, StoredVersion, Vec<TopicMatch>)>,
}

impl Lookahead {
    pub fn new(database: PathBuf) -> Lookahead {
        Lookahead {
            last_documents: Mutex::new(HashMap::new()),
            database,
            reader: Mutex::new(None),
        }
    }

    /// Look a fetched record up (before it is analysed).
    pub fn look_up(&self, rec: &FetchRecord) -> Found {
        if rec.outcome != FetchStatus::Ok || rec.entries.is_empty() {
            return Found::default();
        }
        let remembered = {
            let docs = self
                .last_documents
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            docs.get(&rec.source_id).cloned()
        };
        // Entries that may be unchanged or changed: all of them after a
        // start, else those the last document did not have as they are.
        // (One that carries earlier states is never unchanged, and its
        // states are compared by analysis: `Analysed::doc_revisions`.)
        let maybe_changed: Vec<usize> = rec
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.earlier.is_empty()
                    && remembered
                        .as_ref()
                        .is_none_or(|keys| keys.binary_search(&entry_key(e)).is_err())
            })
            .map(|(i, _)| i)
            .collect();
        if maybe_changed.is_empty() {
            return Found {
                unchanged: remembered.unwrap_or_default(),
                stored: Vec::new(),
            };
        }
        let mut reader = self.reader.lock().unwrap_or_else(|p| p.into_inner());
        if reader.is_none() {
            *reader = KnownReader::open(&self.database).ok();
        }
        let Some(reader) = reader.as_ref() else {
            return Found {
                unchanged: remembered.unwrap_or_default(),
                stored: Vec::new(),
            };
        };
        let known = match reader.known_items(
            rec.source_id,
            maybe_changed.iter().filter_map(|&i| rec.entries.get(i)),
        ) {
            Ok(known) => known,
            Err(e) => {
                tracing::debug!(error = %e, "could not look up stored items; analysing all");
                return Found {
                    unchanged: remembered.unwrap_or_default(),
                    stored: Vec::new(),
                };
            }
        };
        let mut found = Found {
            unchanged: match remembered {
                Some(keys) => keys,
                None => sorted_keys(rec.entries.iter().filter(|e| {
                    known
                        .find(&e.keys)
                        .is_some_and(|(stored, _)| holds(&stored, e))
                })),
            },
            stored: Vec::new(),
        };
        for i in maybe_changed {
            if found.stored.len() >= PREPARE_MAX_PER_DOCUMENT {
                break;
            }
            let Some(entry) = rec.entries.get(i) else {
                continue;
            };
            let Some((stored, _)) = known.find(&entry.keys) else {
                continue;
            };
            if holds(&stored, entry) {
                continue;
            }
            match reader.last_version(stored.id) {
                Ok(Some((last, topics))) if !last.pruned => {
                    found.stored.push((i, stored.id, last, topics));
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "could not read a stored version; the writer compares");
                    break;
                }
            }
        }
        found
    }

    /// After a fetch went to the store: keep a stored document's entry keys.
    /// A failed store forgets them (the next document is analysed in full);
    /// other outcomes (304, errors) leave them.
    pub fn remember_document(&self, source: SourceId, stored: bool, keys: Option<Vec<u64>>) {
        let mut docs = self
            .last_documents
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match (stored, keys) {
            (true, Some(keys)) => {
                docs.insert(source, keys);
            }
            (true, None) => {}
            (false, _) => {
                docs.remove(&source);
            }
        }
    }
}

impl Found {
    /// After analysis: compare each changed entry with the stored version
    /// it will meet, as the commit stage would (the same guards first: a
    /// collapsed text or counters ticking across the feed make no
    /// revision, so none is computed for them).
    pub fn prepare(self, rec: &mut FetchRecord) {
        if self.stored.is_empty() {
            return;
        }
        let numbers_only: Vec<bool> = self
            .stored
            .iter()
            .map(|(i, _, last, _)| {
                rec.entries
                    .get(*i)
                    .is_some_and(|e| revisions::numbers_only(&version_text(last), &current_text(e)))
            })
            .collect();
        let counters = revisions::counters_in_feed(
            numbers_only.iter().filter(|n| **n).count(),
            rec.entries.len(),
        );
        let mut prepared: Vec<Option<PreparedRevision>> = vec![None; rec.entries.len()];
        for ((i, item, last, old_topics), numbers_only) in self.stored.into_iter().zip(numbers_only)
        {
            let (Some(entry), Some(Some(analysed))) = (rec.entries.get(i), rec.analyses.get(i))
            else {
                continue;
            };
            let (old, new) = (version_text(&last), current_text(entry));
            if (counters && numbers_only) || revisions::is_extraction_failure(&old, &new) {
                continue;
            }
            let terms = revision_terms(&old_topics, &analysed.analysis.topics);
            let revision = revisions::compare(&old, &new, &terms);
            if let Some(slot) = prepared.get_mut(i) {
                *slot = Some(PreparedRevision {
                    item,
                    version: last.version,
                    content_hash: last.content_hash,
                    terms,
                    revision,
                });
            }
        }
        rec.prepared = prepared;
    }
}

fn version_text(v: &StoredVersion) -> VersionText<'_> {
    VersionText {
        title: &v.title,
        text: &v.text,
    }
}

fn current_text(e: &crate::model::Entry) -> VersionText<'_> {
    VersionText {
        title: &e.current.title,
        text: &e.current.text,
    }
}
