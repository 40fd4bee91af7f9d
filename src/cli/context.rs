//! What every command shares: the context it runs in (`Ctx`: the checked
//! configuration, the database path, the output mode, the clock), the async
//! runtime of the commands that fetch or send, and the parsing of the names,
//! durations and times users type.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::{Cli, CliError, root};
use crate::clock::{SharedClock, SystemClock};
use crate::config::{self, Config};
use crate::store::Store;

/// What every command needs: the validated config, where the database is,
/// and the clock.
pub struct Ctx {
    pub config: Config,
    /// The config file, for the daemon's reloads.
    pub config_path: PathBuf,
    pub db: PathBuf,
    pub json: bool,
    /// The system clock (a manual one in tests).
    pub clock: SharedClock,
}

impl Ctx {
    pub(super) fn new(cli: &Cli) -> Result<Ctx, CliError> {
        let path = cli.config.clone().unwrap_or_else(config::default_path);
        let config = config::load(&path).map_err(CliError::usage)?;
        if let Some(list) = &config.daemon.entities {
            use_entity_list(list)?;
        }
        let db = tidy_path(
            &cli.db
                .clone()
                .unwrap_or_else(|| config.daemon.database.clone()),
        );
        Ok(Ctx {
            config,
            config_path: path,
            db,
            json: cli.json,
            clock: SystemClock::shared(),
        })
    }

    /// The context of a command run on the config at `path`, with `clock`:
    /// for tests that step time.
    #[cfg(test)]
    pub fn for_test(path: &Path, clock: SharedClock) -> Ctx {
        let config = config::load(path).expect("a valid test config");
        let db = config.daemon.database.clone();
        Ctx {
            config,
            config_path: path.to_path_buf(),
            db,
            json: false,
            clock,
        }
    }

    /// The current time, by this command's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// The store for a command that writes (creating and migrating the
    /// database as needed). As root, refused on another user's database.
    pub fn open_store(&self) -> Result<Store, CliError> {
        self.may_write()?;
        Ok(Store::open(&self.db)?)
    }

    /// The store for a command that only reads, when the database exists
    /// with this newswatch's schema (as root on another user's database,
    /// the file is opened read-only). A database with an older schema is
    /// migrated (`open_store`; refused as root on another user's database).
    /// A command that reads never creates one: a mistyped `--db` is an
    /// error, not a new empty database.
    pub fn open_reader(&self) -> Result<Store, CliError> {
        self.require_database()?;
        if let Some(store) = Store::open_reader(&self.db, self.read_only())? {
            return Ok(store);
        }
        if let Some(owner) = root::foreign_owner(&self.db) {
            return Err(CliError::usage(anyhow::anyhow!(root::read_refusal(
                &self.db,
                &owner,
                &self.config_path
            ))));
        }
        self.open_store()
    }

    /// For commands that only make sense on a database that is there
    /// (reading it, pruning it, sending its outbox): an error when there
    /// is none, so a mistyped `--db` does not make a new empty one.
    pub fn require_database(&self) -> Result<(), CliError> {
        match std::fs::symlink_metadata(&self.db) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(CliError::usage(anyhow::anyhow!(
                    "no database at {}; check --db / [daemon] database in {} \
                     (`newswatch poll` or `newswatch run` creates it)",
                    self.db.display(),
                    self.config_path.display()
                )))
            }
            _ => Ok(()),
        }
    }

    /// Whether this command may write to the database: not as root on a
    /// database another user owns (`root`).
    pub fn may_write(&self) -> Result<(), CliError> {
        match root::foreign_owner(&self.db) {
            None => Ok(()),
            Some(owner) => Err(CliError::usage(anyhow::anyhow!(root::write_refusal(
                &self.db,
                &owner,
                &self.config_path
            )))),
        }
    }

    /// Root on a database another user owns: only reads are allowed.
    pub fn read_only(&self) -> bool {
        root::foreign_owner(&self.db).is_some()
    }
}

/// The async runtime of the commands that fetch or send. tokio's I/O driver
/// sets up signal handling with a socket pair and panics when it cannot
/// make one (a system call filter that denies `socketpair`), so one is made
/// first and a failure is an error that says why.
pub fn async_runtime(
    mut builder: tokio::runtime::Builder,
) -> Result<tokio::runtime::Runtime, CliError> {
    use anyhow::Context;
    std::os::unix::net::UnixStream::pair().context(
        "cannot create the socket pair that signal handling needs \
         (does a SystemCallFilter= deny @network-io or socketpair?)",
    )?;
    Ok(builder
        .enable_all()
        .build()
        .context("cannot start the async runtime")?)
}

/// `config/../newswatch.db` → `newswatch.db`: the same file, said plainly in
/// messages. Purely lexical; a path that climbs above its start is kept.
fn tidy_path(p: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component<'_>> = Vec::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

/// A `--topic` must name a configured topic (a typo would list nothing);
/// any case will do. Returns the topic's name as configured.
pub fn known_topic(ctx: &Ctx, topic: &str) -> Result<String, CliError> {
    let names: Vec<String> = ctx.config.topics.iter().map(|t| t.name.clone()).collect();
    find_name(&names, topic).ok_or_else(|| {
        CliError::usage(anyhow::anyhow!(crate::store::unknown_name(
            "topic", topic, &names
        )))
    })
}

/// The name in `names` that is `name`, exactly or else in another case.
pub fn find_name(names: &[String], name: &str) -> Option<String> {
    let lower = name.to_lowercase();
    names
        .iter()
        .find(|n| *n == name)
        .or_else(|| names.iter().find(|n| n.to_lowercase() == lower))
        .cloned()
}

/// Parse a user-given duration for `--since` and friends (usage error if bad).
pub fn parse_since(s: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, CliError> {
    let d = config::parse_duration(s)
        .map_err(|e| CliError::usage(anyhow::anyhow!("--since {s}: {e}")))?;
    Ok(now - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365 * 100)))
}

/// Parse `--at`: RFC 3339, or the compact `20260504T194655Z` the corpus names files by.
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|t| t.and_utc())
}

/// The time in a file name such as `20260504T194655Z.xml`, if it is one.
pub fn time_from_file_name(path: &Path) -> Option<DateTime<Utc>> {
    parse_time(path.file_stem()?.to_str()?)
}

/// Read the user's entity list (`[daemon] entities`) and add it to the
/// shipped one; a bad line is a usage error naming the file and line.
fn use_entity_list(path: &Path) -> Result<(), CliError> {
    let list =
        crate::pipeline::read_entity_list(path).map_err(|e| CliError::usage(anyhow::anyhow!(e)))?;
    crate::detect::use_entity_list(Some(list));
    Ok(())
}
