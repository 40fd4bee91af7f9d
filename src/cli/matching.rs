//! `match`: which items a topic would hit — stored ones (`--since`) or the
//! entries of feed files — and which terms hit, so a rule can be tested
//! before it is deployed.

use std::path::PathBuf;

use super::output::{counted, cut, json_line, safe, short_time};
use super::{CliError, CliResult, Ctx, known_topic, parse_since};
use crate::detect::{SourceContext, TopicMatch};
use crate::model::Document;
use crate::pipeline::{Detection, parse_and_normalize};

/// Items scanned by `match --since` at most.
const MATCH_SCAN_MAX: usize = 200_000;

pub fn matching(ctx: &Ctx, topic: &str, since: Option<&str>, files: &[PathBuf]) -> CliResult {
    let topic = known_topic(ctx, topic)?;
    let topic = topic.as_str();
    let detection = Detection::new(&ctx.config);
    let detector = detection.detector();
    let mut shown = 0usize;
    let mut scanned = 0usize;
    // Stored items left out by the window: (window, (count, oldest)).
    let mut outside = None;
    let mut report = |source: &str,
                      id: Option<i64>,
                      title: &str,
                      url: Option<&str>,
                      hit: &TopicMatch|
     -> std::io::Result<()> {
        shown += 1;
        if ctx.json {
            json_line(&serde_json::json!({
                "topic": hit.topic, "item_id": id, "source": source, "title": title,
                "url": url, "terms": hit.terms, "score": hit.score,
            }))
        } else {
            outln!(
                "{:>6}  {:<18}  {}  [{}]",
                id.map(|i| i.to_string()).unwrap_or_default(),
                cut(source, 18),
                cut(title, 90),
                safe(&hit.terms.join(", "))
            );
            Ok(())
        }
    };
    let no_tags: Vec<String> = Vec::new();
    if !files.is_empty() {
        for file in files {
            let bytes = crate::pipeline::read_file_capped(file, ctx.config.daemon.max_body)
                .map_err(|e| CliError::usage(anyhow::anyhow!(e)))?;
            let doc = Document {
                bytes,
                content_type: None,
                url: None,
            };
            let entries = parse_and_normalize(&doc, None, ctx.now())
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
                .entries;
            let name = file.display().to_string();
            let src = SourceContext {
                name: &name,
                tags: &no_tags,
                statement_speaker: None,
            };
            for e in &entries {
                scanned += 1;
                let hits = detector.match_topics(
                    &e.current.title,
                    &e.current.text,
                    e.language.as_deref(),
                    &src,
                );
                for hit in hits.iter().filter(|h| h.topic == topic) {
                    report(&name, None, &e.current.title, e.url.as_deref(), hit)?;
                }
            }
        }
    } else {
        let window = since.unwrap_or(DEFAULT_WINDOW);
        let since = parse_since(window, ctx.now())?;
        let store = ctx.open_reader()?;
        outside = Some((window, store.items_before(since)?));
        for it in store.item_texts(since, MATCH_SCAN_MAX)? {
            scanned += 1;
            let tags = ctx
                .config
                .source(&it.item.source)
                .map(|s| s.tags.clone())
                .unwrap_or_default();
            let src = SourceContext {
                name: &it.item.source,
                tags: &tags,
                statement_speaker: None,
            };
            let hits =
                detector.match_topics(&it.item.title, &it.text, it.item.language.as_deref(), &src);
            for hit in hits.iter().filter(|h| h.topic == topic) {
                report(
                    &it.item.source,
                    Some(it.item.id),
                    &it.item.title,
                    it.item.url.as_deref(),
                    hit,
                )?;
            }
        }
    }
    let window = match &outside {
        Some((window, _)) => format!(" published in the last {window}"),
        None => String::new(),
    };
    let mut summary = format!(
        "topic {}: {shown} of {}{window} {}",
        safe(topic),
        counted(scanned, "item", "items"),
        if shown == 1 { "matches" } else { "match" }
    );
    if let Some((_, (older, Some(oldest)))) = &outside
        && *older > 0
    {
        // Enough days back to reach the oldest item, with one to spare.
        let days = crate::store::parse_ts(oldest).map_or(0, |t| (ctx.now() - t).num_days() + 1);
        summary.push_str(&format!(
            "; {} (back to {}) {} outside that window: add --since {days}d to include {}",
            counted(*older as usize, "older item", "older items"),
            short_time(oldest),
            if *older == 1 { "is" } else { "are" },
            if *older == 1 { "it" } else { "them" },
        ));
    }
    if ctx.json {
        eprintln!("{summary}");
    } else {
        outln!("{summary}");
    }
    Ok(0)
}

/// How far back `match` looks among stored items without `--since`.
const DEFAULT_WINDOW: &str = "7d";
