//! The verdict: what each field's change amounts to (share of words changed,
//! cosmetic explanations) and the rules of the module docs that turn the two
//! fields' verdicts into a significance with its reasons, in one documented
//! order.

use std::collections::{BTreeSet, HashSet};

use super::content::{ContentChange, compare_content};
use super::cues::cues;
use super::evidence::{doubts, negations};
use super::market::{Market, market};
use super::quotes::{QuoteChange, unify_quotes};
use super::words::{Field, Tok, counts, is_numeric, take};
use super::{MAJOR_SHARE, Significance, TITLE_REFRAMED_SHARE};
use crate::text::{StemLang, fold, stem};

/// Weight of the title in [`Revision::changed_share`](super::Revision::changed_share) when both fields have
/// words: a headline is read by everyone, the body by few, so the title
/// counts for a quarter however short it is.
pub(super) const TITLE_WEIGHT: f64 = 0.25;

/// Major reasons in the order they are listed (by their first words).
const MAJOR_ORDER: &[&str] = &[
    "figure",
    "negation",
    "doubt",
    "state changed",
    "outcome",
    "direction reversed",
    "market turned",
    "count grew",
    "qualifier",
    "role added",
    "record",
    "attribution",
    "quotation changed",
    "speaker changed",
    "name changed",
    "name added",
    "name dropped",
    "headline rewritten",
    "topic words changed",
    "text rewritten",
];

/// Reasons list at most this many words (topic terms) to stay one line.
const MAX_LISTED: usize = 5;

/// The share of content words a field must change to count as rewritten:
/// higher for short texts, where a paraphrase of one headline swaps most of
/// its few words without changing the fact ("hold steady" → "inch toward
/// records"), lower for long ones. `total` counts both versions' content words.
pub(super) fn rewrite_threshold(total: usize) -> f64 {
    match total {
        0..=12 => REWRITE_SHARE_SHORT,
        13..=24 => REWRITE_SHARE_HEADLINE,
        _ => MAJOR_SHARE,
    }
}

/// See [`rewrite_threshold`].
const REWRITE_SHARE_SHORT: f64 = 0.9;
/// See [`rewrite_threshold`].
const REWRITE_SHARE_HEADLINE: f64 = TITLE_REFRAMED_SHARE;

/// The rules' verdict and the reasons each class would give.
pub(super) struct Judged {
    /// The class the rules of the module docs give.
    pub(super) rules: Significance,
    /// Major reasons, in the documented order (empty: no major rule fired).
    pub(super) major: Vec<String>,
    /// The reasons of a cosmetic verdict.
    pub(super) cosmetic: Vec<String>,
    /// The reasons of a minor verdict.
    pub(super) minor: Vec<String>,
}

impl Judged {
    /// The reasons of `class`.
    pub(super) fn reasons(&self, class: Significance) -> Vec<String> {
        match class {
            Significance::Major => self.major.clone(),
            Significance::Minor => self.minor.clone(),
            Significance::Cosmetic => self.cosmetic.clone(),
        }
    }
}

/// The rules of the module docs, applied to the per-field verdicts.
pub(super) fn classify(
    t: &FieldVerdict,
    x: &FieldVerdict,
    quotes: QuoteChange,
    hits: &[String],
    changed_share: f64,
) -> Judged {
    let mut major = Vec::new();
    major.extend(t.major.iter().cloned());
    major.extend(x.major.iter().cloned());
    if quotes == QuoteChange::Changed && QUOTE_CHANGE_IS_MAJOR {
        major.push("quotation changed".to_string());
    }
    let ts = t.novel_share();
    if ts >= rewrite_threshold(t.content.total)
        && t.novel_added > 0
        && !t.market
        && !t.quote_headline
    {
        major.push(format!("headline rewritten ({:.0}% of words)", ts * 100.0));
    }
    if !hits.is_empty() {
        major.push(format!("topic words changed: {}", hits.join(", ")));
    }
    let xs = x.novel_share();
    if x.content.total > 0
        && xs >= rewrite_threshold(x.content.total)
        && x.novel_added > 0
        && !x.market
        && changed_share >= 0.0
    {
        major.push(format!("text rewritten ({:.0}% of words)", xs * 100.0));
    }

    // One documented order, whichever field a reason came from.
    major.sort_by_key(|r| MAJOR_ORDER.iter().position(|c| r.starts_with(c)));

    let mut cosmetic: Vec<String> = t.notes.iter().chain(&x.notes).cloned().collect();
    if quotes == QuoteChange::MarksOnly {
        cosmetic.insert(0, "quote marks changed".to_string());
    }
    if cosmetic.is_empty() {
        cosmetic.push("unchanged".to_string());
    }

    let changed = t.content.removed.len()
        + t.content.added.len()
        + x.content.removed.len()
        + x.content.added.len();
    let mut minor: Vec<String> = t.notes.iter().chain(&x.notes).cloned().collect();
    // Cosmetic notes of the other field would only distract here.
    minor.retain(|n| n.starts_with("name spelling") || n.starts_with("figure dropped"));
    if quotes == QuoteChange::MarksOnly {
        minor.insert(0, "quote marks changed".to_string());
    }
    if quotes == QuoteChange::Changed {
        minor.insert(0, "quotation changed".to_string());
    }
    minor.push(format!("reworded ({changed} words)"));

    let rules = if !major.is_empty() {
        Significance::Major
    } else if t.cosmetic && x.cosmetic {
        Significance::Cosmetic
    } else {
        Significance::Minor
    };
    Judged {
        rules,
        major,
        cosmetic,
        minor,
    }
}

