//! The checked `[email]` and `[[digest]]` sections: how mail leaves the
//! machine, who gets it, and when digests are sent (DESIGN.md,
//! "Configuration" and "notifier").
//!
//! The types are the notifier's own (`notify::settings`, re-exported here):
//! `validate_mail.rs` fills them in, and the notifier takes them without
//! knowing the configuration. This file keeps the defaults and limits of
//! the keys.

use std::time::Duration;

pub use crate::notify::settings::{
    DigestConfig, EmailConfig, MailSettings, MailTransport, PasswordSource, SmtpConfig,
    SmtpSecurity,
};

/// `timeout`: the whole SMTP exchange for one message.
pub const DEFAULT_MAIL_TIMEOUT: Duration = Duration::from_secs(30);
/// `group_window`: how long an immediate story alert waits for more outlets.
pub const DEFAULT_GROUP_WINDOW: Duration = Duration::from_secs(2 * 60);
/// Longest `group_window`: an "immediate" alert an hour late is a digest.
pub(crate) const LONGEST_GROUP_WINDOW: Duration = Duration::from_secs(60 * 60);
/// `alert_max_age`: items first published longer ago raise no immediate alert.
pub const DEFAULT_ALERT_MAX_AGE: Duration = Duration::from_secs(48 * 60 * 60);
/// Longest `alert_max_age` (ten years: "alert on anything new to me").
pub(crate) const LONGEST_ALERT_MAX_AGE: Duration = Duration::from_secs(3650 * 24 * 60 * 60);
/// `retry_min`: first retry delay after a refused or failed send (doubles).
pub const DEFAULT_RETRY_MIN: Duration = Duration::from_secs(30);
/// Shortest `retry_min`: retrying faster than every second is hammering.
pub(crate) const SHORTEST_RETRY_MIN: Duration = Duration::from_secs(1);
/// `retry_max`: longest retry delay.
pub const DEFAULT_RETRY_MAX: Duration = Duration::from_secs(60 * 60);
/// Cap on `retry_min`/`retry_max`: a mail server down for a day is still retried daily.
pub(crate) const LONGEST_RETRY: Duration = Duration::from_secs(24 * 60 * 60);
/// `give_up_after`: a message still refused after this is marked failed.
pub const DEFAULT_GIVE_UP_AFTER: Duration = Duration::from_secs(3 * 24 * 60 * 60);
/// Cap on `give_up_after`: news older than a month is no longer news.
pub(crate) const LONGEST_GIVE_UP_AFTER: Duration = Duration::from_secs(30 * 24 * 60 * 60);
/// `subject_prefix` when absent.
pub const DEFAULT_SUBJECT_PREFIX: &str = "[newswatch]";
/// Longest `subject_prefix`, in characters.
pub(crate) const SUBJECT_PREFIX_MAX_CHARS: usize = 100;
