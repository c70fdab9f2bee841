//! BM25 with its parameters ([`Ranking::k1`](crate::Ranking::k1),
//! [`Ranking::b`](crate::Ranking::b) and
//! [`Ranking::idf_power`](crate::Ranking::idf_power)) where Tantivy fixes
//! k1 = 1.2, b = 0.75 and the idf as it is: [`Bm25`] scores a term of a
//! field as Tantivy's `Bm25Weight` does (the same idf, the same 256-entry
//! length table, the same float operations, so with 1.2, 0.75 and an idf
//! power of 1 the scores are Tantivy's to the bit),
//! and [`Bm25Query`] is the term query built on it. Every BM25 score needle
//! computes goes through [`Bm25`]: the tiered evaluation's, the Tantivy
//! query's of long questions, the feedback terms'.

use std::sync::Arc;

use tantivy::Term;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{Bm25StatisticsProvider, Explanation};

mod article;
mod query;
#[cfg(test)]
mod tests;

pub(crate) use article::{ArticleBoostQuery, ArticleScores, ArticleTables, Clause};
pub(crate) use query::Bm25Query;

/// BM25's parameters: term frequency saturation, length normalisation,
/// and the power the idf is raised to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bm25Params {
    /// How fast repeated occurrences of a term stop adding (0: not at all).
    pub k1: f32,
    /// How much a field's length, relative to the average, discounts a
    /// term's frequency (0: not at all, 1: fully).
    pub b: f32,
    /// The idf is raised to this power (1: BM25's; above 1, rare terms
    /// weigh more against common ones).
    pub idf_power: f32,
}

impl Default for Bm25Params {
    /// Tantivy's (and Lucene's) constants.
    fn default() -> Self {
        Bm25Params {
            k1: 1.2,
            b: 0.75,
            idf_power: 1.0,
        }
    }
}

impl Bm25Params {
    /// `k1 × (1 − b + b × length / average)`: what a term's frequency is
    /// weighed against in a field of `length` words.
    fn length_norm(&self, length: f32, average: f32) -> f32 {
        self.k1 * (1.0 - self.b + self.b * length / average)
    }
}

/// Tantivy's idf, `ln(1 + (N - n + 0.5) / (n + 0.5))`, raised to `power`
/// (left as it is for 1, so that the scores stay Tantivy's to the bit).
fn idf(doc_freq: u64, doc_count: u64, power: f32) -> f32 {
    let doc_freq = doc_freq.min(doc_count);
    let x = ((doc_count - doc_freq) as f32 + 0.5) / (doc_freq as f32 + 0.5);
    let idf = (1.0 + x).ln();
    if power == 1.0 { idf } else { idf.powf(power) }
}

/// The BM25 weight of one term of one field: its idf, a boost, and the
/// length normalisation of each of the 256 field lengths a field norm
/// encodes.
#[derive(Clone)]
pub(crate) struct Bm25 {
    /// idf × (1 + k1) × boost.
    weight: f32,
    idf: f32,
    boost: f32,
    doc_freq: u64,
    doc_count: u64,
    average_fieldnorm: f32,
    params: Bm25Params,
    /// Per field norm id, `k1 × (1 − b + b × length / average length)`.
    cache: Arc<[f32; 256]>,
}

impl std::fmt::Debug for Bm25 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bm25")
            .field("weight", &self.weight)
            .field("idf", &self.idf)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Bm25 {
    /// The weight of `term` with the searcher's statistics: the number of
    /// documents (deleted ones included, as Tantivy counts them), how many
    /// have the term, the field's average length.
    pub(crate) fn for_term(
        statistics: &dyn Bm25StatisticsProvider,
        term: &Term,
        params: Bm25Params,
    ) -> tantivy::Result<Bm25> {
        let total_tokens = statistics.total_num_tokens(term.field())?;
        let doc_count = statistics.total_num_docs()?;
        let average_fieldnorm = total_tokens as f32 / doc_count as f32;
        let doc_freq = statistics.doc_freq(term)?;
        Ok(Bm25::new(doc_freq, doc_count, average_fieldnorm, params))
    }

    /// The weight of a term in `doc_freq` of `doc_count` documents, in a
    /// field of `average_fieldnorm` words on average.
    pub(crate) fn new(
        doc_freq: u64,
        doc_count: u64,
        average_fieldnorm: f32,
        params: Bm25Params,
    ) -> Bm25 {
        let idf = idf(doc_freq, doc_count, params.idf_power);
        let mut cache = [0.0f32; 256];
        for (id, slot) in cache.iter_mut().enumerate() {
            let length = FieldNormReader::id_to_fieldnorm(id as u8) as f32;
            *slot = params.length_norm(length, average_fieldnorm);
        }
        Bm25 {
            weight: idf * (1.0 + params.k1),
            idf,
            boost: 1.0,
            doc_freq,
            doc_count,
            average_fieldnorm,
            params,
            cache: Arc::new(cache),
        }
    }

    /// The same weight multiplied by `boost`.
    #[must_use]
    pub(crate) fn boost_by(&self, boost: f32) -> Bm25 {
        Bm25 {
            weight: self.weight * boost,
            boost: self.boost * boost,
            ..self.clone()
        }
    }

    /// The score of a document whose field has length id `fieldnorm_id`
    /// and holds the term `term_freq` times.
    #[inline]
    pub(crate) fn score(&self, fieldnorm_id: u8, term_freq: u32) -> f32 {
        let tf = term_freq as f32;
        self.weight * (tf / (tf + self.cache[usize::from(fieldnorm_id)]))
    }

    /// Tantivy's bound on the score (`Bm25Weight::max_score`: the longest
    /// field, a huge frequency). With k1 = 0 every occurrence scores the
    /// full weight.
    pub(crate) fn max_score(&self) -> f32 {
        self.score(255, 2_013_265_944)
    }

    /// Why a document scores what it does, in Lucene's and Tantivy's form.
    pub(crate) fn explain(&self, fieldnorm_id: u8, term_freq: u32) -> Explanation {
        let score = self.score(fieldnorm_id, term_freq);
        let length = FieldNormReader::id_to_fieldnorm(fieldnorm_id) as f32;
        let mut tf = Explanation::new(
            "freq / (freq + k1 * (1 - b + b * dl / avgdl))",
            term_freq as f32 / (term_freq as f32 + self.cache[usize::from(fieldnorm_id)]),
        );
        tf.add_const(
            "freq, occurrences of term within document",
            term_freq as f32,
        );
        tf.add_const("k1, term saturation parameter", self.params.k1);
        tf.add_const("b, length normalization parameter", self.params.b);
        tf.add_const("dl, length of field", length);
        tf.add_const("avgdl, average length of field", self.average_fieldnorm);
        let mut idf = Explanation::new(
            "idf, computed as log(1 + (N - n + 0.5) / (n + 0.5)) ^ p",
            self.idf,
        );
        idf.add_const("p, idf power", self.params.idf_power);
        idf.add_const(
            "n, number of docs containing this term",
            self.doc_freq as f32,
        );
        idf.add_const("N, total number of docs", self.doc_count as f32);
        let mut out = Explanation::new("BM25, boost × (k1 + 1) × idf × tf", score);
        out.add_const("boost", self.boost);
        out.add_const("k1 + 1", 1.0 + self.params.k1);
        out.add_detail(idf);
        out.add_detail(tf);
        out
    }
}
