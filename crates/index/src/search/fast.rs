//! Evaluation of ranked plans without phrases and without feedback: the
//! queries people type, letter by letter.
//!
//! It computes what the Tantivy query of [`query::build`] computes (the
//! same matches, the same scores, the same order) with less work:
//!
//! - each term's postings are read once per word, into one bitmap per
//!   tier score, however many tiers and fields name the term;
//! - the term dictionary is walked once per field and word for the prefix
//!   and typo tiers together, where the query walks it once per tier, and
//!   each Levenshtein automaton is built once per search, not per field;
//! - the total is the size of the match bitmap, not a count of scored hits;
//! - only passages that can reach the page are scored by BM25: a passage's
//!   tier scores bound its score from below, its tiers plus the largest
//!   BM25 scores of its words from above, so passages whose upper bound is
//!   below the page's lower bound are skipped;
//! - scores are kept only for the passages a scored term reaches, and a
//!   term's scan does not take in a passage it is the first to reach when
//!   its score there, with the most the other terms could add, leaves the
//!   passage below the page: a common word's long postings list adds few.
//!
//! Scores are summed in the order Tantivy sums them, so ties break the same.

use std::collections::HashMap;
use std::sync::Arc;

#[cfg(test)]
use tantivy::Searcher;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::InvertedIndexReader;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::{Bm25Weight, DfaWrapper, EnableScoring, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, SegmentReader, Term};

use super::{RankRequest, Ranked, TopicCounter};
use crate::error::Result;
use crate::index::NeedleIndex;
use crate::query::{self, Plan, Ranking, Source};
#[cfg(test)]
use crate::schema::Fields;
use tantivy::collector::{Collector, SegmentCollector};

/// Whether [`rank`] handles the plan: words, no phrases, and too few
/// words for pseudo-relevance feedback (the condition of
/// `feedback::expand`).
pub(super) fn applies(plan: &Plan, r: &Ranking) -> bool {
    let active = plan.active_words();
    let feedback = crate::feedback::applies(r, active);
    // Tiered queries only: the loose ranking of longer ones scores its
    // tiers at zero, which this evaluation does not model.
    active > 0 && active <= r.strict_words && plan.phrases.is_empty() && !feedback
}

/// What the evaluation keeps from one search to the next: the
/// vocabularies of the last searcher generations and the automata of the
/// last words searched. Each [`NeedleIndex`] owns one: indexes do not
/// share them, and they go with their index.
#[derive(Default)]
pub(crate) struct Caches {
    vocabularies: vocabulary::Vocabularies,
    automata: automata::Automata,
}

impl Caches {
    /// Builds the vocabulary of the searcher's raw fields now, for tests.
    #[cfg(test)]
    pub(super) fn build_vocabulary_now(&self, searcher: &Searcher, f: &Fields) {
        self.vocabularies.build_now(searcher, f.raw());
    }

    /// The vocabulary of the searcher's raw fields if it is built, for
    /// tests (it does not count as a search).
    #[cfg(test)]
    pub(super) fn built_vocabulary(
        &self,
        searcher: &Searcher,
        f: &Fields,
    ) -> Option<Arc<vocabulary::Vocabulary>> {
        self.vocabularies.ready(searcher, f.raw())
    }
}

/// A set of documents of one segment.
#[derive(Clone)]
struct DocBits(Vec<u64>);

impl DocBits {
    fn new(max_doc: DocId) -> Self {
        DocBits(vec![0; (max_doc as usize).div_ceil(64)])
    }

    #[inline]
    fn insert(&mut self, doc: DocId) {
        self.0[(doc / 64) as usize] |= 1u64 << (doc % 64);
    }

    #[inline]
    fn has(&self, doc: DocId) -> bool {
        (self.0[(doc / 64) as usize] >> (doc % 64)) & 1 == 1
    }

    fn is_empty(&self) -> bool {
        self.0.iter().all(|&w| w == 0)
    }

    fn intersection(&self, other: &DocBits) -> DocBits {
        DocBits(self.0.iter().zip(&other.0).map(|(a, b)| a & b).collect())
    }

    fn difference(&self, other: &DocBits) -> DocBits {
        DocBits(self.0.iter().zip(&other.0).map(|(a, b)| a & !b).collect())
    }

    fn union_with(&mut self, other: &DocBits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a |= b;
        }
    }

    fn intersect_with(&mut self, other: &DocBits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= b;
        }
    }

    fn subtract(&mut self, other: &DocBits) {
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            *a &= !b;
        }
    }

    fn len(&self) -> usize {
        self.0.iter().map(|w| w.count_ones() as usize).sum()
    }

    fn docs(&self) -> impl Iterator<Item = DocId> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &word)| {
            let base = (i * 64) as DocId;
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                Some(base + bit)
            })
        })
    }
}

/// A term scored by BM25, with the weight Tantivy's `TermQuery` (in a
/// `BoostQuery`) gives it.
struct Scored {
    term: Term,
    weight: Bm25Weight,
}

impl Scored {
    /// More than the term can score in any passage: BM25 tends to its
    /// weight as the term frequency grows (Tantivy's `max_score` is
    /// taken at one large frequency and can be a hair lower).
    fn most(&self) -> f32 {
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
enum Prepared {
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
struct Word {
    /// Tier scores and sources, in the order of the spec.
    tiers: Vec<(f32, Vec<Prepared>)>,
    /// The best tier counts 0 at least (Tantivy's `DisjunctionMaxQuery`),
    /// unless the word has one tier (then it is the tier's query).
    clamp: bool,
    bm25: Vec<Scored>,
    expansions: Vec<Scored>,
    /// The most BM25 and expansion can add to the word's score.
    bound: f32,
}

struct Query<'c> {
    words: Vec<Word>,
    /// Each excluded word's sources, all together (a passage with any is out).
    excluded: Vec<Prepared>,
    /// Topic filter (empty: none).
    topics: Vec<Prepared>,
    automata: Vec<Automaton>,
    raw_fields: [Field; 3],
    /// The searcher's vocabulary and term tables, once built.
    vocabulary: Option<Arc<vocabulary::Vocabulary>>,
    /// The passages' position in their article (ties go by it).
    ordinal: Field,
    /// The index's caches, for automata built during the walks.
    caches: &'c Caches,
}

/// A Levenshtein automaton of the query.
struct Automaton {
    text: String,
    distance: u8,
    prefix: bool,
    /// `None` for a prefix with no edits (a range of the dictionary).
    dfa: Option<Arc<DfaWrapper>>,
    /// The terms of the searcher's raw fields it accepts, with the
    /// fields that have each (bit `i`: the `i`-th of
    /// [`Fields::raw`]), when the vocabulary is at hand.
    accepted: Option<Arc<Accepted>>,
}

/// Terms of a vocabulary, with the fields that have them.
type Accepted = Vec<(Vec<u8>, u32)>;

/// The query of a request, ready for the segments, with the index's
/// fields, ranking and caches.
fn prepare<'c>(
    index: &'c NeedleIndex,
    analyzers: &mut query::Analyzers,
    request: RankRequest<'_>,
) -> Result<Query<'c>> {
    let RankRequest {
        searcher,
        plan,
        topics,
        ..
    } = request;
    let (caches, f, r) = (&index.fast_caches, &index.fields, &index.ranking);
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
        caches,
    })
}

/// Levenshtein automata and what they accept in a vocabulary, for the
/// last few words searched: typing a query letter by letter searches
/// its first words again at every key.
mod automata {
    use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

    use tantivy::Term;
    use tantivy::query::DfaWrapper;
    use tantivy::schema::Field;

    use super::Accepted;
    use super::vocabulary::{self, Vocabulary};

    /// Automata kept: a few words' worth.
    const KEEP: usize = 8;

    struct Entry {
        text: String,
        distance: u8,
        prefix: bool,
        dfa: Arc<DfaWrapper>,
        accepted: Option<(Arc<Vocabulary>, Arc<Accepted>)>,
    }

    /// The automata of the last [`KEEP`] words searched, most recent
    /// last.
    #[derive(Default)]
    pub(super) struct Automata(Mutex<Vec<Entry>>);

