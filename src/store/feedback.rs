//! Feedback and trained models (`feedback`, `topic_models` tables): what a
//! user said about an item for a topic, and the models `topic train` made.
//! The commands and the poller read them; detection never sees SQL.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::{Result, Store, StoreError, ts};

/// Text kept with a label at most (the lead is what a model reads).
const TEXT_MAX_CHARS: usize = 4_000;

/// One label a user gave.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedbackRow {
    pub item_id: i64,
    pub topic: String,
    pub relevant: bool,
    pub title: String,
    pub text: String,
    pub language: Option<String>,
    pub at: String,
}

/// A model `topic train` stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredModel {
    pub topic: String,
    pub model: String,
    pub examples: i64,
    pub trained_at: String,
}

impl Store {
    /// Record (or replace) the label of item `item_id` for `topic`. The
    /// item's current title and text are kept with it. `NotFound` when there
    /// is no such item.
    pub fn record_feedback(
        &self,
        item_id: i64,
        topic: &str,
        relevant: bool,
        now: DateTime<Utc>,
    ) -> Result<FeedbackRow> {
        let found: Option<(String, String, Option<String>)> = self
            .conn
            .query_row(
                "SELECT v.title, v.text, i.language FROM items i
                 JOIN item_versions v ON v.item_id = i.id AND v.version = i.version_count
                 WHERE i.id = ?1",
                [item_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let (title, text, language) =
            found.ok_or_else(|| StoreError::NotFound(format!("item {item_id}")))?;
        let text: String = text.chars().take(TEXT_MAX_CHARS).collect();
        self.conn
            .execute(
                "INSERT INTO feedback (item_id, topic, relevant, title, text, language, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (item_id, topic) DO UPDATE SET relevant = ?3, at = ?7",
                params![item_id, topic, relevant, title, text, language, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(FeedbackRow {
            item_id,
            topic: topic.to_owned(),
            relevant,
            title,
            text,
            language,
            at: ts(now),
        })
    }

    /// Every label, of one topic or of all, oldest first.
    pub fn feedback(&self, topic: Option<&str>) -> Result<Vec<FeedbackRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT item_id, topic, relevant, title, text, language, at FROM feedback
                 WHERE ?1 IS NULL OR topic = ?1 ORDER BY at, item_id",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([topic], |r| {
                Ok(FeedbackRow {
                    item_id: r.get(0)?,
                    topic: r.get(1)?,
                    relevant: r.get(2)?,
                    title: r.get(3)?,
                    text: r.get(4)?,
                    language: r.get(5)?,
                    at: r.get(6)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }

    /// Store the model `topic train` made for `topic` (replacing one before).
    pub fn save_topic_model(
        &self,
        topic: &str,
        model: &str,
        examples: usize,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO topic_models (topic, model, examples, trained_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (topic) DO UPDATE SET model = ?2, examples = ?3, trained_at = ?4",
                params![topic, model, examples as i64, ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// What changes when feedback is given or a model trained: the number
    /// of labels, the newest label's time, the newest model's time.
    pub fn learning_stamp(&self) -> Result<(i64, Option<String>, Option<String>)> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM feedback), (SELECT max(at) FROM feedback),
                        (SELECT max(trained_at) FROM topic_models)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .map_err(|e| self.err(e))
    }

    /// Every stored model.
    pub fn topic_models(&self) -> Result<Vec<StoredModel>> {
        let mut stmt = self
            .conn
            .prepare("SELECT topic, model, examples, trained_at FROM topic_models ORDER BY topic")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredModel {
                    topic: r.get(0)?,
                    model: r.get(1)?,
                    examples: r.get(2)?,
                    trained_at: r.get(3)?,
                })
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<rusqlite::Result<_>>()
            .map_err(|e| self.err(e))
    }
}
