//! [`TieredQuery`]: the tiered evaluation as a Tantivy query.

use std::sync::Arc;

use tantivy::query::{EnableScoring, Query, Weight};

use super::cache::Caches;
use super::prepare::{Parts, prepare};
use super::weight::TieredWeight;
use crate::bm25::Bm25Params;
use crate::query::{self, Analyzers, Plan, Ranking, Source, WordSpec};
use crate::schema::Fields;
use crate::tuning::Tuning;

/// What the evaluation takes from its index: the fields, the ranking
/// constants, the caches and the performance settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) fields: &'a Fields,
    pub(crate) ranking: &'a Ranking,
    pub(crate) caches: &'a Arc<Caches>,
    pub(crate) tuning: &'a Tuning,
}

/// A plan's words, exclusions and topic filter, matched and scored as the
/// Tantivy query of [`query::build`] matches and scores them (for a plan
/// without phrases), to the bit. Its weight ([`TieredWeight`]) reads each
/// term's postings once per word into per-tier document sets; its
/// [`top_k`](TieredWeight::top_k) scores only the passages that can reach
/// the page.
#[derive(Clone, Debug)]
pub(crate) struct TieredQuery {
    fields: Fields,
    words: Vec<WordSpec>,
    excluded: Vec<Source>,
    topics: Vec<Source>,
    caches: Arc<Caches>,
    tuning: Tuning,
    bm25: Bm25Params,
}

impl TieredQuery {
    /// The query of `plan`'s words and exclusions, restricted to `topics`
    /// (none: every passage), ranked with `cx`'s ranking.
    pub(crate) fn new(
        cx: Context<'_>,
        analyzers: &mut Analyzers,
        plan: &Plan,
        topics: &[String],
    ) -> TieredQuery {
        let f = cx.fields;
        TieredQuery {
            fields: *f,
            words: query::word_specs(f, cx.ranking, analyzers, plan),
            excluded: query::excluded_sources(f, plan)
                .into_iter()
                .flatten()
                .collect(),
            topics: query::topic_sources(f, topics),
            caches: Arc::clone(cx.caches),
            tuning: *cx.tuning,
            bm25: cx.ranking.bm25(),
        }
    }

    /// The weight, with its own type (for [`TieredWeight::top_k`] and
    /// [`TieredWeight::explain_words`]).
    pub(crate) fn tiered_weight(
        &self,
        scoring: EnableScoring<'_>,
    ) -> tantivy::Result<TieredWeight> {
        let parts = Parts {
            fields: &self.fields,
            words: &self.words,
            excluded: &self.excluded,
            topics: &self.topics,
            caches: &self.caches,
            tuning: &self.tuning,
            bm25: self.bm25,
        };
        Ok(TieredWeight::new(prepare(&parts, scoring)?, self.tuning))
    }
}

impl Query for TieredQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.tiered_weight(scoring)?))
    }
}