    fn find(cache: &mut Vec<Entry>, text: &str, distance: u8, prefix: bool) -> Option<usize> {
        let i = cache
            .iter()
            .position(|e| e.text == text && e.distance == distance && e.prefix == prefix)?;
        // Most recent last.
        let entry = cache.remove(i);
        cache.push(entry);
        Some(cache.len() - 1)
    }

    impl Automata {
        fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
            self.0.lock().unwrap_or_else(PoisonError::into_inner)
        }

        /// The automaton of Tantivy's `FuzzyTermQuery` for `text`.
        pub(super) fn dfa(
            &self,
            text: &str,
            distance: u8,
            prefix: bool,
        ) -> tantivy::Result<Arc<DfaWrapper>> {
            {
                let mut cache = self.lock();
                if let Some(i) = find(&mut cache, text, distance, prefix) {
                    return Ok(Arc::clone(&cache[i].dfa));
                }
            }
            // The field plays no part in the automaton.
            let term = Term::from_field_text(Field::from_field_id(0), text);
            let dfa = Arc::new(crate::query::fuzzy_query(term, distance, prefix).automaton()?);
            let mut cache = self.lock();
            if cache.len() >= KEEP {
                cache.remove(0);
            }
            cache.push(Entry {
                text: text.to_owned(),
                distance,
                prefix,
                dfa: Arc::clone(&dfa),
                accepted: None,
            });
            Ok(dfa)
        }

        /// The terms of `vocabulary` the automaton accepts.
        pub(super) fn accepted(
            &self,
            text: &str,
            distance: u8,
            prefix: bool,
            dfa: &DfaWrapper,
            vocabulary: &Arc<Vocabulary>,
        ) -> tantivy::Result<Arc<Accepted>> {
            {
                let mut cache = self.lock();
                if let Some(i) = find(&mut cache, text, distance, prefix)
                    && let Some((v, accepted)) = &cache[i].accepted
                    && Arc::ptr_eq(v, vocabulary)
                {
                    return Ok(Arc::clone(accepted));
                }
            }
            let accepted = Arc::new(vocabulary::accepted(vocabulary, dfa)?);
            let mut cache = self.lock();
            if let Some(i) = find(&mut cache, text, distance, prefix) {
                cache[i].accepted = Some((Arc::clone(vocabulary), Arc::clone(&accepted)));
            }
            Ok(accepted)
        }
    }
}

/// The terms of the raw fields of all the segments of a searcher, in one
/// term dictionary, built in the background once a searcher generation
/// has served a few typo queries (a one-off search does not pay for it).
mod vocabulary {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

    use tantivy::Searcher;
    use tantivy::directory::FileSlice;
    use tantivy::index::{InvertedIndexReader, SegmentId};
    use tantivy::postings::TermInfo;
    use tantivy::query::DfaWrapper;
    use tantivy::schema::Field;
    use tantivy::termdict::{TermDictionary, TermDictionaryBuilder};

    /// The terms of one field of one segment, in memory, sorted: a
    /// prefix is a slice of them, and a term is found by binary search,
    /// without walking the dictionary's FST.
    pub(in crate::search) struct TermTable {
        keys: Vec<u8>,
        ends: Vec<u32>,
        /// Postings start, postings length, document frequency.
        infos: Vec<(u64, u32, u32)>,
    }

    impl TermTable {
        fn read(inverted: &InvertedIndexReader) -> tantivy::Result<TermTable> {
            let dict = inverted.terms();
            let mut table = TermTable {
                keys: Vec::new(),
                ends: Vec::with_capacity(dict.num_terms()),
                infos: Vec::with_capacity(dict.num_terms()),
            };
            let mut stream = dict.stream()?;
            while stream.advance() {
                let info = stream.value();
                table.keys.extend_from_slice(stream.key());
                let end = u32::try_from(table.keys.len())
                    .map_err(|_| tantivy::TantivyError::InternalError("too many terms".into()))?;
                table.ends.push(end);
                let len = u32::try_from(info.postings_range.len()).unwrap_or(u32::MAX);
                table
                    .infos
                    .push((info.postings_range.start as u64, len, info.doc_freq));
            }
            Ok(table)
        }

        pub(in crate::search) fn len(&self) -> usize {
            self.ends.len()
        }

        pub(in crate::search) fn key(&self, i: usize) -> &[u8] {
            let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
            &self.keys[start..self.ends[i] as usize]
        }

        /// The term's postings (no positions).
        pub(in crate::search) fn info(&self, i: usize) -> TermInfo {
            let (start, len, doc_freq) = self.infos[i];
            let start = usize::try_from(start).unwrap_or(usize::MAX);
            TermInfo {
                doc_freq,
                postings_range: start..start + len as usize,
                positions_range: 0..0,
            }
        }

