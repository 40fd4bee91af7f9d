//! A full disk under a running daemon: the database's file system (a small
//! tmpfs, so the tests need root and the right to mount; each fails without
//! them and is `#[ignore]`d so that a plain `cargo test` says so; CI runs
//! them as root with `cargo test --test it -- --ignored`) fills up while a fetch
//! waits to be stored and an alert waits to be sent, then space comes back.
//! Nothing stored is lost, the feed server is not hammered, no mail goes
//! out twice, and the daemon carries on by itself.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::support::http::{Response, TestServer};
use crate::support::smtp::SmtpServer;
use crate::support::{
    Running, daemon_log, env::Env, rss, running_as_root, signal, start_daemon, wait_until,
};

/// A tmpfs mounted for the test, unmounted when dropped.
struct Tmpfs(PathBuf);

impl Tmpfs {
    /// Fails the test where mounting is not allowed (root in a container
    /// without the capability).
    fn mount(at: &Path, size: &str) -> Tmpfs {
        std::fs::create_dir_all(at).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .status();
        assert!(
            mounted.as_ref().is_ok_and(|s| s.success()),
            "this test mounts a tmpfs at {} and cannot ({mounted:?}): it needs root with \
             the right to mount (CAP_SYS_ADMIN)",
            at.display()
        );
        Tmpfs(at.to_path_buf())
    }

