//! The passage builder shared by the Markdown and plain-text parsers.
//!
//! Parsers report blocks (headings, paragraphs, lists, rules) in document
//! order; the builder decides what a passage is:
//! - a paragraph is a passage;
//! - a list directly after a paragraph that ends with `:` joins it;
//! - the first block under a question heading (`…?`) starts with the question;
//! - a thematic break (or, in plain text, two blank lines) ends the current
//!   section: what follows belongs to the article's top level again.

use std::collections::HashMap;

use super::article::{Article, Passage, PassageKind};
use super::front_matter::FrontMatter;
use super::slug::slugify;
use super::topics::TopicRules;

#[derive(Debug, Clone)]
struct Heading {
    level: u8,
    text: String,
    slug: String,
    is_title: bool,
}

#[derive(Debug)]
pub(crate) struct PassageBuilder<'a> {
    article: String,
    title: Option<String>,
    rules: &'a TopicRules,
    front: FrontMatter,
    stack: Vec<Heading>,
    /// A paragraph not yet emitted: a list or a short code block may still join it.
    pending: Option<(String, u32)>,
    /// A question heading whose answer has not started yet.
    question: Option<(String, u32)>,
    used_slugs: HashMap<String, u32>,
    section_counts: HashMap<String, u32>,
    passages: Vec<Passage>,
    /// Blocks cut into several passages: (line, bytes, passages).
    cuts: Vec<(u32, usize, usize)>,
    /// The headings (the title excepted) seen while no passage was: a page
    /// that holds only headings (a stub) is found by them.
    bare_headings: Vec<(String, u32)>,
    /// The line of the title heading.
    title_line: u32,
    /// The first heading, when it comes before any passage: the title of a
    /// page that has no `#` heading (many start at `##`).
    first_heading: Option<String>,
}

impl<'a> PassageBuilder<'a> {
    pub fn new(article: &str, rules: &'a TopicRules) -> Self {
        PassageBuilder {
            article: article.to_owned(),
            title: None,
            rules,
            front: FrontMatter::default(),
            stack: Vec::new(),
            pending: None,
            question: None,
            used_slugs: HashMap::new(),
            section_counts: HashMap::new(),
            passages: Vec::new(),
            cuts: Vec::new(),
            bare_headings: Vec::new(),
            title_line: 1,
            first_heading: None,
        }
    }

    pub fn set_front_matter(&mut self, front: FrontMatter) {
        if let Some(title) = &front.title {
            self.title = Some(cap_heading(title.clone()));
        }
        self.front = front;
    }

    pub fn has_title(&self) -> bool {
        self.title.is_some()
    }

    /// A heading of `level` (1 = `#`). The first level-1 heading before any
    /// passage is the article's title, unless front matter set one.
    pub fn heading(&mut self, level: u8, text: &str, line: u32) {
        self.flush();
        self.flush_question();
        let text = cap_heading(collapse_spaces(text));
        if text.is_empty() {
            return;
        }
        let is_title = level == 1
            && self.passages.is_empty()
            && self.stack.is_empty()
            && self.title.as_deref().is_none_or(|t| t == text);
        if is_title {
            self.title = Some(text.clone());
            self.title_line = line;
        }
        while self.stack.last().is_some_and(|h| h.level >= level) {
            self.stack.pop();
        }
        if !is_title && self.passages.is_empty() {
            self.bare_headings.push((text.clone(), line));
        }
        if self.first_heading.is_none() && self.passages.is_empty() && self.pending.is_none() {
            self.first_heading = Some(text.clone());
        }
        let slug = self.unique_slug(&text);
        if text.ends_with('?') && !is_title {
            self.question = Some((text.clone(), line));
        }
        self.stack.push(Heading {
            level,
            text,
            slug,
            is_title,
        });
    }

    /// A thematic break: back to the article's top level.
    pub fn rule(&mut self) {
        self.flush();
        self.flush_question();
        self.stack.retain(|h| h.is_title);
    }

    pub fn paragraph(&mut self, text: &str, line: u32) {
        self.flush();
        let text = text.trim();
        if !text.is_empty() {
            self.pending = Some((text.to_owned(), line));
        }
    }

    /// A list, its items already rendered one per line.
    pub fn list(&mut self, text: &str, line: u32) {
        let text = text.trim_end();
        if text.is_empty() {
            return;
        }
        match self.pending.take() {
            Some((lead, lead_line)) if lead.ends_with(':') => {
                self.emit(format!("{lead}\n{text}"), lead_line);
            }
            other => {
                self.pending = other;
                self.flush();
                self.emit(text.to_owned(), line);
            }
        }
    }

    /// Any other block that stands alone (code, table, quote).
    pub fn block(&mut self, text: &str, line: u32) {
        self.flush();
        let text = text.trim_end();
        if !text.trim().is_empty() {
            self.emit(text.to_owned(), line);
        }
    }

