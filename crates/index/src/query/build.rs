//! The Tantivy query of a plan: the reference the tiered evaluation
//! matches, and the query of phrases and long questions.

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhraseQuery,
    Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::parse::{Analyzers, Plan};
use super::ranking::Ranking;
use super::spec::{
    Source, WordSpec, bm25_fields, excluded_sources, fuzzy_query, topic_sources, word_specs,
};
use crate::bm25::Bm25Query;
use crate::schema::Fields;

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        queries
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(EmptyQuery))
    } else {
        Box::new(BooleanQuery::union(queries))
    }
}

fn constant(q: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, score))
}

/// BM25 on the stemmed fields, weighted by field.
pub(crate) fn bm25(f: &Fields, r: &Ranking, stem: &str, weight: f32) -> Box<dyn Query> {
    let clauses: Vec<Box<dyn Query>> = bm25_fields(f, r, weight)
        .into_iter()
        .map(|(field, boost)| {
            Box::new(Bm25Query::new(term(field, stem), boost, r.bm25())) as Box<dyn Query>
        })
        .collect();
    any_of(clauses)
}

impl Source {
    pub(crate) fn query(&self, f: &Fields) -> Box<dyn Query> {
        match self {
            Source::Term(field, text) => {
                Box::new(TermQuery::new(term(*field, text), IndexRecordOption::Basic))
            }
            Source::Fuzzy {
                field,
                text,
                distance,
                prefix,
            } => Box::new(fuzzy_query(term(*field, text), *distance, *prefix)),
            Source::Phrase(words) => phrase_query(f.text_raw, words),
        }
    }
}

impl WordSpec {
    fn query(&self, f: &Fields, r: &Ranking) -> Box<dyn Query> {
        let tiers: Vec<Box<dyn Query>> = self
            .tiers
            .iter()
            .map(|t| {
                constant(
                    any_of(t.sources.iter().map(|s| s.query(f)).collect()),
                    t.score,
                )
            })
            .collect();
        let best_tier: Box<dyn Query> = Box::new(DisjunctionMaxQuery::new(tiers));
        let mut scored: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, best_tier)];
        if !self.bm25.is_empty() {
            let clauses = self
                .bm25
                .iter()
                .map(|(field, stem, boost)| {
                    Box::new(Bm25Query::new(term(*field, stem), *boost, r.bm25())) as Box<dyn Query>
                })
                .collect();
            scored.push((Occur::Should, any_of(clauses)));
        }
        if !self.expansions.is_empty() {
            let expansions = self
                .expansions
                .iter()
                .map(|e| {
                    Box::new(Bm25Query::new(term(f.text_raw, e), 1.0, r.bm25())) as Box<dyn Query>
                })
                .collect();
            scored.push((
                Occur::Should,
                Box::new(DisjunctionMaxQuery::new(expansions)),
            ));
        }
        if scored.len() == 1 {
            scored
                .pop()
                .map_or_else(|| Box::new(EmptyQuery) as Box<dyn Query>, |(_, q)| q)
        } else {
            Box::new(BooleanQuery::new(scored))
        }
    }
}

pub(crate) fn phrase_query(field: Field, words: &[String]) -> Box<dyn Query> {
    if let [word] = words {
        Box::new(TermQuery::new(
            term(field, word),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new(
            words.iter().map(|w| term(field, w)).collect(),
        ))
    }
}

/// Builds the Tantivy query for a plan, restricted to `topics` when given
/// (a passage needs one of them). A browse plan matches every passage.
pub(crate) fn build(
    f: &Fields,
    r: &Ranking,
    analyzers: &mut Analyzers,
    plan: &Plan,
    topics: &[String],
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let words: Vec<Box<dyn Query>> = word_specs(f, r, analyzers, plan)
        .iter()
        .map(|spec| spec.query(f, r))
        .collect();
    if !words.is_empty() {
        clauses.push((Occur::Must, Box::new(BooleanQuery::union(words))));
    }
    let active = plan.active_words();
    let r = &r.for_query(active);
    // In a long question (read as natural language, not as query syntax), a
    // quoted phrase is a bonus, not a requirement: a pasted paragraph that
    // quotes a few words still finds the passages about it.
    let phrase_occur = if active > r.strict_words {
        Occur::Should
    } else {
        Occur::Must
    };
    for phrase in &plan.phrases {
        clauses.push((phrase_occur, phrase_query(f.text_raw, phrase)));
        for stem in analyzers.phrase_stems(phrase) {
            clauses.push((Occur::Should, bm25(f, r, &stem, 1.0)));
        }
    }
    if clauses.is_empty() {
        clauses.push((Occur::Must, constant(Box::new(AllQuery), 0.0)));
    }
    for sources in excluded_sources(f, plan) {
        clauses.push((
            Occur::MustNot,
            any_of(sources.iter().map(|s| s.query(f)).collect()),
        ));
    }
    if !topics.is_empty() {
        let filter = any_of(
            topic_sources(f, topics)
                .iter()
                .map(|s| s.query(f))
                .collect(),
        );
        clauses.push((Occur::Must, constant(filter, 0.0)));
    }
    Box::new(BooleanQuery::new(clauses))
}
