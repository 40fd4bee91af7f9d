//! The shipped config files load, and the example documents every key the
//! loader accepts (so a new key cannot ship undocumented).

use std::path::{Path, PathBuf};

use newswatch::config::{self, SourceKind};

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("config")
        .join(name)
}

/// Does some line, with any leading `#` and spaces removed, assign `key`?
fn mentions_key(text: &str, key: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start().trim_start_matches('#').trim_start();
        line.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    })
}

#[test]
fn shipped_default_config_loads() {
    let path = shipped("newswatch.toml");
    let c = config::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        c.daemon.database,
        shipped("../newswatch.db"),
        "relative to config/, i.e. the checkout's top folder"
    );
    assert!(
        (6..=10).contains(&c.sources.len()),
        "{} sources",
        c.sources.len()
    );
    for s in &c.sources {
        assert_eq!(s.url.scheme(), "https", "{}", s.name);
        assert!(s.enabled && s.kind == SourceKind::News, "{}", s.name);
        assert!(s.language.is_some() && !s.tags.is_empty(), "{}", s.name);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(mentions_key(&text, "include"));
    assert!(!text.contains("[email]") && !text.contains("password"));
}

#[test]
fn example_config_loads() {
    let c = config::load(&shipped("newswatch.example.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(!c.sources.is_empty());
    assert_eq!(c.daemon.database, shipped("newswatch.db"));
}

#[test]
fn example_documents_every_key() {
    let text = std::fs::read_to_string(shipped("newswatch.example.toml")).unwrap();
    for table in ["[daemon]", "[[source]]", "[[topic]]", "[[speaker]]"] {
        assert!(text.contains(table), "example lacks {table}");
    }
    let groups = [
        ("daemon", config::DAEMON_KEYS),
        ("source", config::SOURCE_KEYS),
        ("topic", config::TOPIC_KEYS),
        ("speaker", config::SPEAKER_KEYS),
    ];
    for (table, keys) in groups {
        for key in keys {
            assert!(
                mentions_key(&text, key),
                "example does not document {table}.{key}"
            );
        }
    }
    assert!(
        text.contains("[email]") && text.contains("[[digest]]"),
        "note on alerting"
    );
}
