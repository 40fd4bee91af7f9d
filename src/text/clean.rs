//! Whitespace/invisible-character cleaning and search folding.
//!
//! Pure functions over `&str`; no I/O, no allocation beyond the result.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};

/// What one input character becomes during cleaning.
enum Class {
    Keep(char),
    Space,
    Newline,
    Drop,
}

/// Invisible "format" characters (Unicode general category Cf) plus a few
/// look-alikes. They are dropped because scraped full-text feeds sprinkle them
/// inside words (`feeds/reuters__scraped-fulltext-zero-width-chars-2026-04.xml`
/// has U+200B/U+2060 in the middle of names), which breaks search and diffs.
/// NFKC does not remove them (CRATES.md pitfall 8), so we must.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                      // soft hyphen
        | '\u{034F}'                    // combining grapheme joiner (default-ignorable)
        | '\u{0600}'..='\u{0605}'
        | '\u{061C}'                    // Arabic letter mark
        | '\u{06DD}' | '\u{070F}' | '\u{0890}'..='\u{0891}' | '\u{08E2}'
        | '\u{115F}' | '\u{1160}'       // Hangul fillers (default-ignorable)
        | '\u{17B4}' | '\u{17B5}'
        | '\u{180B}'..='\u{180F}'       // Mongolian variation selectors / vowel separator
        | '\u{200B}'..='\u{200F}'       // ZWSP, ZWNJ, ZWJ, LRM, RLM
        | '\u{202A}'..='\u{202E}'       // bidi embeddings/overrides
        | '\u{2060}'..='\u{2064}'       // word joiner, invisible operators
        | '\u{2066}'..='\u{206F}'       // bidi isolates, deprecated format chars
        | '\u{3164}'                    // Hangul filler
        | '\u{FE00}'..='\u{FE0F}'       // variation selectors
        | '\u{FEFF}'                    // BOM / zero-width no-break space
        | '\u{FFA0}'
        | '\u{FFF9}'..='\u{FFFB}'       // interlinear annotation
        | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}'
        | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0000}'..='\u{E0FFF}'     // tags, variation selectors supplement
    )
}

#[inline]
fn classify(c: char) -> Class {
    if c.is_ascii_graphic() {
        // The overwhelmingly common case; skip the table checks below.
        return Class::Keep(c);
    }
    match c {
        '\n' | '\r' | '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}' | '\u{2029}' => {
            Class::Newline
        }
        ' ' | '\t' => Class::Space,
        // NBSP variants and the other space separators (Zs). Meduza titles put
        // U+00A0 after short words (`feeds/meduza__…`); they must match a plain
        // space in search and not show up as a change in diffs.
        '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}' => Class::Space,
        c if c.is_control() => Class::Drop,
        c if is_format_char(c) => Class::Drop,
        c => Class::Keep(c),
    }
}

/// Before kept text: emit the one separator the skipped whitespace stands for
/// (a newline wins over a space; nothing at the start), and reset.
fn separate(out: &mut String, pending_space: &mut bool, pending_newline: &mut bool) {
    if !out.is_empty() {
        if *pending_newline {
            out.push('\n');
        } else if *pending_space {
            out.push(' ');
        }
    }
    *pending_space = false;
    *pending_newline = false;
}

/// Shared implementation: `one_line` turns newlines into spaces.
fn clean_impl(s: &str, one_line: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    let mut pending_newline = false;
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Fast path: a run of printable ASCII, with single spaces inside it,
        // is copied as one slice (most feed text is such runs).
        if bytes[i].is_ascii_graphic() {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_graphic()
                    || (bytes[i] == b' ' && bytes.get(i + 1).is_some_and(u8::is_ascii_graphic)))
            {
                i += 1;
            }
            separate(&mut out, &mut pending_space, &mut pending_newline);
            out.push_str(&s[start..i]);
            continue;
        }
        let Some(c) = s[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        match classify(c) {
            Class::Keep(c) => {
                separate(&mut out, &mut pending_space, &mut pending_newline);
                out.push(c);
            }
            Class::Space => pending_space = true,
            Class::Newline if one_line => pending_space = true,
            Class::Newline => pending_newline = true,
            Class::Drop => {}
        }
    }
    // NFC after dropping invisibles, so a combining mark separated from its
    // base by a U+200B still composes. The quick check keeps the common case
    // (already NFC, e.g. every ASCII text) free of a second pass.
    if !out.is_ascii() && is_nfc_quick(out.chars()) != IsNormalized::Yes {
        out = out.nfc().collect();
    }
    out
}

/// Cleans plain text: drops invisible format characters (U+200B, U+2060,
/// U+FEFF, soft hyphen, bidi controls…), maps NBSP-like spaces to ' ',
/// removes control characters except newlines, collapses runs of spaces to
/// one, trims every line, collapses blank lines into a single "\n", trims the
/// whole, and NFC-normalises.
pub fn clean_text(s: &str) -> String {
    clean_impl(s, false)
}

