//! The query language people type, read leniently, and the Tantivy query built from it.
//!
//! Syntax: words; `"exact phrase"`; `-word` excludes; `topic:name` filters.
//! Nothing is an error: an unclosed quote reads as plain words, a lone `-`
//! or stray punctuation is ignored, and very long input is cut to
//! [`MAX_WORDS`] words.
//!
//! Ranking, per query word, takes the best of these tiers:
//! exact word > stemmed form > synonym > prefix (last word only) > typo.
//! Every matched word adds [`Ranking::word`], so passages matching more of
//! the query's words rank first; BM25 on the stemmed title, section and text
//! orders passages within a tier.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;

use crate::explain::MatchKind;
use crate::schema::{Fields, tokens};
use crate::synonyms::Synonyms;

/// At most this many words of a query are used.
pub(crate) const MAX_WORDS: usize = 512;
/// Typo and prefix matching apply to queries of at most this many words;
/// longer queries are read as natural language (exact and stemmed words).
pub(crate) const MAX_FUZZY_WORDS: usize = 8;
/// A prefix must have at least this many characters to be expanded.
const MIN_PREFIX_CHARS: usize = 2;

/// Scoring knobs. The defaults are what needle ships with; change them with
/// [`NeedleIndex::set_ranking`](crate::NeedleIndex::set_ranking) to experiment
/// (for example with `needle eval`).
///
/// A query of at most [`strict_words`](Self::strict_words) words is ranked
/// in tiers: each matched word adds [`word`](Self::word) plus the bonus of its
/// best match (exact, stemmed, synonym, prefix, typo), so passages matching
/// more words come first, then better matches, then BM25. Longer queries
/// (natural-language questions) are ranked by BM25 with small bonuses.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ranking {
    /// Added once per matched word, in tiered (short) queries.
    pub word: f32,
    /// Bonus of an exact word match.
    pub exact: f32,
    /// Bonus of a stemmed match.
    pub stem: f32,
    /// Bonus of a synonym match.
    pub synonym: f32,
    /// Bonus of a prefix match (the last word, while typing).
    pub prefix: f32,
    /// Bonus of a typo match.
    pub typo: f32,
    /// BM25 weight of the passage text.
    pub text_boost: f32,
    /// BM25 weight of the section heading.
    pub section_boost: f32,
    /// BM25 weight of the article title (and description).
    pub title_boost: f32,
    /// BM25 weight of a code passage's text (prose has `text_boost`): the
    /// same match ranks higher in prose than in code.
    pub code_boost: f32,
    /// In tiered (short) queries, added to a word's tier when it matches
    /// the article's title or description: the passages of the page whose
    /// subject the query names come before passages that only mention it.
    pub subject: f32,
    /// Queries with at most this many words are ranked in tiers.
    pub strict_words: usize,
    /// In longer queries, the bonus of an exact, prefix or typo match.
    pub loose_bonus: f32,
    /// Pseudo-relevance feedback applies to queries of at least this many words.
    pub feedback_min_words: usize,
    /// How many first-pass passages feedback reads (0: no feedback).
    pub feedback_docs: usize,
    /// How many feedback terms are added.
    pub feedback_terms: usize,
    /// Weight of the feedback terms, relative to the query.
    pub feedback_weight: f32,
    /// Feedback ignores terms in more than this share of passages.
    pub feedback_max_df: f32,
    /// BM25 weight of a one-word synonym, relative to the typed word: it
    /// orders the passages found through a synonym among themselves (their
    /// tier still ranks them below the typed word's).
    pub synonym_bm25: f32,
}

impl Default for Ranking {
    fn default() -> Self {
        Ranking {
            word: 1000.0,
            exact: 300.0,
            stem: 200.0,
            synonym: 150.0,
            prefix: 100.0,
            typo: 0.0,
            text_boost: 1.0,
            section_boost: 2.0,
            title_boost: 0.5,
            code_boost: 0.5,
            subject: 100.0,
            strict_words: 4,
            loose_bonus: 0.0,
            feedback_min_words: 6,
            feedback_docs: 5,
            feedback_terms: 10,
            feedback_weight: 0.8,
            feedback_max_df: 0.3,
            synonym_bm25: 0.5,
        }
    }
}

