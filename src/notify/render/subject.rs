//! Subjects, built here in Rust and not in templates: one line, safe as a
//! header, each message kind with its own wording.

use chrono::{DateTime, NaiveDateTime, Utc};

use super::SUBJECT_MAX_CHARS;
use super::clean::one_line;
use crate::notify::content::{AlertView, DigestView, TopicSection};

/// How much of a new statement a shift subject quotes, in characters (the
/// speaker, issue and both stances come first).
const SUBJECT_QUOTE_CHARS: usize = 40;

/// Makes `s` safe as a one-line subject: CR, LF, tabs and every other
/// control or format character (U+2028/2029, bidi overrides, zero-width
/// characters…) become a space, runs of spaces collapse, the ends are
/// trimmed, and anything beyond [`SUBJECT_MAX_CHARS`] characters is cut (on
/// a char boundary) and ends in "…".
pub fn safe_subject(s: &str) -> String {
    let line = one_line(s);
    if line.chars().count() <= SUBJECT_MAX_CHARS {
        return line;
    }
    let mut cut: String = line.chars().take(SUBJECT_MAX_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

pub(super) fn prefixed(prefix: &str, subject: &str) -> String {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        safe_subject(subject)
    } else {
        safe_subject(&format!("{prefix} {subject}"))
    }
}

pub(super) fn alert_subject(alert: &AlertView) -> String {
    match alert {
        AlertView::Story { topics, story } => {
            let n = story.sources.len() + story.more_sources;
            let count = if n > 1 {
                format!(" ({n} sources)")
            } else {
                String::new()
            };
            format!("{}{}{count}", topic_label(topics), story.title)
        }
        AlertView::Development {
            topics,
            news,
            story,
            ..
        } => format!(
            "{}{}: {}",
            topic_label(topics),
            news.join("; "),
            story.title
        ),
        AlertView::Revision {
            topics,
            revision,
            combined,
        } if combined.len() > 1 => format!(
            "{}changed ({}, {} updates): {}",
            topic_label(topics),
            revision.significance,
            combined.len(),
            revision.item.title
        ),
        AlertView::Revision {
            topics, revision, ..
        } => format!(
            "{}changed ({}): {}",
            topic_label(topics),
            revision.significance,
            revision.item.title
        ),
        AlertView::Shift { shift } => format!(
            "{}{} on {}: {} -> {}: \"{}\"",
            topic_label(std::slice::from_ref(&shift.topic)),
            shift.speaker,
            shift.issue,
            shift.earlier.stance,
            shift.statement.stance,
            start_of(&shift.statement.text, SUBJECT_QUOTE_CHARS)
        ),
        AlertView::Test { .. } => "test message".to_string(),
    }
}

/// `"peace-talks: "`, or nothing when no topic is known.
fn topic_label(topics: &[String]) -> String {
    if topics.iter().all(|t| t.trim().is_empty()) {
        String::new()
    } else {
        format!("{}: ", topics.join(", "))
    }
}

/// The first `max` characters of `s` on one line, cut at a word boundary
/// when there is one, with "…" when cut.
fn start_of(s: &str, max: usize) -> String {
    let line = one_line(s);
    if line.chars().count() <= max {
        return line;
    }
    let head: String = line.chars().take(max).collect();
    let cut = match head.rfind(' ') {
        Some(i) if head[..i].chars().count() >= max / 3 => &head[..i],
        _ => head.as_str(),
    };
    format!("{}…", cut.trim_end())
}

pub(super) struct Counts {
    pub(super) stories: usize,
    pub(super) revisions: usize,
    pub(super) shifts: usize,
}

impl Counts {
    pub(super) fn of(digest: &DigestView) -> Counts {
        let sum = |f: fn(&TopicSection) -> usize| digest.topics.iter().map(f).sum();
        Counts {
            stories: sum(|t| t.stories.len()),
            revisions: sum(|t| t.revisions.len()),
            shifts: sum(|t| t.shifts.len()),
        }
    }
}

pub(super) fn digest_subject(digest: &DigestView) -> String {
    let c = Counts::of(digest);
    let mut parts = Vec::new();
    let mut count = |n: usize, one: &str, many: &str| {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    count(c.stories, "story", "stories");
    count(c.revisions, "change", "changes");
    count(c.shifts, "shift", "shifts");
    let what = if parts.is_empty() {
        "nothing new".to_string()
    } else {
        parts.join(", ")
    };
    match digest_end_label(digest) {
        Some(end) => format!("{} digest: {what} — {end}", digest.name),
        None => format!("{} digest: {what}", digest.name),
    }
}

/// The end of the digest's period in its local time, `27 Nov 08:00`.
fn digest_end_label(digest: &DigestView) -> Option<String> {
    const SHORT: &str = "%-d %b %H:%M";
    let local = digest.period_end_local.trim();
    if let Some(t) = local
        .get(..16)
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").ok())
    {
        return Some(t.format(SHORT).to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(local) {
        return Some(t.naive_local().format(SHORT).to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(digest.period_end.trim()) {
        let utc = t.with_timezone(&Utc);
        return Some(match digest.timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => utc.with_timezone(&tz).format(SHORT).to_string(),
            Err(_) => utc.format("%-d %b %H:%M UTC").to_string(),
        });
    }
    (!local.is_empty()).then(|| one_line(local))
}
