//! What detection found, as the commit stage reads and writes it inside a
//! fetch's transaction ([`WriteTx`]): topic matches per version, revisions
//! (diff, significance, reasons, guard flags), statements and statement
//! shifts, and stories. The decisions are `detect`'s; this module loads the
//! history they need and stores their results, nothing more.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::write::{Stamp, WriteTx};
use super::{Result, parse_ts, ts};
use crate::model::{DiffOp, ItemId, Significance, SourceId, TopicMatch};

/// A revision to store: the change from one version of an item to the next.
#[derive(Clone, Debug)]
pub struct NewRevision<'a> {
    pub item: ItemId,
    pub from_version: i64,
    pub to_version: i64,
    pub significance: Significance,
    /// Machine-stable short codes (`detect::revisions`).
    pub reasons: &'a [String],
    pub title_diff: &'a [DiffOp],
    pub text_diff: &'a [DiffOp],
    pub changed_share: f64,
    /// Topics either version matched.
    pub topics: &'a [&'a str],
    /// Why it is held back (`flap`, `churn`), or what the diff could not cover
    /// (`text_pruned`).
    pub flags: &'a [&'a str],
    /// Whether alerts and digests report it.
    pub reported: bool,
}

/// A statement to store: a quote of one version of an item, under one topic
/// (`""` when the version matched none).
#[derive(Clone, Debug)]
pub struct NewStatement<'a> {
    pub item: ItemId,
    pub version: i64,
    pub speaker: &'a str,
    pub topic: &'a str,
    pub text: &'a str,
    pub context: &'a str,
    /// `detect::statements::Issue::as_str`.
    pub issue: &'a str,
    /// `detect::statements::Stance::as_str`.
    pub stance: &'a str,
    pub object: &'a str,
    /// When it was said: the item's published time, else now.
    pub said_at: DateTime<Utc>,
}

/// An earlier statement of a speaker, as the shift rule compares it.
#[derive(Clone, Debug, PartialEq)]
pub struct EarlierStatement {
    pub id: i64,
    pub issue: String,
    pub stance: String,
    /// The statement's words (what its aspect is read from).
    pub text: String,
    /// None when the stored time does not parse.
    pub said_at: Option<DateTime<Utc>>,
}

/// A recent item of a story, as the story index is loaded from.
#[derive(Clone, Debug)]
pub struct StoryItem<'a> {
    pub story_id: i64,
    pub fingerprint: u64,
    pub source: SourceId,
    pub url: Option<&'a str>,
    /// None when the stored time does not parse.
    pub first_seen: Option<DateTime<Utc>>,
    /// Stored event profile (`detect::stories::event::encode`), if any.
    pub keys: Option<&'a str>,
    pub language: Option<&'a str>,
}

