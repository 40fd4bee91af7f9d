//! `sources`: list with health, add/remove/enable/disable, OPML import/export.

use anyhow::Context;
use chrono::Utc;

use super::output::{cut, json_line, short_time, table};
use super::{CliError, CliResult, Ctx, SourcesAction};
use crate::opml::{OpmlFeed, parse_opml, write_opml};
use crate::pipeline::source_specs;
use crate::store::{SourceSpec, Store, StoreError};

pub fn sources(ctx: &Ctx, action: SourcesAction) -> CliResult {
    let mut store = match action {
        // Root on another user's database only reads it: the sources as
        // the daemon last synced them from the config.
        SourcesAction::List | SourcesAction::ExportOpml { .. } if ctx.read_only() => {
            ctx.open_reader()?
        }
        _ => {
            let mut store = ctx.open_store()?;
            store.sync_config_sources(&source_specs(&ctx.config), Utc::now())?;
            store
        }
    };
    match action {
        SourcesAction::List => list(ctx, &store),
        SourcesAction::Add {
            name,
            url,
            tags,
            interval,
            language,
        } => {
            let interval = interval
                .map(|i| crate::config::parse_duration(&i))
                .transpose()
                .map_err(|e| CliError::usage(anyhow::anyhow!("--interval: {e}")))?;
            let spec = spec(&name, &url, tags, interval, language)?;
            store.add_source(&spec, Utc::now()).map_err(user_error)?;
            outln!(
                "added source '{name}' ({url}); it is polled at the next `poll` or by the daemon"
            );
            Ok(0)
        }
        SourcesAction::Remove { name } => {
            let items = store.remove_source(&name).map_err(user_error)?;
            outln!("removed source '{name}' and its {items} items");
            Ok(0)
        }
        SourcesAction::Enable { name } => {
            store
                .set_source_enabled(&name, true, Utc::now())
                .map_err(user_error)?;
            outln!("enabled source '{name}'");
            Ok(0)
        }
        SourcesAction::Disable { name } => {
            store
                .set_source_enabled(&name, false, Utc::now())
                .map_err(user_error)?;
            outln!("disabled source '{name}'");
            Ok(0)
        }
        SourcesAction::ImportOpml { file } => import(&mut store, &file),
        SourcesAction::ExportOpml { file } => {
            let feeds: Vec<OpmlFeed> = store
                .sources()?
                .into_iter()
                .map(|s| OpmlFeed {
                    title: s.name,
                    url: s.url,
                    html_url: None,
                    category: s.tags.first().cloned(),
                })
                .collect();
            let text = write_opml("newswatch sources", &feeds);
            match file {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => {
                    use std::io::Write as _;
                    std::io::stdout().write_all(text.as_bytes())?
                }
            }
            Ok(0)
        }
    }
}

/// Not-found and conflicts are the user's to fix: exit 2 with the message.
fn user_error(e: StoreError) -> CliError {
    match e {
        StoreError::NotFound(_) | StoreError::Conflict(_) => CliError::usage(e),
        e => e.into(),
    }
}

fn spec(
    name: &str,
    url: &str,
    tags: Vec<String>,
    interval: Option<std::time::Duration>,
    language: Option<String>,
) -> Result<SourceSpec, CliError> {
    let parsed =
        url::Url::parse(url).map_err(|e| CliError::usage(anyhow::anyhow!("URL {url}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CliError::usage(anyhow::anyhow!(
            "URL {url}: only http and https feeds can be polled"
        )));
    }
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(CliError::usage(anyhow::anyhow!(
            "source name must be non-empty text without control characters"
        )));
    }
    Ok(SourceSpec {
        name: name.trim().to_string(),
        url: parsed.to_string(),
        kind: "news".into(),
        language,
        tags,
        interval,
        enabled: true,
    })
}

fn import(store: &mut Store, file: &std::path::Path) -> CliResult {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let feeds = parse_opml(&text)
        .map_err(|e| CliError::usage(anyhow::anyhow!("{}: {e}", file.display())))?;
    let existing: Vec<String> = store.sources()?.into_iter().map(|s| s.name).collect();
    let (mut added, mut skipped) = (0, 0);
    for feed in feeds {
        let mut name = feed.title.trim().to_string();
        if name.is_empty() {
            name = feed.url.clone();
        }
        if existing.contains(&name) {
            name = format!("{name} ({})", feed.url);
        }
        let tags = feed.category.into_iter().collect();
        match spec(&name, &feed.url, tags, None, None) {
            Ok(spec) => match store.add_source(&spec, Utc::now()) {
                Ok(()) => added += 1,
                Err(StoreError::Conflict(msg)) => {
                    eprintln!("skipped: {msg}");
                    skipped += 1;
                }
                Err(e) => return Err(e.into()),
            },
            Err(e) => {
                eprintln!("skipped {}: {}", feed.url, e.error);
                skipped += 1;
            }
        }
    }
    outln!(
        "imported {added} sources from {} ({skipped} skipped)",
        file.display()
    );
    Ok(0)
}

fn list(ctx: &Ctx, store: &Store) -> CliResult {
    let rows = store.sources()?;
    if ctx.json {
        for s in &rows {
            json_line(&serde_json::json!({
                "name": s.name,
                "url": s.url,
                "enabled": s.enabled,
                "disabled_reason": s.disabled_reason,
                "origin": s.origin,
                "kind": s.kind,
                "tags": s.tags,
                "last_status": s.last_status,
                "last_http_status": s.last_http_status,
                "last_error": s.last_error,
                "error_streak": s.error_streak,
                "last_fetch_at": s.last_fetch_at,
                "last_ok_at": s.last_ok_at,
                "last_new_item_at": s.last_new_item_at,
                "next_poll_at": s.next_poll_at,
                "items": s.items,
            }))?;
        }
        return Ok(0);
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|s| {
            let state = if !s.enabled {
                format!("disabled: {}", s.disabled_reason.as_deref().unwrap_or("-"))
            } else if s.error_streak > 0 {
                format!(
                    "failing x{}: {}",
                    s.error_streak,
                    s.last_error.as_deref().unwrap_or("-")
                )
            } else {
                s.last_status
                    .clone()
                    .unwrap_or_else(|| "never fetched".into())
            };
            vec![
                cut(&s.name, 30),
                s.items.to_string(),
                s.last_fetch_at
                    .as_deref()
                    .map(short_time)
                    .unwrap_or_else(|| "-".into()),
                if s.enabled {
                    short_time(&s.next_poll_at)
                } else {
                    "-".into()
                },
                cut(&state, 60),
                cut(&s.url, 60),
            ]
        })
        .collect();
    table(
        &["NAME", "ITEMS", "LAST FETCH", "NEXT POLL", "STATE", "URL"],
        &table_rows,
    );
    Ok(0)
}
