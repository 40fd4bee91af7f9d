//! Negators: words that reverse what a sentence says.

/// Negators, folded (English, Russian, Ukrainian): a count that differs
/// between two versions of a text flips its meaning (revisions,
/// `negation_flipped`). Words ending in "n't" count too (the caller checks).
#[rustfmt::skip]
pub const NEGATORS: &[&str] = &[
    "not", "no", "never", "nor", "cannot", "none", "nobody", "nothing", "neither",
    "не", "ни", "нет", "никогда", "без",
    "ні", "немає", "нема", "ніколи",
];

/// Negators as loose keys (statements): a statement and its negation must
/// not look like a repeat. Words ending in "n't" count too (the caller
/// checks).
#[rustfmt::skip]
pub const STATEMENT_NEGATORS: &[&str] = &[
    "not", "no", "never", "none", "nor", "cannot",
    "нет", "не", "ни", "никогда",
    "ниякого", "ниякои", "нема", "немае",
];
