//! Immediate alerts, queued as outbox rows inside the fetch's own
//! transaction ([`WriteTx::queue_alerts`], called by the commit stage), so
//! an item and the alert it causes commit together.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::write::{FetchId, WriteTx};
use super::{Result, ts};
use crate::model::{AlertRules, Significance, SourceId};

/// Revisions of known items raise an immediate alert from this class up.
const ALERT_SIGNIFICANCE: Significance = Significance::Major;

/// A churning item's major revisions (held back by the churn guard) are
/// combined into one alert, sent this long after the first of them: the
/// later ones fold into it while it waits, and it shows the latest. A live
/// story updated 6–10 times a day so mails its new figures every few hours
/// at most, never on every update, and never not at all.
pub const CHURN_ALERT_HOLD_HOURS: i64 = 3;

/// The dedupe key of a churning item's combined alert starts with this,
/// then `{item}-{first revision}` (the first held-back major it combines).
pub const CHURN_KEY_PREFIX: &str = "churn-";

/// A churning item's combined alert still waiting takes a later held-back
/// revision (?1) and its topics (?2): the pending alert of item ?3 whose
/// dedupe key is like ?4. A seek on `outbox_by_item`.
pub(super) const CHURN_ALERT_TAKES_REVISION: &str = "UPDATE outbox SET revision_id = ?1,
         topics = (SELECT json_group_array(DISTINCT value) FROM
                   (SELECT value FROM json_each(outbox.topics)
                    UNION SELECT value FROM json_each(?2)))
     WHERE kind = 'revision' AND item_id = ?3 AND status = 'pending'
       AND dedupe_key LIKE ?4";

/// What `queue_alerts` added, for the fetch summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueuedAlerts {
    pub stories: u64,
    /// Later reports of a story that bring new figures or actors.
    pub developments: u64,
    pub revisions: u64,
    pub shifts: u64,
}

impl QueuedAlerts {
    pub fn total(&self) -> u64 {
        self.stories + self.developments + self.revisions + self.shifts
    }
}

