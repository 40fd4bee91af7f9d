//! The story as the unit of mail, over HTTP feeds on 127.0.0.1 and a
//! loopback SMTP server: a digest gives one entry per story (its outlets
//! with their links, when it started, its latest report); a later report
//! that brings new figures or actors alerts again under the story's first
//! alert, and one that repeats what is known joins silently.

use std::time::Duration;

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::SmtpServer;
use crate::support::undated_rss as feed;

type Item = (&'static str, &'static str, &'static str);

const FILLER: Item = (
    "old",
    "Weather in Lviv",
    "Light rain over the west of the country on Tuesday.",
);

const A: Item = (
    "strike-a",
    "Drone strike on Kharkiv apartment block kills 7, governor says",
    "KHARKIV, May 4 (Wire) - A Russian drone strike on an apartment block in Kharkiv killed seven people and wounded 21 overnight, the regional governor said.",
);
const B: Item = (
    "strike-b",
    "Seven dead as drones hit residential building in Kharkiv",
    "At least seven people were killed and 21 injured when Russian drones struck a nine-storey residential building in Kharkiv overnight, officials said.",
);
const C: Item = (
    "strike-c",
    "Харьков: при ударе беспилотников по жилому дому погибли 7 человек",
    "В Харькове в результате удара российских беспилотников по жилому дому погибли 7 человек, 21 ранен, сообщил губернатор.",
);

/// Three outlets (the third in Russian) with a filler item each, a topic
/// on `alert` ("digest" or "immediate"), and a daily digest of it.
struct Newsroom {
    smtp: SmtpServer,
    http: TestServer,
    env: Env,
}

impl Newsroom {
    fn new(alert: &str) -> Newsroom {
        Newsroom::with_backlog(alert, &[])
    }

    /// The same, with `backlog` on Wire A's feed at the baseline poll.
    fn with_backlog(alert: &str, backlog: &[Item]) -> Newsroom {
        let smtp = SmtpServer::start();
        let http = TestServer::start();
        for path in ["/a", "/b", "/c"] {
            let mut items = if path == "/a" {
                backlog.to_vec()
            } else {
                Vec::new()
            };
            items.push(FILLER);
            http.fixed(path, Response::ok(feed(&items)));
        }
        let env = Env::new(
            "",
            &format!(
                "[[source]]\nname = \"Wire A\"\nurl = \"{}\"\n\n[[source]]\nname = \"Wire B\"\nurl = \"{}\"\n\n[[source]]\nname = \"Wire C\"\nurl = \"{}\"\nlanguage = \"ru\"\n\n\
                 [[topic]]\nname = \"strikes\"\nquery = 'drone* OR strike* OR беспилотник*'\nalert = \"{alert}\"\n\n\
                 [email]\nsmtp_url = \"{}\"\nfrom = \"newswatch <alerts@example.org>\"\nto = [\"desk@example.org\"]\ngroup_window = \"0s\"\nretry_min = \"1s\"\nretry_max = \"2s\"\ntimeout = \"5s\"\n\n\
                 [[digest]]\nname = \"daily\"\nschedule = \"daily 08:00\"\ntopics = [\"strikes\"]\n",
                http.url("/a"),
                http.url("/b"),
                http.url("/c"),
                smtp.url()
            ),
        );
        // The baseline poll: a backlog is not news.
        env.run(&["poll", "--all"]).expect(0);
        Newsroom { smtp, http, env }
    }

    /// Serve these items (newest first) on a feed and poll every source.
    fn publish(&self, path: &str, items: &[Item]) {
        let mut all = items.to_vec();
        all.push(FILLER);
        self.http.fixed(path, Response::ok(feed(&all)));
        self.env.run(&["poll", "--all"]).expect(0);
    }
}

/// A new report that joins a story whose only member is a baseline's
/// backlog (never alerted) is the news: the story's alert leads with it —
/// subject and first entry — and lists the backlog report under it.
#[test]
fn a_story_alert_leads_with_the_new_report_not_the_backlog_it_joined() {
    let room = Newsroom::with_backlog("immediate", &[A]);
    assert_eq!(
        room.env.count("SELECT count(*) FROM outbox"),
        0,
        "a backlog is not news"
    );
    room.publish("/b", &[B]);
    assert_eq!(
        room.env
            .count("SELECT count(DISTINCT story_id) FROM items WHERE guid LIKE 'strike-%'"),
        1,
        "the new report joined the backlog's story"
    );
    let msgs = room.smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1, "one alert for the story");
    let mail = &msgs[0];
    assert!(mail.subject().contains(B.1), "{}", mail.subject());
    assert!(!mail.subject().contains(A.1), "{}", mail.subject());
    let text = mail.text();
    let (new, known) = text
        .split_once("Already in the story")
        .unwrap_or_else(|| panic!("no earlier reports listed in:\n{text}"));
    let first_entry = new
        .lines()
        .map(str::trim)
        .find(|l| l.ends_with(':') && l.starts_with("Wire"))
        .unwrap_or_else(|| panic!("no entry in:\n{text}"));
    assert_eq!(first_entry, "Wire B:", "{text}");
    assert!(new.contains(B.1), "{text}");
    assert!(!new.contains(A.1), "{text}");
    assert!(known.contains("Wire A:") && known.contains(A.1), "{text}");
    assert!(!text.contains("more item"), "{text}");
    let html = mail.html();
    let b_at = html
        .find("https://news.example/strike-b\"")
        .expect("link to the new report");
    let a_at = html
        .find("https://news.example/strike-a\"")
        .expect("link to the backlog");
    assert!(b_at < a_at, "the new report comes first:\n{html}");
}

