//! Polling real HTTP servers on 127.0.0.1: what lands in the database for
//! each server behaviour (304, 429, 301, 410, caps, timeouts, bad XML, charsets).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::{fixture, rss};

fn three_items() -> String {
    rss(&[
        (
            "a",
            "Peace talks resume in Istanbul",
            "<p>Delegations met&nbsp;on Monday.</p>",
        ),
        (
            "b",
            "Kremlin comments on ceasefire",
            "<p>Peskov said &ldquo;no&rdquo;.</p>",
        ),
        (
            "c",
            "Prisoner exchange completed",
            "<p>Both sides swapped 84 prisoners.</p>",
        ),
    ])
}

/// A feed that answers 304 when the client presents the current ETag.
fn serve_conditional(
    server: &TestServer,
    path: &str,
    body: Arc<std::sync::Mutex<(String, String)>>,
) {
    server.route(path, move |req| {
        let (etag, text) = body.lock().unwrap().clone();
        if req.header("if-none-match") == Some(etag.as_str()) {
            return Response::status(304).header("ETag", &etag);
        }
        Response::ok(text)
            .header("Content-Type", "application/rss+xml")
            .header("ETag", &etag)
            .header("Last-Modified", "Mon, 04 May 2026 10:00:00 GMT")
    });
}

#[test]
fn poll_stores_items_and_a_second_poll_is_conditional() {
    let server = TestServer::start();
    let state = Arc::new(std::sync::Mutex::new(("\"v1\"".to_string(), three_items())));
    serve_conditional(&server, "/feed.xml", state.clone());
    let env = Env::with_sources("", &[("test", &server.url("/feed.xml"))]);

    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(env.count("SELECT count(*) FROM items"), 3);
    assert_eq!(env.count("SELECT count(*) FROM item_versions"), 3);
    // Canonical URL: tracking parameters stripped.
    assert_eq!(
        env.text("SELECT url FROM items WHERE guid = 'a'")
            .as_deref(),
        Some("https://news.example/story/a")
    );
    // Entities decoded into plain text.
    let text = env
        .text(
            "SELECT text FROM item_versions v JOIN items i ON i.id = v.item_id WHERE i.guid = 'b'",
        )
        .unwrap();
    assert!(text.contains("Peskov said “no”."), "{text}");

    let out = env.run(&["poll", "--all"]).expect(0);
    assert!(out.stdout.contains("1 not modified"), "{}", out.stdout);
    let second = server.requests("/feed.xml").pop().unwrap();
    assert_eq!(second.header("if-none-match"), Some("\"v1\""));
    assert_eq!(
        second.header("if-modified-since"),
        Some("Mon, 04 May 2026 10:00:00 GMT")
    );
    assert_eq!(env.count("SELECT count(*) FROM item_versions"), 3);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM fetches WHERE outcome = 'not_modified' AND http_status = 304"
        ),
        1
    );

    // An edited headline becomes a second version of the same item.
    *state.lock().unwrap() = (
        "\"v2\"".to_string(),
        three_items().replace(
            "Prisoner exchange completed",
            "Prisoner exchange completed: 84 freed",
        ),
    );
    let out = env.run(&["poll", "--all"]).expect(0);
    assert!(out.stdout.contains("1 changed"), "{}", out.stdout);
    assert_eq!(env.count("SELECT count(*) FROM items"), 3);
    assert_eq!(env.count("SELECT count(*) FROM item_versions"), 4);
    assert_eq!(
        env.text("SELECT title FROM items WHERE guid = 'c'")
            .as_deref(),
        Some("Prisoner exchange completed: 84 freed")
    );
    let show = env.run(&["show", "https://news.example/story/c"]).expect(0);
    assert!(
        show.stdout.contains("version 1") && show.stdout.contains("version 2"),
        "{}",
        show.stdout
    );
    assert!(
        show.stdout.contains("Prisoner exchange completed\n"),
        "{}",
        show.stdout
    );
}

#[test]
fn undeclared_html_entities_do_not_lose_the_feed() {
    let server = TestServer::start();
    let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>\
        <item><guid>e1</guid><title>Talks&nbsp;resume &mdash; Kremlin&rsquo;s view</title>\
        <description>Bare &amp; fine, &hellip; and &copy; too</description></item></channel></rss>";
    server.fixed("/e", Response::ok(feed));
    let env = Env::with_sources("", &[("ent", &server.url("/e"))]);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.text("SELECT title FROM items").as_deref(),
        Some("Talks resume — Kremlin’s view")
    );
    assert_eq!(
        env.text("SELECT text FROM item_versions").as_deref(),
        Some("Bare & fine, … and © too")
    );
}

