//! Tests of topic matching, with the shipped topic measured on labelled
//! TASS headlines and a benchmark of 1,000 topics.

use super::*;
use crate::detect::query::parse;

fn rule(name: &str, query: &str, exclude: Option<&str>) -> TopicRule {
    TopicRule {
        name: name.into(),
        query: parse(query).unwrap_or_else(|e| panic!("{query}: {e}")),
        exclude: exclude.map(|q| parse(q).unwrap_or_else(|e| panic!("{q}: {e}"))),
    }
}

/// The shipped `peace-talks` topic (config/topics/peace-talks.toml), its
/// query and exclusion compiled; its model left out.
pub(crate) fn shipped_matcher() -> TopicMatcher {
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
    let topic = file
        .topic
        .into_iter()
        .find(|t| t.name == "peace-talks")
        .expect("a peace-talks topic");
    TopicMatcher::compile(vec![rule(
        &topic.name,
        &topic.query,
        topic.exclude.as_deref(),
    )])
}

fn doc<'a>(title: &'a str, text: &'a str, language: Option<&'a str>) -> MatchDoc<'a> {
    MatchDoc {
        title,
        text,
        source: "Test Wire",
        tags: &[],
        language,
    }
}

/// Whether `query` (with an optional exclude) hits `d`.
fn hits(query: &str, exclude: Option<&str>, d: &MatchDoc) -> bool {
    let m = TopicMatcher::compile(vec![rule("t", query, exclude)]);
    !m.match_doc(d).is_empty()
}

/// (name, query, exclude, title, text, language, expected)
type Case = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    &'static str,
    Option<&'static str>,
    bool,
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    ("Cyrillic case", "ПЕРЕГОВОРЫ", None, "", "начались переговоры", Some("ru"), true),
    ("ё in query, е in text", "расчёт", None, "", "расчет", Some("ru"), true),
    ("е in query, ё in text", "расчет", None, "", "Расчёт", Some("ru"), true),
    ("Latin diacritics", "erdogan", None, "Erdoğan hosts talks", "", Some("en"), true),
    ("English stems", "negotiations", None, "", "negotiating a deal", Some("en"), true),
    ("Russian stems", "переговоры", None, "", "в переговорах", Some("ru"), true),
    ("Ukrainian stems", "перемовини", None, "", "у перемовинах", Some("uk"), true),
    ("Ukrainian, language guessed", "перемовини", None, "", "Україна готова до перемовин і", None, true),
    ("no stem match", "negotiations", None, "", "negation", Some("en"), false),
    ("prefix", "negotiat*", None, "", "the negotiators met", Some("en"), true),
    ("prefix is not stemmed", "negotiat*", None, "", "negotiable", Some("en"), false),
    ("Cyrillic prefix", "перемир*", None, "", "ПЕРЕМИРИЯ не будет", Some("ru"), true),
    // Snowball strips one ending, so "Песков"/"Пескова" stem apart:
    // names want a prefix.
    ("name by prefix", "Песков*", None, "Пескова спросили", "", Some("en"), true),
    ("Cyrillic word in English item", "переговоры", None, "", "the word переговорах", Some("en"), true),
    ("NEAR hit", "truce NEAR/3 violat*", None, "", "the truce was repeatedly violated", Some("en"), true),
    ("NEAR either order", "truce NEAR/3 violat*", None, "", "violations of the truce", Some("en"), true),
    ("NEAR miss by distance", "truce NEAR/3 violat*", None, "", "truce one two three four violated", Some("en"), false),
    ("NEAR not across fields", "truce NEAR/3 violat*", None, "truce", "violated", Some("en"), false),
    ("NEAR with phrase", "\"peace plan\" NEAR/2 trump", None, "", "Trump's new peace plan", Some("en"), true),
    ("phrase hit", "\"peace talks\"", None, "", "Peace talk resumed", Some("en"), true),
    ("phrase miss when apart", "\"peace talks\"", None, "", "peace and talks", Some("en"), false),
    ("phrase miss in wrong order", "\"peace talks\"", None, "", "talks peace", Some("en"), false),
    ("NOT", "truce NOT gaza", None, "", "truce in Gaza", Some("en"), false),
    ("NOT absent", "truce NOT gaza", None, "", "truce in Donbas", Some("en"), true),
    ("exclude", "truce", Some("football"), "", "a football truce", Some("en"), false),
    ("exclude absent", "truce", Some("football"), "", "an Easter truce", Some("en"), true),
    ("title: only in title", "title:truce", None, "", "truce", Some("en"), false),
    ("title: in title", "title:truce", None, "Truce holds", "", Some("en"), true),
    ("text: only in text", "text:truce", None, "Truce holds", "", Some("en"), false),
    ("source:", "source:wire truce", None, "", "truce", Some("en"), true),
    ("source: miss", "source:tass truce", None, "", "truce", Some("en"), false),
    ("implicit AND miss", "truce ukraine", None, "", "truce", Some("en"), false),
    ("implicit AND hit", "truce ukraine", None, "Ukraine", "truce", Some("en"), true),
    ("precedence: AND over OR", "a OR truce ukraine", None, "", "truce", Some("en"), false),
    ("precedence: OR branch", "a OR truce ukraine", None, "", "a", Some("en"), true),
    ("hyphenated", "3-day truce", None, "", "a 3-day truce", Some("en"), true),
    ("empty doc", "truce", None, "", "", None, false),
];

