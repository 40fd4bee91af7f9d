//! Crash safety: `newswatch run` killed with SIGKILL at random
//! moments, over and over, against growing feeds and a real SMTP server.
//! This file: the scenario and the model of what must be stored and
//! mailed; its plan (feeds, kill rounds) in `rounds`, the checks of the
//! database after every kill in `checks`.

mod checks;
mod rounds;

use std::collections::{BTreeMap, BTreeSet};
use std::os::unix::process::ExitStatusExt;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::rss;
use crate::support::smtp::SmtpServer;
use crate::support::{Rng, signal, wait_until};
use checks::*;
use rounds::*;

/// Feeds served; the even ones through `support::rss` (dated 4 May 2026:
/// stored, never alerted, being older than 48 h), the odd ones undated (dated
/// when first seen: fresh news, so topic items on them raise alerts).
const FEEDS: usize = 20;
/// Kill rounds (each: start, run 100–300 ms from the start or 300–1500 ms
/// from its logged start, SIGKILL).
const ROUNDS: usize = 52;
/// The PRNG seed; `NEWSWATCH_CRASH_SEED` (decimal or 0x…) picks another.
const SEED: u64 = 0x6e65_7773_7761_7463;
/// `[email] from` is at example.org: every Message-ID ends with it.
const MAIL_DOMAIN: &str = "example.org";

const TOPICS: &str = r#"
[[topic]]
name = "talks"
query = 'ceasefire OR "peace talks" OR negotiat*'
alert = "immediate"
"#;

/// The `[email]` section of mail.rs, with a one-second grouping window.
fn email_section(smtp_url: &str) -> String {
    format!(
        "[email]\nsmtp_url = \"{smtp_url}\"\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"analyst@example.org\", \"desk@example.org\"]\ngroup_window = \"1s\"\nretry_min = \"1s\"\nretry_max = \"2s\"\ntimeout = \"5s\"\n"
    )
}

fn start(env: &Env) -> crate::support::Running {
    crate::support::start_daemon(env, &[])
}

fn log_marker(env: &Env, line: &str) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(env.path("daemon.log"))
        .unwrap();
    let now = chrono::Utc::now().format("%H:%M:%S%.3f");
    writeln!(f, "===== {now} {line}").unwrap();
}

fn daemon_log(env: &Env) -> String {
    std::fs::read_to_string(env.path("daemon.log")).unwrap_or_default()
}

/// The end of the daemon log, for failure messages.
fn log_tail(env: &Env) -> String {
    let log = daemon_log(env);
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

/// With `NEWSWATCH_CRASH_KEEP=DIR`, the daemon log, the SMTP server's log
/// and the database are copied to DIR when the test ends, passed or failed.
struct Keep<'a> {
    env: &'a Env,
    smtp: &'a SmtpServer,
}

impl Drop for Keep<'_> {
    fn drop(&mut self) {
        let Some(dir) = std::env::var_os("NEWSWATCH_CRASH_KEEP") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("daemon.log"), daemon_log(self.env));
        let _ = std::fs::write(dir.join("smtp.log"), self.smtp.log());
        for name in ["test.db", "test.db-wal"] {
            let _ = std::fs::copy(self.env.path(name), dir.join(name));
        }
    }
}

fn seed() -> u64 {
    match std::env::var("NEWSWATCH_CRASH_SEED") {
        Ok(s) => {
            let s = s.trim();
            match s.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(hex, 16),
                None => s.parse(),
            }
            .unwrap_or_else(|e| panic!("NEWSWATCH_CRASH_SEED={s}: {e}"))
        }
        Err(_) => SEED,
    }
}

