//! The list of source files a commit names: read, written before the
//! commit, and the stale ones removed after it (see `manifest` for what it
//! holds).
//!
//! The list of every file is one file; a commit that changes a few files
//! writes only their new entries, in a file of changes beside it, until the
//! changes grow past a sixteenth of the list and the whole list is written
//! again. A process keeps the list it last committed in memory, so that
//! its next reindex reads neither file.

use std::fs;
use std::path::Path;
use std::sync::PoisonError;

use serde::de::DeserializeOwned;
use tantivy::directory::error::OpenReadError;
use tantivy::{Directory, TantivyError};

use super::dir::{changes_file_name, is_sources_file, is_temp_file, sources_file_name};
use super::faults::{read_error, write_error};
use super::handle::NeedleIndex;
use super::manifest::{FileEntry, Manifest, SourceChanges, Sources};
use crate::error::{Error, Result, StorageOp};

/// The changes are written on their own while they are at most this
/// fraction of the list (a sixteenth).
const CHANGES_SHARE: usize = 16;

/// Whether `changes` entries are few enough, in a list of `files`, to be
/// written on their own.
pub(crate) fn changes_fit(changes: usize, files: usize) -> bool {
    changes <= files / CHANGES_SHARE
}

/// The list of sources a commit names, as this process committed it.
#[derive(Debug)]
pub(crate) struct KeptSources {
    /// The names of its files, as the manifest has them.
    names: (Option<String>, Option<String>),
    files: Sources,
    changes: SourceChanges,
}

/// The files a commit names for its list of sources: the list, and the
/// changes to it, if any.
pub(crate) type SourcesNames = (String, Option<String>);

impl NeedleIndex {
    /// The manifest of the last commit, read from disk (the writer's view,
    /// which may be newer than the reader's), without its sources.
    pub(crate) fn committed_manifest(&self) -> Result<Manifest> {
        let metas = self.index.load_metas()?;
        Ok(Manifest::from_payload(metas.payload.as_deref()).unwrap_or_default())
    }

    /// The source files a manifest names (none before the first commit).
    pub(crate) fn read_sources(&self, manifest: &Manifest) -> Result<Sources> {
        self.load_sources(manifest).map(|(files, _)| files)
    }

    /// The source files a manifest names, and the changes since its list
    /// of every file was written.
    fn load_sources(&self, manifest: &Manifest) -> Result<(Sources, SourceChanges)> {
        let Some(name) = &manifest.sources_file else {
            return Ok((Sources::new(), SourceChanges::new()));
        };
        // Read as the pairs it is written as (postcard writes a map as a
        // sequence of pairs): built from sorted pairs at once, a map of
        // 100,000 files costs a third less than inserted one by one.
        let pairs: Vec<(String, FileEntry)> = self.read_postcard(name)?;
        let mut files: Sources = pairs.into_iter().collect();
        let changes: SourceChanges = match &manifest.sources_changes {
            Some(name) => self.read_postcard(name)?,
            None => SourceChanges::new(),
        };
        for (rel, entry) in &changes {
            match entry {
                Some(entry) => files.insert(rel.clone(), entry.clone()),
                None => files.remove(rel),
            };
        }
        Ok((files, changes))
    }

    fn read_postcard<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        let bytes = self
            .index
            .directory()
            .atomic_read(Path::new(name))
            .map_err(|e| match e {
                // The disk or the permissions, not the file.
                OpenReadError::IoError { .. } => read_error(&self.dir_display(), e.into()),
                e => self.sources_damaged(name, &e.to_string()),
            })?;
        postcard::from_bytes(&bytes).map_err(|e| self.sources_damaged(name, &e.to_string()))
    }

    /// The source files a manifest names, and the changes since its list
    /// of every file, for a reindex to change: those this process last
    /// committed, kept in memory, when the manifest names them (a file's
    /// name is the hash of its contents); else read from disk. Give them
    /// back with [`keep_sources`](Self::keep_sources) once committed (or
    /// found unchanged).
    pub(crate) fn take_sources(&self, manifest: &Manifest) -> Result<(Sources, SourceChanges)> {
        let kept = self
            .last_sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match kept {
            Some(kept)
                if manifest.sources_file.is_some()
                    && kept.names
                        == (
                            manifest.sources_file.clone(),
                            manifest.sources_changes.clone(),
                        ) =>
            {
                Ok((kept.files, kept.changes))
            }
            _ => self.load_sources(manifest),
        }
    }

    /// Keeps `files` and `changes`, the sources the files `names` hold, for
    /// the next reindex of this process.
    pub(crate) fn keep_sources(
        &self,
        names: (Option<String>, Option<String>),
        files: Sources,
        changes: SourceChanges,
    ) {
        *self
            .last_sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(KeptSources {
            names,
            files,
            changes,
        });
    }

    pub(super) fn sources_damaged(&self, name: &str, why: &str) -> Error {
        Error::Corrupt {
            dir: self.dir_display(),
            source: TantivyError::InternalError(format!(
                "its list of source files, {name}, cannot be read: {why}"
            )),
        }
    }

    /// Writes the files a commit will name for its list of sources, and
    /// returns their names: only `changes` (every change since `base` was
    /// written) beside `base` while they are few, else the whole list of
    /// `files`. Written before the commit, they are in place when a reader
    /// sees it; a crash before the commit leaves unused files, removed
    /// later.
    pub(crate) fn write_sources(
        &self,
        base: Option<&str>,
        files: &Sources,
        changes: Option<&SourceChanges>,
    ) -> Result<SourcesNames> {
        if let (Some(base), Some(changes)) = (base, changes)
            && changes_fit(changes.len(), files.len())
        {
            if changes.is_empty() {
                return Ok((base.to_owned(), None));
            }
            let name = self.write_postcard(changes, changes_file_name)?;
            return Ok((base.to_owned(), Some(name)));
        }
        Ok((self.write_postcard(files, sources_file_name)?, None))
    }

    fn write_postcard<T: serde::Serialize>(
        &self,
        value: &T,
        name_of: fn(&[u8]) -> String,
    ) -> Result<String> {
        let bytes = postcard::to_stdvec(value).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let name = name_of(&bytes);
        let path = Path::new(&name);
        let directory = self.index.directory();
        if !directory.exists(path).unwrap_or(false) {
            directory
                .atomic_write(path, &bytes)
                .map_err(|e| write_error(&self.dir_display(), path, StorageOp::Replace, e))?;
        }
        Ok(name)
    }

    /// After a commit: removes the sources files no commit needs any more
    /// (all but those of the new commit, `new`, and of the one before it,
    /// `previous`, which another process's reader may still be on), and
    /// temporary files left by a crash. Only called with the writer's lock
    /// held; failures are harmless (the files go at the next commit).
    pub(crate) fn remove_stale_sources(&self, new: &SourcesNames, previous: &Manifest) {
        let needed = |name: &str| {
            name == new.0
                || new.1.as_deref() == Some(name)
                || previous.sources_file.as_deref() == Some(name)
                || previous.sources_changes.as_deref() == Some(name)
        };
        let Some(dir) = &self.dir else {
            // In memory no other process reads the index.
            for name in [&previous.sources_file, &previous.sources_changes]
                .into_iter()
                .flatten()
            {
                if name != &new.0 && new.1.as_ref() != Some(name) {
                    let _ = self.index.directory().delete(Path::new(name));
                }
            }
            return;
        };
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if (is_sources_file(&name) && !needed(&name)) || is_temp_file(&name) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
