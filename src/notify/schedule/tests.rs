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
