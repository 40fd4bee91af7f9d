//! Tests of loading and rendering: every kind, hostile feed text, overrides,
//! subjects and filters.

use super::clean::{clean_display, http_url};
use super::samples::{sample_held_updates, sample_revision, sample_shift, sample_story};
use super::*;
use crate::notify::content::TopicSection;

const HOSTILE: &str = "<script>alert(1)</script>\r\nBcc: evil@example.org";

fn builtin() -> Templates {
    Templates::load(None).expect("built-in templates load")
}

fn hostile_story() -> AlertView {
    let mut story = sample_story();
    story.title = HOSTILE.into();
    story.items[0].title = HOSTILE.into();
    story.items[0].summary = HOSTILE.into();
    story.items[0].url = Some("javascript:alert(1)".into());
    story.items[1].url = Some("https://example.org/ok\"><script>x</script>".into());
    story.items[1].source = "TASS<b>".into();
    story.sources[1] = "TASS<b>".into();
    AlertView::Story {
        topics: vec!["peace-talks".into()],
        story,
    }
}

#[test]
fn builtin_templates_render_every_kind() {
    let t = builtin();
    for alert in sample_alerts() {
        let r = t.render_alert(&alert, "[newswatch]").unwrap();
        assert!(r.subject.starts_with("[newswatch] "), "{}", r.subject);
        assert!(
            r.text.ends_with('\n') && !r.text.contains("\n\n\n"),
            "{}",
            r.text
        );
        assert!(r.html.starts_with("<!DOCTYPE html>"), "{}", r.html);
        assert!(!r.text.contains("none"), "{}", r.text);
        assert!(!r.html.contains(">none<"), "{}", r.html);
    }
    // A story larger than a message shows says how much is left out.
    let mut big = sample_story();
    big.more_sources = 3;
    big.more_items = 5;
    let alert = AlertView::Story {
        topics: vec!["peace-talks".into()],
        story: big.clone(),
    };
    let story = t.render_alert(&alert, "[newswatch]").unwrap();
    assert!(story.subject.ends_with("(5 sources)"), "{}", story.subject);
    for part in [&story.text, &story.html] {
        assert!(
            part.contains("and 5 more items from 3 more sources"),
            "{part}"
        );
    }
    big.more_sources = 1;
    big.more_items = 1;
    let alert = AlertView::Story {
        topics: vec!["peace-talks".into()],
        story: big.clone(),
    };
    let story = t.render_alert(&alert, "[newswatch]").unwrap();
    for part in [&story.text, &story.html] {
        assert!(
            part.contains("and 1 more item from 1 more source."),
            "{part}"
        );
    }
    big.more_sources = 3;
    let mut digest = sample_digest();
    digest.topics[0].stories[0] = big;
    let d = t.render_digest(&digest, "[newswatch]").unwrap();
    assert!(d.text.contains("… and 3 more sources"), "{}", d.text);
    assert!(d.text.contains("== peace-talks =="), "{}", d.text);
    assert!(
        d.text.contains("-- \nnewswatch — digest morning"),
        "{}",
        d.text
    );
}

#[test]
fn hostile_title_is_escaped_in_html_and_one_line_in_subject() {
    let t = builtin();
    let r = t.render_alert(&hostile_story(), "[newswatch]").unwrap();
    assert!(!r.html.contains("<script>"), "{}", r.html);
    assert!(!r.html.contains("TASS<b>"), "{}", r.html);
    assert!(r.html.contains("TASS&lt;b&gt;"), "{}", r.html);
    assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
    assert!(!r.subject.contains(['\r', '\n']), "{:?}", r.subject);
    assert_eq!(
        r.subject,
        "[newswatch] peace-talks: <script>alert(1)</script> Bcc: evil@example.org (2 sources)"
    );
    // The text part shows the title on one line, no CR anywhere.
    assert!(!r.text.contains('\r'));
    assert!(
        r.text
            .contains("<script>alert(1)</script> Bcc: evil@example.org"),
        "{}",
        r.text
    );
    // The quote in the URL cannot break out of the attribute.
    assert!(!r.html.contains("\"><script>"), "{}", r.html);
}

#[test]
fn javascript_url_is_never_linked() {
    let t = builtin();
    let r = t.render_alert(&hostile_story(), "").unwrap();
    assert!(
        !r.html.to_ascii_lowercase().contains("javascript:"),
        "{}",
        r.html
    );
    assert!(!r.text.contains("javascript:"), "{}", r.text);
    // Links that are http(s) stay.
    assert!(r.html.contains("href=\"https:"), "{}", r.html);
    // Also in a digest's source health table.
    let mut d = sample_digest();
    d.health[0].url = "javascript:alert(1)".into();
    d.topics[0].shifts[0].statement.item.url = Some("data:text/html,x".into());
    let r = t.render_digest(&d, "").unwrap();
    assert!(!r.html.contains("javascript:"), "{}", r.html);
    assert!(!r.html.contains("data:text"), "{}", r.html);
}

