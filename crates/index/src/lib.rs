//! # needle-index
//!
//! Ranked full-text search over the *passages* of articles: paragraphs, lists
//! with their lead sentence, and FAQ answers with their question, each under
//! its section heading. needle's command line and terminal interface are
//! built on this crate; other Rust programs can use it the same way.
//!
//! ## The pieces
//!
//! - [`ContentSource`]: where articles come from — a directory (recursive),
//!   one file, or files in memory ([`ContentSource::memory`]). Markdown
//!   (`.md`, `.markdown`), plain text (`.txt`) and JSON Lines (`.jsonl`, one
//!   `{"_id", "title"?, "text", "topics"?}` record per line; a record of a
//!   title and no text is found by its title) are read. The
//!   content root may hold `topics.toml` ([`TopicRules`]: heading words to
//!   topics) and `synonyms.toml` ([`Synonyms`]), and a `.needleignore`
//!   (gitignore syntax).
//! - [`Passage`]: what is indexed and returned. Its id
//!   (`article#section-slug.N`) stays the same when other sections change.
//! - [`NeedleIndex`]: the index, on disk ([`NeedleIndex::open`]) or in memory
//!   ([`NeedleIndex::in_memory`]). It keeps one Tantivy writer and one reader.
//! - [`NeedleIndex::reindex`]: incremental and atomic. Files are compared by
//!   size and modification time with the manifest stored in the last commit;
//!   only changed files are read, only changed articles replaced, and
//!   everything lands in one commit, so a concurrent search sees the old
//!   state or the new one. It returns a [`ReindexReport`]; unreadable or
//!   malformed files are reported in it ([`ContentIssue`]) and skipped.
//!   [`NeedleIndex::reindex_paths`] does the same from the paths a watcher
//!   saw change, without walking the content.
//! - [`NeedleIndex::search`]: a [`SearchRequest`] (query, topic filters,
//!   limit, offset) gives [`SearchResults`]: the total, the time, and ranked
//!   [`Hit`]s with highlight offsets for every matched word.
//!   With [`SearchRequest::explain`], each hit also says why it ranked
//!   where it did ([`Explanation`]): its tier, how each query word matched
//!   ([`MatchKind`]: exact, stem, synonym, prefix, typo), the BM25 of each
//!   field, and the feedback terms of a long query with their weights.
//! - [`NeedleIndex::passage`] and [`NeedleIndex::article`]: get by id. A
//!   passage comes with its neighbours ([`PassageContext`]), an article
//!   with every passage in order ([`ArticleText`]); an id that names
//!   nothing is `Ok(None)`.
//! - [`Tuning`]: how a search uses the machine (when segments go to a pool
//!   of threads, how ties on a page's last score are read). It changes the
//!   speed of a search, never its results.
//!
//! ## Query language
//!
//! Words are matched with English stemming, case and accent folding, typo
//! tolerance (one edit from 5 letters, two from 9) and, for the last word
//! of a query of up to 4 words while it is being typed (no trailing
//! space), as a prefix (a longer query is a question, asked whole).
//! `"exact phrase"`
//! requires the words in order; `-word` excludes; `topic:name` filters.
//! Malformed input never fails. In a query of up to 4 words, passages
//! matching more of its words rank first; then exact words above stemmed
//! forms, synonyms, prefixes and typos; then BM25, with matches in the
//! section heading and title weighing more (an article's title also
//! counts as the first words of its first passage). A longer query is read as a
//! natural-language question: BM25 with pseudo-relevance feedback (RM3),
//! plus the BM25 of each passage's whole article for the question (an
//! article answering it across several passages leads), and a quoted
//! phrase in it is a bonus rather than a requirement. See
//! [`Ranking`] for the constants. An empty query lists every passage in
//! article order.
//!
//! ## Plain text
//!
//! In a `.txt` file, blocks are separated by blank lines. A block of one short
//! line without end punctuation is a heading (the first is the title), a short
//! line ending in `?` is an FAQ question, lines starting with `•`, `-`, `*` or
//! `1.` form a list, and two blank lines in a row end the current section.
//!
//! # Examples
//!
//! ## Search
//!
//! Index a directory of articles and print the best passages for a query:
//!
//! ```
//! use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};
//!
//! # fn main() -> Result<(), needle_index::Error> {
//! let content = tempfile::tempdir().unwrap();
//! std::fs::write(
//!     content.path().join("care.md"),
//!     "# Skin care\n\n## Aftercare\n\nWear sunscreen with SPF 30 every day.\n\n## Cost\n\nA session costs $100.\n",
//! ).unwrap();
//!
//! let index = NeedleIndex::in_memory()?; // or NeedleIndex::open("path/to/index")?
//! let report = index.reindex(&ContentSource::Path(content.path().into()), &ReindexOptions::default())?;
//! assert_eq!(report.added, 1);
//!
//! let results = index.search(&SearchRequest::new("sunscrean").limit(3))?; // sic: a typo
//! let hit = &results.hits[0];
//! assert_eq!(hit.passage.section, "Aftercare");
//! for range in hit.highlight_byte_ranges() {
//!     println!("matched {:?}", &hit.passage.text[range]); // "sunscreen"
//! }
//! # Ok(())
//! # }
//! ```
//!
//! ## Get by id
//!
//! A hit's [`Passage::id`] and [`Passage::article`] fetch it again later
//! (another run, another program: ids do not change when other sections
//! do), with the passages around it, or its whole article:
//!
//! ```
//! use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};
//!
//! # fn main() -> Result<(), needle_index::Error> {
//! let content = ContentSource::memory([(
//!     "care.md",
//!     "# Skin care\n\n## Aftercare\n\nWear sunscreen every day.\n\nDrink water.\n\n## Cost\n\nA session costs $100.\n",
//! )]);
//! let index = NeedleIndex::in_memory()?;
//! index.reindex(&content, &ReindexOptions::default())?;
//! let hit = &index.search(&SearchRequest::new("sunscreen"))?.hits[0];
//! assert_eq!(hit.passage.id, "care#aftercare.1");
//!
//! // The passage, with one passage before and one after it (as many as
//! // you like with `passage_with_context`).
//! let found = index.passage("care#aftercare.1")?.expect("the id names a passage");
//! assert_eq!(found.passage.text, "Wear sunscreen every day.");
//! assert!(found.before.is_empty()); // the first passage of its article
//! assert_eq!(found.after[0].text, "Drink water.");
//!
//! // The whole article, every passage in order.
//! let article = index.article(&hit.passage.article)?.expect("the id names an article");
//! assert_eq!(article.title, "Skin care");
//! let sections: Vec<&str> = article.passages.iter().map(|p| p.section.as_str()).collect();
//! assert_eq!(sections, ["Aftercare", "Aftercare", "Cost"]);
//!
//! // An id that names nothing is not an error.
//! assert!(index.passage("care#nowhere.1")?.is_none());
//! assert!(index.article("nowhere")?.is_none());
//! # Ok(())
//! # }
//! ```
//!
//! ## Explain
//!
//! [`SearchRequest::explain`] fills [`Hit::explain`]: the hit's tier (the
//! first key of a short query's ranking), then per query word how it
//! matched, in which field, and what it added; the parts add up to the
//! hit's score:
//!
//! ```
//! use needle_index::{ContentSource, MatchKind, NeedleIndex, RankingKind, ReindexOptions, SearchRequest};
//!
//! # fn main() -> Result<(), needle_index::Error> {
//! let content = ContentSource::memory([(
//!     "care.md",
//!     "# Skin care\n\n## Aftercare\n\nWear sunscreen daily after a session.\n\n## Cost\n\nA session costs $100.\n",
//! )]);
//! let index = NeedleIndex::in_memory()?;
//! index.reindex(&content, &ReindexOptions::default())?;
//! let results = index.search(&SearchRequest::new("sunscrean sessions").explain(true))?;
//!
//! // The passage that matches both words ranks first.
//! let first = &results.hits[0];
//! let why = first.explain.as_ref().expect("explain(true) was asked");
//! assert_eq!(why.ranking, RankingKind::Tiered);
//! assert_eq!(why.words_matched, 2);
//! // sunscrean: Typo match of "sunscreen" in text_raw, adds 1000.00
//! // sessions: Stem match of "session" in text, adds 1200.17
//! for word in &why.words {
//!     match (word.matched, &word.term, &word.field) {
//!         (Some(kind), Some(term), Some(field)) => println!(
//!             "{}: {kind:?} match of {term:?} in {field}, adds {:.2}",
//!             word.word, word.score
//!         ),
//!         _ => println!("{}: not in this passage", word.word),
//!     }
//! }
//! assert_eq!(why.words[0].matched, Some(MatchKind::Typo));
//! assert_eq!(why.words[0].term.as_deref(), Some("sunscreen"));
//! assert_eq!(why.words[1].matched, Some(MatchKind::Stem)); // "sessions" → "session"
//! let sum: f32 = why.words.iter().map(|w| w.score).sum();
//! assert!((sum - first.score).abs() < 0.01); // no phrase, no feedback term here
//!
//! // The second hit lacks the first word: one word matched, a lower tier.
//! let second = results.hits[1].explain.as_ref().unwrap();
//! assert_eq!(second.words_matched, 1);
//! assert_eq!(second.words[0].matched, None);
//! assert!(second.tier < why.tier);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]

