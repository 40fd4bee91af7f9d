//! Revisions: the word diff between two versions of an item and how much the
//! change matters (DESIGN.md, "detect" → *revisions*; issue 3, "Revisions").
//!
//! Owns the stage "an item came back with changed normalised text: what
//! changed, and is it cosmetic, minor or major?", plus the four guards the
//! writer applies before storing or alerting on a revision (extraction
//! failure, counters ticking across a feed, flapping, churn). Pure: values in, values out. No I/O, no SQL, no clock (callers pass
//! `now`), no tokio; it depends only on `crate::text` and the `similar` crate.
//! It must never panic, whatever the feed sent (a randomised test checks).
//!
//! # Two views of a change
//!
//! - **Display diff** ([`FieldDiff`]): the exact text, split into words,
//!   whitespace runs and single punctuation marks, diffed with `similar`
//!   (Myers). Concatenating `Equal`+`Delete` gives the old text back and
//!   `Equal`+`Insert` the new one, byte for byte. Long texts are diffed
//!   paragraph by paragraph first and very large changed regions fall back to
//!   one coarse delete/insert pair (reason `diff_truncated`), so a 256 KiB
//!   article costs milliseconds, not seconds.
//! - **Analysis**: the cleaned text cut into words with [`text::words`]
//!   (UAX #29), each reduced to a *key*: folded ([`text::fold`]), apostrophes
//!   and English possessive `'s` dropped, acronym dots dropped (`U.S.` = `US`),
//!   spelled numerals one–ten as digits (`three` = `3`, also Russian and
//!   Ukrainian), thousands separators unified (`10,000` = `10 000`),
//!   Cyrillic spelling variants merged (`ґ`→`г`, `є`→`е`, `ї`/`і`→`и`) and, in
//!   Ukrainian text, the euphonic alternations `у`/`в`, `з`/`із`/`зі`, `і`/`й`.
//!   The share of words changed and the words that changed come from the
//!   multiset difference of keys, so moving a phrase is not "rewriting" it.
//!
//! # Significance rules (per field, title and text; quotes per item)
//!
//! **Major** when any of these holds (each adds its reason):
//! - `numbers_changed: 5 → 22` — the multiset of numbers differs (digits
//!   inside words count: `800-drone`, `Q1`). AP "…strikes kill 5 in
//!   Ukraine…" → "…kill 22…" (`history/apnews`, 20260505T180105Z).
//! - `negation_flipped` — the count of negators (not, no, never, n't, не, ни,
//!   нет, без, ні, немає…) differs. Novaya Gazeta Europe "…Это правда? Не
//!   совсем" → "…Это правда?" (20251107T114622Z): dropping "Не совсем"
//!   reverses the answer.
//! - `quote_changed` — a quoted span («…», “…”, „…“, "…", ‘…’) of either
//!   version whose stemmed words are in no quote of the other version (title
//!   and text together) and do not stand there un-quoted either. Novaya
//!   "«Сыт по горло этой властью»" → "«Сыт до горла…»" (20251219T171751Z).
//!   Short capitalised spans are names, not speech, and are left to the
//!   names rule: Svoboda `главы "Ростеха"` dropped (20250916T093248Z),
//!   `"Рубикона"` → `"Рубикон"` (20250917T125814Z).
//! - `speaker_changed: Russia → Russia and Ukraine` — the words before a
//!   speech verb (said, accuses, заявил, заявив…; after it when the clause
//!   starts with the verb, "заявил Песков"; after "by" in a passive) were
//!   replaced, not merely added or dropped. AP "Russia accuses
//!   Ukraine of violating US-brokered 3-day truce" → "Russia and Ukraine
//!   accuse each other…" (20260510T210106Z): the proper names are the same
//!   set, so only this rule sees it.
//! - `names_changed: Дмитрий → Денис` — a capitalised word (not at a sentence
//!   start) was removed *and* another added, and they are not spelling
//!   variants of each other. Novaya "анархист Дмитрий Козак" → "…Денис Козак"
//!   (20250913T172339Z). Corrections within one or two letters are only
//!   noted (`name_spelling: Пунчук/Пинчук`, Novaya 20251020T172757Z; The
//!   Insider "УСБ ФБ" → "УСБ ФСБ", 20250805T193207Z).
//! - `title_reframed: 0.67` — the title changed with a title share ≥
//!   [`TITLE_REFRAMED_SHARE`].
//! - `topic_terms_changed: ceasefire, truce` — a changed word whose fold or
//!   stem is one of `topic_terms`. AP "…before brief truce takes hold" →
//!   "…before announced ceasefire" (20260505T162850Z) is major for a topic
//!   watching ceasefire/truce and minor (share 0.20) for everybody else: a
//!   synonym swap only matters to a topic whose own vocabulary moved.
//! - `share_changed: 0.42` — changed share ≥ [`MAJOR_SHARE`].
//!
//! **Cosmetic** when no major rule fired and each field is either unchanged
//! in keys (reasons `whitespace_only`, `quote_glyphs_only`, `case_only`,
//! `punctuation_only`, `spelling_variant: U.S./US`,
//! `numerals_spelled: three/3`) or the same multiset of keys in another
//! order (`word_order_only`). AP "…violating U.S.-brokered three-day truce" →
//! "…US-brokered 3-day truce" (20260510T170848Z); The Insider "Ландромат на
//! службе Кремля: миллиардер…" → "…Кремля. Миллиардер…" (20250925T103218Z);
//! texty.org.ua "за грати" → "за ґрати" (20250804T094359Z) and "з
//! Херсонщини…у Росії…проект" → "із Херсонщини…в Росії…проєкт"
//! (20251215T100427Z); Svoboda "Как Сергей Чемезов с товарищами обустроился
//! в Дубае" → "Как обустроился в Дубае Сергей Чемезов с товарищами"
//! (20250731T114847Z → 20250731T135121Z). A reordering that swaps who
//! accuses whom ("Russia accuses Ukraine" → "Ukraine accuses Russia") is
//! caught by `speaker_changed` first. Quote marks added or removed around the same words
//! are not cosmetic (`quote_marks_changed`, minor): AP "…was ‘fraudulently’
//! taken" → "…was fraudulently taken" (20260510T160056Z) moves a claim from
//! Venezuela's voice into AP's.
//!
//! **Minor** otherwise, with `words_changed: N`.
//!
//! [`text::words`]: crate::text::words
//! [`text::fold`]: crate::text::fold

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::LazyLock;

use chrono::{DateTime, Duration, Utc};
use similar::{Algorithm, DiffTag, capture_diff_slices};

use crate::text::{Span, StemLang, clean_text, fold, guess_language, stem, words};

/// A changed share (see [`Revision::changed_share`]) at or above this is a
/// large rewrite. AP "Wall Street drops from its records…" → "…falls from…"
/// (one verb, 0.06) must stay minor; "Sudan's military accuses Ethiopia…" →
/// "Sudan recalls ambassador to Ethiopia over drone attack…" (0.52) is a new
/// story under the same link.
pub const MAJOR_SHARE: f64 = 0.35;
/// A title whose own changed share is at or above this has been reframed.
pub const TITLE_REFRAMED_SHARE: f64 = 0.5;
/// Weight of the title in [`Revision::changed_share`] when both fields have
/// words: a headline is read by everyone, the body by few, so the title
/// counts for a quarter however short it is.
const TITLE_WEIGHT: f64 = 0.25;

/// Major reason codes in the order they are listed.
const MAJOR_ORDER: &[&str] = &[
    "numbers_changed",
    "negation_flipped",
    "quote_changed",
    "speaker_changed",
    "names_changed",
    "title_reframed",
    "topic_terms_changed",
    "share_changed",
];

/// Extraction-failure guard: the new text is shorter than this share of the
/// old one (in characters)…
const COLLAPSE_RATIO: f64 = 0.30;
/// …the old text had at least this many characters (a 40-character teaser
/// replaced by a 10-character one is an edit, not a collapse)…
const COLLAPSE_MIN_OLD_CHARS: usize = 100;
/// …and at least this share of the new words were already in the old title
/// or text: what is left is a remnant, not a rewrite. texty.org.ua's feed
/// once replaced a 260-character teaser by the title itself
/// (history/texty-org-ua, 20250930T172650Z): a collapse. A short teaser in
/// new words replacing a long one is an edit and stays one.
const COLLAPSE_REMNANT_SHARE: f64 = 0.8;

/// Churn guard: more than this many revisions of one item…
pub const CHURN_MAX_REVISIONS: usize = 5;
/// …within this many hours, and the item is churning (a feed that rewrites a
/// live blog on every fetch must not mail on every fetch).
pub const CHURN_WINDOW_HOURS: i64 = 24;

/// Display diff: texts with more tokens than this (both sides together) are
/// diffed paragraph by paragraph first. ~20k tokens ≈ 50 KiB of prose.
const DIRECT_DIFF_MAX_TOKENS: usize = 20_000;
/// A changed paragraph region with more tokens than this is shown as one
/// coarse delete/insert pair (`diff_truncated`).
const HUNK_DIFF_MAX_TOKENS: usize = 20_000;
/// At most this many tokens are word-diffed per field in total; regions past
/// the budget are coarse (`diff_truncated`). Bounds the work on a 256 KiB text
/// rewritten paragraph by paragraph.
const TOKEN_DIFF_BUDGET: usize = 200_000;
/// Reasons list at most this many words (topic terms) to stay one line.
const MAX_LISTED: usize = 5;

// The classes and the diff are the shared vocabulary (`model`): the
// store keeps them and messages show them.
pub use crate::model::{DiffOp, FieldDiff, Significance, UnknownSignificance};

/// One version of an item, as compared.
#[derive(Clone, Copy, Debug)]
pub struct VersionText<'a> {
    pub title: &'a str,
    pub text: &'a str,
}

/// The comparison of two versions.
#[derive(Clone, Debug, PartialEq)]
pub struct Revision {
    pub significance: Significance,
    /// Machine-stable short codes, `code` or `code: detail` (module docs).
    pub reasons: Vec<String>,
    pub title: FieldDiff,
    pub text: FieldDiff,
    /// Share of words changed, 0..=1: per field (deleted + inserted words) /
    /// (old + new words) after normalisation; title and text weighted
    /// [`TITLE_WEIGHT`] : 1 − [`TITLE_WEIGHT`] when both have words.
    pub changed_share: f64,
}