#[test]
fn diffs_are_highlighted() {
    let t = builtin();
    let alert = AlertView::Revision {
        topics: vec!["peace-talks".into()],
        revision: Box::new(sample_revision()),
        combined: Vec::new(),
    };
    let r = t.render_alert(&alert, "[newswatch]").unwrap();
    assert!(r.html.contains("<del style="), "{}", r.html);
    assert!(r.html.contains("<ins style="), "{}", r.html);
    assert!(r.html.contains(">Monday</del>"), "{}", r.html);
    assert!(r.text.contains("[-Monday-]{+Thursday+}"), "{}", r.text);
    assert!(
        r.text.contains("Peace talks [-stall-]{+resume+}"),
        "{}",
        r.text
    );
    assert!(r.text.contains("… said on"), "{}", r.text);
    assert_eq!(
        r.subject,
        "[newswatch] peace-talks: changed (major): Peace talks resume in Istanbul"
    );
    // Markup in a diff is escaped too.
    let mut rev = sample_revision();
    rev.text_diff[3].text = "<img src=x onerror=alert(1)>".into();
    let r = t
        .render_alert(
            &AlertView::Revision {
                topics: vec![],
                revision: Box::new(rev),
                combined: Vec::new(),
            },
            "",
        )
        .unwrap();
    assert!(!r.html.contains("<img"), "{}", r.html);
    assert!(r.html.contains("&lt;img"), "{}", r.html);
}

/// A churning item's combined alert names how many updates it stands
/// for, lists each with its time, title and readable reason, then shows
/// the latest change's diff.
#[test]
fn a_combined_alert_lists_each_held_update_and_the_latest_diff() {
    let t = builtin();
    let alert = AlertView::Revision {
        topics: vec!["peace-talks".into()],
        revision: Box::new(sample_revision()),
        combined: sample_held_updates(),
    };
    let r = t.render_alert(&alert, "").unwrap();
    assert_eq!(
        r.subject,
        "peace-talks: changed (major, 2 updates): Peace talks resume in Istanbul"
    );
    for part in [&r.text, &r.html] {
        assert!(part.contains("2 major updates in one message"), "{part}");
        assert!(part.contains("Peace talks stall in Istanbul"), "{part}");
        assert!(
            part.contains("direction reversed: resume → stall"),
            "{part}"
        );
    }
    let listed = r.text.find("direction reversed").unwrap();
    let diff = r.text.find("[-Monday-]{+Thursday+}").unwrap();
    assert!(listed < diff, "{}", r.text);
    // One update is an ordinary revision alert.
    let one = AlertView::Revision {
        topics: vec![],
        revision: Box::new(sample_revision()),
        combined: sample_held_updates().split_off(1),
    };
    let r = t.render_alert(&one, "").unwrap();
    assert_eq!(r.subject, "changed (major): Peace talks resume in Istanbul");
    assert!(!r.text.contains("updates in one message"), "{}", r.text);
}

#[test]
fn shift_shows_both_statements() {
    let t = builtin();
    let r = t
        .render_alert(
            &AlertView::Shift {
                shift: Box::new(sample_shift()),
            },
            "[newswatch]",
        )
        .unwrap();
    assert_eq!(
        r.subject,
        "[newswatch] peace-talks: Peskov on talks: refusal -> readiness: \"Talks are possible.\""
    );
    let now = r
        .text
        .find("NOW (readiness, 27 Nov 2026 06:00 UTC, TASS): \"Talks are possible.\"");
    let before = r
        .text
        .find("BEFORE (refusal, 20 Nov 2026 10:00 UTC, TASS): \"There is nothing");
    assert!(
        now.is_some() && before.is_some() && now < before,
        "{}",
        r.text
    );
    assert!(r.html.contains("<table"), "{}", r.html);
    assert!(
        r.html.contains("There is nothing to talk about."),
        "{}",
        r.html
    );
}

