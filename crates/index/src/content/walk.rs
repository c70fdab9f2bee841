//! The walk of a content directory: which files are content, with one stat
//! each.
//!
//! A refresh walks the whole content to learn whether anything changed, so
//! the walk is most of a refresh's time. It lists each directory once
//! (the listing tells files from directories without a stat), keeps the
//! files with a content extension, and stats each of them relative to its
//! directory's handle (no path lookup from the root). Directories are
//! shared between a few threads. Ignore rules follow the `ignore` crate's
//! walker, whose matchers it uses: hidden names are skipped unless a rule
//! lets them in; `.needleignore`, then `.ignore`, then `.gitignore` (only
//! inside a git repository) decide, the deepest file of each kind first.
//! Symbolic links are followed, and a link back to a directory the walk is
//! inside is reported as a loop.

use std::ffi::{OsStr, OsString};
use std::fs::{self, Metadata};
use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use ignore::gitignore::{Gitignore, GitignoreBuilder};

use super::article::ContentIssue;
use super::file::{Format, SourceFile};

/// Files listed here (gitignore syntax) at any level are not indexed.
pub(crate) const IGNORE_FILE: &str = ".needleignore";

/// Most threads a walk uses.
const MAX_THREADS: usize = 4;

/// What the walk found at one entry.
pub(super) enum Visit {
    /// A content file (by extension), with its stat (links followed).
    File(SourceFile),
    /// A content file that cannot be indexed.
    Issue(ContentIssue),
    /// A path that could not be listed or followed, `/`-separated, and
    /// why: what was indexed under it is out of reach, not gone.
    Unreadable(String, ContentIssue),
}

/// Walks `root` (a directory) and returns what it found: directory by
/// directory in path order, each directory's entries by name. The lists
/// stay apart: the caller moves each entry once.
pub(super) fn walk(root: &Path) -> Vec<Vec<Visit>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, MAX_THREADS);
    let queue = Queue {
        state: Mutex::new(QueueState {
            dirs: vec![Arc::new(Dir {
                path: Arc::from(root),
                rel: String::new(),
                rules: None,
                parent: None,
                linked: false,
            })],
            busy: 0,
        }),
        wake: Condvar::new(),
    };
    let mut listed = std::thread::scope(|s| {
        // A helper that cannot be started leaves more for the others.
        let helpers: Vec<_> = (1..threads)
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("needle-walk".to_owned())
                    .spawn_scoped(s, || queue.work())
                    .ok()
            })
            .collect();
        let mut listed = queue.work();
        for helper in helpers {
            match helper.join() {
                Ok(more) => listed.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        listed
    });
    // The caller sorts by path: in this order that is a few merges.
    listed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    listed.into_iter().map(|(_, found)| found).collect()
}

/// A directory to list.
struct Dir {
    path: Arc<Path>,
    /// Relative to the root, `/`-separated; empty for the root.
    rel: String,
    /// The ignore rules in force inside it.
    rules: Option<Arc<Rules>>,
    /// Reached through a symbolic link (it, or a directory above it).
    linked: bool,
    /// The directory it was found in: the chain a link could loop back to.
    parent: Option<Arc<Dir>>,
}

/// The ignore files of one directory, and those of its ancestors.
struct Rules {
    needle: Option<Gitignore>,
    ignore: Option<Gitignore>,
    git: Option<Gitignore>,
    /// The directory holds `.git`: a repository starts here.
    has_git: bool,
    parent: Option<Arc<Rules>>,
}

impl Rules {
    fn chain(&self) -> impl Iterator<Item = &Rules> {
        std::iter::successors(Some(self), |r| r.parent.as_deref())
    }

    /// Whether `path` is ignored: per kind of file, the deepest one that
    /// matches decides (a `!` rule lets a path in); across kinds,
    /// `.needleignore` comes first, then `.ignore`, then `.gitignore`, which
    /// counts only inside a repository, up to its top.
    fn ignores(&self, path: &Path, is_dir: bool) -> Option<bool> {
        let any_git = self.chain().any(|r| r.has_git);
        let (mut needle, mut ignore, mut git) = (None, None, None);
        let mut saw_git = false;
        let decide = |m: &Option<Gitignore>| -> Option<bool> {
            let m = m.as_ref()?.matched(path, is_dir);
            (!m.is_none()).then(|| m.is_ignore())
        };
        for r in self.chain() {
            needle = needle.or_else(|| decide(&r.needle));
            ignore = ignore.or_else(|| decide(&r.ignore));
            if any_git && !saw_git {
                git = git.or_else(|| decide(&r.git));
            }
            saw_git |= r.has_git;
        }
        needle.or(ignore).or(git)
    }
}

