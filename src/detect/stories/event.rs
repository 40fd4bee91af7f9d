//! The event profile of an item (stories): who, where, how many and what
//! happened, as keys a reader would compare — names canonicalised across
//! scripts and spellings (alias list, then transliteration), numbers, and
//! stemmed event words, from the title and the lead only (later paragraphs
//! drift to background), plus who the headline attributes it to ("… —
//! Lavrov"). Pure; never panics.

use crate::detect::lexicon::entities::{Aliases, loose, transliterate};
use crate::detect::lexicon::names::TITLES;
use crate::detect::lexicon::numbers::numeral;
use crate::detect::lexicon::speech::SPEECH_AND_BLAME_VERBS;
use crate::detect::lexicon::stopwords::FINGERPRINT_STOPWORDS;
use crate::text::{StemLang, fold, stem, words};

use super::terms::strip_outlet;

/// What a key stands for; names and numbers weigh more than words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum KeyKind {
    /// A common word, stemmed (or an event word of the alias list).
    Word,
    /// A person, place or organisation (capitalised inside a sentence, or
    /// a name of the alias list).
    Name,
    /// A figure: "111 drones", "$2.5 billion", "three hours".
    Number,
    /// The speaker a headline is attributed to ("… — Lavrov"); not compared
    /// as content, only to tell one speaker's occasion.
    Speaker,
}

impl KeyKind {
    fn tag(self) -> char {
        match self {
            KeyKind::Word => 'w',
            KeyKind::Name => 'e',
            KeyKind::Number => 'n',
            KeyKind::Speaker => 's',
        }
    }

    fn from_tag(c: char) -> Option<KeyKind> {
        Some(match c {
            'w' => KeyKind::Word,
            'e' => KeyKind::Name,
            'n' => KeyKind::Number,
            's' => KeyKind::Speaker,
            _ => return None,
        })
    }
}

/// One key of a profile.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub kind: KeyKind,
    pub text: String,
    /// In the title (else only in the lead, which weighs half).
    pub in_title: bool,
}

/// Words of the text, after a dateline, that count as the lead.
const LEAD_WORDS: usize = 40;

/// Labels before a headline that say what kind of page it is, not what
/// happened ("Live: …", "Explainer: …"): dropped, so a live page and the
/// article it follows compare on their words.
const PAGE_LABELS: &[&str] = &[
    "live",
    "explainer",
    "factbox",
    "in brief",
    "analysis",
    "exclusive",
    "update",
    "breaking",
    "watch",
    "video",
    "opinion",
    "insight",
    "timeline",
    "q&a",
];

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

fn is_month(folded: &str) -> bool {
    MONTHS.contains(&folded.trim_end_matches('.'))
}

/// Words that tell no event apart: weekdays (the date is in the time
/// gap already) and titles before a name ("President", "minister").
const NO_EVENT: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn is_stopword(folded: &str) -> bool {
    FINGERPRINT_STOPWORDS.contains(&folded)
        || NO_EVENT.contains(&folded)
        || (TITLES.contains(&folded) && folded != "kremlin")
}

/// A headline without an outlet tag and a page label.
pub fn headline(title: &str) -> &str {
    let t = strip_outlet(title.trim());
    if let Some((label, rest)) = t.split_once(':') {
        let l = fold(label.trim());
        if PAGE_LABELS.contains(&l.as_str()) || l.starts_with("update ") {
            return rest.trim();
        }
    }
    t
}

/// The text after a dateline ("MOSCOW, December 28. /TASS/.", "KYIV, Dec
/// 29 (Reuters) -"): a dateline names the bureau, not the event, and every
/// item of a bureau shares it.
pub fn after_dateline(text: &str) -> &str {
    let head: String = text.chars().take(100).collect();
    let folded = fold(&head);
    if !words(&folded).any(|(_, w)| is_month(w)) && !head.contains('/') {
        return text;
    }
    for sep in ["/. ", ") - ", ") – ", ") — ", " - ", " – ", " — "] {
        if let Some(i) = head.find(sep) {
            return text.get(i + sep.len()..).unwrap_or(text);
        }
    }
    text
}

