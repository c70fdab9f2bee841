//! `needle index`: bring the index up to date.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use crate::json::json_line;
use crate::workspace::{Resolved, open_index, warn_issues};

/// A progress bar appears once the work has taken this long.
const SHOW_PROGRESS_AFTER: Duration = Duration::from_millis(300);

pub fn run(content: &Resolved, force: bool, json: bool) -> Result<ExitCode> {
    let index = open_index(&content.index_dir, force)?;
    // Updating is the point: a read-only index is an error, even when it
    // happens to be up to date (`needle search` reads it as it is).
    index.check_writable()?;
    let started = Instant::now();
    let bar: Arc<Mutex<Option<ProgressBar>>> = Arc::new(Mutex::new(None));
    let progress = {
        let bar = Arc::clone(&bar);
        let tty = std::io::stderr().is_terminal();
        Arc::new(move |done: usize, total: usize| {
            if !tty || started.elapsed() < SHOW_PROGRESS_AFTER {
                return;
            }
            let mut bar = bar
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let pb = bar.get_or_insert_with(|| {
                let pb = ProgressBar::new(total as u64);
                pb.set_style(
                    ProgressStyle::with_template(
                        "{spinner} indexing {pos}/{len} files {wide_bar} {eta}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
                );
                pb
            });
            pb.set_position(done as u64);
        })
    };
    let options = content.reindex_options().force(force).progress(progress);
    let report = index.reindex(&content.source, &options);
    if let Some(pb) = bar
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        pb.finish_and_clear();
    }
    let report = report?;
    index.close()?;
    warn_issues(&report);
    let mut out = std::io::stdout().lock();
    if json {
        json_line(&mut out, &report)?;
    } else {
        writeln!(out, "indexed {}: {}", content.label, report.summary())?;
    }
    Ok(ExitCode::SUCCESS)
}
