//! Evaluation of ranked plans without phrases and without feedback: the
//! queries people type, letter by letter.
//!
//! It computes what the Tantivy query of [`query::build`] computes (the
//! same matches, the same scores, the same order) with less work:
//!
//! - each term's postings are read once per word, into one bitmap per
//!   tier score, however many tiers and fields name the term;
//! - the term dictionary is walked once per field and word for the prefix
//!   and typo tiers together, where the query walks it once per tier, and
//!   each Levenshtein automaton is built once per search, not per field;
//! - the total is the size of the match bitmap, not a count of scored hits;
//! - only passages that can reach the page are scored by BM25: a passage's
//!   tier scores bound its score from below, its tiers plus the largest
//!   BM25 scores of its words from above, so passages whose upper bound is
//!   below the page's lower bound are skipped;
//! - scores are kept only for the passages a scored term reaches, and a
//!   term's scan does not take in a passage it is the first to reach when
//!   its score there, with the most the other terms could add, leaves the
//!   passage below the page: a common word's long postings list adds few.
//!
//! Scores are summed in the order Tantivy sums them, so ties break the same.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Searcher, SegmentReader};

use crate::error::Result;
use crate::page::{Page, Ranked, TopicCounter};
use crate::query::{self, Plan, Ranking};

mod automata;
mod bounds;
mod cache;
mod docbits;
#[cfg(test)]
mod edit_distance_tests;
mod levels;
mod prepare;
mod prune;
mod scratch;
mod ties;
pub(crate) mod vocabulary;

pub(crate) use cache::Caches;
pub(crate) use prepare::Context;
use prepare::prepare;
use prune::segment_hits;

/// Whether [`rank`] handles the plan: words, no phrases, and too few
/// words for pseudo-relevance feedback (the condition of
/// `feedback::expand`).
pub(crate) fn applies(plan: &Plan, r: &Ranking) -> bool {
    let active = plan.active_words();
    let feedback = crate::feedback::applies(r, active);
    // Tiered queries only: the loose ranking of longer ones scores its
    // tiers at zero, which this evaluation does not model.
    active > 0 && active <= r.strict_words && plan.phrases.is_empty() && !feedback
}

/// Ranks a plan that [`applies`] with the index's fields, ranking and
/// caches.
pub(crate) fn rank(
    cx: &Context<'_>,
    analyzers: &mut query::Analyzers,
    searcher: &Searcher,
    plan: &Plan,
    topics: &[String],
    page: Page,
) -> Result<Ranked> {
    let q = prepare(cx, analyzers, searcher, plan, topics)?;
    let need = page.offset.saturating_add(page.limit);
    let mut total = 0;
    let mut hits: Vec<(f32, u64, u32, DocId)> = Vec::new();
    let mut counts: Option<HashMap<String, u64>> = page.count_topics.then(HashMap::new);
    // The segments, on the search threads of a large index.
    let per_segment = crate::parallel::executor(searcher, cx.tuning).map(
        |(ord, reader): (usize, &SegmentReader)| {
            let ord = u32::try_from(ord).unwrap_or(u32::MAX);
            let seg = segment_hits(&q, ord as usize, reader, need, page.count_topics)?;
            let topics = match &seg.unfiltered {
                Some(unfiltered) => {
                    let mut counter = TopicCounter.for_segment(ord, reader)?;
                    for doc in unfiltered.docs() {
                        counter.collect(doc, 0.0);
                    }
                    Some(counter.harvest())
                }
                None => None,
            };
            Ok((ord, seg.total, seg.hits, topics))
        },
        searcher.segment_readers().iter().enumerate(),
    )?;
    for (ord, seg_total, seg_hits, topics) in per_segment {
        total += seg_total;
        hits.extend(seg_hits.into_iter().map(|(s, o, d)| (s, o, ord, d)));
        if let (Some(counts), Some(topics)) = (&mut counts, topics) {
            for (topic, n) in topics {
                *counts.entry(topic).or_insert(0) += n;
            }
        }
    }
    hits.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    let scored = hits
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|(s, _, ord, doc)| (s, DocAddress::new(ord, doc)))
        .collect();
    Ok(Ranked {
        total,
        scored,
        topic_counts: counts,
    })
}
