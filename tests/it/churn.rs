//! A live story updated more often than the churn guard allows: its later
//! major updates are not dropped but combined into one alert with the
//! latest figures, threaded under the story's alert. Feeds served on
//! loopback, the real binary, a real SMTP server on 127.0.0.1.

use std::time::Duration;

use crate::mail::{FILLER, TOPICS, by_subject};
use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::SmtpServer;
use crate::support::undated_rss as feed;

/// The live story when `killed` people are reported dead.
fn live(killed: u32) -> (String, String, String) {
    (
        "strike".into(),
        format!("Strike on Kharkiv during ceasefire talks kills {killed} people"),
        format!(
            "Rescuers in Kharkiv say {killed} people were killed when a missile hit a residential \
             block on Monday, as delegations met for ceasefire talks."
        ),
    )
}

fn filler() -> (String, String, String) {
    (FILLER.0.into(), FILLER.1.into(), FILLER.2.into())
}

/// One source, "Wire", polled by `poll --all`, with mail to a real SMTP
/// server and no grouping window; its feed holds the filler item, polled
/// once when it starts (the baseline).
struct Wire {
    smtp: SmtpServer,
    http: TestServer,
    env: Env,
}

impl Wire {
    fn start() -> Wire {
        let smtp = SmtpServer::start();
        let http = TestServer::start();
        http.fixed("/wire", Response::ok(feed(&[filler()])));
        let env = Env::new(
            "",
            &format!(
                "[[source]]\nname = \"Wire\"\nurl = \"{}\"\n{TOPICS}\n\
                 [email]\nsmtp_url = \"{}\"\nfrom = \"alerts@example.org\"\nto = [\"analyst@example.org\"]\n\
                 group_window = \"0s\"\nretry_min = \"1s\"\nretry_max = \"2s\"\ntimeout = \"5s\"\n",
                http.url("/wire"),
                smtp.url()
            ),
        );
        env.run(&["poll", "--all"]).expect(0);
        Wire { smtp, http, env }
    }

    /// Serve the live story with `killed` dead (and the filler), and poll.
    fn poll_with(&self, killed: u32) {
        self.http
            .fixed("/wire", Response::ok(feed(&[live(killed), filler()])));
        self.env.run(&["poll", "--all"]).expect(0);
    }
}

/// The outbox rows still waiting, as `outbox --json` lists them.
fn pending_rows(env: &Env) -> Vec<serde_json::Value> {
    env.run(&["--json", "outbox"])
        .expect(0)
        .json_lines()
        .into_iter()
        .filter(|r| r["status"] == "pending")
        .collect()
}

#[test]
fn a_churning_story_sends_its_later_major_updates_as_one_combined_alert() {
    let wire = Wire::start();
    let (smtp, env) = (&wire.smtp, &wire.env);
    let poll_with = |killed: u32| wire.poll_with(killed);
    // The story, after the baseline: its alert.
    poll_with(3);
    let msgs = smtp.wait_for(1, Duration::from_secs(10));
    let story_id = by_subject(&msgs, "Kharkiv")
        .message_id()
        .expect("Message-ID");

    // Five major updates within the day: one alert each.
    for (n, killed) in [5, 8, 11, 14, 17].into_iter().enumerate() {
        poll_with(killed);
        let msgs = smtp.wait_for(n + 2, Duration::from_secs(10));
        assert_eq!(msgs.len(), n + 2);
        let last = msgs.last().unwrap();
        assert!(
            last.subject().contains("changed (major)")
                && last.subject().contains(&format!("kills {killed} people")),
            "{}",
            last.subject()
        );
        assert!(last.text().contains("why: figure"), "{}", last.text());
    }

    // Past the churn guard: three more major updates are held, as one
    // combined alert that waits, and takes the latest of them.
    for killed in [19, 22, 25] {
        poll_with(killed);
    }
    assert_eq!(
        smtp.messages().len(),
        6,
        "nothing sent for the held updates: {:?} {:?}",
        smtp.messages()
            .iter()
            .map(|m| m.subject())
            .collect::<Vec<_>>(),
        env.run(&["--json", "outbox"]).expect(0).stdout
    );
    assert_eq!(
        env.count(
            "SELECT count(*) FROM revisions WHERE reported = 0 AND flags LIKE '%churn%' \
             AND significance = 'major'"
        ),
        3
    );
    let pending = pending_rows(env);
    assert_eq!(pending.len(), 1, "{pending:?}");
    assert_eq!(pending[0]["kind"], "revision");

    // Sent (here at once, not after its hold): one message with the
    // latest figure and every held update, threaded under the story.
    env.run(&["outbox", "send"]).expect(0);
    let msgs = smtp.wait_for(7, Duration::from_secs(10));
    assert_eq!(msgs.len(), 7);
    let combined = by_subject(&msgs, "3 updates");
    assert!(
        combined.subject().contains(
            "changed (major, 3 updates): Strike on Kharkiv during ceasefire talks kills 25 people"
        ),
        "{}",
        combined.subject()
    );
    assert_eq!(combined.in_reply_to().as_deref(), Some(story_id.as_str()));
    let text = combined.text();
    assert!(text.contains("3 major updates in one message"), "{text}");
    // Each held update with its figure, then one diff from what the
    // reader last got (the alert on 17) to the latest, title and text.
    for step in ["17 → 19", "19 → 22", "22 → 25"] {
        assert!(text.contains(&format!("why: figure {step}")), "{text}");
    }
    assert!(
        text.contains("Strike on Kharkiv during ceasefire talks kills [-17-]{+25+} people"),
        "{text}"
    );
    assert!(
        text.contains("Rescuers in Kharkiv say [-17-]{+25+} people were killed"),
        "{text}"
    );
    assert!(!text.contains("[-22-]"), "{text}");
    let html = combined.html();
    assert_eq!(html.matches("<del").count(), 2, "{html}");
    assert!(
        html.contains("17</del>") && html.contains("25</ins>"),
        "{html}"
    );
    assert!(combined.html().contains("3 major updates in one message"));

    // Another major update after it went out starts the next combined
    // alert; it is not dropped.
    poll_with(27);
    assert_eq!(smtp.messages().len(), 7);
    env.run(&["outbox", "send"]).expect(0);
    let msgs = smtp.wait_for(8, Duration::from_secs(10));
    let next = msgs.last().unwrap();
    assert!(
        next.subject()
            .contains("changed (major): Strike on Kharkiv during ceasefire talks kills 27 people"),
        "{}",
        next.subject()
    );
    assert_eq!(next.in_reply_to().as_deref(), Some(story_id.as_str()));
    // Its diff starts from the combined alert's 25, the last the reader got.
    assert!(next.text().contains("[-25-]{+27+}"), "{}", next.text());
}

