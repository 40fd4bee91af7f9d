//! The four guards the writer applies before storing or alerting on a
//! revision: extraction collapse, counters ticking across a feed, flapping
//! and churn (module docs). Pure: the caller passes hashes, times and `now`.

use chrono::{DateTime, Duration, Utc};

use super::VersionText;
use super::words::{Field, counts, take};
use crate::text::clean_text;

/// Extraction-failure guard: the new text is shorter than this share of the
/// old one (in characters)…
const COLLAPSE_RATIO: f64 = 0.30;
/// …the old text had at least this many characters (a 40-character teaser
/// replaced by a 10-character one is an edit, not a collapse)…
const COLLAPSE_MIN_OLD_CHARS: usize = 100;
/// …and at least this share of the new words were already in the old title
/// or text: what is left is a remnant, not a rewrite. texty.org.ua's feed
/// once replaced a 260-character teaser by the title itself
/// (history/texty-org-ua, 20250930T172650Z): a collapse. A short teaser in
/// new words replacing a long one is an edit and stays one.
const COLLAPSE_REMNANT_SHARE: f64 = 0.8;

/// Churn guard: more than this many revisions of one item…
pub const CHURN_MAX_REVISIONS: usize = 5;
/// …within this many hours, and the item is churning (a feed that rewrites a
/// live blog on every fetch must not mail on every fetch).
pub const CHURN_WINDOW_HOURS: i64 = 24;

/// Guard: the new text collapsed to a remnant of the old (feed truncation or
/// extraction failure), which must not be reported as an edit. True when the
/// text was emptied, or when the title is unchanged (up to cosmetic
/// differences) and the new text is under [`COLLAPSE_RATIO`] of an old text
/// of at least [`COLLAPSE_MIN_OLD_CHARS`] characters and mostly made of old
/// words ([`COLLAPSE_REMNANT_SHARE`]).
pub fn is_extraction_failure(old: &VersionText, new: &VersionText) -> bool {
    let old_text = clean_text(old.text);
    let new_text = clean_text(new.text);
    let old_len = old_text.chars().count();
    let new_len = new_text.chars().count();
    if old_len == 0 {
        return false;
    }
    if new_len == 0 {
        return true;
    }
    if old_len < COLLAPSE_MIN_OLD_CHARS || (new_len as f64) >= COLLAPSE_RATIO * old_len as f64 {
        return false;
    }
    let keys = |s: &str| -> Vec<String> {
        Field::analyse(s, false)
            .toks
            .into_iter()
            .map(|t| t.key)
            .collect()
    };
    if keys(old.title) != keys(new.title) {
        return false;
    }
    let mut old_keys = keys(&old_text);
    old_keys.extend(keys(old.title));
    let mut pool = counts(old_keys.iter().map(String::as_str));
    let new_keys = keys(&new_text);
    if new_keys.is_empty() {
        // Only punctuation left: nothing of the article survived.
        return true;
    }
    let kept = new_keys.iter().filter(|k| take(&mut pool, k)).count();
    kept as f64 >= COLLAPSE_REMNANT_SHARE * new_keys.len() as f64
}

/// Guard, with [`counters_in_feed`]: `new` differs from `old` in the digits
/// of its numbers and nothing else, title and text (a points or comments
/// counter, "updated 5 minutes ago").
pub fn numbers_only(old: &VersionText, new: &VersionText) -> bool {
    let digitless = |s: &str| -> String { s.chars().filter(|c| !c.is_ascii_digit()).collect() };
    (old.title != new.title || old.text != new.text)
        && digitless(old.title) == digitless(new.title)
        && digitless(old.text) == digitless(new.text)
}

/// Fewest items of one fetch changed in their numbers alone for the feed to
/// be taken as one that carries counters.
pub const COUNTER_MIN_ITEMS: usize = 3;

/// Guard: whether `numbers_only_changes` of a fetch's `entries` changed in
/// their numbers alone (see [`numbers_only`]) — at least
/// [`COUNTER_MIN_ITEMS`] and a quarter of the feed — so that these are
/// counters ticking, not edits. An aggregator's feed (Hacker News: "Points:
/// 74 # Comments: 44" in every item) made a figure-changed major revision
/// of every item at every poll. Real number edits ("strikes kill 5" → "kill
/// 22") come one story at a time.
pub fn counters_in_feed(numbers_only_changes: usize, entries: usize) -> bool {
    numbers_only_changes >= COUNTER_MIN_ITEMS.max(entries.div_ceil(4))
}

/// Guard: the new version's content hash equals that of a version before the
/// current one (A→B→A), so the change back is a flap, reported once (when
/// A→B happened), not again.
pub fn is_flap(new_hash: &str, earlier_hashes: &[String]) -> bool {
    !new_hash.is_empty() && earlier_hashes.iter().any(|h| h == new_hash)
}

