//! The model's unit tests: training, parsing, scoring, fine-tuning, vetoes.

use super::*;

fn ex(f: &[&str], relevant: bool) -> Example {
    Example {
        features: f.iter().map(|s| s.to_string()).collect(),
        relevant,
        weight: 1.0,
    }
}

#[test]
fn learns_a_separable_word_and_round_trips_its_file() {
    let mut data = Vec::new();
    for i in 0..40 {
        data.push(ex(
            &["t:envoy", if i % 2 == 0 { "t:meet" } else { "t:visit" }],
            true,
        ));
        data.push(ex(
            &["t:harvest", if i % 2 == 0 { "t:meet" } else { "t:visit" }],
            false,
        ));
    }
    let m = Model::train(&data, TrainOptions::default());
    assert!(m.score(["t:envoy"]).relevant);
    assert!(!m.score(["t:harvest"]).relevant);
    assert_eq!(
        m,
        Model::train(&data, TrainOptions::default()),
        "deterministic"
    );
    let back = Model::parse(&m.to_text("test model")).unwrap();
    assert_eq!(back.weights.len(), m.weights.len());
    assert!(back.score(["t:envoy"]).relevant);
    let (pos, neg) = m.top_features(1);
    assert_eq!(pos[0].0, "t:envoy");
    assert_eq!(neg[0].0, "t:harvest");
}

#[test]
fn fine_tuning_turns_a_corrected_item_and_its_like() {
    let m = Model::query_prior();
    let corrected = ["q:match", "t:talk", "t:trade", "t:china"];
    assert!(m.score(corrected).relevant);
    let mut tuned = m.fine_tune(&[ex(&corrected, false)]);
    assert!(!tuned.score(corrected).relevant);
    assert!(
        tuned.score(["q:match", "t:talk", "t:ukrain"]).relevant,
        "other matches stay"
    );
    // Worded like the corrected item: its label, and which item said so.
    let like = ["q:match", "t:talk", "t:trade", "t:china", "t:beij"];
    assert!(m.score(like).relevant);
    let feats: Vec<String> = corrected.iter().map(|s| s.to_string()).collect();
    tuned.remember(7, &feats, false);
    let s = tuned.score(like);
    assert!(!s.relevant);
    assert_eq!(s.via_feedback, Some(7));
    assert_eq!(tuned.score(["q:match", "t:ukrain"]).via_feedback, None);
}

/// Confirming what the model already takes moves nothing, even near
/// the threshold; correcting it does.
#[test]
fn fine_tuning_leaves_confirmed_items_alone() {
    let mut m = Model::query_prior();
    m.weights.insert("t:russia".to_owned(), 2.9);
    let near = ["t:russia", "t:talk"];
    let p = m.score(near).probability;
    m.threshold_unmatched = p - 0.02;
    assert!(m.score(near).relevant);
    let tuned = m.fine_tune(&[ex(&near, true)]);
    assert_eq!(tuned.weights, m.weights, "a confirmation lifts no word");
    let tuned = m.fine_tune(&[ex(&near, false)]);
    assert!(!tuned.score(near).relevant);
    assert!(tuned.score(near).probability < m.threshold_unmatched - 0.05);
}

