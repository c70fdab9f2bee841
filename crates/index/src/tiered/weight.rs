//! [`TieredWeight`]: the tiered query bound to a searcher. It scores every
//! match ([`Weight::scorer`]), counts them from document sets
//! ([`Weight::count`]), explains one, and ranks a page scoring only what
//! can reach it ([`TieredWeight::top_k`]).

use tantivy::collector::Collector;
use tantivy::query::{Explanation, Scorer, Weight};
use tantivy::{DocId, Score, Searcher, SegmentReader, TantivyError};

use super::explain;
use super::levels::matches;
use super::prepare::Prepared;
use super::scorer::TieredScorer;
use super::{prune, ties};
use crate::explain::WordMatch;
use crate::page::{PageCollector, Ranked};
use crate::tuning::Tuning;

/// A [`TieredQuery`](super::TieredQuery) ready for a searcher's segments.
pub(crate) struct TieredWeight {
    q: Prepared,
    tuning: Tuning,
}

impl TieredWeight {
    pub(super) fn new(q: Prepared, tuning: Tuning) -> TieredWeight {
        TieredWeight { q, tuning }
    }

    /// The page `collector` wants, its total and topic counts, as
    /// `searcher.search(query, collector)` would give them, but scoring in
    /// each segment only the passages that can make its best
    /// [`need`](PageCollector::need): a passage's tiers bound its score
    /// from below, its tiers and the most its words' BM25 terms can add
    /// from above, and terms are scored those that can add most first.
    /// The segments run on the search threads of a large index.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub(crate) fn top_k(
        &self,
        searcher: &Searcher,
        collector: &PageCollector,
    ) -> tantivy::Result<Ranked> {
        let per_segment = crate::parallel::executor(searcher, &self.tuning).map(
            |(ord, reader): (usize, &SegmentReader)| {
                let ord = u32::try_from(ord).unwrap_or(u32::MAX);
                let mut page = collector.for_segment(ord, reader)?;
                let mut m = matches(&self.q, reader, collector.counts_topics())?;
                if let Some(unfiltered) = &m.unfiltered {
                    page.count_topics_in(
                        reader,
                        unfiltered.len(),
                        || unfiltered.docs(),
                        |term, info| {
                            let topic = self.q.caches.topic_sets.get(reader, term, info)?;
                            Ok(topic.intersection_len(unfiltered) as u64)
                        },
                    )?;
                }
                let total = m.all.len();
                let need = collector.need().min(total);
                let hits = if need == 0 {
                    Vec::new()
                } else {
                    let scores = prune::score(&self.q, &mut m, need)?;
                    ties::best(&self.q, &mut m.inverted, &scores, need)?
                };
                Ok(page.ranked(total, hits))
            },
            searcher.segment_readers().iter().enumerate(),
        )?;
        collector.merge_fruits(per_segment)
    }

    /// How a passage matches each word, and what each adds to its score;
    /// `None` when the passage does not match the query.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub(crate) fn explain_words(
        &self,
        reader: &SegmentReader,
        doc: DocId,
    ) -> tantivy::Result<Option<Vec<WordMatch>>> {
        let m = matches(&self.q, reader, false)?;
        if !m.all.has(doc) {
            return Ok(None);
        }
        explain::words(&self.q, reader, &m.words, doc).map(Some)
    }
}

impl Weight for TieredWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let m = matches(&self.q, reader, false)?;
        Ok(Box::new(TieredScorer::new(&self.q, reader, m, boost)?))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let words = self.explain_words(reader, doc)?.ok_or_else(|| {
            TantivyError::InvalidArgument(format!("document #({doc}) does not match"))
        })?;
        Ok(explain::tantivy_explanation(&words))
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        // The match sets leave deleted passages out already.
        let m = matches(&self.q, reader, false)?;
        Ok(u32::try_from(m.all.len()).unwrap_or(u32::MAX))
    }
}
