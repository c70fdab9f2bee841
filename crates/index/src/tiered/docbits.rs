//! Sets of documents of one segment, as bitmaps.

use tantivy::DocId;

/// A set of documents of one segment.
#[derive(Clone)]
pub(super) struct DocBits(Vec<u64>);

impl DocBits {
    #[inline]
    pub(super) fn new(max_doc: DocId) -> Self {
        DocBits(vec![0; (max_doc as usize).div_ceil(64)])
    }

    #[inline]
    pub(super) fn insert(&mut self, doc: DocId) {
        self.0[(doc / 64) as usize] |= 1u64 << (doc % 64);
    }

    #[inline]
    pub(super) fn remove(&mut self, doc: DocId) {
        self.0[(doc / 64) as usize] &= !(1u64 << (doc % 64));
    }

    #[inline]
    pub(super) fn has(&self, doc: DocId) -> bool {
        (self.0[(doc / 64) as usize] >> (doc % 64)) & 1 == 1
    }

    #[inline]
    pub(super) fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    #[inline]
    pub(super) fn intersection(&self, other: &DocBits) -> DocBits {
        DocBits(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    #[inline]
    pub(super) fn difference(&self, other: &DocBits) -> DocBits {
        DocBits(self.0.iter().zip(&other.0).map(|(a, b)| a & !b).collect())
    }

    #[inline]
    pub(super) fn union_with(&mut self, other: &DocBits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    #[inline]
    pub(super) fn intersect_with(&mut self, other: &DocBits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    #[inline]
    pub(super) fn subtract(&mut self, other: &DocBits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= !b;
        }
    }

    /// How many documents both sets have.
    #[inline]
    pub(super) fn intersection_len(&self, other: &DocBits) -> usize {
        self.0
            .iter()
            .zip(&other.0)
            .map(|(a, b)| (a & b).count_ones() as usize)
            .sum()
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    #[inline]
    pub(super) fn docs(&self) -> impl Iterator<Item = DocId> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            let base = (i * 64) as DocId;
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                Some(base + bit)
            })
        })
    }
}
