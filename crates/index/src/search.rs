//! Searching: requests, results, hits with highlights, topic and article lists.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Collector, Count, SegmentCollector, TopDocs};
use tantivy::columnar::StrColumn;
use tantivy::query::{AllQuery, Query};
use tantivy::schema::Value;
use tantivy::{
    DocAddress, DocId, Order, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument,
};

use crate::content::{Passage, default_label};
use crate::error::{Error, Result};
use crate::index::NeedleIndex;
use crate::query::{self, Matcher, Plan};

/// A search: the query as typed, topic filters, and the page wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    /// The query, in needle's query language (see the crate docs).
    pub query: String,
    /// Only passages with one of these topics (none: all passages).
    pub topics: Vec<String>,
    /// How many hits to return (at least 1).
    pub limit: usize,
    /// How many hits to skip, for paging.
    pub offset: usize,
    /// Also count, per topic, the passages the query matches (ignoring the
    /// topic filter), as topic tabs show.
    pub count_topics: bool,
}

impl SearchRequest {
    /// A request for the first 10 hits of `query`, in every topic.
    #[must_use]
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            topics: Vec::new(),
            limit: 10,
            offset: 0,
            count_topics: false,
        }
    }

    /// Restricts the search to a topic (call again for more: a passage needs one of them).
    #[must_use]
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topics.push(topic.into());
        self
    }

    /// Sets how many hits to return.
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sets how many hits to skip.
    #[must_use]
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// Asks for per-topic counts.
    #[must_use]
    pub fn count_topics(mut self, yes: bool) -> Self {
        self.count_topics = yes;
        self
    }
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    /// 1-based rank, counting from the first page.
    pub rank: usize,
    /// Relevance score (0 when browsing with an empty query).
    pub score: f32,
    /// The passage.
    #[serde(flatten)]
    pub passage: Passage,
    /// `[start, end)` offsets, in characters (Unicode scalar values), of
    /// every matched word of [`Passage::text`]: exact, stemmed, synonym,
    /// prefix and typo matches alike.
    pub highlights: Vec<[usize; 2]>,
}

impl Hit {
    /// The highlights as byte ranges into the passage text, for slicing a `&str`.
    #[must_use]
    pub fn highlight_byte_ranges(&self) -> Vec<Range<usize>> {
        char_to_byte_ranges(&self.passage.text, &self.highlights)
    }
}

/// Converts `[start, end)` character offsets into byte ranges of `text`.
/// Offsets past the end are clamped to it.
#[must_use]
pub fn char_to_byte_ranges(text: &str, ranges: &[[usize; 2]]) -> Vec<Range<usize>> {
    let mut boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    boundaries.push(text.len());
    let at = |c: usize| boundaries[c.min(boundaries.len() - 1)];
    ranges.iter().map(|[s, e]| at(*s)..at(*e)).collect()
}

/// A topic and how many passages have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicCount {
    /// The topic's name, as filters use it.
    pub name: String,
    /// The topic's label, for people.
    pub label: String,
    /// Passages with the topic (matching the query, in search results).
    pub count: u64,
}

/// The results of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// The topic filters applied (from the request and `topic:` in the query).
    pub topics: Vec<String>,
    /// How many passages match in all (not only this page).
    pub total: usize,
    /// Milliseconds the search took, highlights included.
    pub took_ms: f64,
    /// This page of hits, best first.
    pub hits: Vec<Hit>,
    /// Per-topic counts of matching passages, when asked for; topics in
    /// display order, zero counts included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_counts: Option<Vec<TopicCount>>,
}

/// An article of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArticleInfo {
    /// The article id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The source file, relative to the content root.
    pub path: String,
    /// How many passages it has.
    pub passages: u32,
}

impl NeedleIndex {
    /// Runs a search. An empty query (or one with only exclusions and
    /// filters) lists passages in article order.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for a limit of 0; [`Error::UnknownTopic`]
    /// when a topic of `request.topics` is not in the index (a `topic:` typed
    /// in the query is lenient: it just matches nothing).
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        if request.limit == 0 {
            return Err(Error::InvalidRequest(
                "the limit must be at least 1".to_owned(),
            ));
        }
        let searcher = self.reader.searcher();
        let snapshot = self.snapshot(&searcher)?;
        let mut analyzers = self.analyzers.clone();
        let plan = query::parse(&request.query, &mut analyzers, &snapshot.synonyms);