/// Words remembered per thread by `word_key` before the memo is emptied.
const KEY_MEMO_MAX: usize = 100_000;

/// Raw word → its key and whether it is a name (`None`: no key).
type KeyMemo = foldhash::HashMap<Box<str>, Option<(Box<str>, bool)>>;

thread_local! {
    /// `word_key` with the list in use, and that list's address (a reload
    /// may install another; lists are never freed). News words follow
    /// Zipf's law, so most lookups are one hash.
    static KEY_MEMO: std::cell::RefCell<(usize, KeyMemo)> = std::cell::RefCell::new(Default::default());
}

/// The key of one word, as both a title and a lead word: alias name, else
/// stem (Cyrillic stems transliterated), with a trailing y/i dropped so
/// that Zelensky, Zelenskiy and Зеленский meet.
fn word_key(raw: &str, aliases: &Aliases) -> Option<(String, bool)> {
    if !std::ptr::eq(aliases, Aliases::shipped()) {
        return word_key_uncached(raw, aliases);
    }
    KEY_MEMO.with(|memo| {
        let (list, memo) = &mut *memo.borrow_mut();
        let this_list = std::ptr::from_ref(aliases) as usize;
        if *list != this_list {
            memo.clear();
            *list = this_list;
        }
        if let Some(k) = memo.get(raw) {
            return k.as_ref().map(|(k, n)| (k.to_string(), *n));
        }
        let k = word_key_uncached(raw, aliases);
        if memo.len() >= KEY_MEMO_MAX {
            memo.clear();
        }
        memo.insert(raw.into(), k.as_ref().map(|(k, n)| (k.as_str().into(), *n)));
        k
    })
}

fn word_key_uncached(raw: &str, aliases: &Aliases) -> Option<(String, bool)> {
    let folded = fold(raw);
    let mut w = folded.as_str();
    while let Some(s) = w.strip_suffix("'s").or_else(|| w.strip_suffix("’s")) {
        w = s;
    }
    let w = w.trim_matches(|c: char| c == '\'' || c == '’');
    if w.chars().count() < 2 {
        return None;
    }
    let l = loose(w);
    let listed = aliases.lookup(&l);
    // A demonym before a title ("Ukrainian", "Russian") is the place the
    // list gives it, as "Ukraine's" is: the country, not the title. It is
    // context, not a name: "Russian missile strike" says who struck, not
    // where; it keys as a word (no anchor of its own, not compared across
    // languages) that meets the place's name.
    let place = listed.is_some_and(|(c, name)| name && !aliases.is_actor(c));
    let demonym = place && TITLES.contains(&w);
    if is_stopword(w) && !demonym {
        return None;
    }
    if let Some((c, name)) = listed {
        return Some((c.to_string(), name && !demonym));
    }
    let cyrillic = w.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c));
    let stemmed = stem(w, StemLang::for_word(StemLang::None, w));
    let mut key = if cyrillic {
        transliterate(&loose(&stemmed))
    } else {
        stemmed.into_owned()
    };
    while key.chars().count() > 5 && (key.ends_with('i') || key.ends_with('y')) {
        key.pop();
    }
    Some((key, false))
}

/// The figure a word holds, if any: digits with separators dropped ("1,000"
/// → 1000), or a spelled numeral; not years, and not a day after or before a
/// month name.
fn number_key(folded: &str) -> Option<String> {
    if let Some(d) = numeral(folded) {
        return Some(d.to_string());
    }
    if !folded.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits: String = folded
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let digits = digits.trim_matches('.');
    if digits.is_empty() {
        return None;
    }
    if digits.len() == 4
        && digits
            .parse::<u32>()
            .is_ok_and(|y| (1900..=2100).contains(&y))
    {
        return None;
    }
    Some(digits.to_string())
}

