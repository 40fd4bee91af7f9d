//! `topic train | evaluate | features | terms` and `feedback`: a topic's relevance
//! model trained from labelled items (a TSV file of URLs of stored items,
//! and the user's feedback), measured against labels, and its weights
//! shown; the topic's temporary context terms listed; feedback recorded
//! for the next poll.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::output::{cut, json_line, safe};
use super::{CliError, CliResult, Ctx, known_topic};
use crate::detect::relevance::{Evaluation, Example, Model, TrainOptions, parse_labels};
use crate::pipeline::{Detection, Learned};
use crate::store::{ItemText, Store, StoreError};

/// `topic …` actions.
#[derive(clap::Subcommand, Debug)]
pub enum TopicAction {
    /// Train the topic's model from labelled items and feedback; stored in the database (or --out FILE)
    Train {
        /// The topic
        topic: String,
        /// Labels: TSV `url<TAB>label` (1, 0 or borderline), one row per stored item
        #[arg(long, value_name = "FILE")]
        labels: Option<PathBuf>,
        /// Only labelled items published from this day (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Only labelled items published before this day (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        until: Option<String>,
        /// Write the model file here instead of storing it in the database
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Precision, recall and the errors of the topic's decisions against labels
    Evaluate {
        /// The topic
        topic: String,
        /// Labels: TSV `url<TAB>label` (1, 0 or borderline)
        #[arg(long, value_name = "FILE")]
        labels: PathBuf,
        /// Only labelled items published from this day (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        from: Option<String>,
        /// Only labelled items published before this day (YYYY-MM-DD)
        #[arg(long, value_name = "DAY")]
        until: Option<String>,
        /// Errors listed at most
        #[arg(long, value_name = "N", default_value_t = 30)]
        errors: usize,
    },
    /// The topic model's largest weights, for and against
    Features {
        /// The topic
        topic: String,
        /// How many of each
        #[arg(long, value_name = "N", default_value_t = 20)]
        limit: usize,
    },
    /// The topic's context terms: people and places its strong matches kept naming in recent days
    Terms {
        /// The topic
        topic: String,
        /// The terms as they stood at this time (RFC 3339 or 20260504T194655Z) [default: now]
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
}

pub fn topic(ctx: &Ctx, action: TopicAction) -> CliResult {
    match action {
        TopicAction::Train {
            topic,
            labels,
            from,
            until,
            out,
        } => train(
            ctx,
            &topic,
            labels.as_deref(),
            (from, until),
            out.as_deref(),
        ),
        TopicAction::Evaluate {
            topic,
            labels,
            from,
            until,
            errors,
        } => evaluate(ctx, &topic, &labels, (from, until), errors),
        TopicAction::Features { topic, limit } => features(ctx, &topic, limit),
        TopicAction::Terms { topic, at } => terms(ctx, &topic, at.as_deref()),
    }
}

/// A `YYYY-MM-DD` day, checked.
fn day(flag: &str, s: &Option<String>) -> Result<Option<String>, CliError> {
    match s {
        None => Ok(None),
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| Some(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| {
                CliError::usage(anyhow::anyhow!("--{flag} {s}: not a day (use YYYY-MM-DD)"))
            }),
    }
}

/// The stored items a labels file names, with their labels (borderline
/// rows left out), within the published days given.
fn labelled_items(
    store: &Store,
    file: &Path,
    (from, until): &(Option<String>, Option<String>),
) -> Result<(Vec<(ItemText, bool)>, usize), CliError> {
    let (from, until) = (day("from", from)?, day("until", until)?);
    let text = std::fs::read_to_string(file)
        .map_err(|e| CliError::usage(anyhow::anyhow!("{}: {e}", file.display())))?;
    let labels = parse_labels(&text)
        .map_err(|e| CliError::usage(anyhow::anyhow!("{}: {e}", file.display())))?;
    let by_url: HashMap<String, bool> = labels
        .into_iter()
        .filter_map(|l| Some((l.url, l.relevant?)))
        .collect();
    let epoch = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
    let mut found = Vec::new();
    for it in store.item_texts(epoch, usize::MAX >> 1)? {
        let Some(&relevant) = it.item.url.as_ref().and_then(|u| by_url.get(u)) else {
            continue;
        };
        let published = it.item.published.get(..10).unwrap_or("");
        if from.as_deref().is_some_and(|f| published < f)
            || until.as_deref().is_some_and(|u| published >= u)
        {
            continue;
        }
        found.push((it, relevant));
    }
    // Oldest first: training order is part of what makes a model the same.
    found.sort_by(|a, b| {
        (&a.0.item.published, a.0.item.id).cmp(&(&b.0.item.published, b.0.item.id))
    });
    let missing = by_url.len().saturating_sub(found.len());
    Ok((found, missing))
}

fn topic_index(ctx: &Ctx, topic: &str) -> Result<(usize, String), CliError> {
    let name = known_topic(ctx, topic)?;
    let i = ctx
        .config
        .topics
        .iter()
        .position(|t| t.name == name)
        .unwrap_or_default();
    Ok((i, name))
}

fn train(
    ctx: &Ctx,
    topic: &str,
    labels: Option<&Path>,
    days: (Option<String>, Option<String>),
    out: Option<&Path>,
) -> CliResult {
    let (i, name) = topic_index(ctx, topic)?;
    let store = ctx.open_store()?;
    let detection = Detection::new(&ctx.config);
    let detector = detection.detector();
    let start = std::time::Instant::now();
    let mut examples = Vec::new();
    let mut missing = 0;
    if let Some(file) = labels {
        let (items, m) = labelled_items(&store, file, &days)?;
        missing = m;
        for (it, relevant) in items {
            examples.push(Example {
                features: detector.topic_features(
                    i,
                    &it.item.title,
                    &it.text,
                    it.item.language.as_deref(),
                ),
                relevant,
                weight: 1.0,
            });
        }
    }
    let feedback = store.feedback(Some(&name))?;
    for f in &feedback {
        examples.push(Example {
            features: detector.topic_features(i, &f.title, &f.text, f.language.as_deref()),
            relevant: f.relevant,
            weight: 1.0,
        });
    }
    let positives = examples.iter().filter(|e| e.relevant).count();
    if positives == 0 || positives == examples.len() {
        return Err(CliError::usage(anyhow::anyhow!(
            "topic {name}: {} labelled items, {positives} relevant: training needs relevant and irrelevant ones \
             (give --labels FILE, or record feedback with `newswatch feedback ITEM relevant|irrelevant`)",
            examples.len()
        )));
    }
    let model = Model::train(&examples, TrainOptions::default());
    let took = start.elapsed();
    let header = format!(
        "relevance model of topic {name}: logistic regression over the title's stemmed words (t:) and word pairs (tt:),\n\
         the lead's words (l:), the query's signal (q:) and the title's length (f:); title frames (x:) are not\n\
         weighed: one in which no labelled item the query missed is relevant is a veto (veto-unmatched).\n\
         Trained by `newswatch topic train` on {} labelled items ({positives} relevant){}.",
        examples.len(),
        if feedback.is_empty() {
            String::new()
        } else {
            format!(", {} of them feedback", feedback.len())
        }
    );
    let text = model.to_text(&header);
    match out {
        Some(path) => std::fs::write(path, &text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => store.save_topic_model(&name, &text, examples.len(), ctx.now())?,
    }
    let whither = match out {
        Some(p) => format!("written to {}", p.display()),
        None => "stored in the database; the next poll uses it".to_owned(),
    };
    if ctx.json {
        json_line(&serde_json::json!({
            "topic": name, "examples": examples.len(), "relevant": positives,
            "feedback": feedback.len(), "labels_not_stored": missing,
            "weights": model.weights.len(), "threshold": model.threshold,
            "threshold_unmatched": model.threshold_unmatched, "vetoes": model.vetoes,
            "seconds": took.as_secs_f64(), "out": out.map(|p| p.display().to_string()),
        }))?;
    } else {
        outln!(
            "topic {}: trained on {} labelled items ({positives} relevant, {} feedback) in {:.2} s: {} weights, {}; {whither}",
            safe(&name),
            examples.len(),
            feedback.len(),
            took.as_secs_f64(),
            model.weights.len(),
            thresholds(&model)
        );
        if !model.vetoes.is_empty() {
            outln!(
                "  vetoed frames (no relevant item the query missed among the labels): {}",
                safe(&model.vetoes.join(", "))
            );
        }
        if missing > 0 {
            outln!(
                "  {missing} labelled URLs are not stored items (or outside --from/--until): left out"
            );
        }
    }
    Ok(0)
}

fn evaluate(
    ctx: &Ctx,
    topic: &str,
    labels: &Path,
    days: (Option<String>, Option<String>),
    max_errors: usize,
) -> CliResult {
    let (i, name) = topic_index(ctx, topic)?;
    let store = ctx.open_reader()?;
    let detection = Detection::learned(&ctx.config, &Learned::read(Some(&store))?);
    let detector = detection.detector();
    let (items, missing) = labelled_items(&store, labels, &days)?;
    if items.is_empty() {
        return Err(CliError::usage(anyhow::anyhow!(
            "{}: none of its labelled URLs is a stored item{}",
            labels.display(),
            if days.0.is_some() || days.1.is_some() {
                " in those days"
            } else {
                ""
            }
        )));
    }
    let mut eval = Evaluation::default();
    let mut errors = Vec::new();
    for (it, relevant) in &items {
        let src = crate::detect::SourceContext {
            name: &it.item.source,
            tags: &[],
            statement_speaker: None,
        };
        let (hit, scored) = detector.explain(
            i,
            &it.item.title,
            &it.text,
            it.item.language.as_deref(),
            &src,
        );
        let (predicted, p) = match &scored {
            Some(s) => (s.relevant, s.probability),
            None => (hit.is_some(), if hit.is_some() { 1.0 } else { 0.0 }),
        };
        eval.add(predicted, *relevant);
        if predicted != *relevant {
            errors.push((*relevant, p, it.item.id, it.item.title.clone()));
        }
    }
    if ctx.json {
        json_line(&serde_json::json!({
            "topic": name, "items": items.len(), "precision": eval.precision(), "recall": eval.recall(),
            "tp": eval.tp, "fp": eval.fp, "fn": eval.fn_, "labels_not_stored": missing,
            "errors": errors.iter().take(max_errors).map(|(r, p, id, t)| serde_json::json!({
                "kind": if *r { "missed" } else { "wrongly taken" }, "probability": p, "item_id": id, "title": t,
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(0);
    }
    outln!(
        "topic {}: {} labelled items: precision {:.3} recall {:.3} (tp {} fp {} fn {})",
        safe(&name),
        items.len(),
        eval.precision(),
        eval.recall(),
        eval.tp,
        eval.fp,
        eval.fn_
    );
    if missing > 0 {
        outln!(
            "  {missing} labelled URLs are not stored items (or outside --from/--until): left out"
        );
    }
    // Closest to the threshold last: the errors most worth a look first.
    errors.sort_by(|a, b| {
        (a.0, b.1)
            .partial_cmp(&(b.0, a.1))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for (relevant, p, id, title) in errors.iter().take(max_errors) {
        outln!(
            "  {:<13} p {:.2}  {:>6}  {}",
            if *relevant { "missed" } else { "wrongly taken" },
            p,
            id,
            cut(&safe(title), 90)
        );
    }
    if errors.len() > max_errors {
        outln!("  … {} more (--errors N)", errors.len() - max_errors);
    }
    Ok(0)
}

/// A model's two thresholds as `train` and `features` print them.
fn thresholds(model: &Model) -> String {
    format!(
        "threshold {:.2} (query hit) / {:.2} (no hit)",
        model.threshold, model.threshold_unmatched
    )
}

fn features(ctx: &Ctx, topic: &str, limit: usize) -> CliResult {
    let (i, name) = topic_index(ctx, topic)?;
    let learned = match Store::open_reader(&ctx.db, true) {
        Ok(Some(store)) => Learned::read(Some(&store))?,
        Ok(None) => Learned::default(),
        Err(StoreError::NotFound(_)) => Learned::default(),
        Err(e) => return Err(e.into()),
    };
    let detection = Detection::learned(&ctx.config, &learned);
    let Some(model) = detection.detector().model(i) else {
        return Err(CliError::usage(anyhow::anyhow!(
            "topic {name} has no model: its query alone decides (add `model = …` to the topic, or `newswatch topic train {name}`)"
        )));
    };
    let (pos, neg) = model.top_features(limit);
    if ctx.json {
        json_line(&serde_json::json!({
            "topic": name, "bias": model.bias, "threshold": model.threshold,
            "threshold_unmatched": model.threshold_unmatched, "vetoes": model.vetoes,
            "for": pos.iter().map(|(f, w)| serde_json::json!({"feature": f, "weight": w})).collect::<Vec<_>>(),
            "against": neg.iter().map(|(f, w)| serde_json::json!({"feature": f, "weight": w})).collect::<Vec<_>>(),
        }))?;
        return Ok(0);
    }
    outln!(
        "topic {}: {} weights, bias {:.2}, {} (t: title word, tt: title word pair, l: lead word, g: word class, q: the query's signal)",
        safe(&name),
        model.weights.len(),
        model.bias,
        thresholds(model)
    );
    if !model.vetoes.is_empty() {
        outln!(
            "vetoed frames (an item the query does not hit is not relevant in them; x: frame): {}",
            safe(&model.vetoes.join(", "))
        );
    }
    outln!("for:");
    for (f, w) in &pos {
        outln!("  {w:+7.3}  {}", safe(f));
    }
    outln!("against:");
    for (f, w) in &neg {
        outln!("  {w:+7.3}  {}", safe(f));
    }
    Ok(0)
}

/// `topic terms T [--at TIME]`: the context terms alive now (or at TIME):
/// seen with a strong match within the expiry, often enough. Terms seen
/// after TIME are not taken back out: `--at` looks at a past the database
/// still holds, not at a replay.
fn terms(ctx: &Ctx, topic: &str, at: Option<&str>) -> CliResult {
    use crate::detect::relevance::context::{EXPIRY_DAYS, MIN_COUNT};
    let name = known_topic(ctx, topic)?;
    let now = match at {
        None => ctx.now(),
        Some(s) => super::parse_time(s).ok_or_else(|| {
            CliError::usage(anyhow::anyhow!(
                "--at {s}: not a time (use RFC 3339, e.g. 2026-05-04T19:46:55Z, or 20260504T194655Z)"
            ))
        })?,
    };
    let since = now - chrono::Duration::days(EXPIRY_DAYS);
    let rows = match Store::open_reader(&ctx.db, true) {
        Ok(Some(store)) => store.context_terms(&name, since, MIN_COUNT)?,
        Ok(None) | Err(StoreError::NotFound(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    if ctx.json {
        for r in &rows {
            json_line(&serde_json::json!({
                "topic": r.topic, "term": r.term, "count": r.count,
                "first_seen": r.first_seen, "last_seen": r.last_seen,
                "expires": crate::store::parse_ts(&r.last_seen)
                    .map(|t| crate::store::ts(t + chrono::Duration::days(EXPIRY_DAYS))),
            }))?;
        }
        return Ok(0);
    }
    outln!(
        "topic {}: {} context terms (people and places in at least {MIN_COUNT} of its strong matches, the last within {EXPIRY_DAYS} days)",
        safe(&name),
        rows.len()
    );
    for r in &rows {
        outln!(
            "  {:<24} {:>4} matches  first {}  last {}",
            cut(&safe(&r.term), 24),
            r.count,
            r.first_seen,
            r.last_seen
        );
    }
    Ok(0)
}

/// `feedback ITEM relevant|irrelevant [--topic T]`.
pub fn feedback(ctx: &Ctx, item: &str, verdict: &str, topic: Option<&str>) -> CliResult {
    let relevant = match verdict.to_lowercase().as_str() {
        "relevant" | "yes" | "1" => true,
        "irrelevant" | "not-relevant" | "no" | "0" => false,
        other => {
            return Err(CliError::usage(anyhow::anyhow!(
                "{other:?}: say `relevant` or `irrelevant`"
            )));
        }
    };
    let store = ctx.open_store()?;
    let (row, _) = store.item_with_versions(item).map_err(|e| match e {
        StoreError::NotFound(_) => CliError::usage(e),
        e => e.into(),
    })?;
    let topics: Vec<String> = match topic {
        Some(t) => vec![known_topic(ctx, t)?],
        None if ctx.config.topics.len() == 1 => vec![ctx.config.topics[0].name.clone()],
        None if !row.topics.is_empty() => row.topics.clone(),
        None => {
            return Err(CliError::usage(anyhow::anyhow!(
                "item {} matches no topic: say which with --topic",
                row.id
            )));
        }
    };
    for t in &topics {
        store.record_feedback(row.id, t, relevant, ctx.now())?;
    }
    if ctx.json {
        json_line(&serde_json::json!({
            "item_id": row.id, "topics": topics, "relevant": relevant,
        }))?;
    } else {
        outln!(
            "item {}: {} for {}; the next poll decides with it",
            row.id,
            if relevant { "relevant" } else { "irrelevant" },
            safe(&topics.join(", "))
        );
    }
    Ok(0)
}
