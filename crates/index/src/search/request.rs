//! What a search asks for and what it gives: requests, results, hits with
//! highlights, topic counts and article lists.

use std::ops::Range;

use serde::Serialize;
use tantivy::TantivyDocument;
use tantivy::schema::Value;

use crate::content::{Passage, PassageKind};
use crate::explain::Explanation;
use crate::schema::Fields;

/// A search: the query as typed, topic filters, and the page wanted.
///
/// Build one with [`SearchRequest::new`] and the methods that follow it
/// (fields may be added in a minor release, so it has no struct literal
/// outside this crate):
///
/// ```
/// use needle_index::SearchRequest;
/// let request = SearchRequest::new("sunscreen").topic("aftercare").limit(5).offset(5);
/// assert_eq!(request.topics, ["aftercare"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SearchRequest {
    /// The query, in needle's query language (see the crate docs).
    pub query: String,
    /// Only passages with one of these topics (none: all passages).
    pub topics: Vec<String>,
    /// How many hits to return (at least 1).
    pub limit: usize,
    /// How many hits to skip, for paging.
    pub offset: usize,
    /// Also count, per topic, the passages the query matches (ignoring the
    /// topic filter), as topic tabs show.
    pub count_topics: bool,
    /// At most this many passages of one article (none: no limit).
    pub per_article: Option<usize>,
    /// Each article once, its best passages beneath it (at most
    /// [`per_article`](Self::per_article), 3 when unset): the hits come
    /// article by article, and `limit` and `offset` count articles.
    pub group: bool,
    /// Explain each hit's rank ([`Hit::explain`]): its tier, how each word
    /// matched, BM25 per field, feedback terms. It costs a few reads of the
    /// index per hit.
    pub explain: bool,
}

/// How many passages of an article a grouped search shows when the request
/// does not say.
pub const GROUP_PASSAGES: usize = 3;

impl SearchRequest {
    /// A request for the first 10 hits of `query`, in every topic.
    #[must_use]
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            topics: Vec::new(),
            limit: 10,
            offset: 0,
            count_topics: false,
            per_article: None,
            group: false,
            explain: false,
        }
    }

    /// Asks for an [`Explanation`] of each hit ([`SearchRequest::explain`]).
    #[must_use]
    pub fn explain(mut self, yes: bool) -> Self {
        self.explain = yes;
        self
    }

    /// Keeps at most `n` passages per article (at least 1), as Meilisearch's
    /// `distinct` and Pagefind's sub-results do: a page that repeats a word
    /// in every paragraph no longer fills the results alone.
    #[must_use]
    pub fn per_article(mut self, n: usize) -> Self {
        self.per_article = Some(n.max(1));
        self
    }

    /// Groups the hits by article (see [`SearchRequest::group`]).
    #[must_use]
    pub fn group(mut self, yes: bool) -> Self {
        self.group = yes;
        self
    }

    /// Restricts the search to a topic (call again for more: a passage needs one of them).
    #[must_use]
    pub fn topic(mut self, topic: impl Into<String>) -> Self {
        self.topics.push(topic.into());
        self
    }

    /// Sets how many hits to return.
    #[must_use]
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Sets how many hits to skip.
    #[must_use]
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// Asks for per-topic counts.
    #[must_use]
    pub fn count_topics(mut self, yes: bool) -> Self {
        self.count_topics = yes;
        self
    }

    /// Replaces the query.
    #[must_use]
    pub fn query(mut self, query: impl Into<String>) -> Self {
        self.query = query.into();
        self
    }

    /// Replaces the topic filters ([`topic`](Self::topic) adds one).
    #[must_use]
    pub fn topics<T: Into<String>>(mut self, topics: impl IntoIterator<Item = T>) -> Self {
        self.topics = topics.into_iter().map(Into::into).collect();
        self
    }

    /// Sets or clears the limit of passages per article
    /// ([`per_article`](Self::per_article) sets it).
    #[must_use]
    pub fn per_article_limit(mut self, n: Option<usize>) -> Self {
        self.per_article = n.map(|n| n.max(1));
        self
    }
}

