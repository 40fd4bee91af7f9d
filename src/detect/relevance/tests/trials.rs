//! Trials of the evaluation harness (`tests.rs`) that were measured and
//! not kept, so their figures can be reproduced (bench/README.md,
//! "Relevance"): word classes learned from unlabelled text as features
//! (`NEWSWATCH_CLASSES`), and a second-order feature, the share of
//! positively weighted words near a party's name (`NEWSWATCH_SECOND`).
//! Also the average precision the harness prints.

use super::*;
use crate::testutil::TassHeadline as Headline;

/// Average precision of a ranking by probability (ties in input order).
pub(super) fn average_precision(ranked: &mut [(f64, bool)]) -> f64 {
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut tp, mut sum) = (0.0, 0.0);
    for (i, (_, r)) in ranked.iter().enumerate() {
        if *r {
            tp += 1.0;
            sum += tp / (i + 1) as f64;
        }
    }
    if tp == 0.0 { 0.0 } else { sum / tp }
}

/// Trial: word classes learned in the harness (`NEWSWATCH_CLASSES="K
/// min_count window families"`, families among `t`, `g`, `l`) added to
/// the features.
pub(super) fn with_trial_classes(mut feats: Vec<Vec<String>>, titles: &[&str]) -> Vec<Vec<String>> {
    let Ok(v) = std::env::var("NEWSWATCH_CLASSES") else {
        return feats;
    };
    let p: Vec<&str> = v.split_whitespace().collect();
    let o = classes::ClassOptions {
        classes: p[0].parse().expect("K"),
        min_count: p[1].parse().expect("min"),
        window: p[2].parse().expect("window"),
        ..Default::default()
    };
    let fam = p.get(3).copied().unwrap_or("t");
    let t0 = std::time::Instant::now();
    let sentences = class_sentences();
    let rare: usize = std::env::var("NEWSWATCH_CLASSES_RARE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(usize::MAX);
    let wc = classes::WordClasses::learn(&sentences, o).rare(rare);
    println!(
        "classes: {} sentences, {} stems in {} classes, {:?}",
        sentences.len(),
        wc.len(),
        o.classes,
        t0.elapsed()
    );
    if let Ok(path) = std::env::var("NEWSWATCH_CLASSES_OUT") {
        std::fs::write(path, wc.to_text("trial")).expect("write classes");
    }
    for (f, title) in feats.iter_mut().zip(titles) {
        let mut add = Vec::new();
        if fam.contains('p') {
            let st = features::stems(&crate::text::fold(title), crate::text::StemLang::English);
            let cs: Vec<u16> = st.iter().filter_map(|s| wc.class(s)).collect();
            for (i, a) in cs.iter().enumerate() {
                for b in cs.iter().skip(i + 1).take(4) {
                    let (x, y) = if a < b { (a, b) } else { (b, a) };
                    add.push(format!("cp:{x}+{y}"));
                }
            }
        }
        for x in f.iter() {
            if let Some(s) = x.strip_prefix("t:")
                && fam.contains('t')
                && let Some(c) = wc.class(s)
            {
                add.push(format!("c:{c}"));
            }
            if let Some(s) = x.strip_prefix("g:dipl+")
                && fam.contains('g')
                && let Some(c) = wc.class(s)
            {
                add.push(format!("g:dipl+c{c}"));
            }
            if let Some(s) = x.strip_prefix("l:")
                && fam.contains('l')
                && let Some(c) = wc.class(s)
            {
                add.push(format!("lc:{c}"));
            }
        }
        add.sort_unstable();
        add.dedup();
        f.extend(add);
    }
    feats
}

/// Unlabelled sentences to learn word classes from: the TASS headlines
/// and leads of June–November (no labels read, no December text), and
/// the titles and texts of the corpus's feeds and feed histories.
fn class_sentences() -> Vec<Vec<String>> {
    use crate::text::{StemLang, fold};
    let corpus = crate::testutil::corpus();
    let data = std::fs::read_to_string(corpus.join("datasets/tass__english-headlines-2025.json"))
        .expect("dataset");
    let headlines: Vec<Headline> = serde_json::from_str(&data).expect("dataset parses");
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    let mut push = |text: &str, lang: StemLang, out: &mut Vec<Vec<String>>| {
        for part in text.split(['.', '!', '?', ';', '\n']) {
            let s = features::stems(&fold(part), lang);
            if s.len() >= 2 && seen.insert(s.clone()) {
                out.push(s);
            }
        }
    };
    for h in headlines.iter().filter(|h| h.d.as_str() < "2025-12") {
        push(&h.t, StemLang::English, &mut out);
        push(strip_dateline(&h.s), StemLang::English, &mut out);
    }
    let mut files = Vec::new();
    for dir in ["feeds", "history"] {
        let mut stack = vec![corpus.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).expect("corpus dir").flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    files.push(p);
                }
            }
        }
    }
    files.sort();
    for p in files {
        let Ok(bytes) = std::fs::read(&p) else {
            continue;
        };
        let Ok(feed) = crate::parse::parse_document(&crate::model::Document {
            bytes,
            content_type: None,
            url: None,
        }) else {
            continue;
        };
        let ctx = crate::normalize::NormalizeContext {
            now: chrono::Utc::now(),
            source_language: None,
        };
        for e in crate::normalize::normalize(&feed, &ctx) {
            let lang = StemLang::from_code(e.language.as_deref().or(Some("en")));
            push(&e.current.title, lang, &mut out);
            push(strip_dateline(&e.current.text), lang, &mut out);
        }
    }
    out
}

