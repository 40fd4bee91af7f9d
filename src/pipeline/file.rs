//! `ingest`: feed files treated as documents fetched at a given time, and
//! the capped reading of files named on the command line.

use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::analyse::Detection;
use super::commit::{Committer, FetchSummary};
use super::record::{FetchRecord, Normalized, parse_and_normalize};
use crate::model::{Document, FetchStatus};
use crate::store::{DueSource, Store, StoreError};

/// Outcome of ingesting one file.
#[derive(Debug)]
pub struct IngestResult {
    pub summary: FetchSummary,
    pub error: Option<String>,
}

/// Treat a feed file as a document fetched at `at` for source `src`: one
/// transaction, a `fetches` row with a `file://` URL, no change to the poll plan.
pub fn ingest_file(
    store: &mut Store,
    committer: &mut Committer,
    detection: &Detection,
    src: &DueSource,
    path: &Path,
    at: DateTime<Utc>,
    max_body: u64,
) -> Result<IngestResult, StoreError> {
    let t0 = Instant::now();
    let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let url = format!("file://{}", abs.display());
    let mut rec = FetchRecord::new(src.id, at, url);
    match read_file_capped(path, max_body) {
        Err(e) => rec.error = Some(e),
        Ok(bytes) => {
            rec.bytes = bytes.len() as u64;
            let doc = Document {
                bytes,
                content_type: None,
                url: Some(src.url.clone()),
            };
            match parse_and_normalize(&doc, src.language.as_deref(), at) {
                Ok(Normalized { entries, note }) => {
                    rec.outcome = FetchStatus::Ok;
                    rec.entries = entries;
                    rec.error = note;
                }
                Err(e) => rec.error = Some(format!("{}: parse error: {e}", path.display())),
            }
        }
    }
    detection.analyse(&src.name, &mut rec);
    rec.duration_ms = t0.elapsed().as_millis() as u64;
    let error = rec.error.clone();
    let summary = committer.apply(store, &rec)?;
    Ok(IngestResult { summary, error })
}

/// A whole file named on the command line (`ingest`, `match`,
/// `import-opml`), at most `max` bytes (`[daemon] max_body`, the cap a
/// fetched feed has): a larger one is refused before it is read, by its
/// size when it has one, and the read itself stops one byte past the cap,
/// since a FIFO or `/dev/zero` has no size.
pub fn read_file_capped(path: &Path, max: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let shown = path.display();
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let known = file
        .metadata()
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len());
    let too_big = |size: Option<u64>| match size {
        Some(n) => {
            let (size, cap) = match (fmt_size(n), fmt_size(max)) {
                (a, b) if a == b => (format!("{n} bytes"), format!("{max} bytes")),
                pair => pair,
            };
            format!(
                "{shown} is {size}, larger than max_body ({cap}); raise [daemon] max_body to read it"
            )
        }
        None => format!(
            "{shown} holds more than max_body ({}); raise [daemon] max_body to read it",
            fmt_size(max)
        ),
    };
    if let Some(n) = known.filter(|&n| n > max) {
        return Err(too_big(Some(n)));
    }
    let mut bytes = Vec::with_capacity(known.unwrap_or(64 * 1024).min(max) as usize);
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read {shown}: {e}"))?;
    if bytes.len() as u64 > max {
        return Err(too_big(known.filter(|&n| n > max)));
    }
    Ok(bytes)
}

/// Bytes in decimal units as `max_body` is usually written: "10 MB",
/// "12.5 MB", "512 kB", "900 bytes".
fn fmt_size(n: u64) -> String {
    let unit = |value: f64, name: &str| {
        let s = format!("{value:.1}");
        format!("{} {name}", s.strip_suffix(".0").unwrap_or(&s))
    };
    if n >= 1_000_000 {
        unit(n as f64 / 1e6, "MB")
    } else if n >= 1_000 {
        unit(n as f64 / 1e3, "kB")
    } else {
        format!("{n} bytes")
    }
}

/// Read and check the user's entity list (`[daemon] entities`), at start
/// and on a reload. The error names the file, and the line when one is bad.
pub fn read_entity_list(path: &Path) -> Result<crate::detect::EntityList, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "{}: cannot read the entity list ([daemon] entities): {e}",
            path.display()
        )
    })?;
    crate::detect::EntityList::parse(&text).map_err(|(line, bad)| {
        format!(
            "{}:{line}: entity list: expected `name: variant, variant*, …`, got {bad:?}",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_over_max_body_are_refused_before_or_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.xml");
        std::fs::write(&big, vec![b'x'; 12_500_000]).unwrap();
        let e = read_file_capped(&big, 10_000_000).unwrap_err();
        assert!(
            e.ends_with("big.xml is 12.5 MB, larger than max_body (10 MB); raise [daemon] max_body to read it"),
            "{e}"
        );
        let e = read_file_capped(&big, 12_499_999).unwrap_err();
        assert!(
            e.contains("is 12500000 bytes, larger than max_body (12499999 bytes)"),
            "{e}"
        );
        assert_eq!(
            read_file_capped(&big, 12_500_000).unwrap().len(),
            12_500_000
        );
        // No size to look at: the read stops just past the cap.
        let e = read_file_capped(Path::new("/dev/zero"), 1_000_000).unwrap_err();
        assert_eq!(
            e,
            "/dev/zero holds more than max_body (1 MB); raise [daemon] max_body to read it"
        );
        let e = read_file_capped(&dir.path().join("absent"), 10).unwrap_err();
        assert!(e.starts_with("cannot read ") && e.contains("absent"), "{e}");
        assert_eq!(fmt_size(512), "512 bytes");
        assert_eq!(fmt_size(524_288), "524.3 kB");
    }
}
