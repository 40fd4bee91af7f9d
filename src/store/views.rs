//! Reads for the notifier: the stories, revisions, statement shifts and
//! source health that alerts and digests report, as `model::views`.
//! Diffs come back as the stored JSON; the notifier turns them into display
//! parts.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params};

use super::health::SourceState;
use super::{Result, SourceRow, Store, StoreError, Watermark};
use crate::model::Significance;
use crate::model::views::{
    HeldUpdate, ItemView, QuoteView, RevisionView, ShiftView, SourceHealthView, StoryView,
};

/// Characters of an item's text shown under its title.
const SUMMARY_CHARS: usize = 280;
/// Titles are stored whole (up to 2 MiB); a message shows at most this much
/// of one, so a hostile feed's megabyte title cannot make a megabyte mail.
const TITLE_CHARS: usize = 400;
/// Stories listed per topic in one digest; the rest are counted.
pub const DIGEST_MAX_STORIES: usize = 100;
/// A source is "failing" in the health report after this many errors in a row.
const FAILING_STREAK: i64 = 2;

/// Item columns as `item_view` reads them, for a query over `items i`,
/// `sources s` and the current version `v`.
pub(super) const ITEM_COLUMNS: &str =
    "i.id, i.title, i.url, s.name, i.published_at, i.first_seen, substr(v.text, 1, 600)";
pub(super) const ITEM_JOINS: &str = "JOIN sources s ON s.id = i.source_id
     JOIN item_versions v ON v.item_id = i.id AND v.version = i.version_count";

/// A revision's columns for [`stored_revision`]: its item as of the
/// revision (the title and text it brought; the item's latest when that
/// version is gone), not as it reads now.
const REVISION_SELECT: &str =
    "SELECT r.id, r.from_version, r.to_version, r.seen_at, r.significance,
        r.reasons, r.topics, r.diff,
        i.id, coalesce(rv.title, i.title), i.url, s.name, i.published_at, i.first_seen,
        substr(coalesce(rv.text, v.text), 1, 600)
     FROM revisions r JOIN items i ON i.id = r.item_id
     JOIN sources s ON s.id = i.source_id
     JOIN item_versions v ON v.item_id = i.id AND v.version = i.version_count
     LEFT JOIN item_versions rv ON rv.item_id = i.id AND rv.version = r.to_version";

pub(super) fn item_view(r: &Row<'_>, at: usize) -> rusqlite::Result<ItemView> {
    let url: Option<String> = r.get(at + 2)?;
    let text: Option<String> = r.get(at + 6)?;
    Ok(ItemView {
        id: r.get(at)?,
        title: shorten(&r.get::<_, String>(at + 1)?, TITLE_CHARS),
        url: url.filter(|u| is_web_url(u)),
        source: r.get(at + 3)?,
        published: r.get(at + 4)?,
        first_seen: r.get(at + 5)?,
        summary: shorten(text.as_deref().unwrap_or(""), SUMMARY_CHARS),
    })
}

/// Only links a mail reader can safely open: `javascript:` and friends from a
/// hostile feed never become a link.
pub fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// The first `max` characters of `text`, ending on a word boundary when one
/// is near, with "…" when cut.
fn shorten(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    // End on a word boundary when there is one nearby.
    let cut = match cut.rfind(char::is_whitespace) {
        Some(i) if i > cut.len() / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end())
}

/// A revision as the store has it: the view plus its diff JSON.
pub struct StoredRevision {
    pub view: RevisionView,
    /// `{"title": [ops], "text": [ops]}` as stored.
    pub diff_json: String,
}

/// Items first seen in a period on one topic, grouped into stories.
#[derive(Clone, Debug, Default)]
pub struct TopicStories {
    pub stories: Vec<StoryView>,
    /// Stories left out beyond `DIGEST_MAX_STORIES`.
    pub more: usize,
}

