//! A test environment: a temporary folder with a config file and a database,
//! and a way to run the real `newswatch` binary against them.

use std::path::PathBuf;
use std::process::{Command, Output};

use rusqlite::Connection;

pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub db: PathBuf,
}

/// What a command run produced, with readable failure messages.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Run `cmd` and wait for it to exit, at most `limit`: a command that
    /// should stop at once (a refused `run`) fails the test instead of
    /// hanging it when it does not.
    pub fn within(mut cmd: Command, limit: std::time::Duration) -> Run {
        use std::process::Stdio;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start newswatch");
        // Read both pipes while waiting: output past the pipe's buffer
        // (64 KiB) would otherwise block the child and look like a hang.
        let drain = |mut r: Box<dyn std::io::Read + Send>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let _ = r.read_to_end(&mut buf);
                buf
            })
        };
        let out = drain(Box::new(child.stdout.take().expect("stdout")));
        let err = drain(Box::new(child.stderr.take().expect("stderr")));
        let t0 = std::time::Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for newswatch") {
                break status;
            }
            if t0.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                let stderr = err.join().unwrap_or_default();
                panic!(
                    "{cmd:?} did not exit within {limit:?}\n--- stderr\n{}",
                    String::from_utf8_lossy(&stderr)
                );
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        Run::from(std::process::Output {
            status,
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
        })
    }

    /// Assert the exit code, showing the output when it differs.
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// stdout as JSON lines.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
            .collect()
    }
}

impl Env {
    /// A config made of `[daemon]` settings (without `database`) and the rest.
    pub fn new(daemon: &str, rest: &str) -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("newswatch.toml");
        let db = dir.path().join("test.db");
        let text = format!("[daemon]\ndatabase = \"test.db\"\n{daemon}\n\n{rest}\n");
        std::fs::write(&config, text).unwrap();
        Env { dir, config, db }
    }

    /// A config with one source per (name, url).
    pub fn with_sources(daemon: &str, sources: &[(&str, &str)]) -> Env {
        let rest: String = sources
            .iter()
            .map(|(n, u)| format!("[[source]]\nname = \"{n}\"\nurl = \"{u}\"\n\n"))
            .collect();
        Env::new(daemon, &rest)
    }

    pub fn write_config(&self, text: &str) {
        std::fs::write(&self.config, text).unwrap();
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[])
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_newswatch"));
        cmd.arg("--config").arg(&self.config).args(args);
        cmd.env_remove("RUST_LOG").env_remove("NEWSWATCH_CONFIG");
        for (k, v) in env {
            cmd.env(k, v);
        }
        Run::from(cmd.output().expect("run newswatch"))
    }

    /// Writes `items` as an RSS file and ingests it as `source`'s fetch at
    /// `at` (RFC 3339), expecting success.
    pub fn ingest_rss(&self, source: &str, at: &str, items: &[(&str, &str, &str)]) {
        let file = self.path(&format!("{source}-{}.xml", at.replace(':', "")));
        std::fs::write(&file, super::rss(items)).unwrap();
        self.run(&[
            "ingest",
            "--source",
            source,
            "--at",
            at,
            file.to_str().unwrap(),
        ])
        .expect(0);
    }

    /// The items matched by `topic`, as `--json items --topic TOPIC --limit 1000`
    /// lists them (expecting success).
    pub fn topic_items(&self, topic: &str) -> Vec<serde_json::Value> {
        self.run(&["--json", "items", "--topic", topic, "--limit", "1000"])
            .expect(0)
            .json_lines()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Read-only connection to the test database.
    pub fn db(&self) -> Connection {
        Connection::open_with_flags(&self.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .expect("open test db")
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.db()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// Like `count`, but None while the database is not there or not migrated
    /// yet (a daemon starting up).
    pub fn try_count(&self, sql: &str) -> Option<i64> {
        let db = Connection::open_with_flags(&self.db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .ok()?;
        db.query_row(sql, [], |r| r.get(0)).ok()
    }

    pub fn text(&self, sql: &str) -> Option<String> {
        self.db()
            .query_row(sql, [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}
