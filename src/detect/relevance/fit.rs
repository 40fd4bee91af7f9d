//! Fitting a relevance model's weights (`model`): the examples encoded
//! against a vocabulary, logistic regression by AdaGrad, optionally the
//! naive Bayes log-count ratios added to its weights, and the choice of a
//! threshold over out-of-fold probabilities.

use std::collections::BTreeMap;

use super::frames::FRAME_PREFIX;
use super::model::{Example, TrainOptions, sigmoid};

/// An example as the indices of its features in the vocabulary.
pub(super) struct Encoded {
    pub(super) idx: Vec<usize>,
    pub(super) relevant: bool,
    pub(super) weight: f64,
}

/// The features seen in at least `min_count` examples (frames left out),
/// each with its index.
pub(super) fn vocabulary(examples: &[Example], min_count: usize) -> BTreeMap<String, usize> {
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for e in examples {
        // Frames are read by vetoes, never weighed.
        for f in e.features.iter().filter(|f| !f.starts_with(FRAME_PREFIX)) {
            *count.entry(f.as_str()).or_default() += 1;
        }
    }
    count
        .into_iter()
        .filter(|(_, c)| *c >= min_count)
        .enumerate()
        .map(|(j, (f, _))| (f.to_owned(), j))
        .collect()
}

/// An example's features as vocabulary indices, sorted and deduplicated.
pub(super) fn encode(e: &Example, vocab: &BTreeMap<String, usize>) -> Encoded {
    let mut idx: Vec<usize> = e
        .features
        .iter()
        .filter_map(|f| vocab.get(f).copied())
        .collect();
    idx.sort_unstable();
    idx.dedup();
    Encoded {
        idx,
        relevant: e.relevant,
        weight: e.weight,
    }
}

/// The regression's weights plus [`TrainOptions::nb_beta`] times the
/// naive Bayes log-count ratios, over the same examples.
pub(super) fn fit_with_ratios(
    examples: &[&Encoded],
    n: usize,
    opts: TrainOptions,
) -> (f64, Vec<f64>) {
    let (bias, mut w) = fit(examples, n, opts);
    if opts.nb_beta != 0.0 {
        for (x, r) in w
            .iter_mut()
            .zip(log_count_ratios(examples, n, opts.nb_alpha))
        {
            *x += opts.nb_beta * r;
        }
    }
    (bias, w)
}

/// Naive Bayes log-count ratio of each feature: the log of its share of
/// the relevant items' features over its share of the others', each count
/// smoothed by `alpha` (the examples' weights count).
fn log_count_ratios(examples: &[&Encoded], n: usize, alpha: f64) -> Vec<f64> {
    let mut pos = vec![alpha; n];
    let mut neg = vec![alpha; n];
    for e in examples {
        let side = if e.relevant { &mut pos } else { &mut neg };
        for &j in &e.idx {
            side[j] += e.weight;
        }
    }
    let (sp, sn): (f64, f64) = (pos.iter().sum(), neg.iter().sum());
    pos.iter()
        .zip(&neg)
        .map(|(p, q)| (p / sp).ln() - (q / sn).ln())
        .collect()
}

/// AdaGrad over the examples in their order, a fixed number of epochs.
fn fit(examples: &[&Encoded], n: usize, opts: TrainOptions) -> (f64, Vec<f64>) {
    let mut w = vec![0.0; n];
    let mut g2 = vec![1e-8; n];
    let mut bias = 0.0;
    let mut bias_g2 = 1e-8;
    for _ in 0..opts.epochs {
        for e in examples {
            let z = bias + e.idx.iter().map(|&j| w[j]).sum::<f64>();
            let y = if e.relevant { 1.0 } else { 0.0 };
            let g = (sigmoid(z) - y) * e.weight;
            bias_g2 += g * g;
            bias -= opts.rate * g / bias_g2.sqrt();
            for &j in &e.idx {
                let gj = g + opts.l2 * w[j];
                g2[j] += gj * gj;
                w[j] -= opts.rate * gj / g2[j].sqrt();
            }
        }
    }
    (bias, w)
}

