//! Which story a new item joins (stories), from event profiles: the
//! reports of one event share rare names, figures and event words and come
//! close together in time; one outlet's headlines from one occasion share
//! the speaker they are attributed to. Every join says why. Pure: the
//! caller passes the candidates (recent items sharing a key) and the rarity
//! of each key in recent news (IDF over a sliding window).

use super::event::{BACKGROUND_KEY, CONVERSATION_KEY, Key, KeyKind, SOURCE_KEY};
use super::occasion;
use crate::detect::lexicon::entities::Aliases;

/// A recent item a new one may join.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub story_id: i64,
    pub source: i64,
    /// Unix seconds it was first seen.
    pub seen: i64,
    pub profile: &'a Interned,
    /// Language code ("en", "ru"; empty: unknown).
    pub lang: &'a str,
    /// The new item shares a name or figure with the item that founded
    /// this member's story. Content joins need it, so a story cannot drift
    /// from one event to the next through a chain of near neighbours.
    pub near_founder: bool,
    /// Passed only as a possible occasion of two principals
    /// (`occasion::by_participants`): no other rule compares with it.
    pub occasion_only: bool,
    /// The story the user split this member's story off (`stories split`):
    /// a report closer to this member than to any of that story's goes
    /// with the reports split off, not with the story they left.
    pub split_from: Option<i64>,
    /// Unix seconds of the latest report of this member's story (the
    /// caller's window; at least `seen`).
    pub story_last: i64,
}

/// The rule that joined an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Shared names, figures and event words, weighted by rarity.
    Content,
    /// Same outlet, same speaker, close in time: one statement occasion.
    Occasion,
    /// Another outlet, the same listed speaker, soon after the story's
    /// first report attributed to them: one statement occasion
    /// (`occasion::by_speaker`).
    Speaker,
    /// A statement of one of the two people whose meeting or call the
    /// story is, on that occasion's day (`occasion::by_participants`).
    Participant,
    /// A remark of one of the two people whose meeting the story is, that
    /// names neither the other nor any occasion, on the day of the story's
    /// first report or in the night after (`occasion::by_participants`).
    Remark,
    /// Grouping put the report with a story the user split reports off,
    /// but it is closer to one of the reports split off: it goes with them.
    Split,
    /// Another report of the story's occasion of two principals (the same
    /// two people, the same kind), while the story is open
    /// (`occasion::by_pair`).
    Pair,
}

/// A decision to join a story, with what it rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    pub story_id: i64,
    pub rule: Rule,
    /// Weighted cosine of the two profiles (0–1).
    pub score: f64,
    /// Shared keys, rarest first: (kind, text).
    pub shared: Vec<(KeyKind, String)>,
    /// Seconds since the member it matched (a speaker's occasion: since
    /// its first report).
    pub gap_secs: i64,
    /// Occasion kinds the new headline names (a speaker's occasion only).
    pub kinds: Vec<&'static str>,
}