        let mut topics: Vec<String> = Vec::new();
        if !request.topics.is_empty() {
            let known = self.topic_names(&searcher)?;
            for t in &request.topics {
                let t = t.trim().to_lowercase();
                if !known.contains(&t) {
                    return Err(Error::UnknownTopic { topic: t, known });
                }
                if !topics.contains(&t) {
                    topics.push(t);
                }
            }
        }
        for t in &plan.topics {
            if !topics.contains(t) {
                topics.push(t.clone());
            }
        }

        let q = self.ranked_query(&searcher, &mut analyzers, &plan, &topics)?;
        let (total, scored) = self.collect(&searcher, &*q, &plan, request.limit, request.offset)?;

        let matcher = Matcher::new(&plan, &mut analyzers);
        let mut hits = Vec::with_capacity(scored.len());
        for (i, (score, addr)) in scored.into_iter().enumerate() {
            let passage = self.passage_at(&searcher, addr)?;
            let highlights = if plan.is_browse() {
                Vec::new()
            } else {
                byte_to_char_ranges(
                    &passage.text,
                    &matcher.byte_ranges(&mut analyzers, &passage.text),
                )
            };
            hits.push(Hit {
                rank: request.offset + i + 1,
                score,
                passage,
                highlights,
            });
        }

        let topic_counts = if request.count_topics {
            let unfiltered: Box<dyn Query> = if topics.is_empty() {
                q
            } else {
                query::build(
                    &self.fields,
                    &self.ranking,
                    &mut analyzers,
                    &plan_without_topics(&plan),
                    &[],
                )
            };
            let counts = searcher.search(&*unfiltered, &TopicCounter)?;
            Some(self.ordered_topic_counts(&snapshot.manifest.topics, &counts))
        } else {
            None
        };

