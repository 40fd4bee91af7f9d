//! The files beside the database that newswatch itself creates or opens
//! before SQLite does: the database file and the instance lock
//! (`service::lock`). SQLite makes `-wal` and `-shm` itself, with the
//! database file's permission bits whatever the umask and, when it runs as
//! root, the database file's owner (its `robust_open` and `robustFchown`);
//! it opens every file with `O_NOFOLLOW`.
//!
//! Why this care: the folder of a service's database belongs to the
//! service's user, who can put anything there, and an operator runs
//! newswatch there as root (`sudo newswatch … status`). So a file is created
//! with `O_CREAT|O_EXCL|O_NOFOLLOW` (a link planted at its name is never
//! followed), mode 0600 whatever the umask; an existing one is opened with
//! `O_NOFOLLOW` and checked on the open descriptor (a regular file with one
//! link); only a file this process created is ever given to another owner;
//! and root writes only to a database root owns (`foreign_owner`).

use std::fs::{File, Metadata, OpenOptions, Permissions};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode of every file newswatch creates: private to its owner. SQLite gives
/// `-wal` and `-shm` the database file's mode, so an admin who wants a group
/// to read the database makes the database file 0640 and the rest follows.
pub const PRIVATE_MODE: u32 = 0o600;

/// Flags for opening a file beside the database: never through a link,
/// never waiting on a FIFO planted there, never taking a terminal.
pub(crate) const NO_LINK_FLAGS: i32 = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY;

/// Whether this process runs as root (effective uid 0).
pub fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

/// Create `path` as a new empty file, mode 0600, without following a link
/// at that name. `Ok(None)`: something (a file, a link, anything) is
/// already there.
pub(crate) fn create_private(path: &Path) -> io::Result<Option<File>> {
    let created = OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(PRIVATE_MODE)
        .custom_flags(NO_LINK_FLAGS)
        .open(path);
    match created {
        Ok(file) => {
            // The umask can only take bits away; set the mode exactly.
            file.set_permissions(Permissions::from_mode(PRIVATE_MODE))?;
            Ok(Some(file))
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(e),
    }
}

/// Why an opened file beside the database must not be used, if it must not:
/// anything but a regular file with one link. A hard link's other name can
/// be any file on the same file system (`/etc/shadow` where
/// `fs.protected_hardlinks` is off), and truncating or handing it on would
/// reach that file.
pub(crate) fn not_a_plain_file(meta: &Metadata) -> Option<String> {
    let kind = meta.file_type();
    if !kind.is_file() {
        let what = if kind.is_dir() {
            "a folder"
        } else if kind.is_fifo() {
            "a FIFO"
        } else if kind.is_socket() {
            "a socket"
        } else if kind.is_block_device() || kind.is_char_device() {
            "a device"
        } else if kind.is_symlink() {
            "a symbolic link"
        } else {
            "not a regular file"
        };
        return Some(format!("it is {what}"));
    }
    match meta.nlink() {
        1 => None,
        // Removed since it was opened: the caller starts again.
        0 => Some("it was removed while being opened".into()),
        n => Some(format!(
            "it has {n} hard links (another name for the same file elsewhere)"
        )),
    }
}

/// Make sure the database file exists before SQLite opens it, so that
/// SQLite never creates it (it would follow a link planted at its name and
/// create the file with its default mode 0644 less the umask): a missing
/// one is created 0600 with `O_EXCL|O_NOFOLLOW`. Refused: a link that
/// would have to be created through (one pointing at nothing), something
/// other than a regular file, and, as root, a link that another user owns.
pub(crate) fn prepare_database(db: &Path) -> Result<(), String> {
    check_database_path(db)?;
    match create_private(db) {
        Ok(Some(_)) => Ok(()),
        // Another process created it meanwhile, or it was there: check what.
        Ok(None) => check_database_path(db),
        Err(e) => Err(format!("cannot create the database file: {e}")),
    }
}

/// What the database path may be: missing (to be created), a regular file,
/// or a link to one, which as root must be owned by root (a link in a
/// folder another user can write may point anywhere).
pub(crate) fn check_database_path(db: &Path) -> Result<(), String> {
    let link = match std::fs::symlink_metadata(db) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("cannot look at the database file: {e}")),
    };
    if link.file_type().is_symlink() {
        let target = std::fs::read_link(db)
            .map(|t| t.display().to_string())
            .unwrap_or_else(|_| "?".into());
        if running_as_root() && link.uid() != 0 {
            return Err(format!(
                "it is a symbolic link (to {target}) owned by {}; as root, newswatch \
                 follows no link another user could have made, since it may point at \
                 any file: set [daemon] database (or --db) to the file itself, or run \
                 newswatch as that user",
                describe_user(link.uid())
            ));
        }
        return match std::fs::metadata(db) {
            Ok(meta) if meta.is_file() => Ok(()),
            Ok(meta) => Err(format!(
                "it is a symbolic link to {target}, which is not a regular file ({})",
                not_a_plain_file(&meta).unwrap_or_default()
            )),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(format!(
                "it is a symbolic link to {target}, which does not exist; newswatch \
                 does not create a database through a link: set [daemon] database \
                 (or --db) to where the file should be"
            )),
            Err(e) => Err(format!("cannot follow the link to {target}: {e}")),
        };
    }
    if !link.is_file() {
        return Err(not_a_plain_file(&link).unwrap_or_default());
    }
    Ok(())
}

