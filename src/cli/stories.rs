//! `stories`: stories (one event, many reports) with their size, outlets
//! and first and last report; `stories show ID`: one story's timeline across
//! outlets with why each report joined. JSON lines with `--json`.
//! `stories merge A B`, `stories split ID ITEM…`: the user's corrections,
//! remembered; later reports follow them.

use super::output::{json_line, json_lines, safe, short_time, table};
use super::{CliError, CliResult, Ctx, known_topic, parse_since};
use crate::notify::diffview::cut_chars;
use crate::store::{Correction, StoreError, StoryFilter};

/// Characters of a title in the list.
const TITLE_CHARS: usize = 80;

pub fn list(ctx: &Ctx, since: Option<&str>, topic: Option<String>, limit: usize) -> CliResult {
    let since = since.map(|s| parse_since(s, ctx.now())).transpose()?;
    let topic = topic.map(|t| known_topic(ctx, &t)).transpose()?;
    let store = ctx.open_reader()?;
    let rows = store.stories(&StoryFilter {
        since,
        topic,
        limit,
    })?;
    if ctx.json {
        json_lines(&rows)?;
        return Ok(0);
    }
    if rows.is_empty() {
        outln!("no stories");
        return Ok(0);
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.items.to_string(),
                safe(&r.sources.join(", ")),
                short_time(&r.first_seen),
                short_time(&r.last_seen),
                safe(&cut_chars(&r.title, TITLE_CHARS)),
            ]
        })
        .collect();
    table(
        &["ID", "ITEMS", "OUTLETS", "FIRST", "LAST", "TITLE"],
        &cells,
    );
    Ok(0)
}

pub fn show(ctx: &Ctx, id: i64) -> CliResult {
    let store = ctx.open_reader()?;
    let (story, members) = store.story_members(id).map_err(|e| match e {
        StoreError::NotFound(_) => CliError::usage(e),
        e => e.into(),
    })?;
    if ctx.json {
        json_line(&serde_json::json!({ "story": story, "members": members }))?;
        return Ok(0);
    }
    outln!("story {}: {}", story.id, safe(&story.title));
    outln!(
        "{} reports from {} ({}), {} to {}",
        story.items,
        safe(&story.sources.join(", ")),
        story.sources.len(),
        short_time(&story.first_seen),
        short_time(&story.last_seen)
    );
    for m in &members {
        outln!();
        outln!(
            "{}  #{} {}",
            short_time(&m.first_seen),
            m.item_id,
            safe(&m.source)
        );
        outln!("  {}", safe(&m.title));
        if let Some(url) = &m.url {
            outln!("  {}", safe(url));
        }
        match &m.why {
            Some(why) => outln!("  why: {}", safe(why)),
            None => outln!("  first report"),
        }
        for n in &m.news {
            outln!("  new: {}", safe(n));
        }
    }
    Ok(0)
}

pub fn merge(ctx: &Ctx, a: i64, b: i64) -> CliResult {
    let store = ctx.open_store()?;
    let done = store.merge_stories(a, b, ctx.now()).map_err(usage)?;
    answer(ctx, &done)
}

pub fn split(ctx: &Ctx, id: i64, items: &[i64]) -> CliResult {
    let store = ctx.open_store()?;
    let done = store.split_story(id, items, ctx.now()).map_err(usage)?;
    answer(ctx, &done)
}

/// A refused correction (no such story or item) is the user's to fix.
fn usage(e: StoreError) -> CliError {
    match e {
        StoreError::NotFound(_) => CliError::usage(e),
        e => e.into(),
    }
}

fn answer(ctx: &Ctx, done: &Correction) -> CliResult {
    if ctx.json {
        json_line(done)?;
        return Ok(0);
    }
    let n = done.items.len();
    let reports = if n == 1 { "report" } else { "reports" };
    match done.kind {
        "merge" => outln!(
            "merged story {} into story {} ({n} {reports} moved)",
            done.other_id,
            done.story_id
        ),
        _ => outln!(
            "split {n} {reports} off story {} into story {}",
            done.story_id,
            done.other_id
        ),
    }
    Ok(0)
}
