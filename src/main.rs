//! The `newswatch` binary: parse arguments, dispatch (logging is set up once
//! the config is known), and map
//! errors to exit codes (0 success, 1 runtime failure, 2 bad usage or config).

use std::process::ExitCode;

use clap::Parser;
use newswatch::cli::{Cli, dispatch};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        // The reader went away (`newswatch items | head`): not an error.
        Err(e)
            if e.error
                .downcast_ref::<std::io::Error>()
                .map(std::io::Error::kind)
                == Some(std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {:#}", e.error);
            ExitCode::from(e.code)
        }
    }
}
