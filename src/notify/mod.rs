//! Notifier stage: turns what detection stored into mail (DESIGN.md,
//! "notifier"). Outbox rows are written in the fetch's own transaction (the
//! commit stage, `pipeline::commit`); this module composes their content
//! from the store, renders it (`render`), delivers it (`transport`) and
//! records the server's answer. Digests are planned from their schedules
//! (`schedule`). It takes its settings as `settings::MailSettings`, which
//! `config` builds: it never reads the configuration itself.

pub mod compose;
pub mod content;
pub mod deliver;
pub mod diffchain;
pub mod diffview;
pub mod render;
pub mod schedule;
pub mod settings;
pub mod transport;

pub use deliver::{Delivery, Notifier};
