//! Command-line surface (DESIGN.md, "Command-line contract"): clap types, and
//! dispatch to one thin function per command. Commands load the config, call
//! library functions and print; exit codes are 0 success, 1 runtime failure,
//! 2 bad usage or bad configuration.

/// `println!` that returns an error instead of panicking when stdout is
/// closed (`newswatch items | head`); `main` exits quietly on a broken pipe.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout(), $($arg)*)?
    }};
}

mod changes;
mod context;
mod demo;
mod generate;
mod inspect;
mod mail;
mod matching;
mod output;
mod poll;
mod positions;
mod prune;
mod root;
mod sources;
mod status;
mod stories;
mod topic;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use context::{
    Ctx, async_runtime, find_name, known_topic, parse_since, parse_time, time_from_file_name,
};

/// newswatch: watch news feeds, keep every story and its changes in SQLite.
#[derive(Parser, Debug)]
#[command(name = "newswatch", version, about, long_about = None)]
pub struct Cli {
    /// Config file [default: $NEWSWATCH_CONFIG, /etc/newswatch/newswatch.toml, ./config/newswatch.toml]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Database file (overrides [daemon] database)
    #[arg(long, global = true, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Print one JSON object per line (list-like commands)
    #[arg(long, global = true)]
    pub json: bool,
    /// More log output (repeat for more); RUST_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the daemon: schedule, poll and store until SIGTERM
    Run,
    /// One pass over due sources (or all), then exit
    Poll {
        /// Poll every enabled source, due or not
        #[arg(long)]
        all: bool,
        /// Poll only this source (even if not due)
        #[arg(long, value_name = "NAME", conflicts_with = "all")]
        source: Option<String>,
    },
    /// Treat feed files as documents fetched at TIME, in order
    Ingest {
        /// Source the files belong to
        #[arg(long, value_name = "NAME")]
        source: String,
        /// Fetch time of every FILE, when their items are seen (RFC 3339 or 20260504T194655Z) [default: from each file's name if it is such a time, else now]
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
        /// Feed files
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Manage and show sources with their health
    Sources {
        #[command(subcommand)]
        action: Option<SourcesAction>,
    },
    /// List stored items, newest first
    Items {
        /// Only items of this source
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// Only items matching this topic
        #[arg(long, value_name = "TOPIC")]
        topic: Option<String>,
        /// Only items published within this long (e.g. 1d, 6h)
        #[arg(long, value_name = "DUR")]
        since: Option<String>,
        /// At most this many items, newest first
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
    },
    /// Full-text search over titles and texts (SQLite FTS5 syntax)
    Search {
        /// Words, "phrases", prefix*, AND / OR / NOT
        #[arg(required = true)]
        query: Vec<String>,
        /// At most this many results, best first
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
    },
    /// Revisions and statement shifts, newest first, with word diffs
    Changes {
        /// Only changes seen within this long (e.g. 1d, 6h)
        #[arg(long, value_name = "DUR")]
        since: Option<String>,
        /// Lowest significance to show: cosmetic, minor or major
        #[arg(long, value_name = "LEVEL")]
        min: Option<String>,
        /// Only changes that matter to this topic
        #[arg(long, value_name = "TOPIC")]
        topic: Option<String>,
        /// At most this many changes, newest first
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
    },
    /// Stories (one event, many reports), latest report first; `stories show ID` for one
    #[command(args_conflicts_with_subcommands = true)]
    Stories {
        #[command(subcommand)]
        action: Option<StoriesAction>,
        /// Only stories with a report seen within this long (e.g. 1d, 6h)
        #[arg(long, value_name = "DUR")]
        since: Option<String>,
        /// Only stories with a report matching this topic
        #[arg(long, value_name = "TOPIC")]
        topic: Option<String>,
        /// At most this many stories
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
    },
    /// Each speaker's latest stance per issue, and the shifts that moved it
    Positions {
        /// Only this speaker (its configured name)
        #[arg(long, value_name = "SPEAKER")]
        speaker: Option<String>,
        /// Only this issue: talks, ceasefire, territory, guarantees, sanctions, elections, plan, humanitarian, other
        #[arg(long, value_name = "ISSUE")]
        issue: Option<String>,
    },
    /// Which stored items (or entries of feed files) a topic would hit, and which terms hit
    Match {
        /// The topic to test
        #[arg(long, value_name = "TOPIC")]
        topic: String,
        /// Stored items published within this long [default: 7d]
        #[arg(long, value_name = "DUR", conflicts_with = "files")]
        since: Option<String>,
        /// Feed files to test instead of stored items
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Show how the topic decided each item: the query's signal, the model's weighted features, the story that carried it and the context terms it names; list items it turned down too
        #[arg(long)]
        explain: bool,
    },
    /// Say whether an item is relevant to a topic; the next poll decides with it
    Feedback {
        /// Item id (from `items`) or its URL
        item: String,
        /// relevant or irrelevant
        #[arg(value_name = "relevant|irrelevant")]
        verdict: String,
        /// The topic [default: the only topic, else those the item matches]
        #[arg(long, value_name = "TOPIC")]
        topic: Option<String>,
    },
    /// Train, evaluate and inspect a topic's relevance model; list its context terms
    Topic {
        #[command(subcommand)]
        action: topic::TopicAction,
    },
    /// One item with all its versions
    Show {
        /// Item id (from `items`) or its URL
        item: String,
    },
    /// Render the next digest (text to the terminal, or --html FILE), or send it now
    Digest {
        /// Which [[digest]] [default: the first configured]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Print the text part (the default unless --send or --html is given)
        #[arg(long)]
        preview: bool,
        /// Write the HTML part to FILE
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// Cover this long back (e.g. 1d) instead of since the previous digest
        #[arg(long, value_name = "DUR")]
        since: Option<String>,
        /// Send it now; the next digest starts where this one ends
        #[arg(long)]
        send: bool,
    },
    /// Send one test message through the configured mail transport and show the answer
    TestEmail {
        /// Recipient [default: [email] to]
        #[arg(long, value_name = "ADDR")]
        to: Option<String>,
    },
    /// Mail waiting to be sent, sent, or given up on
    Outbox {
        #[command(subcommand)]
        action: Option<OutboxAction>,
    },
    /// Daemon uptime, source health, next polls, mail backlog, last digest
    Status,
    /// Validate the config and print what would be watched
    CheckConfig,
    /// Remove the text of items not seen for a while (retention), old fetch log rows, expired context terms
    Prune {
        /// Prune items not seen for this long [default: [daemon] retention]
        #[arg(long, value_name = "DUR")]
        older_than: Option<String>,
    },
    /// See it work offline in about 20 s: invented feeds, the real daemon, mail into a Maildir
    Demo {
        /// Folder for the demo's config, database, mail and log (made if missing; an earlier demo there is replaced)
        #[arg(long, value_name = "DIR", default_value = "newswatch-demo")]
        dir: PathBuf,
    },
    /// Print a shell completion script
    Completions {
        /// The shell to complete for
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    #[command(hide = true)]
    Man,
}

#[derive(Subcommand, Debug)]
pub enum StoriesAction {
    /// One story's reports across outlets, oldest first, with why each joined
    Show {
        /// The story's id (from `newswatch stories`)
        id: i64,
    },
    /// Merge story B into story A (they are one event); later reports follow
    Merge {
        /// The story kept
        a: i64,
        /// The story merged into it
        b: i64,
    },
    /// Split reports off a story into a new story of their own; later reports follow
    Split {
        /// The story's id
        id: i64,
        /// Item ids of its reports to split off (from `stories show ID`)
        #[arg(required = true, num_args = 1..)]
        items: Vec<i64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SourcesAction {
    /// List sources with health (the default)
    List,
    /// Add a source (kept in the database, beside the config's sources)
    Add {
        /// Its name (unique, whatever the case)
        name: String,
        /// The feed's URL (http or https)
        url: String,
        /// Tag (repeatable)
        #[arg(long = "tag")]
        tags: Vec<String>,
        /// Fixed poll interval (e.g. 10m) [default: adaptive]
        #[arg(long)]
        interval: Option<String>,
        /// Language of the feed (e.g. en, ru, uk)
        #[arg(long)]
        language: Option<String>,
    },
    /// Remove a source added with `sources add`, with its items
    Remove {
        /// The source's name (any case)
        name: String,
    },
    /// Enable a source (also after 410 Gone)
    Enable {
        /// The source's name (any case)
        name: String,
    },
    /// Disable a source (its items stay)
    Disable {
        /// The source's name (any case)
        name: String,
    },
    /// Add every feed of an OPML file
    ImportOpml {
        /// The OPML file
        file: PathBuf,
    },
    /// Print all sources as OPML (or write to FILE)
    ExportOpml {
        /// Write here instead of to stdout
        file: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum OutboxAction {
    /// List messages, newest first (the default)
    List {
        /// pending, sent, failed or all
        #[arg(long, value_name = "STATUS")]
        status: Option<String>,
        /// At most this many messages, newest first
        #[arg(long, value_name = "N", default_value_t = 50)]
        limit: usize,
    },
    /// Send everything pending now, skipping grouping windows and retry waits
    Send,
    /// Queue messages that were given up on again
    Retry,
}

/// An error with the exit code it maps to.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub error: anyhow::Error,
}

impl CliError {
    pub fn usage(e: impl Into<anyhow::Error>) -> Self {
        CliError {
            code: 2,
            error: e.into(),
        }
    }
}

impl<E: Into<anyhow::Error>> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError {
            code: 1,
            error: e.into(),
        }
    }
}

pub type CliResult = Result<u8, CliError>;

/// An error as `main` prints it: with its causes (`{:#}`), terminal-safe
/// (a message may quote a hostile feed title, URL or file name), line
/// breaks kept.
pub fn error_text(e: &CliError) -> String {
    output::safe_lines(&format!("{:#}", e.error))
}

/// Run the parsed command; returns the exit code.
pub fn dispatch(cli: Cli) -> CliResult {
    // Commands that need no configuration.
    match &cli.command {
        Command::Demo { dir } => return demo::demo(&cli, dir),
        Command::Completions { shell } => return generate::completions(*shell),
        Command::Man => return generate::man(),
        _ => {}
    }
    let ctx = Ctx::new(&cli)?;
    let default_filter = match (&cli.command, cli.verbose) {
        (_, 2..) => "debug",
        (_, 1) => "info,newswatch=debug",
        (Command::Run, 0) => "info",
        // One-shot commands print their own report of per-source failures.
        _ => "error",
    };
    // -v on the command line wins over the config's `log`.
    crate::logging::init(
        ctx.config.daemon.log.as_deref(),
        cli.verbose == 0,
        default_filter,
        ctx.config.daemon.log_format,
    );
    if root::writes(&cli.command) {
        ctx.may_write()?;
    }
    match cli.command {
        Command::Run => poll::run(&ctx),
        Command::Poll { all, source } => poll::poll(&ctx, all, source.as_deref()),
        Command::Ingest { source, at, files } => poll::ingest(&ctx, &source, at.as_deref(), &files),
        Command::Sources { action } => {
            sources::sources(&ctx, action.unwrap_or(SourcesAction::List))
        }
        Command::Items {
            source,
            topic,
            since,
            limit,
        } => inspect::items(&ctx, source, topic, since.as_deref(), limit),
        Command::Search { query, limit } => inspect::search(&ctx, &query.join(" "), limit),
        Command::Changes {
            since,
            min,
            topic,
            limit,
        } => changes::changes(&ctx, since.as_deref(), min.as_deref(), topic, limit),
        Command::Stories {
            action,
            since,
            topic,
            limit,
        } => match action {
            Some(StoriesAction::Show { id }) => stories::show(&ctx, id),
            Some(StoriesAction::Merge { a, b }) => stories::merge(&ctx, a, b),
            Some(StoriesAction::Split { id, items }) => stories::split(&ctx, id, &items),
            None => stories::list(&ctx, since.as_deref(), topic, limit),
        },
        Command::Match {
            topic,
            since,
            files,
            explain,
        } => matching::matching(&ctx, &topic, since.as_deref(), &files, explain),
        Command::Feedback {
            item,
            verdict,
            topic,
        } => topic::feedback(&ctx, &item, &verdict, topic.as_deref()),
        Command::Topic { action } => topic::topic(&ctx, action),
        Command::Show { item } => inspect::show(&ctx, &item),
        Command::Positions { speaker, issue } => positions::positions(&ctx, speaker, issue),
        Command::Digest {
            name,
            preview,
            html,
            since,
            send,
        } => mail::digest(
            &ctx,
            &mail::DigestArgs {
                name: name.as_deref(),
                preview,
                html: html.as_deref(),
                since: since.as_deref(),
                send,
            },
        ),
        Command::TestEmail { to } => mail::test_email(&ctx, to.as_deref()),
        Command::Outbox { action } => mail::outbox(
            &ctx,
            match &action {
                None => mail::OutboxCommand::List {
                    status: None,
                    limit: 50,
                },
                Some(OutboxAction::List { status, limit }) => mail::OutboxCommand::List {
                    status: status.as_deref(),
                    limit: *limit,
                },
                Some(OutboxAction::Send) => mail::OutboxCommand::Send,
                Some(OutboxAction::Retry) => mail::OutboxCommand::Retry,
            },
        ),
        Command::Status => status::status(&ctx),
        Command::CheckConfig => inspect::check_config(&ctx),
        Command::Prune { older_than } => prune::prune(&ctx, older_than.as_deref()),
        Command::Demo { .. } | Command::Completions { .. } | Command::Man => {
            unreachable!("dispatched before the configuration is loaded")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `newswatch CMD --help` explains every option and argument of every
    /// command: none is listed bare.
    #[test]
    fn every_option_and_argument_has_help() {
        use clap::CommandFactory;
        fn walk(cmd: &clap::Command, path: &str, bare: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                if arg.get_help().is_none() && arg.get_long_help().is_none() {
                    bare.push(format!("{path} {}", arg.get_id()));
                }
            }
            for sub in cmd.get_subcommands() {
                if sub.get_about().is_none() {
                    bare.push(format!("{path} {} (the command)", sub.get_name()));
                }
                walk(sub, &format!("{path} {}", sub.get_name()), bare);
            }
        }
        let mut bare = Vec::new();
        walk(&Cli::command(), "newswatch", &mut bare);
        assert!(bare.is_empty(), "without help: {bare:#?}");
    }
}