#[test]
fn subjects() {
    let t = builtin();
    let mut story = sample_story();
    story.sources.truncate(1);
    let one = AlertView::Story {
        topics: vec!["peace-talks".into()],
        story,
    };
    assert_eq!(
        t.render_alert(&one, "[newswatch]").unwrap().subject,
        "[newswatch] peace-talks: Peace talks resume in Istanbul"
    );
    let all = sample_alerts();
    assert_eq!(
        t.render_alert(&all[0], "[newswatch]").unwrap().subject,
        "[newswatch] peace-talks: Peace talks resume in Istanbul (2 sources)"
    );
    assert_eq!(
        t.render_alert(&all[3], "[newswatch]").unwrap().subject,
        "[newswatch] test message"
    );
    assert_eq!(t.render_alert(&all[3], "").unwrap().subject, "test message");
    let mut d = sample_digest();
    d.topics[1].stories = vec![sample_story(); 4];
    d.topics[1].revisions = vec![sample_revision()];
    assert_eq!(
        t.render_digest(&d, "[newswatch]").unwrap().subject,
        "[newswatch] morning digest: 5 stories, 2 changes, 1 shift — 27 Nov 08:00"
    );
    let empty = DigestView {
        topics: vec![TopicSection {
            name: "x".into(),
            ..TopicSection::default()
        }],
        ..sample_digest()
    };
    assert_eq!(
        t.render_digest(&empty, "").unwrap().subject,
        "morning digest: nothing new — 27 Nov 08:00"
    );
    // A long statement is cut at a word boundary.
    let mut sh = sample_shift();
    sh.statement.text = "word ".repeat(40);
    let s = t
        .render_alert(
            &AlertView::Shift {
                shift: Box::new(sh),
            },
            "",
        )
        .unwrap()
        .subject;
    assert!(s.ends_with("word…\""), "{s}");
    assert!(s.chars().count() < 100, "{s}");
}

#[test]
fn safe_subject_cleans_and_caps() {
    assert_eq!(safe_subject("  a\r\nb\tc\u{2028}d\u{2029}e  "), "a b c d e");
    assert_eq!(
        safe_subject("x\u{202E}y\u{200B}z\u{0007}w\u{FEFF}v"),
        "x y z w v"
    );
    assert_eq!(safe_subject("Bcc:\n evil"), "Bcc: evil");
    let long = "ж".repeat(500);
    let s = safe_subject(&long);
    assert_eq!(s.chars().count(), SUBJECT_MAX_CHARS);
    assert!(s.ends_with('…'));
    assert_eq!(safe_subject(""), "");
    assert_eq!(safe_subject("\r\n"), "");
}

#[test]
fn digest_sections() {
    let t = builtin();
    let r = t.render_digest(&sample_digest(), "[newswatch]").unwrap();
    // Topics in order; an empty one says so.
    let a = r.text.find("== peace-talks ==").unwrap();
    let b = r.text.find("== sanctions ==").unwrap();
    assert!(a < b);
    assert!(r.text[b..].contains("nothing new"), "{}", r.text);
    assert!(r.html.contains("nothing new"));
    assert!(r.html.contains(">peace-talks</h2>"), "{}", r.html);
    // Health: table in HTML, list in text, times in the digest's zone.
    assert!(r.html.contains("Source health"));
    assert!(
        r.text
            .contains(" - kyiv-independent: failing since 26 Nov 2026 22:00 EET"),
        "{}",
        r.text
    );
    assert!(
        r.html.contains("newswatch &mdash; digest morning, period"),
        "{}",
        r.html
    );
    // Each source linked under the story title.
    assert!(
        r.html.contains("href=\"https://example.org/Reuters/1\""),
        "{}",
        r.html
    );
    // No health section when all sources are fine.
    let quiet = DigestView {
        health: vec![],
        ..sample_digest()
    };
    let r = t.render_digest(&quiet, "").unwrap();
    assert!(!r.html.contains("Source health"));
    assert!(!r.text.contains("Source health"));
}

#[test]
fn cyrillic_survives() {
    let t = builtin();
    let mut story = sample_story();
    story.title = "Песков: переговоры в Стамбуле возобновятся".into();
    story.items[0].summary = "Україна та Росія домовилися про обмін полоненими.".into();
    let alert = AlertView::Story {
        topics: vec!["мирні-переговори".into()],
        story,
    };
    let r = t.render_alert(&alert, "[newswatch]").unwrap();
    assert!(
        r.subject
            .contains("мирні-переговори: Песков: переговоры в Стамбуле возобновятся")
    );
    assert!(
        r.text
            .contains("Песков: переговоры в Стамбуле возобновятся")
    );
    assert!(
        r.html
            .contains("Песков: переговоры в Стамбуле возобновятся")
    );
    assert!(
        r.text
            .contains("Україна та Росія домовилися про обмін полоненими.")
    );
    assert!(
        r.html
            .contains("Україна та Росія домовилися про обмін полоненими.")
    );
}

