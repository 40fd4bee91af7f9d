//! Sentences: where a text splits, quotes and abbreviations considered.

use super::quotes::QSpan;
use crate::detect::lexicon::names::ABBREVIATIONS;
use crate::text::fold;

/// Sentence byte ranges of `text`: split after . ! ? … when the next word
/// starts with a capital letter, an opening quote or a dash, never inside a
/// quote, never after an abbreviation or an initial; also right after a
/// closing quote whose inside ends a sentence (`“We will respond.” Peskov…`);
/// every line break ends a sentence.
pub(super) fn sentences(text: &str, quotes: &[QSpan]) -> Vec<(usize, usize)> {
    let starts_sentence = |from: usize| {
        let rest = text.get(from..).unwrap_or("");
        let trimmed = rest.trim_start_matches(' ');
        trimmed.len() < rest.len()
            && trimmed
                .chars()
                .next()
                .is_some_and(|x| x.is_uppercase() || matches!(x, '«' | '“' | '„' | '"' | '—' | '–'))
    };
    let mut cuts: Vec<usize> = Vec::new();
    let mut qi = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut n = 0;
    while n < chars.len() {
        let (i, c) = chars[n];
        while qi < quotes.len() && quotes[qi].close <= i {
            qi += 1;
        }
        let inside = quotes.get(qi).is_some_and(|q| i >= q.open && i < q.close);
        if c == '\n' {
            cuts.push(i);
        } else if matches!(c, '.' | '!' | '?' | '…') && !inside {
            // Closing marks right after the stop belong to this sentence.
            let mut m = n + 1;
            while m < chars.len() && matches!(chars[m].1, '»' | '”' | '“' | '"' | '’' | ')')
            {
                m += 1;
            }
            let end = chars.get(m).map_or(text.len(), |x| x.0);
            if starts_sentence(end) && !(c == '.' && is_abbreviation(&text[..i])) {
                cuts.push(end);
                n = m;
                continue;
            }
        }
        n += 1;
    }
    for q in quotes {
        let inner = text[q.start..q.end].trim_end();
        if q.close > q.end && inner.ends_with(['.', '!', '?', '…']) && starts_sentence(q.close) {
            cuts.push(q.close);
        }
    }
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts {
        if cut > start {
            out.push((start, cut));
        }
        start = cut.max(start);
    }
    out.push((start, text.len()));
    out.retain(|&(s, e)| !text[s..e].trim().is_empty());
    out
}

fn is_abbreviation(before: &str) -> bool {
    let last = before
        .rsplit(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    let w = fold(last);
    w.chars().count() == 1 || w.contains('.') || ABBREVIATIONS.contains(&w.as_str())
}
