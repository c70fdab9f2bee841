//! Watching the content for changes, for every long-running command that
//! keeps an index fresh: the terminal interface's worker, `needle mcp` and
//! `needle serve` (through [`crate::live`]).

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

/// Changes closer together than this are one reindex.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Watches the content at `path` (a directory, recursively, or one file);
/// a change (debounced) calls `changed`, a failure of the watch `failed`.
/// Changes inside the index directory (when it lives under the content)
/// are not content changes. Watching stops when the value is dropped.
///
/// # Errors
/// When the watch cannot be set up (no such path, the OS's watch limit).
pub fn watch_content(
    path: &Path,
    index_dir: PathBuf,
    changed: impl Fn() + Send + 'static,
    failed: impl Fn(String) + Send + 'static,
) -> Result<Debouncer<RecommendedWatcher>> {
    let index_dir = index_dir.canonicalize().unwrap_or(index_dir);
    // A file is watched through its directory: editors often save by
    // replacing the file, which a watch on the file itself would lose.
    let (watched, only) = if path.is_file() {
        (
            path.parent().unwrap_or(path).to_owned(),
            Some(path.to_owned()),
        )
    } else {
        (path.to_owned(), None)
    };
    let mut debouncer = new_debouncer(DEBOUNCE, move |res: DebounceEventResult| match res {
        Ok(events) => {
            let relevant = events.iter().any(|e| {
                !e.path.starts_with(&index_dir) && only.as_ref().is_none_or(|f| &e.path == f)
            });
            if relevant {
                changed();
            }
        }
        Err(e) => failed(e.to_string()),
    })
    .context("cannot watch for file changes")?;
    let mode = if path.is_file() {
        RecursiveMode::NonRecursive
    } else {
        RecursiveMode::Recursive
    };
    debouncer
        .watcher()
        .watch(&watched, mode)
        .with_context(|| format!("cannot watch {}", watched.display()))?;
    Ok(debouncer)
}
