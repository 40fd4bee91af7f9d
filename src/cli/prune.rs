//! `prune`: apply retention now (the daemon does it daily when
//! `[daemon] retention` is set). See `store::retention` for what goes.
//! It also deletes the topics' expired context terms and those of topics
//! no longer configured.

use super::output::{counted, json_line};
use super::{CliError, CliResult, Ctx};

/// Items per transaction, as in the daemon.
const BATCH: usize = 500;

pub fn prune(ctx: &Ctx, older_than: Option<&str>) -> CliResult {
    let keep = match older_than {
        Some(s) => crate::config::parse_duration(s)
            .map_err(|e| CliError::usage(anyhow::anyhow!("--older-than {s}: {e}")))?,
        None => ctx.config.daemon.retention.ok_or_else(|| {
            CliError::usage(anyhow::anyhow!(
                "no retention configured: set [daemon] retention or give --older-than DUR"
            ))
        })?,
    };
    if keep < std::time::Duration::from_secs(24 * 60 * 60) {
        return Err(CliError::usage(anyhow::anyhow!(
            "--older-than must be at least 1d"
        )));
    }
    ctx.require_database()?;
    let mut store = ctx.open_store()?;
    let now = ctx.now();
    let cutoff = now - chrono::Duration::from_std(keep).unwrap_or(chrono::Duration::MAX);
    let mut total = crate::store::PruneReport::default();
    loop {
        let batch = store.prune_batch(cutoff, now, BATCH)?;
        if batch.is_empty() {
            break;
        }
        total.add(batch);
    }
    let topics: Vec<String> = ctx.config.topics.iter().map(|t| t.name.clone()).collect();
    let expired_before = crate::pipeline::context_terms_expired_before(now);
    let terms = crate::pipeline::prune_context_terms(&mut store, &topics, now)?;
    if ctx.json {
        #[derive(serde::Serialize)]
        struct Pruned {
            #[serde(flatten)]
            retention: crate::store::PruneReport,
            context_terms_expired: u64,
            context_terms_unconfigured: u64,
        }
        json_line(&Pruned {
            retention: total,
            context_terms_expired: terms.expired,
            context_terms_unconfigured: terms.unconfigured,
        })?;
    } else {
        outln!(
            "pruned the text of {} ({}, {:.1} MiB) not seen since {}, and {}",
            counted(total.items as usize, "item", "items"),
            counted(total.versions as usize, "version", "versions"),
            total.text_bytes as f64 / 1048576.0,
            crate::store::ts(cutoff),
            counted(total.fetches as usize, "fetch log row", "fetch log rows")
        );
        outln!(
            "deleted {} (not seen with a strong match since {}) and {} of topics no longer configured",
            counted(
                terms.expired as usize,
                "expired context term",
                "expired context terms"
            ),
            crate::store::ts(expired_before),
            counted(terms.unconfigured as usize, "context term", "context terms")
        );
    }
    Ok(0)
}
