//! A real SMTP server on 127.0.0.1 (`smtp_server.rs`, in this process) with
//! fault injection: refuse (451), reject (550), answer DATA slowly, go away
//! and come back on the same port.
//!
//! Every accepted message is stored as a JSON file in the server's folder, so
//! the test reads exactly what went over the wire, in arrival order. Refused,
//! rejected, or abandoned (client hung up during a slow DATA) messages are not
//! stored. Faults are checked when the DATA is complete (the reply to the
//! final "."), so MAIL and RCPT always succeed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mail_parser::{HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType};

use super::smtp_server::{self, Listening, Settings, TlsMode};

pub struct SmtpServer {
    listening: Option<Listening>,
    dir: tempfile::TempDir,
    port: u16,
    auth: Option<(String, String)>,
    tls: Option<(ServerTls, PathBuf, PathBuf)>,
}

/// How a TLS test server speaks TLS.
#[derive(Clone, Copy, Debug)]
pub enum ServerTls {
    /// Offers STARTTLS and refuses MAIL before it.
    StartTls,
    /// TLS from the first byte (`smtps`).
    Wrapper,
}

impl SmtpServer {
    /// A server on a free port, with a fresh folder, without AUTH.
    pub fn start() -> SmtpServer {
        SmtpServer::launch(0, None)
    }

    /// A server on this port (e.g. the port of a server stopped earlier: the
    /// server "comes back"), with its own fresh folder, so it does not see the
    /// earlier server's messages. To keep them, use [`SmtpServer::restart`].
    pub fn start_on(port: u16) -> SmtpServer {
        SmtpServer::launch(port, None)
    }

    /// A server accepting AUTH PLAIN and LOGIN (without TLS) for this user
    /// only; [`Received::auth_user`] records who sent each message.
    pub fn start_with_auth(user: &str, password: &str) -> SmtpServer {
        SmtpServer::launch(0, Some((user.to_string(), password.to_string())))
    }

    /// A server speaking TLS with the certificate of `certs` (for 127.0.0.1,
    /// signed by `certs.ca`), without AUTH.
    pub fn start_tls(mode: ServerTls, certs: &TestCerts) -> SmtpServer {
        SmtpServer::launch_with(
            0,
            None,
            Some((mode, certs.server_cert.clone(), certs.server_key.clone())),
        )
    }

    /// Like [`SmtpServer::start_tls`], also accepting AUTH PLAIN and LOGIN
    /// for this user (before or after STARTTLS: the server itself does not
    /// insist on TLS for AUTH, so a client that sends AUTH in clear is seen).
    pub fn start_tls_with_auth(
        mode: ServerTls,
        certs: &TestCerts,
        user: &str,
        password: &str,
    ) -> SmtpServer {
        SmtpServer::launch_with(
            0,
            Some((user.to_string(), password.to_string())),
            Some((mode, certs.server_cert.clone(), certs.server_key.clone())),
        )
    }

    fn launch(port: u16, auth: Option<(String, String)>) -> SmtpServer {
        SmtpServer::launch_with(port, auth, None)
    }

