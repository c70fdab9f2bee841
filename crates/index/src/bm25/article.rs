//! Article-level BM25 ([`Ranking::article_weight`](crate::Ranking::article_weight)):
//! in a long question, a passage's score gains its whole article's BM25
//! for the question's words, as if the article were one document (a word's
//! frequency summed over its passages, its length theirs, its title and
//! headings counted once, the idf counted in articles).
//!
//! A question is often answered by an article as a whole: one passage
//! names three of its words, the next the others. Passage scores alone
//! rank an article by its best passage; with this evidence the article
//! that holds the question across its passages leads the one that matches
//! more of it in one passage and nothing around it, and its passages come
//! in their own order after. The words are the passage query's (each
//! word's fields and boosts, a prefix's best expansion, a phrase's words,
//! the feedback terms), so an article of one passage scores as that
//! passage; when every article is one passage nothing is computed.
//!
//! The table of articles (each passage's article as a number, each
//! article's length per field) is built on the first long question of a
//! searcher generation and kept in the index's caches; each question then
//! reads its terms' postings once more, whole (tens of milliseconds at a
//! million passages: BENCHMARKS.md).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::postings::Postings;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, Executor, Score, Searcher, SegmentReader, TERMINATED, Term};

use super::{Bm25Params, idf};
use crate::fnv::FnvHashMap;

/// No article: a deleted passage, or one written without an article.
const NONE: u32 = u32::MAX;

/// Which article each passage belongs to, and each article's length, in
/// one searcher generation.
struct ArticleTable {
    /// The searcher generation: each segment with its deleted passages.
    key: Vec<(SegmentId, u32)>,
    /// Per segment (by id), the article number of each passage ([`NONE`]
    /// for deleted ones).
    segments: HashMap<SegmentId, Arc<[u32]>>,
    /// The fields measured, each with whether an article holds it once
    /// (its title and headings, repeated in each passage under them) or
    /// summed over its passages.
    fields: Vec<(Field, bool)>,
    /// How many article numbers there are (live or not).
    slots: usize,
    /// Per field, per article number, its length in words.
    lengths: Vec<Vec<u32>>,
    /// Articles with at least one live passage.
    count: u64,
    /// Live passages.
    passages: u64,
    /// Per field, the articles' average length in words.
    averages: Vec<f32>,
}

fn generation(searcher: &Searcher) -> Vec<(SegmentId, u32)> {
    searcher
        .segment_readers()
        .iter()
        .map(|s| (s.segment_id(), s.num_deleted_docs()))
        .collect()
}

impl ArticleTable {
    fn build(searcher: &Searcher, fields: &[(Field, bool)]) -> tantivy::Result<ArticleTable> {
        let mut columns = Vec::new();
        for segment in searcher.segment_readers() {
            columns.push(segment.fast_fields().str("article")?);
        }
        let keys: usize = columns.iter().flatten().map(|c| c.num_terms()).sum();
        let mut numbers: FnvHashMap<Box<[u8]>, u32> =
            FnvHashMap::with_capacity_and_hasher(keys, Default::default());
        let mut lengths: Vec<Vec<u32>> = vec![Vec::new(); fields.len()];
        let mut live: Vec<bool> = Vec::new();
        let mut passages = 0u64;
        let mut segments = HashMap::new();
        for (segment, column) in searcher.segment_readers().iter().zip(columns) {
            let mut docs = vec![NONE; segment.max_doc() as usize];
            if let Some(column) = column {
                let mut by_ord = Vec::with_capacity(column.num_terms());
                // The dictionary in order, streamed (an ordinal looked up
                // alone decodes its whole block).
                let mut keys = column.dictionary().stream()?;
                while keys.advance() {
                    let next = numbers.len() as u32;
                    let number = match numbers.get(keys.key()) {
                        Some(&n) => n,
                        None => {
                            numbers.insert(keys.key().into(), next);
                            next
                        }
                    };
                    if number as usize == live.len() {
                        live.push(false);
                        for l in &mut lengths {
                            l.push(0);
                        }
                    }
                    by_ord.push(number);
                }
                let norms = fields
                    .iter()
                    .map(|(f, _)| segment.get_fieldnorms_reader(*f))
                    .collect::<tantivy::Result<Vec<_>>>()?;
                for doc in segment.doc_ids_alive() {
                    let Some(ord) = column.term_ords(doc).next() else {
                        continue;
                    };
                    let number = by_ord[ord as usize];
                    docs[doc as usize] = number;
                    passages += 1;
                    let n = number as usize;
                    live[n] = true;
                    for ((l, norm), (_, once)) in lengths.iter_mut().zip(&norms).zip(fields) {
                        let words = norm.fieldnorm(doc);
                        l[n] = if *once { l[n].max(words) } else { l[n] + words };
                    }
                }
            }
            segments.insert(segment.segment_id(), docs.into());
        }
        let count = live.iter().filter(|&&l| l).count().max(1) as u64;
        // A summed field's words as Tantivy counts them (its lengths are
        // encoded with a loss above 40), so that an article of one passage
        // scores as the passage does; a field held once, from its lengths.
        let mut averages = Vec::with_capacity(fields.len());
        for (l, &(field, once)) in lengths.iter().zip(fields) {
            let total: u64 = if once {
                l.iter().map(|&l| u64::from(l)).sum()
            } else {
                let mut total = 0;
                for segment in searcher.segment_readers() {
                    total += segment.inverted_index(field)?.total_num_tokens();
                }
                total
            };
            averages.push((total as f32 / count as f32).max(1.0));
        }
        Ok(ArticleTable {
            key: generation(searcher),
            segments,
            fields: fields.to_vec(),
            slots: live.len(),
            lengths,
            count,
            passages,
            averages,
        })
    }
}

