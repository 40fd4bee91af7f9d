//! Quoted spans: where quotes are in a field, and whether the quotes of two
//! versions say the same (`quotation changed`, `quote marks changed`).

use super::words::{Field, Tok};
use crate::text::{StemLang, stem};

/// Byte ranges of the contents of quoted spans in `s`, outermost only.
/// Openers « „ “ ‘ "; closers » “ ” ’ ". A ’ followed by a letter is an
/// apostrophe ("Russia’s"), and ‘ after a letter is not an opener.
pub(super) fn quote_spans(s: &str) -> Vec<std::ops::Range<usize>> {
    const MAX_DEPTH: usize = 16;
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut found: Vec<std::ops::Range<usize>> = Vec::new();
    let mut prev: Option<char> = None;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let after = i + c.len_utf8();
        let close = |stack: &mut Vec<(char, usize)>, found: &mut Vec<_>, openers: &[char]| {
            if let Some(pos) = stack.iter().rposition(|(o, _)| openers.contains(o)) {
                let start = stack[pos].1;
                stack.truncate(pos);
                found.push(start..i);
                true
            } else {
                false
            }
        };
        match c {
            '«' | '„' => stack.push((c, after)),
            '»' => {
                close(&mut stack, &mut found, &['«']);
            }
            // “ closes „ (German/Ukrainian style) and opens otherwise.
            '“' if !close(&mut stack, &mut found, &['„']) => stack.push((c, after)),
            '“' => {}
            '”' => {
                close(&mut stack, &mut found, &['“', '„']);
            }
            '‘' if !prev.is_some_and(char::is_alphanumeric) => stack.push((c, after)),
            '’' if !next.is_some_and(char::is_alphanumeric) => {
                close(&mut stack, &mut found, &['‘']);
            }
            '"' if !close(&mut stack, &mut found, &['"']) => stack.push((c, after)),
            _ => {}
        }
        if stack.len() > MAX_DEPTH {
            stack.remove(0);
        }
        prev = Some(c);
    }
    found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut outer: Vec<std::ops::Range<usize>> = Vec::new();
    for r in found {
        if outer.last().is_none_or(|o| r.start >= o.end) {
            outer.push(r);
        }
    }
    outer
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum QuoteChange {
    Same,
    /// Quote marks added or removed around words that stayed.
    MarksOnly,
    Changed,
}

/// Compares the quoted spans of two versions, title and text together (a
/// headline quote that the description stops repeating is still quoted:
/// Novaya Gazeta Europe 20251007T172903Z). A quote is unchanged if its
/// stemmed words are a quote of the other version, un-quoted if its words
/// still stand in the other version, changed otherwise. Short capitalised
/// spans are names, not speech (`главы "Ростеха"`, `«Шахеды»`: Svoboda
/// 20250916T093248Z, The Insider 20251126T145804Z); the names rule sees them.
pub(super) fn quote_change(old: [&Field; 2], new: [&Field; 2], doc: StemLang) -> QuoteChange {
    let old_q = quotes_of(old, doc);
    let new_q = quotes_of(new, doc);
    let old_hay = old.map(|f| f.keys().collect::<Vec<&str>>());
    let new_hay = new.map(|f| f.keys().collect::<Vec<&str>>());
    let mut result = QuoteChange::Same;
    for (side, other_q, other) in [(&old_q, &new_q, &new_hay), (&new_q, &old_q, &old_hay)] {
        for (stems, keys) in side {
            if other_q.iter().any(|(s, _)| s == stems) {
                continue;
            }
            let kept = other.iter().any(|h| contains_run(h, keys));
            if !kept {
                return QuoteChange::Changed;
            }
            result = QuoteChange::MarksOnly;
        }
    }
    result
}

/// The quotes of a version that are speech: (stems, keys) of each.
fn quotes_of(fields: [&Field; 2], doc: StemLang) -> Vec<(Vec<String>, Vec<&str>)> {
    let mut out = Vec::new();
    for f in fields {
        for r in &f.quotes {
            let toks = &f.toks[r.clone()];
            if is_name_like(toks) {
                continue;
            }
            let stems = toks
                .iter()
                .map(|t| stem(&t.key, StemLang::for_word(doc, &t.key)).into_owned())
                .collect();
            out.push((stems, toks.iter().map(|t| t.key.as_str()).collect()));
        }
    }
    out
}

/// At most three words, the first capitalised or a number: a name in quotes
/// (organisation, film, nickname), the way Russian style quotes names.
fn is_name_like(toks: &[Tok]) -> bool {
    toks.len() <= 3
        && toks
            .first()
            .is_some_and(|t| t.cap || t.key.starts_with(|c: char| c.is_ascii_digit()))
}

/// Every quote glyph and apostrophe as `"`.
pub(super) fn unify_quotes(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '‘' | '’' | '‚' | '‛' | '“' | '”' | '„' | '‟' | '«' | '»' | '‹' | '›' | '\'' | '`'
            | '´' | 'ʼ' | '′' | '″' | '＂' | '＇' => '"',
            c => c,
        })
        .collect()
}

/// `needle` occurs contiguously in `hay`.
fn contains_run(hay: &[&str], needle: &[&str]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_spans_handle_apostrophes_and_nesting() {
        let s = "Russia’s ‘utter cynicism’ and Stones’ «a „b“ c» \"d\" “e” „f“ ‘open";
        let got: Vec<&str> = quote_spans(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(got, ["utter cynicism", "a „b“ c", "d", "e", "f"]);
    }
}
