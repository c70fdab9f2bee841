//! `needle watch`: reindex whenever the content changes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use anyhow::{Result, bail};
use needle_index::NeedleIndex;

use crate::hints::with_hint;
use crate::json::json_line;
use crate::watcher::{WatchSpec, watch_content};
use crate::workspace::{Resolved, open_index, warn_issues};

enum Signal {
    /// The first reindex is done: watching from here on.
    Ready,
    Failed(String),
    Stop,
}

pub fn run(content: &Resolved, json: bool) -> Result<ExitCode> {
    let Some(spec) = WatchSpec::of(content) else {
        bail!(
            "nothing to watch: needle is using the article built into it; pass --content DIR (or run from a directory that has ./content)"
        );
    };
    let index = Arc::new(open_index(&content.index_dir, false)?);
    // A watch that could never write is an error now, not a warning at
    // every change.
    index.check_writable()?;
    let (tx, rx) = mpsc::channel();
    {
        let tx = tx.clone();
        crate::interrupt::on_interrupt(move || {
            let _ = tx.send(Signal::Stop);
        })?;
    }
    // The watch's first reindex catches up with what changed while nothing
    // watched; it prints its summary even when nothing changed.
    let watch = {
        let index = Arc::clone(&index);
        let content = content.clone();
        let first = AtomicBool::new(true);
        let ready = tx.clone();
        watch_content(
            &spec,
            move |paths: Option<&[PathBuf]>| {
                let always = first.swap(false, Ordering::Relaxed);
                let ok = reindex(&index, &content, paths, json, always).unwrap_or_else(|e| {
                    eprintln!("needle: warning: {e:#}");
                    true
                });
                if always {
                    let _ = ready.send(Signal::Ready);
                }
                // After a walk, the list of sources in memory: the next
                // reindex of a few paths reads nothing (a failure here is
                // met again, and reported, by that reindex).
                if ok && paths.is_none() {
                    let _ = index.preload_sources();
                }
                ok
            },
            move |e| {
                let _ = tx.send(Signal::Failed(e));
            },
        )?
    };
    loop {
        match rx.recv() {
            Ok(Signal::Ready) => {
                eprintln!("needle: watching {} (Ctrl-C stops)", content.label);
            }
            Ok(Signal::Failed(e)) => eprintln!("needle: warning: watching: {e}"),
            Ok(Signal::Stop) | Err(_) => break,
        }
    }
    drop(watch);
    index.close()?;
    eprintln!("needle: stopped; the index is up to date");
    Ok(ExitCode::SUCCESS)
}

/// One reindex (of the paths that changed, when they are known); prints a
/// line when it changed something (or always, at start). A failed reindex
/// is reported and watching goes on; says whether the reindex succeeded
/// (an error is one of writing the line).
fn reindex(
    index: &NeedleIndex,
    content: &Resolved,
    paths: Option<&[PathBuf]>,
    json: bool,
    always: bool,
) -> Result<bool> {
    match content.reindex(index, paths) {
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
            Ok(true)
        }
        Err(e) => {
            eprintln!("needle: error: reindex failed: {}", with_hint(&e));
            Ok(false)
        }
    }
}
