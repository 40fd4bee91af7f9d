//! Delivery loop of the notifier: takes due outbox rows, renders them, sends
//! them, and records each attempt. Plans scheduled digests into the outbox.
//!
//! Guarantees: a row is marked sent only after the server accepted the
//! message; a failed attempt is retried with exponential backoff (kept in
//! the database, so it survives restarts) until `give_up_after`; the
//! Message-ID is fixed per row, so in the one unavoidable window (accepted,
//! then the process dies before recording it) the resend is recognisable as
//! the same message.

use std::path::Path;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;

use crate::clock::SharedClock;

use super::compose::{DigestSpec, alert_view, digest_view};
use super::content::Rendered;
use super::render::Templates;
use super::schedule::due_run;
use super::settings::{DigestConfig, EmailConfig, MailSettings};
use super::transport::{Mailer, Outgoing, SendError};
use crate::model::Significance;
use crate::store::{DigestRun, NewDigest, OutboxRow, Store, Watermark};

/// Rows taken per pass; the rest wait for the next pass.
const BATCH: usize = 100;
/// A digest with no previous run and no `--since` covers this much.
pub const FIRST_DIGEST_PERIOD: chrono::Duration = chrono::Duration::hours(24);

/// What one delivery pass did.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Delivery {
    pub sent: usize,
    /// Failed this time, will be retried.
    pub deferred: usize,
    /// Given up on (older than `give_up_after`).
    pub failed: usize,
    /// One line per failure, for the user.
    pub errors: Vec<String>,
    /// (outbox id, subject, server reply) per sent message.
    pub replies: Vec<(i64, String, String)>,
}

/// The notifier: its own database connection, the transport and templates.
pub struct Notifier {
    store: Store,
    mailer: Mailer,
    templates: Templates,
    email: EmailConfig,
    digests: Vec<DigestConfig>,
    all_topics: Vec<String>,
    /// After the server could not be reached, no attempt before this time.
    unreachable_until: Option<DateTime<Utc>>,
    unreachable_streak: u32,
    /// What "now" is for sending, retrying and giving up.
    clock: SharedClock,
    /// Outcomes the database refused to record (disk full), by outbox row:
    /// recorded again before every pass, and their rows are not sent again
    /// meanwhile. A message the server had accepted used to go out again at
    /// every pass for as long as the disk stayed full.
    unrecorded: std::collections::HashMap<i64, Unrecorded>,
}

/// The outcome of an attempt, waiting to be recorded in the outbox.
enum Unrecorded {
    Sent {
        /// The revision the message showed.
        revision: Option<i64>,
        at: DateTime<Utc>,
        subject: String,
        reply: String,
    },
    Failed {
        error: String,
        subject: Option<String>,
        retry_at: Option<DateTime<Utc>>,
    },
}

