//! One test per kind of edit a reader judges, each with pairs from the
//! labeled corpus histories (`labels/edits-visible.tsv`, headline pairs of
//! `history/<feed>`): what must stay cosmetic, what is a rewording, and the
//! few-word changes that are major.

use super::{assert_class, judge};
use crate::detect::revisions::{Significance, VersionText, compare};

use Significance::{Cosmetic, Major, Minor};

/// Inflection, tense and articles of the same fact (apnews).
#[test]
fn inflection_and_articles_are_cosmetic() {
    assert_class(
        "Kosovo heading for another early election in a prolonged political crisis",
        "Kosovo heads for another early election in a prolonged political crisis",
        Cosmetic,
    );
    assert_class(
        "Iran’s rial currency hits record low as shaky ceasefire with US and Israel holds",
        "Iran’s rial currency hits record low as a shaky ceasefire with the US and Israel holds",
        Cosmetic,
    );
    // Russian inflection (novaya-gazeta-europe).
    assert_class(
        "Еврокомиссия запретила выдавать мультивиз россиянам",
        "Еврокомиссия запретила выдавать мультивизы россиянам",
        Cosmetic,
    );
}

/// Abbreviations, ordinals, typos, a first name added, quote marks removed.
#[test]
fn spelling_and_abbreviations_are_cosmetic() {
    assert_class(
        "U.S.-led task force tells ships to reroute on first day of new effort to reopen the Strait of Hormuz",
        "US-led task force tells ships to reroute on first day of new effort to reopen the Strait of Hormuz",
        Cosmetic,
    );
    assert_class(
        "Health officials track dozens who left hantavirus-stricken ship after 1st fatality",
        "Health officials track dozens who left hantavirus-stricken ship after first fatality",
        Cosmetic,
    );
    assert_class(
        "Endangered whale protections may be delayed to 2035 under Trump-blacked plan",
        "Endangered whale protections may be delayed to 2035 under Trump-backed plan",
        Cosmetic,
    );
    assert_class(
        "Jackson receives honorary Palme D’Or as Cannes flaunts star power despite Hollywood’s retreat",
        "Peter Jackson receives honorary Palme D’Or as Cannes flaunts star power despite Hollywood’s retreat",
        Cosmetic,
    );
    assert_class(
        "Trump says he’s ‘not satisfied’ with Iran’s proposal to end the war",
        "Trump says he’s not satisfied with Iran’s proposal to end the war",
        Cosmetic,
    );
    // An idiom respelled inside a quoted headline (novaya-gazeta-europe).
    assert_class(
        "«Сыт по горло этой властью»",
        "«Сыт до горла этой властью»",
        Cosmetic,
    );
}

/// A one-letter spelling fix of the same person's name (novaya-gazeta-europe).
#[test]
fn a_name_respelled_is_cosmetic() {
    let reasons = assert_class(
        "На Урале арестован отец Никандр (Пунчук) — иеромонах",
        "На Урале арестован отец Никандр (Пинчук) — иеромонах",
        Cosmetic,
    );
    assert!(
        reasons.iter().any(|r| r.contains("Пунчук/Пинчук")),
        "{reasons:?}"
    );
}

/// A word swapped for a near-synonym of news vocabulary is cosmetic, and
/// a market report retold with other words for the same moves is minor
/// (apnews).
#[test]
fn near_synonyms_fold() {
    let reasons = assert_class(
        "Slovak Supreme Court upholds 21-year sentence for man who tried to assassinate prime minister Fico",
        "Slovak top court upholds 21-year sentence for man who tried to assassinate prime minister Fico",
        Cosmetic,
    );
    assert!(
        reasons.iter().any(|r| r.contains("synonym: Supreme/top")),
        "{reasons:?}"
    );
    assert_class(
        "Wall Street rises toward records after oil prices give back some of Monday’s spurt",
        "US stocks climb toward records as oil prices fall and earnings beat forecasts",
        Minor,
    );
    assert_class(
        "Oil prices keep falling, while US stocks hang near their record highs",
        "US stocks hover just below records as oil slips on hopes of an Iran deal",
        Minor,
    );
}

