//! Few-word majors (module docs, "Cues"): the changes of one or two words
//! that change the facts. An event's state (set to / will / expected →
//! does), an outcome reached (passed, sentenced, freed), a market's
//! direction reversed, a record reached or lost, an attribution dropped or
//! added. Each returns a reason a person reads.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::attribution::attribution_change;
use super::content::{Content, ContentChange, is_filler, stem_of};
use super::stages::next_stage;
use super::words::Field;
use crate::detect::lexicon::WordSet;
use crate::detect::lexicon::edit_cues::{DOWN, OUTCOME, PENDING, RECORD, SHORT_OF, UP};
use crate::text::{StemLang, fold, stem};

/// A cue list as stems (English, Russian and Ukrainian forms alike).
pub(super) struct Stems(HashSet<String>);

impl Stems {
    pub(super) fn of(list: &[&str]) -> Stems {
        Stems(
            list.iter()
                .map(|w| stem(w, StemLang::for_word(StemLang::None, w)).into_owned())
                .chain(list.iter().map(|w| (*w).to_string()))
                .collect(),
        )
    }

    pub(super) fn has(&self, stem: &str) -> bool {
        self.0.contains(stem)
    }
}

static PENDING_SET: WordSet = LazyLock::new(|| PENDING.iter().copied().collect());
static OUTCOME_STEMS: LazyLock<Stems> = LazyLock::new(|| Stems::of(OUTCOME));
static DEATH_STEMS: LazyLock<Stems> = LazyLock::new(|| Stems::of(DEATH));
static OUTCOME_SET: WordSet = LazyLock::new(|| OUTCOME.iter().copied().collect());
static UP_STEMS: LazyLock<Stems> = LazyLock::new(|| Stems::of(UP));
static DOWN_STEMS: LazyLock<Stems> = LazyLock::new(|| Stems::of(DOWN));
static RECORD_STEMS: LazyLock<Stems> = LazyLock::new(|| Stems::of(RECORD));
static SHORT_OF_STEMS: LazyLock<Stems> = LazyLock::new(|| Stems::of(SHORT_OF));

/// Whether a stem is a word of going up (`Some(true)`) or down.
pub(super) fn direction(stem: &str) -> Option<bool> {
    if UP_STEMS.has(stem) {
        Some(true)
    } else if DOWN_STEMS.has(stem) {
        Some(false)
    } else {
        None
    }
}

/// Stems of a field's words (all words: "will" and "up" are fillers of no list).
fn stems(f: &Field, doc: StemLang) -> Vec<(String, String)> {
    f.toks
        .iter()
        .map(|t| (stem_of(t, doc), t.text.clone()))
        .collect()
}

fn count(v: &[(String, String)], set: &Stems) -> usize {
    v.iter().filter(|(s, _)| set.has(s)).count()
}

fn first<'a>(v: &'a [(String, String)], set: &Stems) -> Option<&'a str> {
    v.iter().find(|(s, _)| set.has(s)).map(|(_, t)| t.as_str())
}

