//! [`TieredScorer`]: every match of a segment, in document order, with its
//! exact score.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::Scorer;
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED};

use super::levels::{Levels, Matches};
use super::prepare::{Prepared, Scored};
use crate::bm25::Bm25;

/// One BM25 term of a word in a segment: its postings, if the segment has
/// it, and what scores it.
pub(super) struct TermScorer {
    postings: Option<SegmentPostings>,
    fieldnorms: FieldNormReader,
    weight: Bm25,
}

impl TermScorer {
    pub(super) fn new(scored: &Scored, reader: &SegmentReader) -> tantivy::Result<TermScorer> {
        let field = scored.term.field();
        let postings = reader
            .inverted_index(field)?
            .read_postings(&scored.term, IndexRecordOption::WithFreqs)?;
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(r) => r,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        Ok(TermScorer {
            postings,
            fieldnorms,
            weight: scored.weight.clone(),
        })
    }

    /// The term's score in `doc` (`None`: the document lacks it). Calls go
    /// in document order.
    pub(super) fn score(&mut self, doc: DocId) -> Option<f32> {
        let postings = self.postings.as_mut()?;
        if postings.doc() < doc {
            postings.seek(doc);
        }
        (postings.doc() == doc).then(|| {
            self.weight
                .score(self.fieldnorms.fieldnorm_id(doc), postings.term_freq())
        })
    }
}

/// A word's clauses in a segment.
struct WordScorer {
    levels: Levels,
    bm25: Vec<TermScorer>,
    expansions: Vec<TermScorer>,
}

/// The matches of a segment in document order, each scored as Tantivy
/// scores the query of [`query::build`](crate::query::build): per word
/// (in order) its tier, plus its BM25 clauses summed in order, plus its
/// best expansion; deleted passages left out.
pub(super) struct TieredScorer {
    docs: Vec<DocId>,
    at: usize,
    words: Vec<WordScorer>,
    boost: Score,
}

impl TieredScorer {
    pub(super) fn new(
        q: &Prepared,
        reader: &SegmentReader,
        m: Matches<'_>,
        boost: Score,
    ) -> tantivy::Result<TieredScorer> {
        let Matches { words, all, .. } = m;
        let words = q
            .words
            .iter()
            .zip(words)
            .map(|(word, levels)| {
                let terms = |list: &[Scored]| {
                    list.iter()
                        .map(|s| TermScorer::new(s, reader))
                        .collect::<tantivy::Result<Vec<_>>>()
                };
                Ok(WordScorer {
                    levels,
                    bm25: terms(&word.bm25)?,
                    expansions: terms(&word.expansions)?,
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(TieredScorer {
            docs: all.docs().collect(),
            at: 0,
            words,
            boost,
        })
    }
}

impl DocSet for TieredScorer {
    fn advance(&mut self) -> DocId {
        self.at = (self.at + 1).min(self.docs.len());
        self.doc()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.at += self.docs[self.at..].partition_point(|&d| d < target);
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.docs.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        u32::try_from(self.docs.len()).unwrap_or(u32::MAX)
    }
}

impl Scorer for TieredScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc();
        let mut score = 0.0f32;
        for word in &mut self.words {
            let tier = word.levels.tier_of(doc);
            if tier.is_nan() {
                continue;
            }
            let mut sum = 0.0f32;
            for term in &mut word.bm25 {
                sum += term.score(doc).unwrap_or(0.0);
            }
            let mut best = 0.0f32;
            for term in &mut word.expansions {
                if let Some(x) = term.score(doc)
                    && x > best
                {
                    best = x;
                }
            }
            score += (tier + sum) + best;
        }
        if self.boost == 1.0 {
            score
        } else {
            score * self.boost
        }
    }
}
