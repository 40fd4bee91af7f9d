//! Fuzz target: any text as the config file. Whatever the text, `load_str`
//! returns a config or a `ConfigError` (the CLI prints it and exits 2);
//! nothing may panic. Seeds: the shipped configs (fuzz/run). The path does
//! not exist, so relative includes fail as "cannot read"; absolute ones are
//! read, never written.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("/nonexistent/newswatch-fuzz/newswatch.toml");
    if let Err(e) = newswatch::config::load_str(text, path) {
        // The message a person reads must name something.
        assert!(!e.to_string().trim().is_empty());
    }
});
