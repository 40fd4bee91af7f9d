//! Feed documents and entries as they cross the stages: what the fetcher
//! got, what the parser read, what the normaliser made of it, and how a
//! fetch attempt ended.

use chrono::{DateTime, Utc};

/// HTTP cache validators remembered per source for conditional GET.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A feed document as it arrived: raw bytes plus what the transport said about them.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub bytes: Vec<u8>,
    /// The HTTP `Content-Type` header, if any (carries the charset that overrides the XML prolog).
    pub content_type: Option<String>,
    /// The URL the document came from (base for relative links), if known.
    pub url: Option<String>,
}

/// One entry as the feed wrote it, after charset decoding and XML/JSON parsing
/// but before any cleaning. Produced by `parse`, consumed by `normalize`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawEntry {
    pub guid: Option<String>,
    /// Link of the entry, resolved against the feed's base URL where possible.
    pub link: Option<String>,
    /// Title as given; may contain markup or leftover entities.
    pub title: Option<String>,
    /// Summary/description, usually HTML.
    pub summary: Option<String>,
    /// Full content (content:encoded, atom:content), usually HTML.
    pub content: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub updated: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub categories: Vec<String>,
    pub language: Option<String>,
}

/// A parsed feed document. Produced by `parse`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// The channel/site link (not an item identity: many generated feeds reuse it per item).
    pub link: Option<String>,
    pub language: Option<String>,
    /// The character encoding the bytes were decoded from (e.g. "UTF-8", "windows-1251").
    pub encoding: String,
    /// Entries in document order.
    pub entries: Vec<RawEntry>,
}

/// One text state of an entry: what a version row stores.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryText {
    /// Plain text title, whitespace collapsed, invisible characters removed.
    pub title: String,
    /// Plain text body (from content, else summary), paragraphs separated by "\n".
    pub text: String,
    /// Stable hash (hex) of title + text; equal hashes mean "no change".
    pub content_hash: String,
    /// Published time the feed gave this state, if plausible.
    pub published: Option<DateTime<Utc>>,
}

/// A normalised entry with a stable identity. Produced by `normalize`, stored by `store`.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// Identity keys in order of preference, e.g. `g:<guid>`, `u:<canonical url>`,
    /// `h:<hash of title+date>`. An entry is the same item as a stored one when any
    /// key matches; all keys are remembered for the item.
    pub keys: Vec<String>,
    /// The guid as published (if any).
    pub guid: Option<String>,
    /// Canonical URL (tracking parameters stripped, fragment removed), if the entry has a link.
    pub url: Option<String>,
    /// The current (newest) text state.
    pub current: EntryText,
    /// Older states of the same story found in the same document, oldest first
    /// (feeds that append a new item per headline edit, e.g. the AP history in the corpus).
    pub earlier: Vec<EntryText>,
    /// ISO 639-1 code from the entry, the feed, the source config, or a guess.
    pub language: Option<String>,
    pub author: Option<String>,
    pub categories: Vec<String>,
}

/// What a fetch attempt produced; the store records it in `fetches`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchStatus {
    /// 2xx with a body that parsed.
    Ok,
    /// 304 Not Modified.
    NotModified,
    /// The source is gone (410) and was disabled.
    Gone,
    /// Any failure: network, HTTP status, body too large, parse error.
    Error,
}

impl FetchStatus {
    /// The word stored in `fetches.outcome` and shown to users.
    pub fn as_str(&self) -> &'static str {
        match self {
            FetchStatus::Ok => "ok",
            FetchStatus::NotModified => "not_modified",
            FetchStatus::Gone => "gone",
            FetchStatus::Error => "error",
        }
    }
}