impl Store {
    /// The random id of this database, part of every Message-ID.
    pub fn instance_id(&self) -> Result<String> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = 'instance'", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.err(e))
    }

    /// A story with its earliest items (one per outlet, at most
    /// [`STORY_ITEMS_SHOWN`]), and how many more there are.
    pub fn story_view(&self, story_id: i64) -> Result<StoryView> {
        let sql = format!(
            "SELECT {ITEM_COLUMNS} FROM items i {ITEM_JOINS}
             WHERE i.id IN (SELECT id FROM
                 (SELECT id, first_seen, row_number() OVER
                      (PARTITION BY source_id ORDER BY first_seen, id) AS n
                  FROM items WHERE story_id = ?1)
                 WHERE n = 1 ORDER BY first_seen, id LIMIT ?2)
             ORDER BY i.first_seen, i.id"
        );
        let (total_items, total_sources): (i64, i64) = self
            .conn
            .prepare_cached(
                "SELECT count(*), count(DISTINCT source_id) FROM items WHERE story_id = ?1",
            )
            .and_then(|mut s| s.query_row([story_id], |r| Ok((r.get(0)?, r.get(1)?))))
            .map_err(|e| self.err(e))?;
        let items: Vec<ItemView> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params![story_id, STORY_ITEMS_SHOWN as i64], |r| {
                    item_view(r, 0)
                })?
                .collect()
            })
            .map_err(|e| self.err(e))?;
        if items.is_empty() {
            return Err(StoreError::NotFound(format!(
                "story {story_id} has no items"
            )));
        }
        let mut story = story_from_items(story_id, items);
        story.latest = if total_items > 1 {
            let sql = format!(
                "SELECT {ITEM_COLUMNS} FROM items i {ITEM_JOINS}
                 WHERE i.story_id = ?1 ORDER BY i.first_seen DESC, i.id DESC LIMIT 1"
            );
            self.conn
                .prepare_cached(&sql)
                .and_then(|mut s| s.query_row([story_id], |r| item_view(r, 0)).optional())
                .map_err(|e| self.err(e))?
        } else {
            None
        };
        story.more_items = (total_items as usize).saturating_sub(story.items.len());
        story.more_sources = (total_sources as usize).saturating_sub(story.sources.len());
        Ok(story)
    }

    /// A story made of one item (an item without a story id).
    pub fn item_story_view(&self, item_id: i64) -> Result<StoryView> {
        let item = self.item_view(item_id)?;
        Ok(story_from_items(-item_id, vec![item]))
    }

    /// One item as a message shows it.
    pub fn item_view(&self, item_id: i64) -> Result<ItemView> {
        let sql = format!("SELECT {ITEM_COLUMNS} FROM items i {ITEM_JOINS} WHERE i.id = ?1");
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([item_id], |r| item_view(r, 0)).optional())
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("no item {item_id}")))
    }

    /// What a report brought to its story (`items.story_news`): empty when
    /// nothing, or when what is stored cannot be read.
    pub fn item_news(&self, item_id: i64) -> Result<Vec<String>> {
        let stored: Option<String> = self
            .conn
            .prepare_cached("SELECT story_news FROM items WHERE id = ?1")
            .and_then(|mut s| s.query_row([item_id], |r| r.get(0)).optional())
            .map_err(|e| self.err(e))?
            .flatten();
        Ok(stored
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default())
    }

    /// One stored revision.
    pub fn revision_view(&self, revision_id: i64) -> Result<StoredRevision> {
        let sql = format!(
            "{REVISION_SELECT}
             WHERE r.id = ?1"
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| s.query_row([revision_id], stored_revision).optional())
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("no revision {revision_id}")))
    }

    /// The major revisions of `item` the churn guard held back, from
    /// revision `first` to `last`, oldest first: what a churning item's
    /// combined alert folds together.
    pub fn held_updates(&self, item: i64, first: i64, last: i64) -> Result<Vec<HeldUpdate>> {
        self.conn
            .prepare_cached(
                "SELECT r.id, r.seen_at, v.title, r.reasons
                 FROM revisions r
                 JOIN item_versions v ON v.item_id = r.item_id AND v.version = r.to_version
                 WHERE r.item_id = ?1 AND r.id BETWEEN ?2 AND ?3 AND r.reported = 0
                   AND r.significance = 'major'
                   AND EXISTS (SELECT 1 FROM json_each(r.flags) f WHERE f.value = 'churn')
                   AND NOT EXISTS (SELECT 1 FROM json_each(r.flags) f WHERE f.value = 'flap')
                 ORDER BY r.id",
            )
            .and_then(|mut s| {
                s.query_map(params![item, first, last], |r| {
                    let reasons: String = r.get(3)?;
                    Ok(HeldUpdate {
                        revision_id: r.get(0)?,
                        seen_at: r.get(1)?,
                        title: r.get(2)?,
                        reasons: crate::text::readable_reasons(&reasons),
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// One statement shift, with the earlier statement it is far from.
    pub fn shift_view(&self, shift_id: i64) -> Result<ShiftView> {
        self.shifts_where("sh.id = ?1", params![shift_id])?
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("no shift {shift_id}")))
    }

    /// Index of `st.issue` in [`Self::shifts_where`]'s row: after nine
    /// columns and two items of seven.
    const ISSUE_COL: usize = 23;

    fn shifts_where(&self, cond: &str, args: impl rusqlite::Params) -> Result<Vec<ShiftView>> {
        let sql = format!(
            "SELECT sh.id, st.speaker, st.topic, sh.seen_at, sh.similarity,
                    st.text, coalesce(st.said_at, st.seen_at), c.text, coalesce(c.said_at, c.seen_at),
                    {new_item}, {old_item}, st.issue, st.stance, c.stance
             FROM shifts sh
             JOIN statements st ON st.id = sh.statement_id
             JOIN statements c ON c.id = sh.closest_id
             JOIN items i ON i.id = st.item_id
             JOIN sources s ON s.id = i.source_id
             JOIN item_versions v ON v.item_id = i.id AND v.version = i.version_count
             JOIN items i2 ON i2.id = c.item_id
             JOIN sources s2 ON s2.id = i2.source_id
             JOIN item_versions v2 ON v2.item_id = i2.id AND v2.version = i2.version_count
             WHERE {cond} ORDER BY sh.seen_at, sh.id",
            new_item = ITEM_COLUMNS,
            old_item = ITEM_COLUMNS
                .replace("i.", "i2.")
                .replace("s.", "s2.")
                .replace("v.", "v2."),
        );
        self.conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(args, |r| {
                    Ok(ShiftView {
                        shift_id: r.get(0)?,
                        speaker: r.get(1)?,
                        topic: r.get(2)?,
                        issue: r.get(Self::ISSUE_COL)?,
                        seen_at: r.get(3)?,
                        similarity: r.get(4)?,
                        statement: QuoteView {
                            text: r.get(5)?,
                            seen_at: r.get(6)?,
                            stance: r.get(Self::ISSUE_COL + 1)?,
                            item: item_view(r, 9)?,
                        },
                        earlier: QuoteView {
                            text: r.get(7)?,
                            seen_at: r.get(8)?,
                            stance: r.get(Self::ISSUE_COL + 2)?,
                            item: item_view(r, 16)?,
                        },
                    })
                })?
                .collect()
            })
            .map_err(|e| self.err(e))
    }

    /// Items stored between two watermarks that match `topic`, as stories.
    /// Stories reported by more sources come first.
    pub fn topic_stories(
        &self,
        topic: &str,
        after: Watermark,
        upto: Watermark,
    ) -> Result<TopicStories> {
        let sql = format!(
            "SELECT coalesce(i.story_id, -i.id), {ITEM_COLUMNS}
             FROM items i
             JOIN matches m ON m.item_id = i.id AND m.version = i.version_count AND m.topic = ?1
             {ITEM_JOINS}
             WHERE i.id > ?2 AND i.id <= ?3
             ORDER BY i.id"
        );
        let rows: Vec<(i64, ItemView)> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(params![topic, after.item, upto.item], |r| {
                    Ok((r.get(0)?, item_view(r, 1)?))
                })?
                .collect()
            })
            .map_err(|e| self.err(e))?;
        let mut order: Vec<i64> = Vec::new();
        let mut groups: std::collections::HashMap<i64, Vec<ItemView>> = Default::default();
        for (story, item) in rows {
            let group = groups.entry(story).or_default();
            if group.is_empty() {
                order.push(story);
            }
            group.push(item);
        }
        let mut stories: Vec<StoryView> = order
            .into_iter()
            .filter_map(|id| Some(story_from_items(id, groups.remove(&id)?)))
            .collect();
        // More outlets first; within that, the earliest first (stable sort).
        stories.sort_by_key(|s| std::cmp::Reverse(s.sources.len()));
        let more = stories.len().saturating_sub(DIGEST_MAX_STORIES);
        stories.truncate(DIGEST_MAX_STORIES);
        Ok(TopicStories { stories, more })
    }

    /// Reported revisions between two watermarks on `topic`, at least `min` significant.
    pub fn topic_revisions(
        &self,
        topic: &str,
        after: Watermark,
        upto: Watermark,
        min: Significance,
    ) -> Result<Vec<StoredRevision>> {
        let sql = format!(
            "{REVISION_SELECT}
             WHERE r.id > ?2 AND r.id <= ?3 AND r.reported = 1
               AND r.significance IN (SELECT value FROM json_each(?4))
               AND EXISTS (SELECT 1 FROM json_each(r.topics) t WHERE t.value = ?1)
             ORDER BY r.seen_at, r.id"
        );
        let mut revisions: Vec<StoredRevision> = self
            .conn
            .prepare_cached(&sql)
            .and_then(|mut s| {
                s.query_map(
                    params![
                        topic,
                        after.revision,
                        upto.revision,
                        super::vocab::at_least(min)
                    ],
                    stored_revision,
                )?
                .collect()
            })
            .map_err(|e| self.err(e))?;
        // Most significant first; within a class, in the order seen (stable sort).
        revisions.sort_by_key(|r| std::cmp::Reverse(r.view.significance));
        Ok(revisions)
    }

    /// Statement shifts between two watermarks on `topic`.
    pub fn topic_shifts(
        &self,
        topic: &str,
        after: Watermark,
        upto: Watermark,
    ) -> Result<Vec<ShiftView>> {
        self.shifts_where(
            "st.topic = ?1 AND sh.id > ?2 AND sh.id <= ?3",
            params![topic, after.shift, upto.shift],
        )
    }

    /// Sources that need a look: failing, silent for unusually long, or
    /// disabled (by 410 Gone or by hand, not those removed from the config).
    pub fn source_health(&self, now: DateTime<Utc>) -> Result<Vec<SourceHealthView>> {
        Ok(self
            .sources()?
            .iter()
            .filter_map(|r| needs_a_look(r, now))
            .collect())
    }
}

