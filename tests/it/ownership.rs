//! The service runs as its own user (systemd `DynamicUser`); README's
//! install steps have the operator run `sudo newswatch … status` against
//! the service's database. As root on a database another user owns,
//! newswatch only reads: the reads work and change nothing (no file made,
//! left or handed over), and every command that would write or take the
//! daemon's lock is refused with the command to run as that user, which
//! works. Files the service's user can plant there (a link at the lock
//! file or at the database path, a hard link) are never followed by root.
//!
//! Needs root, to own files as another user and to run the binary as that
//! user: each test fails when not run as root, and is `#[ignore]`d so that
//! a plain `cargo test` says so; CI runs them as root with
//! `cargo test --test it -- --ignored`. The refusal's `sudo -u` command is
//! run as printed, so `sudo` must be installed (CI installs it).

use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::env::Run;
use crate::support::http::{Response, TestServer};
use crate::support::{Running, rss, running_as_root, signal};

/// nobody/nogroup: a user that owns nothing else here.
const SERVICE_UID: u32 = 65534;
const SERVICE_GID: u32 = 65534;

/// The service's state folder with its database, made by the service.
struct Service {
    tmp: tempfile::TempDir,
    state: PathBuf,
    db: PathBuf,
    config: PathBuf,
    bin: PathBuf,
    server: TestServer,
}

/// Fail (not skip) where the test cannot do what it is about.
fn require_root_and_sudo(dir: &Path) {
    assert!(
        running_as_root(dir),
        "this test needs root (it runs newswatch as uid {SERVICE_UID} and makes files that \
         user owns): run it as root with `cargo test --test it -- --ignored`"
    );
    let sudo = Command::new("sudo")
        .arg("--version")
        .stdout(Stdio::null())
        .status();
    assert!(
        sudo.is_ok_and(|s| s.success()),
        "this test runs the `sudo -u …` command newswatch prints: install sudo (apt-get install sudo)"
    );
}

/// Every folder above `path` lets other users through.
fn reachable_by_others(path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .all(|d| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
}

fn chown_to_service(path: &Path) {
    std::os::unix::fs::lchown(path, Some(SERVICE_UID), Some(SERVICE_GID)).unwrap();
}

fn first_feed() -> Response {
    Response::ok(rss(&[(
        "a1",
        "Ceasefire talks resume in Istanbul",
        "Delegations met.",
    )]))
}

fn second_feed() -> Response {
    Response::ok(rss(&[
        (
            "a1",
            "Ceasefire talks resume in Istanbul",
            "Delegations met.",
        ),
        ("a2", "Prisoner exchange agreed", "Both sides confirmed."),
    ]))
}

/// The state folder owned by the service, as systemd's StateDirectory;
/// with `create_db`, the service has polled once (the database holds the
/// first item).
fn service(create_db: bool) -> Service {
    let tmp = tempfile::tempdir().unwrap();
    require_root_and_sudo(tmp.path());
    let state = tmp.path().join("state");
    std::fs::create_dir(&state).unwrap();
    chown_to_service(tmp.path());
    chown_to_service(&state);
    let mut bin = PathBuf::from(env!("CARGO_BIN_EXE_newswatch"));
    if !reachable_by_others(&bin) {
        // A checkout under a private home: give the service user a copy.
        let copy = tmp.path().join("newswatch");
        std::fs::copy(&bin, &copy).unwrap();
        bin = copy;
    }
    let server = TestServer::start();
    server.fixed("/feed", first_feed());
    let config = tmp.path().join("newswatch.toml");
    let db = state.join("newswatch.db");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"{}\"\n\n[[source]]\nname = \"wire\"\nurl = \"{}\"\n\n\
             [[topic]]\nname = \"talks\"\nquery = \"ceasefire\"\n",
            db.display(),
            server.url("/feed")
        ),
    )
    .unwrap();
    let s = Service {
        tmp,
        state,
        db,
        config,
        bin,
        server,
    };
    if create_db {
        s.newswatch(&["poll", "--all"], true).expect(0);
        assert!(not_service_owned(&s.state).is_empty());
    }
    s
}

impl Service {
    fn newswatch(&self, args: &[&str], as_service: bool) -> Run {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--config").arg(&self.config).args(args);
        cmd.env_remove("RUST_LOG").env_remove("NEWSWATCH_CONFIG");
        if as_service {
            cmd.uid(SERVICE_UID).gid(SERVICE_GID);
        }
        // Bounded: a refused `run` that ran on would hang the test.
        Run::within(cmd, Duration::from_secs(60))
    }

