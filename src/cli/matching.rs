//! `match`: which items a topic would hit — stored ones (`--since`) or the
//! entries of feed files — and which terms hit, so a rule can be tested
//! before it is deployed.

use std::path::PathBuf;

use chrono::Utc;

use super::output::{cut, json_line, safe};
use super::{CliError, CliResult, Ctx, known_topic, parse_since};
use crate::detect::{SourceContext, TopicMatch};
use crate::model::Document;
use crate::pipeline::{Detection, parse_and_normalize};

/// Items scanned by `match --since` at most.
const MATCH_SCAN_MAX: usize = 200_000;

pub fn matching(ctx: &Ctx, topic: &str, since: Option<&str>, files: &[PathBuf]) -> CliResult {
    known_topic(ctx, topic)?;
    let detection = Detection::new(&ctx.config);
    let detector = detection.detector();
    let mut shown = 0usize;
    let mut scanned = 0usize;
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
            let entries = parse_and_normalize(&doc, None, Utc::now())
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
        let since = parse_since(since.unwrap_or("7d"), Utc::now())?;
        let store = ctx.open_reader()?;
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
    if ctx.json {
        eprintln!("topic {}: {shown} of {scanned} items match", safe(topic));
    } else {
        outln!("topic {}: {shown} of {scanned} items match", safe(topic));
    }
    Ok(0)
}