/// Compares two versions of an item. `topic_terms` are the terms of the
/// topics either version matched (folded words or stems; `negotiat*`,
/// `"peace talks"` and `title:truce` forms are understood); may be empty.
pub fn compare(old: &VersionText, new: &VersionText, topic_terms: &[String]) -> Revision {
    let mut truncated = false;
    let title = diff_field(old.title, new.title, &mut truncated);
    let text = diff_field(old.text, new.text, &mut truncated);

    let lang = doc_language(old).or_else(|| doc_language(new));
    let ukrainian = lang == Some("uk");
    let doc = StemLang::from_code(lang);
    let title_old = Field::analyse(old.title, ukrainian);
    let title_new = Field::analyse(new.title, ukrainian);
    let text_old = Field::analyse(old.text, ukrainian);
    let text_new = Field::analyse(new.text, ukrainian);

    let t = FieldVerdict::judge(&title_old, &title_new, doc, old.title == new.title);
    let x = FieldVerdict::judge(&text_old, &text_new, doc, old.text == new.text);
    let changed_share = weighted_share(&t, &x);
    let quotes = quote_change([&title_old, &text_old], [&title_new, &text_new], doc);

    let hits = topic_hits(&t, &x, topic_terms, doc);
    let (significance, mut reasons) = classify(&t, &x, quotes, &hits, changed_share);
    if truncated {
        reasons.push("diff_truncated".to_string());
    }
    dedup_keep_order(&mut reasons);
    Revision {
        significance,
        reasons,
        title,
        text,
        changed_share,
    }
}

/// The rules of the module docs, applied to the per-field verdicts.
fn classify(
    t: &FieldVerdict,
    x: &FieldVerdict,
    quotes: QuoteChange,
    hits: &[String],
    changed_share: f64,
) -> (Significance, Vec<String>) {
    let mut major = Vec::new();
    major.extend(t.major.iter().cloned());
    major.extend(x.major.iter().cloned());
    if quotes == QuoteChange::Changed {
        major.push("quote_changed".to_string());
    }
    if t.share >= TITLE_REFRAMED_SHARE {
        major.push(format!("title_reframed: {:.2}", t.share));
    }
    if !hits.is_empty() {
        major.push(format!("topic_terms_changed: {}", hits.join(", ")));
    }
    if changed_share >= MAJOR_SHARE {
        major.push(format!("share_changed: {changed_share:.2}"));
    }

    // One documented order, whichever field a reason came from.
    major.sort_by_key(|r| MAJOR_ORDER.iter().position(|c| r.starts_with(c)));
    if !major.is_empty() {
        (Significance::Major, major)
    } else if t.cosmetic && x.cosmetic && quotes == QuoteChange::Same {
        let mut r: Vec<String> = t.notes.iter().chain(&x.notes).cloned().collect();
        if r.is_empty() {
            r.push("unchanged".to_string());
        }
        (Significance::Cosmetic, r)
    } else {
        let changed = t.changed_words() + x.changed_words();
        let mut r: Vec<String> = t.notes.iter().chain(&x.notes).cloned().collect();
        // Cosmetic notes of the other field would only distract here.
        r.retain(|n| n.starts_with("name_spelling"));
        if quotes == QuoteChange::MarksOnly {
            r.insert(0, "quote_marks_changed".to_string());
        }
        r.push(format!("words_changed: {changed}"));
        (Significance::Minor, r)
    }
}

/// Guard: the new text collapsed to a remnant of the old (feed truncation or
/// extraction failure), which must not be reported as an edit. True when the
/// text was emptied, or when the title is unchanged (up to cosmetic
/// differences) and the new text is under [`COLLAPSE_RATIO`] of an old text
/// of at least [`COLLAPSE_MIN_OLD_CHARS`] characters and mostly made of old
/// words ([`COLLAPSE_REMNANT_SHARE`]).
pub fn is_extraction_failure(old: &VersionText, new: &VersionText) -> bool {
    let old_text = clean_text(old.text);
    let new_text = clean_text(new.text);
    let old_len = old_text.chars().count();
    let new_len = new_text.chars().count();
    if old_len == 0 {
        return false;
    }
    if new_len == 0 {
        return true;
    }
    if old_len < COLLAPSE_MIN_OLD_CHARS || (new_len as f64) >= COLLAPSE_RATIO * old_len as f64 {
        return false;
    }
    let keys = |s: &str| -> Vec<String> {
        Field::analyse(s, false)
            .toks
            .into_iter()
            .map(|t| t.key)
            .collect()
    };
    if keys(old.title) != keys(new.title) {
        return false;
    }
    let mut old_keys = keys(&old_text);
    old_keys.extend(keys(old.title));
    let mut pool = counts(old_keys.iter().map(String::as_str));
    let new_keys = keys(&new_text);
    if new_keys.is_empty() {
        // Only punctuation left: nothing of the article survived.
        return true;
    }
    let kept = new_keys.iter().filter(|k| take(&mut pool, k)).count();
    kept as f64 >= COLLAPSE_REMNANT_SHARE * new_keys.len() as f64
}

/// Guard, with [`counters_in_feed`]: `new` differs from `old` in the digits
/// of its numbers and nothing else, title and text (a points or comments
/// counter, "updated 5 minutes ago").
pub fn numbers_only(old: &VersionText, new: &VersionText) -> bool {
    let digitless = |s: &str| -> String { s.chars().filter(|c| !c.is_ascii_digit()).collect() };
    (old.title != new.title || old.text != new.text)
        && digitless(old.title) == digitless(new.title)
        && digitless(old.text) == digitless(new.text)
}

/// Fewest items of one fetch changed in their numbers alone for the feed to
/// be taken as one that carries counters.
pub const COUNTER_MIN_ITEMS: usize = 3;

/// Guard: whether `numbers_only_changes` of a fetch's `entries` changed in
/// their numbers alone (see [`numbers_only`]) — at least
/// [`COUNTER_MIN_ITEMS`] and a quarter of the feed — so that these are
/// counters ticking, not edits. An aggregator's feed (Hacker News: "Points:
/// 74 # Comments: 44" in every item) made a `numbers_changed` major revision
/// of every item at every poll. Real number edits ("strikes kill 5" → "kill
/// 22") come one story at a time.
pub fn counters_in_feed(numbers_only_changes: usize, entries: usize) -> bool {
    numbers_only_changes >= COUNTER_MIN_ITEMS.max(entries.div_ceil(4))
}

/// Guard: the new version's content hash equals that of a version before the
/// current one (A→B→A), so the change back is a flap, reported once (when
/// A→B happened), not again.
pub fn is_flap(new_hash: &str, earlier_hashes: &[String]) -> bool {
    !new_hash.is_empty() && earlier_hashes.iter().any(|h| h == new_hash)
}

/// Guard: the item already has [`CHURN_MAX_REVISIONS`] or more stored
/// revisions (`recent_revision_times`, not counting the one being judged)
/// in the [`CHURN_WINDOW_HOURS`] before `now`. Times after `now` count as
/// recent: a clock stepped back must not reset the cap.
pub fn is_churning(recent_revision_times: &[DateTime<Utc>], now: DateTime<Utc>) -> bool {
    let since = now - Duration::hours(CHURN_WINDOW_HOURS);
    recent_revision_times.iter().filter(|t| **t > since).count() >= CHURN_MAX_REVISIONS
}

