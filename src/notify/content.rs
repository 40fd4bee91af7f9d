//! What a message says, before it is rendered: plain data built from the
//! store (by `notify::compose`) and turned into text and HTML by
//! `notify::render`. Every string here is feed-supplied text as stored
//! (plain text, never HTML); escaping is the renderer's job.

use serde::Serialize;

/// One stored item, as a message shows it.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ItemView {
    pub id: i64,
    pub title: String,
    /// The article's own link; only `http`/`https` URLs (others are dropped
    /// when the view is built, so templates can link without checking).
    pub url: Option<String>,
    pub source: String,
    /// Publication time, RFC 3339 UTC, when the feed gave one.
    pub published: Option<String>,
    /// First seen by newswatch, RFC 3339 UTC.
    pub first_seen: String,
    /// The start of the item's text (plain, already shortened).
    pub summary: String,
}

/// Items of different sources reporting one event.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StoryView {
    pub story_id: i64,
    /// Title of the earliest item.
    pub title: String,
    /// Earliest first, at least one.
    pub items: Vec<ItemView>,
    /// Distinct source names, in order of first appearance.
    pub sources: Vec<String>,
    pub first_seen: String,
    /// Outlets and items of the story not shown (a message shows at most
    /// `STORY_ITEMS_SHOWN` items, one per outlet).
    pub more_sources: usize,
    pub more_items: usize,
}

/// One run of a word diff, for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DiffPart {
    /// `same`, `del`, `ins`, or `gap` (unchanged text left out; `text` is "…").
    pub kind: &'static str,
    pub text: String,
}

/// A stored revision of an item.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RevisionView {
    pub revision_id: i64,
    pub item: ItemView,
    pub from_version: i64,
    pub to_version: i64,
    pub seen_at: String,
    /// `cosmetic`, `minor` or `major`.
    pub significance: String,
    pub reasons: Vec<String>,
    /// Empty when the title did not change.
    pub title_diff: Vec<DiffPart>,
    /// Empty when the text did not change; long unchanged runs become `gap`.
    pub text_diff: Vec<DiffPart>,
    /// Topics either version matched.
    pub topics: Vec<String>,
}

/// A quoted statement and where it was seen.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QuoteView {
    pub text: String,
    pub seen_at: String,
    pub item: ItemView,
}

/// A speaker saying something far from what they said before.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ShiftView {
    pub shift_id: i64,
    pub speaker: String,
    pub topic: String,
    pub seen_at: String,
    /// 0..1; how close the new statement is to the closest earlier one.
    pub similarity: f64,
    pub statement: QuoteView,
    pub earlier: QuoteView,
}

/// A source that needs a look.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SourceHealthView {
    pub name: String,
    pub url: String,
    /// `failing`, `silent` or `disabled`.
    pub state: &'static str,
    /// Human-readable: the last error, how long it has been silent, or why disabled.
    pub detail: String,
    /// RFC 3339 UTC: last success (failing), last new item (silent), or None.
    pub since: Option<String>,
}

/// Everything in a digest for one topic.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TopicSection {
    pub name: String,
    pub stories: Vec<StoryView>,
    pub revisions: Vec<RevisionView>,
    pub shifts: Vec<ShiftView>,
}

impl TopicSection {
    pub fn is_empty(&self) -> bool {
        self.stories.is_empty() && self.revisions.is_empty() && self.shifts.is_empty()
    }
}

/// A whole digest.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DigestView {
    /// The `[[digest]]` name.
    pub name: String,
    /// Period covered, RFC 3339 UTC, and the same in the digest's time zone
    /// for display (`2026-11-27 08:00 EET`).
    pub period_start: String,
    pub period_end: String,
    pub period_start_local: String,
    pub period_end_local: String,
    pub timezone: String,
    pub topics: Vec<TopicSection>,
    pub health: Vec<SourceHealthView>,
}

impl DigestView {
    /// True when no topic has anything to report (source health alone does
    /// not make a digest worth sending).
    pub fn is_empty(&self) -> bool {
        self.topics.iter().all(TopicSection::is_empty)
    }
}

/// One immediate alert.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AlertView {
    /// A new story on an immediate topic; all its items so far.
    Story {
        topics: Vec<String>,
        story: StoryView,
    },
    /// A major revision of an item on an immediate topic.
    Revision {
        topics: Vec<String>,
        revision: RevisionView,
    },
    /// A statement shift on an immediate topic.
    Shift { shift: ShiftView },
    /// The message `test-email` sends.
    Test { host: String, sent_at: String },
}

/// A message ready for the transport: subject and both bodies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    /// One line, no control characters.
    pub subject: String,
    pub text: String,
    pub html: String,
}
