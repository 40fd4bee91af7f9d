//! Fetcher: one HTTP attempt for one source. The only module that uses reqwest.
//!
//! Conditional GET with the stored validators; gzip/brotli/deflate/zstd
//! decoded by reqwest; connect and total timeouts; the body cap counted while
//! streaming the *decoded* bytes (so a gzip bomb stops at the cap); redirects
//! followed by hand so a permanent one (301/308) can update the stored URL
//! and each hop is checked: never from https to http, and never to a
//! non-public address unless the source's [`Reach`] allows it (`netpolicy`
//! decides, `resolver` applies it to resolved addresses at connect time).
//! It never touches the database and never parses: it returns a `FetchOutcome`.
//!
//! Proxies from the environment (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`)
//! are not used: through a proxy the proxy resolves and connects, so the
//! private-network check would see neither the address nor the connection,
//! and the proxy's own internal name would be refused by the check.

mod netpolicy;
mod resolver;

pub use netpolicy::{Reach, names_internal_host, reach_of};

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{self, HeaderMap};
use reqwest::{Client, StatusCode};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, timeout_at};

use crate::model::Validators;

/// Settings for the HTTP client, from `[daemon]`.
#[derive(Clone, Debug)]
pub struct FetchLimits {
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub max_body: u64,
    pub max_redirects: u32,
    pub user_agent: String,
    pub per_host: usize,
}

/// What one attempt produced.
#[derive(Debug)]
pub enum FetchOutcome {
    /// A 2xx response with its (decoded) body.
    Body {
        status: u16,
        bytes: Vec<u8>,
        content_type: Option<String>,
        final_url: String,
        permanent_url: Option<String>,
        validators: Validators,
        max_age: Option<Duration>,
    },
    /// 304: the stored copy is current.
    NotModified {
        validators: Validators,
        max_age: Option<Duration>,
    },
    /// 410: the source is gone for good.
    Gone { status: u16 },
    /// Any other failure, with the HTTP status if there was one and the
    /// server's requested wait (Retry-After on 429/503).
    Failed {
        status: Option<u16>,
        error: String,
        retry_after: Option<Duration>,
        bytes: u64,
    },
}

/// The shared HTTP client (connection pools are per client, so keep one).
/// A body larger than this needs one of the `BIG_BODY_LANES` to be read
/// on. Why: a document takes about twice its size in memory from the first
/// byte until it is stored, so 32 fetches of 9 MB feeds at once peaked at
/// 384 MB (2 at once: 100 MB), for no gain in speed, since the one writer
/// sets the pace.
pub const BIG_BODY: u64 = 1024 * 1024;
/// How many big bodies may be read, parsed and waiting for the writer at once.
pub const BIG_BODY_LANES: usize = 2;

/// One of the lanes for big bodies: hold it until the document is stored.
#[derive(Debug)]
pub struct BigBody {
    _lane: OwnedSemaphorePermit,
}

#[derive(Clone)]
pub struct Fetcher {
    /// For sources of `Reach::Public`: its resolver drops non-public addresses.
    public: Client,
    /// For sources of `Reach::Any`. Two clients, so one connection pool per
    /// policy: a connection made for an intranet source is never reused
    /// by a public one.
    any: Client,
    limits: FetchLimits,
    big_bodies: Arc<Semaphore>,
}

impl Fetcher {
    pub fn new(limits: FetchLimits) -> Result<Fetcher, String> {
        Fetcher::with_lookup(limits, resolver::Lookup::System)
    }

    fn with_lookup(limits: FetchLimits, lookup: resolver::Lookup) -> Result<Fetcher, String> {
        let client = |reach| {
            Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(Arc::new(resolver::CheckedResolver::new(
                    reach,
                    lookup.clone(),
                )))
                .no_proxy()
                // No total timeout here: `fetch` keeps its own deadline, which
                // a wait for a big-body lane moves back.
                .connect_timeout(limits.connect_timeout)
                .user_agent(limits.user_agent.clone())
                .pool_max_idle_per_host(limits.per_host.max(1))
                .pool_idle_timeout(Duration::from_secs(60))
                .tcp_nodelay(true)
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {}", error_chain(&e)))
        };
        Ok(Fetcher {
            public: client(Reach::Public)?,
            any: client(Reach::Any)?,
            limits,
            big_bodies: Arc::new(Semaphore::new(BIG_BODY_LANES)),
        })
    }

