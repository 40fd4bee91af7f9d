//! What the notifier needs to know of the configuration: how mail leaves
//! the machine, who gets it, when digests go out. `config` fills these in
//! from `[email]` and `[[digest]]` (`config::validate_mail`); the notifier
//! never reads the configuration itself.
//!
//! Secrets are never held here: a password is only a [`PasswordSource`],
//! read when the mail transport is set up: when the daemon starts and at
//! each reload, and once by a one-shot command that sends (`test-email`,
//! `outbox send`, `digest --send`, `poll` with mail to deliver).

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::Mailbox;

use crate::model::Significance;

/// Everything the notifier takes from the configuration (`Config::mail_settings`).
#[derive(Clone, Debug)]
pub struct MailSettings {
    pub email: EmailConfig,
    pub digests: Vec<DigestConfig>,
    /// Every configured topic: a digest that names none covers them all.
    pub topics: Vec<String>,
}

/// Port for `smtp://` without one (SMTP relay).
const SMTP_PORT: u16 = 25;
/// Port for `smtps://` without one (submission over TLS, RFC 8314).
const SMTPS_PORT: u16 = 465;
/// Port for `smtp+starttls://` without one (message submission, RFC 6409).
const SUBMISSION_PORT: u16 = 587;

/// `[email]`, defaults filled in, paths resolved.
#[derive(Clone, Debug)]
pub struct EmailConfig {
    pub transport: MailTransport,
    pub from: Mailbox,
    /// At least one.
    pub to: Vec<Mailbox>,
    /// Key `timeout`, default 30s: the whole SMTP exchange per message.
    pub timeout: Duration,
    /// Key `group_window`, default 2m, 0 allowed, at most 1h: how long an
    /// immediate story alert waits for more outlets.
    pub group_window: Duration,
    /// Key `alert_max_age`, default 48h, at most 3650d: an item published
    /// longer ago than this (a feed backfilling its archive) raises no
    /// immediate alert; it still reaches digests.
    pub alert_max_age: Duration,
    /// Key `retry_min`, default 30s, at least 1s: first retry delay (doubles).
    pub retry_min: Duration,
    /// Key `retry_max`, default 1h: longest retry delay.
    pub retry_max: Duration,
    /// Key `give_up_after`, default 3d: a message still refused after this is marked failed.
    pub give_up_after: Duration,
    /// Key `templates`: a folder, resolved against the config file's folder.
    pub templates: Option<PathBuf>,
    /// Key `subject_prefix`, default "[newswatch]", may be "".
    pub subject_prefix: String,
    /// Line of the `[email]` header, for messages.
    pub line: usize,
}

/// How mail leaves the machine: exactly one of `smtp_url`, `sendmail`, `maildir`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MailTransport {
    /// Key `smtp_url`.
    Smtp(SmtpConfig),
    /// Key `sendmail = "/usr/sbin/sendmail"`: a sendmail-compatible command
    /// (path as given; a relative path resolves against the config folder
    /// only if it contains a '/', else it is looked up in `PATH`).
    Sendmail { command: PathBuf },
    /// Key `maildir = "mail/"`: deliver into a local Maildir folder (resolved like `database`).
    Maildir { path: PathBuf },
}

/// `smtp_url` taken apart, with the password's source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub security: SmtpSecurity,
    /// Host name or IP address (an IPv6 address without brackets).
    pub host: String,
    /// Default 25 for smtp, 465 for smtps, 587 for smtp+starttls.
    pub port: u16,
    /// Percent-decoded from the URL's user part ("alerts%40example.org" -> "alerts@example.org").
    pub username: Option<String>,
    pub password: Option<PasswordSource>,
    /// Key `allow_plaintext_auth`, default false; only allowed (and only
    /// meaningful) with `smtp://` and a user name: send the password even
    /// when the server offers no STARTTLS.
    pub allow_plaintext_auth: bool,
}

