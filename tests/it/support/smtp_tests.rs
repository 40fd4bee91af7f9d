//! The test SMTP server tested: a minimal client speaks to it the way
//! newswatch's mail path does and checks what it stored and answered.

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