    /// Fetch `url`, sending `validators` for a conditional GET, connecting
    /// only to addresses `reach` allows (on every hop). A body over
    /// `BIG_BODY` comes with its lane, to be held until it is stored.
    ///
    /// The whole attempt (connect, headers, body, redirects) must end within
    /// `timeout`, not counting time spent waiting for a lane: the server is
    /// not slow then, we are.
    pub async fn fetch(
        &self,
        url: &str,
        validators: &Validators,
        reach: Reach,
    ) -> (FetchOutcome, Option<BigBody>) {
        let mut deadline = Instant::now() + self.limits.timeout;
        let mut lane = None;
        let outcome = self
            .fetch_inner(url, validators, reach, &mut deadline, &mut lane)
            .await;
        (outcome, lane)
    }

    fn timed_out(&self) -> String {
        format!("timed out after {}", fmt_dur(self.limits.timeout))
    }

    /// Wait for a big-body lane; the wait does not count against the timeout.
    async fn take_lane(&self, deadline: &mut Instant, lane: &mut Option<BigBody>) {
        let waiting = Instant::now();
        // The semaphore is never closed.
        if let Ok(permit) = self.big_bodies.clone().acquire_owned().await {
            *lane = Some(BigBody { _lane: permit });
        }
        *deadline += waiting.elapsed();
    }

