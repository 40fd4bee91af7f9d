//! The files newswatch keeps beside the database (the database, SQLite's
//! `-wal` and `-shm`, the daemon's `.lock`) and the SMTP password file, as
//! any user sees them: private whatever the umask, no link followed to
//! create one, a lock file that is another file's second name refused, a
//! password file others can read warned about. What root may do on another
//! user's database is in `ownership.rs` (needs root).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::env::{Env, Run};
use crate::support::http::{Response, TestServer};
use crate::support::{Running, daemon_log, rss, signal, wait_until};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn sibling(db: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// `newswatch run` under `umask 022`, as from a usual shell, with its log
/// in `daemon.log`.
fn run_with_umask_022(env: &Env) -> Running {
    let log = std::fs::File::create(env.path("daemon.log")).unwrap();
    let child = Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" --config \"$1\" run")
        .arg(env!("CARGO_BIN_EXE_newswatch"))
        .arg(&env.config)
        .env_remove("RUST_LOG")
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env_remove("JOURNAL_STREAM")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    Running(child)
}

/// Start the daemon under umask 022, wait until it has stored `items` items
/// (its `-wal` and `-shm` are there while it runs), and give back the
/// modes of the database, `-wal`, `-shm` and `.lock`; then stop it.
fn modes_while_running(env: &Env, items: i64) -> [u32; 4] {
    let mut daemon = run_with_umask_022(env);
    wait_until(
        "the daemon stores the feed",
        Duration::from_secs(30),
        || env.try_count("SELECT count(*) FROM items") == Some(items),
    );
    let modes = ["", "-wal", "-shm", ".lock"].map(|s| mode(&sibling(&env.db, s)));
    signal(&daemon, "-TERM");
    assert!(daemon.wait().unwrap().success(), "{}", daemon_log(env));
    modes
}

#[test]
fn files_beside_the_database_are_private_whatever_the_umask() {
    let server = TestServer::start();
    server.fixed(
        "/feed",
        Response::ok(rss(&[("a1", "Talks resume", "Delegations met.")])),
    );
    let env = Env::with_sources("", &[("wire", &server.url("/feed"))]);
    // A usual shell's umask would make them 0644: readable by every user.
    assert_eq!(
        modes_while_running(&env, 1),
        [0o600; 4],
        "database, -wal, -shm, .lock"
    );

    // An admin who wants a group to read the database gives the database
    // file that mode (here made empty beforehand, as `install -m 640
    // /dev/null …` would); SQLite gives -wal and -shm the same mode.
    let env = Env::with_sources("", &[("wire", &server.url("/feed"))]);
    std::fs::write(&env.db, b"").unwrap();
    std::fs::set_permissions(&env.db, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert_eq!(
        modes_while_running(&env, 1),
        [0o640, 0o640, 0o640, 0o600],
        "database, -wal, -shm, .lock"
    );
}

#[test]
fn no_database_is_created_through_a_link_to_nothing() {
    let env = Env::new("", "");
    // The link stands where the database goes; its target does not exist.
    let target = env.path("elsewhere/precious.db");
    std::fs::create_dir(env.path("elsewhere")).unwrap();
    std::os::unix::fs::symlink(&target, &env.db).unwrap();
    for args in [&["poll", "--all"][..], &["status"], &["sources"]] {
        let run = env.run(args).expect(1);
        assert!(
            run.stderr.contains(&format!(
                "it is a symbolic link to {}, which does not exist; newswatch does not create a database through a link",
                target.display()
            )),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!target.exists(), "{args:?} created the link's target");
    }
}

#[test]
fn a_lock_file_that_is_a_second_name_of_another_file_is_refused() {
    let env = Env::new("", "");
    // `run` stops at once when refused (else it would run on).
    let run_refused = || {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_newswatch"));
        cmd.arg("--config")
            .arg(&env.config)
            .arg("run")
            .env_remove("RUST_LOG");
        Run::within(cmd, Duration::from_secs(20)).expect(1)
    };
    // A poll makes the database (a command that only reads makes none).
    env.run(&["poll"]).expect(0);
    let other = env.path("precious");
    std::fs::write(&other, "keep me\n").unwrap();
    let lock = sibling(&env.db, ".lock");
    std::fs::hard_link(&other, &lock).unwrap();
    let run = run_refused();
    assert!(
        run.stderr.contains(&format!(
            "refusing to use the lock file {}: it has 2 hard links",
            lock.display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me\n");

    // A link is refused the same way.
    std::fs::remove_file(&lock).unwrap();
    std::os::unix::fs::symlink(&other, &lock).unwrap();
    let run = run_refused();
    assert!(
        run.stderr
            .contains("it is a symbolic link (newswatch follows no link there)"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me\n");
}

#[test]
fn a_password_file_others_can_read_is_warned_about() {
    let env = Env::new("", "");
    let pw_file = env.path("smtp-password");
    std::fs::write(&pw_file, "s3cret-Pa55\n").unwrap();
    std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.write_config(&format!(
            "[daemon]\ndatabase = \"test.db\"\n\n[email]\nsmtp_url = \"smtp://alerts%40example.org@127.0.0.1:9\"\npassword_file = \"{}\"\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"analyst@example.org\"]\n",
            pw_file.display()
        ));
    let warning = format!(
        "password_file {} can be read by every user (mode 0644); make it private: chmod 600 {}",
        pw_file.display(),
        pw_file.display()
    );
    let check: Run = env.run(&["check-config"]).expect(0);
    assert!(
        check.stderr.contains(&format!("warning: {warning}")),
        "{}",
        check.stderr
    );
    let json = env.run(&["--json", "check-config"]).expect(0);
    assert_eq!(json.json_lines()[0]["warnings"][0], warning.as_str());

    // The daemon reads the password when it starts: its log says so too.
    let mut daemon = crate::support::start_daemon(&env, &[]);
    wait_until("the daemon's warning", Duration::from_secs(30), || {
        daemon_log(&env).contains(&warning)
    });
    signal(&daemon, "-TERM");
    assert!(daemon.wait().unwrap().success(), "{}", daemon_log(&env));
    assert!(!daemon_log(&env).contains("s3cret"));

    // Group-readable is named as such; private, no warning.
    std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o640)).unwrap();
    let check = env.run(&["check-config"]).expect(0);
    assert!(
        check
            .stderr
            .contains("can be read by its group (mode 0640)"),
        "{}",
        check.stderr
    );
    std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let check = env.run(&["check-config"]).expect(0);
    assert!(!check.stderr.contains("warning"), "{}", check.stderr);
}
