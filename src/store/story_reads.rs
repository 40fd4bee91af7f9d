//! Read side for `newswatch stories`: stories with their size, outlets and
//! first and last report, and one story's reports in order with why each
//! joined.

use chrono::{DateTime, Utc};
use rusqlite::{params_from_iter, types::Value};

use super::{Result, Store, StoreError, ts};

/// One story as `stories` lists it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StoryRow {
    pub id: i64,
    /// The first report's title.
    pub title: String,
    pub items: i64,
    /// Outlets (source names) that carried it, first reporter first.
    pub sources: Vec<String>,
    pub first_seen: String,
    pub last_seen: String,
}

/// One report of a story, for `stories show`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct StoryMemberRow {
    pub item_id: i64,
    pub source: String,
    pub title: String,
    pub url: Option<String>,
    pub first_seen: String,
    /// Why it joined (shared names, figures, words, time); `None` for the
    /// report that started the story.
    pub why: Option<String>,
    /// What it brought that the story's earlier reports did not ("new
    /// figure: 22 killed", "new actor: Witkoff"); empty for most.
    pub news: Vec<String>,
}

/// Filters for `stories`.
#[derive(Clone, Debug, Default)]
pub struct StoryFilter {
    /// Only stories with a report seen since then.
    pub since: Option<DateTime<Utc>>,
    /// Only stories with a report matching this topic.
    pub topic: Option<String>,
    pub limit: usize,
}

impl Store {
    /// Stories with a report in the filter, latest report first.
    pub fn stories(&self, filter: &StoryFilter) -> Result<Vec<StoryRow>> {
        let mut sql = String::from(
            "SELECT st.id, st.title, count(i.id), group_concat(s.name, char(31)),
                    min(i.first_seen), max(i.first_seen)
             FROM stories st JOIN items i ON i.story_id = st.id
             JOIN sources s ON s.id = i.source_id WHERE 1 = 1",
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(topic) = &filter.topic {
            sql.push_str(
                " AND st.id IN (SELECT j.story_id FROM items j JOIN matches m ON m.item_id = j.id
                   WHERE m.topic = ? AND j.story_id IS NOT NULL)",
            );
            args.push(Value::Text(topic.clone()));
        }
        sql.push_str(" GROUP BY st.id");
        if let Some(since) = filter.since {
            sql.push_str(" HAVING max(i.first_seen) >= ?");
            args.push(Value::Text(ts(since)));
        }
        sql.push_str(" ORDER BY max(i.first_seen) DESC, st.id DESC LIMIT ?");
        args.push(Value::Integer(filter.limit.min(i64::MAX as usize) as i64));
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params_from_iter(args), |r| {
                let names: String = r.get::<_, Option<String>>(3)?.unwrap_or_default();
                let mut sources: Vec<String> = Vec::new();
                for n in names.split('\u{1f}').filter(|n| !n.is_empty()) {
                    if !sources.iter().any(|s| s == n) {
                        sources.push(n.to_string());
                    }
                }
                Ok(StoryRow {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    items: r.get(2)?,
                    sources,
                    first_seen: r.get(4)?,
                    last_seen: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// One story and its reports, oldest first.
    pub fn story_members(&self, id: i64) -> Result<(StoryRow, Vec<StoryMemberRow>)> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT i.id, s.name, i.title, i.url, i.first_seen, i.story_why, i.story_news
                 FROM items i JOIN sources s ON s.id = i.source_id
                 WHERE i.story_id = ?1 ORDER BY i.first_seen, i.id",
            )
            .map_err(|e| self.err(e))?;
        let members = stmt
            .query_map([id], |r| {
                Ok(StoryMemberRow {
                    item_id: r.get(0)?,
                    source: r.get(1)?,
                    title: r.get(2)?,
                    url: r.get(3)?,
                    first_seen: r.get(4)?,
                    why: r.get(5)?,
                    news: r
                        .get::<_, Option<String>>(6)?
                        .and_then(|n| serde_json::from_str(&n).ok())
                        .unwrap_or_default(),
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        let (Some(first), Some(last)) = (members.first(), members.last()) else {
            return Err(StoreError::NotFound(format!(
                "no story {id} (see `newswatch stories`)"
            )));
        };
        let mut sources: Vec<String> = Vec::new();
        for m in &members {
            if !sources.contains(&m.source) {
                sources.push(m.source.clone());
            }
        }
        let story = StoryRow {
            id,
            title: first.title.clone(),
            items: members.len() as i64,
            sources,
            first_seen: first.first_seen.clone(),
            last_seen: last.first_seen.clone(),
        };
        Ok((story, members))
    }
}
