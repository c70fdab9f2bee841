//! Explanations of hits ([`SearchRequest::explain`](super::SearchRequest::explain)):
//! the words' part from the tiered weight, then the phrases and the
//! feedback terms from the explanations of their clauses.

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Searcher, Term};

use crate::bm25::{ArticleScores, Bm25Query};
use crate::error::Result;
use crate::explain::{Explanation, FeedbackTerm, PhraseMatch, RankingKind};
use crate::feedback;
use crate::query::{self, Analyzers, Plan};
use crate::tiered::{self, TieredQuery};

/// What a search found beside the plan: its feedback terms and article
/// scores.
pub(super) struct Found<'a> {
    pub(super) feedback: &'a [feedback::FeedbackTerm],
    pub(super) articles: Option<&'a ArticleScores>,
}

/// Why each of `hits` (score and address) ranked where it did, for the
/// plan (its prefixes expanded) and what its search `found`, with the
/// index's `cx`.
pub(super) fn explain(
    cx: tiered::Context<'_>,
    searcher: &Searcher,
    analyzers: &mut Analyzers,
    plan: &Plan,
    found: Found<'_>,
    hits: &[(f32, DocAddress)],
) -> Result<Vec<Explanation>> {
    let feedback = found.feedback;
    let f = cx.fields;
    let r = &cx.ranking.for_query(plan.active_words());
    let words = TieredQuery::new(cx, analyzers, plan, &[])
        .tiered_weight(EnableScoring::enabled_from_searcher(searcher))?;
    let ranking = if plan.active_words() <= r.strict_words {
        RankingKind::Tiered
    } else {
        RankingKind::NaturalLanguage
    };
    // A phrase scores as a phrase, and its words by BM25.
    let phrases: Vec<(String, Vec<Box<dyn Query>>)> = plan
        .phrases
        .iter()
        .map(|phrase| {
            let mut clauses = vec![query::phrase_query(f.text_raw, phrase)];
            clauses.extend(
                analyzers
                    .phrase_stems(phrase)
                    .iter()
                    .map(|stem| query::bm25(f, r, stem, 1.0)),
            );
            (phrase.join(" "), clauses)
        })
        .collect();
    let mut out = Vec::with_capacity(hits.len());
    for &(score, addr) in hits {
        let reader = searcher.segment_reader(addr.segment_ord);
        let words = words
            .explain_words(reader, addr.doc_id)?
            .unwrap_or_default();
        let mut e = Explanation::new(score, ranking);
        e.tier = words
            .iter()
            .filter(|w| w.matched.is_some())
            .map(|w| w.tier)
            .sum();
        e.words_matched = words.iter().filter(|w| w.matched.is_some()).count();
        e.words = words;
        for (phrase, clauses) in &phrases {
            let mut matched = false;
            let mut score = 0.0f32;
            for (i, clause) in clauses.iter().enumerate() {
                if let Ok(x) = clause.explain(searcher, addr) {
                    matched |= i == 0;
                    score += x.value();
                }
            }
            e.phrases.push(PhraseMatch {
                phrase: phrase.clone(),
                matched,
                score,
            });
        }
        for t in feedback {
            let weight = t.weight * r.feedback_weight;
            let term = Bm25Query::new(Term::from_field_text(f.text, &t.text), 1.0, r.bm25());
            let score = term
                .explain(searcher, addr)
                .map_or(0.0, |x| x.value() * weight);
            e.feedback.push(FeedbackTerm {
                term: t.text.clone(),
                weight,
                score,
            });
        }
        if let Some(articles) = found.articles {
            e.article = r.article_weight * articles.of_passage(searcher, addr);
        }
        out.push(e);
    }
    Ok(out)
}