/// Is this title stem a conflict party's name (its places, capitals,
/// leaders)?
fn is_party(s: &str) -> bool {
    [
        "ukrain", "kiev", "kyiv", "russia", "moscow", "kremlin", "putin", "zelensk", "donbas",
        "crimea",
    ]
    .iter()
    .any(|p| s.starts_with(p))
}

/// The second-order feature of a title under a model's weights: the share
/// of the stems near a party's name whose `t:` weight is positive, binned.
fn second_order_feature(title: &str, model: &Model, window: usize) -> String {
    let st = features::stems(&crate::text::fold(title), crate::text::StemLang::English);
    let mut near = std::collections::BTreeSet::new();
    for (i, s) in st.iter().enumerate() {
        if is_party(s) {
            let lo = i.saturating_sub(window);
            let hi = (i + window + 1).min(st.len());
            for x in &st[lo..hi] {
                if !is_party(x) {
                    near.insert(x.clone());
                }
            }
        }
    }
    if near.is_empty() {
        return "s2:none".to_owned();
    }
    let pos = near
        .iter()
        .filter(|s| model.weights.get(&format!("t:{s}")).copied().unwrap_or(0.0) > 0.0)
        .count();
    let share = pos as f64 / near.len() as f64;
    let bin = match share {
        x if pos == 0 || x <= 0.0 => "0",
        x if x <= 0.25 => "1",
        x if x <= 0.5 => "2",
        x if x <= 0.75 => "3",
        _ => "4",
    };
    format!("s2:{bin}")
}

/// Trial: a second-order feature (the share of positively weighted words
/// near a party's name) from out-of-fold models for the training rows and
/// the full first-stage model for the validation rows; a second model
/// trained with it.
pub(super) fn second_order_trial(
    rows: &[(Headline, bool)],
    feats: &[Vec<String>],
    cut: &str,
    opts: TrainOptions,
    window: usize,
) {
    let early: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].0.d.as_str() < cut)
        .collect();
    let later: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].0.d.as_str() >= cut && !rows[i].0.d.starts_with("2025-12"))
        .collect();
    let ex = |i: usize, extra: Option<&String>| Example {
        features: feats[i].iter().chain(extra).cloned().collect(),
        relevant: rows[i].1,
        weight: 1.0,
    };
    let mut extra: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    let folds = 5;
    for k in 0..folds {
        let train: Vec<Example> = early
            .iter()
            .enumerate()
            .filter(|(n, _)| n % folds != k)
            .map(|(_, &i)| ex(i, None))
            .collect();
        let m = Model::train(&train, opts);
        for (_, &i) in early.iter().enumerate().filter(|(n, _)| n % folds == k) {
            extra.insert(i, second_order_feature(&rows[i].0.t, &m, window));
        }
    }
    let m1 = Model::train(
        &early.iter().map(|&i| ex(i, None)).collect::<Vec<_>>(),
        opts,
    );
    for &i in &later {
        extra.insert(i, second_order_feature(&rows[i].0.t, &m1, window));
    }
    let m2 = Model::train(
        &early
            .iter()
            .map(|&i| ex(i, extra.get(&i)))
            .collect::<Vec<_>>(),
        opts,
    );
    let mut val = Evaluation::default();
    let mut ranked = Vec::new();
    for &i in &later {
        let f = ex(i, extra.get(&i)).features;
        let sc = m2.score(f.iter().map(String::as_str));
        val.add(sc.relevant, rows[i].1);
        ranked.push((sc.probability, rows[i].1));
    }
    let ws: Vec<String> = (0..5)
        .map(|b| {
            format!(
                "{:.2}",
                m2.weights.get(&format!("s2:{b}")).copied().unwrap_or(0.0)
            )
        })
        .collect();
    println!(
        "  second order (window {window}): {val}, AP {:.4}; weights none {:.2} bins {}",
        average_precision(&mut ranked),
        m2.weights.get("s2:none").copied().unwrap_or(0.0),
        ws.join(" ")
    );
}