/// Like [`clean_text`] but the result is a single line (newlines become a
/// space). For titles, authors and categories.
pub fn clean_line(s: &str) -> String {
    clean_impl(s, true)
}

/// Folds text for search and matching; the SAME function must be applied to
/// indexed text and to queries.
///
/// - Unicode lower-case (aho-corasick and FTS5 only fold ASCII case).
/// - Compatibility folding (NFKD → NFC, i.e. NFKC-like): full-width letters,
///   ligatures (`ﬁ` → `fi`), superscripts become their plain forms.
/// - Combining diacritics are stripped after Latin (and other non-Cyrillic)
///   letters, so "négociations" matches "negociations" — people type English
///   queries without accents.
/// - After Cyrillic letters diacritics are KEPT, because there they make
///   different letters: Russian/Ukrainian `й` (и + breve) and Ukrainian `ї`
///   (і + diaeresis) are not spelling variants. The one exception is Russian
///   `ё` → `е`: Russian text writes `ё` optionally, so both spellings must
///   match (FTS5 does not fold it, CRATES.md pitfall 5).
/// - Apostrophe variants (’ ‘ ʼ ` ′ ＇) become `'`: Ukrainian words such as
///   "обʼєкт"/"об’єкт"/"об'єкт" are written with any of them.
///
/// Cost: ASCII is lower-cased byte by byte; only the runs of non-ASCII
/// characters go through Unicode case mapping and NFKD/NFC, one run at a
/// time. That gives the same result as folding the whole string at once,
/// because ASCII characters are starters that never reorder or compose with
/// their neighbours here (marks after Latin letters are dropped), and
/// per-character lower-casing equals whole-string lower-casing except for
/// the final sigma, which takes the whole-string path.
pub fn fold(s: &str) -> String {
    if s.contains('Σ') {
        let mut out = String::with_capacity(s.len());
        fold_lowered(&s.to_lowercase(), &mut out);
        return out;
    }
    let mut out = String::with_capacity(s.len());
    let mut lower = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        if ascii > 0 {
            let start = out.len();
            out.push_str(&rest[..ascii]);
            let folded = &mut out[start..];
            folded.make_ascii_lowercase();
            if folded.contains('`') {
                let quoted = folded.replace('`', "'");
                out.truncate(start);
                out.push_str(&quoted);
            }
            rest = &rest[ascii..];
        }
        // Plain non-ASCII characters (`fold_plain`), then a run of others.
        let mut plain = 0;
        for c in rest.chars() {
            match fold_plain(c) {
                Some(folded) => {
                    out.push(folded);
                    plain += c.len_utf8();
                }
                None => break,
            }
        }
        rest = &rest[plain..];
        let run = rest
            .char_indices()
            .find(|&(_, c)| c.is_ascii() || fold_plain(c).is_some())
            .map_or(rest.len(), |(i, _)| i);
        let (head, tail) = rest.split_at(run);
        if !head.is_empty() {
            lower.clear();
            lower.extend(head.chars().flat_map(char::to_lowercase));
            fold_lowered(&lower, &mut out);
        }
        rest = tail;
    }
    out
}

/// Common non-ASCII characters that fold to themselves (apostrophes to `'`):
/// no case, no decomposition, not combining, and nothing composes with them,
/// so like ASCII they can sit between runs (see [`fold`]).
fn fold_plain(c: char) -> Option<char> {
    match c {
        '\u{2018}' | '\u{2019}' => Some('\''),
        '\u{2013}' | '\u{2014}' | '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}'
        | '\u{00BB}' | '\u{00B0}' | '\u{2022}' | '\u{00A9}' | '\u{20AC}' | '\u{00A3}' => Some(c),
        _ => None,
    }
}

