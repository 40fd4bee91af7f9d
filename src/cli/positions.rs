//! `positions`: each speaker's latest stance per issue, with the shifts
//! that moved it (read-only; `store::positions`).

use super::output::{cut, json_line, safe, short_time, table};
use super::{CliError, CliResult, Ctx};
use crate::detect::statements::Issue;
use crate::store::PositionFilter;

pub fn positions(ctx: &Ctx, speaker: Option<String>, issue: Option<String>) -> CliResult {
    if let Some(i) = &issue
        && Issue::parse(i).is_none()
    {
        let known: Vec<&str> = Issue::ALL.iter().map(|i| i.as_str()).collect();
        return Err(CliError::usage(anyhow::anyhow!(
            "unknown issue {i:?}: one of {}",
            known.join(", ")
        )));
    }
    let store = ctx.open_reader()?;
    let filter = PositionFilter { speaker, issue };
    let latest = store.positions(&filter)?;
    let shifts = store.position_shifts(&filter)?;
    if ctx.json {
        json_line(&serde_json::json!({ "positions": latest, "shifts": shifts }))?;
        return Ok(0);
    }
    if latest.is_empty() && shifts.is_empty() {
        outln!("no positions yet: no statement with a stance has been stored");
        return Ok(0);
    }
    let rows: Vec<Vec<String>> = latest
        .iter()
        .map(|p| {
            vec![
                safe(&p.speaker),
                p.issue.clone(),
                p.stance.clone(),
                short_time(&p.said_at),
                safe(&p.source),
                cut(&p.text, 60),
            ]
        })
        .collect();
    table(
        &["SPEAKER", "ISSUE", "STANCE", "SAID", "SOURCE", "STATEMENT"],
        &rows,
    );
    if !shifts.is_empty() {
        outln!();
        outln!("Positions that moved:");
        for s in &shifts {
            outln!(
                "  {} on {}: {} ({}) -> {} ({})",
                safe(&s.speaker),
                s.issue,
                s.from_stance,
                short_time(&s.from_at),
                s.to_stance,
                short_time(&s.to_at)
            );
            outln!("    before: {}", cut(&s.from_text, 100));
            outln!("    now:    {}", cut(&s.to_text, 100));
            if let Some(u) = &s.url {
                outln!("    {}", safe(u));
            }
        }
    }
    Ok(0)
}
