//! `digest`, `test-email` and `outbox`: the commands that show and send mail.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use lettre::message::Mailbox;

use super::output::{json_line, safe, safe_lines, short_time, table};
use super::{CliError, CliResult, Ctx, parse_since};
use crate::notify::content::AlertView;
use crate::notify::deliver::{FIRST_DIGEST_PERIOD, digest_spec};
use crate::notify::render::Templates;
use crate::notify::transport::{Mailer, Outgoing};
use crate::notify::{Delivery, Notifier};
use crate::store::{NewDigest, OutboxFilter};

fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    super::async_runtime(tokio::runtime::Builder::new_current_thread())
}

fn notifier(ctx: &Ctx, what: &str) -> Result<Notifier, CliError> {
    ctx.may_write()?;
    Notifier::open(ctx.config.mail_settings(), &ctx.db)?.ok_or_else(|| {
        CliError::usage(anyhow::anyhow!(
            "{what} needs an [email] section in {}",
            ctx.config.path.display()
        ))
    })
}

/// What `digest` should do.
pub struct DigestArgs<'a> {
    pub name: Option<&'a str>,
    pub preview: bool,
    pub html: Option<&'a Path>,
    pub since: Option<&'a str>,
    pub send: bool,
}

pub fn digest(ctx: &Ctx, args: &DigestArgs<'_>) -> CliResult {
    let now = Utc::now();
    let cfg = match args.name {
        Some(name) => Some(
            ctx.config
                .digests
                .iter()
                .find(|d| d.name == name)
                .ok_or_else(|| {
                    let known: Vec<&str> =
                        ctx.config.digests.iter().map(|d| d.name.as_str()).collect();
                    CliError::usage(anyhow::anyhow!(
                        "no [[digest]] named '{name}' (configured: {})",
                        if known.is_empty() {
                            "none".to_string()
                        } else {
                            known.join(", ")
                        }
                    ))
                })?,
        ),
        None => ctx.config.digests.first(),
    };
    let name = cfg.map_or("all-topics", |c| c.name.as_str());
    let store = ctx.open_reader()?;
    let last = store.last_digest(name)?;
    let (start, after) = match (args.since, &last) {
        (Some(s), _) => {
            let start = parse_since(s, now)?;
            (start, store.watermark_before(start)?)
        }
        (None, Some(run)) => (run.period_end, run.upto),
        (None, None) => {
            let start = now - FIRST_DIGEST_PERIOD;
            (start, store.watermark_before(start)?)
        }
    };
    let upto = store.watermark()?;
    let all_topics: Vec<String> = ctx.config.topics.iter().map(|t| t.name.clone()).collect();
    let mut spec = digest_spec(name, cfg, &all_topics, start, now);
    spec.after = after;
    spec.upto = upto;
    let (view, entries) = crate::notify::compose::digest_view(&store, &spec, now)?;
    let templates_dir = ctx
        .config
        .email
        .as_ref()
        .and_then(|e| e.templates.as_deref());
    let prefix = ctx
        .config
        .email
        .as_ref()
        .map_or("[newswatch]", |e| e.subject_prefix.as_str());
    let templates = Templates::load(templates_dir).map_err(CliError::usage)?;
    let rendered = templates.render_digest(&view, prefix)?;
    if let Some(path) = args.html {
        std::fs::write(path, &rendered.html)
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote the HTML digest to {}",
            safe(&path.display().to_string())
        );
    }
    if args.preview || (!args.send && args.html.is_none()) {
        if ctx.json {
            json_line(&serde_json::json!({
                "name": name,
                "period_start": view.period_start,
                "period_end": view.period_end,
                "entries": entries,
                "subject": rendered.subject,
                "text": rendered.text,
            }))?;
        } else {
            outln!("Subject: {}\n", safe(&rendered.subject));
            outln!("{}", safe_lines(&rendered.text));
        }
    }
    if !args.send {
        return Ok(0);
    }
    drop(store);
    // lettre's connection pool lives (and is dropped) inside a runtime.
    let rt = runtime()?;
    let _inside = rt.enter();
    let mut notifier = notifier(ctx, "digest --send")?;
    let id = notifier
        .store_mut()
        .record_digest(&NewDigest {
            name,
            slot: now,
            period_start: start,
            period_end: now,
            after,
            upto,
            manual: true,
            entries,
            send: true,
            now,
        })?
        .context("the digest was recorded but not queued")?;
    let row = notifier.store().outbox_row(id)?;
    let report = rt.block_on(notifier.deliver_rows(vec![row]));
    report_delivery(
        ctx,
        &report,
        &format!("digest '{name}' ({entries} entries)"),
    )
}

/// Print what a delivery did; exit 1 when something did not go out.
fn report_delivery(ctx: &Ctx, report: &Delivery, what: &str) -> CliResult {
    for (id, subject, reply) in &report.replies {
        if ctx.json {
            json_line(&serde_json::json!({
                "outbox_id": id, "subject": subject, "status": "sent", "reply": reply,
            }))?;
        } else {
            outln!("sent {what}: {}\n  server: {}", safe(subject), safe(reply));
        }
    }
    for e in &report.errors {
        eprintln!("error: {}", safe(e));
    }
    if report.deferred + report.failed > 0 {
        eprintln!(
            "{} message(s) not sent; they stay in the outbox and `newswatch run` retries them",
            report.deferred + report.failed
        );
        return Ok(1);
    }
    Ok(0)
}

