//! A request's query, ready for the segments.

use std::sync::Arc;

use tantivy::query::{Bm25Weight, DfaWrapper, EnableScoring, Weight};
use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use super::cache::Caches;
use super::vocabulary::{self, Accepted};
use crate::error::Result;
use crate::query::{self, Plan, Ranking, Source};
use crate::schema::Fields;
use crate::tuning::Tuning;

/// What the evaluation takes from its index: the fields, the ranking
/// constants, the caches and the performance settings.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) fields: &'a Fields,
    pub(crate) ranking: &'a Ranking,
    pub(crate) caches: &'a Caches,
    pub(crate) tuning: &'a Tuning,
}

/// A term scored by BM25, with the weight Tantivy's `TermQuery` (in a
/// `BoostQuery`) gives it.
pub(super) struct Scored {
    pub(super) term: Term,
    pub(super) weight: Bm25Weight,
}

impl Scored {
    /// More than the term can score in any passage: BM25 tends to its
    /// weight as the term frequency grows (Tantivy's `max_score` is
    /// taken at one large frequency and can be a hair lower).
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
pub(super) enum Prepared {
    Term(Field, Term),
    /// A dictionary walk: the field, the automaton (an index into
    /// `Query::automata`), and what it is.
    Fuzzy {
        field: Field,
        automaton: usize,
        text: String,
        distance: u8,
        prefix: bool,
    },
    Phrase(Box<dyn Weight>),
}

/// A word of the query, ready for the segments.
pub(super) struct Word {
    /// Tier scores and sources, in the order of the spec.
    pub(super) tiers: Vec<(f32, Vec<Prepared>)>,
    /// The best tier counts 0 at least (Tantivy's `DisjunctionMaxQuery`),
    /// unless the word has one tier (then it is the tier's query).
    pub(super) clamp: bool,
    pub(super) bm25: Vec<Scored>,
    pub(super) expansions: Vec<Scored>,
    /// The most BM25 and expansion can add to the word's score.
    pub(super) bound: f32,
}

pub(super) struct Query<'c> {
    pub(super) words: Vec<Word>,
    /// Each excluded word's sources, all together (a passage with any is out).
    pub(super) excluded: Vec<Prepared>,
    /// Topic filter (empty: none).
    pub(super) topics: Vec<Prepared>,
    pub(super) automata: Vec<Automaton>,
    pub(super) raw_fields: [Field; 3],
    /// The searcher's vocabulary and term tables, once built.
    pub(super) vocabulary: Option<Arc<vocabulary::Vocabulary>>,
    /// The passages' position in their article (ties go by it).
    pub(super) ordinal: Field,
    /// Passages tied on the page's last score read one by one (see
    /// [`Tuning::tie_reads`](crate::Tuning::tie_reads)).
    pub(super) tie_reads: usize,
    /// The index's caches, for automata built during the walks.
    pub(super) caches: &'c Caches,
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

/// The query of a request, ready for the segments, with the index's
/// fields, ranking and caches.
pub(super) fn prepare<'c>(
    cx: &Context<'c>,
    analyzers: &mut query::Analyzers,
    searcher: &Searcher,
    plan: &Plan,
    topics: &[String],
) -> Result<Query<'c>> {
    let (caches, f, r) = (cx.caches, cx.fields, cx.ranking);
    let mut automata: Vec<Automaton> = Vec::new();
    let mut prepare_source = |source: &Source| -> Result<Prepared> {
        Ok(match source {
            Source::Term(field, text) => {
                Prepared::Term(*field, Term::from_field_text(*field, text))
            }
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
                Prepared::Fuzzy {
                    field: *field,
                    automaton,
                    text: text.clone(),
                    distance: *distance,
                    prefix: *prefix,
                }
            }
            Source::Phrase(_) => Prepared::Phrase(
                source
                    .query(f)
                    .weight(EnableScoring::disabled_from_searcher(searcher))?,
            ),
        })
    };
    let scored = |field: Field, text: &str, boost: f32| -> Result<Scored> {
        let term = Term::from_field_text(field, text);
        let weight = Bm25Weight::for_terms(searcher, std::slice::from_ref(&term))?;
        Ok(Scored {
            term,
            weight: weight.boost_by(boost),
        })
    };
    let mut words = Vec::new();
    for spec in query::word_specs(f, r, analyzers, plan) {
        let mut tiers = Vec::with_capacity(spec.tiers.len());
        for tier in &spec.tiers {
            let sources = tier
                .sources
                .iter()
                .map(&mut prepare_source)
                .collect::<Result<Vec<_>>>()?;
            tiers.push((tier.score, sources));
        }
        let bm25 = spec
            .bm25
            .iter()
            .map(|(field, stem, boost)| scored(*field, stem, *boost))
            .collect::<Result<Vec<_>>>()?;
        let expansions = spec
            .expansions
            .iter()
            .map(|e| scored(f.text_raw, e, 1.0))
            .collect::<Result<Vec<_>>>()?;
        let bound = bm25.iter().map(Scored::most).sum::<f32>()
            + expansions.iter().map(Scored::most).fold(0.0, f32::max);
        words.push(Word {
            clamp: tiers.len() > 1,
            tiers,
            bm25,
            expansions,
            bound,
        });
    }
    let excluded = query::excluded_sources(f, plan)
        .iter()
        .flatten()
        .map(&mut prepare_source)
        .collect::<Result<Vec<_>>>()?;
    let topics = query::topic_sources(f, topics)
        .iter()
        .map(&mut prepare_source)
        .collect::<Result<Vec<_>>>()?;
    // Typo automata accept few terms but explore much of a dictionary:
    // walk the vocabulary of all segments and fields once, when it has
    // been built, instead of each segment's field dictionaries.
    let raw_fields = f.raw();
    let vocabulary = caches.vocabularies.get(searcher, raw_fields);
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
    Ok(Query {
        words,
        excluded,
        topics,
        automata,
        raw_fields,
        vocabulary,
        ordinal: f.ordinal,
        tie_reads: cx.tuning.tie_reads,
        caches,
    })
}
