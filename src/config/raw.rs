//! What the TOML says, before any checking: the serde side of config loading.
//!
//! Owns only the shape of the files. Every struct rejects unknown keys
//! (`deny_unknown_fields`, never `flatten`: the two do not mix, CRATES.md
//! pitfall 11). Values that need checking after parsing (durations, sizes,
//! URLs, enums, bounded integers) are kept as `Spanned` so the checker can
//! point at their line and column. This file must never validate or resolve
//! anything; that is `validate.rs`'s job.

use serde::Deserialize;
use toml::Spanned;

/// Keys accepted at the top level of the main config file.
pub const TOP_LEVEL_KEYS: &[&str] = &[
    "daemon", "include", "source", "topic", "speaker", "email", "digest",
];
/// Keys accepted at the top level of an included file.
pub const INCLUDED_FILE_KEYS: &[&str] = &["topic", "speaker"];
/// Keys accepted in `[daemon]`.
pub const DAEMON_KEYS: &[&str] = &[
    "database",
    "concurrency",
    "per_host",
    "default_interval",
    "min_interval",
    "max_interval",
    "max_backoff",
    "jitter",
    "timeout",
    "connect_timeout",
    "max_body",
    "max_redirects",
    "user_agent",
    "log",
    "log_format",
    "retention",
    "include",
    "allow_private_networks",
    "entities",
];
/// Keys accepted in each `[[source]]`.
pub const SOURCE_KEYS: &[&str] = &[
    "name",
    "url",
    "interval",
    "tags",
    "kind",
    "language",
    "speaker",
    "enabled",
    "allow_private_network",
];
/// Keys accepted in each `[[topic]]`.
pub const TOPIC_KEYS: &[&str] = &["name", "query", "exclude", "alert", "model"];
/// Keys accepted in each `[[speaker]]`.
pub const SPEAKER_KEYS: &[&str] = &["name", "aliases"];
/// Keys accepted in `[email]`.
pub const EMAIL_KEYS: &[&str] = &[
    "smtp_url",
    "password_file",
    "password_env",
    "allow_plaintext_auth",
    "sendmail",
    "maildir",
    "from",
    "to",
    "timeout",
    "group_window",
    "alert_max_age",
    "retry_min",
    "retry_max",
    "give_up_after",
    "templates",
    "subject_prefix",
];
/// Keys accepted in each `[[digest]]`.
pub const DIGEST_KEYS: &[&str] = &[
    "name",
    "schedule",
    "timezone",
    "topics",
    "to",
    "send_empty",
    "min_significance",
];

/// A string value with its byte span in the file.
pub type SpStr = Spanned<String>;

/// The main config file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMain {
    pub daemon: Option<Spanned<RawDaemon>>,
    /// Top-level `include`, accepted as well as `daemon.include` (DESIGN.md shows it
    /// under `[daemon]`; a top-level line before any table is the other natural place).
    pub include: Option<Vec<SpStr>>,
    #[serde(default)]
    pub source: Vec<Spanned<RawSource>>,
    #[serde(default)]
    pub topic: Vec<Spanned<RawTopic>>,
    #[serde(default)]
    pub speaker: Vec<Spanned<RawSpeaker>>,
    /// Main file only: an included file cannot redirect mail.
    pub email: Option<Spanned<RawEmail>>,
    #[serde(default)]
    pub digest: Vec<Spanned<RawDigest>>,
}

/// A file named by `include`: topics and speakers only.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawIncluded {
    #[serde(default)]
    pub topic: Vec<Spanned<RawTopic>>,
    #[serde(default)]
    pub speaker: Vec<Spanned<RawSpeaker>>,
}

/// `[daemon]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDaemon {
    pub database: Option<SpStr>,
    pub concurrency: Option<Spanned<i64>>,
    pub per_host: Option<Spanned<i64>>,
    pub default_interval: Option<SpStr>,
    pub min_interval: Option<SpStr>,
    pub max_interval: Option<SpStr>,
    pub max_backoff: Option<SpStr>,
    pub jitter: Option<Spanned<f64>>,
    pub timeout: Option<SpStr>,
    pub connect_timeout: Option<SpStr>,
    pub max_body: Option<SpStr>,
    pub max_redirects: Option<Spanned<i64>>,
    pub user_agent: Option<SpStr>,
    pub log: Option<SpStr>,
    pub log_format: Option<SpStr>,
    pub retention: Option<SpStr>,
    pub include: Option<Vec<SpStr>>,
    pub allow_private_networks: Option<bool>,
    pub entities: Option<SpStr>,
}

/// `[[source]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub name: SpStr,
    pub url: SpStr,
    pub interval: Option<SpStr>,
    pub tags: Option<Vec<SpStr>>,
    pub kind: Option<SpStr>,
    pub language: Option<SpStr>,
    pub speaker: Option<SpStr>,
    pub enabled: Option<bool>,
    pub allow_private_network: Option<bool>,
}

/// `[[topic]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTopic {
    pub name: SpStr,
    pub query: SpStr,
    pub exclude: Option<SpStr>,
    pub alert: Option<SpStr>,
    pub model: Option<SpStr>,
}

/// `[[speaker]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSpeaker {
    pub name: SpStr,
    #[serde(default)]
    pub aliases: Vec<SpStr>,
}

/// `[email]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEmail {
    pub smtp_url: Option<SpStr>,
    pub password_file: Option<SpStr>,
    pub password_env: Option<SpStr>,
    pub allow_plaintext_auth: Option<Spanned<bool>>,
    pub sendmail: Option<SpStr>,
    pub maildir: Option<SpStr>,
    pub from: SpStr,
    pub to: Spanned<OneOrMany>,
    pub timeout: Option<SpStr>,
    pub group_window: Option<SpStr>,
    pub alert_max_age: Option<SpStr>,
    pub retry_min: Option<SpStr>,
    pub retry_max: Option<SpStr>,
    pub give_up_after: Option<SpStr>,
    pub templates: Option<SpStr>,
    pub subject_prefix: Option<SpStr>,
}

/// `[[digest]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDigest {
    pub name: SpStr,
    pub schedule: SpStr,
    pub timezone: Option<SpStr>,
    pub topics: Option<Vec<SpStr>>,
    pub to: Option<Spanned<OneOrMany>>,
    pub send_empty: Option<bool>,
    pub min_significance: Option<SpStr>,
}

/// A string or an array of strings (`to = "a@x"` or `to = ["a@x", "b@y"]`).
/// Not `#[serde(untagged)]`: that buffers the value and loses the array
/// elements' spans.
#[derive(Debug)]
pub enum OneOrMany {
    One(String),
    Many(Vec<SpStr>),
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = OneOrMany;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or an array of strings")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<OneOrMany, E> {
                Ok(OneOrMany::One(v.to_string()))
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<OneOrMany, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<SpStr>()? {
                    items.push(item);
                }
                Ok(OneOrMany::Many(items))
            }
        }
        d.deserialize_any(Visitor)
    }
}
