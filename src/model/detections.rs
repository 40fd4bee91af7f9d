//! What detection finds in one entry without looking at history, in the
//! form the commit stage stores and the commands show.

/// A topic an item version matched, with the terms that hit.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicMatch {
    pub topic: String,
    pub terms: Vec<String>,
    pub score: f64,
    /// The story that carried the topic to this item (it did not match on
    /// its own); `None` for an item's own match.
    pub via_story: Option<i64>,
}

/// A quote attributed to a configured speaker (by name).
#[derive(Clone, Debug, PartialEq)]
pub struct FoundQuote {
    pub speaker: String,
    pub text: String,
    pub context: String,
}