/// How the SMTP connection is protected, as the URL's scheme says. What
/// is used is [`SmtpConfig::tls_required`]: with a password, `smtp://`
/// requires STARTTLS too.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://`: STARTTLS if the server offers it, plain text otherwise
    /// (without a user name; with one, STARTTLS is required unless
    /// `allow_plaintext_auth` says otherwise).
    Opportunistic,
    /// `smtp+starttls://`: STARTTLS required.
    StartTls,
    /// `smtps://`: TLS from the first byte.
    Tls,
}

impl MailTransport {
    /// Where mail goes, for people: `smtps://smtp.example.org:465 as user`,
    /// `sendmail command /usr/sbin/sendmail`, `maildir /var/mail/nw`. Never a secret.
    pub fn describe(&self) -> String {
        match self {
            MailTransport::Smtp(smtp) => {
                let user = smtp
                    .username
                    .as_ref()
                    .map(|u| format!(" as {u}"))
                    .unwrap_or_default();
                format!(
                    "{}://{}:{}{user}",
                    smtp.security.scheme(),
                    smtp.host,
                    smtp.port
                )
            }
            MailTransport::Sendmail { command } => {
                format!("sendmail command {}", command.display())
            }
            MailTransport::Maildir { path } => format!("maildir {}", path.display()),
        }
    }
}

impl SmtpConfig {
    /// Whether the connection must be encrypted before anything is sent:
    /// always with `smtps://` and `smtp+starttls://`, and with `smtp://`
    /// when there is a password to send (a server, or a man in the middle,
    /// that offers no STARTTLS must not receive it), unless
    /// `allow_plaintext_auth` is set.
    pub fn tls_required(&self) -> bool {
        match self.security {
            SmtpSecurity::Opportunistic => self.username.is_some() && !self.allow_plaintext_auth,
            SmtpSecurity::StartTls | SmtpSecurity::Tls => true,
        }
    }

    /// How the connection is protected, for `check-config`.
    pub fn describe_tls(&self) -> &'static str {
        match self.security {
            SmtpSecurity::Tls => "TLS from the first byte",
            SmtpSecurity::StartTls => "STARTTLS required",
            SmtpSecurity::Opportunistic if self.tls_required() => {
                "STARTTLS required (a password is sent; set allow_plaintext_auth = true to allow a server without STARTTLS)"
            }
            SmtpSecurity::Opportunistic if self.allow_plaintext_auth => {
                "STARTTLS if offered, else PLAIN TEXT: allow_plaintext_auth = true sends the password unencrypted to a server without STARTTLS"
            }
            SmtpSecurity::Opportunistic => {
                "STARTTLS if offered, else plain text (no password is sent)"
            }
        }
    }
}

impl SmtpSecurity {
    /// The URL scheme: `smtp`, `smtp+starttls` or `smtps`.
    pub fn scheme(self) -> &'static str {
        match self {
            SmtpSecurity::Opportunistic => "smtp",
            SmtpSecurity::StartTls => "smtp+starttls",
            SmtpSecurity::Tls => "smtps",
        }
    }

    /// The port used when the URL names none.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Opportunistic => SMTP_PORT,
            SmtpSecurity::StartTls => SUBMISSION_PORT,
            SmtpSecurity::Tls => SMTPS_PORT,
        }
    }
}

/// Where the SMTP password is read from when the mail transport is set up
/// (never at config load).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PasswordSource {
    /// Key `password_file`, resolved like `database`; trailing newline ignored when read.
    File(PathBuf),
    /// Key `password_env`: the name of an environment variable.
    Env(String),
}

/// One `[[digest]]`.
#[derive(Clone, Debug)]
pub struct DigestConfig {
    /// Unique (case-insensitively).
    pub name: String,
    pub schedule: super::schedule::Schedule,
    /// Key `timezone`, default UTC.
    pub timezone: chrono_tz::Tz,
    /// Configured topic names; empty = all topics.
    pub topics: Vec<String>,
    /// Default: `[email].to`.
    pub to: Vec<Mailbox>,
    /// Key `send_empty`, default false: send even when nothing happened.
    pub send_empty: bool,
    /// Key `min_significance`, default minor: revisions below are left out.
    pub min_significance: Significance,
    /// Line of the `[[digest]]` header.
    pub line: usize,
}
