//! The query language people type, read leniently into a [`Plan`].

use tantivy::tokenizer::TextAnalyzer;

use crate::schema::tokens;
use crate::synonyms::Synonyms;

/// At most this many words of a query are used.
pub(crate) const MAX_WORDS: usize = 512;

/// Typo and prefix matching apply to queries of at most this many words;
/// longer queries are read as natural language (exact and stemmed words).
pub(crate) const MAX_FUZZY_WORDS: usize = 8;

/// The last word is matched as a prefix (still being typed) in queries of
/// at most this many words, the short queries ranked in tiers
/// ([`Ranking::strict_words`](crate::Ranking::strict_words)'s default). A
/// longer query is a question, asked whole: its last word is a word, and
/// expanding it (`nam` to `name`, `namely`) only adds noise (RELEVANCE.md).
const MAX_PREFIX_WORDS: usize = 4;

/// A prefix must have at least this many characters to be expanded.
const MIN_PREFIX_CHARS: usize = 2;

/// One word of the query, analyzed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    /// Lowercase, accent-folded.
    pub raw: String,
    /// Stemmed form; `None` for a stop word.
    pub stem: Option<String>,
    /// The last word, still being typed: matches as a prefix.
    pub prefix: bool,
    /// Edits allowed for a typo match (0, 1 or 2).
    pub typo: u8,
    /// Whether the word takes part in matching (stop words do not, unless
    /// the query has nothing else).
    pub active: bool,
    /// For a prefix: the index's words it expands to (see [`expand_prefixes`](super::expand_prefixes)),
    /// scored with BM25 so that prefix matches rank among themselves.
    pub expansions: Vec<String>,
    /// The one word that takes part in matching of a run of words with
    /// synonyms ("how long": `long`, `how` being a stop word): it stands
    /// for the run, so it matches through the run's synonyms, as its best
    /// tier, and not alone (`long-term` is not an answer to "how long").
    pub frame: bool,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Plan {
    pub words: Vec<Word>,
    /// Phrases, as raw words.
    pub phrases: Vec<Vec<String>>,
    /// Excluded words: (raw, stem).
    pub excluded: Vec<(String, Option<String>)>,
    /// `topic:` filters typed in the query.
    pub topics: Vec<String>,
    /// Synonym alternatives, per word index: raw word lists.
    pub synonyms: Vec<(usize, Vec<String>)>,
}

impl Plan {
    /// How many words take part in matching (see [`Word::active`]).
    pub fn active_words(&self) -> usize {
        self.words.iter().filter(|w| w.active).count()
    }

    /// No words or phrases: the query browses (article order).
    pub fn is_browse(&self) -> bool {
        self.phrases.is_empty() && !self.words.iter().any(|w| w.active)
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Lexeme {
    Word(String),
    Phrase(String),
    Exclude(String),
    Topic(String),
}

pub(super) fn lex(input: &str) -> Vec<Lexeme> {
    let mut out = Vec::new();
    let mut rest = input;
    loop {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('"') {
            match after.find('"') {
                Some(end) => {
                    out.push(Lexeme::Phrase(after[..end].to_owned()));
                    rest = &after[end + 1..];
                }
                None => {
                    // Unclosed quote: plain words.
                    rest = after;
                }
            }
            continue;
        }
        let end = rest
            .find(|c: char| c.is_whitespace() || c == '"')
            .unwrap_or(rest.len());
        let tok = &rest[..end];
        rest = &rest[end..];
        if let Some(word) = tok.strip_prefix('-') {
            if !word.is_empty() {
                out.push(Lexeme::Exclude(word.to_owned()));
            }
        } else if tok.len() > 6
            && tok.is_char_boundary(6)
            && tok[..6].eq_ignore_ascii_case("topic:")
        {
            out.push(Lexeme::Topic(tok[6..].to_lowercase()));
        } else {
            out.push(Lexeme::Word(tok.to_owned()));
        }
    }
    out
}

/// The analyzers a query is read with (the index's own).
#[derive(Clone)]
pub(crate) struct Analyzers {
    pub raw: TextAnalyzer,
    pub stem: TextAnalyzer,
}

impl std::fmt::Debug for Analyzers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Analyzers")
    }
}

impl Analyzers {
    pub fn new() -> Self {
        Analyzers {
            raw: crate::schema::raw_analyzer(),
            stem: crate::schema::stem_analyzer(),
        }
    }

    pub fn raw_words(&mut self, text: &str) -> Vec<String> {
        tokens(&mut self.raw, text)
            .into_iter()
            .map(|t| t.0)
            .collect()
    }