    /// Write a file until the file system is full; returns it.
    fn fill(&self) -> PathBuf {
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let chunk = vec![0u8; 4096];
        while file.write_all(&chunk).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

/// The feed with the first `n` reports (1 and 2 off the topic).
fn feed(n: usize) -> Response {
    let titles: Vec<(String, String)> = (1..=n)
        .map(|k| {
            let title = if k <= 2 {
                format!("Grain report number {k}")
            } else {
                format!("Ceasefire report number {k}")
            };
            (format!("r{k}"), title)
        })
        .collect();
    let items: Vec<(&str, &str, &str)> = titles
        .iter()
        .map(|(guid, title)| {
            (
                guid.as_str(),
                title.as_str(),
                "Delegations met in Istanbul.",
            )
        })
        .collect();
    Response::ok(rss(&items))
}

fn query(db: &Path, sql: &str) -> String {
    // Before the daemon has created the database: an error, as text.
    Connection::open_with_flags(db, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .and_then(|conn| {
            conn.busy_timeout(Duration::from_secs(5))?;
            conn.query_row(sql, [], |r| r.get::<_, rusqlite::types::Value>(0))
        })
        .map(|v| match v {
            rusqlite::types::Value::Integer(i) => i.to_string(),
            rusqlite::types::Value::Text(t) => t,
            other => format!("{other:?}"),
        })
        .unwrap_or_else(|e| format!("error: {e}"))
}

/// A running daemon whose database lives on a small tmpfs, one alert
/// waiting in the outbox (the SMTP server answering 451) and a refused
/// attempt made. Fails the test where it cannot be made (not root, no
/// mount).
struct Scene {
    env: Env,
    state: Tmpfs,
    db: PathBuf,
    server: TestServer,
    smtp: SmtpServer,
    daemon: Running,
}

fn scene() -> Scene {
    let env = Env::new("", "");
    assert!(
        running_as_root(env.path("").as_path()),
        "this test mounts a tmpfs for the database and needs root: run it as root with \
         `cargo test --test it -- --ignored`"
    );
    let state = Tmpfs::mount(&env.path("state"), "8m");
    let db = env.path("state/newswatch.db");
    let server = TestServer::start();
    server.fixed("/feed", feed(2));
    let smtp = SmtpServer::start();
    env.write_config(&format!(
        r#"[daemon]
database = "state/newswatch.db"
min_interval = "1s"
jitter = 0.0

[email]
smtp_url = "{}"
from = "newswatch <alerts@example.org>"
to = ["analyst@example.org"]
group_window = "0s"
retry_min = "1s"
retry_max = "1s"
alert_max_age = "3650d"

[[source]]
name = "wire"
url = "{}"
interval = "1s"

[[topic]]
name = "talks"
query = "ceasefire"
alert = "immediate"
"#,
        smtp.url(),
        server.url("/feed")
    ));
    let daemon = start_daemon(&env, &[]);
    wait_until("the baseline poll", Duration::from_secs(30), || {
        query(&db, "SELECT count(*) FROM items") == "2"
    });

    // A report on the topic, while the mail server answers 451: its alert
    // waits in the outbox.
    smtp.refuse(true);
    server.fixed("/feed", feed(3));
    wait_until("a refused attempt", Duration::from_secs(30), || {
        query(&db, "SELECT count(*) FROM outbox WHERE attempts >= 1") == "1"
    });
    Scene {
        env,
        state,
        db,
        server,
        smtp,
        daemon,
    }
}

#[test]
#[ignore = "needs root and the right to mount a tmpfs; CI runs it: cargo test --test it -- --ignored"]
fn a_full_disk_loses_nothing_hammers_no_one_and_doubles_no_mail() {
    let Scene {
        env,
        state,
        db,
        server,
        smtp,
        mut daemon,
    } = scene();

    // The disk fills up. The next report cannot be stored, and the server
    // now accepts the waiting alert, which the daemon cannot record as sent.
    let filler = state.fill();
    server.fixed("/feed", feed(4));
    let requests_before = server.requests("/feed").len();
    smtp.refuse(false);
    let mail = smtp.wait_for(1, Duration::from_secs(30));
    assert!(mail[0].subject().contains("Ceasefire report number 3"));
    wait_until("a refused fetch", Duration::from_secs(30), || {
        daemon_log(&env).contains("the database refuses to store fetches")
    });
    let full_since = Instant::now();
    std::thread::sleep(Duration::from_secs(6));
    let requests_while_full = server.requests("/feed").len() - requests_before;
    assert!(daemon.try_wait().unwrap().is_none(), "{}", daemon_log(&env));
    let log = daemon_log(&env);
    assert!(
        log.contains("database or disk is full (the file system holding it is full;"),
        "{log}"
    );
    // Sent once: not again at every pass of the notifier (every 100 ms to
    // 2 s) while the disk is full.
    assert_eq!(smtp.messages().len(), 1, "{log}");
    // The fetch that could not be stored is not repeated at every look at
    // the plan (five times a second before): the source waits 10 s.
    assert!(
        requests_while_full <= 3,
        "{requests_while_full} fetches in {:?} with a full disk",
        full_since.elapsed()
    );

    // Space comes back: the held fetch goes in within the wait, the sent
    // alert is recorded, and the new report is alerted: each once.
    std::fs::remove_file(&filler).unwrap();
    let mail = smtp.wait_for(2, Duration::from_secs(40));
    assert_eq!(mail.len(), 2, "{}", daemon_log(&env));
    assert!(mail[1].subject().contains("Ceasefire report number 4"));
    wait_until(
        "both alerts recorded as sent",
        Duration::from_secs(30),
        || query(&db, "SELECT count(*) FROM outbox WHERE status = 'sent'") == "2",
    );
    assert_eq!(query(&db, "SELECT count(*) FROM items"), "4");
    assert_eq!(query(&db, "PRAGMA integrity_check"), "ok");
    let log = daemon_log(&env);
    assert!(log.contains("the database accepts fetches again"), "{log}");
    assert!(
        log.contains("outcome of an earlier attempt recorded"),
        "{log}"
    );
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(smtp.messages().len(), 2);
    assert!(daemon.try_wait().unwrap().is_none());
}

/// Stopped while a sent alert cannot be recorded: the stop says so, and the
/// next run sends it again with the same Message-ID (the one duplicate
/// README's delivery guarantees allow), then records it.
#[test]
#[ignore = "needs root and the right to mount a tmpfs; CI runs it: cargo test --test it -- --ignored"]
fn a_stop_with_a_sent_alert_not_recorded_says_it_will_go_again() {
    let Scene {
        env,
        state,
        db,
        smtp,
        daemon,
        ..
    } = scene();
    let filler = state.fill();
    smtp.refuse(false);
    let mail = smtp.wait_for(1, Duration::from_secs(30));
    assert!(mail[0].subject().contains("Ceasefire report number 3"));
    wait_until(
        "the unrecorded send in the log",
        Duration::from_secs(10),
        || daemon_log(&env).contains("mail sent but not recorded as sent yet"),
    );
    signal(&daemon, "-TERM");
    let mut daemon = daemon;
    let status = daemon.wait().unwrap();
    let log = daemon_log(&env);
    assert!(
        log.contains("stopping with messages sent but not recorded as sent"),
        "{log}"
    );
    assert!(log.contains("messages=1"), "{log}");
    assert_eq!(status.code(), Some(0), "{log}");

    std::fs::remove_file(&filler).unwrap();
    let _daemon = start_daemon(&env, &[]);
    let mail = smtp.wait_for(2, Duration::from_secs(30));
    assert_eq!(mail.len(), 2);
    assert_eq!(mail[0].message_id(), mail[1].message_id());
    wait_until(
        "the alert recorded as sent",
        Duration::from_secs(30),
        || query(&db, "SELECT count(*) FROM outbox WHERE status = 'sent'") == "1",
    );
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(smtp.messages().len(), 2);
}
