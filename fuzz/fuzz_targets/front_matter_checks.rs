//! The checks of the `front_matter` target, on one input. Shared with the
//! seed replay in `tests/e2e/fuzz_regressions.rs`, so that `cargo test` runs
//! exactly what the fuzzer runs.
//!
//! The input (as UTF-8, invalid bytes replaced) is cut in two: a front
//! matter part and a body part, at the first NUL, else at the first blank
//! line, else the body is empty. It then makes these Markdown files:
//! - the whole input, as `doc.md` and as `doc.mdx`;
//! - the front part as YAML (`---`), TOML (`+++`) and JSON (`{...}`) front
//!   matter above the body;
//! - a title made of the front part's letters, digits and spaces (when there
//!   are any) as the first key of a YAML block (the rest of the front part
//!   under it as a literal block), of a TOML block and of a JSON object,
//!   above the body.
//!
//! Every file must parse without a panic, into one article (drafts are
//! indexed here), keeping `Parsed::check`; markup stripping must keep the
//! number of lines; and a front matter that was read (no warning about it)
//! must give the article its title, trimmed.

use needle_index::TopicRules;
use needle_index::fuzzing::{Format, Parsed, parse, strip_markup};

/// Titles are cut to 1 KiB by the parser; generated ones stay below that.
const MAX_TITLE_CHARS: usize = 200;

/// Runs every check on `data`; a broken one panics, naming the file.
pub fn check_input(data: &[u8], rules: &TopicRules) {
    let text = String::from_utf8_lossy(data);

    for (path, mdx) in [("doc.md", false), ("doc.mdx", true)] {
        parse_checked(path, &text, rules);
        let stripped = strip_markup(&text, mdx);
        assert_eq!(
            newlines(&stripped),
            newlines(&text),
            "{path}: stripping markup changed the number of lines"
        );
    }

    let (front, body) = split(&text);
    for page in [
        format!("---\n{front}\n---\n{body}"),
        format!("+++\n{front}\n+++\n{body}"),
        format!("{{{front}}}\n{body}"),
    ] {
        parse_checked("page.md", &page, rules);
    }

    let title: String = front
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ')
        .take(MAX_TITLE_CHARS)
        .collect();
    let want = title.trim();
    if want.is_empty() {
        return;
    }
    // The rest of the front part, as a literal block indented by two
    // spaces: no line of it can close the block or start a key of its own
    // (`\r` is a YAML line break, so it becomes a space). It may still be
    // invalid YAML (control characters, too large), then the block is
    // ignored with a warning.
    let extra: String = front
        .split('\n')
        .map(|line| format!("  {}\n", line.replace('\r', " ")))
        .collect();
    let yaml = format!("---\ntitle: \"{title}\"\nextra: |2\n{extra}---\n{body}");
    let parsed = parse_checked("titled.md", &yaml, rules);
    if !front_matter_ignored(&parsed) {
        assert_eq!(parsed.articles[0].title, want, "YAML title\n{yaml}");
    }
    // These blocks hold the title only: always valid.
    for page in [
        format!("+++\ntitle = \"{title}\"\n+++\n{body}"),
        format!("{{\"title\": \"{title}\"}}\n{body}"),
    ] {
        let parsed = parse_checked("titled.md", &page, rules);
        assert!(
            !front_matter_ignored(&parsed),
            "{:?}\n{page}",
            parsed.issues
        );
        assert_eq!(parsed.articles[0].title, want, "title\n{page}");
    }
}

/// Parses `text` as the Markdown file `path` and checks what every parse
/// guarantees.
fn parse_checked(path: &str, text: &str, rules: &TopicRules) -> Parsed {
    let parsed = parse(Format::Markdown, path, text, rules);
    if let Err(e) = parsed.check(text) {
        panic!("{path}: {e}\n{text}");
    }
    assert_eq!(parsed.articles.len(), 1, "{path}: one article\n{text}");
    parsed
}

/// The front part and the body part of the input.
fn split(text: &str) -> (&str, &str) {
    text.split_once('\0')
        .or_else(|| text.split_once("\n\n"))
        .unwrap_or((text, ""))
}

fn newlines(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

/// Whether the parse warned that the front matter could not be read.
fn front_matter_ignored(parsed: &Parsed) -> bool {
    parsed
        .issues
        .iter()
        .any(|i| i.message.contains("the front matter was ignored"))
}
