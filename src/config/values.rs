//! Parsers for the scalar values a config file writes as strings: durations,
//! sizes, language tags, names, and feed URLs (the one check every source
//! URL passes, from the config file, `sources add` or an OPML import).
//!
//! Pure functions from `&str` to a value or a human-readable reason; they know
//! nothing of files, lines or keys (the caller adds those) and must never panic.

use std::time::Duration;

/// Decimal and binary size units, upper-case, longest first so "KIB" wins over "B".
const SIZE_UNITS: &[(&str, u64)] = &[
    ("KIB", 1 << 10),
    ("MIB", 1 << 20),
    ("GIB", 1 << 30),
    ("TIB", 1 << 40),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
    ("B", 1),
];

/// Parse a human duration ("15m", "2h", "1h 30m", "90s", "500ms"); zero is rejected
/// because every duration in the config is a wait or a limit that 0 would break.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let trimmed = s.trim();
    if trimmed.is_empty() {
        return Err("empty duration; write e.g. \"15m\", \"2h\", \"1h 30m\" or \"90s\"".into());
    }
    match humantime::parse_duration(trimmed) {
        Ok(d) if d.is_zero() => Err(format!("duration {s:?} is zero; it must be positive")),
        Ok(d) => Ok(d),
        Err(e) => Err(format!(
            "invalid duration {s:?} ({e}); write e.g. \"15m\", \"2h\", \"1h 30m\" or \"90s\""
        )),
    }
}

/// Parse a byte size: "2048" (bytes), "512KiB", "10MB", "1GB", "1.5 MiB".
/// KB/MB/GB are powers of 1000, KiB/MiB/GiB powers of 1024; units are case-insensitive.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let bad = |why: &str| {
        format!("invalid size {s:?}: {why}; write e.g. \"10MB\", \"512KiB\", \"1GB\" or \"2048\"")
    };
    let trimmed = s.trim();
    let split = trimmed
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(split);
    if number.is_empty() {
        return Err(bad("no number"));
    }
    let unit = unit.trim().to_ascii_uppercase();
    let multiplier = if unit.is_empty() {
        1
    } else {
        SIZE_UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, m)| *m)
            .ok_or_else(|| bad(&format!("unknown unit {unit:?}")))?
    };
    match number.split_once('.') {
        None => {
            let n: u64 = number.parse().map_err(|_| bad("number too large"))?;
            n.checked_mul(multiplier).ok_or_else(|| bad("too large"))
        }
        Some((whole, frac)) => {
            if whole.is_empty() || frac.is_empty() || frac.contains('.') {
                return Err(bad("malformed number"));
            }
            let value: f64 = number.parse().map_err(|_| bad("malformed number"))?;
            let bytes = value * multiplier as f64;
            if !bytes.is_finite() || bytes >= u64::MAX as f64 {
                return Err(bad("too large"));
            }
            Ok(bytes.floor() as u64)
        }
    }
}

/// Check a language tag: ISO 639-1/639-3 code in lower case ("en", "uk", "rus"),
/// optionally with a region ("en-GB", "pt-br", "es-419").
pub(crate) fn check_language(s: &str) -> Result<(), String> {
    let (lang, region) = match s.split_once('-') {
        Some((l, r)) => (l, Some(r)),
        None => (s, None),
    };
    let lang_ok = (2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase());
    let region_ok = region.is_none_or(|r| {
        (r.len() == 2 && r.bytes().all(|b| b.is_ascii_alphabetic()))
            || (r.len() == 3 && r.bytes().all(|b| b.is_ascii_digit()))
    });
    if lang_ok && region_ok {
        Ok(())
    } else {
        Err(format!(
            "invalid language {s:?}: use a lower-case ISO 639 code such as \"en\", \"ru\" or \"uk\", \
             optionally with a region (\"en-GB\")"
        ))
    }
}

/// Check a name or other short label: non-empty after trimming, no control
/// characters, at most `max_chars` characters.
pub(crate) fn check_label(what: &str, s: &str, max_chars: usize) -> Result<(), String> {
    if s.trim().is_empty() {
        return Err(format!("{what} must not be empty"));
    }
    if s.chars().any(char::is_control) {
        return Err(format!("{what} {s:?} contains control characters"));
    }
    let n = s.chars().count();
    if n > max_chars {
        return Err(format!(
            "{what} is {n} characters long; the limit is {max_chars}"
        ));
    }
    Ok(())
}

/// Longest feed URL accepted, in bytes. Real feed URLs are well under
/// 300; browsers and servers commonly stop at 2,000–8,000.
pub const FEED_URL_MAX_BYTES: usize = 2048;

