//! `newswatch run` as systemd runs it: a child process with `NOTIFY_SOCKET`
//! pointing at a datagram socket this test reads (READY, WATCHDOG,
//! RELOADING, STOPPING), SIGHUP reloads with a broken and a good config,
//! SIGTERM, `status` while it runs and after, and the single-instance lock.

use std::os::unix::net::UnixDatagram;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::{Running, daemon_log, rss, signal, start_daemon, wait_until};

/// The service manager's end of `NOTIFY_SOCKET`: collects every datagram.
struct NotifySocket {
    path: std::path::PathBuf,
    messages: Arc<Mutex<Vec<String>>>,
    /// When each WATCHDOG=1 arrived.
    pings: Arc<Mutex<Vec<Instant>>>,
}

impl NotifySocket {
    fn bind(env: &Env) -> NotifySocket {
        let path = env.path("notify.sock");
        let socket = UnixDatagram::bind(&path).expect("bind notify socket");
        let messages = Arc::new(Mutex::new(Vec::new()));
        let pings = Arc::new(Mutex::new(Vec::new()));
        let (sink, ping_sink) = (messages.clone(), pings.clone());
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 4096];
            while let Ok(n) = socket.recv(&mut buf) {
                let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                if text.lines().any(|l| l == "WATCHDOG=1") {
                    ping_sink.lock().unwrap().push(Instant::now());
                }
                sink.lock().unwrap().push(text);
            }
        });
        NotifySocket {
            path,
            messages,
            pings,
        }
    }

    /// The longest time without a watchdog ping, up to now.
    fn longest_silence(&self) -> Duration {
        let mut pings = self.pings.lock().unwrap().clone();
        pings.push(Instant::now());
        pings
            .windows(2)
            .map(|w| w[1] - w[0])
            .max()
            .unwrap_or_default()
    }

    /// Messages containing `line` as one of their lines.
    fn count(&self, line: &str) -> usize {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.lines().any(|l| l == line))
            .count()
    }

    fn all(&self) -> String {
        self.messages.lock().unwrap().join("|")
    }
}

/// Start the daemon with systemd's environment; its log goes to `daemon.log`.
fn start(env: &Env, notify: &NotifySocket, watchdog: Option<Duration>) -> Running {
    let usec = watchdog.map(|w| w.as_micros().to_string());
    let mut vars = vec![("NOTIFY_SOCKET", notify.path.as_os_str())];
    if let Some(usec) = &usec {
        vars.push(("WATCHDOG_USEC", std::ffi::OsStr::new(usec)));
    }
    start_daemon(env, &vars)
}

fn log(env: &Env) -> String {
    daemon_log(env)
}

fn source(name: &str, url: &str) -> String {
    format!("[[source]]\nname = \"{name}\"\nurl = \"{url}\"\ninterval = \"1s\"\n\n")
}

const DAEMON: &str = "[daemon]\ndatabase = \"test.db\"\nmin_interval = \"1s\"\njitter = 0.0\n\n";

