//! Single-instance lock: one daemon per database. `newswatch run` holds an
//! exclusive `flock` on `<database>.lock` for its lifetime and writes its
//! pid there; the kernel releases the lock when the process ends, however it
//! ends, so a crash never leaves a stale lock. The file itself is never
//! removed (removing lock files races with the next starter).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

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
    /// The lock file cannot be opened (permissions): unknown.
    Unknown,
}

/// `<database>.lock`, beside the database.
pub fn lock_path(db: &Path) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl InstanceLock {
    /// Take the lock for `db`, or say who holds it.
    pub fn acquire(db: &Path) -> Result<InstanceLock, LockError> {
        let path = lock_path(db);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|e| match db.parent() {
                Some(dir) if e.kind() == std::io::ErrorKind::NotFound && !dir.exists() => {
                    LockError::Io {
                        path: path.clone(),
                        source: std::io::Error::new(
                            e.kind(),
                            format!("folder {} does not exist", dir.display()),
                        ),
                    }
                }
                _ => io(e),
            })?;
        give_to_database_owner(&file, db);
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
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        writeln!(file, "{}", std::process::id()).map_err(io)?;
        Ok(InstanceLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Who holds the lock of `db`, without taking it for longer than a look.
    pub fn holder(db: &Path) -> Holder {
        let path = lock_path(db);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Holder::NotRunning,
            Err(_) => return Holder::Unknown,
        };
        match file.try_lock_shared() {
            Ok(()) => Holder::NotRunning,
            Err(TryLockError::WouldBlock) => Holder::Running(read_pid(&mut file)),
            Err(TryLockError::Error(_)) => Holder::Unknown,
        }
    }
}

/// Root running the daemon on a database another user owns (an operator's
/// `sudo newswatch run` beside the service's files) hands the lock file to
/// the database's owner, as SQLite does with the `-wal` and `-shm` files it
/// creates as root: a root-owned lock would keep the service from starting.
/// Only root can change an owner, and only a file root created or was given
/// is owned by uid 0, so anyone else's call changes nothing.
fn give_to_database_owner(lock: &File, db: &Path) {
    use std::os::unix::fs::MetadataExt;
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
}
