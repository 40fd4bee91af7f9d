//! Parse stage: feed document bytes (+ HTTP Content-Type) → [`ParsedFeed`].
//!
//! Owns the charset decision (BOM, HTTP header, UTF-16/32 sniffing, XML
//! prolog, UTF-8, windows-1252), transcoding to UTF-8, prolog and root
//! repairs, and the call into feed-rs — the ONLY module that uses feed-rs.
//! It must never do I/O, never touch SQL, never clean or interpret text
//! (that is `normalize`), and never let a panic or a hang escape: feed-rs
//! runs inside `catch_unwind` and every input is made UTF-8 first.

mod charset;
mod dates;
mod repair;

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use feed_rs::model as fm;
use feed_rs::parser::{ParseErrorKind, ParseFeedError};
use url::Url;

use crate::model::{Document, ParsedFeed, RawEntry};

use repair::Root;

/// Why a document is not a usable feed. Display is one line a user can act on.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ParseError {
    #[error("empty document")]
    Empty,
    #[error("not a feed (HTML page)")]
    HtmlPage,
    #[error("not a feed: root element <{0}> is not RSS, Atom or RDF")]
    UnknownRoot(String),
    #[error("not a feed: no XML element or JSON object found")]
    NoRoot,
    #[error("unsupported encoding '{0}'")]
    UnsupportedEncoding(String),
    #[error("XML error{}: {message}", line.map(|l| format!(" at line {l}")).unwrap_or_default())]
    Xml { line: Option<u64>, message: String },
    #[error("invalid JSON Feed: {0}")]
    Json(String),
    #[error("feed parser crashed: {0}")]
    Crashed(String),
}

/// Parses one fetched document into a [`ParsedFeed`] (entries in document
/// order, text fields as the feed wrote them). Never panics.
#[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
pub fn parse_document(doc: &Document) -> Result<ParsedFeed, ParseError> {
    if doc.bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ParseError::Empty);
    }
    let decoded =
        charset::decode(&doc.bytes, doc.content_type.as_deref()).map_err(|e| match e {
            charset::CharsetError::Unsupported(label) => ParseError::UnsupportedEncoding(label),
        })?;
    let encoding = decoded.encoding;
    let text = charset::prepare_utf8(decoded.text);
    if text.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let base = doc.url.as_deref().and_then(|u| Url::parse(u).ok());

    if text.starts_with('{') {
        // JSON Feed 1.0/1.1. feed-rs only accepts the https:// version URL,
        // but 1.0 feeds in the wild say http:// (RSParser's pxlnv.json).
        const OLD: &str = "\"http://jsonfeed.org/version/";
        let text: Cow<str> = if text.contains(OLD) {
            Cow::Owned(text.replacen(OLD, "\"https://jsonfeed.org/version/", 1))
        } else {
            text
        };
        let feed = run_feed_rs(text.as_bytes(), base.as_ref())?.map_err(|e| map_error(e, &text))?;
        return Ok(convert(feed, encoding, base.as_ref()));
    }

    match repair::sniff_root(&text) {
        Root::Html => return Err(ParseError::HtmlPage),
        Root::None => return Err(ParseError::NoRoot),
        Root::Element(name) if !matches!(name.as_str(), "rss" | "feed" | "rdf" | "entry") => {
            return Err(ParseError::UnknownRoot(name));
        }
        Root::Element(_) => {}
    }
    // Fixed up front rather than on retry: a bad <rss> root is common and
    // costs a whole failed parse otherwise.
    let text = repair::fix_rss_root(text);

    let feed = match run_feed_rs(text.as_bytes(), base.as_ref())? {
        Ok(feed) => feed,
        Err(_) => {
            // feedparser-style loose retry: undeclared entities, bare '&',
            // forbidden control characters, a truncated last end tag.
            // Re-prepared: removing a control character can turn "<?\u{8}xml"
            // into a declaration whose encoding quick-xml would act on.
            let mut repaired =
                charset::prepare_utf8(Cow::Owned(repair::repair_xml(&text))).into_owned();
            let mut attempts = 0;
            loop {
                let err = match run_feed_rs(repaired.as_bytes(), base.as_ref())? {
                    Ok(feed) => break feed,
                    Err(e) => e,
                };
                // feed-rs rejects the WHOLE feed for one element with an
                // unknown Atom content type (feedparser wellformed/amp/attr04:
                // type="application/xhtml+xml") or an empty text construct;
                // patch that element and try again, a bounded number of times.
                attempts += 1;
                let patched = match &err {
                    ParseFeedError::ParseError(ParseErrorKind::UnknownMimeType {
                        mime, ..
                    }) => repair::replace_content_type(&repaired, mime),
                    ParseFeedError::ParseError(ParseErrorKind::MissingContent {
                        position, ..
                    }) => repair::fill_empty_element(&repaired, *position),
                    _ => None,
                };
                match patched {
                    Some(p) if attempts <= 8 => repaired = p,
                    _ => return Err(map_error(err, &repaired)),
                }
            }
        }
    };
    Ok(convert(feed, encoding, base.as_ref()))
}

/// Runs feed-rs with our settings; a panic inside it becomes
/// [`ParseError::Crashed`]. The default panic hook still prints the message
/// to stderr — a global `set_hook` would silence every other panic in the
/// daemon too, and panics here should be rare now that feed-rs only ever
/// sees UTF-8 with a consistent prolog.
fn run_feed_rs(
    bytes: &[u8],
    base: Option<&Url>,
) -> Result<Result<fm::Feed, ParseFeedError>, ParseError> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        feed_rs::parser::Builder::new()
            .base_uri(base.map(Url::as_str))
            // An empty id means "the feed gave none": normalize must know
            // that, and feed-rs would otherwise invent a hash or a UUID.
            .id_generator(|_links, _title, _uri| String::new())
            .sanitize_content(false)
            .timestamp_parser(dates::parse_timestamp)
            .build()
            .parse(bytes)
    }));
    result.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        ParseError::Crashed(msg)
    })
}

