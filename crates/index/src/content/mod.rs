//! Articles and passages: what the content is made of, and how files become passages.
//!
//! The parsers (`markdown`, `text`, `jsonl`) all feed one
//! [`PassageBuilder`](builder::PassageBuilder), so that the three formats
//! agree on what a passage, a section and an id are.

mod article;
mod builder;
mod file;
mod front_matter;
mod jsonl;
mod markdown;
mod markup;
mod slug;
mod source;
mod text;
mod topics;
mod walk;

pub(crate) use article::hash_bytes;
pub use article::{Article, ContentIssue, Passage, PassageKind};
pub(crate) use file::{Format, SourceFile};
pub(crate) use jsonl::parse_jsonl;
pub(crate) use markdown::parse_markdown;
pub(crate) use markup::strip_generator_markup;
pub(crate) use source::{ContentConfig, StatSum, config_at, content_dir, scan, stat_fingerprint};
pub use source::{ContentSource, MemoryFile};
pub(crate) use text::parse_text;
pub use topics::{TopicDef, TopicRules};
pub(crate) use topics::{default_label, toml_message};
pub(crate) use walk::{PathVisit, visit_path};

/// Splits one file's text into articles, by its format.
///
/// `article_id` is used for Markdown and plain text; JSON Lines records carry
/// their own ids. Problems are pushed to `issues` (with `path` as the file).
/// A Markdown draft (`draft: true`) gives no article unless `drafts`.
pub(crate) fn parse_file(
    format: Format,
    article_id: &str,
    path: &str,
    text: &str,
    rules: &TopicRules,
    drafts: bool,
    issues: &mut Vec<ContentIssue>,
) -> Vec<Article> {
    let mut articles = match format {
        Format::Markdown => {
            let flavor = markdown::Flavor {
                mdx: is_mdx(path),
                drafts,
            };
            parse_markdown(article_id, path, text, rules, flavor, issues)
                .into_iter()
                .collect()
        }
        Format::Text => vec![parse_text(article_id, text, rules)],
        Format::JsonLines => parse_jsonl(path, text, issues),
    };
    for article in &mut articles {
        for (line, message) in article.notes.drain(..) {
            issues.push(ContentIssue::new(path, line, message));
        }
        // A page of front matter only (a redirect, a page its generator
        // fills in) is valid as it is: listed, without a word.
        let metadata_only = || {
            format == Format::Markdown
                && front_matter::front_matter(text, rules).is_some_and(|b| b.parsed.is_ok())
        };
        if article.passages.is_empty() && format != Format::JsonLines && !metadata_only() {
            issues.push(ContentIssue::new(
                path,
                None,
                "no text to index (the file is empty or holds only headings or markup); it is listed with no passages",
            ));
        }
    }
    articles
}

/// Whether a path names an MDX file (`.mdx`, any case).
fn is_mdx(path: &str) -> bool {
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| ext.eq_ignore_ascii_case("mdx"))
}

/// Splits a Markdown document into passages, with the topic rules given.
///
/// This is the parser the index uses; it is public so that programs can see
/// how needle will split their content without building an index.
///
/// ```
/// use needle_index::{split_markdown, TopicRules};
///
/// let doc = "# Care\n\n## Aftercare\n\nWear sunscreen:\n\n- SPF 30\n- a hat\n";
/// let passages = split_markdown("care", doc, &TopicRules::default());
/// assert_eq!(passages.len(), 1);
/// assert_eq!(passages[0].text, "Wear sunscreen:\n• SPF 30\n• a hat");
/// assert_eq!(passages[0].section, "Aftercare");
/// ```
#[must_use]
pub fn split_markdown(article_id: &str, markdown: &str, rules: &TopicRules) -> Vec<Passage> {
    let mut issues = Vec::new();
    let flavor = markdown::Flavor {
        mdx: false,
        drafts: true,
    };
    parse_markdown(article_id, article_id, markdown, rules, flavor, &mut issues)
        .map(|article| article.passages)
        .unwrap_or_default()
}

/// Splits a plain-text document into passages (see the crate docs for how
/// headings are recognised in plain text).
#[must_use]
pub fn split_text(article_id: &str, text: &str, rules: &TopicRules) -> Vec<Passage> {
    parse_text(article_id, text, rules).passages
}