/// A strike reported by three outlets, then a later report of it: one
/// digest entry, listing the three outlets each with its link, when the
/// story started and its latest report.
#[test]
fn a_story_of_three_outlets_is_one_digest_entry_with_its_outlets_and_latest_report() {
    let room = Newsroom::new("digest");
    room.publish("/a", &[A]);
    room.publish("/b", &[B]);
    room.publish("/c", &[C]);
    let later: Item = (
        "strike-a2",
        "Kharkiv drone strike: rescuers search the apartment block for survivors",
        "KHARKIV, May 4 (Wire) - Rescuers searched the rubble of the apartment block in Kharkiv hit by a Russian drone strike overnight that killed seven people, the governor said.",
    );
    room.publish("/a", &[later, A]);
    assert_eq!(
        room.env
            .count("SELECT count(DISTINCT story_id) FROM items WHERE title LIKE '%Kharkiv%' OR title LIKE '%Харьков%'"),
        1,
        "the four reports are one story"
    );

    room.env
        .run(&["digest", "--send", "--since", "1d"])
        .expect(0);
    let msgs = room.smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1, "one digest, no alert");
    let text = msgs[0].text();
    assert!(text.contains("New stories (1):"), "{text}");
    assert_eq!(
        text.matches("Kharkiv apartment block kills 7").count(),
        1,
        "{text}"
    );
    for (outlet, guid) in [
        ("Wire A", "strike-a"),
        ("Wire B", "strike-b"),
        ("Wire C", "strike-c"),
    ] {
        let line = format!("{outlet}: https://news.example/{guid}");
        assert!(
            text.lines().any(|l| l.trim() == line),
            "no {line:?} in:\n{text}"
        );
    }
    assert!(text.contains("started "), "{text}");
    let latest = text
        .lines()
        .find(|l| l.trim_start().starts_with("latest: "))
        .unwrap_or_else(|| panic!("no latest report in:\n{text}"));
    assert!(latest.contains("rescuers search"), "{latest}");
    let html = msgs[0].html();
    assert!(html.contains("latest:"), "{html}");
    for guid in ["strike-a", "strike-b", "strike-c", "strike-a2"] {
        assert!(
            html.contains(&format!("https://news.example/{guid}\"")),
            "no link to {guid}"
        );
    }
}

