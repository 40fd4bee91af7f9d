//! The daemon on a manual clock: its schedule, retention and digests are
//! driven by stepping time (minutes, hours, days) instead of waiting for
//! it. The daemon runs in-process (`service::run_until`), against real HTTP
//! and SMTP servers on loopback and a real SQLite file.

use std::time::Duration;

use chrono::{DateTime, Utc};
use newswatch::clock::ManualClock;

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::SmtpServer;
use crate::support::{rss, wait_until};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

/// `newswatch run` in this process, on `clock`, until dropped.
struct Daemon {
    rt: tokio::runtime::Runtime,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl Daemon {
    fn start(env: &Env, clock: &ManualClock) -> Daemon {
        let config = newswatch::config::load(&env.config).expect("config");
        // The daemon sets the alert rules from `config` (`service::run_until`).
        let store = newswatch::store::Store::open(&config.daemon.database).expect("store");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let options = newswatch::service::RunOptions {
            config_path: env.config.clone(),
            clock: clock.shared(),
        };
        let task = rt.spawn(newswatch::service::run_until(
            config,
            store,
            options,
            async move {
                let _ = stopped.await;
            },
        ));
        Daemon {
            rt,
            stop: Some(stop),
            task: Some(task),
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let outcome = self
                .rt
                .block_on(async { tokio::time::timeout(Duration::from_secs(20), task).await });
            if !std::thread::panicking() {
                outcome
                    .expect("the daemon stops")
                    .expect("the daemon task")
                    .expect("the daemon ends without an error");
            }
        }
    }
}

const WAIT: Duration = Duration::from_secs(20);

/// A source on a 10-minute interval is polled again when the clock has
/// moved ten minutes; one that answered 503 with `Retry-After: 3600` waits
/// its hour.
#[test]
fn sources_are_polled_when_their_time_comes() {
    let server = TestServer::start();
    server.fixed("/a", Response::ok(rss(&[("a1", "First", "Text")])));
    server.fixed("/b", Response::status(503).header("Retry-After", "3600"));
    let env = Env::new(
        "jitter = 0.0",
        &format!(
            "[[source]]\nname = \"a\"\nurl = \"{}\"\ninterval = \"10m\"\n\n\
             [[source]]\nname = \"b\"\nurl = \"{}\"\n",
            server.url("/a"),
            server.url("/b")
        ),
    );
    let clock = ManualClock::new(at("2026-12-01T10:00:00Z"));
    let _daemon = Daemon::start(&env, &clock);
    let next_poll = |name: &str| {
        env.try_count(&format!(
            "SELECT unixepoch(next_poll_at) FROM sources WHERE name = '{name}'"
        ))
    };
    wait_until("both sources polled", WAIT, || {
        next_poll("a") == Some(at("2026-12-01T10:10:00Z").timestamp())
            && next_poll("b") == Some(at("2026-12-01T11:00:00Z").timestamp())
    });
    assert_eq!(server.requests("/a").len(), 1);

    clock.set(at("2026-12-01T10:10:00Z"));
    wait_until("a polled again", WAIT, || {
        next_poll("a") == Some(at("2026-12-01T10:20:00Z").timestamp())
    });
    assert_eq!(server.requests("/a").len(), 2);
    assert_eq!(server.requests("/b").len(), 1, "Retry-After is honoured");

    clock.set(at("2026-12-01T11:00:00Z"));
    wait_until("b polled after its hour", WAIT, || {
        server.requests("/b").len() == 2
    });
    wait_until("a polled at 11:00", WAIT, || {
        next_poll("a") == Some(at("2026-12-01T11:10:00Z").timestamp())
    });
    assert_eq!(
        server.requests("/a").len(),
        3,
        "once, not once per missed slot"
    );
}

/// Retention runs at the start and then once a day: an item that becomes
/// old enough waits for the next day's run, which comes when the clock
/// has moved a day.
#[test]
fn retention_runs_at_start_and_then_daily() {
    let env = Env::new(
        "retention = \"30d\"",
        "[[source]]\nname = \"archive\"\nurl = \"https://archive.invalid/rss\"\n",
    );
    let t0 = at("2026-12-01T10:00:00Z");
    let ingest = |guid: &str, seen: DateTime<Utc>| {
        let file = env.path(&format!("{guid}.xml"));
        std::fs::write(&file, rss(&[(guid, &format!("Item {guid}"), "Long text")])).unwrap();
        env.run(&[
            "ingest",
            "--source",
            "archive",
            "--at",
            &seen.to_rfc3339(),
            file.to_str().unwrap(),
        ])
        .expect(0);
    };
    let pruned = |guid: &str| {
        env.try_count(&format!(
            "SELECT count(*) FROM item_versions v JOIN items i ON i.id = v.item_id
             WHERE i.guid = '{guid}' AND v.pruned_at IS NOT NULL"
        )) == Some(1)
    };
    let heartbeat = || env.text("SELECT heartbeat_at FROM runs ORDER BY id DESC LIMIT 1");
    ingest("old", t0 - chrono::Duration::days(40));

    let clock = ManualClock::new(t0);
    let _daemon = Daemon::start(&env, &clock);
    wait_until("the start's retention run", WAIT, || pruned("old"));

    // Another item, old enough already; an hour later the daemon has
    // looked at its plan (its heartbeat says so) but not pruned again.
    ingest("late", t0 - chrono::Duration::days(31));
    // (Two looks: the first one's retention step, if it had one, is done
    // by the time the second records its heartbeat.)
    clock.set(t0 + chrono::Duration::hours(1));
    wait_until("the heartbeat an hour on", WAIT, || {
        heartbeat().as_deref() == Some("2026-12-01T11:00:00Z")
    });
    clock.set(t0 + chrono::Duration::minutes(62));
    wait_until("the heartbeat a minute later", WAIT, || {
        heartbeat().as_deref() == Some("2026-12-01T11:02:00Z")
    });
    assert!(!pruned("late"), "retention ran again within the day");

    clock.set(t0 + chrono::Duration::days(1));
    wait_until("the next day's retention run", WAIT, || pruned("late"));
}

/// The daemon's notifier sends the 08:00 Kyiv digest when the clock says
/// 08:00 in Kyiv, in summer time and after the clocks go back.
#[test]
fn the_daemon_sends_a_digest_when_its_hour_comes() {
    let smtp = SmtpServer::start();
    let env = Env::new(
        "",
        &format!(
            "[[topic]]\nname = \"talks\"\nquery = \"ceasefire\"\n\n\
             [email]\nsmtp_url = \"{}\"\nfrom = \"nw@example.org\"\nto = [\"analyst@example.org\"]\n\n\
             [[digest]]\nname = \"morning\"\nschedule = \"daily 08:00\"\n\
             timezone = \"Europe/Kyiv\"\nsend_empty = true\n",
            smtp.url()
        ),
    );
    let slots = || -> Vec<String> {
        let Ok(db) = rusqlite::Connection::open_with_flags(
            &env.db,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        ) else {
            return Vec::new();
        };
        let Ok(mut stmt) = db.prepare("SELECT slot FROM digests ORDER BY id") else {
            return Vec::new();
        };
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    // Started on Friday 23 Oct 2026, 12:00 in Kyiv (UTC+3).
    let clock = ManualClock::new(at("2026-10-23T09:00:00Z"));
    let _daemon = Daemon::start(&env, &clock);
    wait_until("the daemon's start", WAIT, || {
        env.try_count("SELECT count(*) FROM runs") == Some(1)
    });
    // Saturday 08:00 EEST is 05:00Z.
    clock.set(at("2026-10-24T05:00:30Z"));
    let mail = smtp.wait_for(1, WAIT);
    assert!(
        mail[0].subject().contains("morning"),
        "{}",
        mail[0].subject()
    );
    assert_eq!(slots(), ["2026-10-24T05:00:00Z"]);
    // Sunday the clocks go back: 08:00 EET is 06:00Z.
    clock.set(at("2026-10-25T06:00:30Z"));
    let mail = smtp.wait_for(2, WAIT);
    assert_eq!(mail.len(), 2);
    assert_eq!(slots(), ["2026-10-24T05:00:00Z", "2026-10-25T06:00:00Z"]);
}
