//! A learned verdict, for evaluation: two logistic heads over the rules'
//! evidence, "is it major?" and "is it cosmetic?", each a
//! [`relevance::Model`](crate::detect::relevance::Model) (the topics'
//! trainer). The features are what the rules computed — the rules' own
//! class, the kind of each cue that fired, the share of content words new
//! to the item (in fifths, by length, against the rewrite bar), counts of
//! words removed, added and new, names and figures among them, notes
//! (figure dropped, spelling), quotation changes and the language — never
//! the words of a headline. A field left unchanged adds nothing, so a feed
//! that sends a text beside its title looks like one that does not.
//!
//! Only the cosmetic head decides, and only where the rules say minor: an
//! edit it finds a rewording of the same fact at even odds or more becomes
//! cosmetic ("wording only: reworded (2 words)"); a major is never touched.
//! By grouped cross-validation on the labeled edits (`tests/it/edits_eval.rs`,
//! `edits_cv`) that raised cosmetic quiet with major recall and precision
//! unchanged; the major head did not beat the rules, so it does not decide
//! (`docs/development/known-gaps.md`, "Revisions"). The shipped head is
//! [`COSMETIC_MODEL`], trained on every labeled edit; `edits_cosmetic_model`
//! in `tests/it/edits_eval.rs` retrains it and checks it is the same
//! (`NEWSWATCH_WRITE_MODEL=1` writes it). [`super::compare_evidence`] gives
//! the features, so both heads can be tried again as the labels grow.

use std::sync::LazyLock;

use super::Significance;
use super::quotes::QuoteChange;
use super::verdict::{FieldVerdict, Judged, rewrite_threshold};
pub use crate::detect::relevance::TrainOptions;
use crate::detect::relevance::{Example, Model};

/// The shipped cosmetic head: a relevance-model file (bias, cuts, one
/// weighted feature a line) trained on every labeled edit.
pub const COSMETIC_MODEL: &str = include_str!("cosmetic.model");

/// The comment at the top of [`COSMETIC_MODEL`].
pub const COSMETIC_MODEL_HEADER: &str = "\
cosmetic head of the edit verdict: logistic regression over the evidence the rules compute
(detect::revisions::compare_evidence; the rules' class, cue kinds, shares and counts of changed
words, names, figures, notes, quotations, language; never a headline's words). Turns a minor
into cosmetic from `threshold` (SHIPPED_CUTS); never touches a major. Trained on every labeled edit of
corpus/labels/edits-visible.tsv (VerdictModel::train). Rebuild:
NEWSWATCH_WRITE_MODEL=1 cargo test --test it edits_cosmetic_model (needs the corpus).";

/// [`COSMETIC_MODEL`], read once (`None` if it did not parse: a unit test
/// checks it does, and the rules then decide alone).
static COSMETIC: LazyLock<Option<Model>> = LazyLock::new(|| Model::parse(COSMETIC_MODEL).ok());

/// The shipped cosmetic head's probability that an edit the rules call
/// minor is a rewording of the same fact, when it reaches the head's cut.
pub(super) fn wording_only(features: &[String]) -> Option<f64> {
    let model = COSMETIC.as_ref()?;
    let p = model.score(features.iter().map(String::as_str)).probability;
    (p >= model.threshold).then_some(p)
}

/// The two heads.
#[derive(Clone, Debug, PartialEq)]
pub struct VerdictModel {
    /// Probability that the edit is major.
    pub major: Model,
    /// Probability that the edit is cosmetic.
    pub cosmetic: Model,
}

/// The evidence of one comparison: the rules' class and the features the
/// model reads.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub rules: Significance,
    pub features: Vec<String>,
}

/// A model's decision with its two probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Decision {
    pub significance: Significance,
    pub p_major: f64,
    pub p_cosmetic: f64,
}

/// Training settings: few features, so more passes and a lighter penalty
/// than the topics take (the best of a few tried by cross-validation).
const OPTIONS: TrainOptions = TrainOptions {
    epochs: 100,
    l2: 1e-4,
    rate: 0.1,
    min_count: 2,
    folds: 0,
    max_weights: 400,
    nb_beta: 0.0,
    nb_alpha: 0.0,
    blocked_folds: false,
    cut_rule: None,
    calibrate: false,
};