        Ok(SearchResults {
            query: request.query.clone(),
            topics,
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            topic_counts,
        })
    }

    /// The query for a plan, with feedback terms for long queries.
    fn ranked_query(
        &self,
        searcher: &Searcher,
        analyzers: &mut query::Analyzers,
        plan: &Plan,
        topics: &[String],
    ) -> Result<Box<dyn Query>> {
        let mut plan = plan.clone();
        if !plan.is_browse() {
            query::expand_prefixes(&mut plan, searcher, &self.fields)?;
        }
        let plan = &plan;
        let q = query::build(&self.fields, &self.ranking, analyzers, plan, topics);
        if plan.is_browse() {
            return Ok(q);
        }
        let active = plan.words.iter().filter(|w| w.active).count();
        crate::feedback::expand(searcher, &self.fields, &self.ranking, analyzers, active, q)
    }

    /// The page of (score, address) a query selects, and the total.
    fn collect(
        &self,
        searcher: &Searcher,
        q: &dyn Query,
        plan: &Plan,
        limit: usize,
        offset: usize,
    ) -> Result<(usize, Vec<(f32, DocAddress)>)> {
        // The collector allocates room for `limit + offset` hits up front: a
        // huge `--limit` or `--offset` aborted the process for lack of memory.
        // Never ask for more than the index holds.
        let docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let offset = offset.min(docs);
        let limit = limit.min(docs - offset).max(1);
        Ok(if plan.is_browse() {
            let collector = TopDocs::with_limit(limit).and_offset(offset).order_by((
                (SortByString::for_field("article"), Order::Asc),
                (
                    SortByStaticFastValue::<u64>::for_field("ordinal"),
                    Order::Asc,
                ),
            ));
            let (total, docs) = searcher.search(q, &(Count, collector))?;
            (
                total,
                docs.into_iter().map(|(_, addr)| (0.0, addr)).collect(),
            )
        } else {
            // Equal scores (prefix and typo tiers score flat) go in article
            // order, so a ranking never depends on how segments were split.
            let collector = TopDocs::with_limit(limit).and_offset(offset).order_by((
                (SortBySimilarityScore, Order::Desc),
                (
                    SortByStaticFastValue::<u64>::for_field("ordinal"),
                    Order::Asc,
                ),
            ));
            let (total, docs) = searcher.search(q, &(Count, collector))?;
            (
                total,
                docs.into_iter()
                    .map(|((score, _), addr)| (score, addr))
                    .collect(),
            )
        })
    }

    /// The ids of the passages (or, with `passages` false, of the articles,
    /// each at the rank of its best passage) a search ranks, best first:
    /// the same ranking as [`search`](Self::search), without fetching texts.
    pub(crate) fn rank_ids(&self, request: &SearchRequest, passages: bool) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let snapshot = self.snapshot(&searcher)?;
        let mut analyzers = self.analyzers.clone();
        let plan = query::parse(&request.query, &mut analyzers, &snapshot.synonyms);
        let q = self.ranked_query(&searcher, &mut analyzers, &plan, &request.topics)?;
        let (_, scored) = self.collect(&searcher, &*q, &plan, request.limit, request.offset)?;
        let field = if passages { "id" } else { "article" };
        let mut out = Vec::with_capacity(scored.len());
        let mut seen = std::collections::HashSet::new();
        let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
        let mut value = String::new();
        for (_, addr) in scored {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .str(field)?,
                ),
            };
            let Some(column) = column else { continue };
            if let Some(ord) = column.term_ords(addr.doc_id).next()
                && column.ord_to_str(ord, &mut value).unwrap_or(false)
                && seen.insert(value.clone())
            {
                out.push(value.clone());
            }
        }
        Ok(out)
    }

    /// Every passage id in the index.
    pub(crate) fn all_passage_ids(&self) -> Result<std::collections::HashSet<String>> {
        let searcher = self.reader.searcher();
        let mut ids = std::collections::HashSet::new();
        for segment in searcher.segment_readers() {
            let Some(column) = segment.fast_fields().str("id")? else {
                continue;
            };
            let mut value = String::new();
            for doc in segment.doc_ids_alive() {
                for ord in column.term_ords(doc) {
                    if column.ord_to_str(ord, &mut value).unwrap_or(false) {
                        ids.insert(value.clone());
                    }
                }
            }
        }
        Ok(ids)
    }

    /// Every topic of the index with its passage count, in display order
    /// (the order of `topics.toml`, then other topics by name).
    ///
    /// # Errors
    /// When the index cannot be read.
    pub fn topics(&self) -> Result<Vec<TopicCount>> {
        let searcher = self.reader.searcher();
        let snapshot = self.snapshot(&searcher)?;
        let counts = searcher.search(&AllQuery, &TopicCounter)?;
        Ok(self
            .ordered_topic_counts(&snapshot.manifest.topics, &counts)
            .into_iter()
            .filter(|t| t.count > 0)
            .collect())
    }

    /// Every article of the index, by id.
    ///
    /// # Errors
    /// When the index cannot be read.
    pub fn articles(&self) -> Result<Vec<ArticleInfo>> {
        let searcher = self.reader.searcher();
        let snapshot = self.snapshot(&searcher)?;
        let mut out: Vec<ArticleInfo> = snapshot
            .manifest
            .files
            .iter()
            .flat_map(|(path, f)| {
                f.articles.iter().map(move |a| ArticleInfo {
                    id: a.id.clone(),
                    title: a.title.clone(),
                    path: path.clone(),
                    passages: a.passages,
                })
            })
            .collect();
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// How many passages the index holds.
    #[must_use]
    pub fn passage_count(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// The topics a filter may name: those defined in `topics.toml` and those
    /// in the index's term dictionary (read without visiting any passage).
    fn topic_names(&self, searcher: &Searcher) -> Result<Vec<String>> {
        let snapshot = self.snapshot(searcher)?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(self.fields.topics)?;
            let mut terms = inverted
                .terms()
                .stream()
                .map_err(tantivy::TantivyError::from)?;
            while terms.advance() {
                if let Ok(name) = std::str::from_utf8(terms.key()) {
                    counts.entry(name.to_owned()).or_insert(1);
                }
            }
        }
        Ok(self
            .ordered_topic_counts(&snapshot.manifest.topics, &counts)
            .into_iter()
            .map(|t| t.name)
            .collect())
    }

    fn ordered_topic_counts(
        &self,
        defs: &[crate::content::TopicDef],
        counts: &HashMap<String, u64>,
    ) -> Vec<TopicCount> {
        let mut out: Vec<TopicCount> = defs
            .iter()
            .map(|d| TopicCount {
                name: d.name.clone(),
                label: d.display_label(),
                count: counts.get(&d.name).copied().unwrap_or(0),
            })
            .collect();
        let mut others: Vec<&String> = counts
            .keys()
            .filter(|k| !defs.iter().any(|d| &d.name == *k))
            .collect();
        others.sort();
        out.extend(others.into_iter().map(|name| TopicCount {
            name: name.clone(),
            label: default_label(name),
            count: counts[name],
        }));
        out
    }

    fn passage_at(&self, searcher: &Searcher, addr: DocAddress) -> Result<Passage> {
        let doc = self.doc(searcher, addr)?;
        Ok(to_passage(&self.fields, &doc))
    }

    /// For the benchmarks under `benches/`, not a stable API: the Tantivy
    /// query [`search`](Self::search) builds for `query` (parsing and
    /// building only, nothing is executed).
    #[doc(hidden)]
    pub fn bench_build_query(&self, query: &str) -> Result<Box<dyn Query>> {
        let snapshot = self.snapshot(&self.reader.searcher())?;
        let mut analyzers = self.analyzers.clone();
        let plan = query::parse(query, &mut analyzers, &snapshot.synonyms);
        let topics = plan.topics.clone();
        Ok(query::build(
            &self.fields,
            &self.ranking,
            &mut analyzers,
            &plan,
            &topics,
        ))
    }

    /// For the benchmarks under `benches/`, not a stable API: the highlights
    /// [`search`](Self::search) gives `text` for `query`, as [`Hit::highlights`].
    #[doc(hidden)]
    pub fn bench_highlights(&self, query: &str, text: &str) -> Result<Vec<[usize; 2]>> {
        let snapshot = self.snapshot(&self.reader.searcher())?;
        let mut analyzers = self.analyzers.clone();
        let plan = query::parse(query, &mut analyzers, &snapshot.synonyms);
        let matcher = Matcher::new(&plan, &mut analyzers);
        Ok(byte_to_char_ranges(
            text,
            &matcher.byte_ranges(&mut analyzers, text),
        ))
    }
}

