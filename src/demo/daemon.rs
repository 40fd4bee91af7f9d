//! The demo's daemon: `newswatch run` on the demo's configuration as a
//! child process, stopped with SIGTERM when the demo ends or is interrupted.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use super::STOP_TIMEOUT;

/// `newswatch run` on the demo's configuration, as a child process whose
/// log goes to the demo folder. Stopped (SIGTERM) when dropped.
pub(super) struct Daemon {
    pub(super) child: Option<Child>,
    pub(super) log: PathBuf,
}

impl Daemon {
    pub(super) fn start(exe: &Path, config: &Path, log: &Path) -> anyhow::Result<Daemon> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("cannot open {}", log.display()))?;
        let child = Command::new(exe)
            .arg("--config")
            .arg(config)
            .arg("run")
            // Not a service even when the demo is started from one.
            .env_remove("NOTIFY_SOCKET")
            .env_remove("WATCHDOG_USEC")
            .env_remove("WATCHDOG_PID")
            .env_remove("JOURNAL_STREAM")
            .stdin(Stdio::null())
            .stdout(file.try_clone().context("cannot share the log file")?)
            .stderr(file)
            .spawn()
            .with_context(|| format!("cannot start {} run", exe.display()))?;
        Ok(Daemon {
            child: Some(child),
            log: log.to_path_buf(),
        })
    }

    /// An error (with the end of the daemon's log) when it has exited.
    pub(super) fn check_running(&mut self) -> anyhow::Result<()> {
        let Some(child) = &mut self.child else {
            bail!("the daemon is not running");
        };
        if let Some(status) = child.try_wait().context("cannot ask after the daemon")? {
            self.child = None;
            bail!(
                "the daemon exited early ({status}); the end of its log, {}:\n{}",
                self.log.display(),
                log_tail(&self.log)
            );
        }
        Ok(())
    }

    /// SIGTERM, then wait (SIGKILL after `STOP_TIMEOUT`).
    pub(super) fn stop(&mut self) -> anyhow::Result<ExitStatus> {
        let Some(mut child) = self.child.take() else {
            bail!("the daemon is not running");
        };
        let pid = rustix::process::Pid::from_child(&child);
        if let Err(e) = rustix::process::kill_process(pid, rustix::process::Signal::TERM) {
            // Already gone: its status says how it ended.
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            return Err(std::io::Error::from(e)).context("cannot stop the daemon");
        }
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = child.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let status = child.wait()?;
                bail!(
                    "the daemon did not stop within {} s of SIGTERM and was killed ({status}); see {}",
                    STOP_TIMEOUT.as_secs(),
                    self.log.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.child.is_some() {
            let _ = self.stop();
        }
    }
}

/// Ctrl-C (or SIGTERM) stops the demo and its daemon: left running, the
/// daemon would poll the vanished feeds for ever.
pub(super) async fn stop_daemon_on_signal(daemon: rustix::process::Pid) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut int), Ok(mut term)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return;
    };
    let code = tokio::select! {
        _ = int.recv() => 130,
        _ = term.recv() => 143,
    };
    // The daemon finishes what it is writing and exits on its own.
    let _ = rustix::process::kill_process(daemon, rustix::process::Signal::TERM);
    eprintln!("\ninterrupted: the daemon is told to stop; the demo's folder keeps what it stored");
    std::process::exit(code);
}

/// The last lines of a log, indented.
pub(super) fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(15)..]
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