impl WriteTx<'_, '_> {
    /// The topics one version of an item matched.
    pub fn insert_matches(
        &self,
        item: ItemId,
        version: i64,
        topics: &[TopicMatch],
        now: &Stamp,
    ) -> Result<()> {
        if topics.is_empty() {
            return Ok(());
        }
        let mut stmt = self
            .conn()
            .prepare_cached(
                "INSERT OR REPLACE INTO matches (item_id, version, topic, terms, score, seen_at, via_story)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(|e| self.err(e))?;
        for m in topics {
            let terms = serde_json::to_string(&m.terms).unwrap_or_else(|_| "[]".into());
            stmt.execute(params![
                item,
                version,
                m.topic,
                terms,
                m.score,
                now.text(),
                m.via_story
            ])
            .map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// The topics items of a story from other sources than `source`
    /// matched on their own (not through the story), in their current
    /// version, and the user did not mark irrelevant to them: what the story
    /// carries to a new report of it. Reads at most
    /// [`STORY_OWN_TOPICS_READ`] of those items.
    pub fn story_own_topics(
        &self,
        story: i64,
        except: ItemId,
        source: SourceId,
    ) -> Result<Vec<String>> {
        self.conn()
            // The other sources as two ranges of `items_by_story`, below and
            // above `source`, read in the index's order as one scan that
            // skipped `source` would: a long story of one outlet costs two
            // seeks, not a walk over its reports.
            .prepare_cached(
                "SELECT DISTINCT m.topic FROM
                     (SELECT id FROM
                          (SELECT id FROM items WHERE story_id = ?1 AND source_id < ?3 AND id <> ?2
                           UNION ALL
                           SELECT id FROM items WHERE story_id = ?1 AND source_id > ?3 AND id <> ?2)
                      LIMIT ?4) s
                 CROSS JOIN matches m ON m.item_id = s.id
                 CROSS JOIN items i ON i.id = m.item_id AND i.version_count = m.version
                 WHERE m.via_story IS NULL
                   AND NOT EXISTS (SELECT 1 FROM feedback f
                                   WHERE f.item_id = i.id AND f.topic = m.topic AND f.relevant = 0)
                 ORDER BY m.topic",
            )
            .and_then(|mut s| {
                s.query_map(params![story, except, source, STORY_OWN_TOPICS_READ], |r| {
                    r.get(0)
                })?
                .collect::<rusqlite::Result<Vec<String>>>()
            })
            .map_err(|e| self.err(e))
    }

    /// The topics stored for one version of an item.
    pub fn version_matches(&self, item: ItemId, version: i64) -> Result<Vec<TopicMatch>> {
        version_matches(self.conn(), item, version).map_err(|e| self.err(e))
    }

    /// A revision, seen now.
    pub fn insert_revision(&self, r: &NewRevision<'_>, now: &Stamp) -> Result<()> {
        let diff = serde_json::json!({ "title": r.title_diff, "text": r.text_diff });
        self.conn()
            .prepare_cached(
                "INSERT INTO revisions (item_id, from_version, to_version, seen_at, significance, reasons,
                     diff, changed_share, topics, flags, reported)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    r.item,
                    r.from_version,
                    r.to_version,
                    now.text(),
                    r.significance,
                    json_list(r.reasons),
                    diff.to_string(),
                    r.changed_share,
                    json_list(r.topics),
                    json_list(r.flags),
                    r.reported
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// When the revisions of an item since `since` were seen.
    pub fn revision_times_since(
        &self,
        item: ItemId,
        since: DateTime<Utc>,
    ) -> Result<Vec<DateTime<Utc>>> {
        self.conn()
            .prepare_cached("SELECT seen_at FROM revisions WHERE item_id = ?1 AND seen_at >= ?2")
            .and_then(|mut s| {
                Ok(
                    s.query_map(params![item, ts(since)], |r| r.get::<_, String>(0))?
                        .filter_map(|t| t.ok().and_then(|t| parse_ts(&t)))
                        .collect(),
                )
            })
            .map_err(|e| self.err(e))
    }

    /// Whether the item has this statement of this speaker already.
    pub fn statement_known(&self, item: ItemId, speaker: &str, text: &str) -> Result<bool> {
        self.conn()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM statements WHERE item_id = ?1 AND speaker = ?2 AND text = ?3)",
            )
            .and_then(|mut s| s.query_row(params![item, speaker, text], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// A speaker's statements on a topic said since `since`, in items other
    /// than `not_item`, newest first, at most `limit`.
    pub fn recent_statements(
        &self,
        speaker: &str,
        topic: &str,
        since: DateTime<Utc>,
        not_item: ItemId,
        limit: usize,
    ) -> Result<Vec<EarlierStatement>> {
        self.conn()
            .prepare_cached(
                "SELECT id, issue, stance, coalesce(said_at, seen_at) AS t, text FROM statements
                 WHERE speaker = ?1 AND topic = ?2 AND coalesce(said_at, seen_at) >= ?3
                   AND item_id != ?4
                 ORDER BY t DESC, id DESC LIMIT ?5",
            )
            .and_then(|mut s| {
                s.query_map(
                    params![speaker, topic, ts(since), not_item, limit as i64],
                    |r| {
                        let t: String = r.get(3)?;
                        Ok(EarlierStatement {
                            id: r.get(0)?,
                            issue: r.get(1)?,
                            stance: r.get(2)?,
                            text: r.get(4)?,
                            said_at: parse_ts(&t),
                        })
                    },
                )?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// The text of a stored statement ("" when there is none).
    pub fn statement_text(&self, id: i64) -> Result<String> {
        self.conn()
            .prepare_cached("SELECT text FROM statements WHERE id = ?1")
            .and_then(|mut s| {
                s.query_row([id], |r| r.get::<_, String>(0))
                    .optional()
                    .map(Option::unwrap_or_default)
            })
            .map_err(|e| self.err(e))
    }

    /// A statement, seen now; returns its id.
    pub fn insert_statement(&self, s: &NewStatement<'_>, now: &Stamp) -> Result<i64> {
        self.conn()
            .prepare_cached(
                "INSERT INTO statements (item_id, version, speaker, topic, text, context, seen_at,
                                         issue, stance, object, said_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut st| {
                st.execute(params![
                    s.item,
                    s.version,
                    s.speaker,
                    s.topic,
                    s.text,
                    s.context,
                    now.text(),
                    s.issue,
                    s.stance,
                    s.object,
                    ts(s.said_at)
                ])
            })
            .map_err(|e| self.err(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// A position shift: `statement` moves the speaker's stance on its
    /// issue away from `closest`'s (the statement it replaces);
    /// `similarity` is their word similarity, for reference.
    pub fn insert_shift(
        &self,
        statement: i64,
        closest: i64,
        similarity: f64,
        now: &Stamp,
    ) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO shifts (statement_id, closest_id, similarity, seen_at)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![statement, closest, similarity, now.text()]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Every item first seen since `since` that has a story and a
    /// fingerprint, in id order (a story's first is its founder), streamed
    /// to `visit` (a restart at 10,000 feeds reads 400,000 of them).
    pub fn for_each_recent_story_item(
        &self,
        since: DateTime<Utc>,
        mut visit: impl FnMut(StoryItem<'_>),
    ) -> Result<()> {
        let e = |e| self.err(e);
        // Run once per process: not worth a place in the statement cache.
        let mut stmt = self
            .conn()
            .prepare(
                "SELECT coalesce(story_grouped, story_id), fingerprint, source_id, url, first_seen, story_keys, language FROM items
                 WHERE first_seen >= ?1 AND story_id IS NOT NULL AND fingerprint IS NOT NULL
                 ORDER BY id",
            )
            .map_err(e)?;
        let mut rows = stmt.query([ts(since)]).map_err(e)?;
        while let Some(r) = rows.next().map_err(e)? {
            let url: Option<String> = r.get(3).map_err(e)?;
            let first_seen: String = r.get(4).map_err(e)?;
            let keys: Option<String> = r.get(5).map_err(e)?;
            let language: Option<String> = r.get(6).map_err(e)?;
            visit(StoryItem {
                story_id: r.get(0).map_err(e)?,
                fingerprint: r.get::<_, i64>(1).map_err(e)? as u64,
                source: r.get(2).map_err(e)?,
                url: url.as_deref(),
                first_seen: parse_ts(&first_seen),
                keys: keys.as_deref(),
                language: language.as_deref(),
            });
        }
        Ok(())
    }

    /// A new story, founded by an item with this title; returns its id.
    pub fn insert_story(&self, title: &str, now: &Stamp) -> Result<i64> {
        self.conn()
            .prepare_cached("INSERT INTO stories (first_seen, title) VALUES (?1, ?2)")
            .and_then(|mut s| s.execute(params![now.text(), title]))
            .map_err(|e| self.err(e))?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Whether a story has an immediate alert (sent or waiting): only then
    /// is what a new report brings worth finding.
    pub fn story_alerted(&self, story: i64) -> Result<bool> {
        self.conn()
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM outbox WHERE dedupe_key = ?1)")
            .and_then(|mut s| s.query_row([format!("story-{story}")], |r| r.get(0)))
            .map_err(|e| self.err(e))
    }

    /// Stored event profiles of a story's reports (the earliest
    /// [`STORY_PROFILES_READ`]), for what a new report brings.
    pub fn story_profiles(&self, story: i64) -> Result<Vec<String>> {
        self.conn()
            .prepare_cached(
                "SELECT story_keys FROM items WHERE story_id = ?1 AND story_keys IS NOT NULL
                 ORDER BY id LIMIT ?2",
            )
            .and_then(|mut s| {
                s.query_map(params![story, STORY_PROFILES_READ], |r| r.get(0))?
                    .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// An item of `source` is about to join `story`: count it, and count
    /// the source if the story has no item of it yet.
    pub fn join_story(&self, story: i64, source: SourceId) -> Result<()> {
        self.conn()
            .prepare_cached(
                "UPDATE stories SET items = items + 1,
                     sources = sources + NOT EXISTS
                         (SELECT 1 FROM items WHERE story_id = ?1 AND source_id = ?2)
                 WHERE id = ?1",
            )
            .and_then(|mut s| s.execute(params![story, source]))
            .map_err(|e| self.err(e))?;
        Ok(())
    }
}

/// Reports of a story whose profiles a new report is compared with.
const STORY_PROFILES_READ: i64 = 200;

/// The topics stored for one version of an item.
pub(super) fn version_matches(
    conn: &Connection,
    item: ItemId,
    version: i64,
) -> rusqlite::Result<Vec<TopicMatch>> {
    conn.prepare_cached(
        "SELECT topic, terms, score, via_story FROM matches WHERE item_id = ?1 AND version = ?2",
    )?
    .query_map(params![item, version], |r| {
        let terms: String = r.get(1)?;
        Ok(TopicMatch {
            topic: r.get(0)?,
            terms: serde_json::from_str(&terms).unwrap_or_default(),
            score: r.get(2)?,
            via_story: r.get(3)?,
        })
    })?
    .collect()
}

fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

/// Reports of a story by other outlets whose own topics a new report may
/// take (in index order, not the earliest): a bound, so that a report
/// joining a story of thousands costs a few row reads, not one per member.
/// (The query reads `matches` before `items` — CROSS JOIN fixes the order —
/// so a member without a match costs no row read.)
const STORY_OWN_TOPICS_READ: i64 = 64;
