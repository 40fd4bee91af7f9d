//! Delivery part of the notifier: builds the MIME message and hands it to
//! SMTP (lettre, pooled connection reused across a batch), a sendmail
//! command, or a local Maildir. Knows nothing of the outbox; says whether a
//! failure is worth retrying.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncSendmailTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::settings::{EmailConfig, MailTransport, PasswordSource, SmtpConfig, SmtpSecurity};

/// A message ready to go.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub to: Vec<Mailbox>,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// `<key@domain>`.
    pub message_id: String,
    /// The alert this one answers (`<key@domain>`), for threading.
    pub in_reply_to: Option<String>,
}

/// Why a message did not go out.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later: connection refused or lost, timeout, 4xx.
    #[error("{0}")]
    Transient(String),
    /// The server said no for good (5xx), or the message cannot be built.
    /// Still retried until `give_up_after`: a fixed server config may accept it.
    #[error("{0}")]
    Permanent(String),
    /// The server could not be reached at all: stop the batch.
    #[error("{0}")]
    Unreachable(String),
}

/// Setting up the transport failed (bad password file, bad TLS setup).
#[derive(Debug, thiserror::Error)]
#[error("[email] {0}")]
pub struct SetupError(String);

enum Kind {
    /// Built on first use: lettre's pool needs a running Tokio runtime.
    Smtp(
        AsyncSmtpTransportBuilder,
        OnceLock<AsyncSmtpTransport<Tokio1Executor>>,
    ),
    Sendmail(AsyncSendmailTransport<Tokio1Executor>, PathBuf),
    Maildir(PathBuf),
}

/// The configured way out, built once and reused for every message.
pub struct Mailer {
    kind: Kind,
    from: Mailbox,
    timeout: Duration,
    /// Right-hand side of every Message-ID: the sender's domain.
    domain: String,
    /// Where the messages go, for logs and `test-email` (never a password).
    describe: String,
    /// What a server without STARTTLS is told it lacks, when TLS is required.
    no_starttls: Option<&'static str>,
}

impl Mailer {
    /// Build the transport from `[email]`. Reads the SMTP password now (from
    /// its file or environment variable) and never logs it.
    pub fn new(cfg: &EmailConfig) -> Result<Mailer, SetupError> {
        let mut no_starttls = None;
        let kind = match &cfg.transport {
            MailTransport::Smtp(smtp) => {
                no_starttls = starttls_refusal(smtp);
                if smtp.allow_plaintext_auth {
                    tracing::warn!(
                        server = %cfg.transport.describe(),
                        "[email] allow_plaintext_auth = true: the SMTP password is sent \
                         UNENCRYPTED to a server that does not offer STARTTLS"
                    );
                }
                Kind::Smtp(smtp_transport(smtp, cfg.timeout)?, OnceLock::new())
            }
            MailTransport::Sendmail { command } => Kind::Sendmail(
                AsyncSendmailTransport::new_with_command(command.as_os_str()),
                command.clone(),
            ),
            MailTransport::Maildir { path } => Kind::Maildir(path.clone()),
        };
        let describe = cfg.transport.describe();
        let domain = cfg.from.email.domain().to_string();
        Ok(Mailer {
            kind,
            from: cfg.from.clone(),
            timeout: cfg.timeout,
            domain,
            describe,
            no_starttls,
        })
    }

    /// Where messages go, for humans (no secrets).
    pub fn describe(&self) -> &str {
        &self.describe
    }

    /// The Message-ID for an outbox key.
    pub fn message_id(&self, key: &str) -> String {
        format!("<{key}@{}>", self.domain)
    }

    /// Send one message; returns what the server answered when it accepted.
    /// The whole exchange is bounded by `[email] timeout` (lettre's own
    /// timeout covers only the connection).
    pub async fn send(&self, msg: &Outgoing) -> Result<String, SendError> {
        let message = build_message(&self.from, msg)?;
        match tokio::time::timeout(self.timeout, self.send_built(message)).await {
            Ok(result) => result,
            Err(_) => Err(SendError::Unreachable(format!(
                "{}: no answer within {}",
                self.describe,
                humantime::format_duration(self.timeout)
            ))),
        }
    }