/// One ranked passage.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Hit {
    /// 1-based rank, counting from the first page.
    pub rank: usize,
    /// Relevance score (0 when browsing with an empty query).
    pub score: f32,
    /// The passage.
    #[serde(flatten)]
    pub passage: Passage,
    /// `[start, end)` offsets, in characters (Unicode scalar values), of
    /// every matched word of [`Passage::text`]: exact, stemmed, synonym,
    /// prefix and typo matches alike.
    pub highlights: Vec<[usize; 2]>,
    /// With [`SearchRequest::per_article`] or [`SearchRequest::group`]: the
    /// 1-based rank of the hit's article among the articles of the results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub article_rank: Option<usize>,
    /// Why the hit ranked where it did, when [`SearchRequest::explain`]
    /// asked (never when browsing with an empty query).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explanation>,
}

impl Hit {
    /// The highlights as byte ranges into the passage text, for slicing a `&str`.
    #[must_use]
    pub fn highlight_byte_ranges(&self) -> Vec<Range<usize>> {
        char_to_byte_ranges(&self.passage.text, &self.highlights)
    }
}

/// Converts `[start, end)` character offsets into byte ranges of `text`.
/// Offsets past the end are clamped to it.
#[must_use]
pub fn char_to_byte_ranges(text: &str, ranges: &[[usize; 2]]) -> Vec<Range<usize>> {
    let mut boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    boundaries.push(text.len());
    let at = |c: usize| boundaries[c.min(boundaries.len() - 1)];
    ranges.iter().map(|[s, e]| at(*s)..at(*e)).collect()
}

/// A topic and how many passages have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TopicCount {
    /// The topic's name, as filters use it.
    pub name: String,
    /// The topic's label, for people.
    pub label: String,
    /// Passages with the topic (matching the query, in search results).
    pub count: u64,
}

/// The results of a search.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// The topic filters applied (from the request and `topic:` in the query).
    pub topics: Vec<String>,
    /// How many passages match in all (not only this page).
    pub total: usize,
    /// Milliseconds the search took, highlights included.
    pub took_ms: f64,
    /// This page of hits, best first.
    pub hits: Vec<Hit>,
    /// Per-topic counts of matching passages, when asked for; topics in
    /// display order, zero counts included.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub topic_counts: Option<Vec<TopicCount>>,
    /// With topic counts: how many passages match ignoring the topic
    /// filters (what [`total`](Self::total) would be without them), from
    /// the same search.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unfiltered_total: Option<usize>,
}

/// An article of the index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ArticleInfo {
    /// The article id.
    pub id: String,
    /// The title.
    pub title: String,
    /// The source file, relative to the content root.
    pub path: String,
    /// How many passages it has.
    pub passages: u32,
    /// Its address on its site (front matter `url`, `permalink`, `slug` or
    /// `aliases`), if it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

pub(super) fn to_passage(f: &Fields, doc: &TantivyDocument) -> Passage {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    };
    let all = |field| {
        doc.get_all(field)
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect::<Vec<_>>()
    };
    let num = |field| doc.get_first(field).and_then(|v| v.as_u64());
    let code = doc.get_first(f.code).and_then(|v| v.as_str());
    // The title and description: in the title field, or stored only (code).
    let subject = if doc.get_first(f.title).is_some() {
        f.title
    } else {
        f.subject_stored
    };
    let description = doc.get_all(subject).nth(1).and_then(|v| v.as_str());
    Passage {
        id: text(f.id),
        article: text(f.article),
        title: text(subject),
        kind: if code.is_some() {
            PassageKind::Code
        } else {
            PassageKind::Text
        },
        description: description.map(str::to_owned),
        url: doc
            .get_first(f.url)
            .and_then(|v| v.as_str())
            .map(str::to_owned),
        section: text(f.section),
        heading_path: all(f.heading_path),
        topics: all(f.topics),
        ordinal: num(f.ordinal)
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(0),
        line: num(f.line).and_then(|n| u32::try_from(n).ok()),
        text: code.map_or_else(|| text(f.text), str::to_owned),
    }
}

/// Byte ranges to `[start, end)` character offsets.
pub(super) fn byte_to_char_ranges(text: &str, ranges: &[(usize, usize)]) -> Vec<[usize; 2]> {
    let mut out = Vec::with_capacity(ranges.len());
    let mut chars = 0;
    let mut byte = 0;
    let advance = |to: usize, chars: &mut usize, byte: &mut usize| {
        *chars += text[*byte..to].chars().count();
        *byte = to;
    };
    for &(s, e) in ranges {
        if s < byte || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        advance(s, &mut chars, &mut byte);
        let start = chars;
        advance(e, &mut chars, &mut byte);
        out.push([start, chars]);
    }
    out
}
