//! Front matter: the block of metadata at the very top of a Markdown file.
//!
//! Three forms are read, as Hugo, Jekyll, Docusaurus, Astro, MkDocs and
//! Obsidian write them:
//! - YAML between `---` lines (the closing line may also be `...`), parsed
//!   with `serde-saphyr`, whose budget bounds aliases, nesting and size, so
//!   a hostile file ("billion laughs", deep nesting) is a warning, not a hang;
//! - TOML between `+++` lines;
//! - JSON: an object at the very top of the file.
//!
//! The keys needle reads are listed on [`FrontMatter`]; any other key is
//! ignored without a word. A block that does not parse is one warning (file,
//! line and the parser's message) and the article still indexes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::topics::{TopicRules, toml_message};

/// What needle reads from an article's front matter.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct FrontMatter {
    /// `title`.
    pub title: Option<String>,
    /// `description`, else `summary`.
    pub description: Option<String>,
    /// The values of the keys that feed topics ([`TopicRules::front_matter`]:
    /// by default `tags`, `categories`, `keywords`, `topics`), as topic names.
    pub topics: Vec<String>,
    /// TOML only: section heading (lowercased) -> topics replacing the rules'.
    pub sections: BTreeMap<String, Vec<String>>,
    /// `draft: true`.
    pub draft: bool,
    /// `url`, `permalink`, `slug`, else the first of `aliases`.
    pub url: Option<String>,
}

/// The front matter block found at the top of a file.
#[derive(Debug)]
pub(crate) struct Block {
    /// What it held, or why it could not be read: (1-based line, message).
    pub parsed: Result<FrontMatter, (u32, String)>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// The largest front matter read, in bytes: a larger block is reported and
/// skipped (no real page has 1 MiB of metadata).
const MAX_FRONT_MATTER_BYTES: usize = 1024 * 1024;

/// Finds and parses the front matter at the top of `text`, if any.
pub(crate) fn front_matter(text: &str, rules: &TopicRules) -> Option<Block> {
    let top = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - top.len();
    let first_line = top.split('\n').next().unwrap_or("").trim_end();
    let (kind, body_start, inner) = match first_line {
        "---" => {
            let (inner, end) = fenced(top, &["---", "..."])?;
            (Kind::Yaml, end, inner)
        }
        "+++" => {
            let (inner, end) = fenced(top, &["+++"])?;
            (Kind::Toml, end, inner)
        }
        _ if top.starts_with('{') => return Some(json_block(top, bom, rules)),
        _ => return None,
    };
    // The block's first line of content is the file's second line.
    let first = 2;
    let parsed = if inner.len() > MAX_FRONT_MATTER_BYTES {
        Err((
            first,
            format!(
                "front matter of {} bytes is larger than the {} KiB needle reads",
                inner.len(),
                MAX_FRONT_MATTER_BYTES / 1024
            ),
        ))
    } else {
        match kind {
            Kind::Yaml => parse_yaml(inner, first),
            Kind::Toml => parse_toml(inner, first),
        }
        .and_then(|value| read_keys(&value, rules, first))
    };
    Some(Block {
        parsed,
        body_start: bom + body_start,
    })
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Yaml,
    Toml,
}

/// The text between the opening line and the first closing line (one of
/// `closers`), and the byte offset after the closing line. `None` when no
/// line closes the block: then it is not front matter (`---` alone is a
/// thematic break).
fn fenced<'t>(top: &'t str, closers: &[&str]) -> Option<(&'t str, usize)> {
    let open_end = top.find('\n')? + 1;
    let mut at = open_end;
    while at <= top.len() {
        let line_end = top[at..].find('\n').map_or(top.len(), |i| at + i);
        let line = top[at..line_end].trim_end();
        if closers.contains(&line) {
            let after = (line_end + 1).min(top.len());
            return Some((&top[open_end..at], after));
        }
        if line_end == top.len() {
            break;
        }
        at = line_end + 1;
    }
    None
}

fn parse_yaml(inner: &str, first: u32) -> Result<Value, (u32, String)> {
    if inner.trim().is_empty() {
        return Ok(Value::Null);
    }
    let options = serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 32,
            max_nodes: 50_000,
            max_aliases: 1_000,
            max_anchors: 1_000,
            max_total_scalar_bytes: MAX_FRONT_MATTER_BYTES,
        },
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options::<Value>(inner, options).map_err(|e| {
        let line = e
            .location()
            .and_then(|l| u32::try_from(l.line()).ok())
            .map_or(first, |l| first + l.saturating_sub(1));
        (
            line,
            format!(
                "front matter is not valid YAML: {}",
                one_line(&e.to_string())
            ),
        )
    })
}

