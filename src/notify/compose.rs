//! Composing part of the notifier: reads what an outbox row or a digest
//! period stands for from the store and assembles the `content` views the
//! renderer turns into mail.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::content::{AlertView, DigestView, RevisionView, TopicSection};
use super::diffchain::chain_all;
use super::diffview::{cap_parts, diff_parts, field_ops};
use crate::model::{DiffOp, Significance};
use crate::store::{
    CHURN_KEY_PREFIX, OutboxRow, Result, Store, StoreError, StoredRevision, Watermark, ts,
};

/// Unchanged words kept on each side of a change in a shown diff.
const DIFF_CONTEXT_WORDS: usize = 12;
/// What a message shows of one field's diff at most: per deleted, inserted
/// or kept run, and in all (the revision row keeps the whole diff).
const DIFF_PART_CHARS: usize = 1_000;
const DIFF_FIELD_CHARS: usize = 8_000;

/// The alert an outbox row stands for.
pub fn alert_view(store: &Store, row: &OutboxRow) -> Result<AlertView> {
    let missing = || StoreError::NotFound(format!("outbox row {} lost its subject", row.id));
    match row.kind.as_str() {
        "story" => {
            let story = match (row.story_id, row.item_id) {
                (Some(story), Some(item)) => store.story_alert_view(story, item)?,
                (Some(story), None) => store.story_view(story)?,
                (None, Some(item)) => store.item_story_view(item)?,
                (None, None) => return Err(missing()),
            };
            Ok(AlertView::Story {
                topics: row.topics.clone(),
                story,
            })
        }
        "development" => {
            let item = row.item_id.ok_or_else(missing)?;
            let story = match row.story_id {
                Some(story) => store.story_view(story)?,
                None => store.item_story_view(item)?,
            };
            Ok(AlertView::Development {
                topics: row.topics.clone(),
                news: store.item_news(item)?,
                item: store.item_view(item)?,
                story,
            })
        }
        "revision" => {
            let revision_id = row.revision_id.ok_or_else(missing)?;
            // A churning item's combined alert: `churn-{item}-{first}`.
            let first = row
                .dedupe_key
                .strip_prefix(CHURN_KEY_PREFIX)
                .and_then(|rest| rest.rsplit_once('-'))
                .and_then(|(_, first)| first.parse::<i64>().ok());
            let (revision, combined) = match first {
                Some(first) => {
                    let stored = store.revision_view(revision_id)?;
                    let item = stored.view.item.id;
                    let held = store.held_updates(item, first.min(revision_id), revision_id)?;
                    (combined_diff(store, stored, first.min(revision_id))?, held)
                }
                None => (revision_view(store, revision_id)?, Vec::new()),
            };
            Ok(AlertView::Revision {
                topics: row.topics.clone(),
                revision: Box::new(revision),
                combined,
            })
        }
        "shift" => Ok(AlertView::Shift {
            shift: Box::new(store.shift_view(row.shift_id.ok_or_else(missing)?)?),
        }),
        other => Err(StoreError::NotFound(format!(
            "outbox row {}: '{other}' is not an alert",
            row.id
        ))),
    }
}

/// A revision with its diff ready for display.
pub fn revision_view(store: &Store, revision_id: i64) -> Result<RevisionView> {
    let stored = store.revision_view(revision_id)?;
    Ok(with_diffs(stored))
}

/// A churning item's combined alert on `stored` (the latest held update,
/// the first being revision `first`): one diff from the version the reader
/// last got (the last revision alert sent on the item, else the version
/// before the first held update) to the latest, chained from the stored
/// diffs of every step between. When a step does not meet the next (its
/// text was pruned), the latest step's diff alone.
fn combined_diff(store: &Store, mut stored: StoredRevision, first: i64) -> Result<RevisionView> {
    let item = stored.view.item.id;
    let to = stored.view.to_version;
    let base = match store.last_mailed_version(item, first)? {
        Some(version) => version,
        None => match store.revision_view(first) {
            Ok(revision) => revision.view.from_version,
            Err(StoreError::NotFound(_)) => return Ok(with_diffs(stored)),
            Err(e) => return Err(e),
        },
    };
    if base >= to {
        return Ok(with_diffs(stored));
    }
    let steps = store.step_diffs(item, base, to)?;
    // The steps must run from `base` to `to`, each from where the last ended.
    let mut at = base;
    for step in &steps {
        if step.from_version != Some(at) {
            return Ok(with_diffs(stored));
        }
        at = step.to_version;
    }
    if at != to {
        return Ok(with_diffs(stored));
    }
    let chained = |field: &str| {
        let ops: Vec<Vec<DiffOp>> = steps
            .iter()
            .map(|step| field_ops(&step.diff_json, field))
            .collect();
        chain_all(&ops)
    };
    if let (Some(title), Some(text)) = (chained("title"), chained("text")) {
        stored.diff_json = serde_json::json!({ "title": title, "text": text }).to_string();
        stored.view.from_version = base;
    }
    Ok(with_diffs(stored))
}

