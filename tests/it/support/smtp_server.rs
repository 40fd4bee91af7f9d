//! The SMTP server behind [`super::smtp::SmtpServer`]: real SMTP on
//! 127.0.0.1, in this process, on a thread of its own with its own tokio
//! runtime, so `cargo test` needs nothing installed.
//!
//! It speaks what newswatch's mail path meets in the wild: EHLO/HELO,
//! STARTTLS (offered and then required before MAIL) or TLS from the first
//! byte (smtps), AUTH PLAIN and LOGIN for one user, MAIL/RCPT/DATA with dot
//! unstuffing, RSET, NOOP, QUIT. Accepted messages are written as JSON files
//! (`msgs/NNNNNNNN.json`, via a temp file and a rename) so a test reads
//! exactly what went over the wire. Fault flags in the folder are read when
//! a DATA is complete: `slow` (seconds to wait before answering; a client
//! that hangs up meanwhile leaves nothing stored), `refuse` (451) and
//! `reject` (550), each optionally holding the reply text.
//!
//! `server.log` gets one line per connection (`Peer: …`, and `Gone: …` when
//! it ends) and per decision; `commands.log` one line per command received
//! (`AUTH PLAIN tls`: the verb, never its argument, and whether the
//! connection was encrypted then), so tests can assert on what reached it.
//!
//! Over 600 lines for a reason: one protocol session (`Session`), a state
//! machine whose states and replies read best in one place.

use std::fs;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio_rustls::rustls::{self, ServerConfig};

pub const DEFAULT_REFUSE: &str = "451 4.3.0 try again later";
pub const DEFAULT_REJECT: &str = "550 5.7.1 rejected";
/// Longest command or data line accepted (RFC 5321 says 1,000; lettre
/// folds long lines, so anything near this is a bug worth seeing).
const MAX_LINE: usize = 64 * 1024;
/// Longest message accepted.
const MAX_MESSAGE: usize = 64 * 1024 * 1024;

/// How the server speaks TLS.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Offers STARTTLS and refuses MAIL before it.
    StartTls,
    /// TLS from the first byte (`smtps`).
    Wrapper,
}

/// What a server is: its folder, its user, its TLS.
#[derive(Clone)]
pub struct Settings {
    pub dir: PathBuf,
    pub auth: Option<(String, String)>,
    pub tls: Option<(TlsMode, PathBuf, PathBuf)>,
}

/// A running server; dropping it (or [`Listening::stop`]) closes the port
/// and every connection before it returns.
pub struct Listening {
    port: u16,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Listening {
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn stop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.stop();
    }
}

struct Shared {
    settings: Settings,
    acceptor: Option<TlsAcceptor>,
    seq: AtomicU32,
}

/// Bind 127.0.0.1:`port` (0: any free port) and serve until stopped.
pub fn listen(port: u16, settings: Settings) -> std::io::Result<Listening> {
    let acceptor = match &settings.tls {
        Some((_, cert, key)) => Some(acceptor(cert, key)?),
        None => None,
    };
    fs::create_dir_all(settings.dir.join("msgs"))?;
    let shared = Arc::new(Shared {
        seq: AtomicU32::new(last_number(&settings.dir.join("msgs"))),
        settings,
        acceptor,
    });
    // std binds with SO_REUSEADDR on Unix, so a restart on a port whose
    // old connections sit in TIME_WAIT binds fine.
    let std_listener = std::net::TcpListener::bind(("127.0.0.1", port))?;
    std_listener.set_nonblocking(true)?;
    let bound = std_listener.local_addr()?.port();
    log(
        &shared.settings.dir,
        &format!(
            "listening on 127.0.0.1:{bound}, auth {}, tls {:?}",
            if shared.settings.auth.is_some() {
                "on"
            } else {
                "off"
            },
            shared.settings.tls.as_ref().map(|t| t.0)
        ),
    );
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(format!("smtp-test-{bound}"))
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("SMTP test server runtime");
            rt.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                let mut stop_rx = stop_rx;
                loop {
                    tokio::select! {
                        _ = &mut stop_rx => break,
                        accepted = listener.accept() => {
                            if let Ok((stream, peer)) = accepted {
                                let shared = shared.clone();
                                tokio::spawn(connection(stream, peer, shared));
                            }
                        }
                    }
                }
            });
            // Dropping the runtime drops every connection task, and with
            // them their sockets: a stopped server keeps nothing open.
            drop(rt);
        })?;
    Ok(Listening {
        port: bound,
        stop: Some(stop_tx),
        thread: Some(thread),
    })
}

