//! Configuration stage: find the config file, read it and its includes, and
//! turn the TOML into a checked [`Config`] (DESIGN.md, "Configuration").
//!
//! Two steps, as STYLE.md habit 2 asks: `raw` (serde, unknown keys rejected)
//! then `validate` (bounds, defaults, resolved paths;
//! `validate_mail` for `[email]` and `[[digest]]`). Every error names the
//! file, line, column and key ([`ConfigError`]). This module reads config
//! files and nothing else: it must never open the database, touch the network
//! or start anything; code after start-up only ever sees [`Config`].

mod email;
mod error;
mod include;
mod raw;
pub(crate) mod topic_model;
mod validate;
mod validate_daemon;
mod validate_mail;
mod values;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::model::AlertRules;

pub use email::{
    DEFAULT_ALERT_MAX_AGE, DEFAULT_GIVE_UP_AFTER, DEFAULT_GROUP_WINDOW, DEFAULT_MAIL_TIMEOUT,
    DEFAULT_RETRY_MAX, DEFAULT_RETRY_MIN, DEFAULT_SUBJECT_PREFIX, DigestConfig, EmailConfig,
    MailSettings, MailTransport, PasswordSource, SmtpConfig, SmtpSecurity,
};
use email::{
    LONGEST_ALERT_MAX_AGE, LONGEST_GIVE_UP_AFTER, LONGEST_GROUP_WINDOW, LONGEST_RETRY,
    SHORTEST_RETRY_MIN, SUBJECT_PREFIX_MAX_CHARS,
};
pub use error::ConfigError;
pub use raw::{
    DAEMON_KEYS, DIGEST_KEYS, EMAIL_KEYS, INCLUDED_FILE_KEYS, SOURCE_KEYS, SPEAKER_KEYS,
    TOP_LEVEL_KEYS, TOPIC_KEYS,
};
pub use values::{FEED_URL_MAX_BYTES, feed_url, parse_duration, parse_size, url_for_messages};
pub(crate) use values::{check_label, check_language};

use raw::{RawDaemon, RawIncluded, RawMain};
use validate::Ctx;

/// Environment variable naming the config file; wins over the built-in paths.
pub const CONFIG_ENV: &str = "NEWSWATCH_CONFIG";
/// System-wide config path (systemd's `ConfigurationDirectory=newswatch`).
pub const SYSTEM_CONFIG_PATH: &str = "/etc/newswatch/newswatch.toml";
/// Config path for running from a checkout.
pub const LOCAL_CONFIG_PATH: &str = "config/newswatch.toml";

/// Database file name when `[daemon] database` is absent; next to the config file.
pub const DEFAULT_DATABASE: &str = "newswatch.db";
/// Fetches in flight: plenty for hundreds of feeds, few enough for a small VM.
pub const DEFAULT_CONCURRENCY: usize = 32;
/// Bounds for `concurrency`: at least one fetch; beyond 1024 sockets buys nothing for feeds.
pub const CONCURRENCY_BOUNDS: (usize, usize) = (1, 1024);
/// Fetches in flight per host: polite to servers that host many of our feeds.
pub const DEFAULT_PER_HOST: usize = 4;
/// Bounds for `per_host`: more than 64 parallel requests to one host is a crawl, not a poll.
pub const PER_HOST_BOUNDS: (usize, usize) = (1, 64);
/// Poll interval before the adaptive scheduler has learnt a source's rhythm.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);
/// Shortest adaptive interval: news sites rarely publish more often, and it keeps us polite.
pub const DEFAULT_MIN_INTERVAL: Duration = Duration::from_secs(2 * 60);
/// Longest adaptive interval: even a quiet source is looked at four times a day.
pub const DEFAULT_MAX_INTERVAL: Duration = Duration::from_secs(6 * 60 * 60);
/// Longest wait after repeated errors; errors slow polling down but never stop it.
pub const DEFAULT_MAX_BACKOFF: Duration = Duration::from_secs(24 * 60 * 60);
/// Cap on any interval or backoff: a source polled less than monthly is effectively dead.
pub const LONGEST_INTERVAL: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// Random spread of each wait, as a fraction of the interval, so polls do not bunch up.
pub const DEFAULT_JITTER: f64 = 0.1;
/// Above half the interval, jitter would blur the adaptive interval itself.
pub const MAX_JITTER: f64 = 0.5;
/// Total time for one request, body included.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Time to establish a connection (TCP + TLS).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Cap on any timeout: a request that needs more than an hour is stuck.
pub const LONGEST_TIMEOUT: Duration = Duration::from_secs(60 * 60);
/// Body cap (after decompression): the largest real feeds are a few MB.
pub const DEFAULT_MAX_BODY: u64 = 10_000_000;
/// Upper bound for `max_body`: a 1 GiB feed is an attack or a mistake.
pub const LARGEST_MAX_BODY: u64 = 1 << 30;
/// Redirects followed per fetch (what browsers tolerate for feeds moving hosts).
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;
/// Bounds for `max_redirects`: 0 disables following; beyond 20 it is a loop.
pub const MAX_REDIRECTS_BOUNDS: (u32, u32) = (0, 20);
/// Longest source/topic/speaker name or alias: a name is a label, not a paragraph.
pub const NAME_MAX_CHARS: usize = 200;
/// Longest tag.
pub const TAG_MAX_CHARS: usize = 100;

