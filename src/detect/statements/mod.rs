//! Statements: quoted speech attributed to configured speakers, and shifts
//! (DESIGN.md §5 "detect", issue 3 "Statements"). Pure: text in, quotes out;
//! no I/O, never panics on any input.
//!
//! How a quote is attributed, in order:
//! 1. *Same sentence*: a speaker mention paired with a speech verb outside the
//!    quote marks — `“…,” Peskov said`, `"…", said Peskov`, `Peskov said that
//!    "…"`, `Peskov: «…»`, `according to Peskov, "…"`, `«…», — заявил Песков`,
//!    `По словам Пескова, «…»`, `«…», — заявив Зеленський`.
//! 2. *Adjacent sentence*: a quote whose sentence has no speech verb, or only a
//!    pronoun one (`“…,” he added`), takes the speaker of the previous
//!    sentence; a quote sentence with no verb at all may also take the speaker
//!    of the next one (`«…». Об этом заявил Песков.`).
//! 3. *Headlines* (TASS, RBC, Interfax style, title only): `… — Peskov`,
//!    `… — Kremlin spokesman Peskov`, `…, says Lavrov`, `Lavrov: …`,
//!    `Zelensky says …` — the headline (or its quoted part) is the statement.
//!
//! A quote in a sentence whose speech verb belongs to someone else
//! (`"…," Stefanchuk said`) is not returned, nor a quote with no speaker in
//! the same or adjacent sentence.
//!
//! Scare quotes (decided here): a quote of fewer than [`SHORT_QUOTE_WORDS`]
//! words counts only in a direct-speech position — right after `Peskov said:`
//! / `that` / `что`, or right before `, Peskov said` / `», — заявил`.
//! `Peskov said the “special military operation” would go on` yields nothing:
//! the phrase is a label, not his words.

use std::collections::HashSet;
use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::text::{Span, StemLang, fold, stem, words};

/// A person whose statements are tracked.
#[derive(Clone, Debug, PartialEq)]
pub struct Speaker {
    pub name: String,
    pub aliases: Vec<String>,
}

/// One alias word, precomputed for matching.
#[derive(Clone, Debug)]
struct AliasWord {
    key: String,
    stem: String,
    cyrillic: bool,
}

#[derive(Clone, Debug)]
struct Alias {
    words: Vec<AliasWord>,
    speaker: usize,
}

/// Speakers compiled for matching: every name and alias (and the last word
/// of a multi-word one: "Dmitry Peskov" → "Peskov") as a sequence of folded
/// words. A text word matches an alias word when the folded forms are equal,
/// when their stems are (≥ 4 letters: Зеленский/Зеленского), or — Cyrillic
/// only — when the word is the alias plus a case ending (Песков/Пескову/
/// Песковым, Путин/Путина). Ukrainian and Russian spellings meet through a
/// loose key (і/ї→и, є→е, й→и, ь dropped: Зеленський = Зеленский, Пєсков =
/// Песков); Latin transliterations ending -yy/-iy/-ii meet at -y (Zelenskyy,
/// Zelenskiy, Zelensky). A mention must start with a capital letter.
#[derive(Clone, Debug, Default)]
pub struct SpeakerSet {
    speakers: Vec<Speaker>,
    aliases: Vec<Alias>,
}

/// Case endings a Cyrillic name may carry (loose keys: й→и, ь dropped).
const CASE_ENDINGS: &[&str] = &[
    "а", "у", "ом", "ым", "им", "ем", "е", "ои", "ою", "ого", "ому", "ыи", "ии", "и", "ы", "ю",
    "я", "ов", "ых", "их", "ове", "еве", "ови",
];

impl SpeakerSet {
    pub fn new(speakers: Vec<Speaker>) -> SpeakerSet {
        let mut aliases = Vec::new();
        let mut seen: HashSet<(usize, Vec<String>)> = HashSet::new();
        for (i, sp) in speakers.iter().enumerate() {
            for name in std::iter::once(&sp.name).chain(sp.aliases.iter()) {
                let ws: Vec<AliasWord> = words(name).map(|(_, w)| alias_word(w)).collect();
                if ws.is_empty() {
                    continue;
                }
                let mut forms = vec![ws.clone()];
                if ws.len() > 1 {
                    let last = ws[ws.len() - 1].clone();
                    if last.key.chars().count() >= 4 {
                        forms.push(vec![last]);
                    }
                }
                for form in forms {
                    let keys = form.iter().map(|w| w.key.clone()).collect();
                    if seen.insert((i, keys)) {
                        aliases.push(Alias {
                            words: form,
                            speaker: i,
                        });
                    }
                }
            }
        }
        // Longest aliases first, so "Dmitry Peskov" wins over "Peskov".
        aliases.sort_by_key(|a| std::cmp::Reverse(a.words.len()));
        SpeakerSet { speakers, aliases }
    }

    pub fn speakers(&self) -> &[Speaker] {
        &self.speakers
    }

    /// Every mention of a speaker in `text`: (speaker index, byte span in
    /// `text`), in text order, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<(usize, Span)> {
        let toks = tokens(text);
        self.mentions(&toks, &vec![false; toks.len()])
            .into_iter()
            .map(|m| {
                (
                    m.speaker,
                    Span {
                        start: toks[m.first].span.start,
                        end: toks[m.last].span.end,
                    },
                )
            })
            .collect()
    }

    /// Mentions over pre-tokenised text, skipping tokens marked `skip`
    /// (inside quote marks: a name quoted is not a speaker speaking).
    fn mentions(&self, toks: &[Token], skip: &[bool]) -> Vec<Mention> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if skip[i] || !toks[i].capital {
                i += 1;
                continue;
            }
            let mut found = None;
            for alias in &self.aliases {
                let n = alias.words.len();
                if i + n > toks.len() || (i..i + n).any(|j| skip[j]) {
                    continue;
                }
                let mut exact = true;
                let all =
                    alias
                        .words
                        .iter()
                        .zip(&toks[i..i + n])
                        .all(|(a, t)| match word_match(t, a) {
                            Some(e) => {
                                exact &= e;
                                true
                            }
                            None => false,
                        });
                if all {
                    found = Some((alias.speaker, n, exact));
                    break;
                }
            }
            // "Eric Trump" is not Donald Trump: a bare Latin surname right
            // after another capitalised name (not a title, not "Russia's")
            // names someone else.
            if let Some((_, 1, _)) = found
                && i > 0
                && self.other_first_name(toks, i)
            {
                found = None;
            }
            match found {
                Some((speaker, n, exact)) => {
                    out.push(Mention {
                        speaker,
                        first: i,
                        last: i + n - 1,
                        exact,
                        possessive: toks[i + n - 1].possessive,
                    });
                    i += n;
                }
                None => i += 1,
            }
        }
        out
    }
}

impl SpeakerSet {
    fn other_first_name(&self, toks: &[Token], i: usize) -> bool {
        let (prev, cur) = (&toks[i - 1], &toks[i]);
        // Sentence-initial words ("Yesterday Trump said") are capitalised anyway.
        !is_cyrillic(&cur.key)
            && prev.capital
            && !prev.possessive
            && !prev.sentence_start
            && !TITLES.contains(&prev.key.as_str())
    }
}

