//! Build script: finds the shared test corpus for the tests, nothing else.
//!
//! The corpus (third-party feed files, histories and data sets; never copied
//! into this repository) is `$NEWSWATCH_CORPUS`, else `../shared/corpus`
//! beside the checkout. When there is one, the tests are built with
//! `--cfg corpus` and its absolute path in `NEWSWATCH_TEST_CORPUS`; the
//! tests that measure over the whole corpus run only then, and `cargo test`
//! lists them as ignored otherwise (docs/development/testing.md). Nothing in
//! the program itself depends on this.

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rustc-check-cfg=cfg(corpus)");
    println!("cargo::rerun-if-changed=build.rs");
    // Setting, changing or unsetting the variable runs this script again.
    println!("cargo::rerun-if-env-changed=NEWSWATCH_CORPUS");

    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let (dir, asked) = match std::env::var_os("NEWSWATCH_CORPUS").filter(|v| !v.is_empty()) {
        // Relative to the package root, where cargo runs this script and the tests.
        Some(v) => (manifest_dir.join(v), true),
        None => (manifest_dir.join("../shared/corpus"), false),
    };
    let marker = dir.join("SOURCES.md");
    let found = marker.is_file();
    if found {
        // A corpus moved away or replaced is noticed. (When there is none,
        // nothing is watched: a missing path would run this script, and
        // rebuild the crate, at every build. A corpus put at
        // ../shared/corpus later is seen once NEWSWATCH_CORPUS is set or
        // this script runs again.)
        println!("cargo::rerun-if-changed={}", marker.display());
    } else if asked {
        // Asked for explicitly: the corpus tests are built and will fail,
        // saying where they looked, rather than be quietly left out.
        println!(
            "cargo::warning=NEWSWATCH_CORPUS={}: no SOURCES.md there; the corpus tests will fail",
            dir.display()
        );
    }
    if found || asked {
        println!("cargo::rustc-cfg=corpus");
        println!(
            "cargo::rustc-env=NEWSWATCH_TEST_CORPUS={}",
            absolute(&dir).display()
        );
    }
}

/// `dir` without `..` steps when it exists (for readable test messages).
fn absolute(dir: &Path) -> PathBuf {
    dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf())
}
