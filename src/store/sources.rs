//! Sources: syncing the configured list into the database, CLI management
//! (add/remove/enable/disable), and picking the sources that are due.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{Result, Store, StoreError, ts};
use crate::model::{SourceId, SourceSpec, Validators};

/// Why a source is disabled; shown by `sources list`.
pub const REASON_USER: &str = "disabled by user";
pub const REASON_CONFIG: &str = "disabled in config";
pub const REASON_NOT_IN_CONFIG: &str = "not in config any more";

/// What `sync_config_sources` changed.
#[derive(Debug, Default)]
pub struct SyncReport {
    pub added: Vec<String>,
    pub updated: Vec<String>,
    pub retired: Vec<String>,
}

/// A source handed to the fetcher, with what it needs for the request and the plan.
#[derive(Clone, Debug)]
pub struct DueSource {
    pub id: SourceId,
    pub name: String,
    /// The current URL (a permanent redirect may have moved it).
    pub url: String,
    /// The URL as configured or added: what decides whether the source is
    /// an intranet feed, never the URL a redirect moved it to.
    pub config_url: String,
    pub validators: Validators,
    pub interval: Option<Duration>,
    /// The regular interval planned last time (adaptive), if any.
    pub last_interval: Option<Duration>,
    pub error_streak: u32,
    pub language: Option<String>,
    pub kind: String,
}

/// The source polled next, and when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NextDue {
    pub at: DateTime<Utc>,
    pub name: String,
}

/// Which sources `due_sources` returns.
pub enum DueFilter<'a> {
    /// Enabled sources whose `next_poll_at` has passed.
    Due,
    /// Every enabled source.
    All,
    /// One source by name (even if not due; refused if disabled).
    Named(&'a str),
}

impl Store {
    /// Make the `sources` table reflect the configured list. Sources that left the
    /// config are disabled, never deleted: their items stay queryable.
    pub fn sync_config_sources(
        &mut self,
        specs: &[SourceSpec],
        now: DateTime<Utc>,
    ) -> Result<SyncReport> {
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let tx = super::write_transaction(&mut self.conn).map_err(e)?;
        let mut report = SyncReport::default();
        // Cached statements: these run once per configured source (a
        // thousand sources prepared two thousand statements at every start).
        let exec = |sql: &str, params: &[&dyn rusqlite::ToSql]| {
            tx.prepare_cached(sql).and_then(|mut s| s.execute(params))
        };
        for spec in specs {
            let existing: Option<(SourceId, String, bool, Option<String>)> = tx
                .prepare_cached(
                    "SELECT id, config_url, enabled, disabled_reason FROM sources WHERE name = ?1",
                )
                .and_then(|mut s| {
                    s.query_row([&spec.name], |r| {
                        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                    })
                    .optional()
                })
                .map_err(e)?;
            let tags = serde_json::to_string(&spec.tags).unwrap_or_else(|_| "[]".into());
            let interval = spec.interval.map(|d| d.as_secs() as i64);
            match existing {
                None => {
                    exec(
                        "INSERT INTO sources (name, url, config_url, origin, kind, language, tags,
                             interval_s, enabled, disabled_reason, next_poll_at, created_at)
                         VALUES (?1, ?2, ?2, 'config', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
                        params![
                            spec.name,
                            spec.url,
                            spec.kind,
                            spec.language,
                            tags,
                            interval,
                            spec.enabled,
                            (!spec.enabled).then_some(REASON_CONFIG),
                            ts(now)
                        ],
                    )
                    .map_err(e)?;
                    report.added.push(spec.name.clone());
                }
                Some((id, config_url, enabled, reason)) => {
                    let url_changed = config_url != spec.url;
                    // Config decides enabled-ness only for reasons config caused; a 410 or
                    // a user's `sources disable` sticks until the URL changes.
                    let config_reason = matches!(
                        reason.as_deref(),
                        Some(REASON_CONFIG) | Some(REASON_NOT_IN_CONFIG)
                    );
                    let (new_enabled, new_reason) = if !spec.enabled {
                        (false, Some(REASON_CONFIG.to_string()))
                    } else if url_changed || enabled || config_reason {
                        (true, None)
                    } else {
                        (false, reason.clone())
                    };
                    exec(
                        "UPDATE sources SET origin = 'config', kind = ?2, language = ?3, tags = ?4,
                             interval_s = ?5, enabled = ?6, disabled_reason = ?7
                         WHERE id = ?1",
                        params![
                            id,
                            spec.kind,
                            spec.language,
                            tags,
                            interval,
                            new_enabled,
                            new_reason
                        ],
                    )
                    .map_err(e)?;
                    if url_changed {
                        exec(
                            "UPDATE sources SET url = ?2, config_url = ?2, etag = NULL,
                                 last_modified = NULL, error_streak = 0, next_poll_at = ?3
                             WHERE id = ?1",
                            params![id, spec.url, ts(now)],
                        )
                        .map_err(e)?;
                    }
                    if url_changed || new_enabled != enabled || new_reason != reason {
                        report.updated.push(spec.name.clone());
                    }
                }
            }
        }
        let names: std::collections::HashSet<&str> =
            specs.iter().map(|s| s.name.as_str()).collect();
        let mut stmt = tx
            .prepare("SELECT name FROM sources WHERE origin = 'config' AND enabled = 1")
            .map_err(e)?;
        let enabled_config: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .map_err(e)?
            .collect::<std::result::Result<_, _>>()
            .map_err(e)?;
        drop(stmt);
        for name in enabled_config {
            if !names.contains(&name.as_str()) {
                exec(
                    "UPDATE sources SET enabled = 0, disabled_reason = ?2 WHERE name = ?1",
                    params![name, REASON_NOT_IN_CONFIG],
                )
                .map_err(e)?;
                report.retired.push(name);
            }
        }
        tx.commit().map_err(e)?;
        Ok(report)
    }

