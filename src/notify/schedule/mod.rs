//! Digest schedules, the planning part of the notifier (DESIGN.md,
//! "notifier"): parse a `[[digest]] schedule`, and decide from explicit
//! times when a digest is due and which period it covers.
//!
//! Pure code: no I/O and no clock reads; `now` is always a parameter, so the
//! tests can walk any clock across DST changes. Two kinds of schedule:
//!
//! - wall-clock times on some days of the week ("daily 08:00", "weekdays
//!   07:30", "mon,wed,fri 09:00, 17:00"), read in the digest's time zone. A
//!   time that does not exist on a spring-forward day fires just after the
//!   gap, shifted by its length (02:30 in a 02:00→03:00 gap fires at 03:30); a
//!   time that occurs twice on a fall-back day fires once, at the earlier
//!   instant.
//! - "every DURATION" (5 minutes to 7 days): slots at the multiples of the
//!   period counted from the Unix epoch in UTC (`every 2h` fires at 00:00,
//!   02:00, … UTC), whatever the time zone. This keeps slots stable across
//!   restarts and config reloads.

use std::fmt::Write as _;
use std::time::Duration;

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveTime, Offset, TimeDelta, TimeZone, Utc,
    Weekday,
};
use chrono_tz::Tz;

/// Shortest `every` period: digests more often than this are alerts.
pub const MIN_PERIOD: Duration = Duration::from_secs(5 * 60);
/// Longest `every` period; for rarer digests name the days ("mon 08:00").
pub const MAX_PERIOD: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How far back [`Schedule::slot_at_or_before`] looks for a slot.
const LOOKBACK_DAYS: i64 = 8;

/// What a schedule was expected to look like, for parse errors.
const EXPECTED: &str =
    r#"expected "daily HH:MM", "weekdays HH:MM", "mon,thu HH:MM" or "every DURATION""#;