#[test]
fn systemd_sees_readiness_watchdog_reloads_and_a_clean_stop() {
    let server = TestServer::start();
    server.fixed("/a", Response::ok(rss(&[("a1", "First", "Text")])));
    server.fixed("/b", Response::ok(rss(&[("b1", "Other", "Text")])));
    server.fixed("/broken", Response::status(500));
    let env = Env::new("", "");
    env.write_config(&format!(
        "{DAEMON}{}{}",
        source("a", &server.url("/a")),
        source("broken", &server.url("/broken"))
    ));
    let notify = NotifySocket::bind(&env);
    let mut child = start(&env, &notify, Some(Duration::from_secs(1)));

    wait_until("READY=1", Duration::from_secs(20), || {
        notify.count("READY=1") >= 1
    });
    // Ready means: database open and migrated, config valid, sources synced.
    // (the newest migration made `item_versions.pruned_at`; the run is recorded)
    assert_eq!(
        env.count(
            "SELECT count(*) FROM pragma_table_info('item_versions') WHERE name = 'pruned_at'"
        ),
        1
    );
    assert_eq!(
        env.count("SELECT count(*) FROM runs WHERE stopped_at IS NULL"),
        1
    );
    assert_eq!(
        env.count("SELECT count(*) FROM sources WHERE enabled = 1"),
        2
    );

    // WatchdogSec=1s: pings at least every half period from the scheduler loop.
    let t0 = Instant::now();
    let before = notify.count("WATCHDOG=1");
    wait_until("watchdog pings", Duration::from_secs(5), || {
        notify.count("WATCHDOG=1") >= before + 4
    });
    assert!(t0.elapsed() < Duration::from_secs(4), "{}", notify.all());
    wait_until("items of a", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM items") == Some(1)
    });
    // Failures are logged with their fields (journald keeps them as SOURCE=, URL=, ...).
    wait_until("the failing source logged", Duration::from_secs(10), || {
        log(&env).contains("fetch failed")
    });
    let failed_line = log(&env)
        .lines()
        .find(|l| l.contains("fetch failed"))
        .unwrap()
        .to_string();
    for field in [
        "source=broken",
        &format!("url={}", server.url("/broken")),
        "status=\"error\"",
        "http_status=500",
        "duration_ms=",
    ] {
        assert!(failed_line.contains(field), "{field} in {failed_line}");
    }

    // `status` reads the database while the daemon runs.
    let st = &env.run(&["status", "--json"]).expect(0).json_lines()[0];
    assert_eq!(st["daemon"]["state"], "running", "{st}");
    assert_eq!(st["daemon"]["pid"], child.id());
    assert!(st["daemon"]["uptime_s"].as_i64().unwrap() >= 0);
    let list = st["source_list"].as_array().unwrap();
    assert_eq!(list[0]["name"], "broken", "problems first: {st}");
    assert_eq!(list[0]["state"], "failing");
    assert_eq!(list[1]["name"], "a");
    assert_eq!(list[1]["state"], "ok");
    assert!(list[1]["next_poll_at"].is_string() && list[1]["last_fetch_at"].is_string());
    let text = env.run(&["status"]).expect(0).stdout;
    assert!(
        text.contains(&format!("daemon     running, pid {}", child.id())),
        "{text}"
    );

    // A broken config on SIGHUP: refused with the reason, the old one keeps running.
    env.write_config(&format!(
        "{DAEMON}{}[[source]]\nname = \"c\"\nurl = \"ftp://nope\"\n",
        source("a", &server.url("/a"))
    ));
    let readies = notify.count("READY=1");
    signal(&child, "-HUP");
    wait_until("the refused reload", Duration::from_secs(10), || {
        log(&env).contains("configuration NOT reloaded")
    });
    let refused = log(&env)
        .lines()
        .find(|l| l.contains("configuration NOT reloaded"))
        .unwrap()
        .to_string();
    assert!(
        refused.contains("source \"c\".url"),
        "the reason names the key: {refused}"
    );
    assert!(
        refused.contains("newswatch.toml"),
        "and the file: {refused}"
    );
    wait_until(
        "READY after the refused reload",
        Duration::from_secs(5),
        || notify.count("READY=1") > readies,
    );
    assert!(notify.count("RELOADING=1") >= 1, "{}", notify.all());
    assert!(child.try_wait().unwrap().is_none(), "still running");
    let polled = server.requests("/a").len();
    wait_until(
        "polling goes on with the old config",
        Duration::from_secs(10),
        || server.requests("/a").len() >= polled + 2,
    );
    assert!(server.requests("/b").is_empty());

    // A good config on SIGHUP: `a` goes, `b` comes, without a restart.
    env.write_config(&format!(
        "{DAEMON}{}{}",
        source("broken", &server.url("/broken")),
        source("b", &server.url("/b"))
    ));
    signal(&child, "-HUP");
    wait_until("the reload", Duration::from_secs(10), || {
        log(&env).contains("configuration reloaded")
    });
    wait_until("b polled", Duration::from_secs(10), || {
        env.try_count("SELECT count(*) FROM items") == Some(2)
    });
    let a_after = server.requests("/a").len();
    let b_after = server.requests("/b").len();
    // b is polled every second: three more polls of it are three looks at
    // the plan, each of which would have polled a had it still been there.
    wait_until("b polled three more times", Duration::from_secs(15), || {
        server.requests("/b").len() >= b_after + 3
    });
    assert!(
        server.requests("/a").len() <= a_after + 1,
        "a removed source is no longer polled (one fetch may have been in flight)"
    );
    let st = &env.run(&["status", "--json"]).expect(0).json_lines()[0];
    assert_eq!(
        st["daemon"]["reloads"], 1,
        "only the applied reload counts: {st}"
    );
    let names: Vec<&str> = st["source_list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["broken", "b"],
        "a source removed from the config is not listed"
    );
    assert!(child.try_wait().unwrap().is_none());

    // SIGTERM: STOPPING, exit 0 promptly, a consistent database, a recorded stop.
    let t0 = Instant::now();
    signal(&child, "-TERM");
    let status = child.wait().unwrap();
    // Within the unit's TimeoutStopSec, after which systemd would kill it.
    assert!(t0.elapsed() < Duration::from_secs(30), "{:?}", t0.elapsed());
    assert_eq!(status.code(), Some(0), "{}", log(&env));
    assert!(notify.count("STOPPING=1") >= 1, "{}", notify.all());
    assert_eq!(env.text("PRAGMA integrity_check").as_deref(), Some("ok"));
    let st = &env.run(&["status", "--json"]).expect(0).json_lines()[0];
    assert_eq!(st["daemon"]["state"], "stopped", "{st}");
    assert_eq!(st["daemon"]["clean_stop"], true);
    assert_eq!(st["daemon"]["stop_reason"], "SIGTERM");
}

