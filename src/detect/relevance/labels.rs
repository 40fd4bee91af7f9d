//! Labelled items for training and evaluation: the TSV format of the
//! relevance labels (`url<TAB>label<TAB>note`, a header line, label `1`,
//! `0` or `borderline`), and precision/recall over them.

/// One row of a labels file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub url: String,
    /// `None` for `borderline`: left out of training and scoring.
    pub relevant: Option<bool>,
}

/// Parse a labels file; an unknown label is an error naming its line.
pub fn parse_labels(text: &str) -> Result<Vec<Label>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut cols = line.split('\t');
        let (Some(url), Some(label)) = (cols.next(), cols.next()) else {
            if line.trim().is_empty() {
                continue;
            }
            return Err(format!("line {}: expected `url<TAB>label`", i + 1));
        };
        let relevant = match label.trim() {
            "1" => Some(true),
            "0" => Some(false),
            "borderline" => None,
            "label" if i == 0 => continue,
            other => {
                return Err(format!(
                    "line {}: label {other:?} is not 1, 0 or borderline",
                    i + 1
                ));
            }
        };
        out.push(Label {
            url: url.trim().to_owned(),
            relevant,
        });
    }
    Ok(out)
}

/// Counts of a decision against labels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
    pub tn: usize,
}

impl Evaluation {
    pub fn add(&mut self, predicted: bool, relevant: bool) {
        match (predicted, relevant) {
            (true, true) => self.tp += 1,
            (true, false) => self.fp += 1,
            (false, true) => self.fn_ += 1,
            (false, false) => self.tn += 1,
        }
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

impl std::fmt::Display for Evaluation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "P {:.3} R {:.3} (tp {} fp {} fn {})",
            self.precision(),
            self.recall(),
            self.tp,
            self.fp,
            self.fn_
        )
    }
}
