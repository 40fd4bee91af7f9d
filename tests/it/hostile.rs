//! Hostile servers, all polled in one pass beside a good source: a server
//! that accepts and never answers, an endless body, 10 MB on one line,
//! 100,000 items, invalid UTF-8. Each is bounded in time and memory and
//! recorded as that source's outcome; the good source is unaffected.
//! (Gzip bombs, dripping bodies, redirect loops, 8-second answers and
//! malformed XML are in `fetch.rs`.)

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::rss;

/// A raw TCP server on 127.0.0.1 that runs `serve` on every connection.
fn raw_server(serve: fn(std::net::TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || serve(stream));
        }
    });
    format!("http://{addr}/feed")
}

/// Accepts, reads the request, never answers (holds the socket a minute).
fn never_answers(mut s: std::net::TcpStream) {
    let mut buf = [0u8; 1024];
    let _ = s.read(&mut buf);
    std::thread::sleep(Duration::from_secs(60));
}

/// Answers 200 and then sends feed-looking bytes for ever.
fn endless_body(mut s: std::net::TcpStream) {
    let mut buf = [0u8; 1024];
    let _ = s.read(&mut buf);
    let _ = s.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n<rss><channel>",
    );
    let chunk = b"<item><title>again</title></item>".repeat(1000);
    while s.write_all(&chunk).is_ok() {}
}

