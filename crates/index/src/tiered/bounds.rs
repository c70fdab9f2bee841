//! Score bounds: groups of passages by tier, the k-th largest value, and
//! the rounding allowance of comparisons.

use super::docbits::DocBits;
use super::levels::Levels;
use super::prepare::Word;

/// Passages with the same level in each word.
pub(super) struct Group {
    pub(super) bits: DocBits,
    pub(super) size: usize,
    /// The sum of their tier scores: their score is at least this.
    pub(super) lower: f32,
    /// Plus the words' BM25 bounds: their score is at most this.
    pub(super) upper: f32,
    /// Their tier score per word (NaN: the word does not match).
    pub(super) tiers: Vec<f32>,
}

impl Group {
    /// The score of its passages that no scored term reaches, summed as
    /// Tantivy sums it.
    pub(super) fn flat(&self) -> f32 {
        let mut score = 0.0f32;
        for &tier in &self.tiers {
            if !tier.is_nan() {
                score += (tier + 0.0) + 0.0;
            }
        }
        score
    }
}

/// The non-empty groups of the passages of `all` by level in each word.
fn groups(words: &[Levels], prepared: &[Word], all: &DocBits) -> Vec<Group> {
    let mut out = Vec::new();
    let mut stack = vec![(0usize, all.clone(), 0.0f32, 0.0f32, Vec::new())];
    while let Some((w, bits, lower, upper, tiers)) = stack.pop() {
        let Some(levels) = words.get(w) else {
            let size = bits.len();
            out.push(Group {
                bits,
                size,
                lower,
                upper,
                tiers,
            });
            continue;
        };
        let bound = prepared.get(w).map_or(0.0, |p| p.bound);
        for (score, level) in &levels.levels {
            let part = bits.intersection(level);
            if !part.is_empty() {
                let mut t = tiers.clone();
                t.push(*score);
                stack.push((w + 1, part, lower + score, upper + score + bound, t));
            }
        }
        let rest = bits.difference(&levels.matched);
        if !rest.is_empty() {
            let mut t = tiers;
            t.push(f32::NAN);
            stack.push((w + 1, rest, lower, upper, t));
        }
    }
    out
}

/// The passages of a segment that can make its best `need`, by the
/// bounds of their groups.
pub(super) struct Candidates {
    /// The matches grouped by their level in each word: a group's tier
    /// scores bound its passages' scores from below, and with the words'
    /// BM25 bounds, from above.
    pub(super) groups: Vec<Group>,
    /// The `need`-th best lower bound (less the rounding allowance): that
    /// many passages score at least that much, so a passage that cannot
    /// reach it is not scored.
    pub(super) floor: f32,
    /// The passages of the groups that can reach it.
    pub(super) chosen: DocBits,
    /// How many they are.
    pub(super) size: usize,
    /// The most the tiers of a candidate add up to.
    pub(super) top_tiers: f32,
}

impl Candidates {
    /// The candidates among `all` (the matches, by level in each word in
    /// `words`) for the best `need`.
    pub(super) fn of(
        words: &[Levels],
        prepared: &[Word],
        all: &DocBits,
        need: usize,
        max_doc: u32,
    ) -> Candidates {
        let groups = groups(words, prepared, all);
        let floor = {
            let mut by_lower: Vec<&Group> = groups.iter().collect();
            by_lower.sort_by(|a, b| b.lower.total_cmp(&a.lower));
            let mut seen = 0;
            let nth = by_lower.into_iter().find(|g| {
                seen += g.size;
                seen >= need
            });
            page_floor(nth.map(|g| g.lower))
        };
        let mut chosen = DocBits::new(max_doc);
        for g in &groups {
            if g.upper + slack(g.upper) >= floor {
                chosen.union_with(&g.bits);
            }
        }
        let size = chosen.len();
        let top_tiers = groups
            .iter()
            .filter(|g| g.upper + slack(g.upper) >= floor)
            .map(|g| g.lower)
            .fold(f32::NEG_INFINITY, f32::max);
        Candidates {
            groups,
            floor,
            chosen,
            size,
            top_tiers,
        }
    }

    /// Whether a group's passages are candidates.
    pub(super) fn chosen(&self, g: &Group) -> bool {
        g.upper + slack(g.upper) >= self.floor
    }
}

/// A score ordered by `total_cmp`, smallest on top of the heap.
pub(super) struct Low(f32);

impl PartialEq for Low {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}

impl Eq for Low {}

impl PartialOrd for Low {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Low {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.total_cmp(&self.0)
    }
}

/// The `k`-th largest of the values offered so far.
pub(super) struct Largest {
    pub(super) k: usize,
    pub(super) heap: std::collections::BinaryHeap<Low>,
    /// The smallest value in the heap, once it holds `k`.
    pub(super) least: f32,
}

impl Largest {
    #[inline]
    pub(super) fn new(k: usize) -> Self {
        Largest {
            k,
            heap: std::collections::BinaryHeap::with_capacity(k + 1),
            least: f32::NEG_INFINITY,
        }
    }

    /// Offers a value; true when the `k`-th largest changed.
    #[inline]
    pub(super) fn offer(&mut self, v: f32) -> bool {
        if self.heap.len() < self.k {
            self.heap.push(Low(v));
            if self.heap.len() == self.k {
                self.least = self.heap.peek().map_or(self.least, |l| l.0);
                return true;
            }
        } else if self.k > 0 && v.total_cmp(&self.least).is_gt() {
            self.heap.pop();
            self.heap.push(Low(v));
            self.least = self.heap.peek().map_or(self.least, |l| l.0);
            return true;
        }
        false
    }

    /// The `k`-th largest (`None`: fewer values were offered).
    #[inline]
    pub(super) fn get(&self) -> Option<f32> {
        (self.k > 0 && self.heap.len() == self.k).then_some(self.least)
    }
}

/// The `k`-th largest of the values (`None`: there are fewer).
#[inline]
pub(crate) fn nth_largest(values: impl Iterator<Item = f32>, k: usize) -> Option<f32> {
    let mut largest = Largest::new(k);
    for v in values {
        largest.offer(v);
    }
    largest.get()
}

/// Allowance for rounding when comparing score bounds.
#[inline]
pub(super) fn slack(x: f32) -> f32 {
    1e-3 + x.abs() * 1e-5
}

/// A lower bound of the page from the `need`-th best lower bound of the
/// passages (`None`: fewer are known), less the rounding allowance.
#[inline]
pub(super) fn page_floor(nth: Option<f32>) -> f32 {
    nth.map_or(f32::NEG_INFINITY, |nth| nth - slack(nth))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nth_largest_values() {
        let v = [3.0f32, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        assert_eq!(nth_largest(v.iter().copied(), 1), Some(9.0));
        assert_eq!(nth_largest(v.iter().copied(), 3), Some(5.0));
        assert_eq!(nth_largest(v.iter().copied(), 8), Some(1.0));
        assert_eq!(nth_largest(v.iter().copied(), 9), None);
        assert_eq!(nth_largest(v.iter().copied(), 0), None);
    }
}
