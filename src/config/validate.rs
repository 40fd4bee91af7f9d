//! Raw TOML values → checked config types (STYLE.md habit 2: parse, then
//! validate into a different type).
//!
//! Owns every rule about values: bounds, defaults, URL schemes, enum words,
//! duplicate names. Each failure names the file, line, column and key path.
//! Must never read files (the caller hands in the text) nor touch the network.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::error::{ConfigError, Place, suggest};
use super::raw::{RawSource, RawSpeaker, RawTopic, SpStr};
use super::validate_daemon::duration;
use super::values::{check_label, check_language};
use super::*;

/// One file's text and path, so spans can become `file:line:col`, and the
/// errors found in it so far.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    /// Byte offset of each line's start: line numbers by binary search
    /// (a config with 10,000 sources asks for 10,000 of them).
    line_starts: Vec<usize>,
    /// Errors found in this file: checking goes on after an error (with a
    /// stand-in value, or without the table that has it), so that one run
    /// reports every error, not only the first.
    found: std::cell::RefCell<Vec<ConfigError>>,
}

impl<'a> Ctx<'a> {
    pub fn new(file: &'a Path, text: &'a str) -> Ctx<'a> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Ctx {
            file,
            text,
            line_starts,
            found: Default::default(),
        }
    }

    /// Note an error found, to be reported with the others.
    pub fn note(&self, e: ConfigError) {
        self.found.borrow_mut().push(e);
    }

    /// The value, or (noting the error) None.
    pub fn ok<T>(&self, r: Result<T, ConfigError>) -> Option<T> {
        r.map_err(|e| self.note(e)).ok()
    }

    /// The value, or (noting the error) `stand_in`, to go on checking.
    pub fn keep<T>(&self, r: Result<T, ConfigError>, stand_in: T) -> T {
        self.ok(r).unwrap_or(stand_in)
    }

    /// How many errors were found in this file so far.
    pub fn found_count(&self) -> usize {
        self.found.borrow().len()
    }

    /// The errors found in this file so far.
    pub fn take_found(&self) -> Vec<ConfigError> {
        std::mem::take(&mut self.found.borrow_mut())
    }

    pub fn err(&self, span: Range<usize>, key: &str, message: impl Into<String>) -> ConfigError {
        ConfigError::at(self.file, self.text, span, key, message)
    }

    pub(super) fn line(&self, span: &Range<usize>) -> usize {
        self.line_starts
            .partition_point(|&start| start <= span.start)
    }
}

/// All `[[source]]` tables of the main file; `speakers` are every known
/// speaker. A source with an error is noted and left out.
pub(crate) fn sources(
    cx: &Ctx,
    raws: &[Spanned<RawSource>],
    speakers: &[SpeakerConfig],
) -> Vec<SourceConfig> {
    let mut out: Vec<SourceConfig> = Vec::with_capacity(raws.len());
    let mut lines: Vec<(usize, usize)> = Vec::with_capacity(raws.len()); // (name line, url line)
    // Names (lower case) and URLs seen so far → index in `out`: a hash
    // lookup each, where a scan of `out` made 1,000 sources a million
    // comparisons.
    let mut by_name: HashMap<String, usize> = HashMap::with_capacity(raws.len());
    let mut by_url: HashMap<String, usize> = HashMap::with_capacity(raws.len());
    for (i, raw) in raws.iter().enumerate() {
        let raw = raw.get_ref();
        let key = named_key("source", i, raw.name.get_ref());
        let Some(source) = source(cx, &key, raw, speakers) else {
            continue;
        };
        if let Some(&j) = by_name.get(&source.name.to_lowercase()) {
            cx.note(cx.err(
                raw.name.span(),
                &format!("{key}.name"),
                format!(
                    "duplicate source name {:?}; first defined at line {}",
                    source.name, lines[j].0
                ),
            ));
            continue;
        }
        if let Some(&j) = by_url.get(source.url.as_str()) {
            cx.note(cx.err(
                raw.url.span(),
                &format!("{key}.url"),
                format!(
                    "duplicate source URL {}; already used by source {:?} at line {}",
                    source.url, out[j].name, lines[j].1
                ),
            ));
            continue;
        }
        lines.push((cx.line(&raw.name.span()), cx.line(&raw.url.span())));
        by_name.insert(source.name.to_lowercase(), out.len());
        by_url.insert(source.url.to_string(), out.len());
        out.push(source);
    }
    out
}

