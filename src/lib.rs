//! newswatch: a news-feed monitoring daemon.
//!
//! Modules follow the data flow in DESIGN.md:
//! config → scheduler → fetch → parse → normalize → detect → commit → store,
//! with `pipeline` wiring one fetch through the stages (the commit stage is
//! `pipeline::commit`), `model` the vocabulary they share, `notify` the mail
//! and `cli` the command-line surface. docs/development/architecture.md says
//! who may import whom (`.ci/layers` checks it).
pub mod cli;
pub mod clock;
pub mod config;
pub mod demo;
pub mod detect;
pub mod fetch;
pub mod logging;
pub mod model;
pub mod normalize;
pub mod notify;
pub mod opml;
pub mod parse;
pub mod pipeline;
pub mod scheduler;
pub mod service;
pub mod store;
pub mod text;

/// Paths for tests (the shared corpus, the project's fixtures); the
/// integration tests use it too, so it is not behind `cfg(test)`.
#[doc(hidden)]
pub mod testutil;
