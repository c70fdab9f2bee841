//! The list of source files a commit names: read, written before the
//! commit, and the stale ones removed after it (see `manifest` for what it
//! holds).

use std::fs;
use std::path::Path;
use std::sync::PoisonError;

use tantivy::directory::error::OpenReadError;
use tantivy::{Directory, TantivyError};

use super::dir::{is_sources_file, is_temp_file, sources_file_name};
use super::faults::{read_error, write_error};
use super::handle::NeedleIndex;
use super::manifest::{Manifest, Sources};
use crate::error::{Error, Result, StorageOp};

impl NeedleIndex {
    /// The manifest of the last commit, read from disk (the writer's view,
    /// which may be newer than the reader's), without its sources.
    pub(crate) fn committed_manifest(&self) -> Result<Manifest> {
        let metas = self.index.load_metas()?;
        Ok(Manifest::from_payload(metas.payload.as_deref()).unwrap_or_default())
    }

    /// The source files a manifest names (none before the first commit).
    pub(crate) fn read_sources(&self, manifest: &Manifest) -> Result<Sources> {
        let Some(name) = &manifest.sources_file else {
            return Ok(Sources::new());
        };
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

    /// The source files a manifest names, for a reindex to change: those
    /// this process last committed, kept in memory, when the manifest
    /// names them (the file's name is the hash of its contents); else read
    /// from disk. Give them back with [`keep_sources`](Self::keep_sources)
    /// once committed (or found unchanged).
    pub(crate) fn take_sources(&self, manifest: &Manifest) -> Result<Sources> {
        let kept = self
            .last_sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match (kept, &manifest.sources_file) {
            (Some((name, sources)), Some(wanted)) if name == *wanted => Ok(sources),
            _ => self.read_sources(manifest),
        }
    }

    /// Keeps `sources`, the contents of the sources file `name`, for the
    /// next reindex of this process.
    pub(crate) fn keep_sources(&self, name: String, sources: Sources) {
        *self
            .last_sources
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some((name, sources));
    }

    pub(super) fn sources_damaged(&self, name: &str, why: &str) -> Error {
        Error::Corrupt {
            dir: self.dir_display(),
            source: TantivyError::InternalError(format!(
                "its list of source files, {name}, cannot be read: {why}"
            )),
        }
    }

    /// Writes the sources file a commit will name, and returns its name.
    /// Written before the commit, it is in place when a reader sees it; a
    /// crash before the commit leaves an unused file, removed later.
    pub(crate) fn write_sources(&self, sources: &Sources) -> Result<String> {
        let bytes =
            postcard::to_stdvec(sources).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let name = sources_file_name(&bytes);
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
    /// (all but the new one and the one before it, which another process's
    /// reader may still be on), and temporary files left by a crash. Only
    /// called with the writer's lock held; failures are harmless (the files
    /// go at the next commit).
    pub(crate) fn remove_stale_sources(&self, new: &str, previous: Option<&str>) {
        let Some(dir) = &self.dir else {
            // In memory no other process reads the index.
            if let Some(previous) = previous.filter(|p| *p != new) {
                let _ = self.index.directory().delete(Path::new(previous));
            }
            return;
        };
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let stale_sources =
                is_sources_file(&name) && name != new && Some(name.as_str()) != previous;
            if stale_sources || is_temp_file(&name) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}
