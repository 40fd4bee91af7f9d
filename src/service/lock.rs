//! Single-instance lock: one daemon per database. `newswatch run` holds an
//! exclusive `flock` on `<database>.lock` for its lifetime and writes its
//! pid there; the kernel releases the lock when the process ends, however it
//! ends, so a crash never leaves a stale lock. The file itself is never
//! removed (removing lock files races with the next starter).
//!
//! The lock sits in the database's folder, which the service's user can
//! write, and root may take it (`store::files` says why that needs care):
//! it is created with `O_CREAT|O_EXCL|O_NOFOLLOW`, mode 0600, or else opened
//! with `O_NOFOLLOW`; it must be a regular file with one link (checked on
//! the open descriptor); it is locked before anything else is done to it,
//! and only a file this process created is ever given to another owner.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

use crate::store::files;

/// How often `acquire` starts over when the lock file is removed or
/// replaced between its steps (someone deleting it by hand, twice over).
const OPEN_ATTEMPTS: u32 = 5;

/// The lock held by a running daemon; dropping it releases the lock.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "another newswatch daemon{} is already running on {db} (it holds {lock}); stop it first (e.g. `systemctl stop newswatch`) or give this one another --db",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default(),
        db = db.display(),
        lock = lock.display()
    )]
    Held {
        db: PathBuf,
        lock: PathBuf,
        pid: Option<u32>,
    },
    #[error(
        "refusing to use the lock file {}: {why}; newswatch only uses a lock file it can be sure is its own. Look at it and remove it (`ls -l {0}`, `rm {0}`), then start again",
        path.display()
    )]
    NotPlain { path: PathBuf, why: String },
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Whether a daemon is running on a database, as far as the lock tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holder {
    /// A daemon holds the lock (with its pid when readable).
    Running(Option<u32>),
    /// Nobody holds it.
    NotRunning,
    /// The lock file cannot be opened (permissions), or is not a plain file
    /// (a link, a hard link): unknown.
    Unknown,
}

/// `<database>.lock`, beside the database.
pub fn lock_path(db: &Path) -> PathBuf {
    files::sibling(db, ".lock")
}

/// An open lock file and whether this process created it.
struct Opened {
    file: File,
    created: bool,
}

