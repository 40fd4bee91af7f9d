//! `status`: what an operator checks first. Reads the database (safe while
//! the daemon runs) and the daemon's lock: is it running and since when,
//! which sources are fine, failing, silent or disabled, when each was last
//! fetched and will next be polled, what mail is waiting, the last digest.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::output::{ago, counted, cut, json_line, safe, short_time, table, until};
use super::{CliResult, Ctx};
use crate::service::lock::{Holder, InstanceLock};
use crate::store::{
    OutboxBacklog, RunRow, SentDigest, SourceRow, SourceState, StatusReport, parse_ts,
};

/// A run whose heartbeat is older than this is not taken for alive when the
/// lock cannot be consulted (the daemon beats every minute).
const HEARTBEAT_STALE: chrono::Duration = chrono::Duration::minutes(3);

#[derive(Serialize)]
struct Status {
    #[serde(flatten)]
    summary: StatusReport,
    sources_silent: usize,
    daemon: DaemonStatus,
    outbox: OutboxBacklog,
    last_digest: Option<SentDigest>,
    source_list: Vec<SourceStatus>,
}

#[derive(Serialize)]
struct DaemonStatus {
    /// `running`, `stopped`, `never` (no run recorded) or `unknown`.
    state: &'static str,
    /// For a stopped daemon: false when it ended without a clean stop
    /// (killed, crashed, machine lost power).
    clean_stop: Option<bool>,
    uptime_s: Option<i64>,
    #[serde(flatten)]
    run: Option<RunRow>,
}

#[derive(Serialize)]
struct SourceStatus {
    name: String,
    /// `ok`, `failing`, `silent`, `disabled`, `never` (not fetched yet).
    state: SourceState,
    detail: Option<String>,
    last_fetch_at: Option<String>,
    last_status: Option<String>,
    error_streak: i64,
    next_poll_at: Option<String>,
}

pub fn status(ctx: &Ctx) -> CliResult {
    let store = ctx.open_reader()?;
    let now = ctx.now();
    let mut summary = store.status(now)?;
    let run = store.last_run()?;
    let daemon = daemon_status(InstanceLock::holder(&ctx.db), run, now);
    let mut source_list: Vec<SourceStatus> = store
        .sources()?
        .into_iter()
        .filter(|s| !s.is_retired())
        .map(|s| source_status(s, now))
        .collect();
    source_list.sort_by_key(|s| (s.state, s.name.to_lowercase()));
    // The counts are those of the list: one state per source, so they add
    // up to the sources shown.
    let count = |state| source_list.iter().filter(|s| s.state == state).count() as i64;
    summary.sources_ok = count(SourceState::Ok);
    summary.sources_failing = count(SourceState::Failing);
    summary.sources_never_fetched = count(SourceState::Never);
    summary.sources_disabled = count(SourceState::Disabled);
    summary.sources = source_list.len() as i64;
    summary.sources_enabled = summary.sources - summary.sources_disabled;
    let status = Status {
        sources_silent: count(SourceState::Silent) as usize,
        summary,
        daemon,
        outbox: store.outbox_backlog()?,
        last_digest: store.last_sent_digest()?,
        source_list,
    };
    if ctx.json {
        json_line(&status)?;
    } else {
        print_status(&status, now)?;
    }
    Ok(0)
}

fn daemon_status(holder: Holder, run: Option<RunRow>, now: DateTime<Utc>) -> DaemonStatus {
    let since = |t: &str| parse_ts(t).map(|t| (now - t).num_seconds().max(0));
    let alive_by_heartbeat = run
        .as_ref()
        .and_then(|r| parse_ts(&r.heartbeat_at))
        .is_some_and(|t| run_is_open(&run) && now - t < HEARTBEAT_STALE);
    let state = match (&run, holder) {
        (_, Holder::Running(_)) => "running",
        (None, _) => "never",
        (Some(_), Holder::NotRunning) => "stopped",
        (Some(_), Holder::Unknown) if alive_by_heartbeat => "running",
        (Some(_), Holder::Unknown) => "unknown",
    };
    DaemonStatus {
        state,
        clean_stop: (state == "stopped").then(|| !run_is_open(&run)),
        uptime_s: (state == "running")
            .then(|| run.as_ref().and_then(|r| since(&r.started_at)))
            .flatten(),
        run,
    }
}

fn run_is_open(run: &Option<RunRow>) -> bool {
    run.as_ref().is_some_and(|r| r.stopped_at.is_none())
}

fn source_status(s: SourceRow, now: DateTime<Utc>) -> SourceStatus {
    let health = s.health(now);
    SourceStatus {
        name: s.name,
        state: health.state,
        detail: health.detail,
        last_fetch_at: s.last_fetch_at,
        last_status: s.last_status,
        error_streak: s.error_streak,
        next_poll_at: s.enabled.then_some(s.next_poll_at),
    }
}