/// Whether the walk skips `name` in `dir`: hidden, or ignored by a rule.
/// The path is only built when a rule may apply.
fn skipped(rules: Option<&Arc<Rules>>, dir: &Dir, name: &OsStr, is_dir: bool) -> bool {
    match rules.and_then(|r| r.ignores(&dir.path.join(name), is_dir)) {
        Some(ignored) => ignored,
        None => name.as_encoded_bytes().first() == Some(&b'.'),
    }
}

struct QueueState {
    dirs: Vec<Arc<Dir>>,
    /// Threads listing a directory (which may add more).
    busy: usize,
}

/// The directories left to list, shared by the walk's threads.
struct Queue {
    state: Mutex<QueueState>,
    wake: Condvar,
}

impl Queue {
    /// Lists directories until none is left and no thread can add one.
    /// Returns what each directory held, with the directory's path.
    fn work(&self) -> Vec<(String, Vec<Visit>)> {
        let mut listed = Vec::new();
        loop {
            let dir = {
                let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                loop {
                    if let Some(dir) = state.dirs.pop() {
                        state.busy += 1;
                        break dir;
                    }
                    if state.busy == 0 {
                        return listed;
                    }
                    state = self
                        .wake
                        .wait(state)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            let mut busy = Busy {
                queue: self,
                subdirs: Vec::new(),
            };
            let mut found = Vec::new();
            list(&dir, &mut found, &mut busy.subdirs);
            listed.push((dir.rel.clone(), found));
        }
    }
}

/// A directory being listed. When the listing ends, even by a panic, its
/// subdirectories join the queue and the other threads are woken: none of
/// them waits forever for a thread that is gone.
struct Busy<'q> {
    queue: &'q Queue,
    subdirs: Vec<Arc<Dir>>,
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let mut state = self
            .queue
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.busy -= 1;
        state.dirs.append(&mut self.subdirs);
        self.queue.wake.notify_all();
    }
}

fn rel_of(dir: &Dir, name: &OsStr) -> String {
    let name = name.to_string_lossy();
    if dir.rel.is_empty() {
        return name.into_owned();
    }
    let mut rel = String::with_capacity(dir.rel.len() + 1 + name.len());
    rel.push_str(&dir.rel);
    rel.push('/');
    rel.push_str(&name);
    rel
}

fn cannot_read(rel: &str, err: &std::io::Error) -> ContentIssue {
    ContentIssue::new(rel, None, format!("cannot be read ({err}); skipped"))
}

/// Lists one directory: content files into `found`, subdirectories to
/// walk into `subdirs`.
fn list(dir: &Arc<Dir>, found: &mut Vec<Visit>, subdirs: &mut Vec<Arc<Dir>>) {
    let listing = fs::read_dir(&dir.path).and_then(|entries| {
        entries
            .map(|e| e.map(|e| (e.file_name(), e)))
            .collect::<Result<Vec<_>, _>>()
    });
    let mut entries = match listing {
        Ok(entries) => entries,
        Err(err) => {
            found.push(Visit::Unreadable(
                dir.rel.clone(),
                cannot_read(&dir.rel, &err),
            ));
            return;
        }
    };
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    // The entries are sorted by name.
    let listed = |name: &str| {
        entries
            .binary_search_by(|(n, _)| n.as_os_str().cmp(OsStr::new(name)))
            .is_ok()
    };
    let rules = rules_of(dir, &listed, found);
    let rules = rules.as_ref();
    for (name, entry) in entries {
        let file_type = match entry.file_type() {
            Ok(t) => t,
            Err(err) => {
                found.push(Visit::Issue(cannot_read(&rel_of(dir, &name), &err)));
                continue;
            }
        };
        if file_type.is_dir() {
            if !skipped(rules, dir, &name, true) {
                subdirs.push(Arc::new(Dir {
                    rel: rel_of(dir, &name),
                    path: dir.path.join(&name).into(),
                    rules: rules.map(Arc::clone),
                    parent: Some(Arc::clone(dir)),
                    linked: dir.linked,
                }));
            }
        } else if file_type.is_symlink() {
            follow(dir, rules, name, found, subdirs);
        } else if let Some(format) = Format::of(&name.to_string_lossy())
            && !skipped(rules, dir, &name, false)
        {
            // Relative to the directory's handle: no lookup from the root.
            match entry.metadata() {
                Ok(meta) => found.push(file(dir, &name, format, &meta, false)),
                Err(err) => found.push(Visit::Issue(cannot_read(&rel_of(dir, &name), &err))),
            }
        }
    }
}

/// A content file, or an issue when it is not a regular file (reading a
/// named pipe would wait forever).
fn file(dir: &Dir, name: &OsStr, format: Format, meta: &Metadata, link: bool) -> Visit {
    let rel = rel_of(dir, name);
    if meta.is_file() {
        Visit::File(SourceFile::on_disk(
            rel,
            Arc::clone(&dir.path),
            name,
            format,
            meta,
            link || dir.linked,
        ))
    } else {
        Visit::Issue(ContentIssue::new(
            rel,
            None,
            "not a regular file (a named pipe, socket or device); skipped",
        ))
    }
}