impl InstanceLock {
    /// Take the lock for `db`, or say who holds it.
    pub fn acquire(db: &Path) -> Result<InstanceLock, LockError> {
        let path = lock_path(db);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        for _ in 0..OPEN_ATTEMPTS {
            let Some(Opened { mut file, created }) = open(&path, db)? else {
                continue;
            };
            let meta = file.metadata().map_err(io)?;
            if let Some(why) = files::not_a_plain_file(&meta) {
                if meta.nlink() == 0 {
                    continue;
                }
                return Err(LockError::NotPlain { path, why });
            }
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        db: db.to_path_buf(),
                        lock: path.clone(),
                        pid: read_pid(&mut file),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            // Locked: but a lock on a file no longer at that name (removed or
            // replaced since it was opened) would let the next starter lock
            // another file and run beside this one.
            let same = std::fs::symlink_metadata(&path)
                .is_ok_and(|now| now.dev() == meta.dev() && now.ino() == meta.ino());
            if !same {
                continue;
            }
            if created {
                give_to_database_owner(&file, db);
            }
            file.set_len(0).map_err(io)?;
            file.rewind().map_err(io)?;
            writeln!(file, "{}", std::process::id()).map_err(io)?;
            return Ok(InstanceLock { _file: file, path });
        }
        Err(io(std::io::Error::other(format!(
            "it was removed or replaced {OPEN_ATTEMPTS} times while being opened"
        ))))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who holds the lock of `db`, without taking it for longer than a look.
    /// Follows no link, and trusts only a plain file.
    pub fn holder(db: &Path) -> Holder {
        let path = lock_path(db);
        let opened = OpenOptions::new()
            .read(true)
            .custom_flags(files::NO_LINK_FLAGS)
            .open(&path);
        let mut file = match opened {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Holder::NotRunning,
            Err(_) => return Holder::Unknown,
        };
        if file
            .metadata()
            .map_or(true, |m| files::not_a_plain_file(&m).is_some())
        {
            return Holder::Unknown;
        }
        match file.try_lock_shared() {
            Ok(()) => Holder::NotRunning,
            Err(TryLockError::WouldBlock) => Holder::Running(read_pid(&mut file)),
            Err(TryLockError::Error(_)) => Holder::Unknown,
        }
    }
}

/// Open the lock file at `path`: create it (0600, no link followed), or
/// open the one there without following a link. `Ok(None)`: it vanished
/// between the two tries; try again.
fn open(path: &Path, db: &Path) -> Result<Option<Opened>, LockError> {
    let io = |source| LockError::Io {
        path: path.to_path_buf(),
        source,
    };
    match files::create_private(path) {
        Ok(Some(file)) => {
            return Ok(Some(Opened {
                file,
                created: true,
            }));
        }
        Ok(None) => {}
        Err(e) => {
            return Err(match db.parent() {
                Some(dir)
                    if e.kind() == std::io::ErrorKind::NotFound
                        && !dir.as_os_str().is_empty()
                        && !dir.exists() =>
                {
                    io(std::io::Error::new(
                        e.kind(),
                        format!("folder {} does not exist", dir.display()),
                    ))
                }
                _ => io(e),
            });
        }
    }
    let opened = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(files::NO_LINK_FLAGS)
        .open(path);
    match opened {
        Ok(file) => Ok(Some(Opened {
            file,
            created: false,
        })),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        // O_NOFOLLOW met a link at that name.
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => Err(LockError::NotPlain {
            path: path.to_path_buf(),
            why: "it is a symbolic link (newswatch follows no link there)".into(),
        }),
        Err(e) => Err(io(e)),
    }
}

/// A lock file this process has just created as root, beside a database
/// another user owns, goes to that user, as SQLite does with the `-wal` and
/// `-shm` files it creates as root: a root-owned lock would keep the
/// service from starting. (The command line refuses to run as root on such
/// a database; this keeps the library right on its own.) Never an existing
/// file: whatever stands at that name may be another file's second name.
fn give_to_database_owner(lock: &File, db: &Path) {
    let (Ok(lock_meta), Ok(db_meta)) = (lock.metadata(), std::fs::metadata(db)) else {
        return;
    };
    let owner = (db_meta.uid(), db_meta.gid());
    if lock_meta.uid() == 0
        && owner != (lock_meta.uid(), lock_meta.gid())
        && let Err(e) = std::os::unix::fs::fchown(lock, Some(owner.0), Some(owner.1))
    {
        tracing::warn!(db = %db.display(), error = %e, "cannot give the lock file to the database's owner");
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_database_is_refused_until_the_first_is_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("newswatch.db");
        assert_eq!(InstanceLock::holder(&db), Holder::NotRunning);
        let first = InstanceLock::acquire(&db).unwrap();
        assert_eq!(first.path(), dir.path().join("newswatch.db.lock"));
        // flock locks belong to the open file description: a second open in
        // the same process conflicts just as another process would.
        let err = InstanceLock::acquire(&db).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
        assert!(msg.contains("already running"), "{msg}");
        assert_eq!(
            InstanceLock::holder(&db),
            Holder::Running(Some(std::process::id()))
        );
        drop(first);
        assert_eq!(InstanceLock::holder(&db), Holder::NotRunning);
        InstanceLock::acquire(&db).unwrap();
    }

    #[test]
    fn a_lock_file_that_is_a_link_is_refused_and_its_target_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("newswatch.db");
        // Stands for /etc/shadow: what a link planted there would reach.
        let target = dir.path().join("shadow");
        std::fs::write(&target, "root:$y$j9T$secret:19000::::::\n").unwrap();
        std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
        std::os::unix::fs::symlink(&target, lock_path(&db)).unwrap();

        let err = InstanceLock::acquire(&db).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("is a symbolic link"), "{msg}");
        assert!(msg.contains("newswatch.db.lock"), "{msg}");
        assert_eq!(
            std::fs::read_to_string(&target).unwrap(),
            "root:$y$j9T$secret:19000::::::\n"
        );
        let mode = std::fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);

        // `status` does not follow it either: the target, locked by a
        // daemon of its own, does not make this database's daemon "running".
        let daemon_elsewhere = File::open(&target).unwrap();
        daemon_elsewhere.lock().unwrap();
        assert_eq!(InstanceLock::holder(&db), Holder::Unknown);
    }

    #[test]
    fn a_hard_linked_lock_file_is_refused_and_its_other_name_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("newswatch.db");
        let other = dir.path().join("precious");
        std::fs::write(&other, "keep me\n").unwrap();
        std::fs::hard_link(&other, lock_path(&db)).unwrap();

        let msg = InstanceLock::acquire(&db).unwrap_err().to_string();
        assert!(msg.contains("2 hard links"), "{msg}");
        assert!(msg.starts_with("refusing to use the lock file"), "{msg}");
        assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep me\n");
        assert_eq!(InstanceLock::holder(&db), Holder::Unknown);
    }

    #[test]
    fn a_new_lock_file_is_private_to_its_owner() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("newswatch.db");
        let lock = InstanceLock::acquire(&db).unwrap();
        let mode = std::fs::metadata(lock.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
