//! Durations and dates as people read them, for every command, log line
//! and message that shows one ("in 4m 10s", "since 14 May (206 days)").
//! Pure: the time they are read at (`now`) is passed in.

use std::time::Duration;

use chrono::{DateTime, Datelike, Utc};

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
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
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
}