impl Ranking {
    /// The constants used for a query of `words` active words.
    fn for_query(&self, words: usize) -> Ranking {
        if words <= self.strict_words {
            *self
        } else {
            let b = self.loose_bonus;
            Ranking {
                word: 0.0,
                exact: b,
                stem: 0.0,
                synonym: b,
                prefix: b,
                typo: b,
                subject: 0.0,
                ..*self
            }
        }
    }
}

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
    /// For a prefix: the index's words it expands to (see [`expand_prefixes`]),
    /// scored with BM25 so that prefix matches rank among themselves.
    pub expansions: Vec<String>,
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
enum Lexeme {
    Word(String),
    Phrase(String),
    Exclude(String),
    Topic(String),
}

fn lex(input: &str) -> Vec<Lexeme> {
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
}

/// The stem of one raw word with the stemming analyzer, or `None` for a stop word.
fn stem_word(stemmer: &mut TextAnalyzer, raw_word: &str) -> Option<String> {
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
        plan.synonyms = synonym_alternatives(&plan.words, synonyms);
    }
    plan
}

/// For each word (or run of words) with synonyms, the alternatives,
/// attached to the run's first word.
fn synonym_alternatives(words: &[Word], synonyms: &Synonyms) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    for start in 0..words.len() {
        for len in 1..=synonyms.longest_key().min(words.len() - start) {
            let key = words[start..start + len]
                .iter()
                .map(|w| w.raw.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            // A run that starts with a stop word ("how long") belongs to its
            // first word that takes part in matching.
            let owner = (start..start + len)
                .find(|&i| words[i].active)
                .unwrap_or(start);
            for alt in synonyms.lookup(&key) {
                out.push((owner, alt.split(' ').map(str::to_owned).collect()));
            }
        }
    }
    out
}

fn term(field: Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if queries.len() == 1 {
        queries
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(EmptyQuery))
    } else {
        Box::new(BooleanQuery::union(queries))
    }
}

fn constant(q: Box<dyn Query>, score: f32) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, score))
}

/// The stemmed fields BM25 scores, with their weights (`weight` times the
/// field's boost), in the order their scores are summed. Fields with no
/// boost are left out.
pub(crate) fn bm25_fields(f: &Fields, r: &Ranking, weight: f32) -> Vec<(Field, f32)> {
    [
        (f.text, r.text_boost),
        (f.section, r.section_boost),
        (f.title, r.title_boost),
        (f.code, r.code_boost),
    ]
    .into_iter()
    .filter(|(_, boost)| *boost > 0.0)
    .map(|(field, boost)| (field, boost * weight))
    .collect()
}

/// BM25 on the stemmed fields, weighted by field.
pub(crate) fn bm25(f: &Fields, r: &Ranking, stem: &str, weight: f32) -> Box<dyn Query> {
    let clauses: Vec<Box<dyn Query>> = bm25_fields(f, r, weight)
        .into_iter()
        .map(|(field, boost)| {
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    term(field, stem),
                    IndexRecordOption::WithFreqs,
                )),
                boost,
            )) as Box<dyn Query>
        })
        .collect();
    any_of(clauses)
}

/// Where the passages of a tier come from.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Source {
    /// Passages with this term in this field.
    Term(Field, String),
    /// Passages with a term of `field` within `distance` edits (a
    /// transposition counting one) of `text`, or, with `prefix`, a term
    /// that starts with such a word: Tantivy's `FuzzyTermQuery`.
    Fuzzy {
        /// The field.
        field: Field,
        /// The word typed.
        text: String,
        /// Edits allowed (0 to 2).
        distance: u8,
        /// Whether `text` is matched against prefixes of the terms.
        prefix: bool,
    },
    /// Passages with these raw words, in order, in the passage text.
    Phrase(Vec<String>),
}