fn map_error(e: ParseFeedError, text: &str) -> ParseError {
    match e {
        ParseFeedError::ParseError(ParseErrorKind::NoFeedRoot) => match repair::sniff_root(text) {
            Root::Element(name) => ParseError::UnknownRoot(name),
            Root::Html => ParseError::HtmlPage,
            Root::None => ParseError::NoRoot,
        },
        ParseFeedError::ParseError(kind) => {
            let position = match &kind {
                ParseErrorKind::UnknownMimeType { position, .. }
                | ParseErrorKind::MissingContent { position, .. }
                | ParseErrorKind::UnknownEnumVariant { position, .. }
                | ParseErrorKind::IllegalState { position, .. } => Some(*position),
                ParseErrorKind::NoFeedRoot => None,
            };
            ParseError::Xml {
                line: position.map(|p| line_of(text, p)),
                message: kind.to_string(),
            }
        }
        ParseFeedError::JsonSerde(e) => ParseError::Json(e.to_string()),
        ParseFeedError::JsonUnsupportedVersion(v) => {
            ParseError::Json(format!("unsupported JSON Feed version '{v}'"))
        }
        ParseFeedError::IoError(e) => ParseError::Xml {
            line: None,
            message: e.to_string(),
        },
        ParseFeedError::XmlReader(e) => match locate_xml_error(text) {
            Some((line, message)) => ParseError::Xml {
                line: Some(line),
                message,
            },
            None => ParseError::Xml {
                line: None,
                message: e.to_string(),
            },
        },
    }
}

/// 1-based line of byte offset `pos` in `text`.
fn line_of(text: &str, pos: u64) -> u64 {
    let end = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count() as u64
        + 1
}

/// feed-rs's XML errors carry no position; re-scan with quick-xml (only on
/// the error path) to tell the user which line is broken.
fn locate_xml_error(text: &str) -> Option<(u64, String)> {
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => return None,
            Ok(_) => {}
            Err(e) => return Some((line_of(text, reader.error_position()), e.to_string())),
        }
    }
}

/// The feed-rs model → our [`ParsedFeed`].
fn convert(feed: fm::Feed, encoding: &str, base: Option<&Url>) -> ParsedFeed {
    let feed_link = pick_link(&feed.links).and_then(|l| resolve(l, base));
    let link_base = base
        .cloned()
        .or_else(|| feed_link.as_deref().and_then(|l| Url::parse(l).ok()));
    let entries = feed
        .entries
        .into_iter()
        .map(|e| convert_entry(e, link_base.as_ref()))
        .collect();
    ParsedFeed {
        title: feed.title.map(|t| t.content),
        link: feed_link,
        language: feed.language.filter(|l| !l.trim().is_empty()),
        encoding: encoding.to_owned(),
        entries,
    }
}

fn convert_entry(e: fm::Entry, base: Option<&Url>) -> RawEntry {
    let guid = Some(e.id.trim().to_owned()).filter(|g| !g.is_empty());
    let mut link = pick_link(&e.links).and_then(|l| resolve(l, base));
    if link.is_none() {
        // RSS: a guid is a permalink unless isPermaLink="false"; feed-rs
        // drops the attribute, so accept a guid that is an absolute web URL.
        link = guid
            .as_deref()
            .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
            .map(str::to_owned);
    }
    RawEntry {
        guid,
        link,
        title: e.title.map(|t| t.content),
        summary: e.summary.map(|t| t.content),
        content: e.content.and_then(|c| c.body),
        published: e.published.or(e.updated),
        updated: e.updated,
        authors: e
            .authors
            .into_iter()
            .filter_map(|p| p.name.or(p.email))
            .filter(|n| !n.trim().is_empty())
            .collect(),
        categories: e
            .categories
            .into_iter()
            .map(|c| c.label.filter(|l| !l.trim().is_empty()).unwrap_or(c.term))
            .filter(|c| !c.trim().is_empty())
            .collect(),
        language: e.language.filter(|l| !l.trim().is_empty()),
    }
}

/// The alternate link: rel absent or "alternate" first, then any link that
/// is not self/enclosure/edit/replies/comments.
fn pick_link(links: &[fm::Link]) -> Option<&str> {
    let usable = |l: &&fm::Link| l.target.is_none() && !l.href.trim().is_empty();
    links
        .iter()
        .filter(usable)
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .or_else(|| {
            links.iter().filter(usable).find(|l| {
                !matches!(
                    l.rel.as_deref(),
                    Some("self" | "enclosure" | "edit" | "replies" | "hub")
                )
            })
        })
        .map(|l| l.href.trim())
}

/// Resolves a (possibly relative) link against the document's base URL.
fn resolve(href: &str, base: Option<&Url>) -> Option<String> {
    match Url::parse(href) {
        Ok(u) => Some(u.to_string()),
        Err(url::ParseError::RelativeUrlWithoutBase) => match base {
            Some(b) => b.join(href).ok().map(|u| u.to_string()),
            None => Some(href.to_owned()),
        },
        Err(_) => Some(href.to_owned()),
    }
}

/// Keeps the borrow checker honest about the fast path: valid UTF-8 with a
/// UTF-8 (or no) prolog reaches feed-rs without a copy.
#[cfg(test)]
fn is_borrowed(doc: &[u8]) -> bool {
    match charset::decode(doc, None) {
        Ok(d) => matches!(
            repair::fix_rss_root(charset::prepare_utf8(d.text)),
            Cow::Borrowed(_)
        ),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests;
