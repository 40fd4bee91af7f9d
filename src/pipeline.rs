//! Pipeline: wires one source through fetch → parse → normalize → store, and
//! runs many of them under the global and per-host concurrency limits.
//!
//! All writes go through one `Writer` thread that owns the database connection,
//! so each fetch is one transaction and two fetches never interleave. Planning
//! decisions (next poll, backoff) come from the pure `scheduler` functions.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

use crate::config::{Config, SourceKind};
use crate::detect::statements::Speaker;
use crate::detect::topics::TopicRule;
use crate::detect::{Detector, SourceContext};
use crate::fetch::{FetchLimits, FetchOutcome, Fetcher, Reach, reach_of};
use crate::model::{Document, Entry, FetchStatus, SourceId, Validators};
use crate::normalize::{NormalizeContext, normalize};
use crate::parse::parse_document;
use crate::scheduler::{self, PollPolicy};
use crate::store::{
    Analysed, Analyser, DueSource, FetchRecord, FetchSummary, KnownReader, SourceSpec, Store,
    StoreError,
};
use crate::text::fold;

/// Reason stored on a source disabled by a 410 response.
pub const REASON_GONE: &str = "gone: the server answered 410 Gone";

/// Most fetches the writer commits together (bounds the work lost to a failed commit).
const GROUP_COMMIT_MAX: usize = 64;

enum Job {
    /// Apply a fetch; fetches waiting at the same moment share one commit.
    Fetch(
        Box<FetchRecord>,
        oneshot::Sender<Result<FetchSummary, StoreError>>,
    ),
    /// Anything else that needs the write connection.
    Call(Box<dyn FnOnce(&mut Store) + Send>),
}