    /// Start `newswatch run`, wait until it has recorded run number `nth`.
    fn start(&self, as_service: bool, nth: i64) -> Running {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--config").arg(&self.config).arg("run");
        cmd.env_remove("RUST_LOG")
            .env_remove("NEWSWATCH_CONFIG")
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        if as_service {
            cmd.uid(SERVICE_UID).gid(SERVICE_GID);
        }
        let mut daemon = Running(cmd.spawn().expect("start newswatch run"));
        let t0 = Instant::now();
        loop {
            if let Ok(Some(status)) = daemon.try_wait() {
                let mut err = String::new();
                let _ = daemon.stderr.take().unwrap().read_to_string(&mut err);
                panic!("newswatch run (service user: {as_service}) exited with {status}: {err}");
            }
            if self.runs().is_some_and(|n| n >= nth) {
                return daemon;
            }
            assert!(
                t0.elapsed() < Duration::from_secs(30),
                "newswatch run did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Runs recorded, read as the service's user would (a read-only
    /// connection made by root leaves -wal and -shm behind: not here).
    fn runs(&self) -> Option<i64> {
        let out = Command::new("setpriv")
            .args([
                &format!("--reuid={SERVICE_UID}"),
                &format!("--regid={SERVICE_GID}"),
                "--clear-groups",
            ])
            .arg(&self.bin)
            .arg("--config")
            .arg(&self.config)
            .args(["--json", "status"])
            .output()
            .ok()?;
        let status: serde_json::Value = serde_json::from_slice(&out.stdout)
            .ok()
            .filter(|_| out.status.success())?;
        status["daemon"]["id"].as_i64()
    }
}

fn stop(mut daemon: Running) {
    signal(&daemon, "-TERM");
    let status = daemon.wait().unwrap();
    assert!(status.success(), "newswatch run ended with {status}");
}

/// Files in `dir` that the service user does not own.
fn not_service_owned(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| std::fs::symlink_metadata(e.path()).is_ok_and(|m| m.uid() != SERVICE_UID))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Each file in `dir`: owner, mode and a hash of its content (links:
/// where they point; not for `-shm`, the WAL's index in shared memory,
/// where every reader marks what it reads).
fn snapshot(dir: &Path) -> BTreeMap<String, (u32, u32, u64)> {
    use std::hash::{Hash, Hasher};
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let meta = std::fs::symlink_metadata(e.path()).unwrap();
            let content = if meta.file_type().is_symlink() {
                std::fs::read_link(e.path())
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                std::fs::read(e.path()).unwrap()
            };
            let mut hash = std::collections::hash_map::DefaultHasher::new();
            if !e.file_name().to_string_lossy().ends_with("-shm") {
                content.hash(&mut hash);
            }
            (
                e.file_name().to_string_lossy().into_owned(),
                (meta.uid(), meta.mode(), hash.finish()),
            )
        })
        .collect()
}

/// A root-owned file standing for `/etc/shadow`: owner, mode, content.
fn plant_precious(path: &Path) -> (u32, u32, Vec<u8>) {
    std::fs::write(path, "root:$y$j9T$secret:19000:0:99999:7:::\n").unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o640)).unwrap();
    file_state(path)
}

fn file_state(path: &Path) -> (u32, u32, Vec<u8>) {
    let meta = std::fs::metadata(path).unwrap();
    (meta.uid(), meta.mode(), std::fs::read(path).unwrap())
}

/// The commands that only read, as an operator runs them with `sudo`.
const READS: &[&[&str]] = &[
    &["status"],
    &["items"],
    &["search", "ceasefire"],
    &["show", "1"],
    &["sources"],
    &["sources", "export-opml"],
    &["changes"],
    &["match", "--topic", "talks"],
    &["outbox"],
    &["digest"],
];

