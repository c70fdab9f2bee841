//! The [`NeedleIndex`] value itself: what one open index holds. What it
//! does is in the modules beside this one (`index` opens it and runs the
//! writer and the reader, `sources` keeps its list of source files,
//! `recovery` undoes a failed write); the reindex and the search are in the
//! crate's `reindex` and `search`.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use tantivy::{Index, IndexReader, IndexWriter};

use super::manifest::Manifest;
use super::sources::KeptSources;
use super::storage::StorageLog;
use crate::query::{Analyzers, Ranking};
use crate::schema::Fields;
use crate::synonyms::Synonyms;
use crate::tiered::Caches;
use crate::tuning::Tuning;

/// The manifest of the commit a searcher sees, with what is derived from it.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub generation: u64,
    pub manifest: Manifest,
    pub synonyms: Synonyms,
}

/// A passage index on disk or in memory.
///
/// Holds one Tantivy `IndexReader` (shared by all searches; each search takes
/// a consistent snapshot) and, once the first reindex with something to
/// write needs it, one `IndexWriter` for the life of the value. Share it
/// between threads with an `Arc`: searches run in parallel, reindexes one at
/// a time. A search of an index of 20,000 passages or more in several
/// segments also spreads its segments over a pool of threads, one per
/// processor, that all indexes of the process share.
pub struct NeedleIndex {
    pub(crate) index: Index,
    pub(crate) fields: Fields,
    pub(crate) reader: IndexReader,
    pub(super) writer: Mutex<Option<IndexWriter>>,
    pub(super) dir: Option<PathBuf>,
    pub(super) rebuilt: Option<String>,
    pub(crate) ranking: Ranking,
    pub(crate) tuning: Tuning,
    pub(crate) analyzers: Analyzers,
    pub(super) snapshot: RwLock<Arc<Snapshot>>,
    /// What the evaluation of short queries keeps between searches.
    pub(crate) caches: Arc<Caches>,
    /// What was written through the index's directory (`storage`).
    pub(super) storage: Arc<StorageLog>,
    /// The sources of this process's last commit, by the name of their
    /// file (`sources`): a process that reindexes again and again does
    /// not read them back from disk each time.
    pub(super) last_sources: Mutex<Option<KeptSources>>,
}

impl std::fmt::Debug for NeedleIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NeedleIndex")
            .field("dir", &self.dir)
            .field("rebuilt", &self.rebuilt)
            .finish_non_exhaustive()
    }
}
