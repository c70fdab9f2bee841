//! Trusting a running watcher instead of walking the content.
//!
//! Before a read, `needle search` (and every command that refreshes)
//! walks the content to find changes: at a million passages that walk is
//! most of a search's time. When a process already watches the same
//! content for the same index (`needle watch`, the terminal interface,
//! `needle serve`, `needle mcp`), it answers on a Unix socket in the index
//! directory (`.watch/sock`): the search asks it to sync, the watcher makes
//! sure every change made before the question is in the index (see
//! [`crate::watcher`]) and says `fresh`; the search then reads the index
//! without a walk. No answer (no watcher, a dead one, another platform)
//! means a walk, as before; a watcher that cannot finish within the bound
//! says `busy`, and the search reads the index as it is, with a warning;
//! one whose last reindex failed says `failed`, and the search reindexes
//! itself, which meets the failure (a full disk, a lock) and reports it.
//!
//! The question names the content and the options that decide what is
//! indexed; a watcher of other content (or other options) for the same
//! index answers `other`, and the search walks.

use std::path::Path;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The socket's name inside the sync directory.
const SOCKET: &str = "sock";

/// What a search asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    /// The content root, as the asker resolved it.
    pub content: String,
    /// Whether drafts are indexed.
    pub drafts: bool,
}

/// How long a search waits for a watcher to catch up.
pub const WAIT: Duration = Duration::from_secs(10);

/// The directory, inside the index directory, of a watcher's socket and
/// sync tokens: the one the library keeps through a rebuild.
pub const SYNC_DIR: &str = needle_index::WATCH_DIR;

/// What a watcher's sync says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synced {
    /// Every change made before the question is in the index.
    Fresh,
    /// The watch did not get there within the bound (a long reindex).
    Busy,
    /// The watch's last reindex failed: the asker should reindex itself,
    /// to meet (and report) the failure.
    Failed,
}

/// What a watcher answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The index holds every change made before the question.
    Fresh,
    /// The watcher is still reindexing after the bound.
    Busy,
    /// No watcher of this content answers: walk.
    Absent,
}

#[cfg(unix)]
mod unix {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::thread;
    use std::time::Duration;

    use super::{Answer, Question, SOCKET, Synced};

    /// How long a watcher gives a client to send its question.
    const READ_TIMEOUT: Duration = Duration::from_secs(2);

    /// A listening beacon; it stops and removes its socket when dropped.
    #[derive(Debug)]
    pub struct Beacon {
        path: PathBuf,
        stopped: Arc<AtomicBool>,
    }

    impl Beacon {
        /// Listens in `dir`, answering questions about `me` with `sync`.
        /// `None` when another live watcher already answers there, or the
        /// socket cannot be made (a read-only index, a path too long for a
        /// socket): searches then walk, as without a watcher.
        pub fn start(
            dir: &Path,
            me: Question,
            sync: impl Fn(Duration) -> super::Synced + Send + std::marker::Sync + 'static,
        ) -> Option<Beacon> {
            let path = dir.join(SOCKET);
            let listener = match UnixListener::bind(&path) {
                Ok(l) => l,
                Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
                    if UnixStream::connect(&path).is_ok() {
                        return None; // another watcher answers
                    }
                    // Left by a watcher that died.
                    std::fs::remove_file(&path).ok()?;
                    UnixListener::bind(&path).ok()?
                }
                Err(_) => return None,
            };
            let stopped = Arc::new(AtomicBool::new(false));
            let sync = Arc::new(sync);
            let flag = Arc::clone(&stopped);
            thread::Builder::new()
                .name("needle-beacon".into())
                .spawn(move || {
                    for stream in listener.incoming() {
                        if flag.load(Ordering::Acquire) {
                            return;
                        }
                        let Ok(stream) = stream else { continue };
                        let sync = Arc::clone(&sync);
                        let me = me.clone();
                        let _ = thread::Builder::new()
                            .name("needle-sync".into())
                            .spawn(move || answer(stream, &me, &*sync));
                    }
                })
                .ok()?;
            Some(Beacon { path, stopped })
        }
    }

    impl Drop for Beacon {
        fn drop(&mut self) {
            self.stopped.store(true, Ordering::Release);
            // Wake the accept loop so that it sees the flag.
            let _ = UnixStream::connect(&self.path);
            let _ = std::fs::remove_file(&self.path);
        }
    }

    fn answer(stream: UnixStream, me: &Question, sync: &dyn Fn(Duration) -> Synced) {
        let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
        let mut reader = BufReader::new(&stream);
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let Some((bound_ms, question)) = line.trim_end().split_once(' ') else {
            return;
        };
        let (Ok(bound_ms), Ok(question)) = (
            bound_ms.parse::<u64>(),
            serde_json::from_str::<Question>(question),
        ) else {
            return;
        };
        let reply = if &question != me {
            "other"
        } else {
            match sync(Duration::from_millis(bound_ms.min(60_000))) {
                Synced::Fresh => "fresh",
                Synced::Busy => "busy",
                Synced::Failed => "failed",
            }
        };
        let _ = (&stream).write_all(format!("{reply}\n").as_bytes());
    }

    /// Asks the watcher of the index in `index_dir`, waiting at most
    /// `bound` for it to catch up.
    pub fn ask(sync_dir: &Path, question: &Question, bound: Duration) -> Answer {
        let Ok(stream) = UnixStream::connect(sync_dir.join(SOCKET)) else {
            return Answer::Absent;
        };
        let _ = stream.set_read_timeout(Some(bound + READ_TIMEOUT));
        let Ok(json) = serde_json::to_string(question) else {
            return Answer::Absent;
        };
        let request = format!("{} {json}\n", bound.as_millis());
        if (&stream).write_all(request.as_bytes()).is_err() {
            return Answer::Absent;
        }
        let mut line = String::new();
        match BufReader::new(&stream).read_line(&mut line) {
            Ok(_) => match line.trim_end() {
                "fresh" => Answer::Fresh,
                "busy" => Answer::Busy,
                _ => Answer::Absent,
            },
            // No answer within the bound: the watcher is stuck.
            Err(_) => Answer::Busy,
        }
    }
}

