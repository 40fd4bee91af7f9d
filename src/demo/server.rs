//! The demo's feed server: a small HTTP/1.1 server on 127.0.0.1 (an
//! ephemeral port) that answers each feed's path with the document of the
//! current step, rendered when asked. It records which step each answer
//! belonged to, so the demo can wait until the daemon has stored a step
//! instead of guessing how long that takes. One request per connection
//! (`Connection: close`); GET and HEAD only.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::script::{FEEDS, Feed, Format, entries_at};
use crate::text::xml_escape;

/// Longest request head read, and how long a client may take to send it.
const MAX_HEAD: usize = 16 * 1024;
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// What the server shows and what it has answered.
struct State {
    step: usize,
    demo_start: DateTime<Utc>,
    /// When each step began (index = step).
    step_started: Vec<DateTime<Utc>>,
    /// Per feed, the step each answer carried, in the order of the requests.
    served: Vec<Vec<usize>>,
}

/// The running server; it stops with the runtime it was started on.
pub struct FeedServer {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FeedServer {
    /// Listen on 127.0.0.1 (port chosen by the system) and serve step 0.
    pub async fn start(demo_start: DateTime<Utc>) -> std::io::Result<FeedServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            step: 0,
            demo_start,
            step_started: vec![demo_start],
            served: vec![Vec::new(); FEEDS.len()],
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                // A failed accept (out of descriptors) is retried shortly;
                // the demo's own timeouts say when nothing gets through.
                match listener.accept().await {
                    Ok((stream, _)) => {
                        tokio::spawn(answer(stream, shared.clone()));
                    }
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        });
        Ok(FeedServer { addr, state })
    }

    /// The URL of feed `i` (an index into `FEEDS`).
    pub fn url(&self, i: usize) -> String {
        format!("http://{}{}", self.addr, FEEDS[i].path)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serve the documents of `step` from now on.
    pub fn set_step(&self, step: usize) {
        let mut s = self.lock();
        s.step = step;
        let now = Utc::now();
        s.step_started.resize(step + 1, now);
        s.step_started[step] = now;
    }

    /// The number (1 = the first request ever for that feed) of the first
    /// request for feed `i` answered with step `step`'s document, if any.
    pub fn first_answer_of_step(&self, i: usize, step: usize) -> Option<usize> {
        self.lock().served[i]
            .iter()
            .position(|s| *s == step)
            .map(|p| p + 1)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Read one request and answer it.
async fn answer(mut stream: TcpStream, state: Arc<Mutex<State>>) {
    let Ok(Some(head)) = tokio::time::timeout(HEAD_TIMEOUT, read_head(&mut stream)).await else {
        return;
    };
    let response = respond(&head, &state);
    // The client may have gone; nothing to do about it.
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

/// The request head up to the blank line; `None` when the client closes
/// first or sends more than `MAX_HEAD` bytes without one.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 2048];
    loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            return Some(String::from_utf8_lossy(&buf[..end]).into_owned());
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
    }
}

/// The whole response (head and body) to a request head.
fn respond(head: &str, state: &Mutex<State>) -> Vec<u8> {
    let mut parts = head.lines().next().unwrap_or("").split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method != "GET" && method != "HEAD" {
        return plain(405, "Method Not Allowed", "only GET and HEAD\n");
    }
    let path = target.split(['?', '#']).next().unwrap_or("");
    let Some(i) = FEEDS.iter().position(|f| f.path == path) else {
        return plain(404, "Not Found", "no such feed\n");
    };
    let feed = &FEEDS[i];
    let body = {
        let mut s = state.lock().unwrap_or_else(PoisonError::into_inner);
        let step = s.step;
        s.served[i].push(step);
        render(i, step, s.demo_start, &s.step_started)
    };
    let content_type = match feed.format {
        Format::Rss => "application/rss+xml; charset=utf-8",
        Format::RssWindows1251 => "application/rss+xml; charset=windows-1251",
        Format::Atom => "application/atom+xml; charset=utf-8",
    };
    let mut out = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    if method == "GET" {
        out.extend_from_slice(&body);
    }
    out
}

fn plain(status: u16, reason: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Feed `i`'s document during `step`, encoded as the feed is served.
pub fn render(
    i: usize,
    step: usize,
    demo_start: DateTime<Utc>,
    step_started: &[DateTime<Utc>],
) -> Vec<u8> {
    let feed = &FEEDS[i];
    let entries = entries_at(i, step);
    let items = entries.iter().map(|e| {
        let (title, text) = e.version_at(step);
        (e.url(), title, text, e.published(demo_start, step_started))
    });
    match feed.format {
        Format::Rss => rss(feed, "UTF-8", items).into_bytes(),
        Format::RssWindows1251 => {
            let xml = rss(feed, "windows-1251", items);
            encoding_rs::WINDOWS_1251.encode(&xml).0.into_owned()
        }
        Format::Atom => {
            let updated = step_started.last().copied().unwrap_or(demo_start);
            atom(feed, updated, items).into_bytes()
        }
    }
}

type Item = (String, &'static str, &'static str, DateTime<Utc>);

fn rss(feed: &Feed, encoding: &str, items: impl Iterator<Item = Item>) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"{encoding}\"?>\n<rss version=\"2.0\">\n<channel>\n\
         <title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n",
        xml_escape(feed.name),
        xml_escape(feed.site),
        xml_escape(feed.description),
        feed.language
    );
    for (url, title, text, published) in items {
        s.push_str(&format!(
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n\
             <pubDate>{}</pubDate>\n<description>{}</description>\n</item>\n",
            xml_escape(title),
            xml_escape(&url),
            xml_escape(&url),
            published.to_rfc2822(),
            xml_escape(text)
        ));
    }
    s.push_str("</channel>\n</rss>\n");
    s
}