/// The checked configuration: everything after start-up sees only this.
#[derive(Debug, Clone)]
pub struct Config {
    /// The main config file as given.
    pub path: PathBuf,
    pub daemon: DaemonConfig,
    pub sources: Vec<SourceConfig>,
    /// Topics from the main file and the included files, in reading order.
    pub topics: Vec<TopicConfig>,
    pub speakers: Vec<SpeakerConfig>,
    /// `[email]`: how alerts and digests are mailed; `None` = no mail at all.
    pub email: Option<EmailConfig>,
    /// `[[digest]]` tables, in file order (each needs `[email]`).
    pub digests: Vec<DigestConfig>,
    /// The main file and every included file actually read.
    pub files: Vec<PathBuf>,
    /// What is valid but most likely not what was meant (a lower-case `or`
    /// in a query), located like errors: `check-config` prints them and
    /// the daemon logs them.
    pub warnings: Vec<ConfigError>,
}

impl Config {
    /// The source with exactly this name.
    pub fn source(&self, name: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.name == name)
    }

    /// The digest with exactly this name.
    pub fn digest(&self, name: &str) -> Option<&DigestConfig> {
        self.digests.iter().find(|d| d.name == name)
    }

    /// What the notifier needs; None without `[email]` (no mail at all).
    pub fn mail_settings(&self) -> Option<MailSettings> {
        Some(MailSettings {
            email: self.email.clone()?,
            digests: self.digests.clone(),
            topics: self.topics.iter().map(|t| t.name.clone()).collect(),
        })
    }

    /// What makes an immediate alert, for the commit stage; None without
    /// `[email]` (nothing would send the alerts, so none are queued).
    pub fn alert_rules(&self) -> Option<AlertRules> {
        let email = self.email.as_ref()?;
        Some(AlertRules {
            immediate_topics: self
                .topics
                .iter()
                .filter(|t| t.alert == AlertMode::Immediate)
                .map(|t| t.name.clone())
                .collect(),
            group_window: email.group_window,
            max_age: email.alert_max_age,
        })
    }
}

/// `[daemon]`, defaults filled in.
#[derive(Debug, Clone, PartialEq)]
pub struct DaemonConfig {
    /// Resolved: a relative path is taken against the config file's folder.
    pub database: PathBuf,
    pub concurrency: usize,
    pub per_host: usize,
    pub default_interval: Duration,
    pub min_interval: Duration,
    pub max_interval: Duration,
    /// The longest wait after repeated errors (errors never stop polling).
    pub max_backoff: Duration,
    /// Fraction of the interval, `0..=0.5`.
    pub jitter: f64,
    /// Total per request.
    pub timeout: Duration,
    pub connect_timeout: Duration,
    /// Bytes, counted after decompression.
    pub max_body: u64,
    pub max_redirects: u32,
    pub user_agent: String,
    /// A tracing filter such as `info,newswatch=debug`.
    pub log: Option<String>,
    /// Where log lines go.
    pub log_format: LogFormat,
    /// Item text of items not seen for this long is removed (None: kept forever).
    pub retention: Option<Duration>,
    /// Every source may connect to non-public addresses (loopback, private
    /// ranges, link-local, the cloud metadata service…). Off: only sources
    /// whose URL names such a host, or that set `allow_private_network`.
    pub allow_private_networks: bool,
    /// The user's entity list (names and event words across scripts and
    /// spellings, format of `config/entities.txt`): added to the shipped
    /// one, overriding its variants. Read and checked by the commands at
    /// start (`cli::Ctx`); resolved against the config file's folder.
    pub entities: Option<PathBuf>,
}

