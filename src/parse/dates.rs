//! Feed timestamps, for feed-rs (`Builder::timestamp_parser`): strict RFC 3339
//! and RFC 2822 first, then feed-rs's own lenient repairs for the rest.
//!
//! Why: feed-rs's default parser runs up to eight regex replacements (each
//! building a new String) on every timestamp before it asks chrono, even on
//! a well-formed one: 2.5% of a cold poll's instructions. A string chrono
//! accepts as it is cannot be changed by those repairs (they only rewrite
//! forms chrono rejects: missing colons, long month or day names, "UTC",
//! hour 24, month-day order), so the strict attempts give the same instant.
//! The lenient part is feed-rs 3.0's `parse_timestamp_lenient` (MIT), which
//! is not public; `tests` checks every date in the shared corpus, and odd
//! hand-made ones, against feed-rs's own parser.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use regex::Regex;

/// The instant `text` names, or None when no strategy makes sense of it.
pub(super) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let trimmed = text.trim();
    DateTime::parse_from_rfc3339(trimmed)
        .or_else(|_| DateTime::parse_from_rfc2822(trimmed))
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| lenient(text))
}

/// feed-rs 3.0's lenient order: RFC 3339 (also seen in RSS), RFC 2822 (the
/// RSS format), RFC 1123 without the weekday; each after its repairs.
fn lenient(original: &str) -> Option<DateTime<Utc>> {
    let rfc3339 = repaired(original, &RFC3339_FIXES);
    DateTime::parse_from_rfc3339(rfc3339.trim())
        .or_else(|_| DateTime::parse_from_rfc2822(&repaired(original, &RFC2822_FIXES)))
        .or_else(|_| {
            DateTime::parse_from_str(&repaired(original, &RFC1123_FIXES), "%d %b %Y %H:%M:%S %z")
        })
        .map(|t| t.with_timezone(&Utc))
        .ok()
}

/// `original`, trimmed, with each repair applied once in order.
fn repaired(original: &str, fixes: &[(Regex, &str)]) -> String {
    let mut cleaned = original.trim().to_string();
    for (pattern, replacement) in fixes {
        cleaned = pattern.replace(&cleaned, *replacement).into_owned();
    }
    cleaned
}

fn fixes(list: &[(&str, &'static str)]) -> Vec<(Regex, &'static str)> {
    list.iter()
        .filter_map(|&(pattern, replacement)| Some((Regex::new(pattern).ok()?, replacement)))
        .collect()
}

static RFC3339_FIXES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    fixes(&[
        // A missing colon in the offset.
        (r"(\+|-)(\d{2})(\d{2})", "${1}${2}:${3}"),
        // A date alone: midnight UTC.
        (r"-\d{2}$", "${0}T00:00:00+00:00"),
    ])
});

static RFC2822_FIXES: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    fixes(&[
        ("(UTC|-0000$)", "+0000"),
        // Weekdays are often wrong or long ("Thurs"); they add nothing.
        ("(Sun|Mon|Tue|Wed|Thu|Fri|Sat)[a-z]*, ", ""),
        (
            "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*",
            "$1",
        ),
        // Month before day.
        (
            "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\\d{1,2}) (\\d{4})",
            "$2 $1 $3",
        ),
        (" 24:", " 00:"),
        (" ([0-9]):", " 0${1}:"),
    ])
});

static RFC1123_FIXES: LazyLock<Vec<(Regex, &'static str)>> =
    LazyLock::new(|| fixes(&[(" Z$", " +0000"), ("^[[:alpha:]]{3}, ", "")]));

#[cfg(test)]
mod tests {
    use super::*;

    /// What feed-rs's default parser makes of `date` as an RSS pubDate.
    fn feed_rs_default(date: &str) -> Option<DateTime<Utc>> {
        let escaped = date
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        let doc = format!(
            "<rss version=\"2.0\"><channel><title>t</title>\
             <item><title>x</title><pubDate>{escaped}</pubDate></item></channel></rss>"
        );
        let feed = feed_rs::parser::parse(doc.as_bytes()).expect("a minimal RSS document");
        feed.entries.first().and_then(|e| e.published)
    }

    const ODD_DATES: &[&str] = &[
        "2026-06-01T10:00:00Z",
        "2026-06-01T10:00:00.123+03:00",
        "2026-06-01T10:00:00+0300",
        "2026-06-01",
        " 2026-06-01T10:00:00-05:00 ",
        "Mon, 01 Jun 2026 10:00:00 +0000",
        "Mon, 01 Jun 2026 10:00:00 GMT",
        "Mon, 01 Jun 2026 10:00:00 UTC",
        "Mon, 01 Jun 2026 10:00:00 -0000",
        "Sat, 01 Jun 2026 10:00:00 +0000",
        "Thurs, 13 Jul 2011 07:38:00 GMT",
        "Monday, 01 June 2026 10:00:00 +0300",
        "01 Jun 2026 10:00:00 +0300",
        "Jun 01 2026 10:00:00 +0300",
        "Mon, 01 Jun 2026 24:10:00 +0000",
        "Mon, 01 Jun 2026 1:05:00 +0000",
        "Mon, 1 Jun 26 10:00:00 EST",
        "Mon, 01 Jun 2026 10:00 +0000",
        "Tue, 15 Nov 2022 20:15:04 Z",
        "15 Nov 2022 20:15:04 Z",
        "Mon, 01 Jun 2026 10:00:00 (comment) +0000",
        "yesterday",
        "",
        "2026-13-45T99:00:00Z",
        "Пн, 01 июн 2026 10:00:00 +0300",
    ];

    #[test]
    fn odd_dates_parse_as_feed_rs_parses_them() {
        for date in ODD_DATES {
            assert_eq!(parse_timestamp(date), feed_rs_default(date), "{date:?}");
        }
        assert!(parse_timestamp("Thurs, 13 Jul 2011 07:38:00 GMT").is_some());
        assert_eq!(parse_timestamp("yesterday"), None);
    }

    /// Every distinct date element text in the shared corpus (RSS pubDate,
    /// Atom updated/published, Dublin Core date), through both parsers.
    #[test]
    #[cfg_attr(
        not(corpus),
        ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
    )]
    fn every_corpus_date_parses_as_feed_rs_parses_it() {
        let root = crate::testutil::corpus();
        let element =
            Regex::new(r"<(pubDate|updated|published|dc:date)>([^<]{1,80})</").expect("regex");
        let mut dates = std::collections::BTreeSet::new();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    let text = String::from_utf8_lossy(&bytes);
                    for c in element.captures_iter(&text) {
                        dates.insert(c[2].to_string());
                    }
                }
            }
        }
        assert!(dates.len() > 500, "only {} dates found", dates.len());
        for date in &dates {
            assert_eq!(parse_timestamp(date), feed_rs_default(date), "{date:?}");
        }
    }
}
