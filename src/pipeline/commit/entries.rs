//! A fetched document's entries, committed in document order: which are
//! unchanged, counters ticking, changed (new versions, each with its
//! revision) or new (a story, an item, its versions); see `detections` for
//! the revisions and statements they record.

use std::borrow::Cow;
use std::collections::HashSet;

use super::detections::Change;
use super::{FetchSummary, holds};
use crate::detect::revisions::{self, Revision, VersionText};
use crate::detect::{Analysis, news};
use crate::model::{Entry, EntryText, ItemId, Significance, TopicMatch};
use crate::pipeline::analyse::{Analysed, revision_terms};
use crate::pipeline::record::FetchRecord;
use crate::pipeline::stories::StoryIndex;
use crate::store::{
    self, ItemUpdate, KnownItems, NewItem, Stamp, StoredItem, StoredVersion, WriteTx,
};
use crate::text::{fold, search_document};

/// The entries of one fetched document, being committed (`'r`: the record).
pub(super) struct Doc<'a, 'c, 'r> {
    pub(super) tx: &'a mut WriteTx<'c, 'r>,
    pub(super) stories: &'a mut StoryIndex,
    pub(super) rec: &'r FetchRecord,
    pub(super) fetch_id: i64,
    pub(super) now: &'a Stamp,
    pub(super) summary: &'a mut FetchSummary,
    /// The items counted in `summary.items_matched` (an earlier report its
    /// story gives a topic is counted once, whichever report gave it).
    pub(super) matched: HashSet<ItemId>,
}

/// An entry with what was computed for it, usually off the writer thread.
struct Incoming<'r> {
    /// Its place in the document.
    index: usize,
    entry: &'r Entry,
    /// None: no detection (indexed form made on demand).
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
        Incoming {
            index: i,
            entry,
            analysed,
        }
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

    /// The revision analysis made from the document's state `i` to state
    /// `i + 1` (see `Analysed::doc_revisions`).
    fn doc_revision(&self, i: usize) -> Option<&Revision> {
        self.analysed.as_deref()?.doc_revisions.get(i)
    }

    /// The title and text as the search index takes them (folded, with
    /// their stems: `text::search_document`): those analysis made, else
    /// made now.
    fn search_text(&self) -> (Cow<'r, str>, Cow<'r, str>) {
        match &self.analysed {
            Some(Cow::Borrowed(a)) => (
                Cow::Borrowed(a.search.0.as_str()),
                Cow::Borrowed(a.search.1.as_str()),
            ),
            Some(Cow::Owned(a)) => (
                Cow::Owned(a.search.0.clone()),
                Cow::Owned(a.search.1.clone()),
            ),
            None => {
                let cur = &self.entry.current;
                let language = self.entry.language.as_deref();
                (
                    Cow::Owned(search_document(&fold(&cur.title), language)),
                    Cow::Owned(search_document(&fold(&cur.text), language)),
                )
            }
        }
    }
}