/// After the story's alert: a report repeating known facts joins silently;
/// one with a new casualty figure, then one naming a new actor, each alert
/// once more, threaded under the story's first alert and saying what is new.
#[test]
fn a_later_report_with_new_figures_or_actors_alerts_again_under_the_story() {
    let room = Newsroom::new("immediate");
    room.publish("/a", &[A]);
    let msgs = room.smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1, "the story's alert");
    let first = msgs[0].message_id().expect("Message-ID");

    let repeat: Item = (
        "strike-b",
        "Seven dead as drones hit residential building in Kharkiv",
        "At least seven people were killed and 21 injured when Russian drones struck a residential building in Kharkiv overnight, officials said.",
    );
    room.publish("/b", &[repeat]);
    let toll: Item = (
        "strike-b2",
        "Kharkiv drone strike death toll rises to 22",
        "The death toll from the Russian drone strike on an apartment block in Kharkiv rose to 22 killed and 21 wounded, the regional governor said.",
    );
    let envoy: Item = (
        "strike-c",
        "Witkoff condemns Russian drone strike on Kharkiv apartment block",
        "US envoy Steve Witkoff condemned the Russian drone strike on an apartment block in Kharkiv that killed seven people and wounded 21.",
    );
    let story_of = |guid: &str| {
        room.env
            .count(&format!("SELECT story_id FROM items WHERE guid = '{guid}'"))
    };
    assert_eq!(story_of("strike-b"), story_of("strike-a"));
    // Known facts: nothing queued, nothing sent.
    assert_eq!(room.env.count("SELECT count(*) FROM outbox"), 1);

    room.publish("/b", &[toll, repeat]);
    assert_eq!(story_of("strike-b2"), story_of("strike-a"));
    let msgs = room.smtp.wait_for(2, Duration::from_secs(10));
    assert_eq!(msgs.len(), 2, "one alert for the new figure");
    let figure = &msgs[1];
    assert_eq!(figure.in_reply_to().as_deref(), Some(first.as_str()));
    assert!(
        figure.subject().contains("new figure: 22 killed"),
        "{}",
        figure.subject()
    );
    assert!(
        figure.text().contains("new figure: 22 killed"),
        "{}",
        figure.text()
    );
    assert!(
        figure.text().contains("death toll rises to 22"),
        "{}",
        figure.text()
    );

    room.publish("/c", &[envoy]);
    assert_eq!(story_of("strike-c"), story_of("strike-a"));
    let msgs = room.smtp.wait_for(3, Duration::from_secs(10));
    assert_eq!(msgs.len(), 3, "one alert for the new actor");
    let actor = &msgs[2];
    assert_eq!(actor.in_reply_to().as_deref(), Some(first.as_str()));
    assert!(
        actor.subject().contains("new actor: Witkoff"),
        "{}",
        actor.subject()
    );
    assert!(
        !actor.subject().contains("new figure"),
        "{}",
        actor.subject()
    );
    assert!(
        actor.html().contains("new actor: Witkoff"),
        "{}",
        actor.html()
    );

    // `stories show` says what each development brought.
    let show = room
        .env
        .run(&["stories", "show", &story_of("strike-a").to_string()])
        .expect(0)
        .stdout;
    assert!(show.contains("new: new figure: 22 killed"), "{show}");
    assert!(show.contains("new: new actor: Witkoff"), "{show}");
    let json = room
        .env
        .run(&[
            "--json",
            "stories",
            "show",
            &story_of("strike-a").to_string(),
        ])
        .expect(0)
        .json_lines();
    assert_eq!(json.len(), 1, "one object: {json:?}");
    let members = json[0]["members"].as_array().unwrap();
    assert_eq!(members.len(), 4, "{members:?}");
    assert_eq!(members[0]["news"], serde_json::json!([]));
    assert_eq!(
        members[2]["news"],
        serde_json::json!(["new figure: 22 killed"])
    );
}