/// The cues that fire between two versions of a field, as readable reasons.
pub(super) fn cues(old: &Field, new: &Field, change: &ContentChange, doc: StemLang) -> Vec<String> {
    let mut out = Vec::new();
    if change.is_empty() && change.respelled.is_empty() && change.synonyms.is_empty() {
        return out;
    }
    let a = stems(old, doc);
    let b = stems(new, doc);

    // State: a pending word dropped while the headline stays about the same
    // event: the words dropped besides it are no more than the words added
    // (a leading copy of a headline that went is not a state change), and
    // "will investigate" did not become the headline's "to investigate".
    let pending = |f: &Field| {
        (0..f.toks.len())
            .filter(|&i| pending_word(f, i))
            .collect::<Vec<_>>()
    };
    let (pa, pb) = (pending(old), pending(new));
    if pa.len() > pb.len() {
        let new_keys: HashSet<&str> = new.toks.iter().map(|t| t.key.as_str()).collect();
        let gone = pa
            .iter()
            .find(|&&i| !new_keys.contains(old.toks[i].key.as_str()))
            .copied();
        let other_removed = change
            .removed
            .iter()
            .filter(|c| !PENDING_SET.contains(c.text.to_lowercase().as_str()))
            .count();
        // The verb the pending word governs: "will investigate", "poised
        // to vote" (past the "to").
        let infinitive = gone.is_some_and(|i| {
            let j = if old.toks.get(i + 1).is_some_and(|t| t.key == "to") {
                i + 2
            } else {
                i + 1
            };
            let next = old.toks.get(j).map(|t| stem_of(t, doc));
            next.is_some_and(|next| {
                new.toks
                    .windows(2)
                    .any(|w| w[0].key == "to" && stem_of(&w[1], doc) == next)
            })
        });
        // What the pending word is about ("awaits Iran's response",
        // "could face sanctions", "nears a close") must still be there:
        // when it went with it, a clause was dropped, nothing got done.
        // A light verb ("will go before Congress") says nothing of what;
        // an outcome ("likely kills") may come back as another outcome
        // word ("deadly").
        let about_kept = gone.is_none_or(|i| {
            // "ahead of" dates the event rather than governing it.
            if old.toks[i].key == "ahead" {
                return true;
            }
            let b_stems: HashSet<String> = new.toks.iter().map(|t| stem_of(t, doc)).collect();
            old.toks
                .iter()
                .skip(i + 1)
                .take(GOVERNED_WITHIN)
                .find(|t| {
                    !t.cap
                        && t.key != "to"
                        && !is_filler(&t.key)
                        && !PENDING_SET.contains(t.key.as_str())
                        && !LIGHT_VERBS.contains(&t.key.as_str())
                })
                .is_none_or(|t| {
                    let s = stem_of(t, doc);
                    b_stems.contains(&s) || (OUTCOME_STEMS.has(&s) && count(&b, &OUTCOME_STEMS) > 0)
                })
        });
        if let Some(i) = gone
            && other_removed <= change.added.len() + 1
            && !infinitive
            && about_kept
        {
            out.push(format!("state changed: {} → done", old.toks[i].text));
        }
    }

    // The headline infinitive: "Shakira to follow" → "Shakira follows".
    // The verb takes another form ("take" → "takes"): a word after "to"
    // that is back unchanged was not an infinitive ("seeks to new funding"
    // → "seeks new funding", "to the World Cup"). It heads the headline,
    // after its subject: deeper in, "to" opens a purpose clause ("with a
    // visit to Pompeii to pray at shrine" → "Pope prays").
    if out.is_empty() {
        let mut new_verbs: HashSet<(String, &str)> = HashSet::new();
        let mut new_infinitives = HashSet::new();
        for (j, t) in new.toks.iter().enumerate() {
            let s = stem_of(t, doc);
            if j > 0 && new.toks[j - 1].key == "to" {
                new_infinitives.insert(s);
            } else {
                new_verbs.insert((s, t.folded.as_str()));
            }
        }
        let head = &old.toks[..old.toks.len().min(INFINITIVE_WITHIN + 2)];
        let done = head.windows(2).find(|w| {
            let s = stem_of(&w[1], doc);
            w[0].key == "to"
                && !w[1].cap
                && new_verbs
                    .iter()
                    .any(|(v, form)| *v == s && *form != w[1].folded.as_str())
                && !new_infinitives.contains(&s)
        });
        if let Some(w) = done {
            out.push(format!("state changed: to {} → done", w[1].text));
        }
    }

    // Outcome: an outcome word the old version did not have, in one of
    // the listed forms: a stem shared with a noun or an infinitive
    // ("resignation calls", "rate cuts", "спешат принять") is no outcome.
    let outcome: Vec<&Content> = change
        .added
        .iter()
        .filter(|c| OUTCOME_STEMS.has(&c.stem) && OUTCOME_SET.contains(fold(&c.text).as_str()))
        .collect();
    // With an outcome already told, only a further one counts: the old
    // stays and another comes ("charged" → "jailed after being charged"),
    // or a death where there was none ("hit pedestrian" → "hit and
    // killed").
    let b_stems: HashSet<&str> = b.iter().map(|(s, _)| s.as_str()).collect();
    let old_kept = a
        .iter()
        .filter(|(s, _)| OUTCOME_STEMS.has(s))
        .all(|(s, _)| b_stems.contains(s.as_str()));
    let deaths = |v: &[(String, String)]| v.iter().filter(|(s, _)| DEATH_STEMS.has(s)).count();
    // A further outcome is not one word swapped for another in the same
    // slot ("takes control" → "wins control"), nor a state that stays
    // ("strait remains closed").
    let swap = change.removed.len() == 1 && change.added.len() == 1;
    // "will not resign" tells no outcome (the negation cue tells it). The
    // words negated and the words after "remains" are collected in one
    // pass: a megabyte of outcome words must stay linear.
    let mut negated: HashSet<&str> = HashSet::new();
    let mut lasting: HashSet<&str> = HashSet::new();
    for (i, t) in new.toks.iter().enumerate() {
        let before = &new.toks[i.saturating_sub(2)..i];
        if before.iter().any(|p| {
            matches!(p.key.as_str(), "not" | "never" | "t" | "не" | "ні")
                || p.folded.ends_with("n't")
        }) {
            negated.insert(t.text.as_str());
        }
        if before
            .last()
            .is_some_and(|p| STAYS.contains(&p.key.as_str()))
        {
            lasting.insert(t.text.as_str());
        }
    }
    // A transitive outcome with no object is its noun: "freezing rate
    // cuts as …", "backs big budget cuts but …".
    let mut objectless: HashSet<&str> = HashSet::new();
    for (i, t) in new.toks.iter().enumerate() {
        if TRANSITIVE.contains(&t.key.as_str())
            && new
                .toks
                .get(i + 1)
                .is_none_or(|n| n.clause_start || NO_OBJECT.contains(&n.key.as_str()))
        {
            objectless.insert(t.text.as_str());
        }
    }
    // An outcome word governing the old version's verb tells the same act:
    // "EU sanctions Hamas leaders" → "EU diplomats agree to sanction Hamas
    // leaders".
    let a_stems: HashSet<&str> = a.iter().map(|(s, _)| s.as_str()).collect();
    let mut governing: HashSet<&str> = HashSet::new();
    for w in new.toks.windows(3) {
        // A verb after "to", not a figure or a name ("sentenced to 5 years").
        let verb = !w[2].cap && w[2].key.chars().all(char::is_alphabetic);
        if w[1].key == "to" && verb && a_stems.contains(stem_of(&w[2], doc).as_str()) {
            governing.insert(w[0].text.as_str());
        }
    }
    let outcome: Vec<&Content> = outcome
        .into_iter()
        .filter(|c| {
            !negated.contains(c.text.as_str())
                && !objectless.contains(c.text.as_str())
                && !governing.contains(c.text.as_str())
        })
        .collect();
    let further = |c: &&Content| !lasting.contains(c.text.as_str());
    let outcome = if count(&a, &OUTCOME_STEMS) == 0 {
        outcome
    } else if old_kept && !swap {
        outcome.into_iter().filter(further).collect()
    } else if deaths(&a) == 0 {
        outcome
            .into_iter()
            .filter(|c| DEATH_STEMS.has(&c.stem))
            .collect()
    } else {
        Vec::new()
    };
    if let Some(c) = outcome.first() {
        out.push(format!("outcome: {}", c.text));
    } else if let Some((from, to)) = next_stage(change) {
        out.push(format!("outcome: {from} → {to}"));
    }

    // Direction: all up before and all down after, or the other way round;
    // or, in a headline otherwise kept, a word of going up swapped for one
    // of going down: one of two markets turned ("stocks fall and oil
    // prices climb" → "shares fall and oil prices dip").
    let (ua, da) = (count(&a, &UP_STEMS), count(&a, &DOWN_STEMS));
    let (ub, db) = (count(&b, &UP_STEMS), count(&b, &DOWN_STEMS));
    let whole =
        (ua > 0 && da == 0 && db > 0 && ub == 0) || (da > 0 && ua == 0 && ub > 0 && db == 0);
    let kept = change.removed.len() <= SWAP_MAX_WORDS && change.added.len() <= SWAP_MAX_WORDS;
    let swapped = kept && ((ua > ub && db > da) || (da > db && ub > ua));
    if whole || swapped {
        let (from, to) = if whole {
            (
                first(&a, &UP_STEMS).or(first(&a, &DOWN_STEMS)),
                first(&b, &UP_STEMS).or(first(&b, &DOWN_STEMS)),
            )
        } else {
            (moved(&change.removed), moved(&change.added))
        };
        let (from, to) = (from.unwrap_or(""), to.unwrap_or(""));
        out.push(format!("direction reversed: {from} → {to}"));
    }

    // Record: one named where there was none, or reached or lost (the words
    // that kept the figure short of it went).
    let (ra, rb) = (count(&a, &RECORD_STEMS), count(&b, &RECORD_STEMS));
    if rb > 0 && ra == 0 && !short_of_record(&b) {
        out.push("record reached".to_string());
    } else if ra > 0 && rb > 0 {
        let short_a = short_of_record(&a);
        let short_b = short_of_record(&b);
        if short_a && !short_b {
            out.push("record reached or lost".to_string());
        }
    }

    // A count that grew: "2 passengers test positive" → "2 more
    // passengers test positive".
    let more = |f: &Field| -> Vec<String> {
        f.toks
            .windows(2)
            .filter(|w| is_count(&w[0].key) && MORE.contains(&w[1].key.as_str()))
            .map(|w| w[0].key.clone())
            .collect()
    };
    let (ma, mb) = (more(old), more(new));
    if let Some(n) = mb.iter().find(|n| !ma.contains(n)) {
        out.push(format!("count grew: {n} more"));
    }

    // A qualifier that limited the fact dropped or added ("security
    // initially missed" → "security missed").
    let qualifiers = |f: &Field| {
        f.toks
            .iter()
            .filter(|t| QUALIFIERS.contains(&t.key.as_str()))
            .count()
    };
    let (qa, qb) = (qualifiers(old), qualifiers(new));
    if qa != qb {
        let (f, verb) = if qa > qb {
            (old, "dropped")
        } else {
            (new, "added")
        };
        if let Some(t) = f.toks.iter().find(|t| QUALIFIERS.contains(&t.key.as_str())) {
            out.push(format!("qualifier {verb}: {}", t.text));
        }
    }

    // A role that ended or is temporary, added before a title or name the
    // old version had: a factual correction ("names Supreme Court Justice
    // Louise Arbour" → "names former Supreme Court Justice …"). Dropping
    // one is a detail gone (labeled minor).
    let role = change.added.iter().find(|c| {
        ROLES.contains(&fold(&c.text).as_str())
            && new.toks.iter().enumerate().any(|(i, t)| {
                t.text == c.text
                    && new
                        .toks
                        .get(i + 1)
                        .is_some_and(|n| old.toks.iter().any(|o| o.key == n.key))
            })
    });
    if let Some(c) = role {
        out.push(format!("role added: {}", c.text));
    }

    out.extend(attribution_change(old, new, doc));
    out
}

