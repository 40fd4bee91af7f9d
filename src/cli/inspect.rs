//! `items`, `search`, `show`, `status`, `check-config`: read-only views.

use super::output::{counted, cut, json_line, safe, short_time, table};
use super::{CliError, CliResult, Ctx, known_topic, parse_since};
use crate::store::{ItemFilter, ItemRow, StoreError};

pub fn items(
    ctx: &Ctx,
    source: Option<String>,
    topic: Option<String>,
    since: Option<&str>,
    limit: usize,
) -> CliResult {
    let since = since.map(|s| parse_since(s, ctx.now())).transpose()?;
    let topic = topic.map(|t| known_topic(ctx, &t)).transpose()?;
    let store = ctx.open_reader()?;
    let source = source
        .map(|s| store.source_name(&s))
        .transpose()
        .map_err(CliError::usage)?;
    let rows = store.items(&ItemFilter {
        source,
        topic,
        since,
        limit,
    })?;
    print_items(ctx, &rows)?;
    Ok(0)
}

fn item_json(r: &ItemRow) -> serde_json::Value {
    serde_json::json!({
        "id": r.id,
        "url": r.url,
        "title": r.title,
        "source": r.source,
        "published": r.published,
        "first_seen": r.first_seen,
        "last_seen": r.last_seen,
        "versions": r.versions,
        "language": r.language,
        "topics": r.topics,
        "via_story": r.via_story,
    })
}

/// The topics column: names, and the story that carried a topic the item
/// did not match on its own.
fn topics_cell(r: &ItemRow) -> String {
    let names = r.topics.join(",");
    match r.via_story {
        Some(story) => format!("{names} via story {story}"),
        None => names,
    }
}

fn print_items(ctx: &Ctx, rows: &[ItemRow]) -> std::io::Result<()> {
    if ctx.json {
        for r in rows {
            json_line(&item_json(r))?;
        }
        return Ok(());
    }
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                short_time(&r.published),
                cut(&r.source, 20),
                if r.versions > 1 {
                    format!("v{}", r.versions)
                } else {
                    String::new()
                },
                cut(&topics_cell(r), 32),
                cut(&r.title, 100),
            ]
        })
        .collect();
    table(
        &["ID", "PUBLISHED", "SOURCE", "VER", "TOPICS", "TITLE"],
        &table_rows,
    );
    Ok(())
}

pub fn search(ctx: &Ctx, query: &str, limit: usize) -> CliResult {
    let store = ctx.open_reader()?;
    let hits = store.search(query, limit).map_err(|e| match e {
        StoreError::NotFound(_) => CliError::usage(e),
        e => e.into(),
    })?;
    if ctx.json {
        for h in &hits {
            let mut v = item_json(&h.item);
            v["rank"] = serde_json::json!(h.rank);
            json_line(&v)?;
        }
    } else {
        let rows: Vec<ItemRow> = hits.into_iter().map(|h| h.item).collect();
        print_items(ctx, &rows)?;
    }
    Ok(0)
}

