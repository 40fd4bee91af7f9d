//! Sniffing the root element and repairing common XML breakage before
//! feed-rs sees a document (feedparser's "loose" mode, in miniature).
//!
//! Pure string functions; no I/O; linear time; never panics.

use std::borrow::Cow;

/// What the first element of a document says about it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Root {
    /// The local name of the first element, lower-cased (`rss`, `feed`, `rdf`…).
    Element(String),
    /// `<!DOCTYPE html>` or an `<html>` root: a web page, not a feed.
    Html,
    /// No element at all.
    None,
}

/// Finds the root element, skipping the XML declaration, comments,
/// processing instructions and DOCTYPE (with an internal subset).
pub(crate) fn sniff_root(text: &str) -> Root {
    let b = text.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i] != b'<' {
            i += 1;
        }
        if i >= b.len() {
            return Root::None;
        }
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            match find(b, i + 4, b"-->") {
                Some(p) => i = p + 3,
                None => return Root::None,
            }
        } else if rest.starts_with(b"<?") {
            match find(b, i + 2, b"?>") {
                Some(p) => i = p + 2,
                None => return Root::None,
            }
        } else if rest.len() >= 9 && rest[..9].eq_ignore_ascii_case(b"<!doctype") {
            let after = rest[9..].iter().skip_while(|c| c.is_ascii_whitespace());
            let name: Vec<u8> = after.take(4).map(u8::to_ascii_lowercase).collect();
            if name == b"html" {
                return Root::Html;
            }
            i = past_declaration(b, i + 9);
        } else if rest.starts_with(b"<!") {
            match find(b, i + 2, b">") {
                Some(p) => i = p + 1,
                None => return Root::None,
            }
        } else {
            let name: String = text[i + 1..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, ':' | '-' | '_' | '.'))
                .collect();
            let local = name.rsplit(':').next().unwrap_or("").to_ascii_lowercase();
            if local == "html" {
                return Root::Html;
            }
            return if local.is_empty() {
                Root::None
            } else {
                Root::Element(local)
            };
        }
    }
}

/// Repairs an `<rss>` root so feed-rs accepts it; borrows when it is fine.
///
/// - feed-rs accepts only version 2.0, 0.91, 0.92 or an empty version; real
///   feeds carry none, "0.94", "2.01", "3.0"… (CRATES.md: "feed-rs <rss> w/o
///   version, 0.94, 2.01 → no root element") → version="2.0".
/// - RSS 2.0 has no namespace, but some generators put a default
///   `xmlns="http://backend.userland.com/rss2"` on the root; feed-rs then
///   treats every element as foreign and finds no titles
///   (`node-feedparser/test/feeds/iconv.xml`) → the default xmlns is removed.
/// - An `<rss>` without `<channel>` (feedparser's tests/encoding files are
///   `<rss version="2.0"></rss>`) gets one, so it is an empty feed rather
///   than "no root element".
pub(crate) fn fix_rss_root(text: Cow<'_, str>) -> Cow<'_, str> {
    let Some(start) = find_root_start(&text, "rss") else {
        return text;
    };
    let b = text.as_bytes();
    let Some(end) = find(b, start, b">") else {
        return text;
    };
    let tag = &text[start..end];
    // Edits as (from, to, replacement), absolute offsets, non-overlapping.
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    match attr_value_span(tag, "version") {
        Some((vs, ve)) => {
            if !matches!(tag[vs..ve].trim(), "2.0" | "0.91" | "0.92" | "") {
                edits.push((start + vs, start + ve, "2.0"));
            }
        }
        None => {
            let name_end = start
                + tag[1..]
                    .find(|c: char| c.is_whitespace() || c == '/')
                    .map_or(tag.len(), |p| p + 1);
            edits.push((name_end, name_end, " version=\"2.0\""));
        }
    }
    if let Some((vs, ve)) = attr_value_span(tag, "xmlns") {
        // From the attribute name (5 bytes "xmlns" + optional spaces + '=' + quote).
        let name_at = tag[..vs].rfind("xmlns").unwrap_or(vs);
        edits.push((start + name_at, start + ve + 1, ""));
    }
    let self_closing = tag.ends_with('/');
    let has_channel = find(b, end, b"<channel").is_some() || find(b, end, b":channel").is_some();
    if !self_closing && !has_channel {
        edits.push((end + 1, end + 1, "<channel>"));
        if let Some(close) = rfind(b, b"</rss")
            && close > end
        {
            edits.push((close, close, "</channel>"));
        }
    }
    if edits.is_empty() {
        return text;
    }
    edits.sort_by_key(|e| e.0);
    let mut s = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for (from, to, with) in edits {
        if from < at {
            continue;
        }
        s.push_str(&text[at..from]);
        s.push_str(with);
        at = to;
    }
    s.push_str(&text[at..]);
    Cow::Owned(s)
}

fn rfind(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    bytes.windows(needle.len()).rposition(|w| w == needle)
}

/// Byte offset of `<` of the root element when its local name is `local`.
fn find_root_start(text: &str, local: &str) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 0;
    // Same skipping as sniff_root, but we need the position.
    loop {
        i += b.get(i..)?.iter().position(|&c| c == b'<')?;
        let rest = &b[i..];
        if rest.starts_with(b"<!--") {
            i = find(b, i + 4, b"-->")? + 3;
        } else if rest.starts_with(b"<?") {
            i = find(b, i + 2, b"?>")? + 2;
        } else if rest.starts_with(b"<!") {
            i = past_declaration(b, i + 2);
        } else {
            let name_len = rest[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b':' | b'-' | b'_' | b'.'))
                .count();
            let name = &text[i + 1..i + 1 + name_len];
            let l = name.rsplit(':').next().unwrap_or("");
            return l.eq_ignore_ascii_case(local).then_some(i);
        }
    }
}

