//! Storage faults: what a failed write or read of the index directory is
//! called (a full disk, a read-only directory, an I/O error, or a damaged
//! index: only the last is "damaged"). How a failed write is undone is in
//! `recovery`.

use std::io;
use std::path::{Path, PathBuf};

use tantivy::TantivyError;
use tantivy::directory::INDEX_WRITER_LOCK;
use tantivy::directory::error::{LockError, OpenReadError, OpenWriteError};

use crate::error::{Error, StorageOp};

/// A write that failed: the file (relative to the index directory), the
/// operation and the operating system's error.
#[derive(Debug)]
pub(crate) struct Fault {
    pub path: PathBuf,
    pub op: StorageOp,
    pub error: io::Error,
}

/// An `io::Error` is not `Clone`: the same error again (the OS error code
/// when there is one, so that its message and kind stay).
pub(crate) fn copy(e: &io::Error) -> io::Error {
    match e.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code),
        None => io::Error::new(e.kind(), e.to_string()),
    }
}

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
