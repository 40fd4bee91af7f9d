//! HTML → plain text and HTML entity decoding.
//!
//! A one-pass, hand-written tag stripper (no DOM): the benchmark pushes tens
//! of megabytes of item HTML per second through it, which rules out a real
//! HTML parser such as html2text. It must never panic and never go quadratic,
//! whatever the input (lone `<`, unterminated comments/quotes/scripts).

use super::clean::clean_text;

/// Elements whose content is never text a reader sees.
const SKIP_CONTENT: &[&str] = &["script", "style", "noscript", "template", "head", "svg"];

/// Elements that start a new line (paragraph-like or line-breaking).
const BLOCK: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "tfoot",
    "thead",
    "tr",
    "ul",
];

/// Elements that separate words without starting a line.
const SPACED: &[&str] = &["td", "th", "img", "input", "button", "label", "option"];

/// How far to look for the closing quote of an attribute value before giving
/// up and ending the tag at the next `>`; bounds the work per tag so hostile
/// input cannot make the stripper quadratic.
const MAX_QUOTE_SCAN: usize = 4096;

/// Converts item HTML to clean plain text: tags dropped, the content of
/// script/style/noscript/template dropped, block-level elements turned into
/// line breaks, entities decoded (full HTML5 table, numeric, and the common
/// ones without a semicolon), then [`clean_text`].
pub fn html_to_text(html: &str) -> String {
    let bytes = html.as_bytes();
    if memchr::memchr2(b'<', b'&', bytes).is_none() {
        return clean_text(html);
    }
    // No tag can end after the last '>': knowing it up front keeps a text
    // full of unclosed "<b" linear instead of scanning to the end per '<'.
    let last_gt = bytes.iter().rposition(|&b| b == b'>');
    let mut out = String::with_capacity(html.len());
    let mut i = 0;
    let mut text_start = 0;
    // Only '&' and '<' start anything: jump between them (memchr's SIMD
    // search) rather than looking at every byte.
    while let Some(offset) = bytes
        .get(i..)
        .and_then(|rest| memchr::memchr2(b'&', b'<', rest))
    {
        i += offset;
        out.push_str(&html[text_start..i]);
        i = if bytes[i] == b'&' {
            decode_entity_at(html, i, &mut out)
        } else {
            handle_markup(html, i, &mut out, last_gt)
        };
        text_start = i;
    }
    out.push_str(&html[text_start..]);
    clean_text(&out)
}

/// Handles the markup starting at `bytes[start] == b'<'`; appends any text it
/// produces and returns the index just after it.
fn handle_markup(html: &str, start: usize, out: &mut String, last_gt: Option<usize>) -> usize {
    let bytes = html.as_bytes();
    let rest = &bytes[start..];
    if rest.starts_with(b"<!--") {
        // Unterminated comment: the rest of the document is comment.
        return find(bytes, start + 4, b"-->").map_or(bytes.len(), |p| p + 3);
    }
    if rest.starts_with(b"<![CDATA[") {
        let body = start + 9;
        let end = find(bytes, body, b"]]>");
        let stop = end.unwrap_or(bytes.len());
        out.push_str(&html[body..stop]);
        return end.map_or(bytes.len(), |p| p + 3);
    }
    if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
        // DOCTYPE, processing instruction, bogus comment.
        return find_byte(bytes, start + 2, b'>').map_or(bytes.len(), |p| p + 1);
    }
    let closing = rest.get(1) == Some(&b'/');
    let name_start = start + 1 + usize::from(closing);
    let name_len = bytes[name_start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b':')
        .count();
    if name_len == 0 || !bytes[name_start].is_ascii_alphabetic() {
        // "a < b", "<3", "</ " : not a tag, keep the '<' as text.
        out.push('<');
        return start + 1;
    }
    let Some(end) = last_gt.and_then(|last| tag_end(bytes, name_start + name_len, last)) else {
        // No '>' anywhere after: this was not markup (plain text such as
        // "x<y and more"); keep it rather than swallowing the rest.
        out.push('<');
        return start + 1;
    };
    let name = &bytes[name_start..name_start + name_len];
    // Strip a namespace prefix (`<o:p>`, `<xhtml:div>`).
    let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
    let self_closing = end > 0 && bytes[end - 1] == b'/';
    if in_list(BLOCK, local) {
        out.push('\n');
    } else if in_list(SPACED, local) {
        out.push(' ');
    }
    if !closing && !self_closing && in_list(SKIP_CONTENT, local) {
        return skip_element_content(bytes, end + 1, local);
    }
    end + 1
}

