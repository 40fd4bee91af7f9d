//! The learned verdict's evidence and heads (`revisions::learned`).

use super::*;
use Significance::{Cosmetic, Major, Minor};

fn evidence(old: (&str, &str), new: (&str, &str)) -> Evidence {
    let (o, n) = (
        VersionText {
            title: old.0,
            text: old.1,
        },
        VersionText {
            title: new.0,
            text: new.1,
        },
    );
    let (rev, ev) = compare_evidence(&o, &n, &[]);
    assert_eq!(rev, compare(&o, &n, &[]), "the evidence changes no verdict");
    // The evidence keeps the rules' class; only the cosmetic head moves
    // the verdict, and only from minor to cosmetic.
    let headed = ev.rules == Minor && rev.significance == Cosmetic;
    assert!(
        ev.rules == rev.significance || headed,
        "{:?} → {:?}",
        ev.rules,
        rev.significance
    );
    ev
}

#[test]
fn features_name_the_cues_not_the_words() {
    let ev = evidence(
        ("Death toll rises to 5 in Kyiv strike", ""),
        ("Death toll rises to 22 in Kyiv strike", ""),
    );
    assert_eq!(ev.rules, Major);
    for want in [
        "rules:major",
        "cue:figure_changed",
        "only_cue:figure_changed",
        "f:number_added",
        "f:number_removed",
    ] {
        assert!(
            ev.features.iter().any(|f| f == want),
            "{want} in {:?}",
            ev.features
        );
    }
    // No word of the headline is a feature.
    for word in ["toll", "kyiv", "strike", "22"] {
        assert!(
            !ev.features.iter().any(|f| f.to_lowercase().contains(word)),
            "{word} in {:?}",
            ev.features
        );
    }
}

#[test]
fn an_unchanged_field_adds_nothing() {
    let title_only = evidence(
        ("Wall Street drops from its records", ""),
        ("Wall Street falls from its records", ""),
    );
    let with_text = evidence(
        (
            "Wall Street drops from its records",
            "Stocks slipped on Monday after a long run of gains.",
        ),
        (
            "Wall Street falls from its records",
            "Stocks slipped on Monday after a long run of gains.",
        ),
    );
    assert_eq!(title_only.features, with_text.features);
}

/// Two classes told apart by one feature: the heads learn it, the same
/// examples give the same model, and the cuts decide.
#[test]
fn heads_learn_and_cuts_decide() {
    let ex = |f: &str, s: Significance| (vec![f.to_string()], s);
    let mut examples = Vec::new();
    for _ in 0..20 {
        examples.push(ex("cue:figure_changed", Major));
        examples.push(ex("f:same_content", Cosmetic));
        examples.push(ex("f:bar:under", Minor));
    }
    let m = VerdictModel::train(&examples);
    assert_eq!(m, VerdictModel::train(&examples));
    let judge = |m: &VerdictModel, f: &str, rules: Significance| {
        m.decide(&Evidence {
            rules,
            features: vec![f.to_string()],
        })
        .significance
    };
    assert_eq!(judge(&m, "cue:figure_changed", Minor), Major);
    assert_eq!(judge(&m, "f:same_content", Minor), Cosmetic);
    assert_eq!(judge(&m, "f:bar:under", Major), Minor);
    // Rules' majors kept whatever the head says; never promoted.
    let over_rules = m.clone().with_cuts(((0.0, 1.1), (0.5, 0.5)));
    assert_eq!(judge(&over_rules, "f:bar:under", Major), Major);
    assert_eq!(judge(&over_rules, "cue:figure_changed", Minor), Minor);
}

#[test]
fn the_shipped_cosmetic_head_reads() {
    let m = crate::detect::relevance::Model::parse(COSMETIC_MODEL).expect("cosmetic.model parses");
    assert!(m.weights.len() > 20, "{} weights", m.weights.len());
    assert!((0.0..=1.0).contains(&m.threshold));
}

/// Labeled pairs of apnews headlines: a rewording of the same fact the rules
/// call minor becomes cosmetic ("wording only: …"); a real change the rules
/// call major stays major; a minor the head does not find a rewording
/// stays minor.
#[test]
fn the_cosmetic_head_turns_only_minors() {
    let judge = |old: &str, new: &str| {
        let v = |t| VersionText { title: t, text: "" };
        let (rev, ev) = compare_evidence(&v(old), &v(new), &[]);
        (ev.rules, rev.significance, rev.reasons)
    };
    let (rules, got, reasons) = judge(
        "A suspected outbreak of the rare hantavirus on a cruise ship in the Atlantic Ocean kills 3 people",
        "A suspected outbreak of the rare hantavirus on a cruise ship in the Atlantic kills 3 people",
    );
    assert_eq!((rules, got), (Minor, Cosmetic), "{reasons:?}");
    assert_eq!(reasons, ["wording only: reworded (1 words)"]);
    // A near-synonym of the same move is the rules' own cosmetic.
    let (rules, got, reasons) = judge(
        "Oil prices sink and stocks rally worldwide on hopes for a reopening of the Strait of Hormuz",
        "Oil prices sink and stocks leap worldwide on hopes for a reopening of the Strait of Hormuz",
    );
    assert_eq!((rules, got), (Cosmetic, Cosmetic), "{reasons:?}");
    assert_eq!(reasons, ["synonym: rally/leap", "same content words"]);
    let (rules, got, reasons) = judge(
        "Death toll rises to 5 in Kyiv strike",
        "Death toll rises to 22 in Kyiv strike",
    );
    assert_eq!((rules, got), (Major, Major), "{reasons:?}");
    assert!(reasons[0].starts_with("figure"), "{reasons:?}");
    let (rules, got, reasons) = judge(
        "Brazil’s Congress reduces Jair Bolsonaro’s 27-year prison sentence",
        "Brazil’s Congress reduces Jair Bolsonaro’s 27-year prison sentence, in blow to Lula",
    );
    assert_eq!((rules, got), (Minor, Minor), "{reasons:?}");
    assert_eq!(reasons, ["reworded (3 words)"]);
}
