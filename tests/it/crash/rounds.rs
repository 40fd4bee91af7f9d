//! The crash test's plan: the feeds, their items, and the kill rounds,
//! drawn from a seeded PRNG; and the waits that start each run's clock on
//! what the daemon did, not on wall time.

use super::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kill {
    /// Right after start: opening, migrating, syncing sources.
    Early(u64),
    /// Anywhere after the daemon logged its start: polling, writing,
    /// queueing, sending.
    Random(u64),
    /// As soon as the SMTP server stored a new message (at most this long
    /// after the daemon logged its start):
    /// aims at the gap between "accepted" and "recorded as sent".
    OnAccept(u64),
}

impl Kill {
    pub(super) fn ms(self) -> u64 {
        match self {
            Kill::Early(ms) | Kill::Random(ms) | Kill::OnAccept(ms) => ms,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Smtp {
    Normal,
    /// DATA answered after 1 s: kills land mid-send.
    Slow,
    /// DATA answered 451: attempts and backoff recorded.
    Refuse,
}

/// One item: (guid, title, description).
pub(super) type Item = (String, String, String);

pub(super) struct Round {
    pub(super) kill: Kill,
    pub(super) smtp: Smtp,
    /// Items added to feeds before this round starts.
    pub(super) added: Vec<(usize, Item)>,
}

pub(super) const PLAIN: &[&str] = &[
    "harvest",
    "railway",
    "museum",
    "bridge",
    "river",
    "festival",
    "budget",
    "school",
    "winter",
    "market",
    "hospital",
    "airport",
    "library",
    "football",
    "orchestra",
    "factory",
    "highway",
    "garden",
    "satellite",
    "vaccine",
    "drought",
    "tourism",
    "pension",
    "wildfire",
    "tramway",
    "bakery",
    "heritage",
    "startup",
    "recycling",
    "lighthouse",
    "vineyard",
    "glacier",
];
pub(super) const TOPIC_WORDS: &[&str] = &["ceasefire", "peace talks", "negotiations"];

pub(super) fn make_item(rng: &mut Rng, feed: usize, round: usize, n: usize, topic: bool) -> Item {
    let mut words: Vec<&str> = (0..5).map(|_| rng.pick(PLAIN)).collect();
    let mut text: Vec<&str> = (0..14).map(|_| rng.pick(PLAIN)).collect();
    if topic {
        // "ceasefire" always: the topic matches whatever the other words.
        words.insert(rng.range(0, 5) as usize, "ceasefire");
        text.insert(rng.range(0, 14) as usize, rng.pick(TOPIC_WORDS));
    }
    let guid = format!(
        "f{feed:02}-r{round:02}-{n}{}",
        if topic { "-t" } else { "" }
    );
    let title = format!("{} ({guid})", words.join(" "));
    let desc = format!("{}.", text.join(" "));
    (guid, title, desc)
}

pub(super) fn plan(seed: u64) -> (Vec<Vec<Item>>, Vec<Round>) {
    let mut rng = Rng(seed | 1);
    let initial: Vec<Vec<Item>> = (0..FEEDS)
        .map(|f| {
            (0..2)
                .map(|n| make_item(&mut rng, f, 0, n, n == 1))
                .collect()
        })
        .collect();
    let rounds = (0..ROUNDS)
        .map(|r| {
            let smtp = match rng.range(0, 99) {
                0..=59 => Smtp::Normal,
                60..=84 => Smtp::Slow,
                _ => Smtp::Refuse,
            };
            let kill = match rng.range(0, 99) {
                // The first start creates and migrates the database.
                _ if r == 0 => Kill::Early(rng.range(100, 150)),
                0..=14 => Kill::Early(rng.range(100, 300)),
                15..=24 if smtp != Smtp::Refuse => Kill::OnAccept(rng.range(800, 1500)),
                _ => Kill::Random(rng.range(300, 1500)),
            };
            let mut added = Vec::new();
            if r > 0 {
                for _ in 0..rng.range(3, 6) {
                    let feed = rng.range(0, FEEDS as u64 - 1) as usize;
                    for _ in 0..rng.range(1, 2) {
                        let n = added.len();
                        let topic = rng.chance(55);
                        added.push((feed, make_item(&mut rng, feed, r, n, topic)));
                    }
                }
            }
            Round { kill, smtp, added }
        })
        .collect();
    (initial, rounds)
}

pub(super) struct Feed {
    pub(super) dated: bool,
    /// Items only ever get added (at the end, so `rss` keeps each item's date).
    pub(super) items: Vec<Item>,
    pub(super) version: u32,
}

impl Feed {
    pub(super) fn body(&self) -> String {
        if self.dated {
            let triples: Vec<(&str, &str, &str)> = self
                .items
                .iter()
                .map(|(g, t, d)| (g.as_str(), t.as_str(), d.as_str()))
                .collect();
            rss(&triples)
        } else {
            crate::support::undated_rss(&self.items)
        }
    }

    pub(super) fn guids(&self) -> BTreeSet<String> {
        self.items.iter().map(|i| i.0.clone()).collect()
    }
}

pub(super) fn feed_name(i: usize) -> String {
    format!("feed-{i:02}")
}

pub(super) fn feed_index(name: &str) -> usize {
    name.strip_prefix("feed-")
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("unexpected source {name}"))
}

/// Wait until the daemon started since the log was `log_from` bytes long
/// has logged its start (database open, sources synced, tasks started);
/// fail if it ends first.
pub(super) fn wait_started(
    env: &Env,
    child: &mut crate::support::Running,
    log_from: usize,
    run: &str,
) {
    wait_until(
        &format!("{run}: the daemon's start"),
        Duration::from_secs(120),
        || {
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "{run}: the daemon ended before it started ({status:?})\n{}",
                    log_tail(env)
                );
            }
            daemon_log(env)
                .get(log_from..)
                .is_some_and(|log| log.contains("newswatch started"))
        },
    );
}

