//! The query language people type, read leniently, and the Tantivy query built from it.
//!
//! Syntax: words; `"exact phrase"`; `-word` excludes; `topic:name` filters.
//! Nothing is an error: an unclosed quote reads as plain words, a lone `-`
//! or stray punctuation is ignored, and very long input is cut to
//! [`MAX_WORDS`](parse::MAX_WORDS) words.
//!
//! Ranking, per query word, takes the best of these tiers:
//! exact word > stemmed form > synonym > prefix (last word only) > typo.
//! Every matched word adds [`Ranking::word`], so passages matching more of
//! the query's words rank first; BM25 on the stemmed title, section and text
//! orders passages within a tier.
//!
//! The parts: `parse` (the query language into a [`Plan`]), `ranking`
//! ([`Ranking`]), `spec` (what each word matches and scores, as data:
//! [`WordSpec`]), `build` (the Tantivy query of a plan), `matcher` (the
//! words of a passage a plan matched, for highlights) and `distance` (edit
//! distances as Tantivy counts them).

mod build;
mod distance;
mod matcher;
mod parse;
mod ranking;
mod spec;
#[cfg(test)]
mod tests;

pub(crate) use build::{bm25, build, phrase_query};
pub(crate) use distance::osa_distance;
pub(crate) use matcher::Matcher;
pub(crate) use parse::{Analyzers, Plan, parse};
pub use ranking::Ranking;
pub(crate) use spec::{
    Source, WordSpec, bm25_fields, excluded_sources, expand_prefixes, fuzzy_query, topic_sources,
    word_specs,
};
