//! A page of results: which hits a search wants, what ranking gives, and
//! the per-topic counts of the matches.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// Which hits a search wants.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub(crate) limit: usize,
    pub(crate) offset: usize,
    /// Also count matches per topic, without the topic filter.
    pub(crate) count_topics: bool,
}

/// What ranking a plan gives.
pub(crate) struct Ranked {
    /// Matching passages.
    pub(crate) total: usize,
    /// The page: scores and addresses, best first.
    pub(crate) scored: Vec<(f32, DocAddress)>,
    /// Matching passages per topic, ignoring the topic filter, when asked.
    pub(crate) topic_counts: Option<HashMap<String, u64>>,
}

/// Counts matching passages per topic, reading the `topics` fast field.
pub(crate) struct TopicCounter;

pub(crate) struct TopicSegmentCounter {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for TopicCounter {
    type Fruit = HashMap<String, u64>;
    type Child = TopicSegmentCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<TopicSegmentCounter> {
        let column = segment.fast_fields().str("topics")?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(TopicSegmentCounter {
            column,
            counts: vec![0; terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<HashMap<String, u64>>,
    ) -> tantivy::Result<HashMap<String, u64>> {
        let mut total = HashMap::new();
        for fruit in fruits {
            for (k, v) in fruit {
                *total.entry(k).or_insert(0) += v;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for TopicSegmentCounter {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(c) = usize::try_from(ord)
                    .ok()
                    .and_then(|o| self.counts.get_mut(o))
                {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        if let Some(column) = &self.column {
            let mut name = String::new();
            for (ord, &count) in self.counts.iter().enumerate() {
                if count > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    out.insert(name.clone(), count);
                }
            }
        }
        out
    }
}
