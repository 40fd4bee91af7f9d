//! Service: the long-running daemon behind `newswatch run`. Dispatches due
//! sources continuously (a slow source never holds back the others), keeps
//! the plan in the database so a restart resumes it, tells systemd when it
//! is ready and that it is alive (`systemd`), reloads its configuration on
//! SIGHUP (a bad one is refused and the running one kept), and on
//! SIGTERM/SIGINT stops dispatching, lets in-flight fetches finish their
//! transaction for a bounded time, and exits. One daemon per database
//! (`lock`).
//!
//! This file holds the daemon's loop and what it holds across turns (the
//! sources in flight, fetches the database refused, a lock pause); apart:
//! the reload (`reload`), the notifier task (`mail`), the signals
//! (`signals`), the instance lock (`lock`) and systemd's protocol
//! (`systemd`).

pub mod lock;
mod mail;
mod reload;
mod signals;
mod systemd;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use crate::clock::SharedClock;
use crate::config::Config;
use crate::model::SourceId;
use crate::notify::Notifier;
use crate::pipeline::{Poller, SourceResult, Stored, Writer, source_specs};
use crate::store::{DueFilter, Store};
use crate::text::counted;
use mail::MailTask;
use signals::{Signal, Signals};
use systemd::Supervisor;

/// Longest sleep between looks at the plan (sources added by `sources add`
/// while the daemon runs are picked up within this time).
const MAX_IDLE: Duration = Duration::from_secs(30);
/// How long in-flight fetches may take to finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// How often the run's heartbeat (and systemd's status line) is refreshed.
const HEARTBEAT: Duration = Duration::from_secs(60);
/// How often the daily pass runs: expired context terms always, the text
/// of old items when `[daemon] retention` is set.
const PRUNE_EVERY: Duration = Duration::from_secs(24 * 60 * 60);
/// Items pruned per transaction: short enough not to hold up fetches.
const PRUNE_BATCH: usize = 500;
/// How long a source whose fetch the database refused (disk full, I/O
/// error) waits before it is fetched again; the wait doubles with each
/// refusal in a row, up to `UNSTORED_MAX_WAIT`.
const UNSTORED_FIRST_WAIT: Duration = Duration::from_secs(10);
const UNSTORED_MAX_WAIT: Duration = Duration::from_secs(10 * 60);
/// How often, while another process holds the database's write lock, the
/// daemon tries whether it can write again.
const LOCK_PROBE_EVERY: Duration = Duration::from_secs(5);

/// Sources whose last fetch the database refused. Nothing of such a fetch
/// was kept, not even the next poll time, so the plan still says "due":
/// without this hold the daemon fetched them again at every look at the
/// plan, five times a second, for as long as the disk stayed full.
#[derive(Default)]
struct Unstored {
    /// Source → refusals in a row and when it may be fetched again.
    held: HashMap<SourceId, (u32, DateTime<Utc>)>,
}

impl Unstored {
    /// Note how a fetch of `source` ended; says so in the log when the
    /// database starts or stops refusing fetches.
    fn note(&mut self, source: SourceId, stored: bool, now: DateTime<Utc>) {
        if stored {
            if self.held.remove(&source).is_some() && self.held.is_empty() {
                tracing::info!("the database accepts fetches again; polling as planned");
            }
            return;
        }
        let refusals = self.held.get(&source).map_or(0, |(n, _)| *n) + 1;
        let wait = UNSTORED_FIRST_WAIT
            .saturating_mul(1 << (refusals - 1).min(16))
            .min(UNSTORED_MAX_WAIT);
        if self.held.is_empty() {
            tracing::error!(
                "the database refuses to store fetches; each source so refused is \
                 fetched again after {} s, then after twice as long, up to {} min, \
                 until the database accepts it",
                UNSTORED_FIRST_WAIT.as_secs(),
                UNSTORED_MAX_WAIT.as_secs() / 60
            );
        }
        self.held
            .insert(source, (refusals, crate::store::later(now, wait)));
    }

    /// Whether `source` must not be fetched yet.
    fn holds(&self, source: SourceId, now: DateTime<Utc>) -> bool {
        self.held
            .get(&source)
            .is_some_and(|(_, until)| now < *until)
    }

