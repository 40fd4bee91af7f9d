//! What the configuration decides, in the form the lower layers take it:
//! `config` (and `pipeline`) build these; `store` and the commit stage use
//! them without knowing the configuration file.

use std::time::Duration;

/// A source as configuration (or `sources add`) describes it.
#[derive(Clone, Debug)]
pub struct SourceSpec {
    pub name: String,
    pub url: String,
    /// `news` or `statements`.
    pub kind: String,
    pub language: Option<String>,
    pub tags: Vec<String>,
    pub interval: Option<Duration>,
    pub enabled: bool,
}

/// What makes an immediate alert. Without rules no alert rows are queued.
#[derive(Clone, Debug, Default)]
pub struct AlertRules {
    /// Topics with `alert = "immediate"`.
    pub immediate_topics: Vec<String>,
    /// How long a story alert waits for more outlets before it is due.
    pub group_window: Duration,
    /// Items first published longer ago than this raise no immediate alert
    /// (a feed backfilling its archive is not news); they still reach digests.
    pub max_age: Duration,
}
