//! The index directory: which files in it are needle's (Tantivy's, the
//! sources files, temporary files a crash left), and the errors of opening
//! it.

use std::fs;
use std::path::Path;

use tantivy::directory::MmapDirectory;
use tantivy::directory::error::OpenDirectoryError;

use super::WATCH_DIR;
use super::faults::read_error;
use crate::error::{Error, Result};

/// Sources files start with a dot: Tantivy leaves such files alone (its
/// garbage collection only deletes the files it registered), so a sources
/// file lives exactly as long as needle wants it to.
const SOURCES_PREFIX: &str = ".needle-sources-";

/// Sources files are postcard (serde's compact binary form).
const SOURCES_SUFFIX: &str = ".bin";

/// The changes to a sources file, in a file of their own.
const CHANGES_SUFFIX: &str = ".changes.bin";

/// What index format 3 wrote: still needle's when a newer needle finds it.
const OLD_SOURCES_SUFFIX: &str = ".json";

/// The name of the sources file holding `bytes`.
pub(super) fn sources_file_name(bytes: &[u8]) -> String {
    format!(
        "{SOURCES_PREFIX}{:016x}{SOURCES_SUFFIX}",
        crate::content::hash_bytes(bytes)
    )
}

/// The name of the file of changes to a sources file holding `bytes`.
pub(super) fn changes_file_name(bytes: &[u8]) -> String {
    format!(
        "{SOURCES_PREFIX}{:016x}{CHANGES_SUFFIX}",
        crate::content::hash_bytes(bytes)
    )
}

/// A sources file, or a file of changes to one.
pub(super) fn is_sources_file(name: &str) -> bool {
    name.strip_prefix(SOURCES_PREFIX)
        .and_then(|rest| {
            rest.strip_suffix(CHANGES_SUFFIX)
                .or_else(|| rest.strip_suffix(SOURCES_SUFFIX))
                .or_else(|| rest.strip_suffix(OLD_SOURCES_SUFFIX))
        })
        .is_some_and(|hex| hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

pub(super) fn open_mmap(dir: &Path) -> Result<MmapDirectory> {
    MmapDirectory::open(dir).map_err(|e| match e {
        OpenDirectoryError::IoError { io_error, .. } => {
            read_error(dir, tantivy::TantivyError::IoError(io_error))
        }
        other => Error::Io {
            path: dir.to_owned(),
            source: std::io::Error::other(other.to_string()),
        },
    })
}

/// Whether `dir` holds files that Tantivy did not write.
pub(super) fn has_foreign_files(dir: &Path) -> Result<bool> {
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !is_index_file(&name) && !is_watch_dir(&entry) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Whether `entry` is a watcher's directory ([`WATCH_DIR`]): left in
/// place through a rebuild, as a live watcher may be listening in it.
pub(super) fn is_watch_dir(entry: &fs::DirEntry) -> bool {
    entry.file_name() == WATCH_DIR && entry.file_type().is_ok_and(|t| t.is_dir())
}

pub(super) fn is_index_file(name: &str) -> bool {
    matches!(name, "meta.json" | ".managed.json")
        || (name.starts_with(".tantivy-") && name.ends_with(".lock"))
        || is_sources_file(name)
        || is_temp_file(name)
        || is_segment_file(name)
}

/// A segment's file: 32 hex digits (the segment id), an optional delete
/// operation number, an extension.
pub(super) fn is_segment_file(name: &str) -> bool {
    let mut parts = name.split('.');
    let stem_ok = parts
        .next()
        .is_some_and(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit()));
    let rest: Vec<&str> = parts.collect();
    stem_ok
        && !rest.is_empty()
        && rest.len() <= 2
        && rest
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

/// A file an atomic write (of `meta.json` or a sources file) left behind
/// when the process died before renaming it: `.tmp` and six letters or
/// digits, as the `tempfile` crate names them.
pub(super) fn is_temp_file(name: &str) -> bool {
    name.strip_prefix(".tmp")
        .is_some_and(|rest| rest.len() == 6 && rest.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_files_are_recognised() {
        assert!(is_index_file("meta.json"));
        assert!(is_index_file(".tantivy-writer.lock"));
        assert!(is_index_file("0123456789abcdef0123456789abcdef.idx"));
        assert!(is_index_file("0123456789abcdef0123456789abcdef.12.del"));
        assert!(!is_index_file("notes.md"));
        assert!(!is_index_file("0123.idx"));
        assert!(is_index_file(".needle-sources-0123456789abcdef.bin"));
        assert!(is_index_file(".needle-sources-0123456789abcdef.json"));
        assert!(!is_index_file(".needle-sources-notes.json"));
        assert!(is_index_file(
            ".needle-sources-0123456789abcdef.changes.bin"
        ));
        assert!(!is_index_file(".needle-sources-0123456789abcdef.notes.bin"));
        assert!(is_index_file(".tmpA1b2C3"));
        assert!(!is_index_file(".tmp-notes"));
    }
}
