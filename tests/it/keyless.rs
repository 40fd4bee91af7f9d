//! Feeds without stable keys (no guid, every item linking to the site
//! root): an edited headline is a revision of its item, not a new item.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::support::env::Env;
use crate::support::http::{Response, TestServer};

/// An RSS document whose items have no guid and all link to the site root.
fn keyless_rss(items: &[(&str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Generated feed</title><link>https://town.example/</link><description>x</description>\n",
    );
    for (title, desc) in items {
        s.push_str(&format!(
            "<item><title>{title}</title><link>https://town.example/</link>\
             <description>{desc}</description>\
             <pubDate>Mon, 07 Dec 2026 08:00:00 +0000</pubDate></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// The feed at its `n`th poll: two items; at the second, the first one's
/// headline edited; at the third, the second one replaced by another story.
fn document(n: usize) -> String {
    let first = if n >= 2 {
        "Council approves a revised budget for the harbour district"
    } else {
        "Council approves the new budget for the harbour district"
    };
    let second = if n >= 3 {
        "Ferry service resumes after the winter break"
    } else {
        "Storm closes three schools on the coast"
    };
    keyless_rss(&[
        (first, "The vote passed late on Monday."),
        (second, "Classes move online for the week."),
    ])
}

#[test]
fn an_edited_headline_in_a_keyless_feed_is_a_revision_not_a_new_item() {
    let server = TestServer::start();
    let polls = Arc::new(AtomicUsize::new(0));
    let seen = polls.clone();
    server.route("/feed", move |_| {
        let n = seen.fetch_add(1, Ordering::SeqCst) + 1;
        Response::ok(document(n))
    });
    let env = Env::new(
        "",
        &format!(
            "[[source]]\nname = \"town\"\nurl = \"{}\"\n",
            server.url("/feed")
        ),
    );
    env.run(&["poll", "--all"]).expect(0);
    env.run(&["poll", "--all"]).expect(0);
    assert_eq!(polls.load(Ordering::SeqCst), 2);

    let items = env.run(&["--json", "items"]).expect(0).json_lines();
    let titles: Vec<&str> = items.iter().filter_map(|i| i["title"].as_str()).collect();
    assert_eq!(titles.len(), 2, "{items:#?}");
    assert!(
        titles.contains(&"Council approves a revised budget for the harbour district"),
        "{titles:?}"
    );
    let changes = env.run(&["--json", "changes"]).expect(0).json_lines();
    let revisions: Vec<_> = changes.iter().filter(|c| c["kind"] == "revision").collect();
    assert_eq!(revisions.len(), 1, "{changes:#?}");
    let diff = revisions[0]["diff"]["title"].to_string();
    assert!(
        diff.contains("\"Delete\"") && diff.contains("new"),
        "{diff}"
    );
    assert!(
        diff.contains("\"Insert\"") && diff.contains("revised"),
        "{diff}"
    );

    // A genuinely different story in the place of one that left is new.
    env.run(&["poll", "--all"]).expect(0);
    let items = env.run(&["--json", "items"]).expect(0).json_lines();
    let titles: Vec<&str> = items.iter().filter_map(|i| i["title"].as_str()).collect();
    assert_eq!(titles.len(), 3, "{items:#?}");
    assert!(
        titles.contains(&"Ferry service resumes after the winter break"),
        "{titles:?}"
    );
    assert!(
        titles.contains(&"Storm closes three schools on the coast"),
        "{titles:?}"
    );
    let changes = env.run(&["--json", "changes"]).expect(0).json_lines();
    assert_eq!(
        changes.iter().filter(|c| c["kind"] == "revision").count(),
        1,
        "{changes:#?}"
    );
}
