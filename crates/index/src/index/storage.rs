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
//!
//! And it counts the files being written, so that the cleanup after a
//! failed reindex can wait until Tantivy's threads stopped writing
//! ([`StorageLog::wait_until_quiet`]): when one indexing thread fails,
//! Tantivy's `prepare_commit` returns its error without joining the other
//! threads, which go on writing their segments (and `.managed.json`) after
//! the error reached needle.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

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
    /// Files being written, and when a write last started or ended.
    activity: Mutex<Activity>,
    /// Notified when a write ends.
    ended: Condvar,
}

#[derive(Debug, Default)]
struct Activity {
    open: usize,
    last: Option<Instant>,
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

    /// Waits until no file is being written and none was for `quiet`, or
    /// until `limit` has passed: after a failed reindex, before its files
    /// are removed (see the module docs). A thread that goes on writing
    /// holds a file open for the whole of a segment, so a quiet directory
    /// means that the threads are done.
    pub fn wait_until_quiet(&self, quiet: Duration, limit: Duration) {
        let deadline = Instant::now() + limit;
        let mut activity = lock(&self.activity);
        loop {
            let now = Instant::now();
            let quiet_since = match activity.last {
                Some(last) if activity.open == 0 => now.saturating_duration_since(last),
                None if activity.open == 0 => return,
                _ => Duration::ZERO,
            };
            if quiet_since >= quiet || now >= deadline {
                return;
            }
            let wait = (quiet - quiet_since).min(deadline - now);
            activity = self
                .ended
                .wait_timeout(activity, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// A write starts; the returned token ends it when dropped.
    fn start_write(self: &Arc<Self>) -> Writing {
        let mut activity = lock(&self.activity);
        activity.open += 1;
        activity.last = Some(Instant::now());
        Writing(Arc::clone(self))
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

/// A write in progress, as [`StorageLog::start_write`] counts it.
#[derive(Debug)]
struct Writing(Arc<StorageLog>);

impl Drop for Writing {
    fn drop(&mut self) {
        let mut activity = lock(&self.0.activity);
        activity.open -= 1;
        activity.last = Some(Instant::now());
        drop(activity);
        self.0.ended.notify_all();
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
        let writing = self.log.start_write();
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
            _writing: writing,
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
        let _writing = self.log.start_write();
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
    /// Counts the file as being written until it is closed.
    _writing: Writing,
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

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;

    /// Guards: the cleanup after a failed reindex waits for a thread still
    /// writing a file (Tantivy's indexing threads that `prepare_commit`
    /// did not join) until it closed the file.
    #[test]
    fn waiting_for_quiet_waits_for_the_files_being_written() {
        let log = Arc::new(StorageLog::default());
        let writing = log.start_write();
        let closed = Arc::new(AtomicBool::new(false));
        let writer = {
            let closed = Arc::clone(&closed);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(200));
                closed.store(true, Ordering::SeqCst);
                drop(writing);
            })
        };
        log.wait_until_quiet(Duration::from_millis(20), Duration::from_secs(60));
        assert!(closed.load(Ordering::SeqCst));
        assert_eq!(lock(&log.activity).open, 0);
        writer.join().unwrap();
        // Nothing written at all: nothing to wait for.
        let idle = StorageLog::default();
        idle.wait_until_quiet(Duration::from_secs(60), Duration::from_secs(60));
        assert_eq!(lock(&idle.activity).open, 0);
    }
}
