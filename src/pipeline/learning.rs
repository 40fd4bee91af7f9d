//! Learning from the user (the stage that builds a poll's detection): each
//! topic's deciding model is the one `topic train` stored, else the one
//! the configuration names; the user's feedback then adjusts it
//! (`Model::fine_tune`) and is remembered, so an item worded like a
//! corrected one is decided as the user said. Read once per poll (and per
//! command), so feedback given between polls counts at the next one.

use std::sync::Arc;

use crate::config::Config;
use crate::detect::Detector;
use crate::detect::relevance::{Example, Model};
use crate::store::{FeedbackRow, Store, StoredModel};

/// What the store holds for learning.
#[derive(Debug, Default)]
pub struct Learned {
    pub models: Vec<StoredModel>,
    pub feedback: Vec<FeedbackRow>,
}

impl Learned {
    /// Read it (empty when the database does not exist yet).
    pub fn read(store: Option<&Store>) -> crate::store::Result<Learned> {
        let Some(store) = store else {
            return Ok(Learned::default());
        };
        Ok(Learned {
            models: store.topic_models()?,
            feedback: store.feedback(None)?,
        })
    }

    /// Read it from the configured database, read-only; a database that
    /// cannot be read gives nothing learned (logged), never a failed poll.
    pub fn read_config_db(config: &Config) -> Learned {
        let read = Store::open_reader(&config.daemon.database, false)
            .and_then(|s| Learned::read(s.as_ref()));
        read.unwrap_or_else(|e| {
            tracing::warn!(error = %e, "feedback and trained models not read; configured models used");
            Learned::default()
        })
    }
}

/// The model deciding each topic of `config` (rule order), `detector`
/// being the configuration's detector without models (for the features of
/// labelled items).
pub fn topic_models(
    config: &Config,
    detector: &Detector,
    learned: &Learned,
) -> Vec<Option<Arc<Model>>> {
    config
        .topics
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let stored = learned
                .models
                .iter()
                .find(|m| m.topic == t.name)
                .and_then(|m| match Model::parse(&m.model) {
                    Ok(model) => Some(model),
                    Err(e) => {
                        tracing::warn!(topic = %t.name, error = %e, "stored model unreadable; configured one used");
                        None
                    }
                });
            let base = stored.or_else(|| t.model.as_deref().cloned().map(Model::from));
            let labels: Vec<&FeedbackRow> =
                learned.feedback.iter().filter(|f| f.topic == t.name).collect();
            if labels.is_empty() {
                return base.map(Arc::new);
            }
            let mut model = base.unwrap_or_else(Model::query_prior);
            let examples: Vec<(i64, Example)> = labels
                .iter()
                .map(|f| {
                    let features = detector.topic_features(i, &f.title, &f.text, f.language.as_deref());
                    (
                        f.item_id,
                        Example {
                            features,
                            relevant: f.relevant,
                            weight: 1.0,
                        },
                    )
                })
                .collect();
            let plain: Vec<Example> = examples.iter().map(|(_, e)| e.clone()).collect();
            model = model.fine_tune(&plain);
            for (id, e) in &examples {
                model.remember(*id, &e.features, e.relevant);
            }
            Some(Arc::new(model))
        })
        .collect()
}
