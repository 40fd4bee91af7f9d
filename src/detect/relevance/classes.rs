//! Word classes learned from unlabelled text: stems that occur among the
//! same neighbours fall in one class, so a word the labels saw rarely can
//! borrow the weight of its class (a `c:` feature). Learned offline,
//! deterministically: each stem's vector of positive pointwise mutual
//! information with its neighbours (the most frequent stems, within a
//! window), then spherical k-means from a seeded k-means++ start. Pure:
//! stemmed sentences in, classes out; the file is one class a line.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Learning settings.
#[derive(Clone, Copy, Debug)]
pub struct ClassOptions {
    /// Number of classes.
    pub classes: usize,
    /// Stems seen fewer times get no class.
    pub min_count: usize,
    /// How many of the most frequent stems are contexts.
    pub contexts: usize,
    /// Neighbours up to this far apart count as context.
    pub window: usize,
    /// Rounds of k-means.
    pub rounds: usize,
    pub seed: u64,
}

impl Default for ClassOptions {
    fn default() -> Self {
        ClassOptions {
            classes: 100,
            min_count: 5,
            contexts: 2000,
            window: 5,
            rounds: 25,
            seed: 7,
        }
    }
}

/// Stems and their classes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WordClasses {
    of: HashMap<String, u16>,
    /// How often each stem occurs in the text learned from (empty when read from a file).
    count: HashMap<String, usize>,
}

impl WordClasses {
    /// The class of a stem.
    pub fn class(&self, stem: &str) -> Option<u16> {
        self.of.get(stem).copied()
    }

    /// Only the stems seen fewer than `max` times in the text learned
    /// from keep their class (the frequent ones have weights of their own).
    pub fn rare(mut self, max: usize) -> WordClasses {
        let count = &self.count;
        self.of
            .retain(|s, _| count.get(s).copied().unwrap_or(0) < max);
        self
    }

    pub fn len(&self) -> usize {
        self.of.len()
    }

    /// One class a line: `c17 stem stem …` (stems sorted), after the
    /// header's lines as `#` comments.
    pub fn to_text(&self, header: &str) -> String {
        let mut by: BTreeMap<u16, Vec<&str>> = BTreeMap::new();
        for (s, &c) in &self.of {
            by.entry(c).or_default().push(s);
        }
        let mut out = String::new();
        for line in header.lines() {
            let _ = writeln!(out, "# {line}");
        }
        for (c, mut stems) in by {
            stems.sort_unstable();
            let _ = writeln!(out, "c{c} {}", stems.join(" "));
        }
        out
    }

    /// Learn classes from stemmed sentences (deterministic: the same
    /// sentences and options give the same classes).
    pub fn learn(sentences: &[Vec<String>], opts: ClassOptions) -> WordClasses {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for s in sentences {
            for w in s {
                *count.entry(w.as_str()).or_default() += 1;
            }
        }
        let mut by_count: Vec<(&str, usize)> = count.iter().map(|(w, &c)| (*w, c)).collect();
        by_count.sort_unstable_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let targets: Vec<&str> = by_count
            .iter()
            .filter(|(w, c)| *c >= opts.min_count && *w != "#")
            .map(|(w, _)| *w)
            .collect();
        let target_id: HashMap<&str, usize> =
            targets.iter().enumerate().map(|(i, w)| (*w, i)).collect();
        let ctx_id: HashMap<&str, usize> = by_count
            .iter()
            .filter(|(w, _)| *w != "#")
            .take(opts.contexts)
            .enumerate()
            .map(|(i, (w, _))| (*w, i))
            .collect();
        let nc = ctx_id.len();
        // Co-occurrence counts, target × context.
        let mut co: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); targets.len()];
        for s in sentences {
            for (i, w) in s.iter().enumerate() {
                let Some(&t) = target_id.get(w.as_str()) else {
                    continue;
                };
                let lo = i.saturating_sub(opts.window);
                let hi = (i + opts.window + 1).min(s.len());
                for (j, c) in s.iter().enumerate().take(hi).skip(lo) {
                    if j == i {
                        continue;
                    }
                    if let Some(&k) = ctx_id.get(c.as_str()) {
                        *co[t].entry(k).or_default() += 1.0;
                    }
                }
            }
        }
        // PPMI with the context distribution smoothed (power 0.75).
        let mut ctx_total = vec![0.0; nc];
        let mut total = 0.0;
        for row in &co {
            for (&k, &n) in row {
                ctx_total[k] += n;
                total += n;
            }
        }
        let smoothed: Vec<f64> = ctx_total.iter().map(|n: &f64| n.powf(0.75)).collect();
        let smoothed_sum: f64 = smoothed.iter().sum();
        let vectors: Vec<Vec<(usize, f64)>> = co
            .iter()
            .map(|row| {
                let row_total: f64 = row.values().sum();
                let mut v: Vec<(usize, f64)> = row
                    .iter()
                    .filter_map(|(&k, &n)| {
                        let pmi = ((n / total)
                            / ((row_total / total) * (smoothed[k] / smoothed_sum)))
                            .ln();
                        (pmi > 0.0).then_some((k, pmi))
                    })
                    .collect();
                let norm = v.iter().map(|x| x.1 * x.1).sum::<f64>().sqrt();
                if norm > 0.0 {
                    for x in &mut v {
                        x.1 /= norm;
                    }
                }
                v
            })
            .collect();
        let assign = kmeans(&vectors, nc, opts);
        let of = targets
            .iter()
            .zip(assign)
            .filter_map(|(w, c)| Some(((*w).to_owned(), u16::try_from(c?).ok()?)))
            .collect();
        let count = count.into_iter().map(|(w, c)| (w.to_owned(), c)).collect();
        WordClasses { of, count }
    }
}

