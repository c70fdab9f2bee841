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

use crate::content::{Passage, PassageKind, default_label};
use crate::error::{Error, Result};
use crate::index::NeedleIndex;
#[cfg(test)]
use crate::query::Ranking;
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
    /// At most this many passages of one article (none: no limit).
    pub per_article: Option<usize>,
    /// Each article once, its best passages beneath it (at most
    /// [`per_article`](Self::per_article), 3 when unset): the hits come
    /// article by article, and `limit` and `offset` count articles.
    pub group: bool,
}

/// How many passages of an article a grouped search shows when the request
/// does not say.
pub const GROUP_PASSAGES: usize = 3;

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
            per_article: None,
            group: false,
        }
    }

    /// Keeps at most `n` passages per article (at least 1), as Meilisearch's
    /// `distinct` and Pagefind's sub-results do: a page that repeats a word
    /// in every paragraph no longer fills the results alone.
    #[must_use]
    pub fn per_article(mut self, n: usize) -> Self {
        self.per_article = Some(n.max(1));
        self
    }

    /// Groups the hits by article (see [`SearchRequest::group`]).
    #[must_use]
    pub fn group(mut self, yes: bool) -> Self {
        self.group = yes;
        self
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
    /// With [`SearchRequest::per_article`] or [`SearchRequest::group`]: the
    /// 1-based rank of the hit's article among the articles of the results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_rank: Option<usize>,
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

        let rank_request = RankRequest {
            searcher: &searcher,
            plan: &plan,
            topics: &topics,
            page: Page::of(request),
        };
        let (
            Ranked {
                total,
                scored,
                topic_counts,
            },
            article_ranks,
        ) = if request.per_article.is_some() || request.group {
            let (ranked, ranks) = self.rank_by_article(&mut analyzers, rank_request, request)?;
            (ranked, Some(ranks))
        } else {
            (self.rank(&mut analyzers, rank_request)?, None)
        };

        let matcher = Matcher::new(&plan, &mut analyzers);
        let mut hits = Vec::with_capacity(scored.len());
        let first_rank = if request.group { 0 } else { request.offset };
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
                rank: first_rank + i + 1,
                score,
                passage,
                highlights,
                article_rank: article_ranks.as_ref().map(|ranks| ranks[i]),
            });
        }

        let topic_counts = topic_counts
            .map(|counts| self.ordered_topic_counts(&snapshot.manifest.topics, &counts));

        Ok(SearchResults {
            query: request.query.clone(),
            topics,
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            hits,
            topic_counts,
        })
    }

    /// The page of hits of a plan (restricted to its topics), the total,
    /// and the per-topic counts when asked for.
    ///
    /// Plans without phrases and without feedback (all the short queries
    /// people type) are evaluated by [`fast`]; the others run the Tantivy
    /// query of [`query::build`]. Both rank the same way.
    fn rank(&self, analyzers: &mut query::Analyzers, request: RankRequest<'_>) -> Result<Ranked> {
        let mut plan = request.plan.clone();
        if !plan.is_browse() {
            query::expand_prefixes(&mut plan, request.searcher, &self.fields)?;
        }
        let request = RankRequest {
            plan: &plan,
            ..request
        };
        if fast::applies(&plan, &self.ranking) {
            return fast::rank(self, analyzers, request);
        }
        self.rank_with_tantivy(analyzers, request)
    }

    /// [`rank`](Self::rank) with at most `per_article` passages of each
    /// article, and, when grouping, the page counted in articles and ordered
    /// article by article; with each hit's article rank. The ranking is read
    /// deep enough to fill the page: twice as deep again while it falls
    /// short and more passages match.
    fn rank_by_article(
        &self,
        analyzers: &mut query::Analyzers,
        request: RankRequest<'_>,
        search: &SearchRequest,
    ) -> Result<(Ranked, Vec<usize>)> {
        let per_article = search
            .per_article
            .unwrap_or(if search.group {
                GROUP_PASSAGES
            } else {
                usize::MAX
            })
            .max(1);
        let wanted = search.offset.saturating_add(search.limit);
        let mut depth = wanted.saturating_mul(4).max(64);
        loop {
            let ranked = self.rank(
                analyzers,
                RankRequest {
                    page: Page {
                        limit: depth,
                        offset: 0,
                        ..request.page
                    },
                    ..request
                },
            )?;
            let articles = self.article_ords(request.searcher, &ranked.scored)?;
            // Article rank (from 1) of each hit kept, in ranking order.
            let mut rank_of: HashMap<u64, usize> = HashMap::new();
            let mut shown: HashMap<u64, usize> = HashMap::new();
            let mut kept: Vec<(f32, DocAddress, usize)> = Vec::new();
            for (&(score, addr), &article) in ranked.scored.iter().zip(&articles) {
                let next = rank_of.len() + 1;
                let rank = *rank_of.entry(article).or_insert(next);
                let n = shown.entry(article).or_insert(0);
                if *n < per_article {
                    *n += 1;
                    kept.push((score, addr, rank));
                }
            }
            let enough = if search.group {
                rank_of.len() > wanted
            } else {
                kept.len() >= wanted
            };
            if enough || ranked.scored.len() >= ranked.total || depth >= ranked.total {
                let page: Vec<(f32, DocAddress, usize)> = if search.group {
                    let first = search.offset + 1;
                    let last = search.offset.saturating_add(search.limit);
                    let mut page: Vec<_> = kept
                        .into_iter()
                        .filter(|&(_, _, rank)| (first..=last).contains(&rank))
                        .collect();
                    page.sort_by_key(|&(_, _, rank)| rank);
                    page
                } else {
                    kept.into_iter()
                        .skip(search.offset)
                        .take(search.limit)
                        .collect()
                };
                let ranks = page.iter().map(|&(_, _, rank)| rank).collect();
                let scored = page
                    .into_iter()
                    .map(|(score, addr, _)| (score, addr))
                    .collect();
                return Ok((Ranked { scored, ..ranked }, ranks));
            }
            depth = depth.saturating_mul(2);
        }
    }

    /// The article of each hit, as a number: equal for passages of one
    /// article (read from the `article` fast field).
    fn article_ords(&self, searcher: &Searcher, scored: &[(f32, DocAddress)]) -> Result<Vec<u64>> {
        let mut columns: HashMap<u32, Option<StrColumn>> = HashMap::new();
        let mut ids: HashMap<String, u64> = HashMap::new();
        let mut value = String::new();
        let mut out = Vec::with_capacity(scored.len());
        for &(_, addr) in scored {
            let column = match columns.entry(addr.segment_ord) {
                std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::hash_map::Entry::Vacant(e) => e.insert(
                    searcher
                        .segment_reader(addr.segment_ord)
                        .fast_fields()
                        .str("article")?,
                ),
            };
            let id = column
                .as_ref()
                .and_then(|c| c.term_ords(addr.doc_id).next().map(|ord| (c, ord)))
                .filter(|(c, ord)| c.ord_to_str(*ord, &mut value).unwrap_or(false))
                .map(|_| {
                    let next = ids.len() as u64;
                    *ids.entry(value.clone()).or_insert(next)
                });
            // A passage without an article (none are written so) is its own.
            out.push(id.unwrap_or(u64::MAX - out.len() as u64));
        }
        Ok(out)
    }

    /// [`rank`](Self::rank) with the Tantivy query of [`query::build`]
    /// (plus feedback terms for long queries).
    fn rank_with_tantivy(
        &self,
        analyzers: &mut query::Analyzers,
        request: RankRequest<'_>,
    ) -> Result<Ranked> {
        let RankRequest {
            searcher,
            plan,
            topics,
            page,
        } = request;
        let mut q = query::build(&self.fields, &self.ranking, analyzers, plan, topics);
        if !plan.is_browse() {
            let active = plan.active_words();
            q = crate::feedback::expand(
                searcher,
                &self.tuning,
                &self.fields,
                &self.ranking,
                analyzers,
                active,
                q,
            )?;
        }
        let (total, scored) = self.collect(searcher, &*q, plan, page.limit, page.offset)?;
        let topic_counts = if page.count_topics {
            let unfiltered: Box<dyn Query> = if topics.is_empty() {
                q
            } else {
                query::build(
                    &self.fields,
                    &self.ranking,
                    analyzers,
                    &plan_without_topics(plan),
                    &[],
                )
            };
            Some(parallel::search(
                searcher,
                &self.tuning,
                &*unfiltered,
                &TopicCounter,
            )?)
        } else {
            None
        };
        Ok(Ranked {
            total,
            scored,
            topic_counts,
        })
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
            let (total, docs) = parallel::search(searcher, &self.tuning, q, &(Count, collector))?;
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
            let (total, docs) = parallel::search(searcher, &self.tuning, q, &(Count, collector))?;
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
        let Ranked { scored, .. } = self.rank(
            &mut analyzers,
            RankRequest {
                searcher: &searcher,
                plan: &plan,
                topics: &request.topics,
                page: Page {
                    count_topics: false,
                    ..Page::of(request)
                },
            },
        )?;
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
        let counts = parallel::search(&searcher, &self.tuning, &AllQuery, &TopicCounter)?;
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
        let sources = self.read_sources(&snapshot.manifest)?;
        let mut out: Vec<ArticleInfo> = sources
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

/// Which hits a search wants.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page {
    pub(crate) limit: usize,
    pub(crate) offset: usize,
    /// Also count matches per topic, without the topic filter.
    pub(crate) count_topics: bool,
}

