//! Context from the story, at commit: what a story carries to a report of
//! it (forwards, from other outlets' reports that matched on their own)
//! and from it (backwards, to other outlets' reports stored before it),
//! and the names a strong match lends its topic as context terms.

use super::entries::Doc;
use crate::model::{ItemId, TopicMatch};
use crate::store;

impl Doc<'_, '_, '_> {
    /// Both ways at once, for version `version` of item `id` in `story`
    /// (its first, or a new one): the other outlets' reports of the story
    /// stored before it become relevant to the topics it matched on its
    /// own (one statement, `WriteTx::carry_to_story_members`), and it
    /// becomes relevant to theirs. Returns how many topics it took; the
    /// earlier reports it gave a topic count as matched by this fetch.
    pub(super) fn story_context(
        &mut self,
        id: ItemId,
        version: i64,
        story: i64,
        own: &[TopicMatch],
    ) -> store::Result<usize> {
        let topics: Vec<&str> = own
            .iter()
            .filter(|m| m.via_story.is_none())
            .map(|m| m.topic.as_str())
            .collect();
        let taken =
            self.tx
                .carry_to_story_members(story, id, self.rec.source_id, &topics, self.now)?;
        for item in taken {
            self.count_matched(item);
        }
        self.carried_by_story(id, version, story, own)
    }

    /// Count `item` in the fetch's `items_matched`, once.
    pub(super) fn count_matched(&mut self, item: ItemId) {
        if self.matched.insert(item) {
            self.summary.items_matched += 1;
        }
    }

    /// Context from the story: a new item is relevant to each topic that
    /// other outlets' reports of its story matched on their own, when it did
    /// not match that topic itself. Only other outlets: one outlet's own
    /// reports grouped as a story are too often merely on the same beat
    /// (on the TASS headlines, carrying within the outlet took precision
    /// from 0.90 to 0.38). The match is stored against its current
    /// version with the story as its reason (no terms, score 0: nothing in
    /// its text hit). Returns how many topics it carried.
    pub(super) fn carried_by_story(
        &mut self,
        id: ItemId,
        version: i64,
        story: i64,
        own: &[TopicMatch],
    ) -> store::Result<usize> {
        let carried: Vec<TopicMatch> = self
            .tx
            .story_own_topics(story, id, self.rec.source_id)?
            .into_iter()
            .filter(|t| !own.iter().any(|m| &m.topic == t))
            .map(|topic| TopicMatch {
                topic,
                terms: Vec::new(),
                score: 0.0,
                via_story: Some(story),
            })
            .collect();
        self.tx.insert_matches(id, version, &carried, self.now)?;
        Ok(carried.len())
    }

    /// Context from the story: the names of a new item that matched a
    /// topic strongly are counted as the topic's context terms
    /// (`detect::relevance::context`); the topic's expired terms go.
    pub(super) fn note_context_terms(
        &mut self,
        topics: &[TopicMatch],
        keys: &[crate::detect::stories::event::Key],
    ) -> store::Result<()> {
        use crate::detect::relevance::context;
        let strong: Vec<&TopicMatch> = topics.iter().filter(|m| context::is_strong(m)).collect();
        if strong.is_empty() {
            return Ok(());
        }
        let names = context::names(keys);
        let expired_before = self.now.at() - chrono::Duration::days(context::EXPIRY_DAYS);
        for m in strong {
            self.tx
                .note_context_terms(&m.topic, &names, self.now, expired_before)?;
        }
        Ok(())
    }
}