        /// The index of the first term not below `key`.
        pub(in crate::search) fn lower_bound(&self, key: &[u8]) -> usize {
            let (mut lo, mut hi) = (0, self.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if self.key(mid) < key {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        }

        pub(in crate::search) fn get(&self, key: &[u8]) -> Option<TermInfo> {
            let i = self.lower_bound(key);
            (i < self.len() && self.key(i) == key).then(|| self.info(i))
        }
    }

    /// What the raw fields of a searcher's segments hold.
    pub(in crate::search) struct Vocabulary {
        /// Every term of every raw field of every segment, with the
        /// fields that have it (bit `i` for the `i`-th raw field) as
        /// its `doc_freq`.
        pub(in crate::search) dict: TermDictionary,
        /// Per segment, in the searcher's order, per raw field.
        pub(in crate::search) tables: Vec<[Arc<TermTable>; 3]>,
    }

    /// Searches on a generation before its vocabulary is built.
    const BUILD_AFTER: u32 = 2;
    /// Generations remembered (their vocabularies are kept).
    const KEEP: usize = 3;

    enum State {
        Seen(u32),
        Building,
        Ready(Arc<Vocabulary>),
        Failed,
    }

    struct Entry {
        segments: Vec<SegmentId>,
        fields: [Field; 3],
        state: State,
        used: u64,
    }

    impl Entry {
        /// Whether this is the entry of these segments' vocabulary.
        fn of(&self, segments: &[SegmentId], fields: [Field; 3]) -> bool {
            self.segments == segments && self.fields == fields
        }
    }

    /// The generations searched, the least recently used first to go.
    #[derive(Default)]
    struct Generations {
        /// Lookups so far: an entry's `used` is the count at its last.
        clock: u64,
        entries: Vec<Entry>,
    }

    /// The vocabularies of the last [`KEEP`] searcher generations. A
    /// build in the background holds it weakly: when the cache is gone
    /// by the end of the build, what was built is dropped.
    #[derive(Default)]
    pub(super) struct Vocabularies(Arc<Mutex<Generations>>);

    fn lock(cache: &Mutex<Generations>) -> MutexGuard<'_, Generations> {
        cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn segments_of(searcher: &Searcher) -> Vec<SegmentId> {
        searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect()
    }

    impl Vocabularies {
        /// The vocabulary of the searcher's segments, when it is ready.
        /// The first searches of a generation start building it, in the
        /// background: a one-off search does not pay for it.
        pub(super) fn get(
            &self,
            searcher: &Searcher,
            fields: [Field; 3],
        ) -> Option<Arc<Vocabulary>> {
            let segments = segments_of(searcher);
            if segments.is_empty() {
                return None;
            }
            let mut cache = lock(&self.0);
            cache.clock += 1;
            let now = cache.clock;
            let entries = &mut cache.entries;
            let i = match entries.iter().position(|e| e.of(&segments, fields)) {
                Some(i) => i,
                None => {
                    if entries.len() >= KEEP
                        && let Some(oldest) = (0..entries.len()).min_by_key(|&i| entries[i].used)
                    {
                        entries.swap_remove(oldest);
                    }
                    entries.push(Entry {
                        segments: segments.clone(),
                        fields,
                        state: State::Seen(0),
                        used: now,
                    });
                    entries.len() - 1
                }
            };
            let entry = &mut entries[i];
            entry.used = now;
            match &mut entry.state {
                State::Ready(vocabulary) => return Some(Arc::clone(vocabulary)),
                State::Building | State::Failed => return None,
                State::Seen(n) => {
                    *n += 1;
                    if *n < BUILD_AFTER {
                        return None;
                    }
                }
            }
            entry.state = State::Building;
            let reuse = reusable(entries, fields);
            drop(cache);
            let searcher = searcher.clone();
            let cache = Arc::downgrade(&self.0);
            let key = segments.clone();
            let spawned = std::thread::Builder::new()
                .name("needle-vocabulary".to_owned())
                .spawn(move || {
                    let built = build(&searcher, fields, &reuse);
                    // The index may be gone by now: then so is the cache,
                    // and what was built is dropped here.
                    if let Some(cache) = cache.upgrade() {
                        finish(&cache, &segments, fields, built);
                    }
                });
            if spawned.is_err() {
                finish(
                    &self.0,
                    &key,
                    fields,
                    Err(tantivy::TantivyError::InternalError("no thread".to_owned())),
                );
            }
            None
        }

        /// Builds the searcher's vocabulary now, for tests.
        #[cfg(test)]
        pub(super) fn build_now(&self, searcher: &Searcher, fields: [Field; 3]) {
            let segments = segments_of(searcher);
            let vocabulary = build(searcher, fields, &[]).unwrap();
            let mut cache = lock(&self.0);
            cache.entries.retain(|e| !e.of(&segments, fields));
            cache.entries.push(Entry {
                segments,
                fields,
                state: State::Ready(Arc::new(vocabulary)),
                used: u64::MAX,
            });
        }

        /// The searcher's vocabulary if it is built, for tests: unlike
        /// [`get`](Self::get), it does not count as a search.
        #[cfg(test)]
        pub(super) fn ready(
            &self,
            searcher: &Searcher,
            fields: [Field; 3],
        ) -> Option<Arc<Vocabulary>> {
            let segments = segments_of(searcher);
            let cache = lock(&self.0);
            cache
                .entries
                .iter()
                .find(|e| e.of(&segments, fields))
                .and_then(|e| match &e.state {
                    State::Ready(vocabulary) => Some(Arc::clone(vocabulary)),
                    _ => None,
                })
        }
    }

    /// The term tables of the vocabularies at hand, to reuse: segments
    /// outlive generations.
    fn reusable(entries: &[Entry], fields: [Field; 3]) -> Vec<(SegmentId, [Arc<TermTable>; 3])> {
        let mut out = Vec::new();
        for e in entries.iter().filter(|e| e.fields == fields) {
            if let State::Ready(v) = &e.state {
                for (id, tables) in e.segments.iter().zip(&v.tables) {
                    if !out.iter().any(|(known, _)| known == id) {
                        out.push((*id, tables.clone()));
                    }
                }
            }
        }
        out
    }

    fn finish(
        cache: &Mutex<Generations>,
        segments: &[SegmentId],
        fields: [Field; 3],
        built: tantivy::Result<Vocabulary>,
    ) {
        let mut cache = lock(cache);
        if let Some(entry) = cache.entries.iter_mut().find(|e| e.of(segments, fields)) {
            entry.state = match built {
                Ok(vocabulary) => State::Ready(Arc::new(vocabulary)),
                Err(_) => State::Failed,
            };
        }
    }

    fn build(
        searcher: &Searcher,
        fields: [Field; 3],
        reuse: &[(SegmentId, [Arc<TermTable>; 3])],
    ) -> tantivy::Result<Vocabulary> {
        let mut tables = Vec::new();
        for segment in searcher.segment_readers() {
            let id = segment.segment_id();
            if let Some((_, known)) = reuse.iter().find(|(k, _)| *k == id) {
                tables.push(known.clone());
                continue;
            }
            let read = |field: Field| -> tantivy::Result<Arc<TermTable>> {
                Ok(Arc::new(TermTable::read(&*segment.inverted_index(field)?)?))
            };
            tables.push([read(fields[0])?, read(fields[1])?, read(fields[2])?]);
        }
        // Merge the sorted tables into one dictionary.
        let all: Vec<(usize, &TermTable)> = tables
            .iter()
            .flat_map(|row| row.iter().enumerate().map(|(bit, t)| (bit, &**t)))
            .collect();
        let mut heap: BinaryHeap<Reverse<(&[u8], usize, usize)>> = all
            .iter()
            .enumerate()
            .filter(|(_, (_, t))| t.len() > 0)
            .map(|(i, (_, t))| Reverse((t.key(0), i, 0)))
            .collect();
        let mut builder = TermDictionaryBuilder::create(Vec::new())?;
        let mut current: Option<(&[u8], u32)> = None;
        while let Some(Reverse((key, i, pos))) = heap.pop() {
            let (bit, table) = all[i];
            if pos + 1 < table.len() {
                heap.push(Reverse((table.key(pos + 1), i, pos + 1)));
            }
            match &mut current {
                Some((k, mask)) if *k == key => *mask |= 1 << bit,
                _ => {
                    if let Some((k, mask)) = current.take() {
                        builder.insert(k, &mask_info(mask))?;
                    }
                    current = Some((key, 1 << bit));
                }
            }
        }
        if let Some((k, mask)) = current {
            builder.insert(k, &mask_info(mask))?;
        }
        let bytes = builder.finish()?;
        Ok(Vocabulary {
            dict: TermDictionary::open(FileSlice::from(bytes))?,
            tables,
        })
    }

    fn mask_info(mask: u32) -> TermInfo {
        TermInfo {
            doc_freq: mask,
            postings_range: 0..0,
            positions_range: 0..0,
        }
    }

    /// The terms of the vocabulary an automaton accepts, with their fields.
    pub(in crate::search) fn accepted(
        vocabulary: &Vocabulary,
        automaton: &DfaWrapper,
    ) -> tantivy::Result<Vec<(Vec<u8>, u32)>> {
        let mut out = Vec::new();
        let mut stream = vocabulary.dict.search(automaton).into_stream()?;
        while stream.advance() {
            out.push((stream.key().to_vec(), stream.value().doc_freq));
        }
        Ok(out)
    }
}

/// The passages of a word in one segment, by tier score.
struct Levels {
    /// Distinct tier scores, best first, each with the passages whose
    /// best tier has it (disjoint sets).
    levels: Vec<(f32, DocBits)>,
    matched: DocBits,
}

/// The inverted indexes a segment's evaluation reads, opened once, and
/// one reusable postings reader per field.
struct Inverted<'r> {
    reader: &'r SegmentReader,
    open: HashMap<Field, (Arc<InvertedIndexReader>, Option<BlockSegmentPostings>)>,
    /// The segment's term tables of the raw fields, when built.
    tables: Option<(&'r [Field; 3], &'r [Arc<vocabulary::TermTable>; 3])>,
}

impl Inverted<'_> {
    /// The term table of a field, when there is one.
    fn table(&self, field: Field) -> Option<Arc<vocabulary::TermTable>> {
        let (fields, tables) = self.tables?;
        let i = fields.iter().position(|&f| f == field)?;
        Some(Arc::clone(&tables[i]))
    }

    /// Where a term's postings are, if the field has it.
    fn term_info(&mut self, term: &Term) -> tantivy::Result<Option<TermInfo>> {
        if let Some(table) = self.table(term.field()) {
            return Ok(table.get(term.serialized_value_bytes()));
        }
        Ok(self.get(term.field())?.get_term_info(term)?)
    }

    fn get(&mut self, field: Field) -> tantivy::Result<Arc<InvertedIndexReader>> {
        if let Some((inv, _)) = self.open.get(&field) {
            return Ok(inv.clone());
        }
        let inv = self.reader.inverted_index(field)?;
        self.open.insert(field, (inv.clone(), None));
        Ok(inv)
    }

    /// Adds the passages of a term of `field` to `bits`.
    fn add_postings(
        &mut self,
        field: Field,
        info: &TermInfo,
        bits: &mut DocBits,
    ) -> tantivy::Result<()> {
        let mut postings = self.postings(field)?;
        postings.add(info, bits)
    }

