//! What root may do on a database another user owns (the service's, as
//! README's install steps set it up): read it. Commands that write to it
//! or take the daemon's lock are refused, with the command to run instead
//! as that user. Why: files root creates there (`-wal`, `-shm`, `.lock`)
//! would be root's and keep the service out, and files that user can put
//! there (a link, a hard link) could be turned against root.

use std::path::Path;

use super::{Command, OutboxAction, SourcesAction};
use crate::store::files::{self, Owner};

/// Whether `command` writes to the database or takes the daemon's lock.
pub fn writes(command: &Command) -> bool {
    match command {
        Command::Run | Command::Poll { .. } | Command::Ingest { .. } | Command::Prune { .. } => {
            true
        }
        Command::Sources { action } => !matches!(
            action,
            None | Some(SourcesAction::List | SourcesAction::ExportOpml { .. })
        ),
        Command::Digest { send, .. } => *send,
        Command::Feedback { .. } => true,
        Command::Topic { action } => matches!(action, super::topic::TopicAction::Train { .. }),
        Command::Outbox { action } => {
            matches!(action, Some(OutboxAction::Send | OutboxAction::Retry))
        }
        Command::Items { .. }
        | Command::Search { .. }
        | Command::Changes { .. }
        | Command::Stories { .. }
        | Command::Match { .. }
        | Command::Show { .. }
        | Command::Positions { .. }
        | Command::TestEmail { .. }
        | Command::Status
        | Command::CheckConfig => false,
        // Their own files only (`dispatch` runs them before the configuration).
        Command::Demo { .. } | Command::Completions { .. } | Command::Man => false,
    }
}

/// As root, on a database another user owns: who owns it. `None` when this
/// process is not root or root owns it all.
pub fn foreign_owner(db: &Path) -> Option<Owner> {
    files::running_as_root()
        .then(|| files::foreign_owner(db))
        .flatten()
}

/// Why root does not write to `db`, and what to run instead.
pub fn write_refusal(db: &Path, owner: &Owner, config: &Path) -> String {
    let state_dir = files::dynamic_state_directory(db);
    refusal(
        &format!("refusing to write to {} as root", db.display()),
        owner,
        files::user_name(owner.uid),
        state_dir,
        &command_line(config),
    )
}

/// Why root cannot read `db` without writing to it (a database this
/// newswatch must migrate first), and what to run instead.
pub fn read_refusal(db: &Path, owner: &Owner, config: &Path) -> String {
    let state_dir = files::dynamic_state_directory(db);
    refusal(
        &format!(
            "{}: its schema is older than this newswatch's, and as root newswatch \
             does not migrate it (the service migrates it when it starts)",
            db.display()
        ),
        owner,
        files::user_name(owner.uid),
        state_dir,
        &command_line(config),
    )
}

/// The refusal's text: `what`, whose it is, why, and the command as that
/// user. `name`: the owner's name in /etc/passwd; `state_dir`: the
/// `StateDirectory=` of a `DynamicUser=` service holding the database.
fn refusal(
    what: &str,
    owner: &Owner,
    name: Option<String>,
    state_dir: Option<String>,
    command: &str,
) -> String {
    let why = "As root, newswatch only reads a database another user owns: \
               files it created there would be root's and could keep that user out, \
               and files that user can put there could be turned against root.";
    let (user, how) = match (name, state_dir) {
        (Some(name), _) => (
            format!("user {name} (uid {})", owner.uid),
            format!(
                "Run it as that user:\n  sudo -u {} {command}",
                shell_word(&name)
            ),
        ),
        // systemd's DynamicUser=: no name outside the running service, and
        // /var/lib/private is closed to that user outside the service's
        // sandbox. A transient service with the same User= gets the same
        // user and the state directory; without User= it would get a user
        // of its own, and systemd would hand the whole folder to that one.
        (None, Some(dir)) => (
            format!(
                "uid {}, the dynamic user of the service with StateDirectory={dir}",
                owner.uid
            ),
            format!(
                "Run it as that user, in the service's state directory:\n  \
                 sudo systemd-run --pipe --wait --collect --quiet -p DynamicUser=yes \
                 -p User={dir} -p StateDirectory={dir} {command}",
                dir = shell_word(&dir)
            ),
        ),
        (None, None) => (
            format!("uid {}", owner.uid),
            format!(
                "Run it as that user:\n  sudo setpriv --reuid={} --regid={} --clear-groups {command}",
                owner.uid, owner.gid
            ),
        ),
    };
    format!("{what}: {} belongs to {user}. {why} {how}", owner.what)
}

