//! Headlines (module docs, step 3): the TASS/RBC/Interfax forms in which
//! the whole headline, or its quoted part, is the statement.

use super::Quote;
use super::attribution::clean_quote;
use super::quotes::find_quotes;
use super::speakers::SpeakerSet;
use super::tokens::{is_cyrillic, tokens};
use crate::detect::lexicon::names::TITLES;
use crate::detect::lexicon::speech::{
    DIGEST_WORDS, HEADLINE_INTENT_VERBS, HEADLINE_LEADING_VERBS, HEADLINE_VERBS,
};
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
    let ms = speakers.mentions(&toks, &vec![false; toks.len()]);
    let m = ms.last()?;
    // "… talks with Lavrov": a preposition before the name makes it an
    // object ("US envoy to NATO" as an alias keeps its own "to").
    if toks[..m.first]
        .iter()
        .any(|t| HEADLINE_TAIL_WORDS.contains(&t.key.as_str()))
    {
        return None;
    }
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
        let sp = ends_with_speaker(who, speakers, 6).or_else(|| {
            let tag = tokens(who);
            (tag.len() <= 3 && tag.iter().all(|t| !t.capital))
                .then(|| speakers.by_title(&tag, &tokens(&title[..i])))
                .flatten()
        });
        if let Some(sp) = sp
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
            let verb = |w: &str| {
                let f = fold(w);
                HEADLINE_VERBS.contains(&f.as_str()) || HEADLINE_LEADING_VERBS.contains(&f.as_str())
            };
            let sp = if verb(first.1) {
                ends_with_speaker(&tail[first.0.end..], speakers, 4)
            } else if verb(last.1) {
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
    // "Zelensky says …", "Trump confident …", "Песков заявил, что …".
    if let Some(q) = leading_statement(title, speakers) {
        return Some(make(q.0, q.1));
    }
    // "IN BRIEF: Lavrov speaks on …": the same after a rubric.
    if let Some((_, rest)) = title.split_once(':')
        && let Some(q) = leading_statement(rest.trim(), speakers)
    {
        return Some(make(q.0, q.1));
    }
    // Digests: "What Lavrov said", "Lavrov’s remarks on …", "…: Trump's statements".
    digest_statement(title, speakers).map(|sp| make(sp, title.to_string()))
}

/// `Speaker VERB rest`: the speaker within the first words, then a verb of
/// saying or stance; the rest (after "that"/"что"/"що") is the statement.
///
/// The speaker is the subject: a name after a verb of the same list is its
/// object ("US expects Zelensky to sign …", "US lawmaker urges Zelensky to
/// accept …" are not Zelensky's words), and the headline is nobody's
/// statement here. Nor is an intent others ascribe to the speaker ("Zelensky
/// seeks to drag out talks": [`HEADLINE_INTENT_VERBS`] before "to").
fn leading_statement(title: &str, speakers: &SpeakerSet) -> Option<(usize, String)> {
    let mut verb_before = false;
    let ws: Vec<(Span, &str)> = words(title).take(8).collect();
    for (k, &(span, w)) in ws.iter().enumerate().take(7) {
        let f = fold(w);
        if HEADLINE_INTENT_VERBS.contains(&f.as_str())
            && ws.get(k + 1).is_some_and(|(_, n)| fold(n) == "to")
            && ends_with_speaker(&title[..span.start], speakers, 6).is_some()
        {
            return None;
        }
        if !HEADLINE_LEADING_VERBS.contains(&f.as_str()) {
            continue;
        }
        let Some(sp) = ends_with_speaker(&title[..span.start], speakers, 6) else {
            // "to" is also a preposition ("Ex-adviser to …"), not a verb.
            verb_before |= f != "to";
            continue;
        };
        if verb_before {
            return None;
        }
        let rest = title[span.end..].trim_start_matches([',', ' ']);
        let first = words(rest).next().map(|(_, w)| fold(w));
        let rest = match first.as_deref() {
            // "that …", and the particle of "rules out …".
            Some("that" | "что" | "що" | "out") => rest.split_once(char::is_whitespace)?.1,
            _ => rest,
        };
        if is_cyrillic(&f) && words(rest).count() < 3 {
            return None;
        }
        return headline_part(rest).map(|t| (sp, t));
    }
    None
}

/// A digest of one speaker's statements: `What Lavrov said`, a possessive
/// speaker before a [`DIGEST_WORDS`] word.
fn digest_statement(title: &str, speakers: &SpeakerSet) -> Option<usize> {
    let toks = tokens(title);
    let ms = speakers.mentions(&toks, &vec![false; toks.len()]);
    for m in &ms {
        let next = toks.get(m.last + 1).map(|t| t.key.as_str());
        if m.possessive && next.is_some_and(|n| DIGEST_WORDS.contains(&n)) {
            return Some(m.speaker);
        }
        let before = &toks[..m.first];
        let after = toks.get(m.last + 1).map(|t| t.key.as_str());
        if before.last().is_some_and(|t| t.key == "what") && after == Some("said") {
            return Some(m.speaker);
        }
    }
    None
}