impl Join {
    /// One line for `show` and `stories show`.
    pub fn why(&self) -> String {
        let list = |kind: KeyKind| -> String {
            self.shared
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, t)| t.as_str())
                .take(6)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        for (kind, label) in [
            (KeyKind::Name, "names"),
            (KeyKind::Number, "figures"),
            (KeyKind::Word, "words"),
            (KeyKind::Speaker, "speaker"),
        ] {
            let l = list(kind);
            if !l.is_empty() {
                parts.push(format!("{label}: {l}"));
            }
        }
        let rule = match self.rule {
            Rule::Content => "same event",
            Rule::Split => "closer to the reports the user split off than to the story they left",
            Rule::Occasion => "same outlet, speaker and occasion",
            Rule::Participant => {
                return format!(
                    "a participant's statement: {}, on the day of the story's {} of {}, {} after a report of it",
                    list(KeyKind::Speaker).replace('+', ", "),
                    self.kinds.join(", "),
                    list(KeyKind::Name),
                    gap_text(self.gap_secs),
                );
            }
            Rule::Remark => {
                return format!(
                    "a participant's remark: {}, on the day of the story's {} of {} or the night after, {} after its first report",
                    list(KeyKind::Speaker).replace('+', ", "),
                    self.kinds.join(", "),
                    list(KeyKind::Name),
                    gap_text(self.gap_secs),
                );
            }
            Rule::Pair => {
                return format!(
                    "the same {} of {} as the story's, {} after its latest report",
                    self.kinds.join(", "),
                    list(KeyKind::Name),
                    gap_text(self.gap_secs),
                );
            }
            Rule::Speaker => {
                return format!(
                    "same speaker: {}, {} after the story's first report attributed to them{}",
                    list(KeyKind::Speaker).replace('+', ", "),
                    gap_text(self.gap_secs),
                    if self.kinds.is_empty() {
                        String::new()
                    } else {
                        format!(" (occasion: {})", self.kinds.join(", "))
                    }
                );
            }
        };
        format!(
            "{rule} (score {:.2}; {}; {} after a report of it)",
            self.score,
            parts.join("; "),
            gap_text(self.gap_secs)
        )
    }
}

fn gap_text(secs: i64) -> String {
    let m = secs.abs() / 60;
    if m < 60 {
        format!("{m} min")
    } else {
        format!("{}h{:02}", m / 60, m % 60)
    }
}

/// Reports of other outlets join within this long of a member.
pub const CROSS_GAP_HOURS: i64 = 36;
/// The same outlet's reports join within this long of a member.
pub const SAME_GAP_HOURS: i64 = 12;
/// Headlines of one speaker, one outlet: one occasion within this long.
pub const OCCASION_GAP_HOURS: i64 = 10;
/// Lowest score for a report of another outlet, at no time gap; it rises
/// by [`SCORE_PER_DAY`] per day apart (reports of one event cluster in
/// time; the same actors a day later are usually a new occasion). Chosen on
/// `dec-2025-late` for precision: a false merge hides a new story's alert.
pub const CROSS_MIN_SCORE: f64 = 0.30;
/// Lowest score for another report of the same outlet.
pub const SAME_MIN_SCORE: f64 = 0.45;
/// How much the lowest score rises per day between two reports.
pub const SCORE_PER_DAY: f64 = 0.30;
/// Backgrounders of other outlets join within this long of a member, at
/// [`BACKGROUND_MIN_SCORE`] whatever the gap: an outlet republishes
/// another's explainer days later, and a standing subject has no day.
pub const BACKGROUND_GAP_HOURS: i64 = 72;
/// Lowest score for a backgrounder of another outlet.
pub const BACKGROUND_MIN_SCORE: f64 = 0.45;

fn kind_weight(kind: KeyKind) -> f64 {
    match kind {
        KeyKind::Word => 1.0,
        KeyKind::Name => 1.5,
        KeyKind::Number => 2.0,
        KeyKind::Speaker => 0.0,
    }
}

fn weight_of(k: &IdKey, rarity: f64) -> f64 {
    // A demonym weighs as its place's name; it stays a word for the
    // anchor and across languages.
    let kind = if k.place { KeyKind::Name } else { k.kind };
    kind_weight(kind) * if k.in_title { 1.0 } else { 0.5 } * rarity
}

/// The id of a key text no profile of the window has: it matches nothing.
pub const UNKNOWN: u32 = u32::MAX;

/// Key texts numbered, so that profiles compare by integer and rarity is
/// looked up by index rather than by hashing a string for every key of
/// every candidate. A speaker is numbered apart from a content key of the
/// same text.
#[derive(Default)]
pub struct KeyIds {
    ids: foldhash::HashMap<Box<str>, u32>,
    texts: Vec<(bool, Box<str>)>,
}

