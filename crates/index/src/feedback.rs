//! Pseudo-relevance feedback (RM3) for long, natural-language queries:
//! the words that characterise the first-pass top passages are added to the
//! query with a lower weight, so that passages saying the same thing in other
//! words rank higher.

use std::collections::HashMap;

use tantivy::Searcher;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::error::Result;
use crate::query::{Analyzers, Ranking};
use crate::schema::{Fields, tokens};
use crate::tuning::Tuning;

/// Whether a query of `active_words` words gets feedback terms.
pub(crate) fn applies(ranking: &Ranking, active_words: usize) -> bool {
    ranking.feedback_docs > 0
        && ranking.feedback_terms > 0
        && ranking.feedback_weight > 0.0
        && active_words >= ranking.feedback_min_words
}

/// Expands `q` with feedback terms when the ranking asks for it; otherwise
/// returns it as it is.
pub(crate) fn expand(
    searcher: &Searcher,
    tuning: &Tuning,
    fields: &Fields,
    ranking: &Ranking,
    analyzers: &mut Analyzers,
    active_words: usize,
    q: Box<dyn Query>,
) -> Result<Box<dyn Query>> {
    if !applies(ranking, active_words) {
        return Ok(q);
    }
    let top = crate::search::parallel::search(
        searcher,
        tuning,
        &*q,
        &TopDocs::with_limit(ranking.feedback_docs).order_by_score(),
    )?;
    if top.is_empty() {
        return Ok(q);
    }
    let total_score: f32 = top.iter().map(|(s, _)| *s).sum::<f32>().max(f32::EPSILON);
    // Relevance model: P(t|R) = sum over feedback docs of P(d|q) * P(t|d).
    let mut weights: HashMap<String, f32> = HashMap::new();
    for (score, addr) in &top {
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut len = 0u32;
        for field in [fields.text, fields.title] {
            for value in doc.get_all(field) {
                if let Some(text) = value.as_str() {
                    for (term, _, _) in tokens(&mut analyzers.stem, text) {
                        *counts.entry(term).or_insert(0) += 1;
                        len += 1;
                    }
                }
            }
        }
        let p_doc = score / total_score;
        for (term, tf) in counts {
            *weights.entry(term).or_insert(0.0) += p_doc * tf as f32 / len.max(1) as f32;
        }
    }
    // Terms in most passages say nothing about this query.
    let n = searcher.num_docs().max(1) as f32;
    let mut terms: Vec<(String, f32)> = weights
        .into_iter()
        .filter_map(|(t, w)| {
            let df = searcher
                .doc_freq(&Term::from_field_text(fields.text, &t))
                .ok()? as f32;
            (df > 0.0 && df / n <= ranking.feedback_max_df).then_some((t, w))
        })
        .collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(ranking.feedback_terms);
    let Some(max) = terms.first().map(|t| t.1) else {
        return Ok(q);
    };
    let expansion: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|(t, w)| {
            let tq = TermQuery::new(
                Term::from_field_text(fields.text, t),
                IndexRecordOption::WithFreqs,
            );
            (
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(tq), w / max)) as Box<dyn Query>,
            )
        })
        .collect();
    Ok(Box::new(BooleanQuery::new(vec![
        (Occur::Must, q),
        (
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(BooleanQuery::new(expansion)),
                ranking.feedback_weight,
            )),
        ),
    ])))
}