mod bm25;
mod content;
#[doc(hidden)]
pub mod differential;
mod error;
mod eval;
mod explain;
mod feedback;
mod fnv;
#[doc(hidden)]
pub mod fuzzing;
mod index;
mod page;
mod parallel;
mod query;
mod reindex;
mod schema;
mod search;
mod synonyms;
mod tiered;
mod tuning;

pub use content::{
    Article, ContentIssue, ContentSource, MemoryFile, Passage, PassageKind, TopicDef, TopicRules,
    split_markdown, split_text,
};
pub use error::{Error, Result, StorageOp};
pub use eval::{
    Collection, EVAL_DEPTH, EvalReport, QueryScore, average_precision, ndcg_at, recall_at,
    reciprocal_rank_at,
};
pub use explain::{
    Explanation, FeedbackTerm, FieldScore, MatchKind, PhraseMatch, RankingKind, WordMatch,
};
pub use index::{NeedleIndex, WATCH_DIR, WRITER_MEMORY_BYTES};
pub use query::Ranking;
pub use reindex::{ProgressFn, ReindexOptions, ReindexReport};
pub use search::{
    ArticleInfo, ArticleText, GROUP_PASSAGES, Hit, PassageContext, SearchRequest, SearchResults,
    TopicCount, char_to_byte_ranges,
};
pub use synonyms::Synonyms;
pub use tuning::Tuning;
