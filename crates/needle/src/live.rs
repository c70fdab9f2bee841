//! An index kept fresh for a long-running server (`needle mcp`, `needle
//! serve`): opened and brought up to date as `needle search` does, then
//! reindexed on a thread of its own whenever the content changes (the
//! watcher of [`crate::watcher`]), while searches go on.

use std::sync::Arc;
use std::sync::mpsc;
use std::thread;

use anyhow::{Context, Result};
use needle_index::{Error, NeedleIndex};
use notify::RecommendedWatcher;
use notify_debouncer_mini::Debouncer;

use crate::watcher::watch_content;
use crate::workspace::{Resolved, open_index, refresh, warn_issues};

/// The index and, while the value lives, the watch that keeps it fresh.
pub struct Live {
    pub index: Arc<NeedleIndex>,
    _watcher: Option<Debouncer<RecommendedWatcher>>,
}

impl std::fmt::Debug for Live {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Live")
            .field("index", &self.index)
            .field("watching", &self._watcher.is_some())
            .finish()
    }
}

impl Live {
    /// Opens and refreshes the index of `content`, and starts watching the
    /// content (not the bundled article, which cannot change). A watch
    /// that cannot be set up is a warning: the server runs on the index as
    /// it is.
    ///
    /// # Errors
    /// When the index cannot be opened or first brought up to date.
    pub fn open(content: &Resolved) -> Result<Live> {
        let index = Arc::new(open_index(&content.index_dir, false)?);
        refresh(&index, content)?;
        let watcher = match &content.watch {
            None => None,
            Some(path) => {
                let (tx, rx) = mpsc::channel::<()>();
                let reindexer = Arc::clone(&index);
                let source = content.clone();
                thread::Builder::new()
                    .name("needle-reindex".into())
                    .spawn(move || {
                        while rx.recv().is_ok() {
                            // Coalesce what arrived meanwhile.
                            while rx.try_recv().is_ok() {}
                            reindex(&reindexer, &source);
                        }
                    })
                    .context("cannot start the reindex thread")?;
                match watch_content(
                    path,
                    content.index_dir.clone(),
                    move || {
                        let _ = tx.send(());
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
            }
        };
        Ok(Live {
            index,
            _watcher: watcher,
        })
    }
}

/// One reindex after a change: issues and failures go to stderr, and the
/// server goes on with the index as it is.
fn reindex(index: &NeedleIndex, content: &Resolved) {
    match index.reindex(&content.source, &content.reindex_options()) {
        Ok(report) => {
            warn_issues(&report);
            if report.committed {
                eprintln!("needle: reindexed: {}", report.summary());
            }
        }
        Err(e @ Error::Locked { .. }) => {
            eprintln!("needle: warning: the index was not refreshed: {e}");
        }
        Err(e) => eprintln!("needle: error: reindex failed: {e}"),
    }
}
