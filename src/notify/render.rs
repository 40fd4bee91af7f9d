//! The rendering part of the notifier: content → subject + text + HTML.
//! Feed strings are escaped here and nowhere else.
//!
//! Input is the plain data of [`content`](crate::notify::content) (feed text
//! as stored, never HTML); output is a [`Rendered`] message. Pure: no store,
//! no network; the only I/O is reading a user's template overrides in
//! [`Templates::load`], once, at start-up.
//!
//! - Bodies come from MiniJinja templates: the built-in ones in `templates/`
//!   (embedded at compile time), each replaceable by a file of the same name
//!   in a configured folder. `.html` templates escape everything they print
//!   (auto-escape by file name); no template uses `|safe` on feed text.
//! - Before any template sees the data, [`context_value`] drops control
//!   characters and bidi overrides from every string and keeps a `url` /
//!   `*_url` field only when it is an absolute `http`/`https` URL, so a
//!   `javascript:` link can never become an `href`, even from a user's
//!   template (content.rs filters URLs too: defence in depth).
//! - Subjects are built here in Rust, not in templates, and always pass
//!   through [`safe_subject`]: one line, no control or format characters
//!   (no header injection through a feed title).
//! - Templates are test-rendered with sample data when loaded, so a broken
//!   override (syntax error, unknown filter, misspelt variable) is reported
//!   at start-up and by `check-config`, naming the file and line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, Utc};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};

use crate::notify::content::{
    AlertView, DiffPart, DigestView, ItemView, QuoteView, Rendered, RevisionView, ShiftView,
    SourceHealthView, StoryView, TopicSection,
};

/// The built-in templates: (name, source). A file of the same name in the
/// override folder replaces one.
const BUILTIN: &[(&str, &str)] = &[
    ("alert.txt", include_str!("../../templates/alert.txt")),
    ("alert.html", include_str!("../../templates/alert.html")),
    ("digest.txt", include_str!("../../templates/digest.txt")),
    ("digest.html", include_str!("../../templates/digest.html")),
    ("_macros.txt", include_str!("../../templates/_macros.txt")),
    ("_macros.html", include_str!("../../templates/_macros.html")),
];

/// Longest subject, in characters (RFC 5322 recommends lines under 78; a
/// subject is folded by the mailer, but mail clients cut long ones anyway).
pub const SUBJECT_MAX_CHARS: usize = 200;

/// How much of a new statement a shift subject quotes, in characters.
const SUBJECT_QUOTE_CHARS: usize = 60;

/// Default line width of the `wrap` filter, in characters.
const WRAP_WIDTH: usize = 76;

/// A template that could not be read, compiled or rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The override folder could not be listed.
    #[error("template folder {}: {source}", path.display())]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An override file could not be read (or is not UTF-8).
    #[error("template {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A template failed to compile or to render. `file` is the override's
    /// path, or `<name> (built-in)`.
    #[error("template {file}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    Template {
        file: String,
        line: Option<usize>,
        message: String,
        source: minijinja::Error,
    },
}

/// The message templates, compiled and checked.
pub struct Templates {
    env: Environment<'static>,
    /// Template name → where it came from (override path or built-in), for errors.
    origins: BTreeMap<String, String>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates")
            .field("origins", &self.origins)
            .finish_non_exhaustive()
    }
}

impl Templates {
    /// Built-in templates (templates/*, embedded with include_str!), each
    /// replaced by a file of the same name in `dir` when present. Extra files
    /// in `dir` named `_*.txt` / `_*.html` are loaded too, for the templates
    /// to import or include.
    ///
    /// Errors name the file and the template error (line) — a user's broken
    /// override must be a clear error, shown at start-up/`check-config`. All
    /// templates are test-rendered with sample data before this returns.
    pub fn load(dir: Option<&Path>) -> Result<Templates, RenderError> {
        let mut sources: BTreeMap<String, (String, String)> = BUILTIN
            .iter()
            .map(|(name, src)| {
                let origin = format!("{name} (built-in)");
                (name.to_string(), (src.to_string(), origin))
            })
            .collect();
        if let Some(dir) = dir {
            for (name, path) in override_files(dir)? {
                let src = std::fs::read_to_string(&path).map_err(|source| RenderError::Read {
                    path: path.clone(),
                    source,
                })?;
                sources.insert(name, (src, path.display().to_string()));
            }
        }

        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        // SemiStrict: printing a misspelt variable fails (and so fails the
        // check below) instead of printing nothing; `{% if x %}` still works.
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_syntax(
            SyntaxConfig::builder()
                .trim_blocks(true)
                .lstrip_blocks(true)
                .keep_trailing_newline(true)
                .build()
                .expect("default delimiters are valid"),
        );
        env.set_formatter(html_formatter);
        env.add_filter("wrap", wrap_filter);
        env.add_filter("oneline", one_line);
        env.add_filter("datetime", datetime_filter);

        let mut origins = BTreeMap::new();
        for (name, (src, origin)) in sources {
            if let Err(e) = env.add_template_owned(name.clone(), src) {
                return Err(template_error(&origin, e));
            }
            origins.insert(name, origin);
        }
        let templates = Templates { env, origins };
        templates.self_check()?;
        Ok(templates)
    }

