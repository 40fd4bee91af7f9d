//! Quote marks: the top-level quotations of a text, line by line.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mark {
    Guillemet,
    Curly,
    Low,
    Straight,
    CurlySingle,
    StraightSingle,
}

/// Every character `line_quotes` acts on.
static QUOTE_MARKS: LazyLock<AhoCorasick> = LazyLock::new(|| {
    // Leftmost-first (the marks never overlap, so the matches are the
    // same) lets aho-corasick use its SIMD searcher instead of a DFA.
    AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostFirst)
        .build(["«", "»", "“", "”", "„", "\"", "‘", "’", "'"])
        .expect("nine short literal patterns always build")
});

/// A top-level quotation: byte offsets of the opening mark, the inner text
/// and the end of the closing mark.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct QSpan {
    pub(super) open: usize,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) close: usize,
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(char::is_alphanumeric)
}

/// Top-level quotes of one line. Marks: «…» (nested «» counted), “…”, „…“
/// or „…”, "…", and ‘…’ / '…' only when the opening mark starts a word and
/// the closing one ends it (so apostrophes in Ukraine’s, don't, п'ять are not
/// quotes). An opening mark of the same kind seen inside an open quote means
/// the earlier one was never closed (multi-paragraph quotes in the Kyiv
/// Independent close only at the end): it ends there and a new one begins.
fn line_quotes(line: &str, base: usize, out: &mut Vec<QSpan>) {
    let mut open: Option<(Mark, usize, usize, usize)> = None; // kind, open, start, depth
    // Only quotation marks move the state below, so only they are visited
    // (found by a SIMD search; decoding every character of every line was
    // 3% of a cold poll's instructions, most lines having an apostrophe).
    for m in QUOTE_MARKS.find_iter(line) {
        let (i, end) = (m.start(), m.end());
        let Some(c) = line[i..end].chars().next() else {
            continue;
        };
        let prev = line[..i].chars().next_back();
        let next = line[end..].chars().next();
        let starts_word = !is_word_char(prev) && next.is_some_and(|x| !x.is_whitespace());
        let ends_word = prev.is_some_and(|p| !p.is_whitespace()) && !is_word_char(next);
        match open {
            None => {
                let kind = match c {
                    '«' => Some(Mark::Guillemet),
                    '“' => Some(Mark::Curly),
                    '„' => Some(Mark::Low),
                    '"' => Some(Mark::Straight),
                    '‘' if starts_word => Some(Mark::CurlySingle),
                    '\'' if starts_word && is_word_char(next) => Some(Mark::StraightSingle),
                    _ => None,
                };
                if let Some(k) = kind {
                    open = Some((k, i, end, 1));
                }
            }
            Some((kind, o, s, depth)) => {
                let mut push = |e: usize, close: usize| {
                    out.push(QSpan {
                        open: base + o,
                        start: base + s,
                        end: base + e,
                        close: base + close,
                    })
                };
                match (kind, c) {
                    (Mark::Guillemet, '«') => open = Some((kind, o, s, depth + 1)),
                    (Mark::Guillemet, '»') if depth > 1 => open = Some((kind, o, s, depth - 1)),
                    (Mark::Guillemet, '»') | (Mark::Curly, '”') | (Mark::Low, '“' | '”') => {
                        push(i, end);
                        open = None;
                    }
                    // ’ inside a word (Ukraine’s) is an apostrophe.
                    (Mark::CurlySingle, '’') if ends_word => {
                        push(i, end);
                        open = None;
                    }
                    (Mark::Straight, '"') => {
                        // `soldiers. "The` — looks like an opening: the
                        // earlier quote ran on without a closing mark.
                        if prev.is_some_and(char::is_whitespace) && is_word_char(next) {
                            push(i, i);
                            open = Some((kind, i, end, 1));
                        } else {
                            push(i, end);
                            open = None;
                        }
                    }
                    (Mark::Curly, '“') => {
                        push(i, i);
                        open = Some((kind, i, end, 1));
                    }
                    (Mark::StraightSingle, '\'') if ends_word => {
                        push(i, end);
                        open = None;
                    }
                    _ => {}
                }
            }
        }
    }
    // An unclosed single quote was probably an apostrophe; an unclosed double
    // quote runs to the end of the paragraph (the multi-paragraph convention).
    if let Some((kind, o, s, _)) = open
        && matches!(
            kind,
            Mark::Curly | Mark::Straight | Mark::Guillemet | Mark::Low
        )
    {
        out.push(QSpan {
            open: base + o,
            start: base + s,
            end: base + line.len(),
            close: base + line.len(),
        });
    }
}

pub(super) fn find_quotes(text: &str) -> Vec<QSpan> {
    let mut out = Vec::new();
    let mut base = 0;
    for line in text.split('\n') {
        line_quotes(line, base, &mut out);
        base += line.len() + 1;
    }
    out.retain(|q| !text[q.start..q.end].trim().is_empty());
    out
}
