//! One path, as the walk would see it: whether it is a content file (and
//! its stat), not content (hidden, ignored, not a content extension), gone,
//! or something only a whole walk can tell (a directory, a link, a file of
//! several names, an ignore file, an entry that cannot be read).
//!
//! A reindex of the paths a watcher saw change uses this instead of the
//! walk, so it must answer exactly as the walk would: it builds the same
//! chain of directories and ignore rules from the root down to the path,
//! and says [`PathVisit::Unsure`] wherever it cannot be sure.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::sync::Arc;

use super::{Dir, IGNORE_FILE, Visit, rel_of, rules_of, skipped};
use crate::content::file::{Format, SourceFile};

/// What the walk would make of one path.
#[derive(Debug)]
pub(crate) enum PathVisit {
    /// A content file the walk would list, with its stat.
    File(SourceFile),
    /// Nothing the walk would list: a hidden or ignored name, a file that
    /// is not content, or anything under a hidden or ignored directory.
    Skipped,
    /// Nothing at this path (its directory exists).
    Missing,
    /// Only a whole walk can tell.
    Unsure,
}

/// The names whose change changes what the walk skips.
const RULE_NAMES: [&str; 4] = [IGNORE_FILE, ".ignore", ".gitignore", ".git"];

/// What the walk of `root` (a directory) would make of `rel` (relative,
/// `/`-separated, no `.` or `..`).
pub(crate) fn visit_path(root: &Path, rel: &str) -> PathVisit {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return PathVisit::Unsure;
    }
    let Some((name, ancestors)) = parts.split_last() else {
        return PathVisit::Unsure;
    };
    // Issues of ignore files (bad patterns) were reported by the walks that
    // listed them; what they mean for the rules is the same here.
    let mut issues: Vec<Visit> = Vec::new();
    let mut dir = Arc::new(Dir {
        path: Arc::from(root),
        rel: String::new(),
        rules: None,
        parent: None,
        linked: false,
    });
    let mut rules = rules_of(&dir, &exists_in(&dir.path), &mut issues);
    for part in ancestors {
        // Nothing under a hidden or ignored directory is content, whatever
        // it is now (a directory gone, a link).
        if skipped(rules.as_ref(), &dir, OsStr::new(part), true) {
            return PathVisit::Skipped;
        }
        let path = dir.path.join(part);
        // A link on the way (the walk follows it, and may find a loop), a
        // file where a directory was, a directory that is gone: the walk
        // tells what became of the files under it.
        if !fs::symlink_metadata(&path).is_ok_and(|meta| meta.is_dir()) {
            return PathVisit::Unsure;
        }
        dir = Arc::new(Dir {
            rel: rel_of(&dir, OsStr::new(part)),
            path: path.into(),
            rules: rules.clone(),
            parent: Some(Arc::clone(&dir)),
            linked: false,
        });
        rules = rules_of(&dir, &exists_in(&dir.path), &mut issues);
    }
    // A change of the rules changes what the walk lists anywhere below.
    if RULE_NAMES.contains(name) {
        return PathVisit::Unsure;
    }
    let path = dir.path.join(name);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return PathVisit::Missing,
        Err(_) => return PathVisit::Unsure,
    };
    let name = OsStr::new(name);
    // A directory the walk enters, or a link (to a file or a directory,
    // maybe a loop): what is under it is the walk's to tell.
    if meta.is_dir() {
        if skipped(rules.as_ref(), &dir, name, true) {
            return PathVisit::Skipped;
        }
        return PathVisit::Unsure;
    }
    if meta.file_type().is_symlink() {
        return PathVisit::Unsure;
    }
    let Some(format) = Format::of(&name.to_string_lossy()) else {
        return PathVisit::Skipped;
    };
    if skipped(rules.as_ref(), &dir, name, false) {
        return PathVisit::Skipped;
    }
    // A named pipe, a socket or a device: the walk reports it.
    if !meta.is_file() {
        return PathVisit::Unsure;
    }
    let file = SourceFile::on_disk(
        rel.to_owned(),
        Arc::clone(&dir.path),
        name,
        format,
        &meta,
        false,
    );
    // A file of several names: a change through one is a change of all,
    // which the walk sees and the events do not.
    if file.aliased {
        return PathVisit::Unsure;
    }
    PathVisit::File(file)
}

/// Whether `dir` holds an entry named `name` (as its listing would say).
fn exists_in(dir: &Path) -> impl Fn(&str) -> bool + '_ {
    move |name| fs::symlink_metadata(dir.join(name)).is_ok()
}
