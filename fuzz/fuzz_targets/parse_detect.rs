//! Fuzz target: any bytes as a fetched feed document through the parse →
//! normalise → detect path, with the shipped topics and speakers. Nothing
//! may panic, whatever the input. Seeds: ../shared/corpus (see fuzz/run).
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use newswatch::detect::SourceContext;
use newswatch::model::Document;
use newswatch::pipeline::{Detection, parse_and_normalize};

fn detection() -> &'static Detection {
    static DETECTION: OnceLock<Detection> = OnceLock::new();
    DETECTION.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/newswatch.example.toml"
        );
        let config = newswatch::config::load(std::path::Path::new(path))
            .expect("the shipped example config loads");
        Detection::new(&config)
    })
}

fuzz_target!(|data: &[u8]| {
    let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a fixed time");
    for content_type in [None, Some("application/rss+xml; charset=windows-1251")] {
        let doc = Document {
            bytes: data.to_vec(),
            content_type: content_type.map(str::to_string),
            url: Some("https://fuzz.example/feed".into()),
        };
        let Ok(parsed) = parse_and_normalize(&doc, None, now) else {
            continue;
        };
        let ctx = SourceContext {
            name: "fuzz",
            tags: &[],
            statement_speaker: None,
        };
        for entry in &parsed.entries {
            let _ = detection().detector().analyse(entry, &ctx);
        }
    }
});
