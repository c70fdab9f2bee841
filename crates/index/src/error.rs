//! The crate's error type.

use std::path::PathBuf;

/// Everything that can go wrong in `needle-index`.
///
/// Each variant names what failed (a path, a line, a topic) and its message
/// says what to do next, in the library's terms: "rebuild it from the
/// content", not a command of the `needle` binary. An application adds its
/// own hint where it reports the error (the `needle` binary matches on the
/// variant and names its command or flag: `needle index --force`,
/// `--content`, `--index`). Problems with individual content files (unreadable,
/// binary, not UTF-8, a broken JSON line) are *not* errors: they are reported
/// as [`ContentIssue`](crate::ContentIssue)s in the [`ReindexReport`](crate::ReindexReport)
/// and the rest of the content still indexes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The content path does not exist.
    #[error("content not found: {path}: check the path, or choose another content path")]
    ContentNotFound {
        /// The path that was asked for.
        path: PathBuf,
    },

    /// The content path is a file of a format needle does not read.
    #[error(
        "{path}: not a Markdown (.md, .markdown), plain text (.txt) or JSON Lines (.jsonl) file: choose one of those, or a directory, as the content"
    )]
    UnsupportedFile {
        /// The file.
        path: PathBuf,
    },

    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory at fault.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A configuration file of the content (`topics.toml`, `synonyms.toml`) is invalid.
    #[error("{path}: {message}: fix the file and reindex")]
    Config {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong with it, with the line where known.
        message: String,
    },

    /// Another process holds the index's writer lock (another
    /// [`NeedleIndex`](crate::NeedleIndex) on the same directory is writing).
    /// Nothing was changed; a later reindex will succeed.
    #[error(
        "the index at {dir} is being updated by another needle process: wait for it to finish and try again"
    )]
    Locked {
        /// The index directory.
        dir: PathBuf,
    },

    /// A reindex would remove more than half of the indexed articles.
    ///
    /// Nothing was removed. A reindex with
    /// [`ReindexOptions::force`](crate::ReindexOptions::force) set removes
    /// them.
    #[error(
        "refusing to remove {removing} of the {indexed} indexed articles: the content path may be wrong or empty; check it, or force the reindex if this is intended"
    )]
    MassRemoval {
        /// How many articles the reindex would remove.
        removing: usize,
        /// How many articles the index holds.
        indexed: usize,
    },

    /// The directory holds something that is not a needle index.
    #[error(
        "{dir} is not a needle index ({reason}): choose another index directory, or delete this one if it is yours"
    )]
    NotAnIndex {
        /// The index directory.
        dir: PathBuf,
        /// What was found there.
        reason: String,
    },

    /// The index exists but cannot be opened or read.
    ///
    /// The index is a cache of the content: rebuild it with
    /// [`NeedleIndex::recreate`](crate::NeedleIndex::recreate), then a
    /// reindex with [`ReindexOptions::forced`](crate::ReindexOptions::forced).
    #[error("the index at {dir} is damaged ({source}): rebuild it from the content")]
    Corrupt {
        /// The index directory.
        dir: PathBuf,
        /// What Tantivy reported.
        #[source]
        source: tantivy::TantivyError,
    },

    /// The disk that holds the index is full, or the user's quota on it is
    /// used up.
    ///
    /// Nothing was committed: the index is as it was before, and still
    /// searchable; the files the failed write had made were removed.
    /// Free space on that disk (or use an index directory on another disk)
    /// and reindex: it picks up where the index is.
    #[error(
        "no space left on the disk of the index at {dir}: {op} {path} failed ({source}); {space}: nothing was changed, the index is as it was before; free space on that disk (or choose an index directory on a disk with more room) and reindex",
        path = path.display(),
        space = space_note(*available, *written)
    )]
    DiskFull {
        /// The index directory.
        dir: PathBuf,
        /// The file whose write failed.
        path: PathBuf,
        /// What was being done to it.
        op: StorageOp,
        /// The bytes free on that disk after the failed write was cleaned
        /// up, when the system says.
        available: Option<u64>,
        /// The bytes the failed attempt had written before the disk filled
        /// (it needed more than that): a lower bound of what is needed.
        written: Option<u64>,
        /// The underlying error ("No space left on device", "Disk quota
        /// exceeded").
        #[source]
        source: std::io::Error,
    },

    /// The index directory cannot be written: it is on a read-only file
    /// system, or the user may not write it.
    ///
    /// The index is not damaged, and can still be searched as it is; it
    /// cannot be updated until the directory is writable.
    #[error(
        "the index at {dir} is read-only ({source}): it can be searched as it is, but not updated; make the directory writable, or choose another index directory"
    )]
    ReadOnly {
        /// The index directory.
        dir: PathBuf,
        /// The underlying error ("Read-only file system", "Permission denied").
        #[source]
        source: std::io::Error,
    },

    /// A write, fsync, rename or delete in the index directory failed (an
    /// I/O error of the disk).
    ///
    /// Nothing was committed: the index is as it was before.
    #[error(
        "{op} {path} failed ({source}): nothing was committed, the index at {dir} is as it was before; check the disk (the system log may say more) and try again",
        path = path.display()
    )]
    WriteFailed {
        /// The index directory.
        dir: PathBuf,
        /// The file (or directory) at fault.
        path: PathBuf,
        /// What was being done to it.
        op: StorageOp,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },

    /// A topic filter names a topic the index does not have.
    #[error("unknown topic {topic:?}: known topics are {}", known.join(", "))]
    UnknownTopic {
        /// The topic asked for.
        topic: String,
        /// The topics the index holds.
        known: Vec<String>,
    },

    /// An invalid search request (for example a limit of zero).
    #[error("invalid search request: {0}")]
    InvalidRequest(String),

    /// An error from Tantivy that none of the other variants describes.
    #[error("search engine error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// What was being done to a file of the index when the storage failed
