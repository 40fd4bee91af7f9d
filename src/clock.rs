//! Time as a parameter: what "now" is, and waiting until a later time.
//!
//! The daemon's scheduler, the notifier (digest slots, retry backoff, give
//! up) and retention ask a [`Clock`] instead of the system, so tests step a
//! [`ManualClock`] through days of schedule in milliseconds instead of
//! sleeping through them. The real [`SystemClock`] is made once, at the
//! edge (`cli`); the fetcher still reads the wall clock where an HTTP date
//! (`Retry-After`) is compared with it.
//!
//! A leaf: it imports only `model` (`later`, the bound on times), and the
//! layers below the ones it is handed to (`detect`, `store`, `scheduler`)
//! never import it: they take the time as a parameter. Durations and dates
//! as people read them ("in 4m 10s", "since 14 May (206 days)") are text:
//! `text::{span, since, …}`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A future that completes at a time on a clock's time line.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// Where the time comes from.
pub trait Clock: Send + Sync {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;

    /// Complete once this clock says `t` has come (at once if it has).
    fn sleep_until(&self, t: DateTime<Utc>) -> Sleep;

    /// Complete once `d` has passed on this clock.
    fn sleep(&self, d: Duration) -> Sleep {
        self.sleep_until(crate::model::later(self.now(), d))
    }
}

/// A shared clock, as the parts of the daemon hold it.
pub type SharedClock = Arc<dyn Clock>;

/// The system's wall clock; waits are tokio timers.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl SystemClock {
    pub fn shared() -> SharedClock {
        Arc::new(SystemClock)
    }
}

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> Sleep {
        let wait = (t - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that moves only when told to (`set`, `advance`): for tests.
/// Waits on it complete when it is moved past their time.
#[derive(Clone)]
pub struct ManualClock {
    inner: Arc<ManualInner>,
}

struct ManualInner {
    now: Mutex<DateTime<Utc>>,
    moved: tokio::sync::watch::Sender<DateTime<Utc>>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        let (moved, _) = tokio::sync::watch::channel(start);
        ManualClock {
            inner: Arc::new(ManualInner {
                now: Mutex::new(start),
                moved,
            }),
        }
    }

    /// Set the time (forwards, or back: a clock put right).
    pub fn set(&self, t: DateTime<Utc>) {
        *self.inner.now.lock().unwrap_or_else(|e| e.into_inner()) = t;
        self.inner.moved.send_replace(t);
    }

    /// Move the time on by `d`.
    pub fn advance(&self, d: Duration) {
        self.set(crate::model::later(self.now(), d));
    }

    pub fn shared(&self) -> SharedClock {
        Arc::new(self.clone())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.inner.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn sleep_until(&self, t: DateTime<Utc>) -> Sleep {
        let mut moved = self.inner.moved.subscribe();
        Box::pin(async move {
            // The sender lives as long as the clock; if it is gone, so is
            // anyone who could move the time: never wake.
            if moved.wait_for(|now| *now >= t).await.is_err() {
                std::future::pending::<()>().await;
            }
        })
    }
}

/// Whether something done every `every`, last at `last`, is due at `now`.
/// A `last` in the future was recorded by a clock since stepped back: due.
pub fn is_due(last: Option<DateTime<Utc>>, every: Duration, now: DateTime<Utc>) -> bool {
    match last {
        None => true,
        Some(t) if t > now => true,
        Some(t) => (now - t).to_std().unwrap_or(Duration::ZERO) >= every,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        crate::store::parse_ts(s).unwrap()
    }

    #[test]
    fn a_stepped_back_clock_makes_periodic_work_due() {
        let now = at("2026-12-06T12:00:00Z");
        let day = Duration::from_secs(86_400);
        assert!(is_due(None, day, now));
        assert!(!is_due(Some(at("2026-12-06T00:00:00Z")), day, now));
        assert!(is_due(Some(at("2026-12-05T12:00:00Z")), day, now));
        assert!(is_due(Some(at("2026-12-09T00:00:00Z")), day, now));
    }

    #[tokio::test]
    async fn a_wait_on_a_manual_clock_ends_when_the_clock_passes_it() {
        let clock = ManualClock::new(at("2026-12-06T12:00:00Z"));
        let wait = clock.sleep(Duration::from_secs(3600));
        let waiting = tokio::spawn(wait);
        clock.advance(Duration::from_secs(1800));
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished());
        clock.advance(Duration::from_secs(1800));
        tokio::time::timeout(Duration::from_secs(5), waiting)
            .await
            .expect("woken when the hour has passed")
            .unwrap();
        // A time already passed: at once.
        tokio::time::timeout(
            Duration::from_secs(5),
            clock.sleep_until(at("2026-12-06T00:00:00Z")),
        )
        .await
        .unwrap();
    }
}
