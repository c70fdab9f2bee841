//! How a failed write is undone, so that nothing it wrote stays behind.
//!
//! A reindex that fails rolls the writer back to the last commit, and
//! Tantivy's garbage collection removes the files of the uncommitted
//! segments (every file Tantivy writes is listed in its `.managed.json`
//! before it is created); needle's own files of the attempt (the sources
//! file) are removed by name from the [`StorageLog`](super::storage::StorageLog),
//! once Tantivy's indexing threads stopped writing.
//! Files a crash or a failed cleanup left are swept when the index is next
//! opened by a process that can take the writer's lock.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, INDEX_WRITER_LOCK};

use super::dir::{is_segment_file, is_temp_file};
use super::faults::{copy, write_error, write_failure};
use super::handle::NeedleIndex;
use crate::error::{Error, Result, StorageOp};

impl NeedleIndex {
    /// Starts a new record of what is written: called as a reindex starts.
    pub(crate) fn begin_write(&self) {
        self.storage.reset();
    }

    /// After a reindex failed with `e`: rolls back what it wrote and
    /// removes its files, then says what failed (see the module docs).
    pub(crate) fn failed_write(&self, e: Error) -> Error {
        let fault = self.storage.take_fault();
        let written = self.storage.written();
        if fault.is_some() || written > 0 {
            self.discard_uncommitted();
        }
        write_failure(&self.dir_display(), e, fault, written)
    }

    /// Rolls the writer back to the last commit and removes the files
    /// written since.
    fn discard_uncommitted(&self) {
        // Indexing threads may still be writing (see `storage`): their
        // files would be left behind if removed before they are done.
        self.storage
            .wait_until_quiet(Duration::from_millis(100), Duration::from_secs(30));
        let mut guard = self.lock_writer();
        if let Some(writer) = guard.as_mut() {
            let rolled_back = writer.rollback().is_ok();
            if rolled_back {
                let _ = writer.garbage_collect_files().wait();
                self.remove_unreferenced();
            } else {
                // A fresh writer collects the garbage as it starts.
                *guard = None;
                drop(guard);
                if self.writer().is_ok() {
                    self.remove_unreferenced();
                }
            }
        }
        let committed = self.committed_manifest().unwrap_or_default();
        let committed = [committed.sources_file, committed.sources_changes];
        for path in self.storage.unmanaged() {
            if !committed
                .iter()
                .flatten()
                .any(|name| path.to_str() == Some(name))
            {
                let _ = self.index.directory().delete(&path);
            }
        }
    }

    /// Removes the files no commit uses (left by a crash, or by a failed
    /// write whose cleanup failed too), unless another process is writing
    /// the index (its uncommitted files are not garbage) or it cannot be
    /// written. Called where this process has no writer (opening, closing).
    pub(crate) fn sweep_leftovers(&self) {
        if self.lock_writer().is_some() || !self.has_leftovers() {
            return;
        }
        // A new writer collects Tantivy's garbage as it starts.
        if self.writer().is_ok() {
            self.remove_unreferenced();
        }
        // Release the lock: this process may only be reading.
        self.lock_writer().take();
    }

    /// The segment files the last commit does not name, and temporary
    /// files, in the index directory.
    fn unreferenced(&self) -> Vec<PathBuf> {
        let Some(dir) = &self.dir else {
            return Vec::new();
        };
        let (Ok(metas), Ok(entries)) = (self.index.load_metas(), fs::read_dir(dir)) else {
            return Vec::new();
        };
        let living = metas.list_segment_files();
        entries
            .flatten()
            .filter(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                is_temp_file(&name)
                    || (is_segment_file(&name) && !living.contains(Path::new(&name)))
            })
            .map(|entry| entry.path())
            .collect()
    }

    fn has_leftovers(&self) -> bool {
        !self.unreferenced().is_empty()
    }

    /// Removes [`unreferenced`](Self::unreferenced) files, which Tantivy's
    /// garbage collection may not know (a crash before it listed them).
    /// Only with a writer that has nothing uncommitted: then no file the
    /// last commit does not name is in use.
    fn remove_unreferenced(&self) {
        for path in self.unreferenced() {
            let _ = fs::remove_file(path);
        }
    }

    /// Whether the index can be updated: an on-disk index whose directory
    /// can be written (its writer's lock file can be taken, or another
    /// process holds it). Searching needs no writing; use this before work
    /// that must write.
    ///
    /// # Errors
    /// [`Error::ReadOnly`] on a read-only file system or a directory the
    /// user may not write; [`Error::DiskFull`] or [`Error::WriteFailed`]
    /// when the lock file cannot be created for another reason.
    pub fn check_writable(&self) -> Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        match self.index.directory().acquire_lock(&INDEX_WRITER_LOCK) {
            Ok(_) | Err(LockError::LockBusy) => Ok(()),
            Err(LockError::IoError(io_error)) => Err(write_error(
                dir,
                &INDEX_WRITER_LOCK.filepath,
                StorageOp::Lock,
                copy(&io_error),
            )),
        }
    }
}