/// The article table of the last searcher generation searched (built on
/// the first long question after each commit: at a million passages, tens
/// of milliseconds).
#[derive(Default)]
pub(crate) struct ArticleTables {
    last: Mutex<Option<Arc<ArticleTable>>>,
}

impl ArticleTables {
    fn get(
        &self,
        searcher: &Searcher,
        fields: &[(Field, bool)],
    ) -> tantivy::Result<Arc<ArticleTable>> {
        let key = generation(searcher);
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(table) = last.as_ref().filter(|t| t.key == key && t.fields == fields) {
            return Ok(Arc::clone(table));
        }
        let table = Arc::new(ArticleTable::build(searcher, fields)?);
        *last = Some(Arc::clone(&table));
        Ok(table)
    }
}

/// Terms whose article scores add up (or, with `max`, of which the best
/// counts, as a prefix's expansions do in a passage's score), each in a
/// field with a boost: one word of a query, as the passage query scores it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clause {
    /// Field, stemmed or raw term, boost.
    pub(crate) terms: Vec<(Field, String, f32)>,
    /// Only the best term's score counts.
    pub(crate) max: bool,
}

/// The frequency of `word` in each article that has it, in `field` (the
/// most in one passage for a field an article holds once).
fn article_freqs(
    searcher: &Searcher,
    table: &ArticleTable,
    (field, once): (Field, bool),
    word: &str,
) -> tantivy::Result<Vec<(u32, u32)>> {
    let mut freqs = vec![0u32; table.slots];
    let mut touched: Vec<u32> = Vec::new();
    let term = Term::from_field_text(field, word);
    for segment in searcher.segment_readers() {
        let Some(docs) = table.segments.get(&segment.segment_id()) else {
            continue;
        };
        let Some(mut postings) = segment
            .inverted_index(field)?
            .read_postings(&term, IndexRecordOption::WithFreqs)?
        else {
            continue;
        };
        let mut doc = postings.doc();
        while doc != TERMINATED {
            let article = docs[doc as usize];
            if article != NONE {
                let f = &mut freqs[article as usize];
                if *f == 0 {
                    touched.push(article);
                }
                let tf = postings.term_freq();
                *f = if once { (*f).max(tf) } else { *f + tf };
            }
            doc = postings.advance();
        }
    }
    Ok(touched
        .into_iter()
        .map(|a| (a, freqs[a as usize]))
        .collect())
}

/// Adds the best score of a clause's terms to each article's, and clears
/// them for the next clause.
fn flush_best(scores: &mut [f32], best: &mut [f32], touched: &mut Vec<u32>) {
    for &article in touched.iter() {
        let a = article as usize;
        scores[a] += best[a];
        best[a] = 0.0;
    }
    touched.clear();
}

/// Each article's BM25 for a query's words.
pub(crate) struct ArticleScores {
    table: Arc<ArticleTable>,
    /// Per article number (0 for articles without a query word).
    scores: Vec<f32>,
}

