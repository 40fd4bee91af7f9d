//! A redirect from https down to plain http is refused, end to end: a real
//! TLS server on 127.0.0.1 (its certificate signed by a test CA the binary
//! trusts through SSL_CERT_FILE, as a user trusts a private CA) answers a
//! permanent redirect to a plain-http feed on loopback.

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::TestCerts;
use crate::support::smtp_server::acceptor;
use crate::support::undated_rss as feed;

/// An https server on 127.0.0.1 that answers every request with a 301 to
/// `location`, on a thread of its own; returns its port.
fn https_redirect(certs: &TestCerts, location: String) -> u16 {
    let tls = acceptor(&certs.server_cert, &certs.server_key).expect("TLS acceptor");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        // One connection at a time: the binary makes one request a poll.
        for stream in listener.incoming().flatten() {
            let (tls, location) = (tls.clone(), location.clone());
            let _ = rt.block_on(async move {
                stream.set_nonblocking(true)?;
                let stream = tls.accept(tokio::net::TcpStream::from_std(stream)?).await?;
                let mut stream = BufReader::new(stream);
                // The request: its head ends at the first empty line.
                let mut line = String::new();
                while stream.read_line(&mut line).await? > 0 && line.trim() != "" {
                    line.clear();
                }
                let reply = format!(
                    "HTTP/1.1 301 Moved Permanently\r\nLocation: {location}\r\n\
                     Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let stream = stream.get_mut();
                stream.write_all(reply.as_bytes()).await?;
                stream.shutdown().await?;
                Ok::<_, std::io::Error>(())
            });
        }
    });
    port
}

/// A feed at https whose server moves it for good to plain http: the
/// redirect is not followed, the poll fails naming the source and both
/// URLs, and the source keeps its https URL.
#[test]
fn an_https_feed_is_never_followed_down_to_plain_http() {
    let certs = TestCerts::new();
    let plain = TestServer::start();
    plain.fixed("/wire", Response::ok(feed(&[("a", "Talks resume", "d")])));
    let http_url = plain.url("/wire");
    let port = https_redirect(&certs, http_url.clone());
    let https_url = format!("https://127.0.0.1:{port}/wire");
    let env = Env::with_sources("", &[("desk", &https_url)]);
    let ca = certs.ca.to_str().expect("UTF-8 path");
    let out = env
        .run_with(&["poll", "--all"], &[("SSL_CERT_FILE", ca)])
        .expect(1);
    // The source's name, then both URLs.
    let refusal = format!(
        "error: desk: refused redirect from {https_url} to {http_url}: \
         an https feed is never followed to plain http"
    );
    assert!(out.stderr.contains(&refusal), "{}", out.stderr);
    assert!(
        plain.requests("/wire").is_empty(),
        "the http URL was fetched"
    );
    let listed = env
        .run(&["--json", "sources", "list"])
        .expect(0)
        .json_lines();
    assert_eq!(listed[0]["url"], https_url.as_str(), "{:?}", listed[0]);
    assert_eq!(
        env.count("SELECT count(*) FROM items"),
        0,
        "nothing stored from the http URL"
    );
}