    /// Subject, text and HTML of an immediate alert.
    pub fn render_alert(
        &self,
        alert: &AlertView,
        subject_prefix: &str,
    ) -> Result<Rendered, RenderError> {
        let subject = prefixed(subject_prefix, &alert_subject(alert));
        let ctx = context! {
            alert => context_value(alert),
            subject => subject.clone(),
            tz => "UTC",
        };
        self.render("alert", subject, ctx)
    }

    /// Subject, text and HTML of a digest.
    pub fn render_digest(
        &self,
        digest: &DigestView,
        subject_prefix: &str,
    ) -> Result<Rendered, RenderError> {
        let subject = prefixed(subject_prefix, &digest_subject(digest));
        let counts = Counts::of(digest);
        let ctx = context! {
            digest => context_value(digest),
            counts => context! {
                stories => counts.stories,
                revisions => counts.revisions,
                shifts => counts.shifts,
            },
            subject => subject.clone(),
            tz => digest.timezone.clone(),
        };
        self.render("digest", subject, ctx)
    }

    fn render(&self, base: &str, subject: String, ctx: Value) -> Result<Rendered, RenderError> {
        let text = self.render_one(&format!("{base}.txt"), &ctx)?;
        let html = self.render_one(&format!("{base}.html"), &ctx)?;
        Ok(Rendered {
            subject,
            text: tidy_text(&text),
            html: format!("{}\n", html.trim()),
        })
    }

    fn render_one(&self, name: &str, ctx: &Value) -> Result<String, RenderError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| {
                // Errors inside an imported file carry that file's name.
                let at = e.name().unwrap_or(name).to_string();
                let origin = self.origins.get(&at).cloned().unwrap_or(at);
                template_error(&origin, e)
            })
    }

    /// Renders every template with sample data of every kind, so errors that
    /// only show at render time (unknown filters, misspelt variables) are
    /// found at load time.
    fn self_check(&self) -> Result<(), RenderError> {
        for alert in sample_alerts() {
            self.render_alert(&alert, "[newswatch]")?;
        }
        self.render_digest(&sample_digest(), "[newswatch]")?;
        Ok(())
    }
}

/// The files in `dir` that are templates: the built-in names, and `_*.txt` /
/// `_*.html` includes.
fn override_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, RenderError> {
    let dir_err = |source| RenderError::Dir {
        path: dir.to_path_buf(),
        source,
    };
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(dir_err)? {
        let entry = entry.map_err(dir_err)?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let builtin = BUILTIN.iter().any(|(b, _)| *b == name);
        let include = name.starts_with('_') && (name.ends_with(".txt") || name.ends_with(".html"));
        if (builtin || include) && entry.path().is_file() {
            out.push((name, entry.path()));
        }
    }
    out.sort();
    Ok(out)
}

fn template_error(origin: &str, e: minijinja::Error) -> RenderError {
    let mut message = e.kind().to_string();
    if let Some(detail) = e.detail() {
        let _ = write!(message, ": {detail}");
    }
    RenderError::Template {
        file: origin.to_string(),
        line: e.line(),
        message,
        source: e,
    }
}

// ---------------------------------------------------------------------------
// Subjects

