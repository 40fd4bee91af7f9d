//! OPML import and export for `newswatch sources import-opml` / `export-opml`.
//!
//! Pure text in, values out (and back): no file I/O, no network, no config or
//! database access — the CLI reads and writes the files. Reads OPML 1.0 and
//! 2.0 (every `<outline>` with an `xmlUrl`, at any depth; see the test files
//! in shared/corpus/suites/rome/rome-opml) and writes OPML 2.0. Must never
//! panic on any input.

use crate::text::xml_escape;
use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// Deepest outline nesting accepted; real subscription lists use two or three
/// levels, so anything deeper is a broken or hostile file.
const MAX_DEPTH: usize = 256;

/// One feed subscription from (or for) an OPML file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpmlFeed {
    /// `title=`, else `text=`, else the URL.
    pub title: String,
    /// The feed URL (`xmlUrl=`), as written (not validated here).
    pub url: String,
    /// The site URL (`htmlUrl=`).
    pub html_url: Option<String>,
    /// The parent outline's `text=` (else its `title=`): the folder the feed sits in.
    pub category: Option<String>,
}

/// Why an OPML document could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OpmlError {
    /// The XML itself is broken.
    #[error("OPML: malformed XML at byte {position}: {message}")]
    Xml { position: u64, message: String },
    /// Well-formed XML, but not OPML (e.g. an RSS feed given by mistake).
    #[error("OPML: the root element is <{root}>, not <opml>")]
    NotOpml { root: String },
    /// No root element at all.
    #[error("OPML: the document is empty")]
    Empty,
    /// Outlines nested deeper than we accept.
    #[error("OPML: outlines nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
}

/// Every `<outline>` carrying an `xmlUrl`, at any depth, in document order.
pub fn parse_opml(text: &str) -> Result<Vec<OpmlFeed>, OpmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut feeds = Vec::new();
    // Labels of the open outlines, innermost last.
    let mut open: Vec<Option<String>> = Vec::new();
    let mut seen_root = false;
    loop {
        let event = reader.read_event().map_err(|e| OpmlError::Xml {
            position: reader.error_position(),
            message: e.to_string(),
        })?;
        let (start, is_empty) = match &event {
            Event::Start(e) => (e, false),
            Event::Empty(e) => (e, true),
            Event::End(e) => {
                if is_outline(e.local_name().as_ref()) {
                    open.pop();
                }
                continue;
            }
            Event::Eof => break,
            _ => continue,
        };
        if !seen_root {
            seen_root = true;
            let root = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
            if !root.eq_ignore_ascii_case("opml") {
                return Err(OpmlError::NotOpml { root });
            }
            continue;
        }
        if !is_outline(start.local_name().as_ref()) {
            continue;
        }
        let outline = Outline::read(start, &reader);
        if let Some(url) = outline.xml_url.clone() {
            feeds.push(OpmlFeed {
                title: outline.label().unwrap_or_else(|| url.clone()),
                url,
                html_url: outline.html_url.clone(),
                category: open.last().cloned().flatten(),
            });
        }
        if !is_empty {
            if open.len() >= MAX_DEPTH {
                return Err(OpmlError::TooDeep);
            }
            open.push(outline.label());
        }
    }
    if seen_root {
        Ok(feeds)
    } else {
        Err(OpmlError::Empty)
    }
}

fn is_outline(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"outline")
}

/// The attributes of one `<outline>` that matter to us.
#[derive(Default)]
struct Outline {
    title: Option<String>,
    text: Option<String>,
    xml_url: Option<String>,
    html_url: Option<String>,
}

impl Outline {
    /// Attribute names are matched case-insensitively: `xmlurl=` occurs in the wild.
    /// A malformed attribute is skipped rather than failing the whole import.
    fn read(start: &BytesStart, reader: &Reader<&[u8]>) -> Outline {
        let mut out = Outline::default();
        for attr in start.html_attributes().flatten() {
            let key = attr.key.local_name();
            let slot = match key.as_ref().to_ascii_lowercase().as_slice() {
                b"title" => &mut out.title,
                b"text" => &mut out.text,
                b"xmlurl" => &mut out.xml_url,
                b"htmlurl" => &mut out.html_url,
                _ => continue,
            };
            let value = attr
                .decode_and_unescape_value_with(reader.decoder(), resolve_entity)
                .unwrap_or_else(|_| String::from_utf8_lossy(&attr.value).into_owned().into());
            let value = without_forbidden_controls(&value);
            let value = value.trim();
            if !value.is_empty() {
                *slot = Some(value.to_string());
            }
        }
        out
    }

