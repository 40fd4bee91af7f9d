//! Time as a parameter: what "now" is, and waiting until a later time.
//!
//! The daemon's scheduler, the notifier (digest slots, retry backoff, give
//! up) and retention ask a [`Clock`] instead of the system, so tests step a
//! [`ManualClock`] through days of schedule in milliseconds instead of
//! sleeping through them. The real [`SystemClock`] is made once, at the
//! edge (`cli`); the fetcher still reads the wall clock where an HTTP date
//! (`Retry-After`) is compared with it.
//!
//! Also here: durations and dates as people read them, for every command
//! that shows one ("in 4m 10s", "since 14 May (206 days)").

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};

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
        self.sleep_until(crate::store::later(self.now(), d))
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
        self.set(crate::store::later(self.now(), d));
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

/// A duration as people read it, precise where it matters and no more:
/// "45s", "4m 10s", "3h 10m", "2 days 5h", "206 days".
pub fn span(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes, seconds) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
    let plural = |n: u64| if n == 1 { "day" } else { "days" };
    match () {
        _ if s < 60 => format!("{seconds}s"),
        _ if s < 3600 && seconds == 0 => format!("{minutes}m"),
        _ if s < 3600 => format!("{minutes}m {seconds}s"),
        _ if s < 86_400 && minutes == 0 => format!("{hours}h"),
        _ if s < 86_400 => format!("{}h {minutes}m", s / 3600),
        _ if days < 7 && hours > 0 => format!("{days} {} {hours}h", plural(days)),
        _ => format!("{days} {}", plural(days)),
    }
}

/// How long from `from` to `to` (zero if `to` is earlier), as [`span`].
pub fn span_between(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    span((to - from).to_std().unwrap_or(Duration::ZERO))
}

/// A day as people say it: "14 May", with the year when it is not this
/// year's ("14 May 2025"), with the time of day when it is today ("09:15").
pub fn day(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    if t.date_naive() == now.date_naive() {
        t.format("%H:%M").to_string()
    } else if t.year() == now.year() {
        t.format("%-d %b").to_string()
    } else {
        t.format("%-d %b %Y").to_string()
    }
}

/// "since 14 May (206 days)": when something last happened, and how long ago.
pub fn since(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    format!("since {} ({})", day(t, now), span_between(t, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        crate::store::parse_ts(s).unwrap()
    }

    #[test]
    fn spans_read_like_a_person_says_them() {
        let s = |secs: u64| span(Duration::from_secs(secs));
        assert_eq!(s(0), "0s");
        assert_eq!(s(45), "45s");
        assert_eq!(s(250), "4m 10s");
        assert_eq!(s(600), "10m");
        assert_eq!(s(3 * 3600 + 600 + 7), "3h 10m");
        assert_eq!(s(7200), "2h");
        assert_eq!(s(86_400 + 3600), "1 day 1h");
        assert_eq!(s(2 * 86_400 + 5 * 3600 + 59), "2 days 5h");
        assert_eq!(s(3 * 86_400), "3 days");
        // Past a week, days alone: "206 days", not "6months 24days 6h 38m 24s".
        assert_eq!(s(206 * 86_400 + 6 * 3600 + 38 * 60 + 24), "206 days");
    }

    #[test]
    fn since_names_the_day_and_how_long_ago() {
        let now = at("2026-12-06T12:00:00Z");
        assert_eq!(
            since(at("2026-05-14T05:21:36Z"), now),
            "since 14 May (206 days)"
        );
        assert_eq!(
            since(at("2025-12-01T00:00:00Z"), now),
            "since 1 Dec 2025 (370 days)"
        );
        assert_eq!(
            since(at("2026-12-06T09:15:00Z"), now),
            "since 09:15 (2h 45m)"
        );
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