#[test]
#[ignore = "needs root (runs newswatch as uid 65534) and sudo; CI runs it: cargo test --test it -- --ignored"]
fn root_reads_the_service_database_and_changes_nothing() {
    let s = service(true);
    // As a poll leaves it, -wal and -shm there.
    let before = snapshot(&s.state);
    assert!(before.contains_key("newswatch.db-wal"), "{before:?}");
    for args in READS {
        s.newswatch(args, false).expect(0);
    }
    let found = s.newswatch(&["search", "ceasefire"], false).stdout;
    assert!(found.contains("Ceasefire talks resume"), "{found}");
    assert_eq!(
        snapshot(&s.state),
        before,
        "root's reads created, changed or handed over a file"
    );

    // As a read-write connection that closes last leaves it: the database
    // alone. SQLite makes -wal and -shm to read it, the database's own.
    s.newswatch(&["status"], true).expect(0);
    let before = snapshot(&s.state);
    assert_eq!(before.keys().collect::<Vec<_>>(), ["newswatch.db"]);
    for args in READS {
        s.newswatch(args, false).expect(0);
    }
    let after = snapshot(&s.state);
    assert_eq!(
        after["newswatch.db"], before["newswatch.db"],
        "root changed the database"
    );
    for (name, (uid, mode, _)) in &after {
        assert_eq!((*uid, *mode), (SERVICE_UID, 0o100600), "{name}");
    }

    // Beside the service's running daemon: the reads see it running.
    let daemon = s.start(true, 1);
    for args in READS {
        s.newswatch(args, false).expect(0);
    }
    let status = s.newswatch(&["--json", "status"], false).expect(0);
    assert_eq!(status.json_lines()[0]["daemon"]["state"], "running");
    assert!(not_service_owned(&s.state).is_empty());
    stop(daemon);
    assert!(not_service_owned(&s.state).is_empty());

    // The service can still write: a new item is stored.
    s.server.fixed("/feed", second_feed());
    s.newswatch(&["poll", "--all"], true).expect(0);
    let items = s.newswatch(&["items"], true).expect(0).stdout;
    assert!(items.contains("Prisoner exchange agreed"), "{items}");
    assert!(not_service_owned(&s.state).is_empty());
}

#[test]
#[ignore = "needs root (runs newswatch as uid 65534) and sudo; CI runs it: cargo test --test it -- --ignored"]
fn root_is_refused_what_would_write_and_told_how_to_run_it_as_the_owner() {
    let s = service(true);
    let feed_file = s.tmp.path().join("20260504T120000Z.xml");
    std::fs::write(&feed_file, rss(&[("b1", "Filed report", "Text.")])).unwrap();
    let feed_file = feed_file.display().to_string();
    let before = snapshot(&s.state);
    let refused: &[&[&str]] = &[
        &["poll", "--all"],
        &["run"],
        &["ingest", "--source", "wire", &feed_file],
        &["prune", "--older-than", "1d"],
        &["sources", "add", "extra", "http://127.0.0.1:9/feed"],
        &["sources", "disable", "wire"],
        &["outbox", "retry"],
        &["outbox", "send"],
        &["digest", "--send"],
    ];
    let mut poll_refusal = String::new();
    for args in refused {
        let run = s.newswatch(args, false).expect(2);
        let head = format!(
            "error: refusing to write to {} as root: it belongs to user nobody (uid 65534). \
             As root, newswatch only reads a database another user owns",
            s.db.display()
        );
        assert!(run.stderr.starts_with(&head), "{args:?}: {}", run.stderr);
        let how = format!(
            "Run it as that user:\n  sudo -u nobody {} --config {} {}\n",
            s.bin.display(),
            s.config.display(),
            args.join(" ")
        );
        assert!(run.stderr.ends_with(&how), "{args:?}: {}", run.stderr);
        if args[0] == "poll" {
            poll_refusal = run.stderr;
        }
    }
    assert_eq!(
        snapshot(&s.state),
        before,
        "a refused command created, changed or handed over a file"
    );

    // The command it prints works, as printed.
    s.server.fixed("/feed", second_feed());
    let command = poll_refusal.lines().last().unwrap().trim();
    let out = Command::new("sh").arg("-c").arg(command).output().unwrap();
    assert!(out.status.success(), "{command}: {out:?}");
    let items = s.newswatch(&["items"], false).expect(0).stdout;
    assert!(items.contains("Prisoner exchange agreed"), "{items}");
    assert!(not_service_owned(&s.state).is_empty());

    // No database yet (a folder the service owns): nothing created either.
    let fresh = service(false);
    for args in [&["poll", "--all"][..], &["run"]] {
        let run = fresh.newswatch(args, false).expect(2);
        assert!(
            run.stderr.contains(&format!(
                "as root: its folder {} belongs to user nobody (uid 65534)",
                fresh.state.display()
            )),
            "{}",
            run.stderr
        );
    }
    let run = fresh.newswatch(&["status"], false).expect(2);
    assert!(run.stderr.contains("no database at "), "{}", run.stderr);
    assert!(snapshot(&fresh.state).is_empty());
}

