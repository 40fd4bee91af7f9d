//! Tests of the fingerprint and `assign`, with same-event pairs from the
//! corpus and the TASS false-merge rate.

use super::simhash::{SHINGLE, hash_shingle, shingles};
use super::terms::{Terms, strip_outlet};
use super::*;

#[test]
fn outlet_tags_are_dropped_but_not_after_an_em_dash() {
    assert_eq!(
        strip_outlet("Talks resume in Istanbul - Reuters"),
        "Talks resume in Istanbul"
    );
    assert_eq!(strip_outlet("Talks resume | BBC News"), "Talks resume");
    assert_eq!(strip_outlet("Talks resume — Putin"), "Talks resume — Putin");
    assert_eq!(
        strip_outlet("Talks resume - officials say more rounds are planned"),
        "Talks resume - officials say more rounds are planned"
    );
}

#[test]
fn shingles_hash_as_whole_runs() {
    let mut terms = Terms::default();
    for t in ["peace", "talk", "istanbul", "переговор", "x"] {
        terms.push(t);
    }
    let mut got = Vec::new();
    shingles(&terms, &mut got);
    let words: Vec<&str> = (0..terms.len()).map(|i| terms.get(i)).collect();
    let mut want: Vec<u64> = words.iter().map(|w| hash_shingle([*w])).collect();
    want.extend(
        words
            .windows(SHINGLE)
            .map(|run| hash_shingle(run.iter().copied())),
    );
    assert_eq!(got, want);
    // Pinned: stored fingerprints must not change.
    assert_eq!(hash_shingle(["peace", "talk"]), 0x7e38_0bec_31e9_e043);
}

/// Same event, rephrased: first and last headline of one AP story
/// (`history/apnews/*.xml`, same `link`, new headline) — the corpus has
/// no two outlets covering the same days (AP: 29 Apr–14 May 2026; Reuters:
/// 13–16 Apr and 30 Jun–5 Jul 2026; Kyiv Independent: 2024), so an
/// outlet's own rewrite stands in for another outlet's wording. Hand-picked
/// to be one event (not live pages that moved to a new event).
const SAME_EVENT: &[(&str, &str)] = &[
    (
        "Russia accuses Ukraine of violating U.S.-brokered three-day truce",
        "Russia and Ukraine accuse each other of violating US-brokered 3-day truce",
    ),
    (
        "Russia declares a unilateral ceasefire in Ukraine to mark Victory Day",
        "Russia declares a truce in Ukraine to mark Victory Day. Kyiv says it’ll cease fire two days earlier",
    ),
    (
        "Russia to hold Victory Day parade without military equipment for 1st time since invading Ukraine",
        "Russia to hold a Victory Day parade without military equipment for the 1st time in nearly 2 decades",
    ),
    (
        "Ukraine hits key Russian oil-loading port and 2 ‘shadow fleet’ tankers",
        "Ukraine hits key Russian oil-loading port and 3 ‘shadow fleet’ tankers",
    ),
    (
        "Ukraine says a strike hit Tuapse oil terminal, the fourth attack on the region in 2 weeks",
        "Ukraine says a strike hit Russian Black Sea oil terminal in Tuapse",
    ),
    (
        "Ukraine officials name Zelenskyy’s ex-chief of staff as a suspect in money-laundering probe",
        "Ukraine officials say Zelenskyy’s ex-chief of staff is a suspect in a money-laundering probe",
    ),
    (
        "Afghanistan accuses Pakistan of cross-border attacks, hitting civilian areas and killing 3",
        "Afghanistan says cross-border attacks by Pakistan hit civilian areas and killed 3",
    ),
    (
        "Hezbollah leader urges Lebanon to quit direct talks with Israel",
        "Hezbollah leader urges Lebanon to withdraw from direct talks with Israel in Washington",
    ),
    (
        "Nigerian airstrike killed 100 civilians in a market, Amnesty International claims",
        "Nigerian military airstrike kills 100 civilians at a market, rights group claims",
    ),
    (
        "Iran’s supreme leader says it will protect its nuclear and missile capabilities",
        "Iran’s supreme leader vows to protect nuclear and missile capabilities",
    ),
    (
        "At least 3 hikers killed by volcano eruption on Indonesian island",
        "Volcanic eruption on a remote Indonesian island kills 3 hikers",
    ),
    (
        "Modi’s party is set to take control of West Bengal in key election, dealing a blow to opposition",
        "Modi’s party wins control of India’s West Bengal in a key state election",
    ),
    (
        "A driver plows into people in the German city of Leipzig, killing 2 people",
        "A driver plows into people in a shopping area in Germany, killing 2",
    ),
    (
        "Sudan’s military accuses Ethiopia and the UAE of drone attacks, recalls its ambassador",
        "Sudan recalls ambassador to Ethiopia over drone attack on Khartoum airport",
    ),
    (
        "Pakistan protests to Afghanistan over suicide attack that killed 15 officers",
        "Pakistan lodges a complaint with Afghanistan over a suicide attack that killed 15 police",
    ),
    (
        "A cruise ship is waiting for help after a suspected outbreak of rare hantavirus onboard killed 3",
        "A cruise ship is waiting for help after 3 people died in a suspected hantavirus outbreak",
    ),
    (
        "Israeli airstrikes on southern Lebanon kill 7 despite ceasefire",
        "Israeli airstrikes kill 7 in southern Lebanon as a Catholic convent is bulldozed",
    ),
    (
        "US to withdraw 5,000 troops from Germany in next 6-12 months",
        "US to withdraw 5,000 troops from Germany in next 6-12 months, fulfilling Trump’s threat",
    ),
    (
        "Iran’s rial currency hits record low as shaky ceasefire with US and Israel still holds",
        "Iran’s rial currency hits record low as a shaky ceasefire with the US and Israel holds",
    ),
    (
        "Death toll rises to 14 in Pakistan suicide attack. Pakistan Taliban splinter group claims blast",
        "Death toll rises to 14 in a Pakistan suicide attack claimed by a Pakistani Taliban splinter group",
    ),
];

