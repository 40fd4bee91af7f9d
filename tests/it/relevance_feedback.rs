//! Feedback reaching a replayed archive: `ingest` decides as a poll does,
//! with the feedback (and trained models) the database holds, so an
//! analyst replaying days of news and correcting each day's matches sees
//! the correction in the next day's decisions.

use crate::support::env::Env;

#[test]
fn feedback_changes_the_next_ingests_decision() {
    let env = Env::new(
        "",
        "[[source]]\nname = \"wire\"\nurl = \"http://127.0.0.1:9/unused\"\n\n\
         [[topic]]\nname = \"trade\"\nquery = 'talks OR negotiat*'\n",
    );
    let first = (
        "a1",
        "Harbour owners and dockers open wage talks in Rotterdam",
        "The port's owners and the dockers' union opened wage talks.",
    );
    env.ingest_rss("wire", "2026-05-04T12:00:00Z", &[first]);
    let taken = |title: &str| {
        env.count(&format!(
            "SELECT count(*) FROM matches m JOIN item_versions v ON v.item_id = m.item_id \
             WHERE m.topic = 'trade' AND v.title = '{title}'"
        ))
    };
    assert_eq!(taken(first.1), 1, "the query takes it");
    let id = env
        .text("SELECT CAST(id AS TEXT) FROM items")
        .expect("the item");
    env.run(&["feedback", &id, "irrelevant"]).expect(0);

    // The next day: a follow-up worded like the corrected item is left out,
    // other talks are still taken.
    let follow_up = (
        "a2",
        "Harbour owners and dockers resume wage talks in Rotterdam",
        "The port's owners and the union resumed wage talks.",
    );
    let other = (
        "a3",
        "Ministers open negotiations on a fisheries treaty",
        "Ministers opened negotiations on Tuesday.",
    );
    env.ingest_rss("wire", "2026-05-05T12:00:00Z", &[follow_up, other]);
    assert_eq!(taken(other.1), 1, "other talks are still taken");
    assert_eq!(
        taken(follow_up.1),
        0,
        "ingest decided without the feedback on item {id}"
    );
}