#[test]
fn one_daemon_per_database() {
    let server = TestServer::start();
    server.fixed("/a", Response::ok(rss(&[("a1", "First", "Text")])));
    let env = Env::new("", "");
    env.write_config(&format!("{DAEMON}{}", source("a", &server.url("/a"))));
    let notify = NotifySocket::bind(&env);
    let mut first = start(&env, &notify, None);
    wait_until("READY=1", Duration::from_secs(20), || {
        notify.count("READY=1") >= 1
    });

    // The second one is refused at once (it does not wait for the first to
    // let go) and says by whom.
    let t0 = Instant::now();
    let second = env.run(&["run"]).expect(1);
    assert!(t0.elapsed() < Duration::from_secs(20), "{:?}", t0.elapsed());
    assert!(
        second.stderr.contains("already running"),
        "{}",
        second.stderr
    );
    assert!(
        second.stderr.contains(&format!("pid {}", first.id())),
        "{}",
        second.stderr
    );
    assert!(second.stderr.contains("test.db.lock"), "{}", second.stderr);
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first one is untouched"
    );

    // SIGKILL: the kernel drops the lock; status tells the run did not end cleanly.
    signal(&first, "-KILL");
    first.wait().unwrap();
    let st = &env.run(&["status", "--json"]).expect(0).json_lines()[0];
    assert_eq!(st["daemon"]["state"], "stopped", "{st}");
    assert_eq!(st["daemon"]["clean_stop"], false);
    let text = env.run(&["status"]).expect(0).stdout;
    assert!(text.contains("ended without a clean stop"), "{text}");

    // And a new daemon starts on the same database.
    let mut third = start(&env, &notify, None);
    wait_until("second READY=1", Duration::from_secs(20), || {
        notify.count("READY=1") >= 2
    });
    signal(&third, "-TERM");
    assert_eq!(third.wait().unwrap().code(), Some(0));
    assert_eq!(env.count("SELECT count(*) FROM runs"), 2);
}