/// Fold lower-cased text (see [`fold`]) and append it to `out`.
fn fold_lowered(lower: &str, out: &mut String) {
    let start = out.len();
    // Script of the last base (non-mark) character.
    let mut base_cyrillic = false;
    let mut base_is_ie = false; // Cyrillic е, to fold ё (е + U+0308)
    for c in lower.nfkd() {
        if is_combining_mark(c) {
            if !base_cyrillic || (base_is_ie && c == '\u{0308}') {
                continue;
            }
            out.push(c);
            continue;
        }
        base_cyrillic = ('\u{0400}'..='\u{052F}').contains(&c);
        base_is_ie = c == 'е';
        let c = match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' | '`' | '\u{2032}' | '\u{FF07}' => '\'',
            c => c,
        };
        out.push(c);
    }
    if is_nfc_quick(out[start..].chars()) != IsNormalized::Yes {
        let composed: String = out[start..].nfc().collect();
        out.truncate(start);
        out.push_str(&composed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_width_inside_words_is_removed() {
        assert_eq!(clean_text("Zel\u{200B}ensky"), "Zelensky");
        assert_eq!(clean_text("Pes\u{2060}kov said"), "Peskov said");
        assert_eq!(clean_text("\u{FEFF}a\u{00AD}b\u{200C}c\u{200D}d"), "abcd");
        assert_eq!(clean_text("x\u{202E}y\u{2066}z\u{2069}"), "xyz");
    }

    #[test]
    fn nbsp_variants_become_spaces() {
        assert_eq!(clean_text("в\u{00A0}Москве"), "в Москве");
        assert_eq!(clean_text("10\u{202F}000\u{2007}km"), "10 000 km");
        assert_eq!(clean_text("a \u{00A0} \t b"), "a b");
    }

    #[test]
    fn lines_are_trimmed_and_collapsed() {
        assert_eq!(clean_text("  a  \n\n \n  b \r\n c  "), "a\nb\nc");
        assert_eq!(clean_text("\n\n"), "");
        assert_eq!(clean_text("a\u{0007}b\u{0000}c"), "abc");
        assert_eq!(clean_line(" a \n b\n\nc "), "a b c");
    }

    #[test]
    fn nfc_is_applied() {
        assert_eq!(clean_text("e\u{0301}"), "\u{00E9}");
        assert_eq!(clean_text("e\u{200B}\u{0301}"), "\u{00E9}");
    }

    #[test]
    fn fold_latin_and_cyrillic() {
        assert_eq!(fold("Négociations"), "negociations");
        assert_eq!(fold("ЁЖИК"), "ежик");
        assert_eq!(fold("Ёлка ёж"), "елка еж");
        assert_eq!(fold("Бойко й Йорк"), "бойко й йорк");
        assert_eq!(fold("Київ"), "київ");
        assert_eq!(fold("об’єкт обʼєкт об`єкт"), "об'єкт об'єкт об'єкт");
        assert_eq!(fold("ＡＢＣ ﬁnal"), "abc final");
        assert_eq!(fold("It`s"), "it's");
        assert_eq!(fold("Zürich Straße"), "zurich straße");
    }

    /// The whole-string fold as it was before folding went run by run.
    fn fold_whole(s: &str) -> String {
        let mut out = String::new();
        fold_lowered(&s.to_lowercase(), &mut out);
        out
    }

    #[test]
    fn run_by_run_fold_equals_whole_string_fold() {
        let samples = [
            "Ёлка и ЁЖ: Зеленський заявив про об’єкт, обʼєкт",
            "Négociations à Genève — “ceasefire” talks…",
            "ﬁnal ＦＵＬＬ ｗｉｄｔｈ x² İstanbul ΣΟΦΟΣ σοφος",
            "e\u{0301}\u{0323}x и\u{0306} е\u{0308} і\u{0308}",
            "\u{0301}start, end\u{0308}",
            "한국어 텍스트 and 日本語",
            "",
            "`quoted` plain ASCII",
            "«Й\u{0306}»—‘ё’ “\u{0308}” €5 £3 20° © • „Х“",
        ];
        for s in samples {
            assert_eq!(fold(s), fold_whole(s), "{s:?}");
        }
        // Every line of the project's fixture feeds and histories (English,
        // Russian, Chinese, markup, entities, invisible characters).
        let mut files = Vec::new();
        let mut dirs = vec![crate::testutil::fixture("")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        assert!(fold_matches_whole_string_fold(&files) > 500);
    }

    /// Folds every line of `files` both ways; returns how many lines.
    fn fold_matches_whole_string_fold(files: &[std::path::PathBuf]) -> usize {
        let mut checked = 0;
        for file in files {
            let bytes = std::fs::read(file).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            for line in text.lines() {
                assert_eq!(fold(line), fold_whole(line), "{}: {line:?}", file.display());
                checked += 1;
            }
        }
        checked
    }

    /// Every line of the shared corpus feeds, and of two snapshots of each
    /// feed history (English, Russian, Ukrainian, markup and entities).
    #[test]
    #[cfg_attr(
        not(corpus),
        ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
    )]
    fn run_by_run_fold_equals_whole_string_fold_on_the_corpus() {
        let corpus = crate::testutil::corpus();
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(corpus.join("feeds"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        for history in std::fs::read_dir(corpus.join("history")).unwrap() {
            let mut snapshots: Vec<_> = std::fs::read_dir(history.unwrap().path())
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            snapshots.sort();
            files.extend(snapshots.into_iter().take(2));
        }
        let checked = fold_matches_whole_string_fold(&files);
        assert!(checked > 10_000, "only {checked} lines");
    }
}
