//! Detection: pure functions over normalised entries and their stored history
//! (DESIGN.md, "detect"). No I/O, no SQL, no tokio: the commit stage
//! (`pipeline::commit`) hands each stage the data it needs and stores what
//! comes back, in the same transaction as the fetch that caused it.
//!
//! - `query`: the topic rule language (parse, errors with columns).
//! - `topics`: rules compiled once; match an item, with the terms that hit.
//! - `revisions`: word diff between versions and its significance.
//! - `statements`: quotes attributed to configured speakers; shifts.
//! - `stories`: near-duplicate items across sources share a story.
//! - `news`: what a later report of a story brings (new figures, actors).
//! - `lexicon`: the word lists of the stages above, each once.

mod lexicon;
pub mod news;
pub mod query;
pub mod relevance;
pub mod revisions;
pub mod statements;
pub mod stories;
pub mod topics;

use crate::model::Entry;
use crate::text::{fold, word_list};
use statements::{Speaker, SpeakerSet};
use std::sync::Arc;

use relevance::{
    HashSink, Model, ModelIndex, QuerySignal, Scored, item_features, item_features_into,
    signal_features, strip_dateline,
};
use topics::{MatchDoc, TopicHit, TopicMatcher, TopicRule};

// What detection finds is shared vocabulary (`model`).
pub use crate::model::{FoundQuote, TopicMatch};

/// The user's entity list (`[daemon] entities`, in the format of
/// `config/entities.txt`) added to the shipped one, checked and ready for
/// [`use_entity_list`].
pub struct EntityList(lexicon::entities::Aliases);

impl EntityList {
    /// Parse the user's list. `Err`: the first bad line, numbered from 1.
    pub fn parse(text: &str) -> Result<EntityList, (usize, String)> {
        lexicon::entities::Aliases::shipped_and(text)
            .map(EntityList)
            .map_err(|e| (e.line, e.text))
    }
}

/// Use `list` (`None`: the shipped list alone) for detection from now on:
/// at start before any detection, and on a reload of the configuration.
pub fn use_entity_list(list: Option<EntityList>) {
    lexicon::entities::Aliases::install(list.map(|l| l.0));
}

/// Everything detection finds in one entry without looking at history.
/// Computed on a worker thread; the writer adds what needs history
/// (revisions, shifts, story assignment).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Analysis {
    /// Topics the current version matches.
    pub topics: Vec<TopicMatch>,
    /// Topics each earlier in-document version matches (same order as `Entry::earlier`).
    pub earlier_topics: Vec<Vec<TopicMatch>>,
    /// Quotes of configured speakers in the current version.
    pub quotes: Vec<FoundQuote>,
    /// Near-duplicate fingerprint of the current version (stories).
    pub fingerprint: u64,
    /// Event profile of the current version (stories): names, figures,
    /// event words of the title and lead.
    pub story_keys: Vec<stories::event::Key>,
}

/// What detection needs to know about the source of an entry.
pub struct SourceContext<'a> {
    pub name: &'a str,
    pub tags: &'a [String],
    /// For `kind = "statements"` sources: the speaker (index) every item is by.
    pub statement_speaker: Option<usize>,
}

/// The compiled rules: topics and speakers, built once per configuration.
pub struct Detector {
    topics: TopicMatcher,
    speakers: SpeakerSet,
    /// Per topic (rule order): the relevance model that decides, when it has one.
    models: Vec<Option<Arc<Model>>>,
    /// Per topic: its model's weights by feature hash (`None`: scored by
    /// name, see [`ModelIndex::of`]).
    indexes: Vec<Option<ModelIndex>>,
}

impl Detector {
    pub fn new(topics: Vec<TopicRule>, speakers: Vec<Speaker>) -> Detector {
        Detector {
            topics: TopicMatcher::compile(topics),
            speakers: SpeakerSet::new(speakers),
            models: Vec::new(),
            indexes: Vec::new(),
        }
    }

    /// The relevance models of the topics (rule order; `None`: the query
    /// alone decides).
    pub fn with_models(mut self, models: Vec<Option<Arc<Model>>>) -> Detector {
        self.indexes = models
            .iter()
            .map(|m| m.as_deref().and_then(ModelIndex::of))
            .collect();
        self.models = models;
        self
    }

    /// The model deciding topic `i`, if any.
    pub fn model(&self, i: usize) -> Option<&Model> {
        self.models.get(i).and_then(|m| m.as_deref())
    }

    /// A detector that finds nothing (no topics, no speakers).
    pub fn empty() -> Detector {
        Detector::new(Vec::new(), Vec::new())
    }