/// Renders a diff as inline markup for terminals and plain-text mail:
/// deletions as `[-old-]`, insertions as `{+new+}`, equal text as is.
pub fn render_plain(diff: &FieldDiff) -> String {
    let mut out = String::new();
    for op in &diff.ops {
        match op {
            DiffOp::Equal(s) => out.push_str(s),
            DiffOp::Delete(s) => {
                out.push_str("[-");
                out.push_str(s);
                out.push_str("-]");
            }
            DiffOp::Insert(s) => {
                out.push_str("{+");
                out.push_str(s);
                out.push_str("+}");
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Display diff

/// Word diff of one field, paragraph-first for long texts.
fn diff_field(old: &str, new: &str, truncated: &mut bool) -> FieldDiff {
    let mut ops = Ops::default();
    if old == new {
        ops.push(Kind::Equal, old);
        return FieldDiff { ops: ops.finish() };
    }
    let old_toks = display_tokens(old);
    let new_toks = display_tokens(new);
    if old_toks.len() + new_toks.len() <= DIRECT_DIFF_MAX_TOKENS {
        token_diff(&old_toks, &new_toks, &mut ops);
        return FieldDiff { ops: ops.finish() };
    }
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = new.split_inclusive('\n').collect();
    let mut budget = TOKEN_DIFF_BUDGET;
    for op in capture_diff_slices(Algorithm::Patience, &old_lines, &new_lines) {
        let (tag, o, n) = op.as_tag_tuple();
        let old_part: String = old_lines[o].concat();
        let new_part: String = new_lines[n].concat();
        match tag {
            DiffTag::Equal => ops.push(Kind::Equal, &old_part),
            DiffTag::Delete => ops.push(Kind::Delete, &old_part),
            DiffTag::Insert => ops.push(Kind::Insert, &new_part),
            DiffTag::Replace => {
                let a = display_tokens(&old_part);
                let b = display_tokens(&new_part);
                let size = a.len() + b.len();
                if size <= HUNK_DIFF_MAX_TOKENS && size <= budget {
                    budget -= size;
                    token_diff(&a, &b, &mut ops);
                } else {
                    *truncated = true;
                    ops.push(Kind::Delete, &old_part);
                    ops.push(Kind::Insert, &new_part);
                }
            }
        }
    }
    FieldDiff { ops: ops.finish() }
}

fn token_diff(old: &[&str], new: &[&str], ops: &mut Ops) {
    for op in capture_diff_slices(Algorithm::Myers, old, new) {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => ops.push(Kind::Equal, &old[o].concat()),
            DiffTag::Delete => ops.push(Kind::Delete, &old[o].concat()),
            DiffTag::Insert => ops.push(Kind::Insert, &new[n].concat()),
            DiffTag::Replace => {
                ops.push(Kind::Delete, &old[o].concat());
                ops.push(Kind::Insert, &new[n].concat());
            }
        }
    }
}

/// Words, whitespace runs and single other characters, covering `s` exactly.
fn display_tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut pos = 0;
    for (span, _) in words(s) {
        gap_tokens(&s[pos..span.start], &mut out);
        out.push(&s[span.start..span.end]);
        pos = span.end;
    }
    gap_tokens(&s[pos..], &mut out);
    out
}

fn gap_tokens<'a>(gap: &'a str, out: &mut Vec<&'a str>) {
    let mut rest = gap;
    while let Some(c) = rest.chars().next() {
        let len = if c.is_whitespace() {
            rest.find(|c: char| !c.is_whitespace())
                .unwrap_or(rest.len())
        } else {
            c.len_utf8()
        };
        out.push(&rest[..len]);
        rest = &rest[len..];
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Equal,
    Delete,
    Insert,
}

/// Builds the op list: merges neighbours of one kind, and folds an equal run
/// of only spaces/punctuation that sits between two changes into both sides,
/// so "brief truce takes hold" → "announced ceasefire" reads as one change
/// instead of `[-brief-]{+announced+} [-truce takes hold-]{+ceasefire+}`.
#[derive(Default)]
struct Ops {
    out: Vec<DiffOp>,
    del: String,
    ins: String,
    /// Word-less equal text seen after a change, not yet placed.
    pending: String,
}

impl Ops {
    fn push(&mut self, kind: Kind, s: &str) {
        if s.is_empty() {
            return;
        }
        let in_change = !self.del.is_empty() || !self.ins.is_empty();
        match kind {
            Kind::Equal if in_change && !s.chars().any(char::is_alphanumeric) => {
                self.pending.push_str(s);
            }
            Kind::Equal => {
                self.flush_change();
                let text = std::mem::take(&mut self.pending) + s;
                match self.out.last_mut() {
                    Some(DiffOp::Equal(e)) => e.push_str(&text),
                    _ => self.out.push(DiffOp::Equal(text)),
                }
            }
            Kind::Delete | Kind::Insert => {
                if !self.pending.is_empty() {
                    // Absorb the separator only if the change then has both
                    // sides; a run of pure deletions keeps its spaces equal.
                    let other_side = match kind {
                        Kind::Delete => &self.ins,
                        _ => &self.del,
                    };
                    if !other_side.is_empty() {
                        let p = std::mem::take(&mut self.pending);
                        self.del.push_str(&p);
                        self.ins.push_str(&p);
                    } else {
                        self.flush_change();
                        let p = std::mem::take(&mut self.pending);
                        self.out.push(DiffOp::Equal(p));
                    }
                }
                match kind {
                    Kind::Delete => self.del.push_str(s),
                    _ => self.ins.push_str(s),
                }
            }
        }
    }

    fn flush_change(&mut self) {
        if !self.del.is_empty() {
            self.out.push(DiffOp::Delete(std::mem::take(&mut self.del)));
        }
        if !self.ins.is_empty() {
            self.out.push(DiffOp::Insert(std::mem::take(&mut self.ins)));
        }
    }

    fn finish(mut self) -> Vec<DiffOp> {
        self.flush_change();
        if !self.pending.is_empty() {
            let p = std::mem::take(&mut self.pending);
            self.out.push(DiffOp::Equal(p));
        }
        self.out
    }
}

// ---------------------------------------------------------------------------
// Analysis: words with normalised keys

/// One analysed word of a field.
struct Tok {
    /// As written (acronyms keep their final dot: "U.S.").
    text: String,
    /// `fold`ed text, apostrophes unified.
    folded: String,
    /// Normalised comparison key (module docs).
    key: String,
    /// Starts with an upper-case letter.
    cap: bool,
    /// First word of the field or after . ! ? : … or a line break.
    sentence_start: bool,
    /// A clause boundary (punctuation, quote mark, dash) precedes the word.
    clause_start: bool,
}

/// One analysed field: its words and quoted spans (as word index ranges).
struct Field {
    /// The field after `clean_text`.
    clean: String,
    toks: Vec<Tok>,
    quotes: Vec<std::ops::Range<usize>>,
}

impl Field {
    fn analyse(raw: &str, ukrainian: bool) -> Field {
        let clean = clean_text(raw);
        let spans = word_spans(&clean);
        let mut toks = Vec::with_capacity(spans.len());
        let mut prev_end = 0;
        for span in &spans {
            let gap = clean.get(prev_end..span.start).unwrap_or("");
            let mut end = span.end;
            let word = &clean[span.start..span.end];
            if is_acronym(word) && clean[end..].starts_with('.') {
                end += 1;
            }
            let text = &clean[span.start..end];
            let folded = fold(word);
            toks.push(Tok {
                key: key_of(&folded, ukrainian),
                folded,
                cap: word.chars().next().is_some_and(char::is_uppercase),
                sentence_start: toks.is_empty() || gap.contains(SENTENCE_END),
                clause_start: toks.is_empty() || gap.contains(CLAUSE_BREAK),
                text: text.to_string(),
            });
            prev_end = end;
        }
        let quotes = quote_spans(&clean)
            .into_iter()
            .map(|q| {
                let from = spans.partition_point(|s| s.start < q.start);
                let to = spans.partition_point(|s| s.end <= q.end);
                from..to.max(from)
            })
            .filter(|r| !r.is_empty())
            .collect();
        Field {
            clean,
            toks,
            quotes,
        }
    }

    fn keys(&self) -> impl Iterator<Item = &str> {
        self.toks.iter().map(|t| t.key.as_str())
    }
}

const SENTENCE_END: &[char] = &['.', '!', '?', ':', '…', '\n'];
/// Quote marks are not clause breaks: Russian quotes names mid-clause
/// ("Жена координатора «Русской общины» из Троицка утверждает").
const CLAUSE_BREAK: &[char] = &[
    '.', ',', ';', ':', '!', '?', '…', '\n', '—', '–', '(', ')', '[', ']',
];

/// Word spans of cleaned text: `text::words`, with two repairs. A word that
/// UAX #29 glued across a dot or colon ("всиновлення.Спільний" — a missing
/// space in texty.org.ua 20251215T100427Z) is split unless it is an acronym
/// ("U.S") or a number ("1.5"); and digit groups separated by one space
/// ("10 000", Russian style) are one number.
fn word_spans(clean: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (span, w) in words(clean) {
        let glued = w.contains(['.', ':']) && !is_acronym(w) && !is_numeric(w);
        if glued {
            let mut start = span.start;
            for part in w.split(['.', ':']) {
                if !part.is_empty() {
                    out.push(Span {
                        start,
                        end: start + part.len(),
                    });
                }
                start += part.len() + 1;
            }
            continue;
        }
        if let Some(last) = out.last_mut() {
            let prev = &clean[last.start..last.end];
            let group = w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit());
            let joins = is_numeric(prev)
                && prev
                    .rsplit([',', '.', ' '])
                    .next()
                    .is_some_and(|g| g.len() <= 3)
                && clean.get(last.end..span.start) == Some(" ");
            if group && joins {
                last.end = span.end;
                continue;
            }
        }
        out.push(span);
    }
    out
}

/// Single letters joined by dots: "U.S", "U.K", "J.D".
fn is_acronym(w: &str) -> bool {
    w.contains('.')
        && w.split('.').all(|p| {
            let mut c = p.chars();
            c.next().is_some_and(char::is_alphabetic) && c.next().is_none()
        })
}

/// Digits with `.`/`,`/space separators: "10,000", "1.5", "10 000".
fn is_numeric(w: &str) -> bool {
    w.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && w.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b',' | b' '))
}

/// Spelled numerals that mean the same as digits (apostrophes already
/// dropped): one to ten, as the AP "three-day" → "3-day" edit, with Russian
/// and Ukrainian nominative and common genitive forms.
fn numeral(w: &str) -> Option<&'static str> {
    Some(match w {
        "one" | "один" | "одна" | "одно" | "одне" => "1",
        "two" | "два" | "две" | "дві" | "двух" | "двох" => "2",
        "three" | "три" | "трех" | "трьох" => "3",
        "four" | "четыре" | "четырех" | "чотири" | "чотирьох" => "4",
        "five" | "пять" | "пяти" => "5",
        "six" | "шесть" | "шість" | "шести" => "6",
        "seven" | "семь" | "сім" | "семи" => "7",
        "eight" | "восемь" | "вісім" | "восьми" => "8",
        "nine" | "девять" | "девяти" => "9",
        "ten" | "десять" | "десяти" => "10",
        _ => return None,
    })
}

/// The comparison key of a folded word (module docs, "Analysis").
fn key_of(folded: &str, ukrainian: bool) -> String {
    if is_numeric(folded) {
        return number_key(folded);
    }
    if is_acronym(folded) {
        return folded.replace('.', "");
    }
    let mut w = folded;
    if let Some(stem) = w.strip_suffix("'s")
        && stem.chars().count() >= 2
    {
        // English possessive: "Russia’s" is the word Russia.
        w = stem;
    }
    let w: String = w.chars().filter(|&c| c != '\'').collect();
    if let Some(digits) = numeral(&w) {
        return digits.to_string();
    }
    let w = if ukrainian {
        // Ukrainian euphony (милозвучність): the same preposition/conjunction
        // spelled by the neighbouring sounds, e.g. texty.org.ua "у Росії" →
        // "в Росії", "з Херсонщини" → "із Херсонщини".
        match w.as_str() {
            "в" => "у".to_string(),
            "й" => "і".to_string(),
            "із" | "зі" | "зо" => "з".to_string(),
            _ => w,
        }
    } else {
        w
    };
    // Cyrillic spelling variants (2019 Ukrainian orthography, Russian vs
    // Ukrainian spellings of names): грати/ґрати, проект/проєкт.
    w.chars()
        .map(|c| match c {
            'ґ' => 'г',
            'є' => 'е',
            'ї' | 'і' => 'и',
            c => c,
        })
        .collect()
}

/// "10,000" / "10 000" / "10.000" → "10000"; "1,5" / "1.5" → "1.5".
fn number_key(n: &str) -> String {
    let groups: Vec<&str> = n.split(['.', ',', ' ']).filter(|g| !g.is_empty()).collect();
    match groups.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [first, rest @ ..] if rest.iter().all(|g| g.len() == 3) => {
            let mut s = (*first).to_string();
            rest.iter().for_each(|g| s.push_str(g));
            s
        }
        [int, frac] => format!("{int}.{frac}"),
        all => all.concat(),
    }
}