    /// A code block: a short one joins the paragraph just before it (as a
    /// list joins its lead sentence); a long one, or one with no paragraph
    /// before it, is a passage of its own, marked as code.
    pub fn code(&mut self, text: &str, line: u32) {
        let text = text.trim_end_matches(['\n', '\r', ' ', '\t']);
        let text = text.trim_start_matches(['\n', '\r']);
        if text.trim().is_empty() {
            return;
        }
        let short = text.lines().count() <= SHORT_CODE_LINES && text.len() <= SHORT_CODE_BYTES;
        match self.pending.as_mut() {
            Some((lead, _)) if short => {
                lead.push('\n');
                lead.push_str(text);
            }
            _ => {
                self.flush();
                self.emit_kind(text.to_owned(), line, PassageKind::Code);
            }
        }
    }

    fn flush(&mut self) {
        if let Some((text, line)) = self.pending.take() {
            self.emit(text, line);
        }
    }

    /// A question heading with no answer becomes a passage of its own, so
    /// nothing written is lost.
    fn flush_question(&mut self) {
        if let Some((q, line)) = self.question.take() {
            self.emit(q, line);
        }
    }

    fn emit(&mut self, text: String, line: u32) {
        self.emit_kind(text, line, PassageKind::Text);
    }

    fn emit_kind(&mut self, text: String, line: u32, kind: PassageKind) {
        let (text, line) = match self.question.take() {
            Some((q, q_line)) => (format!("{q}\n{text}"), q_line),
            None => (text, line),
        };
        if text.len() > MAX_PASSAGE_BYTES {
            let parts = cut_long(&text);
            self.cuts.push((line, text.len(), parts.len()));
            for part in parts {
                self.emit_one(part.to_owned(), line, kind);
            }
        } else {
            self.emit_one(text, line, kind);
        }
    }

    fn emit_one(&mut self, text: String, line: u32, kind: PassageKind) {
        let slug = self
            .stack
            .last()
            .map(|h| h.slug.clone())
            .unwrap_or_default();
        let n = self.section_counts.entry(slug.clone()).or_insert(0);
        *n += 1;
        let id = if slug.is_empty() {
            format!("{}#{}", self.article, n)
        } else {
            format!("{}#{}.{}", self.article, slug, n)
        };
        let ordinal = u32::try_from(self.passages.len()).unwrap_or(u32::MAX);
        self.passages.push(Passage {
            id,
            article: self.article.clone(),
            title: String::new(),
            section: self
                .stack
                .last()
                .map(|h| h.text.clone())
                .unwrap_or_default(),
            heading_path: self.stack.iter().map(|h| h.text.clone()).collect(),
            topics: self.topics_here(),
            ordinal,
            line: Some(line),
            kind,
            description: None,
            url: None,
            text,
        });
    }

    fn topics_here(&self) -> Vec<String> {
        let mut topics: Vec<String> = Vec::new();
        // Front matter overrides, nearest heading first.
        // The title's override applies to the introduction only.
        let last = self.stack.len().saturating_sub(1);
        let overridden = self
            .stack
            .iter()
            .enumerate()
            .rev()
            .filter(|(i, h)| !h.is_title || *i == last)
            .find_map(|(_, h)| self.front.sections.get(&h.text.to_lowercase()).cloned());
        match overridden {
            Some(t) => topics.extend(t),
            None => {
                let headings: Vec<&str> = self
                    .stack
                    .iter()
                    .filter(|h| !h.is_title)
                    .map(|h| h.text.as_str())
                    .collect();
                if headings.is_empty() {
                    topics.extend(self.rules.intro.iter().cloned());
                } else {
                    topics.extend(self.rules.topics_for(&headings));
                }
            }
        }
        topics.extend(self.front.topics.iter().cloned());
        let mut seen = std::collections::HashSet::new();
        topics.retain(|t| seen.insert(t.clone()));
        topics
    }

    fn unique_slug(&mut self, text: &str) -> String {
        let base = slugify(text);
        let base = if base.is_empty() {
            "section".to_owned()
        } else {
            base
        };
        let n = self.used_slugs.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { base } else { format!("{base}-{n}") }
    }

    /// Finishes the article.
    pub fn finish(mut self, fallback_title: &str, hash: u64) -> Article {
        self.flush();
        self.flush_question();
        if self.passages.is_empty()
            && self.bare_headings.is_empty()
            && let Some(title) = self.stack.iter().find(|h| h.is_title)
        {
            // A page of only its title (an index page a site generator
            // fills in): the title is its text, so it can be found.
            let title = title.text.clone();
            self.bare_headings.push((title, self.title_line));
        }
        if self.passages.is_empty() && !self.bare_headings.is_empty() {
            // Only headings: they are the page's text, so it can be found.
            let line = self.bare_headings[0].1;
            let text = self
                .bare_headings
                .iter()
                .map(|(h, _)| h.as_str())
                .collect::<Vec<_>>()
                .join("\n");
            self.emit(text, line);
        }
        let title = self
            .title
            .clone()
            .or_else(|| self.first_heading.clone())
            .unwrap_or_else(|| fallback_title.to_owned());
        for p in &mut self.passages {
            p.title.clone_from(&title);
            p.description.clone_from(&self.front.description);
            p.url.clone_from(&self.front.url);
        }
        let notes = self
            .cuts
            .iter()
            .map(|&(line, bytes, parts)| (Some(line), cut_note(bytes, parts)))
            .collect();
        Article {
            id: self.article,
            title,
            description: self.front.description,
            url: self.front.url,
            passages: self.passages,
            hash,
            notes,
        }
    }
}