    /// Sources held at `now`, and when the first of them may go again.
    fn holding(&self, now: DateTime<Utc>) -> (HashSet<SourceId>, Option<DateTime<Utc>>) {
        let held = self.held.iter().filter(|(_, (_, until))| now < *until);
        (
            held.clone().map(|(id, _)| *id).collect(),
            held.map(|(_, (_, until))| *until).min(),
        )
    }
}

/// Polling paused because another process holds the database's write lock
/// (a `sqlite3` shell left in a transaction). Every fetch would be refused
/// until it lets go, so none is made; the daemon tries a write every
/// `LOCK_PROBE_EVERY` and polls every due source as soon as one gets
/// through. Holding sources back one by one, as for a full disk, left them
/// unpolled for minutes after the lock was gone.
struct LockPause {
    last_probe: DateTime<Utc>,
}

/// Where the daemon's configuration comes from, for reloads, and its clock.
pub struct RunOptions {
    /// The config file, read again on SIGHUP.
    pub config_path: PathBuf,
    /// What "now" is for the schedule, the notifier and retention (the
    /// system clock; tests step a manual one).
    pub clock: SharedClock,
}

/// Run until SIGTERM or SIGINT. `store` is open and migrated and `config`
/// valid: readiness is reported once sources are synced and tasks started.
pub async fn run(config: Config, store: Store, options: RunOptions) -> anyhow::Result<()> {
    serve_until(config, store, options, Signals::new()?).await
}

/// Run until `stop` completes, without listening for signals: the daemon
/// driven by a test (with a manual clock in `options`).
pub async fn run_until(
    config: Config,
    store: Store,
    options: RunOptions,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    serve_until(config, store, options, Signals::Until(Box::pin(stop))).await
}

async fn serve_until(
    config: Config,
    store: Store,
    options: RunOptions,
    mut signals: Signals,
) -> anyhow::Result<()> {
    let mut daemon = Daemon::start(config, store, options)?;
    let outcome = daemon.serve(&mut signals).await;
    let reason = match &outcome {
        Ok(reason) => reason.to_string(),
        Err(e) => format!("error: {e:#}"),
    };
    daemon.shut_down(&reason).await;
    outcome.map(drop)
}

/// The running daemon's parts that a reload replaces or a stop winds down.
struct Daemon {
    config: Config,
    options: RunOptions,
    supervisor: Supervisor,
    clock: SharedClock,
    writer: Arc<Writer>,
    poller: Poller,
    /// `Store::learning_stamp` when the poller's detection was last built.
    learning_stamp: Option<(i64, Option<String>, Option<String>)>,
    mail: MailTask,
    /// Poked when a fetch queued alerts, so they go out without waiting for
    /// the sender's next look at the outbox.
    wake_mail: Arc<tokio::sync::Notify>,
    started: DateTime<Utc>,
    run_id: i64,
    in_flight: HashSet<SourceId>,
    unstored: Unstored,
    lock_pause: Option<LockPause>,
    tasks: JoinSet<(SourceId, SourceResult)>,
    /// Say when the next poll is due once nothing is in flight and none is
    /// due (after the start and after a reload).
    announce_next: bool,
}

impl Daemon {
    fn start(config: Config, mut store: Store, options: RunOptions) -> anyhow::Result<Daemon> {
        let supervisor = Supervisor::from_env();
        let clock = options.clock.clone();
        let started = clock.now();
        let report = store.sync_config_sources(&source_specs(&config), started)?;
        let run_id = store.start_run(
            started,
            std::process::id(),
            &options.config_path.display().to_string(),
        )?;
        let poller = Poller::new(&config)
            .map_err(anyhow::Error::msg)?
            .with_clock(clock.clone());
        let notifier = Notifier::open(config.mail_settings(), store.path(), clock.clone())?;
        tracing::info!(
            database = %store.path().display(),
            config = %options.config_path.display(),
            sources = config.sources.len(),
            added = report.added.len(),
            retired = report.retired.len(),
            watchdog_s = supervisor.watchdog().map(|d| d.as_secs_f64()),
            "newswatch started"
        );
        for w in &config.warnings {
            tracing::warn!("{w}");
        }
        let writer = Arc::new(Writer::spawn(store, config.alert_rules()));
        let wake_mail = Arc::new(tokio::sync::Notify::new());
        let mail = MailTask::start(notifier, started, wake_mail.clone(), clock.clone());
        supervisor.ready(&format!("watching {}", sources_text(config.sources.len())));
        Ok(Daemon {
            config,
            options,
            supervisor,
            clock,
            writer,
            poller,
            learning_stamp: None,
            mail,
            wake_mail,
            started,
            run_id,
            in_flight: HashSet::new(),
            unstored: Unstored::default(),
            lock_pause: None,
            tasks: JoinSet::new(),
            announce_next: true,
        })
    }

