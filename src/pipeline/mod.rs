//! The pipeline: one source through fetch → parse → normalise → detect →
//! commit, many of them under the global and per-host concurrency limits
//! (DESIGN.md, "Data flow"; docs/development/architecture.md).
//!
//! - `poll`: the poller: fetches under the limits, hands records to the writer.
//! - `record`: a fetch outcome parsed, normalised and planned (`FetchRecord`).
//! - `analyse`: detection that needs no history, on the fetch workers;
//!   `lookahead`: what the workers read of the store to skip unchanged
//!   entries and to compare changed ones before the transaction.
//! - `commit`: the commit stage: history through typed store reads, `detect`,
//!   typed store writes, one transaction per fetch; `stories` is its
//!   in-memory story index.
//! - `writer`: the one thread that owns the write connection and the commit
//!   stage; fetches waiting at the same moment share one transaction.
//! - `file`: `ingest`: feed files treated as fetched documents.
//!
//! Planning decisions (next poll, backoff) come from the pure `scheduler`
//! functions; this module and its parts hold the I/O around them.

mod analyse;
mod commit;
mod file;
mod learning;
mod lookahead;
mod poll;
mod record;
mod stories;
mod story_profiles;
mod writer;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::fetch::FetchLimits;
use crate::model::SourceSpec;
use crate::scheduler::PollPolicy;
use crate::store::{ContextPrune, Store, StoreError};

pub use analyse::{Analysed, Analyser, Detection, entry_key};
pub use commit::{Committer, FetchSummary};
pub use file::{IngestResult, ingest_file, read_entity_list, read_file_capped};
pub use learning::Learned;
pub use poll::{NetworkPolicy, PollReport, Poller, SourceResult, Stored};
pub use record::{
    FetchRecord, MAX_ENTRIES_PER_DOCUMENT, Normalized, PreparedRevision, REASON_GONE,
    parse_and_normalize, record_from_outcome,
};
pub use writer::Writer;

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

/// The moment before which a context term has expired at `now`: no strong
/// match has named it for `detect::relevance::context::EXPIRY_DAYS`.
pub fn context_terms_expired_before(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::days(crate::detect::relevance::context::EXPIRY_DAYS)
}

/// Delete the expired context terms and those of every topic not in
/// `topics` (the configured ones): `prune`, and the daemon's daily
/// retention.
pub fn prune_context_terms(
    store: &mut Store,
    topics: &[String],
    now: DateTime<Utc>,
) -> Result<ContextPrune, StoreError> {
    store.prune_context_terms(context_terms_expired_before(now), topics)
}
