//! Lexer: the query text as tokens, each with its column; terms folded and
//! split into words as documents are.

use super::{Field, MAX_NEAR_DISTANCE, MIN_PREFIX_CHARS, QueryError, err};
use crate::text::{fold, words};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    LParen,
    RParen,
    And,
    Or,
    Not,
    Near(usize),
    Field(Field),
    /// A bare term: its folded words (more than one for `3-day`, which the
    /// parser turns into a phrase, since documents split it the same way).
    Term {
        words: Vec<String>,
        prefix: bool,
    },
    Phrase(Vec<String>),
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) col: usize,
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

pub(super) fn lex(query: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut toks = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '(' => {
                toks.push(Token {
                    tok: Tok::LParen,
                    col,
                });
                i += 1;
            }
            ')' => {
                toks.push(Token {
                    tok: Tok::RParen,
                    col,
                });
                i += 1;
            }
            '"' => {
                let Some(len) = chars[i + 1..].iter().position(|&c| c == '"') else {
                    return err(col, "unterminated quote");
                };
                let inner: String = chars[i + 1..i + 1 + len].iter().collect();
                let ws = fold_words(&inner);
                if ws.is_empty() {
                    return err(col, "empty phrase");
                }
                toks.push(Token {
                    tok: Tok::Phrase(ws),
                    col,
                });
                i += len + 2;
            }
            _ => {
                let len = chars[i..]
                    .iter()
                    .position(|&c| is_delimiter(c))
                    .unwrap_or(chars.len() - i);
                let raw: String = chars[i..i + len].iter().collect();
                classify(&raw, col, &mut toks)?;
                i += len;
            }
        }
    }
    Ok(toks)
}

fn fold_words(s: &str) -> Vec<String> {
    words(&fold(s)).map(|(_, w)| w.to_string()).collect()
}

/// One run of non-delimiter characters: an operator, `field:` (possibly
/// followed by more, as in `title:truce`), or a term.
fn classify(raw: &str, col: usize, toks: &mut Vec<Token>) -> Result<(), QueryError> {
    // A loop, not recursion: `title:title:…` must not grow the stack.
    let (mut raw, mut col) = (raw, col);
    loop {
        let tok = match raw {
            "AND" => Tok::And,
            "OR" => Tok::Or,
            "NOT" => Tok::Not,
            _ if raw == "NEAR" || raw.starts_with("NEAR/") => Tok::Near(near_distance(raw, col)?),
            _ => {
                if let Some((head, rest)) = raw.split_once(':')
                    && !head.is_empty()
                    && head.chars().all(char::is_alphabetic)
                {
                    let Some(field) = Field::from_name(head) else {
                        return err(
                            col,
                            format!(
                                "unknown field '{head}:' (fields: title:, text:, source:, tag:)"
                            ),
                        );
                    };
                    toks.push(Token {
                        tok: Tok::Field(field),
                        col,
                    });
                    if rest.is_empty() {
                        return Ok(());
                    }
                    col += head.chars().count() + 1;
                    raw = rest;
                    continue;
                }
                term(raw, col)?
            }
        };
        toks.push(Token { tok, col });
        return Ok(());
    }
}

fn near_distance(raw: &str, col: usize) -> Result<usize, QueryError> {
    let msg = format!("NEAR needs a distance from 1 to {MAX_NEAR_DISTANCE} words, as in NEAR/5");
    let digits = raw.strip_prefix("NEAR/").unwrap_or("");
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 3 {
        return err(col, msg);
    }
    match digits.parse::<usize>() {
        Ok(n) if (1..=MAX_NEAR_DISTANCE).contains(&n) => Ok(n),
        _ => err(col, msg),
    }
}

fn term(raw: &str, col: usize) -> Result<Tok, QueryError> {
    let (body, prefix) = match raw.strip_suffix('*') {
        Some(body) => (body, true),
        None => (raw, false),
    };
    if let Some(at) = body.chars().position(|c| c == '*') {
        return err(col + at, "'*' is only allowed at the end of a term");
    }
    // Word boundaries keep "a:b" as one word (colon is MidLetter in UAX #29),
    // but a bare `tag:not` must read as a field; split such words so that
    // the printed form parses back to the same query.
    let ws: Vec<String> = fold_words(body)
        .iter()
        .flat_map(|w| w.split(':'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    if ws.is_empty() {
        return err(col, format!("'{raw}' has no letters or digits"));
    }
    if prefix {
        if ws.len() > 1 {
            return err(col, format!("wildcard '{raw}' must be a single word"));
        }
        if ws[0].chars().count() < MIN_PREFIX_CHARS {
            return err(
                col,
                format!(
                    "wildcard '{raw}' is too short: at least {MIN_PREFIX_CHARS} letters before '*'"
                ),
            );
        }
    }
    Ok(Tok::Term { words: ws, prefix })
}