/// 10 MB on a single line: 2,000 items with 5 KB descriptions, no newline.
fn one_line_feed() -> String {
    let text = "peace talks ".repeat(420);
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>One line</title><link>https://line.example/</link>",
    );
    for i in 0..2000 {
        s.push_str(&format!(
            "<item><guid>l{i}</guid><title>Line item {i}</title><link>https://line.example/{i}</link><description>{text}</description></item>"
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// 100,000 small items.
fn huge_feed() -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Huge</title><link>https://huge.example/</link>\n",
    );
    for i in 0..100_000 {
        s.push_str(&format!(
            "<item><guid>h{i}</guid><title>Item {i}</title><link>https://huge.example/{i}</link></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// Declared UTF-8, with bytes that are not.
fn invalid_utf8_feed() -> Vec<u8> {
    let mut body = rss(&[("u1", "Talks in Gen\u{0}eva", "Text")]).into_bytes();
    let at = body
        .windows(3)
        .position(|w| w == b"Gen")
        .expect("title in feed")
        + 3;
    body.splice(at..at + 1, [0xff, 0xfe, 0xc3]);
    body
}

/// Set in the process that runs [`hostile_servers_are_bounded_and_recorded_per_source`]
/// on its own (see there).
const ALONE: &str = "NEWSWATCH_TEST_ALONE";

#[test]
fn hostile_servers_are_bounded_and_recorded_per_source() {
    // The poll's peak memory is getrusage(RUSAGE_CHILDREN)'s max RSS: the
    // largest of the children waited for. In this process those include
    // other tests' children, so the test runs again in a process of its own
    // (this test binary, this one test), where the poll is the only one.
    if std::env::var_os(ALONE).is_none() {
        let name = format!(
            "{}::hostile_servers_are_bounded_and_recorded_per_source",
            module_path!().split_once("::").map_or("", |(_, m)| m)
        );
        let out = Command::new(std::env::current_exe().expect("the test binary"))
            .args([
                name.as_str(),
                "--exact",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(ALONE, "1")
            .output()
            .expect("run the test binary");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        eprint!("{stderr}");
        assert!(
            out.status.success() && stdout.contains("test result: ok. 1 passed"),
            "{name} on its own:\n{stdout}\n{stderr}"
        );
        return;
    }
    let server = TestServer::start();
    server.fixed(
        "/good",
        Response::ok(rss(&[
            ("g1", "Good one", "Text"),
            ("g2", "Good two", "Text"),
        ])),
    );
    server.fixed("/oneline", Response::ok(one_line_feed()));
    server.fixed("/huge", Response::ok(huge_feed()));
    server.fixed("/badutf8", Response::ok(invalid_utf8_feed()));
    let silent = raw_server(never_answers);
    let endless = raw_server(endless_body);
    let env = Env::with_sources(
        "timeout = \"3s\"\nconnect_timeout = \"2s\"\nmax_body = \"16MB\"",
        &[
            ("good", &server.url("/good")),
            ("silent", &silent),
            ("endless", &endless),
            ("oneline", &server.url("/oneline")),
            ("huge", &server.url("/huge")),
            ("badutf8", &server.url("/badutf8")),
        ],
    );

    let t0 = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_newswatch"))
        .arg("--config")
        .arg(&env.config)
        .args(["poll", "--all"])
        .env_remove("RUST_LOG")
        .output()
        .expect("run newswatch poll");
    let elapsed = t0.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "some sources failed: {stderr}");
    // The silent one is cut at `timeout` (3 s), so the poll ends: without the
    // cut it would never end. A bound on hanging, not a speed target, so it
    // is wide enough for a loaded machine and a debug build.
    assert!(elapsed < Duration::from_secs(120), "took {elapsed:?}");
    // Kilobytes on Linux.
    let peak_kb = nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN)
        .expect("getrusage")
        .max_rss();
    eprintln!(
        "hostile poll: {elapsed:.1?}, peak RSS {} MB",
        peak_kb / 1024
    );
    assert!(peak_kb > 1024, "peak RSS {peak_kb} kB: not measured");
    assert!(
        peak_kb < 400 * 1024,
        "peak RSS {} MB for a 16 MB body cap",
        peak_kb / 1024
    );

    let error_of = |name: &str| {
        env.text(&format!(
            "SELECT coalesce(last_error, '') FROM sources WHERE name = '{name}'"
        ))
        .unwrap_or_default()
    };
    let status_of = |name: &str| {
        env.text(&format!(
            "SELECT last_status FROM sources WHERE name = '{name}'"
        ))
        .unwrap_or_default()
    };
    let items_of = |name: &str| {
        env.count(&format!(
            "SELECT count(*) FROM items i JOIN sources s ON s.id = i.source_id WHERE s.name = '{name}'"
        ))
    };

    assert_eq!((status_of("good"), items_of("good")), ("ok".into(), 2));
    assert_eq!(status_of("silent"), "error");
    assert!(
        error_of("silent").contains("timed out"),
        "{}",
        error_of("silent")
    );
    assert_eq!(status_of("endless"), "error");
    // Cut by the body cap, or by the total timeout on a slow machine.
    let endless_error = error_of("endless");
    assert!(
        endless_error.contains("max_body") || endless_error.contains("timed out"),
        "{endless_error}"
    );
    assert_eq!(
        (status_of("oneline"), items_of("oneline")),
        ("ok".into(), 2000)
    );
    // 100,000 items: the first 5,000 are read and the fetch says so.
    assert_eq!((status_of("huge"), items_of("huge")), ("ok".into(), 5000));
    assert!(
        error_of("huge").contains("100000 entries; only the first 5000"),
        "{}",
        error_of("huge")
    );
    // Invalid UTF-8 is replaced, not fatal.
    assert_eq!(
        (status_of("badutf8"), items_of("badutf8")),
        ("ok".into(), 1)
    );
    let title = env
        .text("SELECT title FROM items WHERE guid = 'u1'")
        .unwrap_or_default();
    assert!(
        title.starts_with("Talks in Gen") && title.contains('\u{FFFD}'),
        "{title:?}"
    );

    assert_eq!(env.text("PRAGMA integrity_check").as_deref(), Some("ok"));
    // The summary names each failure for the person at the terminal.
    assert!(
        stderr.contains("silent") && stderr.contains("endless"),
        "{stderr}"
    );
}

/// Hostile titles and links: the text is kept literally (`<script>` is a
/// title's text, not markup), but control characters and bidi overrides are
/// dropped on the way in, so neither `newswatch` nor `sqlite3` on the
/// database can be made to rewrite a terminal; non-web links are not kept.
#[test]
fn hostile_content_is_stored_and_shown_safely() {
    let server = TestServer::start();
    let title = "Talks \u{1b}[31mred\u{1b}[0m \u{202e}txt.exe <script>alert(1)</script>";
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>H</title><link>https://h.example/</link>\
         <item><guid>x1</guid><title>{}</title><link>javascript:alert(1)</link>\
         <description>line one&#13;&#10;Bcc: victim@example.org&#10;\u{1b}]0;owned\u{7}</description></item></channel></rss>",
        html_escape(title)
    );
    server.fixed("/h", Response::ok(feed));
    let env = Env::with_sources("", &[("h", &server.url("/h"))]);
    env.run(&["poll", "--all"]).expect(0);
    let stored = env.text("SELECT title FROM items").unwrap();
    assert!(
        stored.contains("<script>alert(1)</script>"),
        "kept: {stored:?}"
    );
    assert!(
        stored.contains("red") && stored.contains("txt.exe"),
        "{stored:?}"
    );
    for bad in ['\u{1b}', '\u{202e}'] {
        assert!(!stored.contains(bad), "stored {bad:?}: {stored:?}");
    }
    let text = env.text("SELECT text FROM item_versions").unwrap();
    assert!(text.contains("Bcc: victim@example.org"), "{text:?}");
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    // Links that are not web links are not offered as the item's link.
    let url = env.text("SELECT coalesce(url, '') FROM items").unwrap();
    assert!(!url.starts_with("javascript:"), "{url}");

    for args in [&["items"][..], &["show", "1"], &["search", "talks"]] {
        let out = env.run(args).expect(0).stdout;
        assert!(out.contains("Talks"), "{args:?}: {out}");
        for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\r'] {
            assert!(!out.contains(bad), "{args:?} printed {bad:?}: {out:?}");
        }
        assert!(!out.contains("javascript:"), "{args:?}: {out}");
    }
}

/// A 1 MB title (a broken or hostile feed) is stored whole, and what people
/// see of it is bounded: `items` prints it cut on one line beside the
/// feed's other items, and its alert mail stays small.
#[test]
fn a_megabyte_title_is_stored_whole_and_shown_cut() {
    let server = TestServer::start();
    let title = format!("{}END", "Peace talks resume ".repeat(55_000));
    assert!(title.len() > 1_000_000);
    let small = ("small", "Small one", "d");
    server.fixed("/big", Response::ok(rss(&[small])));
    let mail = tempfile::tempdir().unwrap();
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"big\"\nurl = \"{}\"\n\n\
             [[topic]]\nname = \"talks\"\nquery = '\"peace talks\"'\nalert = \"immediate\"\n\n\
             [email]\nmaildir = \"{}\"\nfrom = \"nw@example.org\"\nto = \"me@example.org\"\n\
             alert_max_age = \"3650d\"\n",
            server.url("/big"),
            mail.path().display()
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    server.fixed("/big", Response::ok(rss(&[("big", &title, "d"), small])));
    env.run(&["poll", "--all"]).expect(0);

    let stored = env
        .text("SELECT title FROM items WHERE guid = 'big'")
        .unwrap();
    assert_eq!(stored.len(), title.len(), "stored whole");
    assert_eq!(stored, title);
    let out = env.run(&["items"]).expect(0).stdout;
    assert!(out.contains("Small one"), "{out}");
    assert!(out.contains("Peace talks resume"), "{out}");
    assert!(
        out.len() < 5_000,
        "items printed {} bytes for two items",
        out.len()
    );
    let sent: Vec<_> = std::fs::read_dir(mail.path().join("new"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(sent.len(), 1, "one alert for the big item");
    assert!(sent[0].contains("Peace talks resume"), "{}", sent[0]);
    assert!(
        sent[0].len() < 20_000,
        "the alert is {} bytes",
        sent[0].len()
    );

    // The megabyte title rewritten: the revision keeps the whole diff, the
    // messages show the start of both versions and stay small.
    let rewritten = format!("{}FIN", "Peace talks collapse ".repeat(50_000));
    server.fixed(
        "/big",
        Response::ok(rss(&[("big", &rewritten, "d"), small])),
    );
    env.run(&["poll", "--all"]).expect(0);
    let diff_len = env.count("SELECT length(diff) FROM revisions");
    assert!(diff_len > 2_000_000, "revision diff is {diff_len} bytes");
    let sent: Vec<_> = std::fs::read_dir(mail.path().join("new"))
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    assert_eq!(sent.len(), 2, "the big item's alert and its revision's");
    let revision = sent
        .iter()
        .find(|m| m.contains("changed (major)"))
        .expect("a revision alert");
    assert!(
        revision.len() < 20_000,
        "the revision alert is {} bytes",
        revision.len()
    );
    assert!(revision.contains("Peace talks resume Peace"), "{revision}");
    assert!(
        revision.contains("Peace talks collapse Peace"),
        "{revision}"
    );
    let digest = env.run(&["digest"]).expect(0).stdout;
    assert!(
        digest.len() < 20_000,
        "the digest is {} bytes",
        digest.len()
    );
    assert!(digest.contains("characters)"), "{digest}");
    // `changes` on a terminal shows the start of each run; `--json` all of it.
    let changes = env.run(&["changes"]).expect(0).stdout;
    assert!(
        changes.len() < 20_000,
        "changes printed {} bytes",
        changes.len()
    );
    assert!(changes.contains("characters)"), "{changes}");
    let json = env.run(&["--json", "changes"]).expect(0).stdout;
    assert!(
        json.len() > 2_000_000,
        "--json changes is {} bytes",
        json.len()
    );
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
