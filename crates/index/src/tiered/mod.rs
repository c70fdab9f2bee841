//! The tiered evaluation: ranked plans without phrases and without
//! feedback (the queries people type, letter by letter) as a Tantivy query
//! of their own, [`TieredQuery`] → [`TieredWeight`](weight::TieredWeight) → a scorer, with
//! `count` and `explain`, and a pruned top-k
//! ([`TieredWeight::top_k`](weight::TieredWeight::top_k)).
//!
//! It computes what the Tantivy query of [`query::build`](crate::query::build)
//! computes (the same matches, the same scores, the same order) with less
//! work:
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
//!
//! The parts, in the order a search goes through them: [`query`] (the
//! query and what it takes from its index), `prepare` (BM25 weights,
//! automata, the vocabulary: [`vocabulary`], `automata`, `cache`),
//! `levels` (per word and segment, the passages of each tier, in
//! `docbits`; the passages of each topic, kept in `topic_sets`, for the
//! topic counts), `bounds` and `prune` (scoring what can reach the page, in
//! `scratch` buffers), `ties` (the page's last score), `weight`, `scorer`
//! and `explain`.

use crate::query::{Plan, Ranking};

mod automata;
mod bounds;
mod cache;
mod docbits;
#[cfg(test)]
mod edit_distance_tests;
mod explain;
mod levels;
mod prepare;
mod prune;
mod query;
mod scorer;
mod scratch;
mod ties;
mod topic_sets;
pub(crate) mod vocabulary;
mod weight;

pub(crate) use cache::Caches;
pub(crate) use query::{Context, TieredQuery};

/// Whether the tiered evaluation ranks the plan: words, no phrases, and
/// too few words for pseudo-relevance feedback (the condition of
/// [`feedback::applies`](crate::feedback::applies)).
pub(crate) fn applies(plan: &Plan, r: &Ranking) -> bool {
    let active = plan.active_words();
    let feedback = crate::feedback::applies(r, active);
    // Tiered queries only: the loose ranking of longer ones scores its
    // tiers at zero, which this evaluation does not model.
    active > 0 && active <= r.strict_words && plan.phrases.is_empty() && !feedback
}
