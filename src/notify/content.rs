//! What a message says, before it is rendered: plain data built from the
//! store (by `notify::compose`) and turned into text and HTML by
//! `notify::render`. Every string here is feed-supplied text as stored
//! (plain text, never HTML); escaping is the renderer's job. The views of
//! stored things (items, stories, revisions, shifts, source health) are
//! the shared ones of `model::views`, which `store` builds.

use serde::Serialize;

pub use crate::model::views::{
    DiffPart, HeldUpdate, ItemView, QuoteView, RevisionView, ShiftView, SourceHealthView, StoryView,
};

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
    /// A later report of an alerted story that brings new figures or
    /// actors: what is new, the report, and the story it joined.
    Development {
        topics: Vec<String>,
        /// "new figure: 22 killed", "new actor: Witkoff".
        news: Vec<String>,
        item: ItemView,
        story: StoryView,
    },
    /// A major revision of an item on an immediate topic. For an item that
    /// changed too often to alert on each change (the churn guard),
    /// `combined` lists the major updates this one alert stands for, oldest
    /// first; `revision` is the latest of them. Empty otherwise. (Boxed:
    /// the largest variant.)
    Revision {
        topics: Vec<String>,
        revision: Box<RevisionView>,
        combined: Vec<HeldUpdate>,
    },
    /// A position shift on an immediate topic (boxed: the largest variant).
    Shift { shift: Box<ShiftView> },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Significance;

    fn revision(id: i64, significance: Significance, title: &str) -> RevisionView {
        RevisionView {
            revision_id: id,
            item: ItemView {
                id,
                title: title.into(),
                source: "wire".into(),
                first_seen: "2026-11-27T06:00:00Z".into(),
                ..Default::default()
            },
            from_version: 1,
            to_version: 2,
            seen_at: "2026-11-27T06:00:00Z".into(),
            significance,
            reasons: vec!["figure 5 → 22".into()],
            title_diff: Vec::new(),
            text_diff: Vec::new(),
            topics: vec!["talks".into()],
        }
    }

    /// The shipped HTML marks a major revision in red by the view's flag,
    /// and only a major one.
    #[test]
    fn only_major_revisions_are_marked_in_red() {
        let digest = DigestView {
            name: "morning".into(),
            timezone: "UTC".into(),
            topics: vec![TopicSection {
                name: "talks".into(),
                revisions: vec![
                    revision(1, Significance::Major, "Talks resume"),
                    revision(2, Significance::Minor, "Talks go on"),
                ],
                ..Default::default()
            }],
            ..Default::default()
        };
        let html = crate::notify::render::Templates::load(None)
            .unwrap()
            .render_digest(&digest, "")
            .unwrap()
            .html;
        assert_eq!(html.matches("color:#b00\">major<").count(), 1, "{html}");
        assert!(html.contains(";\">minor<"), "{html}");
        let view = serde_json::to_value(revision(3, Significance::Minor, "t")).unwrap();
        assert_eq!(view["significance"], "minor");
        assert_eq!(view["major"], false);
    }
}