/// Span (relative to `tag`) of the value of attribute `name` in a start tag.
fn attr_value_span(tag: &str, name: &str) -> Option<(usize, usize)> {
    let b = tag.as_bytes();
    let mut from = 0;
    while let Some(p) = find(b, from, name.as_bytes()) {
        from = p + name.len();
        let before_ok = p > 0 && b[p - 1].is_ascii_whitespace();
        let mut j = p + name.len();
        while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
        if !before_ok || b.get(j) != Some(&b'=') {
            continue;
        }
        j += 1;
        while b.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
            j += 1;
        }
        let q = *b.get(j)?;
        if q != b'"' && q != b'\'' {
            continue;
        }
        let vs = j + 1;
        let ve = vs + b.get(vs..)?.iter().position(|&c| c == q)?;
        return Some((vs, ve));
    }
    None
}

/// The retry repairs, applied once after feed-rs rejected a document:
/// - HTML named entities XML does not declare (`&nbsp;`, `&rsquo;`…) become
///   numeric references;
/// - a bare `&` that starts no valid reference becomes `&amp;`
///   (`suites/gofeed/testdata/parser/rss/issue_305_bare_ampersand.xml`);
/// - characters XML 1.0 forbids (C0 controls but tab/CR/LF, U+FFFE, U+FFFF)
///   are removed (`node-feedparser/test/feeds/invalid-characters-gzipped.xml`).
///
/// CDATA sections and comments are copied untouched: entities are not
/// special there. Newlines are never added or removed, so line numbers in a
/// later error still point at the original document.
pub(crate) fn repair_xml(text: &str) -> String {
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 64);
    let mut i = 0;
    let mut copied = 0;
    while i < b.len() {
        match b[i] {
            b'<' if b[i..].starts_with(b"<![CDATA[") => {
                i = find(b, i + 9, b"]]>").map_or(b.len(), |p| p + 3);
            }
            b'<' if b[i..].starts_with(b"<!--") => {
                i = find(b, i + 4, b"-->").map_or(b.len(), |p| p + 3);
            }
            b'&' => {
                out.push_str(&text[copied..i]);
                i = repair_reference(text, i, &mut out);
                copied = i;
            }
            c if c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r') => {
                out.push_str(&text[copied..i]);
                i += 1;
                copied = i;
            }
            // U+FFFE / U+FFFF are EF BF BE / EF BF BF in UTF-8.
            0xEF if matches!(b.get(i + 1..i + 3), Some([0xBF, 0xBE | 0xBF])) => {
                out.push_str(&text[copied..i]);
                i += 3;
                copied = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied.min(text.len())..]);
    // A document cut off inside its last end tag ("</feed" at EOF, feedparser
    // tests/entities/attr_amp.xml) only lacks the '>'.
    let tail = out.trim_end().len();
    if let Some(lt) = out[..tail].rfind('<')
        && out[lt..tail].starts_with("</")
        && !out[lt..tail].contains('>')
    {
        out.truncate(tail);
        out.push('>');
    }
    out
}

