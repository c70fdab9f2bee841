//! Synonyms, applied at query time: data in `synonyms.toml` at the content root.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;

use crate::content::toml_message;
use crate::error::{Error, Result};

/// Query-time synonyms, read from `synonyms.toml`:
///
/// ```toml
/// # Two-way: each entry of a group also finds the others.
/// groups = [["hurt", "pain", "painful"], ["price", "cost"]]
///
/// # One-way: the key finds its values, not the other way round.
/// [one-way]
/// sunscreen = ["spf"]
/// numbing = ["anesthesia", "numbing cream"]
/// ```
///
/// Entries may have several words (matched as a phrase). A passage found
/// through a synonym ranks below one that has the word the person typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Synonyms {
    map: HashMap<String, Vec<String>>,
    longest_key: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonyms {
    #[serde(default)]
    groups: Vec<Vec<String>>,
    #[serde(default, rename = "one-way")]
    one_way: HashMap<String, Vec<String>>,
}

impl Synonyms {
    /// Parses synonyms from TOML text.
    ///
    /// # Errors
    /// [`Error::Config`] when the text is not valid TOML of this shape.
    pub fn from_toml(text: &str) -> Result<Self> {
        Self::parse(text, Path::new("synonyms.toml"))
    }

    pub(crate) fn parse(text: &str, path: &Path) -> Result<Self> {
        let raw: RawSynonyms = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_owned(),
            message: toml_message(text, &e),
        })?;
        let mut syn = Synonyms::default();
        for group in &raw.groups {
            let group: Vec<String> = group
                .iter()
                .map(|w| normalize(w))
                .filter(|w| !w.is_empty())
                .collect();
            for a in &group {
                for b in &group {
                    if a != b {
                        syn.add(a, b);
                    }
                }
            }
        }
        for (key, values) in &raw.one_way {
            let key = normalize(key);
            for v in values {
                let v = normalize(v);
                if !key.is_empty() && !v.is_empty() && key != v {
                    syn.add(&key, &v);
                }
            }
        }
        Ok(syn)
    }

    fn add(&mut self, key: &str, value: &str) {
        let values = self.map.entry(key.to_owned()).or_default();
        if !values.iter().any(|v| v == value) {
            values.push(value.to_owned());
        }
        self.longest_key = self.longest_key.max(key.split(' ').count());
    }

    /// The alternatives of a word or phrase (lowercase, single spaces).
    #[must_use]
    pub fn lookup(&self, phrase: &str) -> &[String] {
        self.map.get(phrase).map_or(&[], Vec::as_slice)
    }

    /// The longest key, in words.
    pub(crate) fn longest_key(&self) -> usize {
        self.longest_key
    }

    /// Whether there are no synonyms at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Lowercase words joined by single spaces.
fn normalize(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_two_way_and_one_way_is_not() {
        let s = Synonyms::from_toml(
            "groups = [[\"Hurt\", \"pain\"]]\n[one-way]\nsunscreen = [\"SPF\", \"sun block\"]\n",
        )
        .unwrap();
        assert_eq!(s.lookup("hurt"), ["pain"]);
        assert_eq!(s.lookup("pain"), ["hurt"]);
        assert_eq!(s.lookup("sunscreen"), ["spf", "sun block"]);
        assert!(s.lookup("spf").is_empty());
        assert_eq!(s.longest_key(), 1);
    }

    #[test]
    fn bad_shape_is_a_config_error() {
        let err = Synonyms::from_toml("groups = \"x\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("synonyms.toml"), "{err}");
    }
}
