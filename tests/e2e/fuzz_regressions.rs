//! The fuzz targets' checks on stable Rust: the seed corpus of `fuzz/`
//! replayed through the same checks, and every input the fuzzers (or the
//! reliability tests) found that broke something, kept as a regression test.

use std::path::Path;

use needle_index::fuzzing::{Format, Parsed, parse, read_query};
use needle_index::{
    ContentSource, NeedleIndex, ReindexOptions, SearchRequest, Synonyms, TopicRules,
};

use crate::util::repo_root;

/// The `front_matter` fuzz target's checks, shared with it.
#[path = "../../fuzz/fuzz_targets/front_matter_checks.rs"]
mod front_matter_checks;

fn rules() -> TopicRules {
    TopicRules::from_toml(
        &std::fs::read_to_string(repo_root().join("content/topics.toml")).unwrap(),
    )
    .unwrap()
}

/// Parses `text` as `format` and checks the parser's guarantees, as the
/// content fuzz targets do.
fn parse_checked(format: Format, path: &str, text: &str) -> Parsed {
    let parsed = parse(format, path, text, &rules());
    if let Err(e) = parsed.check(text) {
        panic!("{path}: {e}");
    }
    parsed
}

fn bundled_index() -> NeedleIndex {
    let root = repo_root().join("content");
    let source = ContentSource::memory(
        ["microneedling.md", "topics.toml", "synonyms.toml"]
            .map(|name| (name, std::fs::read_to_string(root.join(name)).unwrap())),
    );
    let index = NeedleIndex::in_memory().unwrap();
    index.reindex(&source, &ReindexOptions::default()).unwrap();
    index
}

