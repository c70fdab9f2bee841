//! Thin public wrappers over crate-private parsers, for the fuzz targets in
//! `fuzz/` and for regression tests of what they found. Not a stable API:
//! hidden from the docs, and may change with any release.

use crate::content::{self, Article, ContentIssue, TopicRules};
use crate::query::{self, Analyzers};
use crate::synonyms::Synonyms;

/// What a content file's text turns into: its articles, and the issues
/// found while parsing it.
#[derive(Debug)]
pub struct Parsed {
    /// The articles, in file order.
    pub articles: Vec<Article>,
    /// Every issue reported (bad front matter, broken JSON lines, ...).
    pub issues: Vec<ContentIssue>,
}

/// The formats a content file can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.md`
    Markdown,
    /// `.txt`
    Text,
    /// `.jsonl`
    JsonLines,
}

/// Parses a file's text as a reindex does, as `format`, with `rules`; the
/// article id of a Markdown or text file is `path` without its extension.
#[must_use]
pub fn parse(format: Format, path: &str, text: &str, rules: &TopicRules) -> Parsed {
    let mut issues = Vec::new();
    let format = match format {
        Format::Markdown => content::Format::Markdown,
        Format::Text => content::Format::Text,
        Format::JsonLines => content::Format::JsonLines,
    };
    let id = path.rsplit_once('.').map_or(path, |(stem, _)| stem);
    let articles = content::parse_file(format, id, path, text, rules, true, &mut issues);
    Parsed { articles, issues }
}

/// Strips site-generator markup (Liquid, shortcodes, admonitions, ...) from
/// a Markdown body, as a reindex does before parsing it; `mdx` as for a
/// `.mdx` file. The result has exactly as many lines as `text`.
#[must_use]
pub fn strip_markup(text: &str, mdx: bool) -> String {
    content::strip_generator_markup(text, mdx).into_owned()
}

/// A summary of how the query reader read a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryReading {
    /// Words, analyzed (lowercased, folded), in order.
    pub words: Vec<String>,
    /// Phrases, as word lists.
    pub phrases: Vec<Vec<String>>,
    /// Excluded words.
    pub excluded: Vec<String>,
    /// `topic:` filters.
    pub topics: Vec<String>,
    /// Whether the query browses (no active words or phrases).
    pub browse: bool,
}

/// Reads a query as [`NeedleIndex::search`](crate::NeedleIndex::search) does.
#[must_use]
pub fn read_query(input: &str, synonyms: &Synonyms) -> QueryReading {
    let plan = query::parse(input, &mut Analyzers::new(), synonyms);
    QueryReading {
        browse: plan.is_browse(),
        words: plan.words.iter().map(|w| w.raw.clone()).collect(),
        phrases: plan.phrases.clone(),
        excluded: plan.excluded.iter().map(|(raw, _)| raw.clone()).collect(),
        topics: plan.topics.clone(),
    }
}

impl Parsed {
    /// Checks what every parse must guarantee, whatever the input: each
    /// passage belongs to its article and carries its title; ordinals count
    /// from 0; passage ids are `article#suffix` and unique in the article;
    /// no passage is blank; lines are within the text; the section is the
    /// innermost heading of the heading path.
    ///
    /// # Errors
    /// A description of the first broken guarantee.
    pub fn check(&self, text: &str) -> Result<(), String> {
        let lines = u32::try_from(text.split('\n').count()).unwrap_or(u32::MAX);
        for a in &self.articles {
            let mut ids = std::collections::HashSet::new();
            for (i, p) in a.passages.iter().enumerate() {
                let at = format!("article {:?} passage {i} ({:?})", a.id, p.id);
                if p.article != a.id || p.title != a.title {
                    return Err(format!("{at}: article or title differs from the article's"));
                }
                if p.ordinal as usize != i {
                    return Err(format!("{at}: ordinal {}", p.ordinal));
                }
                let ok_id =
                    p.id.strip_prefix(a.id.as_str())
                        .and_then(|rest| rest.strip_prefix('#'))
                        .is_some_and(|suffix| !suffix.is_empty() && !suffix.contains('#'));
                if !ok_id {
                    return Err(format!("{at}: id is not article#suffix"));
                }
                if !ids.insert(p.id.as_str()) {
                    return Err(format!("{at}: duplicate passage id"));
                }
                if p.text.trim().is_empty() {
                    return Err(format!("{at}: blank text"));
                }
                if p.line.is_some_and(|l| l == 0 || l > lines) {
                    return Err(format!("{at}: line {:?} outside 1..={lines}", p.line));
                }
                let innermost = p.heading_path.last().map_or("", String::as_str);
                if p.section != innermost {
                    return Err(format!(
                        "{at}: section {:?} is not the innermost heading {innermost:?}",
                        p.section
                    ));
                }
            }
        }
        Ok(())
    }
}