    /// Add a source from the command line (kept across config reloads).
    /// Its name must differ from every other source's, also in case.
    pub fn add_source(&mut self, spec: &SourceSpec, now: DateTime<Utc>) -> Result<()> {
        let exists: bool = self
            .conn
            .query_row(
                "SELECT count(*) FROM sources WHERE url = ?1 OR config_url = ?1",
                params![spec.url],
                |r| r.get::<_, i64>(0),
            )
            .map_err(|e| self.err(e))?
            > 0
            || self.source_name(&spec.name).is_ok();
        if exists {
            return Err(StoreError::Conflict(format!(
                "a source named '{}' or with URL {} already exists",
                spec.name, spec.url
            )));
        }
        let tags = serde_json::to_string(&spec.tags).unwrap_or_else(|_| "[]".into());
        self.conn
            .execute(
                "INSERT INTO sources (name, url, config_url, origin, kind, language, tags,
                     interval_s, enabled, next_poll_at, created_at)
                 VALUES (?1, ?2, ?2, 'cli', ?3, ?4, ?5, ?6, 1, ?7, ?7)",
                params![
                    spec.name,
                    spec.url,
                    spec.kind,
                    spec.language,
                    tags,
                    spec.interval.map(|d| d.as_secs() as i64),
                    ts(now)
                ],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Delete a CLI-added source and everything stored for it. Config sources are
    /// refused: they would come back at the next start.
    pub fn remove_source(&mut self, name: &str) -> Result<u64> {
        let (id, origin) = self.source_id_origin(name)?;
        if origin == "config" {
            return Err(StoreError::Conflict(format!(
                "source '{name}' is defined in the config file; remove it there (its items are kept, the source is disabled)"
            )));
        }
        let items: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM items WHERE source_id = ?1",
                [id],
                |r| r.get(0),
            )
            .map_err(|e| self.err(e))?;
        let path = self.path.clone();
        let e = |e| super::sqlite_err(&path, e);
        let tx = super::write_transaction(&mut self.conn).map_err(e)?;
        tx.execute(
            "DELETE FROM items_fts WHERE rowid IN (SELECT id FROM items WHERE source_id = ?1)",
            [id],
        )
        .map_err(e)?;
        tx.execute("DELETE FROM item_keys WHERE source_id = ?1", [id])
            .map_err(e)?;
        tx.execute("DELETE FROM sources WHERE id = ?1", [id])
            .map_err(e)?;
        tx.commit().map_err(e)?;
        Ok(items.max(0) as u64)
    }

