//! The JSON that needle prints, for scripts: a hit and a search's results
//! (`needle search --json`, and the interface's `--output json`), one value
//! per line.

use std::io::{self, Write};

use needle_index::{Hit, SearchResults};
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
    pub query: &'a str,
    pub topics: &'a [String],
    pub total: usize,
    pub took_ms: f64,
    pub hits: Vec<JsonHit<'a>>,
}

impl<'a> From<&'a SearchResults> for JsonResults<'a> {
    fn from(r: &'a SearchResults) -> Self {
        JsonResults {
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
