//! Attribution in body text (module docs, steps 1 and 2): speaker-verb
//! pairs in a sentence, direct-speech positions for short quotes, and the
//! speaker a quote sentence takes from its neighbours.

use std::collections::HashSet;

use super::quotes::{QSpan, find_quotes};
use super::sentences::sentences;
use super::speakers::{Mention, SpeakerSet};
use super::tokens::{Token, is_cyrillic, tokens};
use super::{Quote, SHORT_QUOTE_WORDS};
use crate::detect::lexicon::speech::{
    QUOTE_INTRO_WORDS, QUOTE_VERBS_CYRILLIC, QUOTE_VERBS_EN, SPEAKER_PRONOUNS,
};
use crate::text::{fold, words};

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
    if QUOTE_VERBS_EN.contains(&k) || QUOTE_VERBS_CYRILLIC.contains(&k) {
        Some(VerbKind::Plain)
    } else {
        None
    }
}

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
            return ws.len() <= 3
                && ws
                    .last()
                    .is_some_and(|w| QUOTE_INTRO_WORDS.contains(&w.as_str()));
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
                if p != v && SPEAKER_PRONOUNS.contains(&self.toks[p].key.as_str()) {
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

pub(super) fn clean_quote(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ':'))
        .to_string()
}

/// Quotes in body text (or a title taken as one sentence).
pub(super) fn body_quotes(text: &str, speakers: &SpeakerSet, out: &mut Vec<Quote>) {
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