/// Byte ranges of the contents of quoted spans in `s`, outermost only.
/// Openers « „ “ ‘ "; closers » “ ” ’ ". A ’ followed by a letter is an
/// apostrophe ("Russia’s"), and ‘ after a letter is not an opener.
fn quote_spans(s: &str) -> Vec<std::ops::Range<usize>> {
    const MAX_DEPTH: usize = 16;
    let mut stack: Vec<(char, usize)> = Vec::new();
    let mut found: Vec<std::ops::Range<usize>> = Vec::new();
    let mut prev: Option<char> = None;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let after = i + c.len_utf8();
        let close = |stack: &mut Vec<(char, usize)>, found: &mut Vec<_>, openers: &[char]| {
            if let Some(pos) = stack.iter().rposition(|(o, _)| openers.contains(o)) {
                let start = stack[pos].1;
                stack.truncate(pos);
                found.push(start..i);
                true
            } else {
                false
            }
        };
        match c {
            '«' | '„' => stack.push((c, after)),
            '»' => {
                close(&mut stack, &mut found, &['«']);
            }
            // “ closes „ (German/Ukrainian style) and opens otherwise.
            '“' if !close(&mut stack, &mut found, &['„']) => stack.push((c, after)),
            '“' => {}
            '”' => {
                close(&mut stack, &mut found, &['“', '„']);
            }
            '‘' if !prev.is_some_and(char::is_alphanumeric) => stack.push((c, after)),
            '’' if !next.is_some_and(char::is_alphanumeric) => {
                close(&mut stack, &mut found, &['‘']);
            }
            '"' if !close(&mut stack, &mut found, &['"']) => stack.push((c, after)),
            _ => {}
        }
        if stack.len() > MAX_DEPTH {
            stack.remove(0);
        }
        prev = Some(c);
    }
    found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut outer: Vec<std::ops::Range<usize>> = Vec::new();
    for r in found {
        if outer.last().is_none_or(|o| r.start >= o.end) {
            outer.push(r);
        }
    }
    outer
}

// ---------------------------------------------------------------------------
// Analysis: per-field verdict

/// Negators; a count that differs between versions flips the meaning.
const NEGATORS: &str = "not no never nor cannot none nobody nothing neither не ни нет никогда без ні \
     немає нема ніколи";

/// Verbs that attribute speech or blame (folded). The words before them are
/// who says what.
const SPEECH_VERBS: &str = "say says said tell tells told accuse accuses accused claim claims claimed deny \
     denies denied warn warns warned insist insists insisted blame blames blamed \
     заявил заявила заявили заявляет заявляют сказал сказала сказали сообщил сообщила \
     сообщили обвинил обвинила обвинили обвиняет обвиняют утверждает утверждают \
     отрицает заявив заявляє заявляють сказав повідомив повідомила повідомили \
     звинуватив звинуватила звинуватили звинувачує звинувачують стверджує заперечує";

/// Skipped when collecting who speaks: articles and auxiliaries ("Operator
/// of hantavirus-hit ship will say…", AP 20260513T182509Z).
const NOT_ACTORS: &str = "the a an will would has have had is are was were also reportedly did does do \
     could may might must should can также уже теж вже";

/// What one field's change amounts to.
struct FieldVerdict {
    /// Changed share of this field, 0..=1.
    share: f64,
    /// Number of words in the two versions together.
    total: usize,
    /// Folded words in the multiset difference (old side, then new side).
    changed: Vec<String>,
    major: Vec<String>,
    /// Cosmetic reasons, or minor notes (`name_spelling`).
    notes: Vec<String>,
    /// Nothing but cosmetic differences.
    cosmetic: bool,
}

impl FieldVerdict {
    fn judge(old: &Field, new: &Field, doc: StemLang, identical: bool) -> FieldVerdict {
        if identical {
            return FieldVerdict {
                share: 0.0,
                total: old.toks.len() * 2,
                changed: Vec::new(),
                major: Vec::new(),
                notes: Vec::new(),
                cosmetic: true,
            };
        }
        let mut pool_new = counts(new.keys());
        let mut changed = Vec::new();
        for t in &old.toks {
            if !take(&mut pool_new, &t.key) {
                changed.push(t.folded.clone());
            }
        }
        let mut pool_old = counts(old.keys());
        for t in &new.toks {
            if !take(&mut pool_old, &t.key) {
                changed.push(t.folded.clone());
            }
        }
        let total = old.toks.len() + new.toks.len();
        let share = if total == 0 {
            0.0
        } else {
            changed.len() as f64 / total as f64
        };
        let mut v = FieldVerdict {
            share,
            total,
            changed,
            major: Vec::new(),
            notes: Vec::new(),
            cosmetic: false,
        };
        v.check_numbers(old, new);
        if negations(old) != negations(new) {
            v.major.push("negation_flipped".to_string());
        }
        v.check_speaker(old, new);
        v.check_names(old, new, doc);
        v.check_cosmetic(old, new);
        v
    }

    fn changed_words(&self) -> usize {
        self.changed.len()
    }

    fn check_numbers(&mut self, old: &Field, new: &Field) {
        let a = numbers(old);
        let b = numbers(new);
        if a == b {
            return;
        }
        let mut pool_b = counts(b.iter().map(String::as_str));
        let removed: Vec<&str> = a
            .iter()
            .filter(|n| !take(&mut pool_b, n))
            .map(String::as_str)
            .collect();
        let mut pool_a = counts(a.iter().map(String::as_str));
        let added: Vec<&str> = b
            .iter()
            .filter(|n| !take(&mut pool_a, n))
            .map(String::as_str)
            .collect();
        let side = |v: &[&str]| {
            if v.is_empty() {
                "none".to_string()
            } else {
                v.join(", ")
            }
        };
        self.major.push(format!(
            "numbers_changed: {} → {}",
            side(&removed),
            side(&added)
        ));
    }

    fn check_speaker(&mut self, old: &Field, new: &Field) {
        let a = actors(old);
        let b = actors(new);
        let gone = a.iter().find(|(k, _)| !b.iter().any(|(kb, _)| kb == k));
        let came = b.iter().find(|(k, _)| !a.iter().any(|(ka, _)| ka == k));
        if let (Some((_, from)), Some((_, to))) = (gone, came) {
            self.major.push(format!("speaker_changed: {from} → {to}"));
        }
    }

    fn check_names(&mut self, old: &Field, new: &Field, doc: StemLang) {
        let a = names(old, doc);
        let b = names(new, doc);
        let gone: Vec<&(String, String)> =
            a.iter().filter(|n| !b.iter().any(|m| m.0 == n.0)).collect();
        let came: Vec<&(String, String)> =
            b.iter().filter(|n| !a.iter().any(|m| m.0 == n.0)).collect();
        let mut replaced = None;
        for g in &gone {
            match came.iter().find(|c| spelling_variant(&g.0, &c.0)) {
                Some(c) => self.notes.push(format!("name_spelling: {}/{}", g.1, c.1)),
                None => {
                    let unmatched = came
                        .iter()
                        .find(|c| !gone.iter().any(|g| spelling_variant(&g.0, &c.0)));
                    if let (None, Some(c)) = (&replaced, unmatched) {
                        replaced = Some(format!("names_changed: {} → {}", g.1, c.1));
                    }
                }
            }
        }
        if let Some(r) = replaced {
            self.major.push(r);
        }
    }

    fn check_cosmetic(&mut self, old: &Field, new: &Field) {
        let same_keys = old.toks.len() == new.toks.len()
            && old.toks.iter().zip(&new.toks).all(|(a, b)| a.key == b.key);
        if same_keys {
            self.cosmetic = true;
            let mut variants = Vec::new();
            for (a, b) in old.toks.iter().zip(&new.toks) {
                if a.folded == b.folded {
                    continue;
                }
                let numeral = |t: &Tok| {
                    !t.key.is_empty()
                        && t.key.bytes().all(|c| c.is_ascii_digit())
                        && !is_numeric(&t.folded)
                };
                let code = if numeral(a) || numeral(b) {
                    "numerals_spelled"
                } else {
                    "spelling_variant"
                };
                variants.push(format!("{code}: {}/{}", a.text, b.text));
            }
            if variants.is_empty() {
                variants.push(text_level_reason(old, new).to_string());
            }
            self.notes.extend(variants);
        } else if self.changed.is_empty() {
            self.cosmetic = true;
            self.notes.push("word_order_only".to_string());
        }
    }
}

/// Why two fields with the same words differ: the cheapest explanation.
fn text_level_reason(old: &Field, new: &Field) -> &'static str {
    // `clean_text` already dropped invisible characters and collapsed
    // whitespace, so equal clean texts differed only in those.
    let no_space = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if no_space(&old.clean) == no_space(&new.clean) {
        "whitespace_only"
    } else if unify_quotes(&old.clean) == unify_quotes(&new.clean) {
        "quote_glyphs_only"
    } else if old.clean.to_lowercase() == new.clean.to_lowercase() {
        "case_only"
    } else {
        "punctuation_only"
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QuoteChange {
    Same,
    /// Quote marks added or removed around words that stayed.
    MarksOnly,
    Changed,
}

/// Compares the quoted spans of two versions, title and text together (a
/// headline quote that the description stops repeating is still quoted:
/// Novaya Gazeta Europe 20251007T172903Z). A quote is unchanged if its
/// stemmed words are a quote of the other version, un-quoted if its words
/// still stand in the other version, changed otherwise. Short capitalised
/// spans are names, not speech (`главы "Ростеха"`, `«Шахеды»`: Svoboda
/// 20250916T093248Z, The Insider 20251126T145804Z); the names rule sees them.
fn quote_change(old: [&Field; 2], new: [&Field; 2], doc: StemLang) -> QuoteChange {
    let old_q = quotes_of(old, doc);
    let new_q = quotes_of(new, doc);
    let old_hay = old.map(|f| f.keys().collect::<Vec<&str>>());
    let new_hay = new.map(|f| f.keys().collect::<Vec<&str>>());
    let mut result = QuoteChange::Same;
    for (side, other_q, other) in [(&old_q, &new_q, &new_hay), (&new_q, &old_q, &old_hay)] {
        for (stems, keys) in side {
            if other_q.iter().any(|(s, _)| s == stems) {
                continue;
            }
            let kept = other.iter().any(|h| contains_run(h, keys));
            if !kept {
                return QuoteChange::Changed;
            }
            result = QuoteChange::MarksOnly;
        }
    }
    result
}

/// The quotes of a version that are speech: (stems, keys) of each.
fn quotes_of(fields: [&Field; 2], doc: StemLang) -> Vec<(Vec<String>, Vec<&str>)> {
    let mut out = Vec::new();
    for f in fields {
        for r in &f.quotes {
            let toks = &f.toks[r.clone()];
            if is_name_like(toks) {
                continue;
            }
            let stems = toks
                .iter()
                .map(|t| stem(&t.key, StemLang::for_word(doc, &t.key)).into_owned())
                .collect();
            out.push((stems, toks.iter().map(|t| t.key.as_str()).collect()));
        }
    }
    out
}

/// At most three words, the first capitalised or a number: a name in quotes
/// (organisation, film, nickname), the way Russian style quotes names.
fn is_name_like(toks: &[Tok]) -> bool {
    toks.len() <= 3
        && toks
            .first()
            .is_some_and(|t| t.cap || t.key.starts_with(|c: char| c.is_ascii_digit()))
}

/// Every quote glyph and apostrophe as `"`.
fn unify_quotes(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '‘' | '’' | '‚' | '‛' | '“' | '”' | '„' | '‟' | '«' | '»' | '‹' | '›' | '\'' | '`'
            | '´' | 'ʼ' | '′' | '″' | '＂' | '＇' => '"',
            c => c,
        })
        .collect()
}