/// ([`Error::DiskFull`], [`Error::WriteFailed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StorageOp {
    /// Creating a file.
    Create,
    /// Writing to a file.
    Write,
    /// Flushing a written file to the disk (fsync).
    Sync,
    /// Replacing a file whole: writing a temporary file, flushing it to
    /// the disk and renaming it over the file (how a commit's `meta.json`
    /// is written).
    Replace,
    /// Flushing the directory to the disk, so that new files' names last.
    SyncDirectory,
    /// Deleting a file.
    Delete,
    /// Taking a lock file.
    Lock,
}

impl std::fmt::Display for StorageOp {
    /// The operation as the start of a sentence: "writing to", then the file.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StorageOp::Create => "creating",
            StorageOp::Write => "writing to",
            StorageOp::Sync => "flushing to the disk (fsync)",
            StorageOp::Replace => "replacing (write, fsync, rename)",
            StorageOp::SyncDirectory => "flushing to the disk (fsync) the directory",
            StorageOp::Delete => "deleting",
            StorageOp::Lock => "locking",
        })
    }
}

/// "1.2 MB free now; the attempt needed more than the 5.0 MB it had written".
fn space_note(available: Option<u64>, written: Option<u64>) -> String {
    let free = match available {
        Some(bytes) => format!("{} free now", human_bytes(bytes)),
        None => "free space unknown".to_owned(),
    };
    match written.filter(|w| *w > 0) {
        Some(w) => format!(
            "{free}; the attempt needed more than the {} it had written",
            human_bytes(w)
        ),
        None => free,
    }
}

/// Bytes for people: `512 bytes`, `3.4 kB`, `5.0 MB`, `1.2 GB` (powers of 1000).
pub(crate) fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} bytes");
    }
    #[allow(clippy::cast_precision_loss)]
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_messages_say_what_where_and_what_to_do() {
        let full = Error::DiskFull {
            dir: PathBuf::from("idx"),
            path: PathBuf::from("idx/meta.json"),
            op: StorageOp::Replace,
            available: Some(1_250_000),
            written: Some(5_000_000),
            source: std::io::Error::from(std::io::ErrorKind::StorageFull),
        };
        let message = full.to_string();
        assert!(
            message.starts_with("no space left on the disk of the index at idx: replacing (write, fsync, rename) idx/meta.json failed"),
            "{message}"
        );
        assert!(
            message.contains(
                "1.2 MB free now; the attempt needed more than the 5.0 MB it had written"
            ),
            "{message}"
        );
        assert!(
            message.contains("the index is as it was before"),
            "{message}"
        );
        assert!(!message.contains("damaged"), "{message}");
        assert_eq!(human_bytes(999), "999 bytes");
        assert_eq!(human_bytes(6_291_456), "6.3 MB");
    }

    /// Guards: the library's messages say what to do in its own terms; the
    /// commands and flags of the `needle` binary are the binary's hints.
    #[test]
    fn no_message_names_a_command_or_flag_of_the_binary() {
        let dir = || PathBuf::from("idx");
        let errors = [
            Error::ContentNotFound { path: dir() },
            Error::UnsupportedFile { path: dir() },
            Error::io(dir(), std::io::Error::other("denied")),
            Error::Config {
                path: dir(),
                message: "line 1: bad".to_owned(),
            },
            Error::Locked { dir: dir() },
            Error::MassRemoval {
                removing: 3,
                indexed: 4,
            },
            Error::NotAnIndex {
                dir: dir(),
                reason: "other files".to_owned(),
            },
            Error::Corrupt {
                dir: dir(),
                source: tantivy::TantivyError::InternalError("bad meta.json".to_owned()),
            },
            Error::UnknownTopic {
                topic: "x".to_owned(),
                known: vec!["y".to_owned()],
            },
            Error::InvalidRequest("limit 0".to_owned()),
            Error::DiskFull {
                dir: dir(),
                path: dir().join("meta.json"),
                op: StorageOp::Replace,
                available: Some(0),
                written: Some(5_000_000),
                source: std::io::Error::from(std::io::ErrorKind::StorageFull),
            },
            Error::ReadOnly {
                dir: dir(),
                source: std::io::Error::from(std::io::ErrorKind::ReadOnlyFilesystem),
            },
            Error::WriteFailed {
                dir: dir(),
                path: dir().join("x.idx"),
                op: StorageOp::Sync,
                source: std::io::Error::other("Input/output error"),
            },
        ];
        for e in errors {
            let message = e.to_string();
            for cli in ["`needle", "needle watch", "needle search", "--"] {
                assert!(!message.contains(cli), "{message}");
            }
        }
    }
}
