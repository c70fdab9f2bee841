//! `needle watch`: reindex whenever the content changes.

use std::io::Write;
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use needle_index::NeedleIndex;
use notify::RecursiveMode;
use notify_debouncer_mini::new_debouncer;

use crate::hints::with_hint;
use crate::json::json_line;
use crate::workspace::{Resolved, open_index, warn_issues};

/// Changes closer together than this are one reindex.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

enum Signal {
    Changed,
    Failed(String),
    Stop,
}

pub fn run(content: &Resolved, json: bool) -> Result<ExitCode> {
    let Some(path) = content.watch.clone() else {
        bail!(
            "nothing to watch: needle is using the article built into it; pass --content DIR (or run from a directory that has ./content)"
        );
    };
    let index = open_index(&content.index_dir, false)?;
    // A watch that could never write is an error now, not a warning at
    // every change.
    index.check_writable()?;
    let (tx, rx) = mpsc::channel();
    {
        let tx = tx.clone();
        ctrlc::set_handler(move || {
            let _ = tx.send(Signal::Stop);
        })
        .context("cannot install the Ctrl-C handler")?;
    }
    let mut debouncer = new_debouncer(
        DEBOUNCE,
        move |res: notify_debouncer_mini::DebounceEventResult| {
            let _ = tx.send(match res {
                Ok(_) => Signal::Changed,
                Err(e) => Signal::Failed(e.to_string()),
            });
        },
    )
    .context("cannot watch for file changes")?;
    debouncer
        .watcher()
        .watch(&path, RecursiveMode::Recursive)
        .with_context(|| format!("cannot watch {}", path.display()))?;

    reindex(&index, content, json, true)?;
    eprintln!("needle: watching {} (Ctrl-C stops)", content.label);
    loop {
        match rx.recv() {
            Ok(Signal::Changed) => {
                // Coalesce whatever else arrived meanwhile.
                let mut stop = false;
                while let Ok(s) = rx.try_recv() {
                    stop |= matches!(s, Signal::Stop);
                }
                if stop {
                    break;
                }
                reindex(&index, content, json, false)?;
            }
            Ok(Signal::Failed(e)) => eprintln!("needle: warning: watching: {e}"),
            Ok(Signal::Stop) | Err(_) => break,
        }
    }
    index.close()?;
    eprintln!("needle: stopped; the index is up to date");
    Ok(ExitCode::SUCCESS)
}

/// One reindex; prints a line when it changed something (or always, at start).
/// Errors are reported and watching goes on.
fn reindex(index: &NeedleIndex, content: &Resolved, json: bool, always: bool) -> Result<()> {
    match index.reindex(&content.source, &content.reindex_options()) {
        Ok(report) => {
            warn_issues(&report);
            if always || report.committed {
                let mut out = std::io::stdout().lock();
                if json {
                    json_line(&mut out, &report)?;
                } else {
                    writeln!(out, "reindexed: {}", report.summary())?;
                }
                out.flush()?;
            }
        }
        Err(e) => eprintln!("needle: error: reindex failed: {}", with_hint(&e)),
    }
    Ok(())
}