/// One of two markets turning in an otherwise kept headline is major
/// (apnews).
#[test]
fn one_market_turning_is_major() {
    let reasons = assert_class(
        "Asian stocks fall and oil prices climb after attacks imperil the ceasefire with Iran",
        "World shares fall and oil prices dip after attacks imperil the ceasefire with Iran",
        Major,
    );
    assert_eq!(reasons, ["market turned: oil climb → dip"]);
}

/// An acronym's missing letter restored is a spelling fix (the-insider).
#[test]
fn an_acronym_fixed_is_cosmetic() {
    let reasons = assert_class(
        "Генерал песчаных карьеров. Начальник 2-й службы УСБ ФБ как ни в чем не бывало ведет бизнес с партнерами из Литвы",
        "Генерал песчаных карьеров. Начальник 2-й службы УСБ ФСБ как ни в чем не бывало ведет бизнес с партнерами из Литвы",
        Cosmetic,
    );
    assert!(reasons.iter().any(|r| r.contains("ФБ/ФСБ")), "{reasons:?}");
}

/// A name swapped in its place is a fact changed; a name dropped from one
/// clause and another named in a new one is a rewording (apnews).
#[test]
fn a_name_swapped_in_place_only() {
    let reasons = assert_class(
        "3 patients are being evacuated to Europe from cruise ship with hantavirus outbreak",
        "Cruise ship with hantavirus outbreak heads to Canary Islands after 3 are evacuated",
        Major,
    );
    assert!(
        reasons.iter().any(|r| r == "name changed: Europe → Canary"),
        "{reasons:?}"
    );
    assert_class(
        "3 patients evacuated from cruise ship with hantavirus outbreak, new case confirmed in Switzerland",
        "3 patients are being evacuated to Europe from cruise ship with hantavirus outbreak",
        Minor,
    );
    assert_class(
        "Hopes for reopening the Strait of Hormuz push Asian shares higher, as oil prices hold above $100",
        "Hopes for reopening the Strait of Hormuz push world shares higher, as Brent crude holds above $100",
        Minor,
    );
}

/// A reporting word used as a noun or a passive is no attribution
/// (apnews): "conflicting reports" dropped, "tornadoes reported" dropped;
/// a source that stands by its report is one.
#[test]
fn a_report_noun_is_no_attribution() {
    for (old, new) in [
        (
            "Wall Street retreats, oil prices jump on conflicting reports of a strike on US Navy vessel near Iran",
            "Wall Street hesitates and oil prices climb with uncertainty about the Strait of Hormuz",
        ),
        (
            "Nearly 500 homes damaged in Mississippi storms as multiple tornadoes reported",
            "Tornadoes cut across Mississippi as severe storms damage 500 homes",
        ),
    ] {
        let (_, reasons) = judge(old, new);
        assert!(
            !reasons.iter().any(|r| r.starts_with("attribution")),
            "{old} → {new}: {reasons:?}"
        );
    }
    let reasons = assert_class(
        "Mexico’s Sheinbaum denies reports of CIA operations there",
        "Mexico’s Sheinbaum denies reports of CIA operations there while CNN stands by report",
        Major,
    );
    assert_eq!(reasons, ["attribution added: stands by report"]);
}

/// A speaker described instead of named, or named less precisely, is the
/// same speaker; one joined by another is not (apnews).
#[test]
fn a_speaker_described_is_the_same() {
    for (old, new) in [
        (
            "Nigerian airstrike killed 100 civilians in a market, Amnesty International claims",
            "Nigerian military airstrike kills 100 civilians at a market, rights group claims",
        ),
        (
            "U.S. military rejects claims that Iran struck a U.S. Navy vessel",
            "US denies Iran struck a military vessel during new effort to reopen Strait of Hormuz",
        ),
    ] {
        let (_, reasons) = judge(old, new);
        assert!(
            !reasons.iter().any(|r| r.starts_with("speaker changed")),
            "{old} → {new}: {reasons:?}"
        );
    }
    let reasons = assert_class(
        "Russia accuses Ukraine of violating US-brokered 3-day truce",
        "Russia and Ukraine accuse each other of violating US-brokered 3-day truce",
        Major,
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("speaker changed")),
        "{reasons:?}"
    );
}

/// A month's name and "than expected" are no pending event (apnews).
#[test]
fn may_day_is_not_pending() {
    let (_, reasons) = judge(
        "World shares are mixed with most markets closed for May Day, while oil holds steady at $111 a barrel",
        "Wall Street climbs toward more records as oil prices give back a bit of their big jumps",
    );
    assert!(
        !reasons.iter().any(|r| r.starts_with("state changed")),
        "{reasons:?}"
    );
}