/// `newswatch run` is SIGKILLed 52 times at moments drawn from a seeded PRNG
/// (right after start, anywhere 0.3–1.5 s after it logged its start, or the
/// instant the SMTP server stored a message), while 20 feeds grow between
/// rounds, the first growth only once every source was polled (by as many
/// runs, killed alike, as that takes), so that what is added later is news
/// (served with ETags,
/// so unchanged ones answer 304; some answer after 200 ms, one drips its
/// body, so kills also land mid-fetch) and the SMTP server answers normally,
/// slowly (1 s before the DATA reply: kills land mid-send) or with 451. A
/// final clean run polls everything and drains the outbox, then stops on
/// SIGTERM. The schedule and per-round statistics are printed
/// (`--nocapture`); `NEWSWATCH_CRASH_SEED` replays another schedule and
/// `NEWSWATCH_CRASH_KEEP=DIR` keeps the logs and the database.
///
/// What is guaranteed, and asserted:
/// - after every kill the database passes `integrity_check` and
///   `foreign_key_check`, and every source that completed a fetch (200 or
///   304) in the killed run stores every item its feed served in that run:
///   a fetch is committed whole, with its ETag, or not at all;
/// - the runs that poll every source for the first time send no mail (a
///   first poll only sets the baseline), and pass the same checks;
/// - nothing is lost: after the final run every item ever served is stored,
///   and every fresh item on the immediate topic that was not part of its
///   source's baseline poll has its alert in the outbox;
/// - no mail is lost or invented: the distinct Message-IDs received are
///   exactly the outbox rows (all `sent`);
/// - no mail is doubled except in the one window no SMTP client can close:
///   the whole DATA went out and the process was killed before the database
///   recorded the row as sent, while the server went on to store the
///   message (its 250 reaching a dead socket, or the client dying before
///   its commit). Every earlier copy of a Message-ID received more than
///   once must have arrived in a round that ended in a kill, with the row
///   still not `sent` after that kill; no copy arrives once the row was
///   recorded `sent`, no two copies come from one run, and a kill leaves at
///   most one message unrecorded (mail goes out one at a time, each recorded
///   before the next). The resend carries the same Message-ID, so mail
///   clients and servers recognise it.
///
/// Such duplicates are counted and printed, not asserted to be zero: the
/// window includes the server's own handling of the DATA (the test server
/// writes and fsyncs the message before it answers, tens of ms here), so
/// with kills landing while mail flows they are common: 4–9 per run of 52
/// kills were observed. A real MTA can take longer still (filters, queue
/// fsync), so at-least-once is the honest guarantee.
#[test]
fn sigkill_at_random_moments_loses_nothing_and_doubles_no_mail() {
    let started = Instant::now();
    let seed = seed();
    let (initial, rounds) = plan(seed);
    println!("crash test seed {seed:#x}: {ROUNDS} rounds (kill after ms, SMTP mode, items added)");
    for (r, round) in rounds.iter().enumerate() {
        let topics = round
            .added
            .iter()
            .filter(|(_, i)| i.0.ends_with("-t"))
            .count();
        println!(
            "  round {r:2}: {:?} {:?}, +{} items ({topics} on the topic)",
            round.kill,
            round.smtp,
            round.added.len()
        );
    }

    let smtp = SmtpServer::start();
    let http = TestServer::start();
    let feeds: Arc<Mutex<Vec<Feed>>> = Arc::new(Mutex::new(
        initial
            .into_iter()
            .enumerate()
            .map(|(i, items)| Feed {
                dated: i % 2 == 0,
                items,
                version: 1,
            })
            .collect(),
    ));
    for i in 0..FEEDS {
        let feeds = feeds.clone();
        http.route(&format!("/f{i:02}"), move |req| {
            let feeds = feeds.lock().unwrap();
            let feed = &feeds[i];
            let etag = format!("\"f{i}-v{}\"", feed.version);
            if req.header("if-none-match") == Some(etag.as_str()) {
                return Response::status(304).header("ETag", &etag);
            }
            let mut response = Response::ok(feed.body())
                .header("Content-Type", "application/rss+xml")
                .header("ETag", &etag);
            // Some fetches take a while, so that kills land mid-fetch too.
            if i % 5 == 4 {
                response.delay = Duration::from_millis(200);
            }
            if i == 7 {
                response.drip = Some((512, Duration::from_millis(25)));
            }
            response
        });
    }
    let sources: String = (0..FEEDS)
        .map(|i| {
            format!(
                "[[source]]\nname = \"{}\"\nurl = \"{}\"\ninterval = \"1s\"\n\n",
                feed_name(i),
                http.url(&format!("/f{i:02}"))
            )
        })
        .collect();
    let env = Env::new(
        "min_interval = \"1s\"\njitter = 0.0",
        &format!("{sources}{TOPICS}\n{}", email_section(&smtp.url())),
    );

    let _keep = Keep {
        env: &env,
        smtp: &smtp,
    };
    let requests = || -> usize {
        (0..FEEDS)
            .map(|i| http.requests(&format!("/f{i:02}")).len())
            .sum()
    };
    let smtp_log_count = |needle: &str| smtp.log().matches(needle).count();

    // Per killed round: messages received by the end of it (once settled),
    // and the database after the kill.
    let mut received_after: Vec<usize> = Vec::new();
    let mut snapshots: Vec<Snapshot> = Vec::new();
    let mut prev_fetch = 0i64;
    let (mut mid_fetch, mut mid_data, mut on_accept_hits) = (0, 0, 0);
    for (r, round) in rounds.iter().enumerate() {
        if r == 1 {
            prev_fetch = baseline_rounds(&env, &smtp, &feeds, prev_fetch, seed);
        }
        {
            let mut feeds = feeds.lock().unwrap();
            let mut touched = BTreeSet::new();
            for (f, item) in &round.added {
                feeds[*f].items.push(item.clone());
                touched.insert(*f);
            }
            for f in touched {
                feeds[f].version += 1;
            }
        }
        smtp.slow((round.smtp == Smtp::Slow).then_some(1));
        smtp.refuse(round.smtp == Smtp::Refuse);
        let (msgs_before, reqs_before) = (received(&smtp), requests());
        let slow_before = smtp_log_count("slow: sleeping");
        log_marker(
            &env,
            &format!("round {r}: {:?} {:?}", round.kill, round.smtp),
        );

        let log_from = daemon_log(&env).len();
        let mut child = start(&env);
        let mut t0 = Instant::now();
        if !matches!(round.kill, Kill::Early(_)) {
            // Past startup, the kill moment counts from readiness: a loaded
            // machine that starts slowly still gets killed while it works.
            wait_started(&env, &mut child, log_from, &format!("round {r}"));
            t0 = Instant::now();
        }
        let limit = Duration::from_millis(round.kill.ms());
        if let Kill::OnAccept(_) = round.kill {
            while received(&smtp) == msgs_before && t0.elapsed() < limit {
                std::thread::sleep(Duration::from_millis(1));
            }
            if received(&smtp) > msgs_before {
                on_accept_hits += 1;
            }
        } else {
            std::thread::sleep(limit.saturating_sub(t0.elapsed()));
        }
        let ran = t0.elapsed();
        signal(&child, "-KILL");
        let status = child.wait().unwrap();
        log_marker(&env, &format!("round {r}: killed"));
        assert_eq!(
            status.signal(),
            Some(9),
            "round {r}: the daemon ended by itself ({status:?}) before the kill\n{}",
            log_tail(&env)
        );
        settle(&smtp);
        let msgs = received(&smtp);
        received_after.push(msgs);

        let feeds_now = feeds.lock().unwrap();
        let snap = check_db(&env, &feeds_now, prev_fetch, &format!("after kill {r}"));
        drop(feeds_now);
        let fetches = snap.max_fetch - prev_fetch;
        let reqs = requests() - reqs_before;
        if reqs as i64 > fetches {
            mid_fetch += 1;
        }
        let sleeps = smtp_log_count("slow: sleeping") - slow_before;
        if round.smtp == Smtp::Slow && sleeps > msgs - msgs_before {
            mid_data += 1;
        }
        println!(
            "round {r:2}: killed after {:4} ms ({:?}, {:?}): {reqs} requests, {fetches} fetches \
             committed, {} items, outbox {} ({} sent), {} mail received this round",
            ran.as_millis(),
            round.kill,
            round.smtp,
            snap.items,
            snap.outbox,
            snap.sent.len(),
            msgs - msgs_before
        );
        prev_fetch = snap.max_fetch.max(prev_fetch);
        snapshots.push(snap);
    }
    println!(
        "kills with a fetch in flight or uncommitted: {mid_fetch}; during a slow DATA: {mid_data}; \
         right after an accepted message: {on_accept_hits}; {:.1} s so far",
        started.elapsed().as_secs_f64()
    );

    // The final clean run: everything polled after the last change, every
    // message delivered, then SIGTERM.
    smtp.slow(None);
    smtp.refuse(false);
    log_marker(&env, "final run");
    let mut child = start(&env);
    let last_fetch = prev_fetch;
    wait_until(
        "every source fetched after the last change",
        Duration::from_secs(300),
        || {
            env.try_count(&format!(
                "SELECT count(DISTINCT source_id) FROM fetches
                 WHERE id > {last_fetch} AND outcome IN ('ok', 'not_modified')"
            )) == Some(FEEDS as i64)
        },
    );
    wait_until("an empty outbox", Duration::from_secs(300), || {
        env.try_count("SELECT count(*) FROM outbox WHERE status <> 'sent'") == Some(0)
    });
    signal(&child, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "SIGTERM\n{}", log_tail(&env));
    assert_eq!(
        env.text("SELECT stop_reason FROM runs ORDER BY id DESC LIMIT 1")
            .as_deref(),
        Some("SIGTERM"),
        "the final run's clean stop is recorded"
    );

    // Nothing lost: every item ever served is stored.
    let feeds = feeds.lock().unwrap();
    let final_snap = check_db(&env, &feeds, last_fetch, "after the final run");
    let db = env.db();
    let mut served_total = 0;
    for (i, feed) in feeds.iter().enumerate() {
        let stored: BTreeSet<String> = strings(
            &db,
            "SELECT i.guid FROM items i JOIN sources s ON s.id = i.source_id WHERE s.name = ?1",
            [feed_name(i)],
        )
        .into_iter()
        .collect();
        let missing: Vec<String> = feed.guids().difference(&stored).cloned().collect();
        assert!(missing.is_empty(), "{} lost {missing:?}", feed_name(i));
        served_total += feed.items.len();
    }
    assert_eq!(final_snap.items, served_total as i64);

    // Every fresh topic item past its source's baseline poll has its alert
    // (one per story: a later outlet of a story folds into its row).
    let candidates: Vec<(String, bool)> = {
        let mut stmt = db
            .prepare(
                "SELECT s.name || ' ' || i.guid,
                        EXISTS (SELECT 1 FROM outbox o WHERE o.kind = 'story'
                                AND (o.item_id = i.id OR o.story_id = i.story_id))
                 FROM items i
                 JOIN sources s ON s.id = i.source_id
                 JOIN item_versions v ON v.item_id = i.id AND v.version = 1
                 WHERE i.guid LIKE '%-t'
                   AND i.published_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 day')
                   AND EXISTS (SELECT 1 FROM fetches f WHERE f.source_id = i.source_id
                               AND f.outcome = 'ok' AND f.id < v.fetch_id)",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let unalerted: Vec<&String> = candidates
        .iter()
        .filter(|(_, alerted)| !alerted)
        .map(|(name, _)| name)
        .collect();
    assert!(
        unalerted.is_empty(),
        "items on the immediate topic without an alert: {unalerted:?}"
    );
    let alerted: i64 = one(&db, "SELECT count(*) FROM outbox");
    assert!(
        alerted >= 20,
        "the test should exercise mail: only {alerted} alerts"
    );

    // Mail: the distinct Message-IDs received are exactly the outbox rows.
    let rows: BTreeMap<String, String> = {
        let mut stmt = db
            .prepare("SELECT message_key, status FROM outbox")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let msgs = smtp.messages();
    let round_of = |index: usize| received_after.iter().position(|&n| index < n);
    let mut copies: BTreeMap<String, Vec<(usize, Option<usize>)>> = BTreeMap::new();
    for (index, m) in msgs.iter().enumerate() {
        let id = m
            .message_id()
            .unwrap_or_else(|| panic!("a message without Message-ID: {}", m.subject()));
        copies.entry(id).or_default().push((index, round_of(index)));
    }
    let expected: BTreeSet<String> = rows
        .keys()
        .map(|k| format!("<{k}@{MAIL_DOMAIN}>"))
        .collect();
    let got: BTreeSet<String> = copies.keys().cloned().collect();
    let lost: Vec<&String> = expected.difference(&got).collect();
    let stray: Vec<&String> = got.difference(&expected).collect();
    assert!(lost.is_empty(), "outbox rows never received: {lost:?}");
    assert!(
        stray.is_empty(),
        "received but not in the outbox: {stray:?}"
    );
    for (key, status) in &rows {
        assert_eq!(status, "sent", "outbox row {key}");
    }

    // Duplicates: only from the accepted-but-not-recorded window.
    let key_of = |id: &str| {
        id.trim_start_matches('<')
            .trim_end_matches('>')
            .trim_end_matches(&format!("@{MAIL_DOMAIN}"))
            .to_string()
    };
    let mut duplicates = Vec::new();
    let mut unrecorded: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (id, list) in &copies {
        let key = key_of(id);
        let rounds_of: Vec<Option<usize>> = list.iter().map(|c| c.1).collect();
        let describe = || {
            let subject = msgs[list[0].0].subject();
            format!("{id} ({subject}) received in rounds {rounds_of:?} (None = the final run)")
        };
        for (n, &(_, round)) in list.iter().enumerate() {
            // No copy once the database said sent at the start of its round.
            let before = match round {
                Some(0) => None,
                Some(r) => Some(r - 1),
                None => Some(snapshots.len() - 1),
            };
            if let Some(b) = before {
                assert!(
                    !snapshots[b].sent.contains(&key),
                    "sent again after it was recorded as sent: {}",
                    describe()
                );
            }
            if n + 1 < list.len() {
                // An earlier copy: its run was killed before recording it.
                let r = round.unwrap_or_else(|| {
                    panic!("sent twice, first by the clean final run: {}", describe())
                });
                assert!(
                    !snapshots[r].sent.contains(&key),
                    "sent twice though recorded as sent: {}",
                    describe()
                );
                assert_ne!(
                    Some(round),
                    list.get(n + 1).map(|c| c.1),
                    "sent twice by one run: {}",
                    describe()
                );
                duplicates.push(describe());
                unrecorded.entry(r).or_default().push(id.clone());
            }
        }
    }
    // Mail goes out one message at a time, each recorded before the next is
    // sent: a kill leaves at most one accepted message unrecorded.
    for (r, ids) in &unrecorded {
        assert_eq!(
            ids.len(),
            1,
            "run {r} was killed with several accepted messages unrecorded: {ids:?}"
        );
    }
    println!(
        "{} fresh topic items past their source's baseline, each with its alert",
        candidates.len()
    );
    println!(
        "{} outbox rows, {} messages received, {} distinct Message-IDs; duplicates from the \
         accepted-then-killed window: {} {duplicates:?}; {} items stored; {:.1} s in all",
        rows.len(),
        msgs.len(),
        copies.len(),
        duplicates.len(),
        final_snap.items,
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        msgs.len(),
        copies.len() + duplicates.len(),
        "every copy beyond the first is accounted for; {} duplicate(s) from the \
         accepted-then-killed window: {duplicates:?}",
        duplicates.len()
    );
}
