//! The demo's folder (`--dir`, default `./newswatch-demo`): its
//! configuration, database, Maildir and daemon log. The demo only writes
//! into a folder that is missing, empty, or one it made before (it leaves a
//! marker file there); an earlier demo's files are replaced, anything else
//! in the folder is left alone.

use std::path::{Path, PathBuf};

use super::script::{FEEDS, SPEAKER, SPEAKER_ALIASES, TOPIC, TOPIC_QUERY};
use crate::service::lock::{Holder, InstanceLock};

/// Marks a folder as the demo's own.
pub const MARKER: &str = ".newswatch-demo";
pub const CONFIG: &str = "newswatch.toml";
pub const DATABASE: &str = "newswatch.db";
pub const MAIL: &str = "Mail";
pub const LOG: &str = "daemon.log";

/// What the demo's files replace, besides the Maildir: the database with
/// SQLite's files beside it. (The lock file stays: lock files are never
/// removed, `service::lock` says why.)
const REPLACED_FILES: &[&str] = &[
    CONFIG,
    DATABASE,
    "newswatch.db-wal",
    "newswatch.db-shm",
    "newswatch.db-journal",
    LOG,
];

/// How long an immediate story alert waits for more outlets in the demo.
pub const GROUP_WINDOW_SECS: u64 = 5;

/// What was in the folder before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prepared {
    Created,
    Empty,
    /// An earlier demo's files, now removed.
    Replaced,
}

#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error(
        "{} is not empty and was not made by `newswatch demo` (it holds {}); \
         nothing was changed. Choose another folder with --dir, or empty this one",
        .dir.display(), .names.join(", ")
    )]
    NotOurs { dir: PathBuf, names: Vec<String> },
    #[error("{} exists and is not a folder; choose another with --dir", .0.display())]
    NotAFolder(PathBuf),
    #[error(
        "a newswatch daemon{} is still running on the demo in {}; let it finish \
         (a demo stops its daemon within seconds) or stop it, then try again",
        .pid.map(|p| format!(" (pid {p})")).unwrap_or_default(), .dir.display()
    )]
    Running { dir: PathBuf, pid: Option<u32> },
    #[error("{}: {what}: {source}", .path.display())]
    Io {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
}

impl FolderError {
    /// Whether the user must choose differently (exit 2), not retry (exit 1).
    pub fn is_usage(&self) -> bool {
        !matches!(self, FolderError::Io { .. })
    }
}

fn io(path: &Path, what: &'static str) -> impl FnOnce(std::io::Error) -> FolderError {
    let path = path.to_path_buf();
    move |source| FolderError::Io { path, what, source }
}

/// Make `dir` ready for a new demo: create it, or check it is empty, or
/// remove an earlier demo's files from it. Leaves the marker in it.
pub fn prepare(dir: &Path) -> Result<Prepared, FolderError> {
    let prepared = match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(io(dir, "cannot create the folder"))?;
            Prepared::Created
        }
        Err(e) => return Err(io(dir, "cannot look at the folder")(e)),
        Ok(_) if !dir.is_dir() => return Err(FolderError::NotAFolder(dir.to_path_buf())),
        Ok(_) => {
            let mut names: Vec<String> = std::fs::read_dir(dir)
                .map_err(io(dir, "cannot list the folder"))?
                .filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            if names.is_empty() {
                Prepared::Empty
            } else if names.iter().any(|n| n == MARKER) {
                if let Holder::Running(pid) = InstanceLock::holder(&dir.join(DATABASE)) {
                    return Err(FolderError::Running {
                        dir: dir.to_path_buf(),
                        pid,
                    });
                }
                remove_earlier_demo(dir)?;
                Prepared::Replaced
            } else {
                names.truncate(5);
                return Err(FolderError::NotOurs {
                    dir: dir.to_path_buf(),
                    names,
                });
            }
        }
    };
    let marker = dir.join(MARKER);
    std::fs::write(
        &marker,
        "This folder was made by `newswatch demo`. Running the demo again on it\n\
         replaces the demo's configuration, database, mail and log.\n",
    )
    .map_err(io(&marker, "cannot write"))?;
    Ok(prepared)
}

fn remove_earlier_demo(dir: &Path) -> Result<(), FolderError> {
    for name in REPLACED_FILES {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(io(&path, "cannot remove")(e));
            }
            _ => {}
        }
    }
    let mail = dir.join(MAIL);
    match std::fs::symlink_metadata(&mail) {
        Ok(m) if m.is_dir() => {
            std::fs::remove_dir_all(&mail).map_err(io(&mail, "cannot remove"))?;
        }
        // A link or a file where the Maildir was: the link goes, not what
        // it points to.
        Ok(_) => std::fs::remove_file(&mail).map_err(io(&mail, "cannot remove"))?,
        Err(_) => {}
    }
    Ok(())
}

