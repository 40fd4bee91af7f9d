//! A revision's reasons read as words wherever they are shown: `changes`,
//! `show` and digests, for revisions this build judged and for rows an
//! earlier build stored as codes (`share_changed: 0.61`). Feeds served on
//! loopback, the real binary, a real SMTP server on 127.0.0.1.

use std::time::Duration;

use crate::mail::{FILLER, TOPICS};
use crate::support::env::Env;
use crate::support::http::{Response, TestServer};
use crate::support::smtp::SmtpServer;
use crate::support::undated_rss as feed;

const BEFORE: (&str, &str, &str) = (
    "toll",
    "Strike on Odesa port during ceasefire talks kills 4",
    "Officials in Odesa say 4 people were killed when drones hit the port on Tuesday, as ceasefire talks went on.",
);
const AFTER: (&str, &str, &str) = (
    "toll",
    "Strike on Odesa port during ceasefire talks kills 9",
    "Officials in Odesa say 9 people were killed when drones hit the port on Tuesday, as ceasefire talks went on.",
);

#[test]
fn changes_show_and_digests_give_reasons_in_words() {
    let smtp = SmtpServer::start();
    let http = TestServer::start();
    http.fixed("/wire", Response::ok(feed(&[BEFORE, FILLER])));
    let topics = TOPICS.replace("alert = \"immediate\"", "alert = \"digest\"");
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"Wire\"\nurl = \"{}\"\n{topics}\n\
             [email]\nsmtp_url = \"{}\"\nfrom = \"nw@example.org\"\nto = [\"analyst@example.org\"]\n\n\
             [[digest]]\nname = \"evening\"\nschedule = \"daily 18:00\"\ntopics = [\"talks\"]\n",
            http.url("/wire"),
            smtp.url()
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    http.fixed("/wire", Response::ok(feed(&[AFTER, FILLER])));
    env.run(&["poll", "--all"]).expect(0);

    let changes = env.run(&["changes"]).expect(0).stdout;
    assert!(changes.contains("why: figure 4 → 9"), "{changes}");
    let show = env
        .run(&["show", "https://news.example/toll"])
        .expect(0)
        .stdout;
    assert!(show.contains("major: figure 4 → 9"), "{show}");

    // A row an earlier build stored, with its reasons as codes.
    let db = rusqlite::Connection::open(&env.db).unwrap();
    db.execute(
        "UPDATE revisions SET reasons = '[\"share_changed: 0.61\",\"negation_flipped\"]'",
        [],
    )
    .unwrap();
    drop(db);
    let changes = env.run(&["changes"]).expect(0).stdout;
    assert!(
        changes.contains("why: text rewritten (61% of words); negation added or dropped"),
        "{changes}"
    );
    assert!(!changes.contains("share_changed"), "{changes}");
    let json = env.run(&["--json", "changes"]).expect(0).json_lines();
    assert_eq!(
        json[0]["reasons"],
        serde_json::json!(["text rewritten (61% of words)", "negation added or dropped"])
    );

    // The digest, in both parts.
    env.run(&["digest", "--send"]).expect(0);
    let msgs = smtp.wait_for(1, Duration::from_secs(10));
    assert_eq!(msgs.len(), 1);
    let (text, html) = (msgs[0].text(), msgs[0].html());
    assert!(
        text.contains("why: text rewritten (61% of words), negation added or dropped"),
        "{text}"
    );
    assert!(
        html.contains("text rewritten (61% of words), negation added or dropped"),
        "{html}"
    );
    assert!(!text.contains("share_changed") && !html.contains("share_changed"));
}