/// Makes `s` safe as a one-line subject: CR, LF, tabs and every other
/// control or format character (U+2028/2029, bidi overrides, zero-width
/// characters…) become a space, runs of spaces collapse, the ends are
/// trimmed, and anything beyond [`SUBJECT_MAX_CHARS`] characters is cut (on
/// a char boundary) and ends in "…".
pub fn safe_subject(s: &str) -> String {
    let line = one_line(s);
    if line.chars().count() <= SUBJECT_MAX_CHARS {
        return line;
    }
    let mut cut: String = line.chars().take(SUBJECT_MAX_CHARS - 1).collect();
    cut.truncate(cut.trim_end().len());
    cut.push('…');
    cut
}

fn prefixed(prefix: &str, subject: &str) -> String {
    let prefix = prefix.trim();
    if prefix.is_empty() {
        safe_subject(subject)
    } else {
        safe_subject(&format!("{prefix} {subject}"))
    }
}

fn alert_subject(alert: &AlertView) -> String {
    match alert {
        AlertView::Story { topics, story } => {
            let n = story.sources.len() + story.more_sources;
            let count = if n > 1 {
                format!(" ({n} sources)")
            } else {
                String::new()
            };
            format!("{}{}{count}", topic_label(topics), story.title)
        }
        AlertView::Revision { topics, revision } => format!(
            "{}changed ({}): {}",
            topic_label(topics),
            revision.significance,
            revision.item.title
        ),
        AlertView::Shift { shift } => format!(
            "{}{} shifts: \"{}\"",
            topic_label(std::slice::from_ref(&shift.topic)),
            shift.speaker,
            start_of(&shift.statement.text, SUBJECT_QUOTE_CHARS)
        ),
        AlertView::Test { .. } => "test message".to_string(),
    }
}

/// `"peace-talks: "`, or nothing when no topic is known.
fn topic_label(topics: &[String]) -> String {
    if topics.iter().all(|t| t.trim().is_empty()) {
        String::new()
    } else {
        format!("{}: ", topics.join(", "))
    }
}

/// The first `max` characters of `s` on one line, cut at a word boundary
/// when there is one, with "…" when cut.
fn start_of(s: &str, max: usize) -> String {
    let line = one_line(s);
    if line.chars().count() <= max {
        return line;
    }
    let head: String = line.chars().take(max).collect();
    let cut = match head.rfind(' ') {
        Some(i) if head[..i].chars().count() >= max / 3 => &head[..i],
        _ => head.as_str(),
    };
    format!("{}…", cut.trim_end())
}

struct Counts {
    stories: usize,
    revisions: usize,
    shifts: usize,
}

impl Counts {
    fn of(digest: &DigestView) -> Counts {
        let sum = |f: fn(&TopicSection) -> usize| digest.topics.iter().map(f).sum();
        Counts {
            stories: sum(|t| t.stories.len()),
            revisions: sum(|t| t.revisions.len()),
            shifts: sum(|t| t.shifts.len()),
        }
    }
}

