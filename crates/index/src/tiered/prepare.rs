//! The query of a search, ready for the segments: its words' tiers and
//! BM25 weights, its Levenshtein automata, the vocabulary to walk.

use std::sync::Arc;

use tantivy::query::{DfaWrapper, EnableScoring, Weight};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::cache::Caches;
use super::vocabulary::{self, Accepted};
use crate::bm25::{Bm25, Bm25Params};
use crate::explain::MatchKind;
use crate::query::{self, Source, WordSpec};
use crate::schema::Fields;
use crate::tuning::Tuning;

/// A term scored by BM25, with the weight the [`Bm25Query`](crate::bm25::Bm25Query)
/// of the Tantivy query gives it.
pub(super) struct Scored {
    pub(super) term: Term,
    pub(super) weight: Bm25,
}

impl Scored {
    /// More than the term can score in any passage: BM25 tends to its
    /// weight as the term frequency grows (Tantivy's `max_score` is
    /// taken at one large frequency and can be a hair lower).
    #[inline]
    pub(super) fn most(&self) -> f32 {
        let most = self.weight.score(0, u32::MAX);
        if most.is_nan() {
            // A field with no words at all (no sections in JSON Lines
            // content) has an average length of 0: no passage has the
            // term there, and Tantivy's bound is then 0.
            let fallback = self.weight.max_score();
            if fallback.is_nan() {
                f32::INFINITY
            } else {
                fallback
            }
        } else {
            most
        }
    }
}

/// A source, ready for the segments.
pub(super) enum Ready {
    Term(Field, Term),
    /// A dictionary walk: the field, the automaton (an index into
    /// [`Prepared::automata`]), and what it is.
    Fuzzy {
        field: Field,
        automaton: usize,
        text: String,
        distance: u8,
        prefix: bool,
    },
    Phrase(Box<dyn Weight>),
}

/// A tier of a word, ready for the segments.
pub(super) struct Tier {
    pub(super) score: f32,
    pub(super) kind: MatchKind,
    pub(super) subject: bool,
    pub(super) sources: Vec<Ready>,
}

/// A word of the query, ready for the segments.
pub(super) struct Word {
    /// The word, as analyzed.
    pub(super) text: String,
    /// Its tiers, best first (as in the spec).
    pub(super) tiers: Vec<Tier>,
    /// The best tier counts 0 at least (Tantivy's `DisjunctionMaxQuery`),
    /// unless the word has one tier (then it is the tier's query).
    pub(super) clamp: bool,
    pub(super) bm25: Vec<Scored>,
    pub(super) expansions: Vec<Scored>,
    /// The most BM25 and expansion can add to the word's score.
    pub(super) bound: f32,
}

/// The query of a search, ready for the segments.
pub(super) struct Prepared {
    pub(super) words: Vec<Word>,
    /// Each excluded word's sources, all together (a passage with any is out).
    pub(super) excluded: Vec<Ready>,
    /// Topic filter (empty: none).
    pub(super) topics: Vec<Ready>,
    pub(super) automata: Vec<Automaton>,
    pub(super) raw_fields: [Field; 3],
    /// The searcher's vocabulary and term tables, once built.
    pub(super) vocabulary: Option<Arc<vocabulary::Vocabulary>>,
    /// The passages' position in their article (ties go by it).
    pub(super) ordinal: Field,
    /// Passages tied on the page's last score read one by one (see
    /// [`Tuning::tie_reads`]).
    pub(super) tie_reads: usize,
    /// The index's caches, for automata built during the walks.
    pub(super) caches: Arc<Caches>,
}

/// A Levenshtein automaton of the query.
pub(super) struct Automaton {
    pub(super) text: String,
    pub(super) distance: u8,
    pub(super) prefix: bool,
    /// `None` for a prefix with no edits (a range of the dictionary).
    pub(super) dfa: Option<Arc<DfaWrapper>>,
    /// The terms of the searcher's raw fields it accepts, with the
    /// fields that have each (bit `i`: the `i`-th of
    /// [`Fields::raw`]), when the vocabulary is at hand.
    pub(super) accepted: Option<Arc<Accepted>>,
}

/// What a query is made of: its words, what it excludes, its topic filter.
pub(super) struct Parts<'a> {
    pub(super) fields: &'a Fields,
    pub(super) words: &'a [WordSpec],
    pub(super) excluded: &'a [Source],
    pub(super) topics: &'a [Source],
    pub(super) caches: &'a Arc<Caches>,
    pub(super) tuning: &'a Tuning,
    pub(super) bm25: Bm25Params,
}

