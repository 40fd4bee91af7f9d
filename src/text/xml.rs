//! XML escaping for the documents newswatch writes (OPML export, the demo's feeds).

use std::borrow::Cow;

/// Escape for element text and double-quoted attributes. Tab and line breaks
/// become character references so attribute normalisation cannot eat them;
/// other control characters are not allowed in XML 1.0 and are dropped.
pub fn xml_escape(s: &str) -> Cow<'_, str> {
    if !s
        .chars()
        .any(|c| matches!(c, '&' | '<' | '>' | '"' | '\'') || c.is_control())
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if c.is_control() && (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}
