//! The JSON that needle prints, for scripts: a hit and a search's results
//! (`needle search --json`, and the interface's `--output json`), one value
//! per line.

use std::io::{self, Write};

use needle_index::{ArticleText, Hit, Passage, PassageContext, SearchResults};
use serde::Serialize;

/// One hit of `needle search --json` (and of the TUI's `--output json`).
/// The field names are a contract: see the README.
#[derive(Debug, Serialize)]
pub struct JsonHit<'a> {
    pub rank: usize,
    pub score: f32,
    pub id: &'a str,
    pub article: &'a str,
    pub title: &'a str,
    pub section: &'a str,
    pub topics: &'a [String],
    pub line: Option<u32>,
    /// `"text"` or `"code"`.
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    /// With --per-article or --group: the rank of the hit's article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_rank: Option<usize>,
    pub text: &'a str,
    pub highlights: &'a [[usize; 2]],
    /// With --explain: why the hit ranked where it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<&'a needle_index::Explanation>,
}

impl<'a> From<&'a Hit> for JsonHit<'a> {
    fn from(h: &'a Hit) -> Self {
        JsonHit {
            rank: h.rank,
            score: h.score,
            id: &h.passage.id,
            article: &h.passage.article,
            title: &h.passage.title,
            section: &h.passage.section,
            topics: &h.passage.topics,
            line: h.passage.line,
            kind: h.passage.kind.as_str(),
            description: h.passage.description.as_deref(),
            url: h.passage.url.as_deref(),
            article_rank: h.article_rank,
            text: &h.passage.text,
            highlights: &h.highlights,
            explain: h.explain.as_ref(),
        }
    }
}

/// The object `needle search --json` prints.
#[derive(Debug, Serialize)]
pub struct JsonResults<'a> {
    /// A batch request's `id`, echoed (absent when it had none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<&'a serde_json::Value>,
    pub query: &'a str,
    pub topics: &'a [String],
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<JsonHit<'a>>,
}

impl<'a> From<&'a SearchResults> for JsonResults<'a> {
    fn from(r: &'a SearchResults) -> Self {
        JsonResults {
            id: None,
            query: &r.query,
            topics: &r.topics,
            total: r.total,
            took_ms: r.took_ms,
            hits: r.hits.iter().map(JsonHit::from).collect(),
        }
    }
}

/// Writes one value as a line of JSON.
pub fn json_line(out: &mut impl Write, value: &impl Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(io::Error::other)?;
    line.push(b'\n');
    out.write_all(&line)
}

/// A passage as `needle get --json`, the MCP server and the HTTP API give
/// it: the fields of a hit ([`JsonHit`]) without `rank`, `score`,
/// `highlights` and the search-only fields.
#[derive(Debug, Serialize)]
pub struct JsonPassage<'a> {
    pub id: &'a str,
    pub article: &'a str,
    pub title: &'a str,
    pub section: &'a str,
    pub topics: &'a [String],
    pub line: Option<u32>,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    pub text: &'a str,
}

impl<'a> From<&'a Passage> for JsonPassage<'a> {
    fn from(p: &'a Passage) -> Self {
        JsonPassage {
            id: &p.id,
            article: &p.article,
            title: &p.title,
            section: &p.section,
            topics: &p.topics,
            line: p.line,
            kind: p.kind.as_str(),
            description: p.description.as_deref(),
            url: p.url.as_deref(),
            text: &p.text,
        }
    }
}

/// A passage by id, with its neighbours in its article:
/// `{"type": "passage", "passage": {..}, "before": [..], "after": [..]}`.
#[derive(Debug, Serialize)]
pub struct JsonPassageContext<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub passage: JsonPassage<'a>,
    /// Nearest last.
    pub before: Vec<JsonPassage<'a>>,
    /// Nearest first.
    pub after: Vec<JsonPassage<'a>>,
}

impl<'a> From<&'a PassageContext> for JsonPassageContext<'a> {
    fn from(c: &'a PassageContext) -> Self {
        JsonPassageContext {
            kind: "passage",
            passage: JsonPassage::from(&c.passage),
            before: c.before.iter().map(JsonPassage::from).collect(),
            after: c.after.iter().map(JsonPassage::from).collect(),
        }
    }
}

/// An article by id, every passage in order:
/// `{"type": "article", "id", "title", "description"?, "url"?, "passages": [..]}`.
#[derive(Debug, Serialize)]
pub struct JsonArticle<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub id: &'a str,
    pub title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<&'a str>,
    pub passages: Vec<JsonPassage<'a>>,
}

impl<'a> From<&'a ArticleText> for JsonArticle<'a> {
    fn from(a: &'a ArticleText) -> Self {
        JsonArticle {
            kind: "article",
            id: &a.id,
            title: &a.title,
            description: a.description.as_deref(),
            url: a.url.as_deref(),
            passages: a.passages.iter().map(JsonPassage::from).collect(),
        }
    }
}

/// What a line of a batch, or an id of `needle get`, gives when it fails:
/// `{"id": .., "error": {"message": ..}}`.
#[derive(Debug, Serialize)]
pub struct JsonError<'a> {
    pub id: &'a serde_json::Value,
    pub error: JsonMessage,
}

/// The `error` object of [`JsonError`] (and of the HTTP API's errors).
#[derive(Debug, Serialize)]
pub struct JsonMessage {
    pub message: String,
}

impl<'a> JsonError<'a> {
    pub fn new(id: &'a serde_json::Value, message: impl Into<String>) -> Self {
        JsonError {
            id,
            error: JsonMessage {
                message: message.into(),
            },
        }
    }
}
