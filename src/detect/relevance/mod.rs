//! Relevance: a topic's decision as a score (DESIGN.md, "detect" → topics).
//! The boolean query stays one signal (where it hit: title, lead, body
//! only); a per-topic linear model over stemmed words, word pairs and those
//! field features weighs it with the item's wording, and the model's
//! threshold decides. Pure: features in, verdict out; training is
//! deterministic and in-process.
//!
//! - `features`: datelines stripped, stemmed words and pairs of the title
//!   and lead, the query's signal.
//! - `frames`: what kind of news a talks word sits in (money for a party,
//!   another conflict, a talks word alone), by vocabulary and structure.
//! - `index`: a model's weights by feature hash, to score without names.
//! - `model`: logistic regression, its training and its file.
//! - `labels`: labelled TSV files and precision/recall over them.
//! - `context`: which names of strong matches become a topic's temporary
//!   context terms, and when they expire.

pub mod context;
pub mod features;
mod fit;
pub mod frames;
pub mod index;
pub mod labels;
pub mod model;

pub use features::{
    FeatureSink, QuerySignal, features, item_features, item_features_into, signal_features,
    strip_dateline,
};
pub use fit::CutRule;
pub use index::{HashSink, ModelIndex};
pub use labels::{Evaluation, Label, parse_labels};
pub use model::{Contribution, Example, Model, Remembered, Scored, TrainOptions};

use super::topics::TopicHit;

impl QuerySignal {
    /// The signal of a topic's boolean hit (none when it did not hit).
    pub fn of(hit: Option<&TopicHit>) -> QuerySignal {
        match hit {
            Some(h) => QuerySignal {
                matched: true,
                in_title: h.in_title,
                in_lead: h.in_lead,
            },
            None => QuerySignal::default(),
        }
    }
}

#[cfg(test)]
mod classes;
#[cfg(test)]
mod tests;
#[cfg(test)]
#[path = "tests/trials.rs"]
mod trials;