/// Capitalised words that may stand before a surname: "President Putin".
const TITLES: &[&str] = &[
    "president",
    "prime",
    "minister",
    "pm",
    "spokesman",
    "spokesperson",
    "envoy",
    "secretary",
    "chancellor",
    "leader",
    "senator",
    "mr",
    "mrs",
    "ms",
    "dr",
    "gen",
    "foreign",
    "kremlin",
    "russian",
    "ukrainian",
    "us",
    "u.s",
    "turkish",
    "american",
    "special",
    "aide",
    "chief",
    "head",
    "adviser",
    "advisor",
    "press",
    "former",
    "ex",
    "envoys",
];

/// Does text word `t` match alias word `a`? `Some(true)` for the same form
/// (nominative), `Some(false)` for an inflected one, `None` for no match.
fn word_match(t: &Token, a: &AliasWord) -> Option<bool> {
    if t.key == a.key {
        return Some(true);
    }
    if a.stem.chars().count() >= 4 && t.stem == a.stem {
        return Some(!a.cyrillic);
    }
    if a.cyrillic
        && a.key.chars().count() >= 4
        && let Some(rest) = t.key.strip_prefix(a.key.as_str())
        && CASE_ENDINGS.contains(&rest)
    {
        return Some(false);
    }
    None
}

fn alias_word(w: &str) -> AliasWord {
    let (key, _) = loose_key(w);
    AliasWord {
        stem: stem_key(&key),
        cyrillic: is_cyrillic(&key),
        key,
    }
}

fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// Folded word with Ukrainian/Russian spelling differences levelled and a
/// Latin possessive ('s) removed; the flag says whether one was removed.
fn loose_key(w: &str) -> (String, bool) {
    let f = fold(w);
    if is_cyrillic(&f) {
        let k = f
            .chars()
            .filter(|c| !matches!(c, 'ь' | 'ъ' | '\''))
            .map(|c| match c {
                'і' | 'ї' | 'й' => 'и',
                'є' => 'е',
                'ґ' => 'г',
                c => c,
            })
            .collect();
        return (k, false);
    }
    let (base, possessive) = match f.strip_suffix("'s").or_else(|| f.strip_suffix('\'')) {
        Some(b) if !b.is_empty() => (b.to_string(), true),
        _ => (f, false),
    };
    // Zelenskyy / Zelenskiy / Zelenskii → zelensky.
    let mut k = base;
    for end in ["yy", "iy", "ii", "yi"] {
        if k.len() > 4 && k.ends_with(end) {
            k.truncate(k.len() - 2);
            k.push('y');
            break;
        }
    }
    (k, possessive)
}

fn stem_key(key: &str) -> String {
    stem(key, StemLang::for_word(StemLang::None, key)).into_owned()
}