#[test]
fn unchanged_body_without_validators_writes_no_versions() {
    let server = TestServer::start();
    server.fixed("/f", Response::ok(three_items()));
    let env = Env::with_sources("", &[("plain", &server.url("/f"))]);
    env.run(&["poll", "--all"]).expect(0);
    let first_seen = env.text("SELECT last_seen FROM items WHERE guid = 'a'");
    std::thread::sleep(Duration::from_millis(1100));
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(env.count("SELECT count(*) FROM item_versions"), 3);
    assert_ne!(
        env.text("SELECT last_seen FROM items WHERE guid = 'a'"),
        first_seen,
        "last_seen moves on"
    );
    assert_eq!(
        env.count("SELECT items_new + items_changed FROM fetches ORDER BY id DESC LIMIT 1"),
        0
    );
}

#[test]
fn too_many_requests_with_retry_after_backs_off() {
    let server = TestServer::start();
    server.fixed("/busy", Response::status(429).header("Retry-After", "7200"));
    let env = Env::with_sources("", &[("busy", &server.url("/busy"))]);
    let out = env.run(&["poll", "--all"]).expect(1);
    assert!(out.stderr.contains("429"), "{}", out.stderr);
    assert_eq!(
        env.count("SELECT error_streak FROM sources WHERE name = 'busy'"),
        1
    );
    assert_eq!(env.count("SELECT http_status FROM fetches"), 429);
    // The next poll is at least the asked two hours away.
    let wait = env.count(
        "SELECT CAST((julianday(next_poll_at) - julianday(last_fetch_at)) * 86400 AS INTEGER) FROM sources",
    );
    assert!(wait >= 7190, "next poll in {wait}s");
    // So a plain `poll` (due sources only) does not ask again.
    env.run(&["poll"]).expect(0);
    assert_eq!(server.requests("/busy").len(), 1);
}

#[test]
fn permanent_redirect_updates_the_url_and_temporary_does_not() {
    let server = TestServer::start();
    server.fixed("/old", Response::status(301).header("Location", "/new"));
    server.fixed("/new", Response::ok(three_items()));
    server.fixed("/tmp", Response::status(302).header("Location", "/new"));
    let env = Env::with_sources(
        "",
        &[
            ("moved", &server.url("/old")),
            ("temp", &server.url("/tmp")),
        ],
    );
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.text("SELECT url FROM sources WHERE name = 'moved'"),
        Some(server.url("/new"))
    );
    assert_eq!(
        env.text("SELECT url FROM sources WHERE name = 'temp'"),
        Some(server.url("/tmp"))
    );
    assert_eq!(env.count("SELECT count(*) FROM items"), 6);
    // The next poll goes straight to the new URL.
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(server.requests("/old").len(), 1);
}

/// A 301 moves the source only once its target served a feed that parsed:
/// not when the target is an HTML page (an error page or a login form must
/// not replace a working URL), nor on a 304 there.
#[test]
fn permanent_redirect_moves_the_source_only_once_its_target_parsed() {
    let server = TestServer::start();
    let html = "<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>Password</form></body></html>";
    server.fixed("/a", Response::status(301).header("Location", "/login"));
    server.fixed(
        "/login",
        Response::ok(html).header("Content-Type", "text/html; charset=utf-8"),
    );
    server.fixed("/b", Response::ok(three_items()).header("ETag", "\"v1\""));
    let env = Env::with_sources("", &[("a", &server.url("/a")), ("b", &server.url("/b"))]);
    let url_of = |name: &str| env.text(&format!("SELECT url FROM sources WHERE name = '{name}'"));
    env.run(&["poll", "--all"]).expect(1);
    assert_eq!(url_of("a"), Some(server.url("/a")), "moved to an HTML page");
    assert_eq!(
        env.text("SELECT last_status FROM sources WHERE name = 'a'")
            .as_deref(),
        Some("error")
    );

    // b moves to a URL that answers 304 to b's validators: not yet proof.
    server.fixed("/b", Response::status(301).header("Location", "/b2"));
    server.route("/b2", move |req| {
        if req.header("if-none-match") == Some("\"v1\"") {
            Response::status(304)
        } else {
            Response::ok(three_items())
        }
    });
    env.run(&["poll", "--all"]).expect(1);
    assert_eq!(server.requests("/b2").len(), 1);
    assert_eq!(
        env.text("SELECT last_status FROM sources WHERE name = 'b'")
            .as_deref(),
        Some("not_modified")
    );
    assert_eq!(url_of("b"), Some(server.url("/b")), "moved on a 304");

    // The page becomes a feed: now the move is stored.
    server.fixed("/login", Response::ok(three_items()));
    env.run(&["poll", "--source", "a"]).expect(0);
    assert_eq!(url_of("a"), Some(server.url("/login")));
    assert_eq!(
        env.count(
            "SELECT count(*) FROM items JOIN sources s ON s.id = source_id WHERE s.name = 'a'"
        ),
        3
    );
}