impl KeyIds {
    /// Number of texts numbered so far (every id is below it).
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
    }

    fn name(speaker: bool, text: &str) -> std::borrow::Cow<'_, str> {
        if speaker {
            format!("s:{text}").into()
        } else {
            text.into()
        }
    }

    /// The id of a text, numbering it if new.
    pub fn intern(&mut self, speaker: bool, text: &str) -> u32 {
        let name = Self::name(speaker, text);
        if let Some(&id) = self.ids.get(name.as_ref()) {
            return id;
        }
        let id = u32::try_from(self.texts.len()).unwrap_or(UNKNOWN);
        if id != UNKNOWN {
            self.ids.insert(name.into(), id);
            self.texts.push((speaker, text.into()));
        }
        id
    }

    /// The id of a text, or [`UNKNOWN`].
    pub fn get(&self, speaker: bool, text: &str) -> u32 {
        self.ids
            .get(Self::name(speaker, text).as_ref())
            .copied()
            .unwrap_or(UNKNOWN)
    }

    /// The text of an id ("" for [`UNKNOWN`]) and whether it is a speaker's.
    pub fn text(&self, id: u32) -> (bool, &str) {
        self.texts
            .get(id as usize)
            .map_or((false, ""), |(s, t)| (*s, t))
    }
}

/// A key with its text numbered ([`KeyIds`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdKey {
    pub id: u32,
    pub kind: KeyKind,
    pub in_title: bool,
    /// Comparable across languages: a name, a figure, or an event word of
    /// the alias list (other words are in one language only).
    pub across: bool,
    /// A word keyed as a listed place: a demonym ("Ukrainian"), context
    /// that weighs as the place's name but is no anchor by itself.
    pub place: bool,
}

/// A profile with numbered keys: its content keys in profile order and its
/// speaker.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Interned {
    pub keys: Vec<IdKey>,
    pub speaker: Option<u32>,
    /// The speaker names only actors of the alias list.
    pub speaker_actor: bool,
    /// Occasion kinds the headline names (`occasion::kinds`).
    pub kinds: u8,
    /// Other events the headline names (`occasion::acts`).
    pub acts: u8,
    /// Listed actors the headline names (ids of their name keys), in order.
    pub principals: Vec<u32>,
    /// Who the headline is about as a statement: the speaker's actors, else
    /// the listed actors it opens with ("Trump, Zelensky reveal …").
    pub subject: Vec<u32>,
    /// UTC offsets (hours) of the subject's actors the list gives.
    pub zones: Vec<i32>,
    /// Attributed to a kind of source that gives its own view ("—
    /// expert"): nobody's statement, and no report of an occasion.
    pub opinion: bool,
    /// A backgrounder about a standing subject (`event::background`): it
    /// joins only another backgrounder, and no report joins it.
    pub background: bool,
}

impl Interned {
    /// `keys` numbered by `id` (a speaker key: `id(true, text)`).
    pub fn new(keys: &[Key], id: &mut dyn FnMut(bool, &str) -> u32) -> Interned {
        let list = Aliases::shipped();
        let mut out = Interned {
            kinds: occasion::kinds(keys),
            acts: occasion::acts(keys),
            ..Interned::default()
        };
        let mut opening = true;
        let mut subject: Vec<&str> = Vec::new();
        let mut conversation = false;
        for k in keys {
            if k.kind == KeyKind::Word && k.text == BACKGROUND_KEY {
                out.background = true;
                continue;
            }
            if k.kind == KeyKind::Word && k.text == CONVERSATION_KEY {
                conversation = true;
                continue;
            }
            if k.kind == KeyKind::Word && k.text == SOURCE_KEY {
                out.opinion = true;
                continue;
            }
            if k.kind == KeyKind::Speaker {
                if out.speaker.is_none() {
                    out.speaker = Some(id(true, &k.text));
                    out.speaker_actor = occasion::actor_speaker(&k.text, list);
                    if out.speaker_actor {
                        subject = k.text.split('+').collect();
                    }
                }
                continue;
            }
            let actor = k.in_title && k.kind == KeyKind::Name && list.is_actor(&k.text);
            opening &= actor;
            if opening && out.speaker.is_none() {
                subject.push(&k.text);
            }
            if actor {
                let i = id(false, &k.text);
                if !out.principals.contains(&i) {
                    out.principals.push(i);
                }
            }
            out.keys.push(IdKey {
                id: id(false, &k.text),
                kind: k.kind,
                in_title: k.in_title,
                across: k.kind != KeyKind::Word || list.is_event_word(&k.text),
                place: k.kind == KeyKind::Word && list.is_place(&k.text),
            });
        }
        if (!out.speaker_actor && out.speaker.is_some()) || out.opinion {
            subject.clear();
        }
        // "Putin told Trump that … after the drone attack": the two's
        // conversation, a call unless the headline names a meeting. The
        // event it cites stays among its acts, so that it continues no
        // earlier conversation of the two that named none.
        if conversation && out.principals.len() == 2 {
            if out.kinds == 0 {
                out.kinds = occasion::CALL;
            }
            // Both speak: no one speaker's occasion.
            out.speaker = None;
            out.speaker_actor = false;
            subject = keys
                .iter()
                .filter(|k| k.in_title && k.kind == KeyKind::Name && list.is_actor(&k.text))
                .map(|k| k.text.as_str())
                .collect();
        }
        subject.dedup();
        out.zones = subject
            .iter()
            .filter_map(|t| list.utc_offset_hours(t))
            .collect();
        out.subject = subject.iter().map(|t| id(false, t)).collect();
        out
    }

