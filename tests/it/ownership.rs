//! The service runs as its own user (systemd `DynamicUser`); README's
//! install steps have the operator run `sudo newswatch … status` against
//! the service's database. Whatever root runs there (reads, a poll by hand,
//! the daemon for a moment) must leave no root-owned file behind: a
//! root-owned `-wal`, `-shm` or `.lock` would stop the service from writing
//! or starting. Needs root, to own files as another user and to run the
//! binary as that user; CI runs as root.

use std::io::Read;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rusqlite::{Connection, OpenFlags};

use crate::support::env::Run;
use crate::support::http::{Response, TestServer};
use crate::support::{Running, rss, running_as_root, signal};

/// nobody/nogroup: a user that owns nothing else here.
const SERVICE_UID: u32 = 65534;
const SERVICE_GID: u32 = 65534;

/// Every folder above `path` lets other users through.
fn reachable_by_others(path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .all(|d| std::fs::metadata(d).is_ok_and(|m| m.permissions().mode() & 0o001 != 0))
}

fn newswatch(bin: &Path, config: &Path, args: &[&str], as_service: bool) -> Run {
    let mut cmd = Command::new(bin);
    cmd.arg("--config").arg(config).args(args);
    cmd.env_remove("RUST_LOG").env_remove("NEWSWATCH_CONFIG");
    if as_service {
        cmd.uid(SERVICE_UID).gid(SERVICE_GID);
    }
    Run::from(cmd.output().expect("run newswatch"))
}

/// Files in `dir` that the service user does not own.
fn not_service_owned(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.metadata().is_ok_and(|m| m.uid() != SERVICE_UID))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Start `newswatch run`, wait until it has recorded run number `nth` in
/// the database, stop it with SIGTERM and expect a clean exit.
fn run_briefly(bin: &Path, config: &Path, as_service: bool, nth: i64) {
    let mut cmd = Command::new(bin);
    cmd.arg("--config").arg(config).arg("run");
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
    let db = config.parent().unwrap().join("state/newswatch.db");
    let t0 = Instant::now();
    loop {
        if let Ok(Some(status)) = daemon.try_wait() {
            let mut err = String::new();
            let _ = daemon.stderr.take().unwrap().read_to_string(&mut err);
            panic!("newswatch run (service user: {as_service}) exited with {status}: {err}");
        }
        let runs = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| c.query_row("SELECT count(*) FROM runs", [], |r| r.get::<_, i64>(0)));
        if runs.is_ok_and(|n| n >= nth) {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "newswatch run did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    signal(&daemon, "-TERM");
    let status = daemon.wait().unwrap();
    assert!(status.success(), "newswatch run ended with {status}");
}

#[test]
fn root_reading_the_service_database_leaves_it_writable_by_the_service() {
    let tmp = tempfile::tempdir().unwrap();
    if !running_as_root(tmp.path()) {
        eprintln!("SKIPPED: needs root (to run newswatch as uid {SERVICE_UID}); CI runs it");
        return;
    }
    // The state folder, as systemd's StateDirectory: owned by the service.
    let state = tmp.path().join("state");
    std::fs::create_dir(&state).unwrap();
    let chown = |p: &Path| std::os::unix::fs::chown(p, Some(SERVICE_UID), Some(SERVICE_GID));
    chown(tmp.path()).unwrap();
    chown(&state).unwrap();
    let mut bin = PathBuf::from(env!("CARGO_BIN_EXE_newswatch"));
    if !reachable_by_others(&bin) {
        // A checkout under a private home: give the service user a copy.
        let copy = tmp.path().join("newswatch");
        std::fs::copy(&bin, &copy).unwrap();
        bin = copy;
    }

    let server = TestServer::start();
    let first = rss(&[(
        "a1",
        "Ceasefire talks resume in Istanbul",
        "Delegations met.",
    )]);
    server.fixed("/feed", Response::ok(first));
    let config = tmp.path().join("newswatch.toml");
    let db = state.join("newswatch.db");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"{}\"\n\n[[source]]\nname = \"wire\"\nurl = \"{}\"\n",
            db.display(),
            server.url("/feed")
        ),
    )
    .unwrap();

    // The service creates the database and stores the first item.
    newswatch(&bin, &config, &["poll", "--all"], true).expect(0);
    assert!(not_service_owned(&state).is_empty());

    // The operator looks, as root, and polls once by hand.
    for args in [
        &["poll", "--all"][..],
        &["status"],
        &["items"],
        &["search", "ceasefire"],
        &["show", "1"],
        &["sources"],
        &["changes"],
    ] {
        newswatch(&bin, &config, args, false).expect(0);
    }
    let found = newswatch(&bin, &config, &["search", "ceasefire"], false).stdout;
    assert!(found.contains("Ceasefire talks resume"), "{found}");
    let root_owned = not_service_owned(&state);
    assert!(
        root_owned.is_empty(),
        "root's read commands left files the service does not own: {root_owned:?}"
    );

    // The operator runs the daemon by hand for a moment: its lock file is
    // the one file newswatch itself (not SQLite) creates beside the database.
    run_briefly(&bin, &config, false, 1);
    assert!(state.join("newswatch.db.lock").exists());
    let root_owned = not_service_owned(&state);
    assert!(
        root_owned.is_empty(),
        "root's daemon left files the service does not own: {root_owned:?}"
    );
    // The service starts (takes the lock) and stops cleanly.
    run_briefly(&bin, &config, true, 2);

    // The service can still write: a new item is stored.
    let second = rss(&[
        (
            "a1",
            "Ceasefire talks resume in Istanbul",
            "Delegations met.",
        ),
        ("a2", "Prisoner exchange agreed", "Both sides confirmed."),
    ]);
    server.fixed("/feed", Response::ok(second));
    newswatch(&bin, &config, &["poll", "--all"], true).expect(0);
    let items = newswatch(&bin, &config, &["items"], true).expect(0).stdout;
    assert!(items.contains("Prisoner exchange agreed"), "{items}");
    assert!(not_service_owned(&state).is_empty());
}