/// Follows a symbolic link: to a content file, or to a directory to walk
/// unless the walk is already inside it.
fn follow(
    dir: &Arc<Dir>,
    rules: Option<&Arc<Rules>>,
    name: OsString,
    found: &mut Vec<Visit>,
    subdirs: &mut Vec<Arc<Dir>>,
) {
    let path = dir.path.join(&name);
    let meta = match fs::metadata(&path) {
        Ok(meta) => meta,
        Err(err) => {
            if !skipped(rules, dir, &name, false) {
                let rel = rel_of(dir, &name);
                let issue = cannot_read(&rel, &err);
                found.push(Visit::Unreadable(rel, issue));
            }
            return;
        }
    };
    if !meta.is_dir() {
        if let Some(format) = Format::of(&name.to_string_lossy())
            && !skipped(rules, dir, &name, false)
        {
            found.push(file(dir, &name, format, &meta, true));
        }
        return;
    }
    if skipped(rules, dir, &name, true) {
        return;
    }
    let rel = rel_of(dir, &name);
    if loops(dir, &path) {
        let issue = ContentIssue::new(&rel, None, "symbolic link loop; skipped");
        found.push(Visit::Unreadable(rel, issue));
        return;
    }
    subdirs.push(Arc::new(Dir {
        rel,
        path: path.into(),
        rules: rules.map(Arc::clone),
        parent: Some(Arc::clone(dir)),
        linked: true,
    }));
}

/// Whether the directory `target` is `dir` or one of the directories the
/// walk went through to reach it. Only links pay for this check.
fn loops(dir: &Arc<Dir>, target: &Path) -> bool {
    let Ok(target) = identity(target) else {
        return false;
    };
    std::iter::successors(Some(dir.as_ref()), |d| d.parent.as_deref())
        .any(|d| identity(&d.path).is_ok_and(|id| id == target))
}

/// What makes a directory the same directory, whatever path reaches it.
#[cfg(unix)]
fn identity(path: &Path) -> std::io::Result<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    let meta = fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

/// What makes a directory the same directory, whatever path reaches it.
#[cfg(not(unix))]
fn identity(path: &Path) -> std::io::Result<std::path::PathBuf> {
    fs::canonicalize(path)
}

/// The rules in force in `dir`: its parent's, plus its own ignore files
/// (`has` tells whether the directory holds an entry of that name). A
/// pattern that cannot be parsed is reported; the rest of its file applies.
fn rules_of(dir: &Dir, has: &dyn Fn(&str) -> bool, found: &mut Vec<Visit>) -> Option<Arc<Rules>> {
    let has_git = has(".git");
    if !has_git && ![IGNORE_FILE, ".ignore", ".gitignore"].into_iter().any(has) {
        return dir.rules.clone();
    }
    let mut load = |name: &str| -> Option<Gitignore> {
        if !has(name) {
            return None;
        }
        let mut builder = GitignoreBuilder::new(&dir.path);
        if let Some(err) = builder.add(dir.path.join(name)) {
            report_rules(&rel_of(dir, OsStr::new(name)), &err, None, found);
        }
        builder.build().ok()
    };
    let needle = load(IGNORE_FILE);
    let ignore = load(".ignore");
    let git = load(".gitignore");
    Some(Arc::new(Rules {
        needle,
        ignore,
        git,
        has_git,
        parent: dir.rules.clone(),
    }))
}

/// Reports the rules of an ignore file that cannot be used, by line.
fn report_rules(rel: &str, err: &ignore::Error, line: Option<u32>, found: &mut Vec<Visit>) {
    match err {
        ignore::Error::Partial(errs) => {
            for err in errs {
                report_rules(rel, err, line, found);
            }
        }
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => {
            report_rules(rel, err, line, found);
        }
        ignore::Error::WithLineNumber { line, err } => {
            report_rules(rel, err, u32::try_from(*line).ok(), found);
        }
        ignore::Error::Glob { glob, err } => {
            let glob = glob.as_deref().unwrap_or_default();
            found.push(Visit::Issue(ContentIssue::new(
                rel,
                line,
                format!(
                    "the rule `{glob}` is not a valid pattern ({err}); the file's other rules apply"
                ),
            )));
        }
        other => found.push(Visit::Issue(ContentIssue::new(
            rel,
            line,
            format!("cannot be used ({other}); the file's other rules apply"),
        ))),
    }
}

mod path;
#[cfg(test)]
mod tests;

pub(crate) use path::{PathVisit, visit_path};
