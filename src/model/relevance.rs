//! A topic's relevance model as its file says it (shared vocabulary: the
//! configuration reads and checks it, `detect::relevance` scores with it).
//!
//! One entry a line, `#` starts a comment:
//!
//! ```text
//! bias -4.1
//! threshold 0.42
//! threshold-unmatched 0.6
//! veto-unmatched x:money
//! 2.315 t:negoti
//! -1.207 tt:settlement_of
//! ```

use std::collections::HashMap;

/// The numbers of a model file.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelFile {
    pub bias: f64,
    /// Probability from which an item the topic's query hits is relevant.
    pub threshold: f64,
    /// Probability from which an item the query does not hit is relevant
    /// (the same as `threshold` when the file gives none).
    pub threshold_unmatched: f64,
    /// Frame features (`x:`) in which an item the query does not hit is
    /// not relevant, whatever its score.
    pub vetoes: Vec<String>,
    /// Feature name → weight.
    pub weights: HashMap<String, f64>,
}

// Numbers are finite (parse refuses others), so equality is an equivalence.
impl Eq for ModelFile {}

impl ModelFile {
    /// Read a model file; errors name the line.
    pub fn parse(text: &str) -> Result<ModelFile, String> {
        let mut m = ModelFile {
            bias: 0.0,
            threshold: 0.5,
            threshold_unmatched: f64::NAN,
            vetoes: Vec::new(),
            weights: HashMap::new(),
        };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (a, b) = line.split_once(' ').ok_or_else(|| {
                format!("line {}: expected `WEIGHT FEATURE`, got {line:?}", i + 1)
            })?;
            let num = |s: &str| {
                s.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("line {}: {s:?} is not a number", i + 1))
            };
            match a {
                "bias" => m.bias = num(b)?,
                "threshold" => m.threshold = num(b)?,
                "threshold-unmatched" => m.threshold_unmatched = num(b)?,
                "veto-unmatched" => {
                    let frame = b.trim();
                    if !frame.starts_with("x:") || frame.len() < 3 {
                        return Err(format!(
                            "line {}: a veto is a frame feature (`x:NAME`), got {frame:?}",
                            i + 1
                        ));
                    }
                    m.vetoes.push(frame.to_owned());
                }
                _ => {
                    m.weights.insert(b.trim().to_owned(), num(a)?);
                }
            }
        }
        m.vetoes.sort();
        m.vetoes.dedup();
        if m.threshold_unmatched.is_nan() {
            m.threshold_unmatched = m.threshold;
        }
        Ok(m)
    }
}
