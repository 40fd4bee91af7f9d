//! Template data: a view turned into a template value, every string cleaned
//! for display and every URL field kept only when it is an absolute
//! http(s) URL.

use std::collections::BTreeMap;

use minijinja::value::Value;

/// The view as a template value, cleaned for display: control characters
/// (except newline and tab) and bidi embedding/override/isolate characters
/// are dropped from every string, CR LF becomes LF, and every `url` /
/// `*_url` field that is not an absolute http(s) URL becomes none.
///
/// The views only derive `Serialize`, and minijinja's serde support is an
/// optional feature, so the value is built through `serde_json::Value`.
pub(super) fn context_value<T: serde::Serialize>(view: &T) -> Value {
    json_to_value(&serde_json::to_value(view).unwrap_or(serde_json::Value::Null))
}

fn json_to_value(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::from(()),
        J::Bool(b) => Value::from(*b),
        J::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Value::from(i),
            (None, Some(u)) => Value::from(u),
            _ => Value::from(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => Value::from(clean_display(s)),
        J::Array(a) => a.iter().map(json_to_value).collect(),
        J::Object(m) => {
            let map: BTreeMap<String, Value> = m
                .iter()
                .map(|(k, v)| {
                    let value = if k == "url" || k.ends_with("_url") {
                        v.as_str()
                            .and_then(http_url)
                            .map_or_else(|| Value::from(()), Value::from)
                    } else {
                        json_to_value(v)
                    };
                    (k.clone(), value)
                })
                .collect();
            Value::from_object(map)
        }
    }
}

/// `s` when it is an absolute `http`/`https` URL with a host (as the URL
/// parser serialises it), else None.
pub(super) fn http_url(s: &str) -> Option<String> {
    let url = url::Url::parse(s.trim()).ok()?;
    (matches!(url.scheme(), "http" | "https") && url.host().is_some()).then(|| url.to_string())
}

/// Bidi embedding, override and isolate controls: they can make displayed
/// text read differently from what it is.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Zero-width and other invisible format characters (Unicode category Cf,
/// the ones that occur in practice) that `safe_subject` turns into spaces.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}'
        | '\u{08E2}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}' | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0001}'
        | '\u{E0020}'..='\u{E007F}')
}

/// Feed text for a message body: newlines and tabs kept (CR LF → LF, CR,
/// U+2028 and U+2029 → LF), other control characters (ESC included: no
/// terminal escapes in the text part) → space, bidi controls dropped.
pub(super) fn clean_display(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\u{2028}' | '\u{2029}' => out.push('\n'),
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push(' '),
            c if is_bidi_control(c) => {}
            c => out.push(c),
        }
    }
    out
}

/// One line: every whitespace, control or format character becomes a space,
/// runs of spaces collapse, the ends are trimmed. (Template filter `oneline`.)
pub(super) fn one_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_whitespace() || c.is_control() || is_format_char(c) {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            out.push(c);
        }
    }
    out.truncate(out.trim_end().len());
    out
}