impl Page {
    /// The page a search request asks for.
    fn of(request: &SearchRequest) -> Page {
        Page {
            limit: request.limit,
            offset: request.offset,
            count_topics: request.count_topics,
        }
    }
}

/// What to rank: a plan restricted to topics, in one searcher's view of
/// the index, and the page wanted.
#[derive(Clone, Copy)]
pub(crate) struct RankRequest<'a> {
    pub(crate) searcher: &'a Searcher,
    pub(crate) plan: &'a Plan,
    /// Only passages with one of these topics (none: all passages).
    pub(crate) topics: &'a [String],
    pub(crate) page: Page,
}

/// What ranking a plan gives.
pub(crate) struct Ranked {
    /// Matching passages.
    pub(crate) total: usize,
    /// The page: scores and addresses, best first.
    pub(crate) scored: Vec<(f32, DocAddress)>,
    /// Matching passages per topic, ignoring the topic filter, when asked.
    pub(crate) topic_counts: Option<HashMap<String, u64>>,
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
    let code = doc.get_first(f.code).and_then(|v| v.as_str());
    let description = doc.get_all(f.title).nth(1).and_then(|v| v.as_str());
    Passage {
        id: text(f.id),
        article: text(f.article),
        title: text(f.title),
        kind: if code.is_some() {
            PassageKind::Code
        } else {
            PassageKind::Text
        },
        description: description.map(str::to_owned),
        url: doc
            .get_first(f.url)
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        section: text(f.section),
        heading_path: all(f.heading_path),
        topics: all(f.topics),
        ordinal: num(f.ordinal)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        line: num(f.line).and_then(|n| u32::try_from(n).ok()),
        text: code.map_or_else(|| text(f.text), str::to_owned),
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
pub(crate) struct TopicCounter;

pub(crate) struct TopicSegmentCounter {
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

pub(crate) mod parallel;

use crate::tiered as fast;
pub(crate) use fast::Caches as FastCaches;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::Tuning;
    use crate::content::ContentSource;
    use crate::reindex::ReindexOptions;

    const ARTICLE: &str = include_str!("../../../content/microneedling.md");
    const TOPICS: &str = include_str!("../../../content/topics.toml");
    const SYNONYMS: &str = include_str!("../../../content/synonyms.toml");

    /// Queries of every shape the fast evaluation takes: words, prefixes
    /// (the last word), typos, stop words, synonyms of one and several
    /// words, exclusions, topic filters, odd input.
    const QUERIES: &[&str] = &[
        "collagen",
        "colagen",
        "collagen ",
        "co",
        "c",
        "mic",
        "microneedl",
        "microneedlign",
        "microneedling",
        "microneedling aft",
        "collagen production",
        "collagen produ",
        "sunscreen after treatment",
        "sunscrean",
        "hyperpigmentaton",
        "recieve",
        "pigmentaton ",
        "infektion",
        "scaring",
        "acne scars -acne",
        "scars -redness -skin",
        "skin topic:aftercare",
        "cost topic:cost",
        "how long",
        "how long does it take",
        "how to",
        "the",
        "whe",
        "dark spots",
        "sun block",
        "price",
        "is microneedling painful",
        "pain swelling redness bruising",
        "xyzzy",
        "q",
        "日本語 skin",
        "downtime recovery results",
        "needles needle needling",
    ];

    /// The fast evaluation ranks exactly as the Tantivy query: the same
    /// total, the same page, the same scores to the bit, the same counts.
    fn assert_same_ranking(index: &NeedleIndex) -> usize {
        let searcher = index.reader.searcher();
        let snapshot = index.snapshot(&searcher).unwrap();
        let pages = [
            Page {
                limit: 10,
                offset: 0,
                count_topics: true,
            },
            Page {
                limit: 3,
                offset: 4,
                count_topics: false,
            },
            Page {
                limit: 500,
                offset: 0,
                count_topics: false,
            },
        ];
        let mut checked = 0;
        for q in QUERIES {
            for topics in [vec![], vec!["side-effects".to_owned(), "cost".to_owned()]] {
                for page in pages {
                    let mut analyzers = index.analyzers.clone();
                    let mut plan = query::parse(q, &mut analyzers, &snapshot.synonyms);
                    query::expand_prefixes(&mut plan, &searcher, &index.fields).unwrap();
                    if !fast::applies(&plan, &index.ranking) {
                        continue;
                    }
                    let request = RankRequest {
                        searcher: &searcher,
                        plan: &plan,
                        topics: &topics,
                        page,
                    };
                    let fast = fast::rank(index, &mut analyzers, request).unwrap();
                    let tantivy = index.rank_with_tantivy(&mut analyzers, request).unwrap();
                    assert_eq!(fast.total, tantivy.total, "total of {q:?} in {topics:?}");
                    assert_eq!(fast.scored, tantivy.scored, "hits of {q:?} in {topics:?}");
                    assert_eq!(
                        fast.topic_counts, tantivy.topic_counts,
                        "topic counts of {q:?}"
                    );
                    checked += 1;
                }
            }
        }
        checked
    }

    /// Checks the fast evaluation on `index`, walking the segments'
    /// dictionaries, then the vocabulary of all of them; with the shipped
    /// tuning, then with one that sends small indexes down the paths of
    /// large ones (the thread pool, ties read through the ordinal index).
    fn check_both_ways(index: &mut NeedleIndex) {
        for tuning in [
            Tuning::default(),
            Tuning::default().parallel_from(2).tie_reads(8),
        ] {
            index.set_tuning(tuning);
            let searcher = index.reader.searcher();
            index.fast_caches = FastCaches::default();
            assert!(assert_same_ranking(index) > QUERIES.len() * 3);
            index
                .fast_caches
                .build_vocabulary_now(&searcher, &index.fields);
            assert_same_ranking(index);
        }
        index.set_tuning(Tuning::default());
    }

    /// The fast evaluation's caches belong to their index: another index
    /// does not see its vocabulary, and dropping the index drops it.
    #[test]
    fn fast_caches_are_owned_by_their_index() {
        fn shared_between_threads<T: Send + Sync>(_: &T) {}
        let content =
            ContentSource::memory([("microneedling.md", ARTICLE), ("topics.toml", TOPICS)]);
        let index = NeedleIndex::in_memory().unwrap();
        let other = NeedleIndex::in_memory().unwrap();
        shared_between_threads(&index.fast_caches);
        index.reindex(&content, &ReindexOptions::default()).unwrap();
        index.reload().unwrap();
        let searcher = index.reader.searcher();
        index
            .fast_caches
            .build_vocabulary_now(&searcher, &index.fields);
        let vocabulary = index
            .fast_caches
            .built_vocabulary(&searcher, &index.fields)
            .unwrap();
        assert!(
            other
                .fast_caches
                .built_vocabulary(&searcher, &other.fields)
                .is_none()
        );
        // A typo search keeps what its automata accept in the vocabulary.
        let before = Arc::strong_count(&vocabulary);
        let results = index.search(&SearchRequest::new("colagen")).unwrap();
        assert!(results.total > 0);
        assert!(Arc::strong_count(&vocabulary) > before);
        let weak = Arc::downgrade(&vocabulary);
        drop(vocabulary);
        assert!(weak.upgrade().is_some());
        drop(index);
        assert!(weak.upgrade().is_none());
    }

    #[test]
    fn nth_largest_values() {
        let v = [3.0f32, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0];
        assert_eq!(fast::nth_largest(v.iter().copied(), 1), Some(9.0));
        assert_eq!(fast::nth_largest(v.iter().copied(), 3), Some(5.0));
        assert_eq!(fast::nth_largest(v.iter().copied(), 8), Some(1.0));
        assert_eq!(fast::nth_largest(v.iter().copied(), 9), None);
        assert_eq!(fast::nth_largest(v.iter().copied(), 0), None);
    }

    #[test]
    fn fast_evaluation_ranks_as_tantivy_on_the_bundled_article() {
        let mut index = NeedleIndex::in_memory().unwrap();
        let content = ContentSource::memory([
            ("microneedling.md", ARTICLE),
            ("topics.toml", TOPICS),
            ("synonyms.toml", SYNONYMS),
        ]);
        index.reindex(&content, &ReindexOptions::default()).unwrap();
        check_both_ways(&mut index);
    }

    #[test]
    fn fast_evaluation_ranks_as_tantivy_across_segments_and_deletes() {
        let mut articles: Vec<(String, String)> = Vec::new();
        needle_bench::corpus::for_each_article(2500, 3, |_, path, text| {
            articles.push((path.to_owned(), text.to_owned()));
            Ok(())
        })
        .unwrap();
        let files = |articles: &[(String, String)]| {
            ContentSource::memory(
                articles
                    .iter()
                    .map(|(p, t)| (p.as_str(), t.as_str()))
                    .chain([("topics.toml", TOPICS), ("synonyms.toml", SYNONYMS)]),
            )
        };
        let mut index = NeedleIndex::in_memory().unwrap();
        let half = articles.len() / 2;
        index
            .reindex(&files(&articles[..half]), &ReindexOptions::default())
            .unwrap();
        // A second commit adds a segment; rewritten articles leave deleted
        // passages in the first.
        for (_, text) in articles.iter_mut().take(5) {
            text.push_str("\n\nCollagen colagen sunscreen microneedling, the price of skin.\n");
        }
        index
            .reindex(&files(&articles), &ReindexOptions::default())
            .unwrap();
        index.reload().unwrap();
        let searcher = index.reader.searcher();
        assert!(searcher.segment_readers().len() >= 2);
        assert!(
            searcher
                .segment_readers()
                .iter()
                .any(|s| s.alive_bitset().is_some())
        );
        check_both_ways(&mut index);
    }

    #[test]
    fn fast_evaluation_ranks_as_tantivy_without_sections() {
        // JSON Lines records have no sections: the section field is empty
        // in every passage.
        let mut records = String::new();
        for (i, paragraph) in ARTICLE.split("\n\n").enumerate() {
            let text = paragraph.trim_start_matches('#').trim();
            if !text.is_empty() {
                let record = serde_json::json!({"_id": i.to_string(), "title": format!("Record {i}"), "text": text});
                records.push_str(&record.to_string());
                records.push('\n');
            }
        }
        let mut index = NeedleIndex::in_memory().unwrap();
        let content = ContentSource::memory([
            ("records.jsonl", records.as_str()),
            ("synonyms.toml", SYNONYMS),
        ]);
        let report = index.reindex(&content, &ReindexOptions::default()).unwrap();
        assert!(report.passages > 10);
        check_both_ways(&mut index);
        let results = index
            .search(&SearchRequest::new("collagen production skin"))
            .unwrap();
        assert!(results.total > 0 && !results.hits.is_empty());
    }

    #[test]
    fn fast_evaluation_follows_other_rankings() {
        let mut index = NeedleIndex::in_memory().unwrap();
        let content = ContentSource::memory([
            ("microneedling.md", ARTICLE),
            ("topics.toml", TOPICS),
            ("synonyms.toml", SYNONYMS),
        ]);
        index.reindex(&content, &ReindexOptions::default()).unwrap();
        // Tiers that tie, tiers below zero, no BM25 on headings, every
        // query ranked by tiers.
        index.set_ranking(Ranking {
            exact: 50.0,
            stem: 50.0,
            synonym: -20.0,
            prefix: -5.0,
            typo: -2000.0,
            section_boost: 0.0,
            strict_words: 10,
            ..Ranking::default()
        });
        check_both_ways(&mut index);
        index.set_ranking(Ranking {
            strict_words: 1,
            loose_bonus: 7.0,
            feedback_docs: 0,
            ..Ranking::default()
        });
        check_both_ways(&mut index);
    }

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

#[cfg(test)]
mod edit_distance_tests {
    use std::collections::BTreeSet;

    use tantivy::Term;
    use tantivy::directory::FileSlice;
    use tantivy::postings::TermInfo;
    use tantivy::schema::Field;
    use tantivy::termdict::{TermDictionary, TermDictionaryBuilder};

    use crate::query::osa_distance;

    /// Words a few edits from `word`: every word one edit away, and those
    /// one edit from them, over a small alphabet (with an accented letter).
    fn near(word: &str, out: &mut BTreeSet<String>) {
        let alphabet: Vec<char> = "aeinorstxzé".chars().collect();
        let one = |w: &str| -> Vec<String> {
            let c: Vec<char> = w.chars().collect();
            let mut v = Vec::new();
            for i in 0..=c.len() {
                for &a in &alphabet {
                    let mut x = c.clone();
                    x.insert(i, a);
                    v.push(x.iter().collect());
                }
                if i < c.len() {
                    let mut x = c.clone();
                    x.remove(i);
                    v.push(x.iter().collect());
                    for &a in &alphabet {
                        let mut x = c.clone();
                        x[i] = a;
                        v.push(x.iter().collect());
                    }
                }
                if i + 1 < c.len() {
                    let mut x = c.clone();
                    x.swap(i, i + 1);
                    v.push(x.iter().collect());
                }
            }
            v
        };
        for a in one(word) {
            for b in one(&a) {
                out.insert(b);
            }
            out.insert(a);
        }
    }

    /// A word within `d` edits of the query is a term of the typo tier;
    /// the prefix automaton accepts it too (so the typo tier's terms can be
    /// picked from the prefix automaton's with [`osa_distance`]).
    #[test]
    fn edit_distances_agree_with_tantivy_automata() {
        let queries = [
            "sunscreen",
            "collagen",
            "scaring",
            "treatmnet",
            "acne",
            "niacinamide",
        ];
        let mut words = BTreeSet::new();
        for q in queries {
            near(q, &mut words);
            words.insert(format!("{q}ing"));
        }
        words.retain(|w| !w.is_empty());
        let mut builder = TermDictionaryBuilder::create(Vec::new()).unwrap();
        let info = TermInfo {
            doc_freq: 1,
            postings_range: 0..0,
            positions_range: 0..0,
        };
        for w in &words {
            builder.insert(w.as_bytes(), &info).unwrap();
        }
        let dict = TermDictionary::open(FileSlice::from(builder.finish().unwrap())).unwrap();
        let accepted = |q: &str, distance: u8, prefix: bool| {
            let term = Term::from_field_text(Field::from_field_id(0), q);
            let dfa = crate::query::fuzzy_query(term, distance, prefix)
                .automaton()
                .unwrap();
            let mut accepted = BTreeSet::new();
            let mut stream = dict.search(&dfa).into_stream().unwrap();
            while stream.advance() {
                accepted.insert(String::from_utf8(stream.key().to_vec()).unwrap());
            }
            accepted
        };
        for q in queries {
            for distance in [1u8, 2] {
                let typos = accepted(q, distance, false);
                let d = usize::from(distance);
                let ours: BTreeSet<String> = words
                    .iter()
                    .filter(|w| osa_distance(w, q, d) <= d)
                    .cloned()
                    .collect();
                let missing: Vec<_> = typos.difference(&ours).take(5).collect();
                let extra: Vec<_> = ours.difference(&typos).take(5).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "{q} {distance}: {} words; automaton only {missing:?}, ours only {extra:?}",
                    words.len()
                );
                assert!(
                    typos.is_subset(&accepted(q, distance, true)),
                    "{q} {distance}"
                );
            }
        }
    }
}