/// What the query fuzz target checks for one input.
fn query_checked(index: &NeedleIndex, synonyms: &Synonyms, query: &str) {
    let _ = read_query(query, synonyms);
    for (limit, offset) in [(10, 0), (3, 7)] {
        let request = SearchRequest::new(query)
            .limit(limit)
            .offset(offset)
            .count_topics(true);
        let results = index
            .search(&request)
            .unwrap_or_else(|e| panic!("{query:?}: {e}"));
        assert!(results.hits.len() <= limit);
        assert!(results.total >= results.hits.len());
        for hit in &results.hits {
            let mut last_end = 0;
            for range in hit.highlight_byte_ranges() {
                assert!(
                    range.start >= last_end && range.start < range.end,
                    "{query:?}"
                );
                assert!(!hit.passage.text[range.clone()].is_empty());
                last_end = range.end;
            }
        }
    }
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = repo_root().join("fuzz/corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| file_name(p).starts_with("seed-"))
        .map(|p| (file_name(&p), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

fn file_name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Guards: the fuzz targets' seed corpus keeps passing their checks.
#[test]
fn fuzz_seed_corpus_passes_the_checks() {
    for (target, format, ext) in [
        ("markdown", Format::Markdown, "md"),
        ("text", Format::Text, "txt"),
        ("jsonl", Format::JsonLines, "jsonl"),
    ] {
        for (name, bytes) in corpus(target) {
            let text = String::from_utf8(bytes).unwrap();
            let parsed = parse_checked(format, &format!("doc.{ext}"), &text);
            assert!(!parsed.articles.is_empty(), "{target}/{name}");
        }
    }
    let index = bundled_index();
    let synonyms = Synonyms::from_toml(
        &std::fs::read_to_string(repo_root().join("content/synonyms.toml")).unwrap(),
    )
    .unwrap();
    for (_, bytes) in corpus("query") {
        query_checked(&index, &synonyms, &String::from_utf8_lossy(&bytes));
    }
}

/// Guards: the `front_matter` target's seeds (pages of Jekyll, MkDocs,
/// Hugo, mdBook and Docusaurus, YAML bombs) keep passing its checks.
#[test]
fn front_matter_seed_corpus_passes_the_checks() {
    let rules = rules();
    for (_, bytes) in corpus("front_matter") {
        front_matter_checks::check_input(&bytes, &rules);
    }
}

/// Guards: a line of thousands of nested list markers. The indentation of
/// nested items grew as the square of the depth: 5,000 levels made a 25 MB
/// passage from a 10 KB line, 50,000 would have taken gigabytes.
#[test]
fn deeply_nested_list_stays_small() {
    let text = format!("{}deep\n", "- ".repeat(20_000));
    let parsed = parse_checked(Format::Markdown, "doc.md", &text);
    let bytes: usize = parsed.articles[0]
        .passages
        .iter()
        .map(|p| p.text.len())
        .sum();
    assert!(
        bytes < 1 << 20,
        "{bytes} bytes of passages from {} bytes",
        text.len()
    );
    assert!(
        parsed.articles[0]
            .passages
            .iter()
            .any(|p| p.text.contains("deep"))
    );
}

/// Guards: one paragraph of megabytes is cut into passages of at most
/// 16 KiB (one 50 MB passage made a search take minutes), nothing dropped,
/// and the cut is reported.
#[test]
fn huge_paragraph_is_cut_into_passages_and_reported() {
    let words: Vec<String> = (0..300_000).map(|i| format!("w{i}")).collect();
    let text = format!("# Big\n\n{}\n", words.join(" "));
    for (format, path, text) in [
        (Format::Markdown, "big.md", text.clone()),
        (Format::Text, "big.txt", text.replace("# ", "")),
        (
            Format::JsonLines,
            "big.jsonl",
            format!("{{\"_id\":\"b\",\"text\":\"{}\"}}\n", words.join(" ")),
        ),
    ] {
        let parsed = parse_checked(format, path, &text);
        let passages = &parsed.articles[0].passages;
        assert!(passages.len() > 100, "{path}");
        assert!(passages.iter().all(|p| p.text.len() <= 16 * 1024), "{path}");
        let joined: Vec<&str> = passages.iter().flat_map(|p| p.text.split(' ')).collect();
        assert_eq!(joined.len(), words.len(), "{path}: no word lost");
        assert_eq!(joined.last(), Some(&"w299999"), "{path}");
        assert!(
            parsed
                .issues
                .iter()
                .any(|i| i.message.contains("was cut into")),
            "{path}: {:?}",
            parsed.issues
        );
    }
    // A single word of megabytes, with multi-byte characters: cut between characters.
    let text = "é".repeat(3 << 20);
    let parsed = parse_checked(Format::Text, "word.txt", &text);
    let total: usize = parsed.articles[0]
        .passages
        .iter()
        .map(|p| p.text.len())
        .sum();
    assert_eq!(total, text.len());
}

/// Guards: an empty file, and a record without text, are reported (they
/// used to index silently as articles with no passages).
#[test]
fn empty_files_and_records_are_reported() {
    for (format, path, text) in [
        (Format::Markdown, "e.md", ""),
        (Format::Text, "e.txt", "\n\n  \n"),
        (
            Format::JsonLines,
            "e.jsonl",
            "{\"_id\":\"x\",\"text\":\"  \"}\n",
        ),
    ] {
        let parsed = parse_checked(format, path, text);
        assert!(
            parsed
                .issues
                .iter()
                .any(|i| i.message.contains("no text to index")),
            "{path}: {:?}",
            parsed.issues
        );
    }
}

/// Guards: a page of its title only (an index page a site generator fills
/// in) is found by its title, without a warning.
#[test]
fn a_page_of_its_title_only_is_its_title() {
    let parsed = parse_checked(Format::Markdown, "h.md", "# Only a title\n");
    assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
    let texts: Vec<&str> = parsed.articles[0]
        .passages
        .iter()
        .map(|p| p.text.as_str())
        .collect();
    assert_eq!(texts, vec!["Only a title"]);
}

/// Guards: a heading of a megabyte is cut to 1 KiB (every passage under
/// it stores it), and still titles the article.
#[test]
fn huge_heading_is_capped() {
    let text = format!(
        "# {}\n\nBody.\n\n## {}\n\nMore.\n",
        "t".repeat(1 << 20),
        "s".repeat(1 << 20)
    );
    let parsed = parse_checked(Format::Markdown, "h.md", &text);
    let a = &parsed.articles[0];
    assert_eq!(a.title.len(), 1024);
    assert!(a.passages.iter().all(|p| p.section.len() <= 1024));
}