/// Replaces every `type="<mime>"` attribute with the Atom text-construct type
/// closest to it (xhtml, html or text). None when nothing was replaced.
pub(crate) fn replace_content_type(text: &str, mime: &str) -> Option<String> {
    let with = if mime.contains("xhtml") || mime.contains("xml") {
        "xhtml"
    } else if mime.contains("html") {
        "html"
    } else {
        "text"
    };
    let mut out = text.to_owned();
    let mut changed = false;
    for q in ['"', '\''] {
        let from = format!("type={q}{mime}{q}");
        if out.contains(&from) {
            out = out.replace(&from, &format!("type={q}{with}{q}"));
            changed = true;
        }
    }
    changed.then_some(out)
}

/// feed-rs reports an empty text construct (`<title></title>`) as missing
/// content at the byte just after its start tag; give it one space of text.
pub(crate) fn fill_empty_element(text: &str, position: u64) -> Option<String> {
    let p = usize::try_from(position).ok()?;
    let at = if text.get(p..)?.starts_with("</") {
        p
    } else {
        // Tolerate a position that points at the start tag instead.
        let gt = text.get(p..)?.find('>')? + p + 1;
        text.get(gt..)?.starts_with("</").then_some(gt)?
    };
    let mut out = String::with_capacity(text.len() + 1);
    out.push_str(&text[..at]);
    out.push(' ');
    out.push_str(&text[at..]);
    Some(out)
}