    fn launch_with(
        port: u16,
        auth: Option<(String, String)>,
        tls: Option<(ServerTls, PathBuf, PathBuf)>,
    ) -> SmtpServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut server = SmtpServer {
            listening: None,
            dir,
            port,
            auth,
            tls,
        };
        server.spawn(port);
        server
    }

    fn spawn(&mut self, port: u16) {
        let settings = Settings {
            dir: self.dir.path().to_path_buf(),
            auth: self.auth.clone(),
            tls: self.tls.as_ref().map(|(mode, cert, key)| {
                let mode = match mode {
                    ServerTls::StartTls => TlsMode::StartTls,
                    ServerTls::Wrapper => TlsMode::Wrapper,
                };
                (mode, cert.clone(), key.clone())
            }),
        };
        let listening = smtp_server::listen(port, settings)
            .unwrap_or_else(|e| panic!("SMTP test server cannot listen on 127.0.0.1:{port}: {e}"));
        self.port = listening.port();
        self.listening = Some(listening);
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The server's folder (messages in `msgs/`, fault flags, `server.log`).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// Everything the server logged (all its runs), for failure messages.
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn flag(&self, name: &str, content: Option<String>) {
        let path = self.dir.path().join(name);
        match content {
            Some(text) => fs::write(&path, text).expect("write fault flag"),
            None => match fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => panic!("remove {}: {e}", path.display()),
            },
        }
    }

    /// While on, every DATA is answered `451 4.3.0 try again later`.
    pub fn refuse(&self, on: bool) {
        self.flag("refuse", on.then(String::new));
    }

    /// Like `refuse(true)` with this reply: a full reply ("421 4.7.0 go
    /// away") if it starts with a 4xx code, else "451 " + text.
    pub fn refuse_with(&self, reply: &str) {
        self.flag("refuse", Some(reply.to_string()));
    }

    /// While on, every DATA is answered `550 5.7.1 rejected`.
    pub fn reject(&self, on: bool) {
        self.flag("reject", on.then(String::new));
    }

    /// Sleep this long before answering DATA (None: answer at once). A client
    /// that hangs up meanwhile leaves no stored message.
    pub fn slow(&self, secs: Option<u64>) {
        self.flag("slow", secs.map(|s| s.to_string()));
    }

    /// Stop the server: the port refuses connections after, and every open
    /// connection is closed.
    pub fn stop(&mut self) {
        if let Some(mut listening) = self.listening.take() {
            listening.stop();
            smtp_server::log(self.dir.path(), "stopped");
        }
    }

    /// Stop (if running) and start again on the same port with the same
    /// folder: earlier messages are kept and numbering continues; the fault
    /// flags stay as they were.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn(self.port);
    }

    pub fn is_running(&self) -> bool {
        self.listening.is_some()
    }

    /// Connections open now: once 0 after a client was killed, nothing more
    /// from it can be stored.
    pub fn open_connections(&self) -> usize {
        let log = self.log();
        log.lines().filter(|l| l.starts_with("Peer: ")).count()
            - log.lines().filter(|l| l.starts_with("Gone: ")).count()
    }

    /// Wait until every connection the server accepted has closed: from
    /// then on no message from those connections can still be stored. False
    /// if that takes over `timeout` (at least [`super::PATIENCE`]).
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout.max(super::PATIENCE);
        while self.open_connections() > 0 {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        true
    }

    /// Every command line received so far, in order, as the server recorded
    /// it: the verb (AUTH with its mechanism) and whether the connection was
    /// encrypted then, e.g. `["EHLO plain", "STARTTLS plain", "EHLO tls",
    /// "AUTH PLAIN tls", "MAIL tls", …]`. Never an argument or a secret.
    pub fn commands(&self) -> Vec<String> {
        fs::read_to_string(self.dir.path().join("commands.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Messages accepted so far, in arrival order.
    pub fn messages(&self) -> Vec<Received> {
        let msgs = self.dir.path().join("msgs");
        let mut names: Vec<PathBuf> = match fs::read_dir(&msgs) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| !n.starts_with('.') && n.ends_with(".json"))
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        names.sort();
        names.iter().map(|p| Received::load(p)).collect()
    }

    /// Poll until at least `n` messages arrived or `timeout` (at least
    /// [`super::PATIENCE`]) passed; returns what is there either way (assert
    /// on its length).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout.max(super::PATIENCE);
        loop {
            let got = self.messages();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One accepted message: the envelope and the raw message as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub raw: String,
    /// The AUTH login used for the session, if any.
    pub auth_user: Option<String>,
    /// The TLS version the message came over ("TLSv1.3"), None if plain.
    pub tls: Option<String>,
}

impl Received {
    fn load(path: &Path) -> Received {
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let v: serde_json::Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: bad JSON: {e}", path.display()));
        let s = |k: &str| v[k].as_str().map(str::to_string);
        Received {
            mail_from: s("mail_from").unwrap_or_default(),
            rcpt_tos: v["rcpt_tos"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            raw: s("data").unwrap_or_default(),
            auth_user: s("auth_user"),
            tls: s("tls"),
        }
    }

    fn parsed(&self) -> Message<'_> {
        MessageParser::default()
            .parse(self.raw.as_bytes())
            .unwrap_or_else(|| panic!("mail-parser cannot parse:\n{}", self.raw))
    }

    /// A header's value, RFC 2047 encoded words decoded, unfolded, trimmed
    /// (the first one if repeated). Works for any header, structured or not:
    /// `header("From")` gives e.g. `Jürgen <j@example.org>`.
    pub fn header(&self, name: &str) -> Option<String> {
        let parser = MessageParser::new().header_text(HeaderName::from(name.to_string()));
        let msg = parser.parse(self.raw.as_bytes())?;
        let wanted = HeaderName::from(name.to_string());
        let header = msg.headers().iter().find(|h| h.name == wanted)?;
        Some(match header.value() {
            HeaderValue::Text(t) => t.trim().to_string(),
            HeaderValue::TextList(l) => l.join(", "),
            HeaderValue::Empty => String::new(),
            _ => self.raw_header(name).unwrap_or_default(),
        })
    }

    /// A header's value as sent (unfolded, trimmed), without any decoding.
    pub fn raw_header(&self, name: &str) -> Option<String> {
        let msg = MessageParser::new().parse(self.raw.as_bytes())?;
        msg.headers_raw()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.replace("\r\n", "").replace('\n', "").trim().to_string())
    }

    /// The decoded Subject ("" if none).
    pub fn subject(&self) -> String {
        self.parsed().subject().unwrap_or_default().to_string()
    }

    /// `<id@host>`, with the angle brackets.
    pub fn message_id(&self) -> Option<String> {
        self.parsed().message_id().map(bracket)
    }

    /// The (first) In-Reply-To id, `<id@host>`.
    pub fn in_reply_to(&self) -> Option<String> {
        ids(self.parsed().in_reply_to()).into_iter().next()
    }

    /// The References ids in order, each `<id@host>`.
    pub fn references(&self) -> Vec<String> {
        ids(self.parsed().references())
    }

    /// Every MIME part's type in document order, lowercase, e.g.
    /// `["multipart/alternative", "text/plain", "text/html"]` (a part
    /// without Content-Type counts as `text/plain`).
    pub fn content_types(&self) -> Vec<String> {
        self.parsed().parts.iter().map(part_type).collect()
    }

    /// The decoded text of all text/plain parts, joined by "\n".
    pub fn text(&self) -> String {
        self.parts_of("text/plain")
    }

    /// The decoded text of all text/html parts, joined by "\n".
    pub fn html(&self) -> String {
        self.parts_of("text/html")
    }

    fn parts_of(&self, ctype: &str) -> String {
        let msg = self.parsed();
        msg.parts
            .iter()
            .filter(|p| part_type(p) == ctype)
            .filter_map(|p| match &p.body {
                PartType::Text(t) | PartType::Html(t) => Some(t.to_string()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn part_type(p: &mail_parser::MessagePart<'_>) -> String {
    match p.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{}", ct.ctype(), sub),
            None => ct.ctype().to_string(),
        }
        .to_ascii_lowercase(),
        None => "text/plain".to_string(),
    }
}

fn bracket(id: &str) -> String {
    let id = id.trim();
    if id.starts_with('<') {
        id.to_string()
    } else {
        format!("<{id}>")
    }
}

fn ids(v: &HeaderValue<'_>) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![bracket(t)],
        HeaderValue::TextList(l) => l.iter().map(|t| bracket(t)).collect(),
        _ => Vec::new(),
    }
}

/// A private CA and a server certificate it signed for 127.0.0.1 (not for
/// localhost: a name it does not cover), made with rcgen and written as PEM
/// files in a temp folder; `other_ca` is a second CA that signed nothing (a
/// trust store that must fail).
pub struct TestCerts {
    _dir: tempfile::TempDir,
    pub ca: PathBuf,
    pub other_ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl TestCerts {
    pub fn new() -> TestCerts {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
            IsCa, KeyPair, KeyUsagePurpose,
        };
        let dir = tempfile::tempdir().expect("temp dir");
        let p = |name: &str| dir.path().join(name);
        let ca = |cn: &str| {
            let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
            params.distinguished_name.push(DnType::CommonName, cn);
            params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
            CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key"))
                .expect("self-signed CA")
        };
        let issuer = ca("newswatch test CA");
        let other = ca("unrelated CA");
        let mut params =
            CertificateParams::new(vec!["127.0.0.1".to_string()]).expect("server params");
        params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate().expect("server key");
        let server = params
            .signed_by(&server_key, &issuer)
            .expect("server certificate");
        fs::write(p("ca.pem"), issuer.pem()).expect("write ca.pem");
        fs::write(p("other-ca.pem"), other.pem()).expect("write other-ca.pem");
        fs::write(p("server.pem"), server.pem()).expect("write server.pem");
        fs::write(p("server.key"), server_key.serialize_pem()).expect("write server.key");
        TestCerts {
            ca: p("ca.pem"),
            other_ca: p("other-ca.pem"),
            server_cert: p("server.pem"),
            server_key: p("server.key"),
            _dir: dir,
        }
    }
}

#[cfg(test)]
#[path = "smtp_tests.rs"]
mod tests;