fn parse_toml(inner: &str, first: u32) -> Result<Value, (u32, String)> {
    toml::from_str::<Value>(inner).map_err(|e| {
        let line = e
            .span()
            .map_or(first, |span| first + line_of(inner, span.start) - 1);
        (
            line,
            format!(
                "front matter is not valid TOML: {}",
                toml_message(inner, &e)
            ),
        )
    })
}

/// JSON front matter: an object at the very top of the file (Hugo).
fn json_block(top: &str, bom: usize, rules: &TopicRules) -> Block {
    let mut stream = serde_json::Deserializer::from_str(top).into_iter::<Value>();
    match stream.next() {
        Some(Ok(value)) => {
            let end = stream.byte_offset();
            // The body starts on the line after the object.
            let body_start = top[end..].find('\n').map_or(top.len(), |i| end + i + 1);
            Block {
                parsed: read_keys(&value, rules, 1),
                body_start: bom + body_start,
            }
        }
        Some(Err(e)) => {
            // Skip to the first line that is a lone `}`, where such a block
            // ends; without one, the whole file is the body.
            let body_start = top
                .match_indices("\n}")
                .map(|(i, _)| i + 2)
                .find(|&end| {
                    top[end..].starts_with('\n')
                        || top[end..]
                            .trim_start_matches([' ', '\t', '\r'])
                            .starts_with('\n')
                        || end == top.len()
                })
                .map_or(0, |end| {
                    top[end..].find('\n').map_or(top.len(), |i| end + i + 1)
                });
            Block {
                parsed: Err((
                    u32::try_from(e.line()).unwrap_or(1).max(1),
                    format!("front matter is not valid JSON: {e}"),
                )),
                body_start: bom + body_start,
            }
        }
        None => Block {
            parsed: Ok(FrontMatter::default()),
            body_start: bom,
        },
    }
}

/// The keys needle reads, from a parsed block.
fn read_keys(value: &Value, rules: &TopicRules, first: u32) -> Result<FrontMatter, (u32, String)> {
    let map = match value {
        Value::Object(map) => map,
        Value::Null => return Ok(FrontMatter::default()),
        other => {
            return Err((
                first,
                format!(
                    "front matter is a {} where keys and values (title: ...) were expected",
                    kind_of(other)
                ),
            ));
        }
    };
    let get = |key: &str| {
        map.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    };
    let mut front = FrontMatter {
        title: get("title").and_then(scalar),
        description: get("description")
            .and_then(scalar)
            .or_else(|| get("summary").and_then(scalar)),
        draft: get("draft").is_some_and(truthy),
        url: ["url", "permalink", "slug"]
            .iter()
            .find_map(|k| get(k).and_then(scalar))
            .or_else(|| get("aliases").and_then(first_of)),
        ..FrontMatter::default()
    };
    for key in rules.front_matter_keys() {
        if let Some(v) = get(key) {
            for name in strings(v) {
                let name = topic_name(&name);
                if !name.is_empty() && !front.topics.contains(&name) {
                    front.topics.push(name);
                }
            }
        }
    }
    if let Some(Value::Object(sections)) = get("sections") {
        for (heading, topics) in sections {
            front.sections.insert(
                heading.to_lowercase(),
                strings(topics).iter().map(|t| topic_name(t)).collect(),
            );
        }
    }
    Ok(front)
}