    pub fn topic_matcher(&self) -> &TopicMatcher {
        &self.topics
    }

    pub fn speaker_set(&self) -> &SpeakerSet {
        &self.speakers
    }

    /// Index of the speaker with this name (for statement sources).
    pub fn speaker_index(&self, name: &str) -> Option<usize> {
        self.speakers.speakers().iter().position(|s| s.name == name)
    }

    /// Topics a title + text matches.
    pub fn match_topics(
        &self,
        title: &str,
        text: &str,
        language: Option<&str>,
        src: &SourceContext<'_>,
    ) -> Vec<TopicMatch> {
        let text = strip_dateline(text);
        let text_folded = fold(text);
        let text_words = word_list(&text_folded);
        self.match_topics_folded(
            title,
            text,
            (&fold(title), &text_folded, &text_words),
            language,
            src,
        )
    }

    /// The features topic `i`'s model reads from a title + text (to train it
    /// on labelled items): the wording's and the query's signal.
    pub fn topic_features(
        &self,
        i: usize,
        title: &str,
        text: &str,
        language: Option<&str>,
    ) -> Vec<String> {
        let text = strip_dateline(text);
        let src = SourceContext {
            name: "",
            tags: &[],
            statement_speaker: None,
        };
        let hit = self.query_hit(i, title, text, language, &src);
        let mut out = item_features(title, text, doc_lang(title, text, language));
        out.extend(
            signal_features(QuerySignal::of(hit.as_ref()))
                .iter()
                .map(|s| (*s).to_owned()),
        );
        out
    }

    /// How topic `i` decides on a title + text: the query's hit (if any)
    /// and, when the topic has a model, its verdict with each feature's
    /// weight (`match --explain`, `show`).
    pub fn explain(
        &self,
        i: usize,
        title: &str,
        text: &str,
        language: Option<&str>,
        src: &SourceContext<'_>,
    ) -> (Option<TopicHit>, Option<Scored>) {
        let text = strip_dateline(text);
        let hit = self.query_hit(i, title, text, language, src);
        let scored = self.model(i).map(|m| {
            let base = item_features(title, text, doc_lang(title, text, language));
            let signal = signal_features(QuerySignal::of(hit.as_ref()));
            m.score(
                base.iter()
                    .map(String::as_str)
                    .chain(signal.iter().copied()),
            )
        });
        (hit, scored)
    }

    /// Topic `i`'s query hit on a title + text (dateline already stripped).
    fn query_hit(
        &self,
        i: usize,
        title: &str,
        text: &str,
        language: Option<&str>,
        src: &SourceContext<'_>,
    ) -> Option<TopicHit> {
        let doc = match_doc(title, text, language, src);
        self.topics
            .match_doc(&doc)
            .into_iter()
            .find(|h| h.topic == i)
    }

    fn match_topics_folded(
        &self,
        title: &str,
        text: &str,
        (title_folded, text_folded, text_words): (&str, &str, &[&str]),
        language: Option<&str>,
        src: &SourceContext<'_>,
    ) -> Vec<TopicMatch> {
        let doc = match_doc(title, text, language, src);
        let rules = self.topics.rules();
        let hits = self.topics.match_folded(&doc, title_folded, text_words);
        if self.models.iter().all(Option::is_none) {
            return hits
                .into_iter()
                .filter_map(|hit| {
                    Some(TopicMatch {
                        topic: rules.get(hit.topic)?.name.clone(),
                        terms: hit.terms,
                        score: hit.score,
                        via_story: None,
                    })
                })
                .collect();
        }
        // The wording's features once per item (as hashes when every model
        // has its index, else as names), the query's signal per topic.
        let lang = doc_lang(title, text, language);
        let mut names: Option<Vec<String>> = None;
        let mut hashes: Option<HashSink> = None;
        // The features read the text without a dateline once more (as
        // `item_features` does), folded as the matcher's text when that
        // takes nothing.
        let body = strip_dateline(text);
        let refolded;
        let body_folded = if body.len() == text.len() {
            text_folded
        } else {
            refolded = fold(body);
            &refolded
        };
        let mut out = Vec::new();
        for (i, rule) in rules.iter().enumerate() {
            let hit = hits.iter().find(|h| h.topic == i);
            match self.model(i) {
                None => {
                    if let Some(h) = hit {
                        out.push(TopicMatch {
                            topic: rule.name.clone(),
                            terms: h.terms.clone(),
                            score: h.score,
                            via_story: None,
                        });
                    }
                }
                Some(m) => {
                    let signal = signal_features(QuerySignal::of(hit));
                    let (probability, relevant) = match self.indexes.get(i).and_then(Option::as_ref)
                    {
                        Some(index) => {
                            let hashes = hashes.get_or_insert_with(|| {
                                let mut sink = HashSink::default();
                                item_features_into(title_folded, body_folded, lang, &mut sink);
                                sink
                            });
                            index.score(m, hashes, signal)
                        }
                        None => {
                            let base = names.get_or_insert_with(|| {
                                let mut v = Vec::with_capacity(48);
                                item_features_into(title_folded, body_folded, lang, &mut v);
                                v.sort_unstable();
                                v.dedup();
                                v
                            });
                            let s = m.score(
                                base.iter()
                                    .map(String::as_str)
                                    .chain(signal.iter().copied()),
                            );
                            (s.probability, s.relevant)
                        }
                    };
                    if relevant {
                        let mut terms = hit.map(|h| h.terms.clone()).unwrap_or_default();
                        terms.push(format!("model {probability:.2}"));
                        out.push(TopicMatch {
                            topic: rule.name.clone(),
                            terms,
                            score: probability,
                            via_story: None,
                        });
                    }
                }
            }
        }
        out
    }

