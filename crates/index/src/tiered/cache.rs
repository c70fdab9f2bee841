//! What the tiered evaluation keeps from one search to the next.

#[cfg(test)]
use std::sync::Arc;

#[cfg(test)]
use tantivy::Searcher;

use super::automata::Automata;
use super::topic_sets::TopicSets;
use super::vocabulary::Vocabularies;
#[cfg(test)]
use super::vocabulary::Vocabulary;
#[cfg(test)]
use crate::schema::Fields;

/// What the evaluation keeps from one search to the next: the
/// vocabularies of the last searcher generations, the automata of the
/// last words searched and the passages of each topic. Each [`NeedleIndex`](crate::NeedleIndex) owns
/// one: indexes do not share them, and they go with their index.
#[derive(Default)]
pub(crate) struct Caches {
    pub(super) vocabularies: Vocabularies,
    pub(super) automata: Automata,
    pub(super) topic_sets: TopicSets,
    /// The article table of long questions' article scores.
    pub(crate) articles: crate::bm25::ArticleTables,
}

impl std::fmt::Debug for Caches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Caches")
    }
}

impl Caches {
    /// Builds the vocabulary of the searcher's raw fields now, for tests.
    #[cfg(test)]
    pub(crate) fn build_vocabulary_now(&self, searcher: &Searcher, f: &Fields) {
        self.vocabularies.build_now(searcher, f.raw());
    }

    /// The vocabulary of the searcher's raw fields if it is built, for
    /// tests (it does not count as a search).
    #[cfg(test)]
    pub(crate) fn built_vocabulary(
        &self,
        searcher: &Searcher,
        f: &Fields,
    ) -> Option<Arc<Vocabulary>> {
        self.vocabularies.ready(searcher, f.raw())
    }
}