/// Day names as written (lower case) and the day they mean.
const DAY_NAMES: &[(&str, Weekday)] = &[
    ("mon", Weekday::Mon),
    ("monday", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("tues", Weekday::Tue),
    ("tuesday", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("wednesday", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("thur", Weekday::Thu),
    ("thurs", Weekday::Thu),
    ("thursday", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("friday", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("saturday", Weekday::Sat),
    ("sun", Weekday::Sun),
    ("sunday", Weekday::Sun),
];

/// When a digest is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    /// Wall-clock `times` (sorted, distinct, whole minutes) on `days`, in the
    /// digest's time zone. [`Schedule::parse`] never builds an empty one; a
    /// hand-built one with no days or no times has no slots.
    At { days: Days, times: Vec<NaiveTime> },
    /// Every `period` (whole seconds, [`MIN_PERIOD`]..=[`MAX_PERIOD`] when
    /// parsed), slots at multiples of it counted from the Unix epoch in UTC.
    Every { period: Duration },
}

/// A set of days of the week.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Days(u8);

impl Days {
    /// Every day.
    pub const ALL: Days = Days(0b111_1111);
    /// Monday to Friday.
    pub const WEEKDAYS: Days = Days(0b001_1111);
    /// Saturday and Sunday.
    pub const WEEKENDS: Days = Days(0b110_0000);
    /// No day at all.
    pub const NONE: Days = Days(0);

    fn bit(day: Weekday) -> u8 {
        1 << day.num_days_from_monday()
    }

    /// These days and `day`.
    pub fn with(self, day: Weekday) -> Days {
        Days(self.0 | Self::bit(day))
    }

    pub fn contains(self, day: Weekday) -> bool {
        self.0 & Self::bit(day) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// "daily", "weekdays", "weekends" or a list such as "mon,wed,fri".
    pub fn describe(self) -> String {
        match self {
            Days::ALL => "daily".into(),
            Days::WEEKDAYS => "weekdays".into(),
            Days::WEEKENDS => "weekends".into(),
            _ => {
                let mut out = String::new();
                let mut day = Weekday::Mon;
                for _ in 0..7 {
                    if self.contains(day) {
                        if !out.is_empty() {
                            out.push(',');
                        }
                        // chrono's Display gives "Mon"; the config form is lower case.
                        out.push_str(&day.to_string().to_lowercase());
                    }
                    day = day.succ();
                }
                out
            }
        }
    }
}

/// A digest run that is due now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueRun {
    /// The schedule slot this run is for (the newest one that has passed).
    pub slot: DateTime<Utc>,
    /// Start of the period the digest covers; the period ends at `slot`.
    pub period_start: DateTime<Utc>,
}

impl Schedule {
    /// Parses "daily 08:00", "daily 08:00, 18:30", "weekdays 07:30", "weekends 10:00",
    /// "mon,wed,fri 09:00" (also full day names, any case), "every 2h", "every 30m",
    /// "every 1h 30m", "hourly" (= every 1h). The error says what was expected
    /// and what was found. "every" must be at least 5 minutes and at most 7
    /// days. HH:MM is 24h, 00:00..23:59 (a single-digit hour is accepted).
    pub fn parse(s: &str) -> Result<Schedule, String> {
        let text = s.split_whitespace().collect::<Vec<_>>().join(" ");
        let text = text.to_lowercase();
        let general = || format!("{EXPECTED}, found {s:?}");
        if text == "hourly" {
            return Ok(Schedule::Every {
                period: Duration::from_secs(3600),
            });
        }
        if let Some(rest) = text.strip_prefix("every")
            && (rest.is_empty() || rest.starts_with(' '))
        {
            return parse_period(rest.trim(), s).map(|period| Schedule::Every { period });
        }
        let Some(digit) = text.find(|c: char| c.is_ascii_digit()) else {
            return Err(general());
        };
        let (day_part, time_part) = text.split_at(digit);
        let days = parse_days(day_part).ok_or_else(general)?;
        let times = parse_times(time_part, s)?;
        Ok(Schedule::At { days, times })
    }

    /// The config text back, normalised ("daily 08:00, 18:30", "mon,fri 09:00",
    /// "every 1h 30m"); [`Schedule::parse`] reads it back to the same schedule.
    pub fn describe(&self) -> String {
        match self {
            Schedule::At { days, times } => {
                let times: Vec<String> = times
                    .iter()
                    .map(|t| t.format("%H:%M").to_string())
                    .collect();
                format!("{} {}", days.describe(), times.join(", "))
            }
            Schedule::Every { period } => format!("every {}", format_period(*period)),
        }
    }

    /// The latest slot at or before `t`, if any exists within the last 8 days.
    pub fn slot_at_or_before(&self, tz: Tz, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let earliest = t - TimeDelta::days(LOOKBACK_DAYS);
        match self {
            Schedule::Every { period } => {
                let p = period_secs(*period);
                let slot = t.timestamp().div_euclid(p) * p;
                DateTime::from_timestamp(slot, 0).filter(|s| *s >= earliest)
            }
            // -1: at a fall-back around midnight, a slot dated the next local
            // day can lie before `t`.
            Schedule::At { days, times } => wall_slots(tz, *days, times, t, -1..=LOOKBACK_DAYS)
                .filter(|s| *s <= t && *s >= earliest)
                .max(),
        }
    }

    /// The first slot strictly after `t`. (A hand-built schedule with no slot
    /// at all answers `t` + 8 days, so a caller sleeping until then just looks
    /// again.)
    pub fn next_slot_after(&self, tz: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Schedule::Every { period } => {
                let p = period_secs(*period);
                let next = (t.timestamp().div_euclid(p) + 1) * p;
                DateTime::from_timestamp(next, 0).unwrap_or(t + TimeDelta::days(LOOKBACK_DAYS))
            }
            // +1: a gap-shifted slot of the previous local day can lie after `t`.
            Schedule::At { days, times } => wall_slots(tz, *days, times, t, -LOOKBACK_DAYS..=1)
                .filter(|s| *s > t)
                .min()
                .unwrap_or(t + TimeDelta::days(LOOKBACK_DAYS)),
        }
    }
}

/// Which run of a digest is due at `now`, if any.
///
/// `last`: (slot, period_end) of the newest recorded run of this digest.
/// `since`: when watching began (daemon start); used only when there is no
/// previous run, so a fresh install does not fire at once for a slot that
/// passed before it started.
///
/// The run is for `slot_at_or_before(now)`, and is due when that slot is newer
/// than `last`'s slot (with no last run: not before `since`). After downtime
/// only ONE run is due however many slots were missed: the newest, covering
/// the whole gap (`period_start` = `last`'s period end, or `slot` if that end
/// somehow lies after it). With no last run the period is the normal one: from
/// the slot before `slot`.
pub fn due_run(
    schedule: &Schedule,
    tz: Tz,
    last: Option<(DateTime<Utc>, DateTime<Utc>)>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DueRun> {
    let slot = schedule.slot_at_or_before(tz, now)?;
    let period_start = match last {
        Some((last_slot, _)) if slot <= last_slot => return None,
        Some((_, last_end)) => last_end.min(slot),
        None if slot < since => return None,
        None => schedule
            .slot_at_or_before(tz, slot - TimeDelta::nanoseconds(1))
            .unwrap_or_else(|| since.min(slot)),
    };
    Some(DueRun { slot, period_start })
}

/// The instants of the wall-clock slots on the local days `t`'s local date
/// minus each of `days_back` (negative: days ahead).
fn wall_slots<'a>(
    tz: Tz,
    days: Days,
    times: &'a [NaiveTime],
    t: DateTime<Utc>,
    days_back: std::ops::RangeInclusive<i64>,
) -> impl Iterator<Item = DateTime<Utc>> + 'a {
    let today = t.with_timezone(&tz).date_naive();
    days_back
        .filter_map(move |back| today.checked_sub_signed(TimeDelta::days(back)))
        .filter(move |date| days.contains(date.weekday()))
        .flat_map(move |date| {
            times
                .iter()
                .filter_map(move |time| resolve(tz, date, *time))
        })
}

/// The instant of wall time `date time` in `tz`: the earlier one if the time
/// occurs twice; if it does not exist (spring forward), read with the offset
/// in force before the gap, i.e. just after the gap, shifted by its length.
fn resolve(tz: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let local = date.and_time(time);
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => {
            // The same wall time a day (or, oddly, a few days) earlier carries
            // the offset in force before the gap.
            let before = (1..=LOOKBACK_DAYS).find_map(|back| {
                let earlier = local.checked_sub_signed(TimeDelta::days(back))?;
                tz.from_local_datetime(&earlier).earliest()
            })?;
            let offset = before.offset().fix().local_minus_utc();
            let utc = local.checked_sub_signed(TimeDelta::seconds(i64::from(offset)))?;
            Some(Utc.from_utc_datetime(&utc))
        }
    }
}

/// A period in whole seconds, never 0 (so a hand-built `Every` cannot divide by zero).
fn period_secs(period: Duration) -> i64 {
    i64::try_from(period.as_secs()).unwrap_or(i64::MAX).max(1)
}

/// Day list ("daily", "weekdays", "weekends", "mon,wed,fri", "Monday, Friday").
fn parse_days(text: &str) -> Option<Days> {
    let words: Vec<&str> = text
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        ["daily"] => return Some(Days::ALL),
        ["weekdays"] => return Some(Days::WEEKDAYS),
        ["weekends"] => return Some(Days::WEEKENDS),
        [] => return None,
        _ => {}
    }
    let mut days = Days::NONE;
    for word in words {
        let (_, day) = DAY_NAMES.iter().find(|(name, _)| *name == word)?;
        days = days.with(*day);
    }
    Some(days)
}

