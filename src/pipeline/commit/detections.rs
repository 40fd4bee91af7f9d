//! What a commit records beside versions: revisions (the diff and its
//! significance from `detect::revisions`, with the flap and churn guards)
//! and statements (each with its issue and stance from
//! `detect::statements::position`, and the position shifts
//! `detect::statements::statement_shift` finds against the speaker's recent
//! stances on the same issue).

use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};

use super::entries::Doc;
use crate::detect::FoundQuote;
use crate::detect::revisions::{self, Revision, VersionText};
use crate::detect::statements::{
    Aspect, Issue, POSITION_WINDOW_DAYS, PastStance, Stance, aspect, position, similarity,
    statement_shift,
};
use crate::model::{ItemId, Significance, TopicMatch};
use crate::pipeline::analyse::revision_terms;
use crate::store::{self, NewRevision, NewStatement};

/// At most this many earlier statements are compared (newest first).
const SHIFT_HISTORY_MAX: usize = 200;

/// At most this many earlier statements' aspects are remembered.
const ASPECTS_KEPT: usize = 4096;

/// `aspect(issue, text)` of an earlier statement, remembered by its text:
/// each new statement is compared with up to [`SHIFT_HISTORY_MAX`] earlier
/// ones, and reading their aspects again was a tenth of an ingest's work.
/// (Only the talks issue has aspects to read.)
fn earlier_aspect(issue: Issue, text: &str) -> Aspect {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static KNOWN: RefCell<HashMap<String, Aspect>> = RefCell::new(HashMap::new());
    }
    if issue != Issue::Talks {
        return aspect(issue, text);
    }
    KNOWN.with(|known| {
        let mut known = known.borrow_mut();
        if let Some(a) = known.get(text) {
            return *a;
        }
        if known.len() >= ASPECTS_KEPT {
            known.clear();
        }
        let a = aspect(issue, text);
        known.insert(text.to_owned(), a);
        a
    })
}