fn atom(feed: &Feed, updated: DateTime<Utc>, items: impl Iterator<Item = Item>) -> String {
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::Secs, true);
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n\
         <title>{}</title>\n<subtitle>{}</subtitle>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n",
        feed.language,
        xml_escape(feed.name),
        xml_escape(feed.description),
        xml_escape(feed.site),
        xml_escape(feed.site),
        time(updated)
    );
    for (url, title, text, published) in items {
        s.push_str(&format!(
            "<entry>\n<id>{}</id>\n<title>{}</title>\n<link href=\"{}\"/>\n<published>{}</published>\n\
             <updated>{}</updated>\n<summary>{}</summary>\n</entry>\n",
            xml_escape(&url),
            xml_escape(title),
            xml_escape(&url),
            time(published),
            time(published),
            xml_escape(text)
        ));
    }
    s.push_str("</feed>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::script::{NEVSKY_VESTNIK, STEP_REVISION};

    /// Every document parses, in every step, with the titles of the
    /// step's entries (the Russian one from windows-1251, which only its
    /// XML prolog declares).
    #[test]
    fn every_document_parses_with_its_items() {
        let start = Utc::now();
        let started = vec![start; 4];
        for step in 0..4 {
            for (i, _) in FEEDS.iter().enumerate() {
                let doc = crate::model::Document {
                    bytes: render(i, step, start, &started),
                    content_type: None,
                    url: None,
                };
                let feed = crate::parse::parse_document(&doc)
                    .unwrap_or_else(|e| panic!("feed {i} step {step}: {e}"));
                let got: Vec<String> = feed
                    .entries
                    .iter()
                    .map(|e| e.title.clone().unwrap_or_default())
                    .collect();
                let want: Vec<String> = entries_at(i, step)
                    .iter()
                    .map(|e| e.version_at(step).0.to_string())
                    .collect();
                assert_eq!(got, want, "feed {i} step {step}");
            }
        }
        let doc = render(NEVSKY_VESTNIK, 0, start, &started);
        assert!(doc.starts_with(b"<?xml version=\"1.0\" encoding=\"windows-1251\"?>"));
        assert!(
            std::str::from_utf8(&doc).is_err(),
            "Cyrillic in windows-1251 is not UTF-8"
        );
        let edited = render(0, STEP_REVISION, start, &started);
        assert!(String::from_utf8_lossy(&edited).contains("kills 22"));
    }

    #[tokio::test]
    async fn answers_the_current_step_and_counts_the_answers() {
        let server = FeedServer::start(Utc::now()).await.unwrap();
        let get = |path: &'static str| {
            let addr = server.addr();
            async move {
                let mut s = TcpStream::connect(addr).await.unwrap();
                s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
                    .await
                    .unwrap();
                let mut out = String::new();
                s.read_to_string(&mut out).await.unwrap();
                out
            }
        };
        let first = get("/kyiv-ledger/rss.xml").await;
        assert!(first.starts_with("HTTP/1.1 200 OK\r\n"), "{first}");
        assert!(!first.contains("kills 5"));
        server.set_step(1);
        let second = get("/kyiv-ledger/rss.xml?x=1").await;
        assert!(second.contains("kills 5"), "{second}");
        assert_eq!(server.first_answer_of_step(0, 0), Some(1));
        assert_eq!(server.first_answer_of_step(0, 1), Some(2));
        assert_eq!(server.first_answer_of_step(1, 1), None);
        assert!(get("/nothing").await.starts_with("HTTP/1.1 404 "));
    }
}