/// The digest's report of one source: only one in trouble. One failed poll
/// is a blip there (a mail is no place for it); `status` shows it.
fn needs_a_look(row: &SourceRow, now: DateTime<Utc>) -> Option<SourceHealthView> {
    let health = row.health(now);
    let listed = match health.state {
        SourceState::Disabled => !super::health::is_retired(row.disabled_reason.as_deref()),
        SourceState::Failing => row.error_streak >= FAILING_STREAK,
        SourceState::Silent => true,
        SourceState::Ok | SourceState::Never => false,
    };
    listed.then(|| SourceHealthView {
        name: row.name.clone(),
        url: row.url.clone(),
        state: health.state.as_str(),
        detail: health.detail.unwrap_or_default(),
        since: health.since,
    })
}

fn stored_revision(r: &Row<'_>) -> rusqlite::Result<StoredRevision> {
    let reasons: String = r.get(5)?;
    let topics: String = r.get(6)?;
    Ok(StoredRevision {
        view: RevisionView {
            revision_id: r.get(0)?,
            from_version: r.get(1)?,
            to_version: r.get(2)?,
            seen_at: r.get(3)?,
            significance: r.get(4)?,
            reasons: crate::text::readable_reasons(&reasons),
            topics: serde_json::from_str(&topics).unwrap_or_default(),
            item: item_view(r, 8)?,
            title_diff: Vec::new(),
            text_diff: Vec::new(),
        },
        diff_json: r.get(7)?,
    })
}

