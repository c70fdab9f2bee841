//! What each word of a plan matches and how it scores, as data ([`WordSpec`]):
//! the Tantivy query of [`build`](fn@super::build) and the tiered evaluation
//! both follow it.

use tantivy::Term;
use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;

use super::parse::{Analyzers, Plan};
use super::ranking::Ranking;
use crate::explain::MatchKind;
use crate::schema::Fields;

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
/// of [`build`](fn@super::build) and the evaluation of [`crate::tiered`] both follow it.
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
    let alternatives: Vec<Source> = plan
        .synonyms
        .iter()
        .filter(|(i, _)| *i == index)
        .flat_map(|(_, alt)| alternative_sources(f, analyzers, alt))
        .collect();
    // A word standing for a run ("how long") matches through the run's
    // synonyms only, and they are its best match.
    if w.frame && !alternatives.is_empty() {
        return frame_spec(f, r, analyzers, plan, index, alternatives);
    }
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
    bm25.extend(synonym_bm25(f, r, analyzers, plan, index));
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

/// The BM25 clauses of word `index`'s one-word synonyms (each stem once,
/// not the word's own), at [`Ranking::synonym_bm25`].
fn synonym_bm25(
    f: &Fields,
    r: &Ranking,
    analyzers: &mut Analyzers,
    plan: &Plan,
    index: usize,
) -> Vec<(Field, String, f32)> {
    let own = plan.words[index].stem.as_ref();
    let mut stems: Vec<String> = Vec::new();
    if r.synonym_bm25 > 0.0 {
        for (_, alt) in plan.synonyms.iter().filter(|(i, _)| *i == index) {
            if let [word] = alt.as_slice()
                && let Some(stem) = analyzers.stem_of(word)
                && Some(&stem) != own
                && !stems.contains(&stem)
            {
                stems.push(stem);
            }
        }
    }
    stems
        .into_iter()
        .flat_map(|stem| {
            bm25_fields(f, r, r.synonym_bm25)
                .into_iter()
                .map(move |(field, boost)| (field, stem.clone(), boost))
        })
        .collect()
}

/// What a word standing for a run of words ([`Word::frame`]) matches: the
/// run's synonyms, as its best tier (the word alone is not a match), with
/// their BM25.
///
/// [`Word::frame`]: super::parse::Word::frame
fn frame_spec(
    f: &Fields,
    r: &Ranking,
    analyzers: &mut Analyzers,
    plan: &Plan,
    index: usize,
    alternatives: Vec<Source>,
) -> WordSpec {
    WordSpec {
        word: plan.words[index].raw.clone(),
        tiers: vec![Tier {
            score: r.word + r.exact,
            kind: MatchKind::Synonym,
            subject: false,
            sources: alternatives,
        }],
        bm25: synonym_bm25(f, r, analyzers, plan, index),
        expansions: Vec::new(),
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