    /// Enable or disable a source by name (the reason is shown in `sources list`).
    pub fn set_source_enabled(
        &mut self,
        name: &str,
        enabled: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (id, _) = self.source_id_origin(name)?;
        self.conn
            .execute(
                "UPDATE sources SET enabled = ?2, disabled_reason = ?3,
                     next_poll_at = CASE WHEN ?2 THEN ?4 ELSE next_poll_at END,
                     error_streak = CASE WHEN ?2 THEN 0 ELSE error_streak END
                 WHERE id = ?1",
                params![id, enabled, (!enabled).then_some(REASON_USER), ts(now)],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    fn source_id_origin(&self, name: &str) -> Result<(SourceId, String)> {
        let name = self.source_name(name)?;
        self.conn
            .query_row(
                "SELECT id, origin FROM sources WHERE name = ?1",
                [&name],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(|e| self.err(e))?
            .ok_or_else(|| StoreError::NotFound(format!("no source named '{name}'")))
    }

    /// The stored name of the source called `name`, whatever its case
    /// (names are unique regardless of case, as in the config). Not found:
    /// an error that lists the names there are.
    pub fn source_name(&self, name: &str) -> Result<String> {
        let names: Vec<String> = self
            .conn
            .prepare_cached("SELECT name FROM sources ORDER BY name")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .map_err(|e| self.err(e))?;
        if let Some(exact) = names.iter().find(|n| *n == name) {
            return Ok(exact.clone());
        }
        let lower = name.to_lowercase();
        if let Some(found) = names.iter().find(|n| n.to_lowercase() == lower) {
            return Ok(found.clone());
        }
        Err(StoreError::NotFound(unknown_name("source", name, &names)))
    }

    /// Sources to fetch now, soonest-due first.
    pub fn due_sources(&self, now: DateTime<Utc>, filter: DueFilter<'_>) -> Result<Vec<DueSource>> {
        const COLS: &str = "id, name, url, etag, last_modified, interval_s, error_streak, language, kind, enabled, poll_interval_s, config_url";
        let (sql, arg) = match filter {
            DueFilter::Due => (
                format!(
                    // A source fetched "after" now was planned by a clock
                    // that has since been stepped back: its plan may be
                    // hours or years ahead, so it is due now.
                    "SELECT {COLS} FROM sources
                     WHERE enabled = 1 AND (next_poll_at <= ?1 OR last_fetch_at > ?1)
                     ORDER BY next_poll_at"
                ),
                ts(now),
            ),
            DueFilter::All => (
                format!(
                    "SELECT {COLS} FROM sources WHERE enabled = 1 AND ?1 IS NOT NULL ORDER BY next_poll_at"
                ),
                ts(now),
            ),
            DueFilter::Named(name) => (
                format!("SELECT {COLS} FROM sources WHERE name = ?1"),
                self.source_name(name)?,
            ),
        };
        let mut stmt = self.conn.prepare(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([arg], |r| {
                Ok((
                    DueSource {
                        id: r.get(0)?,
                        name: r.get(1)?,
                        url: r.get(2)?,
                        config_url: r.get(11)?,
                        validators: Validators {
                            etag: r.get(3)?,
                            last_modified: r.get(4)?,
                        },
                        interval: r
                            .get::<_, Option<i64>>(5)?
                            .map(|s| Duration::from_secs(s.max(0) as u64)),
                        error_streak: r.get::<_, i64>(6)?.clamp(0, u32::MAX as i64) as u32,
                        language: r.get(7)?,
                        kind: r.get(8)?,
                        last_interval: r
                            .get::<_, Option<i64>>(10)?
                            .map(|s| Duration::from_secs(s.max(0) as u64)),
                    },
                    r.get::<_, bool>(9)?,
                ))
            })
            .map_err(|e| self.err(e))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        if let DueFilter::Named(name) = filter {
            match rows.first() {
                None => return Err(StoreError::NotFound(format!("no source named '{name}'"))),
                Some((s, false)) => {
                    return Err(StoreError::Conflict(format!(
                        "source '{}' is disabled; `newswatch sources enable '{}'` first",
                        s.name, s.name
                    )));
                }
                _ => {}
            }
        }
        Ok(rows.into_iter().map(|(s, _)| s).collect())
    }

    /// Look up a source for `ingest` (disabled sources may be ingested into).
    pub fn source_by_name(&self, name: &str) -> Result<DueSource> {
        let mut found = self.due_sources_any(name)?;
        found
            .pop()
            .ok_or_else(|| StoreError::NotFound(format!("no source named '{name}'")))
    }

    fn due_sources_any(&self, name: &str) -> Result<Vec<DueSource>> {
        // A named source is returned due or not: the time does not matter.
        match self.due_sources(DateTime::UNIX_EPOCH, DueFilter::Named(name)) {
            Ok(v) => Ok(v),
            Err(StoreError::Conflict(_)) => {
                // Disabled: fetch it without the enabled check.
                let id = self.source_id_origin(name)?.0;
                let mut stmt = self
                    .conn
                    .prepare(
                        "SELECT name, url, language, kind, error_streak, config_url FROM sources WHERE id = ?1",
                    )
                    .map_err(|e| self.err(e))?;
                stmt.query_map([id], |r| {
                    Ok(DueSource {
                        id,
                        name: r.get(0)?,
                        url: r.get(1)?,
                        config_url: r.get(5)?,
                        validators: Validators::default(),
                        interval: None,
                        last_interval: None,
                        error_streak: r.get::<_, i64>(4)?.clamp(0, u32::MAX as i64) as u32,
                        language: r.get(2)?,
                        kind: r.get(3)?,
                    })
                })
                .map_err(|e| self.err(e))?
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| self.err(e))
            }
            Err(e) => Err(e),
        }
    }

    /// When the daemon should next look at the plan: the earliest planned
    /// poll of an enabled source not in `skip` (those it holds back itself
    /// because the database refused their last fetch, whose plan still says
    /// "due"). A source fetched after `now` counts as due now, as in
    /// `due_sources`: the clock has been stepped back.
    pub fn next_due_at(
        &self,
        now: DateTime<Utc>,
        skip: &std::collections::HashSet<SourceId>,
    ) -> Result<Option<NextDue>> {
        const DUE: &str = "CASE WHEN last_fetch_at > ?1 THEN ?1 ELSE next_poll_at END";
        let next = |at: String, name: String| super::parse_ts(&at).map(|at| NextDue { at, name });
        // Nothing held (nearly always): one aggregate, no sort. (SQLite
        // gives a bare column beside min() from the row holding the minimum.)
        if skip.is_empty() {
            let row: Option<(Option<String>, Option<String>)> = self
                .conn
                .prepare_cached(&format!(
                    "SELECT min({DUE}), name FROM sources WHERE enabled = 1"
                ))
                .and_then(|mut stmt| {
                    stmt.query_row([ts(now)], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                })
                .map_err(|e| self.err(e))?;
            return Ok(match row {
                Some((Some(at), Some(name))) => next(at, name),
                _ => None,
            });
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT id, {DUE} AS due, name FROM sources WHERE enabled = 1 ORDER BY due"
            ))
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([ts(now)]).map_err(|e| self.err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let id: SourceId = row.get(0).map_err(|e| self.err(e))?;
            if !skip.contains(&id) {
                let at: String = row.get(1).map_err(|e| self.err(e))?;
                let name: String = row.get(2).map_err(|e| self.err(e))?;
                return Ok(next(at, name));
            }
        }
        Ok(None)
    }
}

/// "no source named 'nosuch'; known: A, B": what a name that names nothing
/// says, with the names there are (the first few of a long list).
pub fn unknown_name(kind: &str, name: &str, known: &[String]) -> String {
    const SHOWN: usize = 12;
    if known.is_empty() {
        return format!("no {kind} named '{name}'; there are none");
    }
    let mut list = known
        .iter()
        .take(SHOWN)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if known.len() > SHOWN {
        list.push_str(&format!(" and {} more", known.len() - SHOWN));
    }
    format!("no {kind} named '{name}'; known: {list}")
}
