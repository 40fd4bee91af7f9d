//! A model's weights by the hash of their names, so that scoring an item
//! builds no string per feature: the features go to an [`IdSink`] as the
//! parts of their names, hashed as they come (FNV-1a over the bytes, so the
//! parts hash as their concatenation would), and only those with a weight
//! are kept, as the rank of their name among the model's names. Summed in
//! that order (the order of the sorted names), the score is the one
//! [`Model::score`] gives from the names, to the last bit.

use foldhash::HashMap as FastMap;

use super::features::FeatureSink;
use super::model::{Model, sigmoid};

/// The feature of an item the topic's query hits.
const QUERY_MATCH: &str = "q:match";

/// FNV-1a (64 bits) of the parts one after the other.
pub fn feature_hash(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for &b in p.as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// A model's weights by feature hash: each weight's rank among the sorted
/// names, and the weights in that order.
#[derive(Debug)]
pub struct ModelIndex {
    ids: FastMap<u64, u32>,
    weights: Vec<f64>,
    /// The hashes of the model's vetoed frames.
    vetoes: Vec<u64>,
}

impl ModelIndex {
    /// The index of a model's weights; `None` when two names share a hash
    /// or the model remembers labelled items (it then scores from names).
    pub fn of(model: &Model) -> Option<ModelIndex> {
        if !model.remembered.is_empty() {
            return None;
        }
        let mut names: Vec<(&String, f64)> = model.weights.iter().map(|(k, &v)| (k, v)).collect();
        names.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let mut ids = FastMap::default();
        ids.reserve(names.len());
        let mut weights = Vec::with_capacity(names.len());
        for (rank, (name, w)) in names.into_iter().enumerate() {
            let rank = u32::try_from(rank).ok()?;
            if ids.insert(feature_hash(&[name]), rank).is_some() {
                return None;
            }
            weights.push(w);
        }
        let vetoes = model.vetoes.iter().map(|v| feature_hash(&[v])).collect();
        Some(ModelIndex {
            ids,
            weights,
            vetoes,
        })
    }

    /// The probability and the verdict of `model` (the one this index was
    /// made of) on an item's feature hashes and the query's `signal`, as
    /// [`Model::score`] gives them on the same features by name.
    pub fn score(&self, model: &Model, hashes: &HashSink, signal: &[&str]) -> (f64, bool) {
        let mut ranks: Vec<u32> = hashes
            .0
            .iter()
            .filter_map(|h| self.ids.get(h).copied())
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let mut z = model.bias;
        for &r in &ranks {
            z += self.weights[r as usize];
        }
        // The signal comes after the wording's features, as by name.
        let mut query_hit = false;
        for s in signal {
            query_hit |= *s == QUERY_MATCH;
            if let Some(&w) = model.weights.get(*s) {
                z += w;
            }
        }
        let probability = sigmoid(z);
        let vetoed = !query_hit && hashes.0.iter().any(|h| self.vetoes.contains(h));
        (
            probability,
            probability >= model.threshold_for(query_hit) && !vetoed,
        )
    }
}

/// An item's features as hashes of their names (one pass over its wording,
/// read by every model).
#[derive(Debug, Default)]
pub struct HashSink(pub Vec<u64>);

impl FeatureSink for HashSink {
    fn add(&mut self, parts: &[&str]) {
        self.0.push(feature_hash(parts));
    }
}
