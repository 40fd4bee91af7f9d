//! `[daemon]` raw values → `DaemonConfig`: the database path, durations,
//! sizes and counts with their bounds, the user agent, retention and the log
//! filter. The rules shared with the other tables (`Ctx`, `word`) are in
//! `validate`.

use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::error::ConfigError;
use super::raw::{RawDaemon, SpStr};
use super::validate::{Ctx, word};
use super::values::{parse_duration, parse_size};
use super::*;

/// `[daemon]` with defaults filled in; relative `database` resolved against `config_dir`.
pub(crate) fn daemon(cx: &Ctx, raw: &RawDaemon, config_dir: &Path) -> DaemonConfig {
    let database = match &raw.database {
        Some(db) if db.get_ref().trim().is_empty() => {
            cx.note(cx.err(db.span(), "daemon.database", "must not be empty"));
            config_dir.join(DEFAULT_DATABASE)
        }
        Some(db) => config_dir.join(db.get_ref()),
        None => config_dir.join(DEFAULT_DATABASE),
    };
    let interval = |key, raw, default| cx.ok(Dur::read(cx, key, raw, default, LONGEST_INTERVAL));
    let default_interval = interval("default_interval", &raw.default_interval, DEFAULT_INTERVAL);
    let min_interval = interval("min_interval", &raw.min_interval, DEFAULT_MIN_INTERVAL);
    let max_interval = interval("max_interval", &raw.max_interval, DEFAULT_MAX_INTERVAL);
    let max_backoff = interval("max_backoff", &raw.max_backoff, DEFAULT_MAX_BACKOFF);
    let timeout = |key, raw, default| cx.ok(Dur::read(cx, key, raw, default, LONGEST_TIMEOUT));
    let total_timeout = timeout("timeout", &raw.timeout, DEFAULT_TIMEOUT);
    let connect_timeout = timeout(
        "connect_timeout",
        &raw.connect_timeout,
        DEFAULT_CONNECT_TIMEOUT,
    );
    // Compared only when both sides are valid (no error about a stand-in).
    let order = |a: &Option<Dur>, b: &Option<Dur>| {
        if let (Some(a), Some(b)) = (a, b) {
            cx.ok(a.not_longer_than(b, cx));
        }
    };
    order(&min_interval, &default_interval);
    order(&default_interval, &max_interval);
    order(&connect_timeout, &total_timeout);
    let value = |d: Option<Dur>, default| d.map_or(default, |d| d.value);

    DaemonConfig {
        database,
        concurrency: cx.keep(
            int(
                cx,
                &raw.concurrency,
                "daemon.concurrency",
                DEFAULT_CONCURRENCY,
                bounds(CONCURRENCY_BOUNDS),
            ),
            DEFAULT_CONCURRENCY,
        ),
        per_host: cx.keep(
            int(
                cx,
                &raw.per_host,
                "daemon.per_host",
                DEFAULT_PER_HOST,
                bounds(PER_HOST_BOUNDS),
            ),
            DEFAULT_PER_HOST,
        ),
        default_interval: value(default_interval, DEFAULT_INTERVAL),
        min_interval: value(min_interval, DEFAULT_MIN_INTERVAL),
        max_interval: value(max_interval, DEFAULT_MAX_INTERVAL),
        max_backoff: value(max_backoff, DEFAULT_MAX_BACKOFF),
        jitter: cx.keep(jitter(cx, &raw.jitter), DEFAULT_JITTER),
        timeout: value(total_timeout, DEFAULT_TIMEOUT),
        connect_timeout: value(connect_timeout, DEFAULT_CONNECT_TIMEOUT),
        max_body: cx.keep(max_body(cx, &raw.max_body), DEFAULT_MAX_BODY),
        max_redirects: cx.keep(
            int(
                cx,
                &raw.max_redirects,
                "daemon.max_redirects",
                DEFAULT_MAX_REDIRECTS,
                bounds(MAX_REDIRECTS_BOUNDS),
            ),
            DEFAULT_MAX_REDIRECTS,
        ),
        user_agent: cx.keep(user_agent(cx, &raw.user_agent), default_user_agent()),
        log: cx.keep(log_filter(cx, &raw.log), None),
        retention: cx.keep(retention(cx, &raw.retention), None),
        allow_private_networks: raw.allow_private_networks.unwrap_or(false),
        entities: cx.keep(entities(cx, &raw.entities, config_dir), None),
        log_format: match &raw.log_format {
            None => LogFormat::Auto,
            Some(v) => match word(v.get_ref(), &["auto", "text", "journald"]) {
                Ok("text") => LogFormat::Text,
                Ok("journald") => LogFormat::Journald,
                Ok(_) => LogFormat::Auto,
                Err(m) => {
                    cx.note(cx.err(v.span(), "daemon.log_format", m));
                    LogFormat::Auto
                }
            },
        },
    }
}

/// A `[daemon]` duration as read: key, raw value (for its span), value with default applied.
struct Dur<'a> {
    key: &'static str,
    raw: Option<&'a SpStr>,
    value: Duration,
}

impl<'a> Dur<'a> {
    fn read(
        cx: &Ctx,
        key: &'static str,
        raw: &'a Option<SpStr>,
        default: Duration,
        longest: Duration,
    ) -> Result<Self, ConfigError> {
        let value = duration(cx, raw.as_ref(), &format!("daemon.{key}"), default, longest)?;
        Ok(Dur {
            key,
            raw: raw.as_ref(),
            value,
        })
    }

