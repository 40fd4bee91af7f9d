//! What the full-text index holds and how a search query is read, so that
//! `search` folds and stems words as topics do: `Путин` finds «Путина»,
//! `negotiations` finds "negotiating".
//!
//! A field is indexed as its folded words, then a mark, then the stem of
//! each word in the same order ([`search_document`]). A query is rewritten
//! ([`search_query`]): words and phrases are looked up by stem (a phrase's
//! stems stand in a row after the mark as its words do before it), a
//! prefix (`negotiat*`) by the words as written (folded, not stemmed), so a
//! prefix matches what starts with it on the page. The mark keeps a phrase
//! from running from the last word into the first stem.
//!
//! Cyrillic query words are stemmed as topic words are: by script, and a
//! word the script test calls Russian also by the Ukrainian stemmer.

use super::stem::{StemLang, stem, words};

/// Between the words of a field and their stems in the index. A word
/// nobody searches for; it is not in any stem list.
pub const STEMS_MARK: &str = "nwstems";

/// The indexed form of one folded field (`fold`ed title or text) of a
/// document in `language` (an ISO 639-1 code, as stored with the item).
pub fn search_document(folded: &str, language: Option<&str>) -> String {
    if folded.trim().is_empty() {
        return String::new();
    }
    let doc = StemLang::from_code(language);
    let mut out = String::with_capacity(folded.len() * 2 + STEMS_MARK.len() + 2);
    out.push_str(folded);
    out.push(' ');
    out.push_str(STEMS_MARK);
    for (_, w) in words(folded) {
        out.push(' ');
        out.push_str(&stem(w, StemLang::for_word(doc, w)));
    }
    out
}

/// The stems a query word is looked up by: its own script's stem, plus the
/// Ukrainian one for a Cyrillic word the script test calls Russian (the
/// document it is in may be Ukrainian). `word` is folded.
pub fn query_stems(word: &str) -> Vec<String> {
    let own = StemLang::for_word(StemLang::None, word);
    let mut out = vec![stem(word, own).into_owned()];
    if own == StemLang::Russian {
        let uk = stem(word, StemLang::Ukrainian).into_owned();
        if uk != out[0] {
            out.push(uk);
        }
    }
    out
}