impl Notifier {
    /// Open the notifier with `settings` (`Config::mail_settings`), telling
    /// time by `clock`; None when there are none (no `[email]`).
    pub fn open(
        settings: Option<MailSettings>,
        database: &Path,
        clock: SharedClock,
    ) -> anyhow::Result<Option<Notifier>> {
        let Some(MailSettings {
            email,
            digests,
            topics,
        }) = settings
        else {
            return Ok(None);
        };
        let templates = Templates::load(email.templates.as_deref())?;
        let mailer = Mailer::new(&email)?;
        let store = Store::open(database)?;
        Ok(Some(Notifier {
            store,
            mailer,
            templates,
            email,
            digests,
            all_topics: topics,
            unreachable_until: None,
            unreachable_streak: 0,
            clock,
            unrecorded: Default::default(),
        }))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn mailer(&self) -> &Mailer {
        &self.mailer
    }

    pub fn templates(&self) -> &Templates {
        &self.templates
    }

    pub fn email(&self) -> &EmailConfig {
        &self.email
    }

    /// Send every due row (oldest first) unless the server was unreachable
    /// moments ago. Stops at the first connection-level failure.
    pub async fn deliver_due(&mut self, now: DateTime<Utc>) -> Delivery {
        self.record_unrecorded();
        // A pause that reaches past the longest one planned was planned by
        // a clock since stepped back.
        let horizon = self.planning_horizon();
        if self
            .unreachable_until
            .is_some_and(|t| t > crate::store::later(now, horizon))
        {
            self.unreachable_until = None;
        }
        if self.unreachable_until.is_some_and(|t| now < t) {
            return Delivery::default();
        }
        match self.store.due_outbox(now, horizon, BATCH) {
            Ok(rows) => self.deliver_rows(rows).await,
            Err(e) => Delivery {
                errors: vec![format!("cannot read the outbox: {e}")],
                ..Default::default()
            },
        }
    }

    /// Send these rows now, in order.
    pub async fn deliver_rows(&mut self, rows: Vec<OutboxRow>) -> Delivery {
        let mut report = Delivery::default();
        for row in rows {
            if self.unrecorded.contains_key(&row.id) {
                continue;
            }
            let (outgoing, subject) = match self.prepare(&row) {
                Ok(m) => m,
                Err(e) => {
                    self.record_failure(&row, None, &SendError::Permanent(e), &mut report);
                    continue;
                }
            };
            match self.mailer.send(&outgoing).await {
                Ok(reply) => {
                    self.unreachable_streak = 0;
                    self.unreachable_until = None;
                    tracing::info!(
                        outbox = row.id,
                        kind = %row.kind,
                        message_id = %outgoing.message_id,
                        reply = %reply,
                        "mail sent"
                    );
                    let at = self.clock.now();
                    // The revision this message showed: a churning item's
                    // later updates, queued meanwhile, wait for the next one.
                    if let Err(e) =
                        self.store
                            .mark_sent(row.id, row.revision_id, at, &subject, &reply)
                    {
                        // Not sent again by this process (held in memory and
                        // recorded once the database accepts it); only a stop
                        // before then sends it again, with the same Message-ID.
                        tracing::error!(outbox = row.id, error = %e, "mail sent but not recorded as sent yet");
                        report.errors.push(format!("outbox {}: {e}", row.id));
                        self.unrecorded.insert(
                            row.id,
                            Unrecorded::Sent {
                                revision: row.revision_id,
                                at,
                                subject: subject.clone(),
                                reply: reply.clone(),
                            },
                        );
                    }
                    report.sent += 1;
                    report.replies.push((row.id, subject, reply));
                }
                Err(e) => {
                    let unreachable = matches!(e, SendError::Unreachable(_));
                    self.record_failure(&row, Some(&subject), &e, &mut report);
                    if unreachable {
                        let pause = backoff(&self.email, self.unreachable_streak);
                        self.unreachable_streak = self.unreachable_streak.saturating_add(1);
                        self.unreachable_until = Some(self.clock.now() + pause);
                        break;
                    }
                }
            }
        }
        report
    }

    /// The longest wait this notifier plans for an outbox row (the grouping
    /// window, a churning item's combined-alert hold, or the longest retry
    /// backoff with its jitter), and a minute
    /// to spare. A row planned further ahead was planned by a clock that has
    /// since been stepped back, and is due now.
    fn planning_horizon(&self) -> std::time::Duration {
        std::time::Duration::try_from_secs_f64(self.email.retry_max.as_secs_f64() * 1.1)
            .unwrap_or(std::time::Duration::MAX)
            .max(self.email.group_window)
            // A churning item's combined alert waits out its hold.
            .max(std::time::Duration::from_secs(
                crate::store::CHURN_ALERT_HOLD_HOURS.unsigned_abs() * 3600,
            ))
            .saturating_add(std::time::Duration::from_secs(60))
    }

    /// Record the outcomes the database refused before; keep those it still
    /// refuses, and return how many of them are messages sent.
    pub fn record_unrecorded(&mut self) -> usize {
        let store = &mut self.store;
        self.unrecorded.retain(|id, outcome| {
            let recorded = match outcome {
                Unrecorded::Sent {
                    revision,
                    at,
                    subject,
                    reply,
                } => store.mark_sent(*id, *revision, *at, subject, reply),
                Unrecorded::Failed {
                    error,
                    subject,
                    retry_at,
                } => store.mark_attempt_failed(*id, error, subject.as_deref(), *retry_at),
            };
            if recorded.is_ok() {
                tracing::info!(outbox = id, "outcome of an earlier attempt recorded");
            }
            recorded.is_err()
        });
        self.unrecorded
            .values()
            .filter(|o| matches!(o, Unrecorded::Sent { .. }))
            .count()
    }

    fn record_failure(
        &mut self,
        row: &OutboxRow,
        subject: Option<&str>,
        error: &SendError,
        report: &mut Delivery,
    ) {
        let now = self.clock.now();
        let created = crate::store::parse_ts(&row.created_at).unwrap_or(now);
        let give_up = chrono::Duration::from_std(self.email.give_up_after).unwrap_or_default();
        let retry_at = (now - created < give_up)
            .then(|| now + backoff(&self.email, row.attempts.max(0) as u32));
        let line = format!("outbox {} ({}): {error}", row.id, row.kind);
        match retry_at {
            Some(t) => {
                tracing::warn!(outbox = row.id, retry_at = %crate::store::ts(t), error = %error, "mail not sent; will retry");
                report.deferred += 1;
            }
            None => {
                tracing::error!(outbox = row.id, error = %error, "mail not sent; giving up (see `newswatch outbox --failed`)");
                report.failed += 1;
            }
        }
        report.errors.push(line);
        let error = error.to_string();
        if let Err(e) = self
            .store
            .mark_attempt_failed(row.id, &error, subject, retry_at)
        {
            // Held until recorded, so the row is not tried again at every
            // pass meanwhile.
            tracing::error!(outbox = row.id, error = %e, "cannot record the failed attempt yet");
            self.unrecorded.insert(
                row.id,
                Unrecorded::Failed {
                    error,
                    subject: subject.map(str::to_string),
                    retry_at,
                },
            );
        }
    }

    /// Render an outbox row into a message.
    fn prepare(&self, row: &OutboxRow) -> Result<(Outgoing, String), String> {
        let (rendered, to) = if row.kind == "digest" {
            let id = row.digest_id.ok_or("digest row without digest")?;
            let (name, run) = self
                .store
                .digest_by_id(id)
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("digest run {id} is gone"))?;
            let cfg = self.digests.iter().find(|d| d.name == name);
            let spec = self.digest_spec(&name, cfg, &run);
            let (view, _) =
                digest_view(&self.store, &spec, self.clock.now()).map_err(|e| e.to_string())?;
            let rendered = self
                .templates
                .render_digest(&view, &self.email.subject_prefix)
                .map_err(|e| e.to_string())?;
            let to = cfg
                .map(|c| c.to.clone())
                .unwrap_or_else(|| self.email.to.clone());
            (rendered, to)
        } else {
            let view = alert_view(&self.store, row).map_err(|e| e.to_string())?;
            let rendered = self
                .templates
                .render_alert(&view, &self.email.subject_prefix)
                .map_err(|e| e.to_string())?;
            (rendered, self.email.to.clone())
        };
        Ok(self.outgoing(rendered, to, &row.message_key, row.parent_key.as_deref()))
    }