impl ArticleScores {
    /// The BM25 of every article for `clauses`, with `params`; `fields`
    /// are every field the clauses name, each with whether an article
    /// holds it once (its title and headings, repeated in its passages)
    /// rather than summed over its passages. `None` when every article is one passage: each
    /// article's score would be its passage's.
    pub(crate) fn compute(
        tables: &ArticleTables,
        searcher: &Searcher,
        executor: &Executor,
        fields: &[(Field, bool)],
        clauses: &[Clause],
        params: Bm25Params,
    ) -> tantivy::Result<Option<ArticleScores>> {
        let table = tables.get(searcher, fields)?;
        if table.passages <= table.count {
            return Ok(None);
        }
        // Each term's frequencies per article, once per term however many
        // clauses name it (a feedback term is often a query word), the
        // terms on the executor's threads.
        let mut terms: Vec<(usize, usize, f32)> = Vec::new();
        let mut distinct: Vec<(usize, &str)> = Vec::new();
        for (c, clause) in clauses.iter().enumerate() {
            for (field, word, boost) in &clause.terms {
                let Some(i) = fields.iter().position(|(f, _)| f == field) else {
                    continue;
                };
                let t = match distinct.iter().position(|&(j, w)| j == i && w == word) {
                    Some(t) => t,
                    None => {
                        distinct.push((i, word));
                        distinct.len() - 1
                    }
                };
                terms.push((c, t, *boost));
            }
        }
        let counted = executor.map(
            |&(i, word)| article_freqs(searcher, &table, fields[i], word),
            distinct.iter(),
        )?;
        let slots = table.slots;
        let mut scores = vec![0.0f32; slots];
        let mut best = vec![0.0f32; slots];
        let mut best_touched: Vec<u32> = Vec::new();
        let mut clause = None;
        for &(c, t, boost) in &terms {
            if clause != Some(c) {
                flush_best(&mut scores, &mut best, &mut best_touched);
                clause = Some(c);
            }
            let (i, freqs) = (distinct[t].0, &counted[t]);
            let max = clauses[c].max;
            let weight =
                boost * idf(freqs.len() as u64, table.count, params.idf_power) * (1.0 + params.k1);
            let lengths = &table.lengths[i];
            let average = table.averages[i];
            for &(article, tf) in freqs {
                let a = article as usize;
                let length = lengths[a] as f32;
                let norm = params.length_norm(length, average);
                let tf = tf as f32;
                let score = weight * tf / (tf + norm);
                if max {
                    if best[a] == 0.0 {
                        best_touched.push(article);
                    }
                    best[a] = best[a].max(score);
                } else {
                    scores[a] += score;
                }
            }
        }
        flush_best(&mut scores, &mut best, &mut best_touched);
        Ok(Some(ArticleScores { table, scores }))
    }

    /// The score of the article of the passage at `addr`.
    pub(crate) fn of_passage(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> f32 {
        self.docs(searcher.segment_reader(addr.segment_ord))
            .map_or(0.0, |docs| self.of(&docs, addr.doc_id))
    }

    /// The article number of each passage of `segment`.
    fn docs(&self, segment: &SegmentReader) -> Option<Arc<[u32]>> {
        self.table.segments.get(&segment.segment_id()).cloned()
    }

    /// The score of the article of passage `doc` of a segment.
    fn of(&self, docs: &[u32], doc: DocId) -> f32 {
        match docs.get(doc as usize) {
            Some(&article) if article != NONE => self.scores[article as usize],
            _ => 0.0,
        }
    }
}

/// A query whose scores gain `weight` times the BM25 of each passage's
/// article.
pub(crate) struct ArticleBoostQuery {
    inner: Box<dyn Query>,
    scores: Arc<ArticleScores>,
    weight: f32,
}

impl ArticleBoostQuery {
    /// `inner`, each passage's score plus `weight` times its article's in
    /// `scores`.
    pub(crate) fn new(inner: Box<dyn Query>, scores: Arc<ArticleScores>, weight: f32) -> Self {
        ArticleBoostQuery {
            inner,
            scores,
            weight,
        }
    }
}

impl Clone for ArticleBoostQuery {
    fn clone(&self) -> Self {
        ArticleBoostQuery {
            inner: self.inner.box_clone(),
            scores: Arc::clone(&self.scores),
            weight: self.weight,
        }
    }
}

impl std::fmt::Debug for ArticleBoostQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArticleBoostQuery")
            .field("inner", &self.inner)
            .field("weight", &self.weight)
            .finish_non_exhaustive()
    }
}

impl Query for ArticleBoostQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(ArticleBoostWeight {
            inner: self.inner.weight(scoring)?,
            scores: Arc::clone(&self.scores),
            weight: self.weight,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

struct ArticleBoostWeight {
    inner: Box<dyn Weight>,
    scores: Arc<ArticleScores>,
    weight: f32,
}

impl Weight for ArticleBoostWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let inner = self.inner.scorer(reader, boost)?;
        let Some(docs) = self.scores.docs(reader) else {
            return Ok(inner);
        };
        Ok(Box::new(ArticleBoostScorer {
            inner,
            docs,
            scores: Arc::clone(&self.scores),
            weight: self.weight * boost,
        }))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let inner = self.inner.explain(reader, doc)?;
        let article = self
            .scores
            .docs(reader)
            .map_or(0.0, |docs| self.scores.of(&docs, doc));
        let mut out = Explanation::new(
            "passage + weight × article BM25",
            inner.value() + self.weight * article,
        );
        out.add_detail(inner);
        out.add_const("weight (article_weight)", self.weight);
        out.add_const("article BM25 of the query's words", article);
        Ok(out)
    }
}

struct ArticleBoostScorer {
    inner: Box<dyn Scorer>,
    docs: Arc<[u32]>,
    scores: Arc<ArticleScores>,
    weight: f32,
}

impl DocSet for ArticleBoostScorer {
    fn advance(&mut self) -> DocId {
        self.inner.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.inner.seek(target)
    }

    fn doc(&self) -> DocId {
        self.inner.doc()
    }

    fn size_hint(&self) -> u32 {
        self.inner.size_hint()
    }
}

impl Scorer for ArticleBoostScorer {
    fn score(&mut self) -> Score {
        let article = self.scores.of(&self.docs, self.inner.doc());
        self.inner.score() + self.weight * article
    }
}
#[cfg(test)]
mod tests;