    /// The postings reader of a field.
    fn postings(&mut self, field: Field) -> tantivy::Result<Postings<'_>> {
        self.get(field)?;
        let (inv, reuse) = self
            .open
            .get_mut(&field)
            .ok_or_else(|| tantivy::TantivyError::InternalError("no field".to_owned()))?;
        Ok(Postings {
            inv: inv.clone(),
            reuse,
        })
    }
}

/// Reads postings of one field into bitmaps, reusing one reader.
struct Postings<'a> {
    inv: Arc<InvertedIndexReader>,
    reuse: &'a mut Option<BlockSegmentPostings>,
}

impl Postings<'_> {
    fn add(&mut self, info: &TermInfo, bits: &mut DocBits) -> tantivy::Result<()> {
        let block = match self.reuse {
            Some(block) => {
                self.inv.reset_block_postings_from_terminfo(info, block)?;
                block
            }
            None => self.reuse.insert(
                self.inv
                    .read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?,
            ),
        };
        loop {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            for &doc in docs {
                bits.insert(doc);
            }
            block.advance();
        }
        Ok(())
    }
}

/// The smallest byte string greater than every string starting with
/// `prefix` (`None`: there is none).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// A dictionary walk of one field for one word: the level its terms go
/// to, and the sources with the same text and no edits (as a prefix or
/// a whole word) it decides too, when they score higher.
struct Walk<'a> {
    field: Field,
    automaton: usize,
    text: &'a str,
    /// A walk over the terms starting with `text`, no edits: a range of
    /// the dictionary, with no automaton.
    plain_prefix: bool,
    level: usize,
    /// (as a prefix, level).
    also: Vec<(bool, usize)>,
}

impl Walk<'_> {
    /// The level of a term the walk found: the best of the walk's own and
    /// those of the other sources of the word that `key` matches too.
    fn level_of(&self, key: &[u8]) -> usize {
        let text = self.text.as_bytes();
        self.also.iter().fold(self.level, |level, &(prefix, l)| {
            if (prefix && key.starts_with(text)) || (!prefix && key == text) {
                level.min(l)
            } else {
                level
            }
        })
    }
}

fn union_of(
    q: &Query<'_>,
    sources: &[Prepared],
    inverted: &mut Inverted<'_>,
    max_doc: DocId,
) -> tantivy::Result<DocBits> {
    let mut bits = DocBits::new(max_doc);
    for source in sources {
        match source {
            Prepared::Term(field, term) => {
                if let Some(info) = inverted.term_info(term)? {
                    inverted.add_postings(*field, &info, &mut bits)?;
                }
            }
            Prepared::Fuzzy {
                field,
                automaton,
                text,
                distance,
                prefix,
            } => {
                let walk = Walk {
                    field: *field,
                    automaton: *automaton,
                    text,
                    plain_prefix: *prefix && *distance == 0,
                    level: 0,
                    also: Vec::new(),
                };
                run_walk(q, &walk, inverted, std::slice::from_mut(&mut bits))?;
            }
            Prepared::Phrase(weight) => {
                weight.for_each_no_score(inverted.reader, &mut |docs| {
                    for &doc in docs {
                        bits.insert(doc);
                    }
                })?;
            }
        }
    }
    Ok(bits)
}

/// Runs a walk, adding each term's passages to the level it belongs to.
fn run_walk(
    q: &Query<'_>,
    walk: &Walk<'_>,
    inverted: &mut Inverted<'_>,
    levels: &mut [DocBits],
) -> tantivy::Result<()> {
    let inv = inverted.get(walk.field)?;
    let table = inverted.table(walk.field);
    let mut postings = inverted.postings(walk.field)?;
    let dict = inv.terms();
    let text = walk.text.as_bytes();
    if let (true, Some(table)) = (walk.plain_prefix, &table) {
        // The terms starting with `text`: a slice of the table.
        for i in table.lower_bound(text)..table.len() {
            let key = table.key(i);
            if !key.starts_with(text) {
                break;
            }
            postings.add(&table.info(i), &mut levels[walk.level_of(key)])?;
        }
        return Ok(());
    }
    if walk.plain_prefix {
        // Every term starts with `text`: the prefix sources apply to all.
        let every = walk
            .also
            .iter()
            .filter(|a| a.0)
            .fold(walk.level, |level, a| level.min(a.1));
        // The terms starting with `text`: a range of term ordinals,
        // streamed with no automaton and no key comparisons.
        let first_from = |key: &[u8]| -> tantivy::Result<Option<u64>> {
            let mut stream = dict.range().ge(key).without_keys().into_stream()?;
            Ok(stream.advance().then(|| stream.term_ord()))
        };
        let end = match prefix_end(text) {
            Some(end) => first_from(&end)?.unwrap_or(u64::MAX),
            None => u64::MAX,
        };
        let exact = if walk.also.is_empty() {
            None
        } else {
            dict.term_ord(text)?
        };
        let mut stream = dict.range().ge(text).without_keys().into_stream()?;
        while stream.advance() {
            let ord = stream.term_ord();
            if ord >= end {
                break;
            }
            let mut level = every;
            if Some(ord) == exact {
                for &(_, l) in &walk.also {
                    level = level.min(l);
                }
            }
            postings.add(stream.value(), &mut levels[level])?;
        }
        return Ok(());
    }
    let automaton = &q.automata[walk.automaton];
    let bit = q.raw_fields.iter().position(|&f| f == walk.field);
    if let (Some(accepted), Some(bit)) = (&automaton.accepted, bit) {
        for (key, fields) in accepted.iter() {
            if fields & (1 << bit) == 0 {
                continue;
            }
            let info = match &table {
                Some(table) => table.get(key),
                None => dict.get(key)?,
            };
            let Some(info) = info else {
                continue;
            };
            postings.add(&info, &mut levels[walk.level_of(key)])?;
        }
        return Ok(());
    }
    let dfa = match &automaton.dfa {
        Some(dfa) => Arc::clone(dfa),
        None => q
            .caches
            .automata
            .dfa(&automaton.text, automaton.distance, automaton.prefix)?,
    };
    let mut stream = dict.search(&*dfa).into_stream()?;
    while stream.advance() {
        postings.add(stream.value(), &mut levels[walk.level_of(stream.key())])?;
    }
    Ok(())
}