#[test]
fn override_dir_replaces_only_the_given_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("digest.txt"),
        "{# my own #}\nCUSTOM {{ digest.name }}: {{ counts.stories }} stories\n",
    )
    .unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    let r = t.render_digest(&sample_digest(), "").unwrap();
    assert_eq!(r.text, "CUSTOM morning: 1 stories\n");
    // The HTML part and the alerts stay built in.
    assert!(r.html.contains("Source health"));
    let a = t.render_alert(&sample_alerts()[0], "").unwrap();
    assert!(a.text.contains("New story on peace-talks"), "{}", a.text);
}

#[test]
fn override_may_bring_its_own_includes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("_sig.txt"), "-- \nsent by us\n").unwrap();
    std::fs::write(
        dir.path().join("alert.txt"),
        "Alert\n{% include \"_sig.txt\" %}",
    )
    .unwrap();
    std::fs::write(dir.path().join("README"), "not a template {{").unwrap();
    let t = Templates::load(Some(dir.path())).unwrap();
    let r = t.render_alert(&sample_alerts()[3], "").unwrap();
    assert_eq!(r.text, "Alert\n-- \nsent by us\n");
}

#[test]
fn broken_override_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alert.html");
    std::fs::write(&path, "<p>\n{% if alert.kind %}\nno endif\n").unwrap();
    let err = Templates::load(Some(dir.path())).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&path.display().to_string()), "{msg}");
    assert!(
        matches!(err, RenderError::Template { line: Some(_), .. }),
        "{err:?}"
    );

    // Errors that only show when rendering are found at load time too.
    std::fs::write(&path, "<p>\n\n{{ alert.kind|no_such_filter }}\n").unwrap();
    let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
    assert!(msg.contains(&format!("{}:3", path.display())), "{msg}");
    assert!(msg.contains("no_such_filter"), "{msg}");

    std::fs::write(&path, "<p>{{ alrt.kind }}</p>").unwrap();
    let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
    assert!(msg.contains("alert.html"), "{msg}");

    // A broken shared include is named, not the template that imports it.
    std::fs::remove_file(&path).unwrap();
    let inc = dir.path().join("_macros.txt");
    std::fs::write(
        &inc,
        "{% macro item(it, tz) %}{{ it.title|nope }}{% endmacro %}",
    )
    .unwrap();
    let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
    assert!(msg.contains(&inc.display().to_string()), "{msg}");
}

#[test]
fn missing_override_dir_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let gone = dir.path().join("nope");
    let err = Templates::load(Some(&gone)).unwrap_err();
    assert!(matches!(err, RenderError::Dir { .. }));
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn templates_can_be_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Templates>();
}

#[test]
fn wrap_never_splits_words() {
    let url = format!("https://example.org/{}", "a".repeat(100));
    let s = format!("see {url} for more words here");
    let w = wrap_filter(s, Some(20), Some("  ".into()), None);
    assert!(w.lines().any(|l| l == format!("  {url}")), "{w}");
    assert!(w.lines().all(|l| l.starts_with("  ")), "{w}");
    let w = wrap_filter(
        "one two three".into(),
        Some(10),
        Some("* ".into()),
        Some("  ".into()),
    );
    assert_eq!(w, "* one two\n  three");
    assert_eq!(wrap_filter("a\n\nb".into(), None, None, None), "a\n\nb");
}

#[test]
fn display_text_is_cleaned() {
    assert_eq!(
        clean_display("a\r\nb\rc\u{1b}[31md\u{202E}e\tf"),
        "a\nb\nc [31mde\tf"
    );
    assert_eq!(
        http_url(" https://example.org/a b "),
        Some("https://example.org/a%20b".into())
    );
    assert_eq!(http_url("JavaScript:alert(1)"), None);
    assert_eq!(http_url("//example.org"), None);
    assert_eq!(http_url("mailto:a@b.c"), None);
}

#[test]
fn datetime_filter_formats_in_zone() {
    let v = Value::from("2026-11-27T06:00:00Z");
    assert_eq!(
        datetime_filter(v.clone(), Some("Europe/Kyiv".into())),
        "27 Nov 2026 08:00 EET"
    );
    assert_eq!(datetime_filter(v.clone(), None), "27 Nov 2026 06:00 UTC");
    assert_eq!(
        datetime_filter(v, Some("Mars/Base".into())),
        "27 Nov 2026 06:00 UTC"
    );
    assert_eq!(datetime_filter(Value::from("yesterday"), None), "yesterday");
    assert_eq!(datetime_filter(Value::from(()), None), "");
}