/// The probability cut with the best weighted F2.
pub(super) fn best_threshold(scored: &mut [(f64, bool, f64)]) -> f64 {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let total_pos: f64 = scored.iter().filter(|s| s.1).map(|s| s.2).sum();
    let (mut tp, mut fp) = (0.0, 0.0);
    let (mut best, mut best_f1) = (0.5, -1.0);
    for (i, s) in scored.iter().enumerate() {
        if s.1 {
            tp += s.2;
        } else {
            fp += s.2;
        }
        let next = scored.get(i + 1).map_or(0.0, |n| n.0);
        if next == s.0 {
            continue;
        }
        // F2: recall weighs twice precision. Out-of-fold items are like the
        // training ones; later news is less so and scores lower, so a cut
        // that leans to recall holds up better on it.
        let f1 = 5.0 * tp / (5.0 * tp + 4.0 * (total_pos - tp) + fp);
        if f1 > best_f1 {
            best_f1 = f1;
            best = (s.0 + next) / 2.0;
        }
    }
    best
}

/// A side's cuts over its items sorted by probability, highest first: for
/// taking none and then each distinct probability, the cut and the
/// (weighted) relevant and irrelevant items it takes.
fn cuts(scored: &mut [(f64, bool, f64)]) -> Vec<(f64, f64, f64)> {
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out = vec![(1.0, 0.0, 0.0)];
    let (mut tp, mut fp) = (0.0, 0.0);
    for (i, s) in scored.iter().enumerate() {
        if s.1 {
            tp += s.2;
        } else {
            fp += s.2;
        }
        let next = scored.get(i + 1).map_or(0.0, |n| n.0.max(0.0));
        if next == s.0 || s.0 < 0.0 {
            continue;
        }
        out.push(((s.0 + next) / 2.0, tp, fp));
    }
    out
}

/// How the two thresholds are chosen over out-of-fold probabilities.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CutRule {
    /// The pair with the highest recall at this precision or more (ties: the
    /// higher precision). Precision moves with the share of relevant items.
    Precision(f64),
    /// The pair with the fewest false matches at this recall or more (ties:
    /// the higher recall). Recall and the false matches' share of the
    /// irrelevant items do not move with the share of relevant items.
    Recall(f64),
}

/// The two cuts (items the query hits, items it does not) by `rule` over
/// both sides together; None when no pair meets it. An item scored below 0
/// is never taken (a vetoed one).
pub(super) fn best_pair(
    hit: &mut [(f64, bool, f64)],
    unmatched: &mut [(f64, bool, f64)],
    rule: CutRule,
) -> Option<(f64, f64)> {
    let total: f64 = hit
        .iter()
        .chain(unmatched.iter())
        .filter(|s| s.1)
        .map(|s| s.2)
        .sum();
    let (h, u) = (cuts(hit), cuts(unmatched));
    // (primary, secondary, cuts), both larger-is-better.
    let mut best: Option<(f64, f64, (f64, f64))> = None;
    for &(ch, tph, fph) in &h {
        for &(cu, tpu, fpu) in &u {
            let (tp, fp) = (tph + tpu, fph + fpu);
            if tp == 0.0 {
                continue;
            }
            let key = match rule {
                CutRule::Precision(t) if tp / (tp + fp) >= t => (tp, tp / (tp + fp)),
                CutRule::Recall(t) if tp / total >= t => (-fp, tp),
                _ => continue,
            };
            if best.is_none_or(|(a, b, _)| key.0 > a || (key.0 == a && key.1 > b)) {
                best = Some((key.0, key.1, (ch, cu)));
            }
        }
    }
    best.map(|b| b.2)
}

/// Platt scaling: `(a, b)` of the logistic fit of the label on `a·z + b`
/// over (log-odds, relevant, weight), by Newton's method.
pub(super) fn platt_fit(scored: &[(f64, bool, f64)]) -> (f64, f64) {
    let (mut a, mut b) = (1.0, 0.0);
    for _ in 0..50 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for &(z, r, w) in scored {
            let p = sigmoid(a * z + b);
            let d = (p - if r { 1.0 } else { 0.0 }) * w;
            let v = (p * (1.0 - p)).max(1e-12) * w;
            ga += d * z;
            gb += d;
            haa += v * z * z;
            hab += v * z;
            hbb += v;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-12 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        a -= da;
        b -= db;
        if da.abs() + db.abs() < 1e-10 {
            break;
        }
    }
    (a, b)
}
