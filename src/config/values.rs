//! Parsers for the scalar values a config file writes as strings: durations,
//! sizes, language tags, names.
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
