//! The shared vocabulary: plain data that crosses the stages of the pipeline
//! and the layers of the program (see DESIGN.md, "Data flow", and
//! docs/development/architecture.md).
//!
//! Nothing here does I/O or knows about SQL, HTTP, feed formats or mail;
//! every other module may depend on this one, and this one depends on
//! nothing else in the crate.
//!
//! - `feed`: documents, raw and normalised entries, fetch outcomes.
//! - `significance`: how much a revision matters, with its one spelling.
//! - `diff`: the word diff a revision stores and messages show.
//! - `detections`: what detection finds in an entry (topic matches, quotes).
//! - `views`: what a message shows of stored items, stories, revisions and
//!   shifts (built by `store`, rendered by `notify`).
//! - `rules`: the configured sources and alert rules, as the lower layers
//!   take them (built by `config` and `pipeline`).
//! - `time`: the one bound on times (`later`), kept by the store and every
//!   clock.

mod detections;
mod diff;
mod feed;
pub mod relevance;
mod rules;
mod significance;
mod time;
pub mod views;

pub use detections::{FoundQuote, TopicMatch};
pub use diff::{DiffOp, FieldDiff};
pub use feed::{Document, Entry, EntryText, FetchStatus, ParsedFeed, RawEntry, Validators};
pub use rules::{AlertRules, SourceSpec};
pub use significance::{Significance, UnknownSignificance};
pub use time::later;

/// Row id of a source in the `sources` table.
pub type SourceId = i64;
/// Row id of an item in the `items` table.
pub type ItemId = i64;
