//! Analysis: the words of a field with their normalised comparison keys
//! (module docs, "Analysis"), and the multiset helpers over keys.

use std::collections::HashMap;

use super::quotes::quote_spans;
use crate::detect::lexicon::cyrillic::{euphonic_base, level_spelling};
use crate::detect::lexicon::numbers::numeral;
use crate::text::{Span, clean_text, fold, words};

/// One analysed word of a field.
pub(super) struct Tok {
    /// As written (acronyms keep their final dot: "U.S.").
    pub(super) text: String,
    /// `fold`ed text, apostrophes unified.
    pub(super) folded: String,
    /// Normalised comparison key (module docs).
    pub(super) key: String,
    /// Starts with an upper-case letter.
    pub(super) cap: bool,
    /// First word of the field or after . ! ? : … or a line break.
    pub(super) sentence_start: bool,
    /// A clause boundary (punctuation, quote mark, dash) precedes the word.
    pub(super) clause_start: bool,
}

/// One analysed field: its words and quoted spans (as word index ranges).
pub(super) struct Field {
    /// The field after `clean_text`.
    pub(super) clean: String,
    pub(super) toks: Vec<Tok>,
    pub(super) quotes: Vec<std::ops::Range<usize>>,
}

impl Field {
    pub(super) fn analyse(raw: &str, ukrainian: bool) -> Field {
        let clean = clean_text(raw);
        let spans = word_spans(&clean);
        let mut toks = Vec::with_capacity(spans.len());
        let mut prev_end = 0;
        for span in &spans {
            let gap = clean.get(prev_end..span.start).unwrap_or("");
            let mut end = span.end;
            let word = &clean[span.start..span.end];
            if is_acronym(word) && clean[end..].starts_with('.') {
                end += 1;
            }
            let text = &clean[span.start..end];
            let folded = fold(word);
            toks.push(Tok {
                key: key_of(&folded, ukrainian),
                folded,
                cap: word.chars().next().is_some_and(char::is_uppercase),
                sentence_start: toks.is_empty() || gap.contains(SENTENCE_END),
                clause_start: toks.is_empty() || gap.contains(CLAUSE_BREAK),
                text: text.to_string(),
            });
            prev_end = end;
        }
        let quotes = quote_spans(&clean)
            .into_iter()
            .map(|q| {
                let from = spans.partition_point(|s| s.start < q.start);
                let to = spans.partition_point(|s| s.end <= q.end);
                from..to.max(from)
            })
            .filter(|r| !r.is_empty())
            .collect();
        Field {
            clean,
            toks,
            quotes,
        }
    }

    pub(super) fn keys(&self) -> impl Iterator<Item = &str> {
        self.toks.iter().map(|t| t.key.as_str())
    }
}

const SENTENCE_END: &[char] = &['.', '!', '?', ':', '…', '\n'];
/// Quote marks are not clause breaks: Russian quotes names mid-clause
/// ("Жена координатора «Русской общины» из Троицка утверждает").
const CLAUSE_BREAK: &[char] = &[
    '.', ',', ';', ':', '!', '?', '…', '\n', '—', '–', '(', ')', '[', ']',
];

/// Word spans of cleaned text: `text::words`, with two repairs. A word that
/// UAX #29 glued across a dot or colon ("всиновлення.Спільний" — a missing
/// space in texty.org.ua 20251215T100427Z) is split unless it is an acronym
/// ("U.S") or a number ("1.5"); and digit groups separated by one space
/// ("10 000", Russian style) are one number.
fn word_spans(clean: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (span, w) in words(clean) {
        let glued = w.contains(['.', ':']) && !is_acronym(w) && !is_numeric(w);
        if glued {
            let mut start = span.start;
            for part in w.split(['.', ':']) {
                if !part.is_empty() {
                    out.push(Span {
                        start,
                        end: start + part.len(),
                    });
                }
                start += part.len() + 1;
            }
            continue;
        }
        if let Some(last) = out.last_mut() {
            let prev = &clean[last.start..last.end];
            let group = w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit());
            let joins = is_numeric(prev)
                && prev
                    .rsplit([',', '.', ' '])
                    .next()
                    .is_some_and(|g| g.len() <= 3)
                && clean.get(last.end..span.start) == Some(" ");
            if group && joins {
                last.end = span.end;
                continue;
            }
        }
        out.push(span);
    }
    out
}

/// Single letters joined by dots: "U.S", "U.K", "J.D".
fn is_acronym(w: &str) -> bool {
    w.contains('.')
        && w.split('.').all(|p| {
            let mut c = p.chars();
            c.next().is_some_and(char::is_alphabetic) && c.next().is_none()
        })
}

/// Digits with `.`/`,`/space separators: "10,000", "1.5", "10 000".
pub(super) fn is_numeric(w: &str) -> bool {
    w.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && w.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b' '))
}

/// The comparison key of a folded word (module docs, "Analysis").
fn key_of(folded: &str, ukrainian: bool) -> String {
    if is_numeric(folded) {
        return number_key(folded);
    }
    if is_acronym(folded) {
        return folded.replace('.', "");
    }
    let mut w = folded;
    if let Some(stem) = w.strip_suffix("'s")
        && stem.chars().count() >= 2
    {
        // English possessive: "Russia’s" is the word Russia.
        w = stem;
    }
    let w: String = w.chars().filter(|&c| c != '\'').collect();
    if let Some(digits) = numeral(&w) {
        return digits.to_string();
    }
    // Ukrainian euphony (in Ukrainian text only) and Cyrillic spelling
    // variants: у/в, з/із, грати/ґрати, проект/проєкт (`lexicon::cyrillic`).
    let w = match euphonic_base(&w) {
        Some(base) if ukrainian => base,
        _ => w.as_str(),
    };
    w.chars().map(level_spelling).collect()
}

/// "10,000" / "10 000" / "10.000" → "10000"; "1,5" / "1.5" → "1.5".
fn number_key(n: &str) -> String {
    let groups: Vec<&str> = n.split(['.', ',', ' ']).filter(|g| !g.is_empty()).collect();
    match groups.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, rest @ ..] if rest.iter().all(|g| g.len() == 3) => {
            let mut s = (*first).to_string();
            rest.iter().for_each(|g| s.push_str(g));
            s
        }
        [int, frac] => format!("{int}.{frac}"),
        all => all.concat(),
    }
}

pub(super) fn counts<'a>(keys: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut m = HashMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// Takes one `key` out of the multiset; false if there was none left.
pub(super) fn take(pool: &mut HashMap<&str, usize>, key: &str) -> bool {
    match pool.get_mut(key) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}
