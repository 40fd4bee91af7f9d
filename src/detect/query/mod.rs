//! The topic rule language (DESIGN.md, "detect" → topics): lexer, parser,
//! AST and its canonical printed form. Pure: no I/O, no allocation beyond the
//! AST, never panics on any input. `config` calls [`parse`] so that a bad
//! query is a configuration error pointing at a column; `topics` compiles the
//! AST into a matcher.
//!
//! Syntax, loosest binding first:
//!
//! - `a OR b`
//! - `a AND b`, or just `a b` (implicit AND)
//! - `a NEAR/n b` — both within `n` words, either order; operands are terms
//!   or phrases
//! - `NOT a` (also `a NOT b`, which is `a AND NOT b` by implicit AND)
//! - a term `ceasefire`, a prefix `negotiat*`, a phrase `"peace talks"`, a
//!   group `( … )`, each optionally restricted by `title:`, `text:`,
//!   `source:` or `tag:`.
//!
//! Operators are upper case; `and`, `or`, `not` are ordinary words. Terms are
//! folded with [`crate::text::fold`] (case, diacritics, ё→е), so the AST holds
//! folded words; stemming happens when `topics` compiles the rule.
//!
//! # Files
//!
//! This file holds the AST, its errors, the entry point [`parse`] and the
//! printed form; `lexer` turns the text into tokens, `parser` the tokens into
//! the AST.

mod lexer;
mod parser;

use std::fmt;

use lexer::lex;
use parser::Parser;

/// Longest NEAR distance: beyond ~50 words two terms are no longer "near"
/// in a news story, they are just in the same article (use AND).
pub const MAX_NEAR_DISTANCE: usize = 50;

/// Shortest prefix before `*`: `ne*` would match half the dictionary and
/// make a topic fire on everything.
pub const MIN_PREFIX_CHARS: usize = 3;

/// Deepest nesting of parentheses, `NOT`s and field prefixes. Keeps the
/// recursive parser (and everything that walks the AST) off the end of the
/// stack on hostile input such as ten thousand `(`.
pub const MAX_DEPTH: usize = 64;

/// Which part of a document a term must occur in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// Title or text.
    Any,
    Title,
    Text,
    /// The source's name (its words).
    Source,
    /// One of the source's tags, exactly (folded).
    Tag,
}

impl Field {
    fn from_name(name: &str) -> Option<Field> {
        match name.to_ascii_lowercase().as_str() {
            "title" => Some(Field::Title),
            "text" => Some(Field::Text),
            "source" => Some(Field::Source),
            "tag" => Some(Field::Tag),
            _ => None,
        }
    }

    /// The prefix that restricts a term to this field (`""` for `Any`).
    pub fn prefix(self) -> &'static str {
        match self {
            Field::Any => "",
            Field::Title => "title:",
            Field::Text => "text:",
            Field::Source => "source:",
            Field::Tag => "tag:",
        }
    }
}

/// A parsed topic query. Words are folded; `And`/`Or` are flattened (no
/// `And` directly inside an `And`), which keeps the printed form canonical.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// One word, matched by stem; with `prefix`, matched when a document word
    /// starts with it (no stemming).
    Term {
        field: Field,
        word: String,
        prefix: bool,
    },
    /// Consecutive words, each matched by stem.
    Phrase {
        field: Field,
        words: Vec<String>,
    },
    And(Vec<Query>),
    Or(Vec<Query>),
    Not(Box<Query>),
    /// Some occurrence of `a` and some of `b` at most `distance` words apart.
    Near {
        a: Box<Query>,
        b: Box<Query>,
        distance: usize,
    },
}

/// A query that does not parse: where (1-based column, in characters) and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    pub column: usize,
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for QueryError {}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, QueryError> {
    Err(QueryError {
        column,
        message: message.into(),
    })
}

/// Parse a topic query. Every error carries the column of the offending
/// token.
pub fn parse(query: &str) -> Result<Query, QueryError> {
    let toks = lex(query)?;
    let Some(first) = toks.first() else {
        return err(1, "empty query");
    };
    let first_col = first.col;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        first_not: None,
    };
    let q = p.or()?;
    if let Some(t) = p.toks.get(p.pos) {
        // `or()` stops only at `)` or at the end, so this is a stray `)`.
        return err(t.col, "unmatched ')'");
    }
    if !anchored(&q) {
        // Only NOT (or an OR with a NOT branch): it would match almost every
        // item, and the matcher could not index it.
        let col = p.first_not.unwrap_or(first_col);
        return err(
            col,
            "a topic must have at least one positive term (NOT alone matches everything)",
        );
    }
    Ok(q)
}

/// True when the query can only match if some positive term or phrase
/// occurs. `topics` relies on this: it evaluates a rule only for documents
/// that contain one of its positive terms.
pub fn anchored(q: &Query) -> bool {
    match q {
        Query::Term { .. } | Query::Phrase { .. } | Query::Near { .. } => true,
        Query::And(v) => v.iter().any(anchored),
        Query::Or(v) => !v.is_empty() && v.iter().all(anchored),
        Query::Not(_) => false,
    }
}

// ---------------------------------------------------------------------------
// Printed form

impl fmt::Display for Query {
    /// Canonical form with explicit operators and parentheses around every
    /// AND/OR/NEAR group; `parse` reads it back to the same AST.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Term {
                field,
                word,
                prefix,
            } => {
                write!(f, "{}{word}", field.prefix())?;
                if *prefix {
                    f.write_str("*")?;
                }
                Ok(())
            }
            Query::Phrase { field, words } => {
                write!(f, "{}\"{}\"", field.prefix(), words.join(" "))
            }
            Query::And(v) => group(f, v, " AND "),
            Query::Or(v) => group(f, v, " OR "),
            Query::Not(q) => write!(f, "NOT {q}"),
            Query::Near { a, b, distance } => write!(f, "({a} NEAR/{distance} {b})"),
        }
    }
}

fn group(f: &mut fmt::Formatter<'_>, items: &[Query], op: &str) -> fmt::Result {
    f.write_str("(")?;
    for (i, q) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(op)?;
        }
        write!(f, "{q}")?;
    }
    f.write_str(")")
}

#[cfg(test)]
mod tests;
