//! The manifest stored with every commit, and the sources file it names
//! (the source files and their articles, which only a reindex reads).

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tantivy::directory::error::OpenReadError;
use tantivy::{Directory, TantivyError};

use super::NeedleIndex;
use super::dir::{is_sources_file, is_temp_file, sources_file_name};
use super::faults::{read_error, write_error};
use crate::content::TopicDef;
use crate::error::{Error, Result, StorageOp};

/// What a search needs to know of the index's content, stored with every
/// commit (as the commit payload, inside Tantivy's `meta.json`), so that a
/// reader always sees the manifest of the passages it searches.
///
/// It is kept small: the list of source files, which only a reindex (and
/// [`NeedleIndex::articles`]) reads, is in a file of its own beside the
/// index files, named by the hash of its contents; the manifest names it.
/// Searching never reads that list, so opening an index of 10,000 files does
/// not parse a megabyte of JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Manifest {
    /// The schema version that wrote this index.
    pub needle: u32,
    /// Hash of the content's configuration files.
    pub config_hash: u64,
    /// Topic definitions (labels, display order).
    #[serde(default)]
    pub topics: Vec<TopicDef>,
    /// The synonyms file's text, applied at query time.
    #[serde(default)]
    pub synonyms: String,
    /// The file listing the source files ([`Sources`]), in the index
    /// directory; `None` before the first commit.
    #[serde(default)]
    pub sources_file: Option<String>,
    /// How many articles the sources hold.
    #[serde(default)]
    pub articles: usize,
    /// The stat fingerprint of the sources (paths, sizes, modification
    /// times), when they are all the content had: a reindex whose scan has
    /// the same fingerprint has nothing to do, and reads no sources file.
    #[serde(default)]
    pub fingerprint: Option<u64>,
}

/// The source files of a commit, by path relative to the content root.
pub(crate) type Sources = BTreeMap<String, FileEntry>;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct FileEntry {
    pub size: u64,
    pub mtime: Option<u64>,
    pub hash: u64,
    pub articles: Vec<ArticleEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub(crate) struct ArticleEntry {
    pub id: String,
    pub title: String,
    pub hash: u64,
    pub passages: u32,
    /// The article's url (front matter), if any.
    pub url: Option<String>,
}

impl Manifest {
    pub fn from_payload(payload: Option<&str>) -> Option<Manifest> {
        serde_json::from_str(payload?).ok()
    }
}

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