/// The probabilities from which an edit is major (when the rules say major,
/// when they do not), then cosmetic (when the rules say cosmetic, when not).
pub type Cuts = ((f64, f64), (f64, f64));

/// The default cuts (see [`Cuts`]): each head alone at even odds.
const CUTS: Cuts = ((0.5, 0.5), (0.5, 0.5));

/// The cuts of the shipped cosmetic head ([`COSMETIC_MODEL`]'s
/// `threshold`): a rules' minor becomes cosmetic from 0.35. Many short
/// rewordings share one set of evidence and sit under even odds; from
/// 0.35, by grouped cross-validation, cosmetic quiet rises 0.70 → 0.85
/// with major recall and precision unchanged, at the cost of 22 labeled
/// minors called cosmetic (a minor raises no alert on its own).
/// `bench/README.md`, "Edit significance".
pub const SHIPPED_CUTS: Cuts = ((0.5, 0.5), (0.35, 0.35));

impl VerdictModel {
    /// Train both heads on (features, label) pairs with the settings
    /// above, cuts at even odds; deterministic.
    pub fn train(examples: &[(Vec<String>, Significance)]) -> VerdictModel {
        VerdictModel::train_with(examples, OPTIONS)
    }

    /// [`Self::train`] with other settings.
    pub fn train_with(
        examples: &[(Vec<String>, Significance)],
        options: TrainOptions,
    ) -> VerdictModel {
        let head = |positive: Significance| {
            let ex: Vec<Example> = examples
                .iter()
                .map(|(f, s)| Example {
                    features: f.clone(),
                    relevant: *s == positive,
                    weight: 1.0,
                })
                .collect();
            Model::train(&ex, options)
        };
        VerdictModel {
            major: head(Significance::Major),
            cosmetic: head(Significance::Cosmetic),
        }
        .with_cuts(CUTS)
    }

    /// The same heads with other cuts.
    pub fn with_cuts(mut self, cuts: Cuts) -> VerdictModel {
        self.major.threshold = cuts.0.0;
        self.major.threshold_unmatched = cuts.0.1;
        self.cosmetic.threshold = cuts.1.0;
        self.cosmetic.threshold_unmatched = cuts.1.1;
        self
    }

    /// Major when the major head is sure enough, else cosmetic when the
    /// cosmetic head is, else minor. Each head has two cuts, as a topic's
    /// model has for items its query hits or misses: one for an edit the
    /// rules put in the head's class, one for an edit they do not.
    pub fn decide(&self, evidence: &Evidence) -> Decision {
        let features = &evidence.features;
        let p_major = self
            .major
            .score(features.iter().map(String::as_str))
            .probability;
        let p_cosmetic = self
            .cosmetic
            .score(features.iter().map(String::as_str))
            .probability;
        let rules = evidence.rules;
        let significance = if p_major >= self.major.threshold_for(rules == Significance::Major) {
            Significance::Major
        } else if p_cosmetic >= self.cosmetic.threshold_for(rules == Significance::Cosmetic) {
            Significance::Cosmetic
        } else {
            Significance::Minor
        };
        Decision {
            significance,
            p_major,
            p_cosmetic,
        }
    }
}

/// The short name of a reason's kind (its words before `:` or `(`).
fn kind(reason: &str) -> String {
    let head = reason
        .split([':', '('])
        .next()
        .unwrap_or(reason)
        .trim()
        .replace(' ', "_");
    // "figure 5 → 22" has no colon: its kind is the first word.
    if head.starts_with("figure_") && !head.starts_with("figure_added") {
        if head.starts_with("figure_dropped") {
            return "figure_dropped".to_string();
        }
        return "figure_changed".to_string();
    }
    head
}

/// A count in a few buckets.
fn count_bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1 => "1",
        2 => "2",
        3..=4 => "3-4",
        5..=8 => "5-8",
        _ => "9+",
    }
}

/// A share in fifths.
fn share_bucket(s: f64) -> &'static str {
    match s {
        s if s <= 0.0 => "0",
        s if s < 0.2 => "<.2",
        s if s < 0.4 => "<.4",
        s if s < 0.6 => "<.6",
        s if s < 0.8 => "<.8",
        _ => ">=.8",
    }
}

