//! Which story a new item joins (stories), from event profiles: the
//! reports of one event share rare names, figures and event words and come
//! close together in time; one outlet's headlines from one occasion share
//! the speaker they are attributed to. Every join says why. Pure: the
//! caller passes the candidates (recent items sharing a key) and the rarity
//! of each key in recent news (IDF over a sliding window).

use super::event::{Key, KeyKind};
use crate::detect::lexicon::entities::Aliases;

/// A recent item a new one may join.
#[derive(Clone, Copy, Debug)]
pub struct Member<'a> {
    pub story_id: i64,
    pub source: i64,
    /// Unix seconds it was first seen.
    pub seen: i64,
    pub keys: &'a [Key],
    /// Language code ("en", "ru"; empty: unknown).
    pub lang: &'a str,
    /// The new item shares a name or figure with the item that founded
    /// this member's story. Content joins need it, so a story cannot drift
    /// from one event to the next through a chain of near neighbours.
    pub near_founder: bool,
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
/// by [`SCORE_PER_DAY`] per day apart (reports of one event cluster in
/// time; the same actors a day later are usually a new occasion). Chosen on
/// `dec-2025-late` for precision: a false merge hides a new story's alert.
pub const CROSS_MIN_SCORE: f64 = 0.30;
/// Lowest score for another report of the same outlet.
pub const SAME_MIN_SCORE: f64 = 0.45;
/// How much the lowest score rises per day between two reports.
pub const SCORE_PER_DAY: f64 = 0.30;

fn kind_weight(kind: KeyKind) -> f64 {
    match kind {
        KeyKind::Word => 1.0,
        KeyKind::Name => 1.5,
        KeyKind::Number => 2.0,
        KeyKind::Speaker => 0.0,
    }
}

fn weight(k: &Key, idf: &dyn Fn(&Key) -> f64) -> f64 {
    weight_of(k, idf(k))
}

fn weight_of(k: &Key, rarity: f64) -> f64 {
    kind_weight(k.kind) * if k.in_title { 1.0 } else { 0.5 } * rarity
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
    similarity_with_norm(a, norm(a, idf), b, idf)
}

/// [`similarity`] with the norm of `a` already known: a new item is scored
/// against many candidates, and its own norm is the same each time.
fn similarity_with_norm(
    a: &[Key],
    na: f64,
    b: &[Key],
    idf: &dyn Fn(&Key) -> f64,
) -> (f64, Vec<(KeyKind, String)>) {
    let nb = norm(b, idf);
    if na == 0.0 || nb == 0.0 {
        return (0.0, Vec::new());
    }
    // The first content key of `b` with each text, found by hashing rather
    // than by a scan of `b` for every key of `a`.
    let mut first: foldhash::HashMap<&str, &Key> = Default::default();
    for kb in b.iter().filter(|k| k.kind != KeyKind::Speaker) {
        first.entry(kb.text.as_str()).or_insert(kb);
    }
    let mut dot = 0.0;
    let mut shared: Vec<(f64, KeyKind, String)> = Vec::new();
    for ka in a.iter().filter(|k| k.kind != KeyKind::Speaker) {
        if let Some(kb) = first.get(ka.text.as_str()) {
            // Rarity is a property of the text, the same on both sides.
            let rarity = idf(ka);
            dot += weight_of(ka, rarity) * weight_of(kb, rarity);
            shared.push((rarity, ka.kind.max(kb.kind), ka.text.clone()));
        }
    }
    shared.sort_by(|x, y| y.0.total_cmp(&x.0));
    (
        dot / (na * nb),
        shared.into_iter().map(|(_, k, t)| (k, t)).collect(),
    )
}

/// The keys two reports in different languages can share: names, figures
/// and the event words of the alias list (their other words are in another
/// language and would only lower the score).
fn comparable_across_languages(keys: &[Key]) -> Vec<Key> {
    let list = Aliases::shipped();
    keys.iter()
        .filter(|k| k.kind != KeyKind::Word || list.is_event_word(&k.text))
        .cloned()
        .collect()
}

fn two_languages(a: &str, b: &str) -> bool {
    let code = |l: &str| l.get(..2).unwrap_or(l).to_ascii_lowercase();
    !a.is_empty() && !b.is_empty() && code(a) != code(b)
}