fn with_diffs(stored: StoredRevision) -> RevisionView {
    let mut view = stored.view;
    let shown = |field: &str, context_words: usize| {
        cap_parts(
            diff_parts(&field_ops(&stored.diff_json, field), context_words),
            DIFF_PART_CHARS,
            DIFF_FIELD_CHARS,
        )
    };
    view.title_diff = shown("title", usize::MAX);
    // A description that is the title would repeat the same diff.
    view.text_diff =
        if field_ops(&stored.diff_json, "text") == field_ops(&stored.diff_json, "title") {
            Vec::new()
        } else {
            shown("text", DIFF_CONTEXT_WORDS)
        };
    view
}

/// What a digest covers, and how it presents it.
#[derive(Clone, Debug)]
pub struct DigestSpec<'a> {
    pub name: &'a str,
    /// Topics in order; every configured topic when the digest names none.
    pub topics: Vec<String>,
    pub timezone: Tz,
    pub min_significance: Significance,
    /// The period, for display.
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    /// What it covers: rows stored after `after`, up to `upto`.
    pub after: Watermark,
    pub upto: Watermark,
}

/// Build a digest of what was stored between the spec's watermarks. Also returns how many entries (stories,
/// revisions, shifts) it reports.
pub fn digest_view(
    store: &Store,
    spec: &DigestSpec<'_>,
    now: DateTime<Utc>,
) -> Result<(DigestView, usize)> {
    let mut sections = Vec::new();
    let mut entries = 0;
    for topic in &spec.topics {
        let stories = store.topic_stories(topic, spec.after, spec.upto)?;
        let revisions: Vec<RevisionView> = store
            .topic_revisions(topic, spec.after, spec.upto, spec.min_significance)?
            .into_iter()
            .map(with_diffs)
            .collect();
        let shifts = store.topic_shifts(topic, spec.after, spec.upto)?;
        entries += stories.stories.len() + stories.more + revisions.len() + shifts.len();
        sections.push(TopicSection {
            name: topic.clone(),
            stories: stories.stories,
            revisions,
            shifts,
        });
    }
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&spec.timezone)
            .format("%Y-%m-%d %H:%M %Z")
            .to_string()
    };
    let view = DigestView {
        name: spec.name.to_string(),
        period_start: ts(spec.start),
        period_end: ts(spec.end),
        period_start_local: local(spec.start),
        period_end_local: local(spec.end),
        timezone: spec.timezone.name().to_string(),
        topics: sections,
        health: store.source_health(now)?,
    };
    Ok((view, entries))
}

#[cfg(test)]
mod tests {
    use super::with_diffs;
    use crate::model::Significance;
    use crate::model::views::{ItemView, RevisionView};
    use crate::store::StoredRevision;

    fn stored(diff_json: &str) -> StoredRevision {
        StoredRevision {
            view: RevisionView {
                revision_id: 1,
                item: ItemView::default(),
                from_version: 1,
                to_version: 2,
                seen_at: "2026-12-07T05:00:00Z".into(),
                significance: Significance::Major,
                reasons: vec!["figure 5 → 22".into()],
                title_diff: Vec::new(),
                text_diff: Vec::new(),
                topics: Vec::new(),
            },
            diff_json: diff_json.to_string(),
        }
    }

    /// A feed whose description is its headline (svoboda) gets one diff in
    /// a message, not the same one twice; a description of its own keeps
    /// its diff.
    #[test]
    fn a_description_equal_to_the_title_shows_one_diff() {
        let ops = r#"[{"Equal":"Strikes kill "},{"Delete":"5"},{"Insert":"22"}]"#;
        let same = with_diffs(stored(&format!(r#"{{"title":{ops},"text":{ops}}}"#)));
        assert!(!same.title_diff.is_empty());
        assert!(same.text_diff.is_empty(), "{:?}", same.text_diff);

        let text = r#"[{"Equal":"Officials said "},{"Delete":"5"},{"Insert":"22"}]"#;
        let own = with_diffs(stored(&format!(r#"{{"title":{ops},"text":{text}}}"#)));
        assert!(!own.title_diff.is_empty());
        assert!(!own.text_diff.is_empty());
    }
}
