//! Service: the long-running daemon behind `newswatch run`. Dispatches due
//! sources continuously (a slow source never holds back the others), keeps
//! the plan in the database so a restart resumes it, and on SIGTERM/SIGINT
//! stops dispatching, lets in-flight fetches finish their transaction for a
//! bounded time, and exits.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::model::SourceId;
use crate::pipeline::{Poller, SourceResult, Writer, source_specs};
use crate::store::{DueFilter, Store};

/// Longest sleep between looks at the plan (sources added by `sources add`
/// while the daemon runs are picked up within this time).
const MAX_IDLE: Duration = Duration::from_secs(30);
/// How long in-flight fetches may take to finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Run until SIGTERM or SIGINT.
pub async fn run(config: Config, store: Store) -> anyhow::Result<()> {
    let mut store = store;
    let report = store.sync_config_sources(&source_specs(&config), Utc::now())?;
    tracing::info!(
        database = %store.path().display(),
        sources = config.sources.len(),
        added = report.added.len(),
        retired = report.retired.len(),
        "newswatch started"
    );
    let started = Utc::now();
    let notifier = crate::notify::Notifier::open(&config, store.path())?;
    let (stop_notifier, notifier_stopped) = tokio::sync::watch::channel(false);
    let notifier_task = notifier.map(|n| tokio::spawn(notify_loop(n, started, notifier_stopped)));
    let writer = Arc::new(Writer::spawn(store));
    let poller = Poller::new(&config).map_err(anyhow::Error::msg)?;
    let mut in_flight: HashSet<SourceId> = HashSet::new();
    let mut tasks: JoinSet<(SourceId, SourceResult)> = JoinSet::new();
    let mut stop = Box::pin(stop_signal());
    loop {
        let due = writer
            .call(|s| s.due_sources(Utc::now(), DueFilter::Due))
            .await?;
        for src in due {
            if in_flight.insert(src.id) {
                let (poller, writer) = (poller.clone(), writer.clone());
                tasks.spawn(async move {
                    let id = src.id;
                    (id, poller.poll_source(&writer, src).await)
                });
            }
        }
        let next = writer.call(|s| s.next_due_at()).await?;
        let wait = next
            .map(|t| (t - Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(MAX_IDLE)
            .min(MAX_IDLE)
            // In-flight sources are still "due"; don't spin on them.
            .max(Duration::from_millis(200));
        tokio::select! {
            _ = &mut stop => break,
            Some(joined) = tasks.join_next(), if !tasks.is_empty() => {
                if let Ok((id, _)) = joined {
                    in_flight.remove(&id);
                }
            }
            _ = tokio::time::sleep(wait) => {}
        }
    }
    tracing::info!(
        in_flight = tasks.len(),
        "stopping: no new fetches; waiting for in-flight ones"
    );
    let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        // Aborted tasks never reached the writer or their transaction rolls back
        // as a whole: nothing half-written is left.
        tasks.abort_all();
        while tasks.join_next().await.is_some() {}
    }
    if let Ok(writer) = Arc::try_unwrap(writer) {
        writer.close();
    }
    let _ = stop_notifier.send(true);
    if let Some(task) = notifier_task {
        // A send in progress may finish (its reply is recorded); past the
        // grace period it is cut off and the row stays pending, to be sent
        // again (same Message-ID) after the restart.
        let abort = task.abort_handle();
        if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
            abort.abort();
        }
    }
    tracing::info!("newswatch stopped");
    Ok(())
}

/// Longest sleep of the notifier between looks at the outbox (alerts queued
/// by the poller are picked up within this time).
const NOTIFY_IDLE: Duration = Duration::from_secs(2);

/// The notifier's loop: plan due digests, send due mail, sleep until the
/// next thing is due (or a short idle), until told to stop.
async fn notify_loop(
    mut notifier: crate::notify::Notifier,
    started: chrono::DateTime<Utc>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    tracing::info!(via = %notifier.mailer().describe(), "notifier started");
    loop {
        let now = Utc::now();
        if let Err(e) = notifier.plan_digests(now, started) {
            tracing::error!(error = %e, "cannot plan digests");
        }
        notifier.deliver_due(now).await;
        let now = Utc::now();
        let wait = notifier
            .next_wake(now)
            .map(|t| (t - now).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(NOTIFY_IDLE)
            .clamp(Duration::from_millis(100), NOTIFY_IDLE);
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => tracing::info!("SIGTERM received"),
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received"),
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