fn word_levels(
    q: &Query<'_>,
    word: &Word,
    inverted: &mut Inverted<'_>,
    max_doc: DocId,
) -> tantivy::Result<Levels> {
    let tier_score = |s: f32| if word.clamp { s.max(0.0) } else { s };
    let mut scores: Vec<f32> = word.tiers.iter().map(|(s, _)| tier_score(*s)).collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    scores.dedup();
    let level_of = |s: f32| scores.iter().position(|&x| x == s).unwrap_or(0);
    let mut levels: Vec<DocBits> = scores.iter().map(|_| DocBits::new(max_doc)).collect();

    // The sources: walks (field, prefix, distance, text, level,
    // automaton) and single terms (field, term, level).
    let mut walks: Vec<(Field, bool, u8, &str, usize, usize)> = Vec::new();
    let mut exact: Vec<(Field, &Term, usize)> = Vec::new();
    for (score, sources) in &word.tiers {
        let level = level_of(tier_score(*score));
        for source in sources {
            match source {
                Prepared::Term(field, term) => exact.push((*field, term, level)),
                Prepared::Fuzzy {
                    field,
                    automaton,
                    text,
                    distance,
                    prefix,
                } => walks.push((*field, *prefix, *distance, text, level, *automaton)),
                Prepared::Phrase(weight) => {
                    let bits = &mut levels[level];
                    weight.for_each_no_score(inverted.reader, &mut |docs| {
                        for &doc in docs {
                            bits.insert(doc);
                        }
                    })?;
                }
            }
        }
    }
    // One walk per field and text where one can: a prefix walk with
    // more edits holds every term of a narrower walk of the same text
    // (and the text itself), so the widest goes first and decides the
    // others. A term in several levels counts in the best.
    walks.sort_by_key(|w| (w.0.field_id(), !w.1, std::cmp::Reverse(w.2)));
    let mut done = vec![false; walks.len()];
    let mut exact_done = vec![false; exact.len()];
    let mut planned: Vec<Walk<'_>> = Vec::new();
    for i in 0..walks.len() {
        if done[i] {
            continue;
        }
        done[i] = true;
        let (field, prefix, distance, text, level, automaton) = walks[i];
        let mut walk = Walk {
            field,
            automaton,
            text,
            plain_prefix: prefix && distance == 0,
            level,
            also: Vec::new(),
        };
        for j in i + 1..walks.len() {
            let (f2, p2, d2, t2, l2, _) = walks[j];
            if done[j] || f2 != field || t2 != text || d2 > distance || (p2 && !prefix) {
                continue;
            }
            if l2 >= level {
                done[j] = true;
            } else if d2 == 0 {
                walk.also.push((p2, l2));
                done[j] = true;
            }
        }
        for (k, (f2, term, l2)) in exact.iter().enumerate() {
            if exact_done[k] || *f2 != field || term.value().as_str() != Some(text) {
                continue;
            }
            exact_done[k] = true;
            if *l2 < level {
                walk.also.push((false, *l2));
            }
        }
        planned.push(walk);
    }
    for walk in &planned {
        run_walk(q, walk, inverted, &mut levels)?;
    }
    for (k, (field, term, level)) in exact.iter().enumerate() {
        if exact_done[k] {
            continue;
        }
        if let Some(info) = inverted.term_info(term)? {
            inverted.add_postings(*field, &info, &mut levels[*level])?;
        }
    }
    // Each passage in its best level only.
    let mut matched = DocBits::new(max_doc);
    for bits in &mut levels {
        bits.subtract(&matched);
        matched.union_with(bits);
    }
    Ok(Levels {
        levels: scores.into_iter().zip(levels).collect(),
        matched,
    })
}

/// Adds the BM25 score for a term of each document of `set`
/// (`add(doc, score)`, in document order); `size` is how many `set`
/// holds.
fn score_postings(
    inverted: &mut Inverted<'_>,
    scored: &Scored,
    info: &TermInfo,
    set: &DocBits,
    size: usize,
    mut add: impl FnMut(DocId, f32),
) -> tantivy::Result<()> {
    let field = scored.term.field();
    let inv = inverted.get(field)?;
    let reader = inverted.reader;
    let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
        Some(r) => r,
        None => FieldNormReader::constant(reader.max_doc(), 1),
    };
    let mut postings: BlockSegmentPostings =
        inv.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
    let score = |doc: DocId, tf: u32| scored.weight.score(fieldnorms.fieldnorm_id(doc), tf);
    if sparse(size, info) {
        // Few documents: skip to each.
        for doc in set.docs() {
            let at = postings.seek(doc);
            if postings.docs().get(at) == Some(&doc) {
                add(doc, score(doc, postings.freq(at)));
            }
        }
        return Ok(());
    }
    loop {
        let block = postings.docs();
        if block.is_empty() {
            break;
        }
        let freqs = postings.freqs();
        for (&doc, &tf) in block.iter().zip(freqs) {
            if set.has(doc) {
                add(doc, score(doc, tf));
            }
        }
        postings.advance();
    }
    Ok(())
}

/// The best hits of one segment (at most `need`), and its totals.
struct SegmentHits {
    total: usize,
    /// (score, ordinal, doc).
    hits: Vec<(f32, u64, DocId)>,
    /// Matches without the topic filter, when asked for.
    unfiltered: Option<DocBits>,
}

/// Passages with the same level in each word.
struct Group {
    bits: DocBits,
    size: usize,
    /// The sum of their tier scores: their score is at least this.
    lower: f32,
    /// Plus the words' BM25 bounds: their score is at most this.
    upper: f32,
    /// Their tier score per word (NaN: the word does not match).
    tiers: Vec<f32>,
}

impl Group {
    /// The score of its passages that no scored term reaches, summed as
    /// Tantivy sums it.
    fn flat(&self) -> f32 {
        let mut score = 0.0f32;
        for &tier in &self.tiers {
            if !tier.is_nan() {
                score += (tier + 0.0) + 0.0;
            }
        }
        score
    }
}

/// The non-empty groups of the passages of `all` by level in each word.
fn groups(words: &[Levels], prepared: &[Word], all: &DocBits) -> Vec<Group> {
    let mut out = Vec::new();
    let mut stack = vec![(0usize, all.clone(), 0.0f32, 0.0f32, Vec::new())];
    while let Some((w, bits, lower, upper, tiers)) = stack.pop() {
        let Some(levels) = words.get(w) else {
            let size = bits.len();
            out.push(Group {
                bits,
                size,
                lower,
                upper,
                tiers,
            });
            continue;
        };
        let bound = prepared.get(w).map_or(0.0, |p| p.bound);
        for (score, level) in &levels.levels {
            let part = bits.intersection(level);
            if !part.is_empty() {
                let mut t = tiers.clone();
                t.push(*score);
                stack.push((w + 1, part, lower + score, upper + score + bound, t));
            }
        }
        let rest = bits.difference(&levels.matched);
        if !rest.is_empty() {
            let mut t = tiers;
            t.push(f32::NAN);
            stack.push((w + 1, rest, lower, upper, t));
        }
    }
    out
}

/// The candidates a scored term has reached, numbered in the order they
/// were reached: scores are kept for those only, not for every candidate
/// (a common word has hundreds of thousands in a large segment, and few
/// are reached before the rest are ruled out).
struct Reached {
    /// The documents reached: a bit per document of the segment, read
    /// first (it stays in the processor's cache where `number` may not).
    bits: DocBits,
    /// Per document of the segment, its number (`u32::MAX`: not reached).
    number: Vec<u32>,
    /// The documents, by number.
    docs: Vec<DocId>,
}

impl Reached {
    fn new(max_doc: DocId) -> Self {
        Reached {
            bits: DocBits::new(max_doc),
            number: scratch::take_numbers(max_doc as usize),
            docs: Vec::new(),
        }
    }

    /// The document's number, if it has been reached.
    #[inline]
    fn get(&self, doc: DocId) -> Option<usize> {
        if !self.bits.has(doc) {
            return None;
        }
        match self.number.get(doc as usize) {
            Some(&i) if i != u32::MAX => Some(i as usize),
            _ => None,
        }
    }

    /// Numbers a document not reached before.
    #[inline]
    fn insert(&mut self, doc: DocId) -> usize {
        let i = self.docs.len();
        self.bits.insert(doc);
        self.number[doc as usize] = u32::try_from(i).unwrap_or(u32::MAX);
        self.docs.push(doc);
        i
    }

    fn len(&self) -> usize {
        self.docs.len()
    }
}

impl Drop for Reached {
    fn drop(&mut self) {
        // Unnumber the reached documents only: the buffer goes back all
        // `u32::MAX`, without a pass over the whole segment.
        for &doc in &self.docs {
            self.number[doc as usize] = u32::MAX;
        }
        scratch::give_numbers(std::mem::take(&mut self.number));
    }
}

/// A score ordered by `total_cmp`, smallest on top of the heap.
struct Low(f32);

impl PartialEq for Low {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}

impl Eq for Low {}

impl PartialOrd for Low {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Low {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.total_cmp(&self.0)
    }
}

/// The `k`-th largest of the values offered so far.
struct Largest {
    k: usize,
    heap: std::collections::BinaryHeap<Low>,
    /// The smallest value in the heap, once it holds `k`.
    least: f32,
}

impl Largest {
    fn new(k: usize) -> Self {
        Largest {
            k,
            heap: std::collections::BinaryHeap::with_capacity(k + 1),
            least: f32::NEG_INFINITY,
        }
    }

    /// Offers a value; true when the `k`-th largest changed.
    #[inline]
    fn offer(&mut self, v: f32) -> bool {
        if self.heap.len() < self.k {
            self.heap.push(Low(v));
            if self.heap.len() == self.k {
                self.least = self.heap.peek().map_or(self.least, |l| l.0);
                return true;
            }
        } else if self.k > 0 && v.total_cmp(&self.least).is_gt() {
            self.heap.pop();
            self.heap.push(Low(v));
            self.least = self.heap.peek().map_or(self.least, |l| l.0);
            return true;
        }
        false
    }