    /// Dispatch due sources until a stop signal; returns what stopped it.
    async fn serve(&mut self, signals: &mut Signals) -> anyhow::Result<&'static str> {
        let mut last_heartbeat = self.clock.now();
        let mut last_prune: Option<DateTime<Utc>> = None;
        // When to look at the plan again. A finished fetch does not call for
        // a look (its source's next poll is planned ahead): looking after
        // every one made a 10,000-source cycle quadratic.
        let mut next_look = self.clock.now();
        loop {
            let now = self.clock.now();
            if now >= next_look {
                self.probe_lock().await;
                if self.lock_pause.is_none() {
                    self.dispatch_due().await?;
                }
                let now = self.clock.now();
                let (held, first_release) = self.unstored.holding(now);
                let next = self.writer.call(move |s| s.next_due_at(now, &held)).await?;
                // Only reached when the loop and the writer answer: a stuck
                // scheduler stops pinging and systemd's watchdog restarts it.
                self.supervisor.alive();
                // Once the first wave is done: what comes next, and when.
                if self.announce_next
                    && self.tasks.is_empty()
                    && next.as_ref().is_none_or(|n| n.at > now)
                {
                    self.announce_next = false;
                    announce_next_poll(next.as_ref(), now);
                }
                if crate::clock::is_due(Some(last_heartbeat), HEARTBEAT, now)
                    && self.lock_pause.is_none()
                {
                    // A database that refuses writes for a while (disk full)
                    // is no reason to stop: fetches are held back until it
                    // accepts them again.
                    if let Err(e) = self.heartbeat().await {
                        let e = format!("{e:#}");
                        tracing::warn!(error = %e, "cannot record the heartbeat");
                        // What `systemctl status` shows until the next heartbeat.
                        self.supervisor
                            .status(&format!("cannot write the database: {e}"));
                    }
                    last_heartbeat = now;
                }
                // Not while another process holds the write lock: the pass
                // runs once it lets go.
                if self.lock_pause.is_none() && crate::clock::is_due(last_prune, PRUNE_EVERY, now) {
                    last_prune = Some(now);
                    self.prune().await;
                }
                let until = |t: DateTime<Utc>| (t - now).to_std().unwrap_or(Duration::ZERO);
                let mut wait = next
                    .as_ref()
                    .map(|n| until(n.at))
                    .unwrap_or(MAX_IDLE)
                    .min(MAX_IDLE)
                    .min(first_release.map_or(MAX_IDLE, until))
                    // In-flight sources are still "due"; don't spin on them.
                    .max(Duration::from_millis(200));
                if self.lock_pause.is_some() {
                    wait = wait.min(LOCK_PROBE_EVERY);
                }
                if let Some(max) = self.supervisor.max_sleep() {
                    wait = wait.min(max);
                }
                next_look = crate::store::later(now, wait);
            }
            tokio::select! {
                signal = signals.next() => match signal {
                    Signal::Reload => {
                        self.reload().await;
                        self.announce_next = true;
                        next_look = self.clock.now();
                    }
                    Signal::Stop(name) => return Ok(name),
                },
                Some(joined) = self.tasks.join_next(), if !self.tasks.is_empty() => {
                    if let Ok((id, result)) = joined {
                        self.in_flight.remove(&id);
                        self.note_stored(id, &result);
                        if self.tasks.is_empty() && self.announce_next {
                            // The first wave is done: look at the plan now,
                            // to say when the next poll is.
                            next_look = next_look.min(self.clock.now());
                        }
                    }
                }
                _ = self.clock.sleep_until(next_look) => {}
            }
        }
    }

    /// Note whether the database kept a fetch; a fetch refused for a lock
    /// another process holds pauses polling (see `LockPause`).
    fn note_stored(&mut self, source: SourceId, result: &SourceResult) {
        let now = self.clock.now();
        match result.stored {
            Stored::Yes => self.unstored.note(source, true, now),
            Stored::Refused => self.unstored.note(source, false, now),
            Stored::Locked => {
                if self.lock_pause.is_none() {
                    let error = result.error.clone().unwrap_or_default();
                    tracing::error!(
                        error = %error,
                        "another process holds the database's write lock; polling paused \
                         until it lets go (tried every {} s)",
                        LOCK_PROBE_EVERY.as_secs()
                    );
                    self.supervisor.status(&format!("polling paused: {error}"));
                    self.lock_pause = Some(LockPause { last_probe: now });
                }
            }
        }
    }

    /// While polling is paused for a lock, try a write now and then; resume
    /// once one gets through.
    async fn probe_lock(&mut self) {
        let Some(pause) = &mut self.lock_pause else {
            return;
        };
        let now = self.clock.now();
        if !crate::clock::is_due(Some(pause.last_probe), LOCK_PROBE_EVERY, now) {
            return;
        }
        pause.last_probe = now;
        if self.writer.call(|s| s.try_write_lock()).await.is_ok() {
            tracing::info!("the database's write lock is free again; polling resumes");
            self.lock_pause = None;
            self.supervisor.status(&format!(
                "watching {}",
                sources_text(self.config.sources.len())
            ));
        }
    }

    /// Feedback given or a model trained since the poller was built: build
    /// its detection again, so the next polls decide with them.
    async fn refresh_learning(&mut self) {
        let stamp = self.writer.call(|s| s.learning_stamp()).await;
        let stamp = match stamp {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot tell whether feedback changed");
                return;
            }
        };
        if self.learning_stamp.as_ref() == Some(&stamp) {
            return;
        }
        let first = self.learning_stamp.is_none();
        self.learning_stamp = Some(stamp);
        if first
            && self
                .learning_stamp
                .as_ref()
                .is_some_and(|s| s.0 == 0 && s.2.is_none())
        {
            return; // nothing learned yet: the poller built at start is right
        }
        match self
            .writer
            .call(|s| crate::pipeline::Learned::read(Some(s)))
            .await
        {
            Ok(learned) => {
                self.poller = self.poller.clone().with_learned(&self.config, &learned);
                tracing::info!(
                    labels = learned.feedback.len(),
                    models = learned.models.len(),
                    "topics decide with the feedback and trained models"
                );
            }
            Err(e) => tracing::warn!(error = %e, "feedback not read"),
        }
    }

    /// Start a fetch for every due source not already in flight.
    async fn dispatch_due(&mut self) -> anyhow::Result<()> {
        let now = self.clock.now();
        let due = self
            .writer
            .call(move |s| s.due_sources(now, DueFilter::Due))
            .await?;
        if !due.is_empty() {
            self.refresh_learning().await;
        }
        for src in due {
            if !self.unstored.holds(src.id, now) && self.in_flight.insert(src.id) {
                let (poller, writer) = (self.poller.clone(), self.writer.clone());
                let wake_mail = self.wake_mail.clone();
                self.tasks.spawn(async move {
                    let id = src.id;
                    let result = poller.poll_source(&writer, src).await;
                    if result.summary.alerts.total() > 0 {
                        wake_mail.notify_one();
                    }
                    (id, result)
                });
            }
        }
        Ok(())
    }

    /// Record that the run is alive and refresh systemd's status line.
    async fn heartbeat(&self) -> anyhow::Result<()> {
        let run_id = self.run_id;
        let now = self.clock.now();
        let status = self
            .writer
            .call(move |s| {
                s.heartbeat_run(run_id, now)?;
                s.status(now)
            })
            .await?;
        self.supervisor.status(&format!(
            "watching {}: {} ok, {} failing; {}",
            sources_text(status.sources_enabled.max(0) as usize),
            status.sources_ok,
            status.sources_failing,
            counted(status.items.max(0) as usize, "item", "items")
        ));
        Ok(())
    }

    /// The daily pass. Context terms are derived state, not the user's
    /// history: the expired ones and those of topics no longer configured
    /// go whatever the retention. The text of items not seen for
    /// `[daemon] retention` goes only when it is set, in small transactions
    /// between fetches.
    async fn prune(&mut self) {
        let terms = self.prune_context_terms().await;
        let Some(keep) = self.config.daemon.retention else {
            if terms.expired + terms.unconfigured > 0 {
                tracing::info!(
                    context_terms_expired = terms.expired,
                    context_terms_unconfigured = terms.unconfigured,
                    "deleted expired context terms"
                );
            }
            return;
        };
        let mut total = crate::store::PruneReport::default();
        loop {
            let now = self.clock.now();
            let batch = self
                .writer
                .call(move |s| {
                    let cutoff = now - chrono::Duration::from_std(keep).unwrap_or_default();
                    s.prune_batch(cutoff, now, PRUNE_BATCH)
                })
                .await;
            match batch {
                Ok(r) if r.is_empty() => break,
                Ok(r) => total.add(r),
                Err(e) => {
                    tracing::error!(error = %e, "retention: cannot prune");
                    break;
                }
            }
            self.supervisor.alive();
        }
        tracing::info!(
            items = total.items,
            versions = total.versions,
            fetches = total.fetches,
            text_bytes = total.text_bytes,
            context_terms_expired = terms.expired,
            context_terms_unconfigured = terms.unconfigured,
            "retention: pruned text of items not seen for {}",
            humantime::format_duration(keep)
        );
    }

    /// Delete the topics' expired context terms and those of topics no
    /// longer configured, as `prune` does.
    async fn prune_context_terms(&mut self) -> crate::store::ContextPrune {
        let topics: Vec<String> = self.config.topics.iter().map(|t| t.name.clone()).collect();
        let now = self.clock.now();
        self.writer
            .call(move |s| crate::pipeline::prune_context_terms(s, &topics, now))
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "cannot delete expired context terms");
                crate::store::ContextPrune::default()
            })
    }

    /// Stop dispatching, let in-flight work finish (bounded), record the stop.
    async fn shut_down(self, reason: &str) {
        let Daemon {
            supervisor,
            clock,
            writer,
            mail,
            run_id,
            mut tasks,
            ..
        } = self;
        supervisor.stopping();
        tracing::info!(
            reason,
            in_flight = tasks.len(),
            "stopping: no new fetches; waiting for in-flight ones"
        );
        let drained = tokio::time::timeout(SHUTDOWN_GRACE, async {
            while tasks.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            // Aborted tasks never reached the writer or their transaction
            // rolls back as a whole: nothing half-written is left.
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        mail.stop().await;
        let reason_owned = reason.to_string();
        let now = clock.now();
        if let Err(e) = writer
            .call(move |s| s.stop_run(run_id, now, &reason_owned))
            .await
        {
            tracing::warn!(error = %e, "cannot record the stop");
        }
        if let Ok(writer) = Arc::try_unwrap(writer) {
            writer.close();
        }
        tracing::info!("newswatch stopped");
    }
}

/// "1 source", "3 sources".
fn sources_text(n: usize) -> String {
    counted(n, "source", "sources")
}

/// "next poll: Kyiv Independent in 4m 10s": what the daemon does next, said
/// after the start's first wave of fetches and after a reload (a terminal
/// otherwise shows nothing until then).
fn announce_next_poll(next: Option<&crate::store::NextDue>, now: DateTime<Utc>) {
    match next {
        Some(n) => tracing::info!(
            "next poll: {} in {}",
            n.name,
            crate::text::span_between(now, n.at)
        ),
        None => tracing::info!("next poll: none (no source is enabled)"),
    }
}
