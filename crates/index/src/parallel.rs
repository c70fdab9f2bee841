//! Searching the segments of a large index on several threads.
//!
//! A search of a large index spends its time in the segments, one after
//! the other. With a pool of threads (one per processor, shared by every
//! index of the process), the segments go to the threads and a search
//! takes the time of its largest share. A small index is searched on the
//! calling thread: handing work to the pool would cost more than it saves.

use std::sync::OnceLock;

use tantivy::collector::Collector;
use tantivy::query::{EnableScoring, Query};
use tantivy::{Executor, Searcher};

use crate::tuning::Tuning;

/// At most this many search threads, however many processors.
const MAX_THREADS: usize = 8;

/// The executor to search `searcher`'s segments with: the pool for an
/// index of several segments and [`Tuning::parallel_from`] passages or
/// more, the calling thread otherwise (or when the machine has one
/// processor, or the pool could not be started).
pub(crate) fn executor(searcher: &Searcher, tuning: &Tuning) -> &'static Executor {
    static SINGLE: Executor = Executor::SingleThread;
    if searcher.segment_readers().len() < 2 || searcher.num_docs() < tuning.parallel_from {
        return &SINGLE;
    }
    pool().unwrap_or(&SINGLE)
}

/// The process's pool of search threads, started on first use (`None`:
/// one processor, or the threads could not be started).
fn pool() -> Option<&'static Executor> {
    static POOL: OnceLock<Option<Executor>> = OnceLock::new();
    POOL.get_or_init(|| {
        let threads = std::thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(MAX_THREADS);
        if threads < 2 {
            return None;
        }
        Executor::multi_thread(threads, "needle-search-").ok()
    })
    .as_ref()
}

/// `searcher.search(query, collector)`, on [`executor`]'s threads.
pub(crate) fn search<C: Collector>(
    searcher: &Searcher,
    tuning: &Tuning,
    query: &dyn Query,
    collector: &C,
) -> tantivy::Result<C::Fruit> {
    let scoring = if collector.requires_scoring() {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    searcher.search_with_executor(query, collector, executor(searcher, tuning), scoring)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{STRING, Schema};
    use tantivy::{Index, doc};

    /// A searcher over `segments` segments of one document each.
    fn searcher_of(segments: usize) -> Searcher {
        let mut schema = Schema::builder();
        let id = schema.add_text_field("id", STRING);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for i in 0..segments {
            writer.add_document(doc!(id => i.to_string())).unwrap();
            writer.commit().unwrap();
        }
        index.reader().unwrap().searcher()
    }

    #[test]
    fn one_segment_stays_on_the_calling_thread() {
        let tuning = Tuning::default().parallel_from(1);
        assert!(matches!(
            executor(&searcher_of(1), &tuning),
            Executor::SingleThread
        ));
    }

    #[test]
    fn a_small_index_stays_on_the_calling_thread() {
        assert!(matches!(
            executor(&searcher_of(3), &Tuning::default()),
            Executor::SingleThread
        ));
    }

    #[test]
    fn several_segments_go_to_the_pool() {
        let searcher = searcher_of(3);
        assert_eq!(searcher.segment_readers().len(), 3);
        let tuning = Tuning::default().parallel_from(2);
        let pooled = matches!(executor(&searcher, &tuning), Executor::ThreadPool(_));
        let processors = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(pooled, processors > 1);
    }
}
