//! [`Ranking`]: the scoring constants.

use serde::{Deserialize, Serialize};

use crate::bm25::Bm25Params;

/// Scoring knobs. The defaults are what needle ships with; change them with
/// [`NeedleIndex::set_ranking`](crate::NeedleIndex::set_ranking) to experiment
/// (for example with `needle eval`).
///
/// A query of at most [`strict_words`](Self::strict_words) words is ranked
/// in tiers: each matched word adds [`word`](Self::word) plus the bonus of its
/// best match (exact, stemmed, synonym, prefix, typo), so passages matching
/// more words come first, then better matches, then BM25. Longer queries
/// (natural-language questions) are ranked by BM25 with small bonuses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ranking {
    /// Added once per matched word, in tiered (short) queries.
    pub word: f32,
    /// Bonus of an exact word match.
    pub exact: f32,
    /// Bonus of a stemmed match.
    pub stem: f32,
    /// Bonus of a synonym match.
    pub synonym: f32,
    /// Bonus of a prefix match (the last word, while typing).
    pub prefix: f32,
    /// Bonus of a typo match.
    pub typo: f32,
    /// BM25 weight of the passage text.
    pub text_boost: f32,
    /// BM25 weight of the section heading, in short queries (up to
    /// [`strict_words`](Self::strict_words) words).
    pub section_boost: f32,
    /// BM25 weight of the article title (and description), besides the
    /// title's words counting in the text of the article's first passage.
    pub title_boost: f32,
    /// BM25 weight of a code passage's text (prose has `text_boost`): the
    /// same match ranks higher in prose than in code.
    pub code_boost: f32,
    /// In tiered (short) queries, added to a word's tier when it matches
    /// the article's title or description: the passages of the page whose
    /// subject the query names come before passages that only mention it.
    pub subject: f32,
    /// Queries with at most this many words are ranked in tiers.
    pub strict_words: usize,
    /// In longer queries, the bonus of an exact, prefix or typo match.
    pub loose_bonus: f32,
    /// Pseudo-relevance feedback applies to queries of at least this many
    /// words (by default every query past [`strict_words`](Self::strict_words)).
    pub feedback_min_words: usize,
    /// How many first-pass passages feedback reads (0: no feedback).
    pub feedback_docs: usize,
    /// How many feedback terms are added.
    pub feedback_terms: usize,
    /// Weight of the feedback terms, relative to the query.
    pub feedback_weight: f32,
    /// Feedback ignores terms in more than this share of passages.
    pub feedback_max_df: f32,
    /// How feedback discounts short passages: a word weighs its
    /// frequency in a passage over the passage's length plus this, so the
    /// few words of a short passage (a title alone) do not outweigh the
    /// main words of a longer one.
    pub feedback_smoothing: f32,
    /// BM25 weight of a one-word synonym, relative to the typed word: it
    /// orders the passages found through a synonym among themselves (their
    /// tier still ranks them below the typed word's).
    pub synonym_bm25: f32,
    /// BM25's term frequency saturation, in every BM25 score (tiered and
    /// long queries, feedback terms): how slowly repeated occurrences of a
    /// word stop adding to a passage's score (0: one occurrence counts as
    /// many). At least 0.
    pub k1: f32,
    /// BM25's length normalisation: how much a field longer than the
    /// field's average discounts its words (0: not at all, 1: in
    /// proportion to its length). From 0 to 1.
    pub b: f32,
    /// BM25's idf raised to this power, in every BM25 score: above 1, a
    /// rare word of a question weighs more against its common words (1:
    /// BM25's idf). At least 0.
    pub idf_power: f32,
    /// In long questions (past [`strict_words`](Self::strict_words)), the
    /// weight of the BM25 of a passage's whole article for the question's
    /// words, added to the passage's score: an article that answers the
    /// question across several passages lifts them. 0: passages alone.
    pub article_weight: f32,
    /// BM25 weight of the section heading in long questions: a heading
    /// repeats in every passage under it, and a question's many words
    /// match headings by chance, so it weighs less there than in a short
    /// query (0: headings do not count).
    pub question_section_boost: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            word: 1000.0,
            exact: 300.0,
            stem: 200.0,
            synonym: 150.0,
            prefix: 100.0,
            typo: 0.0,
            text_boost: 1.0,
            section_boost: 2.0,
            title_boost: 0.3,
            code_boost: 0.5,
            subject: 100.0,
            strict_words: 4,
            loose_bonus: 0.0,
            feedback_min_words: 5,
            feedback_docs: 5,
            feedback_terms: 10,
            feedback_weight: 0.8,
            feedback_max_df: 0.3,
            feedback_smoothing: 50.0,
            synonym_bm25: 0.5,
            k1: 1.2,
            b: 0.6,
            idf_power: 1.1,
            article_weight: 2.0,
            question_section_boost: 0.0,
        }
    }
}

impl Ranking {
    /// The BM25 parameters, within their ranges (k1 and the idf power at
    /// least 0, b from 0 to 1: the tiered evaluation's bounds rely on them).
    pub(crate) fn bm25(&self) -> Bm25Params {
        Bm25Params {
            k1: if self.k1 >= 0.0 { self.k1 } else { 0.0 },
            b: if self.b >= 0.0 { self.b.min(1.0) } else { 0.0 },
            idf_power: if self.idf_power >= 0.0 {
                self.idf_power
            } else {
                0.0
            },
        }
    }

    /// The constants used for a query of `words` active words.
    pub(crate) fn for_query(&self, words: usize) -> Ranking {
        if words <= self.strict_words {
            *self
        } else {
            let b = self.loose_bonus;
            Ranking {
                word: 0.0,
                exact: b,
                stem: 0.0,
                synonym: b,
                prefix: b,
                typo: b,
                subject: 0.0,
                section_boost: self.question_section_boost,
                ..*self
            }
        }
    }
}