/// One `[[source]]`; None when it has errors (each noted).
fn source(
    cx: &Ctx,
    key: &str,
    raw: &RawSource,
    speakers: &[SpeakerConfig],
) -> Option<SourceConfig> {
    let at = |v: &SpStr, field: &str, m: String| cx.err(v.span(), &format!("{key}.{field}"), m);
    let before = cx.found_count();
    cx.ok(
        check_label("source name", raw.name.get_ref(), NAME_MAX_CHARS)
            .map_err(|m| at(&raw.name, "name", m)),
    );
    let url = cx.ok(feed_url(raw.url.get_ref()).map_err(|m| at(&raw.url, "url", m)));
    let interval = match &raw.interval {
        None => None,
        Some(v) => cx.ok(duration(
            cx,
            Some(v),
            &format!("{key}.interval"),
            DEFAULT_INTERVAL,
            LONGEST_INTERVAL,
        )),
    };
    let mut tags = Vec::new();
    for tag in raw.tags.iter().flatten() {
        if cx
            .ok(check_label("tag", tag.get_ref(), TAG_MAX_CHARS).map_err(|m| at(tag, "tags", m)))
            .is_some()
            && !tags.contains(tag.get_ref())
        {
            tags.push(tag.get_ref().clone());
        }
    }
    let kind = match &raw.kind {
        None => Some(SourceKind::News),
        Some(v) => cx.ok(word(v.get_ref(), &["news", "statements"])
            .map(|w| {
                if w == "news" {
                    SourceKind::News
                } else {
                    SourceKind::Statements
                }
            })
            .map_err(|m| at(v, "kind", m))),
    };
    let language = match &raw.language {
        None => None,
        Some(v) => cx
            .ok(check_language(v.get_ref()).map_err(|m| at(v, "language", m)))
            .map(|()| v.get_ref().clone()),
    };
    // Checked against a kind that was read: "only with statements" about a
    // misspelt kind would be an error about a stand-in.
    let speaker = match (&raw.speaker, kind) {
        (Some(v), Some(kind)) => {
            cx.ok(speaker_ref(v.get_ref(), kind, speakers).map_err(|m| at(v, "speaker", m)))
        }
        _ => None,
    };
    if cx.found_count() > before {
        return None;
    }
    Some(SourceConfig {
        name: raw.name.get_ref().clone(),
        url: url?,
        interval,
        tags,
        kind: kind?,
        language,
        speaker,
        enabled: raw.enabled.unwrap_or(true),
        allow_private_network: raw.allow_private_network.unwrap_or(false),
    })
}

fn speaker_ref(name: &str, kind: SourceKind, speakers: &[SpeakerConfig]) -> Result<String, String> {
    if kind != SourceKind::Statements {
        return Err("speaker is only meaningful with kind = \"statements\"".into());
    }
    if speakers.iter().any(|s| s.name == name) {
        return Ok(name.to_string());
    }
    let names: Vec<&str> = speakers.iter().map(|s| s.name.as_str()).collect();
    let hint = suggest(name, &names)
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default();
    Err(format!("no [[speaker]] named {name:?} is defined{hint}"))
}

/// One of a fixed set of words, with a "did you mean" for near misses.
pub(super) fn word<'a>(s: &str, allowed: &[&'a str]) -> Result<&'a str, String> {
    if let Some(w) = allowed.iter().find(|w| **w == s) {
        return Ok(w);
    }
    let list = allowed
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let lower = s.trim().to_lowercase();
    let hint = suggest(&lower, allowed)
        .map(|w| format!(" (did you mean \"{w}\"?)"))
        .unwrap_or_default();
    Err(format!("unknown value {s:?}, expected {list}{hint}"))
}

