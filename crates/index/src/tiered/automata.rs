//! Levenshtein automata and what they accept in a vocabulary, for the
//! last few words searched: typing a query letter by letter searches
//! its first words again at every key.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::Term;
use tantivy::query::DfaWrapper;
use tantivy::schema::Field;

use super::vocabulary::{self, Accepted, Vocabulary};

/// Automata kept: a few words' worth.
pub(super) const KEEP: usize = 8;

pub(super) struct Entry {
    pub(super) text: String,
    pub(super) distance: u8,
    pub(super) prefix: bool,
    pub(super) dfa: Arc<DfaWrapper>,
    pub(super) accepted: Option<(Arc<Vocabulary>, Arc<Accepted>)>,
}

/// The automata of the last [`KEEP`] words searched, most recent
/// last.
#[derive(Default)]
pub(super) struct Automata(Mutex<Vec<Entry>>);

pub(super) fn find(
    cache: &mut Vec<Entry>,
    text: &str,
    distance: u8,
    prefix: bool,
) -> Option<usize> {
    let i = cache
        .iter()
        .position(|e| e.text == text && e.distance == distance && e.prefix == prefix)?;
    // Most recent last.
    let entry = cache.remove(i);
    cache.push(entry);
    Some(cache.len() - 1)
}

impl Automata {
    pub(super) fn lock(&self) -> MutexGuard<'_, Vec<Entry>> {
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
