use super::*;
use reqwest::header::HeaderValue;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A loopback server answering `/N` with N KiB, without Content-Length
/// (the body ends when the connection closes, as with chunked gzip).
async fn serve_sizes() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let n = conn.read(&mut request).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&request[..n]).into_owned();
                let kib: usize = request
                    .split_whitespace()
                    .nth(1)
                    .and_then(|path| path.trim_start_matches('/').parse().ok())
                    .unwrap_or(1);
                let head = "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nConnection: close\r\n\r\n";
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(&vec![b'x'; kib * 1024]).await;
            });
        }
    });
    format!("http://{addr}")
}

fn limits(timeout: Duration) -> FetchLimits {
    FetchLimits {
        timeout,
        connect_timeout: Duration::from_secs(5),
        max_body: 10 * 1024 * 1024,
        max_redirects: 5,
        user_agent: "test".into(),
        per_host: 8,
    }
}

fn body_len(outcome: &FetchOutcome) -> usize {
    match outcome {
        FetchOutcome::Body { bytes, .. } => bytes.len(),
        other => panic!("no body: {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_bodies_wait_for_a_lane_and_the_wait_is_not_a_timeout() {
    let base = serve_sizes().await;
    let fetcher = Fetcher::new(limits(Duration::from_secs(1))).unwrap();
    let none = Validators::default();
    let big = format!("{base}/2048");
    // Both lanes taken by bodies not yet stored.
    let (first, first_lane) = fetcher.fetch(&big, &none, Reach::Any).await;
    let (second, second_lane) = fetcher.fetch(&big, &none, Reach::Any).await;
    assert_eq!(body_len(&first), 2048 * 1024);
    assert_eq!(body_len(&second), 2048 * 1024);
    assert!(first_lane.is_some() && second_lane.is_some());

    // A small body needs no lane.
    let (small, small_lane) = fetcher
        .fetch(&format!("{base}/100"), &none, Reach::Any)
        .await;
    assert_eq!(body_len(&small), 100 * 1024);
    assert!(small_lane.is_none());

    // A third big one waits, past its 1 s timeout, until a lane is free.
    let third = tokio::spawn({
        let (fetcher, none) = (fetcher.clone(), none.clone());
        async move { fetcher.fetch(&big, &none, Reach::Any).await }
    });
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(
        !third.is_finished(),
        "read a third big body with both lanes taken"
    );
    drop(first_lane);
    let (third, third_lane) = tokio::time::timeout(Duration::from_secs(5), third)
        .await
        .expect("a freed lane lets the waiting fetch go on")
        .unwrap();
    assert_eq!(body_len(&third), 2048 * 1024, "not timed out: {third:?}");
    assert!(third_lane.is_some());
    drop(second_lane);
}

/// A loopback listener that counts the connections it accepts and
/// answers each with a small feed.
async fn counting_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = listener.accept().await {
            seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut request = vec![0u8; 4096];
                let _ = conn.read(&mut request).await;
                let body = "<rss version=\"2.0\"><channel><title>t</title></channel></rss>";
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = conn.write_all(head.as_bytes()).await;
                let _ = conn.write_all(body.as_bytes()).await;
            });
        }
    });
    (port, count)
}

fn error_of(outcome: &FetchOutcome) -> &str {
    match outcome {
        FetchOutcome::Failed { error, .. } => error,
        other => panic!("not a failure: {other:?}"),
    }
}

/// A public source whose name resolves to an internal address is
/// refused at the resolver, before any connection: the listener behind
/// that address is never contacted. The same name is fetched by a
/// source allowed to reach private networks, which shows the refusal
/// is the policy's and not a broken name or server.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_source_never_connects_to_what_its_name_resolves_to_internally() {
    use std::sync::atomic::Ordering;
    let (port, connections) = counting_server().await;
    let hosts = [
        ("internal.test", "127.0.0.1"),
        ("mapped.test", "::ffff:127.0.0.1"),
    ];
    let table = resolver::Lookup::Table(Arc::new(
        hosts
            .iter()
            .map(|(name, ip)| (name.to_string(), vec![ip.parse().unwrap()]))
            .collect(),
    ));
    let fetcher = Fetcher::with_lookup(limits(Duration::from_secs(5)), table).unwrap();
    let none = Validators::default();

    let url = format!("http://internal.test:{port}/feed");
    let (outcome, _) = fetcher.fetch(&url, &none, Reach::Public).await;
    assert_eq!(
        error_of(&outcome),
        format!(
            "refused to connect to internal.test at 127.0.0.1 (loopback); {}",
            netpolicy::HINT
        )
    );
    let (outcome, _) = fetcher
        .fetch(
            &format!("http://mapped.test:{port}/feed"),
            &none,
            Reach::Public,
        )
        .await;
    assert!(
        error_of(&outcome)
            .starts_with("refused to connect to mapped.test at ::ffff:127.0.0.1 (loopback); "),
        "{outcome:?}"
    );
    // A literal address is never resolved: checked before the request.
    let (outcome, _) = fetcher
        .fetch(
            &format!("http://127.0.0.1:{port}/feed"),
            &none,
            Reach::Public,
        )
        .await;
    assert!(
        error_of(&outcome).starts_with("refused to connect to 127.0.0.1 (loopback); "),
        "{outcome:?}"
    );
    assert_eq!(
        connections.load(Ordering::SeqCst),
        0,
        "a connection was made"
    );

    let (outcome, _) = fetcher.fetch(&url, &none, Reach::Any).await;
    assert!(body_len(&outcome) > 0);
    assert_eq!(connections.load(Ordering::SeqCst), 1);
}

#[test]
fn max_age_is_read_from_cache_control() {
    let mut h = HeaderMap::new();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=600"),
    );
    assert_eq!(cache_max_age(&h), Some(Duration::from_secs(600)));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    assert_eq!(cache_max_age(&h), None);
}

#[test]
fn retry_after_accepts_seconds_and_dates() {
    let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let mut h = HeaderMap::new();
    h.insert(header::RETRY_AFTER, HeaderValue::from_static("120"));
    assert_eq!(retry_after(&h, now), Some(Duration::from_secs(120)));
    h.insert(
        header::RETRY_AFTER,
        HeaderValue::from_static("Thu, 01 Jan 2026 00:10:00 GMT"),
    );
    assert_eq!(retry_after(&h, now), Some(Duration::from_secs(600)));
    h.insert(header::RETRY_AFTER, HeaderValue::from_static("soon"));
    assert_eq!(retry_after(&h, now), None);
}