/// The one check for a feed URL, however a source comes in: a `[[source]]`
/// url, `sources add`, an OPML import, a permanent redirect. Accepts only
/// an absolute http or https URL with a host, at most
/// [`FEED_URL_MAX_BYTES`], without control characters (the URL parser would
/// silently drop a tab or line break) and without credentials
/// (`user:password@`): a feed URL is shown in `sources list`, logs and OPML
/// exports, and the config file is no place for secrets. Messages never
/// repeat the URL's user part, nor a control character.
pub fn feed_url(s: &str) -> Result<url::Url, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("the URL is empty".into());
    }
    if s.len() > FEED_URL_MAX_BYTES {
        return Err(format!(
            "the URL is {} bytes long; the limit is {FEED_URL_MAX_BYTES}",
            s.len()
        ));
    }
    let shown = url_for_messages(s);
    if s.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        return Err(format!("URL {shown} contains control characters"));
    }
    let url = url::Url::parse(s).map_err(|e| format!("invalid URL {shown}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "unsupported URL scheme {:?} in {shown}: only http and https feeds can be polled",
            url.scheme()
        ));
    }
    let host = url.host_str().unwrap_or("");
    let credential = if url.password().is_some() {
        Some("a password")
    } else if !url.username().is_empty() {
        Some("a user name")
    } else {
        None
    };
    if let Some(what) = credential {
        // DESIGN.md: secrets never sit in the main file in clear.
        return Err(format!(
            "the URL of host {host:?} contains {what} (user:password@); a feed URL must \
             not carry credentials: it is shown in `sources list`, logs and OPML exports, \
             and a config file is no place for secrets"
        ));
    }
    if host.is_empty() {
        return Err(format!("URL {shown} has no host"));
    }
    Ok(url)
}

/// A URL as messages show it: quoted, control characters escaped, and any
/// `user:password@` before the host replaced by `…@`.
pub fn url_for_messages(s: &str) -> String {
    let redacted = match s.find("://") {
        Some(i) => {
            let rest = &s[i + 3..];
            let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
            match rest[..authority_end].rfind('@') {
                Some(at) => format!("{}://…{}", &s[..i], &rest[at..]),
                None => s.to_string(),
            }
        }
        None => s.to_string(),
    };
    let mut shown = String::with_capacity(redacted.len() + 2);
    shown.push('"');
    for c in redacted.chars() {
        if c.is_control() || is_bidi_control(c) {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown.push('"');
    shown
}

/// Bidi embeddings, overrides, isolates and marks: invisible, and they
/// reorder what a terminal shows after them.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `smtp_url` taken apart (the password's source is configured separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SmtpUrl {
    pub security: super::SmtpSecurity,
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
}

/// Parse `smtp://`, `smtps://` or `smtp+starttls://[user@]host[:port]`.
/// A password in the URL is refused, and messages never repeat the URL's user
/// part, so a secret pasted there does not end up in logs.
pub(crate) fn parse_smtp_url(s: &str) -> Result<SmtpUrl, String> {
    use super::SmtpSecurity;
    const FORM: &str = "write e.g. \"smtps://alerts%40example.org@smtp.example.org:465\"";
    let url = url::Url::parse(s.trim()).map_err(|e| format!("invalid SMTP URL ({e}); {FORM}"))?;
    let security = match url.scheme() {
        "smtp" => SmtpSecurity::Opportunistic,
        "smtps" => SmtpSecurity::Tls,
        "smtp+starttls" => SmtpSecurity::StartTls,
        other => {
            return Err(format!(
                "unsupported scheme {other:?}: expected smtp:// (STARTTLS if offered), \
                 smtps:// (TLS) or smtp+starttls:// (STARTTLS required)"
            ));
        }
    };
    if url.password().is_some() {
        return Err(
            "the URL contains a password; secrets come from password_file or \
                    password_env, never the config file"
                .into(),
        );
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => percent_decode(d)?,
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(format!("the URL has no host; {FORM}")),
    };
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "unexpected path, query or fragment after the host; {FORM}"
        ));
    }
    let port = match url.port() {
        Some(0) => return Err("port 0 is not a usable port".into()),
        Some(p) => p,
        None => security.default_port(),
    };
    let username = match url.username() {
        "" => None,
        u => Some(percent_decode(u)?),
    };
    Ok(SmtpUrl {
        security,
        host,
        port,
        username,
    })
}

/// Decode `%XX` escapes (as in a URL's user part) into UTF-8 text.
pub(crate) fn percent_decode(s: &str) -> Result<String, String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or("a '%' in the URL is not followed by two hex digits (write %25 for '%')")?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent-escapes in the URL do not decode to UTF-8".into())
}

/// An environment variable name as shells write it: letters, digits and `_`,
/// not starting with a digit.
pub(crate) fn check_env_name(s: &str) -> Result<(), String> {
    let ok = s
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "invalid environment variable name {s:?}: use letters, digits and '_', \
             e.g. \"NEWSWATCH_SMTP_PASSWORD\""
        ))
    }
}
