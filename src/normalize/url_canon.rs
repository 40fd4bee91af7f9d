//! Canonical form of item links, so one story has one URL whatever campaign
//! link a feed used. Pure; no I/O; never panics.

use url::Url;

/// Query parameters that only track the click, never select the content.
const TRACKING_EXACT: &[&str] = &[
    "fbclid",
    "gclid",
    "gbraid",
    "wbraid",
    "dclid",
    "msclkid",
    "yclid",
    "mc_cid",
    "mc_eid",
    "igshid",
    "_ga",
    "_gl",
    "_hsenc",
    "_hsmi",
    "mkt_tok",
    "ref_src",
    "cmpid",
    "ocid",
    "__twitter_impression",
    "spm",
];
/// Prefixes of tracking parameters: Google Analytics `utm_*`, and the BBC's
/// `at_medium`/`at_campaign`/`at_link_id`… family.
const TRACKING_PREFIX: &[&str] = &["utm_", "at_"];

/// Canonical URL of an item link: http/https only, host lower-case, default
/// port removed (both done by the `url` crate), fragment dropped, tracking
/// parameters dropped (the rest keep their order and spelling), path kept as
/// is (a trailing slash can matter to the server). None for anything else
/// (mailto:, javascript:, relative leftovers, garbage).
pub fn canonical_url(link: &str) -> Option<String> {
    canonical_parts(link).map(|(u, _)| u)
}

/// [`canonical_url`] plus whether the URL names a site rather than a story:
/// its path is empty or "/" and no query selects a page (WordPress
/// permalinks like `https://site/?p=123` do name a story).
pub(crate) fn canonical_parts(link: &str) -> Option<(String, bool)> {
    let mut url = Url::parse(link.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
        return None;
    }
    url.set_fragment(None);
    if let Some(query) = url.query() {
        let kept: Vec<&str> = query
            .split('&')
            .filter(|pair| !pair.is_empty() && !is_tracking(pair.split('=').next().unwrap_or("")))
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else {
            let q = kept.join("&");
            url.set_query(Some(&q));
        }
    }
    let site_root = matches!(url.path(), "" | "/") && url.query().is_none();
    Some((url.to_string(), site_root))
}

fn is_tracking(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    TRACKING_EXACT.contains(&k.as_str()) || TRACKING_PREFIX.iter().any(|p| k.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises() {
        let c = |s| canonical_url(s);
        assert_eq!(
            c("https://EXAMPLE.org:443/a/b/?utm_source=x&id=3&fbclid=y#top").as_deref(),
            Some("https://example.org/a/b/?id=3")
        );
        assert_eq!(
            c("http://Ex.org:80/x?at_medium=RSS&at_campaign=rss").as_deref(),
            Some("http://ex.org/x")
        );
        assert_eq!(
            c("https://ex.org:8443/x?b=2&a=1").as_deref(),
            Some("https://ex.org:8443/x?b=2&a=1")
        );
        assert_eq!(c("https://ex.org").as_deref(), Some("https://ex.org/"));
        assert_eq!(
            c(" https://ex.org/path/ ").as_deref(),
            Some("https://ex.org/path/")
        );
        assert_eq!(c("https://ex.org/?p=1&__twitter_impression=true&ocid=x&cmpid=y&spm=z&_ga=1&yclid=2&igshid=3&mc_cid=4&mc_eid=5&gclid=6&ref_src=7").as_deref(), Some("https://ex.org/?p=1"));
        assert_eq!(c("mailto:a@b.c"), None);
        assert_eq!(c("/relative"), None);
        assert_eq!(c("javascript:alert(1)"), None);
        assert_eq!(c(""), None);
    }
}
