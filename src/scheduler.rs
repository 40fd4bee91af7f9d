//! Scheduler planning: when each source is polled next. Pure functions over
//! times and durations (the clock and the random jitter are passed in), so the
//! plan is testable without a runtime. The async loop that acts on the plan
//! lives in `pipeline`; the plan itself (`next_poll_at`) lives in the database
//! so a restart resumes it.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// Bounds and defaults from `[daemon]`.
#[derive(Clone, Debug)]
pub struct PollPolicy {
    pub default_interval: Duration,
    pub min_interval: Duration,
    pub max_interval: Duration,
    pub max_backoff: Duration,
    /// Fraction of the interval added or removed at random (spreads load).
    pub jitter: f64,
}

/// How many of the newest entry dates the adaptive interval looks at.
const RATE_WINDOW: usize = 10;

/// The regular interval for a source: its configured `interval` if any, else
/// half the mean gap between its recent entries (so a source publishing hourly is
/// polled every 30 min), bounded by `[min_interval, max_interval]`.
pub fn base_interval(
    policy: &PollPolicy,
    configured: Option<Duration>,
    entry_dates: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> Duration {
    let wanted = configured.unwrap_or_else(|| adaptive(policy, entry_dates, now));
    wanted.clamp(
        policy.min_interval,
        policy.max_interval.max(policy.min_interval),
    )
}

fn adaptive(policy: &PollPolicy, entry_dates: &[DateTime<Utc>], now: DateTime<Utc>) -> Duration {
    let mut dates: Vec<DateTime<Utc>> = entry_dates.iter().copied().filter(|d| *d <= now).collect();
    if dates.len() < 3 {
        return policy.default_interval;
    }
    dates.sort_unstable_by(|a, b| b.cmp(a));
    dates.truncate(RATE_WINDOW);
    let span = (dates[0] - dates[dates.len() - 1])
        .to_std()
        .unwrap_or_default();
    let mean_gap = span / (dates.len() as u32 - 1);
    // A source that has gone quiet since its last entry slows down too.
    let quiet = (now - dates[0]).to_std().unwrap_or_default() / 4;
    (mean_gap / 2).max(quiet)
}

/// Next poll after a successful attempt (200 or 304). A `Cache-Control: max-age`
/// longer than the interval is honoured up to `max_interval`.
pub fn next_after_success(
    policy: &PollPolicy,
    base: Duration,
    max_age: Option<Duration>,
    now: DateTime<Utc>,
    random: f64,
) -> DateTime<Utc> {
    let mut wait = base;
    if let Some(age) = max_age {
        wait = wait.max(age.min(policy.max_interval));
    }
    now + to_chrono(jittered(wait, policy.jitter, random))
}

/// Next poll after the `streak`-th failure in a row: the base interval doubled per
/// failure up to `max_backoff`, and never sooner than the server's Retry-After
/// (itself bounded by `max_backoff`). Polling never stops on errors.
pub fn next_after_error(
    policy: &PollPolicy,
    base: Duration,
    streak: u32,
    retry_after: Option<Duration>,
    now: DateTime<Utc>,
    random: f64,
) -> DateTime<Utc> {
    let doublings = streak.saturating_sub(1).min(20);
    let backoff = base
        .saturating_mul(1u32 << doublings)
        .min(policy.max_backoff);
    let wait = match retry_after {
        Some(ra) => backoff.max(ra.min(policy.max_backoff)),
        None => backoff,
    };
    // Jitter only lengthens a Retry-After wait, never shortens it below the ask.
    let jittered = jittered(wait, policy.jitter, random);
    let wait = match retry_after {
        Some(ra) => jittered.max(ra.min(policy.max_backoff)),
        None => jittered,
    };
    now + to_chrono(wait)
}

/// `d` scaled by a factor in `[1 - jitter, 1 + jitter]`; `random` is uniform in [0, 1).
fn jittered(d: Duration, jitter: f64, random: f64) -> Duration {
    let factor = 1.0 + jitter.clamp(0.0, 0.5) * (2.0 * random.clamp(0.0, 1.0) - 1.0);
    d.mul_f64(factor)
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> PollPolicy {
        PollPolicy {
            default_interval: Duration::from_secs(900),
            min_interval: Duration::from_secs(120),
            max_interval: Duration::from_secs(6 * 3600),
            max_backoff: Duration::from_secs(24 * 3600),
            jitter: 0.1,
        }
    }

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn configured_interval_wins_but_is_bounded() {
        let now = t("2026-01-01T12:00:00Z");
        let p = policy();
        assert_eq!(
            base_interval(&p, Some(Duration::from_secs(600)), &[], now),
            Duration::from_secs(600)
        );
        assert_eq!(
            base_interval(&p, Some(Duration::from_secs(5)), &[], now),
            p.min_interval
        );
        assert_eq!(
            base_interval(&p, Some(Duration::from_secs(86400)), &[], now),
            p.max_interval
        );
    }

    #[test]
    fn adaptive_interval_follows_publishing_rate() {
        let now = t("2026-01-01T12:00:00Z");
        let hourly: Vec<_> = (0..10).map(|h| now - chrono::Duration::hours(h)).collect();
        assert_eq!(
            base_interval(&policy(), None, &hourly, now),
            Duration::from_secs(1800)
        );
        let few = [now];
        assert_eq!(
            base_interval(&policy(), None, &few, now),
            Duration::from_secs(900)
        );
        let quiet: Vec<_> = (0..10)
            .map(|h| now - chrono::Duration::days(30) - chrono::Duration::hours(h))
            .collect();
        assert_eq!(
            base_interval(&policy(), None, &quiet, now),
            policy().max_interval
        );
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let now = t("2026-01-01T00:00:00Z");
        let p = PollPolicy {
            jitter: 0.0,
            ..policy()
        };
        let base = Duration::from_secs(900);
        let wait =
            |streak| (next_after_error(&p, base, streak, None, now, 0.5) - now).num_seconds();
        assert_eq!(wait(1), 900);
        assert_eq!(wait(2), 1800);
        assert_eq!(wait(3), 3600);
        assert_eq!(wait(40), 24 * 3600);
    }

    #[test]
    fn retry_after_is_honoured_within_bounds() {
        let now = t("2026-01-01T00:00:00Z");
        let p = policy();
        let base = Duration::from_secs(900);
        for random in [0.0, 0.5, 0.999] {
            let next = next_after_error(&p, base, 1, Some(Duration::from_secs(7200)), now, random);
            assert!((next - now).num_seconds() >= 7200);
        }
        let next = next_after_error(&p, base, 1, Some(Duration::from_secs(10 * 86400)), now, 0.5);
        assert!((next - now).num_seconds() <= 24 * 3600);
    }

    #[test]
    fn max_age_lengthens_within_max_interval() {
        let now = t("2026-01-01T00:00:00Z");
        let p = PollPolicy {
            jitter: 0.0,
            ..policy()
        };
        let base = Duration::from_secs(900);
        let next = next_after_success(&p, base, Some(Duration::from_secs(3600)), now, 0.5);
        assert_eq!((next - now).num_seconds(), 3600);
        let next = next_after_success(&p, base, Some(Duration::from_secs(86400)), now, 0.5);
        assert_eq!((next - now).num_seconds(), 6 * 3600);
        let next = next_after_success(&p, base, Some(Duration::from_secs(60)), now, 0.5);
        assert_eq!((next - now).num_seconds(), 900);
    }
}
