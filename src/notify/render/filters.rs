//! The HTML formatter, the template filters (`wrap`, `datetime`) and the
//! tidying of the text part.

use chrono::{DateTime, Utc};
use minijinja::AutoEscape;
use minijinja::value::Value;

/// Default line width of the `wrap` filter, in characters.
const WRAP_WIDTH: usize = 76;

/// Prints values into templates. In `.html` templates everything not marked
/// safe (only template markup and macro output are) is HTML-escaped: `&`,
/// `<`, `>`, `"` and `'`. Unlike minijinja's default it leaves `/` alone, so
/// links read `href="https://…"` rather than `https:&#x2f;&#x2f;…`, which
/// some mail filters find suspicious; `/` needs no escaping in HTML text or
/// quoted attributes.
pub(super) fn html_formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    if !matches!(state.auto_escape(), AutoEscape::Html) || value.is_safe() {
        return minijinja::escape_formatter(out, state, value);
    }
    let text = value.to_string();
    let mut rest = text.as_str();
    while let Some(i) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..i])?;
        out.write_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        })?;
        rest = &rest[i + 1..];
    }
    out.write_str(rest)?;
    Ok(())
}

/// Template filter `wrap(width=76, indent="", hang=indent)`: word-wraps each
/// paragraph (line of `s`) at `width` characters. Words are never split, so
/// a URL longer than the line stands on a line of its own, whole.
pub(super) fn wrap_filter(
    s: String,
    width: Option<usize>,
    indent: Option<String>,
    hang: Option<String>,
) -> String {
    let width = width.unwrap_or(WRAP_WIDTH).max(10);
    let indent = indent.unwrap_or_default();
    let hang = hang.unwrap_or_else(|| indent.clone());
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, para) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut line_len = 0;
        let mut first_word = true;
        for word in para.split_whitespace() {
            let len = word.chars().count();
            if first_word {
                out.push_str(&indent);
                line_len = indent.chars().count();
            } else if line_len + 1 + len > width {
                out.push('\n');
                out.push_str(&hang);
                line_len = hang.chars().count();
            } else {
                out.push(' ');
                line_len += 1;
            }
            out.push_str(word);
            line_len += len;
            first_word = false;
        }
    }
    out
}

/// Template filter `datetime(tz)`: an RFC 3339 time as `27 Nov 2026 08:00
/// EET` in the IANA time zone `tz` (UTC when absent or unknown). Other text
/// is returned as it is; none gives "".
pub(super) fn datetime_filter(v: Value, tz: Option<String>) -> String {
    let Some(s) = v.as_str() else {
        return if v.is_none() || v.is_undefined() {
            String::new()
        } else {
            v.to_string()
        };
    };
    let Ok(t) = DateTime::parse_from_rfc3339(s.trim()) else {
        return s.to_string();
    };
    let utc = t.with_timezone(&Utc);
    match tz.and_then(|z| z.parse::<chrono_tz::Tz>().ok()) {
        Some(zone) => utc
            .with_timezone(&zone)
            .format("%-d %b %Y %H:%M %Z")
            .to_string(),
        None => utc.format("%-d %b %Y %H:%M UTC").to_string(),
    }
}

/// The text part as sent: trailing spaces stripped (except the "-- "
/// signature separator), runs of blank lines collapsed to one, no blank
/// lines at the ends, one final newline.
pub(super) fn tidy_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_pending = false;
    for line in s.lines() {
        let line = if line == "-- " { line } else { line.trim_end() };
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if blank_pending {
            out.push('\n');
            blank_pending = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}
