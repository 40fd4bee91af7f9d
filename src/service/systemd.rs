//! The service manager's side channel (sd_notify): readiness, reload and
//! stop states, a status line, and watchdog pings. Without `NOTIFY_SOCKET`
//! (not under systemd) every call is a no-op.

use std::time::{Duration, Instant};

use sd_notify::NotifyState;

pub struct Supervisor {
    /// `WatchdogSec=` as passed in `WATCHDOG_USEC`, when it is meant for us.
    watchdog: Option<Duration>,
    last_ping: Option<Instant>,
}

impl Supervisor {
    pub fn from_env() -> Supervisor {
        Supervisor {
            watchdog: sd_notify::watchdog_enabled().filter(|d| !d.is_zero()),
            last_ping: None,
        }
    }

    /// The longest the scheduler loop may sleep so pings stay well inside
    /// the watchdog period.
    pub fn max_sleep(&self) -> Option<Duration> {
        self.watchdog.map(|w| w / 2)
    }

    pub fn watchdog(&self) -> Option<Duration> {
        self.watchdog
    }

    pub fn ready(&self, status: &str) {
        send(&[NotifyState::Ready, NotifyState::Status(status)]);
    }

    pub fn reloading(&self) {
        match NotifyState::monotonic_usec_now() {
            Ok(now) => send(&[NotifyState::Reloading, now]),
            Err(_) => send(&[NotifyState::Reloading]),
        }
    }

    pub fn stopping(&self) {
        send(&[NotifyState::Stopping, NotifyState::Status("stopping")]);
    }

    pub fn status(&self, status: &str) {
        send(&[NotifyState::Status(status)]);
    }

    /// Called by the scheduler loop each time round: it only gets here when
    /// the loop and the database writer answer, so a stuck daemon stops
    /// pinging and systemd restarts it. Pings at most every quarter period.
    pub fn alive(&mut self) {
        let Some(period) = self.watchdog else { return };
        let now = Instant::now();
        if self.last_ping.is_none_or(|t| now - t >= period / 4) {
            send(&[NotifyState::Watchdog]);
            self.last_ping = Some(now);
        }
    }
}

fn send(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "cannot notify the service manager (NOTIFY_SOCKET)");
    }
}