/// Case-insensitive membership without allocating a lower-case copy
/// (this runs once per tag of every item).
fn in_list(list: &[&str], name: &[u8]) -> bool {
    list.iter().any(|t| t.as_bytes().eq_ignore_ascii_case(name))
}

/// Returns the index after `</name ...>` searching from `from`, or the end of
/// input when the element is never closed.
fn skip_element_content(bytes: &[u8], from: usize, name: &[u8]) -> usize {
    let mut i = from;
    while let Some(p) = find(bytes, i, b"</") {
        let after = p + 2;
        let candidate = bytes.get(after..after + name.len());
        let boundary = bytes.get(after + name.len()).copied();
        if candidate.is_some_and(|c| c.eq_ignore_ascii_case(name))
            && boundary.is_none_or(|b| !b.is_ascii_alphanumeric())
        {
            return find_byte(bytes, after + name.len(), b'>').map_or(bytes.len(), |q| q + 1);
        }
        i = after;
    }
    bytes.len()
}

/// Finds the `>` ending a tag whose attributes start at `from`, skipping `>`
/// inside quoted attribute values (bounded by [`MAX_QUOTE_SCAN`]); `last_gt`
/// is the position of the last '>' in the input.
fn tag_end(bytes: &[u8], from: usize, last_gt: usize) -> Option<usize> {
    let mut i = from;
    let mut prev_non_space = 0u8;
    while i <= last_gt && i < bytes.len() {
        let b = bytes[i];
        match b {
            b'>' => return Some(i),
            b'"' | b'\'' if prev_non_space == b'=' => {
                let limit = (last_gt + 1).min(i + 1 + MAX_QUOTE_SCAN);
                match bytes[i + 1..limit].iter().position(|&c| c == b) {
                    Some(off) => i += off + 1,
                    // Unclosed quote: fall back to the first '>' after it.
                    None => return find_byte(bytes, i + 1, b'>'),
                }
                prev_non_space = b;
            }
            _ => {
                if !b.is_ascii_whitespace() {
                    prev_non_space = b;
                }
            }
        }
        i += 1;
    }
    None
}

fn find_byte(bytes: &[u8], from: usize, needle: u8) -> Option<usize> {
    bytes
        .get(from..)?
        .iter()
        .position(|&b| b == needle)
        .map(|p| p + from)
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let hay = bytes.get(from..)?;
    let first = *needle.first()?;
    let mut i = 0;
    while let Some(p) = hay.get(i..)?.iter().position(|&b| b == first) {
        let at = i + p;
        if hay[at..].starts_with(needle) {
            return Some(at + from);
        }
        i = at + 1;
    }
    None
}

/// Decodes HTML character references (named, decimal, hex) in `s`, leaving
/// everything else untouched (no tag stripping, no whitespace cleaning).
/// For titles and other short fields that carry leftover `&rsquo;`-style
/// entities after XML parsing (feed-rs keeps undeclared entities literally).
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_owned();
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut text_start = 0;
    while i < bytes.len() {
        if bytes[i] == b'&' {
            out.push_str(&s[text_start..i]);
            i = decode_entity_at(s, i, &mut out);
            text_start = i;
        } else {
            i += 1;
        }
    }
    out.push_str(&s[text_start..]);
    out
}

