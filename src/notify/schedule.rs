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
mod tests {
    use super::*;

    const KYIV: Tz = chrono_tz::Europe::Kyiv;

    /// An explicit UTC instant: the tests' controllable clock.
    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .with_timezone(&Utc)
    }

    fn sched(s: &str) -> Schedule {
        Schedule::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn parses_every_form_and_describes_it_back() {
        let cases = [
            ("daily 08:00", "daily 08:00"),
            ("Daily  8:00", "daily 08:00"),
            ("daily 18:30, 08:00", "daily 08:00, 18:30"),
            ("daily 08:00,08:00", "daily 08:00"),
            ("weekdays 07:30", "weekdays 07:30"),
            ("weekends 10:00", "weekends 10:00"),
            ("mon,wed,fri 09:00", "mon,wed,fri 09:00"),
            ("Friday, MONDAY 09:00", "mon,fri 09:00"),
            ("mon,tue,wed,thu,fri 07:00", "weekdays 07:00"),
            ("sat sun 23:59", "weekends 23:59"),
            ("thurs 00:00", "thu 00:00"),
            ("every 2h", "every 2h"),
            ("every 30m", "every 30m"),
            ("every 1h 30m", "every 1h 30m"),
            ("EVERY 90m", "every 1h 30m"),
            ("every 7d", "every 7d"),
            ("every 5m", "every 5m"),
            ("hourly", "every 1h"),
        ];
        for (text, shown) in cases {
            let s = sched(text);
            assert_eq!(s.describe(), shown, "{text}");
            assert_eq!(sched(&s.describe()), s, "{text} round trip");
        }
        assert_eq!(
            sched("mon,fri 09:00, 17:15"),
            Schedule::At {
                days: Days::NONE.with(Weekday::Mon).with(Weekday::Fri),
                times: vec![hm(9, 0), hm(17, 15)],
            }
        );
        assert_eq!(
            sched("every 2h"),
            Schedule::Every {
                period: Duration::from_secs(7200)
            }
        );
    }

    #[test]
    fn parse_errors_say_what_was_expected() {
        let e = Schedule::parse("dayly 8").unwrap_err();
        assert_eq!(
            e,
            r#"expected "daily HH:MM", "weekdays HH:MM", "mon,thu HH:MM" or "every DURATION", found "dayly 8""#
        );
        for bad in [
            "",
            "daily",
            "08:00",
            "everyday 08:00",
            "mon,xyz 09:00",
            "every",
            "daily weekdays 08:00",
        ] {
            let e = Schedule::parse(bad).unwrap_err();
            assert!(e.starts_with("expected \"daily HH:MM\""), "{bad}: {e}");
            assert!(e.contains(&format!("found {bad:?}")), "{bad}: {e}");
        }
        for bad in [
            "daily 24:00",
            "daily 08:60",
            "daily 8",
            "daily 0800",
            "daily 08:00 pm",
            "daily 008:00",
        ] {
            let e = Schedule::parse(bad).unwrap_err();
            assert!(
                e.contains("expected HH:MM from 00:00 to 23:59"),
                "{bad}: {e}"
            );
        }
        let e = Schedule::parse("daily 08:00,").unwrap_err();
        assert!(e.contains("empty time"), "{e}");
        let e = Schedule::parse("every 4m").unwrap_err();
        assert!(e.contains("shorter than the minimum of 5m"), "{e}");
        let e = Schedule::parse("every 8d").unwrap_err();
        assert!(e.contains("longer than the maximum of 7d"), "{e}");
        let e = Schedule::parse("every soon").unwrap_err();
        assert!(e.contains("invalid duration \"soon\""), "{e}");
        let e = Schedule::parse("every 5m 500ms").unwrap_err();
        assert!(e.contains("whole number of seconds"), "{e}");
    }

    #[test]
    fn daily_across_autumn_dst_change_in_kyiv() {
        let s = sched("daily 08:00");
        // 08:00 EEST (+3) on Saturday, 08:00 EET (+2) on Sunday after the change.
        let sat = utc("2026-10-24T05:00:00Z");
        let sun = utc("2026-10-25T06:00:00Z");
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-10-24T12:00:00Z")),
            Some(sat)
        );
        assert_eq!(s.slot_at_or_before(KYIV, sat), Some(sat), "at, inclusive");
        assert_eq!(s.next_slot_after(KYIV, sat), sun, "after, exclusive");
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-10-25T05:59:59Z")),
            Some(sat)
        );
        assert_eq!(s.slot_at_or_before(KYIV, sun), Some(sun));
        assert_eq!(s.next_slot_after(KYIV, sun), utc("2026-10-26T06:00:00Z"));
    }

    #[test]
    fn daily_across_spring_dst_change_in_kyiv() {
        let s = sched("daily 08:00");
        let sat = utc("2026-03-28T06:00:00Z"); // EET, +2
        let sun = utc("2026-03-29T05:00:00Z"); // EEST, +3
        assert_eq!(s.next_slot_after(KYIV, sat), sun);
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-03-29T04:59:00Z")),
            Some(sat)
        );
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-03-29T12:00:00Z")),
            Some(sun)
        );
        assert_eq!(s.next_slot_after(KYIV, sun), utc("2026-03-30T05:00:00Z"));
    }

    #[test]
    fn a_time_in_the_spring_gap_fires_shifted_by_the_gap() {
        // Kyiv skips 03:00..04:00 on 2026-03-29: 03:30 fires at 04:30 EEST = 01:30Z.
        let s = sched("daily 03:30");
        let gap_day = utc("2026-03-29T01:30:00Z");
        assert_eq!(
            s.next_slot_after(KYIV, utc("2026-03-28T02:00:00Z")),
            gap_day
        );
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-03-29T01:29:59Z")),
            Some(utc("2026-03-28T01:30:00Z")),
            "the day before: 03:30 EET"
        );
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-03-29T02:00:00Z")),
            Some(gap_day)
        );
        assert_eq!(
            s.next_slot_after(KYIV, gap_day),
            utc("2026-03-30T00:30:00Z"),
            "the day after: 03:30 EEST"
        );
        // And in a zone with a 02:00 -> 03:00 gap: 02:30 CET fires at 03:30 CEST.
        let berlin = chrono_tz::Europe::Berlin;
        let s = sched("sun 02:30");
        let fired = s.next_slot_after(berlin, utc("2026-03-28T00:00:00Z"));
        assert_eq!(fired, utc("2026-03-29T01:30:00Z"));
        assert_eq!(
            fired.with_timezone(&berlin).format("%H:%M").to_string(),
            "03:30"
        );
    }

    #[test]
    fn an_ambiguous_time_fires_once_at_the_earlier_instant() {
        // Kyiv repeats 03:00..04:00 on 2026-10-25: 03:30 EEST = 00:30Z, then 03:30 EET = 01:30Z.
        let s = sched("daily 03:30");
        let first = utc("2026-10-25T00:30:00Z");
        assert_eq!(s.next_slot_after(KYIV, utc("2026-10-24T12:00:00Z")), first);
        assert_eq!(
            s.next_slot_after(KYIV, first),
            utc("2026-10-26T01:30:00Z"),
            "not again at the second 03:30"
        );
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-10-25T01:30:00Z")),
            Some(first)
        );
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-10-25T01:45:00Z")),
            Some(first)
        );
        // Walking the clock minute by minute over the night sees exactly one slot.
        let mut t = utc("2026-10-24T22:00:00Z");
        let mut fired = Vec::new();
        while t < utc("2026-10-25T04:00:00Z") {
            let next = s.next_slot_after(KYIV, t);
            if next <= t + TimeDelta::minutes(1) {
                fired.push(next);
            }
            t += TimeDelta::minutes(1);
        }
        assert_eq!(fired, [first]);
    }

    #[test]
    fn weekdays_skip_the_weekend() {
        let s = sched("weekdays 07:30");
        // 2026-10-23 is a Friday; 07:30 EEST = 04:30Z.
        let fri = utc("2026-10-23T04:30:00Z");
        assert_eq!(fri.with_timezone(&KYIV).weekday(), Weekday::Fri);
        let mon = s.next_slot_after(KYIV, fri);
        assert_eq!(mon, utc("2026-10-26T05:30:00Z"), "Monday, now EET");
        assert_eq!(mon.with_timezone(&KYIV).weekday(), Weekday::Mon);
        assert_eq!(
            s.slot_at_or_before(KYIV, utc("2026-10-25T20:00:00Z")),
            Some(fri)
        );
        let w = sched("weekends 10:00");
        assert_eq!(
            w.next_slot_after(chrono_tz::UTC, fri),
            utc("2026-10-24T10:00:00Z")
        );
        let list = sched("mon,wed 09:00, 17:00");
        let t = utc("2026-10-26T10:00:00Z"); // Monday
        assert_eq!(
            list.slot_at_or_before(chrono_tz::UTC, t),
            Some(utc("2026-10-26T09:00:00Z"))
        );
        assert_eq!(
            list.next_slot_after(chrono_tz::UTC, t),
            utc("2026-10-26T17:00:00Z")
        );
        assert_eq!(
            list.next_slot_after(chrono_tz::UTC, utc("2026-10-26T17:00:00Z")),
            utc("2026-10-28T09:00:00Z")
        );
    }

    #[test]
    fn every_counts_from_the_epoch_in_utc() {
        let s = sched("every 2h");
        let t = utc("2026-05-04T10:59:59Z");
        for tz in [chrono_tz::UTC, KYIV, chrono_tz::America::St_Johns] {
            assert_eq!(
                s.slot_at_or_before(tz, t),
                Some(utc("2026-05-04T10:00:00Z"))
            );
            assert_eq!(s.next_slot_after(tz, t), utc("2026-05-04T12:00:00Z"));
        }
        let slot = utc("2026-05-04T12:00:00Z");
        assert_eq!(s.slot_at_or_before(KYIV, slot), Some(slot));
        assert_eq!(s.next_slot_after(KYIV, slot), utc("2026-05-04T14:00:00Z"));
        // 90 minutes from 1970-01-01T00:00Z: 2026-05-04 slots fall on ...:00 and ...:30.
        let s = sched("every 1h 30m");
        let slot = s.slot_at_or_before(KYIV, t).unwrap();
        assert_eq!(slot.timestamp() % 5400, 0);
        assert!(slot <= t && t - slot < TimeDelta::minutes(90));
        assert_eq!(s.next_slot_after(KYIV, slot) - slot, TimeDelta::minutes(90));
        // Before the epoch too (div_euclid, not truncation).
        let s = sched("every 7d");
        let t = utc("1969-12-31T00:00:00Z");
        assert_eq!(
            s.slot_at_or_before(chrono_tz::UTC, t),
            Some(utc("1969-12-25T00:00:00Z"))
        );
    }

    #[test]
    fn hand_built_empty_schedules_never_fire() {
        let t = utc("2026-05-04T10:00:00Z");
        let empty = Schedule::At {
            days: Days::NONE,
            times: vec![hm(8, 0)],
        };
        assert_eq!(empty.slot_at_or_before(KYIV, t), None);
        assert_eq!(empty.next_slot_after(KYIV, t), t + TimeDelta::days(8));
        assert_eq!(
            due_run(&empty, KYIV, None, t - TimeDelta::days(30), t),
            None
        );
        let zero = Schedule::Every {
            period: Duration::ZERO,
        };
        assert_eq!(zero.slot_at_or_before(KYIV, t), Some(t));
    }

    #[test]
    fn catch_up_after_downtime_is_one_run_covering_the_gap() {
        let s = sched("daily 08:00");
        // Monday 2026-05-04 08:00 Kyiv (EEST) = 05:00Z; daemon down until Thursday 10:00.
        let monday = utc("2026-05-04T05:00:00Z");
        assert_eq!(monday.with_timezone(&KYIV).weekday(), Weekday::Mon);
        let monday_end = utc("2026-05-04T05:00:03Z");
        let last = Some((monday, monday_end));
        let since = utc("2026-05-07T07:00:00Z"); // restarted Thursday 10:00 local
        let thursday = utc("2026-05-07T05:00:00Z");
        let run = due_run(&s, KYIV, last, since, since).unwrap();
        assert_eq!(
            run,
            DueRun {
                slot: thursday,
                period_start: monday_end
            }
        );
        // Recorded; five minutes later nothing is due.
        let last = Some((run.slot, since));
        assert_eq!(
            due_run(&s, KYIV, last, since, utc("2026-05-07T07:05:00Z")),
            None
        );
        // Until Friday 08:00, which covers Thursday's run onwards.
        assert_eq!(
            due_run(&s, KYIV, last, since, utc("2026-05-08T04:59:59Z")),
            None
        );
        assert_eq!(
            due_run(&s, KYIV, last, since, utc("2026-05-08T05:00:00Z")),
            Some(DueRun {
                slot: utc("2026-05-08T05:00:00Z"),
                period_start: since
            })
        );
        // In normal operation nothing is due twice for one slot.
        let last = Some((monday, monday));
        assert_eq!(due_run(&s, KYIV, last, since, monday), None);
        assert_eq!(
            due_run(&s, KYIV, last, since, monday + TimeDelta::hours(3)),
            None
        );
    }

    #[test]
    fn a_fresh_install_waits_for_the_next_slot() {
        let s = sched("daily 08:00");
        let tz = chrono_tz::UTC;
        let since = utc("2026-05-04T09:00:00Z");
        assert_eq!(due_run(&s, tz, None, since, since), None);
        assert_eq!(
            due_run(&s, tz, None, since, utc("2026-05-05T07:59:59Z")),
            None
        );
        let tomorrow = utc("2026-05-05T08:00:00Z");
        assert_eq!(s.next_slot_after(tz, since), tomorrow);
        assert_eq!(
            due_run(&s, tz, None, since, tomorrow + TimeDelta::seconds(1)),
            Some(DueRun {
                slot: tomorrow,
                period_start: utc("2026-05-04T08:00:00Z")
            })
        );
        // Started exactly at a slot: that slot counts.
        let at_slot = utc("2026-05-04T08:00:00Z");
        assert_eq!(
            due_run(&s, tz, None, at_slot, at_slot),
            Some(DueRun {
                slot: at_slot,
                period_start: utc("2026-05-03T08:00:00Z")
            })
        );
        // "every" with no last run: the previous multiple of the period.
        let s = sched("every 2h");
        assert_eq!(
            due_run(&s, tz, None, since, utc("2026-05-04T10:00:30Z")),
            Some(DueRun {
                slot: utc("2026-05-04T10:00:00Z"),
                period_start: utc("2026-05-04T08:00:00Z")
            })
        );
    }
}
