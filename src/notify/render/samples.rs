//! Sample data for the load-time check (and the tests): one message of
//! every kind, with and without links.

use crate::notify::content::{
    AlertView, DiffPart, DigestView, HeldUpdate, ItemView, QuoteView, RevisionView, ShiftView,
    SourceHealthView, StoryView, TopicSection,
};

fn sample_item(id: i64, source: &str, with_links: bool) -> ItemView {
    ItemView {
        id,
        title: "Peace talks resume in Istanbul".into(),
        url: with_links.then(|| format!("https://example.org/{source}/{id}")),
        source: source.into(),
        published: with_links.then(|| "2026-11-27T05:40:00Z".into()),
        first_seen: "2026-11-27T05:42:10Z".into(),
        summary: if with_links {
            "Delegations met on Thursday.\nA second round is planned.".into()
        } else {
            String::new()
        },
    }
}

pub(super) fn sample_story() -> StoryView {
    StoryView {
        story_id: 1,
        title: "Peace talks resume in Istanbul".into(),
        items: vec![
            sample_item(1, "Reuters", true),
            sample_item(2, "TASS", false),
            sample_item(3, "Reuters", true),
        ],
        new_items: 0,
        sources: vec!["Reuters".into(), "TASS".into()],
        first_seen: "2026-11-27T05:42:10Z".into(),
        latest: Some(sample_item(3, "Reuters", true)),
        more_sources: 0,
        more_items: 0,
    }
}

pub(super) fn sample_revision() -> RevisionView {
    let part = |kind, text: &str| DiffPart {
        kind,
        text: text.into(),
    };
    RevisionView {
        revision_id: 1,
        item: sample_item(1, "Reuters", true),
        from_version: 1,
        to_version: 2,
        seen_at: "2026-11-27T06:00:00Z".into(),
        significance: crate::model::Significance::Major,
        reasons: vec![
            "outcome: resume".into(),
            "name changed: Monday → Thursday".into(),
        ],
        title_diff: vec![
            part("same", "Peace talks "),
            part("del", "stall"),
            part("ins", "resume"),
        ],
        text_diff: vec![
            part("gap", "…"),
            part("same", " said on "),
            part("del", "Monday"),
            part("ins", "Thursday"),
            part("same", " that "),
            part("gap", "…"),
        ],
        topics: vec!["peace-talks".into()],
    }
}

pub(super) fn sample_shift() -> ShiftView {
    let quote = |text: &str, seen: &str, stance: &str, with_links| QuoteView {
        text: text.into(),
        seen_at: seen.into(),
        stance: stance.into(),
        item: sample_item(4, "TASS", with_links),
    };
    ShiftView {
        shift_id: 1,
        speaker: "Peskov".into(),
        topic: "peace-talks".into(),
        issue: "talks".into(),
        seen_at: "2026-11-27T06:00:00Z".into(),
        similarity: 0.21,
        statement: quote(
            "Talks are possible.",
            "2026-11-27T06:00:00Z",
            "readiness",
            true,
        ),
        earlier: quote(
            "There is nothing to talk about.",
            "2026-11-20T10:00:00Z",
            "refusal",
            false,
        ),
    }
}

/// A churning item's combined alert: two major updates held back.
pub(super) fn sample_held_updates() -> Vec<HeldUpdate> {
    vec![
        HeldUpdate {
            revision_id: 1,
            seen_at: "2026-11-27T05:50:00Z".into(),
            title: "Peace talks stall in Istanbul".into(),
            reasons: vec!["direction reversed: resume → stall".into()],
        },
        HeldUpdate {
            revision_id: 2,
            seen_at: "2026-11-27T06:00:00Z".into(),
            title: "Peace talks resume in Istanbul".into(),
            reasons: vec!["outcome: resume".into()],
        },
    ]
}

pub(super) fn sample_alerts() -> Vec<AlertView> {
    vec![
        AlertView::Story {
            topics: vec!["peace-talks".into()],
            story: sample_story(),
        },
        AlertView::Revision {
            topics: vec!["peace-talks".into()],
            revision: Box::new(sample_revision()),
            combined: Vec::new(),
        },
        AlertView::Shift {
            shift: Box::new(sample_shift()),
        },
        AlertView::Test {
            host: "localhost".into(),
            sent_at: "2026-11-27T06:00:00Z".into(),
        },
        AlertView::Revision {
            topics: vec!["peace-talks".into()],
            revision: Box::new(sample_revision()),
            combined: sample_held_updates(),
        },
    ]
}

pub(super) fn sample_digest() -> DigestView {
    DigestView {
        name: "morning".into(),
        period_start: "2026-11-26T06:00:00Z".into(),
        period_end: "2026-11-27T06:00:00Z".into(),
        period_start_local: "2026-11-26 08:00 EET".into(),
        period_end_local: "2026-11-27 08:00 EET".into(),
        timezone: "Europe/Kyiv".into(),
        topics: vec![
            TopicSection {
                name: "peace-talks".into(),
                stories: vec![sample_story()],
                revisions: vec![sample_revision()],
                shifts: vec![sample_shift()],
            },
            TopicSection {
                name: "sanctions".into(),
                ..TopicSection::default()
            },
        ],
        health: vec![
            SourceHealthView {
                name: "kyiv-independent".into(),
                url: "https://example.org/feed".into(),
                state: "failing",
                detail: "HTTP 503 (3 times)".into(),
                since: Some("2026-11-26T20:00:00Z".into()),
            },
            SourceHealthView {
                name: "old-feed".into(),
                url: "https://example.org/old".into(),
                state: "disabled",
                detail: "410 Gone".into(),
                since: None,
            },
        ],
    }
}
