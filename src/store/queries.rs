//! Read side for the CLI: items, full-text search, one item with its versions,
//! source health and the status summary (revisions and shifts: `changes`).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, params_from_iter, types::Value};

use super::{Result, Store, StoreError, ts};
use crate::model::ItemId;
use crate::text::{search_query, search_words_query};

/// Filters for `items`.
#[derive(Clone, Debug, Default)]
pub struct ItemFilter {
    pub source: Option<String>,
    /// Only items whose current version matches this topic.
    pub topic: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub limit: usize,
}

/// One item as listed by `items` and `search`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ItemRow {
    pub id: ItemId,
    pub url: Option<String>,
    pub title: String,
    pub source: String,
    pub published: String,
    pub first_seen: String,
    pub last_seen: String,
    pub versions: i64,
    pub language: Option<String>,
    /// Names of the topics the item's current version matches.
    pub topics: Vec<String>,
    /// The item's story, when it carried one of those topics to the item
    /// (the item did not match it on its own).
    pub via_story: Option<i64>,
}

/// A search result: the item and its FTS5 rank (lower is better).
#[derive(Clone, Debug, serde::Serialize)]
pub struct SearchHit {
    #[serde(flatten)]
    pub item: ItemRow,
    pub rank: f64,
}

/// One stored version of an item.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ItemVersionRow {
    pub version: i64,
    pub seen_at: String,
    pub published: Option<String>,
    pub title: String,
    pub text: String,
    /// When retention emptied `text`, if it did.
    pub pruned_at: Option<String>,
}

/// One source with its health, as `sources list` shows it.
#[derive(Clone, Debug, serde::Serialize)]
pub struct SourceRow {
    pub name: String,
    pub url: String,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub origin: String,
    pub kind: String,
    pub tags: Vec<String>,
    pub last_status: Option<String>,
    pub last_http_status: Option<i64>,
    pub last_error: Option<String>,
    pub error_streak: i64,
    pub last_fetch_at: Option<String>,
    pub last_ok_at: Option<String>,
    pub last_new_item_at: Option<String>,
    pub next_poll_at: String,
    pub items: i64,
    /// The poll interval planned last (else configured, else the default).
    pub interval_s: i64,
    pub created_at: String,
}

impl SourceRow {
    /// The source's state at `now`, as `status`, `sources` and digests judge it.
    pub fn health(&self, now: DateTime<Utc>) -> super::Health {
        super::health::judge(
            &super::health::HealthFacts {
                enabled: self.enabled,
                disabled_reason: self.disabled_reason.as_deref(),
                last_status: self.last_status.as_deref(),
                error_streak: self.error_streak,
                last_error: self.last_error.as_deref(),
                last_ok_at: self.last_ok_at.as_deref(),
                last_new_item_at: self.last_new_item_at.as_deref(),
                interval_s: self.interval_s,
                created_at: &self.created_at,
            },
            now,
        )
    }

    /// Whether the config no longer names this source (kept for its items).
    pub fn is_retired(&self) -> bool {
        super::health::is_retired(self.disabled_reason.as_deref())
    }
}

/// A topic one version of an item matched, with the terms that hit.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MatchRow {
    pub version: i64,
    pub topic: String,
    pub terms: Vec<String>,
    pub score: f64,
    /// The story that carried the topic (the version did not match it on
    /// its own).
    pub via_story: Option<i64>,
}

/// One row of `fetches`, newest first.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FetchRow {
    pub source: String,
    pub started_at: String,
    pub duration_ms: i64,
    pub url: String,
    pub http_status: Option<i64>,
    pub outcome: String,
    pub bytes: i64,
    pub items_new: i64,
    pub items_changed: i64,
    pub error: Option<String>,
}

/// Whole-database summary for `status`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct StatusReport {
    pub database: String,
    pub database_bytes: u64,
    /// The write-ahead log beside it (`-wal`): part of what the database
    /// takes on disk until a checkpoint copies it back.
    pub database_wal_bytes: u64,
    pub sources: i64,
    pub sources_enabled: i64,
    pub sources_ok: i64,
    pub sources_failing: i64,
    pub sources_disabled: i64,
    pub sources_never_fetched: i64,
    pub items: i64,
    pub item_versions: i64,
    pub fetches_24h: i64,
    pub fetch_errors_24h: i64,
    pub last_fetch_at: Option<String>,
    pub next_poll_at: Option<String>,
    pub newest_item_at: Option<String>,
}