/// A `sqlite3` shell left in a write transaction: the daemon cannot store
/// anything until it lets go. It must neither be restarted by the watchdog
/// (that helps nothing) nor keep fetching, and once the lock is gone it
/// must poll at once, losing nothing.
#[test]
fn a_write_lock_held_by_another_process_pauses_polling_until_it_lets_go() {
    use std::sync::atomic::{AtomicBool, Ordering};
    const FEEDS: usize = 12;
    let server = TestServer::start();
    let second_edition = Arc::new(AtomicBool::new(false));
    let mut config = DAEMON.to_string();
    for n in 0..FEEDS {
        let edition = second_edition.clone();
        server.route(&format!("/f{n}"), move |_| {
            let mut items = vec![(format!("f{n}-1"), format!("Feed {n} first"))];
            if edition.load(Ordering::SeqCst) {
                items.push((format!("f{n}-2"), format!("Feed {n} second")));
            }
            let items: Vec<_> = items
                .iter()
                .map(|(id, title)| (id.as_str(), title.as_str(), "Text"))
                .collect();
            Response::ok(rss(&items))
        });
        config.push_str(&source(&format!("f{n}"), &server.url(&format!("/f{n}"))));
    }
    let env = Env::new("", "");
    env.write_config(&config);
    let notify = NotifySocket::bind(&env);
    let watchdog = Duration::from_secs(40);
    let mut child = start(&env, &notify, Some(watchdog));
    wait_until("the first editions", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM items") == Some(FEEDS as i64)
    });

    let lock = rusqlite::Connection::open(env.path("test.db")).unwrap();
    lock.execute_batch("BEGIN IMMEDIATE").unwrap();
    let locked_at = Instant::now();
    let requests_before: usize = (0..FEEDS)
        .map(|n| server.requests(&format!("/f{n}")).len())
        .sum();
    second_edition.store(true, Ordering::SeqCst);
    wait_until("polling paused", Duration::from_secs(30), || {
        daemon_log(&env).contains("polling paused")
    });
    assert!(
        notify.all().contains("STATUS=polling paused"),
        "systemctl status says so: {}",
        notify.all()
    );
    // Every source is due each second; paused, they are not fetched.
    let requests_paused: usize = (0..FEEDS)
        .map(|n| server.requests(&format!("/f{n}")).len())
        .sum();
    // 30 s of lock, and the scheduler looking at its plan all along: each
    // watchdog ping comes from a look that would have fetched the due
    // sources had polling not been paused.
    let pings_paused = notify.count("WATCHDOG=1");
    wait_until(
        "30 s of lock with the scheduler alive",
        Duration::from_secs(60),
        || {
            locked_at.elapsed() >= Duration::from_secs(30)
                && notify.count("WATCHDOG=1") >= pings_paused + 2
        },
    );
    let requests_during: usize = (0..FEEDS)
        .map(|n| server.requests(&format!("/f{n}")).len())
        .sum();
    assert!(
        requests_during - requests_before <= 2 * FEEDS,
        "{} fetches of {FEEDS} sources in 30 s of lock",
        requests_during - requests_before
    );
    assert!(
        requests_during - requests_paused <= FEEDS,
        "fetches went on after the pause: {} → {requests_during}",
        requests_paused
    );
    assert!(child.try_wait().unwrap().is_none(), "the daemon runs on");

    lock.execute_batch("ROLLBACK").unwrap();
    drop(lock);
    let released_at = Instant::now();
    wait_until("the second editions", Duration::from_secs(30), || {
        env.try_count("SELECT count(*) FROM items") == Some(2 * FEEDS as i64)
    });
    assert!(
        released_at.elapsed() < Duration::from_secs(10),
        "polling resumed {:?} after the lock was let go",
        released_at.elapsed()
    );
    assert!(daemon_log(&env).contains("polling resumes"));
    let silence = notify.longest_silence();
    assert!(
        silence < watchdog,
        "no watchdog ping for {silence:?}: systemd would have restarted the daemon"
    );
    signal(&child, "-TERM");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(env.text("PRAGMA integrity_check").as_deref(), Some("ok"));
}