impl Doc<'_, '_, '_> {
    /// Compare two versions (`detect::revisions`) unless the fetch worker
    /// did, apply the flap and churn guards, and store the revision.
    /// Returns its significance.
    pub(super) fn record_revision(&self, change: &Change<'_>) -> store::Result<Significance> {
        let mut topics: Vec<&str> = change
            .old_topics
            .iter()
            .chain(change.new_topics)
            .map(|m| m.topic.as_str())
            .collect();
        topics.sort_unstable();
        topics.dedup();
        let compared;
        let rev = match change.prepared {
            Some(rev) => rev,
            None => {
                let terms = revision_terms(change.old_topics, change.new_topics);
                compared = revisions::compare(&change.old, &change.new, &terms);
                &compared
            }
        };
        let mut flags: Vec<&str> = Vec::new();
        if change.flap {
            flags.push("flap");
        }
        if self.is_churning(change.item)? {
            flags.push("churn");
        }
        // Flap and churn hold a revision back from alerts and digests; a pruned
        // old text only marks what the diff could not cover.
        let reported = flags.is_empty();
        if change.old_text_pruned {
            flags.push("text_pruned");
        }
        self.tx.insert_revision(
            &NewRevision {
                item: change.item,
                from_version: change.from_version,
                to_version: change.to_version,
                significance: rev.significance,
                reasons: &rev.reasons,
                title_diff: &rev.title.ops,
                text_diff: &rev.text.ops,
                changed_share: rev.changed_share,
                topics: &topics,
                flags: &flags,
                reported,
            },
            self.now,
        )?;
        Ok(rev.significance)
    }

    /// Whether the item has been revised too often lately (the revisions
    /// this fetch stored for it count).
    fn is_churning(&self, item: ItemId) -> store::Result<bool> {
        let now = self.now.at();
        let since = now - Duration::hours(revisions::CHURN_WINDOW_HOURS);
        let times: Vec<DateTime<Utc>> = self.tx.revision_times_since(item, since)?;
        Ok(revisions::is_churning(&times, now))
    }

    /// Store the quotes of one item version (once per item: a quote repeated in a
    /// later version is not stored again) under each topic the version matched,
    /// with its issue and stance, and record a shift when its stance moves the
    /// speaker's position on that issue (`detect::statements::statement_shift`).
    /// `said_at` is the item's published time (else now). Returns how many
    /// shifts were found.
    pub(super) fn record_statements(
        &self,
        item: ItemId,
        version: i64,
        quotes: &[FoundQuote],
        topics: &[TopicMatch],
        said_at: Option<DateTime<Utc>>,
    ) -> store::Result<u64> {
        let mut shifts = 0;
        let topic_names: Vec<&str> = if topics.is_empty() {
            vec![""]
        } else {
            topics.iter().map(|t| t.topic.as_str()).collect()
        };
        let now = self.now.at();
        // A published time in the future is the feed's clock, not news.
        let said_at = said_at.filter(|t| *t <= now).unwrap_or(now);
        let since = said_at - Duration::days(POSITION_WINDOW_DAYS);
        // One shift per speaker, topic and issue in an item: a headline and
        // the quote under it that say the same are one move.
        let mut moved: HashSet<(&str, &str, Issue)> = HashSet::new();
        for quote in quotes {
            if self.tx.statement_known(item, &quote.speaker, &quote.text)? {
                continue;
            }
            let pos = position(&quote.text, &quote.context);
            for topic in &topic_names {
                // Earlier statements first, so the new one is not compared with itself.
                let earlier: Vec<store::EarlierStatement> = if topic.is_empty() {
                    Vec::new()
                } else {
                    self.tx.recent_statements(
                        &quote.speaker,
                        topic,
                        since,
                        item,
                        SHIFT_HISTORY_MAX,
                    )?
                };
                let id = self.tx.insert_statement(
                    &NewStatement {
                        item,
                        version,
                        speaker: &quote.speaker,
                        topic,
                        text: &quote.text,
                        context: &quote.context,
                        issue: pos.issue.as_str(),
                        stance: pos.stance.as_str(),
                        object: &pos.object,
                        said_at,
                    },
                    self.now,
                )?;
                // Rows an older build wrote (or that do not parse) are left out.
                let past: Vec<(i64, PastStance)> = earlier
                    .iter()
                    .filter_map(|e| {
                        let issue = Issue::parse(&e.issue)?;
                        Some((
                            e.id,
                            PastStance {
                                issue,
                                aspect: earlier_aspect(issue, &e.text),
                                stance: Stance::parse(&e.stance)?,
                                at: e.said_at?,
                            },
                        ))
                    })
                    .collect();
                let stances: Vec<PastStance> = past.iter().map(|(_, p)| p.clone()).collect();
                if !moved.contains(&(quote.speaker.as_str(), *topic, pos.issue))
                    && let Some(r) = statement_shift(&pos, said_at, &stances)
                    && let Some((replaced, _)) = past.get(r)
                {
                    moved.insert((quote.speaker.as_str(), *topic, pos.issue));
                    let old_text = self.tx.statement_text(*replaced)?;
                    let sim = similarity(&quote.text, &old_text);
                    self.tx.insert_shift(id, *replaced, sim, self.now)?;
                    shifts += 1;
                }
            }
        }
        Ok(shifts)
    }
}

/// One version change to record.
pub(super) struct Change<'a> {
    pub(super) item: ItemId,
    pub(super) from_version: i64,
    pub(super) to_version: i64,
    pub(super) old: VersionText<'a>,
    pub(super) new: VersionText<'a>,
    pub(super) old_topics: &'a [TopicMatch],
    pub(super) new_topics: &'a [TopicMatch],
    /// The new text equals an earlier version's (A→B→A).
    pub(super) flap: bool,
    /// Retention had emptied the old text: `old.text` is the new text, so
    /// only the title is compared, and the revision says so.
    pub(super) old_text_pruned: bool,
    /// The comparison of `old` with `new`, made before the transaction (on
    /// a fetch worker) from the same texts and topics.
    pub(super) prepared: Option<&'a Revision>,
}