/// `[daemon] log_format`: how log records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// The journal's native protocol when stderr is connected to journald
    /// (systemd sets `JOURNAL_STREAM`), else text (the default).
    #[default]
    Auto,
    /// Text lines on stderr.
    Text,
    /// The journal's native protocol (structured fields, priorities);
    /// text on stderr if journald cannot be reached.
    Journald,
}

impl LogFormat {
    /// The config word.
    pub fn as_str(self) -> &'static str {
        match self {
            LogFormat::Auto => "auto",
            LogFormat::Text => "text",
            LogFormat::Journald => "journald",
        }
    }
}

/// One `[[source]]`.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceConfig {
    /// Unique (case-insensitively), non-empty, no control characters, at most 200 characters.
    pub name: String,
    /// http or https.
    pub url: url::Url,
    /// Fixed interval for this source (bounded by min/max at use).
    pub interval: Option<Duration>,
    pub tags: Vec<String>,
    pub kind: SourceKind,
    /// ISO 639 code, optionally with a region ("en", "uk", "en-GB").
    pub language: Option<String>,
    /// For `kind = "statements"`: the `[[speaker]]` whose statements this source carries.
    pub speaker: Option<String>,
    pub enabled: bool,
    /// This source may connect to non-public addresses: an intranet feed
    /// reached by a name (one whose URL is such an address needs no flag).
    pub allow_private_network: bool,
}

/// What a source carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SourceKind {
    /// Reporting by a news outlet (the default).
    News,
    /// An official's or institution's own statements.
    Statements,
}

impl SourceKind {
    /// The config word: `"news"` or `"statements"`.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::News => "news",
            SourceKind::Statements => "statements",
        }
    }
}

/// One `[[topic]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicConfig {
    pub name: String,
    /// The query as written.
    pub query: String,
    pub exclude: Option<String>,
    /// The query parsed (a bad query is a config error pointing at its column).
    pub parsed: crate::detect::query::Query,
    pub parsed_exclude: Option<crate::detect::query::Query>,
    pub alert: AlertMode,
    /// The relevance model that decides (`model = …`); `None`: the query alone.
    pub model: Option<std::sync::Arc<crate::model::relevance::ModelFile>>,
    /// `model` as written.
    pub model_name: Option<String>,
    /// Where the topic was defined (its `[[topic]]` line), for later query errors.
    pub file: PathBuf,
    pub line: usize,
}

/// When a topic's matches are mailed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertMode {
    /// Collected into digests (the default).
    Digest,
    /// Mailed as soon as detected.
    Immediate,
}

impl AlertMode {
    /// The config word: `"digest"` or `"immediate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertMode::Digest => "digest",
            AlertMode::Immediate => "immediate",
        }
    }
}

/// One `[[speaker]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerConfig {
    pub name: String,
    /// Other spellings, Latin and Cyrillic.
    pub aliases: Vec<String>,
    /// Where the speaker was defined (its `[[speaker]]` line).
    pub file: PathBuf,
    pub line: usize,
}

/// The `User-Agent` sent when `[daemon] user_agent` is absent.
pub fn default_user_agent() -> String {
    format!(
        "newswatch/{} (+https://example.org/newswatch)",
        env!("CARGO_PKG_VERSION")
    )
}

/// Read and check the config file at `path` and the files it includes.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::file(path, format!("cannot read config file: {e}")))?;
    load_str(&text, path)
}