/// Queue the alerts caused by fetch `fetch_id`, in the fetch's transaction.
///
/// - new items matching an immediate topic: one row per *story* (items of the
///   same story, from this or any later fetch, fold into it), due after the
///   grouping window;
/// - new items of a story already alerted that bring new figures or actors
///   (`items.story_news`): a development, threaded under the story's alert;
/// - major, reported revisions of known items on an immediate topic;
/// - major revisions the churn guard held back: one combined row per item,
///   due [`CHURN_ALERT_HOLD_HOURS`] after the first, whose revision is
///   moved to each later one while it waits (it shows the latest);
/// - statement shifts on an immediate topic.
///
/// A source's first successful fetch only sets the baseline: its backlog is
/// not news and goes to digests, not to alerts.
#[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
fn queue_alerts(
    tx: &Connection,
    rules: &AlertRules,
    source_id: i64,
    fetch_id: i64,
    now: DateTime<Utc>,
) -> rusqlite::Result<QueuedAlerts> {
    let mut queued = QueuedAlerts::default();
    if rules.immediate_topics.is_empty() {
        return Ok(queued);
    }
    let baseline: bool = tx
        .prepare_cached(
            "SELECT NOT EXISTS (SELECT 1 FROM fetches
                 WHERE source_id = ?1 AND outcome = 'ok' AND id < ?2)",
        )?
        .query_row(params![source_id, fetch_id], |r| r.get(0))?;
    if baseline {
        return Ok(queued);
    }
    let topics = serde_json::to_string(&rules.immediate_topics).unwrap_or_else(|_| "[]".into());
    let now_text = ts(now);
    let window = chrono::Duration::from_std(rules.group_window).unwrap_or_default();
    let oldest = chrono::Duration::from_std(rules.max_age)
        .ok()
        .and_then(|d| now.checked_sub_signed(d))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let story_due = ts(now + window);

    // New items of this fetch on an immediate topic, grouped by story.
    let stories: Vec<(i64, i64, String)> = tx
        .prepare_cached(
            "SELECT coalesce(i.story_id, -i.id), min(i.id), json_group_array(DISTINCT m.topic)
             FROM items i
             JOIN item_versions v ON v.item_id = i.id AND v.version = 1 AND v.fetch_id = ?1
             JOIN matches m ON m.item_id = i.id AND m.version = i.version_count
             WHERE m.topic IN (SELECT value FROM json_each(?2)) AND i.published_at >= ?3
             GROUP BY 1",
        )?
        .query_map(params![fetch_id, topics, ts(oldest)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (story, item, story_topics) in stories {
        // A story id below zero stands for an item without a story.
        let (key, story_id) = if story > 0 {
            (format!("story-{story}"), Some(story))
        } else {
            (format!("item-{item}"), None)
        };
        queued.stories += insert_row(
            tx,
            &NewRow {
                kind: "story",
                dedupe_key: &key,
                topics: &story_topics,
                item_id: Some(item),
                story_id,
                revision_id: None,
                shift_id: None,
                now: &now_text,
                not_before: &story_due,
            },
        )?;
    }

    // New reports of this fetch that bring news (new figures or actors) to
    // a story whose alert has gone out: a development, threaded under it.
    // While the story's alert still waits, it shows them itself.
    let developments: Vec<(i64, i64, String)> = tx
        .prepare_cached(
            "SELECT i.id, i.story_id, o.topics
             FROM items i
             JOIN item_versions v ON v.item_id = i.id AND v.version = 1 AND v.fetch_id = ?1
             JOIN outbox o ON o.dedupe_key = 'story-' || i.story_id AND o.status = 'sent'
             WHERE i.story_news IS NOT NULL AND i.published_at >= ?2",
        )?
        .query_map(params![fetch_id, ts(oldest)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (item, story, story_topics) in developments {
        queued.developments += insert_row(
            tx,
            &NewRow {
                kind: "development",
                dedupe_key: &format!("development-{item}"),
                topics: &story_topics,
                item_id: Some(item),
                story_id: Some(story),
                revision_id: None,
                shift_id: None,
                now: &now_text,
                not_before: &now_text,
            },
        )?;
    }

    // Major revisions of items this fetch did not create.
    let revisions = major_revisions(tx, Revisions::Reported, fetch_id, &topics)?;
    for (revision, item, story, rev_topics) in revisions {
        queued.revisions += insert_row(
            tx,
            &NewRow {
                kind: "revision",
                dedupe_key: &format!("revision-{revision}"),
                topics: &rev_topics,
                item_id: Some(item),
                story_id: story,
                revision_id: Some(revision),
                shift_id: None,
                now: &now_text,
                not_before: &now_text,
            },
        )?;
    }

    // Major revisions of this fetch the churn guard held back (and not
    // flaps: a text gone back is no news).
    let held = major_revisions(tx, Revisions::HeldByChurn, fetch_id, &topics)?;
    let churn_due = ts(now + chrono::Duration::hours(CHURN_ALERT_HOLD_HOURS));
    for (revision, item, story, rev_topics) in held {
        // A combined alert still waiting takes the later revision.
        let moved = tx
            .prepare_cached(CHURN_ALERT_TAKES_REVISION)?
            .execute(params![
                revision,
                rev_topics,
                item,
                format!("{CHURN_KEY_PREFIX}{item}-%")
            ])?;
        if moved > 0 {
            continue;
        }
        queued.revisions += insert_row(
            tx,
            &NewRow {
                kind: "revision",
                dedupe_key: &format!("{CHURN_KEY_PREFIX}{item}-{revision}"),
                topics: &rev_topics,
                item_id: Some(item),
                story_id: story,
                revision_id: Some(revision),
                shift_id: None,
                now: &now_text,
                not_before: &churn_due,
            },
        )?;
    }

    // Statement shifts found in this fetch.
    let shifts: Vec<(i64, i64, Option<i64>, String)> = tx
        .prepare_cached(
            "SELECT sh.id, st.item_id, i.story_id, json_array(st.topic)
             FROM shifts sh
             JOIN statements st ON st.id = sh.statement_id
             JOIN item_versions v ON v.item_id = st.item_id AND v.version = st.version AND v.fetch_id = ?1
             JOIN items i ON i.id = st.item_id
             WHERE st.topic IN (SELECT value FROM json_each(?2))",
        )?
        .query_map(params![fetch_id, topics], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (shift, item, story, shift_topics) in shifts {
        queued.shifts += insert_row(
            tx,
            &NewRow {
                kind: "shift",
                dedupe_key: &format!("shift-{shift}"),
                topics: &shift_topics,
                item_id: Some(item),
                story_id: story,
                revision_id: None,
                shift_id: Some(shift),
                now: &now_text,
                not_before: &now_text,
            },
        )?;
    }
    Ok(queued)
}

/// Revisions of fetch `?1` at least [`ALERT_SIGNIFICANCE`] (`?3`) on one of
/// the immediate topics (`?2`), with their item, story and those topics.
macro_rules! major_revisions_sql {
    () => {
        "SELECT r.id, r.item_id, i.story_id,
                (SELECT json_group_array(t.value) FROM json_each(r.topics) t
                 WHERE t.value IN (SELECT value FROM json_each(?2)))
         FROM revisions r
         JOIN item_versions v ON v.item_id = r.item_id AND v.version = r.to_version AND v.fetch_id = ?1
         JOIN items i ON i.id = r.item_id
         WHERE r.significance IN (SELECT value FROM json_each(?3))
           AND EXISTS (SELECT 1 FROM json_each(r.topics) t WHERE t.value IN (SELECT value FROM json_each(?2)))"
    };
}

/// Which major revisions of a fetch [`major_revisions`] reads.
#[derive(Clone, Copy)]
enum Revisions {
    /// Reported revisions of items the fetch did not create.
    Reported,
    /// Revisions the churn guard held back (not reported), except flaps.
    HeldByChurn,
}

impl Revisions {
    /// The query: the part shared by both, then this kind's own condition.
    fn sql(self) -> &'static str {
        match self {
            Revisions::Reported => concat!(
                major_revisions_sql!(),
                " AND r.reported = 1
                  AND NOT EXISTS (SELECT 1 FROM item_versions f
                                  WHERE f.item_id = r.item_id AND f.version = 1 AND f.fetch_id = ?1)
                 ORDER BY r.id"
            ),
            Revisions::HeldByChurn => concat!(
                major_revisions_sql!(),
                " AND r.reported = 0
                  AND EXISTS (SELECT 1 FROM json_each(r.flags) f WHERE f.value = 'churn')
                  AND NOT EXISTS (SELECT 1 FROM json_each(r.flags) f WHERE f.value = 'flap')
                 ORDER BY r.id"
            ),
        }
    }
}

/// The major revisions of fetch `fetch_id` of one kind on an immediate
/// topic: (revision, item, story, its immediate topics as a JSON array).
type MajorRevision = (i64, i64, Option<i64>, String);

fn major_revisions(
    tx: &Connection,
    which: Revisions,
    fetch_id: i64,
    topics: &str,
) -> rusqlite::Result<Vec<MajorRevision>> {
    tx.prepare_cached(which.sql())?
        .query_map(
            params![fetch_id, topics, super::vocab::at_least(ALERT_SIGNIFICANCE)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?
        .collect()
}

impl WriteTx<'_, '_> {
    /// Queue the alerts fetch `fetch` caused, by `rules` (see `queue_alerts`).
    pub fn queue_alerts(
        &self,
        rules: &AlertRules,
        source: SourceId,
        fetch: FetchId,
        now: DateTime<Utc>,
    ) -> Result<QueuedAlerts> {
        queue_alerts(self.conn(), rules, source, fetch, now).map_err(|e| self.err(e))
    }
}

struct NewRow<'a> {
    kind: &'a str,
    dedupe_key: &'a str,
    topics: &'a str,
    item_id: Option<i64>,
    story_id: Option<i64>,
    revision_id: Option<i64>,
    shift_id: Option<i64>,
    now: &'a str,
    not_before: &'a str,
}

/// Insert one alert row unless its dedupe key exists; 1 if inserted. A
/// revision or shift threads under its story's alert, and never goes out
/// before it.
fn insert_row(tx: &Connection, row: &NewRow<'_>) -> rusqlite::Result<u64> {
    let parent: Option<(String, String)> = match row.story_id {
        Some(story) if row.kind != "story" => tx
            .prepare_cached("SELECT message_key, not_before FROM outbox WHERE dedupe_key = ?1")?
            .query_row([format!("story-{story}")], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?,
        _ => None,
    };
    let not_before = match &parent {
        Some((_, parent_due)) if parent_due.as_str() > row.not_before => parent_due.clone(),
        _ => row.not_before.to_string(),
    };
    let parent_key = parent.map(|p| p.0);
    let n = tx
        .prepare_cached(
            "INSERT OR IGNORE INTO outbox
                 (kind, dedupe_key, topics, item_id, story_id, revision_id, shift_id,
                  message_key, parent_key, created_at, not_before, next_attempt_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,
                     'newswatch.' || ?2 || '.' || (SELECT value FROM meta WHERE key = 'instance'),
                     ?8, ?9, ?10, ?10)",
        )?
        .execute(params![
            row.kind,
            row.dedupe_key,
            row.topics,
            row.item_id,
            row.story_id,
            row.revision_id,
            row.shift_id,
            parent_key,
            row.now,
            not_before
        ])?;
    Ok(n as u64)
}
