//! Items, their identity keys and their versions, as the commit stage reads
//! and writes them inside a fetch's transaction ([`WriteTx`]); and
//! [`KnownItems`], which the poller also reads beside the writer
//! (`KnownReader`).

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::write::{FetchId, Stamp, WriteTx};
use super::{Result, ts};
use crate::model::{Entry, EntryText, ItemId, SourceId};

/// A stored item as a document's entry is compared with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredItem {
    pub id: ItemId,
    /// The hash of its current text (`EntryText::content_hash`).
    pub content_hash: String,
    pub version_count: i64,
}

/// The stored items a document's keys point at, looked up with two queries
/// per fetch rather than one per entry. (Per-entry lookups were re-prepared on
/// every call: the bundled SQLite's STAT4 planner re-plans for each bound key.)
#[derive(Debug, Default)]
pub struct KnownItems {
    by_key: HashMap<String, ItemId>,
    items: HashMap<ItemId, (String, i64)>,
}

impl KnownItems {
    /// The items of `source` that the keys of `entries` name.
    #[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
    pub(super) fn load<'e>(
        conn: &Connection,
        source_id: SourceId,
        entries: impl IntoIterator<Item = &'e Entry>,
    ) -> rusqlite::Result<KnownItems> {
        // A source's first fetch (every source, on a cold start) knows no
        // item: one probe instead of one per key of every entry.
        let source_has_items = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM item_keys WHERE source_id = ?1)")?
            .query_row([source_id], |r| r.get::<_, bool>(0))?;
        if !source_has_items {
            return Ok(KnownItems::default());
        }
        let keys: Vec<&str> = entries
            .into_iter()
            .flat_map(|e| e.keys.iter().map(String::as_str))
            .collect();
        let keys_json = serde_json::to_string(&keys).unwrap_or_else(|_| "[]".into());
        let by_key: HashMap<String, ItemId> = conn
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
            let mut stmt = conn.prepare_cached(
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

    /// The item for the first of `keys` that is known, in order of
    /// preference, and the key that found it.
    pub fn find(&self, keys: &[String]) -> Option<(StoredItem, String)> {
        keys.iter().find_map(|key| {
            let id = *self.by_key.get(key)?;
            let (hash, versions) = self.items.get(&id)?;
            Some((
                StoredItem {
                    id,
                    content_hash: hash.clone(),
                    version_count: *versions,
                },
                key.clone(),
            ))
        })
    }

    /// `item` is also known by `key` from now on (a keyless entry found to
    /// revise it).
    pub fn adopt(&mut self, key: &str, item: StoredItem) {
        self.by_key.insert(key.to_owned(), item.id);
        self.items
            .insert(item.id, (item.content_hash, item.version_count));
    }

    /// A new item stored for `entry`: later entries of the same document
    /// that share a key find it.
    pub fn remember(&mut self, id: ItemId, entry: &Entry) {
        for key in &entry.keys {
            self.by_key.entry(key.clone()).or_insert(id);
        }
        let versions = entry.earlier.len() as i64 + 1;
        self.items
            .insert(id, (entry.current.content_hash.clone(), versions));
    }
}

/// An item's newest version (by number).
pub(super) fn last_version(
    conn: &Connection,
    item: ItemId,
) -> rusqlite::Result<Option<StoredVersion>> {
    conn.prepare_cached(
        "SELECT version, title, text, content_hash, pruned_at IS NOT NULL FROM item_versions
         WHERE item_id = ?1 ORDER BY version DESC LIMIT 1",
    )?
    .query_row([item], stored_version)
    .optional()
}

fn stored_version(r: &rusqlite::Row<'_>) -> rusqlite::Result<StoredVersion> {
    Ok(StoredVersion {
        version: r.get(0)?,
        title: r.get(1)?,
        text: r.get(2)?,
        content_hash: r.get(3)?,
        pruned: r.get(4)?,
    })
}

fn ids_json(ids: &[ItemId]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

/// A new item, with its current text state.
#[derive(Clone, Debug)]
pub struct NewItem<'a> {
    pub source_id: SourceId,
    pub entry: &'a Entry,
    /// Versions it starts with (the earlier states its document carried, and the current one).
    pub version_count: i64,
    pub story_id: Option<i64>,
    /// Near-duplicate fingerprint of the current text (stories).
    pub fingerprint: Option<u64>,
    /// Event profile (`detect::stories::event::encode`) and why the item
    /// joined its story (`None`: it founded it, or has no story).
    pub story_keys: Option<String>,
    pub story_why: Option<String>,
    /// What it brings that the story's earlier reports did not (JSON array
    /// of phrases, `detect::news`); `None` when nothing or no story.
    pub story_news: Option<String>,
}

/// A stored version, as history for the next one.
#[derive(Clone, Debug)]
pub struct StoredVersion {
    pub version: i64,
    pub title: String,
    pub text: String,
    pub content_hash: String,
    /// Retention emptied `text`: it cannot be compared with.
    pub pruned: bool,
}

/// A changed item's new current state.
#[derive(Clone, Debug)]
pub struct ItemUpdate<'a> {
    pub id: ItemId,
    pub entry: &'a Entry,
    pub version_count: i64,
}