/// Check config `text` as if read from `path` (used for messages and for
/// resolving relative paths); included files are still read from disk.
///
/// Every error found is reported, in file order (the first, with the others
/// in [`ConfigError::also`]): checking goes on past an error. Only a file
/// that is not TOML of the expected shape (a syntax error, an unknown key,
/// a value of the wrong type) stops the reading of that file at its first
/// such error, as the TOML reader does.
pub fn load_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
    let raw: RawMain =
        toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e, false))?;
    let cx = Ctx::new(path, text);
    let mut found: Vec<ConfigError> = Vec::new();
    let no_daemon = RawDaemon::default();
    let raw_daemon = raw.daemon.as_ref().map_or(&no_daemon, |d| d.get_ref());
    let daemon = validate_daemon::daemon(&cx, raw_daemon, &config_dir(path));
    let email = raw
        .email
        .as_ref()
        .and_then(|e| validate_mail::email(&cx, e, &config_dir(path)));

    let mut files = vec![path.to_path_buf()];
    let mut warnings = Vec::new();
    let mut topics = validate::topics(&cx, &raw.topic, &mut warnings);
    let mut speakers = validate::speakers(&cx, &raw.speaker);
    let patterns: Vec<(&str, &raw::SpStr)> = raw
        .include
        .iter()
        .flatten()
        .map(|p| ("include", p))
        .chain(
            raw_daemon
                .include
                .iter()
                .flatten()
                .map(|p| ("daemon.include", p)),
        )
        .collect();
    for file in cx.keep(include::expand(&cx, &patterns), Vec::new()) {
        let text = match include::read(&file, path) {
            Ok(text) => text,
            Err(e) => {
                found.push(e);
                continue;
            }
        };
        let inc: RawIncluded = match toml::from_str(&text) {
            Ok(inc) => inc,
            Err(e) => {
                found.push(ConfigError::from_toml(&file, &text, &e, true));
                continue;
            }
        };
        let icx = Ctx::new(&file, &text);
        topics.extend(validate::topics(&icx, &inc.topic, &mut warnings));
        speakers.extend(validate::speakers(&icx, &inc.speaker));
        found.extend(icx.take_found());
        files.push(file);
    }
    found.extend(validate::no_duplicates(
        "topic",
        topics
            .iter()
            .map(|t| (t.name.as_str(), t.file.as_path(), t.line)),
    ));
    found.extend(validate::no_duplicates(
        "speaker",
        speakers
            .iter()
            .map(|s| (s.name.as_str(), s.file.as_path(), s.line)),
    ));
    let sources = validate::sources(&cx, &raw.source, &speakers);
    let email_written = raw.email.is_some();
    let digests = validate_mail::digests(&cx, &raw.digest, email.as_ref(), email_written, &topics);
    found.extend(validate_mail::immediate_topics_need_email(
        &topics,
        email_written,
        path,
    ));
    found.extend(cx.take_found());
    // In file order: the main file, then the included ones, each top down.
    let order = |e: &ConfigError| {
        (
            files
                .iter()
                .position(|f| *f == e.file)
                .unwrap_or(usize::MAX),
            e.line.unwrap_or(0),
            e.column.unwrap_or(0),
        )
    };
    found.sort_by_key(order);
    if let Some(error) = ConfigError::all(found) {
        return Err(error);
    }
    Ok(Config {
        path: path.to_path_buf(),
        daemon,
        sources,
        topics,
        speakers,
        email,
        digests,
        files,
        warnings,
    })
}

/// `$NEWSWATCH_CONFIG` if set (even when the file is missing: the user asked
/// for it, and the load error will name it), else the first existing of
/// `/etc/newswatch/newswatch.toml` and `./config/newswatch.toml`, else the
/// last candidate so the error names it.
pub fn default_path() -> PathBuf {
    pick_path(
        std::env::var_os(CONFIG_ENV).map(PathBuf::from),
        &[Path::new(SYSTEM_CONFIG_PATH), Path::new(LOCAL_CONFIG_PATH)],
        |p| p.is_file(),
    )
}

fn pick_path(
    env: Option<PathBuf>,
    candidates: &[&Path],
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    if let Some(p) = env.filter(|p| !p.as_os_str().is_empty()) {
        return p;
    }
    candidates
        .iter()
        .find(|p| exists(p))
        .or(candidates.last())
        .map_or_else(|| PathBuf::from(LOCAL_CONFIG_PATH), |p| p.to_path_buf())
}

/// The folder relative paths in `config_file` resolve against ("" for a bare file name).
fn config_dir(config_file: &Path) -> PathBuf {
    config_file
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}