const ITEM_COLS: &str = "i.id, i.url, i.title, s.name, i.published_at, i.first_seen, i.last_seen, i.version_count, i.language,
    (SELECT json_group_array(m.topic) FROM matches m WHERE m.item_id = i.id AND m.version = i.version_count),
    (SELECT max(m.via_story) FROM matches m WHERE m.item_id = i.id AND m.version = i.version_count)";

fn item_row(r: &Row<'_>) -> rusqlite::Result<ItemRow> {
    Ok(ItemRow {
        id: r.get(0)?,
        url: r.get(1)?,
        title: r.get(2)?,
        source: r.get(3)?,
        published: r.get(4)?,
        first_seen: r.get(5)?,
        last_seen: r.get(6)?,
        versions: r.get(7)?,
        language: r.get(8)?,
        topics: json_list(&r.get::<_, String>(9)?),
        via_story: r.get(10)?,
    })
}

impl Store {
    /// Stored items, newest first.
    pub fn items(&self, filter: &ItemFilter) -> Result<Vec<ItemRow>> {
        let mut sql = format!(
            "SELECT {ITEM_COLS} FROM items i JOIN sources s ON s.id = i.source_id WHERE 1 = 1"
        );
        let mut args: Vec<Value> = Vec::new();
        if let Some(source) = &filter.source {
            sql.push_str(" AND s.name = ?");
            args.push(Value::Text(source.clone()));
        }
        if let Some(topic) = &filter.topic {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM matches m WHERE m.item_id = i.id AND m.version = i.version_count AND m.topic = ?)",
            );
            args.push(Value::Text(topic.clone()));
        }
        if let Some(since) = filter.since {
            sql.push_str(" AND i.published_at >= ?");
            args.push(Value::Text(ts(since)));
        }
        sql.push_str(" ORDER BY i.published_at DESC, i.id DESC LIMIT ?");
        args.push(Value::Integer(filter.limit.min(i64::MAX as usize) as i64));
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params_from_iter(args), item_row)
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Full-text search (FTS5 syntax: phrases, prefix*, AND/OR/NOT, NEAR), best first.
    /// Words and phrases are folded and stemmed as the index is
    /// (`text::search_query`), so any inflection finds the others; a
    /// prefix matches words as written. A query that is not valid FTS5
    /// syntax is retried as its words alone (none: no hits). Any other
    /// failure (a locked, damaged or unreadable database) is an error:
    /// retried as other words, it could come back as fewer or no hits, and
    /// look like an answer.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        if query.trim().is_empty() {
            return Err(StoreError::NotFound("empty search query".into()));
        }
        let Some(fts_query) = search_query(query) else {
            return Ok(Vec::new());
        };
        match self.search_raw(&fts_query, limit) {
            Err(e) if is_query_syntax_error(&e) => match search_words_query(query) {
                Some(words) => self.search_raw(&words, limit),
                None => Ok(Vec::new()),
            },
            result => result,
        }
    }

    fn search_raw(&self, fts_query: &str, limit: usize) -> Result<Vec<SearchHit>> {
        let sql = format!(
            "SELECT {ITEM_COLS}, f.rank FROM items_fts f
             JOIN items i ON i.id = f.rowid JOIN sources s ON s.id = i.source_id
             WHERE items_fts MATCH ?1 ORDER BY f.rank LIMIT ?2"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params![fts_query, limit as i64], |r| {
                Ok(SearchHit {
                    item: item_row(r)?,
                    rank: r.get(11)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// One item (by id, or by URL as stored) with all its versions, oldest first.
    pub fn item_with_versions(&self, item: &str) -> Result<(ItemRow, Vec<ItemVersionRow>)> {
        let by_id = item.parse::<i64>().ok();
        let row = self
            .conn
            .query_row(
                &format!(
                    "SELECT {ITEM_COLS} FROM items i JOIN sources s ON s.id = i.source_id
                     WHERE i.id = ?1 OR (?1 IS NULL AND i.url = ?2) ORDER BY i.id DESC LIMIT 1"
                ),
                rusqlite::params![by_id, item],
                item_row,
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("no item {item}")))?;
        let mut stmt = self
            .conn
            .prepare(
                "SELECT version, seen_at, published_at, title, text, pruned_at FROM item_versions
                 WHERE item_id = ?1 ORDER BY version",
            )
            .map_err(|e| self.err(e))?;
        let versions = stmt
            .query_map([row.id], |r| {
                Ok(ItemVersionRow {
                    version: r.get(0)?,
                    seen_at: r.get(1)?,
                    published: r.get(2)?,
                    title: r.get(3)?,
                    text: r.get(4)?,
                    pruned_at: r.get(5)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok((row, versions))
    }

    /// The topics each version of an item matched, with their terms, by
    /// version then topic.
    pub fn item_matches(&self, item: ItemId) -> Result<Vec<MatchRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT version, topic, terms, score, via_story FROM matches
                 WHERE item_id = ?1 ORDER BY version, topic",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([item], |r| {
                let terms: String = r.get(2)?;
                Ok(MatchRow {
                    version: r.get(0)?,
                    topic: r.get(1)?,
                    terms: json_list(&terms),
                    score: r.get(3)?,
                    via_story: r.get(4)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// All sources with their health, by name.
    pub fn sources(&self) -> Result<Vec<SourceRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.name, s.url, s.enabled, s.disabled_reason, s.origin, s.kind, s.tags,
                        s.last_status, s.last_http_status, s.last_error, s.error_streak,
                        s.last_fetch_at, s.last_ok_at, s.last_new_item_at, s.next_poll_at,
                        (SELECT count(*) FROM items i WHERE i.source_id = s.id),
                        coalesce(s.poll_interval_s, s.interval_s, ?1), s.created_at
                 FROM sources s ORDER BY s.name",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([super::health::DEFAULT_INTERVAL_S], |r| {
                let tags: String = r.get(6)?;
                Ok(SourceRow {
                    name: r.get(0)?,
                    url: r.get(1)?,
                    enabled: r.get(2)?,
                    disabled_reason: r.get(3)?,
                    origin: r.get(4)?,
                    kind: r.get(5)?,
                    tags: serde_json::from_str(&tags).unwrap_or_default(),
                    last_status: r.get(7)?,
                    last_http_status: r.get(8)?,
                    last_error: r.get(9)?,
                    error_streak: r.get(10)?,
                    last_fetch_at: r.get(11)?,
                    last_ok_at: r.get(12)?,
                    last_new_item_at: r.get(13)?,
                    next_poll_at: r.get(14)?,
                    items: r.get(15)?,
                    interval_s: r.get(16)?,
                    created_at: r.get(17)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The most recent fetch attempts, newest first (optionally of one source).
    pub fn recent_fetches(&self, source: Option<&str>, limit: usize) -> Result<Vec<FetchRow>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT s.name, f.started_at, f.duration_ms, f.url, f.http_status, f.outcome,
                        f.bytes, f.items_new, f.items_changed, f.error
                 FROM fetches f JOIN sources s ON s.id = f.source_id
                 WHERE ?1 IS NULL OR s.name = ?1
                 ORDER BY f.id DESC LIMIT ?2",
            )
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params![source, limit as i64], |r| {
                Ok(FetchRow {
                    source: r.get(0)?,
                    started_at: r.get(1)?,
                    duration_ms: r.get(2)?,
                    url: r.get(3)?,
                    http_status: r.get(4)?,
                    outcome: r.get(5)?,
                    bytes: r.get(6)?,
                    items_new: r.get(7)?,
                    items_changed: r.get(8)?,
                    error: r.get(9)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Summary counts for `status`.
    pub fn status(&self, now: DateTime<Utc>) -> Result<StatusReport> {
        let day_ago = ts(now - chrono::Duration::hours(24));
        let q = |sql: &str| -> Result<i64> {
            self.conn
                .query_row(sql, [&day_ago], |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        let qs = |sql: &str| -> Result<Option<String>> {
            self.conn
                .query_row(sql, [], |r| r.get(0))
                .map_err(|e| self.err(e))
        };
        Ok(StatusReport {
            database: self.path.display().to_string(),
            database_bytes: std::fs::metadata(&self.path).map(|m| m.len()).unwrap_or(0),
            database_wal_bytes: std::fs::metadata(self.wal_path())
                .map(|m| m.len())
                .unwrap_or(0),
            sources: q("SELECT count(*) FROM sources WHERE ?1 IS NOT NULL")?,
            sources_enabled: q(
                "SELECT count(*) FROM sources WHERE enabled = 1 AND ?1 IS NOT NULL",
            )?,
            sources_ok: q(
                "SELECT count(*) FROM sources WHERE enabled = 1 AND error_streak = 0 AND last_fetch_at IS NOT NULL AND ?1 IS NOT NULL",
            )?,
            sources_failing: q(
                "SELECT count(*) FROM sources WHERE enabled = 1 AND error_streak > 0 AND ?1 IS NOT NULL",
            )?,
            sources_disabled: q(
                "SELECT count(*) FROM sources WHERE enabled = 0 AND ?1 IS NOT NULL",
            )?,
            sources_never_fetched: q(
                "SELECT count(*) FROM sources WHERE enabled = 1 AND last_fetch_at IS NULL AND ?1 IS NOT NULL",
            )?,
            items: q("SELECT count(*) FROM items WHERE ?1 IS NOT NULL")?,
            item_versions: q("SELECT count(*) FROM item_versions WHERE ?1 IS NOT NULL")?,
            fetches_24h: q("SELECT count(*) FROM fetches WHERE started_at >= ?1")?,
            fetch_errors_24h: q(
                "SELECT count(*) FROM fetches WHERE started_at >= ?1 AND outcome IN ('error', 'gone')",
            )?,
            last_fetch_at: qs("SELECT max(started_at) FROM fetches")?,
            next_poll_at: qs("SELECT min(next_poll_at) FROM sources WHERE enabled = 1")?,
            newest_item_at: qs("SELECT max(first_seen) FROM items")?,
        })
    }
}

/// Whether a failed MATCH failed on the query text itself: FTS5 parses
/// the query when the statement first steps, and reports what it cannot
/// parse as SQLITE_ERROR with one of these messages (sqlite3.c, fts5_expr.c
/// and `fts5SpecialMatch`). A busy, locked, damaged or unreadable database
/// has codes of its own (SQLITE_BUSY, SQLITE_CORRUPT, SQLITE_IOERR, …).
fn is_query_syntax_error(e: &StoreError) -> bool {
    const FTS5_QUERY_ERRORS: &[&str] = &[
        "fts5: ",
        "fts5 expression tree is too large",
        "unterminated string",
        "expected integer, got",
        "no such column: ",
        "unknown special query",
    ];
    match e {
        StoreError::Sqlite {
            error: rusqlite::Error::SqliteFailure(f, Some(message)),
            ..
        } => {
            f.extended_code == rusqlite::ffi::SQLITE_ERROR
                && FTS5_QUERY_ERRORS.iter().any(|p| message.starts_with(p))
        }
        _ => false,
    }
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

/// An item's current text, for re-running detection over stored items.
#[derive(Clone, Debug)]
pub struct ItemText {
    pub item: ItemRow,
    pub text: String,
}

impl Store {
    /// Items published before `since`: how many, and the oldest one's
    /// publication time (what `--since` must reach back to for them all).
    pub fn items_before(&self, since: DateTime<Utc>) -> Result<(i64, Option<String>)> {
        self.conn
            .query_row(
                "SELECT count(*), min(published_at) FROM items WHERE published_at < ?1",
                [ts(since)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .map_err(|e| self.err(e))
    }

    /// Items published since `since` with their current text, newest first.
    pub fn item_texts(&self, since: DateTime<Utc>, limit: usize) -> Result<Vec<ItemText>> {
        let sql = format!(
            "SELECT {ITEM_COLS}, v.text FROM items i JOIN sources s ON s.id = i.source_id
             JOIN item_versions v ON v.item_id = i.id AND v.version = i.version_count
             WHERE i.published_at >= ?1 ORDER BY i.published_at DESC, i.id DESC LIMIT ?2"
        );
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params![ts(since), limit as i64], |r| {
                Ok(ItemText {
                    item: item_row(r)?,
                    text: r.get(11)?,
                })
            })
            .map_err(|e| self.err(e))?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_errors_about_the_query_text_are_syntax_errors() {
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE f USING fts5(a)")
            .unwrap();
        let error_of = |q: &str| {
            let e = conn
                .query_row("SELECT count(*) FROM f WHERE f MATCH ?1", [q], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap_err();
            StoreError::Sqlite {
                path: "t.db".into(),
                error: e,
            }
        };
        for q in [
            "\"",
            "(",
            "AND",
            "*",
            "NEAR(a b, x)",
            "b:c",
            "a -",
            "x AND (y",
        ] {
            assert!(is_query_syntax_error(&error_of(q)), "{q}: {}", error_of(q));
        }
        let busy = StoreError::Sqlite {
            path: "t.db".into(),
            error: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
                Some("database is locked".into()),
            ),
        };
        let corrupt = StoreError::Sqlite {
            path: "t.db".into(),
            error: rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT_VTAB),
                Some("database disk image is malformed".into()),
            ),
        };
        for e in [busy, corrupt, StoreError::NotFound("x".into())] {
            assert!(!is_query_syntax_error(&e), "{e}");
        }
    }
}