/// Whether a span starts a sentence: nothing but spaces, quotes or
/// brackets since the previous sentence end.
fn starts_sentence(text: &str, start: usize, prev_end: Option<usize>) -> bool {
    let Some(prev) = prev_end else { return true };
    text.get(prev..start)
        .is_some_and(|gap| gap.contains(['.', '!', '?', ':', '—', '«', '"', '“']))
}

fn add(keys: &mut Vec<Key>, kind: KeyKind, text: String, in_title: bool) {
    if let Some(k) = keys
        .iter_mut()
        .find(|k| k.text == text && k.kind != KeyKind::Speaker)
    {
        k.in_title |= in_title;
        if kind > k.kind && kind != KeyKind::Speaker {
            k.kind = kind;
        }
        return;
    }
    keys.push(Key {
        kind,
        text,
        in_title,
    });
}

fn scan(text: &str, in_title: bool, limit: usize, aliases: &Aliases, keys: &mut Vec<Key>) {
    let mut prev_end = None;
    let mut prev_month = false;
    let toks: Vec<_> = words(text).take(limit).collect();
    // Each word folded once (a month is looked for before and after it).
    let folds: Vec<String> = toks.iter().map(|(_, w)| fold(w)).collect();
    for (i, ((span, raw), folded)) in toks.iter().zip(&folds).enumerate() {
        let month = is_month(folded);
        let next_month = folds.get(i + 1).is_some_and(|n| is_month(n));
        if let Some(n) = number_key(folded) {
            if !prev_month && !next_month {
                add(keys, KeyKind::Number, n, in_title);
            }
        } else if !month && let Some((key, listed)) = word_key(raw, aliases) {
            let capital = raw.chars().next().is_some_and(char::is_uppercase);
            // A given name before a surname ("Donald Trump", "Vladimir
            // Putin"): the surname names the person; the given name only
            // adds weight every report of that person shares.
            let demonym = !listed && TITLES.contains(&folded.as_str());
            let given_name = capital
                && !listed
                && !demonym
                && toks.get(i + 1).is_some_and(|(next, w)| {
                    w.chars().next().is_some_and(char::is_uppercase)
                        && text.get(span.end..next.start) == Some(" ")
                });
            if given_name {
                prev_end = Some(span.end);
                prev_month = false;
                continue;
            }
            let inner = !starts_sentence(text, span.start, prev_end);
            // "Anti-Corruption": a prefix of a hyphenated word is part of
            // that word, not a name.
            let prefix = text.get(span.end..).is_some_and(|r| r.starts_with('-'))
                && WORD_PREFIXES.contains(&folded.as_str());
            // A demonym ("Russian"): context, a word (`word_key`).
            let name = listed || (capital && inner && !prefix && !demonym);
            let kind = if name { KeyKind::Name } else { KeyKind::Word };
            add(keys, kind, key, in_title);
        }
        prev_month = month;
        prev_end = Some(span.end);
    }
}

/// Prefixes written with a hyphen before a word ("anti-corruption",
/// "pro-Russian"): capitalised in a name's words, still no name.
const WORD_PREFIXES: &[&str] = &[
    "anti", "pro", "non", "counter", "ex", "co", "post", "pre", "self", "semi", "multi", "inter",
    "cross", "re", "vice", "de", "un", "mid", "over", "under", "sub", "super", "ultra",
];

/// Attributions that name a kind of source, not a speaker ("… — TV", "…
/// — media"): two such headlines are rarely one occasion. Keys (stems).
const NOT_A_SPEAKER: &[&str] = &[
    "tv", "media", "newspap", "paper", "sourc", "report", "agenc", "expert", "analyst", "poll",
    "survey", "websit", "channel", "blogger",
];

/// The key that marks a headline attributed to a kind of source that
/// gives its own view ("… — expert"): what it says is that source's, not
/// the statement of the people it names.
pub const SOURCE_KEY: &str = "?source";

