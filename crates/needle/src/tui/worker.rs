//! Searches and reindexes off the UI thread.
//!
//! Two threads share the index (an `Arc<NeedleIndex>`): one runs searches,
//! one runs reindexes, so a long reindex never delays a search (the library
//! lets searches run while a reindex writes, and serialises writers).
//!
//! The search thread takes the state's [`SearchJob`]s, drains its channel
//! and runs only the newest: typing fast queues many searches, and only the
//! last one matters. Further pages of the results (asked for when the
//! selection nears the end of those loaded) come on the same queue: a
//! search queued after a page supersedes it, as the page belongs to an
//! older query. The reindex thread coalesces the same way.
//! Both send their results back as [`Action`]s. The content path, when there
//! is one, is watched: a change (debounced) queues a reindex.
//!
//! The threads end when the [`Worker`] is dropped (their channels close);
//! nothing waits for them, so they never keep the process alive.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;

use anyhow::{Context, Result};
use needle_index::{
    ContentSource, Error, NeedleIndex, ReindexOptions, SearchRequest, SearchResults,
};

use crate::hints::with_hint;
use crate::tui::action::{Action, ReindexSummary, SearchError, SearchOutput};
use crate::tui::app::SearchJob;
use crate::watcher::{ContentWatch, WatchSpec, watch_content};

/// Where the worker's results go.
pub type Notify = Arc<dyn Fn(Action) + Send + Sync>;

/// The background threads and the content watcher.
pub struct Worker {
    searches: Sender<SearchJob>,
    reindexes: Sender<()>,
    reindexing: Arc<AtomicBool>,
    watcher: Option<ContentWatch>,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("reindexing", &self.reindexing.load(Ordering::Relaxed))
            .field("watching", &self.watcher.is_some())
            .finish_non_exhaustive()
    }
}

impl Worker {
    /// Starts the threads, and watches the content of `watch` for changes
    /// (each reindexed on the watch's thread, reported as on the reindex
    /// thread).
    ///
    /// # Errors
    /// When a thread cannot be started.
    pub fn start(
        index: Arc<NeedleIndex>,
        source: ContentSource,
        options: ReindexOptions,
        watch: Option<WatchSpec>,
        notify: &Notify,
    ) -> Result<Worker> {
        let (searches, search_rx) = mpsc::channel();
        let (reindexes, reindex_rx) = mpsc::channel();
        let reindexing = Arc::new(AtomicBool::new(false));
        {
            let index = Arc::clone(&index);
            let notify = Arc::clone(notify);
            thread::Builder::new()
                .name("needle-search".into())
                .spawn(move || search_loop(&index, &search_rx, &*notify))
                .context("cannot start the search thread")?;
        }
        {
            let index = Arc::clone(&index);
            let (source, options) = (source.clone(), options.clone());
            let notify = Arc::clone(notify);
            let busy = Arc::clone(&reindexing);
            thread::Builder::new()
                .name("needle-reindex".into())
                .spawn(move || {
                    while reindex_rx.recv().is_ok() {
                        while reindex_rx.try_recv().is_ok() {}
                        reindex_once(&index, &source, None, &options, &busy, &*notify);
                    }
                })
                .context("cannot start the reindex thread")?;
        }
        let watcher = match watch {
            None => None,
            Some(spec) => {
                let busy = Arc::clone(&reindexing);
                let on_change = Arc::clone(notify);
                let on_failure = Arc::clone(notify);
                match watch_content(
                    &spec,
                    move |paths: Option<&[PathBuf]>| {
                        let ok = reindex_once(&index, &source, paths, &options, &busy, &*on_change);
                        // After a walk, the list of sources in memory (see
                        // `cli::watch`).
                        if ok && paths.is_none() {
                            let _ = index.preload_sources();
                        }
                        ok
                    },
                    move |e| on_failure(Action::WatchFailed(e)),
                ) {
                    Ok(w) => Some(w),
                    Err(e) => {
                        notify(Action::WatchFailed(format!("{e:#}")));
                        None
                    }
                }
            }
        };
        Ok(Worker {
            searches,
            reindexes,
            reindexing,
            watcher,
        })
    }

    /// Queues a search or a further page of one. Only the newest job
    /// queued runs: those queued before it are stale.
    pub fn search(&self, job: SearchJob) {
        let _ = self.searches.send(job);
    }

    /// Queues an incremental reindex.
    pub fn reindex(&self) {
        let _ = self.reindexes.send(());
    }

    /// Whether a reindex is running.
    pub fn reindexing(&self) -> bool {
        self.reindexing.load(Ordering::Acquire)
    }
}

fn search_loop(index: &NeedleIndex, rx: &Receiver<SearchJob>, notify: &dyn Fn(Action)) {
    while let Ok(mut job) = rx.recv() {
        // Only the newest request matters: the interface asks for a page
        // only once its search has answered, so anything queued after a
        // page is a newer search, which makes the page stale.
        while let Ok(newer) = rx.try_recv() {
            job = newer;
        }
        notify(run_job(index, &job));
    }
}

