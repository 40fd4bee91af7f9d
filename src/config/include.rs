//! `include = ["topics/*.toml"]`: expanding the globs and reading the files.
//!
//! Owns the only file reads of config loading besides the main file: glob
//! patterns resolve against the including file's folder, matches are sorted
//! per pattern, a pattern matching nothing is fine. Must never interpret the
//! included files' contents (that is `raw.rs` + `validate.rs`).

use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::raw::SpStr;
use super::validate::Ctx;

/// Files named by `patterns` (written in `cx.file`), in pattern order, each
/// pattern's matches sorted, duplicates and the main file itself dropped.
pub(crate) fn expand(cx: &Ctx, patterns: &[(&str, &SpStr)]) -> Result<Vec<PathBuf>, ConfigError> {
    let base = super::config_dir(cx.file);
    let main = std::fs::canonicalize(cx.file).ok();
    let mut seen = Vec::new();
    let mut files = Vec::new();
    for (key, pattern) in patterns {
        let text = pattern.get_ref().trim();
        if text.is_empty() {
            return Err(cx.err(pattern.span(), key, "empty include pattern"));
        }
        let full = if Path::new(text).is_absolute() || base.as_os_str().is_empty() {
            text.to_string()
        } else {
            let Some(base) = base.to_str() else {
                return Err(cx.err(
                    pattern.span(),
                    key,
                    format!("the config folder {} is not valid UTF-8", base.display()),
                ));
            };
            format!("{}/{text}", glob::Pattern::escape(base))
        };
        let paths = glob::glob(&full).map_err(|e| {
            cx.err(
                pattern.span(),
                key,
                format!("invalid pattern {text:?}: {e}"),
            )
        })?;
        let mut matched = Vec::new();
        for entry in paths {
            let path = entry.map_err(|e| {
                ConfigError::file(
                    e.path(),
                    format!("cannot read (included by {text:?}): {}", e.error()),
                )
            })?;
            if path.is_file() {
                matched.push(path);
            }
        }
        matched.sort();
        for path in matched {
            let canonical = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if Some(&canonical) == main.as_ref() || seen.contains(&canonical) {
                continue;
            }
            seen.push(canonical);
            files.push(path);
        }
    }
    Ok(files)
}

/// Read one included file as UTF-8 text.
pub(crate) fn read(path: &Path, included_from: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|e| {
        ConfigError::file(
            path,
            format!(
                "cannot read included file (from {}): {e}",
                included_from.display()
            ),
        )
    })
}
