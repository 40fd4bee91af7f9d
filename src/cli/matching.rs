//! `match`: which items a topic would hit — stored ones (`--since`) or the
//! entries of feed files — and which terms hit, so a rule can be tested
//! before it is deployed.

use std::path::PathBuf;

use super::output::{counted, cut, json_line, safe, short_time};
use super::{CliError, CliResult, Ctx, known_topic, parse_since};
use crate::detect::relevance::context;
use crate::detect::{SourceContext, TopicMatch};
use crate::model::Document;
use crate::pipeline::{Detection, parse_and_normalize};

/// Items scanned by `match --since` at most.
const MATCH_SCAN_MAX: usize = 200_000;

pub fn matching(
    ctx: &Ctx,
    topic: &str,
    since: Option<&str>,
    files: &[PathBuf],
    explain: bool,
) -> CliResult {
    let topic = known_topic(ctx, topic)?;
    let topic = topic.as_str();
    let topic_index = ctx
        .config
        .topics
        .iter()
        .position(|t| t.name == topic)
        .unwrap_or_default();
    let learned = match crate::store::Store::open_reader(&ctx.db, true) {
        Ok(Some(store)) => crate::pipeline::Learned::read(Some(&store))?,
        _ => crate::pipeline::Learned::default(),
    };
    let detection = Detection::learned(&ctx.config, &learned);
    let detector = detection.detector();
    // The topic's context terms now (for `--explain`).
    let context_terms: Vec<String> = if explain {
        context_terms(ctx, topic)?
    } else {
        Vec::new()
    };
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
    let mut explained = 0usize;
    let mut explain_item = |source: &str,
                            id: Option<i64>,
                            title: &str,
                            text: &str,
                            language: Option<&str>,
                            src: &SourceContext<'_>,
                            via_story: Option<i64>|
     -> std::io::Result<()> {
        let (hit, scored) = detector.explain(topic_index, title, text, language, src);
        let own = match &scored {
            Some(s) => s.relevant,
            None => hit.is_some(),
        };
        let relevant = own || via_story.is_some();
        // Items the query or the model looked at twice, or their story
        // did; the rest are noise.
        let near = scored.as_ref().is_some_and(|s| s.probability >= 0.1);
        if hit.is_none() && !near && via_story.is_none() {
            return Ok(());
        }
        explained += 1;
        let names = context::item_names(title, text);
        let named = context::named(&names, &context_terms);
        if ctx.json {
            let mut v = explanation_json(
                topic,
                source,
                id,
                title,
                relevant,
                hit.as_ref(),
                scored.as_ref(),
            );
            v["via_story"] = serde_json::json!(via_story);
            v["context_terms"] = serde_json::json!(named);
            return json_line(&v);
        }
        outln!(
            "{} {:>6}  {:<18}  {}",
            if relevant { "MATCH" } else { "no   " },
            id.map(|i| i.to_string()).unwrap_or_default(),
            cut(source, 18),
            cut(title, 90)
        );
        outln!("{}", explanation_lines(hit.as_ref(), scored.as_ref()));
        if let Some(lines) = context_lines(via_story, own, &named) {
            outln!("{lines}");
        }
        Ok(())
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
                if explain {
                    explain_item(
                        &name,
                        None,
                        &e.current.title,
                        &e.current.text,
                        e.language.as_deref(),
                        &src,
                        None,
                    )?;
                    continue;
                }
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
        let via = if explain {
            store.via_story_matches(topic, since)?
        } else {
            Default::default()
        };
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
            if explain {
                explain_item(
                    &it.item.source,
                    Some(it.item.id),
                    &it.item.title,
                    &it.text,
                    it.item.language.as_deref(),
                    &src,
                    via.get(&it.item.id).copied(),
                )?;
                continue;
            }
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
    let mut summary = if explain {
        format!(
            "topic {}: {explained} of {}{window} explained (those the query hit or the model gave 0.10 or more)",
            safe(topic),
            counted(scanned, "item", "items"),
        )
    } else {
        format!(
            "topic {}: {shown} of {}{window} {}",
            safe(topic),
            counted(scanned, "item", "items"),
            if shown == 1 { "matches" } else { "match" }
        )
    };
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

/// Features listed per explained item at most.
const EXPLAIN_FEATURES: usize = 8;

/// How a topic decided, as lines under the item (also `show`).
pub fn explanation_lines(
    hit: Option<&crate::detect::topics::TopicHit>,
    scored: Option<&crate::detect::relevance::Scored>,
) -> String {
    let mut out = match hit {
        Some(h) => format!(
            "    query: hit in {} [{}]",
            if h.in_title {
                "the title"
            } else if h.in_lead {
                "the lead"
            } else {
                "the body only"
            },
            safe(&h.terms.join(", "))
        ),
        None => "    query: no hit".to_owned(),
    };
    if let Some(s) = scored {
        out.push_str(&format!("\n    model: p {:.2}", s.probability));
        if let Some(id) = s.via_feedback {
            out.push_str(&format!(
                " — decided {} via feedback on item {id} (worded like it)",
                if s.relevant { "relevant" } else { "irrelevant" }
            ));
        } else if let Some(frame) = &s.vetoed_by {
            out.push_str(&format!(
                " — not relevant: the query did not hit and the title is in the vetoed frame {}",
                safe(frame)
            ));
        }
        let parts: Vec<String> = s
            .contributions
            .iter()
            .take(EXPLAIN_FEATURES)
            .map(|c| format!("{} {:+.2}", safe(&c.feature), c.weight))
            .collect();
        if !parts.is_empty() {
            out.push_str(&format!("\n    signals: {}", parts.join(", ")));
        }
    }
    out
}

/// A topic's context terms now (those `topic terms` lists), or none when
/// there is no database yet.
pub fn context_terms(ctx: &Ctx, topic: &str) -> Result<Vec<String>, CliError> {
    let since = ctx.now() - chrono::Duration::days(context::EXPIRY_DAYS);
    Ok(match crate::store::Store::open_reader(&ctx.db, true) {
        Ok(Some(store)) => store
            .context_terms(topic, since, context::MIN_COUNT)?
            .into_iter()
            .map(|r| r.term)
            .collect(),
        _ => Vec::new(),
    })
}

/// The story's part and the context terms an item names, as lines under
/// its explanation (also `show`); empty when it has neither. Context terms
/// are listed, not weighed.
pub fn context_lines(via_story: Option<i64>, own: bool, named: &[&str]) -> Option<String> {
    let mut out = Vec::new();
    match via_story {
        Some(story) if own => out.push(format!(
            "    story: relevant on its own, and via story {story}"
        )),
        Some(story) => out.push(format!(
            "    story: relevant via story {story} (other outlets' reports of it matched)"
        )),
        None => {}
    }
    if !named.is_empty() {
        out.push(format!(
            "    context terms named: {} (listed, not weighed)",
            safe(&named.join(", "))
        ));
    }
    (!out.is_empty()).then(|| out.join("\n"))
}

fn explanation_json(
    topic: &str,
    source: &str,
    id: Option<i64>,
    title: &str,
    relevant: bool,
    hit: Option<&crate::detect::topics::TopicHit>,
    scored: Option<&crate::detect::relevance::Scored>,
) -> serde_json::Value {
    serde_json::json!({
        "topic": topic, "item_id": id, "source": source, "title": title, "relevant": relevant,
        "query": hit.map(|h| serde_json::json!({"terms": h.terms, "in_title": h.in_title, "in_lead": h.in_lead})),
        "probability": scored.map(|s| s.probability),
        "via_feedback": scored.and_then(|s| s.via_feedback),
        "vetoed_by": scored.and_then(|s| s.vetoed_by.as_deref()),
        "signals": scored.map(|s| s.contributions.iter().map(|c| serde_json::json!({"feature": c.feature, "weight": c.weight})).collect::<Vec<_>>()),
    })
}
