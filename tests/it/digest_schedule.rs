//! Digest schedules with a controllable clock: the notifier is driven through
//! the library on a manual clock (`newswatch::clock::ManualClock`) stepped by
//! the test, against a real SQLite file and a real SMTP server, across the
//! Kyiv DST change and a multi-day outage.

use chrono::{DateTime, Utc};
use newswatch::clock::{Clock, ManualClock};
use newswatch::notify::Notifier;

use crate::support::smtp::SmtpServer;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn notifier(
    dir: &std::path::Path,
    smtp: &SmtpServer,
    send_empty: bool,
    clock: &ManualClock,
) -> Notifier {
    let path = dir.join("newswatch.toml");
    let text = format!(
        r#"[daemon]
database = "test.db"

[[topic]]
name = "talks"
query = "ceasefire"

[email]
smtp_url = "{}"
from = "newswatch <nw@example.org>"
to = ["analyst@example.org"]

[[digest]]
name = "morning"
schedule = "daily 08:00"
timezone = "Europe/Kyiv"
topics = ["talks"]
send_empty = {send_empty}
"#,
        smtp.url()
    );
    std::fs::write(&path, &text).unwrap();
    let config = newswatch::config::load(&path).expect("config");
    Notifier::open(config.mail_settings(), &dir.join("test.db"), clock.shared())
        .expect("notifier")
        .expect("[email] is configured")
}

/// The notifier driven by hand: each tick sets the clock, plans the digests
/// due at that time and sends what is due.
struct Ticker {
    rt: tokio::runtime::Runtime,
    clock: ManualClock,
    notifier: Option<Notifier>,
    since: DateTime<Utc>,
}

impl Ticker {
    /// Installed (the daemon started) at `since`.
    fn new(dir: &std::path::Path, smtp: &SmtpServer, send_empty: bool, since: &str) -> Ticker {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let clock = ManualClock::new(at(since));
        let notifier = Some(notifier(dir, smtp, send_empty, &clock));
        Ticker {
            rt,
            clock,
            notifier,
            since: at(since),
        }
    }

    /// (digests planned, messages sent) at `now`.
    fn tick(&mut self, now: &str) -> (usize, usize) {
        self.clock.set(at(now));
        let now = self.clock.now();
        let _inside = self.rt.enter();
        let n = self.notifier.as_mut().unwrap();
        let planned = n.plan_digests(now, self.since).unwrap();
        let sent = self.rt.block_on(n.deliver_due(now)).sent;
        (planned.len(), sent)
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        // lettre's connection pool is dropped inside a runtime.
        let _inside = self.rt.enter();
        self.notifier.take();
    }
}

