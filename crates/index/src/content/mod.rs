//! Articles and passages: what the content is made of, and how files become passages.
//!
//! The parsers (`markdown`, `text`, `jsonl`) all feed one
//! [`PassageBuilder`](builder::PassageBuilder), so that the three formats
//! agree on what a passage, a section and an id are.

mod builder;
mod front_matter;
mod jsonl;
mod markdown;
mod markup;
mod source;
mod text;
mod topics;
mod walk;

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub(crate) use jsonl::parse_jsonl;
pub(crate) use markdown::parse_markdown;
pub(crate) use markup::strip_generator_markup;
pub use source::{ContentSource, MemoryFile};
pub(crate) use source::{Format, scan, stat_fingerprint};
pub(crate) use text::parse_text;
pub use topics::{TopicDef, TopicRules};
pub(crate) use topics::{default_label, toml_message};

/// One searchable unit: a paragraph, a list with the sentence that introduces
/// it, or an FAQ answer with its question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Passage {
    /// Stable id: `article#section-slug.N`, where N counts passages within
    /// the section from 1. Editing another section of the article does not
    /// change it. Passages before the first heading use `article#N`.
    pub id: String,
    /// The article id: the path relative to the content root without its
    /// extension (`guides/microneedling`), or the JSON Lines record's `_id`.
    pub article: String,
    /// The article's title.
    pub title: String,
    /// The nearest section heading; empty before the first heading.
    pub section: String,
    /// Every heading above the passage, outermost (the title) first.
    pub heading_path: Vec<String>,
    /// The passage's topics (see `topics.toml`), in the order the rules list them.
    pub topics: Vec<String>,
    /// Position of the passage in its article, from 0: article order.
    pub ordinal: u32,
    /// The 1-based line of the source file where the passage starts.
    pub line: Option<u32>,
    /// Prose, or a code block that stands alone.
    #[serde(default)]
    pub kind: PassageKind,
    /// The article's description (front matter `description` or `summary`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The article's address on its site (front matter `url`, `permalink`,
    /// `slug` or the first of `aliases`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The passage's text as written, Markdown markup stripped. An FAQ
    /// passage starts with its question on a line of its own; list items
    /// stand on lines of their own, each starting with `• `.
    pub text: String,
}

/// What a passage is: prose (paragraphs, lists, tables, FAQ answers, with
/// any short code block that follows a paragraph), or a code block long
/// enough to stand alone. A match in prose ranks above the same match in code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum PassageKind {
    /// Prose.
    #[default]
    Text,
    /// A code block of its own.
    Code,
}

impl PassageKind {
    /// `"text"` or `"code"`, as in JSON.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            PassageKind::Text => "text",
            PassageKind::Code => "code",
        }
    }
}

/// An article: one Markdown or text file, or one JSON Lines record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The article id (see [`Passage::article`]).
    pub id: String,
    /// The title: the front matter's `title`, the first `#` heading, the
    /// first line of a text file, the record's `title`, or else the file name.
    pub title: String,
    /// The front matter's `description` (or `summary`), if any.
    pub description: Option<String>,
    /// The article's address on its site (see [`Passage::url`]).
    pub url: Option<String>,
    /// The passages, in article order.
    pub passages: Vec<Passage>,
    /// A hash of the article's source text, used to tell whether it changed.
    pub(crate) hash: u64,
    /// Things worth telling about how it was split: (line, message).
    pub(crate) notes: Vec<(Option<u32>, String)>,
}

/// A problem with one content file that did not stop the rest from indexing:
/// the file (or one record of it) was skipped, or part of it was ignored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ContentIssue {
    /// The file, relative to the content root.
    pub path: PathBuf,
    /// The 1-based line, where the problem has one.
    pub line: Option<u32>,
    /// What is wrong and what was done about it.
    pub message: String,
}

impl ContentIssue {
    pub(crate) fn new(
        path: impl Into<PathBuf>,
        line: Option<u32>,
        message: impl Into<String>,
    ) -> Self {
        ContentIssue {
            path: path.into(),
            line,
            message: message.into(),
        }
    }
}

impl fmt::Display for ContentIssue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Splits one file's text into articles, by its format.
///
/// `article_id` is used for Markdown and plain text; JSON Lines records carry
/// their own ids. Problems are pushed to `issues` (with `path` as the file).
/// A Markdown draft (`draft: true`) gives no article unless `drafts`.
pub(crate) fn parse_file(
    format: Format,
    article_id: &str,
    path: &str,
    text: &str,
    rules: &TopicRules,
    drafts: bool,
    issues: &mut Vec<ContentIssue>,
) -> Vec<Article> {
    let mut articles = match format {
        Format::Markdown => {
            let flavor = markdown::Flavor {
                mdx: is_mdx(path),
                drafts,
            };
            parse_markdown(article_id, path, text, rules, flavor, issues)
                .into_iter()
                .collect()
        }
        Format::Text => vec![parse_text(article_id, text, rules)],
        Format::JsonLines => parse_jsonl(path, text, issues),
    };
    for article in &mut articles {
        for (line, message) in article.notes.drain(..) {
            issues.push(ContentIssue::new(path, line, message));
        }
        // A page of front matter only (a redirect, a page its generator
        // fills in) is valid as it is: listed, without a word.
        let metadata_only = || {
            format == Format::Markdown
                && front_matter::front_matter(text, rules).is_some_and(|b| b.parsed.is_ok())
        };
        if article.passages.is_empty() && format != Format::JsonLines && !metadata_only() {
            issues.push(ContentIssue::new(
                path,
                None,
                "no text to index (the file is empty or holds only headings or markup); it is listed with no passages",
            ));
        }
    }
    articles
}

/// Whether a path names an MDX file (`.mdx`, any case).
fn is_mdx(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("mdx"))
}

/// Splits a Markdown document into passages, with the topic rules given.
///
/// This is the parser the index uses; it is public so that programs can see
/// how needle will split their content without building an index.
///
/// ```
/// use needle_index::{split_markdown, TopicRules};
///
/// let doc = "# Care\n\n## Aftercare\n\nWear sunscreen:\n\n- SPF 30\n- a hat\n";
/// let passages = split_markdown("care", doc, &TopicRules::default());
/// assert_eq!(passages.len(), 1);
/// assert_eq!(passages[0].text, "Wear sunscreen:\n• SPF 30\n• a hat");
/// assert_eq!(passages[0].section, "Aftercare");
/// ```
#[must_use]
pub fn split_markdown(article_id: &str, markdown: &str, rules: &TopicRules) -> Vec<Passage> {
    let mut issues = Vec::new();
    let flavor = markdown::Flavor {
        mdx: false,
        drafts: true,
    };
    parse_markdown(article_id, article_id, markdown, rules, flavor, &mut issues)
        .map(|article| article.passages)
        .unwrap_or_default()
}

/// Splits a plain-text document into passages (see the crate docs for how
/// headings are recognised in plain text).
#[must_use]
pub fn split_text(article_id: &str, text: &str, rules: &TopicRules) -> Vec<Passage> {
    parse_text(article_id, text, rules).passages
}

/// A stable 64-bit hash of some bytes (xxh3), used for change detection.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}