/// A text length (content words of both versions) in a few buckets.
fn length_bucket(n: usize) -> &'static str {
    match n {
        0 => "0",
        1..=12 => "short",
        13..=24 => "headline",
        25..=60 => "lead",
        _ => "long",
    }
}

/// One changed field's features, each name starting with `p`.
fn field_features(p: &str, f: &FieldVerdict, out: &mut Vec<String>) {
    if f.cosmetic {
        out.push(format!("{p}:cosmetic"));
    }
    let c = &f.content;
    let len = length_bucket(c.total);
    out.push(format!("{p}:len:{len}"));
    let ns = f.novel_share();
    out.push(format!("{p}:novel:{}", share_bucket(ns)));
    out.push(format!("{p}:novel:{}:{len}", share_bucket(ns)));
    // How far from the rewrite bar of its length.
    let bar = rewrite_threshold(c.total);
    if ns > 0.0 {
        let near = if ns >= bar {
            "over"
        } else if ns >= bar * 0.66 {
            "near"
        } else {
            "under"
        };
        out.push(format!("{p}:bar:{near}"));
    }
    out.push(format!("{p}:removed:{}", count_bucket(c.removed.len())));
    out.push(format!("{p}:added:{}", count_bucket(c.added.len())));
    out.push(format!("{p}:novel_added:{}", count_bucket(f.novel_added)));
    let known_added = c.added.len().saturating_sub(f.novel_added);
    if known_added > 0 {
        out.push(format!("{p}:known_added"));
    }
    match c.added.len().cmp(&c.removed.len()) {
        std::cmp::Ordering::Greater => out.push(format!("{p}:grew")),
        std::cmp::Ordering::Less => out.push(format!("{p}:shrank")),
        std::cmp::Ordering::Equal => out.push(format!("{p}:swapped")),
    }
    if !c.respelled.is_empty() {
        out.push(format!("{p}:respelled"));
    }
    let names_added = c.added.iter().filter(|w| w.name).count();
    let names_removed = c.removed.iter().filter(|w| w.name).count();
    if names_added > 0 {
        out.push(format!("{p}:names_added"));
    }
    if names_removed > 0 {
        out.push(format!("{p}:names_removed"));
    }
    let digit = |w: &super::content::Content| w.stem.bytes().any(|b| b.is_ascii_digit());
    if c.added.iter().any(digit) {
        out.push(format!("{p}:number_added"));
    }
    if c.removed.iter().any(digit) {
        out.push(format!("{p}:number_removed"));
    }
    if c.is_empty() {
        out.push(format!("{p}:same_content"));
    }
    for r in &f.major {
        out.push(format!("{p}:cue:{}", kind(r)));
    }
    for n in &f.notes {
        out.push(format!("{p}:note:{}", kind(n)));
    }
}

/// The features of one comparison (see the file docs).
pub(super) fn features(
    t: &FieldVerdict,
    x: &FieldVerdict,
    judged: &Judged,
    quotes: QuoteChange,
    lang: Option<&str>,
) -> Vec<String> {
    let mut out = vec![
        format!("rules:{}", judged.rules.as_str()),
        format!("lang:{}", lang.unwrap_or("none")),
    ];
    let cues = judged.major.len();
    out.push(format!("cues:{}", count_bucket(cues)));
    for r in &judged.major {
        out.push(format!("cue:{}", kind(r)));
    }
    if cues == 1 {
        out.push(format!("only_cue:{}", kind(&judged.major[0])));
    }
    match quotes {
        QuoteChange::Changed => out.push("quotes:changed".to_string()),
        QuoteChange::MarksOnly => out.push("quotes:marks".to_string()),
        QuoteChange::Same => {}
    }
    // The changed fields' evidence under one name: whether a feed sends a
    // text beside its title, or left it alone, says nothing about an edit.
    for f in [t, x] {
        if f.share > 0.0 {
            field_features("f", f, &mut out);
        }
    }
    if t.cosmetic && x.cosmetic {
        out.push("all_cosmetic".to_string());
    }
    out.sort();
    out.dedup();
    out
}