#[cfg(unix)]
pub use unix::Beacon;

#[cfg(not(unix))]
#[derive(Debug)]
pub struct Beacon;

#[cfg(not(unix))]
impl Beacon {
    pub fn start(
        _dir: &Path,
        _me: Question,
        _sync: impl Fn(Duration) -> Synced + Send + std::marker::Sync + 'static,
    ) -> Option<Beacon> {
        None
    }
}

/// Asks the watcher of the index whose sync directory is `sync_dir`.
pub fn ask(sync_dir: &Path, question: &Question, bound: Duration) -> Answer {
    #[cfg(unix)]
    {
        unix::ask(sync_dir, question, bound)
    }
    #[cfg(not(unix))]
    {
        let _ = (sync_dir, question, bound);
        Answer::Absent
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn question(content: &str) -> Question {
        Question {
            content: content.to_owned(),
            drafts: false,
        }
    }

    #[test]
    fn a_watcher_answers_for_its_own_content_only() {
        let dir = tempfile::tempdir().unwrap();
        let syncs = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&syncs);
        let beacon = Beacon::start(dir.path(), question("/notes"), move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Synced::Fresh
        })
        .expect("a beacon");
        let bound = Duration::from_secs(5);
        assert_eq!(ask(dir.path(), &question("/notes"), bound), Answer::Fresh);
        assert_eq!(syncs.load(Ordering::SeqCst), 1);
        assert_eq!(ask(dir.path(), &question("/other"), bound), Answer::Absent);
        let drafts = Question {
            drafts: true,
            ..question("/notes")
        };
        assert_eq!(ask(dir.path(), &drafts, bound), Answer::Absent);
        assert_eq!(syncs.load(Ordering::SeqCst), 1, "others are not synced");
        drop(beacon);
        assert_eq!(ask(dir.path(), &question("/notes"), bound), Answer::Absent);
        assert!(!dir.path().join(SOCKET).exists(), "the socket is removed");
    }

    #[test]
    fn a_busy_watcher_says_so_and_a_second_one_stands_aside() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Beacon::start(dir.path(), question("/a"), |_| Synced::Busy).expect("a beacon");
        assert!(Beacon::start(dir.path(), question("/a"), |_| Synced::Fresh).is_none());
        let bound = Duration::from_secs(5);
        assert_eq!(ask(dir.path(), &question("/a"), bound), Answer::Busy);
    }

    #[test]
    fn a_socket_left_by_a_dead_watcher_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        // A socket file nobody listens on, as a killed watcher leaves it.
        drop(std::os::unix::net::UnixListener::bind(dir.path().join(SOCKET)).unwrap());
        assert!(dir.path().join(SOCKET).exists());
        assert_eq!(
            ask(dir.path(), &question("/a"), Duration::from_secs(1)),
            Answer::Absent
        );
        let _beacon =
            Beacon::start(dir.path(), question("/a"), |_| Synced::Fresh).expect("a beacon");
        assert_eq!(
            ask(dir.path(), &question("/a"), Duration::from_secs(5)),
            Answer::Fresh
        );
    }
}
