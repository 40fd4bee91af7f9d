//! Relevance features (the scoring stage of a topic): what the model reads
//! from one item. Datelines and wire boilerplate are stripped first, then
//! the title and the lead (the first words of the text) give stemmed words
//! and adjacent word pairs; the body beyond the lead gives nothing on its
//! own, so words scattered through a long article cannot add up. Field
//! features say where the boolean query hit (title, lead, body only) and
//! whether its terms sit close together.

use std::borrow::Cow;
use std::cell::RefCell;
use std::sync::OnceLock;

use foldhash::HashSet as FastSet;

use regex::Regex;
use regex_automata::nfa::thompson;
use regex_automata::{Anchored, Input, hybrid};

use crate::text::{StemLang, fold, stem, words};

use super::super::topics::LEAD_WORDS;
use super::frames::frame_features;

/// A word class of the lexicon, as stems (each language's stemmer, as
/// document words are stemmed).
pub(super) fn class_stems(words: &'static [&'static str]) -> FastSet<String> {
    let mut out = FastSet::default();
    for w in words {
        let f = fold(w);
        for lang in [StemLang::English, StemLang::Russian, StemLang::Ukrainian] {
            if StemLang::for_word(lang, &f) == lang {
                out.insert(stem(&f, lang).into_owned());
            }
        }
    }
    out
}

fn diplomacy() -> &'static FastSet<String> {
    static SET: OnceLock<FastSet<String>> = OnceLock::new();
    SET.get_or_init(|| class_stems(super::super::lexicon::diplomacy::DIPLOMACY))
}

fn conflict() -> &'static FastSet<String> {
    static SET: OnceLock<FastSet<String>> = OnceLock::new();
    SET.get_or_init(|| class_stems(super::super::lexicon::diplomacy::CONFLICT))
}

/// Stem prefixes of the war's theatre (the places, not the people: names
/// change with the news, the theatre does not).
fn theatre() -> &'static [&'static str] {
    &[
        "ukrain",
        "kiev",
        "kyiv",
        "donbas",
        "crimea",
        "zaporozh",
        "donetsk",
        "lugansk",
        "luhansk",
        "kherson",
        "украин",
        "киев",
        "донбас",
        "крым",
        "запорож",
        "україн",
        "київ",
        "крим",
    ]
}

/// Title words up to this far apart make a `tn:` pair.
const PAIR_WINDOW: usize = 5;

/// A leading dateline ("MOSCOW, December 3. /TASS/.", "KYIV, Dec 3 (Reuters) -",
/// "WASHINGTON (AP) —"): place in capitals, optional date, optional agency
/// marker; stripped because it names a capital in every wire item.
const DATELINE: &str = r"^\s*\p{Lu}[\p{Lu}\p{Pd} .'’]{1,40}(?:,\s*\p{Lu}[\p{Lu}\p{Pd} .'’]{1,40})*(?:,\s*\p{L}{3,10}\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*\.?\s*(?:/\s*[\p{L}\-]{2,12}\s*/|\(\s*[\p{L}\-]{2,12}\s*\))?\s*[.\-–—:]?\s*";

/// The dateline pattern as a lazy DFA searched from the text's start: a
/// third of the build time of a `Regex` (which also builds engines this
/// search never uses) and a fraction of its search time (the `Regex`
/// picked its backtracker here, which clears a bit set sized by the
/// pattern's Unicode classes on every call). Same leftmost-first match.
fn dateline() -> Option<&'static hybrid::dfa::DFA> {
    static DFA: OnceLock<Option<hybrid::dfa::DFA>> = OnceLock::new();
    DFA.get_or_init(|| {
        hybrid::dfa::DFA::builder()
            .thompson(thompson::Config::new().which_captures(thompson::WhichCaptures::None))
            .configure(hybrid::dfa::DFA::config().cache_capacity(3 << 20))
            .build(DATELINE)
            .ok()
    })
    .as_ref()
}