/// "08:00" or "08:00, 18:30": sorted, duplicates dropped.
fn parse_times(text: &str, original: &str) -> Result<Vec<NaiveTime>, String> {
    let mut times = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let time = parse_hhmm(part).ok_or_else(|| {
            if part.is_empty() {
                format!("{EXPECTED}, found {original:?} (an empty time in the list)")
            } else {
                format!(
                    "invalid time {part:?} in schedule {original:?}: expected HH:MM from 00:00 to 23:59"
                )
            }
        })?;
        times.push(time);
    }
    times.sort();
    times.dedup();
    Ok(times)
}

/// "H:MM" or "HH:MM", 24h.
fn parse_hhmm(s: &str) -> Option<NaiveTime> {
    let (h, m) = s.split_once(':')?;
    let digits =
        |x: &str, lens: &[usize]| lens.contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(h, &[1, 2]) || !digits(m, &[2]) {
        return None;
    }
    NaiveTime::from_hms_opt(h.parse().ok()?, m.parse().ok()?, 0)
}

/// The DURATION of "every DURATION", in whole seconds within the bounds.
fn parse_period(text: &str, original: &str) -> Result<Duration, String> {
    if text.is_empty() {
        return Err(format!("{EXPECTED}, found {original:?}"));
    }
    let d = humantime::parse_duration(text).map_err(|e| {
        format!(
            "invalid duration {text:?} in schedule {original:?} ({e}); write e.g. \"every 2h\", \"every 30m\" or \"every 1h 30m\""
        )
    })?;
    if d.subsec_nanos() != 0 {
        return Err(format!(
            "period {text:?} in schedule {original:?} is not a whole number of seconds"
        ));
    }
    if d < MIN_PERIOD {
        return Err(format!(
            "period {text:?} in schedule {original:?} is shorter than the minimum of 5m (use an immediate topic for faster mail)"
        ));
    }
    if d > MAX_PERIOD {
        return Err(format!(
            "period {text:?} in schedule {original:?} is longer than the maximum of 7d (name the days instead, e.g. \"mon 08:00\")"
        ));
    }
    Ok(d)
}

/// "1d 2h 30m 15s", each unit only when non-zero.
fn format_period(d: Duration) -> String {
    let mut secs = d.as_secs();
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        let n = secs / size;
        secs %= size;
        if n > 0 {
            if !out.is_empty() {
                out.push(' ');
            }
            let _ = write!(out, "{n}{unit}");
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

#[cfg(test)]
mod tests;