#[test]
fn redirect_loop_is_an_error_not_a_hang() {
    let server = TestServer::start();
    server.fixed("/a", Response::status(302).header("Location", "/b"));
    server.fixed("/b", Response::status(302).header("Location", "/a"));
    let env = Env::with_sources("max_redirects = 3", &[("loop", &server.url("/a"))]);
    let out = env.run(&["poll", "--all"]).expect(1);
    assert!(out.stderr.contains("too many redirects"), "{}", out.stderr);
}

#[test]
fn gone_disables_the_source_and_says_so() {
    let server = TestServer::start();
    server.fixed("/gone", Response::status(410));
    let env = Env::with_sources("", &[("dead", &server.url("/gone"))]);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        env.count("SELECT enabled FROM sources WHERE name = 'dead'"),
        0
    );
    let list = env.run(&["sources", "list"]).expect(0);
    assert!(list.stdout.contains("gone"), "{}", list.stdout);
    let json = env
        .run(&["--json", "sources", "list"])
        .expect(0)
        .json_lines();
    assert_eq!(json[0]["enabled"], false);
    assert_eq!(json[0]["last_status"], "gone");
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(
        server.requests("/gone").len(),
        1,
        "a gone source is not polled again"
    );
    // Until the user enables it.
    env.run(&["sources", "enable", "dead"]).expect(0);
    env.run(&["poll"]).expect(0);
    assert_eq!(server.requests("/gone").len(), 2);
}

#[test]
fn body_over_the_cap_is_an_error_and_earlier_items_stay() {
    let server = TestServer::start();
    server.fixed("/f", Response::ok(three_items()));
    let env = Env::with_sources("max_body = \"20KB\"", &[("big", &server.url("/f"))]);
    env.run(&["poll", "--all"]).expect(0);
    let huge = rss(&[("x", "Huge", &"A".repeat(100_000))]);
    server.fixed("/f", Response::ok(huge));
    let out = env.run(&["poll", "--all"]).expect(1);
    assert!(out.stderr.contains("limit"), "{}", out.stderr);
    assert_eq!(env.count("SELECT count(*) FROM items"), 3);
    let err = env.text("SELECT last_error FROM sources").unwrap();
    assert!(err.contains("exceed"), "{err}");
}

#[test]
fn gzip_bomb_stops_at_the_cap_after_decompression() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(
        rss(&[("x", "Bomb", "")])
            .split("</channel>")
            .next()
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    for _ in 0..(50 * 1024) {
        gz.write_all(&[b' '; 1024]).unwrap(); // 50 MiB of spaces
    }
    let body = gz.finish().unwrap();
    assert!(body.len() < 200_000);
    let server = TestServer::start();
    server.fixed(
        "/bomb",
        Response::ok(body).header("Content-Encoding", "gzip"),
    );
    let env = Env::with_sources("max_body = \"1MB\"", &[("bomb", &server.url("/bomb"))]);
    let out = env.run(&["poll", "--all"]).expect(1);
    assert!(out.stderr.contains("after decompression"), "{}", out.stderr);
}

