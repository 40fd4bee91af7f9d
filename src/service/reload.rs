//! SIGHUP: the configuration read again and applied only when all of it is
//! valid; a bad one leaves the daemon as it was.

use anyhow::Context;

use super::mail::MailTask;
use super::{Daemon, sources_text};
use crate::notify::Notifier;
use crate::pipeline::{Poller, source_specs};
use crate::text::counted;

impl Daemon {
    /// SIGHUP: read the config again; apply it only if all of it is valid.
    pub(super) async fn reload(&mut self) {
        self.supervisor.reloading();
        tracing::info!(config = %self.options.config_path.display(), "SIGHUP: reloading the configuration");
        match self.try_reload().await {
            Ok(summary) => {
                tracing::info!(%summary, "configuration reloaded");
                self.supervisor.ready(&format!("reloaded: {summary}"));
            }
            Err(e) => {
                tracing::error!(
                    config = %self.options.config_path.display(),
                    error = %format!("{e:#}"),
                    "configuration NOT reloaded; still running on the previous one"
                );
                self.supervisor.ready(&format!(
                    "reload refused (see log); watching {}",
                    sources_text(self.config.sources.len())
                ));
            }
        }
    }

    async fn try_reload(&mut self) -> anyhow::Result<String> {
        let path = self.options.config_path.clone();
        let config = crate::config::load(&path)?;
        // Build every new part before touching the running ones, so a
        // failure leaves the daemon exactly as it was.
        let entities = match &config.daemon.entities {
            Some(list) => {
                Some(crate::pipeline::read_entity_list(list).map_err(anyhow::Error::msg)?)
            }
            None => None,
        };
        let poller = Poller::new(&config)
            .map_err(anyhow::Error::msg)?
            .with_clock(self.clock.clone());
        let database = self.writer.call(|s| s.path().to_path_buf()).await;
        let notifier = Notifier::open(config.mail_settings(), &database, self.clock.clone())?;
        if config.daemon.database != self.config.daemon.database {
            tracing::warn!(
                database = %database.display(),
                "[daemon] database changed in the config: takes effect at the next start"
            );
        }
        let specs = source_specs(&config);
        let rules = config.alert_rules();
        let run_id = self.run_id;
        let now = self.clock.now();
        let report = self
            .writer
            .call_commit(move |s, commit| {
                let report = s.sync_config_sources(&specs, now)?;
                commit.set_alert_rules(rules);
                s.note_run_reload(run_id, now)?;
                Ok::<_, crate::store::StoreError>(report)
            })
            .await
            .context("cannot apply the sources of the new configuration")?;
        crate::logging::apply_config_filter(config.daemon.log.as_deref());
        for w in &config.warnings {
            tracing::warn!("{w}");
        }
        self.poller = poller;
        crate::detect::use_entity_list(entities);
        let clock = self.clock.clone();
        let idle = MailTask::start(None, self.started, self.wake_mail.clone(), clock.clone());
        let mail = std::mem::replace(&mut self.mail, idle);
        mail.stop().await;
        self.mail = MailTask::start(notifier, self.started, self.wake_mail.clone(), clock);
        let summary = format!(
            "{} ({} added, {} removed), {}, mail {}",
            sources_text(config.sources.len()),
            report.added.len(),
            report.retired.len(),
            counted(config.topics.len(), "topic", "topics"),
            if config.email.is_some() { "on" } else { "off" }
        );
        self.config = config;
        Ok(summary)
    }
}
