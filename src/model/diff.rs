//! The word diff between two versions of an item: what `detect::revisions`
//! computes, `store` keeps as JSON in `revisions.diff`
//! (`{"title": [ops], "text": [ops]}`, an op being `{"Equal": "…"}`,
//! `{"Delete": "…"}` or `{"Insert": "…"}`), and `notify` and `cli` show.

/// One run of a word diff. Whitespace and punctuation are attached, so
/// `Equal`+`Delete` runs concatenate to the old text and `Equal`+`Insert` runs
/// to the new one.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub enum DiffOp {
    Equal(String),
    Delete(String),
    Insert(String),
}

/// The word diff of one field (title or text).
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct FieldDiff {
    pub ops: Vec<DiffOp>,
}