/// Numbers of a field as a sorted multiset: numeric words by their key, and
/// digit runs inside other words ("q1", "f16").
fn numbers(f: &Field) -> Vec<String> {
    let mut out = Vec::new();
    for t in &f.toks {
        if t.key.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && t.key.bytes().any(|b| b.is_ascii_digit())
        {
            out.push(t.key.clone());
            continue;
        }
        let mut run = String::new();
        for c in t.key.chars().chain(std::iter::once(' ')) {
            if c.is_ascii_digit() {
                run.push(c);
            } else if !run.is_empty() {
                out.push(std::mem::take(&mut run));
            }
        }
    }
    out.sort();
    out
}

fn negations(f: &Field) -> usize {
    f.toks
        .iter()
        .filter(|t| in_list(&NEGATOR_SET, &t.folded) || t.folded.ends_with("n't"))
        .count()
}

/// Who says what: for each speech verb, the words before it in its clause
/// (up to four, articles and auxiliaries skipped), the words after "by" in a
/// passive ("…attack claimed by a Pakistani Taliban splinter group", AP
/// 20260510T170848Z), or the words after the verb when the clause opens
/// with it ("заявил Песков"). Returned as (sorted keys, words as written).
fn actors(f: &Field) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, t) in f.toks.iter().enumerate() {
        if !in_list(&SPEECH_VERB_SET, &t.folded) {
            continue;
        }
        // Only participles make a passive: "will say by week's end" (AP
        // 20260513T182509Z) is not one.
        let participle = t.folded.ends_with("ed") || t.folded == "said" || t.folded == "told";
        let passive = participle
            && f.toks
                .get(i + 1)
                .is_some_and(|n| n.key == "by" && !n.clause_start);
        let picked = if passive {
            words_after(f, i + 2, 4)
        } else {
            let before = words_before(f, i, 4);
            if before.is_empty() {
                words_after(f, i + 1, 3)
            } else {
                before
            }
        };
        if picked.is_empty() {
            continue;
        }
        let mut keys: Vec<&str> = picked.iter().map(|t| t.key.as_str()).collect();
        keys.sort_unstable();
        let shown: Vec<&str> = picked.iter().map(|t| t.text.as_str()).collect();
        out.push((keys.join(" "), shown.join(" ")));
    }
    out
}

/// Up to `max` actor words before word `i`, within its clause.
fn words_before(f: &Field, i: usize, max: usize) -> Vec<&Tok> {
    let mut out = Vec::new();
    let mut j = i;
    while j > 0 && !f.toks[j].clause_start && out.len() < max {
        j -= 1;
        if !in_list(&NOT_ACTOR_SET, &f.toks[j].key) {
            out.push(&f.toks[j]);
        }
    }
    out.reverse();
    out
}

/// Up to `max` actor words from word `from` on, within one clause.
fn words_after(f: &Field, from: usize, max: usize) -> Vec<&Tok> {
    f.toks
        .get(from..)
        .unwrap_or_default()
        .iter()
        .enumerate()
        .take_while(|(n, t)| *n == 0 || !t.clause_start)
        .map(|(_, t)| t)
        .filter(|t| !in_list(&NOT_ACTOR_SET, &t.key))
        .take(max)
        .collect()
}

/// Capitalised words that do not open a sentence: (stem of the key, as
/// written). Stems, because names inflect: Путиным/Путина (Svoboda
/// 20251020T093421Z), Рубикона/Рубикон (20250917T125814Z).
fn names(f: &Field, doc: StemLang) -> Vec<(String, String)> {
    let mut seen = HashSet::new();
    f.toks
        .iter()
        .filter(|t| t.cap && !t.sentence_start)
        .map(|t| {
            let s = stem(&t.key, StemLang::for_word(doc, &t.key)).into_owned();
            (s, t.text.clone())
        })
        .filter(|(s, _)| seen.insert(s.clone()))
        .collect()
}

/// Two name keys that are one spelling fix or one inflection apart:
/// Пунчук/Пинчук, Путин/Путина, ФБ/ФСБ — but not US/UK (a two-letter
/// substitution changes the country).
fn spelling_variant(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let min_len = a.len().min(b.len());
    let d = levenshtein(&a, &b, 3);
    (min_len >= 4 && d <= (min_len / 4).max(1)) || (d == 1 && a.len() != b.len())
}

/// Edit distance, giving up (returning `cap`) once it exceeds `cap`.
fn levenshtein(a: &[char], b: &[char], cap: usize) -> usize {
    if a.len().abs_diff(b.len()) > cap {
        return cap + 1;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        if cur.iter().min().is_some_and(|&m| m > cap) {
            return cap + 1;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

fn weighted_share(t: &FieldVerdict, x: &FieldVerdict) -> f64 {
    let share = match (t.total, x.total) {
        (0, 0) => 0.0,
        (_, 0) => t.share,
        (0, _) => x.share,
        _ => TITLE_WEIGHT * t.share + (1.0 - TITLE_WEIGHT) * x.share,
    };
    share.clamp(0.0, 1.0)
}

/// Changed words that are topic terms, sorted, at most [`MAX_LISTED`].
fn topic_hits(
    t: &FieldVerdict,
    x: &FieldVerdict,
    topic_terms: &[String],
    doc: StemLang,
) -> Vec<String> {
    if topic_terms.is_empty() {
        return Vec::new();
    }
    let mut exact: HashSet<String> = HashSet::new();
    let mut prefixes: Vec<String> = Vec::new();
    for term in topic_terms {
        let term = match term.split_once(':') {
            Some(("title" | "text", rest)) => rest,
            Some(("source" | "tag", _)) => continue,
            _ => term.as_str(),
        };
        for w in fold(term).split(|c: char| c.is_whitespace() || c == '"') {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '*');
            if let Some(p) = w.strip_suffix('*') {
                if p.chars().count() >= 2 {
                    prefixes.push(p.to_string());
                }
            } else if !w.is_empty() {
                exact.insert(stem(w, StemLang::for_word(doc, w)).into_owned());
                exact.insert(w.to_string());
            }
        }
    }
    let mut hits = BTreeSet::new();
    for w in t.changed.iter().chain(&x.changed) {
        let hit = exact.contains(w)
            || exact.contains(stem(w, StemLang::for_word(doc, w)).as_ref())
            || prefixes.iter().any(|p| w.starts_with(p.as_str()));
        if hit {
            hits.insert(w.clone());
        }
    }
    hits.into_iter().take(MAX_LISTED).collect()
}

/// The document language from the title and the start of the text
/// (`guess_language` reads ~200 characters).
fn doc_language(v: &VersionText) -> Option<&'static str> {
    let mut end = v.text.len().min(512);
    while !v.text.is_char_boundary(end) {
        end -= 1;
    }
    guess_language(&format!("{} {}", v.title, &v.text[..end]))
}

fn counts<'a>(keys: impl Iterator<Item = &'a str>) -> HashMap<&'a str, usize> {
    let mut m = HashMap::new();
    for k in keys {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// Takes one `key` out of the multiset; false if there was none left.
fn take(pool: &mut HashMap<&str, usize>, key: &str) -> bool {
    match pool.get_mut(key) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    }
}

