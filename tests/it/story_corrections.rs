//! The user's corrections of story grouping, on real SQLite files:
//! `stories split ID ITEM…` and `stories merge A B` move reports, are
//! remembered, and later reports follow them (a copy of a report goes to
//! the story the user put that report in).

use crate::support::env::Env;

type Item = (&'static str, &'static str, &'static str);

const PACT_A: Item = (
    "a1",
    "Zelenskiy and Macron sign pact on 40 air defence systems in Paris",
    "PARIS, May 4 (Wire) - Ukrainian President Volodymyr Zelenskiy and French President Emmanuel Macron signed a pact on 40 air defence systems on Monday.",
);
const PACT_B: Item = (
    "b1",
    "Зеленский и Макрон подписали соглашение о 40 системах ПВО в Париже",
    "Президент Украины Владимир Зеленский и президент Франции Эмманюэль Макрон подписали в Париже соглашение о поставке 40 систем ПВО.",
);
const BERLIN: Item = (
    "a2",
    "Macron meets Scholz in Berlin for defence talks",
    "BERLIN, May 4 (Wire) - The French and German leaders met to discuss European defence spending.",
);
const GRAIN: Item = (
    "b2",
    "Grain ship leaves Odesa port under new corridor deal",
    "ODESA, May 4 (Wire) - A bulk carrier loaded with wheat left the port on Monday under the Black Sea corridor agreement.",
);

fn env() -> Env {
    Env::with_sources(
        "",
        &[
            ("wire-a", "http://127.0.0.1:9/a"),
            ("wire-b", "http://127.0.0.1:9/b"),
            ("wire-c", "http://127.0.0.1:9/c"),
        ],
    )
}

/// The story of the item of this guid.
fn story(env: &Env, guid: &str) -> i64 {
    env.count(&format!("SELECT story_id FROM items WHERE guid = '{guid}'"))
}

fn item(env: &Env, guid: &str) -> String {
    env.count(&format!("SELECT id FROM items WHERE guid = '{guid}'"))
        .to_string()
}

/// A copy of a report another outlet carries (same title and text).
fn copy(of: Item, guid: &'static str) -> Item {
    (guid, of.1, of.2)
}

#[test]
fn a_split_off_report_keeps_its_own_story_and_its_copies_follow_it() {
    let env = env();
    env.ingest_rss("wire-a", "2026-05-04T10:00:00Z", &[PACT_A]);
    env.ingest_rss("wire-b", "2026-05-04T11:00:00Z", &[PACT_B]);
    let pact = story(&env, "a1");
    assert_eq!(story(&env, "b1"), pact, "grouped as one event");

    // The user says the Russian report is another story.
    let out = env
        .run(&["stories", "split", &pact.to_string(), &item(&env, "b1")])
        .expect(0);
    let own = story(&env, "b1");
    assert_ne!(own, pact);
    assert_eq!(
        out.stdout.trim(),
        format!("split 1 report off story {pact} into story {own}")
    );
    let show = env
        .run(&["stories", "show", &own.to_string()])
        .expect(0)
        .stdout;
    assert!(
        show.contains(&format!("why: split off by the user from story {pact}")),
        "{show}"
    );
    // Remembered, and the stories' counts follow.
    assert_eq!(
        env.count("SELECT count(*) FROM story_corrections WHERE kind = 'split'"),
        1
    );
    assert_eq!(
        env.count(&format!("SELECT items FROM stories WHERE id = {pact}")),
        1
    );

    // A later copy of the Russian report joins the story the user gave it.
    env.ingest_rss("wire-c", "2026-05-04T12:00:00Z", &[copy(PACT_B, "c1")]);
    assert_eq!(story(&env, "c1"), own);

    // Refusals are usage errors that say what is wrong, and change nothing.
    let out = env
        .run(&["stories", "split", &pact.to_string(), &item(&env, "c1")])
        .expect(2);
    assert!(
        out.stderr.contains("is not a report of story"),
        "{}",
        out.stderr
    );
    let out = env
        .run(&["stories", "split", &pact.to_string(), &item(&env, "a1")])
        .expect(2);
    assert!(out.stderr.contains("every report"), "{}", out.stderr);
    let out = env.run(&["stories", "split", "999999", "1"]).expect(2);
    assert!(out.stderr.contains("no story 999999"), "{}", out.stderr);
}

#[test]
fn merged_stories_are_one_and_later_reports_of_either_join_it() {
    let env = env();
    env.ingest_rss("wire-a", "2026-05-04T10:00:00Z", &[BERLIN]);
    env.ingest_rss("wire-b", "2026-05-04T11:00:00Z", &[GRAIN]);
    let (a, b) = (story(&env, "a2"), story(&env, "b2"));
    assert_ne!(a, b, "two stories before the merge");

    let out = env
        .run(&["--json", "stories", "merge", &a.to_string(), &b.to_string()])
        .expect(0)
        .json_lines();
    assert_eq!(out.len(), 1, "{out:?}");
    assert_eq!(out[0]["kind"], "merge");
    assert_eq!(out[0]["story_id"], a);
    assert_eq!(story(&env, "b2"), a);
    let stories = env
        .run(&["--json", "stories", "--since", "1000d"])
        .expect(0)
        .json_lines();
    assert_eq!(stories.len(), 1, "{stories:?}");
    assert_eq!(stories[0]["items"], 2);
    assert_eq!(
        stories[0]["sources"],
        serde_json::json!(["wire-a", "wire-b"])
    );
    let gone = env.run(&["stories", "show", &b.to_string()]).expect(2);
    assert!(
        gone.stderr.contains(&format!("no story {b}")),
        "{}",
        gone.stderr
    );

    // A later copy of the merged story's report joins the story it is in now.
    env.ingest_rss("wire-c", "2026-05-04T12:00:00Z", &[copy(GRAIN, "c2")]);
    assert_eq!(story(&env, "c2"), a);
    assert_eq!(
        env.count("SELECT count(*) FROM story_corrections WHERE kind = 'merge'"),
        1
    );

    let out = env
        .run(&["stories", "merge", &a.to_string(), &a.to_string()])
        .expect(2);
    assert!(out.stderr.contains("itself"), "{}", out.stderr);
}

/// Wire A's report of a meeting.
const MEET: Item = (
    "a3",
    "Zelenskiy meets Macron in Paris to discuss air defence and sanctions",
    "PARIS, May 4 (Wire) - Ukrainian President Volodymyr Zelenskiy met French President Emmanuel Macron in Paris on Monday to discuss air defence and new sanctions on Russia.",
);
/// Wire B's report of a pact signed there: grouped with the meeting.
const SIGN: Item = (
    "b3",
    "Zelenskiy and Macron sign pact on 40 SAMP/T air defence systems",
    "PARIS, May 4 (Wire) - Ukraine and France signed a pact on 40 SAMP/T air defence systems worth 3 billion euros, Zelenskiy said after meeting Macron.",
);
/// Wire B's follow-up of the pact: closer to its pact report than to the
/// meeting, though not close enough for one outlet's two reports to join
/// by content alone, and close enough to the meeting to join it.
const PACT_FOLLOW_UP: Item = (
    "b4",
    "SAMP/T pact signed in Paris will shield cities, Zelenskiy says",
    "Zelenskiy said the SAMP/T pact signed in Paris would shield Ukrainian cities from Russian strikes.",
);
/// Wire C's report of the meeting itself.
const MEET_FOLLOW_UP: Item = (
    "c4",
    "Zelenskiy thanks Macron for air defence, says more sanctions needed",
    "Zelenskiy thanked Macron in Paris for the SAMP/T pact and said new sanctions on Russia were needed.",
);

#[test]
fn after_a_split_a_report_closer_to_the_reports_split_off_goes_with_them() {
    let env = env();
    env.ingest_rss("wire-a", "2026-05-04T10:00:00Z", &[MEET]);
    env.ingest_rss("wire-b", "2026-05-04T11:00:00Z", &[SIGN]);
    let meeting = story(&env, "a3");
    assert_eq!(story(&env, "b3"), meeting, "grouped as one event");
    env.run(&["stories", "split", &meeting.to_string(), &item(&env, "b3")])
        .expect(0);
    let pact = story(&env, "b3");

    // The pact's follow-up goes with the pact report, not the meeting.
    env.ingest_rss("wire-b", "2026-05-04T12:00:00Z", &[PACT_FOLLOW_UP]);
    assert_eq!(story(&env, "b4"), pact);
    let show = env
        .run(&["stories", "show", &pact.to_string()])
        .expect(0)
        .stdout;
    assert!(
        show.contains("why: closer to the reports the user split off than to the story they left"),
        "{show}"
    );
    // A report of the meeting still joins the meeting.
    env.ingest_rss("wire-c", "2026-05-04T12:30:00Z", &[MEET_FOLLOW_UP]);
    assert_eq!(story(&env, "c4"), meeting);
    assert_eq!(
        env.count(&format!("SELECT items FROM stories WHERE id = {meeting}")),
        2
    );
}
