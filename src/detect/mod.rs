//! Detection: pure functions over normalised entries and their stored history
//! (DESIGN.md, "detect"). No I/O, no SQL, no tokio: the store's writer hands
//! each stage the data it needs and stores what comes back, in the same
//! transaction as the fetch that caused it.
//!
//! - `query`: the topic rule language (parse, errors with columns).
//! - `topics`: rules compiled once; match an item, with the terms that hit.
//! - `revisions`: word diff between versions and its significance.
//! - `statements`: quotes attributed to configured speakers; shifts.
//! - `stories`: near-duplicate items across sources share a story.

pub mod query;
pub mod revisions;
pub mod statements;
pub mod stories;
pub mod topics;