    /// Analyse one normalised entry.
    pub fn analyse(&self, entry: &Entry, src: &SourceContext<'_>) -> Analysis {
        let cur = &entry.current;
        self.analyse_folded(entry, src, &fold(&cur.title), &fold(&cur.text))
    }

    /// `analyse` with the current title and text already folded
    /// (`text::fold`): the caller folds once and reuses the result for the
    /// search index.
    #[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
    pub fn analyse_folded(
        &self,
        entry: &Entry,
        src: &SourceContext<'_>,
        title_folded: &str,
        text_folded: &str,
    ) -> Analysis {
        let lang = entry.language.as_deref();
        let cur = &entry.current;
        let quotes = match src.statement_speaker {
            Some(speaker) => vec![statements::whole_item_statement(
                speaker, &cur.title, &cur.text,
            )],
            None => statements::extract_quotes(&cur.title, &cur.text, &self.speakers),
        };
        // One word split of the text serves the topic scan and the
        // fingerprint (splitting was a tenth of a cold poll's instructions).
        let text_words = word_list(text_folded);
        // Topics read the text without its dateline (it names a capital in
        // every wire item); the fingerprint keeps every word.
        let body = strip_dateline(&cur.text);
        let body_folded;
        let body_words;
        let (topic_folded, topic_words): (&str, &[&str]) = if body.len() == cur.text.len() {
            (text_folded, &text_words)
        } else {
            body_folded = fold(body);
            body_words = word_list(&body_folded);
            (&body_folded, &body_words)
        };
        let names = self.speakers.speakers();
        let quotes = quotes
            .into_iter()
            .filter_map(|q| {
                Some(FoundQuote {
                    speaker: names.get(q.speaker)?.name.clone(),
                    text: q.text,
                    context: q.context,
                })
            })
            .collect();
        Analysis {
            topics: self.match_topics_folded(
                &cur.title,
                body,
                (title_folded, topic_folded, topic_words),
                lang,
                src,
            ),
            earlier_topics: entry
                .earlier
                .iter()
                .map(|t| self.match_topics(&t.title, &t.text, lang, src))
                .collect(),
            quotes,
            fingerprint: stories::fingerprint_words(&cur.title, &text_words),
            story_keys: stories::event::profile(
                &cur.title,
                &cur.text,
                crate::detect::lexicon::entities::Aliases::shipped(),
            ),
        }
    }
}

/// The stemmer language of an item: the feed's, else guessed from its text.
/// Guessed from the title and the text's start, as `normalize` guesses an
/// item's language, so a model reads a stored item and a fresh entry alike.
fn doc_lang(title: &str, text: &str, language: Option<&str>) -> crate::text::StemLang {
    let code = language.or_else(|| {
        let head = text.char_indices().nth(400).map_or(text.len(), |(i, _)| i);
        crate::text::guess_language(&format!("{title} {}", &text[..head]))
    });
    crate::text::StemLang::from_code(code)
}

/// What the topic matcher reads of an item.
fn match_doc<'a>(
    title: &'a str,
    text: &'a str,
    language: Option<&'a str>,
    src: &SourceContext<'a>,
) -> MatchDoc<'a> {
    MatchDoc {
        title,
        text,
        source: src.name,
        tags: src.tags,
        language,
    }
}