fn dot(v: &[(usize, f64)], c: &[f64]) -> f64 {
    v.iter().map(|&(k, x)| x * c[k]).sum()
}

/// Spherical k-means (cosine) of unit sparse vectors over `dim` contexts;
/// the class of each vector (none for an empty one).
fn kmeans(vectors: &[Vec<(usize, f64)>], dim: usize, opts: ClassOptions) -> Vec<Option<usize>> {
    let live: Vec<usize> = (0..vectors.len())
        .filter(|&i| !vectors[i].is_empty())
        .collect();
    let k = opts.classes.min(live.len());
    if k == 0 {
        return vec![None; vectors.len()];
    }
    let dense = |i: usize| {
        let mut c = vec![0.0; dim];
        for &(j, x) in &vectors[i] {
            c[j] = x;
        }
        c
    };
    // k-means++ start: each next centre drawn by its distance (1 - cosine)
    // to the nearest centre so far.
    let mut rng = fastrand::Rng::with_seed(opts.seed);
    let mut centres: Vec<Vec<f64>> = vec![dense(live[rng.usize(..live.len())])];
    let mut near: Vec<f64> = live
        .iter()
        .map(|&i| 1.0 - dot(&vectors[i], &centres[0]))
        .collect();
    while centres.len() < k {
        let sum: f64 = near.iter().map(|d| d.max(0.0)).sum();
        let mut r = rng.f64() * sum;
        let mut pick = live.len() - 1;
        for (n, d) in near.iter().enumerate() {
            r -= d.max(0.0);
            if r <= 0.0 {
                pick = n;
                break;
            }
        }
        centres.push(dense(live[pick]));
        let c = centres.last().expect("a centre");
        for (n, &i) in live.iter().enumerate() {
            near[n] = near[n].min(1.0 - dot(&vectors[i], c));
        }
    }
    let mut assign = vec![0usize; live.len()];
    for _ in 0..opts.rounds {
        let mut moved = false;
        for (n, &i) in live.iter().enumerate() {
            let best = (0..k)
                .map(|c| (c, dot(&vectors[i], &centres[c])))
                .fold((0, f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
                .0;
            moved |= best != assign[n];
            assign[n] = best;
        }
        for (c, centre) in centres.iter_mut().enumerate() {
            let mut sum = vec![0.0; dim];
            for (n, &i) in live.iter().enumerate() {
                if assign[n] == c {
                    for &(j, x) in &vectors[i] {
                        sum[j] += x;
                    }
                }
            }
            let norm = sum.iter().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                *centre = sum.into_iter().map(|x| x / norm).collect();
            }
        }
        if !moved {
            break;
        }
    }
    let mut out = vec![None; vectors.len()];
    for (n, &i) in live.iter().enumerate() {
        out[i] = Some(assign[n]);
    }
    out
}
