//! [`Bm25Query`]: a term of a field scored by [`Bm25`] with the ranking's
//! k1 and b, as a Tantivy query (Tantivy's `TermQuery` with its own
//! parameters).

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use super::{Bm25, Bm25Params};

/// The passages with a term in its field, scored by BM25 with `params`,
/// times a boost.
#[derive(Debug, Clone)]
pub(crate) struct Bm25Query {
    term: Term,
    boost: f32,
    params: Bm25Params,
}

impl Bm25Query {
    /// `term`, scored with `params`, times `boost`.
    pub(crate) fn new(term: Term, boost: f32, params: Bm25Params) -> Bm25Query {
        Bm25Query {
            term,
            boost,
            params,
        }
    }
}

impl Query for Bm25Query {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let bm25 = match scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Bm25::for_term(statistics_provider, &self.term, self.params)?,
            // Not scored: any weight does.
            EnableScoring::Disabled { .. } => Bm25::new(1, 1, 1.0, self.params),
        };
        Ok(Box::new(Bm25TermWeight {
            term: self.term.clone(),
            bm25: bm25.boost_by(self.boost),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

/// A [`Bm25Query`] bound to a searcher.
struct Bm25TermWeight {
    term: Term,
    bm25: Bm25,
}

impl Bm25TermWeight {
    fn term_scorer(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Bm25Scorer>> {
        let field = self.term.field();
        let Some(postings) = reader
            .inverted_index(field)?
            .read_postings(&self.term, IndexRecordOption::WithFreqs)?
        else {
            return Ok(None);
        };
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(r) => r,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        Ok(Some(Bm25Scorer {
            postings,
            fieldnorms,
            bm25: self.bm25.boost_by(boost),
        }))
    }
}

impl Weight for Bm25TermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.term_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_matching =
            || TantivyError::InvalidArgument(format!("document #({doc}) does not match"));
        let mut scorer = self.term_scorer(reader, 1.0)?.ok_or_else(not_matching)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(not_matching());
        }
        let mut explanation = scorer.bm25.explain(
            scorer.fieldnorms.fieldnorm_id(doc),
            scorer.postings.term_freq(),
        );
        explanation.add_context(format!("Term={:?}", self.term));
        Ok(explanation)
    }
}

/// The postings of a term in a segment, scored.
struct Bm25Scorer {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    bm25: Bm25,
}

impl DocSet for Bm25Scorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for Bm25Scorer {
    fn score(&mut self) -> Score {
        let doc = self.postings.doc();
        self.bm25
            .score(self.fieldnorms.fieldnorm_id(doc), self.postings.term_freq())
    }
}