/// The same pattern as a `Regex`, for the rare search the lazy DFA gives
/// up on (or if it could not be built).
fn dateline_regex() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(DATELINE).expect("dateline pattern compiles"))
}

/// Where a leading dateline ends in `text`, if it has one.
fn dateline_end(text: &str) -> Option<usize> {
    thread_local! {
        static CACHE: RefCell<Option<hybrid::dfa::Cache>> = const { RefCell::new(None) };
    }
    let fast = dateline().and_then(|dfa| {
        CACHE.with(|cell| {
            let mut cache = cell.borrow_mut();
            let cache = cache.get_or_insert_with(|| dfa.create_cache());
            dfa.try_search_fwd(cache, &Input::new(text).anchored(Anchored::Yes))
                .ok()
        })
    });
    match fast {
        Some(found) => found.map(|m| m.offset()),
        None => dateline_regex()
            .find(text)
            .filter(|m| m.start() == 0)
            .map(|m| m.end()),
    }
}

/// `text` without a leading dateline; unchanged when it has none. Only a
/// dateline that ends in an agency marker or a date is taken, so a text
/// that starts with an acronym keeps it.
pub fn strip_dateline(text: &str) -> &str {
    match dateline_end(text) {
        Some(end) if end > 0 => {
            let head = &text[..end];
            let agency = head.contains('/') || head.contains('(');
            let dated = head.chars().any(|c| c.is_ascii_digit());
            if agency || dated { &text[end..] } else { text }
        }
        _ => text,
    }
}

/// Function words that carry no topic (English, Russian, Ukrainian).
fn is_skip(w: &str) -> bool {
    matches!(
        w,
        "a" | "an"
            | "the"
            | "of"
            | "to"
            | "in"
            | "on"
            | "for"
            | "and"
            | "or"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "by"
            | "with"
            | "at"
            | "as"
            | "it"
            | "its"
            | "this"
            | "that"
            | "from"
            | "has"
            | "have"
            | "had"
            | "will"
            | "would"
            | "s"
            | "t"
            | "he"
            | "she"
            | "they"
            | "we"
            | "i"
            | "his"
            | "her"
            | "their"
            | "our"
            | "not"
            | "но"
            | "и"
            | "в"
            | "на"
            | "с"
            | "по"
            | "что"
            | "не"
            | "к"
            | "о"
            | "за"
            | "из"
            | "у"
            | "від"
            | "та"
            | "і"
            | "з"
            | "що"
            | "до"
            | "для"
    )
}

/// The stemmed words of a folded text, function words left out (borrowed
/// from the text where the stem is the word).
fn stem_list(folded: &str, lang: StemLang) -> Vec<Cow<'_, str>> {
    words(folded)
        .map(|(_, w)| w)
        .filter(|w| !is_skip(w))
        .map(|w| {
            let l = StemLang::for_word(lang, w);
            if w.chars().all(|c| c.is_ascii_digit()) {
                Cow::Borrowed("#")
            } else {
                stem(w, l)
            }
        })
        .collect()
}

/// The stemmed words of a folded text, function words left out.
pub fn stems(folded: &str, lang: StemLang) -> Vec<String> {
    stem_list(folded, lang)
        .into_iter()
        .map(Cow::into_owned)
        .collect()
}

/// Where the boolean query hit, as the matcher reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QuerySignal {
    /// The query (with its exclusion) matched.
    pub matched: bool,
    /// Some term that hit occurs in the title.
    pub in_title: bool,
    /// Some term that hit occurs in the lead.
    pub in_lead: bool,
}

/// Where an item's features go, each given as the parts of its name: as
/// names (training, `match --explain`) or as the ids of a model's weights
/// (scoring, without building a string per feature).
pub trait FeatureSink {
    /// One feature, its name being the parts one after the other.
    fn add(&mut self, parts: &[&str]);
}

impl FeatureSink for Vec<String> {
    fn add(&mut self, parts: &[&str]) {
        self.push(parts.concat());
    }
}

