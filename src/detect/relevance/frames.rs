//! Frame features of a title (the scoring stage of a topic): what kind of
//! news its words put it in, by vocabulary, not by who or where this
//! month's news is. The same people and word pairs appear in talks news
//! and in the news beside it: money for a party (aid, loans, frozen
//! assets, arms supplies), another conflict's affairs. A frame is not
//! weighed with the words (`x:` features stay out of the linear model);
//! a model may name it as a veto: an item its topic's query does not hit
//! is not relevant in that frame, whatever its words score
//! ([`super::Model::vetoes`], chosen from the labels at training).
//!
//! - `x:money`: a word of finance, aid or supplies in the title.
//! - `x:elsewhere`: a place of another conflict or region in the news
//!   (a standing list, as the shipped topic's exclusion names them).

use std::sync::OnceLock;

use foldhash::HashSet as FastSet;

use super::features::{FeatureSink, class_stems};

/// Finance, aid and supplies to a party: the frame of the news beside the
/// talks that names the same parties.
/// ("aid" is looked for as a word: its stem is that of "aide".)
const MONEY: &[&str] = &[
    "loan",
    "loans",
    "lend",
    "asset",
    "assets",
    "finance",
    "financing",
    "financial",
    "fund",
    "funds",
    "funding",
    "budget",
    "billion",
    "million",
    "eurobonds",
    "bonds",
    "credit",
    "tranche",
    "installments",
    "reparations",
    "seizure",
    "seize",
    "seized",
    "frozen",
    "freeze",
    "allocate",
    "sponsor",
    "donor",
    "weapons",
    "arms",
    "supplies",
    "deliveries",
    "afloat",
    // Russian
    "кредит",
    "активы",
    "финансирование",
    "помощь",
    "заем",
    "бюджет",
    "оружие",
    "поставки",
    // Ukrainian
    "активи",
    "фінансування",
    "допомога",
    "зброя",
    "постачання",
];

/// Places of other conflicts and regions whose talks and deals share the
/// war's vocabulary (the standing list the shipped topic's exclusion names).
const ELSEWHERE: &[&str] = &[
    "gaza",
    "hamas",
    "israel",
    "israeli",
    "hezbollah",
    "lebanon",
    "lebanese",
    "palestine",
    "palestinian",
    "armenia",
    "azerbaijan",
    "sudan",
    "congo",
    "rwanda",
    "thailand",
    "cambodia",
    "pakistan",
    "kashmir",
    "afghanistan",
    "taliban",
    "venezuela",
    "iran",
    "yemen",
    "syria",
    "korea",
    "taiwan",
    // Russian
    "газа",
    "израиль",
    "ливан",
    "армения",
    "азербайджан",
    "иран",
    "сирия",
    "венесуэла",
    // Ukrainian
    "ізраїль",
    "вірменія",
];

/// The feature of a title in the money frame.
pub const MONEY_FRAME: &str = "x:money";

/// The feature of a title naming another conflict's place.
pub const ELSEWHERE_FRAME: &str = "x:elsewhere";

/// The prefix of frame features: read by vetoes, never weighed.
pub const FRAME_PREFIX: &str = "x:";

fn money() -> &'static FastSet<String> {
    static SET: OnceLock<FastSet<String>> = OnceLock::new();
    SET.get_or_init(|| class_stems(MONEY))
}

fn elsewhere() -> &'static FastSet<String> {
    static SET: OnceLock<FastSet<String>> = OnceLock::new();
    SET.get_or_init(|| class_stems(ELSEWHERE))
}

/// The frame features of a title, from its stems and its folded words.
pub fn frame_features<S: AsRef<str>>(stems: &[S], words: &[&str], out: &mut impl FeatureSink) {
    if words.iter().any(|w| matches!(*w, "aid" | "aids"))
        || stems.iter().any(|s| money().contains(s.as_ref()))
    {
        out.add(&[MONEY_FRAME]);
    }
    if stems.iter().any(|s| elsewhere().contains(s.as_ref())) {
        out.add(&[ELSEWHERE_FRAME]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::relevance::{QuerySignal, features};
    use crate::text::StemLang;

    fn frames(title: &str) -> Vec<String> {
        features(title, "", StemLang::English, QuerySignal::default())
            .into_iter()
            .filter(|f| f.starts_with(FRAME_PREFIX))
            .collect()
    }

    /// Headlines of the labelled TASS 2025 set (not relevant to the talks:
    /// money for a party, another conflict's plan) and talks news beside
    /// them, which is in neither frame.
    #[test]
    fn money_and_elsewhere_frames_of_real_headlines() {
        assert_eq!(
            frames(
                "EC offers alternative financing plan for Ukraine as substitute to Russian asset seizure"
            ),
            [MONEY_FRAME]
        );
        assert_eq!(
            frames("Hungarian PM slams plans for joint EU loan for Ukraine as 'dead idea'"),
            [MONEY_FRAME]
        );
        assert_eq!(
            frames("US plans to cut aid to Kiev after last installments of G7 loan"),
            [MONEY_FRAME]
        );
        assert_eq!(
            frames("Implementation of Trump's Gaza plan under question — Lavrov"),
            [ELSEWHERE_FRAME]
        );
        assert!(frames("Trump says he held conversation with Putin recently").is_empty());
        assert!(frames("Kremlin aide says all of Donbass is Russian territory").is_empty());
        assert!(
            frames(
                "Kiev agrees to create demilitarized zone in Donbass along front line — Le Monde"
            )
            .is_empty()
        );
        assert!(
            frames("US, Ukrainian delegations take break, to continue consultations — media")
                .is_empty()
        );
    }
}