/// A name added to or dropped from a list of names is major: who is
/// involved changed (apnews).
#[test]
fn a_name_in_a_list_is_major() {
    let reasons = assert_class(
        "Musk, Cook and other prominent US executives invited to join Trump on trip to China",
        "Musk, Cook, Huang and other prominent US executives invited to join Trump on trip to China",
        Major,
    );
    assert_eq!(reasons, ["name added: Huang"]);
    let reasons = assert_class(
        "Sudan’s military accuses Ethiopia and the UAE of drone attacks, recalls its ambassador",
        "Sudan’s military accuses Ethiopia of drone attacks, recalls its ambassador",
        Major,
    );
    assert_eq!(reasons, ["name dropped: UAE"]);
    // A name added outside a list is the wording's (labeled minor).
    assert_class(
        "Men accused of being approached by Russian contact to attack Starmer-linked assets",
        "Men accused of being approached by Russian contact to attack Starmer-linked assets in London",
        Minor,
    );
}

/// A count that grew and a qualifier dropped change the fact (apnews).
#[test]
fn a_count_grown_or_a_qualifier_dropped_is_major() {
    let reasons = assert_class(
        "2 passengers test positive for hantavirus as a third shows symptoms after cruise ship evacuation",
        "2 more passengers evacuated from cruise ship test positive for hantavirus",
        Major,
    );
    assert!(
        reasons.iter().any(|r| r == "count grew: 2 more"),
        "{reasons:?}"
    );
    let reasons = assert_class(
        "Denver airport security initially missed trespasser who was killed by plane on runway",
        "Denver airport security missed trespasser who was killed by plane on runway",
        Major,
    );
    assert_eq!(reasons, ["qualifier dropped: initially"]);
}

/// A role put in the past before a title the old version had is a
/// factual correction; "former" and "ex" are one word (apnews).
#[test]
fn a_role_added_is_major() {
    let reasons = assert_class(
        "Carney names Supreme Court Justice Louise Arbour as Canada’s next governor general",
        "Carney names former Supreme Court Justice Louise Arbour as Canada’s next governor general",
        Major,
    );
    assert_eq!(reasons, ["role added: former"]);
    assert_class(
        "Man charged with harassing former Prince Andrew near his home",
        "Man charged with harassing ex-Prince Andrew near his home",
        Cosmetic,
    );
}

/// Arriving and leaving are ends of a journey: outcomes (apnews).
#[test]
fn arrival_and_departure_are_outcomes() {
    let reasons = assert_class(
        "Princess Catherine takes her first solo trip abroad after cancer goes into remission",
        "Princess Catherine arrives in Italy on first solo trip abroad after cancer goes into remission",
        Major,
    );
    assert_eq!(reasons, ["outcome: arrives"]);
    let reasons = assert_class(
        "Doctor who helped ship take care of passengers with hantavirus is isolated in Nebraska medical unit",
        "Doctor on ship who helped care for passengers with hantavirus leaves medical isolation unit",
        Major,
    );
    assert_eq!(reasons, ["outcome: leaves"]);
}

/// A small market move reworded is minor, not major (apnews).
#[test]
fn a_paraphrase_is_minor() {
    assert_class(
        "US stocks tick lower as oil prices keep spurting higher",
        "US stocks drift in mixed trading as oil prices keep spurting higher",
        Minor,
    );
    assert_class(
        "Wall Street climbs toward more records as oil prices give back a bit of their big jumps",
        "Apple leads Wall Street toward more records as oil prices pull back",
        Minor,
    );
}

/// A figure changed or added, with its values in the reason.
#[test]
fn a_figure_changed_is_major() {
    let reasons = assert_class(
        "Japanese video-game maker Nintendo raises Switch price, forecasts lower profits",
        "Japanese video-game maker Nintendo raises Switch 2 price, forecasts lower profits",
        Major,
    );
    assert!(
        reasons.contains(&"figure added: 2".to_string()),
        "{reasons:?}"
    );
}