/// The lead of a folded text: its first [`LEAD_WORDS`] words as they stand
/// (borrowed) when one space parts them, else joined by one space.
fn lead(folded: &str) -> Cow<'_, str> {
    let base = folded.as_ptr() as usize;
    let mut end = 0;
    let mut plain = true;
    for (n, w) in folded.split_whitespace().enumerate() {
        if n == LEAD_WORDS as usize {
            break;
        }
        let start = w.as_ptr() as usize - base;
        plain &= if n == 0 {
            start == 0
        } else {
            &folded[end..start] == " "
        };
        end = start + w.len();
    }
    if plain {
        Cow::Borrowed(&folded[..end])
    } else {
        Cow::Owned(
            folded
                .split_whitespace()
                .take(LEAD_WORDS as usize)
                .collect::<Vec<_>>()
                .join(" "),
        )
    }
}

/// The features of one item's wording (no query signal): sorted,
/// deduplicated names.
pub fn item_features(title: &str, text: &str, lang: StemLang) -> Vec<String> {
    let mut out = Vec::with_capacity(48);
    let body = strip_dateline(text);
    item_features_into(&fold(title), &fold(body), lang, &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// The features of one item's wording, unsorted and possibly repeated,
/// into `out`: from the folded title and the folded text without its
/// dateline (`fold(strip_dateline(text))`).
pub fn item_features_into(
    title_folded: &str,
    body_folded: &str,
    lang: StemLang,
    out: &mut impl FeatureSink,
) {
    let title_stems = stem_list(title_folded, lang);
    for s in &title_stems {
        out.add(&["t:", s]);
    }
    for p in title_stems.windows(2) {
        out.add(&["tt:", &p[0], "_", &p[1]]);
    }
    // Words near each other, in either order: how "plan" meets "ukrain"
    // in "US plan on Ukraine" and in "Ukraine peace plan" alike.
    for (i, a) in title_stems.iter().enumerate() {
        for b in title_stems.iter().skip(i + 2).take(PAIR_WINDOW - 1) {
            if a != b {
                let (x, y) = if a < b { (a, b) } else { (b, a) };
                out.add(&["tn:", x, "+", y]);
            }
        }
    }
    // Word classes: a talks word, a conflict word, and each word near a
    // talks word (`g:dipl+ukrain` learns from "plan", "envoy" and
    // "proposal" alike, so a word of talks not seen in training still counts).
    let dipl = diplomacy();
    let war = conflict();
    let is_dipl: Vec<bool> = title_stems
        .iter()
        .map(|s| dipl.contains(s.as_ref()))
        .collect();
    if is_dipl.iter().any(|&d| d) {
        out.add(&["g:dipl"]);
    }
    if title_stems.iter().any(|s| war.contains(s.as_ref())) {
        out.add(&["g:conflict"]);
    }
    // The war's context in the title: a talks word with no word of the
    // conflict or its theatre is likely other business of the same people
    // (other countries' talks, a "plan" of another kind).
    let ctx = title_stems
        .iter()
        .any(|s| war.contains(s.as_ref()) || theatre().iter().any(|p| s.starts_with(p)));
    if ctx {
        out.add(&["g:ctx"]);
    }
    if is_dipl.iter().any(|&d| d) && !ctx {
        out.add(&["g:dipl-noctx"]);
    }
    // A talks word used as a verb of intent ("plans to", "meet to") or of
    // another sense ("deal with", "call for"): the word after it decides.
    let raw: Vec<&str> = words(title_folded).map(|(_, w)| w).collect();
    frame_features(&title_stems, &raw, out);
    for p in raw.windows(2) {
        if matches!(p[1], "to" | "for" | "with") {
            let l = StemLang::for_word(lang, p[0]);
            let st = stem(p[0], l);
            if dipl.contains(st.as_ref()) {
                out.add(&["g:dipl_", p[1]]);
            }
        }
    }
    for (i, s) in title_stems.iter().enumerate() {
        let lo = i.saturating_sub(PAIR_WINDOW);
        let hi = (i + PAIR_WINDOW + 1).min(title_stems.len());
        if is_dipl[i] {
            continue;
        }
        if is_dipl[lo..hi].iter().any(|&d| d) {
            if war.contains(s.as_ref()) {
                out.add(&["g:dipl+conflict"]);
            }
            out.add(&["g:dipl+", s]);
        }
    }
    for s in stem_list(&lead(body_folded), lang) {
        out.add(&["l:", &s]);
    }
    if title_stems.len() <= 4 {
        out.add(&["f:short-title"]);
    }
}

/// The features of the query's signal.
pub fn signal_features(query: QuerySignal) -> &'static [&'static str] {
    match (query.matched, query.in_title, query.in_lead) {
        (false, _, _) => &[],
        (true, true, _) => &["q:match", "q:title"],
        (true, false, true) => &["q:match", "q:lead"],
        (true, false, false) => &["q:match", "q:body-only"],
    }
}

/// All features of one item: its wording's and the query's signal.
pub fn features(title: &str, text: &str, lang: StemLang, query: QuerySignal) -> Vec<String> {
    let mut out = item_features(title, text, lang);
    out.extend(signal_features(query).iter().map(|s| (*s).to_owned()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_datelines_are_stripped() {
        assert_eq!(
            strip_dateline("MOSCOW, December 3. /TASS/. The talks resumed"),
            "The talks resumed"
        );
        assert_eq!(
            strip_dateline("NEW YORK, Dec 3 (Reuters) - Shares fell"),
            "Shares fell"
        );
        assert_eq!(
            strip_dateline("UN OFFICIALS said nothing"),
            "UN OFFICIALS said nothing"
        );
        assert_eq!(strip_dateline("Talks resumed"), "Talks resumed");
    }

    /// The lazy DFA ends a dateline where the `Regex` of the same pattern
    /// does: wire shapes, and random strings of the characters the pattern
    /// turns on (capitals of two scripts, dashes, digits of two scripts,
    /// spaces, agency marks), from a fixed seed.
    #[test]
    fn the_dateline_search_ends_where_the_regex_does() {
        let regex = |t: &str| {
            dateline_regex()
                .find(t)
                .filter(|m| m.start() == 0)
                .map(|m| m.end())
        };
        let mut texts: Vec<String> = [
            "MOSCOW, December 3. /TASS/. The talks resumed",
            "WASHINGTON/NEW YORK, June 6. /TASS/. US billionaire",
            "KYIV, Dec 3, 2025 (Reuters) - Shares fell",
            "  ST. PETERSBURG, June 19. /TASS/ — Putin",
            "КИЕВ, 3 декабря. /ТАСС/. Текст",
            "UN OFFICIALS said nothing",
            "Talks resumed",
            "",
            "   ",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        let pieces = [
            "A", "B", "Z", "Д", "Ж", "a", "z", "ж", " ", "\u{a0}", ",", ".", "/", "(", ")", "-",
            "–", "—", ":", "'", "’", "1", "2", "9", "٣", "June", "Dec", "TASS", "AP", "\t",
        ];
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..20_000 {
            let n = rng.usize(1..40);
            texts.push((0..n).map(|_| pieces[rng.usize(..pieces.len())]).collect());
        }
        for t in &texts {
            assert_eq!(dateline_end(t), regex(t), "{t:?}");
        }
    }

    #[test]
    fn the_dateline_gives_no_feature() {
        let f = features(
            "Envoy arrives",
            "MOSCOW, December 3. /TASS/. An envoy",
            StemLang::English,
            QuerySignal::default(),
        );
        assert!(!f.iter().any(|x| x.contains("moscow")), "{f:?}");
        assert!(f.contains(&"l:envoy".to_owned()), "{f:?}");
        assert!(f.contains(&"tt:envoy_arriv".to_owned()), "{f:?}");
    }
}
