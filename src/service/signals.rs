//! The signals the daemon answers: SIGTERM and SIGINT stop it, SIGHUP
//! reloads its configuration; a test drives it with a future instead.

use anyhow::Context;
use tokio::signal::unix::{SignalKind, signal};

/// What a signal asks of the daemon.
pub(super) enum Signal {
    Reload,
    Stop(&'static str),
}

/// SIGTERM, SIGINT and SIGHUP as one stream; or, for a daemon driven by a
/// test, a future that asks it to stop.
pub(super) enum Signals {
    Unix {
        term: tokio::signal::unix::Signal,
        int: tokio::signal::unix::Signal,
        hup: tokio::signal::unix::Signal,
    },
    Until(std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>),
}

impl Signals {
    pub(super) fn new() -> anyhow::Result<Signals> {
        let listen = |kind: SignalKind, name: &str| {
            signal(kind).with_context(|| format!("cannot listen for {name}"))
        };
        Ok(Signals::Unix {
            term: listen(SignalKind::terminate(), "SIGTERM")?,
            int: listen(SignalKind::interrupt(), "SIGINT")?,
            hup: listen(SignalKind::hangup(), "SIGHUP")?,
        })
    }

    pub(super) async fn next(&mut self) -> Signal {
        match self {
            Signals::Unix { term, int, hup } => tokio::select! {
                _ = term.recv() => Signal::Stop("SIGTERM"),
                _ = int.recv() => Signal::Stop("SIGINT"),
                _ = hup.recv() => Signal::Reload,
            },
            Signals::Until(stop) => {
                stop.as_mut().await;
                Signal::Stop("stop requested")
            }
        }
    }
}
