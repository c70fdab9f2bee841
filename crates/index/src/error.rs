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
        ];
        for e in errors {
            let message = e.to_string();
            for cli in ["`needle", "needle watch", "needle search", "--"] {
                assert!(!message.contains(cli), "{message}");
            }
        }
    }
}
