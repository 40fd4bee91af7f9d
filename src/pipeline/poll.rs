//! The poller: fetches sources under the global and per-host limits,
//! turns each outcome into a record (`record`), analyses it (`analyse`) and
//! hands it to the writer; one log line and one result per attempt.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::analyse::{Analyser, Detection, entry_keys};
use super::commit::FetchSummary;
use super::lookahead::Lookahead;
use super::record::record_from_outcome;
use super::writer::Writer;
use super::{fetch_limits, poll_policy};
use crate::config::Config;
use crate::fetch::{Fetcher, Reach, reach_of};
use crate::model::FetchStatus;
use crate::scheduler::PollPolicy;
use crate::store::DueSource;

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
    /// What it stored last, and its look at the store before the writer's.
    lookahead: Arc<Lookahead>,
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
            detection: Arc::new(Detection::learned(
                config,
                &super::learning::Learned::read_config_db(config),
            )),
            global: Arc::new(Semaphore::new(config.daemon.concurrency.max(1))),
            per_host: config.daemon.per_host.max(1),
            hosts: Arc::new(Mutex::new(HashMap::new())),
            lookahead: Arc::new(Lookahead::new(config.daemon.database.clone())),
            clock: crate::clock::SystemClock::shared(),
        })
    }

    /// This poller deciding topics with `learned` (feedback and trained
    /// models read again: the daemon does when they changed).
    pub fn with_learned(mut self, config: &Config, learned: &super::learning::Learned) -> Poller {
        self.detection = Arc::new(Detection::learned(config, learned));
        self
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
        let found = self.lookahead.look_up(&rec);
        self.detection
            .analyse_changed(&src.name, &mut rec, &found.unchanged);
        if rec.analyses.iter().any(Option::is_none) {
            rec.analyser = Some(Analyser::new(self.detection.clone(), src.name.clone()));
        }
        found.prepare(&mut rec);
        let keys = (rec.outcome == FetchStatus::Ok).then(|| entry_keys(&rec));
        let status = rec.outcome.clone();
        let error = rec.error.clone();
        let attempt = Attempt {
            url: rec.url.clone(),
            http_status: rec.http_status,
            duration_ms: rec.duration_ms,
        };
        let stored = writer.apply(rec).await;
        self.lookahead
            .remember_document(src.id, stored.is_ok(), keys);
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
            matched = r.summary.items_matched,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Document;
    use crate::pipeline::analyse::sorted_keys;
    use crate::pipeline::{Committer, FetchRecord, parse_and_normalize, source_specs};
    use crate::store::{ItemFilter, Store};
    use chrono::{DateTime, Utc};

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
    /// the commit stage finds new anyway (here: the memo wrongly lists it) is
    /// analysed on the writer's side, so it still gets its topic.
    #[test]
    fn unchanged_entries_skip_analysis_and_new_ones_never_do() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::load_str(CONFIG, &dir.path().join("c.toml")).unwrap();
        let detection = Arc::new(Detection::new(&config));
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let mut committer = Committer::new(None);
        let t0 = Utc::now();
        store
            .sync_config_sources(&source_specs(&config), t0)
            .unwrap();
        let src = store.source_by_name("wire").unwrap();

        let first = rss(&[("a", "Ceasefire talks open in Geneva")]);
        let mut rec = record(&src, &first, t0);
        detection.analyse(&src.name, &mut rec);
        let previous = entry_keys(&rec);
        committer.apply(&mut store, &rec).unwrap();

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
        rec.analyser = Some(Analyser::new(detection.clone(), src.name.clone()));
        let summary = committer.apply(&mut store, &rec).unwrap();
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
        Committer::default().apply(&mut store, &rec).unwrap();

        // A new process: nothing remembered.
        let poller = Poller::new(&config).unwrap();
        let second = rss(&[
            ("c", "Ceasefire monitors arrive"),
            ("a", "Ceasefire talks open in Geneva"),
            ("b", "Truce holds, both sides say"),
        ]);
        let mut rec = record(&src, &second, t0 + chrono::Duration::minutes(15));
        let unchanged = poller.lookahead.look_up(&rec).unchanged;
        assert_eq!(unchanged, sorted_keys(rec.entries.get(1).into_iter()));
        detection.analyse_changed(&src.name, &mut rec, &unchanged);
        let analysed: Vec<bool> = rec.analyses.iter().map(Option::is_some).collect();
        assert_eq!(analysed, [true, false, true], "new, unchanged, edited");
    }
}