/// Poised, set to, the headline infinitive → the event happened (apnews).
#[test]
fn an_event_that_happened_is_major() {
    let reasons = assert_class(
        "Moscow is set to mark Victory Day with a Red Square parade under tight security",
        "Moscow marks Victory Day with a Red Square parade under tight security",
        Major,
    );
    assert!(
        reasons.iter().any(|r| r.starts_with("state changed: set")),
        "{reasons:?}"
    );
    assert_class(
        "Shakira to follow Madonna and Lady Gaga in giving a huge free concert on Copacabana Beach",
        "Shakira follows Madonna and Lady Gaga in giving a huge free concert on Copacabana Beach",
        Major,
    );
}

/// Still pending is no state change: the pending word goes but its verb
/// stays an infinitive ("poised to vote" → "lawmakers to vote"), or the
/// word after "to" was never a verb ("seeks to new funding", a typo, and
/// "to the World Cup") (apnews; labeled cosmetic, cosmetic, minor).
#[test]
fn still_pending_or_no_infinitive_is_no_state_change() {
    for (old, new) in [
        (
            "Tennessee poised to vote on new US House map sought by Trump that carves up Memphis",
            "Tennessee lawmakers to vote on new US House map sought by Trump that carves up Memphis",
        ),
        (
            "LIV Golf has a new chairman and seeks to new funding without Saudi backing",
            "LIV Golf has a new chairman and seeks new funding without Saudi backing",
        ),
        (
            "From Grandoli to the World Cup: The neighborhood club where Messi’s journey started",
            "Go inside the neighborhood soccer club where Messi’s magic began",
        ),
    ] {
        let (got, reasons) = judge(old, new);
        assert_ne!(got, Major, "{old} → {new}: {reasons:?}");
        assert!(
            !reasons.iter().any(|x| x.starts_with("state changed")),
            "{reasons:?}"
        );
    }
}

/// An outcome reached: discuss → adopt (apnews).
#[test]
fn an_outcome_reached_is_major() {
    let reasons = assert_class(
        "Alarmed ASEAN leaders discuss crisis plan to mitigate backlash from Middle East war",
        "Alarmed ASEAN leaders adopt crisis plan to mitigate backlash from Middle East war",
        Major,
    );
    assert!(
        reasons.contains(&"outcome: adopt".to_string()),
        "{reasons:?}"
    );
}

/// An attribution dropped turns a report into a fact (novaya-gazeta-europe).
#[test]
fn an_attribution_dropped_is_major() {
    let reasons = assert_class(
        "ЕС вносит Россию в черный список за отмывание денег, пишут СМИ",
        "ЕС внесет Россию в черный список за отмывание денег",
        Major,
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("attribution dropped: пишут СМИ")),
        "{reasons:?}"
    );
}

/// A different place is a different fact (novaya-gazeta-europe).
#[test]
fn a_place_corrected_is_major() {
    let reasons = assert_class(
        "Активистку из России задержали на пересадке в аэропорту Астаны",
        "Активистку из России задержали на пересадке в аэропорту Алматы",
        Major,
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.starts_with("name changed: Астаны → Алматы")),
        "{reasons:?}"
    );
}

/// Dropping "not quite" reverses the answer (novaya-gazeta-europe).
#[test]
fn a_negation_dropped_is_major() {
    assert_class(
        "СМИ пишут, что Евросоюз готовится прекратить выдачу мультивиз россиянам. Это правда? Не совсем",
        "СМИ пишут, что Евросоюз готовится прекратить выдачу мультивиз россиянам. Это правда?",
        Major,
    );
}

/// An outcome verb counts in its listed forms only: a noun or an
/// infinitive of the same stem is a rewording (apnews); the verb is not.
#[test]
fn outcome_nouns_are_no_outcome() {
    assert_class(
        "Starmer pledges to bring Britain closer to the EU as he faces calls to step down",
        "Starmer pledges to prove his doubters wrong but faces a wave of resignation calls",
        Minor,
    );
    assert_class(
        "For foreign workers in the Mideast, risk from the Iran war collides with economic strain at home",
        "Iran war has put foreign workers in the Gulf at greater risk while raising the cost of going home",
        Minor,
    );
    let r = assert_class(
        "Alarmed ASEAN leaders discuss crisis plan to mitigate backlash from Middle East war",
        "Alarmed ASEAN leaders adopt crisis plan to mitigate backlash from Middle East war",
        Major,
    );
    assert_eq!(r, ["outcome: adopt"]);
}

