//! `newswatch demo`: the main job, offline, in about twenty seconds. Serves
//! four invented feeds on 127.0.0.1 (`server`, content in `script`), writes
//! a configuration for them into a folder of its own (`folder`), and runs
//! the real daemon on it — `newswatch run` as a child process, so the
//! scheduler, fetch, parse, detection, store and notifier are the ones a
//! real installation runs. The feeds then change in scripted steps: a story
//! reported by three outlets, an edited death toll, an official's shift of
//! position. Mail goes into a Maildir in the folder; a digest is sent at the
//! end, as `newswatch digest --send` would.
//!
//! Timing follows what the daemon has stored, never the clock alone: the
//! server records which step each answer belonged to, and the next step
//! starts only once the database holds a fetch of every feed that got the
//! current step's documents, and the alerts they queued have been mailed
//! (steps at least [`STEP_PACE`] apart, so a person can read along). A
//! slow machine makes the demo longer, never wrong.

mod daemon;
mod folder;
mod script;
mod server;

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::Utc;

use daemon::{Daemon, log_tail, stop_daemon_on_signal};
pub use folder::FolderError;
use folder::{CONFIG, DATABASE, GROUP_WINDOW_SECS, LOG, MAIL, Prepared};
use script::{FEEDS, STEP_REVISION, STEP_SHIFT, STEP_STORY, STEPS};
use server::FeedServer;

use crate::store::{ChangeFilter, FetchRow, OutboxFilter, OutboxRow, Store};

/// Least time between the starts of two steps.
pub const STEP_PACE: Duration = Duration::from_secs(3);
/// Longest wait for the daemon to store one step.
const STEP_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest wait for queued mail to go out.
const MAIL_TIMEOUT: Duration = Duration::from_secs(GROUP_WINDOW_SECS + 60);
/// How long the daemon may take to stop after SIGTERM.
pub(super) const STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// How often the database is looked at while waiting.
const LOOK_EVERY: Duration = Duration::from_millis(100);

/// Run the demo in `dir`, telling `out` what happens. `Ok(0)` when every
/// step had the effect it is there to show, `Ok(1)` when one did not
/// (said in the output); an error when the demo could not run at all (a
/// [`FolderError`] when the folder cannot be used).
pub fn run(dir: &Path, out: &mut dyn Write) -> anyhow::Result<u8> {
    let prepared = folder::prepare(dir)?;
    let exe = std::env::current_exe()
        .context("cannot find the newswatch program to start the daemon with")?;
    let started = Instant::now();
    let demo_start = Utc::now();

    // tokio's I/O driver needs a socket pair; say so plainly if a system
    // call filter forbids it (as `cli::async_runtime` does).
    std::os::unix::net::UnixStream::pair()
        .context("cannot create the socket pair that the async runtime needs")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let server = rt
        .block_on(FeedServer::start(demo_start))
        .context("cannot serve the demo's feeds on 127.0.0.1")?;

    let config_path = dir.join(CONFIG);
    std::fs::write(&config_path, folder::config_text(|i| server.url(i)))
        .with_context(|| format!("cannot write {}", config_path.display()))?;
    let config = crate::config::load(&config_path)
        .map_err(|e| anyhow::anyhow!("the demo wrote a configuration it cannot read: {e}"))?;
    let db = config.daemon.database.clone();
    // Created (and migrated) here, so the demo can read it from the start.
    drop(Store::open(&db)?);

    let mut say = Say { out, started };
    say.plain(&format!(
        "newswatch demo: four invented outlets served on http://{}/, the daemon \
         (`newswatch run`) polling them every second, alerts and a digest mailed \
         into a Maildir. About 20 seconds.",
        server.addr()
    ))?;
    say.plain(&match prepared {
        Prepared::Created => format!("Made {}.", show(dir)),
        Prepared::Empty => format!("Using the empty folder {}.", show(dir)),
        Prepared::Replaced => format!(
            "{} held an earlier demo: its configuration, database, mail and log are replaced.",
            show(dir)
        ),
    })?;
    say.plain("")?;

    let log = dir.join(LOG);
    let daemon = Daemon::start(&exe, &config_path, &log)?;
    if let Some(child) = &daemon.child {
        rt.spawn(stop_daemon_on_signal(rustix::process::Pid::from_child(
            child,
        )));
    }
    let store =
        Store::open_reader(&db, false)?.with_context(|| format!("cannot read {}", db.display()))?;
    let mut demo = Demo {
        say,
        store,
        server: &server,
        daemon,
        fetches_counted: 0,
        mail_told: HashMap::new(),
        changes_told: HashSet::new(),
        problems: Vec::new(),
        revised_item: None,
        story_alert: None,
    };

    let mut step_switched = Instant::now();
    for (step, what) in STEPS.iter().enumerate() {
        if step > 0 {
            // The previous step's alerts go out first: the story alert
            // before the edit that is threaded under it.
            demo.wait_for_mail()?;
            demo.wait_until(step_switched + STEP_PACE)?;
            server.set_step(step);
            step_switched = Instant::now();
        }
        demo.say.line(&format!("step {step}: {what}"))?;
        let fetches = demo.wait_for_step(step)?;
        demo.report_step(step, &fetches)?;
    }
    demo.wait_for_mail()?;
    demo.stop_daemon()?;
    demo.send_digest(&exe, &config_path)?;
    demo.check_mail()?;
    demo.finish(dir, &config_path)
}

