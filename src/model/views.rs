//! What a message shows of what the store holds: items, stories,
//! revisions, statement shifts and source health. `store` builds these
//! (`store::views`), `notify` composes them into alerts and digests and
//! renders them. Every string here is feed-supplied text as stored (plain
//! text, never HTML); escaping is the renderer's job.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::Significance;

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
    /// Title of the earliest item (of the first news item when `new_items`
    /// is set).
    pub title: String,
    /// Earliest first, at least one; when `new_items` is set, those news
    /// items first, then the reports the story held before.
    pub items: Vec<ItemView>,
    /// How many of `items`, from the first, are the news a new story's
    /// alert is about, when the story held earlier reports that never
    /// alerted (a new source's backlog, reports off the alert's topics): the
    /// alert leads with what is new. 0 otherwise (items earliest first).
    pub new_items: usize,
    /// Distinct source names, in order of first appearance.
    pub sources: Vec<String>,
    /// When the story started: its earliest report's first sighting.
    pub first_seen: String,
    /// The latest report, when it is not the first: the story's latest
    /// development (a digest shows it under the outlets).
    pub latest: Option<ItemView>,
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
#[derive(Clone, Debug, PartialEq)]
pub struct RevisionView {
    pub revision_id: i64,
    pub item: ItemView,
    pub from_version: i64,
    pub to_version: i64,
    pub seen_at: String,
    pub significance: Significance,
    pub reasons: Vec<String>,
    /// Empty when the title did not change.
    pub title_diff: Vec<DiffPart>,
    /// Empty when the text did not change; long unchanged runs become `gap`.
    pub text_diff: Vec<DiffPart>,
    /// Topics either version matched.
    pub topics: Vec<String>,
}

/// One update of a churning item folded into its combined alert: a major
/// revision the churn guard held back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HeldUpdate {
    pub revision_id: i64,
    /// When it was seen, RFC 3339 UTC.
    pub seen_at: String,
    /// The item's title after the update.
    pub title: String,
    /// Why it is major, as a person reads it.
    pub reasons: Vec<String>,
}

/// A quoted statement and where it was seen.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct QuoteView {
    pub text: String,
    /// When it was said (the item's published time, else when seen).
    pub seen_at: String,
    /// Its stance (`readiness`, `refusal`, `condition`, … or `statement`).
    pub stance: String,
    pub item: ItemView,
}

/// A speaker's position on an issue that moved: the new statement and the
/// earlier one whose stance it replaces.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ShiftView {
    pub shift_id: i64,
    pub speaker: String,
    pub topic: String,
    /// The issue (`talks`, `ceasefire`, `territory`, …).
    pub issue: String,
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

/// Templates see `significance` as its name and `major` as a flag, so no
/// template compares names (custom templates that do keep working).
impl Serialize for RevisionView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("RevisionView", 11)?;
        s.serialize_field("revision_id", &self.revision_id)?;
        s.serialize_field("item", &self.item)?;
        s.serialize_field("from_version", &self.from_version)?;
        s.serialize_field("to_version", &self.to_version)?;
        s.serialize_field("seen_at", &self.seen_at)?;
        s.serialize_field("significance", &self.significance)?;
        s.serialize_field("major", &(self.significance == Significance::Major))?;
        s.serialize_field("reasons", &self.reasons)?;
        s.serialize_field("title_diff", &self.title_diff)?;
        s.serialize_field("text_diff", &self.text_diff)?;
        s.serialize_field("topics", &self.topics)?;
        s.end()
    }
}