    async fn send_built(&self, message: Message) -> Result<String, SendError> {
        match &self.kind {
            Kind::Smtp(builder, transport) => match transport
                .get_or_init(|| builder.clone().build())
                .send(message)
                .await
            {
                Ok(response) => {
                    // lettre hands the connection back to its pool in a
                    // spawned task: let it run, so the next message of the
                    // batch reuses this connection instead of opening one.
                    tokio::task::yield_now().await;
                    Ok(format!(
                        "{} {}",
                        response.code(),
                        response.message().collect::<Vec<_>>().join(" ")
                    ))
                }
                Err(e) => Err(classify_smtp(&self.describe, self.no_starttls, &e)),
            },
            Kind::Sendmail(t, command) => match t.send(message).await {
                Ok(()) => Ok(format!("accepted by {}", command.display())),
                Err(e) => Err(SendError::Transient(format!(
                    "sendmail command {}: {e}",
                    command.display()
                ))),
            },
            Kind::Maildir(dir) => {
                let dir = dir.clone();
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || deliver_to_maildir(&dir, &bytes))
                    .await
                    .map_err(|e| SendError::Transient(format!("maildir: {e}")))?
            }
        }
    }
}

fn smtp_transport(
    smtp: &SmtpConfig,
    timeout: Duration,
) -> Result<AsyncSmtpTransportBuilder, SetupError> {
    let tls_params = || {
        TlsParameters::new(smtp.host.clone())
            .map_err(|e| SetupError(format!("TLS setup for {}: {e}", smtp.host)))
    };
    // With a password, `smtp://` requires STARTTLS too (`tls_required`):
    // lettre then refuses a server that does not offer it before AUTH.
    let tls = match smtp.security {
        SmtpSecurity::Tls => Tls::Wrapper(tls_params()?),
        _ if smtp.tls_required() => Tls::Required(tls_params()?),
        _ => Tls::Opportunistic(tls_params()?),
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.as_str())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(timeout))
        // One connection, reused for a batch; idle connections are closed
        // soon so a restarted server is not met with a dead socket.
        .pool_config(
            PoolConfig::new()
                .max_size(1)
                .idle_timeout(Duration::from_secs(60)),
        );
    if let Some(user) = &smtp.username {
        let password = match &smtp.password {
            Some(source) => read_password(source)?,
            None => String::new(),
        };
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder)
}

fn read_password(source: &PasswordSource) -> Result<String, SetupError> {
    match source {
        PasswordSource::File(path) => {
            if let Some(warning) = password_file_warning(path) {
                tracing::warn!(file = %path.display(), "{warning}");
            }
            std::fs::read_to_string(path)
                .map(|s| s.trim_end_matches(['\r', '\n']).to_string())
                .map_err(|e| SetupError(format!("password_file {}: {e}", path.display())))
        }
        PasswordSource::Env(var) => {
            std::env::var(var).map_err(|_| SetupError(format!("password_env: ${var} is not set")))
        }
    }
}

/// What to say of a password file its group or every user can read (the
/// file itself, a link followed), for the log when it is read and for
/// `check-config`. A systemd credential (`LoadCredential=`) is 0400.
pub fn password_file_warning(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o7777;
    let who = match (mode & 0o040 != 0, mode & 0o004 != 0) {
        (_, true) => "every user",
        (true, false) => "its group",
        (false, false) => return None,
    };
    Some(format!(
        "password_file {} can be read by {who} (mode {mode:04o}); make it private: chmod 600 {}",
        path.display(),
        path.display()
    ))
}

