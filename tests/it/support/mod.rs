//! Test helpers: an HTTP server we fully control (slow, huge, gzip, 304…),
//! a per-test environment running the real binary, and corpus paths.

pub mod env;
pub mod http;
pub mod smtp;
pub mod smtp_server;
pub mod wires;

// The corpus and fixture paths are the unit tests' own helpers: one
// definition, so the rule for a missing corpus cannot differ.
pub use newswatch::testutil::{corpus, fixture};

/// The snapshots (`*.xml`) of a feed history folder, in name (= time) order.
pub fn snapshots(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .collect();
    files.sort();
    files
}

/// Whether the tests run as root: a file created in `dir` is owned by uid 0.
/// (Tests that need root fail otherwise and are `#[ignore]`d; CI runs them
/// as root with `cargo test --test it -- --ignored`.)
pub fn running_as_root(dir: &std::path::Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let probe = dir.join("uid-probe");
    std::fs::write(&probe, b"").unwrap();
    let uid = std::fs::metadata(&probe).unwrap().uid();
    std::fs::remove_file(&probe).unwrap();
    uid == 0
}

/// The shipped topic file (`config/topics/peace-talks.toml`), as a
/// configuration's text.
pub fn shipped_topics() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/topics/peace-talks.toml"
    ))
    .expect("config/topics/peace-talks.toml")
}

/// A small RSS 2.0 document from (guid, title, description) triples.
pub fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Test feed</title><link>https://news.example/</link><description>test</description>\n",
    );
    for (i, (guid, title, desc)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>https://news.example/story/{guid}?utm_source=rss</link><description><![CDATA[{desc}]]></description><pubDate>Mon, 04 May 2026 {:02}:00:00 +0000</pubDate></item>\n",
            10 + i % 10
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// A started `newswatch run`, killed when dropped if still running, so a
/// failing assertion never leaves a daemon behind.
pub struct Running(pub std::process::Child);

impl std::ops::Deref for Running {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Start `newswatch run` on `env`'s config with its log appended to
/// `daemon.log` in the test folder, outside systemd unless `vars` say
/// otherwise (e.g. `NOTIFY_SOCKET`).
pub fn start_daemon(env: &env::Env, vars: &[(&str, &std::ffi::OsStr)]) -> Running {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(env.path("daemon.log"))
        .expect("open daemon.log");
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_newswatch"));
    cmd.arg("--config")
        .arg(&env.config)
        .arg("run")
        .env_remove("RUST_LOG")
        .env_remove("JOURNAL_STREAM")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .stdout(std::process::Stdio::null())
        .stderr(log);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    Running(cmd.spawn().expect("start newswatch run"))
}

/// The daemon log written by [`start_daemon`].
pub fn daemon_log(env: &env::Env) -> String {
    std::fs::read_to_string(env.path("daemon.log")).unwrap_or_default()
}

/// The shortest time a wait for an outcome gives up after, whatever cap
/// its caller names. A wait ends as soon as its outcome holds, so a passing
/// test never waits this long; but on a loaded machine (CI running several
/// builds on two cores) a daemon's start, first poll and first mail can
/// take many seconds, and a cap of 10 s there fails a test that is right.
pub const PATIENCE: std::time::Duration = std::time::Duration::from_secs(60);

/// Poll `ok` every 50 ms until it holds; fail the test after `timeout`
/// (at least [`PATIENCE`]).
pub fn wait_until(what: &str, timeout: std::time::Duration, mut ok: impl FnMut() -> bool) {
    let timeout = timeout.max(PATIENCE);
    let t0 = std::time::Instant::now();
    while !ok() {
        assert!(t0.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// xorshift64*: small, deterministic, good enough to pick test moments and mutations.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in lo..=hi.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }

    /// Uniform in 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    /// True with probability pct %.
    pub fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }

    pub fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

/// An RSS document whose items (guid, title, description) carry no date:
/// newswatch dates them when it first sees them, so they are fresh news
/// (items dated long ago never raise an alert).
pub fn undated_rss<S: AsRef<str>>(items: &[(S, S, S)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Feed</title><link>https://news.example/</link><description>d</description>\n",
    );
    for (guid, title, desc) in items {
        let (guid, title, desc) = (guid.as_ref(), title.as_ref(), desc.as_ref());
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>https://news.example/{guid}</link><description><![CDATA[{desc}]]></description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// Send `sig` (e.g. "-TERM", as kill(1) spells it) to a child process.
pub fn signal(child: &std::process::Child, sig: &str) {
    let name = format!("SIG{}", sig.trim_start_matches('-'));
    let signal: nix::sys::signal::Signal = name.parse().expect("a signal name");
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    nix::sys::signal::kill(pid, signal)
        .unwrap_or_else(|e| panic!("kill {sig} {}: {e}", child.id()));
}
