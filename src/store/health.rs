//! A source's health: one state out of ok, failing, silent, disabled and
//! never fetched, judged the same way for `status`, `sources list` and the
//! digests' source report, so they never disagree and the states of all
//! sources add up to their number.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::parse_ts;
use super::sources::REASON_NOT_IN_CONFIG;

/// A source is "silent" when it has had no new item for this many of its
/// poll intervals, and at least `SILENT_MIN_HOURS`.
const SILENT_INTERVALS: i64 = 12;
const SILENT_MIN_HOURS: i64 = 48;
/// Poll interval assumed for a source that has none planned yet.
pub const DEFAULT_INTERVAL_S: i64 = 900;

/// The one state a source is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceState {
    /// Its last fetch (or `ingest`) failed.
    Failing,
    /// Fetched fine, but no new item for much longer than its rhythm.
    Silent,
    /// Switched off: by the user, by the config, or by 410 Gone.
    Disabled,
    /// Enabled, not fetched yet.
    Never,
    Ok,
}

impl SourceState {
    /// The word `status`, `sources --json` and the digest use.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceState::Failing => "failing",
            SourceState::Silent => "silent",
            SourceState::Disabled => "disabled",
            SourceState::Never => "never",
            SourceState::Ok => "ok",
        }
    }
}

/// What the state is judged from: a source's row.
#[derive(Clone, Debug, Default)]
pub struct HealthFacts<'a> {
    pub enabled: bool,
    pub disabled_reason: Option<&'a str>,
    pub last_status: Option<&'a str>,
    pub error_streak: i64,
    pub last_error: Option<&'a str>,
    pub last_ok_at: Option<&'a str>,
    pub last_new_item_at: Option<&'a str>,
    /// The poll interval planned (or configured, or the default).
    pub interval_s: i64,
    pub created_at: &'a str,
}

/// A source's state, with what a person reads about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Health {
    pub state: SourceState,
    /// The last error, how long it has been silent, or why it is disabled.
    pub detail: Option<String>,
    /// RFC 3339 UTC: last success (failing), last new item (silent).
    pub since: Option<String>,
}

/// Judge one source at `now`.
pub fn judge(f: &HealthFacts<'_>, now: DateTime<Utc>) -> Health {
    let health = |state, detail: Option<String>, since: Option<&str>| Health {
        state,
        detail,
        since: since.map(str::to_string),
    };
    if !f.enabled {
        return health(
            SourceState::Disabled,
            f.disabled_reason.map(str::to_string),
            None,
        );
    }
    let Some(status) = f.last_status else {
        return health(SourceState::Never, None, None);
    };
    // `ingest` of a file that does not parse fails the source without
    // counting towards the poll backoff: the status says so.
    if f.error_streak > 0 || status == "error" {
        let error = f.last_error.unwrap_or("error");
        let detail = if f.error_streak > 1 {
            format!("{} failed polls in a row: {error}", f.error_streak)
        } else {
            error.to_string()
        };
        return health(SourceState::Failing, Some(detail), f.last_ok_at);
    }
    let quiet_since = f.last_new_item_at.or(Some(f.created_at)).and_then(parse_ts);
    if let Some(quiet_since) = quiet_since {
        let limit = chrono::Duration::seconds(
            (f.interval_s * SILENT_INTERVALS).max(SILENT_MIN_HOURS * 3600),
        );
        if now - quiet_since > limit {
            let detail = format!("no new item {}", crate::text::since(quiet_since, now));
            return health(SourceState::Silent, Some(detail), f.last_new_item_at);
        }
    }
    health(SourceState::Ok, None, None)
}

/// Whether a disabled source is one the config no longer names: it is
/// kept for its items, not shown among the sources.
pub fn is_retired(disabled_reason: Option<&str>) -> bool {
    disabled_reason == Some(REASON_NOT_IN_CONFIG)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> HealthFacts<'static> {
        HealthFacts {
            enabled: true,
            disabled_reason: None,
            last_status: Some("ok"),
            error_streak: 0,
            last_error: None,
            last_ok_at: Some("2026-11-27T05:00:00Z"),
            last_new_item_at: Some("2026-11-27T04:00:00Z"),
            interval_s: 900,
            created_at: "2026-11-01T00:00:00Z",
        }
    }

    fn judge_at(f: &HealthFacts<'_>) -> (SourceState, Option<String>) {
        let h = judge(f, parse_ts("2026-11-27T06:00:00Z").unwrap());
        (h.state, h.detail)
    }

    #[test]
    fn a_healthy_source_is_ok() {
        assert_eq!(judge_at(&facts()), (SourceState::Ok, None));
    }

    #[test]
    fn a_failed_fetch_or_ingest_is_failing() {
        let mut f = facts();
        f.error_streak = 1;
        f.last_status = Some("error");
        f.last_error = Some("HTTP 503");
        assert_eq!(
            judge_at(&f),
            (SourceState::Failing, Some("HTTP 503".into()))
        );
        f.error_streak = 3;
        assert_eq!(
            judge_at(&f).1.as_deref(),
            Some("3 failed polls in a row: HTTP 503")
        );
        // `ingest` of a broken file: status error, no streak.
        let mut f = facts();
        f.last_status = Some("error");
        f.last_error = Some("feed.xml: parse error: not a feed");
        assert_eq!(judge_at(&f).0, SourceState::Failing);
    }

    #[test]
    fn silence_is_judged_against_the_sources_own_rhythm() {
        // Polled every 15 min: 12 intervals are 3 h, but at least 48 h count.
        let mut f = facts();
        f.last_new_item_at = Some("2026-11-25T07:00:00Z");
        assert_eq!(judge_at(&f).0, SourceState::Ok);
        f.last_new_item_at = Some("2026-11-25T05:00:00Z");
        assert_eq!(
            judge_at(&f),
            (
                SourceState::Silent,
                Some("no new item since 25 Nov (2 days 1h)".into())
            )
        );
        // A source polled every 6 h may be quiet for 3 days.
        f.interval_s = 6 * 3600;
        f.last_new_item_at = Some("2026-11-24T08:00:00Z");
        assert_eq!(judge_at(&f).0, SourceState::Ok);
    }

    #[test]
    fn disabled_and_never_fetched_sources_have_their_own_states() {
        let mut f = facts();
        f.enabled = false;
        f.disabled_reason = Some("gone: the server answered 410 Gone");
        assert_eq!(judge_at(&f).0, SourceState::Disabled);
        let mut f = facts();
        f.last_status = None;
        assert_eq!(judge_at(&f).0, SourceState::Never);
    }
}
