//! A Tantivy `Directory` that fails on purpose: after so many bytes, at
//! the nth fsync, when `meta.json` (the commit) or a sources file is
//! replaced, or everywhere a read-only file system would.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use tantivy::HasLen;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    AntiCallToken, Directory, DirectoryLock, FileHandle, FileSlice, Lock, TerminatingWrite,
    WatchCallback, WatchHandle, WritePtr,
};

pub const ENOSPC: i32 = 28;
pub const EIO: i32 = 5;
pub const EROFS: i32 = 30;
pub const EDQUOT: i32 = 122;

/// What to fail.
#[derive(Debug, Clone, Copy)]
pub enum Inject {
    /// Every write past this many bytes (from when the fault is set) fails
    /// with `errno`: a disk filling up, or a quota.
    WriteAfter { bytes: u64, errno: i32 },
    /// The `nth` fsync of a written file (from 1) fails with `errno`.
    Sync { nth: u64, errno: i32 },
    /// Replacing a file whose name starts with `prefix` fails with `errno`
    /// (for `meta.json`, the rename that makes a commit).
    Replace { prefix: &'static str, errno: i32 },
    /// Every write, delete and lock fails with EROFS.
    ReadOnly,
}

/// The fault to inject, shared by the directory's clones; `None`: the
/// fault is gone.
#[derive(Debug, Default)]
pub struct Plan {
    inject: Mutex<Option<Inject>>,
    written: AtomicU64,
    syncs: AtomicU64,
}

impl Plan {
    pub fn set(&self, inject: Option<Inject>) {
        *self.inject.lock().unwrap_or_else(PoisonError::into_inner) = inject;
        self.written.store(0, Ordering::SeqCst);
        self.syncs.store(0, Ordering::SeqCst);
    }

    fn get(&self) -> Option<Inject> {
        *self.inject.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn read_only(&self) -> bool {
        matches!(self.get(), Some(Inject::ReadOnly))
    }

    /// Counts `n` bytes about to be written; the error if they pass the
    /// limit.
    fn write(&self, n: usize) -> io::Result<()> {
        match self.get() {
            Some(Inject::ReadOnly) => Err(io::Error::from_raw_os_error(EROFS)),
            Some(Inject::WriteAfter { bytes, errno }) => {
                let n = n as u64;
                self.written
                    .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                        (w + n <= bytes).then_some(w + n)
                    })
                    .map(drop)
                    .map_err(|_| io::Error::from_raw_os_error(errno))
            }
            _ => Ok(()),
        }
    }

    fn freed(&self, bytes: u64) {
        let _ = self
            .written
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |w| {
                Some(w.saturating_sub(bytes))
            });
    }

    fn sync(&self) -> io::Result<()> {
        match self.get() {
            Some(Inject::Sync { nth, errno })
                if self.syncs.fetch_add(1, Ordering::SeqCst) + 1 == nth =>
            {
                Err(io::Error::from_raw_os_error(errno))
            }
            _ => Ok(()),
        }
    }
}

/// The directory: `inner`, failing as `plan` says.
#[derive(Debug, Clone)]
pub struct Faulty {
    pub inner: Box<dyn Directory>,
    pub plan: Arc<Plan>,
}

fn erofs() -> io::Error {
    io::Error::from_raw_os_error(EROFS)
}

impl Directory for Faulty {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        self.inner.get_file_handle(path)
    }

    fn open_read(&self, path: &Path) -> Result<FileSlice, OpenReadError> {
        self.inner.open_read(path)
    }

    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        if self.plan.read_only() {
            return Err(DeleteError::IoError {
                io_error: Arc::new(erofs()),
                filepath: path.to_owned(),
            });
        }
        // A deleted file frees its space.
        let size = self.inner.open_read(path).map_or(0, |f| f.len() as u64);
        self.inner.delete(path)?;
        self.plan.freed(size);
        Ok(())
    }

    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.inner.exists(path)
    }

    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        if self.plan.read_only() {
            return Err(OpenWriteError::wrap_io_error(erofs(), path.to_owned()));
        }
        let inner = self
            .inner
            .open_write(path)?
            .into_inner()
            .map_err(|e| OpenWriteError::wrap_io_error(e.into_error(), path.to_owned()))?;
        Ok(io::BufWriter::new(Box::new(FaultyWrite {
            inner,
            plan: Arc::clone(&self.plan),
        })))
    }

    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.inner.atomic_read(path)
    }

    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        if let Some(Inject::Replace { prefix, errno }) = self.plan.get()
            && path.to_string_lossy().starts_with(prefix)
        {
            return Err(io::Error::from_raw_os_error(errno));
        }
        // The new copy needs its room before the rename frees the old one.
        let old = self.inner.atomic_read(path).map_or(0, |d| d.len() as u64);
        self.plan.write(data.len())?;
        self.inner.atomic_write(path, data)?;
        self.plan.freed(old);
        Ok(())
    }

    fn sync_directory(&self) -> io::Result<()> {
        self.inner.sync_directory()
    }

    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        if self.plan.read_only() {
            return Err(LockError::IoError(Arc::new(erofs())));
        }
        self.inner.acquire_lock(lock)
    }

    fn watch(&self, watch_callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.inner.watch(watch_callback)
    }
}

struct FaultyWrite {
    inner: Box<dyn TerminatingWrite + Send + Sync>,
    plan: Arc<Plan>,
}

impl Write for FaultyWrite {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.plan.write(buf.len())?;
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl TerminatingWrite for FaultyWrite {
    fn terminate_ref(&mut self, token: AntiCallToken) -> io::Result<()> {
        self.plan.sync()?;
        self.inner.terminate_ref(token)
    }
}
