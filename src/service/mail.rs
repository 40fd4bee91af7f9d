//! The daemon's notifier task: plans due digests and sends due mail until
//! told to stop; stopped and started again on a reload.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::SHUTDOWN_GRACE;
use crate::clock::SharedClock;
use crate::notify::Notifier;

/// The notifier task, stopped and restarted on reload.
pub(super) struct MailTask {
    stop: tokio::sync::watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl MailTask {
    pub(super) fn start(
        notifier: Option<Notifier>,
        started: DateTime<Utc>,
        wake: Arc<tokio::sync::Notify>,
        clock: SharedClock,
    ) -> MailTask {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let task = notifier.map(|n| tokio::spawn(notify_loop(n, started, stopped, wake, clock)));
        MailTask { stop, task }
    }

    /// A send in progress may finish (its reply is recorded); past the grace
    /// period it is cut off and the row stays pending, to be sent again
    /// (same Message-ID) by the next notifier.
    pub(super) async fn stop(self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task {
            let abort = task.abort_handle();
            if tokio::time::timeout(SHUTDOWN_GRACE, task).await.is_err() {
                abort.abort();
            }
        }
    }
}

/// Longest sleep of the notifier between looks at the outbox (the poller
/// also wakes it when a fetch queues alerts; digests and retries are timed).
const NOTIFY_IDLE: Duration = Duration::from_secs(2);

/// The notifier's loop: plan due digests, send due mail, sleep until the
/// next thing is due (or a short idle), until told to stop.
async fn notify_loop(
    mut notifier: Notifier,
    started: DateTime<Utc>,
    mut stop: tokio::sync::watch::Receiver<bool>,
    wake: Arc<tokio::sync::Notify>,
    clock: SharedClock,
) {
    tracing::info!(via = %notifier.mailer().describe(), "notifier started");
    // Planning fails at every pass while the database refuses writes: one
    // line when it starts failing (or fails otherwise), one when it clears.
    let mut planning = RepeatedError::default();
    loop {
        let now = clock.now();
        match planning.note(notifier.plan_digests(now, started).map(drop)) {
            Some(Err(e)) => {
                tracing::error!(error = %e, "cannot plan digests (retried at every pass)")
            }
            Some(Ok(())) => tracing::info!("digests can be planned again"),
            None => {}
        }
        notifier.deliver_due(now).await;
        // The next pass, as a time counted from this pass's `now`: time that
        // went by while sending (or a clock stepped meanwhile) shortens the
        // wait rather than moving the next pass later.
        let soonest = crate::store::later(now, Duration::from_millis(100));
        let latest = crate::store::later(now, NOTIFY_IDLE);
        let wake_at = notifier
            .next_wake(now)
            .unwrap_or(latest)
            .clamp(soonest, latest);
        tokio::select! {
            _ = stop.changed() => break,
            _ = wake.notified() => {}
            _ = clock.sleep_until(wake_at) => {}
        }
    }
    let unrecorded = notifier.record_unrecorded();
    if unrecorded > 0 {
        tracing::error!(
            messages = unrecorded,
            "stopping with messages sent but not recorded as sent (the database refused); \
             the next run sends them again, with the same Message-IDs"
        );
    }
}

/// The outcome of a step retried at every pass, reduced to what is worth a
/// log line: a new error (or another one), and its clearing.
#[derive(Default)]
struct RepeatedError {
    last: Option<String>,
}

impl RepeatedError {
    /// `Some(Err(message))` for an error unlike the last, `Some(Ok(()))` for
    /// the first success after errors, else `None`.
    fn note(&mut self, outcome: anyhow::Result<()>) -> Option<Result<(), String>> {
        match outcome {
            Err(e) => {
                let message = format!("{e:#}");
                let new = self.last.as_ref() != Some(&message);
                self.last = Some(message.clone());
                new.then_some(Err(message))
            }
            Ok(()) => self.last.take().map(|_| Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_error_is_worth_a_line_when_it_starts_changes_and_clears() {
        let mut errors = RepeatedError::default();
        assert_eq!(errors.note(Ok(())), None);
        let full = || Err(anyhow::anyhow!("database or disk is full"));
        assert_eq!(
            errors.note(full()),
            Some(Err("database or disk is full".into()))
        );
        assert_eq!(errors.note(full()), None);
        assert_eq!(errors.note(full()), None);
        assert_eq!(
            errors.note(Err(anyhow::anyhow!("disk I/O error"))),
            Some(Err("disk I/O error".into()))
        );
        assert_eq!(errors.note(Ok(())), Some(Ok(())));
        assert_eq!(errors.note(Ok(())), None);
    }
}
