//! Pure text utilities shared by `normalize`, `store` and `detect`.
//!
//! This module owns the meaning of "clean text" in newswatch: how HTML becomes
//! plain text, which invisible characters are dropped, how search folding works,
//! how content is hashed, and how counts, durations and dates read to people
//! (`counted`, `span`, `since`). It must never do I/O, never touch SQL or the
//! network, never depend on another module of the crate, and never panic on
//! any input (feed text is hostile: broken tags, lone `<`, unterminated
//! comments, invalid entity numbers).

mod clean;
mod html;
mod lang;
mod reasons;
mod search;
mod stem;
mod when;
mod words;
mod xml;

pub use clean::{clean_line, clean_text, fold};
pub use html::{decode_entities, html_to_text, title_to_text};
pub use lang::guess_language;
pub use reasons::{readable_reason, readable_reasons};
pub use search::{STEMS_MARK, query_stems, search_document, search_query, search_words_query};
pub use stem::{Span, StemLang, stem, with_stem, word_list, words};
pub use when::{day, since, span, span_between};
pub use xml::xml_escape;

/// `n` with the noun that agrees with it: "1 source", "3 sources", "0 sources".
pub fn counted(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// FNV-1a 64-bit hash over `parts`, each followed by a 0x1F (unit separator)
/// byte so that `["ab", "c"]` and `["a", "bc"]` differ. Returned as 16 lower-case
/// hex digits.
///
/// Hand-written rather than `std::hash::DefaultHasher` because the value is
/// stored in the database (content hashes, identity keys): it must not change
/// between Rust releases or platforms, and `DefaultHasher`'s algorithm is
/// explicitly unspecified.
pub fn stable_hash(parts: &[&str]) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = OFFSET;
    for part in parts {
        for &b in part.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(PRIME);
        }
        h ^= 0x1f;
        h = h.wrapping_mul(PRIME);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_hash_is_fixed() {
        // Pinned values: a change here would re-key every stored item.
        assert_eq!(stable_hash(&[]), "cbf29ce484222325");
        assert_eq!(stable_hash(&["a"]).len(), 16);
        assert_eq!(stable_hash(&["a"]), stable_hash(&["a"]));
        assert_ne!(stable_hash(&["ab", "c"]), stable_hash(&["a", "bc"]));
        assert_ne!(stable_hash(&["a", ""]), stable_hash(&["a"]));
        // FNV-1a of "a" then 0x1f, computed independently.
        assert_eq!(stable_hash(&["a"]), fnv_reference(b"a\x1f"));
    }

    fn fnv_reference(bytes: &[u8]) -> String {
        let mut h: u64 = 14695981039346656037;
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(1099511628211);
        }
        format!("{h:016x}")
    }
}
