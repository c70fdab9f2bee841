//! Which words of a passage a plan matched, for highlights.

use std::collections::HashSet;

use tantivy::tokenizer::TextAnalyzer;

use super::distance::{osa_distance, prefix_within};
use super::parse::{Analyzers, Plan, stem_word};

/// Tells which words of a passage a plan matched, the same way the index does.
#[derive(Debug)]
pub(crate) struct Matcher<'p> {
    plan: &'p Plan,
    phrase_words: HashSet<&'p str>,
    synonym_words: HashSet<String>,
    /// Whether each word seen so far matched: the hits of a page share
    /// most of their words, and matching a word may stem it and compute
    /// edit distances.
    seen: std::cell::RefCell<std::collections::HashMap<String, bool>>,
}

impl<'p> Matcher<'p> {
    pub fn new(plan: &'p Plan, analyzers: &mut Analyzers) -> Self {
        let phrase_words = plan.phrases.iter().flatten().map(String::as_str).collect();
        let synonym_words = plan
            .synonyms
            .iter()
            .flat_map(|(_, alt)| alt.iter())
            .flat_map(|w| {
                let stem = analyzers.stem_of(w);
                [Some(w.clone()), stem]
            })
            .flatten()
            .collect();
        Matcher {
            plan,
            phrase_words,
            synonym_words,
            seen: std::cell::RefCell::default(),
        }
    }

    /// `[start, end)` byte ranges of the matched words of `text`.
    pub fn byte_ranges(&self, analyzers: &mut Analyzers, text: &str) -> Vec<(usize, usize)> {
        use tantivy::tokenizer::TokenStream;
        let Analyzers { raw, stem } = analyzers;
        let mut seen = self.seen.borrow_mut();
        let mut stream = raw.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            let matched = match seen.get(token.text.as_str()) {
                Some(&m) => m,
                None => {
                    let m = self.matches(stem, &token.text);
                    seen.insert(token.text.clone(), m);
                    m
                }
            };
            if matched {
                out.push((token.offset_from, token.offset_to));
            }
        }
        out
    }

    fn matches(&self, stemmer: &mut TextAnalyzer, tok: &str) -> bool {
        if self.phrase_words.contains(tok) || self.synonym_words.contains(tok) {
            return true;
        }
        let mut stem: Option<Option<String>> = None;
        // A word standing for a run ("how long") matches through its
        // synonyms only.
        for w in self.plan.words.iter().filter(|w| w.active && !w.frame) {
            if tok == w.raw || (w.prefix && tok.starts_with(w.raw.as_str())) {
                return true;
            }
            if let Some(ws) = &w.stem
                && may_stem_to(tok, ws)
            {
                let s = stem.get_or_insert_with(|| stem_word(stemmer, tok));
                if s.as_deref() == Some(ws.as_str()) {
                    return true;
                }
            }
            if w.typo > 0 {
                let d = usize::from(w.typo);
                if osa_distance(tok, &w.raw, d) <= d || (w.prefix && prefix_within(&w.raw, tok, d))
                {
                    return true;
                }
            }
        }
        if self.synonym_words.iter().any(|s| may_stem_to(tok, s)) {
            let s = stem.get_or_insert_with(|| stem_word(stemmer, tok));
            if s.as_ref().is_some_and(|s| self.synonym_words.contains(s)) {
                return true;
            }
        }
        false
    }
}

/// Whether `token` may have the stem `stem`: the English stemmer only
/// removes or rewrites a word's ending, and what it writes is at most four
/// letters, so a word starts with all but the last four letters of its
/// stem. A cheap test before stemming.
pub(super) fn may_stem_to(token: &str, stem: &str) -> bool {
    let keep = stem.chars().count().saturating_sub(4);
    let end = stem.char_indices().nth(keep).map_or(stem.len(), |(i, _)| i);
    token.starts_with(&stem[..end])
}
