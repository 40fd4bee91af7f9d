//! Helpers shared by the unit and integration tests: where the shared corpus and the project's
//! own fixtures are.

use std::path::PathBuf;

/// The shared corpus found by `build.rs` (`$NEWSWATCH_CORPUS`, else
/// `../shared/corpus` beside the checkout). Tests that read it carry
/// `#[cfg_attr(not(corpus), ignore = "needs the shared corpus: …")]`; run
/// anyway without it (`--ignored`), or with a corpus that is not where the
/// build saw it, they fail here, never skip.
pub fn corpus() -> PathBuf {
    let Some(dir) = option_env!("NEWSWATCH_TEST_CORPUS") else {
        panic!(
            "this test needs the shared corpus: set NEWSWATCH_CORPUS to the corpus folder \
             (see docs/development/testing.md)"
        );
    };
    let dir = PathBuf::from(dir);
    assert!(
        dir.join("SOURCES.md").is_file(),
        "corpus not found at {} (set NEWSWATCH_CORPUS to the corpus folder)",
        dir.display()
    );
    dir
}

/// A file under `tests/fixtures/` (written for the project; see its README).
pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures")).join(rel)
}

/// One headline of the corpus's TASS 2025 dataset (`datasets/`, a JSON
/// array): title, URL, day (`2025-12-03`), and the summary when it has one.
#[derive(serde::Deserialize)]
pub struct TassHeadline {
    pub t: String,
    pub u: String,
    pub d: String,
    #[serde(default)]
    pub s: String,
}
