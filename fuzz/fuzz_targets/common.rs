//! Shared by the content targets: the bundled topic rules, and the checks.

use needle_index::TopicRules;
use needle_index::fuzzing::{Format, parse};

pub fn rules() -> &'static TopicRules {
    static RULES: std::sync::OnceLock<TopicRules> = std::sync::OnceLock::new();
    RULES.get_or_init(|| {
        TopicRules::from_toml(include_str!("../../content/topics.toml")).expect("topics.toml")
    })
}

/// Parses `data` (if it is UTF-8, as a reindex requires) and checks the
/// parser's guarantees: a broken one is a crash for libFuzzer.
pub fn run(format: Format, path: &str, data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = parse(format, path, text, rules());
    if let Err(e) = parsed.check(text) {
        panic!("{e}");
    }
}
