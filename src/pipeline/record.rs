//! A fetch outcome turned into the record the commit stage applies: the
//! body parsed and normalised, the next poll planned. Pure apart from the
//! CPU work.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::analyse::{Analysed, Analyser};
use crate::detect::revisions::Revision;
use crate::fetch::FetchOutcome;
use crate::model::{Document, Entry, FetchStatus, ItemId, SourceId, Validators};
use crate::normalize::{NormalizeContext, normalize};
use crate::parse::parse_document;
use crate::scheduler::{self, PollPolicy};
use crate::store::{DueSource, SourceUpdate};

/// Reason stored on a source disabled by a 410 response.
pub const REASON_GONE: &str = "gone: the server answered 410 Gone";

/// Everything one fetch attempt (or one ingested file) produced, for the
/// commit stage.
#[derive(Clone, Debug)]
pub struct FetchRecord {
    pub source_id: SourceId,
    pub started_at: DateTime<Utc>,
    pub duration_ms: u64,
    /// Requested URL, or `file://…` for `ingest`.
    pub url: String,
    pub http_status: Option<u16>,
    pub outcome: FetchStatus,
    pub bytes: u64,
    pub error: Option<String>,
    /// Normalised entries (only for `FetchStatus::Ok`).
    pub entries: Vec<Entry>,
    pub update: SourceUpdate,
    /// What detection found in each entry (same order as `entries`),
    /// computed off the writer thread; empty = no detection. `None` = not
    /// analysed because the source's previous document had this entry
    /// unchanged; the commit stage asks `analyser` in the rare case it
    /// turns out new or changed after all.
    pub analyses: Vec<Option<Analysed>>,
    pub analyser: Option<Analyser>,
    /// For changed entries (same order as `entries`; empty = none): the
    /// revision from the stored version, computed off the writer thread
    /// (`lookahead`); the commit stage uses it only if it still applies.
    pub prepared: Vec<Option<PreparedRevision>>,
}

/// A revision computed before the transaction, against the stored version
/// the poller read beside the writer.
#[derive(Clone, Debug)]
pub struct PreparedRevision {
    pub item: ItemId,
    /// The stored version it compares with: its number and content hash.
    pub version: i64,
    pub content_hash: String,
    /// The topic terms it weighed (`analyse::revision_terms`).
    pub terms: Vec<String>,
    pub revision: Revision,
}

impl FetchRecord {
    /// A record of a failed attempt with nothing in it yet; callers fill in
    /// what the attempt produced.
    pub fn new(source_id: SourceId, started_at: DateTime<Utc>, url: String) -> FetchRecord {
        FetchRecord {
            source_id,
            started_at,
            duration_ms: 0,
            url,
            http_status: None,
            outcome: FetchStatus::Error,
            bytes: 0,
            error: None,
            entries: Vec::new(),
            update: SourceUpdate::default(),
            analyses: Vec::new(),
            analyser: None,
            prepared: Vec::new(),
        }
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

/// Where a permanent redirect moved a source, if that URL passes the check
/// every source URL passes (`config::feed_url`): a server cannot make us
/// keep, and show in `sources list`, a URL with `user:password@` in it.
/// One it fails is still followed this time, just not remembered.
fn storable_url(permanent_url: Option<String>) -> Option<String> {
    permanent_url.filter(|u| crate::config::feed_url(u).is_ok())
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
