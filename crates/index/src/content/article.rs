//! What content is made of: articles, their passages, and the issues found
//! while reading them. Every parser builds these; nothing here parses.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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

/// A stable 64-bit hash of some bytes (xxh3), used for change detection.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}