/// A string, number or boolean as text; `None` for anything else or blank.
fn scalar(v: &Value) -> Option<String> {
    let text = match v {
        Value::String(s) => s.trim().to_owned(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

fn first_of(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => items.iter().find_map(scalar),
        other => scalar(other),
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::String(s) => s.trim().eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// The strings of a value: a list's items, or a comma-separated string's parts.
fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items.iter().filter_map(scalar).collect(),
        Value::String(s) => s
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        other => scalar(other).into_iter().collect(),
    }
}

/// A tag as a topic name: lowercase, words joined by dashes
/// (`Getting Started` -> `getting-started`), as topic names are one word.
fn topic_name(tag: &str) -> String {
    super::slug::slugify(tag)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Array(_) => "list",
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "boolean",
        Value::Null | Value::Object(_) => "value",
    }
}

/// The first line of a message, trimmed (parsers may add a source excerpt).
fn one_line(message: &str) -> String {
    message.lines().next().unwrap_or("").trim().to_owned()
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    u32::try_from(
        text.as_bytes()[..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1,
    )
    .unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Block {
        front_matter(text, &TopicRules::default()).expect("a front matter block")
    }

    fn ok(text: &str) -> FrontMatter {
        let block = read(text);
        block.parsed.expect("valid front matter")
    }

    #[test]
    fn yaml_keys_are_read() {
        let f = ok(
            "---\ntitle: Host on Netlify\ndescription: Deploy with one click.\ntags: [hosting, Getting Started]\ncategories: deploy\ndraft: false\npermalink: /docs/netlify/\nweight: 3\n---\nBody\n",
        );
        assert_eq!(f.title.as_deref(), Some("Host on Netlify"));
        assert_eq!(f.description.as_deref(), Some("Deploy with one click."));
        assert_eq!(f.topics, vec!["hosting", "getting-started", "deploy"]);
        assert!(!f.draft);
        assert_eq!(f.url.as_deref(), Some("/docs/netlify/"));
    }

    #[test]
    fn body_starts_after_the_closing_line() {
        let text = "---\ntitle: A\n---\n\nBody\n";
        let block = read(text);
        assert_eq!(&text[block.body_start..], "\nBody\n");
        let text = "---\ntitle: A\n...\nBody";
        assert_eq!(&text[read(text).body_start..], "Body");
    }

    #[test]
    fn toml_and_json_blocks() {
        let f =
            ok("+++\ntitle = \"T\"\nsummary = \"S\"\ntopics = [\"x\"]\ndraft = true\n+++\nBody\n");
        assert_eq!(f.title.as_deref(), Some("T"));
        assert_eq!(f.description.as_deref(), Some("S"));
        assert_eq!(f.topics, vec!["x"]);
        assert!(f.draft);
        let text = "{\n  \"title\": \"J\",\n  \"aliases\": [\"/old/\"]\n}\n\nBody\n";
        let block = read(text);
        let f = block.parsed.unwrap();
        assert_eq!(f.title.as_deref(), Some("J"));
        assert_eq!(f.url.as_deref(), Some("/old/"));
        assert_eq!(&text[block.body_start..], "\nBody\n");
    }

    #[test]
    fn no_block_without_a_closing_line_or_at_the_top() {
        let rules = TopicRules::default();
        assert!(front_matter("---\nnot closed\n", &rules).is_none());
        assert!(front_matter("Text\n---\ntitle: x\n---\n", &rules).is_none());
        assert!(front_matter("# Title\n", &rules).is_none());
    }

    #[test]
    fn invalid_yaml_is_reported_with_its_line() {
        let block = read("---\ntitle: ok\ntags: [a, b\n---\nBody\n");
        let (line, message) = block.parsed.unwrap_err();
        assert!(
            message.starts_with("front matter is not valid YAML"),
            "{message}"
        );
        assert!((2..=5).contains(&line), "{line}");
        let (_, message) = read("---\n- a\n- b\n---\n").parsed.unwrap_err();
        assert!(message.contains("list"), "{message}");
    }

    #[test]
    fn empty_blocks_and_unknown_keys_are_fine() {
        assert_eq!(ok("---\n---\nBody"), FrontMatter::default());
        assert_eq!(
            ok("---\nlayout: page\nnav_order: 2\n---\n"),
            FrontMatter::default()
        );
    }

    #[test]
    fn yaml_bombs_are_refused() {
        let mut laughs = String::from(
            "---\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for (i, prev) in ('b'..='i').zip('a'..='h') {
            laughs.push_str(&format!(
                "{i}: &{i} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
        }
        laughs.push_str("---\nBody\n");
        let (_, message) = read(&laughs).parsed.unwrap_err();
        assert!(message.contains("YAML"), "{message}");

        let deep = format!("---\nx: {}{}\n---\n", "[".repeat(500), "]".repeat(500));
        assert!(read(&deep).parsed.is_err());

        let big = format!(
            "---\ntitle: \"{}\"\n---\n",
            "x".repeat(MAX_FRONT_MATTER_BYTES + 1)
        );
        let (_, message) = read(&big).parsed.unwrap_err();
        assert!(message.contains("larger than"), "{message}");
    }

    #[test]
    fn topic_keys_come_from_the_rules() {
        let rules = TopicRules::from_toml("front_matter = [\"section\"]").unwrap();
        let f = front_matter("---\ntags: [a]\nsection: Guides\n---\n", &rules)
            .unwrap()
            .parsed
            .unwrap();
        assert_eq!(f.topics, vec!["guides"]);
    }
}