/// Before root reads a database another user owns: the journal files
/// SQLite would open (and, as root, hand to the database's owner) must be
/// what SQLite itself leaves there, regular files with one link. A hard
/// link planted there would give that owner the file it names.
pub(crate) fn check_sqlite_files(db: &Path) -> Result<(), String> {
    // SQLite puts them beside the file a link leads to.
    let db = std::fs::canonicalize(db).unwrap_or_else(|_| db.to_path_buf());
    for suffix in ["-wal", "-shm", "-journal"] {
        let path = sibling(&db, suffix);
        match std::fs::symlink_metadata(&path) {
            Ok(meta) => {
                if let Some(why) = not_a_plain_file(&meta) {
                    return Err(format!(
                        "{} is not what SQLite leaves there: {why}; as its owner, \
                         look at it and remove it",
                        path.display()
                    ));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot look at {}: {e}", path.display())),
        }
    }
    Ok(())
}

/// `<db><suffix>`: `-wal`, `-shm`, `.lock`.
pub fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut name = db.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Another user's database (or link to it, or folder when there is no
/// database yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub uid: u32,
    pub gid: u32,
    /// What that user owns, for messages: "it", "the link at that path",
    /// "its folder /var/lib/newswatch" (when there is no database yet).
    pub what: String,
}

/// Who, other than root, owns the database at `db` (or the link at that
/// name, or the folder it would be created in when it does not exist yet).
/// `None`: all of them are root's.
pub fn foreign_owner(db: &Path) -> Option<Owner> {
    let owner = |meta: &Metadata, what: String| {
        (meta.uid() != 0).then(|| Owner {
            uid: meta.uid(),
            gid: meta.gid(),
            what,
        })
    };
    if let Ok(link) = std::fs::symlink_metadata(db)
        && link.file_type().is_symlink()
        && let Some(o) = owner(&link, "the link at that path".into())
    {
        return Some(o);
    }
    match std::fs::metadata(db) {
        Ok(meta) => owner(&meta, "it".into()),
        Err(_) => {
            let dir = match db.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let meta = std::fs::metadata(dir).ok()?;
            owner(&meta, format!("its folder {}", dir.display()))
        }
    }
}

/// The name of user `uid` in `/etc/passwd`. Users that only NSS modules
/// know (systemd's dynamic users) have none here.
pub fn user_name(uid: u32) -> Option<String> {
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        (fields.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
    })
}

/// "user nobody (uid 65534)", or "uid 61234" for a user without a name.
pub fn describe_user(uid: u32) -> String {
    match user_name(uid) {
        Some(name) => format!("user {name} (uid {uid})"),
        None => format!("uid {uid}"),
    }
}

/// The systemd `StateDirectory=` that holds `path`, for a service with
/// `DynamicUser=yes`: its files really sit in `/var/lib/private/<name>`
/// (reached through the link `/var/lib/<name>`).
pub fn dynamic_state_directory(path: &Path) -> Option<String> {
    let real = std::fs::canonicalize(path)
        .ok()
        .or_else(|| std::fs::canonicalize(path.parent()?).ok())?;
    let rest = real.strip_prefix("/var/lib/private").ok()?;
    match rest.components().next()? {
        std::path::Component::Normal(name) => name.to_str().map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_file_is_private_whatever_the_umask_and_no_link_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let file = create_private(&path).unwrap().expect("created");
        let meta = file.metadata().unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert!(create_private(&path).unwrap().is_none());

        // A link at the name, even one to nothing, is left alone.
        let target = dir.path().join("target");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(create_private(&link).unwrap().is_none());
        assert!(!target.exists());
    }

    #[test]
    fn a_database_link_to_nothing_is_refused_and_nothing_is_created() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.db");
        let db = dir.path().join("newswatch.db");
        std::os::unix::fs::symlink(&target, &db).unwrap();
        let err = prepare_database(&db).unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        assert!(!target.exists());

        // A link to an existing file is followed (an admin's own link).
        std::fs::write(&target, b"").unwrap();
        prepare_database(&db).unwrap();
    }

    #[test]
    fn hard_links_and_other_kinds_of_file_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        std::fs::write(&a, b"x").unwrap();
        assert_eq!(not_a_plain_file(&a.metadata().unwrap()), None);
        std::fs::hard_link(&a, dir.path().join("b")).unwrap();
        let why = not_a_plain_file(&a.metadata().unwrap()).unwrap();
        assert!(why.contains("2 hard links"), "{why}");
        let why = not_a_plain_file(&dir.path().metadata().unwrap()).unwrap();
        assert_eq!(why, "it is a folder");
    }

    #[test]
    fn the_state_directory_of_a_dynamic_user_is_found_from_the_real_path() {
        // Only a path under /var/lib/private names one.
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(dynamic_state_directory(&dir.path().join("x.db")), None);
        assert_eq!(user_name(0).as_deref(), Some("root"));
    }
}
