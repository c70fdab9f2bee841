//! The tiered evaluation against the Tantivy query it stands for, for the
//! unit tests and the `tiered` fuzz target in `fuzz/`. Not a stable API:
//! hidden from the docs, and may change with any release.

use std::fmt::Write as _;

use tantivy::query::{EnableScoring, Query};
use tantivy::{DocAddress, Searcher};

use crate::index::NeedleIndex;
use crate::page::{Order, PageCollector, Ranked};
use crate::parallel;
use crate::query;
use crate::search::{RankRequest, SearchRequest};
use crate::tiered::{self, TieredQuery};

/// Which hits to compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Hits on the page.
    pub limit: usize,
    /// Hits before it.
    pub offset: usize,
    /// Compare the per-topic counts (and the total without the topic
    /// filter) too.
    pub count_topics: bool,
}

/// Ranks `query` restricted to `topics` (none: every passage) four ways
/// and says where they differ: the tiered evaluation's pruned top-k
/// (`TieredWeight::top_k`); the Tantivy query of the same
/// plan; the tiered query's scorer through the same page collector,
/// scoring every match; and the tiered query's `count`. The totals, the
/// page (addresses and scores, bit for bit), the topic counts must be the
/// same; each hit's explanation must add up to its score, bit for bit.
///
/// Returns `Ok(false)` when the tiered evaluation does not rank the
/// query (phrases, long queries, an empty query): nothing is compared.
///
/// # Errors
/// A description of the first difference, or an error of the index.
pub fn compare(
    index: &NeedleIndex,
    query: &str,
    topics: &[String],
    page: Page,
) -> Result<bool, String> {
    let searcher = index.reader.searcher();
    let snapshot = index.snapshot(&searcher).map_err(|e| e.to_string())?;
    let mut analyzers = index.analyzers.clone();
    let mut plan = query::parse(query, &mut analyzers, &snapshot.synonyms);
    if plan.is_browse() {
        return Ok(false);
    }
    query::expand_prefixes(&mut plan, &searcher, &index.fields).map_err(|e| e.to_string())?;
    if !tiered::applies(&plan, &index.ranking) {
        return Ok(false);
    }
    let page = crate::page::Page {
        limit: page.limit.max(1),
        offset: page.offset,
        count_topics: page.count_topics,
    };
    let request = RankRequest {
        searcher: &searcher,
        plan: &plan,
        topics,
        page,
    };
    let error = |e: crate::Error| format!("{query:?} in {topics:?}: {e}");
    let pruned = index.rank_tiered(&mut analyzers, request).map_err(error)?;
    let tantivy = index
        .rank_with_tantivy(&mut analyzers, request)
        .map_err(error)?;
    same(&pruned, &tantivy).map_err(|e| {
        format!("{query:?} in {topics:?}, {page:?}: pruned top-k against the Tantivy query: {e}")
    })?;

    // Every match scored, through the same collector (which filters by
    // topic itself when it counts topics, as the Tantivy path does).
    let collector_filters = page.count_topics && !topics.is_empty();
    let unpruned_query = TieredQuery::new(
        index.tiered_context(),
        &mut analyzers,
        &plan,
        if collector_filters { &[] } else { topics },
    );
    let mut collector = PageCollector::new(page, Order::Score, &searcher);
    if collector_filters {
        collector = collector.filter(topics);
    }
    let unpruned = parallel::search(&searcher, &index.tuning, &unpruned_query, &collector)
        .map_err(|e| error(e.into()))?;
    same(&unpruned, &tantivy).map_err(|e| {
        format!(
            "{query:?} in {topics:?}, {page:?}: the tiered scorer against the Tantivy query: {e}"
        )
    })?;

    let filtered = TieredQuery::new(index.tiered_context(), &mut analyzers, &plan, topics);
    let count = filtered.count(&searcher).map_err(|e| error(e.into()))?;
    if count != tantivy.total {
        return Err(format!(
            "{query:?} in {topics:?}: count {count}, the Tantivy query matches {}",
            tantivy.total
        ));
    }
    explanations_add_up(&searcher, &filtered, &tantivy.scored)
        .map_err(|e| format!("{query:?} in {topics:?}: {e}"))?;
    public_explanations_add_up(index, query, topics)?;
    Ok(true)
}