pub fn show(ctx: &Ctx, item: &str) -> CliResult {
    let store = ctx.open_reader()?;
    let (row, versions) = store.item_with_versions(item).map_err(|e| match e {
        StoreError::NotFound(_) => CliError::usage(e),
        e => e.into(),
    })?;
    let revisions = store.item_revisions(row.id)?;
    let matches = store.item_matches(row.id)?;
    let statements = store.item_statements(row.id)?;
    if ctx.json {
        let mut v = item_json(&row);
        v["statements"] = serde_json::to_value(&statements)?;
        v["version_list"] = serde_json::to_value(&versions)?;
        v["matches"] = serde_json::to_value(&matches)?;
        v["revisions"] = serde_json::Value::Array(
            revisions
                .iter()
                .map(|(r, flags)| {
                    serde_json::json!({
                        "from_version": r.from_version,
                        "to_version": r.to_version,
                        "title": r.title,
                        "seen_at": r.seen_at,
                        "significance": r.significance,
                        "reasons": r.reasons,
                        "topics": r.topics,
                        "flags": flags,
                        "diff": r.diff,
                    })
                })
                .collect(),
        );
        json_line(&v)?;
        return Ok(0);
    }
    let style = super::changes::DiffStyle::for_stdout();
    outln!("{}", safe(&row.title));
    outln!(
        "  id {}   source {}   published {}",
        row.id,
        safe(&row.source),
        row.published
    );
    outln!("  url {}", safe(row.url.as_deref().unwrap_or("-")));
    outln!(
        "  first seen {}   last seen {}   {}",
        row.first_seen,
        row.last_seen,
        counted(versions.len(), "version", "versions")
    );
    for v in &versions {
        outln!();
        outln!(
            "── version {} · seen {}{}",
            v.version,
            v.seen_at,
            v.published
                .as_deref()
                .map(|p| format!(" · published {p}"))
                .unwrap_or_default()
        );
        if let Some((r, flags)) = revisions.iter().find(|(r, _)| r.to_version == v.version) {
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(" [{}]", flags.join(", "))
            };
            outln!("{}{flags}: {}", r.significance, safe(&r.reasons.join("; ")));
            if let Some(diff) = &r.diff {
                super::changes::print_diff(diff, style)?;
            }
        }
        outln!("{}", safe(&v.title));
        for m in matches.iter().filter(|m| m.version == v.version) {
            match m.via_story {
                Some(story) => outln!(
                    "  matches {} via story {story}: other reports of it matched",
                    safe(&m.topic)
                ),
                None => outln!(
                    "  matches {} (score {:.2}): {}",
                    safe(&m.topic),
                    m.score,
                    safe(&m.terms.join(", "))
                ),
            }
        }
        if let Some(t) = &v.pruned_at {
            outln!("  [text removed by retention on {}]", short_time(t));
        }
        if !v.text.is_empty() && v.text != v.title {
            for line in v.text.lines() {
                outln!("  {}", safe(line));
            }
        }
    }
    if !statements.is_empty() {
        outln!();
        outln!("── statements");
        for s in &statements {
            let topic = if s.topic.is_empty() {
                String::new()
            } else {
                format!(" [{}]", safe(&s.topic))
            };
            outln!(
                "{} on {}: {}{} · said {}{topic}",
                safe(&s.speaker),
                s.issue,
                s.stance,
                if s.object.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", safe(&s.object))
                },
                short_time(&s.said_at)
            );
            if let Some((from, at)) = &s.shifted_from {
                outln!("  SHIFT: {from} ({}) -> {}", short_time(at), s.stance);
            }
            outln!("  \"{}\"", safe(&s.text));
        }
    }
    if let Some(current) = versions.last() {
        show_relevance(ctx, &store, &row, current, &matches)?;
    }
    Ok(0)
}

/// How each topic decides on the current version, with the weights.
fn show_relevance(
    ctx: &Ctx,
    store: &crate::store::Store,
    row: &crate::store::ItemRow,
    current: &crate::store::ItemVersionRow,
    matches: &[crate::store::MatchRow],
) -> CliResult {
    if ctx.config.topics.is_empty() {
        return Ok(0);
    }
    let learned = crate::pipeline::Learned::read(Some(store))?;
    let detection = crate::pipeline::Detection::learned(&ctx.config, &learned);
    let tags = ctx
        .config
        .source(&row.source)
        .map(|s| s.tags.clone())
        .unwrap_or_default();
    let src = crate::detect::SourceContext {
        name: &row.source,
        tags: &tags,
        statement_speaker: None,
    };
    outln!();
    outln!("── relevance (current version, as the next poll would decide)");
    let names = crate::detect::relevance::context::item_names(&current.title, &current.text);
    for (i, t) in ctx.config.topics.iter().enumerate() {
        let via_story = matches
            .iter()
            .find(|m| m.version == current.version && m.topic == t.name)
            .and_then(|m| m.via_story);
        let (hit, scored) = detection.detector().explain(
            i,
            &current.title,
            &current.text,
            row.language.as_deref(),
            &src,
        );
        // Topics that neither the query nor the model looked at twice are
        // left out, as `match --explain` leaves them out.
        if hit.is_none()
            && scored.as_ref().is_none_or(|s| s.probability < 0.1)
            && via_story.is_none()
        {
            continue;
        }
        let own = scored.as_ref().map_or(hit.is_some(), |s| s.relevant);
        let relevant = own || via_story.is_some();
        outln!(
            "{} {}",
            safe(&t.name),
            if relevant { "relevant" } else { "not relevant" }
        );
        outln!(
            "{}",
            super::matching::explanation_lines(hit.as_ref(), scored.as_ref())
        );
        let terms = super::matching::context_terms(ctx, &t.name)?;
        let named = crate::detect::relevance::context::named(&names, &terms);
        if let Some(lines) = super::matching::context_lines(via_story, own, &named) {
            outln!("{lines}");
        }
    }
    Ok(0)
}

/// The `[email] password_file`, if the password comes from one.
fn password_file(c: &crate::config::Config) -> Option<&std::path::Path> {
    match &c.email.as_ref()?.transport {
        crate::config::MailTransport::Smtp(smtp) => match smtp.password.as_ref()? {
            crate::config::PasswordSource::File(path) => Some(path),
            crate::config::PasswordSource::Env(_) => None,
        },
        _ => None,
    }
}