/// Progress lines, each with the seconds since the demo started.
struct Say<'a> {
    out: &'a mut dyn Write,
    started: Instant,
}

impl Say<'_> {
    fn line(&mut self, text: &str) -> std::io::Result<()> {
        let secs = self.started.elapsed().as_secs_f64();
        writeln!(self.out, "[{secs:5.1}s] {text}")?;
        self.out.flush()
    }

    /// A line without a time.
    fn plain(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "{text}")?;
        self.out.flush()
    }
}

/// A path as a person would type it in a shell.
fn show(path: &Path) -> String {
    let s = path.display().to_string();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./+:=@%,".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// The first `max` characters of `s`, with "…" when cut.
fn cut(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let head: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", head.trim_end())
    }
}

/// "1 item" / "3 items".
fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The running demo: what it has told and what went wrong.
struct Demo<'a> {
    say: Say<'a>,
    store: Store,
    server: &'a FeedServer,
    daemon: Daemon,
    /// Fetch rows already counted in a "polled" line.
    fetches_counted: usize,
    /// Outbox row → the status last told.
    mail_told: HashMap<i64, String>,
    /// Revisions and shifts told: (kind, item, version).
    changes_told: HashSet<(String, i64, i64)>,
    /// What did not go as scripted.
    problems: Vec<String>,
    /// The item the step-2 edit revised, for `show`.
    revised_item: Option<i64>,
    /// The outbox row of the step-1 story's alert.
    story_alert: Option<i64>,
}