    /// The `k`-th largest (`None`: fewer values were offered).
    fn get(&self) -> Option<f32> {
        (self.k > 0 && self.heap.len() == self.k).then_some(self.least)
    }
}

/// The `k`-th largest of the values (`None`: there are fewer).
pub(super) fn nth_largest(values: impl Iterator<Item = f32>, k: usize) -> Option<f32> {
    let mut largest = Largest::new(k);
    for v in values {
        largest.offer(v);
    }
    largest.get()
}

/// Whether to skip to each candidate in a term's postings rather than
/// read them all.
fn sparse(candidates: usize, info: &TermInfo) -> bool {
    candidates * 32 < info.doc_freq as usize
}

/// A term scored for the candidates.
struct Unit<'a> {
    word: usize,
    part: Part,
    scored: &'a Scored,
    info: TermInfo,
}

/// Which clause of its word a scored term is.
#[derive(Clone, Copy)]
enum Part {
    /// The BM25 clause of that field (in the word's order).
    Bm25(usize),
    /// One of the prefix's expansions (the best counts).
    Expansion,
}

impl Part {
    /// Records a candidate's score `x` for a term of this part: `clause`
    /// is what the candidate's clause scores so far, `lower` its lower
    /// bound.
    #[inline]
    fn record(self, x: f32, clause: &mut f32, lower: &mut f32) {
        match self {
            // The clause's one term: its score.
            Part::Bm25(_) => {
                *clause = x;
                *lower += x;
            }
            // The best expansion so far.
            Part::Expansion => {
                if x > *clause {
                    *lower += x - *clause;
                    *clause = x;
                }
            }
        }
    }
}

/// A term in fewer than one candidate in this many is cheap to score
/// for every candidate; before a longer one, candidates that cannot
/// reach the page are dropped.
const CHEAP_SHARE: usize = 16;

/// Allowance for rounding when comparing score bounds.
fn slack(x: f32) -> f32 {
    1e-3 + x.abs() * 1e-5
}

/// A lower bound of the page from the `need`-th best lower bound of the
/// passages (`None`: fewer are known), less the rounding allowance.
fn page_floor(nth: Option<f32>) -> f32 {
    nth.map_or(f32::NEG_INFINITY, |nth| nth - slack(nth))
}