#[test]
#[ignore = "needs root (runs newswatch as uid 65534) and sudo; CI runs it: cargo test --test it -- --ignored"]
fn a_link_planted_at_the_lock_file_is_never_followed_by_root() {
    let s = service(true);
    let shadow = s.tmp.path().join("shadow");
    let precious = plant_precious(&shadow);
    // The service's user plants the link where the daemon's lock goes.
    let lock = s.state.join("newswatch.db.lock");
    std::os::unix::fs::symlink(&shadow, &lock).unwrap();
    chown_to_service(&lock);
    for args in [&["run"][..], &["poll", "--all"]] {
        let run = s.newswatch(args, false).expect(2);
        assert!(
            run.stderr.contains("refusing to write to"),
            "{}",
            run.stderr
        );
    }
    // `status` looks at the lock without following the link.
    s.newswatch(&["status"], false).expect(0);
    assert_eq!(file_state(&shadow), precious, "the link's target changed");

    // On a database root owns, root runs the daemon: the lock's own checks
    // refuse a link, and a hard link, planted at its name.
    let own = s.tmp.path().join("root-state");
    std::fs::create_dir(&own).unwrap();
    let config = s.tmp.path().join("root.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"{}\"\n\n[[source]]\nname = \"wire\"\nurl = \"{}\"\n",
            own.join("newswatch.db").display(),
            s.server.url("/feed")
        ),
    )
    .unwrap();
    let root_run = |what: &str| {
        let mut cmd = Command::new(&s.bin);
        cmd.arg("--config")
            .arg(&config)
            .arg("run")
            .env_remove("RUST_LOG");
        let run = Run::within(cmd, Duration::from_secs(20)).expect(1);
        assert!(
            run.stderr.contains(&format!(
                "refusing to use the lock file {}: {what}",
                own.join("newswatch.db.lock").display()
            )),
            "{}",
            run.stderr
        );
    };
    let own_lock = own.join("newswatch.db.lock");
    std::os::unix::fs::symlink(&shadow, &own_lock).unwrap();
    root_run("it is a symbolic link");
    assert_eq!(file_state(&shadow), precious, "the link's target changed");
    std::fs::remove_file(&own_lock).unwrap();
    std::fs::hard_link(&shadow, &own_lock).unwrap();
    root_run("it has 2 hard links");
    let (uid, mode, content) = file_state(&shadow);
    assert_eq!(
        (uid, mode, content),
        precious,
        "the other name's file changed"
    );
}

#[test]
#[ignore = "needs root (runs newswatch as uid 65534) and sudo; CI runs it: cargo test --test it -- --ignored"]
fn a_link_planted_at_the_database_path_is_never_followed_by_root() {
    let s = service(false);
    // What SQLite would turn into a database: an empty root-owned file.
    let target = s.tmp.path().join("precious.db");
    std::fs::write(&target, b"").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&target, &s.db).unwrap();
    chown_to_service(&s.db);
    let before = file_state(&target);

    let status = s.newswatch(&["status"], false).expect(1);
    assert!(
        status.stderr.contains(&format!(
            "database {}: it is a symbolic link (to {}) owned by user nobody (uid 65534); \
             as root, newswatch follows no link another user could have made",
            s.db.display(),
            target.display()
        )),
        "{}",
        status.stderr
    );
    let poll = s.newswatch(&["poll", "--all"], false).expect(2);
    assert!(
        poll.stderr.contains(&format!(
            "refusing to write to {} as root: the link at that path belongs to user nobody (uid 65534)",
            s.db.display()
        )),
        "{}",
        poll.stderr
    );
    assert_eq!(file_state(&target), before, "the link's target changed");
    assert!(not_service_owned(&s.state).is_empty());

    // A link to nothing: nothing is created where it points.
    std::fs::remove_file(&target).unwrap();
    s.newswatch(&["poll", "--all"], false).expect(2);
    s.newswatch(&["status"], false).expect(1);
    assert!(!target.exists(), "root created the link's target");
}

#[test]
#[ignore = "needs root (runs newswatch as uid 65534) and sudo; CI runs it: cargo test --test it -- --ignored"]
fn a_hard_link_planted_at_the_wal_or_shm_is_refused_to_root() {
    // SQLite, run as root, hands the -wal and -shm it opens to the
    // database's owner, new or not, and resets the -shm: a hard link
    // planted there (where fs.protected_hardlinks is off) would give that
    // user the file it names.
    let s = service(true);
    let shadow = s.tmp.path().join("shadow");
    let precious = plant_precious(&shadow);
    for suffix in ["-shm", "-wal"] {
        let path = s.state.join(format!("newswatch.db{suffix}"));
        let aside = s.state.join("aside");
        std::fs::rename(&path, &aside).unwrap();
        std::fs::hard_link(&shadow, &path).unwrap();
        let run = s.newswatch(&["status"], false).expect(1);
        assert!(
            run.stderr.contains(&format!(
                "{} is not what SQLite leaves there: it has 2 hard links",
                path.display()
            )),
            "{}",
            run.stderr
        );
        assert_eq!(
            file_state(&shadow),
            precious,
            "{suffix}: the other name's file changed"
        );
        std::fs::remove_file(&path).unwrap();
        std::fs::rename(&aside, &path).unwrap();
    }
    s.newswatch(&["status"], false).expect(0);
}