/// Tantivy's query for the terms within `distance` edits of `term`'s text
/// (transpositions count as one), or of a prefix of it when `prefix`.
pub(crate) fn fuzzy_query(term: Term, distance: u8, prefix: bool) -> FuzzyTermQuery {
    if prefix {
        FuzzyTermQuery::new_prefix(term, distance, true)
    } else {
        FuzzyTermQuery::new(term, distance, true)
    }
}

impl Source {
    pub(crate) fn query(&self, f: &Fields) -> Box<dyn Query> {
        match self {
            Source::Term(field, text) => {
                Box::new(TermQuery::new(term(*field, text), IndexRecordOption::Basic))
            }
            Source::Fuzzy {
                field,
                text,
                distance,
                prefix,
            } => Box::new(fuzzy_query(term(*field, text), *distance, *prefix)),
            Source::Phrase(words) => phrase_query(f.text_raw, words),
        }
    }
}

/// One tier of a word: the passages of any of its sources score `score`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tier {
    /// The tier's constant score.
    pub score: f32,
    /// How its passages match the word.
    pub kind: MatchKind,
    /// Whether it is a subject tier (the word in the page's title or
    /// description).
    pub subject: bool,
    /// Where its passages come from.
    pub sources: Vec<Source>,
}

/// What a query word matches and how it scores, as data: the Tantivy query
/// of [`build`] and the evaluation of [`crate::tiered`] both follow it.
///
/// A passage matches the word when it is in one of the tiers; it scores
/// `(best tier + bm25) + expansion`, where the best tier is the highest
/// tier score among the tiers it is in (0 at least), `bm25` the sum, in
/// order, of the BM25 scores of the stemmed word in [`Self::bm25`], and
/// `expansion` the best BM25 score of the [`Self::expansions`] on the raw
/// passage text (0 when none).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WordSpec {
    /// The word, as analyzed.
    pub word: String,
    /// The tiers, best first.
    pub tiers: Vec<Tier>,
    /// BM25 clauses: (stemmed field, stemmed word, boost).
    pub bm25: Vec<(Field, String, f32)>,
    /// Raw words a prefix expands to, scored by BM25 on the raw text.
    pub expansions: Vec<String>,
}

impl WordSpec {
    fn query(&self, f: &Fields) -> Box<dyn Query> {
        let tiers: Vec<Box<dyn Query>> = self
            .tiers
            .iter()
            .map(|t| {
                constant(
                    any_of(t.sources.iter().map(|s| s.query(f)).collect()),
                    t.score,
                )
            })
            .collect();
        let best_tier: Box<dyn Query> = Box::new(DisjunctionMaxQuery::new(tiers));
        let mut scored: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, best_tier)];
        if !self.bm25.is_empty() {
            let clauses = self
                .bm25
                .iter()
                .map(|(field, stem, boost)| {
                    Box::new(BoostQuery::new(
                        Box::new(TermQuery::new(
                            term(*field, stem),
                            IndexRecordOption::WithFreqs,
                        )),
                        *boost,
                    )) as Box<dyn Query>
                })
                .collect();
            scored.push((Occur::Should, any_of(clauses)));
        }
        if !self.expansions.is_empty() {
            let expansions = self
                .expansions
                .iter()
                .map(|e| {
                    Box::new(TermQuery::new(
                        term(f.text_raw, e),
                        IndexRecordOption::WithFreqs,
                    )) as Box<dyn Query>
                })
                .collect();
            scored.push((
                Occur::Should,
                Box::new(DisjunctionMaxQuery::new(expansions)),
            ));
        }
        if scored.len() == 1 {
            scored
                .pop()
                .map_or_else(|| Box::new(EmptyQuery) as Box<dyn Query>, |(_, q)| q)
        } else {
            Box::new(BooleanQuery::new(scored))
        }
    }
}

