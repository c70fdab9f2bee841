//! The library on real documentation folders written by others:
//! `../shared/corpora/*` (Jekyll's, Material for MkDocs' and the Rust book's
//! docs, as their authors keep them). Skipped, saying so, when absent.

use std::path::{Path, PathBuf};

use needle_index::{ContentSource, NeedleIndex, PassageKind, ReindexOptions, SearchRequest};

fn corpora() -> Option<Vec<PathBuf>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpora");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    (!dirs.is_empty()).then_some(dirs)
}

/// The code of a Markdown source, where template syntax is what the reader
/// sees: code spans (`` `x` ``, `<code>x</code>`), as written and without
/// `{% raw %}` markers, and the lines of fenced code blocks.
fn code_of(source: &str) -> Vec<String> {
    let unraw = |s: &str| {
        s.replace("&#37;", "%")
            .replace("{% raw %}", "")
            .replace("{% endraw %}", "")
    };
    let mut code = Vec::new();
    let mut fence: Option<String> = None;
    for line in source.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            let closes = if open == "{%" {
                trimmed.starts_with("{% endhighlight")
            } else {
                trimmed.starts_with(open.as_str())
            };
            if closes {
                fence = None;
            } else {
                code.push(unraw(line.trim()));
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(trimmed[..3].to_owned());
            continue;
        }
        if trimmed.starts_with("{% highlight") {
            fence = Some("{%".to_owned());
            continue;
        }
        let mut parts = line.split('`');
        parts.next();
        while let (Some(inside), Some(_)) = (parts.next(), parts.next()) {
            code.push(inside.to_owned());
            code.push(unraw(inside));
        }
        let mut rest = line;
        while let Some(start) = rest.find("<code>") {
            let after = &rest[start + 6..];
            let end = after.find("</code>").unwrap_or(after.len());
            code.push(after[..end].replace("&#37;", "%"));
            code.push(unraw(&after[..end]));
            rest = &after[end..];
        }
    }
    code.retain(|s| !s.trim().is_empty());
    code.sort_by_key(|s| std::cmp::Reverse(s.len()));
    code
}

const MARKUP: [&str; 7] = ["{{", "{%", "<!--", "!!!", "???", ":::", "==="];

#[test]
fn real_documentation_folders_index_cleanly() {
    let Some(dirs) = corpora() else {
        eprintln!("skipped: ../shared/corpora is absent");
        return;
    };
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let index = NeedleIndex::in_memory().unwrap();
        let report = index
            .reindex(
                &ContentSource::Path(dir.clone()),
                &ReindexOptions::default(),
            )
            .unwrap();
        assert!(
            report.issues.is_empty(),
            "{name}: {} warnings, first: {:?}",
            report.issues.len(),
            report.issues.first()
        );
        assert!(report.added > 50, "{name}: {report:?}");

        let all = index
            .search(&SearchRequest::new("").limit(1_000_000))
            .unwrap();
        let mut leaks = Vec::new();
        for hit in &all.hits {
            let p = &hit.passage;
            if p.kind == PassageKind::Code {
                continue;
            }
            let mut text = p.text.clone();
            if MARKUP.iter().any(|m| text.contains(m)) {
                let path = ["md", "markdown", "mdx"]
                    .iter()
                    .map(|ext| dir.join(format!("{}.{ext}", p.article)))
                    .chain(
                        ["index.md", "_index.md", "README.md"]
                            .map(|f| dir.join(&p.article).join(f)),
                    )
                    .find(|f| f.is_file())
                    .unwrap_or_else(|| panic!("{name}: no source for {}", p.article));
                let source = std::fs::read_to_string(path).unwrap();
                for code in code_of(&source) {
                    text = text.replace(code.trim(), "");
                }
            }
            if let Some(m) = MARKUP.iter().find(|m| text.contains(*m)) {
                leaks.push(format!("{} ({m}): {}", p.id, p.text));
            }
        }
        assert!(
            leaks.is_empty(),
            "{name}: {} passages hold markup outside code, e.g.\n{}",
            leaks.len(),
            leaks.iter().take(8).cloned().collect::<Vec<_>>().join("\n")
        );
        eprintln!(
            "{name}: {} articles, {} passages, no warning, no markup outside code",
            report.added, report.passages
        );
    }
}

#[test]
fn titles_come_from_front_matter_and_bundles_take_their_folder() {
    let Some(dirs) = corpora() else {
        eprintln!("skipped: ../shared/corpora is absent");
        return;
    };
    let Some(jekyll) = dirs.iter().find(|d| d.ends_with("jekyll-docs")) else {
        eprintln!("skipped: ../shared/corpora/jekyll-docs is absent");
        return;
    };
    let index = NeedleIndex::in_memory().unwrap();
    index
        .reindex(
            &ContentSource::Path(jekyll.clone()),
            &ReindexOptions::default(),
        )
        .unwrap();
    let articles = index.articles().unwrap();
    let title = |id: &str| {
        articles
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.title.clone())
            .unwrap_or_else(|| panic!("no article {id}"))
    };
    // Both named in their files' front matter (`title:`).
    assert_eq!(title("installation"), "Installation");
    assert_eq!(title("front-matter"), "Front Matter");
    // `maintaining/index.md` is the article `maintaining`.
    assert!(!title("maintaining").is_empty());
    let hit = &index
        .search(&SearchRequest::new("installation").limit(1))
        .unwrap()
        .hits[0];
    assert_eq!(hit.passage.url.as_deref(), Some("/docs/installation/"));
}
