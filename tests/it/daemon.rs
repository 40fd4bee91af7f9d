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
    assert!(
        t0.elapsed() < Duration::from_secs(8),
        "stopped in {:?}",
        t0.elapsed()
    );
    assert_eq!(status.code(), Some(0));
    assert_eq!(env.text("PRAGMA integrity_check").as_deref(), Some("ok"));
    // The plan survives the restart: the failing source is still an hour away.
    let next_b = env
        .text("SELECT next_poll_at FROM sources WHERE name = 'b'")
        .unwrap();
    let mut child = start(&env);
    std::thread::sleep(Duration::from_secs(2));
    signal(&child, "-INT");
    assert_eq!(child.wait().unwrap().code(), Some(0));
    assert_eq!(server.requests("/b").len(), 1);
    assert_eq!(
        env.text("SELECT next_poll_at FROM sources WHERE name = 'b'")
            .unwrap(),
        next_b
    );
}