/// Content words a field may change on each side for a doubt word
/// added or dropped to count.
const DOUBT_MAX_WORDS: usize = 2;

/// A quotation reworded is a fact change only when something else moved
/// too: a trimmed or reworded quote is, by itself, a rewording.
const QUOTE_CHANGE_IS_MAJOR: bool = false;

/// What one field's change amounts to.
pub(super) struct FieldVerdict {
    /// Changed share of this field, 0..=1.
    pub(super) share: f64,
    /// Number of words in the two versions together.
    pub(super) total: usize,
    /// Folded words in the multiset difference (old side, then new side).
    pub(super) changed: Vec<String>,
    pub(super) major: Vec<String>,
    /// Cosmetic reasons, or minor notes (`name_spelling`).
    pub(super) notes: Vec<String>,
    /// Nothing but cosmetic differences.
    pub(super) cosmetic: bool,
    /// The change in content words (stems, function words left out).
    pub(super) content: ContentChange,
    /// Added content words the old version of the item (title and text)
    /// did not have anywhere: what is new to a reader.
    pub(super) novel_added: usize,
    /// Both versions report markets with directions (`market`): a rewrite
    /// of the report is no major by itself.
    pub(super) market: bool,
    /// One version of this headline is wholly a quotation (a feature's
    /// quote headline): its rewrite tells no new fact by its share.
    pub(super) quote_headline: bool,
}

