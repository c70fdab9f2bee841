//! Topic rules: which heading words put a passage under which topic.
//!
//! The rules are data (`topics.toml` at the content root), so a new article
//! gets topics without a code change.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// One topic: its name (used in filters and JSON), its label (shown to
/// people) and the heading phrases that select it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicDef {
    /// The topic's name, as used in `--topic` and `topic:` (for example `side-effects`).
    pub name: String,
    /// How the topic is shown to people (for example `Side effects`).
    #[serde(default)]
    pub label: Option<String>,
    /// Heading phrases that select the topic (see [`TopicRules`]).
    #[serde(default)]
    pub headings: Vec<String>,
}

impl TopicDef {
    /// The label, or the name with its first letter upper-cased and dashes as spaces.
    #[must_use]
    pub fn display_label(&self) -> String {
        self.label
            .clone()
            .unwrap_or_else(|| default_label(&self.name))
    }
}

/// The label of a topic that has no definition: `side-effects` -> `Side effects`.
#[must_use]
pub(crate) fn default_label(name: &str) -> String {
    let spaced = name.replace(['-', '_'], " ");
    let mut chars = spaced.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The topic rules of a content source, read from its `topics.toml`.
///
/// A passage gets every topic one of whose `headings` phrases appears in its
/// section heading or a heading above it (the article title excepted). A
/// phrase matches whole words in order, each phrase word being the start of
/// a heading word, ignoring case: `benefit` matches `Medical Benefits`.
/// Passages before the first section heading get the `intro` topics.
///
/// ```
/// use needle_index::TopicRules;
///
/// let rules = TopicRules::from_toml(r#"
///     intro = ["overview"]
///     [[topic]]
///     name = "aftercare"
///     headings = ["aftercare", "how often"]
/// "#).unwrap();
/// assert_eq!(rules.topics_for(&["How Often Should I Go?"]), vec!["aftercare"]);
/// assert!(rules.topics_for(&["Prices"]).is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicRules {
    /// Topics of passages before the first section heading.
    #[serde(default)]
    pub intro: Vec<String>,
    /// The front matter keys whose values are topics of every passage of
    /// the article (`front_matter = [...]` in `topics.toml`); by default
    /// `tags`, `categories`, `keywords` and `topics`. A value is a list or a
    /// comma-separated string; each becomes a topic name (`Getting Started`
    /// -> `getting-started`).
    #[serde(default = "default_front_matter_keys")]
    pub front_matter: Vec<String>,
    /// The topics, in display order.
    #[serde(default, rename = "topic")]
    pub topics: Vec<TopicDef>,
}

impl Default for TopicRules {
    fn default() -> Self {
        TopicRules {
            intro: Vec::new(),
            front_matter: default_front_matter_keys(),
            topics: Vec::new(),
        }
    }
}

fn default_front_matter_keys() -> Vec<String> {
    ["tags", "categories", "keywords", "topics"]
        .into_iter()
        .map(str::to_owned)
        .collect()
}

impl TopicRules {
    /// Parses rules from TOML text.
    ///
    /// # Errors
    /// [`Error::Config`] when the text is not valid TOML of this shape.
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::parse(text, Path::new("topics.toml"))
    }

    pub(crate) fn parse(text: &str, path: &Path) -> Result<Self> {
        let rules: TopicRules = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_owned(),
            message: toml_message(text, &e),
        })?;
        for t in &rules.topics {
            if t.name.trim().is_empty() || t.name.chars().any(char::is_whitespace) {
                return Err(Error::Config {
                    path: path.to_owned(),
                    message: format!(
                        "topic name {:?} must be one word without spaces (use dashes)",
                        t.name
                    ),
                });
            }
        }
        Ok(rules)
    }

    /// The front matter keys that feed topics (see [`Self::front_matter`]).
    pub(crate) fn front_matter_keys(&self) -> impl Iterator<Item = &str> {
        self.front_matter.iter().map(String::as_str)
    }

    /// The topics selected by these headings (nearest last, title excluded).
    #[must_use]
    pub fn topics_for(&self, headings: &[&str]) -> Vec<String> {
        let words: Vec<Vec<String>> = headings.iter().map(|h| words_of(h)).collect();
        self.topics
            .iter()
            .filter(|t| {
                t.headings.iter().any(|phrase| {
                    let phrase = words_of(phrase);
                    !phrase.is_empty() && words.iter().any(|h| contains_phrase(h, &phrase))
                })
            })
            .map(|t| t.name.clone())
            .collect()
    }

    /// The definition of a topic, if the rules have one.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&TopicDef> {
        self.topics.iter().find(|t| t.name == name)
    }
}

fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn contains_phrase(heading: &[String], phrase: &[String]) -> bool {
    heading.windows(phrase.len()).any(|window| {
        window
            .iter()
            .zip(phrase)
            .all(|(word, p)| word.starts_with(p.as_str()))
    })
}

/// A TOML error message with its line number, on one line.
pub(crate) fn toml_message(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().to_owned();
    match e.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            format!("line {line}: {msg}")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TopicRules {
        TopicRules::parse(
            include_str!("../../../../content/topics.toml"),
            Path::new("topics.toml"),
        )
        .unwrap()
    }

    #[test]
    fn bundled_rules_parse() {
        let r = rules();
        assert_eq!(r.intro, vec!["overview"]);
        assert!(r.get("side-effects").is_some());
        assert_eq!(
            r.get("side-effects").unwrap().display_label(),
            "Side effects"
        );
    }

    #[test]
    fn phrases_match_word_starts_in_order() {
        let r = rules();
        assert_eq!(r.topics_for(&["Medical Benefits"]), vec!["benefits"]);
        assert_eq!(r.topics_for(&["Potential Risks"]), vec!["side-effects"]);
        assert_eq!(
            r.topics_for(&[
                "Frequently Asked Questions",
                "Are There Any Long-Term Side Effects Of Microneedling?"
            ]),
            vec!["side-effects", "faq"]
        );
        // "often how" is not "how often"; "effects side" is not "side effect".
        assert!(r.topics_for(&["Often, How Side"]).is_empty());
    }

    #[test]
    fn bad_toml_names_the_line() {
        let err = TopicRules::parse("intro = [\n[[topic]]\nname = 3\n", Path::new("t.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("t.toml"), "{err}");
        assert!(err.contains("line "), "{err}");
    }

    #[test]
    fn topic_names_must_be_one_word() {
        let err = TopicRules::from_toml("[[topic]]\nname = \"side effects\"\n").unwrap_err();
        assert!(err.to_string().contains("one word"), "{err}");
    }

    #[test]
    fn default_labels() {
        assert_eq!(default_label("side-effects"), "Side effects");
        assert_eq!(default_label("faq"), "Faq");
    }
}