    fn norm(&self, across: bool, rarity: &mut dyn FnMut(u32) -> f64) -> f64 {
        self.keys
            .iter()
            .filter(|k| !across || k.across)
            .map(|k| weight_of(k, rarity(k.id)).powi(2))
            .sum::<f64>()
            .sqrt()
    }
}

/// Working memory of [`decide`], kept between calls so that scoring a
/// candidate allocates nothing.
#[derive(Default)]
pub struct Scratch {
    /// Key id → 1 + its position in the new profile (0: not in it).
    pos: Vec<u32>,
    /// Shared keys of the candidate being scored: (position in the new
    /// profile, position in the candidate's).
    matches: Vec<(u32, u32)>,
}

/// Shared keys of the new profile `a` (its positions in `scratch.pos`) and
/// `b`, into `scratch.matches` in the order of `a`; the score and whether
/// the match is anchored (a shared name or figure, and two keys shared).
fn score(
    a: &Interned,
    na: f64,
    b: &Interned,
    across: bool,
    rarity: &mut dyn FnMut(u32) -> f64,
    scratch: &mut Scratch,
) -> (f64, bool) {
    scratch.matches.clear();
    let nb = b.norm(across, rarity);
    if na == 0.0 || nb == 0.0 {
        return (0.0, false);
    }
    for (j, kb) in b.keys.iter().enumerate() {
        let i = match scratch.pos.get(kb.id as usize) {
            Some(&p) if p > 0 => p - 1,
            _ => continue,
        };
        if across && !(kb.across && a.keys[i as usize].across) {
            continue;
        }
        scratch.matches.push((i, j as u32));
    }
    // A key text twice in `b` (not in a stored profile): its first.
    scratch.matches.sort_unstable();
    scratch.matches.dedup_by_key(|m| m.0);
    let mut dot = 0.0;
    let mut anchor = false;
    for &(i, j) in &scratch.matches {
        let (ka, kb) = (&a.keys[i as usize], &b.keys[j as usize]);
        // Rarity is a property of the text, the same on both sides.
        let r = rarity(ka.id);
        dot += weight_of(ka, r) * weight_of(kb, r);
        anchor |= matches!(ka.kind.max(kb.kind), KeyKind::Name | KeyKind::Number);
    }
    (dot / (na * nb), anchor && scratch.matches.len() >= 2)
}

fn two_languages(a: &str, b: &str) -> bool {
    let code = |l: &str| l.get(..2).unwrap_or(l).to_ascii_lowercase();
    !a.is_empty() && !b.is_empty() && code(a) != code(b)
}

