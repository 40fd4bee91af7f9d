//! Normalize stage: [`ParsedFeed`] → `Vec<Entry>` with stable identities.
//!
//! Owns: clean title/text (via `text`), canonical URLs, plausible published
//! times, identity keys (`g:` guid, `u:` canonical URL, `h:` title+date hash),
//! collapsing duplicate items and folding the versions of one story that a
//! document carries into one [`Entry`]. Pure: no I/O, no SQL, no clock (the
//! caller passes `now`), never panics on any input.

mod url_canon;

use std::collections::HashMap;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::model::{Entry, EntryText, ParsedFeed, RawEntry};
use crate::text::{clean_line, fold, guess_language, html_to_text, stable_hash, title_to_text};

use url_canon::canonical_parts;
pub use url_canon::canonical_url;

/// Context the caller supplies: the clock and what the source config says.
#[derive(Clone, Copy, Debug)]
pub struct NormalizeContext<'a> {
    pub now: DateTime<Utc>,
    /// The source's configured language, used when the feed says nothing.
    pub source_language: Option<&'a str>,
}

/// Titles are stored whole up to this (a hostile 1 MB title included: what
/// the feed said is kept, and every output bounds and escapes it); beyond
/// it the feed is broken, and the cut bounds what one row costs to index.
const MAX_TITLE_BYTES: usize = 2 * 1024 * 1024;
/// Full-text feeds carry whole articles (kyiv-independent history: tens of KB);
/// 256 KiB keeps any real article while bounding diff and FTS cost against a
/// feed that stuffs megabytes into one item.
const MAX_TEXT_BYTES: usize = 256 * 1024;

/// One raw entry after cleaning, before identity decisions.
struct Item<'a> {
    index: usize,
    raw: &'a RawEntry,
    state: EntryText,
    url: Option<String>,
    /// The link names a site (path "" or "/"), not a story.
    url_is_site_root: bool,
}

/// Normalises every entry of `feed`, in document order of each story's newest
/// member. See the module doc and the rules inline for identity decisions.
#[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
pub fn normalize(feed: &ParsedFeed, ctx: &NormalizeContext) -> Vec<Entry> {
    let items: Vec<Item> = feed
        .entries
        .iter()
        .enumerate()
        .map(|(index, raw)| clean_item(index, raw, ctx))
        .collect();

    // Guids. An exact duplicate (same guid, same content) is one item printed
    // twice (history/novaya-gazeta-europe: every item appears twice) and is
    // collapsed to its first occurrence. A guid shared by items with
    // DIFFERENT content identifies nothing (node-feedparser guid-dupes.xml)
    // and is not used as a key.
    let mut by_guid: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        if let Some(g) = it.raw.guid.as_deref() {
            by_guid.entry(g).or_default().push(i);
        }
    }
    let mut dropped = vec![false; items.len()];
    let mut guid_usable = vec![false; items.len()];
    for members in by_guid.values() {
        let mut distinct: Vec<&str> = Vec::new();
        let mut kept = Vec::new();
        for &i in members {
            let h = items[i].state.content_hash.as_str();
            if distinct.contains(&h) {
                dropped[i] = true;
            } else {
                distinct.push(h);
                kept.push(i);
            }
        }
        if distinct.len() == 1 {
            for i in kept {
                guid_usable[i] = true;
            }
        }
    }

    // Is a link an identity? Not when it is the site root, the channel link,
    // or shared by more than half of the items (at least 3): generated feeds
    // point every item at the home page (feeds/meduza__… → https://meduza.io/).
    let channel = feed.link.as_deref().and_then(canonical_url);
    let live: Vec<usize> = (0..items.len()).filter(|&i| !dropped[i]).collect();
    let mut url_count: HashMap<&str, usize> = HashMap::new();
    for &i in &live {
        if let Some(u) = items[i].url.as_deref() {
            *url_count.entry(u).or_default() += 1;
        }
    }
    let url_ok = |i: usize| -> Option<&str> {
        let u = items[i].url.as_deref()?;
        let count = url_count.get(u).copied().unwrap_or(0);
        let shared_by_most = count >= 3 && count * 2 > live.len();
        let ok = !shared_by_most && !items[i].url_is_site_root && channel.as_deref() != Some(u);
        ok.then_some(u)
    };
    let identifying: Vec<Option<&str>> = (0..items.len()).map(url_ok).collect();

    // Group the versions of one story: items sharing an identifying link.
    // The AP scraper appends a new item (new guid, new pubDate, same link)
    // per headline edit (history/apnews/*), keeping the old ones.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of_url: HashMap<&str, usize> = HashMap::new();
    for &i in &live {
        match identifying[i] {
            Some(u) => match group_of_url.get(u) {
                Some(&g) => groups[g].push(i),
                None => {
                    group_of_url.insert(u, groups.len());
                    groups.push(vec![i]);
                }
            },
            None => groups.push(vec![i]),
        }
    }

    let mut out: Vec<(usize, Entry)> = groups
        .iter()
        .filter_map(|members| build_entry(feed, ctx, &items, members, &guid_usable, &identifying))
        .collect();
    out.sort_by_key(|(index, _)| *index);
    out.into_iter().map(|(_, e)| e).collect()
}

