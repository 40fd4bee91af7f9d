//! `sources`: list with health, add/remove/enable/disable, OPML import/export.

use anyhow::Context;

use super::output::{ago, counted, cut, json_line, safe, table, until};
use super::{CliError, CliResult, Ctx, SourcesAction};
use crate::config::{NAME_MAX_CHARS, TAG_MAX_CHARS, check_label, check_language, url_for_messages};
use crate::opml::{OpmlFeed, parse_opml, write_opml};
use crate::pipeline::source_specs;
use crate::store::{SourceSpec, SourceState, Store, StoreError};

pub fn sources(ctx: &Ctx, action: SourcesAction) -> CliResult {
    let mut store = match action {
        // Root on another user's database only reads it: the sources as
        // the daemon last synced them from the config.
        SourcesAction::List | SourcesAction::ExportOpml { .. } if ctx.read_only() => {
            ctx.open_reader()?
        }
        // Listing creates no database (a mistyped --db); an existing one
        // gets the config's sources first.
        SourcesAction::List | SourcesAction::ExportOpml { .. } => {
            ctx.require_database()?;
            let mut store = ctx.open_store()?;
            store.sync_config_sources(&source_specs(&ctx.config), ctx.now())?;
            store
        }
        _ => {
            let mut store = ctx.open_store()?;
            store.sync_config_sources(&source_specs(&ctx.config), ctx.now())?;
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
            store.add_source(&spec, ctx.now()).map_err(user_error)?;
            outln!(
                "added source '{}' ({}); it is polled at the next `poll` or by the daemon",
                safe(&spec.name),
                safe(&spec.url)
            );
            if let Some(note) = intranet_note(&spec) {
                eprintln!("{note}");
            }
            Ok(0)
        }
        SourcesAction::Remove { name } => {
            let name = store.source_name(&name).map_err(user_error)?;
            let items = store.remove_source(&name).map_err(user_error)?;
            outln!(
                "removed source '{}' and its {}",
                safe(&name),
                counted(items as usize, "item", "items")
            );
            Ok(0)
        }
        SourcesAction::Enable { name } => {
            let name = store.source_name(&name).map_err(user_error)?;
            store
                .set_source_enabled(&name, true, ctx.now())
                .map_err(user_error)?;
            outln!("enabled source '{}'", safe(&name));
            Ok(0)
        }
        SourcesAction::Disable { name } => {
            let name = store.source_name(&name).map_err(user_error)?;
            store
                .set_source_enabled(&name, false, ctx.now())
                .map_err(user_error)?;
            outln!("disabled source '{}'", safe(&name));
            Ok(0)
        }
        SourcesAction::ImportOpml { file } => {
            import(&mut store, &file, ctx.config.daemon.max_body, ctx.now())
        }
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
                Some(path) => std::fs::write(&path, text).with_context(|| {
                    format!("cannot write {}", safe(&path.display().to_string()))
                })?,
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

/// A source from the command line or an OPML file, checked as the config
/// file's `[[source]]` is: the one feed URL check, a name and tags that are
/// labels, a language tag.
fn spec(
    name: &str,
    url: &str,
    tags: Vec<String>,
    interval: Option<std::time::Duration>,
    language: Option<String>,
) -> Result<SourceSpec, CliError> {
    let usage = |m: String| CliError::usage(anyhow::anyhow!(m));
    let parsed = crate::config::feed_url(url).map_err(usage)?;
    let name = name.trim();
    check_label("source name", name, NAME_MAX_CHARS).map_err(usage)?;
    for tag in &tags {
        check_label("tag", tag, TAG_MAX_CHARS).map_err(|m| usage(format!("--tag: {m}")))?;
    }
    if let Some(l) = &language {
        check_language(l).map_err(|m| usage(format!("--language: {m}")))?;
    }
    Ok(SourceSpec {
        name: name.to_string(),
        url: parsed.to_string(),
        kind: "news".into(),
        language,
        tags,
        interval,
        enabled: true,
    })
}

/// For a source whose URL names an internal host: it is an intranet feed,
/// allowed to connect to non-public addresses (through its redirects too).
fn intranet_note(spec: &SourceSpec) -> Option<String> {
    let url = url::Url::parse(&spec.url).ok()?;
    crate::fetch::names_internal_host(&url).then(|| {
        format!(
            "note: '{}' ({}) names a non-public host: it is polled as an intranet feed, which may connect to private network addresses",
            safe(&spec.name),
            safe(&spec.url)
        )
    })
}

fn import(
    store: &mut Store,
    file: &std::path::Path,
    max_bytes: u64,
    now: chrono::DateTime<chrono::Utc>,
) -> CliResult {
    let bytes = crate::pipeline::read_file_capped(file, max_bytes).map_err(anyhow::Error::msg)?;
    let text = String::from_utf8_lossy(&bytes);
    let feeds = parse_opml(&text).map_err(|e| {
        CliError::usage(anyhow::anyhow!(
            "{}: {e}",
            safe(&file.display().to_string())
        ))
    })?;
    let existing: Vec<String> = store.sources()?.into_iter().map(|s| s.name).collect();
    let (mut added, mut skipped) = (0usize, 0usize);
    for feed in feeds {
        // What the skip messages call this feed: its title, else its URL
        // as messages show URLs (never with a user:password@ part).
        let label = if feed.title.trim().is_empty() || feed.title == feed.url {
            url_for_messages(&feed.url)
        } else {
            format!("{:?}", safe(&feed.title))
        };
        let mut name = feed.title.trim().to_string();
        if name.is_empty() {
            name = feed.url.clone();
        }
        if existing.contains(&name) {
            name = format!("{name} ({})", feed.url);
        }
        let tags = feed.category.into_iter().collect();
        match spec(&name, &feed.url, tags, None, None) {
            Ok(spec) => match store.add_source(&spec, now) {
                Ok(()) => {
                    added += 1;
                    // An OPML file often comes from elsewhere: say which
                    // of its feeds may reach internal addresses.
                    if let Some(note) = intranet_note(&spec) {
                        eprintln!("{note}");
                    }
                }
                Err(StoreError::Conflict(msg)) => {
                    eprintln!("skipped {label}: {}", safe(&msg));
                    skipped += 1;
                }
                Err(e) => return Err(e.into()),
            },
            Err(e) => {
                eprintln!("skipped {label}: {}", safe(&format!("{:#}", e.error)));
                skipped += 1;
            }
        }
    }
    outln!(
        "imported {} from {} ({skipped} skipped)",
        counted(added, "source", "sources"),
        safe(&file.display().to_string())
    );
    Ok(0)
}

fn list(ctx: &Ctx, store: &Store) -> CliResult {
    let now = ctx.now();
    let rows = store.sources()?;
    if ctx.json {
        for s in &rows {
            let health = s.health(now);
            json_line(&serde_json::json!({
                "name": s.name,
                "url": s.url,
                "enabled": s.enabled,
                "disabled_reason": s.disabled_reason,
                "origin": s.origin,
                "kind": s.kind,
                "tags": s.tags,
                "state": health.state.as_str(),
                "state_detail": health.detail,
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
            // The state as `status` says it, with its detail.
            let health = s.health(now);
            let state = match (health.state, &health.detail) {
                (SourceState::Never, _) => "never fetched".to_string(),
                (state, Some(detail)) => format!("{}: {detail}", state.as_str()),
                (state, None) => state.as_str().to_string(),
            };
            vec![
                cut(&s.name, 30),
                s.items.to_string(),
                s.last_fetch_at
                    .as_deref()
                    .map(|t| ago(t, now))
                    .unwrap_or_else(|| "-".into()),
                if s.enabled {
                    until(&s.next_poll_at, now)
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