#[test]
fn table() {
    for (name, q, ex, title, text, lang, want) in CASES {
        let d = doc(title, text, *lang);
        assert_eq!(
            hits(q, *ex, &d),
            *want,
            "{name}: {q} on {title:?} / {text:?}"
        );
    }
}

#[test]
fn tags_match_exactly() {
    let tags = vec!["Ukraine".to_string(), "state-media".to_string()];
    let d = MatchDoc {
        title: "truce",
        text: "",
        source: "TASS",
        tags: &tags,
        language: Some("en"),
    };
    assert!(hits("tag:ukraine", None, &d));
    assert!(hits("tag:\"state media\"", None, &d));
    assert!(hits("tag:state-media truce", None, &d));
    assert!(hits("tag:ukr*", None, &d));
    assert!(!hits("tag:ukrainian", None, &d));
    assert!(!hits("tag:state", None, &d));
    assert!(!hits("tag:truce", None, &d));
    assert!(hits("source:tass", None, &d));
}

#[test]
fn hits_list_terms_in_query_order_with_scores() {
    let m = TopicMatcher::compile(vec![
        rule("a", "gaza", None),
        rule(
            "peace",
            "(\"peace talks\" OR ceasefire OR negotiat* OR NOT russia) ukrain* NOT gaza",
            None,
        )
        .clone(),
        rule("c", "(ceasefire OR truce) AND (ukraine OR russia)", None),
    ]);
    let d = doc(
        "Ceasefire talks: Ukraine",
        "peace talks and negotiators, Ukraine's ceasefire",
        Some("en"),
    );
    let got = m.match_doc(&d);
    assert_eq!(got.iter().map(|h| h.topic).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(
        got[0].terms,
        ["\"peace talks\"", "ceasefire", "negotiat*", "ukrain*"]
    );
    // "peace talks" text only (2 words × 1), ceasefire in title (2),
    // negotiat* text (1), ukrain* title (2).
    assert_eq!(got[0].score, 7.0);
    assert_eq!(got[1].terms, ["ceasefire", "ukraine"]);
    assert_eq!(m.rules()[got[1].topic].name, "c");
}

#[test]
fn failed_branches_do_not_list_terms() {
    let m = TopicMatcher::compile(vec![rule(
        "t",
        "(truce AND gaza) OR (ceasefire AND ukraine)",
        None,
    )]);
    let got = m.match_doc(&doc("", "truce ceasefire ukraine", Some("en")));
    assert_eq!(got[0].terms, ["ceasefire", "ukraine"]);
}

#[test]
fn many_rules_share_the_dictionary() {
    let rules: Vec<TopicRule> = (0..500)
        .map(|i| {
            rule(
                &format!("r{i}"),
                &format!("word{i} OR \"shared phrase\""),
                None,
            )
        })
        .collect();
    let m = TopicMatcher::compile(rules);
    assert_eq!(
        m.match_doc(&doc("", "word7 and word123", Some("en"))).len(),
        2
    );
    assert_eq!(
        m.match_doc(&doc("", "a shared phrase", Some("en"))).len(),
        500
    );
    assert!(m.match_doc(&doc("", "nothing here", Some("en"))).is_empty());
}

#[test]
fn hostile_documents_do_not_panic() {
    let m = TopicMatcher::compile(vec![rule("t", "\"a b\" NEAR/50 cab* OR tag:x", None)]);
    let long = "a b c ".repeat(10_000);
    let tags = vec![String::new(), "\u{200b}".into(), "x".into()];
    for text in [long.as_str(), "\u{0301}\u{0301}", "🙂🙂", "ё̈̈", ""] {
        let d = MatchDoc {
            title: text,
            text,
            source: text,
            tags: &tags,
            language: Some("zz"),
        };
        let _ = m.match_doc(&d);
    }
}

/// The shipped default topic, scored against hand-labelled TASS
/// headlines (`tests/fixtures/labels/tass-peace-talks.tsv`: our labels
/// of 892 headlines containing talks words plus 300 random others, by
/// URL; the headlines themselves are TASS's, read from the corpus data
/// set). The rule was tuned on the "tune" split only, "holdout" is every
/// fourth item.
#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn peace_talks_precision_recall_on_labelled_tass() {
    struct Label {
        t: String,
        label: bool,
        split: String,
    }
    #[derive(serde::Deserialize)]
    struct Headline {
        t: String,
        u: String,
    }
    let m = shipped_matcher();
    let dataset = crate::testutil::corpus().join("datasets/tass__english-headlines-2025.json");
    let headlines: Vec<Headline> = serde_json::from_str(
        &std::fs::read_to_string(&dataset).unwrap_or_else(|e| panic!("{}: {e}", dataset.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", dataset.display()));
    let title_of: std::collections::HashMap<&str, &str> = headlines
        .iter()
        .map(|h| (h.u.as_str(), h.t.as_str()))
        .collect();
    let tsv = std::fs::read_to_string(crate::testutil::fixture("labels/tass-peace-talks.tsv"))
        .expect("labels");
    let labels: Vec<Label> = tsv
        .lines()
        .skip(1)
        .map(|line| {
            let [url, label, split] = line.split('\t').collect::<Vec<_>>()[..] else {
                panic!("labels: bad line {line:?}");
            };
            let t = title_of
                .get(url)
                .unwrap_or_else(|| panic!("labels: {url} is not in {}", dataset.display()));
            let label = match label {
                "1" => true,
                "0" => false,
                _ => panic!("labels: label {label:?} is not 0 or 1"),
            };
            Label {
                t: (*t).to_owned(),
                label,
                split: split.to_owned(),
            }
        })
        .collect();
    assert_eq!(labels.len(), 1192, "labelled headlines");
    let verbose = std::env::var_os("PEACE_TALKS_ERRORS").is_some();
    let mut measured = Vec::new();
    for split in ["tune", "holdout", "all"] {
        let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
        for l in labels.iter().filter(|l| split == "all" || l.split == split) {
            let d = MatchDoc {
                title: &l.t,
                text: "",
                source: "TASS",
                tags: &[],
                language: Some("en"),
            };
            let hit = !m.match_doc(&d).is_empty();
            match (hit, l.label) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                (false, false) => {}
            }
            if verbose && split != "all" && hit != l.label {
                println!("{split} {} {}", if hit { "FP" } else { "FN" }, l.t);
            }
        }
        let precision = tp as f64 / (tp + fp).max(1) as f64;
        let recall = tp as f64 / (tp + fn_).max(1) as f64;
        println!(
            "peace-talks on TASS {split}: precision {precision:.3} recall {recall:.3} \
             (tp {tp}, fp {fp}, fn {fn_})"
        );
        measured.push((split, precision, recall));
    }
    for (split, precision, recall) in measured {
        let (p_floor, r_floor) = FLOORS
            .iter()
            .find(|f| f.0 == split)
            .map_or((0.0, 0.0), |f| (f.1, f.2));
        assert!(
            precision >= p_floor,
            "{split}: precision {precision:.3} < {p_floor}"
        );
        assert!(recall >= r_floor, "{split}: recall {recall:.3} < {r_floor}");
    }
}

/// Floors slightly below the measured values (see the test's output).
/// Measured: tune P 0.989 R 0.955; holdout P 0.966 R 0.935; all P 0.983
/// R 0.950.
const FLOORS: &[(&str, f64, f64)] = &[
    ("tune", 0.97, 0.93),
    ("holdout", 0.94, 0.91),
    ("all", 0.97, 0.93),
];

/// CPU time of this thread so far, in seconds (from `/proc/thread-self/stat`,
/// at the kernel's 100 ticks a second; 0 where it cannot be read): the
/// benchmark's figure on a shared machine, where wall time counts the
/// other processes' turns.
fn thread_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    // Fields after the command's closing parenthesis: state is the 3rd
    // field of the line, utime the 14th and stime the 15th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<f64> = rest
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|x| x.parse().ok())
        .collect();
    f.iter().sum::<f64>() / 100.0
}