    async fn fetch_inner(
        &self,
        url: &str,
        validators: &Validators,
        reach: Reach,
        deadline: &mut Instant,
        lane: &mut Option<BigBody>,
    ) -> FetchOutcome {
        let mut current = match reqwest::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return failed(None, format!("bad URL {url}: {e}"), 0),
        };
        let client = match reach {
            Reach::Public => &self.public,
            Reach::Any => &self.any,
        };
        let mut permanent: Option<String> = None;
        let mut all_permanent = true;
        let mut hops = 0u32;
        // The redirect that led to `current`, for the refusal message.
        let mut via: Option<(StatusCode, reqwest::Url)> = None;
        loop {
            // reqwest resolves no IP literal, so the resolver never sees
            // one: literal hosts (and `localhost`) are checked here.
            if let Err(blocked) = netpolicy::check_url_host(&current, reach) {
                return refused(&blocked, via.as_ref());
            }
            let mut req = client.get(current.clone());
            if let Some(etag) = &validators.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &validators.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
            let resp = match timeout_at(*deadline, req.send()).await {
                Ok(Ok(r)) => r,
                Ok(Err(e)) => {
                    return match find_blocked(&e) {
                        Some(blocked) => refused(blocked, via.as_ref()),
                        None => failed(None, describe(&e, &self.limits), 0),
                    };
                }
                Err(_) => return failed(None, self.timed_out(), 0),
            };
            let status = resp.status();
            if status.is_redirection() && status != StatusCode::NOT_MODIFIED {
                let Some(next) = resp
                    .headers()
                    .get(header::LOCATION)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|loc| current.join(loc).ok())
                else {
                    return failed(
                        Some(status.as_u16()),
                        format!("HTTP {status} without a usable Location header"),
                        0,
                    );
                };
                hops += 1;
                if hops > self.limits.max_redirects {
                    return failed(
                        Some(status.as_u16()),
                        format!(
                            "too many redirects (more than {})",
                            self.limits.max_redirects
                        ),
                        0,
                    );
                }
                if let Err(error) = netpolicy::check_redirect(&current, &next) {
                    return failed(Some(status.as_u16()), error, 0);
                }
                let is_permanent = matches!(
                    status,
                    StatusCode::MOVED_PERMANENTLY | StatusCode::PERMANENT_REDIRECT
                );
                all_permanent &= is_permanent;
                // Only a chain of permanent redirects moves the source for good.
                if all_permanent {
                    permanent = Some(next.to_string());
                }
                via = Some((status, std::mem::replace(&mut current, next)));
                continue;
            }
            let max_age = cache_max_age(resp.headers());
            let validators = validators_of(resp.headers());
            if status == StatusCode::NOT_MODIFIED {
                // No `permanent_url`: a redirect moves the source only once
                // the new URL has served a document that parsed.
                return FetchOutcome::NotModified {
                    validators,
                    max_age,
                };
            }
            if status == StatusCode::GONE {
                return FetchOutcome::Gone {
                    status: status.as_u16(),
                };
            }
            if !status.is_success() {
                let retry_after = if status == StatusCode::TOO_MANY_REQUESTS
                    || status == StatusCode::SERVICE_UNAVAILABLE
                {
                    retry_after(resp.headers(), Utc::now())
                } else {
                    None
                };
                return FetchOutcome::Failed {
                    status: Some(status.as_u16()),
                    error: format!("HTTP {status}"),
                    retry_after,
                    bytes: 0,
                };
            }
            let content_type = resp
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let final_url = current.to_string();
            return match self.read_body(resp, deadline, lane).await {
                Ok(bytes) => FetchOutcome::Body {
                    status: status.as_u16(),
                    bytes,
                    content_type,
                    final_url,
                    permanent_url: permanent,
                    validators,
                    max_age,
                },
                Err((error, read)) => failed(Some(status.as_u16()), error, read),
            };
        }
    }

    /// Read the body, counting decoded bytes as they arrive; past
    /// `BIG_BODY`, wait for a lane first (moving the deadline back by the wait).
    async fn read_body(
        &self,
        mut resp: reqwest::Response,
        deadline: &mut Instant,
        lane: &mut Option<BigBody>,
    ) -> Result<Vec<u8>, (String, u64)> {
        let cap = self.limits.max_body;
        if let Some(len) = resp.content_length()
            && len > cap
        {
            return Err((
                format!(
                    "body of {} exceeds the limit of {} (max_body)",
                    fmt_bytes(len),
                    fmt_bytes(cap)
                ),
                0,
            ));
        }
        if resp.content_length().is_some_and(|len| len > BIG_BODY) {
            self.take_lane(deadline, lane).await;
        }
        let mut body =
            Vec::with_capacity(resp.content_length().unwrap_or(16 * 1024).min(cap) as usize);
        loop {
            let chunk = timeout_at(*deadline, resp.chunk())
                .await
                .map_err(|_| (self.timed_out(), body.len() as u64))?;
            match chunk {
                Ok(Some(chunk)) => {
                    if lane.is_none() && (body.len() + chunk.len()) as u64 > BIG_BODY {
                        self.take_lane(deadline, lane).await;
                    }
                    if body.len() as u64 + chunk.len() as u64 > cap {
                        return Err((
                            format!(
                                "body exceeded the limit of {} after decompression (max_body)",
                                fmt_bytes(cap)
                            ),
                            body.len() as u64 + chunk.len() as u64,
                        ));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => return Ok(body),
                Err(e) => return Err((describe(&e, &self.limits), body.len() as u64)),
            }
        }
    }
}

/// The failure for a connection the private-network policy refused, saying
/// which redirect led there and how to allow it. The source is not
/// disabled: it is retried like any failed fetch.
fn refused(blocked: &netpolicy::Blocked, via: Option<&(StatusCode, reqwest::Url)>) -> FetchOutcome {
    let error = match via {
        Some((_, from)) => format!("{blocked}: redirect from {from}; {}", netpolicy::HINT),
        None => format!("{blocked}; {}", netpolicy::HINT),
    };
    failed(via.map(|(status, _)| status.as_u16()), error, 0)
}

/// The resolver's refusal, wherever reqwest and hyper wrapped it.
fn find_blocked(e: &reqwest::Error) -> Option<&netpolicy::Blocked> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(blocked) = err.downcast_ref::<netpolicy::Blocked>() {
            return Some(blocked);
        }
        cur = err.source();
    }
    None
}

fn failed(status: Option<u16>, error: String, bytes: u64) -> FetchOutcome {
    FetchOutcome::Failed {
        status,
        error,
        retry_after: None,
        bytes,
    }
}

/// How the message of a failure to look a host name up starts.
pub const CANNOT_RESOLVE: &str = "cannot resolve ";
/// How the message of a failure to connect starts.
pub const CANNOT_CONNECT: &str = "cannot connect";