/// A TOML string.
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// The demo's configuration, with each feed at `url(i)`.
pub fn config_text(url: impl Fn(usize) -> String) -> String {
    let mut s = format!(
        r#"# Written by `newswatch demo`; running the demo again replaces it.
#
# The four feeds are invented, and were served on 127.0.0.1 by the demo
# while it ran: the daemon cannot poll them any more, but every command
# that reads the database works with this file, e.g.
#   newswatch --config {CONFIG} items
# (run from this folder). Real feeds: config/newswatch.toml in the checkout.

[daemon]
database = "{DATABASE}"
# The demo polls every second; real feeds want minutes (the defaults).
min_interval = "1s"
default_interval = "1s"
jitter = 0.0
log = "info"
log_format = "text"
"#
    );
    for (i, feed) in FEEDS.iter().enumerate() {
        let tags: Vec<String> = feed.tags.iter().map(|t| quoted(t)).collect();
        s.push_str(&format!(
            "\n[[source]]\nname = {}\nurl = {}\ninterval = \"1s\"\nlanguage = {}\ntags = [{}]\n",
            quoted(feed.name),
            quoted(&url(i)),
            quoted(feed.language),
            tags.join(", ")
        ));
    }
    let aliases: Vec<String> = SPEAKER_ALIASES.iter().map(|a| quoted(a)).collect();
    s.push_str(&format!(
        r#"
# Mailed at once: a new story (once, however many outlets report it), a
# major edit of one of its items, a speaker's shift of position.
[[topic]]
name = {topic}
alert = "immediate"
query = '''
{TOPIC_QUERY}
'''

# An invented official.
[[speaker]]
name = {speaker}
aliases = [{aliases}]

[email]
# Mail goes into a Maildir in this folder: `mutt -f {MAIL}`, or any file in {MAIL}/new.
maildir = "{MAIL}"
from = "newswatch demo <newswatch@demo.example>"
to = "you@demo.example"
# How long a story alert waits for other outlets to report the story.
group_window = "{GROUP_WINDOW_SECS}s"

# Not due during the demo, which sends it at the end as
# `newswatch digest --send` would.
[[digest]]
name = "evening"
schedule = "daily 18:00"
timezone = "Europe/Kyiv"
"#,
        topic = quoted(TOPIC),
        speaker = quoted(SPEAKER),
        aliases = aliases.join(", ")
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_or_empty_folder_is_used_and_marked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        assert_eq!(prepare(&dir).unwrap(), Prepared::Created);
        assert!(dir.join(MARKER).is_file());
        let empty = tmp.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        assert_eq!(prepare(&empty).unwrap(), Prepared::Empty);
    }

    #[test]
    fn another_folder_is_refused_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("thesis.tex"), "x").unwrap();
        std::fs::write(tmp.path().join(DATABASE), "mine").unwrap();
        let e = prepare(tmp.path()).unwrap_err();
        assert!(e.is_usage());
        let msg = e.to_string();
        assert!(msg.contains("not made by `newswatch demo`"), "{msg}");
        assert!(msg.contains("thesis.tex"), "{msg}");
        assert_eq!(
            std::fs::read_to_string(tmp.path().join(DATABASE)).unwrap(),
            "mine"
        );
        assert!(!tmp.path().join(MARKER).exists());
        let file = tmp.path().join("thesis.tex");
        assert!(matches!(prepare(&file), Err(FolderError::NotAFolder(_))));
    }

    #[test]
    fn an_earlier_demo_is_replaced_and_other_files_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        prepare(dir).unwrap();
        for name in [CONFIG, DATABASE, "newswatch.db-wal", LOG, "notes.txt"] {
            std::fs::write(dir.join(name), "old").unwrap();
        }
        std::fs::create_dir_all(dir.join(MAIL).join("new")).unwrap();
        std::fs::write(dir.join(MAIL).join("new").join("1"), "mail").unwrap();
        // A link where the Maildir was: removed, its target kept.
        let target = tmp.path().join("elsewhere");
        std::fs::create_dir(&target).unwrap();
        assert_eq!(prepare(dir).unwrap(), Prepared::Replaced);
        for name in [CONFIG, DATABASE, "newswatch.db-wal", LOG, MAIL] {
            assert!(!dir.join(name).exists(), "{name}");
        }
        assert!(dir.join("notes.txt").exists());
        std::os::unix::fs::symlink(&target, dir.join(MAIL)).unwrap();
        assert_eq!(prepare(dir).unwrap(), Prepared::Replaced);
        assert!(!dir.join(MAIL).exists() && target.is_dir());
    }

    #[test]
    fn the_config_is_valid() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(CONFIG);
        std::fs::write(
            &path,
            config_text(|i| format!("http://127.0.0.1:9/{i}.xml")),
        )
        .unwrap();
        let config = crate::config::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config.sources.len(), FEEDS.len());
        assert_eq!(config.digests.len(), 1);
        assert_eq!(config.daemon.database, tmp.path().join(DATABASE));
    }
}
