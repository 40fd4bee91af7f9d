//! Test helpers: an HTTP server we fully control (slow, huge, gzip, 304…),
//! a per-test environment running the real binary, and corpus paths.

pub mod env;
pub mod http;
pub mod smtp;

use std::path::PathBuf;

/// The shared corpus (`../shared/corpus`, or `$NEWSWATCH_CORPUS`). Missing
/// corpus is a test failure, never a skip.
pub fn corpus() -> PathBuf {
    let dir = std::env::var_os("NEWSWATCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")));
    assert!(
        dir.join("SOURCES.md").exists(),
        "corpus not found at {} (set NEWSWATCH_CORPUS)",
        dir.display()
    );
    dir
}

/// A small RSS 2.0 document from (guid, title, description) triples.
pub fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Test feed</title><link>https://news.example/</link><description>test</description>\n",
    );
    for (i, (guid, title, desc)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item><guid isPermaLink=\"false\">{guid}</guid><title>{title}</title><link>https://news.example/story/{guid}?utm_source=rss</link><description><![CDATA[{desc}]]></description><pubDate>Mon, 04 May 2026 {:02}:00:00 +0000</pubDate></item>\n",
            10 + i % 10
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// A started `newswatch run`, killed when dropped if still running, so a
/// failing assertion never leaves a daemon behind.
pub struct Running(pub std::process::Child);

impl std::ops::Deref for Running {
    type Target = std::process::Child;
    fn deref(&self) -> &std::process::Child {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut std::process::Child {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(None) = self.0.try_wait() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
