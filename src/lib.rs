//! newswatch: a news-feed monitoring daemon.
//!
//! Modules follow the data flow in DESIGN.md:
//! config → scheduler → fetch → parse → normalize → store, with `pipeline`
//! wiring one fetch through the stages and `cli` the command-line surface.
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

#[cfg(test)]
mod testutil;
