//! Writing what detection found, inside the fetch's transaction: topic
//! matches per version, revisions (diff + significance, with the flap and
//! churn guards), statements and statement shifts. The decisions are the pure
//! functions of `detect`; this module loads the history they need and stores
//! their results.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, params};

use super::{parse_ts, ts};
use crate::detect::revisions::{self, Significance, VersionText};
use crate::detect::statements::find_shift;
use crate::detect::{FoundQuote, TopicMatch};
use crate::model::ItemId;

/// Earlier statements a new one is compared with (same speaker and topic).
const SHIFT_WINDOW_DAYS: i64 = 30;
/// At most this many earlier statements are compared (newest first).
const SHIFT_HISTORY_MAX: usize = 200;

pub(super) fn store_matches(
    tx: &Connection,
    item: ItemId,
    version: i64,
    topics: &[TopicMatch],
    now: &str,
) -> rusqlite::Result<()> {
    if topics.is_empty() {
        return Ok(());
    }
    let mut stmt = tx.prepare_cached(
        "INSERT OR REPLACE INTO matches (item_id, version, topic, terms, score, seen_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for m in topics {
        let terms = serde_json::to_string(&m.terms).unwrap_or_else(|_| "[]".into());
        stmt.execute(params![item, version, m.topic, terms, m.score, now])?;
    }
    Ok(())
}

/// Topic matches stored for one version of an item.
pub(super) fn load_matches(
    tx: &Connection,
    item: ItemId,
    version: i64,
) -> rusqlite::Result<Vec<TopicMatch>> {
    let mut stmt = tx.prepare_cached(
        "SELECT topic, terms, score FROM matches WHERE item_id = ?1 AND version = ?2",
    )?;
    stmt.query_map(params![item, version], |r| {
        let terms: String = r.get(1)?;
        Ok(TopicMatch {
            topic: r.get(0)?,
            terms: serde_json::from_str(&terms).unwrap_or_default(),
            score: r.get(2)?,
        })
    })?
    .collect()
}

/// One version change to record.
pub(super) struct Change<'a> {
    pub item: ItemId,
    pub from_version: i64,
    pub to_version: i64,
    pub old: VersionText<'a>,
    pub new: VersionText<'a>,
    pub old_topics: &'a [TopicMatch],
    pub new_topics: &'a [TopicMatch],
    /// The new text equals an earlier version's (A→B→A).
    pub flap: bool,
    /// Retention had emptied the old text: `old.text` is the new text, so
    /// only the title is compared, and the revision says so.
    pub old_text_pruned: bool,
}

/// Compare two versions and store the revision. Returns its significance.
pub(super) fn store_revision(
    tx: &Connection,
    change: &Change<'_>,
    now: DateTime<Utc>,
) -> rusqlite::Result<Significance> {
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
    if is_churning(tx, change.item, now)? {
        flags.push("churn");
    }
    // Flap and churn hold a revision back from alerts and digests; a pruned
    // old text only marks what the diff could not cover.
    let reported = flags.is_empty();
    if change.old_text_pruned {
        flags.push("text_pruned");
    }
    let diff = serde_json::json!({ "title": rev.title.ops, "text": rev.text.ops });
    tx.prepare_cached(
        "INSERT INTO revisions (item_id, from_version, to_version, seen_at, significance, reasons,
             diff, changed_share, topics, flags, reported)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?
    .execute(params![
        change.item,
        change.from_version,
        change.to_version,
        ts(now),
        rev.significance.as_str(),
        serde_json::to_string(&rev.reasons).unwrap_or_else(|_| "[]".into()),
        diff.to_string(),
        rev.changed_share,
        serde_json::to_string(&topics).unwrap_or_else(|_| "[]".into()),
        serde_json::to_string(&flags).unwrap_or_else(|_| "[]".into()),
        reported
    ])?;
    Ok(rev.significance)
}

fn is_churning(tx: &Connection, item: ItemId, now: DateTime<Utc>) -> rusqlite::Result<bool> {
    let since = ts(now - Duration::hours(revisions::CHURN_WINDOW_HOURS));
    let times: Vec<DateTime<Utc>> = tx
        .prepare_cached("SELECT seen_at FROM revisions WHERE item_id = ?1 AND seen_at >= ?2")?
        .query_map(params![item, since], |r| r.get::<_, String>(0))?
        .filter_map(|t| t.ok().and_then(|t| parse_ts(&t)))
        .collect();
    Ok(revisions::is_churning(&times, now))
}

/// Store the quotes of one item version (once per item: a quote repeated in a
/// later version is not stored again) under each topic the version matched,
/// and record a shift when a quote is far from everything the speaker said on
/// that topic recently. Returns how many shifts were found.
pub(super) fn store_statements(
    tx: &Connection,
    item: ItemId,
    version: i64,
    quotes: &[FoundQuote],
    topics: &[TopicMatch],
    now: DateTime<Utc>,
) -> rusqlite::Result<usize> {
    let mut shifts = 0;
    let topic_names: Vec<&str> = if topics.is_empty() {
        vec![""]
    } else {
        topics.iter().map(|t| t.topic.as_str()).collect()
    };
    let since = ts(now - Duration::days(SHIFT_WINDOW_DAYS));
    for quote in quotes {
        let known: bool = tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM statements WHERE item_id = ?1 AND speaker = ?2 AND text = ?3)",
            )?
            .query_row(params![item, quote.speaker, quote.text], |r| r.get(0))?;
        if known {
            continue;
        }
        for topic in &topic_names {
            // Earlier statements first, so the new one is not compared with itself.
            let earlier: Vec<(i64, String)> = if topic.is_empty() {
                Vec::new()
            } else {
                tx.prepare_cached(
                    "SELECT id, text FROM statements
                     WHERE speaker = ?1 AND topic = ?2 AND seen_at >= ?3 AND item_id != ?4
                     ORDER BY seen_at DESC, id DESC LIMIT ?5",
                )?
                .query_map(
                    params![quote.speaker, topic, since, item, SHIFT_HISTORY_MAX as i64],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?
                .collect::<rusqlite::Result<_>>()?
            };
            tx.prepare_cached(
                "INSERT INTO statements (item_id, version, speaker, topic, text, context, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                item,
                version,
                quote.speaker,
                topic,
                quote.text,
                quote.context,
                ts(now)
            ])?;
            let id = tx.last_insert_rowid();
            let texts: Vec<&str> = earlier.iter().map(|(_, t)| t.as_str()).collect();
            if let Some(shift) = find_shift(&quote.text, &texts)
                && let Some((closest_id, _)) = earlier.get(shift.closest)
            {
                tx.prepare_cached(
                    "INSERT INTO shifts (statement_id, closest_id, similarity, seen_at)
                     VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(params![id, closest_id, shift.similarity, ts(now)])?;
                shifts += 1;
            }
        }
    }
    Ok(shifts)
}
