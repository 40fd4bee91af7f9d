//! Helpers shared by unit tests: where the shared corpus is.

use std::path::PathBuf;

/// `$NEWSWATCH_CORPUS`, else `../shared/corpus` beside the checkout. A missing
/// corpus fails the test that needs it; it is never skipped.
pub fn corpus() -> PathBuf {
    let dir = std::env::var("NEWSWATCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
        });
    assert!(
        dir.is_dir(),
        "corpus not found at {} (set NEWSWATCH_CORPUS to the corpus folder)",
        dir.display()
    );
    dir
}
