//! Times as every layer holds them: within four-digit years, because the
//! store keeps them as RFC 3339 text and compares them as text.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// `t + d`, at most the end of the year 9999: stored times are compared as
/// text, and a five-digit year would sort before every real one. Also what
/// a clock steps by (`clock`), so no step overflows.
pub fn later(t: DateTime<Utc>, d: Duration) -> DateTime<Utc> {
    let last = DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(t);
    chrono::TimeDelta::from_std(d)
        .ok()
        .and_then(|d| t.checked_add_signed(d))
        .map_or(last, |later| later.min(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_stays_within_four_digit_years() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        assert_eq!(
            later(now, Duration::from_secs(60)).to_rfc3339(),
            "2027-01-15T08:01:00+00:00"
        );
        assert_eq!(
            later(now, Duration::MAX).to_rfc3339(),
            "9999-12-31T23:59:59+00:00"
        );
    }
}
