//! Markdown articles, parsed with pulldown-cmark.

use std::borrow::Cow;

use pulldown_cmark::{BrokenLink, CowStr, Event, Options, Parser, Tag, TagEnd};

use super::article::{Article, ContentIssue, hash_bytes};
use super::builder::{PassageBuilder, readable_title};
use super::front_matter::front_matter;
use super::markup::strip_generator_markup;
use super::topics::TopicRules;

/// Nested list items are indented by two spaces per level, up to this level.
const MAX_LIST_INDENT: usize = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    None,
    Heading(u8, u32),
    Paragraph(u32),
    List(u32),
    Code(u32),
    Table(u32),
    Html(u32),
}

/// The 1-based line of each byte offset, by binary search over line starts.
pub(crate) struct Lines(Vec<usize>);

impl Lines {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }

    pub fn line_of(&self, offset: usize) -> u32 {
        let idx = self.0.partition_point(|&start| start <= offset);
        u32::try_from(idx.max(1)).unwrap_or(u32::MAX)
    }
}

/// What kind of Markdown a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Flavor {
    /// MDX: `import`/`export` lines and JSX tags are not text.
    pub mdx: bool,
    /// Index an article whose front matter says `draft: true`.
    pub drafts: bool,
}

/// Splits one Markdown file into an article, or `None` for a draft that is
/// not to be indexed.
pub(crate) fn parse_markdown(
    article_id: &str,
    path: &str,
    text: &str,
    rules: &TopicRules,
    flavor: Flavor,
    issues: &mut Vec<ContentIssue>,
) -> Option<Article> {
    let mut b = PassageBuilder::new(article_id, rules);
    // The front matter is read here and blanked (its newlines kept, so the
    // lines of the body stay where they are) before the body is parsed.
    let mut body: Cow<'_, str> = Cow::Borrowed(text);
    if let Some(block) = front_matter(text, rules) {
        match block.parsed {
            Ok(front) => {
                if front.draft && !flavor.drafts {
                    return None;
                }
                b.set_front_matter(front);
            }
            Err((line, message)) => issues.push(ContentIssue::new(
                path,
                Some(line),
                format!("{message}; the front matter was ignored, the article still indexes"),
            )),
        }
        let head = &text[..block.body_start];
        let mut blanked = "\n".repeat(head.matches('\n').count());
        blanked.push_str(&text[block.body_start..]);
        body = Cow::Owned(blanked);
    }
    let body = match strip_generator_markup(&body, flavor.mdx) {
        Cow::Borrowed(_) => body,
        Cow::Owned(stripped) => Cow::Owned(stripped),
    };

    // The body has the file's lines, each where it was.
    let lines = Lines::new(&body);
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_FOOTNOTES);

    let mut buf = String::new();
    let mut mode = Mode::None;
    let mut list_depth = 0usize;
    // A reference link whose definition is elsewhere (another file, a
    // snippet) keeps its text, as a link.
    let mut keep_text = |_: BrokenLink<'_>| Some((CowStr::Borrowed(""), CowStr::Borrowed("")));

    for (event, range) in
        Parser::new_with_broken_link_callback(&body, opts, Some(&mut keep_text)).into_offset_iter()
    {
        let line = lines.line_of(range.start);
        match event {
            Event::Start(Tag::Heading { level, .. }) if list_depth == 0 && mode == Mode::None => {
                mode = Mode::Heading(level as u8, line);
                buf.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Mode::Heading(level, line) = mode {
                    b.heading(level, &buf, line);
                    mode = Mode::None;
                }
            }
            Event::Start(Tag::Paragraph) => {
                if list_depth == 0 && mode == Mode::None {
                    mode = Mode::Paragraph(line);
                    buf.clear();
                } else if mode_is_list(mode) && !buf.is_empty() && !buf.ends_with([' ', '\n']) {
                    buf.push(' ');
                }
            }
            Event::End(TagEnd::Paragraph) => {
                if let Mode::Paragraph(line) = mode {
                    b.paragraph(&buf, line);
                    mode = Mode::None;
                }
            }
            Event::Start(Tag::List(_)) => {
                if list_depth == 0 && mode == Mode::None {
                    mode = Mode::List(line);
                    buf.clear();
                }
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0
                    && let Mode::List(line) = mode
                {
                    b.list(&buf, line);
                    mode = Mode::None;
                }
            }
            Event::Start(Tag::Item) if mode_is_list(mode) => {
                if !buf.is_empty() && !buf.ends_with('\n') {
                    buf.push('\n');
                }
                // Indentation stops deepening at 8 levels: a line of 5,000
                // nested "- " made 25 MB of spaces (it grows as the square).
                for _ in 1..list_depth.min(MAX_LIST_INDENT) {
                    buf.push_str("  ");
                }
                buf.push_str("• ");
            }
            Event::Start(Tag::CodeBlock(_)) if list_depth == 0 && mode == Mode::None => {
                mode = Mode::Code(line);
                buf.clear();
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Mode::Code(line) = mode {
                    b.code(&buf, line);
                    mode = Mode::None;
                }
            }
            Event::Start(Tag::Table(_)) if list_depth == 0 && mode == Mode::None => {
                mode = Mode::Table(line);
                buf.clear();
            }
            Event::Start(Tag::TableHead | Tag::TableRow)
                if mode_is_table(mode) && !buf.is_empty() =>
            {
                buf.push('\n');
            }
            Event::End(TagEnd::TableCell) if mode_is_table(mode) => {
                buf.push_str(" | ");
            }
            Event::End(TagEnd::TableHead | TagEnd::TableRow) if mode_is_table(mode) => {
                let trimmed = buf.trim_end_matches([' ', '|']).len();
                buf.truncate(trimmed);
            }
            Event::End(TagEnd::Table) => {
                if let Mode::Table(line) = mode {
                    b.block(&buf, line);
                    mode = Mode::None;
                }
            }
            Event::Start(Tag::HtmlBlock) if list_depth == 0 && mode == Mode::None => {
                mode = Mode::Html(line);
                buf.clear();
            }
            Event::Html(html) if matches!(mode, Mode::Html(_)) => buf.push_str(&html),
            Event::End(TagEnd::HtmlBlock) => {
                if let Mode::Html(line) = mode {
                    for (offset, paragraph) in html_paragraphs(&buf) {
                        b.paragraph(&paragraph, line + offset);
                    }
                    mode = Mode::None;
                }
            }
            // An inline tag is dropped and its text kept; a line break
            // separates words.
            Event::InlineHtml(html) | Event::Html(html) if mode != Mode::None => {
                for (_, text) in html_paragraphs(&html) {
                    if !buf.is_empty() && !buf.ends_with([' ', '\n']) {
                        buf.push(' ');
                    }
                    buf.push_str(&text);
                }
                if is_break(&html) && !buf.ends_with([' ', '\n']) {
                    buf.push(' ');
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t)
                if mode != Mode::None =>
            {
                buf.push_str(&t);
            }
            Event::SoftBreak if mode != Mode::None => {
                buf.push(' ');
            }
            Event::HardBreak if mode != Mode::None => {
                buf.push('\n');
            }
            Event::TaskListMarker(done) if mode_is_list(mode) => {
                buf.push_str(if done { "[x] " } else { "[ ] " });
            }
            Event::Rule if list_depth == 0 && mode == Mode::None => b.rule(),
            _ => {}
        }
    }
    let name = article_id.rsplit('/').next().unwrap_or(article_id);
    Some(b.finish(&readable_title(name), hash_bytes(text.as_bytes())))
}

