//! Fuzz target: any text as an OPML file for `sources import-opml`. Nothing
//! may panic, and what is imported survives a round trip: exporting the
//! feeds with `write_opml` and importing that file gives the same feeds
//! (export groups them by folder, so order is compared sorted). Seeds: the
//! OPML files of the shared corpus (fuzz/run).
#![no_main]

use libfuzzer_sys::fuzz_target;
use newswatch::opml::{OpmlFeed, parse_opml, write_opml};

fn sorted(mut feeds: Vec<OpmlFeed>) -> Vec<OpmlFeed> {
    feeds.sort_by(|a, b| (&a.category, &a.url, &a.title).cmp(&(&b.category, &b.url, &b.title)));
    feeds
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(feeds) = parse_opml(text) else {
        return;
    };
    let exported = write_opml("fuzz", &feeds);
    let again = parse_opml(&exported).expect("an exported OPML file imports");
    assert_eq!(sorted(again), sorted(feeds));
});
