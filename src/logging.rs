//! Logging setup: human-readable lines on stderr through tracing. Under
//! systemd (JOURNAL_STREAM set) or when stderr is not a terminal there are no
//! colours and no timestamps (journald adds its own). The filter comes from
//! `RUST_LOG`, else `[daemon] log`, else a default per command.

use std::io::IsTerminal;

/// Install the global subscriber. `config_filter` is `[daemon] log`;
/// `default` is used when neither it nor RUST_LOG is set.
pub fn init(config_filter: Option<&str>, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .ok()
        .or_else(|| config_filter.and_then(|f| tracing_subscriber::EnvFilter::try_new(f).ok()))
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default));
    let terminal = std::io::stderr().is_terminal() && std::env::var_os("JOURNAL_STREAM").is_none();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(terminal)
        .with_target(false);
    // try_init: a second call (tests running commands in-process) is harmless.
    let _ = if terminal {
        builder.try_init()
    } else {
        builder.without_time().try_init()
    };
}