/// The best candidate so far: (content rule, score — for the same outlet's
/// occasion, the number of the speaker's headlines of that outlet in the
/// story plus the score —, -story id) to rank it, its member, rule,
/// whether it compared across languages, and its score.
type Best = ((bool, f64, i64), usize, Rule, bool, f64);

/// The story a new item joins, or `None` for a new story. The best-scoring
/// member wins; ties go to the earliest story. `rarity` gives a key id's
/// IDF in the window, `text` its text (for the explanation of a join).
#[allow(clippy::too_many_arguments)]
pub fn decide(
    new: &Interned,
    source: i64,
    lang: &str,
    at: i64,
    members: &[Member<'_>],
    rarity: &mut dyn FnMut(u32) -> f64,
    text: &dyn Fn(u32) -> String,
    scratch: &mut Scratch,
) -> Option<Join> {
    for (i, k) in new.keys.iter().enumerate() {
        if k.id == UNKNOWN {
            continue;
        }
        let slot = k.id as usize;
        if scratch.pos.len() <= slot {
            scratch.pos.resize(slot + 1, 0);
        }
        if scratch.pos[slot] == 0 {
            scratch.pos[slot] = i as u32 + 1;
        }
    }
    let (own_norm, across_norm) = (new.norm(false, rarity), new.norm(true, rarity));
    let mut best: Option<Best> = None;
    let pair = occasion::two_principals(new);
    // Anchored scores of members split off by the user: (member, score,
    // whether compared across languages).
    let mut split_off: Vec<(usize, f64, bool)> = Vec::new();
    for (n, m) in members.iter().enumerate() {
        // A backgrounder and a report of one event are never one story.
        if m.occasion_only || m.profile.background != new.background {
            continue;
        }
        let gap = at - m.seen;
        let hours = gap.abs() as f64 / 3600.0;
        let same_source = m.source == source;
        let background = new.background && !same_source;
        let max_gap = if background {
            BACKGROUND_GAP_HOURS
        } else if same_source {
            SAME_GAP_HOURS
        } else {
            CROSS_GAP_HOURS
        };
        if hours > max_gap as f64 {
            continue;
        }
        let across = two_languages(lang, m.lang);
        let na = if across { across_norm } else { own_norm };
        let (score, anchored) = score(new, na, m.profile, across, rarity, scratch);
        if anchored && m.split_from.is_some() {
            split_off.push((n, score, across));
        }
        let min = if background {
            BACKGROUND_MIN_SCORE
        } else if same_source {
            SAME_MIN_SCORE + SCORE_PER_DAY * hours / 24.0
        } else {
            CROSS_MIN_SCORE + SCORE_PER_DAY * hours / 24.0
        };
        let occasion = same_source
            && hours <= OCCASION_GAP_HOURS as f64
            && new.speaker.is_some()
            && new.speaker == m.profile.speaker;
        // A report of an occasion of two principals (their call, their
        // meeting) joins by content only a report naming both: "Putin told
        // Trump … after the drone attack" is the call's, not the attack's.
        let names_pair = !pair
            || new
                .principals
                .iter()
                .all(|p| m.profile.principals.contains(p));
        let rule = if anchored && m.near_founder && names_pair && score >= min {
            Rule::Content
        } else if occasion {
            Rule::Occasion
        } else {
            continue;
        };
        // One outlet's headlines of one speaker: of the stories holding
        // them, the one that holds most of them among the members is the
        // occasion (a headline that joined another story by content does
        // not draw the speaker's next headlines there).
        let weight = if rule == Rule::Occasion {
            members
                .iter()
                .filter(|o| {
                    o.story_id == m.story_id
                        && o.source == source
                        && o.profile.speaker == new.speaker
                })
                .count() as f64
                + score
        } else {
            score
        };
        let rank = (rule == Rule::Content, weight, -m.story_id);
        if best.as_ref().is_none_or(|(b, ..)| rank > *b) {
            best = Some((rank, n, rule, across, score));
        }
    }
    // A story the user split reports off is joined only through its own
    // reports: when one split off scores higher, the report goes with it.
    if let Some(((content, _, _), n, _, _, score)) = best {
        let left = members[n].story_id;
        if let Some(&(s, split, across)) = split_off
            .iter()
            .filter(|&&(s, split, _)| members[s].split_from == Some(left) && split > score)
            .max_by(|a, b| a.1.total_cmp(&b.1))
        {
            best = Some(((content, split, 0), s, Rule::Split, across, split));
        }
    }
    let join = match best {
        Some((_, n, rule, across, score)) => {
            let m = &members[n];
            let na = if across { across_norm } else { own_norm };
            Some(score_shared(
                new, na, m, across, rule, score, at, rarity, text, scratch,
            ))
        }
        // A backgrounder is no report of an occasion.
        None if new.background => None,
        None => occasion::by_speaker(new, source, at, members)
            .map(|(n, start)| Join {
                story_id: members[n].story_id,
                rule: Rule::Speaker,
                score: 0.0,
                shared: new
                    .speaker
                    .map(|s| (KeyKind::Speaker, text(s)))
                    .into_iter()
                    .collect(),
                gap_secs: at - start,
                kinds: occasion::kind_names(new.kinds),
            })
            .or_else(|| {
                occasion::by_participants(new, at, members).map(|(n, start, remark)| {
                    let m = &members[n];
                    let mut shared: Vec<(KeyKind, String)> = m
                        .profile
                        .principals
                        .iter()
                        .map(|&p| (KeyKind::Name, text(p)))
                        .collect();
                    let subject: Vec<String> = new.subject.iter().map(|&p| text(p)).collect();
                    shared.push((KeyKind::Speaker, subject.join("+")));
                    Join {
                        story_id: m.story_id,
                        rule: if remark {
                            Rule::Remark
                        } else {
                            Rule::Participant
                        },
                        score: 0.0,
                        shared,
                        gap_secs: at - start,
                        kinds: occasion::kind_names(m.profile.kinds),
                    }
                })
            })
            .or_else(|| {
                occasion::by_pair(new, at, members).map(|(n, last)| {
                    let m = &members[n];
                    Join {
                        story_id: m.story_id,
                        rule: Rule::Pair,
                        score: 0.0,
                        shared: m
                            .profile
                            .principals
                            .iter()
                            .map(|&p| (KeyKind::Name, text(p)))
                            .collect(),
                        gap_secs: at - last,
                        kinds: occasion::kind_names(m.profile.kinds),
                    }
                })
            }),
    };
    for k in &new.keys {
        if let Some(p) = scratch.pos.get_mut(k.id as usize) {
            *p = 0;
        }
    }
    join
}

/// The join with `m`, with its shared keys rarest first (ties in the order
/// of the new profile).
#[allow(clippy::too_many_arguments)]
fn score_shared(
    new: &Interned,
    na: f64,
    m: &Member<'_>,
    across: bool,
    rule: Rule,
    score_: f64,
    at: i64,
    rarity: &mut dyn FnMut(u32) -> f64,
    text: &dyn Fn(u32) -> String,
    scratch: &mut Scratch,
) -> Join {
    score(new, na, m.profile, across, rarity, scratch);
    let mut shared: Vec<(f64, KeyKind, u32)> = scratch
        .matches
        .iter()
        .map(|&(i, j)| {
            let (ka, kb) = (&new.keys[i as usize], &m.profile.keys[j as usize]);
            (rarity(ka.id), ka.kind.max(kb.kind), ka.id)
        })
        .collect();
    shared.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut shared: Vec<(KeyKind, String)> =
        shared.into_iter().map(|(_, k, id)| (k, text(id))).collect();
    if rule == Rule::Occasion
        && let Some(s) = new.speaker
    {
        shared.push((KeyKind::Speaker, text(s)));
    }
    Join {
        story_id: m.story_id,
        rule,
        score: score_,
        shared,
        gap_secs: at - m.seen,
        kinds: Vec::new(),
    }
}

#[cfg(test)]
mod tests;
