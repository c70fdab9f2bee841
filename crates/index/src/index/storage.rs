//! The directory an on-disk index is opened on: Tantivy's memory-mapped
//! directory, wrapped to keep a log of what was written.
//!
//! Tantivy reports a write that failed in an indexing thread as "an index
//! writer was killed", without the error; a failed commit as an I/O error
//! without the file. The log keeps the first write that failed since the
//! last [`StorageLog::reset`] (which file, which operation, which error),
//! the bytes written, and the files written outside Tantivy's bookkeeping
//! (needle's own, such as the sources file), so that a failed reindex can
//! say "no space left while writing X" and remove what it wrote
//! (`faults`).
//!
//! It also lets an index be read where it cannot be written: a reader takes
//! Tantivy's meta lock (a lock file) while it opens segments, so that a
//! writer's garbage collection does not delete them meanwhile. Where the
//! lock file cannot be created (a read-only file system, a directory the
//! user may not write, a full disk), no writer can collect garbage either,
//! so the reader goes on without it.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, FileSlice, Lock, META_LOCK,
    TerminatingWrite, WatchCallback, WatchHandle, WritePtr,
};

use super::faults::{Fault, FaultKind, copy, fault_kind};
use crate::error::StorageOp;

/// What was written through a [`StorageDirectory`] since the last reset.
#[derive(Debug, Default)]
pub(crate) struct StorageLog {
    fault: Mutex<Option<Fault>>,
    written: AtomicU64,
    /// Files written whole outside Tantivy's bookkeeping (names starting
    /// with a dot, which its garbage collection never deletes).
    unmanaged: Mutex<Vec<PathBuf>>,
}

impl StorageLog {
    /// Forgets everything: called as a reindex starts.
    pub fn reset(&self) {
        *lock(&self.fault) = None;
        lock(&self.unmanaged).clear();
        self.written.store(0, Ordering::Relaxed);
    }

    /// The first write that failed since the reset, taken out of the log.
    pub fn take_fault(&self) -> Option<Fault> {
        lock(&self.fault).take()
    }

    /// Bytes written since the reset.
    pub fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// The unmanaged files written since the reset.
    pub fn unmanaged(&self) -> Vec<PathBuf> {
        lock(&self.unmanaged).clone()
    }

    fn record(&self, path: &Path, op: StorageOp, error: &io::Error) {
        let mut fault = lock(&self.fault);
        if fault.is_none() {
            *fault = Some(Fault {
                path: path.to_owned(),
                op,
                error: copy(error),
            });
        }
    }

    fn wrote(&self, bytes: usize) {
        self.written.fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A directory that logs its writes into a [`StorageLog`] (see the module
/// docs). Clones share the log.
#[derive(Debug, Clone)]
pub(crate) struct StorageDirectory {
    inner: Box<dyn Directory>,
    log: Arc<StorageLog>,
}

impl StorageDirectory {
    pub fn new(inner: Box<dyn Directory>, log: Arc<StorageLog>) -> Self {
        StorageDirectory { inner, log }
    }
}

impl Directory for StorageDirectory {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.inner.delete(path).inspect_err(|e| {
            if let DeleteError::IoError { io_error, .. } = e {
                self.log.record(path, StorageOp::Delete, io_error);
            }
        })
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        let writer = self.inner.open_write(path).inspect_err(|e| {
            if let OpenWriteError::IoError { io_error, .. } = e {
                self.log.record(path, StorageOp::Create, io_error);
            }
        })?;
        // Unwrap the inner directory's buffer (empty: nothing was written),
        // so that every write reaches the file through this one.
        let inner = writer.into_inner().map_err(|e| {
            let error = e.into_error();
            self.log.record(path, StorageOp::Write, &error);
            OpenWriteError::wrap_io_error(error, path.to_owned())
        })?;
        Ok(io::BufWriter::new(Box::new(LoggedWrite {
            inner,
            path: path.to_owned(),
            log: Arc::clone(&self.log),
        })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        // Tantivy lists the files it writes in `.managed.json` (written
        // here too), except those whose name starts with a dot.
        let unmanaged = path
            .to_str()
            .is_some_and(|p| p.starts_with('.') && p != ".managed.json");
        if unmanaged {
            // Logged before the write: a failed write may leave it half done.
            lock(&self.log.unmanaged).push(path.to_owned());
        }
        self.inner
            .atomic_write(path, data)
            .inspect(|()| self.log.wrote(data.len()))
            .inspect_err(|e| self.log.record(path, StorageOp::Replace, e))
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner
            .sync_directory()
            .inspect_err(|e| self.log.record(Path::new("."), StorageOp::SyncDirectory, e))
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.inner.acquire_lock(lock) {
            Err(LockError::IoError(io_error)) => {
                let cannot_write = matches!(
                    fault_kind(&io_error),
                    FaultKind::ReadOnly | FaultKind::DiskFull
                );
                if lock.filepath == META_LOCK.filepath && cannot_write {
                    // A reader's lock where nothing can write (module docs).
                    return Ok(DirectoryLock::from(Box::new(())));
                }
                self.log.record(&lock.filepath, StorageOp::Lock, &io_error);
                Err(LockError::IoError(io_error))
            }
            other => other,
        }
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

/// A file being written, logging its bytes and its failures.
struct LoggedWrite {
    inner: Box<dyn TerminatingWrite + Send + Sync>,
    path: PathBuf,
    log: Arc<StorageLog>,
}

impl Write for LoggedWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.inner
            .write(buf)
            .inspect(|n| self.log.wrote(*n))
            .inspect_err(|e| self.log.record(&self.path, StorageOp::Write, e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner
            .flush()
            .inspect_err(|e| self.log.record(&self.path, StorageOp::Write, e))
    }
}

impl TerminatingWrite for LoggedWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.inner
            .terminate_ref(token)
            .inspect_err(|e| self.log.record(&self.path, StorageOp::Sync, e))
    }
}
