//! Parser: recursive descent over the tokens, one function per precedence
//! level, with the nesting limit and the field restrictions applied.

use super::lexer::{Tok, Token};
use super::{Field, MAX_DEPTH, Query, QueryError, err};

pub(super) struct Parser {
    pub(super) toks: Vec<Token>,
    pub(super) pos: usize,
    pub(super) depth: usize,
    /// Column of the first `NOT`, for the "only NOT" error.
    pub(super) first_not: Option<usize>,
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

    pub(super) fn or(&mut self) -> Result<Query, QueryError> {
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