pub fn test_email(ctx: &Ctx, to: Option<&str>) -> CliResult {
    let rt = runtime()?;
    let _inside = rt.enter();
    // The transport and templates alone: the database is not needed (and
    // root may test mail beside a database another user owns).
    let email = ctx.config.email.as_ref().ok_or_else(|| {
        CliError::usage(anyhow::anyhow!(
            "test-email needs an [email] section in {}",
            ctx.config.path.display()
        ))
    })?;
    let templates = Templates::load(email.templates.as_deref())?;
    let mailer = Mailer::new(email)?;
    if super::inspect::smtp_of(email).is_some_and(|s| s.allow_plaintext_auth) {
        eprintln!("warning: {}", super::inspect::PLAINTEXT_AUTH_WARNING);
    }
    let recipients: Vec<Mailbox> = match to {
        Some(addr) => vec![addr.parse().map_err(|e| {
            CliError::usage(anyhow::anyhow!("--to {addr}: not a mail address ({e})"))
        })?],
        None => email.to.clone(),
    };
    let now = Utc::now();
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "this host".into());
    let view = AlertView::Test {
        host,
        sent_at: crate::store::ts(now),
    };
    let rendered = templates.render_alert(&view, &email.subject_prefix)?;
    let key = format!(
        "newswatch.test-{}-{:06x}",
        now.format("%Y%m%dT%H%M%S"),
        fastrand::u32(..0xff_ffff)
    );
    let subject = rendered.subject.clone();
    let outgoing = Outgoing {
        to: recipients.clone(),
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        message_id: mailer.message_id(&key),
        in_reply_to: None,
    };
    let to_text: Vec<String> = recipients.iter().map(ToString::to_string).collect();
    match rt.block_on(mailer.send(&outgoing)) {
        Ok(reply) => {
            if ctx.json {
                json_line(&serde_json::json!({
                    "status": "sent", "to": to_text, "via": mailer.describe(),
                    "subject": subject, "message_id": outgoing.message_id, "reply": reply,
                }))?;
            } else {
                outln!(
                    "sent a test message to {} via {}\n  Message-ID: {}\n  server: {}",
                    safe(&to_text.join(", ")),
                    safe(mailer.describe()),
                    outgoing.message_id,
                    safe(&reply)
                );
            }
            Ok(0)
        }
        Err(e) => {
            eprintln!(
                "error: test message to {} via {} not sent: {}",
                safe(&to_text.join(", ")),
                safe(mailer.describe()),
                safe(&e.to_string())
            );
            Ok(1)
        }
    }
}

/// `outbox` subcommands.
pub enum OutboxCommand<'a> {
    List {
        status: Option<&'a str>,
        limit: usize,
    },
    Send,
    Retry,
}

pub fn outbox(ctx: &Ctx, cmd: OutboxCommand<'_>) -> CliResult {
    match cmd {
        OutboxCommand::List { status, limit } => {
            let filter = match status {
                None | Some("all") => OutboxFilter::All,
                Some("pending") => OutboxFilter::Pending,
                Some("sent") => OutboxFilter::Sent,
                Some("failed") => OutboxFilter::Failed,
                Some(other) => {
                    return Err(CliError::usage(anyhow::anyhow!(
                        "--status {other}: use pending, sent, failed or all"
                    )));
                }
            };
            let store = ctx.open_reader()?;
            let rows = store.outbox(filter, limit)?;
            if ctx.json {
                for row in &rows {
                    json_line(row)?;
                }
                return Ok(0);
            }
            let lines: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    let what = r
                        .subject
                        .clone()
                        .or_else(|| r.digest.as_ref().map(|d| format!("digest {d}")))
                        .unwrap_or_else(|| r.dedupe_key.clone());
                    let when = match r.status.as_str() {
                        "sent" => r.sent_at.as_deref().map(short_time).unwrap_or_default(),
                        _ => short_time(&r.next_attempt_at),
                    };
                    vec![
                        r.id.to_string(),
                        r.kind.clone(),
                        r.status.clone(),
                        r.attempts.to_string(),
                        when,
                        safe(&what),
                        safe(r.last_error.as_deref().unwrap_or("")),
                    ]
                })
                .collect();
            table(
                &[
                    "ID",
                    "KIND",
                    "STATUS",
                    "TRIES",
                    "WHEN",
                    "SUBJECT",
                    "LAST ERROR",
                ],
                &lines,
            );
            Ok(0)
        }
        OutboxCommand::Send => {
            let rt = runtime()?;
            let _inside = rt.enter();
            let mut notifier = notifier(ctx, "outbox send")?;
            let now = Utc::now();
            notifier.store().expedite_outbox(now)?;
            let report = rt.block_on(notifier.deliver_due(now));
            if report.sent == 0 && report.errors.is_empty() {
                outln!("nothing to send");
            }
            report_delivery(ctx, &report, "message")
        }
        OutboxCommand::Retry => {
            let store = ctx.open_store()?;
            let n = store.retry_failed_outbox(Utc::now())?;
            outln!("{n} message(s) queued again");
            Ok(0)
        }
    }
}

/// After `poll`: send the alerts it queued (and anything else pending) now.
/// The pass itself was the grouping window.
pub fn deliver_after_poll(ctx: &Ctx) -> Result<(), CliError> {
    if ctx.config.email.is_none() || ctx.open_store()?.outbox_counts()?.0 == 0 {
        return Ok(());
    }
    let rt = runtime()?;
    let _inside = rt.enter();
    let Some(mut notifier) = Notifier::open(ctx.config.mail_settings(), &ctx.db)? else {
        return Ok(());
    };
    let now = Utc::now();
    notifier.store().expedite_outbox(now)?;
    let report = rt.block_on(notifier.deliver_due(now));
    if report.sent > 0 {
        eprintln!("sent {} message(s)", report.sent);
    }
    for e in &report.errors {
        eprintln!("warning: {}", safe(e));
    }
    if report.deferred > 0 {
        eprintln!(
            "warning: {} message(s) not sent yet; they stay in the outbox and are retried",
            report.deferred
        );
    }
    Ok(())
}