fn segment_hits(
    q: &Query<'_>,
    segment: usize,
    reader: &SegmentReader,
    need: usize,
    count_topics: bool,
) -> tantivy::Result<SegmentHits> {
    let max_doc = reader.max_doc();
    let mut inverted = Inverted {
        reader,
        open: HashMap::new(),
        tables: q
            .vocabulary
            .as_ref()
            .and_then(|v| v.tables.get(segment))
            .map(|t| (&q.raw_fields, t)),
    };
    let words = q
        .words
        .iter()
        .map(|w| word_levels(q, w, &mut inverted, max_doc))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut all = DocBits::new(max_doc);
    for w in &words {
        all.union_with(&w.matched);
    }
    if !q.excluded.is_empty() {
        all.subtract(&union_of(q, &q.excluded, &mut inverted, max_doc)?);
    }
    if let Some(alive) = reader.alive_bitset() {
        let dead: Vec<DocId> = all.docs().filter(|&d| alive.is_deleted(d)).collect();
        for d in dead {
            all.0[(d / 64) as usize] &= !(1u64 << (d % 64));
        }
    }
    let unfiltered = count_topics.then(|| all.clone());
    if !q.topics.is_empty() {
        all.intersect_with(&union_of(q, &q.topics, &mut inverted, max_doc)?);
    }
    let total = all.len();
    let need = need.min(total);
    if need == 0 {
        return Ok(SegmentHits {
            total,
            hits: Vec::new(),
            unfiltered,
        });
    }

    // Group the passages by their level in each word: a group's tier
    // scores bound its passages' scores from below, and with the words'
    // BM25 bounds, from above.
    let groups = groups(&words, &q.words, &all);
    // The `need`-th best lower bound: that many passages score at least
    // that much, so a passage that cannot reach it is not scored.
    let floor = {
        let mut by_lower: Vec<&Group> = groups.iter().collect();
        by_lower.sort_by(|a, b| b.lower.total_cmp(&a.lower));
        let mut seen = 0;
        let nth = by_lower.into_iter().find(|g| {
            seen += g.size;
            seen >= need
        });
        page_floor(nth.map(|g| g.lower))
    };
    let mut chosen = DocBits::new(max_doc);
    for g in &groups {
        if g.upper + slack(g.upper) >= floor {
            chosen.union_with(&g.bits);
        }
    }
    let n = chosen.len();

    // Score the candidates. The terms that can add most to a score are
    // scored first, for every candidate; before a long postings list,
    // the candidates that can no longer reach the page (their lower
    // bound plus all that the remaining terms could add is below the
    // page's lower bound) are dropped, and the remaining terms are
    // scored only for the others. Scores are kept per reached candidate
    // (by its number in `reached`), not per candidate.
    let n_words = q.words.len();
    // A document's tier score in a word (NaN: the word does not match).
    let tier = |w: usize, doc: DocId| -> f32 {
        words[w]
            .levels
            .iter()
            .find(|(_, bits)| bits.has(doc))
            .map_or(f32::NAN, |(score, _)| *score)
    };
    // The most the tiers of a candidate add up to.
    let top_tiers = groups
        .iter()
        .filter(|g| g.upper + slack(g.upper) >= floor)
        .map(|g| g.lower)
        .fold(f32::NEG_INFINITY, f32::max);
    // Per word: each BM25 clause's scores, and the best expansion's.
    let mut bm25: Vec<Vec<Vec<f32>>> = q
        .words
        .iter()
        .map(|word| word.bm25.iter().map(|_| scratch::take(0)).collect())
        .collect();
    let mut expansion: Vec<Vec<f32>> = q
        .words
        .iter()
        .map(|word| {
            if word.expansions.is_empty() {
                Vec::new()
            } else {
                scratch::take(0)
            }
        })
        .collect();
    // What the reached candidates score at least so far: tiers, plus
    // the terms scored.
    let mut lower = scratch::take(0);
    // Which words each reached candidate matches (bit `w`).
    let mut matches: Vec<u64> = Vec::new();
    // The most the terms that skipped each reached candidate (before it
    // was reached) could have added to it.
    let mut missing: Vec<f32> = Vec::new();
    let mut reached = Reached::new(max_doc);
    let mut units: Vec<Unit<'_>> = Vec::new();
    for (w, word) in q.words.iter().enumerate() {
        let bm25 = word
            .bm25
            .iter()
            .enumerate()
            .map(|(j, scored)| (Part::Bm25(j), scored));
        let expansions = word
            .expansions
            .iter()
            .map(|scored| (Part::Expansion, scored));
        for (part, scored) in bm25.chain(expansions) {
            if let Some(info) = inverted.term_info(&scored.term)? {
                units.push(Unit {
                    word: w,
                    part,
                    scored,
                    info,
                });
            }
        }
    }
    units.sort_by(|a, b| {
        b.scored
            .most()
            .total_cmp(&a.scored.most())
            .then(a.info.doc_freq.cmp(&b.info.doc_freq))
    });
    // The candidates still in the running (numbers in `reached`, and the
    // same as a set of documents), when some were dropped. Until then,
    // every candidate is: those no scored term has reached score their
    // tiers so far.
    let mut alive: Option<(Vec<usize>, DocBits)> = None;
    let mut reached_at_check = 0;
    // What the remaining terms (from the `from`-th) can add, per word:
    // their BM25 clauses, and their best expansion.
    let rest = |from: usize| {
        let mut bm25 = vec![0.0f32; n_words];
        let mut expansion = vec![0.0f32; n_words];
        for u in &units[from..] {
            match u.part {
                Part::Bm25(_) => bm25[u.word] += u.scored.most(),
                Part::Expansion => expansion[u.word] = expansion[u.word].max(u.scored.most()),
            }
        }
        (bm25, expansion)
    };
    // While every candidate is in the running, a term's scan skips the
    // candidates it is the first to reach when they cannot reach the page
    // even so: `missed` is the most the terms scanned so far can add to
    // a candidate they skipped (and `missing`, per reached candidate, what
    // it was when the candidate was reached).
    let mut missed = 0.0f32;
    for (k, unit) in units.iter().enumerate() {
        // While every candidate is in the running: the `need`-th best
        // lower bound of those reached, a lower bound of the page.
        let reached_nth = if alive.is_none() && reached.len() >= need {
            nth_largest(lower.iter().copied(), need)
        } else {
            None
        };
        let set_len = alive.as_ref().map_or(n, |a| a.0.len());
        let expensive = unit.info.doc_freq as usize * CHEAP_SHARE > set_len;
        // Check seldom: each check reads the candidates reached.
        let check = k > 0
            && set_len > need
            && match alive {
                Some(_) => expensive,
                None => {
                    reached.len() >= need
                        && (expensive || reached.len() >= 2 * reached_at_check.max(need))
                }
            };
        if check {
            let (rest_bm25, rest_expansion) = rest(k);
            let upper = |i: usize| {
                let mut up = lower[i] + missing[i];
                for w in 0..n_words {
                    if matches[i] & (1 << w.min(63)) != 0 {
                        up += rest_bm25[w];
                        if rest_expansion[w] > 0.0 {
                            up += (rest_expansion[w] - expansion[w][i]).max(0.0);
                        }
                    }
                }
                up
            };
            let kept: Option<Vec<usize>> = match &alive {
                Some((set, _)) => {
                    let floor = page_floor(nth_largest(set.iter().map(|&i| lower[i]), need));
                    Some(
                        set.iter()
                            .copied()
                            .filter(|&i| {
                                let up = upper(i);
                                up + slack(up) >= floor
                            })
                            .collect(),
                    )
                }
                None => {
                    reached_at_check = reached.len();
                    // The `need`-th best of the reached candidates is a
                    // lower bound of the page; the others cannot reach it
                    // when their tiers plus all the remaining terms
                    // could add stay below.
                    let floor = page_floor(reached_nth);
                    let others: f32 = top_tiers
                        + missed
                        + rest_bm25.iter().sum::<f32>()
                        + rest_expansion.iter().sum::<f32>();
                    (others + slack(others) < floor).then(|| {
                        (0..reached.len())
                            .filter(|&i| {
                                let up = upper(i);
                                up + slack(up) >= floor
                            })
                            .collect()
                    })
                }
            };
            if let Some(kept) = kept
                && kept.len() * 2 <= set_len
            {
                let mut bits = DocBits::new(max_doc);
                for &i in &kept {
                    bits.insert(reached.docs[i]);
                }
                alive = Some((kept, bits));
            }
        }
        let w = unit.word;
        let part = unit.part;
        let (set, size) = match &alive {
            Some((kept, bits)) => (bits, kept.len()),
            None => (&chosen, n),
        };
        let dense = alive.is_none();
        // A candidate first reached by this term is skipped when its
        // tiers, this term's score, what the remaining terms can add and
        // what skipped terms could have added stay below the `need`-th
        // best lower bound of the candidates reached (those stay in the
        // page's lower bound, and so the page).
        let (later_bm25, later_expansion) = rest(k + 1);
        let beyond = top_tiers
            + missed
            + later_bm25.iter().sum::<f32>()
            + later_expansion.iter().sum::<f32>();
        // Two lower bounds of the page: the `need`-th best of the
        // candidates reached before this term (`reached_nth`), and of
        // those this term scores (each once: a candidate offered twice
        // would count as two).
        let mut page = Largest::new(if dense { need } else { 0 });
        let floor_of = |page: &Largest| {
            page_floor(match (reached_nth, page.get()) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            })
        };
        let mut floor_now = floor_of(&page);
        let mut skipped = 0.0f32;
        score_postings(
            &mut inverted,
            unit.scored,
            &unit.info,
            set,
            size,
            |doc, x| {
                let i = match reached.get(doc) {
                    Some(i) => i,
                    None if dense => {
                        let up = beyond + x;
                        if up + slack(up) < floor_now {
                            skipped = skipped.max(x);
                            return;
                        }
                        // A candidate first reached: its tiers.
                        let i = reached.insert(doc);
                        let mut base = 0.0f32;
                        let mut words_matched = 0u64;
                        for w in 0..n_words {
                            let t = tier(w, doc);
                            if !t.is_nan() {
                                base += t;
                                words_matched |= 1 << w.min(63);
                            }
                        }
                        lower.push(base);
                        matches.push(words_matched);
                        missing.push(missed);
                        for clauses in &mut bm25 {
                            for clause in clauses {
                                clause.push(0.0);
                            }
                        }
                        for (best, word) in expansion.iter_mut().zip(&q.words) {
                            if !word.expansions.is_empty() {
                                best.push(0.0);
                            }
                        }
                        i
                    }
                    // The candidates in the running have all been reached.
                    None => return,
                };
                let out = match part {
                    Part::Bm25(c) => &mut bm25[w][c][i],
                    Part::Expansion => &mut expansion[w][i],
                };
                part.record(x, out, &mut lower[i]);
                if dense && page.offer(lower[i]) {
                    floor_now = floor_of(&page);
                }
            },
        )?;
        missed += skipped;
    }
    // Exact scores of the candidates in the running, summed as Tantivy
    // sums them: each word's clauses in order, then the words in order.
    // Candidates no scored term reached score their tiers: the same for
    // all of a group.
    let (set, flat_groups): (Vec<usize>, Vec<(f32, DocBits)>) = match alive {
        Some((set, _)) => (set, Vec::new()),
        None => {
            let flat = groups
                .iter()
                .filter(|g| g.upper + slack(g.upper) >= floor)
                .map(|g| (g.flat(), g.bits.difference(&reached.bits)))
                .filter(|(_, bits)| !bits.is_empty())
                .collect();
            ((0..reached.len()).collect(), flat)
        }
    };
    let mut scored: Vec<(f32, DocId)> = Vec::with_capacity(set.len());
    for &i in &set {
        let doc = reached.docs[i];
        let mut score = 0.0f32;
        for w in 0..n_words {
            let tier = tier(w, doc);
            if tier.is_nan() {
                continue;
            }
            let mut sum = 0.0f32;
            for part in &bm25[w] {
                sum += part[i];
            }
            let best = expansion[w].get(i).copied().unwrap_or(0.0);
            score += (tier + sum) + best;
        }
        scored.push((score, doc));
    }
    drop(reached);
    for buffer in bm25.into_iter().flatten().chain(expansion).chain([lower]) {
        scratch::give(buffer);
    }
    let flat_groups: Vec<(f32, usize, DocBits)> = flat_groups
        .into_iter()
        .map(|(score, bits)| (score, bits.len(), bits))
        .collect();

    // The best `need`, ties by ordinal, then document. Flat scores
    // (prefix and typo tiers) tie often: the ordinal is read only for
    // the passages that make the page, or tie with its last one.
    let ordinals = reader.fast_fields().u64("ordinal").ok();
    let ordinal = |doc: DocId| {
        ordinals
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(u64::MAX)
    };
    let cut = {
        // The `need`-th best score, counting each flat group's passages.
        let mut top: Vec<f32> = scored.iter().map(|s| s.0).collect();
        if top.len() > need {
            top.select_nth_unstable_by(need - 1, |a, b| b.total_cmp(a));
            top.truncate(need);
        }
        let mut values: Vec<(f32, usize)> = top.into_iter().map(|s| (s, 1)).collect();
        values.extend(flat_groups.iter().map(|(s, size, _)| (*s, *size)));
        values.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut seen = 0;
        let mut cut = f32::NEG_INFINITY;
        for (s, count) in values {
            seen += count;
            if seen >= need {
                cut = s;
                break;
            }
        }
        cut
    };
    let mut hits: Vec<(f32, u64, DocId)> = Vec::new();
    let mut ties: Vec<(u64, DocId)> = Vec::new();
    for &(s, doc) in &scored {
        if s > cut {
            hits.push((s, ordinal(doc), doc));
        } else if s == cut {
            ties.push((ordinal(doc), doc));
        }
    }
    let mut tied = DocBits::new(max_doc);
    for (s, _, bits) in &flat_groups {
        if *s > cut {
            hits.extend(bits.docs().map(|doc| (*s, ordinal(doc), doc)));
        } else if *s == cut {
            tied.union_with(bits);
        }
    }
    let room = need.saturating_sub(hits.len());
    ties.extend(first_by_ordinal(
        &mut inverted,
        q.ordinal,
        &tied,
        room,
        &ordinal,
    )?);
    if ties.len() > room {
        ties.select_nth_unstable(room);
        ties.truncate(room);
    }
    hits.extend(ties.into_iter().map(|(o, doc)| (cut, o, doc)));
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    hits.truncate(need);
    Ok(SegmentHits {
        total,
        hits,
        unfiltered,
    })
}

