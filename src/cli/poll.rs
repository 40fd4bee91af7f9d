//! `run`, `poll` and `ingest`: the commands that bring documents in.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use super::output::{counted, json_line, safe};
use super::{CliError, CliResult, Ctx, parse_time, time_from_file_name};
use crate::model::FetchStatus;
use crate::pipeline::{
    Committer, Detection, PollReport, Poller, Writer, ingest_file, source_specs,
};
use crate::store::DueFilter;

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    super::async_runtime(tokio::runtime::Builder::new_multi_thread())
}

pub fn run(ctx: &Ctx) -> CliResult {
    // Before the lock is taken: root does not run on another user's database.
    ctx.may_write()?;
    // Before the database is opened (and perhaps migrated): one daemon per database.
    let _lock = crate::service::lock::InstanceLock::acquire(&ctx.db)?;
    let store = ctx.open_store()?;
    let options = crate::service::RunOptions {
        config_path: ctx.config_path.clone(),
        clock: ctx.clock.clone(),
    };
    let rt = runtime()?;
    let outcome = rt.block_on(crate::service::run(ctx.config.clone(), store, options));
    // The stop is recorded and the writer closed; a task still busy on a
    // worker thread (a send past its grace period) must not hold the exit.
    rt.shutdown_timeout(std::time::Duration::from_secs(1));
    outcome?;
    Ok(0)
}

pub fn poll(ctx: &Ctx, all: bool, source: Option<&str>) -> CliResult {
    let mut store = ctx.open_store()?;
    store.sync_config_sources(&source_specs(&ctx.config), ctx.now())?;
    let filter = match (all, source) {
        (_, Some(name)) => DueFilter::Named(name),
        (true, None) => DueFilter::All,
        (false, None) => DueFilter::Due,
    };
    let due = store.due_sources(ctx.now(), filter).map_err(|e| match e {
        crate::store::StoreError::NotFound(_) | crate::store::StoreError::Conflict(_) => {
            CliError::usage(e)
        }
        e => e.into(),
    })?;
    let total = due.len();
    let poller = Poller::new(&ctx.config)
        .map_err(anyhow::Error::msg)?
        .with_clock(ctx.clock.clone());
    // Alerts are queued when mail is configured.
    let writer = Arc::new(Writer::spawn(store, ctx.config.alert_rules()));
    let bar = (std::io::stderr().is_terminal() && !ctx.json && total > 1).then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template("{bar:30} {pos}/{len} sources  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let started = Instant::now();
    let json = ctx.json;
    let report = runtime()?.block_on(poller.poll_all(writer.clone(), due, |r| {
        if let Some(bar) = &bar {
            bar.inc(1);
            bar.set_message(safe(&r.name));
        }
        if json {
            let _ = json_line(&serde_json::json!({
                "source": r.name,
                "outcome": r.status.as_str(),
                "items_seen": r.summary.items_seen,
                "items_new": r.summary.items_new,
                "items_changed": r.summary.items_changed,
                "items_matched": r.summary.items_matched,
                "error": r.error,
            }));
        }
    }));
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Ok(w) = Arc::try_unwrap(writer) {
        w.close();
    }
    print_poll_summary(&report, started.elapsed().as_secs_f64(), json)?;
    super::mail::deliver_after_poll(ctx)?;
    Ok(if report.failed.is_empty() { 0 } else { 1 })
}

fn print_poll_summary(r: &PollReport, secs: f64, json: bool) -> std::io::Result<()> {
    for (name, error) in &r.failed {
        eprintln!("error: {}: {}", safe(name), safe(error));
    }
    for name in &r.gone {
        eprintln!("warning: {}: gone (410), source disabled", safe(name));
    }
    if let Some(verdict) = network_verdict(r) {
        eprintln!("{verdict}");
    }
    let line = format!(
        "polled {} in {secs:.2}s: {} ok, {} not modified, {} failed, {} gone; {}, {} changed",
        counted(r.sources, "source", "sources"),
        r.ok,
        r.not_modified,
        r.failed.len(),
        r.gone.len(),
        counted(r.items_new as usize, "new item", "new items"),
        r.items_changed
    );
    if json {
        eprintln!("{line}");
    } else {
        outln!("{line}");
    }
    Ok(())
}

/// When no source could be fetched and (nearly) all of them failed to
/// resolve their host or to connect, the network is the likely cause, not
/// the sources: one line that says so and what to try, instead of leaving
/// the reader to work it out from a screenful of lookup errors.
fn network_verdict(r: &PollReport) -> Option<String> {
    let network = r
        .failed
        .iter()
        .filter(|(_, e)| crate::fetch::is_network_error(e))
        .count();
    let reached = r.ok + r.not_modified + r.gone.len();
    // One source alone failing says more about its URL than the network.
    if reached > 0 || network < 2 || network * 4 < r.sources * 3 {
        return None;
    }
    let how_many = if network == r.sources && network == 2 {
        "both sources".to_string()
    } else if network == r.sources {
        format!("all {network} sources")
    } else {
        format!("{network} of {} sources", r.sources)
    };
    Some(format!(
        "error: the network seems to be down: {how_many} failed to look up or connect to \
         their host. Check this machine's network connection and DNS (or a firewall); \
         `newswatch demo` shows newswatch at work offline, on generated feeds."
    ))
}

pub fn ingest(ctx: &Ctx, source: &str, at: Option<&str>, files: &[PathBuf]) -> CliResult {
    let fixed_at = match at {
        None => None,
        Some(s) => Some(parse_time(s).ok_or_else(|| {
            CliError::usage(anyhow::anyhow!(
                "--at {s}: not a time (use RFC 3339, e.g. 2026-05-04T19:46:55Z, or 20260504T194655Z)"
            ))
        })?),
    };
    let mut store = ctx.open_store()?;
    store.sync_config_sources(&source_specs(&ctx.config), ctx.now())?;
    let src = store.source_by_name(source).map_err(|e| match e {
        crate::store::StoreError::NotFound(_) => CliError::usage(e),
        e => e.into(),
    })?;
    // As a poll decides: with the trained models and the feedback stored.
    let detection = Detection::learned(&ctx.config, &crate::pipeline::Learned::read(Some(&store))?);
    // No alerts for replayed files: they are not news now.
    let mut committer = Committer::new(None);
    let mut failures = 0;
    for file in files {
        let at = fixed_at
            .or_else(|| time_from_file_name(file))
            .unwrap_or_else(|| ctx.now());
        let result = ingest_file(
            &mut store,
            &mut committer,
            &detection,
            &src,
            file,
            at,
            ctx.config.daemon.max_body,
        )?;
        let s = &result.summary;
        if ctx.json {
            json_line(&serde_json::json!({
                "file": file.display().to_string(),
                "at": crate::store::ts(at),
                "outcome": if result.error.is_some() { FetchStatus::Error.as_str() } else { FetchStatus::Ok.as_str() },
                "items_seen": s.items_seen,
                "items_new": s.items_new,
                "items_changed": s.items_changed,
                "items_matched": s.items_matched,
                "error": result.error,
            }))?;
        } else if result.error.is_none() {
            outln!(
                "{}: {}, {} new, {} changed",
                safe(&file.display().to_string()),
                counted(s.items_seen as usize, "item", "items"),
                s.items_new,
                s.items_changed
            );
        }
        if let Some(e) = &result.error {
            failures += 1;
            eprintln!("error: {}", safe(e));
        }
    }
    Ok(if failures == 0 { 0 } else { 1 })
}
