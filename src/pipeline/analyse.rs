//! Detection that needs no history, run on the fetch workers (not the
//! writer): topics, quotes and fingerprints of each entry, with its title
//! and text folded once for them and for the search index (which also
//! takes their stems), and the revisions between the states one document
//! carries of an entry.

use std::collections::HashMap;
use std::sync::Arc;

use super::record::FetchRecord;
use crate::config::{Config, SourceKind};
use crate::detect::revisions::{self, Revision, VersionText};
use crate::detect::statements::Speaker;
use crate::detect::topics::TopicRule;
use crate::detect::{Analysis, Detector, SourceContext};
use crate::model::{Entry, EntryText, TopicMatch};
use crate::text::{fold, search_document};

/// One entry's detection results and its (title, text) as the full-text
/// index takes them: folded, with their stems (`text::search_document`),
/// made here so the writer does not stem.
#[derive(Clone, Debug, Default)]
pub struct Analysed {
    pub analysis: Analysis,
    pub search: (String, String),
    /// For an entry whose document carries earlier states of it (AP appends
    /// one item per headline edit): revision `i` goes from state `i` to
    /// state `i + 1` of `earlier` followed by `current`, so the commit stage
    /// need not compare them on the writer.
    pub doc_revisions: Vec<Revision>,
}

/// The topic terms a revision between two versions weighs: those of the
/// topics either matched, sorted, once each.
pub fn revision_terms(old: &[TopicMatch], new: &[TopicMatch]) -> Vec<String> {
    let mut terms: Vec<String> = old
        .iter()
        .chain(new)
        .flat_map(|m| m.terms.iter().cloned())
        .collect();
    terms.sort();
    terms.dedup();
    terms
}

/// The revision from one text state to the next (`detect::revisions::compare`).
pub fn compare_states(
    old: &EntryText,
    new: &EntryText,
    old_topics: &[TopicMatch],
    new_topics: &[TopicMatch],
) -> Revision {
    revisions::compare(
        &VersionText {
            title: &old.title,
            text: &old.text,
        },
        &VersionText {
            title: &new.title,
            text: &new.text,
        },
        &revision_terms(old_topics, new_topics),
    )
}

/// Analyses, on the writer, an entry the worker skipped as unchanged that
/// the commit stage finds new or changed after all (see
/// [`FetchRecord::analyses`]): with the rules the record was made with.
#[derive(Clone)]
pub struct Analyser {
    detection: Arc<Detection>,
    source: String,
}

impl Analyser {
    pub fn new(detection: Arc<Detection>, source: String) -> Analyser {
        Analyser { detection, source }
    }

    pub fn analyse(&self, entry: &Entry) -> Analysed {
        self.detection.analyse_entry(&self.source, entry)
    }
}

impl std::fmt::Debug for Analyser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Analyser({})", self.source)
    }
}

/// The detection rules of a configuration and what detection needs to know
/// about each configured source (tags; the speaker of a statements source).
pub struct Detection {
    detector: Detector,
    sources: HashMap<String, (Vec<String>, Option<usize>)>,
}

impl Detection {
    /// The configuration's rules with its configured models (no feedback).
    pub fn new(config: &Config) -> Detection {
        Detection::learned(config, &super::learning::Learned::default())
    }

    /// The configuration's rules, with the models and feedback the store
    /// holds (`pipeline::learning`).
    pub fn learned(config: &Config, learned: &super::learning::Learned) -> Detection {
        let topics = config
            .topics
            .iter()
            .map(|t| TopicRule {
                name: t.name.clone(),
                query: t.parsed.clone(),
                exclude: t.parsed_exclude.clone(),
            })
            .collect();
        let speakers = config
            .speakers
            .iter()
            .map(|s| Speaker {
                name: s.name.clone(),
                aliases: s.aliases.clone(),
            })
            .collect();
        let detector = Detector::new(topics, speakers);
        let models = super::learning::topic_models(config, &detector, learned);
        let detector = detector.with_models(models);
        let sources = config
            .sources
            .iter()
            .map(|s| {
                let speaker = match s.kind {
                    SourceKind::Statements => {
                        s.speaker.as_deref().and_then(|n| detector.speaker_index(n))
                    }
                    SourceKind::News => None,
                };
                (s.name.clone(), (s.tags.clone(), speaker))
            })
            .collect();
        Detection { detector, sources }
    }

    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// Analyse every entry of a record (CPU work for a worker thread, not the writer).
    pub fn analyse(&self, source: &str, rec: &mut FetchRecord) {
        self.analyse_changed(source, rec, &[]);
    }

    /// Analyse the entries of a record except those whose [`entry_key`] is in
    /// `unchanged` (sorted): the source's previous document had them, so the
    /// commit stage will find them unchanged. Those are left `None`, and the
    /// caller sets an `analyser` for the rare one the commit stage finds new.
    pub fn analyse_changed(&self, source: &str, rec: &mut FetchRecord, unchanged: &[u64]) {
        rec.analyses = rec
            .entries
            .iter()
            .map(|e| {
                let skip = e.earlier.is_empty() && unchanged.binary_search(&entry_key(e)).is_ok();
                (!skip).then(|| self.analyse_entry(source, e))
            })
            .collect();
    }

    /// One entry's analysis, folding its title and text once for topics,
    /// fingerprints and the search index.
    pub fn analyse_entry(&self, source: &str, entry: &Entry) -> Analysed {
        let (tags, speaker) = self
            .sources
            .get(source)
            .map(|(t, s)| (t.as_slice(), *s))
            .unwrap_or((&[], None));
        let ctx = SourceContext {
            name: source,
            tags,
            statement_speaker: speaker,
        };
        let folded = (fold(&entry.current.title), fold(&entry.current.text));
        let analysis = self
            .detector
            .analyse_folded(entry, &ctx, &folded.0, &folded.1);
        let doc_revisions = document_revisions(entry, &analysis);
        let language = entry.language.as_deref();
        let search = (
            search_document(&folded.0, language),
            search_document(&folded.1, language),
        );
        Analysed {
            analysis,
            search,
            doc_revisions,
        }
    }
}

/// The revisions between consecutive states of an entry in its document
/// (see [`Analysed::doc_revisions`]).
fn document_revisions(entry: &Entry, analysis: &Analysis) -> Vec<Revision> {
    let no_topics: &[TopicMatch] = &[];
    let states: Vec<(&EntryText, &[TopicMatch])> = entry
        .earlier
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let topics = analysis
                .earlier_topics
                .get(i)
                .map_or(no_topics, Vec::as_slice);
            (t, topics)
        })
        .chain(std::iter::once((
            &entry.current,
            analysis.topics.as_slice(),
        )))
        .collect();
    states
        .windows(2)
        .map(|w| compare_states(w[0].0, w[1].0, w[0].1, w[1].1))
        .collect()
}

/// A document entry's text state, as a number: equal keys, equal current
/// text (a hash of the content hash).
pub fn entry_key(entry: &Entry) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0x656e_7472).hash_one(&entry.current.content_hash)
}

/// The sorted entry keys of a successfully parsed record (see
/// [`Detection::analyse_changed`]).
pub(super) fn entry_keys(rec: &FetchRecord) -> Vec<u64> {
    sorted_keys(rec.entries.iter().filter(|e| e.earlier.is_empty()))
}

pub(super) fn sorted_keys<'a>(entries: impl Iterator<Item = &'a Entry>) -> Vec<u64> {
    let mut keys: Vec<u64> = entries.map(entry_key).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}
