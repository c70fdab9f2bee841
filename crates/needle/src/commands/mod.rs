//! The subcommands, one module each.

mod bench;
mod eval;
mod index;
mod list;
mod search;
mod watch;

use std::path::Path;

use anyhow::Result;
use needle_index::{Error, NeedleIndex, ReindexOptions, ReindexReport};

use crate::location::Resolved;

pub use bench::{BenchArgs, percentile, run as bench};
pub use eval::run as eval;
pub use index::run as index;
pub use list::{articles, topics};
pub use search::run as search;
pub use watch::run as watch;

/// Exit codes: 0 success (a search with hits), 1 a search with none, 2 an error.
pub const NO_HITS: u8 = 1;

/// Opens the index; with `force`, a damaged one is recreated.
pub fn open_index(dir: &Path, force: bool) -> Result<NeedleIndex> {
    let index = match NeedleIndex::open(dir) {
        Err(Error::Corrupt { .. }) if force => {
            eprintln!(
                "needle: the index at {} was damaged; rebuilding it",
                dir.display()
            );
            NeedleIndex::recreate(dir)?
        }
        other => other?,
    };
    if let Some(why) = index.rebuilt() {
        eprintln!("needle: {why}");
    }
    Ok(index)
}

/// Prints a reindex's content issues as warnings on stderr.
pub fn warn_issues(report: &ReindexReport) {
    for issue in &report.issues {
        eprintln!("needle: warning: {issue}");
    }
}

/// Brings the index up to date before a read, quietly. When another
/// process holds the writer, searches the index as it is and says so.
pub fn refresh(index: &NeedleIndex, content: &Resolved) -> Result<()> {
    match index.reindex(&content.source, &ReindexOptions::default()) {
        Ok(report) => {
            warn_issues(&report);
            Ok(())
        }
        Err(e @ (Error::Locked { .. } | Error::MassRemoval { .. })) => {
            eprintln!("needle: warning: the index was not refreshed: {e}");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
