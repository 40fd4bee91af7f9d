//! Compiling rules (module docs, step 1): every distinct term becomes an
//! atom (a word matched by stem, a prefix or a tag), every term or phrase a
//! leaf shared by the rules that use it, every rule a tree of nodes over
//! leaves.

use std::collections::HashMap;

use super::super::query::{Field, Query};
use crate::text::query_stems;

// Field bits of an occurrence, and of what a leaf accepts.
pub(super) const TITLE: u8 = 1;
pub(super) const TEXT: u8 = 2;
pub(super) const SOURCE: u8 = 4;
pub(super) const TAG: u8 = 8;
pub(super) const FIELD_BITS: [u8; 4] = [TITLE, TEXT, SOURCE, TAG];

fn field_bits(f: Field) -> u8 {
    match f {
        Field::Any => TITLE | TEXT,
        Field::Title => TITLE,
        Field::Text => TEXT,
        Field::Source => SOURCE,
        Field::Tag => TAG,
    }
}

pub(super) type AtomId = u32;
pub(super) type LeafId = u32;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum AtomKey {
    /// A folded word, matched by stem.
    Word(String),
    /// A folded prefix, matched on the folded document word.
    Prefix(String),
    /// A tag's folded words joined by one space.
    Tag(String),
}

/// A term or phrase of some rule, with its field restriction.
#[derive(Clone, Debug)]
pub(super) struct Leaf {
    pub(super) fields: u8,
    /// One atom per word (a term or a tag has exactly one).
    pub(super) atoms: Vec<AtomId>,
    pub(super) label: String,
    pub(super) weight: f64,
}

#[derive(Clone, Debug)]
pub(super) enum Node {
    Leaf(LeafId),
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Near { a: LeafId, b: LeafId, distance: u32 },
}

#[derive(Clone, Debug)]
pub(super) struct Compiled {
    pub(super) query: Node,
    pub(super) exclude: Option<Node>,
}

#[derive(Default)]
pub(super) struct Builder {
    pub(super) atoms: HashMap<AtomKey, AtomId>,
    pub(super) stems: foldhash::HashMap<String, Vec<AtomId>>,
    pub(super) tags: HashMap<String, AtomId>,
    pub(super) prefixes: Vec<String>,
    pub(super) prefix_atoms: Vec<AtomId>,
    pub(super) leaves: Vec<Leaf>,
    leaf_ids: HashMap<String, LeafId>,
}

pub(super) fn to_id(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Builder {
    fn atom(&mut self, key: AtomKey) -> AtomId {
        if let Some(&id) = self.atoms.get(&key) {
            return id;
        }
        let id = to_id(self.atoms.len());
        match &key {
            AtomKey::Word(w) => {
                for s in query_stems(w) {
                    self.stems.entry(s).or_default().push(id);
                }
            }
            AtomKey::Prefix(p) => {
                self.prefixes.push(p.clone());
                self.prefix_atoms.push(id);
            }
            AtomKey::Tag(t) => {
                self.tags.insert(t.clone(), id);
            }
        }
        self.atoms.insert(key, id);
        id
    }

    /// The leaf for a term or phrase, shared by every rule that uses it.
    fn leaf(&mut self, q: &Query) -> LeafId {
        let label = q.to_string();
        if let Some(&id) = self.leaf_ids.get(&label) {
            return id;
        }
        let (field, atoms, weight) = match q {
            Query::Term {
                field,
                word,
                prefix,
            } => {
                let key = match (prefix, field) {
                    (true, _) => AtomKey::Prefix(word.clone()),
                    (false, Field::Tag) => AtomKey::Tag(word.clone()),
                    (false, _) => AtomKey::Word(word.clone()),
                };
                (*field, vec![self.atom(key)], 1.0)
            }
            Query::Phrase { field, words } => {
                let atoms = if *field == Field::Tag {
                    vec![self.atom(AtomKey::Tag(words.join(" ")))]
                } else {
                    words
                        .iter()
                        .map(|w| self.atom(AtomKey::Word(w.clone())))
                        .collect()
                };
                (*field, atoms, words.len() as f64)
            }
            // `node` only hands terms and phrases to `leaf`.
            _ => (Field::Any, Vec::new(), 0.0),
        };
        let id = to_id(self.leaves.len());
        self.leaves.push(Leaf {
            fields: field_bits(field),
            atoms,
            label: label.clone(),
            weight,
        });
        self.leaf_ids.insert(label, id);
        id
    }

    pub(super) fn node(&mut self, q: &Query) -> Node {
        match q {
            Query::Term { .. } | Query::Phrase { .. } => Node::Leaf(self.leaf(q)),
            Query::And(v) => Node::And(v.iter().map(|q| self.node(q)).collect()),
            Query::Or(v) => Node::Or(v.iter().map(|q| self.node(q)).collect()),
            Query::Not(q) => Node::Not(Box::new(self.node(q))),
            Query::Near { a, b, distance } => Node::Near {
                a: self.leaf(a),
                b: self.leaf(b),
                distance: to_id(*distance),
            },
        }
    }
}

/// The atoms whose presence may make `node` true: for each positive leaf its
/// first atom (a phrase cannot occur without its first word).
pub(super) fn anchors(node: &Node, leaves: &[Leaf], out: &mut Vec<AtomId>) {
    let mut first = |l: LeafId| {
        if let Some(&a) = leaves.get(l as usize).and_then(|l| l.atoms.first()) {
            out.push(a);
        }
    };
    match node {
        Node::Leaf(l) => first(*l),
        Node::Near { a, .. } => first(*a),
        Node::And(v) | Node::Or(v) => v.iter().for_each(|n| anchors(n, leaves, out)),
        Node::Not(_) => {}
    }
}
