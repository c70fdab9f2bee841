//! How a passage matches the words of a query: what explains its score.

use serde::Serialize;

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
