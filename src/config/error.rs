//! Config errors that say what, which and where: `file:line:col: key: message`.
//!
//! Owns turning byte spans (from `toml::Spanned` and from toml's own parse
//! errors, which lack the file name — CRATES.md pitfall 11) into line and
//! column, guessing the key path for toml's errors, and cheap "did you mean"
//! hints. Must never read files or decide whether a value is valid.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// Longest edit distance at which a misspelt key still earns a suggestion;
/// beyond that the suggestion is more likely noise than help.
const MAX_SUGGESTION_DISTANCE: usize = 3;

/// Keys whose values are durations or sizes written as strings; a bare number
/// there earns a hint about quoting.
const QUOTED_KEYS: &[&str] = &[
    "default_interval",
    "min_interval",
    "max_interval",
    "max_backoff",
    "timeout",
    "connect_timeout",
    "max_body",
    "interval",
    "group_window",
    "alert_max_age",
    "retry_min",
    "retry_max",
    "give_up_after",
    "retention",
];

/// A configuration problem, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    /// The file the problem is in (the main file or an included one).
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column in characters, when known.
    pub column: Option<usize>,
    /// Key path such as `source[3].url`, `daemon.default_interval`, `topic "x".alert`.
    pub key: Option<String>,
    /// What is wrong (and, where cheap, how to fix it).
    pub message: String,
    /// The other errors found in the same reading of the configuration,
    /// in file order: one run reports them all. Shown after this one, each
    /// on a line of its own.
    pub also: Box<[ConfigError]>,
}

impl ConfigError {
    /// An error about a whole file (cannot read it, bad glob, …).
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            key: None,
            message: message.into(),
            also: Box::default(),
        }
    }

    /// An error at a byte span of `text`, which is the content of `file`.
    pub(crate) fn at(
        file: &Path,
        text: &str,
        span: Range<usize>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = line_col(text, span.start);
        ConfigError {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
            key: Some(key.into()),
            message: message.into(),
            also: Box::default(),
        }
    }

    /// Convert toml's own error (syntax, unknown key, wrong type, missing key).
    /// `included` says whether `file` is an included file (for the hint on unknown tables).
    pub(crate) fn from_toml(
        file: &Path,
        text: &str,
        err: &toml::de::Error,
        included: bool,
    ) -> Self {
        let message = err.message().trim().to_string();
        let mut key = None;
        let (mut line, mut column) = (None, None);
        if let Some(span) = err.span() {
            let (l, c) = line_col(text, span.start);
            line = Some(l);
            column = Some(c);
            key = key_path_at(text, span.start);
        }
        // An unknown `[[table]]` is one key, not the first element of an array.
        let unknown = backticked(&message).into_iter().next();
        let table = key
            .as_deref()
            .and_then(|k| k.strip_suffix(']'))
            .and_then(|k| k.rsplit_once('['))
            .map(|(t, _)| t.to_string());
        if message.starts_with("unknown field") && unknown.is_some() && table == unknown {
            key = unknown;
        }
        let key = key.map(|k| by_name(text, &k));
        let mut message = in_plain_words(&message);
        message.push_str(&hint_for(&message, key.as_deref(), included));
        ConfigError {
            file: file.to_path_buf(),
            line,
            column,
            key,
            message,
            also: Box::default(),
        }
    }

    /// Several errors as one: the first, with the others in `also`.
    pub(crate) fn all(mut errors: Vec<ConfigError>) -> Option<ConfigError> {
        if errors.is_empty() {
            return None;
        }
        let mut first = errors.remove(0);
        first.also = errors.into_boxed_slice();
        Some(first)
    }

    /// How many errors this is (itself and `also`).
    pub fn count(&self) -> usize {
        1 + self.also.len()
    }

    fn render(&self) -> String {
        let mut out = self.render_one();
        for other in &self.also {
            out.push_str("\nerror: ");
            out.push_str(&other.render_one());
        }
        out
    }

    fn render_one(&self) -> String {
        let mut out = self.file.display().to_string();
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
            if let Some(column) = self.column {
                out.push_str(&format!(":{column}"));
            }
        }
        out.push_str(": ");
        if let Some(key) = &self.key {
            out.push_str(key);
            out.push_str(": ");
        }
        out.push_str(&self.message);
        out
    }
}

/// A `file:line` reference for messages that point at a second place
/// (e.g. "first defined at …").
pub(crate) struct Place<'a> {
    pub file: &'a Path,
    pub line: usize,
}

impl fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file.display(), self.line)
    }
}