/// Words that put a role in the past or make it temporary.
#[rustfmt::skip]
const ROLES: &[&str] = &[
    "former", "ex", "acting", "interim", "outgoing",
    "бывший", "бывшего", "бывшему", "бывшим", "экс", "временно", "колишній", "колишнього",
];

/// A count as its key: digits ("two" is keyed "2").
fn is_count(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_digit())
}

/// Words after a number that make it an increment ("2 more").
const MORE: &[&str] = &[
    "more",
    "further",
    "additional",
    "new",
    "другие",
    "еще",
    "ещё",
    "ще",
];

/// Words that limit a fact to part of it or a time: dropping one makes it
/// whole, adding one takes part of it back.
#[rustfmt::skip]
const QUALIFIERS: &[&str] = &[
    "initially", "partly", "partially", "temporarily", "briefly",
    "первоначально", "частично", "временно", "спочатку", "частково", "тимчасово",
];

/// Outcome words of a death.
#[rustfmt::skip]
const DEATH: &[&str] = &[
    "killed", "kills", "dies", "died", "dead", "deadly", "погиб", "погибли", "убит", "убиты",
    "загинув", "загинули", "вбито",
];

/// Outcome verbs that take an object; with none they are nouns.
const TRANSITIVE: &[&str] = &[
    "cuts", "raises", "rejects", "passes", "approves", "adopts", "signs",
];