/// Key prefix for a named table: `topic "peace-talks"` when the name is usable, else `topic[3]`.
pub(crate) fn named_key(table: &str, i: usize, name: &str) -> String {
    if check_label("", name, NAME_MAX_CHARS).is_ok() && !name.contains('"') {
        format!("{table} \"{name}\"")
    } else {
        format!("{table}[{i}]")
    }
}

/// `and`, `or`, `not` written as words in a query (outside phrases), with
/// their 1-based character column: the rule language takes them as words to
/// find, where the writer most likely meant the upper-case operator.
pub(crate) fn lowercase_operators(query: &str) -> Vec<(usize, &str)> {
    let mut found = Vec::new();
    let mut in_phrase = false;
    let mut start: Option<(usize, usize)> = None; // (byte, column)
    let mut check = |from: usize, to: usize, column: usize| {
        let word = &query[from..to];
        if ["and", "or", "not"]
            .iter()
            .any(|op| word.eq_ignore_ascii_case(op))
            && word.chars().any(|c| c.is_lowercase())
        {
            found.push((column, word));
        }
    };
    for (column, (i, c)) in query.char_indices().enumerate() {
        let boundary = c.is_whitespace() || matches!(c, '(' | ')' | '"');
        if boundary {
            if let Some((from, col)) = start.take()
                && !in_phrase
            {
                check(from, i, col);
            }
            if c == '"' {
                in_phrase = !in_phrase;
            }
        } else if start.is_none() {
            start = Some((i, column + 1));
        }
    }
    if let Some((from, col)) = start
        && !in_phrase
    {
        check(from, query.len(), col);
    }
    found
}

/// `[[topic]]` tables of one file (main or included). Queries that read
/// oddly but are valid (a lower-case `or`) add to `warnings`. A topic with
/// an error is noted and kept with a stand-in query, so that references to
/// it (a digest's `topics`) are not reported as errors too.
pub(crate) fn topics(
    cx: &Ctx,
    raws: &[Spanned<RawTopic>],
    warnings: &mut Vec<ConfigError>,
) -> Vec<TopicConfig> {
    let mut out = Vec::with_capacity(raws.len());
    for (i, spanned) in raws.iter().enumerate() {
        let raw = spanned.get_ref();
        let key = named_key("topic", i, raw.name.get_ref());
        let at = |v: &SpStr, field: &str, m: String| cx.err(v.span(), &format!("{key}.{field}"), m);
        cx.ok(
            check_label("topic name", raw.name.get_ref(), NAME_MAX_CHARS)
                .map_err(|m| at(&raw.name, "name", m)),
        );
        let parse = |v: &SpStr, field: &str| {
            crate::detect::query::parse(v.get_ref()).map_err(|e| {
                // Point at the offending character inside the quoted value
                // (exact for literal strings; escapes may shift it a little).
                let offset: usize = v
                    .get_ref()
                    .chars()
                    .take(e.column.saturating_sub(1))
                    .map(char::len_utf8)
                    .sum();
                let start = (v.span().start + 1 + offset).min(v.span().end.saturating_sub(1));
                cx.err(
                    start..start + 1,
                    &format!("{key}.{field}"),
                    format!("bad query: {e}"),
                )
            })
        };
        let parsed = if raw.query.get_ref().trim().is_empty() {
            cx.note(at(&raw.query, "query", "must not be empty".into()));
            None
        } else {
            cx.ok(parse(&raw.query, "query"))
        };
        let (exclude, parsed_exclude) = match &raw.exclude {
            None => (None, None),
            Some(v) if v.get_ref().trim().is_empty() => {
                cx.note(at(
                    v,
                    "exclude",
                    "must not be empty; leave it out instead".into(),
                ));
                (None, None)
            }
            Some(v) => (Some(v.get_ref().clone()), cx.ok(parse(v, "exclude"))),
        };
        for (field, v) in std::iter::once(("query", &raw.query))
            .chain(raw.exclude.as_ref().map(|v| ("exclude", v)))
        {
            for (column, word) in lowercase_operators(v.get_ref()) {
                let offset: usize = v
                    .get_ref()
                    .chars()
                    .take(column - 1)
                    .map(char::len_utf8)
                    .sum();
                let start = (v.span().start + 1 + offset).min(v.span().end.saturating_sub(1));
                warnings.push(cx.err(
                    start..start + 1,
                    &format!("{key}.{field}"),
                    format!(
                        "\"{word}\" is taken as a word to find, not as an operator \
                         (operators are upper case): write {} if that is what you mean, \
                         or put it in quotes to find the word",
                        word.to_uppercase()
                    ),
                ));
            }
        }
        let alert = match &raw.alert {
            None => AlertMode::Digest,
            Some(v) => cx.keep(
                word(v.get_ref(), &["digest", "immediate"])
                    .map(|w| {
                        if w == "digest" {
                            AlertMode::Digest
                        } else {
                            AlertMode::Immediate
                        }
                    })
                    .map_err(|m| at(v, "alert", m)),
                AlertMode::Digest,
            ),
        };
        // A stand-in for a query that did not parse: the configuration is
        // refused anyway, and the topic's name stays known.
        let parsed = parsed
            .or_else(|| crate::detect::query::parse("unparsed").ok())
            .expect("a one-word query parses");
        let model = raw.model.as_ref().and_then(|v| {
            cx.ok(super::topic_model::load(v.get_ref(), cx.file).map_err(|m| at(v, "model", m)))
        });
        out.push(TopicConfig {
            name: raw.name.get_ref().clone(),
            model_name: raw.model.as_ref().map(|v| v.get_ref().clone()),
            model,
            query: raw.query.get_ref().clone(),
            exclude,
            parsed,
            parsed_exclude,
            alert,
            file: cx.file.to_path_buf(),
            line: cx.line(&spanned.span()),
        });
    }
    out
}