    fn label(&self) -> Option<String> {
        self.title.clone().or_else(|| self.text.clone())
    }
}

/// `value` without the control characters XML 1.0 forbids (all of C0 but
/// tab, LF and CR). quick-xml lets them through; `write_opml` cannot write
/// them, so keeping them would make an import differ from its own export
/// (and a feed URL with a NUL in it is no URL).
fn without_forbidden_controls(value: &str) -> Cow<'_, str> {
    let forbidden = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    if value.contains(forbidden) {
        Cow::Owned(value.chars().filter(|&c| !forbidden(c)).collect())
    } else {
        Cow::Borrowed(value)
    }
}

/// XML's five entities plus the HTML ones that OPML exporters leak most often.
fn resolve_entity(name: &str) -> Option<&'static str> {
    quick_xml::escape::resolve_predefined_entity(name).or(match name {
        "nbsp" => Some("\u{a0}"),
        "mdash" => Some("\u{2014}"),
        "ndash" => Some("\u{2013}"),
        _ => None,
    })
}

/// An OPML 2.0 document listing `feeds`, grouped by category (in order of first
/// appearance; uncategorised feeds first, at the top level).
pub fn write_opml(title: &str, feeds: &[OpmlFeed]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n");
    out.push_str(&format!(
        "  <head>\n    <title>{}</title>\n  </head>\n  <body>\n",
        xml_escape(title)
    ));
    for feed in feeds.iter().filter(|f| f.category.is_none()) {
        write_feed(&mut out, feed, "    ");
    }
    let mut categories: Vec<&str> = Vec::new();
    for category in feeds.iter().filter_map(|f| f.category.as_deref()) {
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    for category in categories {
        let c = xml_escape(category);
        out.push_str(&format!("    <outline text=\"{c}\" title=\"{c}\">\n"));
        for feed in feeds
            .iter()
            .filter(|f| f.category.as_deref() == Some(category))
        {
            write_feed(&mut out, feed, "      ");
        }
        out.push_str("    </outline>\n");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn write_feed(out: &mut String, feed: &OpmlFeed, indent: &str) {
    let t = xml_escape(&feed.title);
    out.push_str(&format!(
        "{indent}<outline type=\"rss\" text=\"{t}\" title=\"{t}\" xmlUrl=\"{}\"",
        xml_escape(&feed.url)
    ));
    if let Some(html) = &feed.html_url {
        out.push_str(&format!(" htmlUrl=\"{}\"", xml_escape(html)));
    }
    out.push_str("/>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(title: &str, url: &str, html: Option<&str>, cat: Option<&str>) -> OpmlFeed {
        OpmlFeed {
            title: title.into(),
            url: url.into(),
            html_url: html.map(Into::into),
            category: cat.map(Into::into),
        }
    }

    #[test]
    fn round_trip_keeps_every_field() {
        let feeds = vec![
            feed(
                "Loose \"one\" & <co>",
                "https://a.example/rss?x=1&y=2",
                None,
                None,
            ),
            feed(
                "Kyiv Independent",
                "https://kyivindependent.com/news-archive/rss/",
                Some("https://kyivindependent.com/"),
                Some("Ukraine"),
            ),
            feed(
                "Укрінформ",
                "https://www.ukrinform.net/rss/block-lastnews",
                None,
                Some("Ukraine"),
            ),
            feed(
                "Meduza\tEN\nline",
                "https://meduza.io/rss/en/all",
                Some("https://meduza.io/en"),
                Some("Russia's <media>"),
            ),
        ];
        let xml = write_opml("My feeds & more", &feeds);
        assert!(
            xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">")
        );
        assert!(xml.contains("<title>My feeds &amp; more</title>"));
        assert_eq!(parse_opml(&xml).unwrap(), feeds, "{xml}");
    }

    /// Found by the `opml` fuzz target: a NUL in an attribute was imported,
    /// dropped on export, so the export imported as a different feed.
    #[test]
    fn control_characters_are_dropped_on_import_as_on_export() {
        let file = "<opml><body><outline text=\"\u{1}News\" xmlUrl=\"https://a.example/\0rss\u{2} \"/></body></opml>";
        let feeds = parse_opml(file).unwrap();
        assert_eq!(feeds, [feed("News", "https://a.example/rss", None, None)]);
        assert_eq!(parse_opml(&write_opml("t", &feeds)).unwrap(), feeds);
    }

    #[test]
    fn grouping_by_category_orders_first_appearance() {
        let feeds = vec![
            feed("b1", "https://b/1", None, Some("B")),
            feed("a1", "https://a/1", None, Some("A")),
            feed("b2", "https://b/2", None, Some("B")),
            feed("none", "https://n/", None, None),
        ];
        let titles: Vec<String> = parse_opml(&write_opml("t", &feeds))
            .unwrap()
            .into_iter()
            .map(|f| f.title)
            .collect();
        assert_eq!(titles, ["none", "b1", "b2", "a1"]);
        assert!(write_opml("t", &[]).contains("<body>\n  </body>"));
    }

    /// Subscription lists as readers export them (tests/fixtures/opml): OPML
    /// 1.0 labelled by `text=`, 2.0 by `title=`, feeds in nested folders,
    /// empty folders; and a 1.0 list of `type="link"` outlines, no feed.
    #[test]
    fn subscription_files_parse() {
        for (name, count) in [
            ("subscriptions-1.0.xml", 11),
            ("subscriptions-2.0.xml", 11),
            ("links-only-1.0.xml", 0),
        ] {
            let path = crate::testutil::fixture("opml").join(name);
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let feeds = parse_opml(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(feeds.len(), count, "{name}");
            if count > 0 {
                assert_eq!(
                    feeds[0],
                    feed(
                        "Harbour Gazette | News",
                        "http://gazette.example/rss/news",
                        Some("http://gazette.example"),
                        Some("Subscriptions")
                    ),
                    "{name}"
                );
                // The innermost folder, not the `category=` attribute.
                let tidepool = feeds.iter().find(|f| f.title == "Tidepool").unwrap();
                assert_eq!(tidepool.category.as_deref(), Some("science"), "{name}");
                assert_eq!(tidepool.url, "http://rss.tidepool.example/tidepool/x7Qz");
            }
        }
    }

    #[test]
    fn title_falls_back_to_text_then_url() {
        let xml = r#"<opml version="1.0"><body>
            <outline text="Folder">
              <outline text="By text" xmlUrl="https://t/"/>
              <outline xmlurl="https://u/" title="  "/>
              <outline title="T &amp; &nbsp;x" text="ignored" xmlUrl="https://v/"></outline>
              <outline text="&bogus;" xmlUrl="https://w/"/>
            </outline>
            <outline xmlUrl="https://top/"/>
        </body></opml>"#;
        let feeds = parse_opml(xml).unwrap();
        let got: Vec<(&str, &str, Option<&str>)> = feeds
            .iter()
            .map(|f| (f.title.as_str(), f.url.as_str(), f.category.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("By text", "https://t/", Some("Folder")),
                ("https://u/", "https://u/", Some("Folder")),
                ("T & \u{a0}x", "https://v/", Some("Folder")),
                ("&bogus;", "https://w/", Some("Folder")),
                ("https://top/", "https://top/", None),
            ]
        );
    }

    #[test]
    fn bad_documents_are_errors_not_panics() {
        assert!(matches!(parse_opml(""), Err(OpmlError::Empty)));
        assert!(matches!(
            parse_opml("<rss version=\"2.0\"></rss>"),
            Err(OpmlError::NotOpml { .. })
        ));
        assert!(matches!(
            parse_opml("<opml><body><outline></body></opml>"),
            Err(OpmlError::Xml { .. })
        ));
        let deep = format!(
            "<opml><body>{}</body></opml>",
            "<outline text=\"x\">".repeat(MAX_DEPTH + 1)
        );
        assert!(matches!(parse_opml(&deep), Err(OpmlError::TooDeep)));
        for junk in [
            "<",
            "<opml",
            "\u{0}",
            "<opml><body><outline xmlUrl=\"a\" xmlUrl=\"b\"/></body></opml>",
            "<?xml?>",
        ] {
            let _ = parse_opml(junk);
        }
    }
}