/// Kinds of source that give their own view ("— expert"), unlike those
/// that relay a report ("— media", "— news agency"). Keys (stems).
const OPINION_SOURCES: &[&str] = &["expert", "analyst", "poll", "survey", "blogger"];

/// Whether a headline ends by attributing itself to a kind of source that
/// gives its own view, not a speaker ("Trump sees diminishing leverage for
/// Kiev as settlement stalls — expert").
fn attributed_to_a_source(head: &str, aliases: &Aliases) -> bool {
    for sep in [" — ", " – ", ", says ", ", said "] {
        if let Some(i) = head.rfind(sep) {
            let tail = &head[i + sep.len()..];
            if (1..=4).contains(&words(tail).count()) {
                return words(tail).any(|(_, w)| {
                    word_key(w, aliases).is_some_and(|(k, _)| OPINION_SOURCES.contains(&k.as_str()))
                });
            }
        }
    }
    false
}

/// Nouns of what someone said, after a possessive name ("Putin's
/// statements at …"): the headline is attributed to them.
const SAID_NOUNS: &[&str] = &[
    "statement",
    "statements",
    "remarks",
    "comments",
    "words",
    "speech",
    "address",
    "answers",
];

/// Who a headline is attributed to: "… — Lavrov", "… — Swiss MP", "…, says
/// Lavrov", "Putin's statements at …", "Zelensky says …" (the keys of those
/// words, joined).
fn speaker(head: &str, aliases: &Aliases) -> Option<String> {
    let join = |s: &str| -> Option<String> {
        let ks: Vec<String> = words(s)
            .filter_map(|(_, w)| word_key(w, aliases).map(|(k, _)| k))
            .collect();
        let generic = ks.iter().any(|k| NOT_A_SPEAKER.contains(&k.as_str()));
        (!ks.is_empty() && ks.len() <= 4 && !generic).then(|| ks.join("+"))
    };
    for sep in [" — ", " – ", ", says ", ", said "] {
        if let Some(i) = head.rfind(sep) {
            let tail = &head[i + sep.len()..];
            if (1..=4).contains(&words(tail).count()) {
                if let Some(holder) = aliases.role_holder(tail) {
                    return Some(holder.to_string());
                }
                return join(tail);
            }
        }
    }
    // "…: Putin's statements at meeting with …": a capitalised name in the
    // possessive (the surname), then a noun of what was said.
    let toks: Vec<&str> = words(head).map(|(_, w)| w).collect();
    for (i, w) in toks.iter().enumerate() {
        let folded = fold(w);
        let Some(name) = folded
            .strip_suffix("'s")
            .filter(|_| w.chars().next().is_some_and(char::is_uppercase))
        else {
            continue;
        };
        if toks
            .get(i + 1)
            .is_some_and(|n| SAID_NOUNS.contains(&fold(n).as_str()))
        {
            return join(name);
        }
    }
    // "Zelensky says …": one to three words, then a speech verb.
    let toks: Vec<&str> = words(head).map(|(_, w)| w).take(4).collect();
    let verb = toks
        .iter()
        .position(|w| SPEECH_AND_BLAME_VERBS.contains(&fold(w).as_str()))?;
    if (1..=3).contains(&verb) && toks[0].chars().next().is_some_and(char::is_uppercase) {
        return join(&toks[..verb].join(" "));
    }
    None
}

/// The key that marks a backgrounder ([`background`]): no word has a `?`.
pub const BACKGROUND_KEY: &str = "?background";

/// Labels of a page about a standing subject rather than one event.
const BACKGROUND_LABELS: &[&str] = &["explainer", "analysis", "insight", "q&a", "opinion"];

