//! [`Explanation`]: why a hit ranked where it did, as
//! [`SearchRequest::explain`](crate::SearchRequest::explain) asks.

use serde::Serialize;

/// Why a hit ranked where it did: its tier, how each query word matched,
/// what BM25 added per field, and the feedback terms of a long query.
///
/// A short query (up to [`Ranking::strict_words`](crate::Ranking::strict_words)
/// words) ranks by [`tier`](Self::tier) first (the sum of the tier scores
/// of the words the passage matches: more words, then better matches),
/// then by BM25. A longer one ranks by BM25 with small bonuses and, from
/// [`Ranking::feedback_min_words`](crate::Ranking::feedback_min_words)
/// words, feedback terms, plus its article's score
/// ([`article`](Self::article)). The parts add up to [`score`](Self::score) up to
/// the rounding of the sum (the search adds them in its own order).
///
/// ```
/// use needle_index::{ContentSource, MatchKind, NeedleIndex, ReindexOptions, SearchRequest};
///
/// # fn main() -> Result<(), needle_index::Error> {
/// let content = ContentSource::memory([(
///     "care.md",
///     "# Skin care\n\n## Aftercare\n\nWear sunscreen every day.\n",
/// )]);
/// let index = NeedleIndex::in_memory()?;
/// index.reindex(&content, &ReindexOptions::default())?;
/// let results = index.search(&SearchRequest::new("sunscrean").explain(true))?;
/// let why = results.hits[0].explain.as_ref().unwrap();
/// assert_eq!(why.words[0].matched, Some(MatchKind::Typo));
/// assert_eq!(why.words[0].term.as_deref(), Some("sunscreen"));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Explanation {
    /// The hit's score, as [`Hit::score`](crate::Hit::score).
    pub score: f32,
    /// How the query was ranked.
    pub ranking: RankingKind,
    /// The sum of the tier scores of the words the passage matches (in a
    /// long query, of its bonuses): the first key of a short query's
    /// ranking.
    pub tier: f32,
    /// How many of the query's words the passage matches.
    pub words_matched: usize,
    /// The query's words that take part in matching, in order.
    pub words: Vec<WordMatch>,
    /// The quoted phrases, in order.
    pub phrases: Vec<PhraseMatch>,
    /// The words pseudo-relevance feedback added to a long query (read in
    /// its best first-pass passages), best first.
    pub feedback: Vec<FeedbackTerm>,
    /// What the passage's article adds in a long query:
    /// [`Ranking::article_weight`](crate::Ranking::article_weight) times the
    /// BM25 of the whole article for the query's words and feedback terms
    /// (0 in a short query, and when every article is one passage).
    pub article: f32,
}

/// How a query was ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RankingKind {
    /// A short query: by tier (words matched, then how), then BM25.
    Tiered,
    /// A long, natural-language query: by BM25, with bonuses, phrases as
    /// bonuses, and feedback terms.
    NaturalLanguage,
}

/// How a passage matches one word of the query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct WordMatch {
    /// The word, as the query reader analyzed it (lowercase, accents
    /// folded).
    pub word: String,
    /// Its best match in the passage (`None`: the passage lacks it).
    pub matched: Option<MatchKind>,
    /// The match is in the title or description of the passage's page
    /// (the page's subject), which lifts the tier.
    pub subject: bool,
    /// The field that matched (a schema field: `text_raw`, `title`, ...).
    pub field: Option<String>,
    /// The term of the passage that matched: the word itself, its stem, a
    /// synonym, the word it is a prefix of, or the word it is a typo of.
    pub term: Option<String>,
    /// The word's tier score (0 when it does not match).
    pub tier: f32,
    /// BM25 of the stemmed word per field, in the order they are added;
    /// fields where the passage lacks it are left out.
    pub bm25: Vec<FieldScore>,
    /// For the last word while it is typed: the best BM25 score, in the
    /// passage text, of the words the prefix stands for.
    pub prefix_bm25: Option<FieldScore>,
    /// What the word adds to the score: tier, BM25 and prefix BM25.
    pub score: f32,
}

/// How a word matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MatchKind {
    /// The word as typed (case and accents aside).
    Exact,
    /// Another form of the word (the same English stem).
    Stem,
    /// A synonym from `synonyms.toml`.
    Synonym,
    /// A word that starts with it (the last word, while typed).
    Prefix,
    /// A word one or two edits away.
    Typo,
}

/// A BM25 score in one field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FieldScore {
    /// The schema field (`text`, `section`, `title`, `code`, `text_raw`).
    pub field: String,
    /// The term scored.
    pub term: String,
    /// Its score, field weight included.
    pub score: f32,
}

/// A quoted phrase of the query.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct PhraseMatch {
    /// The phrase's words, as analyzed.
    pub phrase: String,
    /// Whether the passage has the words in order.
    pub matched: bool,
    /// What the phrase adds to the score: its BM25 as a phrase, plus the
    /// BM25 of its words.
    pub score: f32,
}

/// A word added to a long query by pseudo-relevance feedback.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct FeedbackTerm {
    /// The stemmed word.
    pub term: String,
    /// Its weight in the query: its relevance relative to the best feedback
    /// term, times [`Ranking::feedback_weight`](crate::Ranking::feedback_weight).
    pub weight: f32,
    /// What it adds to this passage's score (0 when the passage lacks it).
    pub score: f32,
}

impl WordMatch {
    /// A word the passage does not match (yet).
    pub(crate) fn new(word: String) -> WordMatch {
        WordMatch {
            word,
            matched: None,
            subject: false,
            field: None,
            term: None,
            tier: 0.0,
            bm25: Vec::new(),
            prefix_bm25: None,
            score: 0.0,
        }
    }
}

impl Explanation {
    /// An explanation of `score` with no parts yet.
    pub(crate) fn new(score: f32, ranking: RankingKind) -> Explanation {
        Explanation {
            score,
            ranking,
            tier: 0.0,
            words_matched: 0,
            words: Vec::new(),
            phrases: Vec::new(),
            feedback: Vec::new(),
            article: 0.0,
        }
    }
}