/// Most items a message shows of one story: the earliest item of each
/// outlet, up to this many outlets (a story can gather thousands of items).
pub const STORY_ITEMS_SHOWN: usize = 40;

/// A story from its items, earliest first: keeps the first item of each
/// outlet, up to [`STORY_ITEMS_SHOWN`], and counts the rest.
fn story_from_items(story_id: i64, mut all: Vec<ItemView>) -> StoryView {
    let total_items = all.len();
    let latest = if all.len() > 1 { all.pop() } else { None };
    if let Some(l) = &latest {
        all.push(l.clone());
    }
    let mut seen: std::collections::HashSet<String> = Default::default();
    let mut items = Vec::new();
    for item in all {
        if seen.insert(item.source.clone()) && items.len() < STORY_ITEMS_SHOWN {
            items.push(item);
        }
    }
    let sources: Vec<String> = items.iter().map(|i| i.source.clone()).collect();
    StoryView {
        new_items: 0,
        more_sources: seen.len() - sources.len(),
        more_items: total_items - items.len(),
        story_id,
        title: items.first().map(|i| i.title.clone()).unwrap_or_default(),
        first_seen: items
            .first()
            .map(|i| i.first_seen.clone())
            .unwrap_or_default(),
        latest,
        sources,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> SourceRow {
        SourceRow {
            name: "wire".into(),
            url: "https://news.example/feed".into(),
            enabled: true,
            disabled_reason: None,
            origin: "config".into(),
            kind: "feed".into(),
            tags: Vec::new(),
            last_status: Some("ok".into()),
            last_http_status: Some(200),
            last_error: None,
            error_streak: 0,
            last_fetch_at: Some("2026-11-27T05:00:00Z".into()),
            last_ok_at: Some("2026-11-27T05:00:00Z".into()),
            last_new_item_at: Some("2026-11-27T04:00:00Z".into()),
            next_poll_at: "2026-11-27T05:15:00Z".into(),
            items: 10,
            interval_s: 900,
            created_at: "2026-11-01T00:00:00Z".into(),
        }
    }

    fn judge(r: SourceRow) -> Option<(&'static str, String)> {
        needs_a_look(&r, crate::store::parse_ts("2026-11-27T06:00:00Z").unwrap())
            .map(|v| (v.state, v.detail))
    }

    #[test]
    fn a_healthy_source_is_not_listed() {
        assert_eq!(judge(row()), None);
    }

    #[test]
    fn one_error_is_a_blip_two_are_failing() {
        let mut r = row();
        r.error_streak = 1;
        assert_eq!(judge(r), None);
        let mut r = row();
        r.error_streak = 2;
        r.last_error = Some("HTTP 503".into());
        let (state, detail) = judge(r).unwrap();
        assert_eq!(state, "failing");
        assert!(detail.contains("HTTP 503"), "{detail}");
    }

    #[test]
    fn silence_is_judged_against_the_sources_own_rhythm() {
        // Polled every 15 min: 12 intervals are 3 h, but at least 48 h count.
        let mut r = row();
        r.last_new_item_at = Some("2026-11-25T07:00:00Z".into());
        assert_eq!(judge(r), None);
        let mut r = row();
        r.last_new_item_at = Some("2026-11-25T05:00:00Z".into());
        let (state, detail) = judge(r).unwrap();
        assert_eq!(state, "silent");
        assert_eq!(detail, "no new item since 25 Nov (2 days 1h)");
        // A source polled every 6 h may be quiet for 3 days.
        let mut r = row();
        r.interval_s = 6 * 3600;
        r.last_new_item_at = Some("2026-11-24T08:00:00Z".into());
        assert_eq!(judge(r), None);
    }

    #[test]
    fn disabled_sources_are_listed_unless_removed_from_the_config() {
        let mut r = row();
        r.enabled = false;
        r.disabled_reason = Some("gone: the server answered 410 Gone".into());
        assert_eq!(judge(r).unwrap().0, "disabled");
        let mut r = row();
        r.enabled = false;
        r.disabled_reason = Some(super::super::sources::REASON_NOT_IN_CONFIG.into());
        assert_eq!(judge(r), None);
    }
}