fn plan_without_topics(plan: &Plan) -> Plan {
    Plan {
        topics: Vec::new(),
        ..plan.clone()
    }
}

fn to_passage(f: &crate::schema::Fields, doc: &TantivyDocument) -> Passage {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let all = |field| {
        doc.get_all(field)
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let num = |field| doc.get_first(field).and_then(|v| v.as_u64());
    Passage {
        id: text(f.id),
        article: text(f.article),
        title: text(f.title),
        section: text(f.section),
        heading_path: all(f.heading_path),
        topics: all(f.topics),
        ordinal: num(f.ordinal)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        line: num(f.line).and_then(|n| u32::try_from(n).ok()),
        text: text(f.text),
    }
}

/// Byte ranges to `[start, end)` character offsets.
fn byte_to_char_ranges(text: &str, ranges: &[(usize, usize)]) -> Vec<[usize; 2]> {
    let mut out = Vec::with_capacity(ranges.len());
    let mut chars = 0;
    let mut byte = 0;
    let advance = |to: usize, chars: &mut usize, byte: &mut usize| {
        *chars += text[*byte..to].chars().count();
        *byte = to;
    };
    for &(s, e) in ranges {
        if s < byte || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        advance(s, &mut chars, &mut byte);
        let start = chars;
        advance(e, &mut chars, &mut byte);
        out.push([start, chars]);
    }
    out
}

/// Counts matching passages per topic, reading the `topics` fast field.
struct TopicCounter;

struct TopicSegmentCounter {
    column: Option<StrColumn>,
    counts: Vec<u64>,
}

impl Collector for TopicCounter {
    type Fruit = HashMap<String, u64>;
    type Child = TopicSegmentCounter;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        segment: &SegmentReader,
    ) -> tantivy::Result<TopicSegmentCounter> {
        let column = segment.fast_fields().str("topics")?;
        let terms = column.as_ref().map_or(0, |c| c.num_terms());
        Ok(TopicSegmentCounter {
            column,
            counts: vec![0; terms],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<HashMap<String, u64>>,
    ) -> tantivy::Result<HashMap<String, u64>> {
        let mut total = HashMap::new();
        for fruit in fruits {
            for (k, v) in fruit {
                *total.entry(k).or_insert(0) += v;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for TopicSegmentCounter {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(column) = &self.column {
            for ord in column.term_ords(doc) {
                if let Some(c) = usize::try_from(ord)
                    .ok()
                    .and_then(|o| self.counts.get_mut(o))
                {
                    *c += 1;
                }
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::new();
        if let Some(column) = &self.column {
            let mut name = String::new();
            for (ord, &count) in self.counts.iter().enumerate() {
                if count > 0 && column.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    out.insert(name.clone(), count);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn char_and_byte_offsets_round_trip() {
        let text = "día — café ok";
        let bytes = vec![
            (0, "día".len()),
            (text.find("café").unwrap(), text.find(" ok").unwrap()),
        ];
        let chars = byte_to_char_ranges(text, &bytes);
        assert_eq!(chars, vec![[0, 3], [6, 10]]);
        let back = char_to_byte_ranges(text, &chars);
        assert_eq!(&text[back[1].clone()], "café");
        assert_eq!(char_to_byte_ranges("ab", &[[1, 99]]), vec![1..2]);
    }
}
