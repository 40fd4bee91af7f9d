//! Headlines (module docs, step 3): the TASS/RBC/Interfax forms in which
//! the whole headline, or its quoted part, is the statement.

use super::Quote;
use super::attribution::clean_quote;
use super::quotes::find_quotes;
use super::speakers::SpeakerSet;
use super::tokens::{is_cyrillic, tokens};
use crate::detect::lexicon::names::TITLES;
use crate::detect::lexicon::speech::{HEADLINE_LEADING_VERBS, HEADLINE_VERBS};
use crate::detect::lexicon::stopwords::HEADLINE_TAIL_WORDS;
use crate::text::{Span, fold, words};

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
        .any(|t| HEADLINE_TAIL_WORDS.contains(&t.key.as_str()))
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
pub(super) fn headline_statement(title: &str, speakers: &SpeakerSet) -> Option<Quote> {
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
        if !HEADLINE_LEADING_VERBS.contains(&f.as_str()) {
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