/// Rewrites the reference at `text[start] == '&'` into `out`; returns the
/// index after what was consumed.
fn repair_reference(text: &str, start: usize, out: &mut String) -> usize {
    let b = text.as_bytes();
    let mut j = start + 1;
    if b.get(j) == Some(&b'#') {
        j += 1;
        let hex = matches!(b.get(j), Some(b'x' | b'X'));
        if hex {
            j += 1;
        }
        let ds = j;
        while b.get(j).is_some_and(|c| {
            if hex {
                c.is_ascii_hexdigit()
            } else {
                c.is_ascii_digit()
            }
        }) {
            j += 1;
        }
        if j > ds && b.get(j) == Some(&b';') {
            let digits = &text[ds..j];
            let valid = u32::from_str_radix(digits, if hex { 16 } else { 10 })
                .ok()
                .and_then(char::from_u32)
                .is_some_and(is_xml_char);
            if valid {
                out.push_str(&text[start..=j]);
            } else {
                // A reference to a character XML forbids (`&#0;`, `&#x1;`) is
                // as fatal as the raw character; drop it.
            }
            return j + 1;
        }
        out.push_str("&amp;");
        return start + 1;
    }
    let ns = j;
    while b.get(j).is_some_and(|c| c.is_ascii_alphanumeric()) && j - ns < 32 {
        j += 1;
    }
    if j > ns && b.get(j) == Some(&b';') {
        let name = &text[ns..j];
        if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
            out.push_str(&text[start..=j]);
            return j + 1;
        }
        if let Ok(idx) =
            html_escape::NAMED_ENTITIES.binary_search_by(|(n, _)| (*n).cmp(name.as_bytes()))
        {
            for c in html_escape::NAMED_ENTITIES[idx].1.chars() {
                out.push_str(&format!("&#{};", u32::from(c)));
            }
            return j + 1;
        }
    }
    out.push_str("&amp;");
    start + 1
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The index just past the `>` that closes a declaration (`<!DOCTYPE …>`)
/// whose body starts at `from`, skipping an internal subset `[ … ]`.
fn past_declaration(b: &[u8], from: usize) -> usize {
    let mut j = from;
    let mut depth = 0i32;
    while j < b.len() {
        match b[j] {
            b'[' => depth += 1,
            b']' => depth -= 1,
            b'>' if depth <= 0 => break,
            _ => {}
        }
        j += 1;
    }
    j + 1
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = bytes.get(from..)?;
    let first = *needle.first()?;
    let mut i = 0;
    while let Some(p) = hay.get(i..)?.iter().position(|&c| c == first) {
        let at = i + p;
        if hay[at..].starts_with(needle) {
            return Some(at + from);
        }
        i = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots() {
        assert_eq!(
            sniff_root("<?xml version='1.0'?>\n<!-- c --><rss version='2.0'>"),
            Root::Element("rss".into())
        );
        assert_eq!(sniff_root("<!DOCTYPE html><html>"), Root::Html);
        assert_eq!(sniff_root("<!doctype HTML PUBLIC>"), Root::Html);
        assert_eq!(sniff_root("<HTML><body>"), Root::Html);
        assert_eq!(
            sniff_root("<!DOCTYPE rss [<!ENTITY a 'b'>]><rdf:RDF>"),
            Root::Element("rdf".into())
        );
        assert_eq!(sniff_root("   "), Root::None);
        assert_eq!(sniff_root("<!-- never closed"), Root::None);
        assert_eq!(sniff_root("<"), Root::None);
    }

    #[test]
    fn rss_versions() {
        let fix = |s: &'static str| fix_rss_root(Cow::Borrowed(s)).into_owned();
        assert_eq!(
            fix("<rss><channel/></rss>"),
            "<rss version=\"2.0\"><channel/></rss>"
        );
        assert_eq!(
            fix("<rss version='2.0'>\n</rss>"),
            "<rss version='2.0'><channel>\n</channel></rss>"
        );
        assert_eq!(
            fix(
                "<rss version=\"2.0\" xmlns=\"http://backend.userland.com/rss2\" xmlns:y=\"u\"><channel>"
            ),
            "<rss version=\"2.0\"  xmlns:y=\"u\"><channel>"
        );
        assert_eq!(
            fix("<?xml version='1.0'?><rss version=\"0.94\"><channel>"),
            "<?xml version='1.0'?><rss version=\"2.0\"><channel>"
        );
        assert_eq!(
            fix("<rss xmlns:a='x' version='2.01'><channel>"),
            "<rss xmlns:a='x' version='2.0'><channel>"
        );
        assert_eq!(
            fix("<rss version=\"2.0\"><channel>"),
            "<rss version=\"2.0\"><channel>"
        );
        assert_eq!(
            fix("<rss version=\"0.91\"><channel>"),
            "<rss version=\"0.91\"><channel>"
        );
        assert_eq!(fix("<feed><rss>"), "<feed><rss>");
        assert_eq!(fix("<rss"), "<rss");
    }

    #[test]
    fn repairs() {
        assert_eq!(repair_xml("a &nbsp; b &rsquo;"), "a &#160; b &#8217;");
        assert_eq!(
            repair_xml("AT&T & co &amp; &#38; &#x26;"),
            "AT&amp;T &amp; co &amp; &#38; &#x26;"
        );
        assert_eq!(repair_xml("a\u{1}b\u{0}c\td\u{FFFF}"), "abc\td");
        assert_eq!(
            repair_xml("<![CDATA[a & b &nbsp;]]> &"),
            "<![CDATA[a & b &nbsp;]]> &amp;"
        );
        assert_eq!(repair_xml("&#1; &#xD800; &"), "  &amp;");
        assert_eq!(repair_xml("<![CDATA[open"), "<![CDATA[open");
        assert_eq!(repair_xml("<feed><a/>\n</feed \n"), "<feed><a/>\n</feed>");
        assert_eq!(repair_xml("<feed></feed>"), "<feed></feed>");
        assert_eq!(
            replace_content_type(
                "<t type='application/octet-stream'>x</t>",
                "application/octet-stream"
            )
            .as_deref(),
            Some("<t type='text'>x</t>")
        );
        assert_eq!(
            fill_empty_element("<t></t>", 3).as_deref(),
            Some("<t> </t>")
        );
        assert_eq!(fill_empty_element("<t></t>", 99), None);
    }
}
