//! What a newcomer meets in a first session: polling without a network,
//! mistyped names and paths, the words `status`, `sources` and `search`
//! answer with. Each test runs the real binary as a user would.

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::rss;

/// A loopback port nothing listens on (bound, then let go).
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Offline: every source fails to resolve its host or to connect. The
/// names are under `.invalid`, which the resolver answers itself (no DNS
/// query leaves the machine); the third source is a closed loopback port.
#[test]
fn an_offline_poll_says_once_that_the_network_seems_down() {
    let port = closed_port();
    let wire = format!("http://127.0.0.1:{port}/feed");
    let env = Env::with_sources(
        "",
        &[
            (
                "Kyiv Independent",
                "https://kyivindependent.invalid/news-archive/rss/",
            ),
            ("Meduza", "https://meduza.invalid/rss/all"),
            ("Wire", &wire),
        ],
    );
    let out = env.run(&["poll", "--all"]).expect(1);
    assert_eq!(
        out.stderr.matches("the network seems to be down").count(),
        1,
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("all 3 sources"), "{}", out.stderr);
    assert!(out.stderr.contains("`newswatch demo`"), "{}", out.stderr);
    // Each source's own line is short and says what failed, with the host.
    let line = |name: &str| {
        out.stderr
            .lines()
            .find(|l| l.starts_with(&format!("error: {name}: ")))
            .unwrap_or_else(|| panic!("no line for {name}: {}", out.stderr))
            .to_string()
    };
    assert_eq!(
        line("Kyiv Independent"),
        "error: Kyiv Independent: cannot resolve kyivindependent.invalid: \
         names under .invalid never resolve (RFC 6761)"
    );
    assert_eq!(
        line("Wire"),
        format!("error: Wire: cannot connect to 127.0.0.1:{port}: Connection refused")
    );
    assert!(!out.stderr.contains("dns error"), "{}", out.stderr);
    assert!(
        out.stdout.starts_with("polled 3 sources in "),
        "{}",
        out.stdout
    );
}

/// One source answers: the others' failures are theirs, not the network's.
#[test]
fn failures_beside_a_source_that_answers_are_not_blamed_on_the_network() {
    let server = TestServer::start();
    server.fixed("/feed", Response::ok(rss(&[("a", "Talks resume", "text")])));
    let port = closed_port();
    let closed = format!("http://127.0.0.1:{port}/feed");
    let env = Env::with_sources(
        "",
        &[
            ("Good", &server.url("/feed")),
            ("Gone A", "https://a.invalid/feed"),
            ("Gone B", &closed),
        ],
    );
    let out = env.run(&["poll", "--all"]).expect(1);
    assert!(!out.stderr.contains("network"), "{}", out.stderr);
    assert_eq!(
        out.stderr
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count(),
        2
    );
    // And one source, one new item: no "1 sources", no "1 new items".
    let env = Env::with_sources("", &[("Good", &server.url("/feed"))]);
    let out = env.run(&["poll", "--all"]).expect(0);
    assert!(
        out.stdout.starts_with("polled 1 source in "),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("; 1 new item, 0 changed"),
        "{}",
        out.stdout
    );
}
