//! [`NeedleIndex`]: one Tantivy index, its single writer and its single reader.
//!
//! Opening, creating and recreating the index, its settings, the writer,
//! the reader and the snapshot of the manifest a search sees are here; the
//! manifest and the sources file a commit names are in `manifest`, the
//! index directory (which files are needle's) in `dir`, the directory
//! Tantivy writes through (logging what it writes) in `storage`, and what
//! a storage fault is called and how a failed write is undone in `faults`.

mod dir;
mod faults;
mod handle;
mod manifest;
mod recovery;
mod sources;
mod storage;
#[cfg(test)]
mod tests;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, RamDirectory};
use tantivy::{Index, IndexWriter, ReloadPolicy, TantivyDocument, TantivyError};

use self::dir::{has_foreign_files, is_watch_dir, open_mmap};
use self::faults::{read_error, write_error, write_failure};
pub use self::handle::NeedleIndex;
pub(crate) use self::handle::Snapshot;
pub(crate) use self::manifest::{ArticleEntry, FileEntry, Manifest, SourceChanges, Sources};
pub(crate) use self::sources::{SourcesNames, changes_fit};
use self::storage::{StorageDirectory, StorageLog};
use crate::error::{Error, Result, StorageOp};
use crate::query::{Analyzers, Ranking};
use crate::schema::{SCHEMA_VERSION, build_schema, tokenizers};
use crate::synonyms::Synonyms;
use crate::tuning::Tuning;

/// Memory budget of the index writer, shared by its threads. Tantivy flushes
/// a segment to disk when its threads' buffers reach it.
pub const WRITER_MEMORY_BYTES: usize = 96 * 1024 * 1024;

/// The one directory an index directory may hold besides the index's own
/// files: a process serving the index (the `needle` program's watcher)
/// keeps its socket and sync tokens there. Opening, rebuilding and
/// recreating an index leave it in place; any other name that is not an
/// index file makes the directory "not a needle index".
pub const WATCH_DIR: &str = ".watch";

/// How the directory Tantivy reads and writes is made from the directory
/// on disk: as it is, or (in tests) wrapped to inject faults.
type Wrap<'a> = &'a dyn Fn(Box<dyn Directory>) -> Box<dyn Directory>;

fn as_is(directory: Box<dyn Directory>) -> Box<dyn Directory> {
    directory
}

impl NeedleIndex {
    /// Opens the index in `dir`, creating the directory and an empty index
    /// if there is none.
    ///
    /// An index written by another version of needle is deleted and
    /// recreated empty (a reindex fills it again): [`rebuilt`](Self::rebuilt)
    /// then says why.
    ///
    /// An index on a read-only file system (or in a directory the user may
    /// not write) opens, and can be searched; a reindex that has something
    /// to write then fails with [`Error::ReadOnly`]. Files a crash left
    /// (segments no commit names) are removed, unless another process is
    /// writing the index.
    ///
    /// # Errors
    /// - [`Error::NotAnIndex`] when `dir` holds something else;
    /// - [`Error::Corrupt`] when the index is damaged (recover with
    ///   [`recreate`](Self::recreate));
    /// - [`Error::Io`] when `dir` or its files cannot be read;
    /// - [`Error::ReadOnly`], [`Error::DiskFull`], [`Error::WriteFailed`]
    ///   when a new index cannot be created.
    pub fn open(dir: impl AsRef<Path>) -> Result<NeedleIndex> {
        Self::open_with(dir.as_ref(), &as_is)
    }

    fn open_with(dir: &Path, wrap: Wrap<'_>) -> Result<NeedleIndex> {
        if !dir.is_dir() {
            fs::create_dir_all(dir).map_err(|e| write_error(dir, dir, StorageOp::Create, e))?;
        }
        let storage = Arc::new(StorageLog::default());
        let directory =
            StorageDirectory::new(wrap(Box::new(open_mmap(dir)?)), Arc::clone(&storage));
        let exists = Index::exists(&directory).map_err(|e| read_error(dir, e.into()))?;
        if !exists {
            if has_foreign_files(dir)? {
                return Err(Error::NotAnIndex {
                    dir: dir.to_owned(),
                    reason: "the directory holds other files".to_owned(),
                });
            }
            return Self::create(dir, directory, storage, None);
        }
        let index = Index::open(directory).map_err(|e| read_error(dir, e))?;
        let metas = index.load_metas().map_err(|e| read_error(dir, e))?;
        let (schema, _) = build_schema();
        let manifest = Manifest::from_payload(metas.payload.as_deref());
        match manifest {
            Some(m) if m.needle == SCHEMA_VERSION && index.schema() == schema => {
                let this = Self::from_index(index, Some(dir.to_owned()), None, storage)?;
                this.check_segments().map_err(|e| read_error(dir, e))?;
                for name in [&m.sources_file, &m.sources_changes].into_iter().flatten() {
                    if !dir.join(name).is_file() {
                        return Err(this.sources_damaged(name, "the file is missing"));
                    }
                }
                this.sweep_leftovers();
                Ok(this)
            }
            Some(m) => {
                drop(index);
                let reason = format!(
                    "the index was built by another version of needle (index format {}, this needle uses {}); it was rebuilt from the content",
                    m.needle, SCHEMA_VERSION
                );
                Self::recreate_with_reason(dir, wrap, Some(reason))
            }
            None if index.schema() == schema && metas.segments.is_empty() => {
                Self::from_index(index, Some(dir.to_owned()), None, storage)
            }
            None => Err(Error::NotAnIndex {
                dir: dir.to_owned(),
                reason: "it is a search index, but not one needle wrote".to_owned(),
            }),
        }
    }