fn distance(a: &str, b: &str) -> u32 {
    hamming(fingerprint(a, ""), fingerprint(b, ""))
}

#[test]
fn same_event_pairs_merge() {
    let merged: Vec<&(&str, &str)> = SAME_EVENT
        .iter()
        .filter(|(a, b)| distance(a, b) <= SAME_STORY_MAX_DISTANCE)
        .collect();
    for (a, b) in SAME_EVENT {
        println!("{:2} | {a} | {b}", distance(a, b));
    }
    println!("recall {}/{}", merged.len(), SAME_EVENT.len());
    // Measured 8/20 (module docs). A regression guard, not a goal.
    assert!(
        merged.len() >= 8,
        "recall {}/{}",
        merged.len(),
        SAME_EVENT.len()
    );
    // Small rewordings merge.
    for i in [3, 9, 17, 18] {
        let (a, b) = SAME_EVENT[i];
        assert!(distance(a, b) <= SAME_STORY_MAX_DISTANCE, "{a} | {b}");
    }
    // Across outlets, as `assign` sees them: Reuters' tag is dropped.
    let ap = fingerprint(
        "Russia accuses Ukraine of violating U.S.-brokered three-day truce",
        "",
    );
    let rt = fingerprint(
        "Russia accuses Ukraine of violating US-brokered 3-day truce - Reuters",
        "",
    );
    let cand = [StoryCandidate {
        story_id: 7,
        fingerprint: ap,
        url: None,
        source: "apnews",
    }];
    assert_eq!(assign(rt, None, "reuters", &cand), Some(7));
}

#[test]
fn similar_wording_different_events_stay_apart() {
    // AP 12 May 2026 vs Reuters 13 Apr 2026 (feeds/reuters__scraped-…):
    // the same actors a month apart. (The caller's 72 h window also keeps
    // them apart.)
    let d = distance(
        "Hezbollah leader urges Lebanon to quit direct talks with Israel",
        "Hezbollah chief urges Lebanese government to cancel Washington talks with Israel - Reuters",
    );
    assert!(d > SAME_STORY_MAX_DISTANCE, "{d}");
    // TASS daily templates (datasets/tass__english-headlines-2025.json).
    let d = distance(
        "Ukraine attacks Belgorod Region with over 150 UAVs in one day",
        "Russian troops liberate two communities in Ukraine operation over past day — top brass",
    );
    assert!(d > SAME_STORY_MAX_DISTANCE, "{d}");
}