impl<'r> Doc<'_, '_, 'r> {
    pub(super) fn commit_entries(&mut self) -> store::Result<()> {
        let rec = self.rec;
        let mut known = self.tx.known_items(rec.source_id, &rec.entries)?;
        self.match_keyless_edits(&mut known)?;
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

    /// Feeds without stable keys (no guid, one shared link): an entry known
    /// only by its hash key, which changes with its title, is an edit of a
    /// keyless item that left the feed in this fetch when their titles are
    /// very similar (`revisions::successors`). It is then known by its new
    /// key, so it is committed as a new version of that item.
    fn match_keyless_edits(&mut self, known: &mut KnownItems) -> store::Result<()> {
        let keyless = |e: &Entry| e.keys.iter().all(|k| k.starts_with("h:"));
        let unmatched: Vec<&Entry> = self
            .rec
            .entries
            .iter()
            .filter(|e| keyless(e) && known.find(&e.keys).is_none())
            .collect();
        if unmatched.is_empty() {
            return Ok(());
        }
        let present: HashSet<ItemId> = self
            .rec
            .entries
            .iter()
            .filter_map(|e| known.find(&e.keys).map(|(s, _)| s.id))
            .collect();
        let gone: Vec<(StoredItem, String)> = self
            .tx
            .keyless_items_last_seen(self.rec.source_id)?
            .into_iter()
            .filter(|(item, _)| !present.contains(&item.id))
            .collect();
        if gone.is_empty() {
            return Ok(());
        }
        let gone_titles: Vec<&str> = gone.iter().map(|(_, t)| t.as_str()).collect();
        let new_titles: Vec<&str> = unmatched.iter().map(|e| e.current.title.as_str()).collect();
        for (n, g) in revisions::successors(&gone_titles, &new_titles) {
            let (entry, (item, _)) = (unmatched[n], &gone[g]);
            let keys = entry.keys.iter().map(String::as_str);
            self.tx.add_item_keys(self.rec.source_id, item.id, keys)?;
            for key in &entry.keys {
                known.adopt(key, item.clone());
            }
        }
        Ok(())
    }

    /// Entries (by index) whose change since their stored version is counters
    /// ticking (see `revisions::counters_in_feed`): they are kept as they are,
    /// like unchanged ones. Storing them made a version of every item of an
    /// aggregator's feed at every poll, each a figure-changed major revision.
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
        // Only a link that identifies this item (not a home page every item
        // of a generated feed points at) may join it to another's story.
        let own_url = entry
            .url
            .as_deref()
            .filter(|u| entry.keys.iter().any(|k| k.strip_prefix("u:") == Some(*u)));
        let story = match incoming.analysis() {
            Some(a) => Some(self.stories.assign_story(
                self.tx,
                self.rec.source_id,
                a.fingerprint,
                &a.story_keys,
                entry.language.as_deref(),
                own_url,
                &cur.title,
                self.now,
            )?),
            None => None,
        };
        // A report joining an alerted story: what it brings that the
        // story's earlier reports did not (a development alerts again).
        // Stories without an alert (most, and every one of a cold start)
        // cost one lookup.
        let story_news = match (&story, incoming.analysis()) {
            (Some(s), Some(a)) if s.why.is_some() && self.tx.story_alerted(s.story_id)? => {
                let stored = self.tx.story_profiles(s.story_id)?;
                let known = news::known_from_stored(stored.iter().map(String::as_str));
                let found = news::report_news(&a.story_keys, &cur.title, &cur.text, &known);
                (!found.is_empty()).then(|| serde_json::to_string(&found).unwrap_or_default())
            }
            _ => None,
        };
        let story_id = story.as_ref().map(|s| s.story_id);
        // A story this item founds has no other report yet: nothing to carry
        // to it or from it (two statements saved per new story).
        let founded = story.as_ref().is_some_and(|s| s.why.is_none());
        let id = self.tx.insert_item(
            &NewItem {
                source_id: self.rec.source_id,
                entry,
                version_count: entry.earlier.len() as i64 + 1,
                story_id: story.as_ref().map(|s| s.story_id),
                fingerprint: incoming.analysis().map(|a| a.fingerprint),
                story_keys: incoming
                    .analysis()
                    .map(|a| crate::detect::stories::event::encode(&a.story_keys)),
                story_why: story.and_then(|s| s.why),
                story_news,
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
                    prepared: incoming.doc_revision(i - 1),
                };
                let significance = self.record_revision(&change)?;
                self.count_revision(significance);
            }
        }
        let carried = match story_id {
            Some(_) if founded => 0,
            Some(story) => self.story_context(id, states.len() as i64, story, incoming.topics())?,
            None => 0,
        };
        if !incoming.topics().is_empty() || carried > 0 {
            self.count_matched(id);
        }
        if let Some(a) = incoming.analysis() {
            self.note_context_terms(incoming.topics(), &a.story_keys)?;
        }
        if let Some(a) = incoming.analysis() {
            self.summary.shifts += self.record_statements(
                id,
                states.len() as i64,
                &a.quotes,
                incoming.topics(),
                incoming.entry.current.published,
            )?;
        }
        let (title, text) = incoming.search_text();
        self.tx.index_for_search(id, title, text, false);
        Ok(id)
    }

    /// A revision computed off the writer from the item's stored version
    /// `last` to the document's state at `place` (`earlier`, then the
    /// current one), when it was computed from that very text with the same
    /// topic terms, so it is exactly what comparing now would give: the
    /// fetch worker's (`FetchRecord::prepared`, current state only), or the
    /// one analysis made between the document's states when the stored
    /// version is the state just before.
    fn revision_from_stored<'i>(
        &'i self,
        incoming: &'i Incoming<'r>,
        place: usize,
        item: ItemId,
        last: &StoredVersion,
        old_topics: &[TopicMatch],
        new_topics: &[TopicMatch],
    ) -> Option<&'i Revision> {
        let terms = revision_terms(old_topics, new_topics);
        let entry = incoming.entry;
        if let Some(p) = self
            .rec
            .prepared
            .get(incoming.index)
            .and_then(Option::as_ref)
            && place == entry.earlier.len()
            && p.item == item
            && p.version == last.version
            && p.content_hash == last.content_hash
            && p.terms == terms
        {
            return Some(&p.revision);
        }
        let before = place.checked_sub(1)?;
        let state = entry.earlier.get(before)?;
        (state.content_hash == last.content_hash
            && revision_terms(incoming.earlier_topics(before), new_topics) == terms)
            .then(|| incoming.doc_revision(before))
            .flatten()
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
        // Each with its place among the document's states (`earlier`, then
        // the current one), for the revisions analysis made between them.
        let mut pending: Vec<(&EntryText, &[TopicMatch], bool, usize)> = entry
            .earlier
            .iter()
            .enumerate()
            .filter(|(_, t)| !known.contains(t.content_hash.as_str()))
            .map(|(i, t)| (t, incoming.earlier_topics(i), false, i))
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
                pending.push((cur, incoming.topics(), flap, entry.earlier.len()));
            }
        }
        let mut current_changed = false;
        // The place of the state stored before each pending one, when that
        // is the document's state just before it.
        let mut prev_place: Option<usize> = None;
        for (text, topics, flap, place) in pending {
            version += 1;
            self.tx
                .insert_version(stored.id, version, text, self.fetch_id, self.now)?;
            self.tx
                .insert_matches(stored.id, version, topics, self.now)?;
            let prepared = match prev_place {
                None if !prev_pruned => self.revision_from_stored(
                    incoming,
                    place,
                    stored.id,
                    last,
                    &prev_topics,
                    topics,
                ),
                None => None,
                Some(prev) if prev + 1 == place => incoming.doc_revision(prev),
                Some(_) => None,
            };
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
                prepared,
            };
            let significance = self.record_revision(&change)?;
            self.count_revision(significance);
            prev_title = text.title.clone();
            prev_text = text.text.clone();
            prev_pruned = false;
            prev_topics = topics.to_vec();
            prev_place = Some(place);
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
            let (title, text) = incoming.search_text();
            self.tx.index_for_search(stored.id, title, text, true);
            // The new version is decided against its story again.
            let carried = match self.tx.item_story(stored.id)? {
                Some(story) => self.story_context(stored.id, version, story, incoming.topics())?,
                None => 0,
            };
            if !incoming.topics().is_empty() || carried > 0 {
                self.count_matched(stored.id);
            }
            if let Some(a) = incoming.analysis() {
                self.summary.shifts += self.record_statements(
                    stored.id,
                    version,
                    &a.quotes,
                    incoming.topics(),
                    incoming.entry.current.published,
                )?;
            }
        } else if version != stored.version_count {
            self.tx.set_version_count(stored.id, version, self.now)?;
        }
        Ok(current_changed)
    }
}
