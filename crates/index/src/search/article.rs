//! The article scores of a long question
//! ([`Ranking::article_weight`](crate::Ranking::article_weight)): the
//! question's words as the passage query scores them (each word's BM25
//! fields, a prefix's expansions, a phrase's words, the feedback terms),
//! counted over whole articles by [`ArticleScores`].

use std::sync::Arc;

use tantivy::Searcher;

use crate::bm25::{ArticleScores, Clause};
use crate::error::Result;
use crate::feedback::FeedbackTerm;
use crate::index::NeedleIndex;
use crate::query::{self, Plan};

impl NeedleIndex {
    /// The article scores of `plan` with its `feedback` terms; `None` for
    /// a short query or a browse, at an article weight of 0, and when
    /// every article is one passage (an article would score as its
    /// passage).
    pub(super) fn article_scores(
        &self,
        searcher: &Searcher,
        analyzers: &mut query::Analyzers,
        plan: &Plan,
        feedback: &[FeedbackTerm],
    ) -> Result<Option<Arc<ArticleScores>>> {
        let f = &self.fields;
        let weight = self.ranking.article_weight;
        if weight.is_nan()
            || weight <= 0.0
            || plan.is_browse()
            || plan.active_words() <= self.ranking.strict_words
        {
            return Ok(None);
        }
        let r = &self.ranking.for_query(plan.active_words());
        let mut clauses: Vec<Clause> = Vec::new();
        for spec in query::word_specs(f, r, analyzers, plan) {
            clauses.push(Clause {
                terms: spec.bm25.clone(),
                max: false,
            });
            if !spec.expansions.is_empty() {
                clauses.push(Clause {
                    terms: spec
                        .expansions
                        .iter()
                        .map(|e| (f.text_raw, e.clone(), 1.0))
                        .collect(),
                    max: true,
                });
            }
        }
        // A quoted phrase's words score as words too (the phrase's own
        // match is the passage's: it has no article counterpart).
        for phrase in &plan.phrases {
            for stem in analyzers.phrase_stems(phrase) {
                clauses.push(Clause {
                    terms: query::bm25_fields(f, r, 1.0)
                        .into_iter()
                        .map(|(field, boost)| (field, stem.clone(), boost))
                        .collect(),
                    max: false,
                });
            }
        }
        clauses.push(Clause {
            terms: feedback
                .iter()
                .map(|t| (f.text, t.text.clone(), t.weight * r.feedback_weight))
                .collect(),
            max: false,
        });
        // A heading repeats in each passage under it: an article holds it
        // once, as its title.
        let fields = [
            (f.text, false),
            (f.section, true),
            (f.title, true),
            (f.code, false),
            (f.text_raw, false),
        ];
        Ok(ArticleScores::compute(
            &self.caches.articles,
            searcher,
            crate::parallel::executor(searcher, &self.tuning),
            &fields,
            &clauses,
            r.bm25(),
        )?
        .map(Arc::new))
    }
}