    /// A rendered message with its envelope.
    pub fn outgoing(
        &self,
        rendered: Rendered,
        to: Vec<Mailbox>,
        key: &str,
        parent: Option<&str>,
    ) -> (Outgoing, String) {
        let subject = rendered.subject.clone();
        (
            Outgoing {
                to,
                subject: rendered.subject,
                text: rendered.text,
                html: rendered.html,
                message_id: self.mailer.message_id(key),
                in_reply_to: parent.map(|p| self.mailer.message_id(p)),
            },
            subject,
        )
    }

    /// How a recorded digest run is built (defaults when the digest is no
    /// longer configured).
    pub fn digest_spec<'a>(
        &self,
        name: &'a str,
        cfg: Option<&DigestConfig>,
        run: &DigestRun,
    ) -> DigestSpec<'a> {
        DigestSpec {
            after: run.after,
            upto: run.upto,
            ..digest_spec(
                name,
                cfg,
                &self.all_topics,
                run.period_start,
                run.period_end,
            )
        }
    }

    /// Queue every scheduled digest that is due at `now`. `since` is when
    /// the daemon started (a fresh install does not fire for a slot that
    /// passed before it). Returns the names queued or recorded as empty.
    pub fn plan_digests(
        &mut self,
        now: DateTime<Utc>,
        since: DateTime<Utc>,
    ) -> anyhow::Result<Vec<String>> {
        let mut planned = Vec::new();
        let mut failed = None;
        for cfg in self.digests.clone() {
            let last_scheduled = self.store.last_scheduled_digest(&cfg.name, now)?;
            let last_any = self.store.last_digest(&cfg.name)?;
            // A period never starts after `now` (a run recorded by a clock
            // since stepped back ends in the future).
            let last_end = last_any.as_ref().map(|a| a.period_end.min(now));
            let last = last_scheduled
                .as_ref()
                .map(|r| (r.slot, last_end.unwrap_or(r.period_end)));
            let Some(run) = due_run(&cfg.schedule, cfg.timezone, last, since, now) else {
                continue;
            };
            // A manual run since the last scheduled one already covered its part.
            let start = last_end.map_or(run.period_start, |end| end.max(run.period_start));
            let after = match &last_any {
                Some(a) => a.upto,
                None => self.store.watermark_before(start)?,
            };
            let upto = self.store.watermark()?;
            let mut spec = digest_spec(&cfg.name, Some(&cfg), &self.all_topics, start, now);
            spec.after = after;
            spec.upto = upto;
            let (_, entries) = digest_view(&self.store, &spec, now)?;
            let send = entries > 0 || cfg.send_empty;
            let recorded = self.store.record_digest(&NewDigest {
                name: &cfg.name,
                slot: run.slot,
                period_start: start,
                period_end: now,
                after,
                upto,
                manual: false,
                entries,
                send,
                now,
            });
            match recorded {
                Ok(_) => {
                    tracing::info!(digest = %cfg.name, slot = %crate::store::ts(run.slot), entries, send, "digest planned");
                    planned.push(cfg.name.clone());
                }
                // Tried again at the next pass; the caller logs it once.
                Err(e) => {
                    failed = Some(anyhow::anyhow!(
                        "digest {}: cannot record the run: {e}",
                        cfg.name
                    ))
                }
            }
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(planned),
        }
    }

    /// When the loop should look again: the next due row, the end of an
    /// unreachable pause, or the next digest slot, whichever comes first.
    pub fn next_wake(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let outbox = self
            .store
            .next_outbox_due(now, self.planning_horizon())
            .ok()
            .flatten();
        let outbox = match (outbox, self.unreachable_until) {
            (Some(t), Some(u)) => Some(t.max(u)),
            (t, _) => t,
        };
        // A row held until its outcome is recorded still looks due; while
        // the database refuses writes, look again only at the idle pace.
        let outbox = outbox.filter(|_| self.unrecorded.is_empty());
        let digests = self
            .digests
            .iter()
            .map(|d| d.schedule.next_slot_after(d.timezone, now));
        outbox.into_iter().chain(digests).min()
    }
}

