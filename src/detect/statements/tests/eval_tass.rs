//! Evaluation over the labelled TASS 2025 statements (corpus-gated): the
//! headlines in time order through topic matching, quote extraction and the
//! shift rule, as the commit stage runs them, scored against
//! `labels/statements-tass-2025.tsv` (STATEMENTS.md). Prints the figures;
//! asserts only floors a regression would break. `STATEMENTS_ERRORS=1`
//! prints the misses.

use std::collections::HashMap;

use crate::detect::query::parse;
use chrono::{DateTime, NaiveDate, Utc};

use crate::detect::statements::{
    PastStance, Speaker, SpeakerSet, extract_quotes, position, statement_shift,
};
use crate::detect::topics::TopicRule;
use crate::detect::{Detector, SourceContext};

#[derive(serde::Deserialize)]
struct ConfigFile {
    topic: Vec<ConfigTopic>,
    speaker: Vec<ConfigSpeaker>,
}
#[derive(serde::Deserialize)]
struct ConfigTopic {
    name: String,
    query: String,
    exclude: Option<String>,
    /// `builtin:NAME` or a file, as the binary reads it.
    model: Option<String>,
}
#[derive(serde::Deserialize)]
struct ConfigSpeaker {
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
}
use crate::testutil::TassHeadline as Headline;

struct Label {
    /// The headline's day (YYYY-MM-DD).
    date: String,
    speaker: String,
    issue: String,
    shift: bool,
}

/// One statement as the commit stage would store it.
struct Stored {
    speaker: usize,
    topic: String,
    past: PastStance,
}

/// The figures the harness prints.
#[derive(Debug, Default)]
pub(super) struct Figures {
    pub labeled: usize,
    pub found: usize,
    pub speaker_right: usize,
    pub issue_right: usize,
    /// Issue right among found labeled statements from December (held out
    /// while tuning the issue terms on June–November): (right, found).
    pub issue_right_holdout: (usize, usize),
    pub statements: usize,
    pub shifts: usize,
    pub labeled_shifts: usize,
    pub labeled_shifts_found: usize,
    pub shifts_on_labeled: usize,
    pub shifts_precise: usize,
    /// The shift figures of June–November (the part the rules were tuned
    /// on) and of December (held out from the issue terms): [`PERIODS`].
    pub periods: [Period; 2],
}

/// The names of [`Figures::periods`].
pub(super) const PERIODS: [&str; 2] = ["Jun–Nov", "December"];

/// The statement and shift figures of one part of the year.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Period {
    pub labeled: usize,
    pub found: usize,
    pub statements: usize,
    pub shifts: usize,
    pub labeled_shifts: usize,
    pub labeled_shifts_found: usize,
    pub shifts_on_labeled: usize,
    pub shifts_precise: usize,
}

/// The index in [`Figures::periods`] of a day (YYYY-MM-DD).
fn period_of(day: &str) -> usize {
    usize::from(day >= HOLDOUT_FROM)
}

