//! Markdown articles, parsed with pulldown-cmark.

use std::collections::BTreeMap;

use pulldown_cmark::{Event, MetadataBlockKind, Options, Parser, Tag, TagEnd};
use serde::Deserialize;

use super::builder::{FrontMatter, PassageBuilder};
use super::topics::{TopicRules, toml_message};
use super::{Article, ContentIssue, hash_bytes};

/// The front matter an article may carry, in TOML between `+++` lines.
#[derive(Debug, Default, Deserialize)]
struct RawFrontMatter {
    title: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    sections: BTreeMap<String, Vec<String>>,
}

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
    Meta(MetadataBlockKind, u32),
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

pub(crate) fn parse_markdown(
    article_id: &str,
    path: &str,
    text: &str,
    rules: &TopicRules,
    issues: &mut Vec<ContentIssue>,
) -> Article {
    let lines = Lines::new(text);
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_TASKLISTS);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_PLUSES_DELIMITED_METADATA_BLOCKS);
    opts.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);

    let mut b = PassageBuilder::new(article_id, rules);
    let mut buf = String::new();
    let mut mode = Mode::None;
    let mut list_depth = 0usize;
    let mut seen_block = false;

    for (event, range) in Parser::new_ext(text, opts).into_offset_iter() {
        let line = lines.line_of(range.start);
        match event {
            Event::Start(Tag::MetadataBlock(kind)) => {
                mode = Mode::Meta(kind, line);
                buf.clear();
            }
            Event::End(TagEnd::MetadataBlock(_)) => {
                if let Mode::Meta(kind, line) = mode {
                    if seen_block {
                        // Only a block at the very top is front matter.
                    } else if kind == MetadataBlockKind::PlusesStyle {
                        match toml::from_str::<RawFrontMatter>(&buf) {
                            Ok(raw) => b.set_front_matter(FrontMatter {
                                title: raw.title,
                                topics: raw.topics,
                                sections: raw
                                    .sections
                                    .into_iter()
                                    .map(|(k, v)| (k.to_lowercase(), v))
                                    .collect(),
                            }),
                            Err(e) => issues.push(ContentIssue::new(
                                path,
                                Some(line),
                                format!(
                                    "front matter is not valid TOML ({}); it was ignored, the article still indexes",
                                    toml_message(&buf, &e)
                                ),
                            )),
                        }
                    } else {
                        issues.push(ContentIssue::new(
                            path,
                            Some(line),
                            "YAML front matter (---) is not read; write it in TOML between +++ lines",
                        ));
                    }
                }
                mode = Mode::None;
                seen_block = true;
            }
            Event::Start(Tag::Heading { level, .. }) if list_depth == 0 && mode == Mode::None => {
                mode = Mode::Heading(level as u8, line);
                buf.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Mode::Heading(level, line) = mode {
                    b.heading(level, &buf, line);
                    mode = Mode::None;
                }
                seen_block = true;
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
                seen_block = true;
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
                seen_block = true;
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
                    b.block(&buf, line);
                    mode = Mode::None;
                }
                seen_block = true;
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
                seen_block = true;
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
            Event::Rule => {
                if list_depth == 0 && mode == Mode::None {
                    b.rule();
                }
                seen_block = true;
            }
            Event::Html(_) => seen_block = true,
            _ => {}
        }
    }
    let fallback = article_id.rsplit('/').next().unwrap_or(article_id);
    b.finish(fallback, hash_bytes(text.as_bytes()))
}

fn mode_is_list(mode: Mode) -> bool {
    matches!(mode, Mode::List(_))
}

fn mode_is_table(mode: Mode) -> bool {
    matches!(mode, Mode::Table(_))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Article, Vec<ContentIssue>) {
        let mut issues = Vec::new();
        let rules = TopicRules::from_toml(include_str!("../../../../content/topics.toml")).unwrap();
        let a = parse_markdown("doc", "doc.md", text, &rules, &mut issues);
        (a, issues)
    }

    #[test]
    fn markup_is_stripped_words_kept() {
        let (a, _) = parse("# T\n\nSome *emphasis*, `code` and a [link](http://x) here.\n");
        assert_eq!(a.passages[0].text, "Some emphasis, code and a link here.");
        assert_eq!(a.title, "T");
    }

    #[test]
    fn nested_lists_and_tables_and_code() {
        let (a, _) = parse(
            "## S\n\nSteps:\n\n1. one\n   - inner\n2. two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n```\nlet x = 1;\n```\n",
        );
        let texts: Vec<&str> = a.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "Steps:\n• one\n  • inner\n• two",
                "a | b\n1 | 2",
                "let x = 1;"
            ]
        );
        assert_eq!(a.passages[1].line, Some(9));
    }

    #[test]
    fn html_is_skipped_and_bad_front_matter_reported() {
        let (a, issues) = parse("+++\ntitle = \n+++\n\n<div>\nhidden\n</div>\n\nVisible.\n");
        assert_eq!(a.passages.len(), 1);
        assert_eq!(a.passages[0].text, "Visible.");
        assert_eq!(issues.len(), 1);
        assert!(issues[0].message.contains("front matter"), "{issues:?}");
    }

    #[test]
    fn front_matter_sets_title_and_section_topics() {
        let (a, issues) = parse(
            "+++\ntitle = \"Guide\"\ntopics = [\"extra\"]\n[sections]\n\"Prices\" = [\"cost\"]\n+++\n\n## Prices\n\nCheap.\n\n## Risks\n\nSome.\n",
        );
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(a.title, "Guide");
        assert_eq!(a.passages[0].topics, vec!["cost", "extra"]);
        assert_eq!(a.passages[1].topics, vec!["side-effects", "extra"]);
    }

    #[test]
    fn deep_headings_and_no_title() {
        let (a, _) = parse("###### Deep\n\nText.\n\n# Later\n\nMore.\n");
        assert_eq!(a.title, "doc");
        assert_eq!(a.passages[0].section, "Deep");
        assert_eq!(a.passages[1].heading_path, vec!["Later"]);
    }

    #[test]
    fn lines_map_offsets() {
        let l = Lines::new("a\nbc\n\nd");
        assert_eq!(l.line_of(0), 1);
        assert_eq!(l.line_of(2), 2);
        assert_eq!(l.line_of(5), 3);
        assert_eq!(l.line_of(6), 4);
    }
}