impl Demo<'_> {
    fn problem(&mut self, text: String) -> std::io::Result<()> {
        self.say.line(&format!("PROBLEM: {text}"))?;
        self.problems.push(text);
        Ok(())
    }

    /// Every fetch row, newest first.
    fn fetches(&self) -> anyhow::Result<Vec<FetchRow>> {
        Ok(self.store.recent_fetches(None, 1_000_000)?)
    }

    /// Tell mail as it goes out, until `deadline`.
    fn wait_until(&mut self, deadline: Instant) -> anyhow::Result<()> {
        loop {
            self.daemon.check_running()?;
            self.tell_mail()?;
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            std::thread::sleep(LOOK_EVERY.min(deadline - now));
        }
    }

    /// Wait until the database holds, for every feed, a fetch that got
    /// `step`'s document; returns the fetch rows then.
    fn wait_for_step(&mut self, step: usize) -> anyhow::Result<Vec<FetchRow>> {
        let deadline = Instant::now() + STEP_TIMEOUT;
        loop {
            self.daemon.check_running()?;
            let fetches = self.fetches()?;
            let stored = FEEDS.iter().enumerate().all(|(i, feed)| {
                self.server
                    .first_answer_of_step(i, step)
                    .is_some_and(|n| fetches.iter().filter(|f| f.source == feed.name).count() >= n)
            });
            if stored {
                return Ok(fetches);
            }
            self.tell_mail()?;
            if Instant::now() >= deadline {
                bail!(
                    "the daemon did not store step {step} within {} s; the end of its log, {}:\n{}",
                    STEP_TIMEOUT.as_secs(),
                    self.daemon.log.display(),
                    log_tail(&self.daemon.log)
                );
            }
            std::thread::sleep(LOOK_EVERY);
        }
    }

    /// Tell what a step's polls stored and check it is what the step is for.
    fn report_step(&mut self, step: usize, fetches: &[FetchRow]) -> anyhow::Result<()> {
        let fresh = &fetches[..fetches.len().saturating_sub(self.fetches_counted)];
        self.fetches_counted = fetches.len();
        let failed: Vec<&FetchRow> = fresh.iter().filter(|f| f.error.is_some()).collect();
        for f in &failed {
            let error = f.error.clone().unwrap_or_default();
            self.problem(format!("polling {} failed: {error}", f.source))?;
        }
        let new: i64 = fresh.iter().map(|f| f.items_new).sum();
        let changed: i64 = fresh.iter().map(|f| f.items_changed).sum();
        let mut what = Vec::new();
        if new > 0 {
            what.push(count(new as usize, "new item", "new items"));
        }
        if changed > 0 {
            what.push(count(changed as usize, "changed item", "changed items"));
        }
        if what.is_empty() {
            what.push("nothing new".into());
        }
        self.say.line(&format!(
            "polled the {} feeds: {}",
            FEEDS.len(),
            what.join(", ")
        ))?;
        let want_new = script::new_in_step(step) as i64;
        let want_changed = i64::from(step == STEP_REVISION);
        if (new, changed) != (want_new, want_changed) {
            self.problem(format!(
                "step {step} should bring {want_new} new and {want_changed} changed items, \
                 not {new} and {changed}"
            ))?;
        }
        self.tell_queued_stories(step)?;
        self.tell_changes(step)?;
        self.tell_mail()?;
        Ok(())
    }

    /// Story alerts queued since the last look, with the outlets of each.
    fn tell_queued_stories(&mut self, step: usize) -> anyhow::Result<()> {
        let mut rows = self.store.outbox(OutboxFilter::All, 1000)?;
        rows.reverse();
        let mut queued = Vec::new();
        for row in rows {
            if row.kind == "story" && !self.mail_told.contains_key(&row.id) {
                self.mail_told.insert(row.id, "queued".into());
                queued.push(row);
            }
        }
        for row in &queued {
            let sources = match row.story_id {
                Some(story) => self.store.story_view(story)?.sources,
                None => Vec::new(),
            };
            let outlets = match sources.len() {
                0 | 1 => "one outlet so far".to_string(),
                n => format!("{n} outlets, one story: {}", sources.join(", ")),
            };
            self.say.line(&format!(
                "alert queued for a new story on {} ({outlets}); it waits {GROUP_WINDOW_SECS}s \
                 for more outlets (group_window)",
                row.topics.join(", ")
            ))?;
            if step == STEP_STORY && sources.len() == 3 {
                self.story_alert = Some(row.id);
            }
        }
        if step == STEP_STORY && (queued.len() != 1 || self.story_alert.is_none()) {
            self.problem(format!(
                "the three reports should make one story alert for three outlets; {} story \
                 alert(s) were queued",
                queued.len()
            ))?;
        }
        if step == 0 && !queued.is_empty() {
            self.problem("a feed's first poll raised an alert".into())?;
        }
        Ok(())
    }

    /// Revisions and shifts found since the last look; checks the step's one.
    fn tell_changes(&mut self, step: usize) -> anyhow::Result<()> {
        let mut rows = self.store.changes(&ChangeFilter {
            since: None,
            min: None,
            topic: None,
            limit: 1000,
        })?;
        rows.reverse();
        let (mut revisions, mut shifts) = (0, 0);
        for row in rows {
            let key = (row.kind.clone(), row.item_id, row.to_version);
            if !self.changes_told.insert(key) {
                continue;
            }
            if row.kind == "shift" {
                shifts += 1;
                self.say.line(&format!(
                    "shift: {} on {}: \u{201c}{}\u{201d} (before: \u{201c}{}\u{201d})",
                    row.speaker.as_deref().unwrap_or("?"),
                    row.topics.join(", "),
                    cut(row.statement.as_deref().unwrap_or(""), 70),
                    cut(row.earlier_statement.as_deref().unwrap_or(""), 50),
                ))?;
            } else {
                revisions += 1;
                if row.significance == crate::model::Significance::Major {
                    self.revised_item = Some(row.item_id);
                }
                self.say.line(&format!(
                    "revision ({}): {}, \u{201c}{}\u{201d}: {}",
                    row.significance,
                    row.source,
                    cut(&row.title, 60),
                    row.reasons.join(", ")
                ))?;
            }
        }
        let want = (
            usize::from(step == STEP_REVISION),
            usize::from(step == STEP_SHIFT),
        );
        if (revisions, shifts) != want {
            self.problem(format!(
                "step {step} should find {} revision(s) and {} shift(s), not {revisions} and {shifts}",
                want.0, want.1
            ))?;
        }
        if step == STEP_REVISION && self.revised_item.is_none() {
            self.problem("the edited death toll should be a major revision".into())?;
        }
        Ok(())
    }

    /// Tell each message once it is sent (or given up on).
    fn tell_mail(&mut self) -> anyhow::Result<()> {
        let mut rows = self.store.outbox(OutboxFilter::All, 1000)?;
        rows.reverse();
        for row in rows {
            if row.status == "pending" || self.mail_told.get(&row.id) == Some(&row.status) {
                continue;
            }
            self.mail_told.insert(row.id, row.status.clone());
            let subject = row.subject.clone().unwrap_or_default();
            match (row.status.as_str(), row.kind.as_str()) {
                ("sent", "digest") => self.say.line(&format!("digest sent: {subject}"))?,
                ("sent", _) => self.say.line(&format!("alert: {subject}"))?,
                _ => self.problem(format!(
                    "a {} message was not sent: {}",
                    row.kind,
                    row.last_error.as_deref().unwrap_or(&row.status)
                ))?,
            }
        }
        Ok(())
    }

    /// Wait until nothing waits in the outbox.
    fn wait_for_mail(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + MAIL_TIMEOUT;
        while !self.store.outbox(OutboxFilter::Pending, 1)?.is_empty() {
            if Instant::now() >= deadline {
                bail!(
                    "the alerts were not mailed within {} s; see `newswatch outbox` and {}",
                    MAIL_TIMEOUT.as_secs(),
                    self.daemon.log.display()
                );
            }
            self.wait_until(Instant::now() + LOOK_EVERY)?;
        }
        self.tell_mail()?;
        Ok(())
    }

    fn stop_daemon(&mut self) -> anyhow::Result<()> {
        let status = self.daemon.stop()?;
        if status.success() {
            self.say
                .line("stopped the daemon (SIGTERM), as systemd would")?;
        } else {
            self.problem(format!(
                "the daemon ended with {status}; see {}",
                self.daemon.log.display()
            ))?;
        }
        Ok(())
    }

    /// The digest is scheduled for 18:00 Kyiv time: sent now, as
    /// `newswatch digest --send` does (the daemon stopped first, so the
    /// message is sent once). Skipped when its schedule happened to fire
    /// during the demo.
    fn send_digest(&mut self, exe: &Path, config: &Path) -> anyhow::Result<()> {
        let sent = self
            .store
            .outbox(OutboxFilter::All, 1000)?
            .iter()
            .any(|r| r.kind == "digest");
        if sent {
            return Ok(());
        }
        self.say
            .line("the digest 'evening' is due at 18:00 Kyiv time; sending it now: newswatch digest --send")?;
        let output = Command::new(exe)
            .arg("--config")
            .arg(config)
            .args(["digest", "--send"])
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("cannot start {} digest --send", exe.display()))?;
        if !output.status.success() {
            self.problem(format!(
                "`newswatch digest --send` failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))?;
        }
        self.tell_mail()?;
        Ok(())
    }

    /// What the Maildir must hold at the end: the story alert once, the
    /// revision and the shift alerts, a digest; nothing unsent.
    fn check_mail(&mut self) -> anyhow::Result<()> {
        let rows: Vec<OutboxRow> = self.store.outbox(OutboxFilter::All, 1000)?;
        let sent = |kind: &str| {
            rows.iter()
                .filter(|r| r.kind == kind && r.status == "sent")
                .count()
        };
        for (kind, what) in [
            ("revision", "the revision alert"),
            ("shift", "the shift alert"),
            ("digest", "the digest"),
        ] {
            if sent(kind) == 0 {
                self.problem(format!("{what} was not sent"))?;
            }
        }
        if let Some(id) = self.story_alert
            && !rows.iter().any(|r| r.id == id && r.status == "sent")
        {
            self.problem("the story alert was not sent".into())?;
        }
        let unsent = rows.iter().filter(|r| r.status != "sent").count();
        if unsent > 0 {
            self.problem(format!("{unsent} message(s) were not sent"))?;
        }
        Ok(())
    }

    /// The summary, what to type next, and the exit code.
    fn finish(mut self, dir: &Path, config: &Path) -> anyhow::Result<u8> {
        let status = self.store.status(Utc::now())?;
        let mail_dir = dir.join(MAIL);
        let messages = std::fs::read_dir(mail_dir.join("new"))
            .map(|d| d.filter_map(Result::ok).count())
            .unwrap_or(0);
        let secs = self.say.started.elapsed().as_secs_f64();
        self.say.plain("")?;
        self.say.plain(&format!(
            "Done in {secs:.0} s: {} from {} feeds in {}, {} in {}.",
            count(status.items as usize, "item", "items"),
            FEEDS.len(),
            show(&dir.join(DATABASE)),
            count(messages, "message", "messages"),
            show(&mail_dir.join("new")),
        ))?;
        self.say.plain(&format!(
            "The daemon's log is {}. The feeds are gone with the demo; the database and mail stay.",
            show(&dir.join(LOG))
        ))?;
        self.say.plain("")?;
        self.say.plain(
            "Look around (`newswatch` is `cargo run --release --` in a checkout of newswatch):",
        )?;
        let nw = format!("newswatch --config {}", show(config));
        let mut next = vec![
            (format!("{nw} items"), "what was stored, newest first"),
            (
                format!("{nw} items --topic {}", script::TOPIC),
                "only the items on the demo's topic",
            ),
            (
                format!("{nw} changes"),
                "the revision and the shift, with word diffs",
            ),
        ];
        if let Some(id) = self.revised_item {
            next.push((format!("{nw} show {id}"), "the edited item, both versions"));
        }
        next.extend([
            (format!("{nw} search ceasefire"), "full-text search"),
            (
                format!("{nw} digest --preview --since 1h"),
                "a digest of the last hour, on the terminal",
            ),
            (format!("{nw} outbox"), "the mail it sent"),
            (
                format!("ls {}", show(&mail_dir.join("new"))),
                "one file per message",
            ),
            (format!("mutt -f {}", show(&mail_dir)), "read the mail"),
        ]);
        let width = next
            .iter()
            .map(|(c, _)| c.chars().count())
            .max()
            .unwrap_or(0);
        for (command, why) in &next {
            self.say.plain(&format!("  {command:width$}  # {why}"))?;
        }
        self.say.plain("")?;
        self.say.plain(
            "Then real feeds: `newswatch poll --all` and `newswatch run` on the shipped \
             configuration (README, \"Watch the news\").",
        )?;
        if self.problems.is_empty() {
            return Ok(0);
        }
        self.say.plain("")?;
        self.say.plain(&format!(
            "The demo did not go as scripted ({}); this is a bug in the demo or in the detection:",
            count(self.problems.len(), "problem", "problems")
        ))?;
        for p in &self.problems {
            self.say.plain(&format!("  - {p}"))?;
        }
        Ok(1)
    }
}