/// A frame in which no labelled item the query missed is relevant
/// becomes a veto; one with a relevant item does not. The veto turns
/// an unmatched item down however high its words score, by name and by
/// hash alike, and leaves the query's hits to the weights.
#[test]
fn a_frame_with_no_relevant_unmatched_item_is_vetoed() {
    let mut data = Vec::new();
    for i in 0..30 {
        let word = if i % 2 == 0 { "t:meet" } else { "t:visit" };
        data.push(ex(&["t:envoy", word], true));
        data.push(ex(&["t:envoy", word, "q:match"], true));
        data.push(ex(&["t:harvest", word], false));
        data.push(ex(&["t:summit", word, "x:elsewhere"], false));
        data.push(ex(&["t:loan", word, "x:money"], i == 0));
    }
    let m = Model::train(&data, TrainOptions::default());
    assert_eq!(m.vetoes, ["x:elsewhere"]);
    assert!(
        !m.weights.keys().any(|f| f.starts_with("x:")),
        "frames are not weighed"
    );
    let unmatched = ["t:envoy", "t:meet", "x:elsewhere"];
    let s = m.score(unmatched);
    assert!(!s.relevant);
    assert_eq!(s.vetoed_by.as_deref(), Some("x:elsewhere"));
    assert!(m.score(["t:envoy", "t:meet"]).relevant, "no frame, no veto");
    let hit = m.score(["t:envoy", "t:meet", "x:elsewhere", "q:match"]);
    assert!(hit.relevant && hit.vetoed_by.is_none(), "the query hit");
    // The file keeps the veto; the hashed scoring applies it.
    let back = Model::parse(&m.to_text("test")).unwrap();
    assert_eq!(back.vetoes, m.vetoes);
    let index = super::super::ModelIndex::of(&back).unwrap();
    let mut sink = super::super::HashSink::default();
    for f in unmatched {
        super::super::FeatureSink::add(&mut sink, &[f]);
    }
    assert!(!index.score(&back, &sink, &[]).1);
    assert!(index.score(&back, &sink, &["q:match"]).1);
    // A user's relevant label on such an item lifts the veto.
    let feats: Vec<String> = unmatched.iter().map(|f| f.to_string()).collect();
    let tuned = m.fine_tune(&[Example {
        features: feats,
        relevant: true,
        weight: 1.0,
    }]);
    assert!(tuned.vetoes.is_empty());
    assert!(tuned.score(unmatched).relevant);
}

#[test]
fn a_veto_that_is_not_a_frame_is_an_error() {
    let e = Model::parse("bias 0\nveto-unmatched t:loan\n").unwrap_err();
    assert!(e.contains("line 2") && e.contains("x:"), "{e}");
}

#[test]
fn a_bad_line_is_an_error_naming_it() {
    let e = Model::parse("bias 0\nthreshold x\n").unwrap_err();
    assert!(e.contains("line 2"), "{e}");
    assert!(Model::parse("justoneword").unwrap_err().contains("line 1"));
}

#[test]
fn platt_scaling_recovers_the_slope_and_offset_of_the_labels() {
    use super::super::fit::platt_fit;
    // Each log-odds z weighs its relevant and irrelevant rows as
    // sigmoid(2z - 1) says: the fit's optimum is exactly a = 2, b = -1.
    let mut scored = Vec::new();
    for i in -20..=20 {
        let z = f64::from(i) / 5.0;
        let p = sigmoid(2.0 * z - 1.0);
        scored.push((z, true, p));
        scored.push((z, false, 1.0 - p));
    }
    let (a, b) = platt_fit(&scored);
    assert!((a - 2.0).abs() < 1e-6 && (b + 1.0).abs() < 1e-6, "{a} {b}");
}

#[test]
fn the_pair_of_cuts_meets_its_rule_over_both_sides() {
    use super::super::fit::{CutRule, best_pair};
    let r = |p: f64, relevant: bool| (p, relevant, 1.0);
    // Query hits: relevant down to 0.3, an irrelevant one at 0.2.
    let hit = vec![r(0.9, true), r(0.5, true), r(0.3, true), r(0.2, false)];
    // Not hit: a relevant one at 0.8, irrelevant at 0.7 and 0.6, a vetoed
    // relevant one (scored -1: never taken).
    let unmatched = vec![r(0.8, true), r(0.7, false), r(0.6, false), r(-1.0, true)];
    let (h, u) = best_pair(
        &mut hit.clone(),
        &mut unmatched.clone(),
        CutRule::Precision(0.8),
    )
    .unwrap();
    // Every relevant hit and the relevant unmatched one, no false match.
    assert!(h > 0.2 && h < 0.3 && u > 0.7 && u < 0.8, "{h} {u}");
    // Four of the five relevant items can be taken: recall 0.8 at no false
    // match, 0.9 never.
    let (h, u) = best_pair(
        &mut hit.clone(),
        &mut unmatched.clone(),
        CutRule::Recall(0.8),
    )
    .unwrap();
    assert!(h > 0.2 && u > 0.7, "no false match is needed: {h} {u}");
    assert!(
        best_pair(
            &mut hit.clone(),
            &mut unmatched.clone(),
            CutRule::Recall(0.9)
        )
        .is_none(),
        "the vetoed relevant item is never taken"
    );
}
