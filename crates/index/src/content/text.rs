//! Plain-text articles.
//!
//! Blocks are separated by blank lines. A block of one short line with no
//! end punctuation is a heading: the first one is the title, later ones are
//! sections. A short line ending in `?` is a question heading (an FAQ entry)
//! and keeps its answer. Lines starting with a bullet (`•`, `-`, `*`, `1.`)
//! form a list. Two or more blank lines in a row end the current section.

use super::article::{Article, hash_bytes};
use super::builder::PassageBuilder;
use super::topics::TopicRules;

const MAX_HEADING_CHARS: usize = 120;
const MAX_HEADING_WORDS: usize = 16;

pub(crate) fn parse_text(article_id: &str, text: &str, rules: &TopicRules) -> Article {
    let mut b = PassageBuilder::new(article_id, rules);
    let blocks = blocks(text);
    let mut in_section = false;
    let last = blocks.len().saturating_sub(1);
    for (i, block) in blocks.iter().enumerate() {
        if i > 0 && block.blanks_before >= 2 {
            b.rule();
            in_section = false;
        }
        if block.lines.len() == 1 && is_heading(block.lines[0].1) && i != last {
            let (line, heading) = block.lines[0];
            let heading = heading.trim();
            if i == 0 && !b.has_title() {
                b.heading(1, heading, line);
            } else if heading.ends_with('?') {
                b.heading(if in_section { 3 } else { 2 }, heading, line);
            } else {
                b.heading(2, heading, line);
                in_section = true;
            }
            continue;
        }
        // Runs of bullet lines are lists; other lines join into paragraphs.
        let mut k = 0;
        while k < block.lines.len() {
            let start = block.lines[k].0;
            let bullet = bullet_text(block.lines[k].1).is_some();
            let mut run = Vec::new();
            while k < block.lines.len() && bullet_text(block.lines[k].1).is_some() == bullet {
                run.push(block.lines[k].1);
                k += 1;
            }
            if bullet {
                let items: Vec<String> = run
                    .iter()
                    .filter_map(|l| bullet_text(l))
                    .map(|t| format!("• {t}"))
                    .collect();
                b.list(&items.join("\n"), start);
            } else {
                let joined: Vec<&str> = run.iter().map(|l| l.trim()).collect();
                b.paragraph(&joined.join(" "), start);
            }
        }
    }
    let fallback = article_id.rsplit('/').next().unwrap_or(article_id);
    b.finish(fallback, hash_bytes(text.as_bytes()))
}

struct Block<'t> {
    blanks_before: usize,
    /// (1-based line number, line)
    lines: Vec<(u32, &'t str)>,
}

fn blocks(text: &str) -> Vec<Block<'_>> {
    let mut out: Vec<Block<'_>> = Vec::new();
    let mut blanks = 0;
    let mut current: Option<Block<'_>> = None;
    for (n, line) in text.lines().enumerate() {
        let n = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            if let Some(block) = current.take() {
                out.push(block);
            }
            blanks += 1;
        } else {
            current
                .get_or_insert_with(|| Block {
                    blanks_before: std::mem::take(&mut blanks),
                    lines: Vec::new(),
                })
                .lines
                .push((n, line));
        }
    }
    out.extend(current);
    out
}

fn is_heading(line: &str) -> bool {
    let line = line.trim();
    let chars = line.chars().count();
    chars <= MAX_HEADING_CHARS
        && line.split_whitespace().count() <= MAX_HEADING_WORDS
        && line.chars().any(char::is_alphabetic)
        && !line.ends_with(['.', ',', ';', ':', '!', '…'])
        && bullet_text(line).is_none()
}

/// The text of a bullet line without its bullet, or `None` for other lines.
fn bullet_text(line: &str) -> Option<&str> {
    let t = line.trim_start();
    for bullet in ['•', '-', '*', '·', '–', '‣', '◦'] {
        if let Some(rest) = t.strip_prefix(bullet)
            && rest.starts_with(char::is_whitespace)
        {
            return Some(rest.trim());
        }
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 && digits < 4 {
        let rest = &t[digits..];
        if let Some(rest) = rest.strip_prefix(['.', ')'])
            && rest.starts_with(char::is_whitespace)
        {
            return Some(rest.trim());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_questions_lists_and_rules() {
        let text = "My Title\n\nIntro para.\n\nSection One\n\nLead:\n  • a\n  • b\n\nWhat now?\n\nAnswer here.\n\n\nClosing words.\n";
        let a = parse_text("t", text, &TopicRules::default());
        assert_eq!(a.title, "My Title");
        let got: Vec<(&str, &str)> = a
            .passages
            .iter()
            .map(|p| (p.section.as_str(), p.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("My Title", "Intro para."),
                ("Section One", "Lead:\n• a\n• b"),
                ("What now?", "What now?\nAnswer here."),
                ("My Title", "Closing words."),
            ]
        );
        assert_eq!(
            a.passages[2].heading_path,
            vec!["My Title", "Section One", "What now?"]
        );
        assert_eq!(a.passages[2].line, Some(11));
    }

    #[test]
    fn wrapped_lines_join_and_a_last_short_line_is_kept() {
        let a = parse_text(
            "t",
            "First line\nsecond line.\n\nThe end",
            &TopicRules::default(),
        );
        let texts: Vec<&str> = a.passages.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, vec!["First line second line.", "The end"]);
    }

    #[test]
    fn bullets() {
        assert_eq!(bullet_text("  • x"), Some("x"));
        assert_eq!(bullet_text("12. y"), Some("y"));
        assert_eq!(bullet_text("-x"), None);
        assert_eq!(bullet_text("2024. A year"), None);
    }
}