/// 1-based line and character column of byte `offset` in `text` (clamped, never panics).
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Best-effort key path (`source[2].url`, `daemon.timeout`) for a byte offset,
/// from the table headers above it. Used only for toml's own errors, whose
/// spans are exact but which carry no key path.
fn key_path_at(text: &str, offset: usize) -> Option<String> {
    let mut table: Option<String> = None;
    let mut counts: Vec<(String, usize)> = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let line_end = line_start + line.len();
        let trimmed = line.trim_start();
        let is_header = trimmed.starts_with('[');
        if let Some(name) = trimmed.strip_prefix("[[") {
            let name = clean_key(name.split("]]").next().unwrap_or(""));
            let index = bump(&mut counts, &name);
            table = Some(format!("{name}[{index}]"));
        } else if let Some(name) = trimmed.strip_prefix('[') {
            table = Some(clean_key(name.split(']').next().unwrap_or("")));
        }
        if offset < line_end || line_end == text.len() {
            if is_header {
                return table;
            }
            let within = offset.saturating_sub(line_start).min(line.len());
            let before = line.get(..within).unwrap_or("");
            let key = match before.find('=') {
                Some(eq) => Some(clean_key(&before[..eq])),
                None => key_at(line.get(within..).unwrap_or("")),
            };
            return match (table, key) {
                (Some(t), Some(k)) => Some(format!("{t}.{k}")),
                (None, Some(k)) => Some(k),
                (t, None) => t,
            };
        }
        line_start = line_end;
    }
    table
}

/// `source[2].interval` → `source "Kyiv Independent".interval`: a table of
/// an array named by its `name` when the file has one for it (the text
/// is valid TOML even when a value has the wrong type).
fn by_name(text: &str, key: &str) -> String {
    let Some((head, rest)) = key.split_once(']') else {
        return key.to_string();
    };
    let Some((table, index)) = head.split_once('[') else {
        return key.to_string();
    };
    let Ok(index) = index.parse::<usize>() else {
        return key.to_string();
    };
    let Ok(doc) = text.parse::<toml::Table>() else {
        return key.to_string();
    };
    let name = doc
        .get(table)
        .and_then(|t| t.as_array())
        .and_then(|a| a.get(index))
        .and_then(|t| t.get("name"))
        .and_then(|n| n.as_str());
    match name {
        Some(name) => {
            let named = super::validate::named_key(table, index, name);
            format!("{named}{rest}")
        }
        None => key.to_string(),
    }
}

/// toml's words for Rust types, in a reader's: "expected i64" → "expected
/// a whole number".
fn in_plain_words(message: &str) -> String {
    let mut out = message.to_string();
    for (rust, plain) in [
        ("expected i64", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected usize", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        out = out.replace(rust, plain);
    }
    out
}

/// Count one more `[[name]]` and return its 0-based index.
fn bump(counts: &mut Vec<(String, usize)>, name: &str) -> usize {
    if let Some(entry) = counts.iter_mut().find(|(n, _)| n == name) {
        entry.1 += 1;
        return entry.1;
    }
    counts.push((name.to_string(), 0));
    0
}

/// A bare key starting at the start of `rest`, if it is followed by `=` or `.`.
fn key_at(rest: &str) -> Option<String> {
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    let after = rest[end..].trim_start();
    (end > 0 && (after.starts_with('=') || after.starts_with('.'))).then(|| rest[..end].to_string())
}

fn clean_key(s: &str) -> String {
    s.trim().trim_matches('"').trim_matches('\'').to_string()
}

/// Extra words for toml's messages: "did you mean", unsupported tables, quoting.
fn hint_for(message: &str, key: Option<&str>, included: bool) -> String {
    if message.starts_with("unknown field") {
        let words = backticked(message);
        let Some((unknown, expected)) = words.split_first() else {
            return String::new();
        };
        if included {
            if matches!(unknown.as_str(), "email" | "digest") {
                return " ([email] and [[digest]] belong in the main config file; an included \
                        file may contain only [[topic]] and [[speaker]] tables)"
                    .to_string();
            }
            return " (an included file may contain only [[topic]] and [[speaker]] tables)"
                .to_string();
        }
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        if let Some(best) = suggest(unknown, &expected) {
            return format!(" (did you mean `{best}`?)");
        }
    } else if message.contains("expected a string") {
        let last = key.and_then(|k| k.rsplit('.').next()).unwrap_or("");
        if QUOTED_KEYS.contains(&last) {
            return " (durations and sizes are quoted strings such as \"15m\" or \"10MB\")"
                .to_string();
        }
    }
    String::new()
}

fn backticked(message: &str) -> Vec<String> {
    message
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect()
}

/// The candidate closest to `word` by edit distance, if close enough to be a typo.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let len = word.chars().count();
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, c)| {
            // About one edit per three characters of the longer word.
            let limit = (len.max(c.chars().count()) / 3).clamp(1, MAX_SUGGESTION_DISTANCE);
            *d <= limit
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance over characters, counting an adjacent swap ("qeury") as one
/// edit (optimal string alignment), since swaps are the commonest typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}