/// Whether two rankings are the same, scores to the bit.
fn same(a: &Ranked, b: &Ranked) -> Result<(), String> {
    if a.total != b.total {
        return Err(format!("total {} against {}", a.total, b.total));
    }
    let bits = |r: &Ranked| -> Vec<(u32, DocAddress)> {
        r.scored
            .iter()
            .map(|&(s, addr)| (s.to_bits(), addr))
            .collect()
    };
    if bits(a) != bits(b) {
        let mut out = String::from("pages differ:");
        for (i, (x, y)) in a.scored.iter().zip(&b.scored).enumerate() {
            if x.0.to_bits() != y.0.to_bits() || x.1 != y.1 {
                let _ = write!(out, " #{i} {x:?} against {y:?};");
            }
        }
        let _ = write!(out, " {} hits against {}", a.scored.len(), b.scored.len());
        return Err(out);
    }
    if a.topic_counts != b.topic_counts {
        return Err(format!(
            "topic counts {:?} against {:?}",
            a.topic_counts, b.topic_counts
        ));
    }
    if a.unfiltered_total != b.unfiltered_total {
        return Err(format!(
            "unfiltered totals {:?} against {:?}",
            a.unfiltered_total, b.unfiltered_total
        ));
    }
    Ok(())
}

/// Whether the tiered weight's explanation of each hit is its score.
fn explanations_add_up(
    searcher: &Searcher,
    q: &TieredQuery,
    hits: &[(f32, DocAddress)],
) -> Result<(), String> {
    let weight = q
        .tiered_weight(EnableScoring::enabled_from_searcher(searcher))
        .map_err(|e| e.to_string())?;
    for &(score, addr) in hits {
        let reader = searcher.segment_reader(addr.segment_ord);
        let explained = tantivy::query::Weight::explain(&weight, reader, addr.doc_id)
            .map_err(|e| format!("{addr:?}: {e}"))?;
        if explained.value().to_bits() != score.to_bits() {
            return Err(format!(
                "{addr:?} scores {score} but is explained as {}: {}",
                explained.value(),
                explained.to_pretty_json()
            ));
        }
    }
    Ok(())
}

/// Whether the words of the explanations [`NeedleIndex::search`] gives
/// add up to each hit's score.
fn public_explanations_add_up(
    index: &NeedleIndex,
    query: &str,
    topics: &[String],
) -> Result<(), String> {
    let mut request = SearchRequest::new(query).explain(true);
    request.topics = topics.to_vec();
    let results = match index.search(&request) {
        Ok(results) => results,
        // A topic the index does not know: nothing to explain.
        Err(crate::Error::UnknownTopic { .. }) => return Ok(()),
        Err(e) => return Err(e.to_string()),
    };
    for hit in &results.hits {
        let Some(e) = &hit.explain else {
            return Err(format!("hit {} of {query:?} has no explanation", hit.rank));
        };
        let mut sum = 0.0f32;
        for word in &e.words {
            sum += word.score;
        }
        if sum.to_bits() != hit.score.to_bits() || e.score.to_bits() != hit.score.to_bits() {
            return Err(format!(
                "hit {} of {query:?} scores {} but its words add up to {sum}: {e:?}",
                hit.rank, hit.score
            ));
        }
        if e.words
            .iter()
            .any(|w| w.matched.is_none() && w.score != 0.0)
            || e.words_matched == 0
        {
            return Err(format!("hit {} of {query:?}: {e:?}", hit.rank));
        }
    }
    Ok(())
}