/// Runs a search or a further page of one, and gives the action that
/// answers it: [`Action::SearchDone`] or [`Action::PageDone`].
pub fn run_job(index: &NeedleIndex, job: &SearchJob) -> Action {
    match job {
        SearchJob::New {
            generation,
            request,
        } => Action::SearchDone {
            generation: *generation,
            result: run_search(index, request).map(Box::new),
        },
        SearchJob::Page {
            generation,
            request,
        } => Action::PageDone {
            generation: *generation,
            offset: request.offset,
            result: run_page(index, request).map(Box::new),
        },
    }
}

/// One reindex (of the paths given, if they are known), told to the
/// interface as it starts and ends; says whether it succeeded.
fn reindex_once(
    index: &NeedleIndex,
    source: &ContentSource,
    paths: Option<&[PathBuf]>,
    options: &ReindexOptions,
    busy: &AtomicBool,
    notify: &dyn Fn(Action),
) -> bool {
    busy.store(true, Ordering::Release);
    notify(Action::ReindexStarted);
    let result = run_reindex(index, source, paths, options);
    let ok = result.is_ok();
    busy.store(false, Ordering::Release);
    notify(Action::ReindexDone(result));
    ok
}

/// Runs one search, with the unfiltered total for the `All` tab.
///
/// With a topic filter, the `All` count is the search's own
/// [`SearchResults::unfiltered_total`] (the page collector counts it while
/// it filters), so a keystroke runs one search; only a request that did not
/// ask for topic counts needs a second, unfiltered count.
pub fn run_search(
    index: &NeedleIndex,
    request: &SearchRequest,
) -> Result<SearchOutput, SearchError> {
    let results = index.search(request).map_err(failed)?;
    let all_total = if request.topics.is_empty() {
        results.total
    } else if let Some(unfiltered) = results.unfiltered_total {
        unfiltered
    } else {
        let all = request
            .clone()
            .topics(Vec::<String>::new())
            .limit(1)
            .count_topics(false);
        index.search(&all).map_err(failed)?.total
    };
    Ok(SearchOutput { results, all_total })
}

/// Runs one further page of a search: its hits only (the interface has the
/// counts from the first page).
pub fn run_page(
    index: &NeedleIndex,
    request: &SearchRequest,
) -> Result<SearchResults, SearchError> {
    // The state asks for pages without topic counts (`App::load_more`).
    index.search(request).map_err(failed)
}

fn failed(e: Error) -> SearchError {
    SearchError {
        unknown_topic: matches!(e, Error::UnknownTopic { .. }),
        message: with_hint(&e),
    }
}

/// Runs one incremental reindex: of the paths that changed, or of
/// everything when they are not known (`None`).
pub fn run_reindex(
    index: &NeedleIndex,
    source: &ContentSource,
    paths: Option<&[PathBuf]>,
    options: &ReindexOptions,
) -> Result<ReindexSummary, String> {
    let before = index.passage_count();
    let report = match paths {
        Some(paths) => index.reindex_paths(source, paths, options),
        None => index.reindex(source, options),
    };
    match report {
        Ok(report) => Ok(ReindexSummary {
            changed_articles: report.added + report.updated + report.removed,
            first: before == 0,
            committed: report.committed,
            passages: report.passages,
            took_ms: report.took_ms,
            issues: report.issues.iter().map(ToString::to_string).collect(),
        }),
        Err(e) => Err(with_hint(&e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundled() -> NeedleIndex {
        let index = NeedleIndex::in_memory().expect("in-memory index");
        index
            .reindex(&crate::workspace::bundled(), &ReindexOptions::default())
            .expect("indexing the bundled article");
        index
    }

    #[test]
    fn the_all_count_of_a_filtered_search_is_the_unfiltered_total() {
        let index = bundled();
        let topic = index.topics().expect("topics")[0].name.clone();
        for query in ["skin", "microneedling", "", "heal"] {
            let unfiltered = index
                .search(&SearchRequest::new(query).limit(1))
                .expect("unfiltered search")
                .total;
            let request = SearchRequest::new(query)
                .topics(vec![topic.clone()])
                .count_topics(true);
            let output = run_search(&index, &request).expect("filtered search");
            assert_eq!(output.all_total, unfiltered, "query {query:?}");
            assert!(output.results.total <= unfiltered, "query {query:?}");
        }
    }

    #[test]
    fn without_topic_counts_the_all_count_is_still_the_unfiltered_total() {
        let index = bundled();
        let topic = index.topics().expect("topics")[0].name.clone();
        let unfiltered = index
            .search(&SearchRequest::new("skin"))
            .expect("search")
            .total;
        let request = SearchRequest::new("skin")
            .topics(vec![topic])
            .count_topics(false);
        assert_eq!(
            run_search(&index, &request).expect("search").all_total,
            unfiltered
        );
    }
}
