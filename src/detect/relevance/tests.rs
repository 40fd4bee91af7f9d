//! The evaluation harness on the labelled TASS 2025 headlines (every row,
//! read by a person; borderline rows left out, as the shared check does):
//! the shipped topic's boolean query, and the model trained on Jun–Nov only,
//! each scored on Jun–Nov and on December. Prints the figures
//! (`cargo test --lib detect::relevance::tests -- --nocapture`).

use super::*;
use crate::detect::query::parse;
use crate::detect::topics::{MatchDoc, TopicMatcher, TopicRule};
use crate::text::StemLang;

#[derive(serde::Deserialize)]
struct Headline {
    t: String,
    u: String,
    d: String,
    #[serde(default)]
    s: String,
}

fn shipped_matcher() -> TopicMatcher {
    #[derive(serde::Deserialize)]
    struct File {
        topic: Vec<Topic>,
    }
    #[derive(serde::Deserialize)]
    struct Topic {
        name: String,
        query: String,
        exclude: Option<String>,
    }
    let root = env!("CARGO_MANIFEST_DIR");
    let text = std::fs::read_to_string(format!("{root}/config/topics/peace-talks.toml"))
        .expect("config/topics/peace-talks.toml");
    let file: File = toml::from_str(&text).expect("peace-talks.toml parses");
    let t = file.topic.into_iter().next().expect("a topic");
    TopicMatcher::compile(vec![TopicRule {
        name: t.name,
        query: parse(&t.query).expect("query"),
        exclude: t.exclude.map(|q| parse(&q).expect("exclude")),
    }])
}

/// Every labelled headline (borderline left out) with its month.
fn labelled() -> Vec<(Headline, bool)> {
    let corpus = crate::testutil::corpus();
    let data = std::fs::read_to_string(corpus.join("datasets/tass__english-headlines-2025.json"))
        .expect("dataset");
    let headlines: Vec<Headline> = serde_json::from_str(&data).expect("dataset parses");
    let tsv =
        std::fs::read_to_string(corpus.join("labels/relevance-tass-2025.tsv")).expect("labels");
    let labels: std::collections::HashMap<String, Option<bool>> = parse_labels(&tsv)
        .expect("labels parse")
        .into_iter()
        .map(|l| (l.url, l.relevant))
        .collect();
    headlines
        .into_iter()
        .filter_map(|h| {
            let r = (*labels.get(&h.u)?)?;
            Some((h, r))
        })
        .collect()
}

fn hit(m: &TopicMatcher, title: &str, text: &str) -> Option<crate::detect::topics::TopicHit> {
    m.match_doc(&MatchDoc {
        title,
        text,
        source: "tass",
        tags: &[],
        language: Some("en"),
    })
    .into_iter()
    .next()
}

fn item_features(m: &TopicMatcher, h: &Headline) -> Vec<String> {
    let text = strip_dateline(&h.s);
    let signal = QuerySignal::of(hit(m, &h.t, text).as_ref());
    features(&h.t, text, StemLang::English, signal)
}

#[test]
#[cfg_attr(not(corpus), ignore = "needs the shared corpus: set NEWSWATCH_CORPUS")]
fn relevance_on_labelled_tass_2025() {
    let m = shipped_matcher();
    let rows = labelled();
    let dec = |h: &Headline| h.d.starts_with("2025-12");
    // The boolean query as the shared check runs it: title and summary as ingested.
    let (mut base_tune, mut base_dec) = (Evaluation::default(), Evaluation::default());
    for (h, r) in &rows {
        let p = hit(&m, &h.t, &h.s).is_some();
        if dec(h) {
            &mut base_dec
        } else {
            &mut base_tune
        }
        .add(p, *r);
    }
    println!("boolean query: Jun-Nov {base_tune}; Dec {base_dec}");
    let start = std::time::Instant::now();
    let examples: Vec<Example> = rows
        .iter()
        .filter(|(h, _)| !dec(h))
        .map(|(h, r)| Example {
            features: item_features(&m, h),
            relevant: *r,
            weight: 1.0,
        })
        .collect();
    let model = Model::train(&examples, TrainOptions::default());
    println!(
        "trained on {} Jun-Nov rows in {:?}: {} weights, threshold {}",
        examples.len(),
        start.elapsed(),
        model.weights.len(),
        model.threshold
    );
    let (mut tune, mut test) = (Evaluation::default(), Evaluation::default());
    let mut errors = Vec::new();
    for (h, r) in &rows {
        let s = model.score(item_features(&m, h).iter().map(String::as_str));
        if dec(h) {
            test.add(s.relevant, *r);
            if s.relevant != *r {
                errors.push(format!(
                    "{} {:.2} {}",
                    if *r { "FN" } else { "FP" },
                    s.probability,
                    h.t
                ));
            }
        } else {
            tune.add(s.relevant, *r);
        }
    }
    println!("model (Jun-Nov trained): Jun-Nov {tune}; Dec {test}");
    if std::env::var_os("NEWSWATCH_SHOW_ERRORS").is_some() {
        errors.sort();
        for e in &errors {
            println!("  {e}");
        }
    }
    // The harness reproduces the shared check's baseline (same rows, same rule).
    assert!(base_dec.tp + base_dec.fn_ > 300, "{base_dec}");
}
