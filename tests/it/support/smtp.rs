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
    /// if that takes over `timeout`.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
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

    /// Poll until at least `n` messages arrived or `timeout` passed; returns
    /// what is there either way (assert on its length).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
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
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;

    use super::*;

    /// A minimal SMTP client: one command, one (possibly multi-line) reply.
    struct Client {
        reader: BufReader<TcpStream>,
        writer: TcpStream,
    }

    impl Client {
        fn connect(port: u16) -> Client {
            let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let writer = stream.try_clone().unwrap();
            let mut c = Client {
                reader: BufReader::new(stream),
                writer,
            };
            let (code, text) = c.reply();
            assert_eq!(code, 220, "greeting: {text}");
            c
        }

        fn reply(&mut self) -> (u16, String) {
            let mut all = String::new();
            loop {
                let mut line = String::new();
                let n = self.reader.read_line(&mut line).expect("read reply");
                assert!(n > 0, "server closed the connection; so far: {all}");
                all.push_str(&line);
                if line.as_bytes().get(3) != Some(&b'-') {
                    return (line[..3].parse().expect("reply code"), all);
                }
            }
        }

        fn cmd(&mut self, line: &str) -> (u16, String) {
            self.writer
                .write_all(format!("{line}\r\n").as_bytes())
                .unwrap();
            self.reply()
        }

        fn ok(&mut self, line: &str, want: u16) -> String {
            let (code, text) = self.cmd(line);
            assert_eq!(code, want, "{line} -> {text}");
            text
        }

        /// MAIL/RCPT/DATA + body; returns the reply to the final ".".
        fn send(&mut self, from: &str, to: &[&str], message: &str) -> (u16, String) {
            self.ok(&format!("MAIL FROM:<{from}>"), 250);
            for r in to {
                self.ok(&format!("RCPT TO:<{r}>"), 250);
            }
            self.ok("DATA", 354);
            let mut body = String::new();
            for line in message.lines() {
                if line.starts_with('.') {
                    body.push('.');
                }
                body.push_str(line);
                body.push_str("\r\n");
            }
            body.push_str(".\r\n");
            self.writer.write_all(body.as_bytes()).unwrap();
            self.reply()
        }
    }

    fn b64(data: &[u8]) -> String {
        const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let b = [
                chunk[0],
                *chunk.get(1).unwrap_or(&0),
                *chunk.get(2).unwrap_or(&0),
            ];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(T[(n >> (18 - 6 * i)) as usize & 63] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    fn sample(subject: &str) -> String {
        format!(
            "From: =?utf-8?b?{from}?= <alerts@newswatch.test>\r\n\
             To: reader@example.org\r\n\
             Subject: =?utf-8?b?{subj}?=\r\n\
             Message-ID: <alert-1@newswatch.test>\r\n\
             In-Reply-To: <story-0@newswatch.test>\r\n\
             References: <thread@newswatch.test>\r\n <story-0@newswatch.test>\r\n\
             X-Newswatch-Feed: =?utf-8?q?Caf=C3=A9_news?=\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: multipart/alternative; boundary=\"BOUND\"\r\n\
             \r\n\
             --BOUND\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\
             \r\n\
             Caf=C3=A9 headline\r\n\
             .dotted line\r\n\
             --BOUND\r\n\
             Content-Type: text/html; charset=utf-8\r\n\
             Content-Transfer-Encoding: base64\r\n\
             \r\n\
             {html}\r\n\
             --BOUND--\r\n",
            from = b64("Jürgen Bot".as_bytes()),
            subj = b64(subject.as_bytes()),
            html = b64("<p>Café <b>headline</b></p>".as_bytes()),
        )
    }

    #[test]
    fn smtp_stores_and_decodes_a_multipart_message() {
        let srv = SmtpServer::start();
        assert!(srv.is_running());
        assert_eq!(srv.url(), format!("smtp://127.0.0.1:{}", srv.port()));
        let mut c = Client::connect(srv.port());
        let ehlo = c.ok("EHLO client.test", 250);
        assert!(!ehlo.contains("AUTH"), "no AUTH without --auth: {ehlo}");
        let (code, text) = c.send(
            "alerts@newswatch.test",
            &["reader@example.org", "second@example.org"],
            &sample("Ünïcode alert: 3 stories"),
        );
        assert_eq!(code, 250, "{text}");
        let (code, _) = c.send("a@b.test", &["c@d.test"], "Subject: second\r\n\r\nhi\r\n");
        assert_eq!(code, 250);
        c.ok("QUIT", 221);

        let msgs = srv.wait_for(2, Duration::from_secs(5));
        assert_eq!(msgs.len(), 2, "{}", srv.log());
        assert!(srv.dir().join("msgs/00000002.json").is_file());
        let m = &msgs[0];
        assert_eq!(m.mail_from, "alerts@newswatch.test");
        assert_eq!(m.rcpt_tos, ["reader@example.org", "second@example.org"]);
        assert_eq!(m.auth_user, None);
        assert_eq!(m.subject(), "Ünïcode alert: 3 stories");
        assert_eq!(
            m.header("subject").as_deref(),
            Some("Ünïcode alert: 3 stories")
        );
        assert_eq!(
            m.header("From").as_deref(),
            Some("Jürgen Bot <alerts@newswatch.test>")
        );
        assert_eq!(m.header("X-Newswatch-Feed").as_deref(), Some("Café news"));
        assert_eq!(
            m.raw_header("X-Newswatch-Feed").as_deref(),
            Some("=?utf-8?q?Caf=C3=A9_news?=")
        );
        assert_eq!(m.header("X-Absent"), None);
        assert_eq!(m.message_id().as_deref(), Some("<alert-1@newswatch.test>"));
        assert_eq!(m.in_reply_to().as_deref(), Some("<story-0@newswatch.test>"));
        assert_eq!(
            m.references(),
            ["<thread@newswatch.test>", "<story-0@newswatch.test>"]
        );
        assert_eq!(
            m.content_types(),
            ["multipart/alternative", "text/plain", "text/html"]
        );
        assert_eq!(
            m.text().replace("\r\n", "\n").trim_end(),
            "Café headline\n.dotted line"
        );
        assert_eq!(m.html().trim_end(), "<p>Café <b>headline</b></p>");

        let m = &msgs[1];
        assert_eq!(m.subject(), "second");
        assert_eq!(m.content_types(), ["text/plain"]);
        assert_eq!(m.text().trim_end(), "hi");
        assert_eq!(m.message_id(), None);
        assert_eq!(m.in_reply_to(), None);
        assert!(m.references().is_empty());
    }

    #[test]
    fn smtp_refuse_and_reject_answer_data_and_store_nothing() {
        let srv = SmtpServer::start();
        let mut c = Client::connect(srv.port());
        c.ok("HELO client.test", 250);
        let msg = "Subject: x\r\n\r\nbody\r\n";

        srv.refuse(true);
        let (code, text) = c.send("a@b.test", &["c@d.test"], msg);
        assert_eq!(code, 451, "{text}");
        assert!(text.starts_with("451 4.3.0 try again later"), "{text}");
        srv.refuse_with("4.7.0 greylisted, come back later");
        let (code, text) = c.send("a@b.test", &["c@d.test"], msg);
        assert_eq!(code, 451, "{text}");
        assert!(text.contains("greylisted"), "{text}");
        srv.refuse(false);

        srv.reject(true);
        let (code, text) = c.send("a@b.test", &["c@d.test"], msg);
        assert_eq!(code, 550, "{text}");
        assert!(text.starts_with("550 5.7.1 rejected"), "{text}");
        srv.reject(false);
        assert!(srv.messages().is_empty());

        let (code, text) = c.send("a@b.test", &["c@d.test"], msg);
        assert_eq!(code, 250, "{text}");
        assert_eq!(srv.wait_for(1, Duration::from_secs(5)).len(), 1);
    }

    #[test]
    fn smtp_stop_refuses_connections_and_restart_comes_back() {
        let mut srv = SmtpServer::start();
        let port = srv.port();
        let mut c = Client::connect(port);
        c.ok("HELO client.test", 250);
        assert_eq!(
            c.send("a@b.test", &["c@d.test"], "Subject: one\r\n\r\n1\r\n")
                .0,
            250
        );
        // QUIT makes the server close first: its side of the connection sits
        // in TIME_WAIT on `port` while we restart.
        c.ok("QUIT", 221);
        let mut rest = Vec::new();
        let _ = c.reader.read_to_end(&mut rest);

        srv.stop();
        assert!(!srv.is_running());
        let err = TcpStream::connect(("127.0.0.1", port)).expect_err("port closed after stop");
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused, "{err}");

        // Same port, same folder: earlier messages are kept.
        srv.restart();
        assert_eq!(srv.port(), port);
        let mut c = Client::connect(port);
        c.ok("HELO client.test", 250);
        assert_eq!(
            c.send("a@b.test", &["c@d.test"], "Subject: two\r\n\r\n2\r\n")
                .0,
            250
        );
        c.ok("QUIT", 221);
        let subjects: Vec<String> = srv
            .wait_for(2, Duration::from_secs(5))
            .iter()
            .map(Received::subject)
            .collect();
        assert_eq!(subjects, ["one", "two"], "{}", srv.log());

        // start_on: same port, fresh folder.
        srv.stop();
        let other = SmtpServer::start_on(port);
        assert_eq!(other.port(), port);
        let mut c = Client::connect(port);
        c.ok("HELO client.test", 250);
        assert_eq!(
            c.send("a@b.test", &["c@d.test"], "Subject: three\r\n\r\n3\r\n")
                .0,
            250
        );
        let got = other.wait_for(1, Duration::from_secs(5));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].subject(), "three");
        assert_eq!(srv.messages().len(), 2);
    }

    #[test]
    fn smtp_slow_data_and_client_gives_up_stores_nothing() {
        let srv = SmtpServer::start();
        srv.slow(Some(1));
        let mut c = Client::connect(srv.port());
        c.ok("HELO client.test", 250);
        c.reader
            .get_ref()
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        c.ok("MAIL FROM:<a@b.test>", 250);
        c.ok("RCPT TO:<c@d.test>", 250);
        c.ok("DATA", 354);
        let started = Instant::now();
        c.writer
            .write_all(b"Subject: slow\r\n\r\nx\r\n.\r\n")
            .unwrap();
        let mut line = String::new();
        let err = c
            .reader
            .read_line(&mut line)
            .expect_err("DATA reply is late");
        assert!(
            matches!(
                err.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{err}"
        );
        assert!(started.elapsed() < Duration::from_secs(1));
        drop(c);
        srv.slow(None);
        // The server saw the client go, which cancels the DATA it was
        // sleeping on: the abandoned message is never stored.
        assert!(srv.wait_idle(Duration::from_secs(5)), "{}", srv.log());
        assert!(srv.messages().is_empty(), "{}", srv.log());

        let mut c = Client::connect(srv.port());
        c.ok("HELO client.test", 250);
        assert_eq!(
            c.send("a@b.test", &["c@d.test"], "Subject: fast\r\n\r\nx\r\n")
                .0,
            250
        );
        assert_eq!(srv.wait_for(1, Duration::from_secs(5)).len(), 1);
    }

    #[test]
    fn smtp_auth_plain_and_login_record_the_user() {
        let srv = SmtpServer::start_with_auth("alice", "s3cret");
        let mut c = Client::connect(srv.port());
        let ehlo = c.ok("EHLO client.test", 250);
        assert!(
            ehlo.contains("AUTH") && ehlo.contains("PLAIN") && ehlo.contains("LOGIN"),
            "{ehlo}"
        );
        let (code, text) = c.cmd(&format!("AUTH PLAIN {}", b64(b"\0alice\0wrong")));
        assert_eq!(code, 535, "{text}");
        c.ok(&format!("AUTH PLAIN {}", b64(b"\0alice\0s3cret")), 235);
        assert_eq!(
            c.send("alice@b.test", &["c@d.test"], "Subject: a\r\n\r\nx\r\n")
                .0,
            250
        );
        c.ok("QUIT", 221);

        let mut c = Client::connect(srv.port());
        c.ok("EHLO client.test", 250);
        c.ok("AUTH LOGIN", 334);
        c.ok(&b64(b"alice"), 334);
        c.ok(&b64(b"s3cret"), 235);
        assert_eq!(
            c.send("alice@b.test", &["c@d.test"], "Subject: b\r\n\r\nx\r\n")
                .0,
            250
        );
        c.ok("QUIT", 221);

        let msgs = srv.wait_for(2, Duration::from_secs(5));
        assert_eq!(msgs.len(), 2, "{}", srv.log());
        for m in &msgs {
            assert_eq!(m.auth_user.as_deref(), Some("alice"));
        }
        // Every command line is recorded, verbs only: no secret, no body line.
        assert_eq!(
            srv.commands(),
            [
                "EHLO plain",
                "AUTH PLAIN plain",
                "AUTH PLAIN plain",
                "MAIL plain",
                "RCPT plain",
                "DATA plain",
                "QUIT plain",
                "EHLO plain",
                "AUTH LOGIN plain",
                "MAIL plain",
                "RCPT plain",
                "DATA plain",
                "QUIT plain",
            ],
            "{}",
            srv.log()
        );
        let recorded = fs::read_to_string(srv.dir().join("commands.log")).unwrap();
        assert!(!recorded.contains("s3cret") && !recorded.contains(&b64(b"\0alice\0s3cret")));
    }

    #[test]
    fn smtp_starttls_server_refuses_mail_before_tls_and_logs_commands_without_secrets() {
        let certs = TestCerts::new();
        let srv = SmtpServer::start_tls(ServerTls::StartTls, &certs);
        let mut c = Client::connect(srv.port());
        let ehlo = c.ok("EHLO client.test", 250);
        assert!(ehlo.contains("STARTTLS"), "{ehlo}");
        let (code, text) = c.cmd("MAIL FROM:<a@b.test>");
        assert_eq!(code, 530, "{text}");
        c.ok("STARTTLS", 220);
        drop(c);
        assert!(srv.wait_idle(Duration::from_secs(5)), "{}", srv.log());
        assert_eq!(
            srv.commands(),
            ["EHLO plain", "MAIL plain", "STARTTLS plain"]
        );

        let srv = SmtpServer::start_with_auth("alice", "s3cret");
        let mut c = Client::connect(srv.port());
        c.ok("EHLO client.test", 250);
        c.ok(&format!("AUTH PLAIN {}", b64(b"\0alice\0s3cret")), 235);
        c.ok("QUIT", 221);
        assert!(srv.wait_idle(Duration::from_secs(5)), "{}", srv.log());
        assert_eq!(
            srv.commands(),
            ["EHLO plain", "AUTH PLAIN plain", "QUIT plain"]
        );
        assert!(
            !srv.log().contains(&b64(b"\0alice\0s3cret")),
            "{}",
            srv.log()
        );
    }
}