    /// Enforce `self <= other`, blaming whichever of the two keys was written
    /// (both defaults are always consistent).
    fn not_longer_than(&self, other: &Dur, cx: &Ctx) -> Result<(), ConfigError> {
        if self.value <= other.value {
            return Ok(());
        }
        let (key, span) = match (self.raw, other.raw) {
            (Some(s), _) => (self.key, s.span()),
            (None, Some(o)) => (other.key, o.span()),
            (None, None) => (self.key, 0..0),
        };
        Err(cx.err(
            span,
            &format!("daemon.{key}"),
            format!(
                "{} ({}) must not be longer than {} ({})",
                self.key,
                humantime::format_duration(self.value),
                other.key,
                humantime::format_duration(other.value)
            ),
        ))
    }
}

fn max_body(cx: &Ctx, v: &Option<SpStr>) -> Result<u64, ConfigError> {
    let Some(v) = v else {
        return Ok(DEFAULT_MAX_BODY);
    };
    let n = parse_size(v.get_ref()).map_err(|m| cx.err(v.span(), "daemon.max_body", m))?;
    if !(1..=LARGEST_MAX_BODY).contains(&n) {
        return Err(cx.err(
            v.span(),
            "daemon.max_body",
            format!("{n} bytes is out of range 1..={LARGEST_MAX_BODY} bytes (1 GiB)"),
        ));
    }
    Ok(n)
}

pub(crate) fn duration(
    cx: &Ctx,
    v: Option<&SpStr>,
    key: &str,
    default: Duration,
    longest: Duration,
) -> Result<Duration, ConfigError> {
    let Some(v) = v else { return Ok(default) };
    let d = parse_duration(v.get_ref()).map_err(|m| cx.err(v.span(), key, m))?;
    if d > longest {
        return Err(cx.err(
            v.span(),
            key,
            format!(
                "{} is longer than the limit of {}",
                humantime::format_duration(d),
                humantime::format_duration(longest)
            ),
        ));
    }
    Ok(d)
}

/// Integer bounds as i64 for [`int`] (all our bounds are small, so the casts are exact).
fn bounds<T: TryInto<i64>>((lo, hi): (T, T)) -> (i64, i64) {
    (
        lo.try_into().unwrap_or(i64::MAX),
        hi.try_into().unwrap_or(i64::MAX),
    )
}

/// An optional integer within `lo..=hi` (bounds given as i64, checked before conversion).
fn int<T: TryFrom<i64>>(
    cx: &Ctx,
    v: &Option<Spanned<i64>>,
    key: &str,
    default: T,
    (lo, hi): (i64, i64),
) -> Result<T, ConfigError> {
    let Some(v) = v else { return Ok(default) };
    let n = *v.get_ref();
    match T::try_from(n) {
        Ok(t) if (lo..=hi).contains(&n) => Ok(t),
        _ => Err(cx.err(v.span(), key, format!("{n} is out of range {lo}..={hi}"))),
    }
}

fn jitter(cx: &Ctx, v: &Option<Spanned<f64>>) -> Result<f64, ConfigError> {
    let Some(v) = v else {
        return Ok(DEFAULT_JITTER);
    };
    let j = *v.get_ref();
    if (0.0..=MAX_JITTER).contains(&j) {
        Ok(j)
    } else {
        Err(cx.err(
            v.span(),
            "daemon.jitter",
            format!("{j} is out of range 0..={MAX_JITTER} (a fraction of the interval)"),
        ))
    }
}

fn user_agent(cx: &Ctx, v: &Option<SpStr>) -> Result<String, ConfigError> {
    let Some(v) = v else {
        return Ok(default_user_agent());
    };
    let s = v.get_ref();
    // reqwest's HeaderValue accepts visible ASCII and spaces only; fail here, not at the first fetch.
    if s.trim().is_empty() || !s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(cx.err(
            v.span(),
            "daemon.user_agent",
            "must be non-empty printable ASCII (it is sent as an HTTP header)",
        ));
    }
    Ok(s.clone())
}

/// `entities`: a readable file, relative to the config file's folder.
fn entities(
    cx: &Ctx,
    v: &Option<SpStr>,
    config_dir: &Path,
) -> Result<Option<PathBuf>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    if v.get_ref().trim().is_empty() {
        return Err(cx.err(v.span(), "daemon.entities", "must not be empty"));
    }
    let path = config_dir.join(v.get_ref());
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => Ok(Some(path)),
        Ok(_) => Err(cx.err(
            v.span(),
            "daemon.entities",
            format!("{} is not a file", path.display()),
        )),
        Err(e) => Err(cx.err(
            v.span(),
            "daemon.entities",
            format!("cannot read {}: {e}", path.display()),
        )),
    }
}

/// `retention`: at least a day (shorter would empty items still being read).
fn retention(cx: &Ctx, v: &Option<SpStr>) -> Result<Option<Duration>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    let d = duration(
        cx,
        Some(v),
        "daemon.retention",
        Duration::ZERO,
        LONGEST_RETENTION,
    )?;
    if d < SHORTEST_RETENTION {
        return Err(cx.err(
            v.span(),
            "daemon.retention",
            format!(
                "{} is shorter than the minimum of 1day; leave it out to keep everything",
                humantime::format_duration(d)
            ),
        ));
    }
    Ok(Some(d))
}

/// Bounds of `[daemon] retention`.
const SHORTEST_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
const LONGEST_RETENTION: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

fn log_filter(cx: &Ctx, v: &Option<SpStr>) -> Result<Option<String>, ConfigError> {
    let Some(v) = v else { return Ok(None) };
    let s = v.get_ref();
    if s.trim().is_empty() {
        return Err(cx.err(
            v.span(),
            "daemon.log",
            "must not be empty; leave it out for the default",
        ));
    }
    tracing_subscriber::EnvFilter::builder()
        .parse(s)
        .map_err(|e| {
            cx.err(
                v.span(),
                "daemon.log",
                format!("invalid log filter {s:?}: {e}"),
            )
        })?;
    Ok(Some(s.clone()))
}