/// Before the first items are added: runs that are SIGKILLed like the
/// others (0.3–1.5 s after their start, times the attempt), until every
/// source has had its first successful fetch. That fetch only sets the
/// source's baseline (no alert for its backlog): without these runs a
/// loaded machine that polls little in the first short rounds folds their
/// items into baselines and the test sends little mail; with them, every
/// fresh topic item added later is due an alert, however slow the
/// machine, and kills still land in first polls. Each run is checked like a
/// kill round and must send no mail. Returns the highest fetch id after.
pub(super) fn baseline_rounds(
    env: &Env,
    smtp: &SmtpServer,
    feeds: &Mutex<Vec<Feed>>,
    mut after: i64,
    seed: u64,
) -> i64 {
    let mut rng = Rng(seed.rotate_left(17) | 1);
    let mail_before = received(smtp);
    let polled = || {
        env.try_count("SELECT count(DISTINCT source_id) FROM fetches WHERE outcome = 'ok'")
            == Some(FEEDS as i64)
    };
    let mut n = 0;
    while !polled() {
        n += 1;
        let run = format!("baseline run {n}");
        assert!(
            n <= 20,
            "{run}: 19 runs and not every source polled once\n{}",
            log_tail(env)
        );
        log_marker(env, &run);
        let log_from = daemon_log(env).len();
        let mut child = start(env);
        wait_started(env, &mut child, log_from, &run);
        let limit = Duration::from_millis(rng.range(300, 1500) * n);
        std::thread::sleep(limit);
        signal(&child, "-KILL");
        let status = child.wait().unwrap();
        log_marker(env, &format!("{run}: killed"));
        assert_eq!(
            status.signal(),
            Some(9),
            "{run}: the daemon ended by itself ({status:?}) before the kill\n{}",
            log_tail(env)
        );
        settle(smtp);
        assert_eq!(
            received(smtp),
            mail_before,
            "{run}: a source's first poll raises no alert"
        );
        let snap = check_db(env, &feeds.lock().unwrap(), after, &format!("after {run}"));
        println!(
            "{run}: killed {} ms after its start: {} fetches committed",
            limit.as_millis(),
            snap.max_fetch - after
        );
        after = snap.max_fetch.max(after);
    }
    after
}
