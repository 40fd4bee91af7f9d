//! Evaluating a rule over one document's occurrences (module docs, step 3).

use super::compile::{AtomId, FIELD_BITS, Leaf, LeafId, Node, to_id};
use super::scan::Occ;

/// One document's occurrences, and the leaves to evaluate over them.
pub(super) struct View<'a> {
    pub(super) occ: &'a [Occ],
    /// Bit per atom: does it occur at all? Most leaves of a large rule have
    /// no occurrence, and this answers them without a search.
    pub(super) present: &'a [u64],
    pub(super) leaves: &'a [Leaf],
}

impl View<'_> {
    /// Occurrences of `atom` in `field`, sorted by position.
    fn occs(&self, atom: AtomId, field: u8) -> &[Occ] {
        if !self.present(atom) {
            return &[];
        }
        let lo = self
            .occ
            .partition_point(|o| (o.atom, o.field) < (atom, field));
        let hi = self
            .occ
            .partition_point(|o| (o.atom, o.field) <= (atom, field));
        self.occ.get(lo..hi).unwrap_or(&[])
    }

    fn has(&self, atom: AtomId, field: u8, pos: u32) -> bool {
        self.occs(atom, field)
            .binary_search_by_key(&pos, |o| o.pos)
            .is_ok()
    }

    /// Word spans `(first, last)` where `leaf` occurs in `field`.
    fn spans<'s>(&'s self, leaf: &'s Leaf, field: u8) -> impl Iterator<Item = (u32, u32)> + 's {
        let (first, rest) = match leaf.atoms.split_first() {
            Some((f, r)) => (*f, r),
            None => (AtomId::MAX, &[][..]),
        };
        self.occs(first, field).iter().filter_map(move |o| {
            let ok = rest.iter().enumerate().all(|(k, &a)| {
                o.pos
                    .checked_add(to_id(k + 1))
                    .is_some_and(|p| self.has(a, field, p))
            });
            ok.then(|| (o.pos, o.pos.saturating_add(to_id(rest.len()))))
        })
    }

    fn present(&self, atom: AtomId) -> bool {
        self.present
            .get(atom as usize / 64)
            .is_some_and(|w| w >> (atom % 64) & 1 == 1)
    }

    /// Could `leaf` occur at all: are all its words somewhere in the item?
    fn may_occur(&self, leaf: &Leaf) -> bool {
        leaf.atoms.iter().all(|&a| self.present(a))
    }

    pub(super) fn leaf_in(&self, leaf: &Leaf, fields: u8) -> bool {
        if !self.may_occur(leaf) {
            return false;
        }
        FIELD_BITS
            .iter()
            .filter(|&&f| fields & leaf.fields & f != 0)
            .any(|&f| self.spans(leaf, f).next().is_some())
    }

    /// Does `leaf` occur in the text within its first `lead` words?
    pub(super) fn leaf_in_lead(&self, leaf: &Leaf, lead: u32) -> bool {
        use super::compile::TEXT;
        leaf.fields & TEXT != 0
            && self.may_occur(leaf)
            && self.spans(leaf, TEXT).next().is_some_and(|(s, _)| s < lead)
    }

    fn leaf(&self, l: LeafId) -> Option<&Leaf> {
        self.leaves.get(l as usize)
    }

    fn near(&self, a: &Leaf, b: &Leaf, distance: u32) -> bool {
        if !self.may_occur(a) || !self.may_occur(b) {
            return false;
        }
        FIELD_BITS
            .iter()
            .filter(|&&f| a.fields & b.fields & f != 0)
            .any(|&f| {
                let bs: Vec<(u32, u32)> = self.spans(b, f).collect();
                self.spans(a, f).any(|(sa, ea)| {
                    bs.iter().any(|&(sb, eb)| {
                        // Words between the two spans; 0 when they overlap.
                        let gap = sb.saturating_sub(ea).max(sa.saturating_sub(eb));
                        gap <= distance
                    })
                })
            })
    }

    /// Evaluate `node`; the leaves that made it true are appended to `hits`
    /// (those of failed branches and of NOT are taken back out).
    pub(super) fn eval(&self, node: &Node, hits: &mut Vec<LeafId>) -> bool {
        match node {
            Node::Leaf(l) => {
                let t = self
                    .leaf(*l)
                    .is_some_and(|leaf| self.leaf_in(leaf, leaf.fields));
                if t {
                    hits.push(*l);
                }
                t
            }
            Node::And(v) => {
                let mark = hits.len();
                for n in v {
                    if !self.eval(n, hits) {
                        hits.truncate(mark);
                        return false;
                    }
                }
                true
            }
            // Every branch is evaluated so that all terms that hit are listed.
            Node::Or(v) => v.iter().fold(false, |any, n| self.eval(n, hits) | any),
            Node::Not(n) => {
                let mark = hits.len();
                let t = self.eval(n, hits);
                hits.truncate(mark);
                !t
            }
            Node::Near { a, b, distance } => {
                let t = match (self.leaf(*a), self.leaf(*b)) {
                    (Some(la), Some(lb)) => self.near(la, lb, *distance),
                    _ => false,
                };
                if t {
                    hits.push(*a);
                    hits.push(*b);
                }
                t
            }
        }
    }
}
