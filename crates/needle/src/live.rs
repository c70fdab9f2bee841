//! An index kept fresh for a long-running server (`needle mcp`, `needle
//! serve`): opened and brought up to date as `needle search` does, then
//! reindexed on the watch's thread whenever the content changes (see
//! [`crate::watcher`]), while searches go on.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use needle_index::{Error, NeedleIndex};

use crate::watcher::{ContentWatch, WatchSpec, watch_content};
use crate::workspace::{Resolved, open_index, refresh, warn_issues};

/// The index and, while the value lives, the watch that keeps it fresh.
pub struct Live {
    pub index: Arc<NeedleIndex>,
    _watch: Option<ContentWatch>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("index", &self.index)
            .field("watching", &self._watch.is_some())
            .finish()
    }
}

impl Live {
    /// Opens and refreshes the index of `content`, and starts watching the
    /// content (not the bundled article, which cannot change, nor a
    /// read-only index, which cannot follow it). A watch that cannot be set
    /// up is a warning: the server runs on the index as it is.
    ///
    /// # Errors
    /// When the index cannot be opened or first brought up to date.
    pub fn open(content: &Resolved) -> Result<Live> {
        let index = Arc::new(open_index(&content.index_dir, false)?);
        refresh(&index, content)?;
        // A read-only index cannot follow the content (the refresh has
        // said so): no watch, whose every reindex would fail again.
        let spec = WatchSpec::of(content).filter(|_| index.check_writable().is_ok());
        let watch = spec.and_then(|spec| {
            let reindexer = Arc::clone(&index);
            let source = content.clone();
            match watch_content(
                &spec,
                move |paths: Option<&[PathBuf]>| {
                    let ok = reindex(&reindexer, &source, paths);
                    // After a walk, the list of sources in memory (see
                    // `cli::watch`).
                    if ok && paths.is_none() {
                        let _ = reindexer.preload_sources();
                    }
                    ok
                },
                |e| eprintln!("needle: warning: watching: {e}"),
            ) {
                Ok(w) => Some(w),
                Err(e) => {
                    eprintln!(
                        "needle: warning: {e:#}; changes to the content are picked up on restart"
                    );
                    None
                }
            }
        });
        Ok(Live {
            index,
            _watch: watch,
        })
    }
}

/// One reindex after a change (of the paths that changed, when they are
/// known): issues and failures go to stderr, and the server goes on with
/// the index as it is. Says whether it succeeded.
fn reindex(index: &NeedleIndex, content: &Resolved, paths: Option<&[PathBuf]>) -> bool {
    match content.reindex(index, paths) {
        Ok(report) => {
            warn_issues(&report);
            if report.committed {
                eprintln!("needle: reindexed: {}", report.summary());
            }
            true
        }
        Err(e @ Error::Locked { .. }) => {
            eprintln!("needle: warning: the index was not refreshed: {e}");
            false
        }
        Err(e) => {
            eprintln!("needle: error: reindex failed: {e}");
            false
        }
    }
}