/// Ties this few (beyond the room) have their ordinals read one by one.
const READ_ALL: usize = if cfg!(test) { 8 } else { 1024 };

/// The `room` first documents of `docs` by (ordinal, document). Many
/// tie on their score at times (flat tiers): rather than read every
/// one's ordinal, read the documents of ordinal 0, 1, 2... (the ordinal
/// field is indexed) until there are enough.
fn first_by_ordinal(
    inverted: &mut Inverted<'_>,
    field: Field,
    docs: &DocBits,
    room: usize,
    ordinal: &dyn Fn(DocId) -> u64,
) -> tantivy::Result<Vec<(u64, DocId)>> {
    let count = docs.len();
    if count == 0 || room == 0 {
        return Ok(Vec::new());
    }
    let read_all = || {
        let mut all: Vec<(u64, DocId)> = docs.docs().map(|d| (ordinal(d), d)).collect();
        if all.len() > room {
            all.select_nth_unstable(room);
            all.truncate(room);
        }
        all
    };
    // Ordinals are positions in an article: small. Past the largest,
    // the documents left have none (they sort last).
    let largest = inverted
        .reader
        .fast_fields()
        .u64("ordinal")
        .map_or(u64::MAX, |c| c.max_value());
    if count <= 4 * room + READ_ALL || largest > 1 << 16 {
        return Ok(read_all());
    }
    let inv = inverted.get(field)?;
    let mut out: Vec<(u64, DocId)> = Vec::with_capacity(room);
    let mut seen = 0;
    let mut value = 0u64;
    while out.len() < room && value <= largest {
        let term = Term::from_field_u64(field, value);
        if let Some(info) = inv.get_term_info(&term)? {
            let mut block =
                inv.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            'blocks: loop {
                let block_docs = block.docs();
                if block_docs.is_empty() {
                    break;
                }
                for &doc in block_docs {
                    if docs.has(doc) {
                        seen += 1;
                        out.push((value, doc));
                        if out.len() == room {
                            break 'blocks;
                        }
                    }
                }
                block.advance();
            }
        }
        value += 1;
    }
    if out.len() < room && seen < count {
        // Documents with no ordinal: last, by document.
        if inv.terms().num_terms() == 0 {
            return Ok(read_all());
        }
        let have: std::collections::HashSet<DocId> = out.iter().map(|&(_, d)| d).collect();
        for doc in docs.docs() {
            if out.len() == room {
                break;
            }
            if !have.contains(&doc) {
                out.push((ordinal(doc), doc));
            }
        }
    }
    Ok(out)
}

/// Score buffers, kept per thread from one search to the next: large
/// fresh allocations cost page faults at every search.
mod scratch {
    use std::cell::RefCell;
    use std::thread::LocalKey;

    /// The buffers of one element type kept for later searches.
    type Free<T> = RefCell<Vec<Vec<T>>>;

    thread_local! {
        static FREE: Free<f32> = const { RefCell::new(Vec::new()) };
        /// Buffers all `u32::MAX`.
        static NUMBERS: Free<u32> = const { RefCell::new(Vec::new()) };
    }

    /// A buffer of `n` zeros.
    pub(super) fn take(n: usize) -> Vec<f32> {
        take_from(&FREE, n, 0.0)
    }

    /// Returns a buffer for later searches (a few are kept).
    pub(super) fn give(buffer: Vec<f32>) {
        give_to(&FREE, buffer, 8);
    }

    /// A buffer of at least `n` times `u32::MAX`. Give it back as it was
    /// taken, all `u32::MAX`: it is not filled again.
    pub(super) fn take_numbers(n: usize) -> Vec<u32> {
        let mut buffer = NUMBERS.with(|f| f.borrow_mut().pop()).unwrap_or_default();
        if buffer.len() < n {
            buffer.resize(n, u32::MAX);
        }
        buffer
    }

    /// Returns a buffer of [`take_numbers`], all `u32::MAX` again.
    pub(super) fn give_numbers(buffer: Vec<u32>) {
        debug_assert!(buffer.iter().all(|&x| x == u32::MAX));
        give_to(&NUMBERS, buffer, 2);
    }

    /// A buffer of `n` times `value`, reusing one of `free`.
    fn take_from<T: Clone>(free: &'static LocalKey<Free<T>>, n: usize, value: T) -> Vec<T> {
        let mut buffer = free.with(|f| f.borrow_mut().pop()).unwrap_or_default();
        buffer.clear();
        buffer.resize(n, value);
        buffer
    }

    /// Keeps a buffer in `free`, unless it holds `keep` already.
    fn give_to<T>(free: &'static LocalKey<Free<T>>, buffer: Vec<T>, keep: usize) {
        free.with(|f| {
            let mut free = f.borrow_mut();
            if free.len() < keep {
                free.push(buffer);
            }
        });
    }
}

/// Ranks a plan that [`applies`] with the index's fields, ranking and
/// caches.
pub(super) fn rank(
    index: &NeedleIndex,
    analyzers: &mut query::Analyzers,
    request: RankRequest<'_>,
) -> Result<Ranked> {
    let q = prepare(index, analyzers, request)?;
    let RankRequest { searcher, page, .. } = request;
    let need = page.offset.saturating_add(page.limit);
    let mut total = 0;
    let mut hits: Vec<(f32, u64, u32, DocId)> = Vec::new();
    let mut counts: Option<HashMap<String, u64>> = page.count_topics.then(HashMap::new);
    // The segments, on the search threads of a large index.
    let per_segment = super::parallel::executor(searcher).map(
        |(ord, reader): (usize, &SegmentReader)| {
            let ord = u32::try_from(ord).unwrap_or(u32::MAX);
            let seg = segment_hits(&q, ord as usize, reader, need, page.count_topics)?;
            let topics = match &seg.unfiltered {
                Some(unfiltered) => {
                    let mut counter = TopicCounter.for_segment(ord, reader)?;
                    for doc in unfiltered.docs() {
                        counter.collect(doc, 0.0);
                    }
                    Some(counter.harvest())
                }
                None => None,
            };
            Ok((ord, seg.total, seg.hits, topics))
        },
        searcher.segment_readers().iter().enumerate(),
    )?;
    for (ord, seg_total, seg_hits, topics) in per_segment {
        total += seg_total;
        hits.extend(seg_hits.into_iter().map(|(s, o, d)| (s, o, ord, d)));
        if let (Some(counts), Some(topics)) = (&mut counts, topics) {
            for (topic, n) in topics {
                *counts.entry(topic).or_insert(0) += n;
            }
        }
    }
    hits.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then(a.1.cmp(&b.1))
            .then(a.2.cmp(&b.2))
            .then(a.3.cmp(&b.3))
    });
    let scored = hits
        .into_iter()
        .skip(page.offset)
        .take(page.limit)
        .map(|(s, _, ord, doc)| (s, DocAddress::new(ord, doc)))
        .collect();
    Ok(Ranked {
        total,
        scored,
        topic_counts: counts,
    })
}
