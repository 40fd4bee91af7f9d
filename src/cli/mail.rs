//! `digest`, `test-email` and `outbox`: the commands that show and send mail.

use std::path::Path;

use anyhow::Context;
use lettre::message::Mailbox;

use super::output::{counted, json_line, json_lines, safe, safe_lines, short_time, table};
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
    ctx.require_database()?;
    Notifier::open(ctx.config.mail_settings(), &ctx.db, ctx.clock.clone())?.ok_or_else(|| {
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
    let mut now = ctx.now();
    let cfg = match args.name {
        Some(name) => {
            let names: Vec<String> = ctx.config.digests.iter().map(|d| d.name.clone()).collect();
            let found = super::find_name(&names, name).ok_or_else(|| {
                CliError::usage(anyhow::anyhow!(crate::store::unknown_name(
                    "[[digest]]",
                    name,
                    &names
                )))
            })?;
            ctx.config.digests.iter().find(|d| d.name == found)
        }
        None => ctx.config.digests.first(),
    };
    let name = cfg.map_or("all-topics", |c| c.name.as_str());
    let store = ctx.open_reader()?;
    let last = store.last_digest(name)?;
    // A manual digest is recorded under the second it was asked for: a
    // second `--send` within that second is the same request again.
    if args.send
        && let Some(run) = last
            .as_ref()
            .filter(|r| r.manual && same_second(r.slot, now))
    {
        if store.watermark()? == run.upto {
            outln!(
                "digest '{}' was sent at {} UTC and nothing has come in since: not sent again",
                safe(name),
                run.slot.format("%H:%M:%S")
            );
            return Ok(0);
        }
        // Something came in since: a digest of its own, in the next second.
        let next = run.slot + chrono::Duration::seconds(1);
        runtime()?.block_on(ctx.clock.sleep_until(next));
        now = ctx.now().max(next);
    }
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
        &format!("digest '{name}' ({})", counted(entries, "entry", "entries")),
    )
}

/// Whether two times fall in the same second (as the database stores times).
fn same_second(a: chrono::DateTime<chrono::Utc>, b: chrono::DateTime<chrono::Utc>) -> bool {
    a.timestamp() == b.timestamp()
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
            "{} not sent; {} in the outbox and `newswatch run` retries {}",
            counted(report.deferred + report.failed, "message", "messages"),
            if report.deferred + report.failed == 1 {
                "it stays"
            } else {
                "they stay"
            },
            if report.deferred + report.failed == 1 {
                "it"
            } else {
                "them"
            }
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
    let now = ctx.now();
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
                json_lines(&rows)?;
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
            let now = ctx.now();
            notifier.store().expedite_outbox(now, true)?;
            let report = rt.block_on(notifier.deliver_due(now));
            if report.sent == 0 && report.errors.is_empty() {
                outln!("nothing to send");
            }
            report_delivery(ctx, &report, "message")
        }
        OutboxCommand::Retry => {
            ctx.require_database()?;
            let store = ctx.open_store()?;
            let n = store.retry_failed_outbox(ctx.now())?;
            outln!("{} queued again", counted(n, "message", "messages"));
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
    let Some(mut notifier) =
        Notifier::open(ctx.config.mail_settings(), &ctx.db, ctx.clock.clone())?
    else {
        return Ok(());
    };
    let now = ctx.now();
    notifier.store().expedite_outbox(now, false)?;
    let report = rt.block_on(notifier.deliver_due(now));
    if report.sent > 0 {
        eprintln!("sent {}", counted(report.sent, "message", "messages"));
    }
    for e in &report.errors {
        eprintln!("warning: {}", safe(e));
    }
    if report.deferred > 0 {
        eprintln!(
            "warning: {} not sent yet; {} in the outbox and {} retried",
            counted(report.deferred, "message", "messages"),
            if report.deferred == 1 {
                "it stays"
            } else {
                "they stay"
            },
            if report.deferred == 1 { "is" } else { "are" }
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;

    const CONFIG: &str = r#"[daemon]
database = "t.db"

[[source]]
name = "wire"
url = "https://news.example/feed"

[[topic]]
name = "talks"
query = "ceasefire"

[email]
maildir = "mail"
from = "newswatch <nw@example.org>"
to = ["analyst@example.org"]

[[digest]]
name = "morning"
schedule = "daily 08:00"
"#;

    fn send(name: Option<&str>) -> DigestArgs<'_> {
        DigestArgs {
            name,
            preview: false,
            html: None,
            since: None,
            send: true,
        }
    }

    fn delivered(dir: &Path) -> usize {
        std::fs::read_dir(dir.join("mail/new")).map_or(0, |d| d.count())
    }

    fn slots(ctx: &Ctx) -> Vec<String> {
        let db = rusqlite::Connection::open(&ctx.db).unwrap();
        let mut stmt = db.prepare("SELECT slot FROM digests ORDER BY id").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    /// `digest --send` twice in one second: the second has nothing to add
    /// and says so (it used to fail on the database's UNIQUE constraint);
    /// when an item came in between, it goes out in the next second.
    #[test]
    fn a_second_digest_send_in_the_same_second_is_not_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("newswatch.toml");
        std::fs::write(&path, CONFIG).unwrap();
        let start = crate::store::parse_ts("2026-12-06T09:00:00Z").unwrap();
        let clock = ManualClock::new(start + chrono::Duration::milliseconds(100));
        let ctx = Ctx::for_test(&path, clock.shared());
        ctx.open_store().unwrap();

        assert_eq!(digest(&ctx, &send(None)).unwrap(), 0);
        clock.set(start + chrono::Duration::milliseconds(900));
        assert_eq!(digest(&ctx, &send(Some("morning"))).unwrap(), 0);
        assert_eq!(delivered(dir.path()), 1, "sent once");
        assert_eq!(slots(&ctx), ["2026-12-06T09:00:00Z"]);

        // An item arrives within the same second: the next `--send` waits
        // for the second to pass, then sends it.
        let feed = dir.path().join("feed.xml");
        std::fs::write(
            &feed,
            "<rss version=\"2.0\"><channel><title>w</title><item><guid>a</guid>\
             <title>Ceasefire talks resume</title><description>ceasefire</description>\
             </item></channel></rss>",
        )
        .unwrap();
        let mut store = ctx.open_store().unwrap();
        store
            .sync_config_sources(&crate::pipeline::source_specs(&ctx.config), start)
            .unwrap();
        let src = store.source_by_name("wire").unwrap();
        let detection = crate::pipeline::Detection::new(&ctx.config);
        let mut committer = crate::pipeline::Committer::new(None);
        crate::pipeline::ingest_file(
            &mut store,
            &mut committer,
            &detection,
            &src,
            &feed,
            start,
            1 << 20,
        )
        .unwrap();
        drop(store);
        let stepper = {
            let clock = clock.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(200));
                clock.set(start + chrono::Duration::milliseconds(1200));
            })
        };
        assert_eq!(digest(&ctx, &send(None)).unwrap(), 0);
        stepper.join().unwrap();
        assert_eq!(delivered(dir.path()), 2);
        assert_eq!(
            slots(&ctx),
            ["2026-12-06T09:00:00Z", "2026-12-06T09:00:01Z"]
        );
    }
}