pub(crate) fn acceptor(cert: &Path, key: &Path) -> std::io::Result<TlsAcceptor> {
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{what}: {e}"))
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| bad("certificate", &e))?
        .collect::<Result<_, _>>()
        .map_err(|e| bad("certificate", &e))?;
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| bad("key", &e))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad("TLS versions", &e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| bad("TLS config", &e))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// The highest message number already in `msgs`, so numbering continues.
fn last_number(msgs: &Path) -> u32 {
    fs::read_dir(msgs)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    name.strip_suffix(".json")?.parse::<u32>().ok()
                })
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

pub fn log(dir: &Path, line: &str) {
    if let Ok(mut f) = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
    {
        let _ = writeln!(f, "{line}");
    }
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

/// Logs `Gone: <peer>` when a connection ends, however it ends (its task
/// finishing, or dropped when the server stops).
struct Gone(PathBuf, SocketAddr);

impl Drop for Gone {
    fn drop(&mut self) {
        log(&self.0, &format!("Gone: {}", self.1));
    }
}

async fn connection(stream: tokio::net::TcpStream, peer: SocketAddr, shared: Arc<Shared>) {
    let dir = shared.settings.dir.clone();
    log(&dir, &format!("Peer: {peer}"));
    let _gone = Gone(dir.clone(), peer);
    let mode = shared.settings.tls.as_ref().map(|t| t.0);
    let mut session = Session::new(shared.clone());
    let io: Box<dyn Io> = match (mode, &shared.acceptor) {
        (Some(TlsMode::Wrapper), Some(acceptor)) => match acceptor.accept(stream).await {
            Ok(tls) => {
                session.tls = tls_version(tls.get_ref().1);
                Box::new(tls)
            }
            Err(e) => {
                log(&dir, &format!("TLS handshake failed: {e}"));
                return;
            }
        },
        _ => Box::new(stream),
    };
    let mut io = BufReader::new(io);
    loop {
        match session.serve(&mut io).await {
            Ok(Next::Close) | Err(_) => return,
            Ok(Next::StartTls) => {
                let Some(acceptor) = shared.acceptor.clone() else {
                    return;
                };
                // Anything the client pipelined after STARTTLS is dropped,
                // as RFC 3207 requires.
                let plain = io.into_inner();
                match acceptor.accept(plain).await {
                    Ok(tls) => {
                        session = Session::new(shared.clone());
                        session.tls = tls_version(tls.get_ref().1);
                        io = BufReader::new(Box::new(tls));
                    }
                    Err(e) => {
                        log(&dir, &format!("STARTTLS handshake failed: {e}"));
                        return;
                    }
                }
            }
        }
    }
}

fn tls_version(conn: &rustls::ServerConnection) -> Option<String> {
    conn.protocol_version().map(|v| match v {
        rustls::ProtocolVersion::TLSv1_3 => "TLSv1.3".to_string(),
        rustls::ProtocolVersion::TLSv1_2 => "TLSv1.2".to_string(),
        other => format!("{other:?}"),
    })
}

enum Next {
    Close,
    StartTls,
}

struct Session {
    shared: Arc<Shared>,
    tls: Option<String>,
    greeted: bool,
    auth_user: Option<String>,
    mail_from: Option<String>,
    rcpt_tos: Vec<String>,
}

impl Session {
    fn new(shared: Arc<Shared>) -> Session {
        Session {
            shared,
            tls: None,
            greeted: false,
            auth_user: None,
            mail_from: None,
            rcpt_tos: Vec::new(),
        }
    }

    fn dir(&self) -> &Path {
        &self.shared.settings.dir
    }

    /// Append the command to `commands.log` ("AUTH PLAIN tls"), before it
    /// is acted on, so a refused command is recorded too.
    fn record(&self, shown: &str) {
        let state = if self.tls.is_some() { "tls" } else { "plain" };
        if let Ok(mut f) = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir().join("commands.log"))
        {
            let _ = writeln!(f, "{shown} {state}");
        }
    }

    fn starttls_pending(&self) -> bool {
        self.tls.is_none() && matches!(self.shared.settings.tls, Some((TlsMode::StartTls, _, _)))
    }

    /// Serve commands until the client leaves or asks for STARTTLS.
    async fn serve(&mut self, io: &mut BufReader<Box<dyn Io>>) -> std::io::Result<Next> {
        if !self.greeted {
            self.greeted = true;
            // After STARTTLS the client speaks first (EHLO) again.
            if self.tls.is_none()
                || self.shared.settings.tls.as_ref().map(|t| t.0) == Some(TlsMode::Wrapper)
            {
                reply(io, "220 smtp.test newswatch-test-smtp ESMTP").await?;
            }
        }
        loop {
            let Some(line) = read_line(io).await? else {
                return Ok(Next::Close);
            };
            let (verb, arg) = match line.split_once(' ') {
                Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
                None => (line.trim().to_ascii_uppercase(), String::new()),
            };
            let shown = if verb == "AUTH" {
                format!(
                    "AUTH {}",
                    arg.split(' ').next().unwrap_or("").to_ascii_uppercase()
                )
            } else {
                verb.clone()
            };
            self.record(&shown);
            if self.starttls_pending()
                && !matches!(
                    verb.as_str(),
                    "EHLO" | "HELO" | "STARTTLS" | "NOOP" | "QUIT"
                )
            {
                reply(io, "530 5.7.0 Must issue a STARTTLS command first").await?;
                continue;
            }
            match verb.as_str() {
                "EHLO" => {
                    let mut lines = vec![
                        "250-smtp.test".to_string(),
                        "250-SIZE 67108864".to_string(),
                        "250-8BITMIME".to_string(),
                        "250-SMTPUTF8".to_string(),
                    ];
                    if self.starttls_pending() {
                        lines.push("250-STARTTLS".into());
                    }
                    if self.shared.settings.auth.is_some() {
                        lines.push("250-AUTH PLAIN LOGIN".into());
                    }
                    lines.push("250 HELP".into());
                    reply(io, &lines.join("\r\n")).await?;
                }
                "HELO" => reply(io, "250 smtp.test").await?,
                "STARTTLS" if self.starttls_pending() => {
                    reply(io, "220 2.0.0 Ready to start TLS").await?;
                    return Ok(Next::StartTls);
                }
                "AUTH" if self.shared.settings.auth.is_some() => self.auth(io, &arg).await?,
                "MAIL" => match address(&arg, "FROM:") {
                    Some(from) => {
                        self.mail_from = Some(from);
                        self.rcpt_tos.clear();
                        reply(io, "250 OK").await?;
                    }
                    None => reply(io, "501 Syntax: MAIL FROM:<address>").await?,
                },
                "RCPT" => match (&self.mail_from, address(&arg, "TO:")) {
                    (None, _) => reply(io, "503 Error: need MAIL command").await?,
                    (Some(_), Some(to)) => {
                        self.rcpt_tos.push(to);
                        reply(io, "250 OK").await?;
                    }
                    (Some(_), None) => reply(io, "501 Syntax: RCPT TO:<address>").await?,
                },
                "DATA" => {
                    if self.rcpt_tos.is_empty() {
                        reply(io, "503 Error: need RCPT command").await?;
                        continue;
                    }
                    reply(io, "354 End data with <CR><LF>.<CR><LF>").await?;
                    let Some(data) = read_data(io).await? else {
                        return Ok(Next::Close);
                    };
                    match self.finish_data(io, data).await? {
                        Some(answer) => reply(io, &answer).await?,
                        None => return Ok(Next::Close),
                    }
                }
                "RSET" => {
                    self.mail_from = None;
                    self.rcpt_tos.clear();
                    reply(io, "250 OK").await?;
                }
                "NOOP" => reply(io, "250 OK").await?,
                "QUIT" => {
                    reply(io, "221 Bye").await?;
                    let _ = io.get_mut().shutdown().await;
                    return Ok(Next::Close);
                }
                _ => reply(io, "500 Error: command not recognized").await?,
            }
        }
    }

    async fn auth(&mut self, io: &mut BufReader<Box<dyn Io>>, arg: &str) -> std::io::Result<()> {
        let (mechanism, initial) = match arg.split_once(' ') {
            Some((m, i)) => (m.to_ascii_uppercase(), Some(i.trim().to_string())),
            None => (arg.to_ascii_uppercase(), None),
        };
        let (login, password) = match mechanism.as_str() {
            "PLAIN" => {
                let response = match initial {
                    Some(i) => i,
                    None => {
                        reply(io, "334 ").await?;
                        read_line(io).await?.unwrap_or_default()
                    }
                };
                let decoded = B64.decode(response.trim()).unwrap_or_default();
                let mut parts = decoded.split(|&b| b == 0);
                let _authzid = parts.next();
                let login = parts.next().unwrap_or_default();
                let password = parts.next().unwrap_or_default();
                (
                    String::from_utf8_lossy(login).into_owned(),
                    String::from_utf8_lossy(password).into_owned(),
                )
            }
            "LOGIN" => {
                let user = match initial {
                    Some(i) => i,
                    None => {
                        reply(io, "334 VXNlcm5hbWU6").await?;
                        read_line(io).await?.unwrap_or_default()
                    }
                };
                reply(io, "334 UGFzc3dvcmQ6").await?;
                let pass = read_line(io).await?.unwrap_or_default();
                let dec = |s: &str| {
                    String::from_utf8_lossy(&B64.decode(s.trim()).unwrap_or_default()).into_owned()
                };
                (dec(&user), dec(&pass))
            }
            _ => {
                return reply(io, "504 5.5.4 Unrecognized authentication type").await;
            }
        };
        let ok = self
            .shared
            .settings
            .auth
            .as_ref()
            .is_some_and(|(u, p)| *u == login && *p == password);
        log(
            self.dir(),
            &format!(
                "AUTH {mechanism} for {login:?}: {}",
                if ok { "ok" } else { "failed" }
            ),
        );
        if ok {
            self.auth_user = Some(login);
            reply(io, "235 2.7.0 Authentication successful").await
        } else {
            reply(io, "535 5.7.8 Authentication credentials invalid").await
        }
    }

    /// Apply the fault flags to a complete message: the reply to send, or
    /// None when the client hung up during a slow answer (nothing stored).
    async fn finish_data(
        &mut self,
        io: &mut BufReader<Box<dyn Io>>,
        data: Vec<u8>,
    ) -> std::io::Result<Option<String>> {
        let dir = self.dir().to_path_buf();
        if let Some(slow) = read_flag(&dir.join("slow")).filter(|s| !s.is_empty()) {
            let secs: f64 = slow.parse().unwrap_or(0.0);
            log(
                &dir,
                &format!("slow: sleeping {secs:.1}s before answering DATA"),
            );
            let mut probe = [0u8; 1];
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs_f64(secs.max(0.0))) => {}
                read = io.read(&mut probe) => {
                    // The client may only wait here: EOF or an error means it
                    // gave up, and the message is not kept.
                    if matches!(read, Ok(0) | Err(_)) {
                        log(&dir, "slow: the client hung up; message not stored");
                        return Ok(None);
                    }
                }
            }
        }
        if let Some(content) = read_flag(&dir.join("refuse")) {
            let answer = reply_text(&content, DEFAULT_REFUSE, '4');
            log(&dir, &format!("refuse: {answer}"));
            self.reset();
            return Ok(Some(answer));
        }
        if let Some(content) = read_flag(&dir.join("reject")) {
            let answer = reply_text(&content, DEFAULT_REJECT, '5');
            log(&dir, &format!("reject: {answer}"));
            self.reset();
            return Ok(Some(answer));
        }
        let n = self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let record = serde_json::json!({
            "mail_from": self.mail_from.clone().unwrap_or_default(),
            "rcpt_tos": self.rcpt_tos,
            "data": String::from_utf8_lossy(&data),
            "auth_user": self.auth_user,
            "tls": self.tls,
        });
        let name = format!("{n:08}.json");
        let msgs = dir.join("msgs");
        let tmp = msgs.join(format!(".{name}.tmp"));
        fs::write(&tmp, record.to_string())?;
        fs::rename(&tmp, msgs.join(&name))?;
        log(
            &dir,
            &format!(
                "stored {name} from {:?} to {:?}",
                self.mail_from, self.rcpt_tos
            ),
        );
        self.reset();
        Ok(Some(format!("250 2.0.0 OK queued as {n}")))
    }

    fn reset(&mut self) {
        self.mail_from = None;
        self.rcpt_tos.clear();
    }
}

