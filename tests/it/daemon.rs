//! `newswatch run` as a real child process: it polls on its schedule, keeps
//! the plan in the database, and exits 0 promptly on SIGTERM.

use std::time::{Duration, Instant};

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::{rss, signal};

fn start(env: &Env) -> crate::support::Running {
    crate::support::start_daemon(env, &[])
}

#[test]
fn run_polls_on_schedule_and_stops_cleanly_on_sigterm() {
    let server = TestServer::start();
    server.fixed("/a", Response::ok(rss(&[("a1", "First", "Text")])));
    server.fixed("/b", Response::status(503).header("Retry-After", "3600"));
    let env = Env::new(
        "min_interval = \"1s\"\njitter = 0.0",
        &format!(
            "[[source]]\nname = \"a\"\nurl = \"{}\"\ninterval = \"1s\"\n\n[[source]]\nname = \"b\"\nurl = \"{}\"\n",
            server.url("/a"),
            server.url("/b")
        ),
    );
    let mut child = start(&env);
    crate::support::wait_until("the first item", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM items") == Some(1)
    });
    // The 1-second source is polled again and again; the 503 one waits its hour.
    server.fixed(
        "/a",
        Response::ok(rss(&[("a1", "First", "Text"), ("a2", "Second", "Text")])),
    );
    crate::support::wait_until("the second item", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM items") == Some(2)
    });
    assert!(server.requests("/a").len() >= 2);
    assert_eq!(
        server.requests("/b").len(),
        1,
        "Retry-After is honoured by the daemon"
    );

    let t0 = Instant::now();
    signal(&child, "-TERM");
    let status = child.wait().unwrap();
    // Within the unit's TimeoutStopSec, after which systemd would kill it.
    assert!(
        t0.elapsed() < Duration::from_secs(30),
        "stopped in {:?}",
        t0.elapsed()
    );
    assert_eq!(status.code(), Some(0));
    assert_eq!(env.text("PRAGMA integrity_check").as_deref(), Some("ok"));
    // The plan survives the restart: the failing source is still an hour away.
    let next_b = env
        .text("SELECT next_poll_at FROM sources WHERE name = 'b'")
        .unwrap();
    // Two polls of the 1-second source after the restart: the scheduler
    // has looked at its plan since, and would have polled b were it due.
    let a_before = server.requests("/a").len();
    let mut child = start(&env);
    crate::support::wait_until(
        "two polls of a after the restart",
        Duration::from_secs(20),
        || server.requests("/a").len() >= a_before + 2,
    );
    signal(&child, "-INT");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(server.requests("/b").len(), 1);
    assert_eq!(
        env.text("SELECT next_poll_at FROM sources WHERE name = 'b'")
            .unwrap(),
        next_b
    );
}

/// Whether the search index of `env`'s database still has segments to merge
/// (FTS5 `'merge'` changes rows), asked of a copy so the check itself merges
/// nothing.
fn search_index_merge_owed(env: &Env, copy_name: &str) -> bool {
    let copy = env.path(copy_name);
    let _ = std::fs::remove_file(&copy);
    env.db()
        .execute("VACUUM INTO ?1", [copy.to_str().unwrap()])
        .expect("VACUUM INTO");
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let before = conn.total_changes();
    conn.execute(
        "INSERT INTO items_fts (items_fts, rank) VALUES ('merge', 200)",
        [],
    )
    .unwrap();
    conn.total_changes() - before >= 2
}

/// Fifteen items of batch `b`, with words of their own (`alpha{b}beta{i}`).
fn batch(b: u64) -> String {
    let items: Vec<(String, String, String)> = (0..15)
        .map(|i| {
            (
                format!("s{b}-{i}"),
                format!("Headline {b} {i} about ceasefire talks word{b}x{i}"),
                format!("Body text {b} {i} with distinct words alpha{b}beta{i} gamma{i}"),
            )
        })
        .collect();
    let refs: Vec<(&str, &str, &str)> = items
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    rss(&refs)
}

