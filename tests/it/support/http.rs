//! A tiny HTTP/1.1 server on 127.0.0.1 whose every response is scripted by the
//! test: status, headers, body, a delay before the headers, a body dripped
//! slowly. It records each request's headers so tests can assert on
//! conditional GETs. One request per connection (`Connection: close`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    pub headers: HashMap<String, String>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }
}

#[derive(Clone, Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Wait this long before sending anything.
    pub delay: Duration,
    /// Send the body in pieces of this many bytes with `drip_pause` between them.
    pub drip: Option<(usize, Duration)>,
}

impl Response {
    pub fn ok(body: impl Into<Vec<u8>>) -> Response {
        Response {
            status: 200,
            body: body.into(),
            ..Default::default()
        }
    }
    pub fn status(status: u16) -> Response {
        Response {
            status,
            ..Default::default()
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Response {
        self.headers.push((k.to_string(), v.to_string()));
        self
    }
}

type Handler = Arc<dyn Fn(&Request) -> Response + Send + Sync>;

#[derive(Default)]
struct State {
    routes: HashMap<String, Handler>,
    log: Vec<Request>,
}

pub struct TestServer {
    pub addr: SocketAddr,
    state: Arc<Mutex<State>>,
    peak: Arc<AtomicUsize>,
    accepted: Arc<AtomicUsize>,
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::start_on("127.0.0.1")
    }

    /// A server on another local address (one the test added to the
    /// loopback device of its own network namespace).
    pub fn start_on(ip: &str) -> TestServer {
        let listener = TcpListener::bind((ip, 0)).unwrap_or_else(|e| panic!("bind {ip}: {e}"));
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State::default()));
        let active = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let accepted = Arc::new(AtomicUsize::new(0));
        let (st, ac, pk, acc) = (
            state.clone(),
            active.clone(),
            peak.clone(),
            accepted.clone(),
        );
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                acc.fetch_add(1, Ordering::SeqCst);
                let (st, ac, pk) = (st.clone(), ac.clone(), pk.clone());
                std::thread::spawn(move || serve(stream, st, ac, pk));
            }
        });
        TestServer {
            addr,
            state,
            peak,
            accepted,
        }
    }

    /// Connections accepted so far, whether or not a request followed.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Answer `path` with `handler` (replacing any earlier handler).
    pub fn route(
        &self,
        path: &str,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), Arc::new(handler));
    }

    /// Answer `path` with a fixed response.
    pub fn fixed(&self, path: &str, response: Response) {
        self.route(path, move |_| response.clone());
    }

    /// Requests received for `path`, oldest first.
    pub fn requests(&self, path: &str) -> Vec<Request> {
        self.state
            .lock()
            .unwrap()
            .log
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// Most requests that were being answered at the same moment.
    pub fn peak_concurrency(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

fn serve(
    stream: TcpStream,
    state: Arc<Mutex<State>>,
    active: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
) {
    let mut done = false;
    let mut counted = false;
    let _ = handle(
        stream,
        &state,
        || {
            // Counted from the request line until the answer starts: the client
            // cannot start another request on its slot before it has the answer,
            // so this is exactly "requests being answered at the same moment".
            if !done {
                done = true;
                active.fetch_sub(1, Ordering::SeqCst);
            }
        },
        || {
            counted = true;
            let now = active.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
        },
    );
    // A request that failed before its answer still leaves the count.
    if counted && !done {
        active.fetch_sub(1, Ordering::SeqCst);
    }
}

fn handle(
    mut stream: TcpStream,
    state: &Mutex<State>,
    mut answering: impl FnMut(),
    started: impl FnOnce(),
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    if line.is_empty() {
        return Ok(());
    }
    started();
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    let req = Request {
        path: path.clone(),
        headers,
    };
    let handler = {
        let mut st = state.lock().unwrap();
        st.log.push(req.clone());
        st.routes.get(&path).cloned()
    };
    let resp = match handler {
        Some(h) => h(&req),
        None => Response::status(404),
    };
    std::thread::sleep(resp.delay);
    answering();
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", resp.status);
    for (k, v) in &resp.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if resp.drip.is_none() {
        head.push_str(&format!("Content-Length: {}\r\n", resp.body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    match resp.drip {
        None => stream.write_all(&resp.body)?,
        Some((size, pause)) => {
            for piece in resp.body.chunks(size.max(1)) {
                stream.write_all(piece)?;
                stream.flush()?;
                std::thread::sleep(pause);
            }
        }
    }
    stream.flush()
}
