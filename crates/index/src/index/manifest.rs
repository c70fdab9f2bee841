//! The manifest stored with every commit, and the sources file it names
//! (the source files and their articles, which only a reindex reads): what
//! they hold. Reading and writing the sources file is in `sources`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::content::TopicDef;

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
    /// The file of changes to `sources_file` since it was written
    /// ([`SourceChanges`]), when the commit changed a few files: the list
    /// of every file is not written again for each of them.
    #[serde(default)]
    pub sources_changes: Option<String>,
    /// How many articles the sources hold.
    #[serde(default)]
    pub articles: usize,
    /// The stat fingerprint of the sources (paths, sizes, modification
    /// times), when they are all the content had: a reindex whose scan has
    /// the same fingerprint has nothing to do, and reads no sources file.
    #[serde(default)]
    pub fingerprint: Option<u64>,
    /// The last walk found no file of several names (a symbolic link to it
    /// or on its way, a hard link): each change is seen at the path it was
    /// made at, so a reindex of the paths a watcher saw change is exact.
    /// When false (or unknown), that reindex walks.
    #[serde(default)]
    pub exact_paths: bool,
}

/// The source files of a commit, by path relative to the content root.
pub(crate) type Sources = BTreeMap<String, FileEntry>;

/// Changes to a list of sources: each path's new entry, or `None` for a
/// file that is gone.
pub(crate) type SourceChanges = BTreeMap<String, Option<FileEntry>>;

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