/// Builds the Entry for one group; returns it with the document index of its
/// newest member (the output order).
fn build_entry(
    feed: &ParsedFeed,
    ctx: &NormalizeContext,
    items: &[Item],
    members: &[usize],
    guid_usable: &[bool],
    identifying: &[Option<&str>],
) -> Option<(usize, Entry)> {
    // Newest member: latest published; ties (and missing dates) → later in
    // document order, since feeds that append versions append at the end.
    let mut ordered: Vec<usize> = members.to_vec();
    ordered.sort_by_key(|&i| (items[i].state.published, items[i].index));
    let &newest = ordered.last()?;
    let cur = &items[newest];

    let mut earlier: Vec<EntryText> = Vec::new();
    for &i in &ordered[..ordered.len() - 1] {
        let st = &items[i].state;
        if st.content_hash != cur.state.content_hash
            && !earlier.iter().any(|e| e.content_hash == st.content_hash)
        {
            earlier.push(st.clone());
        }
    }

    let mut keys: Vec<String> = Vec::new();
    // The newest member's guid first, then the others in document order.
    let mut guid_order = vec![newest];
    guid_order.extend(members.iter().copied().filter(|&i| i != newest));
    for i in guid_order {
        if guid_usable[i]
            && let Some(g) = items[i].raw.guid.as_deref()
        {
            let key = format!("g:{g}");
            if !keys.contains(&key) {
                keys.push(key);
            }
        }
    }
    if let Some(u) = identifying[newest] {
        keys.push(format!("u:{u}"));
    }
    if keys.is_empty() {
        let date = cur
            .state
            .published
            .map(|p| p.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        keys.push(format!(
            "h:{}",
            stable_hash(&[&fold(&cur.state.title), &date])
        ));
    }

    let raw = cur.raw;
    let language = raw
        .language
        .as_deref()
        .and_then(language_code)
        .or_else(|| feed.language.as_deref().and_then(language_code))
        .or_else(|| ctx.source_language.and_then(language_code))
        .or_else(|| {
            // guess_language reads ~200 chars; don't copy a whole article.
            let text = &cur.state.text;
            let head = text.char_indices().nth(400).map_or(text.len(), |(i, _)| i);
            let sample = format!("{} {}", cur.state.title, &text[..head]);
            guess_language(&sample).map(str::to_owned)
        });
    let author = raw
        .authors
        .iter()
        .map(|a| clean_line(&html_to_text(a)))
        .find(|a| !a.is_empty());
    let mut categories: Vec<String> = Vec::new();
    for c in &raw.categories {
        let c = clean_line(&html_to_text(c));
        if !c.is_empty() && !categories.contains(&c) {
            categories.push(c);
        }
    }

    let entry = Entry {
        keys,
        guid: raw.guid.clone().filter(|_| guid_usable[newest]),
        url: cur.url.clone(),
        current: cur.state.clone(),
        earlier,
        language,
        author,
        categories,
    };
    Some((cur.index, entry))
}

fn clean_item<'a>(index: usize, raw: &'a RawEntry, ctx: &NormalizeContext) -> Item<'a> {
    // Titles: feeds put formatting and leftover entities in them
    // ("&amp;rsquo;", "<b>"); those go, but other markup-like text is the
    // title's own words and stays (it is escaped wherever it is shown).
    let title = raw.title.as_deref().map(title_to_text).unwrap_or_default();
    let title = truncate(title, MAX_TITLE_BYTES);
    // Text from content, else summary. A description that is only an <img>
    // plus the title (AP) comes out as the title, which is right: that is
    // all the text there is. One equal to the title (svoboda) is kept too.
    let mut text = raw.content.as_deref().map(html_to_text).unwrap_or_default();
    if text.is_empty() {
        text = raw.summary.as_deref().map(html_to_text).unwrap_or_default();
    }
    let text = truncate(text, MAX_TEXT_BYTES);
    let content_hash = stable_hash(&[&title, &text]);
    let published = raw
        .published
        .or(raw.updated)
        .filter(|p| plausible(*p, ctx.now));
    let (url, url_is_site_root) = match raw.link.as_deref().and_then(canonical_parts) {
        Some((u, root)) => (Some(u), root),
        None => (None, false),
    };
    Item {
        index,
        raw,
        state: EntryText {
            title,
            text,
            content_hash,
            published,
        },
        url,
        url_is_site_root,
    }
}

/// A published time is kept only between 1995-01-01 (before any web feed;
/// catches the 1970-01-01 epoch dates of feeds/meduza__…) and two days after
/// `now` (clock skew and time-zone mistakes, not scheduled posts).
fn plausible(t: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    let floor = Utc.with_ymd_and_hms(1995, 1, 1, 0, 0, 0).single();
    floor.is_some_and(|f| t >= f) && t <= now + Duration::days(2)
}

/// Cuts `s` to at most `max` bytes on a char boundary.
fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.truncate(s.trim_end().len());
    }
    s
}

/// "en-us" → "en", "ru_RU" → "ru"; None for junk.
fn language_code(tag: &str) -> Option<String> {
    let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
    ((2..=3).contains(&primary.len()) && primary.bytes().all(|b| b.is_ascii_lowercase()))
        .then_some(primary)
}

#[cfg(test)]
mod tests;
