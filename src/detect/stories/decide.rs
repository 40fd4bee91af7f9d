//! Which story a new item joins (stories), from event profiles: the
//! reports of one event share rare names, figures and event words and come
//! close together in time; one outlet's headlines from one occasion share
//! the speaker they are attributed to. Every join says why. Pure: the
//! caller passes the candidates (recent items sharing a key) and the rarity
//! of each key in recent news (IDF over a sliding window).

use super::event::{Key, KeyKind};

/// A recent item a new one may join.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub story_id: i64,
    pub source: i64,
    /// Unix seconds it was first seen.
    pub seen: i64,
    pub keys: &'a [Key],
}

/// The rule that joined an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Shared names, figures and event words, weighted by rarity.
    Content,
    /// Same outlet, same speaker, close in time: one statement occasion.
    Occasion,
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
    /// Seconds since the member it matched.
    pub gap_secs: i64,
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
            Rule::Occasion => "same outlet, speaker and occasion",
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
/// by [`SCORE_PER_DAY`] per day apart.
pub const CROSS_MIN_SCORE: f64 = 0.25;
/// Lowest score for another report of the same outlet.
pub const SAME_MIN_SCORE: f64 = 0.45;
pub const SCORE_PER_DAY: f64 = 0.10;

// TUNING (temporary): env overrides while measuring.
pub fn tun(name: &str, default: f64) -> f64 {
    std::env::var(format!("NW_T_{name}"))
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn kind_weight(kind: KeyKind) -> f64 {
    match kind {
        KeyKind::Word => 1.0,
        KeyKind::Name => tun("NAME", 1.5),
        KeyKind::Number => tun("NUM", 2.0),
        KeyKind::Speaker => 0.0,
    }
}

fn weight(k: &Key, idf: &dyn Fn(&Key) -> f64) -> f64 {
    kind_weight(k.kind) * if k.in_title { 1.0 } else { tun("LEAD", 0.5) } * idf(k)
}

fn norm(keys: &[Key], idf: &dyn Fn(&Key) -> f64) -> f64 {
    keys.iter()
        .map(|k| weight(k, idf).powi(2))
        .sum::<f64>()
        .sqrt()
}

fn speaker(keys: &[Key]) -> Option<&str> {
    keys.iter()
        .find(|k| k.kind == KeyKind::Speaker)
        .map(|k| k.text.as_str())
}

/// Score of two profiles and their shared content keys (rarest first).
pub fn similarity(
    a: &[Key],
    b: &[Key],
    idf: &dyn Fn(&Key) -> f64,
) -> (f64, Vec<(KeyKind, String)>) {
    let (na, nb) = (norm(a, idf), norm(b, idf));
    if na == 0.0 || nb == 0.0 {
        return (0.0, Vec::new());
    }
    let mut dot = 0.0;
    let mut shared: Vec<(f64, KeyKind, String)> = Vec::new();
    for ka in a.iter().filter(|k| k.kind != KeyKind::Speaker) {
        if let Some(kb) = b
            .iter()
            .find(|kb| kb.text == ka.text && kb.kind != KeyKind::Speaker)
        {
            dot += weight(ka, idf) * weight(kb, idf);
            shared.push((idf(ka), ka.kind.max(kb.kind), ka.text.clone()));
        }
    }
    shared.sort_by(|x, y| y.0.total_cmp(&x.0));
    (
        dot / (na * nb),
        shared.into_iter().map(|(_, k, t)| (k, t)).collect(),
    )
}

/// The story a new item joins, or `None` for a new story. The best-scoring
/// member wins; ties go to the earliest story.
pub fn decide(
    keys: &[Key],
    source: i64,
    at: i64,
    members: &[Member<'_>],
    idf: &dyn Fn(&Key) -> f64,
) -> Option<Join> {
    let mut best: Option<Join> = None;
    let own_speaker = speaker(keys);
    for m in members {
        let gap = at - m.seen;
        let hours = gap.abs() as f64 / 3600.0;
        let same_source = m.source == source;
        let max_gap = if same_source {
            tun("SAMEGAP", SAME_GAP_HOURS as f64) as i64
        } else {
            tun("CROSSGAP", CROSS_GAP_HOURS as f64) as i64
        };
        if hours > max_gap as f64 {
            continue;
        }
        let (score, shared) = similarity(keys, m.keys, idf);
        let anchored = shared
            .iter()
            .any(|(k, _)| matches!(k, KeyKind::Name | KeyKind::Number))
            && shared.len() >= 2;
        let min = if same_source {
            tun("SAMEMIN", SAME_MIN_SCORE)
        } else {
            tun("CROSSMIN", CROSS_MIN_SCORE)
        } + tun("PERDAY", SCORE_PER_DAY) * hours / 24.0;
        let occasion = same_source
            && hours <= tun("OCCGAP", OCCASION_GAP_HOURS as f64)
            && own_speaker.is_some()
            && own_speaker == speaker(m.keys);
        let rule = if anchored && score >= min {
            Rule::Content
        } else if occasion {
            Rule::Occasion
        } else {
            continue;
        };
        let mut shared = shared;
        if rule == Rule::Occasion
            && let Some(s) = own_speaker
        {
            shared.push((KeyKind::Speaker, s.to_string()));
        }
        let candidate = Join {
            story_id: m.story_id,
            rule,
            score,
            shared,
            gap_secs: gap,
        };
        let better = match &best {
            None => true,
            Some(b) => {
                (
                    candidate.rule == Rule::Content,
                    candidate.score,
                    -candidate.story_id,
                ) > (b.rule == Rule::Content, b.score, -b.story_id)
            }
        };
        if better {
            best = Some(candidate);
        }
    }
    best
}