/// (slot, period_start, period_end) of every recorded run, oldest first.
fn runs(dir: &std::path::Path) -> Vec<(String, String, String)> {
    let db = rusqlite::Connection::open(dir.join("test.db")).unwrap();
    let mut stmt = db
        .prepare("SELECT slot, period_start, period_end FROM digests ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn daily_0800_kyiv_follows_dst_and_catches_up_once_after_downtime() {
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    // Installed on Friday 23 Oct 2026 at 12:00 Kyiv (summer time, UTC+3).
    let mut clock = Ticker::new(dir.path(), &smtp, true, "2026-10-23T09:00:00Z");
    let mut tick = |now: &str| clock.tick(now);
    // Nothing before the first 08:00 after installation.
    assert_eq!(tick("2026-10-23T12:00:00Z"), (0, 0));
    assert_eq!(tick("2026-10-24T04:59:00Z"), (0, 0));
    // Saturday 08:00 EEST = 05:00Z.
    assert_eq!(tick("2026-10-24T05:00:30Z"), (1, 1));
    assert_eq!(tick("2026-10-24T05:10:00Z"), (0, 0));
    // Clocks go back on Sunday 25 Oct: 08:00 EET = 06:00Z, not 05:00Z.
    assert_eq!(tick("2026-10-25T05:30:00Z"), (0, 0));
    assert_eq!(tick("2026-10-25T06:00:30Z"), (1, 1));
    // Down from Sunday until Wednesday 10:00 Kyiv: one digest covers the gap.
    assert_eq!(tick("2026-10-28T08:00:00Z"), (1, 1));
    assert_eq!(tick("2026-10-28T08:05:00Z"), (0, 0));

    let runs = runs(dir.path());
    assert_eq!(
        runs,
        [
            (
                "2026-10-24T05:00:00Z".to_string(),
                "2026-10-23T05:00:00Z".to_string(),
                "2026-10-24T05:00:30Z".to_string()
            ),
            (
                "2026-10-25T06:00:00Z".to_string(),
                "2026-10-24T05:00:30Z".to_string(),
                "2026-10-25T06:00:30Z".to_string()
            ),
            (
                "2026-10-28T06:00:00Z".to_string(),
                "2026-10-25T06:00:30Z".to_string(),
                "2026-10-28T08:00:00Z".to_string()
            ),
        ]
    );
    let msgs = smtp.wait_for(3, std::time::Duration::from_secs(10));
    assert_eq!(msgs.len(), 3);
    // The catch-up digest says which period it covers, in Kyiv time.
    let last = msgs.last().unwrap();
    assert!(last.subject().contains("morning"), "{}", last.subject());
    let text = last.text();
    assert!(text.contains("2026-10-25 08:00"), "{text}");
    assert!(text.contains("2026-10-28 10:00"), "{text}");
}

#[test]
fn an_empty_scheduled_digest_is_recorded_but_not_sent() {
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let _inside = rt.enter();
    let since = at("2026-11-26T00:00:00Z");
    let now = at("2026-11-26T06:00:10Z");
    let clock = ManualClock::new(now);
    let mut n = notifier(dir.path(), &smtp, false, &clock);
    assert_eq!(n.plan_digests(now, since).unwrap().len(), 1);
    assert_eq!(rt.block_on(n.deliver_due(now)).sent, 0);
    assert_eq!(runs(dir.path()).len(), 1, "the run is recorded");
    let db = rusqlite::Connection::open(dir.path().join("test.db")).unwrap();
    let (sent, queued): (i64, i64) = db
        .query_row(
            "SELECT (SELECT sent FROM digests), (SELECT count(*) FROM outbox)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((sent, queued), (0, 0));
    // `deliver_due` has returned: a message it sent would have been stored
    // by the server before it was accepted. Nothing reached the server.
    assert!(
        !smtp.commands().iter().any(|c| c.starts_with("MAIL")),
        "{:?}",
        smtp.commands()
    );
    assert!(smtp.messages().is_empty());
}

/// The clock ran two days fast and was put right: the digest the fast clock
/// recorded for Monday does not hold Saturday's and Sunday's off, and is not
/// sent again when Monday really comes.
#[test]
fn a_clock_stepped_back_does_not_hold_the_schedule_off() {
    let smtp = SmtpServer::start();
    let dir = tempfile::tempdir().unwrap();
    let mut clock = Ticker::new(dir.path(), &smtp, true, "2026-10-23T09:00:00Z");
    let mut tick = |now: &str| clock.tick(now);
    // The fast clock says Monday 26 Oct, 08:00 Kyiv.
    assert_eq!(tick("2026-10-26T06:00:30Z"), (1, 1));
    // Put right: it is Friday evening, then Saturday 08:00 Kyiv (05:00Z).
    assert_eq!(tick("2026-10-23T16:00:00Z"), (0, 0));
    assert_eq!(tick("2026-10-24T05:00:30Z"), (1, 1));
    assert_eq!(tick("2026-10-24T05:10:00Z"), (0, 0));
    assert_eq!(tick("2026-10-25T06:00:30Z"), (1, 1));
    // Monday's slot was sent by the fast clock: not again.
    assert_eq!(tick("2026-10-26T06:00:30Z"), (0, 0));
    assert_eq!(tick("2026-10-27T06:00:30Z"), (1, 1));
    let msgs = smtp.wait_for(4, std::time::Duration::from_secs(10));
    assert_eq!(msgs.len(), 4);
    // No period runs backwards.
    for (slot, start, end) in runs(dir.path()) {
        assert!(start <= end, "{slot}: {start} > {end}");
    }
}