/// The sources of an alternative (one or more raw words): the words in the
/// text and headings, raw or stemmed, or the words as a phrase.
fn alternative_sources(f: &Fields, analyzers: &mut Analyzers, words: &[String]) -> Vec<Source> {
    if let [word] = words {
        let mut sources: Vec<Source> = f
            .raw()
            .into_iter()
            .map(|field| Source::Term(field, word.clone()))
            .collect();
        if let Some(stem) = analyzers.stem_of(word) {
            sources.extend(
                f.stemmed()
                    .into_iter()
                    .map(|field| Source::Term(field, stem.clone())),
            );
        }
        sources
    } else {
        vec![Source::Phrase(words.to_vec())]
    }
}

pub(crate) fn phrase_query(field: Field, words: &[String]) -> Box<dyn Query> {
    if let [word] = words {
        Box::new(TermQuery::new(
            term(field, word),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new(
            words.iter().map(|w| term(field, w)).collect(),
        ))
    }
}

/// What word `index` of the plan matches: the best tier it matches, plus BM25.
pub(crate) fn word_spec(
    f: &Fields,
    r: &Ranking,
    analyzers: &mut Analyzers,
    plan: &Plan,
    index: usize,
) -> WordSpec {
    let w = &plan.words[index];
    let raw_fields = f.raw();
    let raw_terms = |text: &str| -> Vec<Source> {
        raw_fields
            .iter()
            .map(|&field| Source::Term(field, text.to_owned()))
            .collect()
    };
    let mut tiers = vec![Tier {
        score: r.word + r.exact,
        kind: MatchKind::Exact,
        subject: false,
        sources: raw_terms(&w.raw),
    }];
    if let Some(stem) = &w.stem {
        tiers.push(Tier {
            score: r.word + r.stem,
            kind: MatchKind::Stem,
            subject: false,
            sources: f
                .stemmed()
                .into_iter()
                .map(|field| Source::Term(field, stem.clone()))
                .collect(),
        });
    }
    // The page's subject: the word in its title or description, exactly
    // or stemmed, lifts the word's tier for every passage of the page.
    if r.subject > 0.0 {
        tiers.push(Tier {
            score: r.word + r.exact + r.subject,
            kind: MatchKind::Exact,
            subject: true,
            sources: vec![Source::Term(f.title_raw, w.raw.clone())],
        });
        if let Some(stem) = &w.stem {
            tiers.push(Tier {
                score: r.word + r.stem + r.subject,
                kind: MatchKind::Stem,
                subject: true,
                sources: vec![Source::Term(f.title, stem.clone())],
            });
        }
    }
    let alternatives: Vec<Source> = plan
        .synonyms
        .iter()
        .filter(|(i, _)| *i == index)
        .flat_map(|(_, alt)| alternative_sources(f, analyzers, alt))
        .collect();
    if !alternatives.is_empty() {
        tiers.push(Tier {
            score: r.word + r.synonym,
            kind: MatchKind::Synonym,
            subject: false,
            sources: alternatives,
        });
    }
    let fuzzy = |field: Field, distance: u8, prefix: bool| Source::Fuzzy {
        field,
        text: w.raw.clone(),
        distance,
        prefix,
    };
    if w.prefix {
        tiers.push(Tier {
            score: r.word + r.prefix,
            kind: MatchKind::Prefix,
            subject: false,
            sources: raw_fields
                .iter()
                .map(|&field| fuzzy(field, 0, true))
                .collect(),
        });
    }
    if w.typo > 0 {
        let mut sources: Vec<Source> = raw_fields
            .iter()
            .map(|&field| fuzzy(field, w.typo, false))
            .collect();
        if w.prefix {
            sources.push(fuzzy(f.text_raw, w.typo, true));
        }
        tiers.push(Tier {
            score: r.word + r.typo,
            kind: MatchKind::Typo,
            subject: false,
            sources,
        });
    }
    let mut bm25: Vec<(Field, String, f32)> = match &w.stem {
        Some(stem) => bm25_fields(f, r, 1.0)
            .into_iter()
            .map(|(field, boost)| (field, stem.clone(), boost))
            .collect(),
        None => Vec::new(),
    };
    if r.synonym_bm25 > 0.0 {
        let mut stems: Vec<String> = Vec::new();
        for (_, alt) in plan.synonyms.iter().filter(|(i, _)| *i == index) {
            if let [word] = alt.as_slice()
                && let Some(stem) = analyzers.stem_of(word)
                && Some(&stem) != w.stem.as_ref()
                && !stems.contains(&stem)
            {
                stems.push(stem);
            }
        }
        for stem in stems {
            bm25.extend(
                bm25_fields(f, r, r.synonym_bm25)
                    .into_iter()
                    .map(|(field, boost)| (field, stem.clone(), boost)),
            );
        }
    }
    // Best first (a stable sort: equal tiers keep the order above).
    tiers.sort_by(|a, b| b.score.total_cmp(&a.score));
    let expansions = if w.prefix {
        w.expansions
            .iter()
            .filter(|e| **e != w.raw)
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    WordSpec {
        word: w.raw.clone(),
        tiers,
        bm25,
        expansions,
    }
}

/// The most prefix expansions scored per query word.
const MAX_EXPANSIONS: usize = 64;

/// Fills in the words a prefix expands to in the passage text, from the
/// term dictionaries of the searcher's segments.
pub(crate) fn expand_prefixes(
    plan: &mut Plan,
    searcher: &tantivy::Searcher,
    f: &Fields,
) -> tantivy::Result<()> {
    for w in plan.words.iter_mut().filter(|w| w.prefix) {
        let mut found: Vec<String> = Vec::new();
        'segments: for segment in searcher.segment_readers() {
            let inverted = segment.inverted_index(f.text_raw)?;
            let mut stream = inverted
                .terms()
                .range()
                .ge(w.raw.as_bytes())
                .into_stream()?;
            while stream.advance() {
                let Ok(key) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if !key.starts_with(w.raw.as_str()) {
                    break;
                }
                if !found.iter().any(|k| k == key) {
                    found.push(key.to_owned());
                    if found.len() >= MAX_EXPANSIONS {
                        break 'segments;
                    }
                }
            }
        }
        w.expansions = found;
    }
    Ok(())
}

/// Builds the Tantivy query for a plan, restricted to `topics` when given
/// (a passage needs one of them). A browse plan matches every passage.
pub(crate) fn build(
    f: &Fields,
    r: &Ranking,
    analyzers: &mut Analyzers,
    plan: &Plan,
    topics: &[String],
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let words: Vec<Box<dyn Query>> = word_specs(f, r, analyzers, plan)
        .iter()
        .map(|spec| spec.query(f))
        .collect();
    if !words.is_empty() {
        clauses.push((Occur::Must, Box::new(BooleanQuery::union(words))));
    }
    let active = plan.active_words();
    let r = &r.for_query(active);
    // In a long question (read as natural language, not as query syntax), a
    // quoted phrase is a bonus, not a requirement: a pasted paragraph that
    // quotes a few words still finds the passages about it.
    let phrase_occur = if active > r.strict_words {
        Occur::Should
    } else {
        Occur::Must
    };
    for phrase in &plan.phrases {
        clauses.push((phrase_occur, phrase_query(f.text_raw, phrase)));
        // A phrase also scores as words, so BM25 ranks among phrase matches.
        for word in phrase {
            if let Some(stem) = analyzers.stem_of(word) {
                clauses.push((Occur::Should, bm25(f, r, &stem, 1.0)));
            }
        }
    }
    if clauses.is_empty() {
        clauses.push((Occur::Must, constant(Box::new(AllQuery), 0.0)));
    }
    for sources in excluded_sources(f, plan) {
        clauses.push((
            Occur::MustNot,
            any_of(sources.iter().map(|s| s.query(f)).collect()),
        ));
    }
    if !topics.is_empty() {
        let filter = any_of(
            topic_sources(f, topics)
                .iter()
                .map(|s| s.query(f))
                .collect(),
        );
        clauses.push((Occur::Must, constant(filter, 0.0)));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// What the active words of a plan match, in order (see [`WordSpec`]):
/// a passage matches the query when it matches one of them, and scores the
/// sum, in order, of the words it matches.
pub(crate) fn word_specs(
    f: &Fields,
    r: &Ranking,
    analyzers: &mut Analyzers,
    plan: &Plan,
) -> Vec<WordSpec> {
    let active = plan.active_words();
    let r = &r.for_query(active);
    (0..plan.words.len())
        .filter(|&i| plan.words[i].active)
        .map(|i| word_spec(f, r, analyzers, plan, i))
        .collect()
}

/// Per excluded word, the passages it excludes (any of the sources).
pub(crate) fn excluded_sources(f: &Fields, plan: &Plan) -> Vec<Vec<Source>> {
    plan.excluded
        .iter()
        .map(|(raw, stem)| {
            let mut sources: Vec<Source> = f
                .raw()
                .into_iter()
                .map(|field| Source::Term(field, raw.clone()))
                .collect();
            if let Some(stem) = stem {
                sources.push(Source::Term(f.text, stem.clone()));
                sources.push(Source::Term(f.code, stem.clone()));
            }
            sources
        })
        .collect()
}

/// The passages of a topic filter (any of the sources).
pub(crate) fn topic_sources(f: &Fields, topics: &[String]) -> Vec<Source> {
    topics
        .iter()
        .map(|t| Source::Term(f.topics, t.clone()))
        .collect()
}

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
        for w in self.plan.words.iter().filter(|w| w.active) {
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
fn may_stem_to(token: &str, stem: &str) -> bool {
    let keep = stem.chars().count().saturating_sub(4);
    let end = stem.char_indices().nth(keep).map_or(stem.len(), |(i, _)| i);
    token.starts_with(&stem[..end])
}

/// Optimal string alignment distance (a transposition costs one), as
/// Tantivy's fuzzy queries count; returns `limit + 1` early when above `limit`.
pub(crate) fn osa_distance(a: &str, b: &str, limit: usize) -> usize {
    // A word is at least as many edits away as the lengths differ.
    if a.chars().count().abs_diff(b.chars().count()) > limit {
        return limit + 1;
    }
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    osa_last_row(&a, &b, limit).map_or(limit + 1, |row| row[b.len()].min(limit + 1))
}

/// The least distance between `query` and any prefix of `word`.
#[cfg(test)]
pub(crate) fn prefix_distance(query: &str, word: &str) -> usize {
    let q: Vec<char> = query.chars().collect();
    let w: Vec<char> = word.chars().collect();
    osa_last_row(&q, &w, usize::MAX)
        .and_then(|row| row.into_iter().min())
        .unwrap_or(q.len())
}

/// Whether a prefix of `word` is at most `limit` edits from `query`
/// (`prefix_distance(query, word) <= limit`, sooner).
pub(crate) fn prefix_within(query: &str, word: &str, limit: usize) -> bool {
    // Every prefix of a word shorter than the query by more than the limit
    // is too far.
    if word.chars().count() + limit < query.chars().count() {
        return false;
    }
    let q: Vec<char> = query.chars().collect();
    let w: Vec<char> = word.chars().collect();
    osa_last_row(&q, &w, limit).is_some_and(|row| row.into_iter().min().unwrap_or(q.len()) <= limit)
}

/// The last row of the optimal string alignment table of `a` and `b`: the
/// distances between `a` and each prefix of `b`. `None` as soon as two rows
/// in a row exceed `limit` everywhere (no later row can go below it then).
fn osa_last_row(a: &[char], b: &[char], limit: usize) -> Option<Vec<usize>> {
    let width = b.len() + 1;
    let mut before: Vec<usize> = vec![0; width];
    let mut prev: Vec<usize> = (0..width).collect();
    let mut row: Vec<usize> = vec![0; width];
    let mut prev_over = false;
    for i in 1..=a.len() {
        row[0] = i;
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(before[j - 2] + 1);
            }
            row[j] = v;
        }
        let over = row.iter().all(|&v| v > limit);
        if over && prev_over {
            return None;
        }
        prev_over = over;
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut row);
    }
    Some(prev)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(q: &str) -> Plan {
        parse(q, &mut Analyzers::new(), &Synonyms::default())
    }

    #[test]
    fn lexer_reads_the_query_language() {
        assert_eq!(
            lex("a \"b c\" -d topic:Cost"),
            vec![
                Lexeme::Word("a".into()),
                Lexeme::Phrase("b c".into()),
                Lexeme::Exclude("d".into()),
                Lexeme::Topic("cost".into()),
            ]
        );
    }

    #[test]
    fn malformed_input_is_read_leniently() {
        assert_eq!(
            lex("\"unclosed words"),
            vec![
                Lexeme::Word("unclosed".into()),
                Lexeme::Word("words".into())
            ]
        );
        assert!(lex(" - ").is_empty());
        let p = plan("((( : ] \"\" -");
        assert!(p.is_browse());
        let long = "word ".repeat(20_000);
        assert_eq!(plan(&long).words.len(), MAX_WORDS);
        let weird = plan("\u{0}\u{7}日本語 😀 \u{10FFFF} topic:");
        assert!(weird.words.iter().any(|w| w.raw == "日本語"));
    }

    #[test]
    fn last_word_is_a_prefix_while_typing() {
        let p = plan("collagen produ");
        assert!(!p.words[0].prefix);
        assert!(p.words[1].prefix);
        assert!(!plan("collagen produ ").words[1].prefix);
    }

    #[test]
    fn stop_words_only_count_when_alone() {
        let p = plan("the often");
        assert!(!p.words[0].active);
        assert!(p.words[1].active);
        let p = plan("to the ");
        assert!(p.words.iter().all(|w| w.active));
    }

    #[test]
    fn typo_budget_grows_with_length() {
        assert_eq!(typo_budget(4), 0);
        assert_eq!(typo_budget(5), 1);
        assert_eq!(typo_budget(9), 2);
        assert_eq!(plan("hyperpigmentaton ").words[0].typo, 2);
    }

    #[test]
    fn edit_distances() {
        assert_eq!(osa_distance("hyperpigmentaton", "hyperpigmentation", 2), 1);
        assert_eq!(osa_distance("recieve", "receive", 2), 1);
        assert_eq!(osa_distance("abc", "abcdef", 2), 3);
        assert_eq!(prefix_distance("colagen", "collagenous"), 1);
        assert_eq!(prefix_distance("colla", "collagen"), 0);
        assert!(prefix_within("colagen", "collagenous", 1));
        assert!(!prefix_within("colagen", "col", 2));
        assert!(prefix_within("colagen", "colag", 2));
    }

    #[test]
    fn words_start_with_most_of_their_stem() {
        let mut a = Analyzers::new();
        let words = "skies dying lying tying idly gently ugly early only singly news \
            generalizations relational conditional valencies hopefulness possibilities \
            sensibilities rationalizations hoping agreed cried capabilities organizational \
            microneedling needles treatments scarring pigmentation hyperpigmentation";
        for w in a.raw_words(words) {
            if let Some(stem) = a.stem_of(&w) {
                assert!(may_stem_to(&w, &stem), "{w} -> {stem}");
            }
        }
        assert!(!may_stem_to("treatment", "collagen"));
    }
}
