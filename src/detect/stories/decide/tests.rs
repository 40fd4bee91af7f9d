//! Tests of [`super::decide`]: joins and their explanations on real and
//! synthetic headline pairs.

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

/// A member as the tests write it: a plain profile.
#[derive(Clone, Copy)]
struct M<'a> {
    story_id: i64,
    source: i64,
    seen: i64,
    keys: &'a [Key],
    near_founder: bool,
    lang: &'a str,
    split_from: Option<i64>,
}

/// [`super::decide`] on plain profiles, numbered here; every key as
/// rare as `idf` says.
fn decide(
    keys: &[Key],
    source: i64,
    lang: &str,
    at: i64,
    members: &[M<'_>],
    idf: &dyn Fn(&Key) -> f64,
) -> Option<Join> {
    let mut ids = KeyIds::default();
    let mut all: Vec<Key> = keys.to_vec();
    let (new, profiles) = {
        let mut intern = |s: bool, t: &str| ids.intern(s, t);
        let new = Interned::new(keys, &mut intern);
        let profiles: Vec<Interned> = members
            .iter()
            .map(|m| {
                all.extend_from_slice(m.keys);
                Interned::new(m.keys, &mut intern)
            })
            .collect();
        (new, profiles)
    };
    let ms: Vec<Member<'_>> = members
        .iter()
        .zip(&profiles)
        .map(|(m, p)| Member {
            story_id: m.story_id,
            source: m.source,
            seen: m.seen,
            profile: p,
            lang: m.lang,
            near_founder: m.near_founder,
            occasion_only: false,
            split_from: m.split_from,
            story_last: m.seen,
        })
        .collect();
    let mut rarity = |id: u32| {
        let (speaker, text) = ids.text(id);
        all.iter()
            .find(|k| k.text == text && (k.kind == KeyKind::Speaker) == speaker)
            .map_or(0.0, idf)
    };
    let text = |id: u32| ids.text(id).1.to_string();
    super::decide(
        &new,
        source,
        lang,
        at,
        &ms,
        &mut rarity,
        &text,
        &mut Scratch::default(),
    )
}

const HOUR: i64 = 3600;

#[test]
fn one_event_in_two_scripts_and_spellings_joins() {
    let en = keys(
        "Zelenskiy and Macron discuss 40 air defence systems in Paris",
        "",
    );
    let ru = keys("Зеленский и Макрон обсудили 40 систем ПВО", "");
    let member = M {
        story_id: 7,
        source: 1,
        seen: 0,
        keys: &ru,
        near_founder: true,
        split_from: None,
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
    let member = M {
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
    let m = M {
        story_id: 1,
        source: 1,
        seen: 0,
        keys: &b,
        near_founder: true,
        split_from: None,
        lang: "",
    };
    assert!(decide(&a, 2, "", HOUR, &[m], &flat).is_some());
}

#[test]
fn the_same_actor_at_two_events_stays_apart() {
    let call = keys("Macron holds phone call with Erdogan on grain exports", "");
    let visit = keys("Macron meets Scholz in Berlin for defence talks", "");
    let m = M {
        story_id: 1,
        source: 1,
        seen: 0,
        keys: &visit,
        near_founder: true,
        split_from: None,
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
    let m = M {
        story_id: 3,
        source: 5,
        seen: 0,
        keys: &b,
        near_founder: true,
        split_from: None,
        lang: "",
    };
    let join = decide(&a, 5, "", 2 * HOUR, &[m], &flat).expect("one occasion");
    assert_eq!(join.rule, Rule::Occasion);
    assert_eq!(decide(&a, 5, "", 30 * HOUR, &[m], &flat), None, "next day");
    // Another outlet's headline of that speaker joins as the speaker's
    // occasion (`occasion::by_speaker`), not as the same outlet's.
    let other = decide(&a, 6, "", 2 * HOUR, &[m], &flat).expect("speaker's occasion");
    assert_eq!(other.rule, Rule::Speaker);
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

/// A report that grouping would put with a story the user split reports
/// off goes with the reports split off when one of them is closer, even
/// when that one alone would not take it; without a split it joins the
/// story as before.
#[test]
fn a_report_closer_to_a_split_off_report_goes_with_it() {
    let meeting = keys("Zelenskiy meets Macron in Paris to discuss sanctions", "");
    let pact = keys("Zelenskiy and Macron sign SAMP/T pact in Paris", "");
    let new = keys(
        "SAMP/T pact signed in Paris will shield cities, Zelenskiy says",
        "",
    );
    let left = M {
        story_id: 1,
        source: 1,
        seen: 0,
        keys: &meeting,
        near_founder: true,
        lang: "",
        split_from: None,
    };
    let split = M {
        story_id: 2,
        source: 2,
        seen: 0,
        keys: &pact,
        // Shares no name with the first report split off: alone, it
        // would not take the new one.
        near_founder: false,
        lang: "",
        split_from: Some(1),
    };
    let join = decide(&new, 2, "", HOUR, &[left, split], &flat).expect("joins");
    assert_eq!(
        (join.story_id, join.rule),
        (2, Rule::Split),
        "{}",
        join.why()
    );
    assert!(
        join.why()
            .starts_with("closer to the reports the user split off")
    );
    let unsplit = M {
        split_from: None,
        ..split
    };
    let join = decide(&new, 2, "", HOUR, &[left, unsplit], &flat).expect("joins");
    assert_eq!(
        (join.story_id, join.rule),
        (1, Rule::Content),
        "{}",
        join.why()
    );
}

/// One outlet's headlines of one press chat (TASS, `dec-2025-late`): the
/// next one goes to the story that holds most of them, not to the one a
/// single headline of the chat joined by content.
#[test]
fn a_speakers_headline_goes_to_the_story_holding_most_of_that_outlets_headlines() {
    let a1 = keys(
        "Trump offers Ukraine 15-year security guarantees, Kiev seeks 30-50 years — Zelensky",
        "",
    );
    let a2 = keys(
        "Zelensky says Ukrainian people should vote whether to accept peace deal",
        "",
    );
    let b = keys(
        "No agreement reached at talks with Trump on ZNPP, territories — Zelensky",
        "",
    );
    let new = keys("Zelensky says another phone call with Trump upcoming", "");
    let m = |story_id, seen, keys| M {
        story_id,
        source: 1,
        seen,
        keys,
        near_founder: true,
        lang: "",
        split_from: None,
    };
    let members = [m(5, 0, &a1[..]), m(5, 2 * HOUR, &a2), m(9, HOUR, &b)];
    // The two names are in most of the day's news: no content join.
    let idf = |k: &Key| {
        if ["zelensky", "trump"].contains(&k.text.as_str()) {
            0.3
        } else {
            2.0
        }
    };
    let join = decide(&new, 1, "", 2 * HOUR + 900, &members, &idf).expect("one occasion");
    assert_eq!(
        (join.story_id, join.rule),
        (5, Rule::Occasion),
        "{}",
        join.why()
    );
    // With one headline of the chat in each story, the one that shares
    // more with it takes it.
    let join = decide(&new, 1, "", 2 * HOUR + 900, &members[1..], &idf).expect("joins");
    assert_eq!(
        (join.story_id, join.rule),
        (9, Rule::Occasion),
        "{}",
        join.why()
    );
}

#[test]
fn backgrounders_are_told_from_reports_of_one_event() {
    use crate::detect::stories::event::background;
    for t in [
        "Explainer: What lies ahead for Ukraine's contested Zaporizhzhia nuclear power plant?",
        "What's next for Ukraine's Zaporizhzhia nuclear power plant?",
        "Как изменилась музыка в 2025 году?",
        "Analysis: Iran war becomes a contest of who can take the most pain",
    ] {
        assert!(background(t), "{t}");
    }
    for t in [
        "FACTBOX: What is known about meeting on special op with Putin",
        "IN BRIEF: What’s known about Kiev's attempt to attack Putin’s residence in Novgorod Region",
        "High voltage line restarts after repair at Zaporozhye nuclear plant",
        // A report, then a question about it: the report's.
        "В Москве неделю не работает мобильный интернет. Это тестирование «белых списков»?",
    ] {
        assert!(!background(t), "{t}");
    }
}

/// `dec-2025-late`: France 24's copy of a Reuters explainer, 55 hours
/// later, is the explainer's story, not the power-line repair's reported
/// half an hour before it.
#[test]
fn a_backgrounder_joins_only_a_backgrounder() {
    let lead = "Europe's largest nuclear power plant is one of the main sticking points in a peace plan to end the war between Russia and Ukraine.";
    let explainer = keys(
        "Explainer: What lies ahead for Ukraine's contested Zaporizhzhia nuclear power plant?",
        lead,
    );
    let repair = keys(
        "External power line to Zaporizhzhia nuclear plant has been restored, management says",
        "The external power line to the Zaporizhzhia nuclear power plant in Ukraine has been restored.",
    );
    let copy = keys(
        "What's next for Ukraine's Zaporizhzhia nuclear power plant?",
        lead,
    );
    let m = |story_id, source, seen, keys| M {
        story_id,
        source,
        seen,
        keys,
        near_founder: true,
        split_from: None,
        lang: "en",
    };
    let members = [m(1, 1, 0, &explainer[..]), m(2, 1, 54 * HOUR, &repair[..])];
    let j = decide(&copy, 2, "en", 55 * HOUR, &members, &flat).expect("the explainer's copy");
    assert_eq!((j.story_id, j.rule), (1, Rule::Content));
    // Without the explainer, the copy founds a story of its own.
    assert_eq!(
        decide(&copy, 2, "en", 55 * HOUR, &members[1..], &flat),
        None
    );
    // And a report of the repair does not join the explainer.
    let restart = keys(
        "High voltage line restarts after repair at Zaporozhye nuclear plant",
        "",
    );
    assert_eq!(
        decide(&restart, 3, "en", 2 * HOUR, &members[..1], &flat),
        None
    );
}

/// The speaker a headline's profile reads, if any.
fn speaker(title: &str) -> Option<String> {
    keys(title, "")
        .into_iter()
        .find(|k| k.kind == KeyKind::Speaker)
        .map(|k| k.text)
}

/// `dec-2025-late`: TASS's round-up of Putin's command-post remarks is
/// attributed to him, as its "… — Putin" headlines are.
#[test]
fn a_possessive_name_before_what_was_said_is_the_speaker() {
    assert_eq!(
        speaker(
            "Liberation of Gulyaipole and Dimitrov: Putin's statements at meeting with Gerasimov"
        )
        .as_deref(),
        Some("putin")
    );
    assert_eq!(
        speaker("Russia will achieve all military operation goals by force if Kiev rejects peace — Putin")
            .as_deref(),
        Some("putin")
    );
    // A possessive before anything else is no attribution.
    assert_eq!(
        speaker("Kiev attacked Putin's residence by long-range drones, residents say"),
        None
    );
}

/// `dec-2025-late`: TASS's and France 24's reports of one raid. "Ukrainian"
/// is Ukraine as "Ukraine's" is (as context: a word that meets the name),
/// and "Anti-Corruption" in a bureau's name is no name "anti" the other
/// report lacks.
#[test]
fn a_demonym_is_its_place_and_a_hyphened_prefix_no_name() {
    let tass = keys(
        "Ukrainian anti-corruption agencies announce exposure of criminal group in parliament",
        "MOSCOW, December 27. /TASS/. The National Anti-Corruption Bu",
    );
    let france24 = keys(
        "Ukraine's anti-corruption agency attempts raid of parliament in new graft probe",
        "Ukraine 's anti-corruption agency said security services were preventing officers \
         from raiding the parliament on Saturday, as investigators said some MPs were \
         implicated in a new graft probe.",
    );
    let kind = |keys: &[Key], text: &str| keys.iter().find(|k| k.text == text).map(|k| k.kind);
    // A demonym is context: the place's key, as a word.
    assert_eq!(kind(&tass, "ukraine"), Some(KeyKind::Word));
    assert_eq!(kind(&tass, "anti"), Some(KeyKind::Word));
    assert_eq!(
        kind(&keys("Russian President Putin", ""), "russia"),
        Some(KeyKind::Word)
    );
    let m = M {
        story_id: 1,
        source: 1,
        seen: 0,
        keys: &tass,
        near_founder: true,
        split_from: None,
        lang: "en",
    };
    let join = decide(&france24, 2, "en", HOUR + 1400, &[m], &flat).expect("joins");
    assert!(
        join.shared
            .contains(&(KeyKind::Name, "ukraine".to_string())),
        "{}",
        join.why()
    );
}

/// The demo's shape: a strike report that cites talks ("… as peace talks
/// resume in Geneva", "Ukrainian and Russian negotiators") and another
/// outlet's Russian report of the talks ("… переговоров России и
/// Украины"). The demonyms of the strike are context: across languages
/// they meet nothing, so the strike is not the talks.
#[test]
fn a_demonym_is_context_across_languages() {
    let strike = keys(
        "Russian missile strike kills 5 in Zaporizhzhia as Geneva peace talks resume",
        "A Russian missile hit a residential street in Zaporizhzhia early today, killing 5 \
         people and damaging two apartment blocks, the regional governor said. The strike came \
         hours before Ukrainian and Russian negotiators sat down for a second day of peace talks \
         in Geneva.",
    );
    let talks = keys(
        "В Женеве начался третий раунд переговоров России и Украины",
        "Делегации России и Украины прибыли в Женеву на третий раунд прямых переговоров при \
         посредничестве Швейцарии. По данным источников, стороны обсудят новый обмен пленными и \
         паузу в ударах по энергетике.",
    );
    let m = M {
        story_id: 1,
        source: 1,
        seen: 0,
        keys: &talks,
        near_founder: true,
        split_from: None,
        lang: "ru",
    };
    let join = decide(&strike, 2, "en", 60, &[m], &flat);
    assert!(
        join.as_ref().is_none_or(|j| !j
            .shared
            .iter()
            .any(|(_, t)| t == "russia" || t == "ukraine")),
        "{:?}",
        join.map(|j| j.why())
    );
}

/// `dec-2025-late`: TASS signs Lavrov's interview quotes "— top diplomat"
/// and Gerasimov's report "— Chief of General Staff"; the shipped list's
/// roles name them, as a surname would.
#[test]
fn a_role_signature_is_its_holder() {
    assert_eq!(
        speaker(
            "Russia’s response to any attack to be 'devastating', worth repeating it — top diplomat"
        )
        .as_deref(),
        Some("lavrov")
    );
    assert_eq!(
        speaker("Russian troops advance in Krasny Liman — Chief of General Staff").as_deref(),
        Some("gerasimov")
    );
    // A role the list does not give stays the words it is.
    assert_eq!(
        speaker("EU, NATO prepare for armed confrontation with Russia — diplomat").as_deref(),
        Some("diplomat")
    );
}