/// Words that cannot open a verb's object.
#[rustfmt::skip]
const NO_OBJECT: &[&str] = &[
    "as", "but", "and", "in", "to", "for", "of", "on", "amid", "after", "while", "at", "by",
];

/// Verbs after which an outcome word is a state that lasts.
const STAYS: &[&str] = &[
    "remains",
    "remain",
    "stays",
    "stay",
    "остается",
    "остаются",
    "залишається",
];

/// Verbs that take their meaning from the words after them.
#[rustfmt::skip]
const LIGHT_VERBS: &[&str] = &[
    "go", "get", "take", "make", "come", "have", "give", "put", "keep",
    "стать", "пойти", "взять", "сделать", "провести", "стати", "взяти", "зробити", "провести",
];

/// How many words may open a headline before its infinitive's "to"
/// ("Modi's party is set to take": 5).
const INFINITIVE_WITHIN: usize = 6;

/// How far after a pending word the word it is about is looked for.
const GOVERNED_WITHIN: usize = 3;

/// Whether word `i` of `f` says the event has not happened yet: a word of
/// the list, but not a month's name ("May Day") and not "than expected"
/// (a comparison).
fn pending_word(f: &Field, i: usize) -> bool {
    let t = &f.toks[i];
    if !PENDING_SET.contains(t.key.as_str()) || (t.cap && !t.sentence_start) {
        return false;
    }
    let prev = i.checked_sub(1).map(|j| f.toks[j].key.as_str());
    !(t.key == "expected" && prev == Some("than"))
}

/// The first word of going up or down among `v`, as written.
fn moved(v: &[Content]) -> Option<&str> {
    v.iter()
        .find(|c| UP_STEMS.has(&c.stem) || DOWN_STEMS.has(&c.stem))
        .map(|c| c.text.as_str())
}

/// Content words a headline may change on each side and still count as
/// kept when one market's direction is swapped.
const SWAP_MAX_WORDS: usize = 2;

/// A short-of word within three words before a record word.
/// "Hover above their record": past a record is no short of it.
fn short_of_record(v: &[(String, String)]) -> bool {
    v.iter().enumerate().any(|(i, (s, _))| {
        let before = &v[i.saturating_sub(4)..i];
        RECORD_STEMS.has(s)
            && before.iter().any(|(p, _)| SHORT_OF_STEMS.has(p))
            && !before
                .iter()
                .any(|(_, w)| matches!(fold(w).as_str(), "above" | "past" | "beyond"))
    })
}
