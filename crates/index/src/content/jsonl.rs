//! JSON Lines articles: one record per line, `{"_id", "title", "text", "topics"?}`,
//! as in the BEIR layout. Each record is an article; its text splits into
//! passages at blank lines.

use serde::Deserialize;

use super::article::{Article, ContentIssue, Passage, PassageKind, hash_bytes};
use super::builder::{MAX_PASSAGE_BYTES, cap_heading, cut_long, cut_note};

#[derive(Debug, Deserialize)]
struct Record {
    #[serde(rename = "_id")]
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    /// Absent in a record of a title only (a catalogue entry): it is found
    /// by its title.
    #[serde(default)]
    text: String,
    #[serde(default)]
    topics: Vec<String>,
}

pub(crate) fn parse_jsonl(path: &str, text: &str, issues: &mut Vec<ContentIssue>) -> Vec<Article> {
    let mut articles = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line_no = u32::try_from(n + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            continue;
        }
        let record: Record = match serde_json::from_str(line) {
            Ok(r) => r,
            Err(e) => {
                issues.push(ContentIssue::new(
                    path,
                    Some(line_no),
                    format!(
                        "not a JSON record with \"_id\" and \"text\" or \"title\" ({e}); this line was skipped"
                    ),
                ));
                continue;
            }
        };
        let id = match &record.id {
            serde_json::Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
            serde_json::Value::Number(n) => n.to_string(),
            _ => {
                issues.push(ContentIssue::new(
                    path,
                    Some(line_no),
                    "\"_id\" must be a non-empty string or a number; this line was skipped",
                ));
                continue;
            }
        };
        let title = cap_heading(
            record
                .title
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .unwrap_or(&id)
                .to_owned(),
        );
        let mut parts = Vec::new();
        for para in paragraphs(&record.text) {
            if para.len() > MAX_PASSAGE_BYTES {
                let cut: Vec<String> = cut_long(&para).into_iter().map(str::to_owned).collect();
                issues.push(ContentIssue::new(
                    path,
                    Some(line_no),
                    cut_note(para.len(), cut.len()),
                ));
                parts.extend(cut);
            } else {
                parts.push(para);
            }
        }
        // A record with a title and no text (a catalogue entry, an
        // abstract-less paper) is found by its title: it is its text.
        let has_title = record
            .title
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        if parts.is_empty() && has_title {
            parts.push(title.clone());
        }
        if parts.is_empty() {
            issues.push(ContentIssue::new(
                path,
                Some(line_no),
                format!("record {id:?} has no text to index; it is listed with no passages"),
            ));
        }
        let passages = parts
            .into_iter()
            .enumerate()
            .map(|(i, para)| Passage {
                id: format!("{id}#{}", i + 1),
                article: id.clone(),
                title: title.clone(),
                section: String::new(),
                heading_path: Vec::new(),
                topics: record.topics.clone(),
                ordinal: u32::try_from(i).unwrap_or(u32::MAX),
                line: Some(line_no),
                kind: PassageKind::Text,
                description: None,
                url: None,
                text: para,
            })
            .collect();
        articles.push(Article {
            id,
            title,
            description: None,
            url: None,
            passages,
            hash: hash_bytes(line.as_bytes()),
            notes: Vec::new(),
        });
    }
    articles
}

/// Paragraphs of a record's text: split at blank lines, trimmed, non-empty.
fn paragraphs(text: &str) -> impl Iterator<Item = String> + '_ {
    let mut paras = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paras.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        paras.push(current.join("\n"));
    }
    paras.into_iter().map(|p| p.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_become_articles_and_bad_lines_are_reported() {
        let text = concat!(
            "{\"_id\": \"a1\", \"title\": \"One\", \"text\": \"First.\\n\\nSecond.\", \"topics\": [\"cost\"]}\n",
            "not json\n",
            "\n",
            "{\"_id\": 7, \"text\": \"Numbered.\"}\n",
            "{\"_id\": \"\", \"text\": \"x\"}\n",
        );
        let mut issues = Vec::new();
        let arts = parse_jsonl("c.jsonl", text, &mut issues);
        assert_eq!(arts.len(), 2);
        assert_eq!(arts[0].passages.len(), 2);
        assert_eq!(arts[0].passages[1].id, "a1#2");
        assert_eq!(arts[0].passages[1].topics, vec!["cost"]);
        assert_eq!(arts[1].id, "7");
        assert_eq!(arts[1].title, "7");
        assert_eq!(arts[1].passages[0].line, Some(4));
        let lines: Vec<Option<u32>> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![Some(2), Some(5)]);
    }

    /// Guards: a record with a title and no text (CACM holds 1,617 such
    /// papers) is found by its title, not listed empty.
    #[test]
    fn a_record_of_its_title_only_is_its_title() {
        let mut issues = Vec::new();
        let arts = parse_jsonl(
            "c.jsonl",
            concat!(
                "{\"_id\": \"9\", \"title\": \"Sorting on tapes\", \"text\": \"\"}\n",
                "{\"_id\": \"10\", \"text\": \" \"}\n",
                "{\"_id\": \"11\", \"title\": \"Merging on drums\"}\n",
                "{\"_id\": \"12\"}\n",
            ),
            &mut issues,
        );
        assert_eq!(arts[0].passages.len(), 1);
        assert_eq!(arts[0].passages[0].text, "Sorting on tapes");
        assert!(arts[1].passages.is_empty());
        // Without a "text" field at all: the same.
        assert_eq!(arts[2].passages[0].text, "Merging on drums");
        assert!(arts[3].passages.is_empty());
        let lines: Vec<Option<u32>> = issues.iter().map(|i| i.line).collect();
        assert_eq!(lines, [Some(2), Some(4)], "{issues:?}");
        assert!(issues[1].message.contains("no text to index"), "{issues:?}");
    }
}