pub fn check_config(ctx: &Ctx) -> CliResult {
    let c = &ctx.config;
    // Whether a source may connect to non-public addresses (the fetcher's rule).
    let private = |s: &crate::config::SourceConfig| {
        crate::fetch::reach_of(
            c.daemon.allow_private_networks,
            s.allow_private_network,
            s.url.as_str(),
        ) == crate::fetch::Reach::Any
    };
    // A broken template override is a config error, found now rather than at the first alert.
    if let Some(e) = &c.email {
        crate::notify::render::Templates::load(e.templates.as_deref()).map_err(CliError::usage)?;
    }
    let files: Vec<String> = c.files.iter().map(|f| f.display().to_string()).collect();
    let database = database_place(&ctx.db).map_err(|e| CliError::usage(anyhow::anyhow!(e)))?;
    let warnings: Vec<String> = c
        .warnings
        .iter()
        .map(ToString::to_string)
        .chain(database)
        .chain(password_file(c).and_then(crate::notify::transport::password_file_warning))
        .collect();
    if ctx.json {
        json_line(&serde_json::json!({
            "ok": true,
            "warnings": warnings,
            "files": files,
            "database": ctx.db.display().to_string(),
            "sources": c.sources.iter().map(|s| serde_json::json!({
                "name": s.name, "url": s.url.as_str(), "enabled": s.enabled,
                "kind": s.kind.as_str(), "tags": s.tags,
                "interval": s.interval.map(|d| humantime::format_duration(d).to_string()),
                "private_network": private(s),
            })).collect::<Vec<_>>(),
            "topics": c.topics.iter().map(|t| serde_json::json!({
                "name": t.name, "query": t.query, "exclude": t.exclude,
                "parsed": t.parsed.to_string(),
                "parsed_exclude": t.parsed_exclude.as_ref().map(ToString::to_string),
                "alert": t.alert.as_str(),
            })).collect::<Vec<_>>(),
            "speakers": c.speakers.iter().map(|s| serde_json::json!({
                "name": s.name, "aliases": s.aliases,
            })).collect::<Vec<_>>(),
            "email": c.email.as_ref().map(|e| serde_json::json!({
                "transport": e.transport.describe(),
                "tls": smtp_of(e).map(crate::config::SmtpConfig::describe_tls),
                "allow_plaintext_auth": smtp_of(e).is_some_and(|s| s.allow_plaintext_auth),
                "from": e.from.to_string(),
                "to": e.to.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "group_window": humantime::format_duration(e.group_window).to_string(),
                "templates": e.templates.as_ref().map(|p| p.display().to_string()),
            })),
            "digests": c.digests.iter().map(|d| serde_json::json!({
                "name": d.name,
                "schedule": d.schedule.describe(),
                "timezone": d.timezone.name(),
                "topics": d.topics,
                "to": d.to.iter().map(ToString::to_string).collect::<Vec<_>>(),
                "next": crate::store::ts(d.schedule.next_slot_after(d.timezone, ctx.now())),
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(0);
    }
    for w in &warnings {
        eprintln!("warning: {}", safe(w));
    }
    outln!("config OK: {}", safe(&files.join(", ")));
    outln!("database: {}", safe(&ctx.db.display().to_string()));
    let d = &c.daemon;
    outln!(
        "polling: {} in flight ({} per host), interval {} (adaptive {}..{}), timeout {}, max body {} bytes",
        d.concurrency,
        d.per_host,
        humantime::format_duration(d.default_interval),
        humantime::format_duration(d.min_interval),
        humantime::format_duration(d.max_interval),
        humantime::format_duration(d.timeout),
        d.max_body
    );
    outln!("\n{}:", counted(c.sources.len(), "source", "sources"));
    for s in &c.sources {
        outln!(
            "  {}{}  {}{}{}",
            safe(&s.name),
            if s.enabled { "" } else { " (disabled)" },
            safe(s.url.as_str()),
            s.interval
                .map(|i| format!("  every {}", humantime::format_duration(i)))
                .unwrap_or_default(),
            if private(s) {
                "  (may reach private networks)"
            } else {
                ""
            }
        );
    }
    outln!("\n{}:", counted(c.topics.len(), "topic", "topics"));
    for t in &c.topics {
        outln!("  {} (alert: {})", safe(&t.name), t.alert.as_str());
        outln!("    query:   {}", safe(&t.parsed.to_string()));
        if let Some(ex) = &t.parsed_exclude {
            outln!("    exclude: {}", safe(&ex.to_string()));
        }
    }
    outln!("\n{}:", counted(c.speakers.len(), "speaker", "speakers"));
    for s in &c.speakers {
        outln!("  {} ({})", safe(&s.name), safe(&s.aliases.join(", ")));
    }
    print_mail_config(c, ctx.now())?;
    Ok(0)
}

/// Whether the database can live where the config puts it, as this user:
/// `Err` when it cannot be there at all (the path is a folder), a warning
/// when its folder is missing or not writable by this user (newswatch makes
/// the database, its `-wal` and `-shm` and the lock there; the service's
/// user may be another than the one checking, and systemd's
/// `StateDirectory=` makes the folder when the service starts).
fn database_place(db: &std::path::Path) -> Result<Option<String>, String> {
    use rustix::fs::{Access, access};
    let shown = db.display();
    if db.is_dir() {
        return Err(format!(
            "the database {shown} is a folder; [daemon] database (or --db) names the file"
        ));
    }
    let folder = match db.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    let who = || crate::store::files::describe_user(rustix::process::getuid().as_raw());
    if !folder.is_dir() {
        return Ok(Some(format!(
            "the database folder {} does not exist: create it, writable by the user \
             newswatch runs as (under systemd, StateDirectory= creates it when the \
             service starts)",
            folder.display()
        )));
    }
    if access(folder, Access::WRITE_OK | Access::EXEC_OK).is_err() {
        return Ok(Some(format!(
            "the database folder {} is not writable by {}: newswatch creates the \
             database, its -wal and -shm files and its lock there; run newswatch as \
             the user the folder belongs to",
            folder.display(),
            who()
        )));
    }
    if db.exists() && access(db, Access::WRITE_OK).is_err() {
        return Ok(Some(format!(
            "the database {shown} is not writable by {}: commands that poll or send \
             will fail; run newswatch as the user it belongs to",
            who()
        )));
    }
    Ok(None)
}

/// What `check-config` and `test-email` say while `allow_plaintext_auth` is on.
pub const PLAINTEXT_AUTH_WARNING: &str = "allow_plaintext_auth = true in [email]: \
    the SMTP password is sent UNENCRYPTED to a server (or anyone in between) \
    that does not offer STARTTLS";

/// The SMTP settings, if mail goes out over SMTP.
pub fn smtp_of(e: &crate::config::EmailConfig) -> Option<&crate::config::SmtpConfig> {
    match &e.transport {
        crate::config::MailTransport::Smtp(s) => Some(s),
        _ => None,
    }
}

/// The `[email]` and `[[digest]]` part of `check-config`.
fn print_mail_config(c: &crate::config::Config, now: chrono::DateTime<chrono::Utc>) -> CliResult {
    let Some(e) = &c.email else {
        outln!(
            "
mail: none ([email] not configured; no alerts or digests are sent)"
        );
        return Ok(0);
    };
    let to: Vec<String> = e.to.iter().map(ToString::to_string).collect();
    outln!(
        "
mail: via {}",
        safe(&e.transport.describe())
    );
    if let Some(smtp) = smtp_of(e) {
        outln!("  tls: {}", smtp.describe_tls());
        if smtp.allow_plaintext_auth {
            outln!("  WARNING: {PLAINTEXT_AUTH_WARNING}");
        }
    }
    outln!(
        "  from {} to {}",
        safe(&e.from.to_string()),
        safe(&to.join(", "))
    );
    let immediate: Vec<&str> = c
        .topics
        .iter()
        .filter(|t| t.alert == crate::config::AlertMode::Immediate)
        .map(|t| t.name.as_str())
        .collect();
    outln!(
        "  immediate alerts: {} (grouped for {})",
        if immediate.is_empty() {
            "none".to_string()
        } else {
            safe(&immediate.join(", "))
        },
        humantime::format_duration(e.group_window)
    );
    outln!(
        "  templates: {}",
        e.templates
            .as_ref()
            .map_or("built-in".to_string(), |p| format!(
                "{} (over the built-in ones)",
                safe(&p.display().to_string())
            ))
    );
    for d in &c.digests {
        let next = d
            .schedule
            .next_slot_after(d.timezone, now)
            .with_timezone(&d.timezone);
        outln!(
            "  digest {}: {} {} -> {}; topics: {}; next {}",
            safe(&d.name),
            d.schedule.describe(),
            d.timezone.name(),
            safe(
                &d.to
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            if d.topics.is_empty() {
                "all".to_string()
            } else {
                safe(&d.topics.join(", "))
            },
            next.format("%Y-%m-%d %H:%M %Z")
        );
    }
    Ok(0)
}