/// Whether a headline is a backgrounder about a standing subject ("Explainer:
/// What lies ahead for …", "What's next for Ukraine's … plant?") rather
/// than a report of one event: a backgrounder's label, a question, or a
/// look ahead. A question after a sentence that reports ("Mobile internet
/// down for a week. Is it a test?") is the report's. "What is known about the meeting …" (a FACTBOX of one event)
/// is the event's.
pub fn background(title: &str) -> bool {
    let t = strip_outlet(title.trim());
    if let Some((label, _)) = t.split_once(':')
        && BACKGROUND_LABELS.contains(&fold(label.trim()).as_str())
    {
        return true;
    }
    let h = fold(headline(title));
    let h = h.trim_end_matches(['"', '\'', '»', '”', ' ']);
    let known = ["what is known", "what's known", "что известно"]
        .iter()
        .any(|k| h.starts_with(k));
    let ahead = ["what's next", "what next", "what lies ahead"]
        .iter()
        .any(|k| h.contains(k));
    // "<A report>. <A question>?" (BBC Russian) reports the first.
    let one_sentence = !h.trim_end_matches('?').contains(". ");
    !known && ((h.ends_with('?') && one_sentence) || ahead)
}

/// The key that marks a conversation of two listed actors
/// ([`conversation`]).
pub const CONVERSATION_KEY: &str = "?told";

/// Verbs of a readout of what one actor said to another ("Putin told Trump
/// that …"): the occasion is their conversation.
const TOLD: &[&str] = &[
    "told", "tells", "tell", "assured", "assures", "warned", "warns",
];

/// Whether a headline reads out what one listed actor (person or
/// organisation of the entity list) told another: "Putin told Trump that
/// Russia's position will change after …" is the two's conversation, not
/// the event it cites.
pub fn conversation(head: &str, aliases: &Aliases) -> bool {
    let actor = |w: &str| {
        let folded = fold(w);
        let mut w = folded.as_str();
        while let Some(s) = w.strip_suffix("'s") {
            w = s;
        }
        aliases
            .lookup(&loose(w))
            .is_some_and(|(c, name)| name && aliases.is_actor(c))
    };
    let toks: Vec<&str> = words(head).map(|(_, w)| w).collect();
    toks.windows(3)
        .any(|w| actor(w[0]) && TOLD.contains(&fold(w[1]).as_str()) && actor(w[2]))
}

/// The event profile of an item.
pub fn profile(title: &str, text: &str, aliases: &Aliases) -> Vec<Key> {
    let head = headline(title);
    let mut keys = Vec::new();
    scan(head, true, 40, aliases, &mut keys);
    scan(
        after_dateline(text.trim()),
        false,
        LEAD_WORDS,
        aliases,
        &mut keys,
    );
    if let Some(s) = speaker(head, aliases) {
        keys.push(Key {
            kind: KeyKind::Speaker,
            text: s,
            in_title: true,
        });
    }
    if attributed_to_a_source(head, aliases) {
        keys.push(Key {
            kind: KeyKind::Word,
            text: SOURCE_KEY.to_string(),
            in_title: true,
        });
    }
    if conversation(head, aliases) {
        keys.push(Key {
            kind: KeyKind::Word,
            text: CONVERSATION_KEY.to_string(),
            in_title: true,
        });
    }
    if background(title) {
        keys.push(Key {
            kind: KeyKind::Word,
            text: BACKGROUND_KEY.to_string(),
            in_title: true,
        });
    }
    keys
}

/// A profile as stored: `<kind><t|l>:<text>` joined by spaces.
pub fn encode(keys: &[Key]) -> String {
    let mut out = String::new();
    for k in keys {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push(k.kind.tag());
        out.push(if k.in_title { 't' } else { 'l' });
        out.push(':');
        out.push_str(&k.text);
    }
    out
}

/// A stored profile; malformed keys are skipped.
pub fn decode(stored: &str) -> Vec<Key> {
    stored
        .split(' ')
        .filter_map(|k| {
            let mut cs = k.chars();
            let kind = KeyKind::from_tag(cs.next()?)?;
            let in_title = cs.next()? == 't';
            let text = cs.as_str().strip_prefix(':')?;
            (!text.is_empty()).then(|| Key {
                kind,
                text: text.to_string(),
                in_title,
            })
        })
        .collect()
}
