//! `needle index`: bring the index up to date.
//!
//! When a watcher keeps the index (`needle watch`, the interface, the
//! servers: see [`crate::beacon`]), it holds the writer: `needle index`
//! asks it to catch up instead of walking the content, and reports the
//! index as the watcher left it. `--force` rebuilds, which needs the writer.
//!
//! With paths (`needle index docs/page.md`), only those files are read
//! ([`NeedleIndex::reindex_paths`]): each must lie in the content folder,
//! checked here so that a mistyped path is an error, not a silent walk.

use std::io::{IsTerminal, Write};
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use needle_index::{ContentSource, NeedleIndex, ReindexReport};

use crate::beacon::Answer;
use crate::json::json_line;
use crate::workspace::{Resolved, ask_watcher, open_index, warn_issues};

/// How long `needle index` waits for a watcher to catch up: longer than a
/// search does, as an up-to-date index is the whole point of the command.
const WATCHER_WAIT: Duration = Duration::from_secs(120);

/// A progress bar appears once the work has taken this long.
const SHOW_PROGRESS_AFTER: Duration = Duration::from_millis(300);

pub fn run(content: &Resolved, paths: &[PathBuf], force: bool, json: bool) -> Result<ExitCode> {
    let changed = if paths.is_empty() {
        None
    } else {
        let cwd = std::env::current_dir().context("reading the current directory")?;
        Some(content_paths(content, paths, &cwd)?)
    };
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
    let report = match &changed {
        Some(changed) => index.reindex_paths(&content.source, changed, &options),
        None => index.reindex(&content.source, &options),
    };
    if let Some(pb) = bar
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    {
        pb.finish_and_clear();
    }
    let report = report?;
    index.close()?;
    // The process ends here: freeing the index's caches one allocation at
    // a time (the list of every source file, 100,000 entries in a large
    // folder) would only delay the exit. Closed, it holds no lock.
    std::mem::forget(index);
    warn_issues(&report);
    let mut out = std::io::stdout().lock();
    if json {
        json_line(&mut out, &report)?;
    } else {
        // Paths that could not tell what changed (a folder among them, an
        // ignore file, a link...) make the library compare every file.
        let walked = if changed.is_some() && report.full_scan {
            "; every file compared"
        } else {
            ""
        };
        writeln!(
            out,
            "indexed {}: {}{walked}",
            content.label,
            report.summary()
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The paths given to `needle index`, made absolute from `cwd`, each
/// checked to lie in the content folder (a file there need not exist: it
/// may have been removed). An error names the first that does not.
fn content_paths(content: &Resolved, paths: &[PathBuf], cwd: &Path) -> Result<Vec<PathBuf>> {
    let root = match &content.source {
        ContentSource::Path(root) if cwd.join(root).is_dir() => root,
        _ => bail!(
            "needle index PATH... takes files of a content folder, and the content is {}, not a folder; run needle index without paths",
            content.label
        ),
    };
    let root = cwd
        .join(root)
        .canonicalize()
        .with_context(|| format!("reading the content folder {}", root.display()))?;
    paths
        .iter()
        .map(|path| {
            let at = resolved(&cwd.join(path));
            if at.starts_with(&root) {
                Ok(at)
            } else {
                bail!(
                    "{} is not in the content folder {}; needle index takes paths of the content's files (or none, to compare every file)",
                    path.display(),
                    root.display()
                )
            }
        })
        .collect()
}

/// `path` with `.` and `..` taken out and its folders' links resolved, as
/// far as they exist; the last part of a path that is not a folder is kept
/// as it is (a file that is a link is the content's file, wherever it
/// points).
fn resolved(path: &Path) -> PathBuf {
    let mut plain = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                plain.pop();
            }
            other => plain.push(other),
        }
    }
    if plain.is_dir()
        && let Ok(real) = plain.canonicalize()
    {
        return real;
    }
    let Some(name) = plain.file_name().map(ToOwned::to_owned) else {
        return plain;
    };
    // The longest part of the folder that exists, resolved, and the rest.
    let folder = plain.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut existing = folder.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            out.extend(rest.iter().rev());
            out.push(name);
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(up), Some(last)) => {
                rest.push(last.to_owned());
                existing = up;
            }
            _ => return plain,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A temporary folder and its canonical path.
    fn base() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        (tmp, base)
    }

    fn folder(root: &Path) -> Resolved {
        Resolved {
            source: ContentSource::Path(root.to_owned()),
            watch: Some(root.to_owned()),
            label: root.display().to_string(),
            index_dir: root.join("index"),
            drafts: false,
        }
    }

    #[test]
    fn paths_in_the_content_are_made_absolute_even_when_gone() {
        let (_tmp, base) = base();
        std::fs::create_dir_all(base.join("docs/guide")).unwrap();
        std::fs::write(base.join("docs/guide/a.md"), "# A\n").unwrap();
        let content = folder(Path::new("docs"));
        let given = [
            PathBuf::from("docs/guide/a.md"),
            PathBuf::from("./docs/gone.md"),
            PathBuf::from("docs/new/deeper/b.md"),
            PathBuf::from("docs/guide/../guide/a.md"),
            PathBuf::from("docs"),
        ];
        let got = content_paths(&content, &given, &base).unwrap();
        assert_eq!(
            got,
            vec![
                base.join("docs/guide/a.md"),
                base.join("docs/gone.md"),
                base.join("docs/new/deeper/b.md"),
                base.join("docs/guide/a.md"),
                base.join("docs"),
            ]
        );
    }

    #[test]
    fn a_path_outside_the_content_is_an_error_naming_it() {
        let (_tmp, base) = base();
        std::fs::create_dir_all(base.join("docs")).unwrap();
        std::fs::write(base.join("notes.md"), "# N\n").unwrap();
        let content = folder(&base.join("docs"));
        for outside in ["notes.md", "docs/../notes.md", "elsewhere/a.md"] {
            let e = content_paths(&content, &[PathBuf::from(outside)], &base).unwrap_err();
            let message = e.to_string();
            assert!(
                message.starts_with(&format!("{outside} is not in the content folder")),
                "{message}"
            );
        }
    }

    #[test]
    fn a_content_that_is_not_a_folder_takes_no_paths() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("one.md");
        std::fs::write(&file, "# One\n").unwrap();
        let e = content_paths(&folder(&file), std::slice::from_ref(&file), tmp.path()).unwrap_err();
        assert!(e.to_string().contains("not a folder"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_content_folder_reached_through_a_link_holds_its_files() {
        let (_tmp, base) = base();
        std::fs::create_dir_all(base.join("real/docs")).unwrap();
        std::os::unix::fs::symlink(base.join("real/docs"), base.join("docs")).unwrap();
        let content = folder(Path::new("docs"));
        let got = content_paths(&content, &[PathBuf::from("docs/a.md")], &base).unwrap();
        assert_eq!(got, vec![base.join("real/docs/a.md")]);
    }
}