/// The daemon merges the search index once nothing has come for a second:
/// the segments six one-shot polls left, with the one it wrote itself. It
/// waits for what the daemon did (its log says it merged; the index then
/// has nothing to merge), never for a time: each poll is its own process
/// and commit, so how the segments fall does not depend on the machine's
/// load.
#[test]
fn the_daemon_merges_the_search_index_once_idle() {
    let server = TestServer::start();
    let env = Env::new(
        "jitter = 0.0\nlog = \"info,newswatch::pipeline::writer=debug\"",
        &format!(
            "[[source]]\nname = \"old\"\nurl = \"{}\"\ninterval = \"1h\"\n\n\
             [[source]]\nname = \"new\"\nurl = \"{}\"\ninterval = \"1h\"\n",
            server.url("/old"),
            server.url("/new")
        ),
    );
    // Six polls of one source, six commits: merge work is left.
    for b in 0..6 {
        server.fixed("/old", Response::ok(batch(b)));
        env.run(&["poll", "--source", "old"]).expect(0);
    }
    assert_eq!(env.count("SELECT count(*) FROM items"), 90);
    assert!(
        search_index_merge_owed(&env, "polled-copy.db"),
        "the fixture leaves merge work"
    );

    // The daemon polls the other source (never fetched, so due at once),
    // then, idle, merges the index.
    server.fixed("/new", Response::ok(batch(6)));
    let child = start(&env);
    crate::support::wait_until("the daemon's merge", Duration::from_secs(60), || {
        crate::support::daemon_log(&env).contains("search index merged while idle")
    });
    assert_eq!(env.count("SELECT count(*) FROM items"), 105);
    assert!(
        !search_index_merge_owed(&env, "daemon-copy.db"),
        "the daemon said it merged, but merge work is left:\n{}",
        crate::support::daemon_log(&env)
    );
    // Search still finds what was written before and after the merge.
    for word in ["alpha3beta7", "alpha6beta2"] {
        let found = env.run(&["--json", "search", word]).expect(0);
        assert_eq!(found.json_lines().len(), 1, "{word}: {}", found.stdout);
    }
    assert_eq!(
        env.run(&["--json", "search", "ceasefire", "--limit", "200"])
            .expect(0)
            .json_lines()
            .len(),
        105
    );
    drop(child);
}

/// A clock stepped back (a VM restored, an RTC corrected by NTP) leaves
/// plans made by the fast clock: a source fetched "two days from now" is
/// planned for two days and an hour from now. It is due now, for the daemon
/// and for `poll`, and its plan is made again by the corrected clock.
#[test]
fn a_clock_stepped_back_does_not_postpone_polling() {
    let server = TestServer::start();
    server.fixed("/a", Response::ok(rss(&[("a1", "First", "Text")])));
    let env = Env::new(
        "jitter = 0.0",
        &format!(
            "[[source]]\nname = \"a\"\nurl = \"{}\"\ninterval = \"1h\"\n",
            server.url("/a")
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    let step_back = |env: &Env| {
        let db = rusqlite::Connection::open(&env.db).unwrap();
        db.execute(
            "UPDATE sources SET last_fetch_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+2 days'),
                                next_poll_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+2 days', '+1 hour')",
            [],
        )
        .unwrap();
    };
    step_back(&env);
    server.fixed(
        "/a",
        Response::ok(rss(&[("a1", "First", "Text"), ("a2", "Second", "Text")])),
    );
    // `poll` (due sources only) polls it.
    env.run(&["poll"]).expect(0);
    assert_eq!(env.count("SELECT count(*) FROM items"), 2);
    // And so does the daemon, at once, and plans it an hour from now.
    step_back(&env);
    server.fixed(
        "/a",
        Response::ok(rss(&[
            ("a1", "First", "Text"),
            ("a2", "Second", "Text"),
            ("a3", "Third", "Text"),
        ])),
    );
    let mut child = start(&env);
    crate::support::wait_until("the third item", Duration::from_secs(20), || {
        env.try_count("SELECT count(*) FROM items") == Some(3)
    });
    signal(&child, "-TERM");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    let hours_ahead = env
        .text(
            "SELECT CAST(round((julianday(next_poll_at) - julianday('now')) * 24) AS TEXT) FROM sources",
        )
        .unwrap();
    assert_eq!(hours_ahead, "1.0");
}