/// The single writer: a thread owning the database connection, taking jobs
/// over a channel. Callers await each job's result.
pub struct Writer {
    tx: Option<std::sync::mpsc::Sender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Writer {
    pub fn spawn(mut store: Store) -> Writer {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("newswatch-writer".into())
            .spawn(move || {
                // If the checkpointer cannot start, SQLite's automatic
                // checkpoints on this connection still keep the WAL bounded.
                let checkpointer = store.spawn_checkpointer().ok();
                writer_loop(&mut store, &rx);
                drop(checkpointer);
            })
            .ok();
        Writer {
            tx: Some(tx),
            thread,
        }
    }

    fn send(&self, job: Job) {
        let sent = self
            .tx
            .as_ref()
            .map(|tx| tx.send(job).is_ok())
            .unwrap_or(false);
        assert!(sent, "the database writer thread has stopped");
    }

    /// Run `f` on the writer thread and return its result.
    pub async fn call<R, F>(&self, f: F) -> R
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> R + Send + 'static,
    {
        let (done, result) = oneshot::channel();
        self.send(Job::Call(Box::new(move |store| {
            let _ = done.send(f(store));
        })));
        result
            .await
            .expect("the database writer thread dropped a job")
    }

    /// Store one fetch (atomically) and return what it did.
    pub async fn apply(&self, rec: FetchRecord) -> Result<FetchSummary, StoreError> {
        let (done, result) = oneshot::channel();
        self.send(Job::Fetch(Box::new(rec), done));
        result
            .await
            .expect("the database writer thread dropped a job")
    }

    /// Finish queued jobs and stop the thread.
    pub fn close(mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn writer_loop(store: &mut Store, rx: &std::sync::mpsc::Receiver<Job>) {
    // Set when fetches were written, cleared once the search index has
    // nothing left to merge (see `Store::merge_search_index_step`).
    let mut merge_owed = false;
    let mut next = rx.recv().ok();
    while let Some(job) = next.take() {
        match job {
            Job::Call(f) => f(store),
            Job::Fetch(rec, done) => {
                let (mut recs, mut dones) = (vec![*rec], vec![done]);
                while recs.len() < GROUP_COMMIT_MAX {
                    match rx.try_recv() {
                        Ok(Job::Fetch(rec, done)) => {
                            recs.push(*rec);
                            dones.push(done);
                        }
                        Ok(other) => {
                            next = Some(other);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                match store.apply_fetches(&recs) {
                    Ok(results) => {
                        merge_owed |= results.iter().any(|r| {
                            r.as_ref()
                                .is_ok_and(|s| s.items_new > 0 || s.items_changed > 0)
                        });
                        for (done, result) in dones.into_iter().zip(results) {
                            let _ = done.send(result);
                        }
                    }
                    Err(e) => {
                        let msg = e.to_string();
                        for done in dones {
                            let _ = done
                                .send(Err(StoreError::Conflict(format!("commit failed: {msg}"))));
                        }
                    }
                }
                store.restart_wal_if_large();
            }
        }
        if next.is_none() {
            next = next_job_merging_while_idle(store, rx, &mut merge_owed);
        }
    }
}

/// How long the writer waits with nothing to do before merging the search
/// index: the end of a cycle, not a pause between two fetches.
const IDLE_BEFORE_MERGE: Duration = Duration::from_secs(1);
/// Leaf pages per merge step: about 15 ms of work, so a fetch that arrives
/// meanwhile waits no longer than that.
const MERGE_STEP_PAGES: u32 = 200;

/// The writer's next job. While merging is owed and no job comes for
/// `IDLE_BEFORE_MERGE`, merge the search index a step at a time, looking
/// for a job between steps. None when every sender is gone.
fn next_job_merging_while_idle(
    store: &mut Store,
    rx: &std::sync::mpsc::Receiver<Job>,
    merge_owed: &mut bool,
) -> Option<Job> {
    use std::sync::mpsc::RecvTimeoutError;
    if !*merge_owed {
        return rx.recv().ok();
    }
    match rx.recv_timeout(IDLE_BEFORE_MERGE) {
        Ok(job) => return Some(job),
        Err(RecvTimeoutError::Disconnected) => return None,
        Err(RecvTimeoutError::Timeout) => {}
    }
    loop {
        match store.merge_search_index_step(MERGE_STEP_PAGES) {
            Ok(true) => {}
            Ok(false) => {
                *merge_owed = false;
                break;
            }
            Err(e) => {
                // The index stays usable unmerged; FTS5 merges at commits.
                tracing::warn!(error = %e, "merging the search index failed");
                *merge_owed = false;
                break;
            }
        }
        match rx.try_recv() {
            Ok(job) => return Some(job),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return None,
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
        }
    }
    tracing::debug!("search index merged while idle");
    rx.recv().ok()
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Config sources as the store wants them.
pub fn source_specs(config: &Config) -> Vec<SourceSpec> {
    config
        .sources
        .iter()
        .map(|s| SourceSpec {
            name: s.name.clone(),
            url: s.url.to_string(),
            kind: s.kind.as_str().to_string(),
            language: s.language.clone(),
            tags: s.tags.clone(),
            interval: s.interval,
            enabled: s.enabled,
        })
        .collect()
}

/// Which sources may connect to non-public addresses: all of them with
/// `[daemon] allow_private_networks`, those configured with
/// `allow_private_network`, and intranet feeds (a configured URL naming an
/// internal host: `sources add` and OPML imports alike).
#[derive(Clone, Debug, Default)]
pub struct NetworkPolicy {
    allow_all: bool,
    allowed: std::collections::HashSet<String>,
}

impl NetworkPolicy {
    pub fn new(config: &Config) -> NetworkPolicy {
        NetworkPolicy {
            allow_all: config.daemon.allow_private_networks,
            allowed: config
                .sources
                .iter()
                .filter(|s| s.allow_private_network)
                .map(|s| s.name.clone())
                .collect(),
        }
    }

    /// The reach of one source, through all its redirects. Decided by its
    /// configured URL, not by the URL a redirect moved it to.
    pub fn reach(&self, src: &DueSource) -> Reach {
        reach_of(
            self.allow_all,
            self.allowed.contains(&src.name),
            &src.config_url,
        )
    }
}

pub fn poll_policy(config: &Config) -> PollPolicy {
    let d = &config.daemon;
    PollPolicy {
        default_interval: d.default_interval,
        min_interval: d.min_interval,
        max_interval: d.max_interval,
        max_backoff: d.max_backoff,
        jitter: d.jitter,
    }
}

pub fn fetch_limits(config: &Config) -> FetchLimits {
    let d = &config.daemon;
    FetchLimits {
        timeout: d.timeout,
        connect_timeout: d.connect_timeout,
        max_body: d.max_body,
        max_redirects: d.max_redirects,
        user_agent: d.user_agent.clone(),
        per_host: d.per_host,
    }
}

/// The detection rules of a configuration and what detection needs to know
/// about each configured source (tags; the speaker of a statements source).
pub struct Detection {
    detector: Detector,
    sources: HashMap<String, (Vec<String>, Option<usize>)>,
}

impl Detection {
    pub fn new(config: &Config) -> Detection {
        let topics = config
            .topics
            .iter()
            .map(|t| TopicRule {
                name: t.name.clone(),
                query: t.parsed.clone(),
                exclude: t.parsed_exclude.clone(),
            })
            .collect();
        let speakers = config
            .speakers
            .iter()
            .map(|s| Speaker {
                name: s.name.clone(),
                aliases: s.aliases.clone(),
            })
            .collect();
        let detector = Detector::new(topics, speakers);
        let sources = config
            .sources
            .iter()
            .map(|s| {
                let speaker = match s.kind {
                    SourceKind::Statements => {
                        s.speaker.as_deref().and_then(|n| detector.speaker_index(n))
                    }
                    SourceKind::News => None,
                };
                (s.name.clone(), (s.tags.clone(), speaker))
            })
            .collect();
        Detection { detector, sources }
    }

    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// Analyse every entry of a record (CPU work for a worker thread, not the writer).
    pub fn analyse(&self, source: &str, rec: &mut FetchRecord) {
        self.analyse_changed(source, rec, &[]);
    }

    /// Analyse the entries of a record except those whose [`entry_key`] is in
    /// `unchanged` (sorted): the source's previous document had them, so the
    /// store will find them unchanged. Those are left `None`, and the
    /// caller sets an `analyser` for the rare one the store finds new.
    pub fn analyse_changed(&self, source: &str, rec: &mut FetchRecord, unchanged: &[u64]) {
        rec.analyses = rec
            .entries
            .iter()
            .map(|e| {
                let skip = e.earlier.is_empty() && unchanged.binary_search(&entry_key(e)).is_ok();
                (!skip).then(|| self.analyse_entry(source, e))
            })
            .collect();
    }

    /// One entry's analysis, folding its title and text once for topics,
    /// fingerprints and the search index.
    pub fn analyse_entry(&self, source: &str, entry: &Entry) -> Analysed {
        let (tags, speaker) = self
            .sources
            .get(source)
            .map(|(t, s)| (t.as_slice(), *s))
            .unwrap_or((&[], None));
        let ctx = SourceContext {
            name: source,
            tags,
            statement_speaker: speaker,
        };
        let folded = (fold(&entry.current.title), fold(&entry.current.text));
        let analysis = self
            .detector
            .analyse_folded(entry, &ctx, &folded.0, &folded.1);
        Analysed { analysis, folded }
    }
}

/// A document entry's text state, as a number: equal keys, equal current
/// text (a hash of the content hash).
pub fn entry_key(entry: &Entry) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x656e_7472).hash_one(&entry.current.content_hash)
}

/// The sorted entry keys of a successfully parsed record (see
/// [`Detection::analyse_changed`]).
fn entry_keys(rec: &FetchRecord) -> Vec<u64> {
    sorted_keys(rec.entries.iter().filter(|e| e.earlier.is_empty()))
}

fn sorted_keys<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<u64> {
    let mut keys: Vec<u64> = entries.map(entry_key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The result of one source's attempt, for progress output.
#[derive(Clone, Debug)]
pub struct SourceResult {
    pub name: String,
    pub status: FetchStatus,
    pub summary: FetchSummary,
    pub error: Option<String>,
    /// Whether the database kept the fetch.
    pub stored: Stored,
}

/// Whether the database kept a fetch. When it did not, nothing of the fetch
/// was kept, not even when to poll next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    Yes,
    /// The database refused it (disk full, I/O error).
    Refused,
    /// Another process holds the database's write lock.
    Locked,
}

/// Totals of one poll pass.
#[derive(Clone, Debug, Default)]
pub struct PollReport {
    pub sources: usize,
    pub ok: usize,
    pub not_modified: usize,
    pub failed: Vec<(String, String)>,
    pub gone: Vec<String>,
    pub items_new: u64,
    pub items_changed: u64,
}

impl PollReport {
    pub fn add(&mut self, r: &SourceResult) {
        self.sources += 1;
        self.items_new += r.summary.items_new;
        self.items_changed += r.summary.items_changed;
        match r.status {
            FetchStatus::Ok => self.ok += 1,
            FetchStatus::NotModified => self.not_modified += 1,
            FetchStatus::Gone => self.gone.push(r.name.clone()),
            FetchStatus::Error => self
                .failed
                .push((r.name.clone(), r.error.clone().unwrap_or_default())),
        }
    }
}

/// Fetches sources under the global and per-host limits and hands results to the writer.
#[derive(Clone)]
pub struct Poller {
    fetcher: Fetcher,
    policy: PollPolicy,
    network: Arc<NetworkPolicy>,
    detection: Arc<Detection>,
    global: Arc<Semaphore>,
    per_host: usize,
    hosts: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
    /// Per source, the entry keys of its last stored document: entries seen
    /// unchanged there are not analysed again (a feed repeats most of its
    /// items on every change).
    last_documents: Arc<Mutex<HashMap<SourceId, Vec<u64>>>>,
    /// Where to ask when a source has no remembered document (the first
    /// poll after a start): a read-only connection, opened on first use.
    database: std::path::PathBuf,
    known: Arc<Mutex<Option<KnownReader>>>,
    /// When a fetch starts (what its next poll is planned from).
    clock: crate::clock::SharedClock,
}

impl Poller {
    /// This poller, planning by `clock` (the system clock by default).
    pub fn with_clock(mut self, clock: crate::clock::SharedClock) -> Poller {
        self.clock = clock;
        self
    }

    pub fn new(config: &Config) -> Result<Poller, String> {
        Ok(Poller {
            fetcher: Fetcher::new(fetch_limits(config))?,
            policy: poll_policy(config),
            network: Arc::new(NetworkPolicy::new(config)),
            detection: Arc::new(Detection::new(config)),
            global: Arc::new(Semaphore::new(config.daemon.concurrency.max(1))),
            per_host: config.daemon.per_host.max(1),
            hosts: Arc::new(Mutex::new(HashMap::new())),
            last_documents: Arc::new(Mutex::new(HashMap::new())),
            database: config.daemon.database.clone(),
            known: Arc::new(Mutex::new(None)),
            clock: crate::clock::SystemClock::shared(),
        })
    }

    fn host_limit(&self, url: &str) -> Arc<Semaphore> {
        let host = url::Url::parse(url)
            .ok()
            .and_then(|u| {
                u.host_str()
                    .map(|h| format!("{h}:{}", u.port_or_known_default().unwrap_or(0)))
            })
            .unwrap_or_default();
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        hosts
            .entry(host)
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_host)))
            .clone()
    }

    /// Entry keys of `rec` that need no analysis: those of the source's
    /// last stored document, or, when none is remembered, those the
    /// database holds unchanged. Any failure means "analyse everything".
    fn unchanged_keys(&self, rec: &FetchRecord) -> Vec<u64> {
        if rec.outcome != FetchStatus::Ok || rec.entries.is_empty() {
            return Vec::new();
        }
        let remembered = {
            let docs = self
                .last_documents
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            docs.get(&rec.source_id).cloned()
        };
        if let Some(keys) = remembered {
            return keys;
        }
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.is_none() {
            *known = KnownReader::open(&self.database).ok();
        }
        let Some(reader) = known.as_ref() else {
            return Vec::new();
        };
        match reader.unchanged(rec.source_id, &rec.entries) {
            Ok(flags) => sorted_keys(
                rec.entries
                    .iter()
                    .zip(flags)
                    .filter(|(_, unchanged)| *unchanged)
                    .map(|(e, _)| e),
            ),
            Err(e) => {
                tracing::debug!(error = %e, "could not look up stored items; analysing all");
                Vec::new()
            }
        }
    }

    /// After a fetch went to the store: keep a stored document's entry keys.
    /// A failed store forgets them (the next document is analysed in full);
    /// other outcomes (304, errors) leave them.
    fn remember_document(&self, source: SourceId, stored: bool, keys: Option<Vec<u64>>) {
        let mut docs = self
            .last_documents
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        match (stored, keys) {
            (true, Some(keys)) => {
                docs.insert(source, keys);
            }
            (true, None) => {}
            (false, _) => {
                docs.remove(&source);
            }
        }
    }

    /// Poll one source: fetch under the limits, parse, store in one transaction.
    pub async fn poll_source(&self, writer: &Writer, src: DueSource) -> SourceResult {
        // Host first, then global: a task waiting for a busy host must not
        // hold one of the global slots other hosts could use.
        let host = self.host_limit(&src.url);
        let host_permit = host.acquire_owned().await;
        // The global slot is held until the fetch is stored, so at most
        // `concurrency` parsed documents wait for the writer (bounded memory).
        let _global = self.global.clone().acquire_owned().await;
        let started = self.clock.now();
        let t0 = Instant::now();
        // A big body's lane is held until the fetch is stored.
        let reach = self.network.reach(&src);
        let (outcome, _big_body) = self.fetcher.fetch(&src.url, &src.validators, reach).await;
        let elapsed = t0.elapsed();
        drop(host_permit);
        let mut rec = record_from_outcome(
            &self.policy,
            &src,
            outcome,
            started,
            elapsed,
            fastrand::f64(),
        );
        let previous = self.unchanged_keys(&rec);
        self.detection
            .analyse_changed(&src.name, &mut rec, &previous);
        if rec.analyses.iter().any(Option::is_none) {
            let (detection, source) = (self.detection.clone(), src.name.clone());
            rec.analyser = Some(Analyser(Arc::new(move |e: &Entry| {
                detection.analyse_entry(&source, e)
            })));
        }
        let keys = (rec.outcome == FetchStatus::Ok).then(|| entry_keys(&rec));
        let status = rec.outcome.clone();
        let error = rec.error.clone();
        let attempt = Attempt {
            url: rec.url.clone(),
            http_status: rec.http_status,
            duration_ms: rec.duration_ms,
        };
        let stored = writer.apply(rec).await;
        self.remember_document(src.id, stored.is_ok(), keys);
        let result = match stored {
            Ok(summary) => SourceResult {
                name: src.name,
                status,
                summary,
                error,
                stored: Stored::Yes,
            },
            // `log_result` logs it, with the fetch's fields.
            Err(e) => SourceResult {
                name: src.name,
                status: FetchStatus::Error,
                summary: FetchSummary::default(),
                stored: if e.is_locked() {
                    Stored::Locked
                } else {
                    Stored::Refused
                },
                error: Some(format!("store: {e}")),
            },
        };
        log_result(&result, &attempt);
        result
    }

    /// Poll every source in `due`, calling `progress` after each.
    pub async fn poll_all(
        &self,
        writer: Arc<Writer>,
        due: Vec<DueSource>,
        mut progress: impl FnMut(&SourceResult),
    ) -> PollReport {
        let mut set = JoinSet::new();
        for src in due {
            let this = self.clone();
            let writer = writer.clone();
            set.spawn(async move { this.poll_source(&writer, src).await });
        }
        let mut report = PollReport::default();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok(r) => {
                    report.add(&r);
                    progress(&r);
                }
                Err(e) => tracing::error!(error = %e, "a poll task failed"),
            }
        }
        report
    }
}

/// What the log says about one attempt besides its result.
struct Attempt {
    url: String,
    http_status: Option<u16>,
    duration_ms: u64,
}

/// One log line per attempt, with the fields journald keeps (SOURCE, URL,
/// STATUS, HTTP_STATUS, DURATION_MS): failures as warnings (with the
/// reason), new items as info, the rest at debug.
fn log_result(r: &SourceResult, a: &Attempt) {
    let status = r.status.as_str();
    match r.status {
        FetchStatus::Error => tracing::warn!(
            source = %r.name,
            url = %a.url,
            status,
            http_status = a.http_status,
            duration_ms = a.duration_ms,
            error = r.error.as_deref().unwrap_or(""),
            "fetch failed"
        ),
        FetchStatus::Gone => tracing::warn!(
            source = %r.name,
            url = %a.url,
            status,
            http_status = a.http_status,
            duration_ms = a.duration_ms,
            "source is gone (HTTP 410) and was disabled"
        ),
        _ if r.summary.items_new > 0 || r.summary.items_changed > 0 => tracing::info!(
            source = %r.name,
            url = %a.url,
            status,
            duration_ms = a.duration_ms,
            new = r.summary.items_new,
            changed = r.summary.items_changed,
            "new items"
        ),
        _ => tracing::debug!(
            source = %r.name,
            url = %a.url,
            status,
            http_status = a.http_status,
            duration_ms = a.duration_ms,
            "fetched"
        ),
    }
}

/// Turn a fetch outcome into the record the store applies: parse and normalise
/// a body, and plan the next poll. Pure apart from the CPU work.
pub fn record_from_outcome(
    policy: &PollPolicy,
    src: &DueSource,
    outcome: FetchOutcome,
    started: DateTime<Utc>,
    elapsed: Duration,
    random: f64,
) -> FetchRecord {
    let base_url = src.url.clone();
    let regular = src
        .interval
        .or(src.last_interval)
        .unwrap_or(policy.default_interval)
        .clamp(
            policy.min_interval,
            policy.max_interval.max(policy.min_interval),
        );
    let mut rec = FetchRecord::new(src.id, started, base_url);
    rec.duration_ms = elapsed.as_millis() as u64;
    let now = started;
    let fail = |rec: &mut FetchRecord, error: String, retry_after: Option<Duration>| {
        let streak = src.error_streak.saturating_add(1);
        rec.outcome = FetchStatus::Error;
        rec.error = Some(error);
        rec.update.error_streak = Some(streak);
        rec.update.next_poll_at = Some(scheduler::next_after_error(
            policy,
            regular,
            streak,
            retry_after,
            now,
            random,
        ));
    };
    match outcome {
        FetchOutcome::Body {
            status,
            bytes,
            content_type,
            final_url,
            permanent_url,
            validators,
            max_age,
        } => {
            rec.http_status = Some(status);
            rec.bytes = bytes.len() as u64;
            let doc = Document {
                bytes,
                content_type,
                url: Some(final_url),
            };
            match parse_and_normalize(&doc, src.language.as_deref(), now) {
                Ok(Normalized { entries, note }) => {
                    let dates: Vec<DateTime<Utc>> =
                        entries.iter().filter_map(|e| e.current.published).collect();
                    let base = scheduler::base_interval(policy, src.interval, &dates, now);
                    rec.outcome = FetchStatus::Ok;
                    rec.entries = entries;
                    rec.error = note;
                    // A permanent redirect moves the source only now: its
                    // target served a feed. (An error page or a login form
                    // there must not replace a working URL.)
                    rec.update.new_url = storable_url(permanent_url);
                    rec.update.validators = Some(validators);
                    rec.update.error_streak = Some(0);
                    rec.update.interval = Some(base);
                    rec.update.next_poll_at = Some(scheduler::next_after_success(
                        policy, base, max_age, now, random,
                    ));
                }
                // The validators are not kept: a 304 must not hide a feed we could not read.
                Err(e) => fail(&mut rec, format!("parse error: {e}"), None),
            }
        }
        FetchOutcome::NotModified {
            validators,
            max_age,
        } => {
            rec.http_status = Some(304);
            rec.outcome = FetchStatus::NotModified;
            if validators.etag.is_some() || validators.last_modified.is_some() {
                rec.update.validators = Some(merge_validators(&src.validators, validators));
            }
            rec.update.error_streak = Some(0);
            rec.update.next_poll_at = Some(scheduler::next_after_success(
                policy, regular, max_age, now, random,
            ));
        }
        FetchOutcome::Gone { status } => {
            rec.http_status = Some(status);
            rec.outcome = FetchStatus::Gone;
            rec.error = Some(format!("HTTP {status} Gone: source disabled"));
            rec.update.disable_reason = Some(REASON_GONE.to_string());
            rec.update.error_streak = Some(0);
        }
        FetchOutcome::Failed {
            status,
            error,
            retry_after,
            bytes,
        } => {
            rec.http_status = status;
            rec.bytes = bytes;
            let error = match retry_after {
                Some(ra) => format!("{error} (Retry-After {}s)", ra.as_secs()),
                None => error,
            };
            fail(&mut rec, error, retry_after);
        }
    }
    rec
}

fn merge_validators(old: &Validators, new: Validators) -> Validators {
    Validators {
        etag: new.etag.or_else(|| old.etag.clone()),
        last_modified: new.last_modified.or_else(|| old.last_modified.clone()),
    }
}

/// Parse and normalise one document.
/// Most entries read from one document. Real feeds carry tens to a few
/// hundred; a feed of 100,000 is a broken or hostile server, and storing it
/// all would hold up every other source behind the writer.
pub const MAX_ENTRIES_PER_DOCUMENT: usize = 5_000;

/// A parsed and normalised document.
pub struct Normalized {
    pub entries: Vec<crate::model::Entry>,
    /// Set when entries were left out (see [`MAX_ENTRIES_PER_DOCUMENT`]), for the fetch log.
    pub note: Option<String>,
}

pub fn parse_and_normalize(
    doc: &Document,
    source_language: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Normalized, crate::parse::ParseError> {
    let mut feed = parse_document(doc)?;
    // Feeds list newest first: keep the head, before the costly normalising.
    let total = feed.entries.len();
    feed.entries.truncate(MAX_ENTRIES_PER_DOCUMENT);
    let ctx = NormalizeContext {
        now,
        source_language,
    };
    Ok(Normalized {
        entries: normalize(&feed, &ctx),
        note: (total > MAX_ENTRIES_PER_DOCUMENT).then(|| {
            format!(
                "the feed has {total} entries; only the first {MAX_ENTRIES_PER_DOCUMENT} were read"
            )
        }),
    })
}

/// Outcome of ingesting one file.
#[derive(Debug)]
pub struct IngestResult {
    pub summary: FetchSummary,
    pub error: Option<String>,
}

/// Treat a feed file as a document fetched at `at` for source `src`: one
/// transaction, a `fetches` row with a `file://` URL, no change to the poll plan.
pub fn ingest_file(
    store: &mut Store,
    detection: &Detection,
    src: &DueSource,
    path: &Path,
    at: DateTime<Utc>,
    max_body: u64,
) -> Result<IngestResult, StoreError> {
    let t0 = Instant::now();
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let url = format!("file://{}", abs.display());
    let mut rec = FetchRecord::new(src.id, at, url);
    match read_file_capped(path, max_body) {
        Err(e) => rec.error = Some(e),
        Ok(bytes) => {
            rec.bytes = bytes.len() as u64;
            let doc = Document {
                bytes,
                content_type: None,
                url: Some(src.url.clone()),
            };
            match parse_and_normalize(&doc, src.language.as_deref(), at) {
                Ok(Normalized { entries, note }) => {
                    rec.outcome = FetchStatus::Ok;
                    rec.entries = entries;
                    rec.error = note;
                }
                Err(e) => rec.error = Some(format!("{}: parse error: {e}", path.display())),
            }
        }
    }
    detection.analyse(&src.name, &mut rec);
    rec.duration_ms = t0.elapsed().as_millis() as u64;
    let error = rec.error.clone();
    let summary = store.apply_fetch(&rec)?;
    Ok(IngestResult { summary, error })
}

/// Where a permanent redirect moved a source, if that URL passes the check
/// every source URL passes (`config::feed_url`): a server cannot make us
/// keep, and show in `sources list`, a URL with `user:password@` in it.
/// One it fails is still followed this time, just not remembered.
fn storable_url(permanent_url: Option<String>) -> Option<String> {
    permanent_url.filter(|u| crate::config::feed_url(u).is_ok())
}

/// A whole file named on the command line (`ingest`, `match`,
/// `import-opml`), at most `max` bytes (`[daemon] max_body`, the cap a
/// fetched feed has): a larger one is refused before it is read, by its
/// size when it has one, and the read itself stops one byte past the cap,
/// since a FIFO or `/dev/zero` has no size.
pub fn read_file_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let known = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    let too_big = |size: Option<u64>| match size {
        Some(n) => {
            let (size, cap) = match (fmt_size(n), fmt_size(max)) {
                (a, b) if a == b => (format!("{n} bytes"), format!("{max} bytes")),
                pair => pair,
            };
            format!(
                "{shown} is {size}, larger than max_body ({cap}); raise [daemon] max_body to read it"
            )
        }
        None => format!(
            "{shown} holds more than max_body ({}); raise [daemon] max_body to read it",
            fmt_size(max)
        ),
    };
    if let Some(n) = known.filter(|&n| n > max) {
        return Err(too_big(Some(n)));
    }
    let mut bytes = Vec::with_capacity(known.unwrap_or(64 * 1024).min(max) as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(too_big(known.filter(|&n| n > max)));
    }
    Ok(bytes)
}

/// Bytes in decimal units as `max_body` is usually written: "10 MB",
/// "12.5 MB", "512 kB", "900 bytes".
fn fmt_size(n: u64) -> String {
    let unit = |value: f64, name: &str| {
        let s = format!("{value:.1}");
        format!("{} {name}", s.strip_suffix(".0").unwrap_or(&s))
    };
    if n >= 1_000_000 {
        unit(n as f64 / 1e6, "MB")
    } else if n >= 1_000 {
        unit(n as f64 / 1e3, "kB")
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ItemFilter;

    #[test]
    fn files_over_max_body_are_refused_before_or_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.xml");
        std::fs::write(&big, vec![b'x'; 12_500_000]).unwrap();
        let e = read_file_capped(&big, 10_000_000).unwrap_err();
        assert!(
            e.ends_with("big.xml is 12.5 MB, larger than max_body (10 MB); raise [daemon] max_body to read it"),
            "{e}"
        );
        let e = read_file_capped(&big, 12_499_999).unwrap_err();
        assert!(
            e.contains("is 12500000 bytes, larger than max_body (12499999 bytes)"),
            "{e}"
        );
        assert_eq!(
            read_file_capped(&big, 12_500_000).unwrap().len(),
            12_500_000
        );
        // No size to look at: the read stops just past the cap.
        let e = read_file_capped(Path::new("/dev/zero"), 1_000_000).unwrap_err();
        assert_eq!(
            e,
            "/dev/zero holds more than max_body (1 MB); raise [daemon] max_body to read it"
        );
        let e = read_file_capped(&dir.path().join("absent"), 10).unwrap_err();
        assert!(e.starts_with("cannot read ") && e.contains("absent"), "{e}");
        assert_eq!(fmt_size(512), "512 bytes");
        assert_eq!(fmt_size(524_288), "524.3 kB");
    }

    const CONFIG: &str = r#"
[daemon]
database = "unused.db"

[[source]]
name = "wire"
url = "http://127.0.0.1:1/feed.xml"

[[topic]]
name = "truce"
query = "ceasefire"
"#;

    fn rss(items: &[(&str, &str)]) -> Document {
        let body: String = items
            .iter()
            .map(|(guid, title)| {
                format!(
                    "<item><guid>{guid}</guid><title>{title}</title><description>{title}.</description></item>"
                )
            })
            .collect();
        Document {
            bytes: format!("<rss version=\"2.0\"><channel><title>w</title>{body}</channel></rss>")
                .into_bytes(),
            content_type: None,
            url: Some("http://127.0.0.1:1/feed.xml".into()),
        }
    }

    fn record(src: &DueSource, doc: &Document, at: DateTime<Utc>) -> FetchRecord {
        let mut rec = FetchRecord::new(src.id, at, src.url.clone());
        rec.outcome = FetchStatus::Ok;
        rec.entries = parse_and_normalize(doc, None, at).unwrap().entries;
        rec
    }

    /// Entries the previous document had are not analysed again; one that
    /// the store finds new anyway (here: the memo wrongly lists it) is
    /// analysed on the writer's side, so it still gets its topic.
    #[test]
    fn unchanged_entries_skip_analysis_and_new_ones_never_do() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::load_str(CONFIG, &dir.path().join("c.toml")).unwrap();
        let detection = Arc::new(Detection::new(&config));
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let t0 = Utc::now();
        store
            .sync_config_sources(&source_specs(&config), t0)
            .unwrap();
        let src = store.source_by_name("wire").unwrap();

        let first = rss(&[("a", "Ceasefire talks open in Geneva")]);
        let mut rec = record(&src, &first, t0);
        detection.analyse(&src.name, &mut rec);
        let previous = entry_keys(&rec);
        store.apply_fetch(&rec).unwrap();

        let second = rss(&[
            ("b", "Ceasefire holds along the front"),
            ("a", "Ceasefire talks open in Geneva"),
        ]);
        let mut rec = record(&src, &second, t0 + chrono::Duration::minutes(15));
        detection.analyse_changed(&src.name, &mut rec, &previous);
        assert!(rec.analyses[0].is_some(), "the new entry is analysed");
        assert!(rec.analyses[1].is_none(), "the unchanged entry is skipped");
        // A stale memo claiming both: the store must still analyse the new one.
        let stale = entry_keys(&rec);
        detection.analyse_changed(&src.name, &mut rec, &stale);
        assert!(rec.analyses.iter().all(Option::is_none));
        let (d, name) = (detection.clone(), src.name.clone());
        rec.analyser = Some(Analyser(Arc::new(move |e: &Entry| {
            d.analyse_entry(&name, e)
        })));
        let summary = store.apply_fetch(&rec).unwrap();
        assert_eq!((summary.items_new, summary.items_changed), (1, 0));
        let items = store
            .items(&ItemFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(items.len(), 2);
        assert!(
            items.iter().all(|i| i.topics == ["truce"]),
            "both items match the topic: {items:?}"
        );
        assert_eq!(store.search("holds", 10).unwrap().len(), 1, "indexed");
    }

    /// After a start the daemon remembers no document, so it asks the
    /// database (read-only connection) which entries it already holds with
    /// the same text: those are skipped, an edited and a new one analysed.
    #[test]
    fn after_a_start_unchanged_entries_are_found_in_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        let text = CONFIG.replace("unused.db", &db.display().to_string());
        let config = crate::config::load_str(&text, &dir.path().join("c.toml")).unwrap();
        let detection = Detection::new(&config);
        let mut store = Store::open(&db).unwrap();
        let t0 = Utc::now();
        store
            .sync_config_sources(&source_specs(&config), t0)
            .unwrap();
        let src = store.source_by_name("wire").unwrap();
        let first = rss(&[
            ("a", "Ceasefire talks open in Geneva"),
            ("b", "Truce holds"),
        ]);
        let mut rec = record(&src, &first, t0);
        detection.analyse(&src.name, &mut rec);
        store.apply_fetch(&rec).unwrap();

        // A new process: nothing remembered.
        let poller = Poller::new(&config).unwrap();
        let second = rss(&[
            ("c", "Ceasefire monitors arrive"),
            ("a", "Ceasefire talks open in Geneva"),
            ("b", "Truce holds, both sides say"),
        ]);
        let mut rec = record(&src, &second, t0 + chrono::Duration::minutes(15));
        let unchanged = poller.unchanged_keys(&rec);
        assert_eq!(unchanged, sorted_keys(rec.entries.get(1).into_iter()));
        detection.analyse_changed(&src.name, &mut rec, &unchanged);
        let analysed: Vec<bool> = rec.analyses.iter().map(Option::is_some).collect();
        assert_eq!(analysed, [true, false, true], "new, unchanged, edited");
    }
}