/// False merges on 8,725 TASS headlines (one outlet, each headline its
/// own story): pairs within 3 days of each other, distinct titles, that
/// would merge at the chosen distance.
#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn tass_false_merge_rate() {
    let path = crate::testutil::corpus().join("datasets/tass__english-headlines-2025.json");
    let data = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
    let items: Vec<(&str, i64)> = v
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| {
                    let d = chrono::NaiveDate::parse_from_str(x["d"].as_str()?, "%Y-%m-%d").ok()?;
                    Some((
                        x["t"].as_str()?,
                        d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp() / 86_400,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let fps: Vec<u64> = items.iter().map(|(t, _)| fingerprint(t, "")).collect();
    let (mut pairs, mut merged) = (0u64, Vec::new());
    let mut items_merged = std::collections::HashSet::new();
    for i in 0..items.len() {
        for j in i + 1..items.len() {
            if (items[i].1 - items[j].1).abs() > 3 || items[i].0 == items[j].0 {
                continue;
            }
            pairs += 1;
            if hamming(fps[i], fps[j]) <= SAME_STORY_MAX_DISTANCE {
                merged.push((items[i].0, items[j].0));
                items_merged.insert(i);
                items_merged.insert(j);
            }
        }
    }
    for (a, b) in &merged {
        println!("{a} | {b}");
    }
    println!(
        "{} of {pairs} pairs merged; {} of {} items",
        merged.len(),
        items_merged.len(),
        items.len()
    );
    assert!(items.len() > 8000);
    // Measured 56 pairs (108 items); about 19 of them are really one
    // event (FACTBOX re-titles, running death tolls, "weigh"/"weight").
    assert!(merged.len() <= 60, "{} merge candidates", merged.len());
}

#[test]
fn assign_rules() {
    let fp = fingerprint("Russia and Ukraine agree to a 3-day truce", "");
    let far = fingerprint("Central bank keeps key rate unchanged", "");
    let c = [
        StoryCandidate {
            story_id: 1,
            fingerprint: far,
            url: Some("https://x/a"),
            source: "tass",
        },
        StoryCandidate {
            story_id: 2,
            fingerprint: fp,
            url: None,
            source: "apnews",
        },
        StoryCandidate {
            story_id: 3,
            fingerprint: fp ^ 1,
            url: None,
            source: "bbc",
        },
    ];
    // Same canonical URL wins, whatever the text.
    assert_eq!(assign(fp, Some("https://x/a"), "apnews", &c), Some(1));
    // Different source, nearest fingerprint.
    assert_eq!(assign(fp, None, "reuters", &c), Some(2));
    // Same source is skipped: the next-nearest other source.
    assert_eq!(assign(fp, None, "apnews", &c), Some(3));
    // Nothing close: a new story.
    let other = fingerprint("Spirit Airlines shuts down after 34 years", "");
    assert_eq!(assign(other, None, "reuters", &c), None);
    assert_eq!(assign(fp, None, "reuters", &[]), None);
    // No words: URL only.
    assert_eq!(fingerprint("", ""), 0);
    assert_eq!(assign(0, None, "x", &c), None);
}

#[test]
fn fingerprint_is_stable_and_normalised() {
    assert_eq!(hamming(0, u64::MAX), 64);
    assert_eq!(hamming(5, 5), 0);
    let a = fingerprint(
        "Russia accuses Ukraine of violating U.S.-brokered three-day truce",
        "",
    );
    // Case, outlet tag, US/U.S., three/3, possessive.
    let b = fingerprint(
        "RUSSIA ACCUSES UKRAINE OF VIOLATING US-BROKERED 3-DAY TRUCE - Reuters",
        "",
    );
    assert_eq!(a, b);
    // Deterministic across runs (pinned: stored in the database).
    assert_eq!(
        fingerprint("Peace talks", ""),
        fingerprint("peace talks", "")
    );
    // Text counts less than the title but counts.
    let t = "Kyiv and Moscow traded accusations on Monday.";
    assert_ne!(
        fingerprint("Truce violated", t),
        fingerprint("Truce violated", "")
    );
}

#[test]
fn random_input_never_panics() {
    let pieces = [
        "a", "Б", " ", "-", " - ", "—", "'s", ".", "\u{200B}", "3", "three", "é", "«", "\n",
    ];
    let mut rng = fastrand::Rng::with_seed(5);
    for _ in 0..2000 {
        let s: String = (0..rng.usize(0..30))
            .map(|_| pieces[rng.usize(0..pieces.len())])
            .collect();
        let t: String = (0..rng.usize(0..90))
            .map(|_| pieces[rng.usize(0..pieces.len())])
            .collect();
        let fp = fingerprint(&s, &t);
        let _ = assign(
            fp,
            Some(&s),
            &t,
            &[StoryCandidate {
                story_id: 1,
                fingerprint: fp,
                url: Some(""),
                source: "",
            }],
        );
    }
}