/// Whether a fetch error (as the fetcher words it) says the host could not
/// be looked up or connected to: what every source meets when the network
/// is down, as opposed to what a server answered.
pub fn is_network_error(error: &str) -> bool {
    error.starts_with(CANNOT_RESOLVE) || error.starts_with(CANNOT_CONNECT)
}

/// A readable one-line reason from a reqwest error and its causes. Name
/// lookups and connections that fail say so in a few words with the host
/// ("cannot resolve news.example: Temporary failure in name resolution",
/// "cannot connect to 127.0.0.1:9: Connection refused"), not with the
/// layers of wrappers around the system's message.
fn describe(e: &reqwest::Error, limits: &FetchLimits) -> String {
    let host = e.url().and_then(|u| {
        let host = u.host_str()?;
        Some(match u.port_or_known_default() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        })
    });
    let host_only = e.url().and_then(|u| u.host_str()).unwrap_or("the host");
    if e.is_timeout() {
        // The only timeout left to reqwest is the connect one.
        return format!(
            "{CANNOT_CONNECT} to {}: timed out after {}",
            host.as_deref().unwrap_or("the host"),
            fmt_dur(limits.connect_timeout)
        );
    }
    let chain = error_chain(e);
    if e.is_connect() {
        let innermost = innermost_message(e);
        if chain_has(e, "dns error") {
            let why = innermost
                .trim_start_matches("failed to lookup address information: ")
                .to_string();
            return format!("{CANNOT_RESOLVE}{host_only}: {why}");
        }
        match host {
            Some(host) => format!(
                "{CANNOT_CONNECT} to {host}: {}",
                without_os_code(&innermost)
            ),
            None => format!("{CANNOT_CONNECT}: {chain}"),
        }
    } else if e.is_decode() || e.is_body() {
        format!("error reading the body: {chain}")
    } else {
        chain
    }
}

/// Whether any error in the chain says exactly `message`.
fn chain_has(e: &dyn std::error::Error, message: &str) -> bool {
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        if err.to_string() == message {
            return true;
        }
        cur = err.source();
    }
    false
}

/// The message of the innermost cause: the system's own words.
fn innermost_message(e: &dyn std::error::Error) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

/// "Connection refused (os error 111)" → "Connection refused".
fn without_os_code(message: &str) -> &str {
    match message.rfind(" (os error ") {
        Some(i) if message.ends_with(')') => &message[..i],
        _ => message,
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&dyn std::error::Error> = Some(e);
    while let Some(err) = cur {
        let msg = err.to_string();
        // reqwest/hyper wrappers that only repeat the URL (the source row
        // already names it) or say nothing a reader can act on.
        let wrapper = msg.starts_with("error sending request for url")
            || msg.starts_with("client error (")
            || msg.starts_with("error decoding response body");
        if !wrapper && !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

fn validators_of(headers: &HeaderMap) -> Validators {
    let get = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    Validators {
        etag: get(header::ETAG),
        last_modified: get(header::LAST_MODIFIED),
    }
}

/// `Cache-Control: max-age=N` (also `s-maxage`); `no-cache`/`no-store` mean nothing here.
pub fn cache_max_age(headers: &HeaderMap) -> Option<Duration> {
    let cc = headers.get(header::CACHE_CONTROL)?.to_str().ok()?;
    cc.split(',')
        .filter_map(|d| {
            let (k, v) = d.trim().split_once('=')?;
            matches!(
                k.trim().to_ascii_lowercase().as_str(),
                "max-age" | "s-maxage"
            )
            .then(|| v.trim().trim_matches('"').parse::<u64>().ok())
            .flatten()
        })
        .max()
        .map(Duration::from_secs)
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub fn retry_after(headers: &HeaderMap, now: DateTime<Utc>) -> Option<Duration> {
    let v = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = DateTime::parse_from_rfc2822(v).ok()?.with_timezone(&Utc);
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

pub fn fmt_bytes(n: u64) -> String {
    const MB: u64 = 1024 * 1024;
    if n >= MB {
        format!("{:.1} MiB", n as f64 / MB as f64)
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

fn fmt_dur(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

#[cfg(test)]
mod tests;