/// Throughput with 1,000 topics over 100,000 synthetic items. Run with
/// `cargo test --release --lib bench_1000_topics -- --ignored --nocapture`.
#[test]
#[ignore = "benchmark; run in release mode"]
fn bench_1000_topics_100k_items() {
    // Words news about the war is made of, per language.
    const EN: &[&str] = &[
        "talks",
        "negotiations",
        "ceasefire",
        "truce",
        "peace",
        "plan",
        "prisoners",
        "exchange",
        "envoy",
        "summit",
        "kremlin",
        "ukraine",
        "russia",
        "sanctions",
        "oil",
        "gas",
        "drone",
        "attack",
        "region",
        "minister",
        "election",
        "court",
        "bank",
        "market",
        "energy",
        "grain",
        "export",
        "border",
        "security",
        "guarantees",
        "army",
        "troops",
        "frontline",
        "missile",
        "weather",
        "football",
        "health",
        "school",
    ];
    const RU: &[&str] = &[
        "переговоры",
        "перемирие",
        "мирный",
        "план",
        "обмен",
        "пленными",
        "посланник",
        "кремль",
        "украина",
        "россия",
        "санкции",
        "нефть",
        "газ",
        "беспилотник",
        "атака",
        "область",
        "министр",
        "выборы",
        "суд",
        "банк",
        "рынок",
        "энергетика",
        "граница",
    ];
    const UK: &[&str] = &[
        "перемовини",
        "перемир'я",
        "мирний",
        "обмін",
        "полоненими",
        "україна",
        "росія",
        "санкції",
        "нафта",
        "дрон",
        "атака",
        "область",
        "міністр",
        "вибори",
        "суд",
        "кордон",
    ];
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 16) as usize
        }
        fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
            v[self.next() % v.len()]
        }
    }
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    // A vocabulary the size of a news wire's: generated words in each
    // script, so that most words of an item hit no topic, as in life.
    let syllables = [
        [
            "ka", "ro", "mi", "ten", "sol", "var", "pu", "len", "dor", "ist",
        ],
        [
            "ка", "ро", "ми", "тен", "сол", "вар", "пу", "лен", "дор", "ист",
        ],
        [
            "ка", "ро", "мі", "тен", "сол", "вар", "пу", "лєн", "дор", "їст",
        ],
    ];
    let generated: Vec<Vec<String>> = syllables
        .iter()
        .map(|syl| {
            (0..30_000)
                .map(|n: usize| {
                    // Five syllables: 30,000 distinct words.
                    (0..5u32).map(|k| syl[(n / 10usize.pow(k)) % 10]).collect()
                })
                .collect()
        })
        .collect();
    let filler: Vec<&str> = generated.iter().flatten().map(String::as_str).collect();
    let news: Vec<&str> = EN.iter().chain(RU).chain(UK).copied().collect();
    // Rule shapes seen in real topic files: OR lists, phrases, prefixes,
    // NEAR, AND with a context list, NOT, field restrictions; terms from
    // the news lists and the wider vocabulary.
    let rules: Vec<TopicRule> = (0..1000)
        .map(|i| {
            let mut w = |news_share: usize| {
                if rng.next() % 100 < news_share {
                    rng.pick(&news)
                } else {
                    rng.pick(&filler)
                }
            };
            let (a, b, c, d, e) = (w(5), w(5), w(10), w(5), w(10));
            let q = match i % 5 {
                0 => format!("(\"{a} {b}\" OR {c} OR {d}* OR {e}) AND ({b} OR {c} OR {e})"),
                1 => format!("({a} NEAR/5 {b}) OR title:{c} OR \"{d} {e}\""),
                2 => format!("({a} OR {b} OR \"{c} {d}\") NOT {e}"),
                3 => format!("{a} OR ({b} AND {c} AND {d}) OR {e}*"),
                _ => format!("(\"{a} {b}\" NEAR/3 {c}) OR text:({d} OR {e})"),
            };
            TopicRule {
                name: format!("t{i}"),
                query: parse(&q).unwrap_or_else(|e| panic!("{q}: {e}")),
                exclude: (i % 7 == 0).then(|| parse("football OR weather").expect("exclude")),
            }
        })
        .collect();
    let started = std::time::Instant::now();
    let m = TopicMatcher::compile(rules);
    let compile = started.elapsed();
    let items: Vec<(String, String, &str)> = (0..100_000)
        .map(|i| {
            let (words, lang): (&[&str], &str) = match i % 3 {
                0 => (EN, "en"),
                1 => (RU, "ru"),
                _ => (UK, "uk"),
            };
            let own = &generated[i % 3];
            let mut text = String::new();
            for k in 0..60 {
                if k > 0 {
                    text.push(' ');
                }
                // 15% news words (some topic terms among them), the
                // rest the wider vocabulary of the item's script.
                let w = if rng.next() % 100 < 15 {
                    rng.pick(words)
                } else {
                    own[rng.next() % own.len()].as_str()
                };
                text.push_str(w);
            }
            let title: String = text.split(' ').take(8).collect::<Vec<_>>().join(" ");
            (title, text, lang)
        })
        .collect();
    let started = std::time::Instant::now();
    let cpu = thread_cpu();
    let mut hits = 0usize;
    for (title, text, lang) in &items {
        let d = MatchDoc {
            title,
            text,
            source: "Bench Wire",
            tags: &[],
            language: Some(lang),
        };
        hits += m.match_doc(&d).len();
    }
    let took = started.elapsed().as_secs_f64();
    let cpu = thread_cpu() - cpu;
    println!(
        "1000 topics (compiled in {compile:?}), {} items: {took:.2} s, {:.0} items/s, \
         {:.1} µs/item, {:.1} hits/item; CPU {cpu:.2} s, {:.1} µs/item",
        items.len(),
        items.len() as f64 / took,
        took * 1e6 / items.len() as f64,
        hits as f64 / items.len() as f64,
        cpu * 1e6 / items.len() as f64
    );
    assert!(hits > 0);

    let src = crate::detect::SourceContext {
        name: "Bench Wire",
        tags: &[],
        statement_speaker: None,
    };
    // The same through the detector without a model: its own pass over the
    // text (dateline, folding, word list) on top of the matcher's.
    let d = crate::detect::Detector::new(m.rules().to_vec(), Vec::new());
    let started = std::time::Instant::now();
    let cpu = thread_cpu();
    let mut plain_hits = 0usize;
    for (title, text, lang) in &items {
        plain_hits += d.match_topics(title, text, Some(lang), &src).len();
    }
    let took = started.elapsed().as_secs_f64();
    let cpu = thread_cpu() - cpu;
    println!(
        "the same through the detector, no model: {took:.2} s, {:.0} items/s, \
         {:.1} µs/item, {:.1} hits/item; CPU {cpu:.2} s, {:.1} µs/item",
        items.len() as f64 / took,
        took * 1e6 / items.len() as f64,
        plain_hits as f64 / items.len() as f64,
        cpu * 1e6 / items.len() as f64
    );
    assert!(plain_hits > 0);

    // With the shipped model on one topic: each item's wording features
    // once, the model's score for that topic.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/config/topics/peace-talks.model"
    ))
    .expect("shipped model");
    let model = crate::detect::relevance::Model::parse(&text).expect("model parses");
    let mut models = vec![None; m.rules().len()];
    models[0] = Some(std::sync::Arc::new(model));
    let d = crate::detect::Detector::new(m.rules().to_vec(), Vec::new()).with_models(models);
    let started = std::time::Instant::now();
    let cpu = thread_cpu();
    let mut hits = 0usize;
    for (title, text, lang) in &items {
        hits += d.match_topics(title, text, Some(lang), &src).len();
    }
    let took = started.elapsed().as_secs_f64();
    let cpu = thread_cpu() - cpu;
    println!(
        "the same with a model on one topic (detector): {took:.2} s, {:.0} items/s, \
         {:.1} µs/item, {:.1} hits/item; CPU {cpu:.2} s, {:.1} µs/item",
        items.len() as f64 / took,
        took * 1e6 / items.len() as f64,
        hits as f64 / items.len() as f64,
        cpu * 1e6 / items.len() as f64
    );
    assert!(hits > 0);
}