/// How a digest named `name` is built: from its config, or defaults (UTC,
/// every topic, minor revisions and up) for an unconfigured one. Covers
/// nothing until the caller sets `after` and `upto`.
pub fn digest_spec<'a>(
    name: &'a str,
    cfg: Option<&DigestConfig>,
    all_topics: &[String],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> DigestSpec<'a> {
    let topics = match cfg {
        Some(c) if !c.topics.is_empty() => c.topics.clone(),
        _ => all_topics.to_vec(),
    };
    DigestSpec {
        name,
        topics,
        timezone: cfg.map_or(chrono_tz::UTC, |c| c.timezone),
        min_significance: cfg.map_or(Significance::Minor, |c| c.min_significance),
        start,
        end,
        after: Watermark::default(),
        upto: Watermark::default(),
    }
}

/// The wait before retry number `attempts + 1`: `retry_min` doubling up to
/// `retry_max`, with ±10 % jitter so a queue does not retry in lockstep.
fn backoff(email: &EmailConfig, attempts: u32) -> chrono::Duration {
    let base = email.retry_min.as_secs_f64() * 2f64.powi(attempts.min(30) as i32);
    let capped = base.min(email.retry_max.as_secs_f64());
    let jittered = capped * (0.9 + fastrand::f64() * 0.2);
    chrono::Duration::milliseconds((jittered * 1000.0) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pause after an unreachable server that reaches past the longest
    /// one the notifier plans was set by a clock since stepped back: it is
    /// dropped, not waited out.
    #[test]
    fn a_pause_planned_by_a_clock_since_stepped_back_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let config = crate::config::load_str(
            "[daemon]\ndatabase = \"t.db\"\n\n[email]\nsmtp_url = \"smtp://127.0.0.1:9\"\n\
             from = \"a@example.org\"\nto = [\"b@example.org\"]\nretry_max = \"1h\"\n",
            &dir.path().join("newswatch.toml"),
        )
        .unwrap();
        let db = dir.path().join("t.db");
        Store::open(&db).unwrap();
        let now = crate::store::parse_ts("2026-12-06T12:00:00Z").unwrap();
        let clock = crate::clock::ManualClock::new(now);
        let mut notifier = Notifier::open(config.mail_settings(), &db, clock.shared())
            .unwrap()
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        // Within the longest planned pause (1 h + 10 % jitter): kept.
        let planned = now + chrono::TimeDelta::minutes(65);
        notifier.unreachable_until = Some(planned);
        rt.block_on(notifier.deliver_due(now));
        assert_eq!(notifier.unreachable_until, Some(planned));
        // Two days ahead: dropped.
        notifier.unreachable_until = Some(now + chrono::TimeDelta::days(2));
        rt.block_on(notifier.deliver_due(now));
        assert_eq!(notifier.unreachable_until, None);
    }
}
