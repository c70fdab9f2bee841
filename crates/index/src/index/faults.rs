//! Storage faults: what a failed write or read of the index directory is
//! called (a full disk, a read-only directory, an I/O error, or a damaged
//! index: only the last is "damaged"), and how a failed write is undone so
//! that nothing it wrote stays behind.
//!
//! A reindex that fails rolls the writer back to the last commit, and
//! Tantivy's garbage collection removes the files of the uncommitted
//! segments (every file Tantivy writes is listed in its `.managed.json`
//! before it is created); needle's own files of the attempt (the sources
//! file) are removed by name from the [`StorageLog`](super::storage::StorageLog).
//! Files a crash or a failed cleanup left are swept when the index is next
//! opened by a process that can take the writer's lock.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use tantivy::TantivyError;
use tantivy::directory::error::{LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{Directory, INDEX_WRITER_LOCK};

use super::NeedleIndex;
use super::dir::{is_segment_file, is_temp_file};
use super::storage::{Fault, copy};
use crate::error::{Error, Result, StorageOp};

/// What kind of storage fault an operating system error is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultKind {
    /// No space left on the disk, or the user's quota used up.
    DiskFull,
    /// A read-only file system, or no permission to write.
    ReadOnly,
    /// Anything else: an I/O error of the disk.
    Io,
}

pub(crate) fn fault_kind(e: &io::Error) -> FaultKind {
    match e.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => FaultKind::DiskFull,
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied => FaultKind::ReadOnly,
        _ => FaultKind::Io,
    }
}

/// The error for `op` on `path` (in the index directory `dir`) failing
/// with `source`.
pub(crate) fn write_error(dir: &Path, path: &Path, op: StorageOp, source: io::Error) -> Error {
    from_fault(
        dir,
        Fault {
            path: path.to_owned(),
            op,
            error: source,
        },
        0,
    )
}

/// The error for a write of the index at `dir` that failed with `error`:
/// the fault the storage log recorded, else the I/O error inside `error`,
/// else `error` itself.
pub(crate) fn write_failure(dir: &Path, error: Error, fault: Option<Fault>, written: u64) -> Error {
    match fault.or_else(|| fault_in(&error)) {
        Some(fault) => from_fault(dir, fault, written),
        None => error,
    }
}

fn from_fault(dir: &Path, fault: Fault, written: u64) -> Error {
    let path = if fault.path.is_absolute() {
        fault.path
    } else {
        dir.join(&fault.path)
    };
    match fault_kind(&fault.error) {
        FaultKind::DiskFull => Error::DiskFull {
            dir: dir.to_owned(),
            path,
            op: fault.op,
            available: fs4::available_space(dir).ok(),
            written: (written > 0).then_some(written),
            source: fault.error,
        },
        FaultKind::ReadOnly => Error::ReadOnly {
            dir: dir.to_owned(),
            source: fault.error,
        },
        FaultKind::Io => Error::WriteFailed {
            dir: dir.to_owned(),
            path,
            op: fault.op,
            source: fault.error,
        },
    }
}

/// The I/O error inside a Tantivy error of a write, with its file and
/// operation as far as the error tells.
fn fault_in(error: &Error) -> Option<Fault> {
    let Error::Tantivy(e) = error else {
        return None;
    };
    let (path, op, io) = match e {
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, filepath }) => {
            (filepath.clone(), StorageOp::Create, io_error)
        }
        TantivyError::LockFailure(LockError::IoError(io_error), _) => (
            INDEX_WRITER_LOCK.filepath.clone(),
            StorageOp::Lock,
            io_error,
        ),
        TantivyError::IoError(io_error) => (PathBuf::from("."), StorageOp::Write, io_error),
        _ => return None,
    };
    Some(Fault {
        path,
        op,
        error: copy(io),
    })
}

/// The error for an index at `dir` that cannot be read: damaged only when
/// what Tantivy read is wrong (a bad checksum, a truncated file, an
/// unreadable `meta.json`, a missing file); an error of the operating
/// system (no permission, an I/O error of the disk) is said as it is, as
/// rebuilding would not help.
pub(crate) fn read_error(dir: &Path, e: TantivyError) -> Error {
    let io = match &e {
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            Some((dir.join(filepath), StorageOp::Create, io_error))
        }
        TantivyError::OpenWriteError(OpenWriteError::IoError { io_error, filepath }) => {
            Some((dir.join(filepath), StorageOp::Create, io_error))
        }
        TantivyError::LockFailure(LockError::IoError(io_error), _) => {
            Some((dir.to_owned(), StorageOp::Lock, io_error))
        }
        TantivyError::IoError(io_error) => Some((dir.to_owned(), StorageOp::Write, io_error)),
        _ => None,
    };
    // An I/O error without an OS error code is Tantivy's word for bad data
    // (a truncated file: "footer magic byte mismatch").
    let io = io.filter(|(_, _, io_error)| {
        io_error.raw_os_error().is_some() || fault_kind(io_error) != FaultKind::Io
    });
    match io {
        // Something that had to be written (a lock file) could not be.
        Some((path, op, io_error))
            if matches!(
                io_error.kind(),
                io::ErrorKind::ReadOnlyFilesystem
                    | io::ErrorKind::StorageFull
                    | io::ErrorKind::QuotaExceeded
            ) =>
        {
            write_error(dir, &path, op, copy(io_error))
        }
        Some((path, _, io_error)) => Error::Io {
            path,
            source: io::Error::new(
                io_error.kind(),
                format!(
                    "cannot read the index ({io_error}): needle needs read access to its index directory and files to search, and write access to update them; fix their permissions (or the disk), or use another index directory"
                ),
            ),
        },
        None => Error::Corrupt {
            dir: dir.to_owned(),
            source: e,
        },
    }
}

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
        let committed = self.committed_manifest().ok().and_then(|m| m.sources_file);
        for path in self.storage.unmanaged() {
            if committed.as_deref() != path.to_str() {
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