#[test]
fn slow_server_is_a_recorded_timeout() {
    let server = TestServer::start();
    server.fixed(
        "/slow",
        Response {
            delay: Duration::from_secs(8),
            ..Response::ok(three_items())
        },
    );
    let mut drip = Response::ok(three_items());
    drip.drip = Some((10, Duration::from_millis(200)));
    server.fixed("/drip", drip);
    let env = Env::with_sources(
        "timeout = \"1s\"\nconnect_timeout = \"1s\"",
        &[
            ("slow", &server.url("/slow")),
            ("drip", &server.url("/drip")),
        ],
    );
    // Both servers would answer in full given time (8 s, 10 s): a recorded
    // timeout of each is what shows the 1 s limits cut them off.
    let out = env.run(&["poll", "--all"]).expect(1);
    assert_eq!(
        env.count(
            "SELECT count(*) FROM fetches WHERE outcome = 'error' AND error LIKE '%timed out%'"
        ),
        2,
        "{}",
        out.stderr
    );
    assert_eq!(env.count("SELECT count(*) FROM items"), 0);
}

#[test]
fn malformed_xml_fails_that_source_only() {
    let server = TestServer::start();
    server.fixed(
        "/bad",
        Response::ok("<rss version=\"2.0\"><channel><item><title>broken"),
    );
    server.fixed(
        "/html",
        Response::ok("<!DOCTYPE html><html><body>Not a feed</body></html>"),
    );
    server.fixed("/good", Response::ok(three_items()));
    let env = Env::with_sources(
        "",
        &[
            ("bad", &server.url("/bad")),
            ("html", &server.url("/html")),
            ("good", &server.url("/good")),
        ],
    );
    let out = env.run(&["poll", "--all"]).expect(1);
    assert!(
        out.stderr.contains("bad") && out.stderr.contains("parse error"),
        "{}",
        out.stderr
    );
    assert_eq!(env.count("SELECT count(*) FROM items"), 3);
    assert_eq!(
        env.count("SELECT count(*) FROM sources WHERE error_streak = 1"),
        2
    );
    assert_eq!(
        env.text("SELECT last_status FROM sources WHERE name = 'good'")
            .as_deref(),
        Some("ok")
    );
}

#[test]
fn windows_1251_feed_over_http_and_gzip() {
    let plain = std::fs::read(fixture("charset/windows-1251.xml")).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, &plain).unwrap();
    let gzipped = gz.finish().unwrap();
    let server = TestServer::start();
    server.fixed(
        "/1251",
        Response::ok(plain).header("Content-Type", "text/xml; charset=windows-1251"),
    );
    server.fixed(
        "/gz",
        Response::ok(gzipped)
            .header("Content-Encoding", "gzip")
            .header("Content-Type", "text/xml"),
    );
    let env = Env::with_sources(
        "",
        &[
            ("oren", &server.url("/1251")),
            ("oren-gz", &server.url("/gz")),
        ],
    );
    env.run(&["poll", "--all"]).expect(0);
    let n = env.count("SELECT count(*) FROM items WHERE source_id = 1");
    assert_eq!(n, 4);
    assert_eq!(
        n,
        env.count("SELECT count(*) FROM items WHERE source_id = 2")
    );
    assert_eq!(
        env.count("SELECT count(*) FROM items WHERE title LIKE '%�%'"),
        0
    );
    assert!(env.count("SELECT count(*) FROM items WHERE title GLOB '*[а-я]*'") > 0);
}

#[test]
fn per_host_limit_bounds_parallel_requests() {
    let server = TestServer::start();
    let hits = Arc::new(AtomicUsize::new(0));
    for i in 0..8 {
        let hits = hits.clone();
        server.route(&format!("/f{i}"), move |_| {
            hits.fetch_add(1, Ordering::SeqCst);
            Response {
                delay: Duration::from_millis(300),
                ..Response::ok(rss(&[(&format!("g{i}"), "Title", "Text")]))
            }
        });
    }
    let names: Vec<(String, String)> = (0..8)
        .map(|i| (format!("s{i}"), server.url(&format!("/f{i}"))))
        .collect();
    let refs: Vec<(&str, &str)> = names
        .iter()
        .map(|(n, u)| (n.as_str(), u.as_str()))
        .collect();
    let env = Env::with_sources("per_host = 2", &refs);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(hits.load(Ordering::SeqCst), 8);
    assert_eq!(
        server.peak_concurrency(),
        2,
        "per_host = 2 allows two requests at once, and uses both"
    );
    assert_eq!(env.count("SELECT count(*) FROM items"), 8);
}