    /// Deletes whatever index is in `dir` and creates an empty one: the way
    /// to recover a damaged index (then reindex with `force`).
    ///
    /// # Errors
    /// [`Error::NotAnIndex`] when `dir` holds files that are not index files
    /// (nothing is deleted then); [`Error::ReadOnly`] or
    /// [`Error::WriteFailed`] when they cannot be deleted, and the errors
    /// of creating an index ([`open`](Self::open)).
    pub fn recreate(dir: impl AsRef<Path>) -> Result<NeedleIndex> {
        Self::recreate_with_reason(dir.as_ref(), &as_is, None)
    }

    fn recreate_with_reason(
        dir: &Path,
        wrap: Wrap<'_>,
        reason: Option<String>,
    ) -> Result<NeedleIndex> {
        if !dir.is_dir() {
            fs::create_dir_all(dir).map_err(|e| write_error(dir, dir, StorageOp::Create, e))?;
        }
        if has_foreign_files(dir)? {
            return Err(Error::NotAnIndex {
                dir: dir.to_owned(),
                reason: "the directory holds files that are not index files, so needle will not delete them".to_owned(),
            });
        }
        for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
            let entry = entry.map_err(|e| Error::io(dir, e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(".lock") || is_watch_dir(&entry) {
                continue;
            }
            fs::remove_file(entry.path())
                .map_err(|e| write_error(dir, &entry.path(), StorageOp::Delete, e))?;
        }
        let storage = Arc::new(StorageLog::default());
        let directory =
            StorageDirectory::new(wrap(Box::new(open_mmap(dir)?)), Arc::clone(&storage));
        Self::create(dir, directory, storage, reason)
    }

    /// Creates an empty index in `directory`, which has none.
    fn create(
        dir: &Path,
        directory: StorageDirectory,
        storage: Arc<StorageLog>,
        rebuilt: Option<String>,
    ) -> Result<NeedleIndex> {
        let (schema, _) = build_schema();
        let index = Index::builder()
            .schema(schema)
            .tokenizers(tokenizers())
            .open_or_create(directory)
            .map_err(|e| write_failure(dir, e.into(), storage.take_fault(), 0))?;
        Self::from_index(index, Some(dir.to_owned()), rebuilt, storage)
    }

    /// An index in memory, for tests and short-lived programs.
    ///
    /// # Errors
    /// Only if Tantivy fails to set up the index.
    pub fn in_memory() -> Result<NeedleIndex> {
        let (schema, _) = build_schema();
        let storage = Arc::new(StorageLog::default());
        let directory =
            StorageDirectory::new(Box::new(RamDirectory::create()), Arc::clone(&storage));
        let index = Index::builder()
            .schema(schema)
            .tokenizers(tokenizers())
            .open_or_create(directory)?;
        Self::from_index(index, None, None, storage)
    }

    fn from_index(
        mut index: Index,
        dir: Option<PathBuf>,
        rebuilt: Option<String>,
        storage: Arc<StorageLog>,
    ) -> Result<NeedleIndex> {
        index.set_tokenizers(tokenizers());
        let (_, fields) = build_schema();
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()
            .map_err(|e| match &dir {
                Some(d) => read_error(d, e),
                None => Error::Tantivy(e),
            })?;
        let this = NeedleIndex {
            index,
            fields,
            reader,
            writer: Mutex::new(None),
            dir,
            rebuilt,
            ranking: Ranking::default(),
            tuning: Tuning::default(),
            analyzers: Analyzers::new(),
            snapshot: RwLock::new(Arc::new(Snapshot {
                generation: u64::MAX,
                manifest: Manifest::default(),
                synonyms: Synonyms::default(),
            })),
            caches: Arc::default(),
            storage,
            last_sources: Mutex::new(None),
        };
        this.refresh_snapshot(&this.reader.searcher())?;
        Ok(this)
    }

    /// Replaces the ranking constants (see [`Ranking`]); the defaults are
    /// what needle ships with.
    pub fn set_ranking(&mut self, ranking: Ranking) {
        self.ranking = ranking;
    }

    /// The ranking constants in use.
    #[must_use]
    pub fn ranking(&self) -> Ranking {
        self.ranking
    }

    /// Replaces the performance settings (see [`Tuning`]): they change how
    /// fast searches run, never what they find.
    pub fn set_tuning(&mut self, tuning: Tuning) {
        self.tuning = tuning;
    }

    /// The performance settings in use.
    #[must_use]
    pub fn tuning(&self) -> Tuning {
        self.tuning
    }

    /// Opens every part of every segment (Tantivy opens some lazily, at the
    /// first search that needs them), so that a damaged index is reported
    /// as damaged when it is opened, not as an odd error in a search.
    fn check_segments(&self) -> tantivy::Result<()> {
        let searcher = self.reader.searcher();
        let schema = self.index.schema();
        for segment in searcher.segment_readers() {
            for (field, entry) in schema.fields() {
                if entry.is_indexed() {
                    segment.inverted_index(field)?;
                }
            }
            segment.get_store_reader(0)?;
        }
        Ok(())
    }

    /// The directory of an on-disk index; `None` in memory.
    #[must_use]
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Why the index was rebuilt when it was opened (an index from another
    /// version of needle), if it was. The index is empty until a reindex.
    #[must_use]
    pub fn rebuilt(&self) -> Option<&str> {
        self.rebuilt.as_deref()
    }

    pub(crate) fn dir_display(&self) -> PathBuf {
        self.dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("<memory>"))
    }

    fn lock_writer(&self) -> MutexGuard<'_, Option<IndexWriter>> {
        self.writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The writer, created on first use and kept for the life of the index.
    pub(crate) fn writer(&self) -> Result<MutexGuard<'_, Option<IndexWriter>>> {
        let mut guard = self.lock_writer();
        if guard.is_none() {
            let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
            let writer = self
                .index
                .writer_with_num_threads(threads, WRITER_MEMORY_BYTES.max(threads * 20_000_000))
                .map_err(|e| match e {
                    TantivyError::LockFailure(LockError::LockBusy, _) => Error::Locked {
                        dir: self.dir_display(),
                    },
                    other => Error::Tantivy(other),
                })?;
            // A writer killed before its commit leaves files behind, and the
            // next commit may need one of their names (a deletes file is named
            // by segment and operation number, which restart from the last
            // commit): it failed with FileAlreadyExists. Remove the files no
            // commit uses before writing anything.
            writer.garbage_collect_files().wait()?;
            *guard = Some(writer);
        }
        Ok(guard)
    }