/// A word of the analysed text.
#[derive(Clone, Debug)]
struct Token {
    span: Span,
    key: String,
    stem: String,
    capital: bool,
    possessive: bool,
    /// First word of the text or after . ! ? : or a line break.
    sentence_start: bool,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut prev_end = 0;
    words(text)
        .map(|(span, w)| {
            let (key, possessive) = loose_key(w);
            let gap = &text[prev_end..span.start];
            prev_end = span.end;
            Token {
                span,
                stem: stem_key(&key),
                capital: w.chars().next().is_some_and(char::is_uppercase),
                possessive,
                sentence_start: span.start == 0
                    || gap.contains(['.', '!', '?', ':', '\n', '«', '“', '"']),
                key,
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
struct Mention {
    speaker: usize,
    first: usize,
    last: usize,
    /// Nominative (uninflected) form: may be the subject of a verb.
    exact: bool,
    possessive: bool,
}

/// A quote found in a source, attributed to a speaker.
#[derive(Clone, Debug, PartialEq)]
pub struct Quote {
    pub speaker: usize,
    /// The quoted words, as in the source, trimmed.
    pub text: String,
    /// The sentence it came from.
    pub context: String,
}

/// Quotes shorter than this (in words) count only in a direct-speech
/// position; elsewhere they are scare quotes ("special military operation").
pub const SHORT_QUOTE_WORDS: usize = 4;

// ---------------------------------------------------------------------------
// Speech verbs and other small word lists (loose keys: Ukrainian і→и etc.).

/// English speech verbs. "called" is left out: "so-called" splits into two
/// words and "X called it 'Y'" is nearly always a label.
const EN_VERBS: &[&str] = &[
    "said",
    "says",
    "say",
    "told",
    "tells",
    "added",
    "adds",
    "stated",
    "states",
    "noted",
    "notes",
    "stressed",
    "stresses",
    "emphasized",
    "emphasised",
    "emphasizes",
    "emphasises",
    "underlined",
    "underscored",
    "declared",
    "announced",
    "warned",
    "warns",
    "insisted",
    "insists",
    "claimed",
    "claims",
    "wrote",
    "writes",
    "explained",
    "asserted",
    "remarked",
    "replied",
    "answered",
    "responded",
    "argued",
    "commented",
    "reiterated",
    "continued",
    "saying",
    "adding",
    "telling",
    "posted",
    "urged",
    "acknowledged",
    "admitted",
    "promised",
    "vowed",
    "pledged",
    "asked",
    // Not speech of a speaker, but speech: a sentence with one of these is
    // someone else's report ("a Washington Post article pointed out that…").
    "pointed",
    "reported",
    "cited",
    "quoted",
];

/// Russian and Ukrainian speech verbs, as loose keys (й→и, і→и, ь dropped).
const CYR_VERBS: &[&str] = &[
    // Russian
    "заявил",
    "заявила",
    "заявили",
    "заявляет",
    "сказал",
    "сказала",
    "сказали",
    "говорит",
    "отметил",
    "отметила",
    "отмечает",
    "подчеркнул",
    "подчеркнула",
    "подчеркивает",
    "сообщил",
    "сообщила",
    "сообщает",
    "добавил",
    "добавила",
    "пояснил",
    "пояснила",
    "уточнил",
    "уточнила",
    "указал",
    "указала",
    "констатировал",
    "заверил",
    "заверила",
    "написал",
    "написала",
    "пишет",
    "ответил",
    "ответила",
    "признал",
    "признала",
    "предупредил",
    "напомнил",
    "напомнила",
    "заметил",
    "рассказал",
    "рассказала",
    "призвал",
    "объяснил",
    "считает",
    // Ukrainian (loose keys)
    "заявив",
    "заявляе",
    "сказав",
    "каже",
    "наголосив",
    "наголосила",
    "наголошуе",
    "зазначив",
    "зазначила",
    "зазначае",
    "повидомив",
    "повидомила",
    "повидомляе",
    "додав",
    "додала",
    "пидкреслив",
    "пидкреслила",
    "пояснив",
    "уточнив",
    "написав",
    "пише",
    "видпов",
    "видповив",
    "нагадав",
    "попередив",
    "розповив",
    "розповила",
    "закликав",
    "вважае",
];

const PRONOUNS: &[&str] = &[
    "he", "she", "they", "он", "она", "они", "вин", "вона", "вони",
];

/// Words that may sit between a speech verb and a quote it introduces.
const INTRO_WORDS: &[&str] = &[
    "that",
    "reporters",
    "journalists",
    "что",
    "що",
    "журналистам",
    "журналістам",
];

#[derive(Clone, Copy, Debug, PartialEq)]
enum VerbKind {
    /// said, заявил: subject before (or, inverted, right after).
    Plain,
    /// according to X, по словам X, за словами X: the speaker follows.
    According,
}

fn verb_kind(toks: &[Token], i: usize) -> Option<VerbKind> {
    let k = toks[i].key.as_str();
    let next = toks.get(i + 1).map(|t| t.key.as_str());
    match (k, next) {
        ("according", Some("to")) | ("по" | "за", Some("словам" | "словами")) => {
            return Some(VerbKind::According);
        }
        _ => {}
    }
    if EN_VERBS.contains(&k) || CYR_VERBS.contains(&k) {
        Some(VerbKind::Plain)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Quote marks.

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
struct QSpan {
    open: usize,
    start: usize,
    end: usize,
    close: usize,
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

fn find_quotes(text: &str) -> Vec<QSpan> {
    let mut out = Vec::new();
    let mut base = 0;
    for line in text.split('\n') {
        line_quotes(line, base, &mut out);
        base += line.len() + 1;
    }
    out.retain(|q| !text[q.start..q.end].trim().is_empty());
    out
}

// ---------------------------------------------------------------------------
// Sentences.

/// Words before a full stop that do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "st", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no", "vs", "etc", "inc", "jr", "sr", "prof",
    "gov", "sen", "rep", "maj", "capt", "adm", "corp", "co", "ltd", "mt", "ft", "г", "гг", "им",
    "ул", "тыс", "млн", "млрд", "руб", "долл", "пер", "см", "т", "д", "тис", "грн",
];

/// Sentence byte ranges of `text`: split after . ! ? … when the next word
/// starts with a capital letter, an opening quote or a dash, never inside a
/// quote, never after an abbreviation or an initial; also right after a
/// closing quote whose inside ends a sentence (`“We will respond.” Peskov…`);
/// every line break ends a sentence.
fn sentences(text: &str, quotes: &[QSpan]) -> Vec<(usize, usize)> {
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

// ---------------------------------------------------------------------------
// Attribution.

/// A speaker-verb pair in a sentence: the token range the attribution spans.
#[derive(Clone, Copy, Debug)]
struct Pair {
    speaker: usize,
    first: usize,
    last: usize,
}

struct Analysed<'a> {
    text: &'a str,
    toks: Vec<Token>,
    quotes: Vec<QSpan>,
    mentions: Vec<Mention>,
}

impl<'a> Analysed<'a> {
    fn new(text: &'a str, speakers: &SpeakerSet) -> Analysed<'a> {
        let quotes = find_quotes(text);
        if quotes.is_empty() {
            // Nothing to attribute: skip tokenising (most items quote no one).
            return Analysed {
                text,
                toks: Vec::new(),
                quotes,
                mentions: Vec::new(),
            };
        }
        let toks = tokens(text);
        let skip: Vec<bool> = toks
            .iter()
            .map(|t| {
                quotes
                    .iter()
                    .any(|q| t.span.start >= q.open && t.span.start < q.close)
            })
            .collect();
        let mentions = speakers.mentions(&toks, &skip);
        Analysed {
            text,
            toks,
            quotes,
            mentions,
        }
    }

    fn outside(&self, i: usize) -> bool {
        let s = self.toks[i].span.start;
        !self.quotes.iter().any(|q| s >= q.open && s < q.close)
    }

    /// Token index range of the sentence (start, end) in bytes.
    fn tok_range(&self, (s, e): (usize, usize)) -> std::ops::Range<usize> {
        let a = self.toks.partition_point(|t| t.span.start < s);
        let b = self.toks.partition_point(|t| t.span.start < e);
        a..b
    }

    /// Text between two byte offsets has only these punctuation characters?
    fn gap(&self, from: usize, to: usize) -> &str {
        self.text.get(from.min(to)..to.max(from)).unwrap_or("")
    }

    /// Speaker-verb pairs in a token range.
    fn pairs(&self, range: std::ops::Range<usize>) -> Vec<Pair> {
        let mut out = Vec::new();
        let ms: Vec<&Mention> = self
            .mentions
            .iter()
            .filter(|m| range.contains(&m.first) && !m.possessive)
            .collect();
        for v in range.clone() {
            if !self.outside(v) {
                continue;
            }
            let Some(kind) = verb_kind(&self.toks, v) else {
                continue;
            };
            let found = match kind {
                VerbKind::According => ms
                    .iter()
                    .find(|m| m.first > v && m.first <= v + 7)
                    .map(|m| (m.speaker, v, m.last)),
                VerbKind::Plain => {
                    let before = ms
                        .iter()
                        .filter(|m| m.exact && m.last < v && v - m.last <= 6)
                        .max_by_key(|m| m.last)
                        .filter(|m| {
                            !self
                                .gap(self.toks[m.last].span.end, self.toks[v].span.start)
                                .contains(['"', '«', '»', '“', '”'])
                        });
                    let after = ms
                        .iter()
                        .filter(|m| m.exact && m.first > v && m.first - v <= 5)
                        .min_by_key(|m| m.first)
                        .filter(|m| self.inverted_ok(v, m));
                    match (before, after) {
                        (Some(b), Some(a)) if a.first - v < v - b.last => {
                            Some((a.speaker, v, a.last))
                        }
                        (Some(b), _) => Some((b.speaker, b.first, v)),
                        (None, Some(a)) => Some((a.speaker, v, a.last)),
                        (None, None) => None,
                    }
                }
            };
            if let Some((speaker, first, last)) = found {
                out.push(Pair {
                    speaker,
                    first,
                    last,
                });
            }
        }
        // `Peskov: «…»` — a colon right after a name introduces speech.
        for m in &ms {
            let after = self.toks[m.last].span.end;
            if self.text[after..].trim_start().starts_with(':') {
                out.push(Pair {
                    speaker: m.speaker,
                    first: m.first,
                    last: m.last,
                });
            }
        }
        out
    }

    /// Verb before its subject: `"…", said Peskov` (English: only right after
    /// a quote, comma or dash); Russian/Ukrainian word order is free
    /// (`Об этом заявил Песков`), but no comma may separate them
    /// (`сообщил, что Путин…` names Putin as the topic, not the speaker).
    fn inverted_ok(&self, v: usize, m: &Mention) -> bool {
        let between = self.gap(self.toks[v].span.end, self.toks[m.first].span.start);
        if between.contains([',', ':', ';', '"', '«', '“']) {
            return false;
        }
        if is_cyrillic(&self.toks[v].key) {
            return m.first - v <= 3;
        }
        let start = self.toks[v].span.start;
        let before = self.text[..start].trim_end();
        before.is_empty() || before.ends_with([',', '—', '–', '”', '"', '»', '’'])
    }

    /// Words (tokens) inside a quote.
    fn quote_words(&self, q: &QSpan) -> usize {
        words(&self.text[q.start..q.end]).count()
    }

    /// Is a short quote in a direct-speech position next to tokens
    /// `first..=last` (a pair or a pronoun attribution)?
    fn direct_speech(&self, q: &QSpan, first: usize, last: usize) -> bool {
        let a = self.toks[first].span.start;
        let b = self.toks[last].span.end;
        if a >= q.close {
            // Quote, then attribution: `“No,” Peskov said`, `«Нет», — сказал`.
            let gap = self.gap(q.close, a);
            let inner = self.text[q.start..q.end].trim_end();
            let punct_first = gap.trim_start().starts_with([',', '.', '!', '?', '—', '–'])
                || inner.ends_with([',', '.', '!', '?', '…']);
            return punct_first && words(gap).count() <= 5;
        }
        if b <= q.open {
            // Attribution, then quote: `Peskov said: “…”`, `said that "…"`.
            let gap = self.gap(b, q.open).trim();
            if gap.is_empty() || gap.ends_with([':', ',', '—', '–']) {
                return words(gap).count() <= 3;
            }
            let ws: Vec<String> = words(gap).map(|(_, w)| fold(w)).collect();
            return ws.len() <= 3 && ws.last().is_some_and(|w| INTRO_WORDS.contains(&w.as_str()));
        }
        false
    }

    /// A quote that is a sentence of its own (closed, and most of the words
    /// of its sentence): only such a quote may take its speaker from the
    /// next or previous sentence. A phrase quoted inside someone's prose
    /// ("his American carnage, “apres moi, le deluge” phase") may not, nor a
    /// teaser cut off mid-quote ("“We will keep ral…").
    fn stands_alone(&self, q: &QSpan, (s, e): (usize, usize)) -> bool {
        let closed = q.close > q.end;
        let inside = self.quote_words(q);
        let all = words(&self.text[s..e]).count();
        closed && inside * 3 >= all * 2
    }

    fn has_verb(&self, range: std::ops::Range<usize>) -> bool {
        range
            .into_iter()
            .any(|i| self.outside(i) && verb_kind(&self.toks, i).is_some())
    }

    /// `he said`, `добавил он`: a pronoun within two words of a verb.
    fn pronoun_pair(&self, range: std::ops::Range<usize>) -> Option<(usize, usize)> {
        for v in range.clone() {
            if !self.outside(v) || verb_kind(&self.toks, v) != Some(VerbKind::Plain) {
                continue;
            }
            let lo = v.saturating_sub(2).max(range.start);
            let hi = (v + 2).min(range.end.saturating_sub(1));
            for p in lo..=hi {
                if p != v && PRONOUNS.contains(&self.toks[p].key.as_str()) {
                    return Some((p.min(v), p.max(v)));
                }
            }
        }
        None
    }
}

/// The speaker of a set of pairs nearest to a quote.
fn nearest_pair(a: &Analysed<'_>, pairs: &[Pair], q: &QSpan) -> Option<Pair> {
    pairs.iter().copied().min_by_key(|p| {
        let s = a.toks[p.first].span.start;
        let e = a.toks[p.last].span.end;
        // Gap after the quote, or before it; 0 when they overlap.
        s.saturating_sub(q.close).max(q.open.saturating_sub(e))
    })
}

fn clean_quote(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
        .to_string()
}

/// Quotes in body text (or a title taken as one sentence).
fn body_quotes(text: &str, speakers: &SpeakerSet, out: &mut Vec<Quote>) {
    let a = Analysed::new(text, speakers);
    if a.quotes.is_empty() || a.mentions.is_empty() {
        return;
    }
    let sents = sentences(text, &a.quotes);
    let info: Vec<SentInfo> = sents
        .iter()
        .map(|&s| {
            let r = a.tok_range(s);
            let pairs = a.pairs(r.clone());
            let mentioned: HashSet<usize> = a
                .mentions
                .iter()
                .filter(|m| r.contains(&m.first))
                .map(|m| m.speaker)
                .collect();
            SentInfo {
                quotes: a
                    .quotes
                    .iter()
                    .copied()
                    .filter(|q| q.open >= s.0 && q.open < s.1)
                    .collect(),
                has_verb: a.has_verb(r.clone()),
                pronoun: a.pronoun_pair(r.clone()),
                pairs,
                mentioned,
            }
        })
        .collect();
    // The speaker a following sentence may inherit (pronoun carry-over).
    let mut carry: Option<usize> = None;
    for (n, (si, &(s, e))) in info.iter().zip(&sents).enumerate() {
        let context = text[s..e].trim().to_string();
        let mut attributed = None;
        for q in &si.quotes {
            let long = a.quote_words(q) >= SHORT_QUOTE_WORDS;
            let speaker = if let Some(p) = nearest_pair(&a, &si.pairs, q) {
                (long || a.direct_speech(q, p.first, p.last)).then_some(p.speaker)
            } else if let Some((pf, pl)) = si.pronoun {
                carry.filter(|_| long || a.direct_speech(q, pf, pl))
            } else if !si.has_verb && long && a.stands_alone(q, (s, e)) {
                carry.or_else(|| {
                    let next = info.get(n + 1)?;
                    let sp = next.pairs.first()?.speaker;
                    (next.quotes.is_empty() && next.pairs.iter().all(|p| p.speaker == sp))
                        .then_some(sp)
                })
            } else {
                None
            };
            if let Some(sp) = speaker {
                attributed = Some(sp);
                out.push(Quote {
                    speaker: sp,
                    text: clean_quote(&text[q.start..q.end]),
                    context: context.clone(),
                });
            }
        }
        carry = if let Some(p) = si.pairs.last() {
            Some(p.speaker)
        } else if attributed.is_some() {
            attributed
        } else if si.pronoun.is_some() {
            carry.filter(|_| !si.quotes.is_empty())
        } else if !si.has_verb && si.mentioned.len() == 1 {
            si.mentioned.iter().next().copied()
        } else {
            None
        };
    }
}

struct SentInfo {
    quotes: Vec<QSpan>,
    has_verb: bool,
    pronoun: Option<(usize, usize)>,
    pairs: Vec<Pair>,
    mentioned: HashSet<usize>,
}

// ---------------------------------------------------------------------------
// Headlines.

/// Verbs of a `Zelensky says …` / `…, says Lavrov` headline.
const HEADLINE_VERBS: &[&str] = &[
    "says",
    "said",
    "tells",
    "warns",
    "insists",
    "claims",
    "заявил",
    "заявила",
    "заявив",
];

/// Verbs that may open a headline statement: `Zelensky says …`.
const LEADING_VERBS: &[&str] = &["says", "said", "claims", "заявил", "заявила", "заявив"];

/// Words that show a headline tail is not the speaker's tag: "— Kazakh
/// leader at meeting with Putin" names Putin without quoting him.
const TAIL_FUNCTION_WORDS: &[&str] = &[
    "with",
    "at",
    "to",
    "in",
    "on",
    "after",
    "for",
    "by",
    "about",
    "from",
    "and",
    "of",
    "с",
    "на",
    "после",
    "о",
    "и",
    "з",
    "пiсля",
    "про",
];

/// The statement part of a headline: the quote inside if the part is one
/// quotation, else the part itself; `None` if under three words.
fn headline_part(part: &str) -> Option<String> {
    let part = part.trim().trim_end_matches([',', ':', ';']).trim();
    if words(part).count() < 3 {
        return None;
    }
    let qs = find_quotes(part);
    if let [q] = qs.as_slice()
        && part[..q.open].trim().is_empty()
        && part[q.close..]
            .trim_matches(['.', '!', '?', ' '])
            .is_empty()
    {
        return Some(clean_quote(&part[q.start..q.end]));
    }
    Some(clean_quote(part))
}

/// Does `s` end (ignoring trailing punctuation) with a nominative,
/// non-possessive speaker mention, within `max_words` words? Returns it.
fn ends_with_speaker(s: &str, speakers: &SpeakerSet, max_words: usize) -> Option<usize> {
    let toks = tokens(s);
    if toks.is_empty() || toks.len() > max_words {
        return None;
    }
    if toks
        .iter()
        .any(|t| TAIL_FUNCTION_WORDS.contains(&t.key.as_str()))
    {
        return None;
    }
    let ms = speakers.mentions(&toks, &vec![false; toks.len()]);
    let m = ms.last()?;
    // "— Eric Trump": a headline tag names one person; a capitalised word
    // before a bare surname that is not a title is someone else's first name.
    if m.first > 0 && m.first == m.last {
        let prev = &toks[m.first - 1];
        if prev.capital && !prev.possessive && !TITLES.contains(&prev.key.as_str()) {
            return None;
        }
    }
    (m.last == toks.len() - 1 && !m.possessive && m.exact).then_some(m.speaker)
}

/// TASS/RBC headline forms (see `datasets/tass__english-headlines-2025.json`:
/// "… — Lavrov", "… — Kremlin spokesman Peskov", "…, says Lavrov",
/// "Foreign Minister Sergey Lavrov: …", "Zelensky says …").
fn headline_statement(title: &str, speakers: &SpeakerSet) -> Option<Quote> {
    let title = title.trim();
    let make = |speaker, text: String| Quote {
        speaker,
        text,
        context: title.to_string(),
    };
    // "… — Peskov": the rightmost dash separator.
    let dash = [" — ", " – ", " - "]
        .iter()
        .filter_map(|d| title.rfind(d).map(|i| (i, d.len())))
        .max();
    if let Some((i, len)) = dash {
        let who = title[i + len..].trim_end_matches(['.', '!', ' ']);
        if let Some(sp) = ends_with_speaker(who, speakers, 6)
            && let Some(text) = headline_part(&title[..i])
        {
            return Some(make(sp, text));
        }
    }
    // Other forms: drop a trailing outlet tag first ("… - Reuters").
    let title = match dash {
        Some((i, len)) if words(&title[i + len..]).count() <= 3 => title[..i].trim_end(),
        _ => title,
    };
    // "…, says Lavrov" / "…, Lavrov says".
    if let Some(i) = title.rfind(',') {
        let tail = title[i + 1..].trim().trim_end_matches(['.', '!']);
        let ws: Vec<(Span, &str)> = if tail.contains(':') {
            Vec::new()
        } else {
            words(tail).collect()
        };
        if let (Some(first), Some(last)) = (ws.first(), ws.last()) {
            let sp = if HEADLINE_VERBS.contains(&fold(first.1).as_str()) {
                ends_with_speaker(&tail[first.0.end..], speakers, 4)
            } else if HEADLINE_VERBS.contains(&fold(last.1).as_str()) {
                ends_with_speaker(&tail[..last.0.start], speakers, 4)
            } else {
                None
            };
            if let (Some(sp), Some(text)) = (sp, headline_part(&title[..i])) {
                return Some(make(sp, text));
            }
        }
    }
    // "Lavrov: …".
    if let Some(i) = title.find(':').filter(|&i| !title[..i].contains(','))
        && let Some(sp) = ends_with_speaker(&title[..i], speakers, 6)
        && let Some(text) = headline_part(&title[i + 1..])
    {
        return Some(make(sp, text));
    }
    // "Zelensky says …" (Cyrillic: only "Песков заявил, что …").
    for (span, w) in words(title).take(6) {
        let f = fold(w);
        if !HEADLINE_VERBS.contains(&f.as_str()) {
            continue;
        }
        // "Trump warns Colombian president…", "Erdogan tells Putin…": an
        // object follows, not the statement.
        if !LEADING_VERBS.contains(&f.as_str()) {
            return None;
        }
        let sp = ends_with_speaker(&title[..span.start], speakers, 6)?;
        let rest = title[span.end..].trim_start_matches([',', ' ']);
        let first = words(rest).next().map(|(_, w)| fold(w));
        let rest = match first.as_deref() {
            Some("that" | "что" | "що") => rest.split_once(char::is_whitespace)?.1,
            _ if is_cyrillic(&f) => return None,
            _ => rest,
        };
        return headline_part(rest).map(|t| make(sp, t));
    }
    None
}

/// Quotes in an item attributed to configured speakers: the title (its own
/// sentence, plus the headline forms) and the text, deduplicated.
#[inline(never)] // a stage of bench/instructions.py: callgrind counts it apart
pub fn extract_quotes(title: &str, text: &str, speakers: &SpeakerSet) -> Vec<Quote> {
    if speakers.aliases.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let title_line = title.replace('\n', " ");
    body_quotes(&title_line, speakers, &mut out);
    if out.is_empty() {
        out.extend(headline_statement(&title_line, speakers));
    }
    body_quotes(text, speakers, &mut out);
    let mut seen = HashSet::new();
    out.retain(|q| !q.text.is_empty() && seen.insert((q.speaker, fold(&q.text))));
    out
}

/// For `kind = "statements"` sources: the whole item is the speaker's
/// statement — the text (or the title when there is none), with the title as
/// its context.
pub fn whole_item_statement(speaker: usize, title: &str, text: &str) -> Quote {
    let body = text.trim();
    Quote {
        speaker,
        text: if body.is_empty() { title.trim() } else { body }.to_string(),
        context: title.trim().to_string(),
    }
}

// ---------------------------------------------------------------------------
// Similarity and shifts.

/// Function words dropped before comparing (small en/ru/uk lists, loose keys).
const STOPWORDS: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "to",
    "in",
    "on",
    "for",
    "and",
    "or",
    "with",
    "by",
    "at",
    "from",
    "as",
    "is",
    "are",
    "be",
    "was",
    "were",
    "been",
    "has",
    "have",
    "had",
    "will",
    "would",
    "it",
    "its",
    "this",
    "that",
    "these",
    "those",
    "we",
    "our",
    "they",
    "their",
    "he",
    "his",
    "she",
    "her",
    "i",
    "you",
    "there",
    "which",
    "who",
    "what",
    "but",
    "also",
    "about",
    "into",
    "than",
    "so",
    "if",
    "do",
    "does",
    "did",
    "can",
    "could",
    "should",
    "may",
    "must",
    "all",
    "any",
    "в",
    "во",
    "на",
    "и",
    "с",
    "со",
    "по",
    "о",
    "об",
    "из",
    "за",
    "к",
    "ко",
    "для",
    "что",
    "как",
    "от",
    "до",
    "а",
    "у",
    "это",
    "этот",
    "эти",
    "его",
    "ее",
    "их",
    "мы",
    "вы",
    "он",
    "она",
    "они",
    "бы",
    "же",
    "ли",
    "то",
    "так",
    "но",
    "или",
    "при",
    "уже",
    "еще",
    "будет",
    "был",
    "была",
    "было",
    "быть",
    "все",
    "всех",
    "сеичас",
    "та",
    "из",
    "що",
    "як",
    "це",
    "ми",
    "ви",
    "вин",
    "вона",
    "вони",
    "або",
    "для",
    "при",
    "вже",
    "ще",
    "буде",
    "був",
    "була",
    "було",
    "бути",
    "ваш",
    "наш",
    "над",
    "пид",
    "тому",
    "його",
    "ии",
    "их",
];

/// Negation words: a statement and its negation must not look like a repeat.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "none",
    "nor",
    "cannot",
    "нет",
    "не",
    "ни",
    "никогда",
    "ниякого",
    "ниякои",
    "нема",
    "немае",
];

/// Content-word stems of a statement and whether it contains a negation.
fn statement_terms(s: &str) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut negated = false;
    for (_, w) in words(s) {
        let (key, _) = loose_key(w);
        if NEGATIONS.contains(&key.as_str()) || key.ends_with("n't") {
            negated = true;
            continue;
        }
        if STOPWORDS.contains(&key.as_str()) {
            continue;
        }
        out.push(stem_key(&key));
    }
    (out, negated)
}

fn jaccard<T: std::hash::Hash + Eq>(a: &HashSet<T>, b: &HashSet<T>) -> f64 {
    let union = a.union(b).count();
    if union == 0 {
        return 0.0;
    }
    a.intersection(b).count() as f64 / union as f64
}

/// Weight of the word-set Jaccard in [`similarity`]; the rest goes to the
/// word-pair (2-shingle) Jaccard, which rewards the same word order.
const WORD_SET_WEIGHT: f64 = 0.6;
/// A statement and its negation ("ready" / "not ready") keep this share of
/// their word similarity: at most 0.25, always below [`SHIFT_THRESHOLD`], so
/// a reversed position is always a shift.
const NEGATION_FACTOR: f64 = 0.25;

/// Similarity of two statements, 0..=1, symmetric and deterministic:
/// `0.6 × Jaccard(content-word stems) + 0.4 × Jaccard(stem 2-shingles)`,
/// over folded words with stopwords dropped (with fewer than two words on
/// either side, the word-set Jaccard alone), times 0.25 when exactly one side
/// is negated. Identical texts score 1.
pub fn similarity(a: &str, b: &str) -> f64 {
    let (ta, na) = statement_terms(a);
    let (tb, nb) = statement_terms(b);
    if ta.is_empty() || tb.is_empty() {
        return if ta.is_empty() && tb.is_empty() && fold(a.trim()) == fold(b.trim()) {
            1.0
        } else {
            0.0
        };
    }
    let wa: HashSet<&str> = ta.iter().map(String::as_str).collect();
    let wb: HashSet<&str> = tb.iter().map(String::as_str).collect();
    let words_j = jaccard(&wa, &wb);
    let sim = if ta.len() < 2 || tb.len() < 2 {
        words_j
    } else {
        let sa: HashSet<(&str, &str)> = ta
            .windows(2)
            .map(|w| (w[0].as_str(), w[1].as_str()))
            .collect();
        let sb: HashSet<(&str, &str)> = tb
            .windows(2)
            .map(|w| (w[0].as_str(), w[1].as_str()))
            .collect();
        WORD_SET_WEIGHT * words_j + (1.0 - WORD_SET_WEIGHT) * jaccard(&sa, &sb)
    };
    let sim = if na != nb { sim * NEGATION_FACTOR } else { sim };
    sim.clamp(0.0, 1.0)
}

/// Below this similarity to every earlier statement, a statement is a shift.
///
/// Chosen on the headline statements of Lavrov and Putin in
/// `datasets/tass__english-headlines-2025.json` (all 54,121 same-speaker
/// pairs, almost all about different things): median 0.00, 99th percentile
/// 0.12, 99.9th 0.23; the 19 pairs at ≥ 0.30 are mostly repeats or close
/// paraphrases ("Japan should weigh/weight everything…", 0.65; "Europe missed
/// all chance…" / "Europe had chances… but missed them", 0.58), with a few
/// template look-alikes ("Russia-Egypt / Russia, Mongolia cooperation
/// steadily developing", 0.46). Lower would call paraphrases shifts.
pub const SHIFT_THRESHOLD: f64 = 0.3;

/// A statement far from everything the speaker said before on the topic.
#[derive(Clone, Debug, PartialEq)]
pub struct Shift {
    /// Index into `earlier` of the closest earlier statement.
    pub closest: usize,
    pub similarity: f64,
}

/// A new statement is a shift when its best similarity to every earlier
/// statement (same speaker, same topic, last N days — the caller filters) is
/// below [`SHIFT_THRESHOLD`]; returns the closest earlier one for
/// side-by-side display. `None` when there are no earlier statements (the
/// first statement is not a shift) or when it is a near-repeat.
pub fn find_shift(new: &str, earlier: &[&str]) -> Option<Shift> {
    let mut best: Option<Shift> = None;
    for (i, e) in earlier.iter().enumerate() {
        let s = similarity(new, e);
        if best.as_ref().is_none_or(|b| s > b.similarity) {
            best = Some(Shift {
                closest: i,
                similarity: s,
            });
        }
    }
    best.filter(|b| b.similarity < SHIFT_THRESHOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(name: &str, aliases: &[&str]) -> Speaker {
        Speaker {
            name: name.to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
        }
    }

    /// The default speaker list of issue 3 (indices used below).
    fn speakers() -> SpeakerSet {
        SpeakerSet::new(vec![
            sp("Vladimir Putin", &["Putin", "Путин", "Путін"]), // 0
            sp(
                "Volodymyr Zelensky",
                &["Zelenskyy", "Зеленский", "Зеленський"],
            ), // 1
            sp("Dmitry Peskov", &["Дмитрий Песков", "Пєсков"]), // 2
            sp("Sergey Lavrov", &["Лавров"]),                   // 3
            sp("Andrii Sybiha", &["Сибіга", "Сибига"]),         // 4
            sp("Andriy Yermak", &["Ермак", "Єрмак"]),           // 5
            sp("Steve Witkoff", &["Уиткофф", "Віткофф"]),       // 6
            sp("Donald Trump", &["Трамп"]),                     // 7
            sp("Recep Tayyip Erdoğan", &["Эрдоган", "Ердоган"]), // 8
        ])
    }

    const PUTIN: usize = 0;
    const ZELENSKY: usize = 1;
    const PESKOV: usize = 2;
    const LAVROV: usize = 3;
    const SYBIHA: usize = 4;

    /// (speaker, quoted text) of every quote found.
    fn quotes(title: &str, text: &str) -> Vec<(usize, String)> {
        extract_quotes(title, text, &speakers())
            .into_iter()
            .map(|q| (q.speaker, q.text))
            .collect()
    }

    fn one(speaker: usize, text: &str) -> Vec<(usize, String)> {
        vec![(speaker, text.to_string())]
    }

    #[test]
    fn speaker_forms_match_by_stem_and_case_ending() {
        let set = speakers();
        for (text, who) in [
            ("Песков", PESKOV),
            ("Пескова", PESKOV),
            ("Пескову", PESKOV),
            ("Песковым", PESKOV),
            ("Путина", PUTIN),
            ("Путіну", PUTIN),
            ("Лаврова", LAVROV),
            ("Зеленского", ZELENSKY),
            ("Зеленський", ZELENSKY),
            ("Зеленського", ZELENSKY),
            ("Zelensky", ZELENSKY),
            ("Zelenskiy", ZELENSKY),
            ("Сибіги", SYBIHA),
            ("Dmitry Peskov", PESKOV),
        ] {
            let found = set.find(&format!("Сказал {text} вчера"));
            assert_eq!(found.len(), 1, "{text}: {found:?}");
            assert_eq!(found[0].0, who, "{text}");
        }
        // Spans point into the text as given.
        let t = "По словам Дмитрия Пескова, всё";
        let f = set.find(t);
        assert_eq!(&t[f[0].1.start..f[0].1.end], "Дмитрия Пескова");
        // Lower-case words and longer derivations are not names.
        assert!(set.find("путинский режим, trumpet").is_empty());
        // Another person with the same surname.
        assert!(
            set.find("Trump Vodka available for pre-orders — Eric Trump")
                .len()
                == 1
        );
    }

    #[test]
    fn english_attribution_forms() {
        for (text, who, quote) in [
            (
                "“We see no progress,” Peskov said.",
                PESKOV,
                "We see no progress",
            ),
            (
                "\"We see no progress\", said Peskov.",
                PESKOV,
                "We see no progress",
            ),
            (
                "Peskov said that \"the negotiations are difficult but continuing.\"",
                PESKOV,
                "the negotiations are difficult but continuing.",
            ),
            (
                "Peskov said: “The ball is in Kyiv's court.”",
                PESKOV,
                "The ball is in Kyiv's court.",
            ),
            (
                "According to Peskov, \"contacts with Washington continue at working level.\"",
                PESKOV,
                "contacts with Washington continue at working level.",
            ),
            (
                "Peskov told reporters \"there is nothing to announce yet.\"",
                PESKOV,
                "there is nothing to announce yet.",
            ),
            (
                "“No,” Kremlin spokesman Dmitry Peskov told reporters on Monday.",
                PESKOV,
                "No",
            ),
        ] {
            assert_eq!(quotes("", text), one(who, quote), "{text}");
        }
    }

    #[test]
    fn kyiv_independent_sentences() {
        // history/kyiv-independent/20240824T004649Z.xml: a partial quote with
        // spaces inside the marks (left by the HTML), attribution at the end.
        let t = "Moscow began concentrating its efforts in the east, \" throwing everything they have \" in the Pokrovsk direction after Russia's Kharkiv Oblast offensive failed, President Volodymyr Zelensky said in late July.";
        assert_eq!(
            quotes("", t),
            one(ZELENSKY, "throwing everything they have")
        );

        // history/kyiv-independent/20240727T002037Z.xml, with the speakers of
        // that day: a partial quote is kept, the one-word "privileges" is a
        // scare quote and dropped; a pronoun carries the speaker over.
        let set = SpeakerSet::new(vec![sp("Ruslan Stefanchuk", &[]), sp("Matvii Bidnyi", &[])]);
        let t = "Nonetheless, Stefanchuk said that the Ukrainian military on the front line \"has an exclusive right to justice,\" which is why it is necessary to provide them with vacations, rotations, or other \"privileges.\"";
        let q = extract_quotes("", t, &set);
        assert_eq!(q.len(), 1, "{q:?}");
        assert_eq!(q[0].text, "has an exclusive right to justice");
        assert_eq!(q[0].context, t);
        let t = "\"Every athlete killed by Russia is a tragedy for the entire (Ukrainian) sports family,\" Ukraine's acting sports and youth minister Matvii Bidnyi said at a press conference ahead of the Olympic games. \"These crimes are not only targeting our sports, but it is also an aggressor's attempt to attack our national identity,\" he added.";
        let q = extract_quotes("", t, &set);
        assert_eq!(q.len(), 2, "{q:?}");
        assert!(q.iter().all(|q| q.speaker == 1));
        assert!(q[1].text.starts_with("These crimes"));

        // Same file: quotes by people who are not configured speakers.
        let t = "\"They can replenish these losses,\" Yusov said, adding: \"But there are already serious problems with the recruitment of new contract soldiers.";
        assert!(quotes("", t).is_empty());
        // Same file: the speaker is only in the headline, the sentence says
        // "foreign minister" — no speaker in the same or adjacent sentence.
        let title = "Kuleba calls on Hong Kong to close sanctions circumvention routes for Russia";
        let t = "Ukraine’s foreign minister said that these restrictive measures are necessary to “weaken Russia’s potential to wage war and kill people in Ukraine.”";
        let set = SpeakerSet::new(vec![sp("Dmytro Kuleba", &[])]);
        assert!(extract_quotes(title, t, &set).is_empty());
    }

    #[test]
    fn negatives_and_scare_quotes() {
        // A quote with no speaker anywhere.
        assert!(quotes("", "“We will not back down,” the statement read.").is_empty());
        // A speaker named, but nothing quoted.
        assert!(quotes("", "Peskov said the talks would resume next week.").is_empty());
        // Scare quotes: a label in mid-sentence, even with a speech verb.
        assert!(
            quotes(
                "",
                "Peskov said the “special military operation” would go on."
            )
            .is_empty()
        );
        assert!(quotes("", "Lavrov called the plan “unacceptable” and left.").is_empty());
        // A name inside the quote is not the speaker.
        assert!(
            quotes(
                "",
                "“Putin is not ready for peace,” a European diplomat said."
            )
            .is_empty()
        );
        // Someone else's speech next to a sentence naming a speaker.
        let t = "Putin met Erdogan in Ankara. “The meeting was useful,” Yusov said.";
        assert!(quotes("", t).is_empty());
        // history/kyiv-independent/20240727T002037Z.xml: a phrase quoted in
        // the writer's prose after a sentence about Trump is not his
        // statement; a teaser cut off inside the quote is not a quote.
        let t = "Trump spoke for 90 minutes. He is back to his American carnage, “apres moi, le deluge” phase.";
        assert!(quotes("", t).is_empty(), "{:?}", quotes("", t));
        let t = "Trump spoke for 90 minutes.\n“ We will keep ral…";
        assert!(quotes("", t).is_empty(), "{:?}", quotes("", t));
        // "Putin's spokesman said" is not Putin speaking.
        assert!(quotes("", "“There is no deadline,” Putin's spokesman said.").is_empty());
    }

    #[test]
    fn russian_attribution_forms() {
        // Interfax / RBC style.
        for (text, who, quote) in [
            (
                "«Мы не видим готовности Киева к переговорам», — заявил Песков журналистам.",
                PESKOV,
                "Мы не видим готовности Киева к переговорам",
            ),
            (
                "Песков заявил, что «пока никаких договоренностей нет».",
                PESKOV,
                "пока никаких договоренностей нет",
            ),
            (
                "По словам Пескова, «процесс идет непросто, но он идет».",
                PESKOV,
                "процесс идет непросто, но он идет",
            ),
            (
                "Пресс-секретарь президента Дмитрий Песков: «Это вопрос не к Кремлю».",
                PESKOV,
                "Это вопрос не к Кремлю",
            ),
            ("«Нет», — сказал Лавров.", LAVROV, "Нет"),
            (
                "«Мы готовы к диалогу „без предварительных условий“», — подчеркнул Лавров.",
                LAVROV,
                "Мы готовы к диалогу „без предварительных условий“",
            ),
            (
                "«Переговоры продолжаются в рабочем режиме». Об этом заявил Песков в понедельник.",
                PESKOV,
                "Переговоры продолжаются в рабочем режиме",
            ),
        ] {
            assert_eq!(quotes("", text), one(who, quote), "{text}");
        }
        // A continuation after the attributed sentence.
        let t = "«Мы готовы продолжать контакты», — сказал Лавров. «Но решать будет Москва».";
        assert_eq!(quotes("", t).len(), 2);
        // Putin is the topic here, not the speaker (and Ushakov is not one).
        let t = "Ушаков сообщил, что Путин «готов к встрече в любое время».";
        assert!(quotes("", t).is_empty(), "{:?}", quotes("", t));
    }

    #[test]
    fn ukrainian_attribution_forms() {
        // Ukrainska Pravda style.
        assert_eq!(
            quotes(
                "",
                "«Україна готова до повного припинення вогню на 30 днів», — заявив Зеленський."
            ),
            one(
                ZELENSKY,
                "Україна готова до повного припинення вогню на 30 днів"
            )
        );
        assert_eq!(
            quotes(
                "",
                "За словами Сибіги, «Росія має продемонструвати реальну готовність до миру»."
            ),
            one(
                SYBIHA,
                "Росія має продемонструвати реальну готовність до миру"
            )
        );
        assert_eq!(
            quotes(
                "",
                "Зеленський наголосив: «Ми не визнаємо окупацію жодної території»."
            ),
            one(ZELENSKY, "Ми не визнаємо окупацію жодної території")
        );
        // Pronoun carry-over from a sentence naming him.
        let t = "Зеленського запитали про перемовини. «Ми не віддамо жодної території», — наголосив він.";
        assert_eq!(
            quotes("", t),
            one(ZELENSKY, "Ми не віддамо жодної території")
        );
        // Apostrophes are not quote marks.
        assert!(
            quotes(
                "",
                "Зеленський сказав, що п'ять країн готові. Ukraine’s allies agree."
            )
            .is_empty()
        );
    }

    #[test]
    fn tass_headlines() {
        // datasets/tass__english-headlines-2025.json, field `t`.
        for (title, who, text) in [
            (
                "Russia unaware of changes US and Ukraine made to peace plan — Peskov",
                PESKOV,
                "Russia unaware of changes US and Ukraine made to peace plan",
            ),
            (
                "Still early to speak about lasting peace in Gaza — Russia’s top diplomat Lavrov",
                LAVROV,
                "Still early to speak about lasting peace in Gaza",
            ),
            (
                "Ukraine ignored Russia's settlement proposals, Lavrov says",
                LAVROV,
                "Ukraine ignored Russia's settlement proposals",
            ),
            (
                "Foreign Minister Sergey Lavrov: Russia appreciates efforts by Trump",
                LAVROV,
                "Russia appreciates efforts by Trump",
            ),
            (
                "Zelensky says Ukraine to remain under martial law until security guarantees given",
                ZELENSKY,
                "Ukraine to remain under martial law until security guarantees given",
            ),
            (
                "'Everyone’s gone quiet,' Lavrov says about reaction to Burevestnik missile tests",
                LAVROV,
                "Everyone’s gone quiet",
            ),
            // Made-up, same form: a fully quoted headline gives its quote.
            (
                "“No plans for a new round yet” — Kremlin spokesman Peskov",
                PESKOV,
                "No plans for a new round yet",
            ),
            // RBC style.
            (
                "Песков: переговоры с Украиной поставлены на паузу",
                PESKOV,
                "переговоры с Украиной поставлены на паузу",
            ),
        ] {
            let q = extract_quotes(title, "", &speakers());
            assert_eq!(q.len(), 1, "{title}: {q:?}");
            assert_eq!((q[0].speaker, q[0].text.as_str()), (who, text), "{title}");
            assert_eq!(q[0].context, title);
        }
        for title in [
            "Zelensky’s regime bears all hallmarks of terrorist organization — Russian senator",
            "Ukraine has no money to hold elections — Zelensky's office",
            "Trump Vodka available for pre-orders — Eric Trump",
            "Kazakhstan, Russia have no major issues — Kazakh leader at meeting with Putin",
            "Peace plan options, signals to Trump: what Putin aide said after Kremlin talks",
            "Trump warns Colombian president to shut down cocaine labs",
            "Ukraine's Zelenskiy meets allies in Rome - Reuters",
        ] {
            assert!(
                quotes(title, "").is_empty(),
                "{title}: {:?}",
                quotes(title, "")
            );
        }
    }

    #[test]
    fn title_and_text_are_deduplicated() {
        let title = "Песков: «Переговоры идут непросто»";
        let text = "Песков: «Переговоры идут непросто».";
        assert_eq!(quotes(title, text).len(), 1);
    }

    #[test]
    fn whole_item_is_the_statement() {
        let q = whole_item_statement(3, " Lavrov's remarks ", "  Russia is open to talks.  ");
        assert_eq!(q.speaker, 3);
        assert_eq!(q.text, "Russia is open to talks.");
        assert_eq!(q.context, "Lavrov's remarks");
        assert_eq!(
            whole_item_statement(0, "Title only", " ").text,
            "Title only"
        );
    }

    #[test]
    fn similarity_properties() {
        let a = "Russia is ready to continue negotiations with Ukraine in Istanbul";
        assert_eq!(similarity(a, a), 1.0);
        assert_eq!(similarity("", ""), 1.0);
        assert_eq!(similarity(a, ""), 0.0);
        // Symmetric, in range.
        let b = "Moscow remains ready to continue the Istanbul negotiations with Kyiv";
        assert_eq!(similarity(a, b), similarity(b, a));
        // A paraphrase with the same key words is a repeat, not a shift.
        let p =
            "Russia is ready to continue the negotiations with Ukraine in Istanbul, Peskov said";
        assert!(similarity(a, p) > SHIFT_THRESHOLD, "{}", similarity(a, p));
        let ru1 = "Россия готова продолжить переговоры с Украиной в Стамбуле";
        let ru2 = "Москва готова продолжать переговоры с Украиной в Стамбуле";
        assert!(
            similarity(ru1, ru2) > SHIFT_THRESHOLD,
            "{}",
            similarity(ru1, ru2)
        );
        // Unrelated statements.
        let u = "The Central Bank will keep the key rate at 21 percent";
        assert!(similarity(a, u) < 0.2, "{}", similarity(a, u));
        // Folding: case, ё, quote glyphs do not matter.
        assert_eq!(similarity("Всё решено", "ВСЕ РЕШЕНО"), 1.0);
    }

    #[test]
    fn shifts() {
        let earlier = [
            "The Central Bank will keep the key rate at 21 percent",
            "Russia is ready to continue negotiations with Ukraine in Istanbul",
        ];
        // The first statement is never a shift.
        assert_eq!(find_shift("Russia is ready for talks", &[]), None);
        // A near-repeat is not a shift.
        assert_eq!(
            find_shift(
                "Russia is ready to continue negotiations with Ukraine in Istanbul soon",
                &earlier
            ),
            None
        );
        // A reversed position is, shown beside the statement it reverses.
        let s = find_shift(
            "Russia is not ready to continue negotiations with Ukraine in Istanbul",
            &earlier,
        )
        .expect("reversal is a shift");
        assert_eq!(s.closest, 1);
        assert!(s.similarity < SHIFT_THRESHOLD);
        // Something new entirely: closest is still reported.
        let s = find_shift(
            "Peace talks are suspended until Kyiv withdraws its troops",
            &earlier,
        )
        .unwrap();
        assert!(s.closest < earlier.len());
    }

    #[test]
    fn random_input_never_panics() {
        let set = speakers();
        let pieces = [
            "«",
            "»",
            "“",
            "”",
            "„",
            "\"",
            "'",
            "‘",
            "’",
            " ",
            ".",
            ",",
            ":",
            "—",
            "\n",
            "Песков",
            "Peskov",
            "said",
            "заявил",
            "he",
            "по",
            "словам",
            "according",
            "to",
            "ё",
            "é",
            "\u{200B}",
            "Zelensky's",
            "a",
            "1",
            "!",
            "?",
            "…",
            "Mr.",
        ];
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..3000 {
            let n = rng.usize(0..40);
            let s: String = (0..n).map(|_| pieces[rng.usize(0..pieces.len())]).collect();
            let t: String = (0..rng.usize(0..8))
                .map(|_| pieces[rng.usize(0..pieces.len())])
                .collect();
            for q in extract_quotes(&t, &s, &set) {
                assert!(q.speaker < set.speakers().len());
            }
            let sim = similarity(&s, &t);
            assert!((0.0..=1.0).contains(&sim));
            let _ = find_shift(&s, &[&t, ""]);
            let _ = set.find(&s);
        }
        // Bytes that are not valid UTF-8 never get here (&str); odd
        // characters do.
        let _ = extract_quotes("\u{FFFF}«", "\u{10FFFF}“\u{0}”", &set);
        assert!(extract_quotes("a", "b", &SpeakerSet::new(Vec::new())).is_empty());
    }
}