/// A query ready for the segments of a searcher. Without scoring (a count),
/// the BM25 weights are placeholders and the vocabulary is used only if
/// the searcher is known.
pub(super) fn prepare(parts: &Parts<'_>, scoring: EnableScoring<'_>) -> tantivy::Result<Prepared> {
    let Parts {
        fields: f, caches, ..
    } = *parts;
    let (statistics, searcher): (
        Option<&dyn tantivy::query::Bm25StatisticsProvider>,
        Option<&Searcher>,
    ) = match scoring {
        EnableScoring::Enabled {
            searcher,
            statistics_provider,
        } => (Some(statistics_provider), Some(searcher)),
        EnableScoring::Disabled { searcher_opt, .. } => (None, searcher_opt),
    };
    let mut automata: Vec<Automaton> = Vec::new();
    let mut prepare_source = |source: &Source| -> tantivy::Result<Ready> {
        Ok(match source {
            Source::Term(field, text) => Ready::Term(*field, Term::from_field_text(*field, text)),
            Source::Fuzzy {
                field,
                text,
                distance,
                prefix,
            } => {
                let found = automata.iter().position(|a| {
                    a.text == *text && a.distance == *distance && a.prefix == *prefix
                });
                let automaton = match found {
                    Some(i) => i,
                    None => {
                        automata.push(Automaton {
                            text: text.clone(),
                            distance: *distance,
                            prefix: *prefix,
                            dfa: None,
                            accepted: None,
                        });
                        automata.len() - 1
                    }
                };
                Ready::Fuzzy {
                    field: *field,
                    automaton,
                    text: text.clone(),
                    distance: *distance,
                    prefix: *prefix,
                }
            }
            Source::Phrase(_) => Ready::Phrase(
                source
                    .query(f)
                    .weight(EnableScoring::disabled_from_schema(scoring.schema()))?,
            ),
        })
    };
    let scored = |field: Field, text: &str, boost: f32| -> tantivy::Result<Scored> {
        let term = Term::from_field_text(field, text);
        let weight = match statistics {
            Some(statistics) => Bm25::for_term(statistics, &term, parts.bm25)?.boost_by(boost),
            // Not scored: any weight does.
            None => Bm25::new(1, 1, 1.0, parts.bm25),
        };
        Ok(Scored { term, weight })
    };
    let mut words = Vec::new();
    for spec in parts.words {
        let mut tiers = Vec::with_capacity(spec.tiers.len());
        for tier in &spec.tiers {
            let sources = tier
                .sources
                .iter()
                .map(&mut prepare_source)
                .collect::<tantivy::Result<Vec<_>>>()?;
            tiers.push(Tier {
                score: tier.score,
                kind: tier.kind,
                subject: tier.subject,
                sources,
            });
        }
        let bm25 = spec
            .bm25
            .iter()
            .map(|(field, stem, boost)| scored(*field, stem, *boost))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let expansions = spec
            .expansions
            .iter()
            .map(|e| scored(f.text_raw, e, 1.0))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let bound = bm25.iter().map(Scored::most).sum::<f32>()
            + expansions.iter().map(Scored::most).fold(0.0, f32::max);
        words.push(Word {
            text: spec.word.clone(),
            clamp: tiers.len() > 1,
            tiers,
            bm25,
            expansions,
            bound,
        });
    }
    let excluded = parts
        .excluded
        .iter()
        .map(&mut prepare_source)
        .collect::<tantivy::Result<Vec<_>>>()?;
    let topics = parts
        .topics
        .iter()
        .map(&mut prepare_source)
        .collect::<tantivy::Result<Vec<_>>>()?;
    // Typo automata accept few terms but explore much of a dictionary:
    // walk the vocabulary of all segments and fields once, when it has
    // been built, instead of each segment's field dictionaries.
    let raw_fields = f.raw();
    let vocabulary = searcher.and_then(|s| caches.vocabularies.get(s, raw_fields));
    for a in &mut automata {
        if a.distance == 0 && a.prefix {
            // A prefix with no edits is a range of the dictionary: it
            // needs no automaton.
            continue;
        }
        let Some(vocabulary) = &vocabulary else {
            a.dfa = Some(caches.automata.dfa(&a.text, a.distance, a.prefix)?);
            continue;
        };
        // The prefix automaton accepts every word within the distance
        // (and is quicker to build and to run): the typo tier's words
        // are those of its words within the distance.
        let dfa = caches.automata.dfa(&a.text, a.distance, true)?;
        let accepted = caches
            .automata
            .accepted(&a.text, a.distance, true, &dfa, vocabulary)?;
        a.accepted = Some(if a.prefix {
            accepted
        } else {
            let d = usize::from(a.distance);
            Arc::new(
                accepted
                    .iter()
                    .filter(|(key, _)| {
                        std::str::from_utf8(key)
                            .is_ok_and(|k| query::osa_distance(k, &a.text, d) <= d)
                    })
                    .cloned()
                    .collect(),
            )
        });
    }
    Ok(Prepared {
        words,
        excluded,
        topics,
        automata,
        raw_fields,
        vocabulary,
        ordinal: f.ordinal,
        tie_reads: parts.tuning.tie_reads,
        caches: Arc::clone(caches),
    })
}