/// A piece of a query as the user typed it.
#[derive(Debug, PartialEq)]
enum Token {
    Open,
    Close,
    /// `AND`, `OR`, `NOT` (FTS5 operators are upper case).
    Op(&'static str),
    /// `NEAR(`: a NEAR group starts.
    Near,
    /// `, 5` inside a NEAR group.
    Distance(u32),
    /// `title:` or `text:` before a term.
    Column(&'static str),
    /// A bare word or a quoted phrase, not yet folded; `prefix` if `*` follows.
    Text {
        text: String,
        prefix: bool,
    },
}

fn tokenize(query: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = query.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() || c == '+' => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Token::Open);
            }
            ')' => {
                chars.next();
                out.push(Token::Close);
            }
            ',' => {
                chars.next();
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek() {
                    if d.is_ascii_digit() || (d.is_whitespace() && digits.is_empty()) {
                        if d.is_ascii_digit() {
                            digits.push(d);
                        }
                        chars.next();
                    } else {
                        break;
                    }
                }
                if let Ok(n) = digits.parse() {
                    out.push(Token::Distance(n));
                }
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                // `""` inside a phrase is a quote; an unterminated phrase
                // runs to the end.
                while let Some((_, c)) = chars.next() {
                    if c == '"' {
                        if chars.peek().is_some_and(|&(_, n)| n == '"') {
                            chars.next();
                            text.push('"');
                            continue;
                        }
                        break;
                    }
                    text.push(c);
                }
                let prefix = chars.peek().is_some_and(|&(_, n)| n == '*');
                if prefix {
                    chars.next();
                }
                out.push(Token::Text { text, prefix });
            }
            _ => {
                let start = i;
                let mut end = query.len();
                while let Some(&(j, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | '"' | ',' | '+') {
                        end = j;
                        break;
                    }
                    chars.next();
                }
                let word = &query[start..end];
                if word == "NEAR" && chars.peek().is_some_and(|&(_, n)| n == '(') {
                    chars.next();
                    out.push(Token::Near);
                    continue;
                }
                match word {
                    "AND" => out.push(Token::Op("AND")),
                    "OR" => out.push(Token::Op("OR")),
                    "NOT" => out.push(Token::Op("NOT")),
                    _ => {
                        let (column, rest) = match word.split_once(':') {
                            Some((c, rest)) if c.eq_ignore_ascii_case("title") => {
                                (Some("title"), rest)
                            }
                            Some((c, rest)) if c.eq_ignore_ascii_case("text") => {
                                (Some("text"), rest)
                            }
                            _ => (None, word),
                        };
                        if let Some(c) = column {
                            out.push(Token::Column(c));
                        }
                        let prefix = rest.ends_with('*');
                        let text = rest.trim_end_matches('*');
                        if !text.is_empty() {
                            out.push(Token::Text {
                                text: text.to_string(),
                                prefix,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

/// One folded word with the stems it is looked up by.
struct Word {
    folded: String,
    stems: Vec<String>,
}

fn words_of(text: &str) -> Vec<Word> {
    let folded = super::fold(text);
    words(&folded)
        .map(|(_, w)| Word {
            folded: w.to_string(),
            stems: query_stems(w),
        })
        .collect()
}

/// `s` as an FTS5 string.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A term (a word or phrase) of the query as FTS5 phrases: `variant`
/// picks the alternative stem of each word that has one (0: own stems).
fn term_phrase(words: &[Word], prefix: bool, variant: usize) -> String {
    if prefix {
        // A prefix matches the words as written.
        let text: Vec<&str> = words.iter().map(|w| w.folded.as_str()).collect();
        return format!("{}*", quoted(&text.join(" ")));
    }
    let stems: Vec<&str> = words
        .iter()
        .map(|w| w.stems.get(variant).unwrap_or(&w.stems[0]).as_str())
        .collect();
    quoted(&stems.join(" "))
}

/// How many stem variants a set of words has (1, or 2 with a Ukrainian one).
fn variants(words: &[&Word]) -> usize {
    words.iter().map(|w| w.stems.len()).max().unwrap_or(1)
}

/// One term, with its alternatives ORed.
fn term(words: &[Word], prefix: bool) -> String {
    let refs: Vec<&Word> = words.iter().collect();
    let n = if prefix { 1 } else { variants(&refs) };
    if n == 1 {
        term_phrase(words, prefix, 0)
    } else {
        let alts: Vec<String> = (0..n).map(|v| term_phrase(words, prefix, v)).collect();
        format!("({})", alts.join(" OR "))
    }
}

/// The user's query (FTS5 syntax: words, "phrases", prefix*, AND / OR /
/// NOT, parentheses, NEAR(a b, N), `title:`/`text:`) as a query over the
/// index [`search_document`] builds. None: no word in it.
pub fn search_query(query: &str) -> Option<String> {
    let tokens = tokenize(query);
    let mut out: Vec<String> = Vec::new();
    let mut any_word = false;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Open => out.push("(".into()),
            Token::Close => out.push(")".into()),
            Token::Op(op) => out.push((*op).into()),
            Token::Column(c) => out.push(format!("{c} :")),
            Token::Distance(_) => {}
            Token::Text { text, prefix } => {
                let words = words_of(text);
                if !words.is_empty() {
                    any_word = true;
                    out.push(term(&words, *prefix));
                }
            }
            Token::Near => {
                // Up to the closing parenthesis: terms and a distance.
                let mut terms: Vec<(Vec<Word>, bool)> = Vec::new();
                let mut distance = None;
                i += 1;
                while i < tokens.len() && tokens[i] != Token::Close {
                    match &tokens[i] {
                        Token::Text { text, prefix } => {
                            let words = words_of(text);
                            if !words.is_empty() {
                                terms.push((words, *prefix));
                            }
                        }
                        Token::Distance(n) => distance = Some(*n),
                        _ => {}
                    }
                    i += 1;
                }
                if !terms.is_empty() {
                    any_word = true;
                    let all: Vec<&Word> = terms
                        .iter()
                        .filter(|(_, p)| !p)
                        .flat_map(|(w, _)| w.iter())
                        .collect();
                    let near = |variant: usize| {
                        let phrases: Vec<String> = terms
                            .iter()
                            .map(|(w, p)| term_phrase(w, *p, variant))
                            .collect();
                        match distance {
                            Some(n) => format!("NEAR({}, {n})", phrases.join(" ")),
                            None => format!("NEAR({})", phrases.join(" ")),
                        }
                    };
                    let n = variants(&all);
                    if n == 1 {
                        out.push(near(0));
                    } else {
                        let alts: Vec<String> = (0..n).map(near).collect();
                        out.push(format!("({})", alts.join(" OR ")));
                    }
                }
            }
        }
        i += 1;
    }
    any_word.then(|| out.join(" "))
}

/// The words of the query alone, all required: what is searched when the
/// query is not valid FTS5 syntax (`a -`, `x AND (y`). None: no word in it.
pub fn search_words_query(query: &str) -> Option<String> {
    let terms: Vec<String> = tokenize(query)
        .into_iter()
        .filter_map(|t| match t {
            Token::Text { text, prefix } => {
                let words = words_of(&text);
                (!words.is_empty()).then(|| term(&words, prefix))
            }
            _ => None,
        })
        .collect();
    (!terms.is_empty()).then(|| terms.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    #[test]
    fn a_field_is_indexed_as_its_words_then_their_stems() {
        assert_eq!(
            search_document(&fold("Peace talks: Negotiations"), Some("en")),
            "peace talks: negotiations nwstems peac talk negoti"
        );
        assert_eq!(
            search_document(&fold("Визит Путина"), Some("ru")),
            "визит путина nwstems виз путин"
        );
        assert_eq!(search_document("", Some("en")), "");
    }

    #[test]
    fn words_and_phrases_are_looked_up_by_stem_and_prefixes_as_written() {
        assert_eq!(search_query("negotiations").as_deref(), Some("\"negoti\""));
        assert_eq!(
            search_query("\"Peace Talks\" AND negotiat*").as_deref(),
            Some("\"peac talk\" AND \"negotiat\"*")
        );
        assert_eq!(
            search_query("(ceasefire OR truce) NOT title:football").as_deref(),
            Some("( \"ceasefir\" OR \"truce\" ) NOT title : \"footbal\"")
        );
        assert_eq!(
            search_query("NEAR(peace talks, 5)").as_deref(),
            Some("NEAR(\"peac\" \"talk\", 5)")
        );
        // A Cyrillic word the script calls Russian: the Ukrainian stem too.
        let q = search_query("переговоры").unwrap();
        assert!(q.starts_with("(\"переговор\" OR \""), "{q}");
        assert_eq!(search_query("( AND )"), None);
        // An unterminated phrase runs to the end.
        assert_eq!(
            search_query("\"peace talks").as_deref(),
            Some("\"peac talk\"")
        );
    }

    #[test]
    fn text_that_is_not_fts5_syntax_falls_back_to_its_words() {
        assert_eq!(search_words_query("talks -").as_deref(), Some("\"talk\""));
        assert_eq!(
            search_words_query("x AND (talk*").as_deref(),
            Some("\"x\" \"talk\"*")
        );
        assert_eq!(search_words_query("( AND )"), None);
    }
}