/// Elements whose content a reader never sees as text.
const HIDDEN_ELEMENTS: [&str; 4] = ["script", "style", "template", "svg"];

/// Elements that start a new paragraph of text.
const BLOCK_ELEMENTS: [&str; 30] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tr",
];

/// Whether an inline HTML tag breaks the line (`<br>`, `<br/>`).
fn is_break(tag: &str) -> bool {
    tag_name(tag.trim()).is_some_and(|(name, _)| name.eq_ignore_ascii_case("br"))
}

/// The name of the tag `<name ...>` or `</name>` at the start of `s`, and
/// whether it closes.
fn tag_name(s: &str) -> Option<(&str, bool)> {
    let rest = s.strip_prefix('<')?;
    let (rest, closing) = match rest.strip_prefix('/') {
        Some(r) => (r, true),
        None => (rest, false),
    };
    let end = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == ':' || c == '.'))
        .unwrap_or(rest.len());
    let name = &rest[..end];
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some((name, closing))
}

/// The text a reader sees in a piece of HTML, in paragraphs, each with the
/// number of lines before it: tags dropped (a block element such as `<p>`
/// or `<div>` starts a new paragraph), comments and `<script>`/`<style>`
/// dropped whole, character references decoded, white space collapsed.
pub(crate) fn html_paragraphs(html: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut start_line = 0u32;
    let mut line = 0u32;
    let mut rest = html;
    let flush = |current: &mut String, start: u32, out: &mut Vec<(u32, String)>| {
        let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
        if !text.is_empty() {
            out.push((start, text));
        }
        current.clear();
    };
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(after) = rest.strip_prefix("<!--") {
                let end = after.find("-->").map_or(after.len(), |i| i + 3);
                line += count_lines(&after[..end]);
                rest = &after[end..];
                continue;
            }
            if let Some((name, closing)) = tag_name(rest) {
                let tag_end = rest.find('>').map_or(rest.len(), |i| i + 1);
                line += count_lines(&rest[..tag_end]);
                rest = &rest[tag_end..];
                let hidden = HIDDEN_ELEMENTS
                    .iter()
                    .find(|h| h.eq_ignore_ascii_case(name));
                if let (Some(hidden), false) = (hidden, closing) {
                    let close = format!("</{hidden}");
                    let end = find_ascii_ci(rest, &close).map_or(rest.len(), |i| {
                        rest[i..].find('>').map_or(rest.len(), |j| i + j + 1)
                    });
                    line += count_lines(&rest[..end]);
                    rest = &rest[end..];
                } else if BLOCK_ELEMENTS.iter().any(|b| b.eq_ignore_ascii_case(name)) {
                    flush(&mut current, start_line, &mut out);
                    start_line = line;
                }
                continue;
            }
        }
        if c == '&'
            && let Some((decoded, len)) = entity(rest)
        {
            if current.trim().is_empty() {
                start_line = line;
            }
            current.push(decoded);
            rest = &rest[len..];
            continue;
        }
        if c == '\n' {
            line += 1;
            current.push(' ');
        } else {
            if current.trim().is_empty() && !c.is_whitespace() {
                start_line = line;
            }
            current.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut current, start_line, &mut out);
    out
}

fn count_lines(s: &str) -> u32 {
    u32::try_from(s.matches('\n').count()).unwrap_or(u32::MAX)
}

/// The byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case.
fn find_ascii_ci(haystack: &str, needle: &str) -> Option<usize> {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    (0..=h.len().checked_sub(n.len())?).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// A character reference at the start of `s` (`&amp;`, `&#39;`, `&#x2014;`)
/// and its length in bytes.
fn entity(s: &str) -> Option<(char, usize)> {
    let end = s.get(..12.min(s.len()))?.find(';')?;
    let name = &s[1..end];
    let c = match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "mdash" => '\u{2014}',
        "ndash" => '\u{2013}',
        "hellip" => '\u{2026}',
        "copy" => '\u{a9}',
        "trade" => '\u{2122}',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

fn mode_is_list(mode: Mode) -> bool {
    matches!(mode, Mode::List(_))
}

fn mode_is_table(mode: Mode) -> bool {
    matches!(mode, Mode::Table(_))
}

#[cfg(test)]
mod tests;