/// The story a new item joins, or `None` for a new story. The best-scoring
/// member wins; ties go to the earliest story.
pub fn decide(
    keys: &[Key],
    source: i64,
    lang: &str,
    at: i64,
    members: &[Member<'_>],
    idf: &dyn Fn(&Key) -> f64,
) -> Option<Join> {
    let mut best: Option<Join> = None;
    let across = comparable_across_languages(keys);
    let (own_norm, across_norm) = (norm(keys, idf), norm(&across, idf));
    let own_speaker = speaker(keys);
    for m in members {
        let gap = at - m.seen;
        let hours = gap.abs() as f64 / 3600.0;
        let same_source = m.source == source;
        let max_gap = if same_source {
            SAME_GAP_HOURS
        } else {
            CROSS_GAP_HOURS
        };
        if hours > max_gap as f64 {
            continue;
        }
        let (score, shared) = if two_languages(lang, m.lang) {
            similarity_with_norm(
                &across,
                across_norm,
                &comparable_across_languages(m.keys),
                idf,
            )
        } else {
            similarity_with_norm(keys, own_norm, m.keys, idf)
        };
        let anchored = shared
            .iter()
            .any(|(k, _)| matches!(k, KeyKind::Name | KeyKind::Number))
            && shared.len() >= 2;
        let min = if same_source {
            SAME_MIN_SCORE
        } else {
            CROSS_MIN_SCORE
        } + SCORE_PER_DAY * hours / 24.0;
        let occasion = same_source
            && hours <= OCCASION_GAP_HOURS as f64
            && own_speaker.is_some()
            && own_speaker == speaker(m.keys);
        let rule = if anchored && m.near_founder && score >= min {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::lexicon::entities::Aliases;
    use crate::detect::stories::article_link;
    use crate::detect::stories::event::{after_dateline, decode, encode, headline, profile};

    fn keys(title: &str, text: &str) -> Vec<Key> {
        profile(title, text, Aliases::shipped())
    }

    fn flat(_: &Key) -> f64 {
        2.0
    }

    const HOUR: i64 = 3600;

    #[test]
    fn one_event_in_two_scripts_and_spellings_joins() {
        let en = keys(
            "Zelenskiy and Macron discuss 40 air defence systems in Paris",
            "",
        );
        let ru = keys("Зеленский и Макрон обсудили 40 систем ПВО", "");
        let member = Member {
            story_id: 7,
            source: 1,
            seen: 0,
            keys: &ru,
            near_founder: true,
            lang: "",
        };
        let join = decide(&en, 2, "", HOUR, &[member], &flat).expect("joins");
        assert_eq!(join.story_id, 7);
        let names: Vec<&str> = join.shared.iter().map(|(_, t)| t.as_str()).collect();
        for k in ["zelensky", "macron", "40"] {
            assert!(names.contains(&k), "{names:?}");
        }
        assert!(join.why().contains("names: "), "{}", join.why());
        // Told it is two languages, it compares only what can be shared
        // across them (names, figures, listed event words): a higher score.
        let member = Member {
            lang: "ru",
            ..member
        };
        let across = decide(&en, 2, "en", HOUR, &[member], &flat).expect("joins");
        assert!(
            across.score > join.score,
            "{} vs {}",
            across.score,
            join.score
        );
    }

    #[test]
    fn figures_and_event_words_meet_across_wordings() {
        let a = keys("Air defences down 57 drones over three regions", "");
        let b = keys(
            "Defence ministry says 57 UAVs downed over three regions",
            "",
        );
        let m = Member {
            story_id: 1,
            source: 1,
            seen: 0,
            keys: &b,
            near_founder: true,
            lang: "",
        };
        assert!(decide(&a, 2, "", HOUR, &[m], &flat).is_some());
    }

    #[test]
    fn the_same_actor_at_two_events_stays_apart() {
        let call = keys("Macron holds phone call with Erdogan on grain exports", "");
        let visit = keys("Macron meets Scholz in Berlin for defence talks", "");
        let m = Member {
            story_id: 1,
            source: 1,
            seen: 0,
            keys: &visit,
            near_founder: true,
            lang: "",
        };
        assert_eq!(decide(&call, 2, "", HOUR, &[m], &flat), None);
    }

    #[test]
    fn one_outlets_headlines_of_one_speaker_are_one_occasion_while_close_in_time() {
        let a = keys("Europe is preparing for a long confrontation — Lavrov", "");
        let b = keys(
            "Moscow remains open to dialogue with Washington — Lavrov",
            "",
        );
        let m = Member {
            story_id: 3,
            source: 5,
            seen: 0,
            keys: &b,
            near_founder: true,
            lang: "",
        };
        let join = decide(&a, 5, "", 2 * HOUR, &[m], &flat).expect("one occasion");
        assert_eq!(join.rule, Rule::Occasion);
        assert_eq!(decide(&a, 5, "", 30 * HOUR, &[m], &flat), None, "next day");
        // Another outlet's headline of that speaker needs shared content.
        assert_eq!(decide(&a, 6, "", 2 * HOUR, &[m], &flat), None);
    }

    #[test]
    fn datelines_labels_and_given_names_are_not_event_words() {
        assert_eq!(
            after_dateline("MOSCOW, December 28. /TASS/. The talks ended."),
            "The talks ended."
        );
        assert_eq!(
            after_dateline("KYIV, Dec 29 (Reuters) - Power was restored."),
            "Power was restored."
        );
        assert_eq!(after_dateline("No dateline - here."), "No dateline - here.");
        assert_eq!(
            headline("Live: Talks resume in Geneva"),
            "Talks resume in Geneva"
        );
        let k = keys("President Donald Trump speaks on Sunday", "");
        let texts: Vec<&str> = k.iter().map(|k| k.text.as_str()).collect();
        assert!(texts.contains(&"trump"), "{texts:?}");
        for gone in ["donald", "presid", "president", "sunday"] {
            assert!(!texts.contains(&gone), "{texts:?}");
        }
    }

    #[test]
    fn profiles_survive_storage() {
        let k = keys(
            "Strike on Odesa port kills 3 — governor",
            "ODESA, May 2 (Reuters) - A port.",
        );
        assert_eq!(decode(&encode(&k)), k);
        assert!(decode("garbage x:y wt:").is_empty());
    }

    #[test]
    fn home_and_section_pages_are_not_article_links() {
        assert!(!article_link("https://meduza.io/"));
        assert!(!article_link("https://example.com"));
        assert!(!article_link("https://example.com/world/"));
        assert!(article_link("https://example.com/world/2026/12/07/talks"));
        assert!(article_link(
            "https://example.com/world/talks-resume-in-geneva"
        ));
        assert!(article_link("https://example.com/article?id=42"));
    }
}
