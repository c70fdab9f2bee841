//! What the binary adds to the library's errors. `needle-index` says what
//! failed and what to do in its own terms ("rebuild it from the content");
//! the hint names the command or flag of needle that does it (`needle index
//! --force`). Every place that reports an error to people (the final error,
//! a refresh's warning, `needle watch`, the interface) goes through here.

use std::io::ErrorKind;
use std::path::Path;

use needle_index::Error;

/// The hint for a flag that chooses another index directory.
const INDEX_FLAG: &str = "pass another with --index DIR";

/// What to run or pass, for the errors a command or flag recovers from.
pub fn hint(e: &Error) -> Option<&'static str> {
    Some(match e {
        Error::ContentNotFound { .. } | Error::UnsupportedFile { .. } => {
            "pass it with --content PATH"
        }
        Error::Corrupt { .. } => "run `needle index --force`",
        Error::MassRemoval { .. } => "`needle index --force` forces it",
        Error::Locked { .. } => "a `needle watch` or the interface may be running on it",
        Error::NotAnIndex { .. } | Error::ReadOnly { .. } => INDEX_FLAG,
        Error::DiskFull { .. } => "an index directory is chosen with --index DIR",
        _ => return None,
    })
}

/// The library's message, then the hint when there is one.
pub fn with_hint(e: &Error) -> String {
    match hint(e) {
        Some(hint) => format!("{e}; {hint}"),
        None => e.to_string(),
    }
}

/// An error of opening the index at `dir`, with the hint only the opener
/// can give: an index directory needle may not use is an [`Error::Io`] on
/// that directory (any other I/O error names its own path).
pub fn opening(dir: &Path, e: Error) -> anyhow::Error {
    match &e {
        Error::Io { path, source }
            if path == dir && source.kind() == ErrorKind::PermissionDenied =>
        {
            let message = format!("{e}; {INDEX_FLAG}");
            anyhow::Error::new(e).context(message)
        }
        _ => e.into(),
    }
}

/// The one line `needle: error:` prints: the error, each cause it does not
/// already quote, and the hint of the first library error in the chain.
pub fn error_message(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        // An error that quotes its cause (a damaged index does) has said it,
        // and what lies under it: stop, not say it thrice.
        if message.contains(&cause) {
            break;
        }
        message.push_str(": ");
        message.push_str(&cause);
    }
    let hint = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<Error>())
        .and_then(hint);
    if let Some(hint) = hint {
        message.push_str("; ");
        message.push_str(hint);
    }
    message
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use anyhow::Context;

    use super::*;

    fn locked() -> Error {
        Error::Locked {
            dir: PathBuf::from("idx"),
        }
    }

    #[test]
    fn a_library_error_gets_its_hint_after_the_message() {
        let message = error_message(&anyhow::Error::new(locked()));
        assert!(
            message.starts_with("the index at idx is being updated by another needle process"),
            "{message}"
        );
        assert!(
            message.ends_with("; a `needle watch` or the interface may be running on it"),
            "{message}"
        );
    }

    #[test]
    fn the_hint_is_found_under_a_context() {
        let err = Err::<(), _>(Error::MassRemoval {
            removing: 3,
            indexed: 4,
        })
        .context("reindexing")
        .unwrap_err();
        let message = error_message(&err);
        assert!(message.starts_with("reindexing: refusing to remove 3 of the 4"));
        assert!(message.ends_with("; `needle index --force` forces it"));
    }

    #[test]
    fn storage_faults_name_the_index_flag_and_never_force() {
        let dir = PathBuf::from("idx");
        let full = Error::DiskFull {
            dir: dir.clone(),
            path: dir.join("meta.json"),
            op: needle_index::StorageOp::Replace,
            available: Some(0),
            written: None,
            source: std::io::Error::from(ErrorKind::StorageFull),
        };
        let read_only = Error::ReadOnly {
            dir,
            source: std::io::Error::from(ErrorKind::ReadOnlyFilesystem),
        };
        for e in [full, read_only] {
            let message = with_hint(&e);
            assert!(message.contains("--index DIR"), "{message}");
            assert!(!message.contains("--force"), "{message}");
            assert!(!message.contains("damaged"), "{message}");
        }
    }

    #[test]
    fn an_error_without_a_hint_is_the_library_message() {
        let e = Error::InvalidRequest("the limit must be at least 1".to_owned());
        assert_eq!(with_hint(&e), e.to_string());
        assert_eq!(
            error_message(&anyhow::Error::new(e)),
            "invalid search request: the limit must be at least 1"
        );
    }

    #[test]
    fn an_index_directory_needle_may_not_use_names_the_index_flag() {
        let dir = Path::new("idx");
        let denied = || Error::Io {
            path: dir.to_owned(),
            source: std::io::Error::new(ErrorKind::PermissionDenied, "cannot use the index"),
        };
        let message = error_message(&opening(dir, denied()));
        assert_eq!(
            message,
            "idx: cannot use the index; pass another with --index DIR"
        );
        // Another path's error is not the index directory's.
        let other = error_message(&opening(Path::new("elsewhere"), denied()));
        assert_eq!(other, "idx: cannot use the index");
    }
}
