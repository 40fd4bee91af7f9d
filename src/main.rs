//! The `newswatch` binary: parse arguments, set up logging, dispatch, and map
//! errors to exit codes (0 success, 1 runtime failure, 2 bad usage or config).

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use newswatch::cli::{Cli, Command, dispatch};

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(&cli);
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {:#}", e.error);
            ExitCode::from(e.code)
        }
    }
}

/// Human-readable logs on stderr. Under systemd (JOURNAL_STREAM set) or when
/// stderr is not a terminal: no colours and no timestamps (journald adds its own).
fn init_logging(cli: &Cli) {
    let default = match (&cli.command, cli.verbose) {
        (_, 2..) => "debug",
        (_, 1) => "info,newswatch=debug",
        (Command::Run, 0) => "info",
        _ => "warn",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let terminal = std::io::stderr().is_terminal() && std::env::var_os("JOURNAL_STREAM").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(terminal)
        .with_target(false);
    if terminal {
        builder.init();
    } else {
        builder.without_time().init();
    }
}
