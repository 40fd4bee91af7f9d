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
//!
//! Files: this one loads and runs the templates; `subject` builds the
//! subjects, `clean` turns a view into cleaned template data, `filters` holds
//! the HTML formatter and the template filters, `samples` the sample data
//! every template is test-rendered with when loaded.

mod clean;
mod filters;
mod samples;
mod subject;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior, context};

use crate::notify::content::{AlertView, DigestView, Rendered};
use clean::{context_value, one_line};
use filters::{datetime_filter, html_formatter, tidy_text, wrap_filter};
use samples::{sample_alerts, sample_digest};
pub use subject::safe_subject;
use subject::{Counts, alert_subject, digest_subject, prefixed};

/// The built-in templates: (name, source). A file of the same name in the
/// override folder replaces one.
const BUILTIN: &[(&str, &str)] = &[
    ("alert.txt", include_str!("../../../templates/alert.txt")),
    ("alert.html", include_str!("../../../templates/alert.html")),
    ("digest.txt", include_str!("../../../templates/digest.txt")),
    (
        "digest.html",
        include_str!("../../../templates/digest.html"),
    ),
    (
        "_macros.txt",
        include_str!("../../../templates/_macros.txt"),
    ),
    (
        "_macros.html",
        include_str!("../../../templates/_macros.html"),
    ),
];

/// Longest subject, in characters (RFC 5322 recommends lines under 78; a
/// subject is folded by the mailer, but mail clients cut long ones anyway).
pub const SUBJECT_MAX_CHARS: usize = 200;

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

#[cfg(test)]
mod tests;
