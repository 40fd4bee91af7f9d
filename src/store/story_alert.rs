//! The story a new story's alert shows: led by the news that raised it
//! when the story held earlier reports that never alerted.

use rusqlite::params;

use super::views::{ITEM_COLUMNS, ITEM_JOINS, STORY_ITEMS_SHOWN, item_view};
use super::{Result, Store};
use crate::model::views::{ItemView, StoryView};

impl Store {
    /// A new story's alert on `story_id`, raised by report `item`: when the
    /// story held reports before it (a new source's backlog, reports off
    /// the alert's topics or too old to alert), the alert leads with the
    /// news — `item` and the story's later reports that came in a source's
    /// ordinary fetches (not its baseline) — and lists the earlier ones
    /// under them (one per outlet, earliest first). Otherwise the story as
    /// [`Store::story_view`] gives it.
    pub fn story_alert_view(&self, story_id: i64, item: i64) -> Result<StoryView> {
        let mut story = self.story_view(story_id)?;
        let earlier: i64 = self
            .conn
            .prepare_cached("SELECT count(*) FROM items WHERE story_id = ?1 AND id < ?2")
            .and_then(|mut s| s.query_row(params![story_id, item], |r| r.get(0)))
            .map_err(|e| self.err(e))?;
        if earlier == 0 {
            return Ok(story);
        }
        let read = |sql: &str| -> Result<Vec<ItemView>> {
            self.conn
                .prepare_cached(sql)
                .and_then(|mut s| {
                    s.query_map(params![story_id, item, STORY_ITEMS_SHOWN as i64], |r| {
                        item_view(r, 0)
                    })?
                    .collect()
                })
                .map_err(|e| self.err(e))
        };
        // News: the item, then later members a source's ordinary fetch
        // brought (a source's first fetch is its baseline: backlog).
        const NEWS: &str = "(i.id = ?2 OR (i.id > ?2 AND EXISTS
                 (SELECT 1 FROM item_versions f JOIN fetches p
                      ON p.source_id = i.source_id AND p.outcome = 'ok' AND p.id < f.fetch_id
                  WHERE f.item_id = i.id AND f.version = 1)))";
        let news = read(&format!(
            "SELECT {ITEM_COLUMNS} FROM items i {ITEM_JOINS}
             WHERE i.story_id = ?1 AND {NEWS}
             ORDER BY i.id <> ?2, i.first_seen, i.id LIMIT ?3"
        ))?;
        if news.first().map(|n| n.id) != Some(item) {
            return Ok(story); // the item left the story: as it stands
        }
        let before = read(&format!(
            "SELECT {ITEM_COLUMNS} FROM items i {ITEM_JOINS}
             WHERE i.id IN (SELECT id FROM
                 (SELECT i.id, row_number() OVER
                      (PARTITION BY i.source_id ORDER BY i.first_seen, i.id) AS n
                  FROM items i WHERE i.story_id = ?1 AND NOT {NEWS})
                 WHERE n = 1)
             ORDER BY i.first_seen, i.id LIMIT ?3"
        ))?;
        let shown = STORY_ITEMS_SHOWN
            .saturating_sub(news.len())
            .min(before.len());
        let total_items = story.items.len() + story.more_items;
        let all_sources = story.sources.len() + story.more_sources;
        let mut items = news;
        story.new_items = items.len();
        items.extend(before.into_iter().take(shown));
        let mut sources: Vec<String> = Vec::new();
        for it in &items {
            if !sources.contains(&it.source) {
                sources.push(it.source.clone());
            }
        }
        story.title = items[0].title.clone();
        story.more_items = total_items.saturating_sub(items.len());
        story.more_sources = all_sources.saturating_sub(sources.len());
        story.sources = sources;
        story.items = items;
        Ok(story)
    }
}
