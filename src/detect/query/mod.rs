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

use std::fmt;

use crate::text::{fold, words};

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
// Lexer

#[derive(Clone, Debug, PartialEq)]
enum Tok {
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
struct Token {
    tok: Tok,
    col: usize,
}

fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

fn lex(query: &str) -> Result<Vec<Token>, QueryError> {
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

// ---------------------------------------------------------------------------
// Parser: recursive descent, one function per precedence level.

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    /// Column of the first `NOT`, for the "only NOT" error.
    first_not: Option<usize>,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn starts_operand(&self) -> bool {
        matches!(
            self.peek(),
            Some(Tok::Term { .. } | Tok::Phrase(_) | Tok::LParen | Tok::Not | Tok::Field(_))
        )
    }

    /// Consume an operator at `col` and check that an operand follows.
    fn operator(&mut self, name: &str, col: usize) -> Result<(), QueryError> {
        self.pos += 1;
        if self.starts_operand() {
            Ok(())
        } else {
            err(col, format!("{name} needs a term on its right"))
        }
    }

    fn enter(&mut self, col: usize) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return err(col, format!("nested deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Query, QueryError> {
        let mut items = vec![self.and()?];
        while let Some(t) = self.toks.get(self.pos) {
            if t.tok != Tok::Or {
                break;
            }
            let col = t.col;
            self.operator("OR", col)?;
            items.push(self.and()?);
        }
        Ok(flatten(items, false))
    }

    fn and(&mut self) -> Result<Query, QueryError> {
        let mut items = vec![self.near()?];
        loop {
            match self.toks.get(self.pos) {
                Some(t) if t.tok == Tok::And => {
                    let col = t.col;
                    self.operator("AND", col)?;
                }
                Some(_) if self.starts_operand() => {}
                _ => break,
            }
            items.push(self.near()?);
        }
        Ok(flatten(items, true))
    }

    fn near(&mut self) -> Result<Query, QueryError> {
        let mut left = self.unary()?;
        while let Some(Token {
            tok: Tok::Near(distance),
            col,
        }) = self.toks.get(self.pos).cloned()
        {
            self.operator(&format!("NEAR/{distance}"), col)?;
            let right = self.unary()?;
            let leaf = |q: &Query| matches!(q, Query::Term { .. } | Query::Phrase { .. });
            if !leaf(&left) || !leaf(&right) {
                return err(
                    col,
                    format!("NEAR/{distance} joins two terms or phrases, not groups, NOT or NEAR"),
                );
            }
            left = Query::Near {
                a: Box::new(left),
                b: Box::new(right),
                distance,
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Query, QueryError> {
        match self.toks.get(self.pos) {
            Some(t) if t.tok == Tok::Not => {
                let col = t.col;
                self.first_not.get_or_insert(col);
                self.operator("NOT", col)?;
                self.enter(col)?;
                let inner = self.unary()?;
                self.depth -= 1;
                Ok(Query::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Query, QueryError> {
        let Some(Token { tok, col }) = self.toks.get(self.pos).cloned() else {
            // Unreachable in practice: every operator checks for a right operand.
            let col = self.toks.last().map_or(1, |t| t.col);
            return err(col, "expected a term");
        };
        self.pos += 1;
        match tok {
            Tok::Term { mut words, prefix } => Ok(if words.len() == 1 {
                Query::Term {
                    field: Field::Any,
                    word: words.pop().unwrap_or_default(),
                    prefix,
                }
            } else {
                Query::Phrase {
                    field: Field::Any,
                    words,
                }
            }),
            Tok::Phrase(words) => Ok(Query::Phrase {
                field: Field::Any,
                words,
            }),
            Tok::Field(field) => {
                if !matches!(
                    self.peek(),
                    Some(Tok::Term { .. } | Tok::Phrase(_) | Tok::LParen | Tok::Field(_))
                ) {
                    return err(
                        col,
                        format!(
                            "{} must be followed by a term, a phrase or a group in parentheses",
                            field.prefix()
                        ),
                    );
                }
                self.enter(col)?;
                let mut inner = self.primary()?;
                self.depth -= 1;
                restrict(&mut inner, field);
                Ok(inner)
            }
            Tok::LParen => {
                match self.peek() {
                    None => return err(col, "unclosed '('"),
                    Some(Tok::RParen) => return err(col, "empty parentheses"),
                    _ => {}
                }
                self.enter(col)?;
                let inner = self.or()?;
                self.depth -= 1;
                if self.peek() != Some(&Tok::RParen) {
                    return err(col, "unclosed '('");
                }
                self.pos += 1;
                Ok(inner)
            }
            Tok::RParen => err(col, "unmatched ')'"),
            Tok::And => err(col, "AND needs a term on its left"),
            Tok::Or => err(col, "OR needs a term on its left"),
            Tok::Near(n) => err(col, format!("NEAR/{n} needs a term on its left")),
            // `unary` consumes NOT before `primary` sees it.
            Tok::Not => err(col, "NOT cannot follow a field restriction; put it outside"),
        }
    }
}

/// Apply a field restriction to every leaf that has none yet (the innermost
/// restriction wins: `title:(a OR text:b)` keeps `text:b`).
fn restrict(q: &mut Query, to: Field) {
    match q {
        Query::Term { field, .. } | Query::Phrase { field, .. } => {
            if *field == Field::Any {
                *field = to;
            }
        }
        Query::And(v) | Query::Or(v) => v.iter_mut().for_each(|q| restrict(q, to)),
        Query::Not(q) => restrict(q, to),
        Query::Near { a, b, .. } => {
            restrict(a, to);
            restrict(b, to);
        }
    }
}

/// One item stays itself; nested groups of the same operator are merged so
/// that `(a AND b) AND c` and `a AND b AND c` have one AST and one printed
/// form.
fn flatten(items: Vec<Query>, and: bool) -> Query {
    if items.len() == 1 {
        return items.into_iter().next().unwrap_or(Query::And(Vec::new()));
    }
    let mut out = Vec::with_capacity(items.len());
    for q in items {
        match (q, and) {
            (Query::And(v), true) | (Query::Or(v), false) => out.extend(v),
            (q, _) => out.push(q),
        }
    }
    if and { Query::And(out) } else { Query::Or(out) }
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
mod tests {
    use super::*;

    fn term(word: &str) -> Query {
        Query::Term {
            field: Field::Any,
            word: word.into(),
            prefix: false,
        }
    }

    #[test]
    fn parses_to_canonical_form() {
        let cases: &[(&str, &str, &str)] = &[
            ("single term", "Ceasefire", "ceasefire"),
            ("prefix", "negotiat*", "negotiat*"),
            ("phrase", "\"Peace  Talks\"", "\"peace talks\""),
            ("implicit AND", "peace talks", "(peace AND talks)"),
            ("explicit AND", "peace AND talks", "(peace AND talks)"),
            (
                "lowercase operators are words",
                "war and peace",
                "(war AND and AND peace)",
            ),
            (
                "AND binds tighter than OR",
                "a OR b AND c OR d",
                "(a OR (b AND c) OR d)",
            ),
            (
                "implicit AND binds tighter than OR",
                "a b OR c",
                "((a AND b) OR c)",
            ),
            ("NOT binds tightest", "NOT a b", "(NOT a AND b)"),
            (
                "a NOT b is a AND NOT b",
                "truce NOT gaza",
                "(truce AND NOT gaza)",
            ),
            (
                "NEAR binds tighter than AND",
                "x truce NEAR/5 violat*",
                "(x AND (truce NEAR/5 violat*))",
            ),
            (
                "NEAR with phrase",
                "\"peace plan\" NEAR/3 trump",
                "(\"peace plan\" NEAR/3 trump)",
            ),
            ("parentheses", "(a OR b) c", "((a OR b) AND c)"),
            (
                "nested groups flatten",
                "(a OR (b OR c)) AND (d AND e)",
                "((a OR b OR c) AND d AND e)",
            ),
            ("redundant parentheses", "((a))", "a"),
            ("field on term", "title:Truce", "title:truce"),
            (
                "field on phrase",
                "text:\"peace talks\"",
                "text:\"peace talks\"",
            ),
            (
                "field on group",
                "source:(tass OR ria)",
                "(source:tass OR source:ria)",
            ),
            (
                "innermost field wins",
                "title:(a OR text:b)",
                "(title:a OR text:b)",
            ),
            ("field name any case", "Title:a", "title:a"),
            ("tag", "tag:ukraine", "tag:ukraine"),
            (
                "hyphenated term is a phrase",
                "3-day truce",
                "(\"3 day\" AND truce)",
            ),
            (
                "Cyrillic folded",
                "ПЕРЕГОВОРЫ Путём",
                "(переговоры AND путем)",
            ),
            ("diacritics folded", "Erdoğan", "erdogan"),
            ("colon not after a word is a term", "12:30", "\"12 30\""),
            (
                "the DESIGN example",
                "(\"peace talks\" OR ceasefire OR negotiat*) AND (Russia OR Ukraine)",
                "((\"peace talks\" OR ceasefire OR negotiat*) AND (russia OR ukraine))",
            ),
        ];
        for (name, input, want) in cases {
            let q = parse(input).unwrap_or_else(|e| panic!("{name}: {input:?}: {e}"));
            assert_eq!(q.to_string(), *want, "{name}: {input:?}");
        }
    }

    #[test]
    fn ast_shape() {
        assert_eq!(
            parse("a NOT b").unwrap(),
            Query::And(vec![term("a"), Query::Not(Box::new(term("b")))])
        );
        assert_eq!(
            parse("title:\"peace plan\"").unwrap(),
            Query::Phrase {
                field: Field::Title,
                words: vec!["peace".into(), "plan".into()]
            }
        );
        assert_eq!(
            parse("truce NEAR/5 violat*").unwrap(),
            Query::Near {
                a: Box::new(term("truce")),
                b: Box::new(Query::Term {
                    field: Field::Any,
                    word: "violat".into(),
                    prefix: true
                }),
                distance: 5
            }
        );
    }

    #[test]
    fn errors_point_at_the_column() {
        let cases: &[(&str, &str, usize, &str)] = &[
            ("empty", "", 1, "empty query"),
            ("only spaces", "   ", 1, "empty query"),
            ("unclosed paren", "a AND (b OR c", 7, "unclosed '('"),
            ("unmatched paren", "a OR b)", 7, "unmatched ')'"),
            ("empty parens", "a ()", 3, "empty parentheses"),
            (
                "unterminated quote",
                "a \"peace talks",
                3,
                "unterminated quote",
            ),
            ("empty phrase", "a \" \"", 3, "empty phrase"),
            ("AND alone", "AND", 1, "AND needs a term on its left"),
            ("AND first", "AND a", 1, "AND needs a term on its left"),
            ("OR at end", "a OR", 3, "OR needs a term on its right"),
            (
                "OR then AND",
                "a OR AND b",
                3,
                "OR needs a term on its right",
            ),
            ("NOT at end", "a NOT", 3, "NOT needs a term on its right"),
            (
                "NEAR without distance",
                "a NEAR b",
                3,
                "NEAR needs a distance",
            ),
            ("NEAR/x", "a NEAR/x b", 3, "NEAR needs a distance"),
            ("NEAR/0", "a NEAR/0 b", 3, "NEAR needs a distance"),
            ("NEAR over 50", "a NEAR/51 b", 3, "NEAR needs a distance"),
            (
                "NEAR huge",
                "a NEAR/99999999999999999999 b",
                3,
                "NEAR needs a distance",
            ),
            (
                "NEAR of a group",
                "(a OR b) NEAR/3 c",
                10,
                "NEAR/3 joins two terms",
            ),
            ("NEAR of NOT", "a NEAR/3 NOT c", 3, "NEAR/3 joins two terms"),
            (
                "NEAR chained",
                "a NEAR/3 b NEAR/2 c",
                12,
                "NEAR/2 joins two terms",
            ),
            (
                "NEAR at end",
                "a NEAR/3",
                3,
                "NEAR/3 needs a term on its right",
            ),
            (
                "unknown field",
                "peace autor:x",
                7,
                "unknown field 'autor:'",
            ),
            (
                "field without operand",
                "a title:",
                3,
                "title: must be followed",
            ),
            (
                "field before NOT",
                "title:NOT a",
                1,
                "title: must be followed",
            ),
            ("only NOT", "NOT gaza", 1, "at least one positive term"),
            (
                "NOT of a group",
                "  NOT (a OR b)",
                3,
                "at least one positive term",
            ),
            (
                "OR with a NOT branch",
                "a OR NOT b",
                6,
                "at least one positive term",
            ),
            ("short wildcard", "peace ne*", 7, "too short"),
            ("wildcard alone", "*", 1, "no letters or digits"),
            ("inner wildcard", "ne*go", 3, "only allowed at the end"),
            ("wildcard over two words", "peace-tal*", 1, "single word"),
            ("punctuation only", "a & b", 3, "no letters or digits"),
            ("column counts chars", "переговоры ne*", 12, "too short"),
        ];
        for (name, input, col, msg) in cases {
            match parse(input) {
                Ok(q) => panic!("{name}: {input:?} parsed as {q}"),
                Err(e) => {
                    assert_eq!(e.column, *col, "{name}: {input:?}: {e}");
                    assert!(e.message.contains(msg), "{name}: {input:?}: {e}");
                    assert!(e.to_string().starts_with(&format!("column {col}: ")));
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).unwrap_err().message.contains("nested deeper"));
        let nots = format!("a {}b", "NOT ".repeat(10_000));
        assert!(parse(&nots).is_err());
        let fields = format!("{}a", "title:".repeat(10_000));
        assert!(parse(&fields).is_err());
    }

    #[test]
    fn display_round_trips() {
        let queries = [
            "(\"peace talks\" OR ceasefire OR negotiat*) AND (Russia OR Ukraine) NOT gaza",
            "title:(truce OR перемирие) source:tass tag:\"state-media\"",
            "a OR b c OR NOT d e",
            "x (\"prisoner swap\" NEAR/10 ukrain*) OR (exchange NEAR/3 bodies)",
            "NOT (a OR b) c",
            "Зеленский OR Зеленський OR zelensk* 3-day",
        ];
        for input in queries {
            let q = parse(input).unwrap();
            let shown = q.to_string();
            assert_eq!(parse(&shown).as_ref(), Ok(&q), "{input} → {shown}");
        }
    }

    /// A tiny deterministic generator (xorshift) so the fuzz cases are the
    /// same on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[(self.next() % items.len() as u64) as usize]
        }
    }

    #[test]
    fn fuzz_never_panics_and_round_trips() {
        let pieces = [
            "a", "peace", "Мир", "ё", "AND", "OR", "NOT", "NEAR/3", "NEAR/", "NEAR/0", "(", ")",
            "\"", "title:", "tag:", "x:", "neg*", "ne*", "*", " ", " ", " ", "-", ":", "3", "é",
            "\u{200b}", "\u{0301}", "🙂", "\t", "talk*",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut parsed = 0;
        for _ in 0..20_000 {
            let n = (rng.next() % 12) as usize;
            let s: String = (0..n).map(|_| rng.pick(&pieces)).collect();
            if let Ok(q) = parse(&s) {
                parsed += 1;
                let shown = q.to_string();
                assert_eq!(parse(&shown).as_ref(), Ok(&q), "{s:?} → {shown}");
            } else if let Err(e) = parse(&s) {
                assert!(
                    e.column >= 1 && e.column <= s.chars().count().max(1),
                    "{s:?}: {e}"
                );
            }
        }
        assert!(
            parsed > 1000,
            "the fuzzer should produce valid queries too ({parsed})"
        );
        // Arbitrary code points: only "no panic" is asserted.
        for _ in 0..5_000 {
            let n = (rng.next() % 20) as usize;
            let s: String = (0..n)
                .filter_map(|_| char::from_u32((rng.next() % 0x11_0000) as u32))
                .collect();
            let _ = parse(&s);
        }
    }
}