/// Guard: the item already has [`CHURN_MAX_REVISIONS`] or more stored
/// revisions (`recent_revision_times`, not counting the one being judged)
/// in the [`CHURN_WINDOW_HOURS`] before `now`. Times after `now` count as
/// recent: a clock stepped back must not reset the cap.
pub fn is_churning(recent_revision_times: &[DateTime<Utc>], now: DateTime<Utc>) -> bool {
    let since = now - Duration::hours(CHURN_WINDOW_HOURS);
    recent_revision_times.iter().filter(|t| **t > since).count() >= CHURN_MAX_REVISIONS
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const TX_GREY_TITLE: &str = "20 кілометрів сірої зони. Лінія фронту стала розмитою";
    const TX_GREY: &str = "Опис кілзони — контрольованої дронами смуги між позиціями. Якими є штурми, нори, логістика, оборона та щоденна боротьба українських піхотинців за виживання й утримання позицій.>>";

    #[test]
    fn counters_are_numbers_changing_in_many_items_at_once() {
        let v = |title, text| VersionText { title, text };
        let hn = v("Show HN: a ceasefire tracker", "Points: 74\n# Comments: 44");
        assert!(numbers_only(
            &hn,
            &v("Show HN: a ceasefire tracker", "Points: 81\n# Comments: 47")
        ));
        assert!(numbers_only(
            &hn,
            &v(
                "Show HN: a ceasefire tracker",
                "Points: 1081\n# Comments: 7"
            )
        ));
        // Unchanged, or a word changed with the numbers: not counters.
        assert!(!numbers_only(&hn, &hn));
        assert!(!numbers_only(
            &hn,
            &v("Show HN: a truce tracker", "Points: 81\n# Comments: 47")
        ));
        assert!(!numbers_only(
            &v("Strikes kill 5 in Ukraine", ""),
            &v("Strikes kill 22 people in Ukraine", "")
        ));
        // One story's figure updated is an edit; a third of the feed is not.
        assert!(!counters_in_feed(1, 40));
        assert!(!counters_in_feed(2, 4));
        assert!(!counters_in_feed(9, 40));
        assert!(counters_in_feed(10, 40));
        assert!(counters_in_feed(3, 3));
        assert!(counters_in_feed(30, 30));
    }

    #[test]
    fn extraction_failure_guard() {
        let long = VersionText {
            title: TX_GREY_TITLE,
            text: TX_GREY,
        };
        // texty-org-ua/20250930T172650Z.xml: the teaser became the title.
        let title_as_text = VersionText {
            title: TX_GREY_TITLE,
            text: TX_GREY_TITLE,
        };
        assert!(is_extraction_failure(&long, &title_as_text));
        // Truncated to its first words.
        let cut = VersionText {
            title: TX_GREY_TITLE,
            text: "Опис кілзони — контрольованої дронами…",
        };
        assert!(is_extraction_failure(&long, &cut));
        // Emptied, whatever the title did.
        let empty = VersionText {
            title: "Інший заголовок",
            text: " \n",
        };
        assert!(is_extraction_failure(&long, &empty));
        // A short teaser in new words is an edit.
        let rewritten = VersionText {
            title: TX_GREY_TITLE,
            text: "Піхота тримає позиції тижнями.",
        };
        assert!(!is_extraction_failure(&long, &rewritten));
        // The title changed too: an edit.
        let retitled = VersionText {
            title: "Кілзона: як живе піхота",
            text: "Опис кілзони — контрольованої дронами…",
        };
        assert!(!is_extraction_failure(&long, &retitled));
        // Short texts and texts that grew are never collapses.
        let short = VersionText {
            title: "t",
            text: "10 главных вопросов",
        };
        let shorter = VersionText {
            title: "t",
            text: "10",
        };
        assert!(!is_extraction_failure(&short, &shorter));
        assert!(!is_extraction_failure(&title_as_text, &long));
        let none = VersionText {
            title: "t",
            text: "",
        };
        assert!(!is_extraction_failure(&none, &none));
    }

    #[test]
    fn flap_guard() {
        let earlier = vec!["aaaa".to_string(), "bbbb".to_string()];
        assert!(is_flap("aaaa", &earlier));
        assert!(!is_flap("cccc", &earlier));
        assert!(!is_flap("aaaa", &[]));
        assert!(!is_flap("", &["".to_string()]));
    }

    #[test]
    fn churn_guard() {
        let now = Utc.with_ymd_and_hms(2026, 5, 10, 12, 0, 0).unwrap();
        let hours_ago = |h: i64| now - Duration::hours(h);
        let four: Vec<_> = (1..=4).map(hours_ago).collect();
        assert!(!is_churning(&four, now));
        let five: Vec<_> = (1..=5).map(hours_ago).collect();
        assert!(is_churning(&five, now));
        // Old revisions fall out of the window.
        let spread: Vec<_> = [1, 2, 3, 4, 25, 30].into_iter().map(hours_ago).collect();
        assert!(!is_churning(&spread, now));
        assert!(!is_churning(&[hours_ago(CHURN_WINDOW_HOURS); 9], now));
        // A clock stepped back still counts the "future" revisions.
        let future: Vec<_> = (1..=5).map(|h| now + Duration::minutes(h)).collect();
        assert!(is_churning(&future, now));
        assert!(!is_churning(&[], now));
    }
}