fn digest_subject(digest: &DigestView) -> String {
    let c = Counts::of(digest);
    let mut parts = Vec::new();
    let mut count = |n: usize, one: &str, many: &str| {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    count(c.stories, "story", "stories");
    count(c.revisions, "change", "changes");
    count(c.shifts, "shift", "shifts");
    let what = if parts.is_empty() {
        "nothing new".to_string()
    } else {
        parts.join(", ")
    };
    match digest_end_label(digest) {
        Some(end) => format!("{} digest: {what} — {end}", digest.name),
        None => format!("{} digest: {what}", digest.name),
    }
}

/// The end of the digest's period in its local time, `27 Nov 08:00`.
fn digest_end_label(digest: &DigestView) -> Option<String> {
    const SHORT: &str = "%-d %b %H:%M";
    let local = digest.period_end_local.trim();
    if let Some(t) = local
        .get(..16)
        .and_then(|s| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").ok())
    {
        return Some(t.format(SHORT).to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(local) {
        return Some(t.naive_local().format(SHORT).to_string());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(digest.period_end.trim()) {
        let utc = t.with_timezone(&Utc);
        return Some(match digest.timezone.parse::<chrono_tz::Tz>() {
            Ok(tz) => utc.with_timezone(&tz).format(SHORT).to_string(),
            Err(_) => utc.format("%-d %b %H:%M UTC").to_string(),
        });
    }
    (!local.is_empty()).then(|| one_line(local))
}

// ---------------------------------------------------------------------------
// Template data and filters

/// The view as a template value, cleaned for display: control characters
/// (except newline and tab) and bidi embedding/override/isolate characters
/// are dropped from every string, CR LF becomes LF, and every `url` /
/// `*_url` field that is not an absolute http(s) URL becomes none.
///
/// The views only derive `Serialize`, and minijinja's serde support is an
/// optional feature, so the value is built through `serde_json::Value`.
fn context_value<T: serde::Serialize>(view: &T) -> Value {
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
fn http_url(s: &str) -> Option<String> {
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
fn clean_display(s: &str) -> String {
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
fn one_line(s: &str) -> String {
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

/// Prints values into templates. In `.html` templates everything not marked
/// safe (only template markup and macro output are) is HTML-escaped: `&`,
/// `<`, `>`, `"` and `'`. Unlike minijinja's default it leaves `/` alone, so
/// links read `href="https://…"` rather than `https:&#x2f;&#x2f;…`, which
/// some mail filters find suspicious; `/` needs no escaping in HTML text or
/// quoted attributes.
fn html_formatter(
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
fn wrap_filter(
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
fn datetime_filter(v: Value, tz: Option<String>) -> String {
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
fn tidy_text(s: &str) -> String {
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

// ---------------------------------------------------------------------------
// Sample data for the load-time check (and the tests)

fn sample_item(id: i64, source: &str, with_links: bool) -> ItemView {
    ItemView {
        id,
        title: "Peace talks resume in Istanbul".into(),
        url: with_links.then(|| format!("https://example.org/{source}/{id}")),
        source: source.into(),
        published: with_links.then(|| "2026-11-27T05:40:00Z".into()),
        first_seen: "2026-11-27T05:42:10Z".into(),
        summary: if with_links {
            "Delegations met on Thursday.\nA second round is planned.".into()
        } else {
            String::new()
        },
    }
}

fn sample_story() -> StoryView {
    StoryView {
        story_id: 1,
        title: "Peace talks resume in Istanbul".into(),
        items: vec![
            sample_item(1, "Reuters", true),
            sample_item(2, "TASS", false),
            sample_item(3, "Reuters", true),
        ],
        sources: vec!["Reuters".into(), "TASS".into()],
        first_seen: "2026-11-27T05:42:10Z".into(),
        more_sources: 0,
        more_items: 0,
    }
}

fn sample_revision() -> RevisionView {
    let part = |kind, text: &str| DiffPart {
        kind,
        text: text.into(),
    };
    RevisionView {
        revision_id: 1,
        item: sample_item(1, "Reuters", true),
        from_version: 1,
        to_version: 2,
        seen_at: "2026-11-27T06:00:00Z".into(),
        significance: crate::model::Significance::Major,
        reasons: vec!["numbers".into(), "negation".into()],
        title_diff: vec![
            part("same", "Peace talks "),
            part("del", "stall"),
            part("ins", "resume"),
        ],
        text_diff: vec![
            part("gap", "…"),
            part("same", " said on "),
            part("del", "Monday"),
            part("ins", "Thursday"),
            part("same", " that "),
            part("gap", "…"),
        ],
        topics: vec!["peace-talks".into()],
    }
}

fn sample_shift() -> ShiftView {
    let quote = |text: &str, seen: &str, with_links| QuoteView {
        text: text.into(),
        seen_at: seen.into(),
        item: sample_item(4, "TASS", with_links),
    };
    ShiftView {
        shift_id: 1,
        speaker: "Peskov".into(),
        topic: "peace-talks".into(),
        seen_at: "2026-11-27T06:00:00Z".into(),
        similarity: 0.21,
        statement: quote("Talks are possible.", "2026-11-27T06:00:00Z", true),
        earlier: quote(
            "There is nothing to talk about.",
            "2026-11-20T10:00:00Z",
            false,
        ),
    }
}

fn sample_alerts() -> Vec<AlertView> {
    vec![
        AlertView::Story {
            topics: vec!["peace-talks".into()],
            story: sample_story(),
        },
        AlertView::Revision {
            topics: vec!["peace-talks".into()],
            revision: sample_revision(),
        },
        AlertView::Shift {
            shift: sample_shift(),
        },
        AlertView::Test {
            host: "localhost".into(),
            sent_at: "2026-11-27T06:00:00Z".into(),
        },
    ]
}

fn sample_digest() -> DigestView {
    DigestView {
        name: "morning".into(),
        period_start: "2026-11-26T06:00:00Z".into(),
        period_end: "2026-11-27T06:00:00Z".into(),
        period_start_local: "2026-11-26 08:00 EET".into(),
        period_end_local: "2026-11-27 08:00 EET".into(),
        timezone: "Europe/Kyiv".into(),
        topics: vec![
            TopicSection {
                name: "peace-talks".into(),
                stories: vec![sample_story()],
                revisions: vec![sample_revision()],
                shifts: vec![sample_shift()],
            },
            TopicSection {
                name: "sanctions".into(),
                ..TopicSection::default()
            },
        ],
        health: vec![
            SourceHealthView {
                name: "kyiv-independent".into(),
                url: "https://example.org/feed".into(),
                state: "failing",
                detail: "HTTP 503 (3 times)".into(),
                since: Some("2026-11-26T20:00:00Z".into()),
            },
            SourceHealthView {
                name: "old-feed".into(),
                url: "https://example.org/old".into(),
                state: "disabled",
                detail: "410 Gone".into(),
                since: None,
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>\r\nBcc: evil@example.org";

    fn builtin() -> Templates {
        Templates::load(None).expect("built-in templates load")
    }

    fn hostile_story() -> AlertView {
        let mut story = sample_story();
        story.title = HOSTILE.into();
        story.items[0].title = HOSTILE.into();
        story.items[0].summary = HOSTILE.into();
        story.items[0].url = Some("javascript:alert(1)".into());
        story.items[1].url = Some("https://example.org/ok\"><script>x</script>".into());
        story.items[1].source = "TASS<b>".into();
        story.sources[1] = "TASS<b>".into();
        AlertView::Story {
            topics: vec!["peace-talks".into()],
            story,
        }
    }

    #[test]
    fn builtin_templates_render_every_kind() {
        let t = builtin();
        for alert in sample_alerts() {
            let r = t.render_alert(&alert, "[newswatch]").unwrap();
            assert!(r.subject.starts_with("[newswatch] "), "{}", r.subject);
            assert!(
                r.text.ends_with('\n') && !r.text.contains("\n\n\n"),
                "{}",
                r.text
            );
            assert!(r.html.starts_with("<!DOCTYPE html>"), "{}", r.html);
            assert!(!r.text.contains("none"), "{}", r.text);
            assert!(!r.html.contains(">none<"), "{}", r.html);
        }
        // A story larger than a message shows says how much is left out.
        let mut big = sample_story();
        big.more_sources = 3;
        big.more_items = 5;
        let alert = AlertView::Story {
            topics: vec!["peace-talks".into()],
            story: big.clone(),
        };
        let story = t.render_alert(&alert, "[newswatch]").unwrap();
        assert!(story.subject.ends_with("(5 sources)"), "{}", story.subject);
        for part in [&story.text, &story.html] {
            assert!(
                part.contains("and 5 more item(s) from 3 more source(s)"),
                "{part}"
            );
        }
        let mut digest = sample_digest();
        digest.topics[0].stories[0] = big;
        let d = t.render_digest(&digest, "[newswatch]").unwrap();
        assert!(d.text.contains("… and 3 more source(s)"), "{}", d.text);
        assert!(d.text.contains("== peace-talks =="), "{}", d.text);
        assert!(
            d.text.contains("-- \nnewswatch — digest morning"),
            "{}",
            d.text
        );
    }

    #[test]
    fn hostile_title_is_escaped_in_html_and_one_line_in_subject() {
        let t = builtin();
        let r = t.render_alert(&hostile_story(), "[newswatch]").unwrap();
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(!r.html.contains("TASS<b>"), "{}", r.html);
        assert!(r.html.contains("TASS&lt;b&gt;"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"), "{}", r.html);
        assert!(!r.subject.contains(['\r', '\n']), "{:?}", r.subject);
        assert_eq!(
            r.subject,
            "[newswatch] peace-talks: <script>alert(1)</script> Bcc: evil@example.org (2 sources)"
        );
        // The text part shows the title on one line, no CR anywhere.
        assert!(!r.text.contains('\r'));
        assert!(
            r.text
                .contains("<script>alert(1)</script> Bcc: evil@example.org"),
            "{}",
            r.text
        );
        // The quote in the URL cannot break out of the attribute.
        assert!(!r.html.contains("\"><script>"), "{}", r.html);
    }

    #[test]
    fn javascript_url_is_never_linked() {
        let t = builtin();
        let r = t.render_alert(&hostile_story(), "").unwrap();
        assert!(
            !r.html.to_ascii_lowercase().contains("javascript:"),
            "{}",
            r.html
        );
        assert!(!r.text.contains("javascript:"), "{}", r.text);
        // Links that are http(s) stay.
        assert!(r.html.contains("href=\"https:"), "{}", r.html);
        // Also in a digest's source health table.
        let mut d = sample_digest();
        d.health[0].url = "javascript:alert(1)".into();
        d.topics[0].shifts[0].statement.item.url = Some("data:text/html,x".into());
        let r = t.render_digest(&d, "").unwrap();
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("data:text"), "{}", r.html);
    }

    #[test]
    fn diffs_are_highlighted() {
        let t = builtin();
        let alert = AlertView::Revision {
            topics: vec!["peace-talks".into()],
            revision: sample_revision(),
        };
        let r = t.render_alert(&alert, "[newswatch]").unwrap();
        assert!(r.html.contains("<del style="), "{}", r.html);
        assert!(r.html.contains("<ins style="), "{}", r.html);
        assert!(r.html.contains(">Monday</del>"), "{}", r.html);
        assert!(r.text.contains("[-Monday-]{+Thursday+}"), "{}", r.text);
        assert!(
            r.text.contains("Peace talks [-stall-]{+resume+}"),
            "{}",
            r.text
        );
        assert!(r.text.contains("… said on"), "{}", r.text);
        assert_eq!(
            r.subject,
            "[newswatch] peace-talks: changed (major): Peace talks resume in Istanbul"
        );
        // Markup in a diff is escaped too.
        let mut rev = sample_revision();
        rev.text_diff[3].text = "<img src=x onerror=alert(1)>".into();
        let r = t
            .render_alert(
                &AlertView::Revision {
                    topics: vec![],
                    revision: rev,
                },
                "",
            )
            .unwrap();
        assert!(!r.html.contains("<img"), "{}", r.html);
        assert!(r.html.contains("&lt;img"), "{}", r.html);
    }

    #[test]
    fn shift_shows_both_statements() {
        let t = builtin();
        let r = t
            .render_alert(
                &AlertView::Shift {
                    shift: sample_shift(),
                },
                "[newswatch]",
            )
            .unwrap();
        assert_eq!(
            r.subject,
            "[newswatch] peace-talks: Peskov shifts: \"Talks are possible.\""
        );
        let now = r
            .text
            .find("NOW (27 Nov 2026 06:00 UTC, TASS): \"Talks are possible.\"");
        let before = r
            .text
            .find("BEFORE (20 Nov 2026 10:00 UTC, TASS): \"There is nothing");
        assert!(
            now.is_some() && before.is_some() && now < before,
            "{}",
            r.text
        );
        assert!(r.html.contains("<table"), "{}", r.html);
        assert!(
            r.html.contains("There is nothing to talk about."),
            "{}",
            r.html
        );
    }

    #[test]
    fn subjects() {
        let t = builtin();
        let mut story = sample_story();
        story.sources.truncate(1);
        let one = AlertView::Story {
            topics: vec!["peace-talks".into()],
            story,
        };
        assert_eq!(
            t.render_alert(&one, "[newswatch]").unwrap().subject,
            "[newswatch] peace-talks: Peace talks resume in Istanbul"
        );
        let all = sample_alerts();
        assert_eq!(
            t.render_alert(&all[0], "[newswatch]").unwrap().subject,
            "[newswatch] peace-talks: Peace talks resume in Istanbul (2 sources)"
        );
        assert_eq!(
            t.render_alert(&all[3], "[newswatch]").unwrap().subject,
            "[newswatch] test message"
        );
        assert_eq!(t.render_alert(&all[3], "").unwrap().subject, "test message");
        let mut d = sample_digest();
        d.topics[1].stories = vec![sample_story(); 4];
        d.topics[1].revisions = vec![sample_revision()];
        assert_eq!(
            t.render_digest(&d, "[newswatch]").unwrap().subject,
            "[newswatch] morning digest: 5 stories, 2 changes, 1 shift — 27 Nov 08:00"
        );
        let empty = DigestView {
            topics: vec![TopicSection {
                name: "x".into(),
                ..TopicSection::default()
            }],
            ..sample_digest()
        };
        assert_eq!(
            t.render_digest(&empty, "").unwrap().subject,
            "morning digest: nothing new — 27 Nov 08:00"
        );
        // A long statement is cut at a word boundary.
        let mut sh = sample_shift();
        sh.statement.text = "word ".repeat(40);
        let s = t
            .render_alert(&AlertView::Shift { shift: sh }, "")
            .unwrap()
            .subject;
        assert!(s.ends_with("word…\""), "{s}");
        assert!(s.chars().count() < 100, "{s}");
    }

    #[test]
    fn safe_subject_cleans_and_caps() {
        assert_eq!(safe_subject("  a\r\nb\tc\u{2028}d\u{2029}e  "), "a b c d e");
        assert_eq!(
            safe_subject("x\u{202E}y\u{200B}z\u{0007}w\u{FEFF}v"),
            "x y z w v"
        );
        assert_eq!(safe_subject("Bcc:\n evil"), "Bcc: evil");
        let long = "ж".repeat(500);
        let s = safe_subject(&long);
        assert_eq!(s.chars().count(), SUBJECT_MAX_CHARS);
        assert!(s.ends_with('…'));
        assert_eq!(safe_subject(""), "");
        assert_eq!(safe_subject("\r\n"), "");
    }

    #[test]
    fn digest_sections() {
        let t = builtin();
        let r = t.render_digest(&sample_digest(), "[newswatch]").unwrap();
        // Topics in order; an empty one says so.
        let a = r.text.find("== peace-talks ==").unwrap();
        let b = r.text.find("== sanctions ==").unwrap();
        assert!(a < b);
        assert!(r.text[b..].contains("nothing new"), "{}", r.text);
        assert!(r.html.contains("nothing new"));
        assert!(r.html.contains(">peace-talks</h2>"), "{}", r.html);
        // Health: table in HTML, list in text, times in the digest's zone.
        assert!(r.html.contains("Source health"));
        assert!(
            r.text
                .contains(" - kyiv-independent: failing since 26 Nov 2026 22:00 EET"),
            "{}",
            r.text
        );
        assert!(
            r.html.contains("newswatch &mdash; digest morning, period"),
            "{}",
            r.html
        );
        // Each source linked under the story title.
        assert!(
            r.html.contains("href=\"https://example.org/Reuters/1\""),
            "{}",
            r.html
        );
        // No health section when all sources are fine.
        let quiet = DigestView {
            health: vec![],
            ..sample_digest()
        };
        let r = t.render_digest(&quiet, "").unwrap();
        assert!(!r.html.contains("Source health"));
        assert!(!r.text.contains("Source health"));
    }

    #[test]
    fn cyrillic_survives() {
        let t = builtin();
        let mut story = sample_story();
        story.title = "Песков: переговоры в Стамбуле возобновятся".into();
        story.items[0].summary = "Україна та Росія домовилися про обмін полоненими.".into();
        let alert = AlertView::Story {
            topics: vec!["мирні-переговори".into()],
            story,
        };
        let r = t.render_alert(&alert, "[newswatch]").unwrap();
        assert!(
            r.subject
                .contains("мирні-переговори: Песков: переговоры в Стамбуле возобновятся")
        );
        assert!(
            r.text
                .contains("Песков: переговоры в Стамбуле возобновятся")
        );
        assert!(
            r.html
                .contains("Песков: переговоры в Стамбуле возобновятся")
        );
        assert!(
            r.text
                .contains("Україна та Росія домовилися про обмін полоненими.")
        );
        assert!(
            r.html
                .contains("Україна та Росія домовилися про обмін полоненими.")
        );
    }

    #[test]
    fn override_dir_replaces_only_the_given_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("digest.txt"),
            "{# my own #}\nCUSTOM {{ digest.name }}: {{ counts.stories }} stories\n",
        )
        .unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let r = t.render_digest(&sample_digest(), "").unwrap();
        assert_eq!(r.text, "CUSTOM morning: 1 stories\n");
        // The HTML part and the alerts stay built in.
        assert!(r.html.contains("Source health"));
        let a = t.render_alert(&sample_alerts()[0], "").unwrap();
        assert!(a.text.contains("New story on peace-talks"), "{}", a.text);
    }

    #[test]
    fn override_may_bring_its_own_includes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("_sig.txt"), "-- \nsent by us\n").unwrap();
        std::fs::write(
            dir.path().join("alert.txt"),
            "Alert\n{% include \"_sig.txt\" %}",
        )
        .unwrap();
        std::fs::write(dir.path().join("README"), "not a template {{").unwrap();
        let t = Templates::load(Some(dir.path())).unwrap();
        let r = t.render_alert(&sample_alerts()[3], "").unwrap();
        assert_eq!(r.text, "Alert\n-- \nsent by us\n");
    }

    #[test]
    fn broken_override_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("alert.html");
        std::fs::write(&path, "<p>\n{% if alert.kind %}\nno endif\n").unwrap();
        let err = Templates::load(Some(dir.path())).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(&path.display().to_string()), "{msg}");
        assert!(
            matches!(err, RenderError::Template { line: Some(_), .. }),
            "{err:?}"
        );

        // Errors that only show when rendering are found at load time too.
        std::fs::write(&path, "<p>\n\n{{ alert.kind|no_such_filter }}\n").unwrap();
        let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(msg.contains(&format!("{}:3", path.display())), "{msg}");
        assert!(msg.contains("no_such_filter"), "{msg}");

        std::fs::write(&path, "<p>{{ alrt.kind }}</p>").unwrap();
        let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(msg.contains("alert.html"), "{msg}");

        // A broken shared include is named, not the template that imports it.
        std::fs::remove_file(&path).unwrap();
        let inc = dir.path().join("_macros.txt");
        std::fs::write(
            &inc,
            "{% macro item(it, tz) %}{{ it.title|nope }}{% endmacro %}",
        )
        .unwrap();
        let msg = Templates::load(Some(dir.path())).unwrap_err().to_string();
        assert!(msg.contains(&inc.display().to_string()), "{msg}");
    }

    #[test]
    fn missing_override_dir_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("nope");
        let err = Templates::load(Some(&gone)).unwrap_err();
        assert!(matches!(err, RenderError::Dir { .. }));
        assert!(err.to_string().contains("nope"), "{err}");
    }

    #[test]
    fn templates_can_be_shared_between_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<Templates>();
    }

    #[test]
    fn wrap_never_splits_words() {
        let url = format!("https://example.org/{}", "a".repeat(100));
        let s = format!("see {url} for more words here");
        let w = wrap_filter(s, Some(20), Some("  ".into()), None);
        assert!(w.lines().any(|l| l == format!("  {url}")), "{w}");
        assert!(w.lines().all(|l| l.starts_with("  ")), "{w}");
        let w = wrap_filter(
            "one two three".into(),
            Some(10),
            Some("* ".into()),
            Some("  ".into()),
        );
        assert_eq!(w, "* one two\n  three");
        assert_eq!(wrap_filter("a\n\nb".into(), None, None, None), "a\n\nb");
    }

    #[test]
    fn display_text_is_cleaned() {
        assert_eq!(
            clean_display("a\r\nb\rc\u{1b}[31md\u{202E}e\tf"),
            "a\nb\nc [31mde\tf"
        );
        assert_eq!(
            http_url(" https://example.org/a b "),
            Some("https://example.org/a%20b".into())
        );
        assert_eq!(http_url("JavaScript:alert(1)"), None);
        assert_eq!(http_url("//example.org"), None);
        assert_eq!(http_url("mailto:a@b.c"), None);
    }

    #[test]
    fn datetime_filter_formats_in_zone() {
        let v = Value::from("2026-11-27T06:00:00Z");
        assert_eq!(
            datetime_filter(v.clone(), Some("Europe/Kyiv".into())),
            "27 Nov 2026 08:00 EET"
        );
        assert_eq!(datetime_filter(v.clone(), None), "27 Nov 2026 06:00 UTC");
        assert_eq!(
            datetime_filter(v, Some("Mars/Base".into())),
            "27 Nov 2026 06:00 UTC"
        );
        assert_eq!(datetime_filter(Value::from("yesterday"), None), "yesterday");
        assert_eq!(datetime_filter(Value::from(()), None), "");
    }
}
