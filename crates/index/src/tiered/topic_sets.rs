//! The passages of each topic, per segment, kept from one search to the
//! next: a query's topic counts are its matches intersected with them.
//! A segment never changes its passages' topics (deletes only hide
//! passages, and the matches have none of them), so a set stays right for
//! as long as its segment lives.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocSet, SegmentReader, TERMINATED, Term};

use super::docbits::DocBits;

/// At most this many sets are kept (a segment's topics each make one);
/// past it they are all dropped, which also drops those of segments merged
/// away since.
const MAX_SETS: usize = 512;

/// The sets of the segments searched, by segment and topic term.
#[derive(Default)]
pub(crate) struct TopicSets(Mutex<HashMap<(SegmentId, Term), Arc<DocBits>>>);

impl TopicSets {
    /// The passages of `reader`'s segment with the topic `term` (whose
    /// postings `info` points to), read from its postings unless kept.
    pub(super) fn get(
        &self,
        reader: &SegmentReader,
        term: &Term,
        info: &TermInfo,
    ) -> tantivy::Result<Arc<DocBits>> {
        let key = (reader.segment_id(), term.clone());
        if let Some(bits) = self.lock().get(&key) {
            return Ok(Arc::clone(bits));
        }
        let inverted = reader.inverted_index(term.field())?;
        let mut postings = inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        let mut bits = DocBits::new(reader.max_doc());
        let mut doc = postings.doc();
        while doc != TERMINATED {
            bits.insert(doc);
            doc = postings.advance();
        }
        let bits = Arc::new(bits);
        let mut sets = self.lock();
        if sets.len() >= MAX_SETS {
            sets.clear();
        }
        sets.insert(key, Arc::clone(&bits));
        Ok(bits)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(SegmentId, Term), Arc<DocBits>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