/// This command line, to run again as another user: the binary's full
/// path, the config given explicitly (`sudo` does not pass
/// `NEWSWATCH_CONFIG` on, and a transient service does not start in this
/// folder), then the arguments as given, quoted for a shell.
fn command_line(config: &Path) -> String {
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "newswatch".into());
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    command_words(&exe, config, &args)
        .iter()
        .map(|w| shell_word(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `exe --config <absolute config> <args without --config>`, with a
/// relative `--db` made absolute.
fn command_words(exe: &str, config: &Path, args: &[String]) -> Vec<String> {
    let absolute = |p: &str| {
        std::path::absolute(p).map_or_else(|_| p.to_string(), |a| a.display().to_string())
    };
    let mut words = vec![
        exe.to_string(),
        "--config".into(),
        absolute(&config.to_string_lossy()),
    ];
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => {
                args.next();
            }
            "--db" => {
                words.push(arg.clone());
                if let Some(db) = args.next() {
                    words.push(absolute(db));
                }
            }
            a if a.starts_with("--config=") => {}
            a if a.starts_with("--db=") => words.push(format!("--db={}", absolute(&a[5..]))),
            _ => words.push(arg.clone()),
        }
    }
    words
}

/// `word` as one shell word.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owner(uid: u32) -> Owner {
        Owner {
            uid,
            gid: uid,
            what: "it".into(),
        }
    }

    #[test]
    fn the_refusal_says_how_to_run_the_command_as_the_owner() {
        let command = "/usr/local/bin/newswatch --config /etc/newswatch/newswatch.toml poll";
        let named = refusal(
            "refusing to write to /srv/news.db as root",
            &owner(1001),
            Some("news".into()),
            None,
            command,
        );
        assert!(
            named.starts_with(
                "refusing to write to /srv/news.db as root: it belongs to user news (uid 1001)."
            ),
            "{named}"
        );
        assert!(
            named.ends_with(&format!("\n  sudo -u news {command}")),
            "{named}"
        );

        let dynamic = refusal(
            "refusing to write to /var/lib/newswatch/newswatch.db as root",
            &owner(61234),
            None,
            Some("newswatch".into()),
            command,
        );
        assert!(
            dynamic.contains(
                "uid 61234, the dynamic user of the service with StateDirectory=newswatch"
            ),
            "{dynamic}"
        );
        assert!(
            dynamic.ends_with(&format!(
                "\n  sudo systemd-run --pipe --wait --collect --quiet -p DynamicUser=yes -p User=newswatch -p StateDirectory=newswatch {command}"
            )),
            "{dynamic}"
        );

        let unnamed = refusal("x", &owner(4242), None, None, command);
        assert!(
            unnamed.ends_with(&format!(
                "\n  sudo setpriv --reuid=4242 --regid=4242 --clear-groups {command}"
            )),
            "{unnamed}"
        );
    }

    #[test]
    fn the_command_line_names_the_config_and_database_by_absolute_paths() {
        let args: Vec<String> = [
            "-v",
            "--config=rel.toml",
            "--db",
            "state/n.db",
            "search",
            "it's",
        ]
        .map(String::from)
        .to_vec();
        let words = command_words("/bin/newswatch", Path::new("/etc/n.toml"), &args);
        let cwd = std::env::current_dir().unwrap();
        assert_eq!(
            words,
            [
                "/bin/newswatch".to_string(),
                "--config".into(),
                "/etc/n.toml".into(),
                "-v".into(),
                "--db".into(),
                cwd.join("state/n.db").display().to_string(),
                "search".into(),
                "it's".into(),
            ]
        );
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word("a b"), "'a b'");
        assert_eq!(shell_word("--db=/x/y.db"), "--db=/x/y.db");
    }

    #[test]
    fn commands_that_write_or_take_the_lock_are_told_from_those_that_read() {
        use clap::Parser;
        let writes_of = |line: &str| {
            let cli = super::super::Cli::try_parse_from(
                std::iter::once("newswatch").chain(line.split_whitespace()),
            )
            .unwrap();
            writes(&cli.command)
        };
        for w in [
            "run",
            "poll",
            "ingest --source a f.xml",
            "prune",
            "sources add a http://x/",
            "sources remove a",
            "sources enable a",
            "sources disable a",
            "sources import-opml f",
            "digest --send",
            "outbox send",
            "outbox retry",
        ] {
            assert!(writes_of(w), "{w}");
        }
        for r in [
            "status",
            "items",
            "search x",
            "changes",
            "show 1",
            "match --topic t",
            "sources",
            "sources list",
            "sources export-opml",
            "digest",
            "digest --html f",
            "outbox",
            "outbox list",
            "test-email",
            "check-config",
        ] {
            assert!(!writes_of(r), "{r}");
        }
    }
}
