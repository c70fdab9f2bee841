//! Searching an index: [`NeedleIndex::search`] and the topic and article
//! lists. A plan of short queries is ranked by the tiered evaluation
//! ([`crate::tiered`]), any other by the Tantivy query of [`query::build`]
//! (with feedback terms for long ones); both give the same ranking.

use std::collections::HashMap;
use std::time::Instant;

use tantivy::collector::TopDocs;
use tantivy::columnar::StrColumn;
use tantivy::query::{AllQuery, EnableScoring, Query};
use tantivy::{DocAddress, Searcher};

use crate::bm25::ArticleBoostQuery;
use crate::content::{Passage, default_label};
use crate::error::{Error, Result};
use crate::feedback;
use crate::index::NeedleIndex;
use crate::page::{Order, Page, PageCollector, Ranked, TopicCounter};
use crate::parallel;
use crate::query::{self, Matcher, Plan};
use crate::tiered;

mod article;
mod explain;
mod get;
mod request;
#[cfg(test)]
mod tests;

pub use get::{ArticleText, PassageContext};
pub use request::{
    ArticleInfo, GROUP_PASSAGES, Hit, SearchRequest, SearchResults, TopicCount, char_to_byte_ranges,
};
use request::{byte_to_char_ranges, to_passage};

/// The page a search request asks for.
fn page_of(request: &SearchRequest) -> Page {
    Page {
        limit: request.limit,
        offset: request.offset,
        count_topics: request.count_topics,
    }
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
            page: page_of(request),
        };
        let (
            Ranked {
                total,
                scored,
                topic_counts,
                unfiltered_total,
            },
            article_ranks,
        ) = if request.per_article.is_some() || request.group {
            let (ranked, ranks) = self.rank_by_article(&mut analyzers, rank_request, request)?;
            (ranked, Some(ranks))
        } else {
            (self.rank(&mut analyzers, rank_request)?, None)
        };

        let mut explanations = if request.explain && !plan.is_browse() {
            let mut plan = plan.clone();
            query::expand_prefixes(&mut plan, &searcher, &self.fields)?;
            let q = query::build(&self.fields, &self.ranking, &mut analyzers, &plan, &topics);
            let feedback = self.feedback_terms(&searcher, &mut analyzers, &plan, &*q)?;
            let articles = self.article_scores(&searcher, &mut analyzers, &plan, &feedback)?;
            let cx = self.tiered_context();
            let found = explain::Found {
                feedback: &feedback,
                articles: articles.as_deref(),
            };
            explain::explain(cx, &searcher, &mut analyzers, &plan, found, &scored)?
        } else {
            Vec::new()
        }
        .into_iter();
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
                explain: explanations.next(),
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
            unfiltered_total,
        })
    }

    /// The page of hits of a plan (restricted to its topics), the total,
    /// and the per-topic counts when asked for.
    ///
    /// Plans without phrases and without feedback (all the short queries
    /// people type) are evaluated by [`tiered`]; the others run the Tantivy
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
        if tiered::applies(&plan, &self.ranking) {
            return self.rank_tiered(analyzers, request);
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

    /// [`rank`](Self::rank) with the [`tiered::TieredQuery`] of the plan
    /// and its pruned top-k.
    pub(crate) fn rank_tiered(
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
        let query = tiered::TieredQuery::new(self.tiered_context(), analyzers, plan, topics);
        let weight = query.tiered_weight(EnableScoring::enabled_from_searcher(searcher))?;
        let collector = PageCollector::new(page, Order::Score, searcher);
        Ok(weight.top_k(searcher, &collector)?)
    }

    /// [`rank`](Self::rank) with the Tantivy query of [`query::build`]
    /// (plus feedback terms for long queries), through the same
    /// [`PageCollector`]. With topic counts, the topic filter is the
    /// collector's, not the query's, so that one search counts every topic.
    pub(crate) fn rank_with_tantivy(
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
        let filtered = query::build(&self.fields, &self.ranking, analyzers, plan, topics);
        let feedback = self.feedback_terms(searcher, analyzers, plan, &*filtered)?;
        let collector_filters = page.count_topics && !topics.is_empty();
        let q = if collector_filters {
            query::build(&self.fields, &self.ranking, analyzers, plan, &[])
        } else {
            filtered
        };
        let q = feedback::expand(&self.fields, &self.ranking, q, &feedback);
        let q = match self.article_scores(searcher, analyzers, plan, &feedback)? {
            Some(scores) => Box::new(ArticleBoostQuery::new(
                q,
                scores,
                self.ranking.article_weight,
            )),
            None => q,
        };
        let order = if plan.is_browse() {
            Order::Article
        } else {
            Order::Score
        };
        let mut collector = PageCollector::new(page, order, searcher);
        if collector_filters {
            collector = collector.filter(topics);
        }
        Ok(parallel::search(searcher, &self.tuning, &*q, &collector)?)
    }

    /// The feedback terms of a plan (none unless it is long enough): the
    /// words of the best passages of `q`, its query without them.
    fn feedback_terms(
        &self,
        searcher: &Searcher,
        analyzers: &mut query::Analyzers,
        plan: &Plan,
        q: &dyn Query,
    ) -> Result<Vec<feedback::FeedbackTerm>> {
        if plan.is_browse() || !feedback::applies(&self.ranking, plan.active_words()) {
            return Ok(Vec::new());
        }
        let first_pass = TopDocs::with_limit(self.ranking.feedback_docs).order_by_score();
        let top = parallel::search(searcher, &self.tuning, q, &first_pass)?;
        feedback::terms(searcher, &self.fields, &self.ranking, analyzers, &top)
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
                    ..page_of(request)
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
                    url: a.url.clone(),
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

    /// What the tiered evaluation takes from the index.
    pub(crate) fn tiered_context(&self) -> tiered::Context<'_> {
        tiered::Context {
            fields: &self.fields,
            ranking: &self.ranking,
            caches: &self.caches,
            tuning: &self.tuning,
        }
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