impl WriteTx<'_, '_> {
    /// The stored items the keys of `entries` name (see [`KnownItems`]).
    pub fn known_items<'e>(
        &self,
        source: SourceId,
        entries: impl IntoIterator<Item = &'e Entry>,
    ) -> Result<KnownItems> {
        KnownItems::load(self.conn(), source, entries).map_err(|e| self.err(e))
    }

    /// The items of `source` known only by a hash key (`h:`: no guid, no
    /// link of their own) that were seen at the source's latest sighting,
    /// with their current title: the candidates an edited keyless entry
    /// may revise.
    pub fn keyless_items_last_seen(&self, source: SourceId) -> Result<Vec<(StoredItem, String)>> {
        self.conn()
            .prepare_cached(
                "SELECT i.id, i.content_hash, i.version_count, i.title FROM items i
                 WHERE i.source_id = ?1
                   AND i.last_seen = (SELECT MAX(last_seen) FROM items WHERE source_id = ?1)
                   AND NOT EXISTS (SELECT 1 FROM item_keys k
                                   WHERE k.item_id = i.id AND k.key NOT LIKE 'h:%')
                 ORDER BY i.id",
            )
            .and_then(|mut s| {
                s.query_map([source], |r| {
                    Ok((
                        StoredItem {
                            id: r.get(0)?,
                            content_hash: r.get(1)?,
                            version_count: r.get(2)?,
                        },
                        r.get(3)?,
                    ))
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The title and text of an item's newest version (by number).
    pub fn latest_version_text(&self, item: ItemId) -> Result<Option<(String, String)>> {
        self.conn()
            .prepare_cached(
                "SELECT title, text FROM item_versions WHERE item_id = ?1
                 ORDER BY version DESC LIMIT 1",
            )
            .and_then(|mut s| {
                s.query_row([item], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(|e| self.err(e))
    }

    /// Every version of an item, oldest first.
    pub fn item_versions(&self, item: ItemId) -> Result<Vec<StoredVersion>> {
        self.conn()
            .prepare_cached(
                "SELECT version, title, text, content_hash, pruned_at IS NOT NULL FROM item_versions
                 WHERE item_id = ?1 ORDER BY version",
            )
            .and_then(|mut s| s.query_map([item], stored_version)?.collect())
            .map_err(|e| self.err(e))
    }

    /// Remember `keys` as naming `item` (keys it has already are skipped).
    pub fn add_item_keys<'k>(
        &self,
        source: SourceId,
        item: ItemId,
        keys: impl IntoIterator<Item = &'k str>,
    ) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare_cached(
                "INSERT OR IGNORE INTO item_keys (source_id, key, item_id) VALUES (?1, ?2, ?3)",
            )
            .map_err(|e| self.err(e))?;
        for key in keys {
            stmt.execute(params![source, key, item])
                .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// A new item row (its versions, keys and matches are written apart).
    /// Its `published_at` is the feed's date, else when it was first seen.
    pub fn insert_item(&self, item: &NewItem<'_>, now: &Stamp) -> Result<ItemId> {
        let entry = item.entry;
        let cur = &entry.current;
        let published = cur.published.map(ts);
        let categories = serde_json::to_string(&entry.categories).unwrap_or_else(|_| "[]".into());
        self.conn()
            .prepare_cached(
                "INSERT INTO items (source_id, guid, url, title, published_at, first_seen, last_seen,
                     language, author, categories, content_hash, version_count, story_id, fingerprint,
                     story_keys, story_why, story_news)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    item.source_id,
                    entry.guid,
                    entry.url,
                    cur.title,
                    published.as_deref().unwrap_or(now.text()),
                    now.text(),
                    entry.language,
                    entry.author,
                    categories,
                    cur.content_hash,
                    item.version_count,
                    item.story_id,
                    // SQLite integers are signed; the bits are what matter.
                    item.fingerprint.map(|f| f as i64),
                    item.story_keys,
                    item.story_why,
                    item.story_news
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Version `version` of an item, seen in fetch `fetch`.
    pub fn insert_version(
        &self,
        item: ItemId,
        version: i64,
        text: &EntryText,
        fetch: FetchId,
        now: &Stamp,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO item_versions (item_id, version, seen_at, fetch_id, title, text, content_hash, published_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    item,
                    version,
                    now.text(),
                    fetch,
                    text.title,
                    text.text,
                    text.content_hash,
                    text.published.map(ts)
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// A changed item's new current text (a guid or URL it now has is kept).
    pub fn update_item_text(&self, u: &ItemUpdate<'_>, now: &Stamp) -> Result<()> {
        let cur = &u.entry.current;
        self.conn()
            .prepare_cached(
                "UPDATE items SET title = ?2, content_hash = ?3, version_count = ?4, last_seen = ?5,
                     guid = coalesce(?6, guid), url = coalesce(?7, url)
                 WHERE id = ?1",
            )
            .and_then(|mut s| {
                s.execute(params![
                    u.id,
                    cur.title,
                    cur.content_hash,
                    u.version_count,
                    now.text(),
                    u.entry.guid,
                    u.entry.url
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// An item gained versions of earlier states, its current text unchanged.
    pub fn set_version_count(&self, item: ItemId, version_count: i64, now: &Stamp) -> Result<()> {
        self.conn()
            .prepare_cached("UPDATE items SET version_count = ?2, last_seen = ?3 WHERE id = ?1")
            .and_then(|mut s| s.execute(params![item, version_count, now.text()]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Items seen again unchanged: one statement per fetch, not one per item.
    pub fn touch_items(&self, items: &[ItemId], now: &Stamp) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        self.conn()
            .prepare_cached(
                "UPDATE items SET last_seen = ?1 WHERE id IN (SELECT value FROM json_each(?2))",
            )
            .and_then(|mut s| s.execute(params![now.text(), ids_json(items)]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}