/// Named references tolerated without the trailing semicolon (the common
/// subset of HTML's legacy list; real feeds write "AT&T&nbsp" or "&copy 2024").
const NO_SEMICOLON_OK: &[&str] = &[
    "amp", "lt", "gt", "quot", "nbsp", "copy", "reg", "laquo", "raquo", "shy", "deg", "middot",
    "times",
];

/// Decodes the reference starting at `s[start] == '&'`, appending the result
/// (or the literal `&` when it is not a reference). Returns the next index.
fn decode_entity_at(s: &str, start: usize, out: &mut String) -> usize {
    match parse_entity(s, start) {
        Some((decoded, mut end)) => {
            // "&amp;rsquo;" is the double-escaped form of "&rsquo;" that
            // generated feeds produce; a reader never means the literal text.
            if decoded == Decoded::Str("&")
                && let Some((inner, inner_end)) = parse_entity_strict(s, end)
            {
                end = inner_end;
                inner.push_to(out);
            } else {
                decoded.push_to(out);
            }
            end
        }
        None => {
            out.push('&');
            start + 1
        }
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Decoded {
    Str(&'static str),
    Char(char),
}

impl Decoded {
    fn push_to(self, out: &mut String) {
        match self {
            Decoded::Str(s) => out.push_str(s),
            Decoded::Char(c) => out.push(c),
        }
    }
}

/// Parses the body of a reference (what follows an `&`) starting at `body`,
/// accepting only references that end with ';'.
fn parse_entity_strict(s: &str, body: usize) -> Option<(Decoded, usize)> {
    let (d, end) = parse_ref_body(s, body)?;
    (end > 0 && s.as_bytes().get(end - 1) == Some(&b';')).then_some((d, end))
}

/// Parses a character reference at `s[start] == '&'`: returns what it decodes
/// to and the index after it, or None when it is not a reference.
fn parse_entity(s: &str, start: usize) -> Option<(Decoded, usize)> {
    parse_ref_body(s, start + 1)
}

/// Parses the part of a reference after the `&`, starting at `body`.
fn parse_ref_body(s: &str, body: usize) -> Option<(Decoded, usize)> {
    let bytes = s.as_bytes();
    let mut i = body;
    if bytes.get(i) == Some(&b'#') {
        i += 1;
        let hex = matches!(bytes.get(i), Some(b'x' | b'X'));
        if hex {
            i += 1;
        }
        let digits_start = i;
        while i < bytes.len()
            && (if hex {
                bytes[i].is_ascii_hexdigit()
            } else {
                bytes[i].is_ascii_digit()
            })
        {
            i += 1;
        }
        if i == digits_start {
            return None;
        }
        let digits = &s[digits_start..i];
        // Overlong numbers saturate to an invalid code point → U+FFFD.
        let value = u32::from_str_radix(digits, if hex { 16 } else { 10 }).unwrap_or(u32::MAX);
        if bytes.get(i) == Some(&b';') {
            i += 1;
        }
        return Some((Decoded::Char(numeric_char(value)), i));
    }
    let name_start = i;
    while i < bytes.len() && i - name_start < 32 && bytes[i].is_ascii_alphanumeric() {
        i += 1;
    }
    if i == name_start {
        return None;
    }
    let name = &s[name_start..i];
    if bytes.get(i) == Some(&b';') {
        return lookup_named(name).map(|d| (d, i + 1));
    }
    let next = bytes.get(i).copied();
    if NO_SEMICOLON_OK.contains(&name)
        && next.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'=')
    {
        return lookup_named(name).map(|d| (d, i));
    }
    None
}

fn lookup_named(name: &str) -> Option<Decoded> {
    let table = &html_escape::NAMED_ENTITIES;
    table
        .binary_search_by(|(n, _)| (*n).cmp(name.as_bytes()))
        .ok()
        .map(|idx| Decoded::Str(table[idx].1))
}

/// Numeric reference → char per the HTML spec: 0x80–0x9F are read as
/// windows-1252 (feeds write `&#146;` for an apostrophe), invalid values and
/// surrogates become U+FFFD.
fn numeric_char(value: u32) -> char {
    const CP1252: [char; 32] = [
        '\u{20AC}', '\u{81}', '\u{201A}', '\u{0192}', '\u{201E}', '\u{2026}', '\u{2020}',
        '\u{2021}', '\u{02C6}', '\u{2030}', '\u{0160}', '\u{2039}', '\u{0152}', '\u{8D}',
        '\u{017D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2022}',
        '\u{2013}', '\u{2014}', '\u{02DC}', '\u{2122}', '\u{0161}', '\u{203A}', '\u{0153}',
        '\u{9D}', '\u{017E}', '\u{0178}',
    ];
    match value {
        0 => '\u{FFFD}',
        0x80..=0x9F => CP1252[(value - 0x80) as usize],
        v => char::from_u32(v).unwrap_or('\u{FFFD}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities() {
        assert_eq!(decode_entities("a&nbsp;b"), "a\u{a0}b");
        assert_eq!(decode_entities("it&rsquo;s"), "it\u{2019}s");
        assert_eq!(
            decode_entities("it&#8217;s it&#x2019;s it&#X2019;s"),
            "it’s it’s it’s"
        );
        assert_eq!(decode_entities("it&amp;rsquo;s"), "it’s");
        assert_eq!(decode_entities("AT&T &amp; co"), "AT&T & co");
        assert_eq!(decode_entities("&copy 2024 &nbsp"), "© 2024 \u{a0}");
        assert_eq!(decode_entities("?a=1&copy=2"), "?a=1&copy=2");
        assert_eq!(
            decode_entities("&#146; &#0; &#99999999999;"),
            "’ \u{FFFD} \u{FFFD}"
        );
        assert_eq!(
            decode_entities("&unknown; & &# &#x;"),
            "&unknown; & &# &#x;"
        );
        assert_eq!(decode_entities("&mdash;&hellip;&laquo;"), "—…«");
        assert_eq!(decode_entities("&"), "&");
    }

    #[test]
    fn html_basic() {
        assert_eq!(
            html_to_text("<p>One&nbsp;two</p><p>three</p>"),
            "One two\nthree"
        );
        assert_eq!(html_to_text("a<br>b<br/>c<BR />d"), "a\nb\nc\nd");
        assert_eq!(html_to_text("it&rsquo;s &#8217; &#x2019;"), "it’s ’ ’");
        assert_eq!(
            html_to_text("x<script>var a = '<p>no</p>';</script>y<style>p{}</style>z"),
            "xyz"
        );
        assert_eq!(html_to_text("<SCRIPT type=x>bad()</SCRIPT >ok"), "ok");
        assert_eq!(html_to_text("a<!-- hidden <p> -->b"), "ab");
        assert_eq!(html_to_text("<![CDATA[raw <b>]]>"), "raw <b>");
        assert_eq!(
            html_to_text("<a href=\"x>y\" title='q'>link</a> text"),
            "link text"
        );
        assert_eq!(
            html_to_text("<ul><li>one</li><li>two</li></ul>"),
            "one\ntwo"
        );
        assert_eq!(html_to_text("Zel\u{200B}ensky said"), "Zelensky said");
        assert_eq!(html_to_text("<td>a</td><td>b</td>"), "a b");
        assert_eq!(
            html_to_text("<img src=\"x.jpg\" alt=\"\"/><br/>Title text"),
            "Title text"
        );
    }

    #[test]
    fn html_hostile() {
        assert_eq!(html_to_text("a < b"), "a < b");
        assert_eq!(html_to_text("<"), "<");
        assert_eq!(html_to_text("x<y"), "x<y");
        assert_eq!(html_to_text("<3 you"), "<3 you");
        assert_eq!(html_to_text("a<!-- never closed"), "a");
        assert_eq!(html_to_text("a<script>never closed"), "a");
        assert_eq!(html_to_text("a<![CDATA[open"), "aopen");
        assert_eq!(html_to_text("<a href=\"unterminated>text"), "text");
        assert_eq!(html_to_text("</"), "</");
        assert_eq!(html_to_text("<!"), "");
        assert_eq!(html_to_text("&"), "&");
        assert_eq!(html_to_text("&#"), "&#");
        assert_eq!(html_to_text("<p"), "<p");
        // Multi-byte text around markup must not split a char.
        assert_eq!(html_to_text("Київ<br>—&nbsp;Москва<"), "Київ\n— Москва<");
        for s in [
            "<<<<",
            "<a<b<c",
            "<!--<!--",
            "&&&&#;#&x",
            "<a '\"=\"'>",
            "<\u{00e9}>",
        ] {
            let _ = html_to_text(s);
        }
    }

    #[test]
    fn html_pathological_is_linear() {
        let s = "<a x=\"".repeat(20_000) + &"<b".repeat(20_000) + &"<!--".repeat(10_000);
        let t = std::time::Instant::now();
        let _ = html_to_text(&s);
        assert!(t.elapsed().as_secs() < 2, "took {:?}", t.elapsed());
    }
}

/// Inline formatting tags that feeds put in titles (`<b>Breaking</b>: …`).
/// Only these are removed from a title; any other `<…>` is the title's own
/// text (a story about `<script>` injection keeps its words) and is escaped
/// wherever it is shown.
const TITLE_FORMATTING_TAGS: &[&str] = &[
    "a", "abbr", "b", "big", "br", "cite", "code", "em", "font", "i", "mark", "q", "s", "small",
    "span", "strong", "sub", "sup", "u", "wbr",
];

/// Converts a feed title to one line of plain text: inline formatting tags
/// removed, entities left over after XML parsing decoded (`&rsquo;`),
/// whitespace and invisible characters cleaned. Unlike [`html_to_text`] it
/// keeps unknown markup as literal text.
pub fn title_to_text(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut rest = title;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt + 1..];
        match formatting_tag_len(after) {
            Some(len) => {
                // `<br>` separates words; other inline tags do not.
                if after
                    .trim_start_matches('/')
                    .to_ascii_lowercase()
                    .starts_with("br")
                {
                    out.push(' ');
                }
                rest = &after[len..];
            }
            None => {
                out.push('<');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    super::clean_line(&decode_entities(&out))
}

/// If `s` (just after a `<`) is a formatting tag, the length up to and
/// including its `>`.
fn formatting_tag_len(s: &str) -> Option<usize> {
    let body = s.strip_prefix('/').unwrap_or(s);
    let name_len = body
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(body.len());
    let name = body[..name_len].to_ascii_lowercase();
    if !TITLE_FORMATTING_TAGS.contains(&name.as_str()) {
        return None;
    }
    let after_name = &body[name_len..];
    if !(after_name.starts_with('>')
        || after_name.starts_with(char::is_whitespace)
        || after_name.starts_with('/'))
    {
        return None;
    }
    let gt = s.find('>')?;
    // A '<' before the '>' means this was not a tag after all.
    if s[..gt].contains('<') {
        return None;
    }
    Some(gt + 1)
}

#[cfg(test)]
mod title_tests {
    use super::title_to_text;

    #[test]
    fn formatting_goes_and_other_markup_stays() {
        assert_eq!(
            title_to_text("<b>Breaking</b>: talks&nbsp;resume"),
            "Breaking: talks resume"
        );
        assert_eq!(title_to_text("Kremlin&rsquo;s view"), "Kremlin’s view");
        assert_eq!(
            title_to_text("Evil <script>alert(1)</script> title"),
            "Evil <script>alert(1)</script> title"
        );
        assert_eq!(title_to_text("a<br/>b"), "a b");
        assert_eq!(title_to_text("x < y and <i>z</i>"), "x < y and z");
        assert_eq!(title_to_text("<bogus"), "<bogus");
    }
}