fn print_status(s: &Status, now: DateTime<Utc>) -> anyhow::Result<()> {
    let d = &s.daemon;
    match (d.state, &d.run) {
        ("running", Some(run)) => outln!(
            "daemon     running, pid {}, up {} (since {}){}",
            run.pid,
            d.uptime_s.map(human_secs).unwrap_or_else(|| "?".into()),
            short_time(&run.started_at),
            match &run.last_reload_at {
                Some(t) => format!(
                    ", config reloaded {}× (last {})",
                    run.reloads,
                    short_time(t)
                ),
                None => String::new(),
            }
        ),
        ("running", None) => outln!("daemon     running (started before it kept run records)"),
        ("stopped", Some(run)) => match &run.stopped_at {
            Some(t) => outln!(
                "daemon     not running; last run {} – {} ({}), stopped by {}",
                short_time(&run.started_at),
                short_time(t),
                since_text(&run.started_at, t),
                safe(run.stop_reason.as_deref().unwrap_or("?"))
            ),
            None => outln!(
                "daemon     not running; last run started {} and ended without a clean stop (last heartbeat {})",
                short_time(&run.started_at),
                short_time(&run.heartbeat_at)
            ),
        },
        ("unknown", Some(run)) => outln!(
            "daemon     unknown (cannot read the lock); last heartbeat {}",
            short_time(&run.heartbeat_at)
        ),
        _ => outln!("daemon     never run on this database"),
    }
    let m = &s.summary;
    let mib = |b: u64| b as f64 / 1048576.0;
    outln!(
        "database   {}, {:.1} MiB ({:.1} MiB of it in {}-wal)",
        safe(&m.database),
        mib(m.database_bytes + m.database_wal_bytes),
        mib(m.database_wal_bytes),
        safe(&m.database)
    );
    outln!(
        "sources    {} enabled: {} ok, {} failing, {} silent, {} never fetched; {} disabled",
        m.sources_enabled,
        m.sources_ok,
        m.sources_failing,
        s.sources_silent,
        m.sources_never_fetched,
        m.sources_disabled
    );
    outln!(
        "items      {} ({})",
        m.items,
        counted(m.item_versions as usize, "version", "versions")
    );
    outln!(
        "fetches    {} in the last 24h, {} failed; last {}",
        m.fetches_24h,
        m.fetch_errors_24h,
        m.last_fetch_at
            .as_deref()
            .map(short_time)
            .unwrap_or_else(|| "never".into())
    );
    outln!(
        "next poll  {}",
        m.next_poll_at
            .as_deref()
            .map(short_time)
            .unwrap_or_else(|| "-".into())
    );
    let o = &s.outbox;
    outln!(
        "outbox     {} pending{}, {} given up, {} sent",
        o.pending,
        match (&o.oldest_pending_at, &o.next_attempt_at) {
            (Some(oldest), Some(next)) => format!(
                " (oldest {}, next attempt {})",
                short_time(oldest),
                short_time(next)
            ),
            _ => String::new(),
        },
        o.failed,
        o.sent
    );
    match &s.last_digest {
        Some(dg) => outln!(
            "digest     last \"{}\" {} ({}, covering {} – {})",
            cut(&dg.name, 40),
            dg.sent_at
                .as_deref()
                .map(|t| format!("sent {}", short_time(t)))
                .unwrap_or_else(|| "not yet delivered".into()),
            counted(dg.entries as usize, "entry", "entries"),
            short_time(&dg.period_start),
            short_time(&dg.period_end)
        ),
        None => outln!("digest     none sent yet"),
    }
    if !s.source_list.is_empty() {
        outln!();
        let rows: Vec<Vec<String>> = s
            .source_list
            .iter()
            .map(|r| {
                vec![
                    cut(&r.name, 30),
                    r.state.as_str().to_string(),
                    r.last_fetch_at
                        .as_deref()
                        .map(|t| ago(t, now))
                        .unwrap_or_else(|| "-".into()),
                    r.next_poll_at
                        .as_deref()
                        .map(|t| until(t, now))
                        .unwrap_or_else(|| "-".into()),
                    cut(r.detail.as_deref().unwrap_or(""), 70),
                ]
            })
            .collect();
        table(
            &["SOURCE", "STATE", "LAST FETCH", "NEXT POLL", "DETAIL"],
            &rows,
        );
    }
    Ok(())
}

fn human_secs(s: i64) -> String {
    crate::text::span(std::time::Duration::from_secs(s.max(0) as u64))
}

fn since_text(from: &str, to: &str) -> String {
    match (parse_ts(from), parse_ts(to)) {
        (Some(a), Some(b)) => human_secs((b - a).num_seconds()),
        _ => "?".into(),
    }
}