/// `[[speaker]]` tables of one file (main or included); errors are noted
/// (a bad alias is left out, the speaker kept for references to it).
pub(crate) fn speakers(cx: &Ctx, raws: &[Spanned<RawSpeaker>]) -> Vec<SpeakerConfig> {
    let mut out = Vec::with_capacity(raws.len());
    for (i, spanned) in raws.iter().enumerate() {
        let raw = spanned.get_ref();
        let key = named_key("speaker", i, raw.name.get_ref());
        cx.ok(
            check_label("speaker name", raw.name.get_ref(), NAME_MAX_CHARS)
                .map_err(|m| cx.err(raw.name.span(), &format!("{key}.name"), m)),
        );
        let mut aliases = Vec::with_capacity(raw.aliases.len());
        for alias in &raw.aliases {
            if cx
                .ok(check_label("alias", alias.get_ref(), NAME_MAX_CHARS)
                    .map_err(|m| cx.err(alias.span(), &format!("{key}.aliases"), m)))
                .is_some()
            {
                aliases.push(alias.get_ref().clone());
            }
        }
        out.push(SpeakerConfig {
            name: raw.name.get_ref().clone(),
            aliases,
            file: cx.file.to_path_buf(),
            line: cx.line(&spanned.span()),
        });
    }
    out
}

/// Every second topic or speaker with the same name (case-insensitive),
/// naming both places; the two may be in different files.
pub(crate) fn no_duplicates<'a>(
    table: &str,
    entries: impl Iterator<Item = (&'a str, &'a Path, usize)>,
) -> Vec<ConfigError> {
    let mut seen: Vec<(String, &Path, usize)> = Vec::new();
    let mut found = Vec::new();
    for (name, file, line) in entries {
        let lc = name.to_lowercase();
        if let Some((_, first_file, first_line)) = seen.iter().find(|(n, _, _)| *n == lc) {
            found.push(ConfigError {
                file: file.to_path_buf(),
                line: Some(line),
                column: None,
                key: Some(format!("{table} \"{name}\".name")),
                message: format!(
                    "duplicate {table} name {name:?}; first defined at {}",
                    Place {
                        file: first_file,
                        line: *first_line
                    }
                ),
                also: Box::default(),
            });
            continue;
        }
        seen.push((lc, file, line));
    }
    found
}
