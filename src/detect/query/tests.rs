//! Tests of the query language: canonical forms, AST shapes, errors with
//! columns, nesting limits and round trips through the printed form.

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
        "a", "peace", "Мир", "ё", "AND", "OR", "NOT", "NEAR/3", "NEAR/", "NEAR/0", "(", ")", "\"",
        "title:", "tag:", "x:", "neg*", "ne*", "*", " ", " ", " ", "-", ":", "3", "é", "\u{200b}",
        "\u{0301}", "🙂", "\t", "talk*",
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
