//! Notifier stage: turns what detection stored into mail (DESIGN.md,
//! "notifier"). Outbox rows are written by `store` in the fetch's own
//! transaction; this module composes their content from the store, renders
//! it (`render`), delivers it (`transport`) and records the server's answer.
//! Digests are planned from their schedules (`schedule`).

pub mod compose;
pub mod content;
pub mod deliver;
pub mod diffview;
pub mod render;
pub mod schedule;
pub mod transport;

pub use deliver::{Delivery, Notifier, alert_rules};