fn build_message(from: &Mailbox, msg: &Outgoing) -> Result<Message, SendError> {
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(msg.subject.clone())
        .message_id(Some(msg.message_id.clone()))
        .date_now()
        .header(AutoSubmitted);
    for to in &msg.to {
        builder = builder.to(to.clone());
    }
    if let Some(parent) = &msg.in_reply_to {
        builder = builder
            .in_reply_to(parent.clone())
            .references(parent.clone());
    }
    builder
        .multipart(MultiPart::alternative_plain_html(
            msg.text.clone(),
            msg.html.clone(),
        ))
        .map_err(|e| SendError::Permanent(format!("cannot build the message: {e}")))
}

/// `Auto-Submitted: auto-generated` (RFC 3834): vacation responders and
/// mailing lists must not answer or loop machine-made mail.
#[derive(Clone)]
struct AutoSubmitted;

impl lettre::message::header::Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(AutoSubmitted)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".into())
    }
}

/// What to say when STARTTLS is required and the server does not offer it
/// (None when STARTTLS is not required).
fn starttls_refusal(smtp: &SmtpConfig) -> Option<&'static str> {
    match smtp.security {
        SmtpSecurity::Tls => None,
        SmtpSecurity::StartTls => Some(
            "the server does not offer STARTTLS, which smtp+starttls:// requires; \
             nothing was sent (use smtps:// if the server speaks TLS from the first byte)",
        ),
        SmtpSecurity::Opportunistic if smtp.tls_required() => Some(
            "the server does not offer STARTTLS; newswatch does not send the password \
             without TLS, so nothing was sent; use smtps:// (or smtp+starttls://) with a \
             server that speaks TLS, or set allow_plaintext_auth = true in [email] to \
             send the password unencrypted anyway",
        ),
        SmtpSecurity::Opportunistic => None,
    }
}

/// lettre's words when `Tls::Required` meets a server without STARTTLS
/// (lettre 0.11, `AsyncSmtpConnection::starttls`).
const LETTRE_NO_STARTTLS: &str = "STARTTLS is not supported";

fn classify_smtp(
    server: &str,
    no_starttls: Option<&str>,
    e: &lettre::transport::smtp::Error,
) -> SendError {
    if let Some(why) = no_starttls
        && e.is_client()
        && e.to_string().contains(LETTRE_NO_STARTTLS)
    {
        return SendError::Unreachable(format!("{server}: {why}"));
    }
    let mut text = format!("{server}: {e}");
    if text.contains("UnknownIssuer") {
        // The usual cause on a self-hosted relay is a private CA; say where
        // the trust store comes from rather than leave the user guessing.
        text.push_str(
            " (the server's certificate is checked against the system's CA \
             certificates; for a private CA, set SSL_CERT_FILE to a PEM file \
             with it, or install it with update-ca-certificates)",
        );
    }
    if e.is_permanent() {
        SendError::Permanent(text)
    } else if e.is_transient() {
        SendError::Transient(text)
    } else {
        // No SMTP answer at all: refused connection, TLS failure, lost socket.
        SendError::Unreachable(text)
    }
}

/// Write one message into a Maildir (`tmp/` then rename into `new/`, so a
/// reader never sees half a message).
fn deliver_to_maildir(dir: &Path, bytes: &[u8]) -> Result<String, SendError> {
    let fail = |what: &str, e: std::io::Error| {
        SendError::Transient(format!("maildir {}: {what}: {e}", dir.display()))
    };
    for sub in ["tmp", "new", "cur"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| fail("cannot create", e))?;
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let host = hostname();
    let name = format!(
        "{}.M{}P{}R{:08x}.{host}",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        fastrand::u32(..)
    );
    let tmp = dir.join("tmp").join(&name);
    let new = dir.join("new").join(&name);
    std::fs::write(&tmp, bytes).map_err(|e| fail("cannot write", e))?;
    std::fs::rename(&tmp, &new).map_err(|e| fail("cannot move into new/", e))?;
    Ok(format!("delivered to {}", new.display()))
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().replace(['/', ':'], "_"))
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".into())
}