    /// The stem of one raw word, or `None` for a stop word.
    pub fn stem_of(&mut self, raw_word: &str) -> Option<String> {
        stem_word(&mut self.stem, raw_word)
    }

    /// The stems a quoted phrase's words also score by, as words: a phrase
    /// matches as a phrase, and its words rank the matches by BM25 (the
    /// passage query, its explanation and its article's score all add
    /// them). Stop words have none.
    pub fn phrase_stems(&mut self, phrase: &[String]) -> Vec<String> {
        phrase.iter().filter_map(|w| self.stem_of(w)).collect()
    }
}

/// The stem of one raw word with the stemming analyzer, or `None` for a stop word.
pub(super) fn stem_word(stemmer: &mut TextAnalyzer, raw_word: &str) -> Option<String> {
    tokens(stemmer, raw_word).into_iter().next().map(|t| t.0)
}

/// Edits allowed for a typo in a word of this many characters.
pub(crate) fn typo_budget(chars: usize) -> u8 {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Reads a query as people type it. Never fails.
pub(crate) fn parse(input: &str, analyzers: &mut Analyzers, synonyms: &Synonyms) -> Plan {
    let lexemes = lex(input);
    let ends_open = !input.ends_with(char::is_whitespace);
    let last_word_lexeme = matches!(lexemes.last(), Some(Lexeme::Word(_)));
    let mut plan = Plan::default();
    for lexeme in &lexemes {
        match lexeme {
            Lexeme::Word(w) => {
                for raw in analyzers.raw_words(w) {
                    if plan.words.len() < MAX_WORDS {
                        let stem = analyzers.stem_of(&raw);
                        plan.words.push(Word {
                            expansions: Vec::new(),
                            frame: false,
                            active: stem.is_some(),
                            typo: 0,
                            prefix: false,
                            stem,
                            raw,
                        });
                    }
                }
            }
            Lexeme::Phrase(p) => {
                let words: Vec<String> =
                    analyzers.raw_words(p).into_iter().take(MAX_WORDS).collect();
                if !words.is_empty() {
                    plan.phrases.push(words);
                }
            }
            Lexeme::Exclude(w) => {
                for raw in analyzers.raw_words(w) {
                    let stem = analyzers.stem_of(&raw);
                    plan.excluded.push((raw, stem));
                }
            }
            Lexeme::Topic(t) => {
                if !plan.topics.contains(t) {
                    plan.topics.push(t.clone());
                }
            }
        }
    }
    // A query of stop words only ("how to") still searches for them.
    if !plan.words.is_empty() && !plan.words.iter().any(|w| w.active) {
        for w in &mut plan.words {
            w.active = true;
        }
    }
    let active = plan.active_words();
    if active <= MAX_FUZZY_WORDS {
        let n = plan.words.len();
        for (i, w) in plan.words.iter_mut().enumerate() {
            w.typo = typo_budget(w.raw.chars().count());
            w.prefix = i + 1 == n
                && active <= MAX_PREFIX_WORDS
                && ends_open
                && last_word_lexeme
                && w.raw.chars().count() >= MIN_PREFIX_CHARS;
            if w.prefix && !w.active {
                // A half-typed word may look like a stop word ("whe").
                w.active = true;
            }
        }
    }
    if !synonyms.is_empty() {
        let (alternatives, frames) = synonym_alternatives(&plan.words, synonyms);
        plan.synonyms = alternatives;
        for i in frames {
            plan.words[i].frame = true;
        }
    }
    plan
}

/// For each word (or run of words) with synonyms, the alternatives,
/// attached to the run's first word that takes part in matching; and the
/// words that stand for a run of several words with synonyms, being its
/// only word that takes part in matching (see [`Word::frame`]).
fn synonym_alternatives(
    words: &[Word],
    synonyms: &Synonyms,
) -> (Vec<(usize, Vec<String>)>, Vec<usize>) {
    let mut out = Vec::new();
    let mut frames = Vec::new();
    for start in 0..words.len() {
        for len in 1..=synonyms.longest_key().min(words.len() - start) {
            let key = words[start..start + len]
                .iter()
                .map(|w| w.raw.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let alternatives = synonyms.lookup(&key);
            if alternatives.is_empty() {
                continue;
            }
            // A run that starts with a stop word ("how long") belongs to its
            // first word that takes part in matching.
            let mut active = (start..start + len).filter(|&i| words[i].active);
            let first = active.next();
            let owner = first.unwrap_or(start);
            if len > 1 && first.is_some() && active.next().is_none() && !frames.contains(&owner) {
                frames.push(owner);
            }
            for alt in alternatives {
                out.push((owner, alt.split(' ').map(str::to_owned).collect()));
            }
        }
    }
    (out, frames)
}