/// `needle` occurs contiguously in `hay`.
fn contains_run(hay: &[&str], needle: &[&str]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// `word` is one of the space-separated words of `list`.
/// The words of a word-list constant above, as a set: splitting the list
/// again for every token made `actors` 7% of a tick's instructions
/// (`bench/instructions.py`).
type WordSet = LazyLock<foldhash::HashSet<&'static str>>;
static NEGATOR_SET: WordSet = LazyLock::new(|| NEGATORS.split_ascii_whitespace().collect());
static SPEECH_VERB_SET: WordSet = LazyLock::new(|| SPEECH_VERBS.split_ascii_whitespace().collect());
static NOT_ACTOR_SET: WordSet = LazyLock::new(|| NOT_ACTORS.split_ascii_whitespace().collect());

fn in_list(set: &WordSet, word: &str) -> bool {
    set.contains(word)
}

fn dedup_keep_order(v: &mut Vec<String>) {
    let mut seen = HashSet::new();
    v.retain(|r| seen.insert(r.clone()));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// One before/after pair from `shared/corpus/history/<source>/<file>`
    /// (or constructed from one, said so in `from`).
    struct Case {
        name: &'static str,
        from: &'static str,
        old: (&'static str, &'static str),
        new: (&'static str, &'static str),
        terms: &'static [&'static str],
        class: Significance,
        /// Reasons that must be present (prefix match).
        reasons: &'static [&'static str],
    }

    const AP_KILL_5: &str = "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill 5 in Ukraine before announced ceasefire";
    const AP_KILL_22: &str = "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill 22 in Ukraine before announced ceasefire";
    const AP_BRIEF_TRUCE: &str = "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill 5 in Ukraine before brief truce takes hold";
    const AP_US_DOTS: &str = "Russia accuses Ukraine of violating U.S.-brokered three-day truce";
    const AP_US: &str = "Russia accuses Ukraine of violating US-brokered 3-day truce";
    const AP_EACH_OTHER: &str =
        "Russia and Ukraine accuse each other of violating US-brokered 3-day truce";
    const AP_DROPS: &str = "Wall Street drops from its records and oil prices jump after fighting flares in the Middle East";
    const AP_FALLS: &str = "Wall Street falls from its records and oil prices jump after fighting flares in the Middle East";
    const AP_FRAUD_Q: &str = "Venezuela tells UN court that mineral-rich part of Guyana was ‘fraudulently’ taken in colonial era";
    const AP_FRAUD: &str = "Venezuela tells UN court that mineral-rich part of Guyana was fraudulently taken in colonial era";
    const AP_ABOUT_800: &str = "Russia fires about 800 drones at Ukraine despite recent talk by Putin and Trump of possible peace";
    const AP_800: &str = "Russia fires 800 drones at Ukraine despite recent talk by Putin and Trump of possible peace";
    const AP_SUDAN_OLD: &str =
        "Sudan’s military accuses Ethiopia of drone attacks, recalls its ambassador";
    const AP_SUDAN_NEW: &str =
        "Sudan recalls ambassador to Ethiopia over drone attack on Khartoum airport";
    const AP_TOLL_OLD: &str = "Death toll rises to 14 in Pakistan suicide attack. Pakistani Taliban splinter group claims blast";
    const AP_TOLL_NEW: &str = "Death toll rises to 14 in a Pakistan suicide attack claimed by a Pakistani Taliban splinter group";
    const NG_MULTIVISA: &str = "СМИ пишут, что Евросоюз готовится фактически прекратить выдачу мультивиз россиянам. Это правда?";
    const NG_KADYROV: &str = "В ходе прямой линии с населением Рамзан Кадыров дал ответ на, пожалуй, главный вопрос, который хочет, но не может задать республика: он жив. И снова пойдет на выборы главы";
    const NG_KOZAK: &str = "Как задержанные в Казахстане россияне дожидаются освобождения? Рассказывает анархист Дмитрий Козак, который провел год в СИЗО Алматы из-за политического дела в РФ";
    const NG_KOZAK_FIX: &str = "Как задержанные в Казахстане россияне дожидаются освобождения? Рассказывает анархист Денис Козак, который провел год в СИЗО Алматы из-за политического дела в РФ";
    const NG_MONK_TITLE: &str = "Монашеский «респект» как «акт терроризма»";
    const NG_MONK: &str = "На Урале арестован отец Никандр (Пунчук) — иеромонах одной из православных юрисдикций, не признающих РПЦ.";
    const NG_MONK_FIX: &str = "На Урале арестован отец Никандр (Пинчук) — иеромонах одной из православных юрисдикций, не признающих РПЦ.";
    const NG_JAM_TITLE: &str = "Что такое «Маршрут Трампа»?";
    const NG_JAM: &str = "JAMnews — о позициях Армении и Азербайджана в нынешнем переговорном процессе, а также об отношении обеих стран к новому транзитному пути";
    const NG_JAM_FIX: &str = "JAMnews— о позициях Армении и Азербайджана в нынешнем переговорном процессе, а также об отношении обеих стран к новому транзитному пути";
    const NG_GEORGIA_TITLE: &str = "«Пожалуйста, не могли бы вы остаться»";
    const NG_GEORGIA: &str = "«Грузинская мечта» всё сильнее закручивает гайки в стране, а ЕС, наконец, признал, что не слишком и старался удержать Грузию на Европейском треке";
    const NG_GEORGIA_FIX: &str = "«Грузинская мечта» всё сильнее закручивает гайки в стране, а ЕС, наконец, признал, что не слишком и старался удержать Грузию на европейском треке";
    const NG_LAPIN: &str = "Непотопляемого генерала Александра Лапина уволили из армии и направили работать в Татарстан. Чем запомнился военачальник (кроме скандала с Кадыровым)?";
    const NG_PUTIN_TITLE: &str = "«Путин может всё что угодно»";
    const NG_PUTIN_TEXT: &str = "В 73-й день рождения Путина депутаты устроили овации, чиновники написали поздравления по методичке, а детей заставили о нем спеть";
    const SV_RUBICON: &str = "Тайна \"Рубикона\". БПЛА-спецназ в парке \"Патриот\"";
    const SV_RUBICON_NEW: &str = "Тайна центра \"Рубикон\". БПЛА-спецназ в парке \"Патриот\"";
    const SV_ROSTEC: &str =
        "Гламурная фотосессия помешала падчерице главы \"Ростеха\" Чемезова выйти из-под санкций";
    const SV_ROSTEC_NEW: &str = "Фотосессия помешала падчерице Чемезова выйти из-под санкций";
    const SV_CHEMEZOV_A: &str =
        "Кооператив \"22 карата\". Как Сергей Чемезов с товарищами обустроился в Дубае";
    const SV_CHEMEZOV_C: &str =
        "Кооператив \"22 карата\". Как обустроился в Дубае Сергей Чемезов с товарищами";
    const INS_LAUNDROMAT: &str = "Ландромат на службе Кремля: миллиардер-мошенник Владимир Плахотнюк неоднократно прилетал в Москву на секретные переговоры";
    const INS_LAUNDROMAT_NEW: &str = "Ландромат на службе Кремля. Миллиардер-мошенник Владимир Плахотнюк неоднократно прилетал в Москву на секретные переговоры";
    const INS_BRATVA: &str = "«Братва» с гумвизой. Как связанные с мафией кадыровцы проникли в центры немецкой инфраструктуры";
    const INS_BRATVA_NEW: &str = "«Братва» с политубежищем. Как связанные с мафией кадыровцы проникли в центры немецкой инфраструктуры";
    const TX_GRATY: &str = "Члени наркобанд майже не потрапляють за грати. Аналіз судових рішень";
    const TX_GRATY_NEW: &str =
        "Члени наркобанд майже не потрапляють за ґрати. Аналіз судових рішень";
    const TX_GRATY_TEXT: &str = "Роками українська правоохоронна система звітує про тисячі засуджених «наркозлочинців». Однак аналіз судових даних показує, що цими злочинцями насправді є переважно споживачі, а не дилери.";
    const TX_ORPHAN_TITLE: &str = "Один із сотень тисяч. Історія життя і позбавлення ідентичності українського сироти, зниклого в Росії";
    const TX_ORPHAN: &str = "Хлопчик з Херсонщини залишився сиротою у Росії, яка знищила його дім і вулицю, окупувала його місто, позбавила рідної мови і батьківщини. Застосувавши власну методику на основі ШІ, ми знайшли Остапа Тополіна на Уралі, де його віддали на всиновлення. Спільний проект Texty.org.ua та NZZ>>";
    const TX_ORPHAN_NEW: &str = "Хлопчик із Херсонщини залишився сиротою в Росії, яка знищила його дім і вулицю, окупувала його місто, позбавила рідної мови і Батьківщини. Застосувавши власну методику на основі ШІ, ми знайшли Остапа Тополіна на Уралі, де його віддали на всиновлення.Спільний проєкт Texty.org.ua та NZZ>>";
    const TX_BLAST_TITLE: &str = "Невидима сила вибуху. Як ударна хвиля руйнує будівлі";
    const TX_BLAST: &str = "На прикладі конкретного удару по Києву Texty.org.ua змоделювали, як вибухова хвиля проходить через вулиці й будинки>>";
    const TX_BLAST_NEW: &str = "На прикладі конкретного удару російської армії по Києву Texty.org.ua змоделювали, як вибухова хвиля проходить крізь будинки і вулиці.>>";
    const TX_GREY_TITLE: &str = "20 кілометрів сірої зони. Лінія фронту стала розмитою";
    const TX_GREY: &str = "Опис кілзони — контрольованої дронами смуги між позиціями. Якими є штурми, нори, логістика, оборона та щоденна боротьба українських піхотинців за виживання й утримання позицій.>>";

    const PEACE_TERMS: &[&str] = &["ceasefire", "truce", "negotiat*", "\"peace talks\""];

    use Significance::{Cosmetic, Major, Minor};

    const CASES: &[Case] = &[
        // ---- major
        Case {
            name: "ap_strikes_kill_5_to_22",
            from: "apnews/20260505T180105Z.xml",
            old: (AP_KILL_5, AP_KILL_5),
            new: (AP_KILL_22, AP_KILL_22),
            terms: &[],
            class: Major,
            reasons: &["numbers_changed: 5 → 22"],
        },
        Case {
            name: "ap_accuse_each_other",
            from: "apnews/20260510T210106Z.xml",
            old: (AP_US, AP_US),
            new: (AP_EACH_OTHER, AP_EACH_OTHER),
            terms: &[],
            class: Major,
            reasons: &["speaker_changed: Russia → Russia and Ukraine"],
        },
        Case {
            name: "ap_truce_to_ceasefire_watched",
            from: "apnews/20260505T162850Z.xml",
            old: (AP_BRIEF_TRUCE, AP_BRIEF_TRUCE),
            new: (AP_KILL_5, AP_KILL_5),
            terms: PEACE_TERMS,
            class: Major,
            reasons: &["topic_terms_changed: ceasefire, truce"],
        },
        Case {
            name: "ap_sudan_title_reframed",
            from: "apnews/20260505T162850Z.xml",
            old: (AP_SUDAN_OLD, AP_SUDAN_OLD),
            new: (AP_SUDAN_NEW, AP_SUDAN_NEW),
            terms: &[],
            class: Major,
            reasons: &["title_reframed", "share_changed"],
        },
        Case {
            name: "ng_not_quite_dropped",
            from: "novaya-gazeta-europe/20251107T114622Z.xml",
            old: (
                "СМИ пишут, что Евросоюз готовится фактически прекратить выдачу мультивиз россиянам. Это правда? Не совсем",
                "10 главных вопросов",
            ),
            new: (NG_MULTIVISA, "10 главных вопросов"),
            terms: &[],
            class: Major,
            reasons: &["negation_flipped"],
        },
        Case {
            name: "ng_quote_words_changed",
            from: "novaya-gazeta-europe/20251219T171751Z.xml",
            old: ("«Сыт по горло этой властью»", NG_KADYROV),
            new: ("«Сыт до горла этой властью»", NG_KADYROV),
            terms: &[],
            class: Major,
            reasons: &["quote_changed"],
        },
        Case {
            name: "ng_first_name_changed",
            from: "novaya-gazeta-europe/20250913T172339Z.xml",
            old: ("«Я знаю, где какая камера лучше»", NG_KOZAK),
            new: ("«Я знаю, где какая камера лучше»", NG_KOZAK_FIX),
            terms: &[],
            class: Major,
            reasons: &["names_changed: Дмитрий → Денис"],
        },
        // ---- minor
        Case {
            name: "ap_truce_to_ceasefire_unwatched",
            from: "apnews/20260505T162850Z.xml",
            old: (AP_BRIEF_TRUCE, AP_BRIEF_TRUCE),
            new: (AP_KILL_5, AP_KILL_5),
            terms: &[],
            class: Minor,
            reasons: &["words_changed"],
        },
        Case {
            name: "ap_drops_to_falls",
            from: "apnews/20260504T211452Z.xml",
            old: (AP_DROPS, AP_DROPS),
            new: (AP_FALLS, AP_FALLS),
            terms: PEACE_TERMS,
            class: Minor,
            reasons: &["words_changed: 4"],
        },
        Case {
            name: "ap_scare_quotes_removed",
            from: "apnews/20260510T160056Z.xml",
            old: (AP_FRAUD_Q, AP_FRAUD_Q),
            new: (AP_FRAUD, AP_FRAUD),
            terms: &[],
            class: Minor,
            reasons: &["quote_marks_changed"],
        },
        Case {
            name: "ap_about_800_hedge_dropped",
            from: "apnews/20260514T012706Z.xml",
            old: (AP_ABOUT_800, AP_ABOUT_800),
            new: (AP_800, AP_800),
            terms: &[],
            class: Minor,
            reasons: &[],
        },
        Case {
            name: "ap_passive_keeps_the_actor",
            from: "apnews/20260510T170848Z.xml",
            old: (AP_TOLL_OLD, AP_TOLL_OLD),
            new: (AP_TOLL_NEW, AP_TOLL_NEW),
            terms: &[],
            class: Minor,
            reasons: &[],
        },
        Case {
            name: "ng_surname_typo",
            from: "novaya-gazeta-europe/20251020T172757Z.xml",
            old: (NG_MONK_TITLE, NG_MONK),
            new: (NG_MONK_TITLE, NG_MONK_FIX),
            terms: &[],
            class: Minor,
            reasons: &["name_spelling: Пунчук/Пинчук"],
        },
        Case {
            name: "ng_headline_quote_no_longer_repeated",
            from: "novaya-gazeta-europe/20251007T172903Z.xml",
            old: (
                NG_PUTIN_TITLE,
                "«Путин может всё что угодно» В 73-й день рождения Путина депутаты устроили овации, чиновники написали поздравления по методичке, а детей заставили о нем спеть",
            ),
            new: (NG_PUTIN_TITLE, NG_PUTIN_TEXT),
            terms: &[],
            class: Minor,
            reasons: &[],
        },
        Case {
            name: "sv_quoted_name_inflected",
            from: "svoboda/20250917T125814Z.xml",
            old: (SV_RUBICON, SV_RUBICON),
            new: (SV_RUBICON_NEW, SV_RUBICON_NEW),
            terms: &[],
            class: Minor,
            reasons: &[],
        },
        Case {
            name: "sv_quoted_org_name_dropped",
            from: "svoboda/20250916T093248Z.xml",
            old: (SV_ROSTEC, SV_ROSTEC),
            new: (SV_ROSTEC_NEW, SV_ROSTEC_NEW),
            terms: &[],
            class: Minor,
            reasons: &[],
        },
        Case {
            name: "ins_one_word_swapped",
            from: "the-insider/20251218T201933Z.xml",
            old: (INS_BRATVA, ""),
            new: (INS_BRATVA_NEW, ""),
            terms: &[],
            class: Minor,
            reasons: &["words_changed: 2"],
        },
        Case {
            name: "tx_words_added_and_reordered",
            from: "texty-org-ua/20250807T084258Z.xml",
            old: (TX_BLAST_TITLE, TX_BLAST),
            new: (TX_BLAST_TITLE, TX_BLAST_NEW),
            terms: &[],
            class: Minor,
            reasons: &[],
        },
        // ---- cosmetic
        Case {
            name: "ap_us_dots_and_spelled_three",
            from: "apnews/20260510T170848Z.xml",
            old: (AP_US_DOTS, AP_US_DOTS),
            new: (AP_US, AP_US),
            terms: PEACE_TERMS,
            class: Cosmetic,
            reasons: &["spelling_variant: U.S./US", "numerals_spelled: three/3"],
        },
        Case {
            name: "ins_colon_to_full_stop",
            from: "the-insider/20250925T103218Z.xml",
            old: (INS_LAUNDROMAT, ""),
            new: (INS_LAUNDROMAT_NEW, ""),
            terms: &[],
            class: Cosmetic,
            reasons: &["punctuation_only"],
        },
        Case {
            name: "ng_question_mark_dropped",
            from: "novaya-gazeta-europe/20250923T125637Z.xml",
            old: ("Ссылка или трамплин?", NG_LAPIN),
            new: ("Ссылка или трамплин", NG_LAPIN),
            terms: &[],
            class: Cosmetic,
            reasons: &["punctuation_only"],
        },
        Case {
            name: "ng_space_before_dash",
            from: "novaya-gazeta-europe/20251114T095112Z.xml",
            old: (NG_JAM_TITLE, NG_JAM),
            new: (NG_JAM_TITLE, NG_JAM_FIX),
            terms: &[],
            class: Cosmetic,
            reasons: &["whitespace_only"],
        },
        Case {
            name: "ng_lower_case",
            from: "novaya-gazeta-europe/20251102T103016Z.xml",
            old: (NG_GEORGIA_TITLE, NG_GEORGIA),
            new: (NG_GEORGIA_TITLE, NG_GEORGIA_FIX),
            terms: &[],
            class: Cosmetic,
            reasons: &["case_only"],
        },
        Case {
            name: "tx_g_with_upturn",
            from: "texty-org-ua/20250804T094359Z.xml",
            old: (TX_GRATY, TX_GRATY_TEXT),
            new: (TX_GRATY_NEW, TX_GRATY_TEXT),
            terms: &[],
            class: Cosmetic,
            reasons: &["spelling_variant: грати/ґрати"],
        },
        Case {
            name: "tx_euphony_and_ye",
            from: "texty-org-ua/20251215T100427Z.xml",
            old: (TX_ORPHAN_TITLE, TX_ORPHAN),
            new: (TX_ORPHAN_TITLE, TX_ORPHAN_NEW),
            terms: &[],
            class: Cosmetic,
            reasons: &[
                "spelling_variant: з/із",
                "spelling_variant: у/в",
                "spelling_variant: проект/проєкт",
            ],
        },
        Case {
            name: "sv_word_order_only",
            from: "svoboda/20250731T114847Z.xml vs 20250731T135121Z.xml (middle fetch skipped)",
            old: (SV_CHEMEZOV_A, ""),
            new: (SV_CHEMEZOV_C, ""),
            terms: &[],
            class: Cosmetic,
            reasons: &["word_order_only"],
        },
        Case {
            name: "quote_glyphs_only",
            from: "constructed from svoboda/20250731T114847Z.xml",
            old: (SV_CHEMEZOV_A, ""),
            new: (
                "Кооператив «22 карата». Как Сергей Чемезов с товарищами обустроился в Дубае",
                "",
            ),
            terms: &[],
            class: Cosmetic,
            reasons: &["quote_glyphs_only"],
        },
        Case {
            name: "invisible_characters",
            from: "constructed from apnews/20260510T170848Z.xml",
            old: (AP_US, AP_US),
            new: (
                "Russia accuses Ukr\u{200B}aine of violating US-brokered\u{00A0}3-day  truce",
                AP_US,
            ),
            terms: &[],
            class: Cosmetic,
            reasons: &["whitespace_only"],
        },
        Case {
            name: "swapped_accuser_is_not_word_order",
            from: "constructed from apnews/20260510T170848Z.xml",
            old: (AP_US, ""),
            new: (
                "Ukraine accuses Russia of violating US-brokered 3-day truce",
                "",
            ),
            terms: &[],
            class: Major,
            reasons: &["speaker_changed: Russia → Ukraine"],
        },
    ];

    fn terms(c: &Case) -> Vec<String> {
        c.terms.iter().map(|t| (*t).to_string()).collect()
    }

    /// `Equal`+`Delete` is the old text and `Equal`+`Insert` the new one.
    fn assert_rebuilds(d: &FieldDiff, old: &str, new: &str) {
        let side = |keep_delete: bool| -> String {
            d.ops
                .iter()
                .filter_map(|op| match op {
                    DiffOp::Equal(s) => Some(s.as_str()),
                    DiffOp::Delete(s) if keep_delete => Some(s.as_str()),
                    DiffOp::Insert(s) if !keep_delete => Some(s.as_str()),
                    _ => None,
                })
                .collect()
        };
        assert_eq!(side(true), old, "old side of {d:?}");
        assert_eq!(side(false), new, "new side of {d:?}");
    }

    #[test]
    fn corpus_pairs_are_classified() {
        let mut failures = Vec::new();
        for c in CASES {
            let old = VersionText {
                title: c.old.0,
                text: c.old.1,
            };
            let new = VersionText {
                title: c.new.0,
                text: c.new.1,
            };
            let r = compare(&old, &new, &terms(c));
            assert_rebuilds(&r.title, c.old.0, c.new.0);
            assert_rebuilds(&r.text, c.old.1, c.new.1);
            let missing: Vec<&&str> = c
                .reasons
                .iter()
                .filter(|want| !r.reasons.iter().any(|got| got.starts_with(**want)))
                .collect();
            if r.significance != c.class || !missing.is_empty() {
                failures.push(format!(
                    "{} ({}): expected {:?} with {:?}, got {:?} with {:?}\n  title: {}\n  text:  {}",
                    c.name,
                    c.from,
                    c.class,
                    c.reasons,
                    r.significance,
                    r.reasons,
                    render_plain(&r.title),
                    render_plain(&r.text),
                ));
            }
        }
        assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    }

    #[test]
    fn counters_are_numbers_changing_in_many_items_at_once() {
        let v = |title, text| VersionText { title, text };
        let hn = v("Show HN: a ceasefire tracker", "Points: 74\n# Comments: 44");
        assert!(numbers_only(
            &hn,
            &v("Show HN: a ceasefire tracker", "Points: 81\n# Comments: 47")
        ));
        assert!(numbers_only(
            &hn,
            &v(
                "Show HN: a ceasefire tracker",
                "Points: 1081\n# Comments: 7"
            )
        ));
        // Unchanged, or a word changed with the numbers: not counters.
        assert!(!numbers_only(&hn, &hn));
        assert!(!numbers_only(
            &hn,
            &v("Show HN: a truce tracker", "Points: 81\n# Comments: 47")
        ));
        assert!(!numbers_only(
            &v("Strikes kill 5 in Ukraine", ""),
            &v("Strikes kill 22 people in Ukraine", "")
        ));
        // One story's figure updated is an edit; a third of the feed is not.
        assert!(!counters_in_feed(1, 40));
        assert!(!counters_in_feed(2, 4));
        assert!(!counters_in_feed(9, 40));
        assert!(counters_in_feed(10, 40));
        assert!(counters_in_feed(3, 3));
        assert!(counters_in_feed(30, 30));
    }

    #[test]
    fn share_is_weighted_and_bounded() {
        let same = VersionText {
            title: AP_DROPS,
            text: AP_DROPS,
        };
        let r = compare(&same, &same, &[]);
        assert_eq!(r.significance, Cosmetic);
        assert_eq!(r.reasons, ["unchanged"]);
        assert_eq!(r.changed_share, 0.0);
        // Title fully rewritten, long text untouched: the title's quarter.
        let text = "word ".repeat(200);
        let a = VersionText {
            title: "Talks resume in Istanbul",
            text: &text,
        };
        let b = VersionText {
            title: "Envoys leave Geneva early",
            text: &text,
        };
        let r = compare(&a, &b, &[]);
        assert!(
            (r.changed_share - TITLE_WEIGHT).abs() < 1e-9,
            "{}",
            r.changed_share
        );
        assert_eq!(r.significance, Major);
        assert!(r.reasons.iter().any(|x| x.starts_with("title_reframed")));
    }

    #[test]
    fn numbers_are_normalised_before_comparing() {
        let cmp = |a: &str, b: &str| {
            compare(
                &VersionText { title: a, text: "" },
                &VersionText { title: b, text: "" },
                &[],
            )
        };
        // Thousands separators are formatting…
        assert_eq!(
            cmp("10,000 evacuated", "10 000 evacuated").significance,
            Cosmetic
        );
        // …but digits inside words are numbers (AP "800-drone", "Q1").
        let r = cmp(
            "Russia launches 800-drone attack",
            "Russia launches 900-drone attack",
        );
        assert_eq!(r.reasons[0], "numbers_changed: 800 → 900");
        assert_eq!(cmp("Q1 profit", "Q2 profit").significance, Major);
        assert_eq!(cmp("пять раз", "5 раз").significance, Cosmetic);
    }

    #[test]
    fn topic_terms_accept_query_forms() {
        let a = VersionText {
            title: "Envoys to meet in Istanbul next week",
            text: "",
        };
        let b = VersionText {
            title: "Envoys to resume negotiations in Istanbul next week",
            text: "",
        };
        for t in [
            "negotiat*",
            "title:negotiations",
            "\"negotiations\"",
            "negoti",
        ] {
            let r = compare(&a, &b, &[t.to_string()]);
            assert_eq!(r.significance, Major, "{t}: {:?}", r.reasons);
            assert_eq!(r.reasons, ["topic_terms_changed: negotiations"]);
        }
        let r = compare(&a, &b, &["source:negotiat*".to_string()]);
        assert_eq!(r.significance, Minor);
        // Russian stems: "перемирие" watched, "перемирия" inserted.
        let a = VersionText {
            title: "Песков прокомментировал заявление",
            text: "",
        };
        let b = VersionText {
            title: "Песков прокомментировал условия перемирия",
            text: "",
        };
        let r = compare(&a, &b, &["перемирие".to_string()]);
        assert!(
            r.reasons
                .iter()
                .any(|x| x.starts_with("topic_terms_changed")),
            "{:?}",
            r.reasons
        );
    }

    #[test]
    fn render_plain_marks_changes() {
        let r = compare(
            &VersionText {
                title: AP_KILL_5,
                text: "",
            },
            &VersionText {
                title: AP_KILL_22,
                text: "",
            },
            &[],
        );
        assert_eq!(
            render_plain(&r.title),
            "Zelenskyy slams Russia’s ‘utter cynicism’ as strikes kill [-5-]{+22+} in Ukraine before announced ceasefire"
        );
        // Separators between changed words join one change.
        let r = compare(
            &VersionText {
                title: AP_BRIEF_TRUCE,
                text: "",
            },
            &VersionText {
                title: AP_KILL_5,
                text: "",
            },
            &[],
        );
        assert!(
            render_plain(&r.title)
                .ends_with("before [-brief truce takes hold-]{+announced ceasefire+}"),
            "{}",
            render_plain(&r.title)
        );
        assert_eq!(render_plain(&FieldDiff::default()), "");
        let d = FieldDiff {
            ops: vec![
                DiffOp::Equal("a ".into()),
                DiffOp::Delete("b".into()),
                DiffOp::Insert("c".into()),
            ],
        };
        assert_eq!(render_plain(&d), "a [-b-]{+c+}");
    }

    #[test]
    fn diff_ops_serialise_for_the_store() {
        let d = FieldDiff {
            ops: vec![DiffOp::Equal("a ".into()), DiffOp::Insert("b".into())],
        };
        assert_eq!(
            serde_json::to_string(&d.ops).unwrap(),
            r#"[{"Equal":"a "},{"Insert":"b"}]"#
        );
    }

    #[test]
    fn extraction_failure_guard() {
        let long = VersionText {
            title: TX_GREY_TITLE,
            text: TX_GREY,
        };
        // texty-org-ua/20250930T172650Z.xml: the teaser became the title.
        let title_as_text = VersionText {
            title: TX_GREY_TITLE,
            text: TX_GREY_TITLE,
        };
        assert!(is_extraction_failure(&long, &title_as_text));
        // Truncated to its first words.
        let cut = VersionText {
            title: TX_GREY_TITLE,
            text: "Опис кілзони — контрольованої дронами…",
        };
        assert!(is_extraction_failure(&long, &cut));
        // Emptied, whatever the title did.
        let empty = VersionText {
            title: "Інший заголовок",
            text: " \n",
        };
        assert!(is_extraction_failure(&long, &empty));
        // A short teaser in new words is an edit.
        let rewritten = VersionText {
            title: TX_GREY_TITLE,
            text: "Піхота тримає позиції тижнями.",
        };
        assert!(!is_extraction_failure(&long, &rewritten));
        // The title changed too: an edit.
        let retitled = VersionText {
            title: "Кілзона: як живе піхота",
            text: "Опис кілзони — контрольованої дронами…",
        };
        assert!(!is_extraction_failure(&long, &retitled));
        // Short texts and texts that grew are never collapses.
        let short = VersionText {
            title: "t",
            text: "10 главных вопросов",
        };
        let shorter = VersionText {
            title: "t",
            text: "10",
        };
        assert!(!is_extraction_failure(&short, &shorter));
        assert!(!is_extraction_failure(&title_as_text, &long));
        let none = VersionText {
            title: "t",
            text: "",
        };
        assert!(!is_extraction_failure(&none, &none));
    }

    #[test]
    fn flap_guard() {
        let earlier = vec!["aaaa".to_string(), "bbbb".to_string()];
        assert!(is_flap("aaaa", &earlier));
        assert!(!is_flap("cccc", &earlier));
        assert!(!is_flap("aaaa", &[]));
        assert!(!is_flap("", &["".to_string()]));
    }

    #[test]
    fn churn_guard() {
        let now = Utc.with_ymd_and_hms(2026, 5, 10, 12, 0, 0).unwrap();
        let hours_ago = |h: i64| now - Duration::hours(h);
        let four: Vec<_> = (1..=4).map(hours_ago).collect();
        assert!(!is_churning(&four, now));
        let five: Vec<_> = (1..=5).map(hours_ago).collect();
        assert!(is_churning(&five, now));
        // Old revisions fall out of the window.
        let spread: Vec<_> = [1, 2, 3, 4, 25, 30].into_iter().map(hours_ago).collect();
        assert!(!is_churning(&spread, now));
        assert!(!is_churning(&[hours_ago(CHURN_WINDOW_HOURS); 9], now));
        // A clock stepped back still counts the "future" revisions.
        let future: Vec<_> = (1..=5).map(|h| now + Duration::minutes(h)).collect();
        assert!(is_churning(&future, now));
        assert!(!is_churning(&[], now));
    }

    #[test]
    fn quote_spans_handle_apostrophes_and_nesting() {
        let s = "Russia’s ‘utter cynicism’ and Stones’ «a „b“ c» \"d\" “e” „f“ ‘open";
        let got: Vec<&str> = quote_spans(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(got, ["utter cynicism", "a „b“ c", "d", "e", "f"]);
    }

    #[test]
    fn large_texts_stay_fast_and_exact() {
        // ~256 KiB per side, every paragraph touched, plus one paragraph
        // rewritten wholesale: exercises the paragraph-first path and the
        // coarse fallback.
        let mut rng = fastrand::Rng::with_seed(7);
        let vocab = [
            "talks",
            "ceasefire",
            "Kyiv",
            "said",
            "the",
            "of",
            "перемирие",
            "12",
            "and",
        ];
        let paragraph = |rng: &mut fastrand::Rng, n: usize| -> String {
            let words: Vec<&str> = (0..n).map(|_| vocab[rng.usize(..vocab.len())]).collect();
            words.join(" ") + "\n"
        };
        let mut old = String::new();
        let mut new = String::new();
        while old.len() < 256 * 1024 {
            let p = paragraph(&mut rng, 60);
            old.push_str(&p);
            new.push_str(&p.replacen("talks", "negotiations", 1));
        }
        new.push_str(&paragraph(&mut rng, 30_000));
        let a = VersionText {
            title: "t",
            text: &old,
        };
        let b = VersionText {
            title: "t",
            text: &new,
        };
        let started = std::time::Instant::now();
        let r = compare(&a, &b, &["negotiat*".to_string()]);
        let took = started.elapsed();
        assert_rebuilds(&r.text, &old, &new);
        assert_eq!(r.significance, Major);
        assert!(
            r.reasons.iter().any(|x| x == "diff_truncated"),
            "{:?}",
            r.reasons
        );
        // Generous bound for unoptimised test builds on a loaded machine.
        assert!(took.as_secs() < 20, "took {took:?}");
    }

    #[test]
    fn random_inputs_never_panic() {
        let pieces = [
            "U.S.",
            "three",
            "3",
            "10,000",
            "10 000",
            "1.5",
            "«",
            "»",
            "“",
            "”",
            "„",
            "\"",
            "‘",
            "’",
            "'",
            "не",
            "not",
            "n't",
            "said",
            "by",
            "заявил",
            "Песков",
            "Ukraine",
            "ґ",
            "і",
            "ї",
            "й",
            "в",
            "із",
            "\u{200B}",
            "\u{00A0}",
            "\u{0301}",
            "\n",
            "\n\n",
            " ",
            ".",
            ":",
            "-",
            "—",
            "?",
            "é",
            "ß",
            "İ",
            "🙂",
            "\u{FEFF}",
            "Q1",
            "800-drone",
            "'s",
            "*",
            "\r\n",
        ];
        let mut rng = fastrand::Rng::with_seed(42);
        let random_text = |rng: &mut fastrand::Rng| -> String {
            let n = rng.usize(0..40);
            (0..n)
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect::<Vec<_>>()
                .join(if rng.bool() { " " } else { "" })
        };
        for _ in 0..2_000 {
            let (t1, x1, t2, x2) = (
                random_text(&mut rng),
                random_text(&mut rng),
                random_text(&mut rng),
                random_text(&mut rng),
            );
            let terms = vec![
                random_text(&mut rng),
                "negotiat*".to_string(),
                "title:".to_string(),
            ];
            let a = VersionText {
                title: &t1,
                text: &x1,
            };
            let b = VersionText {
                title: &t2,
                text: &x2,
            };
            let r = compare(&a, &b, &terms);
            assert_rebuilds(&r.title, &t1, &t2);
            assert_rebuilds(&r.text, &x1, &x2);
            assert!(
                (0.0..=1.0).contains(&r.changed_share),
                "{}",
                r.changed_share
            );
            assert!(!r.reasons.is_empty());
            let _ = is_extraction_failure(&a, &b);
            let _ = render_plain(&r.text);
        }
    }
}