    /// The manifest of the newest commit this process's reader has loaded.
    pub(crate) fn snapshot(&self, searcher: &tantivy::Searcher) -> Result<Arc<Snapshot>> {
        {
            let snap = self
                .snapshot
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if snap.generation == searcher.generation().generation_id() {
                return Ok(Arc::clone(&snap));
            }
        }
        self.refresh_snapshot(searcher)
    }

    fn refresh_snapshot(&self, searcher: &tantivy::Searcher) -> Result<Arc<Snapshot>> {
        let metas = self.index.load_metas()?;
        let manifest = Manifest::from_payload(metas.payload.as_deref()).unwrap_or_default();
        let synonyms = if manifest.synonyms.is_empty() {
            Synonyms::default()
        } else {
            Synonyms::from_toml(&manifest.synonyms).unwrap_or_default()
        };
        let snap = Arc::new(Snapshot {
            generation: searcher.generation().generation_id(),
            manifest,
            synonyms,
        });
        *self
            .snapshot
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::clone(&snap);
        Ok(snap)
    }

    /// Moves this handle's reader to the newest commit now, for example
    /// one another process just made (the reader also follows commits on
    /// its own, after a short delay).
    ///
    /// # Errors
    /// When the newest commit cannot be read.
    pub fn reload(&self) -> Result<()> {
        self.reader.reload()?;
        self.refresh_snapshot(&self.reader.searcher())?;
        Ok(())
    }

    /// Waits for background merges and releases the writer (and its lock).
    /// Call it before a process that reindexed exits, so merges finish.
    ///
    /// # Errors
    /// When a merge thread failed.
    pub fn close(&self) -> Result<()> {
        let writer = self.lock_writer().take();
        if let Some(writer) = writer {
            let merged = writer.wait_merging_threads();
            // A merge that failed (a full disk) leaves its files: the
            // commits are whole, so they are only garbage.
            self.sweep_leftovers();
            merged?;
        }
        Ok(())
    }

    pub(crate) fn doc(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
    ) -> Result<TantivyDocument> {
        Ok(searcher.doc::<TantivyDocument>(addr)?)
    }
}
