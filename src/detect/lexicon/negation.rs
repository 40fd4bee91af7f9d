//! Negators: words that reverse what a sentence says.

/// Negators, folded; English, Russian, Ukrainian. Revisions count them (a
/// count that differs between two versions flips the meaning,
/// `negation added`, `negation dropped`); statements look for one (a statement and its
/// negation must not look like a repeat), comparing loose keys of these
/// words. Both also count words ending in "n't".
#[rustfmt::skip]
pub const NEGATORS: &[&str] = &[
    "not", "no", "never", "nor", "cannot", "none", "nobody", "nothing", "neither",
    "не", "ни", "нет", "никогда", "без",
    "ні", "немає", "нема", "ніколи", "ніякого", "ніякої",
];
