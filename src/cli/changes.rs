//! `changes`: revisions and statement shifts, with word diffs — coloured on a
//! terminal, `[-deleted-]{+inserted+}` when piped, JSON with `--json`.

use std::io::IsTerminal;

use super::output::{json_lines, safe};
use super::{CliError, CliResult, Ctx, known_topic, parse_since};
use crate::model::Significance;
use crate::notify::diffview::cut_chars;
use crate::store::{ChangeFilter, ChangeRow};

/// Words of unchanged text kept around each change in a long text.
const CONTEXT_WORDS: usize = 8;

pub fn changes(
    ctx: &Ctx,
    since: Option<&str>,
    min: Option<&str>,
    topic: Option<String>,
    limit: usize,
) -> CliResult {
    let since = since.map(|s| parse_since(s, ctx.now())).transpose()?;
    let min = min
        .map(|m| {
            m.parse::<Significance>().map_err(|_| {
                CliError::usage(anyhow::anyhow!(
                    "--min {m}: expected cosmetic, minor or major"
                ))
            })
        })
        .transpose()?;
    let topic = topic.map(|t| known_topic(ctx, &t)).transpose()?;
    let store = ctx.open_reader()?;
    let rows = store.changes(&ChangeFilter {
        since,
        min,
        topic,
        limit,
    })?;
    if ctx.json {
        json_lines(&rows)?;
        return Ok(0);
    }
    let style = DiffStyle::for_stdout();
    for r in &rows {
        print_change(r, style)?;
    }
    if rows.is_empty() {
        outln!("no changes");
    }
    Ok(0)
}

fn print_change(r: &ChangeRow, style: DiffStyle) -> std::io::Result<()> {
    let versions = match r.from_version {
        Some(from) => format!("v{from}→v{}", r.to_version),
        None => format!("v{}", r.to_version),
    };
    outln!(
        "{}  {:<8} {:<8} #{} {}  {}",
        super::output::short_time(&r.seen_at),
        r.kind,
        r.significance,
        r.item_id,
        versions,
        safe(&r.source)
    );
    outln!("  {}", safe(&cut_chars(&r.title, RUN_CHARS)));
    if let Some(url) = &r.url {
        outln!("  {}", safe(url));
    }
    if !r.reasons.is_empty() {
        outln!("  why: {}", safe(&r.reasons.join("; ")));
    }
    if !r.topics.is_empty() {
        outln!("  topics: {}", safe(&r.topics.join(", ")));
    }
    if let Some(diff) = &r.diff {
        print_diff(diff, style)?;
    }
    if let (Some(now), Some(before)) = (&r.statement, &r.earlier_statement) {
        let who = r.speaker.as_deref().unwrap_or("speaker");
        outln!("  {} now:     «{}»", safe(who), safe(now));
        outln!(
            "  earlier ({}): «{}»",
            r.earlier_seen_at
                .as_deref()
                .map(super::output::short_time)
                .unwrap_or_default(),
            safe(before)
        );
        if let Some(sim) = r.similarity {
            outln!("  similarity {sim:.2}");
        }
    }
    outln!();
    Ok(())
}

/// How insertions and deletions are marked.
#[derive(Clone, Copy)]
pub enum DiffStyle {
    Color,
    Plain,
}

impl DiffStyle {
    pub fn for_stdout() -> DiffStyle {
        if std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none() {
            DiffStyle::Color
        } else {
            DiffStyle::Plain
        }
    }
}

/// Print the title and text diffs of a stored revision.
pub fn print_diff(diff: &serde_json::Value, style: DiffStyle) -> std::io::Result<()> {
    for field in ["title", "text"] {
        let Some(ops) = diff.get(field).and_then(|v| v.as_array()) else {
            continue;
        };
        if ops.iter().all(|op| op.get("Equal").is_some()) {
            continue;
        }
        // A feed whose description is its title (svoboda, AP's text after
        // its image) would show the same diff twice.
        if field == "text" && diff.get("title").and_then(|v| v.as_array()) == Some(ops) {
            continue;
        }
        outln!("  {field}: {}", render_ops(ops, style, field == "text"));
    }
    Ok(())
}

/// Characters of one deleted, inserted or kept run shown on a terminal.
const RUN_CHARS: usize = 1_000;

/// Render diff ops; for long texts, unchanged runs are cut to a few words of
/// context; any run is cut after `RUN_CHARS` characters.
pub fn render_ops(ops: &[serde_json::Value], style: DiffStyle, elide: bool) -> String {
    let mut out = String::new();
    for (i, op) in ops.iter().enumerate() {
        let (kind, text) = match op.as_object().and_then(|o| o.iter().next()) {
            Some((k, v)) => (k.as_str(), v.as_str().unwrap_or("")),
            None => continue,
        };
        // A terminal gets the start of a huge run (a rewritten 1 MB title),
        // not all of it; `--json` keeps the whole diff.
        let text = safe(&cut_chars(text, RUN_CHARS));
        match (kind, style) {
            ("Equal", _) => {
                let words: Vec<&str> = text.split(' ').collect();
                if elide && words.len() > 2 * CONTEXT_WORDS + 1 {
                    let first = i == 0;
                    let last = i == ops.len() - 1;
                    let head = if first {
                        String::new()
                    } else {
                        words[..CONTEXT_WORDS].join(" ")
                    };
                    let tail = if last {
                        String::new()
                    } else {
                        words[words.len() - CONTEXT_WORDS..].join(" ")
                    };
                    out.push_str(&format!("{head} … {tail}"));
                } else {
                    out.push_str(&text);
                }
            }
            ("Delete", DiffStyle::Color) => out.push_str(&format!("\x1b[31;9m{text}\x1b[0m")),
            ("Insert", DiffStyle::Color) => out.push_str(&format!("\x1b[32m{text}\x1b[0m")),
            ("Delete", DiffStyle::Plain) => out.push_str(&format!("[-{text}-]")),
            ("Insert", DiffStyle::Plain) => out.push_str(&format!("{{+{text}+}}")),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_diff_marks_changes() {
        let ops: Vec<serde_json::Value> = serde_json::from_str(
            r#"[{"Equal":"strikes kill "},{"Delete":"5"},{"Insert":"22"},{"Equal":" in Ukraine"}]"#,
        )
        .unwrap();
        assert_eq!(
            render_ops(&ops, DiffStyle::Plain, false),
            "strikes kill [-5-]{+22+} in Ukraine"
        );
    }

    #[test]
    fn hostile_text_in_a_diff_cannot_reach_the_terminal() {
        let ops: Vec<serde_json::Value> =
            serde_json::from_str(r#"[{"Insert":"\u001b[2Jboom"}]"#).unwrap();
        assert!(!render_ops(&ops, DiffStyle::Color, false).contains("\u{1b}[2J"));
    }
}