/// The notifier composed the combined alert from the outbox row as it read
/// it; a fetch then brought another major update, which moved the waiting
/// row on to it, before the server accepted the message. That update was
/// not in the message: it stays pending, and goes out in the next alert.
#[test]
fn a_major_update_arriving_while_the_combined_alert_is_sent_goes_out_in_the_next() {
    let wire = Wire::start();
    let (smtp, env) = (&wire.smtp, &wire.env);
    let poll_with = |killed: u32| wire.poll_with(killed);
    // The story, five updates mailed one by one, then three held back.
    for killed in [3, 5, 8, 11, 14, 17, 19, 22, 25] {
        poll_with(killed);
    }
    assert_eq!(smtp.wait_for(6, Duration::from_secs(10)).len(), 6);

    // The notifier reads the waiting combined alert...
    let config = newswatch::config::load(&env.config).expect("config");
    let store = newswatch::store::Store::open(&config.daemon.database).expect("store");
    let read = store
        .outbox(newswatch::store::OutboxFilter::Pending, 10)
        .expect("outbox");
    assert_eq!(read.len(), 1, "{read:?}");
    // ...a fetch brings another major update meanwhile...
    poll_with(27);
    assert_eq!(smtp.messages().len(), 6);
    // ...and the message composed from what it read is accepted.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let delivery = rt.block_on(async {
        let mut notifier = newswatch::notify::Notifier::open(
            config.mail_settings(),
            &config.daemon.database,
            newswatch::clock::SystemClock::shared(),
        )
        .expect("notifier")
        .expect("[email] is set");
        notifier.deliver_rows(read).await
    });
    assert_eq!(delivery.sent, 1, "{delivery:?}");
    let msgs = smtp.wait_for(7, Duration::from_secs(10));
    let combined = msgs.last().unwrap();
    assert!(
        combined.subject().contains("changed (major, 3 updates)"),
        "{}",
        combined.subject()
    );
    let text = combined.text();
    for step in ["17 → 19", "19 → 22", "22 → 25"] {
        assert!(text.contains(&format!("why: figure {step}")), "{text}");
    }
    assert!(!text.contains("25 → 27"), "{text}");

    // The update it did not show is still waiting, and is sent next.
    let pending = pending_rows(env);
    assert_eq!(pending.len(), 1, "{pending:?}");
    env.run(&["outbox", "send"]).expect(0);
    let msgs = smtp.wait_for(8, Duration::from_secs(10));
    assert_eq!(msgs.len(), 8);
    let next = msgs.last().unwrap();
    assert!(
        next.subject()
            .contains("changed (major): Strike on Kharkiv during ceasefire talks kills 27 people"),
        "{}",
        next.subject()
    );
    assert!(
        next.text().contains("why: figure 25 → 27"),
        "{}",
        next.text()
    );
}
