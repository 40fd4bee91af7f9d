//! Logging setup through tracing. On a terminal: coloured lines with times.
//! Under systemd (stderr is the journal stream named by `JOURNAL_STREAM`):
//! the journal's native protocol, so every field (`SOURCE`, `URL`, `STATUS`,
//! `DURATION_MS`, ...) is a journal field and levels map to syslog
//! priorities (or, with `log_format = "text"`, lines without times: the
//! journal stamps them). Elsewhere (a file, a pipe): lines with times,
//! without colours. The filter
//! comes from `RUST_LOG`, else `[daemon] log`, else a default per command;
//! a config reload can change it (`apply_config_filter`).

use std::io::IsTerminal;
use std::sync::OnceLock;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Registry, reload};

use crate::config::LogFormat;

/// How the filter is chosen, kept so a reload can re-apply `[daemon] log`.
struct FilterControl {
    handle: reload::Handle<EnvFilter, Registry>,
    /// False when RUST_LOG or `-v` decided the filter: the config then has no say.
    follows_config: bool,
    default: String,
}

static FILTER: OnceLock<FilterControl> = OnceLock::new();

/// Install the global subscriber. `config_filter` is `[daemon] log`, used
/// when `config_decides` (no `-v` given) and RUST_LOG is not set; `default`
/// applies when it is absent.
pub fn init(config_filter: Option<&str>, config_decides: bool, default: &str, format: LogFormat) {
    let from_env = EnvFilter::try_from_default_env().ok();
    let follows_config = from_env.is_none() && config_decides;
    let filter = from_env
        .unwrap_or_else(|| filter_or_default(config_filter.filter(|_| config_decides), default));
    let (filter, handle) = reload::Layer::new(filter);
    let registry = tracing_subscriber::registry().with(filter);
    let journal = match format {
        LogFormat::Text => None,
        LogFormat::Auto if !stderr_is_journal() => None,
        LogFormat::Auto | LogFormat::Journald => tracing_journald::layer().ok(),
    };
    // Whether stderr is the journal is decided by the stream itself, not by
    // `JOURNAL_STREAM` alone: a terminal opened from a desktop session
    // started by systemd inherits that variable, naming another stream.
    let to_journal = stderr_is_journal();
    let terminal = std::io::stderr().is_terminal();
    let installed = match journal {
        Some(journal) => registry
            .with(
                journal
                    .with_field_prefix(None)
                    .with_syslog_identifier("newswatch".into()),
            )
            .try_init(),
        None => {
            let text = tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(terminal)
                .with_target(false);
            // The journal stamps lines itself.
            if to_journal {
                registry.with(text.without_time()).try_init()
            } else {
                registry.with(text).try_init()
            }
        }
    };
    // try_init fails on a second call (tests running commands in-process):
    // the first subscriber stays, and so does its filter handle.
    if installed.is_ok() {
        let _ = FILTER.set(FilterControl {
            handle,
            follows_config,
            default: default.to_string(),
        });
    }
}

/// After a config reload: use its `[daemon] log` filter, unless RUST_LOG or
/// `-v` chose the filter at start.
pub fn apply_config_filter(config_filter: Option<&str>) {
    let Some(control) = FILTER.get().filter(|c| c.follows_config) else {
        return;
    };
    let filter = filter_or_default(config_filter, &control.default);
    if let Err(e) = control.handle.reload(filter) {
        tracing::warn!(error = %e, "cannot change the log filter");
    }
}

fn filter_or_default(config_filter: Option<&str>, default: &str) -> EnvFilter {
    config_filter
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(default))
}

/// systemd connects stderr to the journal and names that stream in
/// `JOURNAL_STREAM` as `device:inode`; checking both (as sd_journal_stream_fd
/// users do) avoids talking to the journal when stderr was redirected.
fn stderr_is_journal() -> bool {
    let Some(value) = std::env::var_os("JOURNAL_STREAM") else {
        return false;
    };
    journal_stream_matches(value.to_str().unwrap_or(""), stderr_identity())
}

fn stderr_identity() -> Option<(u64, u64)> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let fd = std::io::stderr().as_fd().try_clone_to_owned().ok()?;
    let meta = std::fs::File::from(fd).metadata().ok()?;
    Some((meta.dev(), meta.ino()))
}

fn journal_stream_matches(value: &str, stderr: Option<(u64, u64)>) -> bool {
    let Some((dev, ino)) = value.split_once(':') else {
        return false;
    };
    match (dev.parse::<u64>(), ino.parse::<u64>(), stderr) {
        (Ok(dev), Ok(ino), Some(id)) => (dev, ino) == id,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_stream_must_name_stderr_itself() {
        assert!(journal_stream_matches("64769:12345", Some((64769, 12345))));
        // stderr redirected to a file by the unit's command line: not the journal.
        assert!(!journal_stream_matches("64769:12345", Some((64769, 999))));
        assert!(!journal_stream_matches("garbage", Some((1, 2))));
        assert!(!journal_stream_matches("1:2", None));
    }
}
