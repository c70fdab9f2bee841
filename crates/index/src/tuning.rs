//! [`Tuning`]: settings that change how fast a search runs, never what it
//! finds.

/// How a search uses the machine. These settings change the speed of a
/// search, never its results: the same query gives the same hits, scores
/// and totals whatever they are. The defaults are what needle ships with;
/// tests set small values so that small indexes take the paths large ones
/// take (the thread pool, the ordinal index for ties).
///
/// ```
/// use needle_index::{NeedleIndex, Tuning};
///
/// # fn main() -> Result<(), needle_index::Error> {
/// let mut index = NeedleIndex::in_memory()?;
/// index.set_tuning(Tuning::default().parallel_from(2).tie_reads(8));
/// assert_eq!(index.tuning().parallel_from, 2);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Tuning {
    /// An index of fewer passages is searched on the calling thread; from
    /// this many, an index of several segments has its segments searched
    /// on a pool of threads (one per processor, at most 8, shared by every
    /// index of the process). Default 20,000: below, handing the segments
    /// to the pool costs more than it saves.
    pub parallel_from: u64,
    /// When more passages tie on the last score of a page than it has room
    /// for, up to this many beyond four times the room have their ordinals
    /// (their position in their article, which breaks ties) read one by
    /// one; more are read through the ordinal index, ordinal 0 first, until
    /// the page is full. Default 1,024.
    pub tie_reads: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            parallel_from: 20_000,
            tie_reads: 1024,
        }
    }
}

impl Tuning {
    /// Sets [`parallel_from`](Self::parallel_from).
    #[must_use]
    pub fn parallel_from(mut self, passages: u64) -> Self {
        self.parallel_from = passages;
        self
    }

    /// Sets [`tie_reads`](Self::tie_reads).
    #[must_use]
    pub fn tie_reads(mut self, ties: usize) -> Self {
        self.tie_reads = ties;
        self
    }
}