fn load() -> (Vec<Headline>, HashMap<String, Label>, Detector, SpeakerSet) {
    let root = env!("CARGO_MANIFEST_DIR");
    let config_path = std::path::PathBuf::from(format!("{root}/config/topics/peace-talks.toml"));
    let cfg: ConfigFile = toml::from_str(
        &std::fs::read_to_string(&config_path).expect("config/topics/peace-talks.toml"),
    )
    .expect("peace-talks.toml parses");
    // Each topic decided as the binary decides it: by its model when it
    // names one, else by its query alone.
    let models = cfg
        .topic
        .iter()
        .map(|t| {
            t.model.as_deref().map(|m| {
                let file = crate::config::topic_model::load(m, &config_path).expect("topic model");
                std::sync::Arc::new(crate::detect::relevance::Model::from((*file).clone()))
            })
        })
        .collect();
    let rules = cfg
        .topic
        .iter()
        .map(|t| TopicRule {
            name: t.name.clone(),
            query: parse(&t.query).expect("query"),
            exclude: t.exclude.as_ref().map(|q| parse(q).expect("exclude")),
        })
        .collect();
    let speaker_list: Vec<Speaker> = cfg
        .speaker
        .iter()
        .map(|s| Speaker {
            name: s.name.clone(),
            aliases: s.aliases.clone(),
        })
        .collect();
    let speakers = SpeakerSet::new(speaker_list.clone());
    let corpus = crate::testutil::corpus();
    let dataset = corpus.join("datasets/tass__english-headlines-2025.json");
    let mut heads: Vec<Headline> =
        serde_json::from_str(&std::fs::read_to_string(&dataset).expect("dataset"))
            .expect("dataset parses");
    // TASS ids grow with time (as the shared check orders them).
    let id = |u: &str| -> u64 {
        u.trim_end_matches('/')
            .rsplit('/')
            .next()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    heads.sort_by_key(|h| (h.d.clone(), id(&h.u)));
    let tsv =
        std::fs::read_to_string(corpus.join("labels/statements-tass-2025.tsv")).expect("labels");
    let labels = tsv
        .lines()
        .skip(1)
        .filter_map(|l| {
            let p: Vec<&str> = l.split('\t').collect();
            (p.len() >= 7).then(|| {
                (
                    p[0].to_string(),
                    Label {
                        date: p[1].to_string(),
                        speaker: p[2].to_string(),
                        issue: p[3].to_string(),
                        shift: p[5] == "1",
                    },
                )
            })
        })
        .collect();
    let detector = Detector::new(rules, speaker_list).with_models(models);
    (heads, labels, detector, speakers)
}

/// The label names a speaker by surname, as written in English ("Orban"
/// for "Viktor Orbán").
fn speaker_is(configured: &str, labeled: &str) -> bool {
    let fold = crate::text::fold;
    let strip = |s: &str| -> String {
        fold(s)
            .chars()
            .map(|c| match c {
                'á' => 'a',
                'ó' => 'o',
                'ğ' => 'g',
                c => c,
            })
            .collect()
    };
    strip(configured).ends_with(&strip(labeled))
}

/// The first day of the held-out part (December 2025).
const HOLDOUT_FROM: &str = "2025-12-01";

/// A headline's time: its day at 06:00 UTC, a second per item after.
fn at_of(day: &str, seq: i64) -> DateTime<Utc> {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("dataset date");
    d.and_hms_opt(6, 0, 0).expect("06:00").and_utc() + chrono::Duration::seconds(seq % 36000)
}

/// Runs the set; `verbose` prints misses.
pub(super) fn run(verbose: bool) -> Figures {
    let (heads, labels, topics, speakers) = load();
    let names: Vec<String> = speakers.speakers().iter().map(|s| s.name.clone()).collect();
    let mut f = Figures {
        labeled: labels.len(),
        labeled_shifts: labels.values().filter(|l| l.shift).count(),
        ..Figures::default()
    };
    for l in labels.values() {
        let p = &mut f.periods[period_of(&l.date)];
        p.labeled += 1;
        p.labeled_shifts += l.shift as usize;
    }
    let mut history: Vec<Stored> = Vec::new();
    // STATEMENTS_DUMP=file: every stored statement with its position, for
    // studying the shift rule.
    let mut dump = std::env::var_os("STATEMENTS_DUMP")
        .and_then(|p| std::fs::File::create(p).ok())
        .map(std::io::BufWriter::new);
    for (seq, h) in heads.iter().enumerate() {
        let src = SourceContext {
            name: "tass",
            tags: &[],
            statement_speaker: None,
        };
        let matched: Vec<String> = topics
            .match_topics(&h.t, &h.s, Some("en"), &src)
            .into_iter()
            .map(|m| m.topic)
            .collect();
        let quotes = extract_quotes(&h.t, &h.s, &speakers);
        let label = labels.get(&h.u);
        let mut shifted = false;
        // One shift per speaker, topic and issue in an item, as the commit stage.
        let mut moved: Vec<(usize, String, crate::detect::statements::Issue)> = Vec::new();
        let mut stored_any = false;
        let mut issue_right = false;
        // Times as the shared check gives them: the day, in feed order.
        let at = at_of(&h.d, seq as i64);
        let period = period_of(&h.d);
        for (n, q) in quotes.iter().enumerate() {
            let pos = position(&q.text, &q.context);
            if n == 0
                && let Some(l) = label
            {
                issue_right = pos.issue.as_str() == l.issue;
                if !issue_right && verbose {
                    println!(
                        "ISSUE\t{}\t{}\t{}\t{}",
                        l.issue,
                        pos.issue.as_str(),
                        pos.object,
                        h.t
                    );
                }
            }
            let topic_names: Vec<String> = if matched.is_empty() {
                vec![String::new()]
            } else {
                matched.clone()
            };
            for topic in topic_names {
                let earlier: Vec<PastStance> = if topic.is_empty() {
                    Vec::new()
                } else {
                    history
                        .iter()
                        .filter(|s| s.speaker == q.speaker && s.topic == topic)
                        .map(|s| s.past.clone())
                        .collect()
                };
                f.statements += 1;
                f.periods[period].statements += 1;
                stored_any = true;
                if let Some(d) = dump.as_mut() {
                    use std::io::Write;
                    let _ = writeln!(
                        d,
                        "{}\t{seq}\t{}\t{topic}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        h.d,
                        names[q.speaker],
                        pos.issue.as_str(),
                        pos.stance.as_str(),
                        pos.cue,
                        pos.object,
                        label.map_or("-", |l| if l.shift { "1" } else { "0" }),
                        label.map_or("-", |l| l.issue.as_str()),
                        h.t.replace('\t', " "),
                        q.text.replace('\t', " ")
                    );
                }
                let now = PastStance {
                    issue: pos.issue,
                    aspect: pos.aspect,
                    stance: pos.stance,
                    at,
                };
                let key = (q.speaker, topic.clone(), pos.issue);
                if !topic.is_empty()
                    && !moved.contains(&key)
                    && let Some(r) = statement_shift(&pos, at, &earlier)
                {
                    moved.push(key);
                    f.shifts += 1;
                    f.periods[period].shifts += 1;
                    shifted = true;
                    if verbose {
                        let l = label.map_or("-", |l| if l.shift { "1" } else { "0" });
                        println!(
                            "SHIFT\t{l}\t{}\t{}\t{}->{}\t{}",
                            h.d,
                            pos.issue.as_str(),
                            earlier[r].stance.as_str(),
                            pos.stance.as_str(),
                            h.t
                        );
                    }
                }
                history.push(Stored {
                    speaker: q.speaker,
                    topic,
                    past: now,
                });
            }
        }
        if let Some(l) = label {
            let p = &mut f.periods[period];
            p.found += stored_any as usize;
            p.shifts_on_labeled += shifted as usize;
            p.shifts_precise += (shifted && l.shift) as usize;
            p.labeled_shifts_found += (shifted && l.shift) as usize;
            if stored_any {
                f.found += 1;
                let who = &names[quotes[0].speaker];
                if speaker_is(who, &l.speaker) {
                    f.speaker_right += 1;
                } else if verbose {
                    println!("SPEAKER\t{}\t{who}\t{}", l.speaker, h.t);
                }
            } else if verbose {
                println!("MISS\t{}\t{}", l.speaker, h.t);
            }
            if shifted {
                f.shifts_on_labeled += 1;
                f.shifts_precise += l.shift as usize;
            }
            if l.shift && shifted {
                f.labeled_shifts_found += 1;
            }
            f.issue_right += (stored_any && issue_right) as usize;
            if stored_any && h.d.as_str() >= HOLDOUT_FROM {
                f.issue_right_holdout.0 += issue_right as usize;
                f.issue_right_holdout.1 += 1;
            }
            if l.shift && !shifted && verbose {
                let p = quotes.first().map(|q| position(&q.text, &q.context));
                println!(
                    "MISSED-SHIFT\t{}\t{:?}\t{}",
                    h.d,
                    p.map(|p| (p.issue, p.stance)),
                    h.t
                );
            }
        }
    }
    f
}

#[test]
#[cfg_attr(
    not(corpus),
    ignore = "needs the shared corpus: set NEWSWATCH_CORPUS (see docs/development/testing.md)"
)]
fn statements_and_shifts_on_labelled_tass() {
    let f = run(std::env::var_os("STATEMENTS_ERRORS").is_some());
    println!(
        "TASS 2025 statements: labeled found {}/{} (speaker right {}, issue right {}, \
         December {}/{}); \
         shifts reported {} ({:.1} per 100 statements); labeled shifts found {}/{}; \
         reported shifts on labeled statements that are shifts {}/{}",
        f.found,
        f.labeled,
        f.speaker_right,
        f.issue_right,
        f.issue_right_holdout.0,
        f.issue_right_holdout.1,
        f.shifts,
        100.0 * f.shifts as f64 / f.statements.max(1) as f64,
        f.labeled_shifts_found,
        f.labeled_shifts,
        f.shifts_precise,
        f.shifts_on_labeled
    );
    for (name, p) in PERIODS.iter().zip(&f.periods) {
        println!(
            "  {name}: labeled found {}/{}; shifts reported {} ({:.1} per 100 of {} statements); \
             labeled shifts found {}/{}; reported shifts on labeled statements that are shifts {}/{}",
            p.found,
            p.labeled,
            p.shifts,
            100.0 * p.shifts as f64 / p.statements.max(1) as f64,
            p.statements,
            p.labeled_shifts_found,
            p.labeled_shifts,
            p.shifts_precise,
            p.shifts_on_labeled
        );
    }
    // The periods partition the year.
    assert_eq!(f.periods.iter().map(|p| p.shifts).sum::<usize>(), f.shifts);
    assert_eq!(
        f.periods.iter().map(|p| p.labeled_shifts).sum::<usize>(),
        f.labeled_shifts
    );
    // Floors at the issue's targets, which the shipped rules meet on this
    // (tuning) set: a change that loses one fails here.
    assert!(
        10 * f.found >= 9 * f.labeled,
        "found {}/{}",
        f.found,
        f.labeled
    );
    assert!(
        f.shifts * 100 <= 6 * f.statements,
        "{} shifts in {} statements",
        f.shifts,
        f.statements
    );
    assert!(
        4 * f.labeled_shifts_found >= 3 * f.labeled_shifts,
        "labelled shifts found {}/{}",
        f.labeled_shifts_found,
        f.labeled_shifts
    );
    assert!(
        2 * f.shifts_precise >= f.shifts_on_labeled,
        "reported shifts that are labelled shifts {}/{}",
        f.shifts_precise,
        f.shifts_on_labeled
    );
}
