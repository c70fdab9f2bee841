//! `needle index`: bring the index up to date.
//!
//! When a watcher keeps the index (`needle watch`, the interface, the
//! servers: see [`crate::beacon`]), it holds the writer: `needle index`
//! asks it to catch up instead of walking the content, and reports the
//! index as the watcher left it. `--force` rebuilds, which needs the writer.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use needle_index::{NeedleIndex, ReindexReport};

use crate::beacon::Answer;
use crate::json::json_line;
use crate::workspace::{Resolved, ask_watcher, open_index, warn_issues};

/// How long `needle index` waits for a watcher to catch up: longer than a
/// search does, as an up-to-date index is the whole point of the command.
const WATCHER_WAIT: Duration = Duration::from_secs(120);

/// A progress bar appears once the work has taken this long.
const SHOW_PROGRESS_AFTER: Duration = Duration::from_millis(300);

pub fn run(content: &Resolved, force: bool, json: bool) -> Result<ExitCode> {
    let index = open_index(&content.index_dir, force)?;
    // Updating is the point: a read-only index is an error, even when it
    // happens to be up to date (`needle search` reads it as it is).
    index.check_writable()?;
    let started = Instant::now();
    if !force {
        match ask_watcher(content, WATCHER_WAIT) {
            Answer::Fresh => return kept_by_watcher(&index, content, started, json),
            Answer::Busy => bail!(
                "the watcher of this index (needle watch, the interface or a server) is still reindexing after {} s; run needle index again when it is done, or stop the watcher",
                WATCHER_WAIT.as_secs()
            ),
            Answer::Absent => {}
        }
    }
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

/// The report when a watcher brought the index up to date: this process
/// changed nothing itself (`committed` false), the index holds every change
/// made before the question; `"watcher": true` in JSON.
fn kept_by_watcher(
    index: &NeedleIndex,
    content: &Resolved,
    started: Instant,
    json: bool,
) -> Result<ExitCode> {
    index.reload()?;
    let mut report = ReindexReport::default();
    report.passages = index.passage_count();
    report.took_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut out = std::io::stdout().lock();
    if json {
        let mut value = serde_json::to_value(&report)?;
        if let Some(fields) = value.as_object_mut() {
            fields.insert("watcher".to_owned(), serde_json::Value::Bool(true));
        }
        json_line(&mut out, &value)?;
    } else {
        writeln!(
            out,
            "indexed {}: up to date, kept by the watcher of this index; {} passages; {:.1} ms",
            content.label, report.passages, report.took_ms
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