/// A speaker who opens both versions is the subject, not a source: "X says
/// it does" → "X does" keeps the claim's owner (apnews). A source dropped
/// from a claim that stays is a change.
#[test]
fn speaker_as_subject_is_no_attribution() {
    assert_class(
        "Spirit Airlines says it’s going out of business after 34 years and is ending operations immediately",
        "Spirit Airlines goes out of business after 34 years, ending operations immediately",
        Minor,
    );
    assert_class(
        "Iran’s supreme leader says Tehran will protect its nuclear and missile capabilities",
        "Iran’s supreme leader vows to protect nuclear and missile capabilities",
        Minor,
    );
    // Labeled minor; the rules say so, then the learned cosmetic head
    // calls it a rewording: one of the minors it turns cosmetic.
    let r = assert_class(
        "Afghanistan accuses Pakistan of cross-border attacks, hitting civilian areas and killing 3",
        "Afghanistan says cross-border attacks by Pakistan hit civilian areas and killed 3",
        Cosmetic,
    );
    assert_eq!(r, ["wording only: reworded (2 words)"]);
    let r = assert_class(
        "UAE says Iran has resumed attacks as the US moves to reopen the Strait of Hormuz",
        "The US fights to reopen the Strait of Hormuz as the UAE comes under attack in a test of Iran truce",
        Major,
    );
    assert!(r[0].starts_with("attribution dropped"), "{r:?}");
}

/// Framing of the same fact (apnews, novaya-gazeta-europe; labeled
/// cosmetic): a pronoun described in its place, a pending word over an
/// infinitive both versions keep, a frame of pictures, a near-synonym, a
/// text that lost the copy of its headline it opened with. A name in a
/// pronoun's place may be someone else, and a plan that happened is still
/// a state change.
#[test]
fn framing_of_the_same_fact_is_cosmetic() {
    for (old, new, note) in [
        (
            "Armenia hosts a historic EU summit as it charts a course away from Russia",
            "Armenia hosts a historic European Union summit as the country charts a course away from Russia",
            "synonym: it/the country",
        ),
        (
            "The first direct US-Venezuela commercial flight in 7 years is to land in Caracas",
            "The first direct US-Venezuela commercial flight in 7 years is set to land in Caracas",
            "synonym: to land/set to land",
        ),
        (
            "See the best looks from the 2026 Met Gala red carpet",
            "See photos of the best looks from the 2026 Met Gala red carpet",
            "same content words",
        ),
        (
            "Интересные и своеобразные картины, не возглавившие топы, но на которые обязательно стоит обратить внимание",
            "Интересные и своеобразные фильмы, не возглавившие топы, но на которые обязательно стоит обратить внимание",
            "synonym: картины/фильмы",
        ),
    ] {
        let reasons = assert_class(old, new, Cosmetic);
        assert!(reasons.iter().any(|r| r == note), "{note}: {reasons:?}");
    }
    let title = "«Путин может всё что угодно»";
    let text = "В 73-й день рождения Путина депутаты устроили овации, чиновники написали поздравления по методичке, а детей заставили о нем спеть";
    let with_copy = format!("{title}  {text}");
    let r = compare(
        &VersionText {
            title,
            text: &with_copy,
        },
        &VersionText { title, text },
        &[],
    );
    assert_eq!(r.significance, Cosmetic, "{:?}", r.reasons);
    assert!(
        r.reasons.iter().any(|x| x == "headline copy in the text"),
        "{:?}",
        r.reasons
    );

    let (got, reasons) = judge(
        "Zelensky says he will meet Putin in Istanbul next week",
        "Zelensky says Trump will meet Putin in Istanbul next week",
    );
    assert_ne!(got, Cosmetic, "{reasons:?}");
    assert_class(
        "Moscow is set to mark Victory Day with a Red Square parade under tight security",
        "Moscow marks Victory Day with a Red Square parade under tight security",
        Major,
    );
    // A hostile text of pronouns and plans pairs a few off and stays
    // linear: the rest is a rewrite.
    let old = "as it charts a course and is to land ".repeat(20_000);
    let new = "as the country charts a course and is set to land ".repeat(20_000);
    let (got, reasons) = judge(&old, &new);
    assert_ne!(got, Cosmetic, "{reasons:?}");
}
