//! Pseudo-relevance feedback (RM3) for long, natural-language queries:
//! the words that characterise the first-pass top passages are added to the
//! query with a lower weight, so that passages saying the same thing in other
//! words rank higher.
//!
//! The first pass is the caller's: [`terms`] reads its top passages and
//! [`expand`] adds what it found to the query.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query};
use tantivy::schema::Value;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::bm25::Bm25Query;
use crate::error::Result;
use crate::query::{Analyzers, Ranking};
use crate::schema::{Fields, tokens};

/// Whether a query of `active_words` words gets feedback terms.
pub(crate) fn applies(ranking: &Ranking, active_words: usize) -> bool {
    ranking.feedback_docs > 0
        && ranking.feedback_terms > 0
        && ranking.feedback_weight > 0.0
        && active_words >= ranking.feedback_min_words
}

/// A word added to a query by feedback.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FeedbackTerm {
    /// The stemmed word, as the `text` field holds it.
    pub text: String,
    /// Its weight relative to the best feedback term (which has 1), before
    /// [`Ranking::feedback_weight`].
    pub weight: f32,
}

/// The feedback terms of a first pass (`top`: the best
/// [`Ranking::feedback_docs`] passages of the query, with their scores),
/// best first; none when the pass found nothing.
pub(crate) fn terms(
    searcher: &Searcher,
    fields: &Fields,
    ranking: &Ranking,
    analyzers: &mut Analyzers,
    top: &[(f32, DocAddress)],
) -> Result<Vec<FeedbackTerm>> {
    if top.is_empty() {
        return Ok(Vec::new());
    }
    let total_score: f32 = top.iter().map(|(s, _)| *s).sum::<f32>().max(f32::EPSILON);
    // Relevance model: P(t|R) = sum over feedback docs of P(d|q) * P(t|d).
    let mut weights: HashMap<String, f32> = HashMap::new();
    for (score, addr) in top {
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
        // P(t|d), discounted for short passages.
        let length = len.max(1) as f32 + ranking.feedback_smoothing.max(0.0);
        for (term, tf) in counts {
            *weights.entry(term).or_insert(0.0) += p_doc * tf as f32 / length;
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
        return Ok(Vec::new());
    };
    Ok(terms
        .into_iter()
        .map(|(text, w)| FeedbackTerm {
            text,
            weight: w / max,
        })
        .collect())
}

/// `q` with the feedback terms as optional clauses, weighted by
/// [`Ranking::feedback_weight`]; `q` itself when there are none.
pub(crate) fn expand(
    fields: &Fields,
    ranking: &Ranking,
    q: Box<dyn Query>,
    terms: &[FeedbackTerm],
) -> Box<dyn Query> {
    if terms.is_empty() {
        return q;
    }
    let expansion: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|t| {
            let tq = Bm25Query::new(
                Term::from_field_text(fields.text, &t.text),
                t.weight,
                ranking.bm25(),
            );
            (Occur::Should, Box::new(tq) as Box<dyn Query>)
        })
        .collect();
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, q),
        (
            Occur::Should,
            Box::new(BoostQuery::new(
                Box::new(BooleanQuery::new(expansion)),
                ranking.feedback_weight,
            )),
        ),
    ]))
}

#[cfg(test)]
mod tests {
    use tantivy::schema::Value;
    use tantivy::{DocAddress, TantivyDocument};

    use super::{applies, terms};
    use crate::query::{Analyzers, Ranking};
    use crate::{ContentSource, NeedleIndex, ReindexOptions};

    /// An index of a short passage, a long one and eight others.
    fn index() -> NeedleIndex {
        let mut lines = vec![
            r#"{"_id": "short", "text": "quasar pulsar"}"#.to_owned(),
            format!(
                r#"{{"_id": "long", "text": "nebula nebula nebula nebula {}"}}"#,
                (0..36)
                    .map(|i| format!("w{i}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        ];
        for i in 0..8 {
            lines.push(format!(
                r#"{{"_id": "other{i}", "text": "filler{i} padding{i}"}}"#
            ));
        }
        let index = NeedleIndex::in_memory().unwrap();
        let content = ContentSource::memory([("c.jsonl", lines.join("\n"))]);
        index.reindex(&content, &ReindexOptions::default()).unwrap();
        index
    }

    fn address(index: &NeedleIndex, id: &str) -> DocAddress {
        let searcher = index.reader.searcher();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..segment.max_doc() {
                let addr = DocAddress::new(u32::try_from(ord).unwrap(), doc);
                let stored: TantivyDocument = searcher.doc(addr).unwrap();
                if stored
                    .get_first(index.fields.article)
                    .and_then(|v| v.as_str())
                    == Some(id)
                {
                    return addr;
                }
            }
        }
        panic!("no passage of {id}");
    }

    /// Guards: by default every query past the tiered length gets
    /// feedback, with no length between read as plain BM25 (a 5-word
    /// question had none: Cranfield, CISI and CACM gain from it).
    #[test]
    fn feedback_starts_where_tiers_end() {
        let r = Ranking::default();
        assert!(!applies(&r, r.strict_words));
        assert!(applies(&r, r.strict_words + 1));
        let none = Ranking {
            feedback_docs: 0,
            ..r
        };
        assert!(!applies(&none, r.strict_words + 1));
    }

    /// Guards: a short passage's few words do not outweigh a longer
    /// passage's main word once feedback smooths by length; without
    /// smoothing they did (1 in 3 words against 4 in 41).
    #[test]
    fn smoothing_keeps_a_short_passage_from_leading_feedback() {
        let index = index();
        let searcher = index.reader.searcher();
        let top = [
            (1.0, address(&index, "short")),
            (1.0, address(&index, "long")),
        ];
        let first = |smoothing: f32| {
            let ranking = Ranking {
                feedback_smoothing: smoothing,
                ..Ranking::default()
            };
            let found = terms(
                &searcher,
                &index.fields,
                &ranking,
                &mut Analyzers::new(),
                &top,
            )
            .unwrap();
            assert_eq!(found[0].weight, 1.0);
            found[0].text.clone()
        };
        assert_eq!(first(0.0), "pulsar");
        assert_eq!(first(50.0), "nebula");
    }
}