/// A code block of at most this many lines and bytes joins the paragraph
/// before it; a longer one is a passage of its own.
pub(crate) const SHORT_CODE_LINES: usize = 8;
pub(crate) const SHORT_CODE_BYTES: usize = 400;

/// Passages longer than this are cut into several (at line breaks or
/// spaces where possible): a search shows and highlights whole passages,
/// and one passage of 50 MB made a search take minutes.
pub(crate) const MAX_PASSAGE_BYTES: usize = 16 * 1024;

/// Headings (and titles) are cut to this length: every passage under a
/// heading stores it.
pub(crate) const MAX_HEADING_BYTES: usize = 1024;

/// `text` in pieces of at most [`MAX_PASSAGE_BYTES`], cut at the last line
/// break or space of each piece's second half, else inside a word (never
/// inside a character). Blank pieces are dropped; nothing else is lost.
pub(crate) fn cut_long(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while rest.len() > MAX_PASSAGE_BYTES {
        let mut end = MAX_PASSAGE_BYTES;
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let window = &rest[..end];
        let at = window
            .rfind('\n')
            .filter(|&i| i >= end / 2)
            .or_else(|| window.rfind(char::is_whitespace).filter(|&i| i >= end / 2))
            .unwrap_or(end);
        let head = rest[..at].trim();
        if !head.is_empty() {
            out.push(head);
        }
        rest = rest[at..].trim_start();
    }
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

/// The issue message for a block cut into passages.
pub(crate) fn cut_note(bytes: usize, parts: usize) -> String {
    format!(
        "a block of {bytes} bytes was cut into {parts} passages of at most {} KiB (search shows whole passages); nothing was dropped",
        MAX_PASSAGE_BYTES / 1024
    )
}

/// A heading cut to [`MAX_HEADING_BYTES`] (at a character boundary).
pub(crate) fn cap_heading(mut text: String) -> String {
    if text.len() > MAX_HEADING_BYTES {
        let mut end = MAX_HEADING_BYTES;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// A file name made readable as a title: `host-on-netlify` -> `Host on netlify`.
pub(crate) fn readable_title(name: &str) -> String {
    let spaced = collapse_spaces(&name.replace(['-', '_'], " "));
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => name.to_owned(),
    }
}

pub(crate) fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_headings_get_distinct_ids() {
        let rules = TopicRules::default();
        let mut b = PassageBuilder::new("a", &rules);
        b.heading(2, "Notes", 1);
        b.paragraph("one", 2);
        b.heading(2, "Notes", 3);
        b.paragraph("two", 4);
        let a = b.finish("a", 0);
        assert_eq!(a.passages[0].id, "a#notes.1");
        assert_eq!(a.passages[1].id, "a#notes-2.1");
    }

    #[test]
    fn unanswered_question_is_kept() {
        let rules = TopicRules::default();
        let mut b = PassageBuilder::new("a", &rules);
        b.heading(2, "Why?", 7);
        let a = b.finish("a", 0);
        assert_eq!(a.passages.len(), 1);
        assert_eq!(a.passages[0].text, "Why?");
        assert_eq!(a.passages[0].line, Some(7));
    }

    #[test]
    fn a_page_of_headings_only_is_found_by_them() {
        let rules = TopicRules::default();
        let mut b = PassageBuilder::new("a", &rules);
        b.heading(1, "Stub", 1);
        b.heading(2, "To write", 3);
        let a = b.finish("a", 0);
        assert_eq!(a.title, "Stub");
        assert_eq!(a.passages.len(), 1);
        assert_eq!(a.passages[0].text, "To write");
        assert_eq!(a.passages[0].line, Some(3));

        let mut b = PassageBuilder::new("blog", &rules);
        b.heading(1, "Blog", 1);
        let a = b.finish("blog", 0);
        assert_eq!(a.passages.len(), 1);
        assert_eq!(a.passages[0].text, "Blog");
    }

    #[test]
    fn list_without_lead_stands_alone() {
        let rules = TopicRules::default();
        let mut b = PassageBuilder::new("a", &rules);
        b.paragraph("A sentence.", 1);
        b.list("• x", 3);
        let a = b.finish("a", 0);
        assert_eq!(a.passages.len(), 2);
        assert_eq!(a.passages[1].text, "• x");
    }
}
