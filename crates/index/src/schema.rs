//! The Tantivy schema and the text analysis, versioned together.

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    StopWordFilter, TextAnalyzer, TokenizerManager,
};

/// Bump whenever the schema, the analysis or the files beside the index
/// change: an index built with another version is rebuilt from the content,
/// never misread. 4: the list of source files is postcard, not JSON.
/// 5: code passages, descriptions and urls (front matter), in the passages
/// and in the list of source files. 6: the changes to the list of source
/// files in a file of their own (`sources_changes`). 7: an article's first
/// passage holds its title in its text too.
pub(crate) const SCHEMA_VERSION: u32 = 7;

/// Words only (split on anything not a letter or digit), lowercase, accents folded.
pub(crate) const RAW_ANALYZER: &str = "needle_raw";
/// As [`RAW_ANALYZER`], then English stop words removed and Snowball stemming.
pub(crate) const STEM_ANALYZER: &str = "needle_en";

/// Tokens longer than this (in bytes) are dropped, as Tantivy's default does.
const MAX_TOKEN_BYTES: usize = 40;

pub(crate) fn raw_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

pub(crate) fn stem_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(StopWordFilter::remove(
            STOP_WORDS.iter().map(|w| (*w).to_owned()),
        ))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// English stop words dropped from the ranking field: function words that
/// carry no topic ("what", "how", "is"). Based on the NLTK English list,
/// apostrophe forms split as the tokenizer splits them. Content words a
/// reader searches for ("often", "long", "more") are not in it.
pub(crate) const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "d",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "ll",
    "m",
    "me",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "o",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "re",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "ve",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "y",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

pub(crate) fn tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    manager.register(RAW_ANALYZER, raw_analyzer());
    manager.register(STEM_ANALYZER, stem_analyzer());
    manager
}

/// The fields of a passage document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    /// Passage id: raw key, stored, fast (for ranking ids without the doc store).
    pub id: Field,
    /// Article id: raw key (for deletes and filters), stored, fast (for article order).
    pub article: Field,
    /// Title: stored, stemmed BM25 field.
    pub title: Field,
    /// Title, unstemmed: exact, prefix and typo matching.
    pub title_raw: Field,
    /// Section heading: stored, stemmed.
    pub section: Field,
    pub section_raw: Field,
    /// Passage text: stored, stemmed, with frequencies (for BM25).
    pub text: Field,
    /// Passage text, unstemmed with positions: exact words, phrases, prefix, typo.
    /// Code passages too.
    pub text_raw: Field,
    /// The text of a code passage: stored, stemmed, with frequencies (BM25
    /// at its own weight). A code passage has no `text`.
    pub code: Field,
    /// The article's url (front matter): stored only.
    pub url: Field,
    /// A code passage's title and description: stored only (a code passage
    /// is not lifted by its page's subject; prose is).
    pub subject_stored: Field,
    /// Headings above the passage, stored only (one value each).
    pub heading_path: Field,
    /// Topic names: raw keys, stored, fast (for counts).
    pub topics: Field,
    /// Position in the article: stored, fast (for article order).
    pub ordinal: Field,
    /// Source line: stored.
    pub line: Field,
}

impl Fields {
    /// The unstemmed fields, text first: where exact words, prefixes and
    /// typos are matched.
    pub(crate) fn raw(&self) -> [Field; 3] {
        [self.text_raw, self.section_raw, self.title_raw]
    }

    /// The stemmed fields, prose text first: where stemmed words match.
    pub(crate) fn stemmed(&self) -> [Field; 4] {
        [self.text, self.section, self.title, self.code]
    }
}

pub(crate) fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let stemmed = || {
        TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(STEM_ANALYZER)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
            .set_stored()
    };
    let raw = |option: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(RAW_ANALYZER)
                .set_index_option(option),
        )
    };
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        article: b.add_text_field("article", STRING | STORED | FAST),
        title: b.add_text_field("title", stemmed()),
        title_raw: b.add_text_field("title_raw", raw(IndexRecordOption::Basic)),
        section: b.add_text_field("section", stemmed()),
        section_raw: b.add_text_field("section_raw", raw(IndexRecordOption::Basic)),
        // No positions: phrases match on `text_raw`; this field is for BM25.
        text: b.add_text_field("text", stemmed()),
        text_raw: b.add_text_field("text_raw", raw(IndexRecordOption::WithFreqsAndPositions)),
        code: b.add_text_field("code", stemmed()),
        url: b.add_text_field("url", STORED),
        subject_stored: b.add_text_field("subject_stored", STORED),
        heading_path: b.add_text_field("heading_path", STORED),
        topics: b.add_text_field("topics", STRING | STORED | FAST),
        ordinal: b.add_u64_field("ordinal", STORED | FAST | INDEXED),
        line: b.add_u64_field("line", STORED),
    };
    (b.build(), fields)
}

/// The analyzed tokens of `text`, with byte offsets.
pub(crate) fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while let Some(t) = stream.next() {
        out.push((t.text.clone(), t.offset_from, t.offset_to));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
        tokens(analyzer, text).into_iter().map(|t| t.0).collect()
    }

    #[test]
    fn raw_folds_case_and_accents() {
        assert_eq!(
            words(&mut raw_analyzer(), "Crème BRÛLÉE, post-microneedling"),
            vec!["creme", "brulee", "post", "microneedling"]
        );
    }

    #[test]
    fn stem_drops_stop_words_and_stems() {
        assert_eq!(
            words(
                &mut stem_analyzer(),
                "The needles are running to the clinics"
            ),
            vec!["needl", "run", "clinic"]
        );
    }
}