impl FieldVerdict {
    pub(super) fn judge(old: &Field, new: &Field, doc: StemLang, identical: bool) -> FieldVerdict {
        if identical {
            return FieldVerdict {
                share: 0.0,
                total: old.toks.len() * 2,
                changed: Vec::new(),
                major: Vec::new(),
                notes: Vec::new(),
                cosmetic: true,
                content: ContentChange::default(),
                novel_added: 0,
                market: false,
                quote_headline: false,
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
            content: compare_content(old, new, doc),
            novel_added: 0,
            market: false,
            quote_headline: false,
        };
        v.check_numbers(old, new);
        let (na, nb) = (negations(old), negations(new));
        if na < nb {
            v.major.push("negation added".to_string());
        } else if na > nb {
            v.major.push("negation dropped".to_string());
        }
        // A statement turned into a question of whether it holds, or the
        // other way, in a field otherwise little changed ("как это
        // возможно" → "возможно ли это"); in a rewrite a "whether" is
        // wording.
        let ((da, wa), (db, wb)) = (doubts(old), doubts(new));
        let little =
            v.content.removed.len() <= DOUBT_MAX_WORDS && v.content.added.len() <= DOUBT_MAX_WORDS;
        if da != db && little {
            let (verb, w) = if db > da {
                ("added", wb)
            } else {
                ("dropped", wa)
            };
            v.major.push(format!("doubt {verb}: {}", w.unwrap_or("")));
        }
        v.check_speaker(old, new);
        v.check_names(old, new, doc);
        let cues = cues(old, new, &v.content, doc);
        v.major.extend(cues);
        match market(old, new, doc) {
            Market::None => {}
            Market::Kept => {
                v.market = true;
                // Each market kept its direction: an outcome word in the
                // report is a side event ("as Trump arrives") or its
                // markets' run told again ("falls from its records" →
                // "record-setting run halts").
                v.major.retain(|r| !r.starts_with("outcome"));
            }
            Market::Turned(reason) => {
                v.market = true;
                // One reason for one turn.
                v.major.retain(|r| !r.starts_with("direction reversed"));
                v.major.push(reason);
            }
        }
        v.check_cosmetic(old, new);
        if !v.cosmetic && v.content.is_empty() {
            v.cosmetic = true;
            v.notes.extend(
                v.content
                    .respelled
                    .iter()
                    .map(|(a, b)| format!("spelling: {a}/{b}")),
            );
            v.notes.extend(
                v.content
                    .synonyms
                    .iter()
                    .map(|(a, b)| format!("synonym: {a}/{b}")),
            );

            v.notes.push("same content words".to_string());
        }
        v
    }

    /// Share of content words changed, counting only added words that are
    /// new to the item: a teaser headline replaced by a line of its own
    /// description, or a description replaced by its headline, says nothing new.
    pub(super) fn novel_share(&self) -> f64 {
        if self.content.total == 0 {
            return 0.0;
        }
        (self.content.removed.len() + self.novel_added) as f64 / self.content.total as f64
    }

    /// Sets [`Self::novel_added`] from what the old item said (`known`:
    /// stems and number keys of its title and text) and drops the cues whose
    /// new side the old item already had (a figure, a name, an outcome).
    pub(super) fn discount_known(&mut self, known: &HashSet<String>, doc: StemLang) {
        self.novel_added = self
            .content
            .added
            .iter()
            .filter(|c| !known.contains(&c.stem))
            .count();
        let is_known = |w: &str| {
            let w = fold(w.trim());
            let k = w.replace([',', ' '], "");
            known.contains(&k) || known.contains(stem(&w, StemLang::for_word(doc, &w)).as_ref())
        };
        self.major.retain(|r| {
            let new_side = if let Some(v) = r.strip_prefix("figure added: ") {
                v
            } else if let Some(v) = r.strip_prefix("outcome: ") {
                v
            } else if let Some(v) = r.strip_prefix("name added: ") {
                v
            } else if r.starts_with("name changed: ") {
                r.rsplit(" → ").next().unwrap_or("")
            } else {
                return true;
            };
            !new_side.split(", ").all(is_known)
        });
    }

    /// Marks a headline of which one version is wholly a quotation ("«Ваша
    /// мама меня посадила в тюрьму»" → "Жена координатора утверждает, что
    /// …"): a feature's quote headline retold is wording. Its negations,
    /// attributions and speakers are the quotation's, and its share of
    /// words changed is no rewrite; the other cues still count.
    pub(super) fn mark_quote_headline(&mut self, old: &Field, new: &Field) {
        let whole = |f: &Field| {
            !f.toks.is_empty() && f.quotes.len() == 1 && f.quotes[0] == (0..f.toks.len())
        };
        if whole(old) || whole(new) {
            self.quote_headline = true;
            self.major.retain(|r| {
                !(r.starts_with("negation")
                    || r.starts_with("attribution")
                    || r.starts_with("speaker changed"))
            });
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
                    "number written out"
                } else {
                    "spelling variant"
                };
                variants.push(format!("{code}: {}/{}", a.text, b.text));
            }
            if variants.is_empty() {
                variants.push(text_level_reason(old, new).to_string());
            }
            self.notes.extend(variants);
        } else if self.changed.is_empty() {
            self.cosmetic = true;
            self.notes.push("word order only".to_string());
        }
    }
}

/// Why two fields with the same words differ: the cheapest explanation.
fn text_level_reason(old: &Field, new: &Field) -> &'static str {
    // `clean_text` already dropped invisible characters and collapsed
    // whitespace, so equal clean texts differed only in those.
    let no_space = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if no_space(&old.clean) == no_space(&new.clean) {
        "spacing only"
    } else if unify_quotes(&old.clean) == unify_quotes(&new.clean) {
        "quote marks only"
    } else if old.clean.to_lowercase() == new.clean.to_lowercase() {
        "letter case only"
    } else {
        "punctuation only"
    }
}
pub(super) fn weighted_share(t: &FieldVerdict, x: &FieldVerdict) -> f64 {
    let share = match (t.total, x.total) {
        (0, 0) => 0.0,
        (_, 0) => t.share,
        (0, _) => x.share,
        _ => TITLE_WEIGHT * t.share + (1.0 - TITLE_WEIGHT) * x.share,
    };
    share.clamp(0.0, 1.0)
}

/// Changed words that are topic terms, sorted, at most [`MAX_LISTED`].
pub(super) fn topic_hits(
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