/// `FROM:<a@b> SIZE=…` → `a@b` (the empty reverse path `<>` included).
fn address(arg: &str, prefix: &str) -> Option<String> {
    let rest = arg.get(..prefix.len())?;
    if !rest.eq_ignore_ascii_case(prefix) {
        return None;
    }
    let rest = arg[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    Some(inner[..end].to_string())
}

/// A flag file's trimmed content ("" if empty), None if absent.
fn read_flag(path: &Path) -> Option<String> {
    fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
}

/// The flag's content as a reply, or the default. A bare text gets the
/// default's code, so the reply stays a valid SMTP response.
fn reply_text(content: &str, default: &str, class: char) -> String {
    let first = content.lines().next().unwrap_or("").trim();
    if first.is_empty() {
        return default.to_string();
    }
    let b = first.as_bytes();
    let coded = b.len() > 3
        && b[..3].iter().all(u8::is_ascii_digit)
        && (b[3] == b' ' || b[3] == b'-')
        && first.starts_with(class);
    if coded {
        first.to_string()
    } else {
        format!("{} {first}", default.split(' ').next().unwrap_or("451"))
    }
}

async fn reply(io: &mut BufReader<Box<dyn Io>>, text: &str) -> std::io::Result<()> {
    let w = io.get_mut();
    w.write_all(text.as_bytes()).await?;
    w.write_all(b"\r\n").await?;
    w.flush().await
}

/// One line without its CRLF; None at EOF.
async fn read_line(io: &mut BufReader<Box<dyn Io>>) -> std::io::Result<Option<String>> {
    let mut buf = Vec::new();
    let n = (&mut *io)
        .take(MAX_LINE as u64)
        .read_until(b'\n', &mut buf)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    while buf.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
        buf.pop();
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The message up to the lone ".", dot-unstuffed, each line ending in CRLF;
/// None if the client left first.
async fn read_data(io: &mut BufReader<Box<dyn Io>>) -> std::io::Result<Option<Vec<u8>>> {
    let mut data = Vec::new();
    loop {
        let mut line = Vec::new();
        let n = (&mut *io)
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(None);
        }
        let body = line
            .strip_suffix(b"\r\n")
            .or_else(|| line.strip_suffix(b"\n"))
            .unwrap_or(&line);
        if body == b"." {
            return Ok(Some(data));
        }
        // RFC 5321 4.5.2: a leading period is removed (the client doubled it).
        let body = body.strip_prefix(b".").unwrap_or(body);
        if data.len() + body.len() > MAX_MESSAGE {
            return Err(std::io::Error::other("message too large"));
        }
        data.extend_from_slice(body);
        data.extend_from_slice(b"\r\n");
    }
}
