//! Watching the content for changes, for every long-running command that
//! keeps an index fresh: `needle watch`, the terminal interface's worker,
//! `needle mcp` and `needle serve` (through [`crate::live`]).
//!
//! A [`ContentWatch`] turns file events into reindexes on a thread of its
//! own: changes closer together than [`DEBOUNCE`] are one reindex. It also
//! keeps the count that lets another process trust it instead of walking
//! the content (see [`crate::beacon`]): how many content events it has seen
//! and how many of them a finished reindex covers. A sync asks "is
//! everything that happened before now in the index?": the watch creates a
//! token file in a directory it also watches; the kernel delivers events in
//! order (inotify), so once the token's event arrives, every content event
//! from before the question has arrived too; if any is not yet covered, the
//! reindex runs at once (no debounce) and the answer waits for it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use notify::event::{AccessKind, AccessMode};
use notify::{Event, EventKind, PollWatcher, RecommendedWatcher, RecursiveMode, Watcher};

use crate::beacon::{Beacon, Question, SYNC_DIR, Synced};
use crate::workspace::{Resolved, question};

/// Changes closer together than this are one reindex.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// A burst of changes longer than this still gets a reindex (a copy of a
/// large tree should not postpone every search).
const MAX_DEBOUNCE: Duration = Duration::from_secs(2);

/// The longest wait before a failed reindex is tried again.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// How often the polling fallback looks at the content.
const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// What the watch thread and the syncs share.
#[derive(Debug, Default)]
struct Counts {
    /// Content events seen.
    changes: u64,
    /// The `changes` that the last finished reindex started after.
    covered: u64,
    /// The highest sync token whose event has arrived.
    token_seen: u64,
    /// A sync asks for the reindex now.
    flush: bool,
    /// A reindex is running.
    reindexing: bool,
    /// The last reindex failed: the index lags the content until one
    /// succeeds.
    failed: bool,
    /// The watch reported an error: it may miss changes, so syncs say
    /// `Failed` and searches walk.
    untrusted: bool,
    /// The watch is being dropped.
    stopped: bool,
    /// The paths changed since the last reindex started.
    paths: Changed,
}

/// The paths that changed, for a reindex that looks at them only.
#[derive(Debug, Default)]
enum Changed {
    /// Content paths, as the events name them (absolute).
    Paths(BTreeSet<PathBuf>),
    /// Unknown (the catch-up at start, a rescan, a watch error, too many
    /// paths, a reindex that failed): walk the whole content.
    #[default]
    All,
}

/// More changed paths than this are a walk of the content (a tree copied
/// in costs a walk anyway, and the set stays small).
const MAX_PATHS: usize = 10_000;

impl Changed {
    fn add(&mut self, event: &Event, index_dir: &Path, only: Option<&Path>) {
        if event.need_rescan() {
            *self = Changed::All;
        }
        let Changed::Paths(paths) = self else {
            return;
        };
        paths.extend(
            event
                .paths
                .iter()
                .filter(|p| is_content_path(p, index_dir, only))
                .cloned(),
        );
        if paths.len() > MAX_PATHS {
            *self = Changed::All;
        }
    }
}

#[derive(Debug, Default)]
struct Shared {
    counts: Mutex<Counts>,
    changed: Condvar,
    next_token: AtomicU64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait_until<'a>(
        &'a self,
        mut counts: MutexGuard<'a, Counts>,
        deadline: Instant,
        done: impl Fn(&Counts) -> bool,
    ) -> (MutexGuard<'a, Counts>, bool) {
        while !done(&counts) {
            let now = Instant::now();
            if now >= deadline {
                return (counts, false);
            }
            counts = self
                .changed
                .wait_timeout(counts, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        (counts, true)
    }
}

enum Backend {
    Native(#[allow(dead_code)] RecommendedWatcher),
    Poll(#[allow(dead_code)] PollWatcher),
}

/// What to watch, for which index, and the question a search asks to
/// trust this watch (see [`crate::beacon`]).
#[derive(Debug, Clone)]
pub struct WatchSpec {
    /// The content: a directory (recursively) or one file.
    pub path: PathBuf,
    pub index_dir: PathBuf,
    pub question: Question,
}

impl WatchSpec {
    /// The watch of a resolved content; `None` for the bundled article,
    /// which cannot change.
    pub fn of(content: &Resolved) -> Option<WatchSpec> {
        Some(WatchSpec {
            path: content.watch.clone()?,
            index_dir: content.index_dir.clone(),
            question: question(content),
        })
    }
}

/// A watch on the content; changes reindex until it is dropped.
pub struct ContentWatch {
    syncer: Option<Syncer>,
    // Dropped before the watch stops: no question is answered after.
    _beacon: Option<Beacon>,
    shared: Arc<Shared>,
    _backend: Backend,
}

/// Answers syncs for a watch (see the module's documentation).
#[derive(Debug, Clone)]
struct Syncer {
    shared: Arc<Shared>,
    dir: PathBuf,
}

impl std::fmt::Debug for ContentWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContentWatch")
            .field("syncs", &self.syncer.is_some())
            .finish_non_exhaustive()
    }
}

/// Watches the content of `spec` for its index. The first reindex runs at
/// once, to catch up with what changed while nothing watched; after that,
/// a change (debounced). `reindex` runs on the watch's own thread (never
/// two at a time) and says whether it succeeded; it must bring the index
/// up to date before it returns. It is given the paths that changed since
/// the last reindex started (absolute, files and directories as the events
/// name them), or `None` when they are not known and the whole content
/// must be looked at. A failure of the watch goes to `failed`. Changes inside the
/// index directory (when it lives under the content) are not content
/// changes. When the system's limit on watches is reached, the content is
/// polled instead (every 2 seconds), and `failed` says so. Where events
/// come in order (Linux), the watch answers other processes' syncs on a
/// [`Beacon`] in the index directory.
///
/// # Errors
/// When the watch cannot be set up (no such path, no watch and no polling).
pub fn watch_content(
    spec: &WatchSpec,
    reindex: impl Fn(Option<&[PathBuf]>) -> bool + Send + 'static,
    failed: impl Fn(String) + Send + Sync + 'static,
) -> Result<ContentWatch> {
    let path = spec.path.as_path();
    let index_dir = spec
        .index_dir
        .canonicalize()
        .unwrap_or_else(|_| spec.index_dir.clone());
    // A file is watched through its directory: editors often save by
    // replacing the file, which a watch on the file itself would lose.
    let (watched, only, mode) = if path.is_file() {
        let dir = path.parent().unwrap_or(path).to_owned();
        (dir, Some(path.to_owned()), RecursiveMode::NonRecursive)
    } else {
        (path.to_owned(), None, RecursiveMode::Recursive)
    };
    let sync_dir = index_dir.join(SYNC_DIR);
    // Pending from the start: the first reindex catches up, and a sync
    // waits for it.
    let shared = Arc::new(Shared {
        counts: Mutex::new(Counts {
            changes: 1,
            flush: true,
            ..Counts::default()
        }),
        ..Shared::default()
    });
    let failed = Arc::new(failed);

    let handler = {
        let shared = Arc::clone(&shared);
        let failed = Arc::clone(&failed);
        let sync_dir = sync_dir.clone();
        move |res: notify::Result<Event>| match res {
            Ok(event) => {
                let mut counts = shared.lock();
                if let Some(token) = token_of(&event, &sync_dir) {
                    counts.token_seen = counts.token_seen.max(token);
                } else if is_content_change(&event, &index_dir, only.as_deref()) {
                    counts.changes += 1;
                    counts.paths.add(&event, &index_dir, only.as_deref());
                } else {
                    return;
                }
                drop(counts);
                shared.changed.notify_all();
            }
            Err(e) => {
                // An overflowed queue, a lost watch, a new directory past
                // the watch limit: changes may go unseen from here on, so
                // reindex to be sure and stop vouching for the index
                // (searches walk again).
                {
                    let mut counts = shared.lock();
                    counts.changes += 1;
                    counts.untrusted = true;
                    counts.paths = Changed::All;
                }
                shared.changed.notify_all();
                failed(e.to_string());
            }
        }
    };

    let native = RecommendedWatcher::new(handler.clone(), notify::Config::default())
        .context("cannot watch for file changes")
        .and_then(|mut w| {
            w.watch(&watched, mode)
                .with_context(|| format!("cannot watch {}", watched.display()))?;
            Ok(w)
        });
    let (backend, sync_dir) = match native {
        Ok(mut w) => {
            // Syncs need the token events in the same queue as the content's.
            let syncs = cfg!(target_os = "linux")
                && std::fs::create_dir_all(&sync_dir).is_ok()
                && w.watch(&sync_dir, RecursiveMode::NonRecursive).is_ok();
            (Backend::Native(w), syncs.then_some(sync_dir))
        }
        Err(e) if is_watch_limit(&e) => {
            failed(format!(
                "{e:#}: the system's limit on watched directories is reached; polling the content every {} s instead (on Linux, raise fs.inotify.max_user_watches with sysctl)",
                POLL_INTERVAL.as_secs()
            ));
            let config = notify::Config::default().with_poll_interval(POLL_INTERVAL);
            let mut w =
                PollWatcher::new(handler, config).context("cannot poll for file changes")?;
            w.watch(&watched, mode)
                .with_context(|| format!("cannot poll {}", watched.display()))?;
            (Backend::Poll(w), None)
        }
        Err(e) => return Err(e),
    };

    {
        let shared = Arc::clone(&shared);
        thread::Builder::new()
            .name("needle-watch".into())
            .spawn(move || reindex_loop(&shared, &reindex))
            .context("cannot start the reindex thread")?;
    }
    let syncer = sync_dir.map(|dir| Syncer {
        shared: Arc::clone(&shared),
        dir,
    });
    let beacon = syncer.as_ref().and_then(|syncer| {
        let answering = syncer.clone();
        Beacon::start(&syncer.dir, spec.question.clone(), move |bound| {
            answering.sync(bound)
        })
    });
    Ok(ContentWatch {
        syncer,
        _beacon: beacon,
        shared,
        _backend: backend,
    })
}

#[cfg(test)]
impl ContentWatch {
    /// Whether other processes can sync with this watch (Linux, with a
    /// writable index directory, not polling).
    pub fn syncs(&self) -> bool {
        self.syncer.is_some()
    }

    /// Waits until every change made before the call is in the index, for
    /// at most `bound`: see the module's documentation.
    pub fn sync(&self, bound: Duration) -> Synced {
        self.syncer.as_ref().map_or(Synced::Busy, |s| s.sync(bound))
    }
}

impl Syncer {
    fn sync(&self, bound: Duration) -> Synced {
        let deadline = Instant::now() + bound;
        if self.shared.lock().untrusted {
            return Synced::Failed;
        }
        let token = self.shared.next_token.fetch_add(1, Ordering::Relaxed) + 1;
        let file = self.dir.join(format!("token-{token}"));
        if std::fs::write(&file, b"").is_err() {
            // No token, no proof of order: the asker walks.
            return Synced::Failed;
        }
        let counts = self.shared.lock();
        let (mut counts, seen) = self
            .shared
            .wait_until(counts, deadline, |c| c.token_seen >= token);
        let _ = std::fs::remove_file(&file);
        if !seen {
            return Synced::Busy;
        }
        let target = counts.changes;
        if counts.covered >= target {
            return Synced::Fresh;
        }
        if counts.failed && !counts.reindexing {
            return Synced::Failed;
        }
        counts.flush = true;
        self.shared.changed.notify_all();
        let (counts, _) = self.shared.wait_until(counts, deadline, |c| {
            c.covered >= target || (c.failed && !c.reindexing)
        });
        if counts.covered >= target {
            Synced::Fresh
        } else if counts.failed {
            Synced::Failed
        } else {
            Synced::Busy
        }
    }
}

impl Drop for ContentWatch {
    fn drop(&mut self) {
        self.shared.lock().stopped = true;
        self.shared.changed.notify_all();
    }
}

/// Reindexes after changes: when the content has been quiet for
/// [`DEBOUNCE`] (at most [`MAX_DEBOUNCE`] after the first change), or at
/// once when a sync asks. A reindex that fails (a full disk, a writer held
/// elsewhere) covers nothing: it is tried again when the content changes
/// again, but not before a backoff (1 s, doubling up to
/// [`MAX_BACKOFF`]), so that a failing index is not a busy loop.
fn reindex_loop(shared: &Shared, reindex: &dyn Fn(Option<&[PathBuf]>) -> bool) {
    // After a failure: when to try again, the delay, and the changes seen.
    let mut backoff: Option<(Instant, Duration, u64)> = None;
    let mut counts = shared.lock();
    loop {
        loop {
            if counts.stopped {
                return;
            }
            let pending = counts.changes > counts.covered;
            match backoff {
                None if pending => break,
                Some((at, _, seen)) if pending && counts.changes != seen => {
                    let now = Instant::now();
                    if now >= at {
                        break;
                    }
                    counts = shared
                        .changed
                        .wait_timeout(counts, at - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
                _ => {
                    counts = shared
                        .changed
                        .wait(counts)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            }
        }
        let first = Instant::now();
        while !counts.flush && !counts.stopped {
            let seen = counts.changes;
            let quiet_until = (Instant::now() + DEBOUNCE).min(first + MAX_DEBOUNCE);
            let (c, _) = shared.wait_until(counts, quiet_until, |c| {
                c.flush || c.stopped || c.changes != seen
            });
            counts = c;
            if counts.changes == seen || Instant::now() >= first + MAX_DEBOUNCE {
                break;
            }
        }
        if counts.stopped {
            return;
        }
        counts.flush = false;
        counts.reindexing = true;
        let target = counts.changes;
        let paths = std::mem::replace(&mut counts.paths, Changed::Paths(BTreeSet::new()));
        drop(counts);
        let ok = match paths {
            Changed::Paths(paths) => reindex(Some(&paths.into_iter().collect::<Vec<_>>())),
            Changed::All => reindex(None),
        };
        counts = shared.lock();
        counts.reindexing = false;
        if ok {
            counts.covered = counts.covered.max(target);
            counts.failed = false;
            backoff = None;
        } else {
            counts.failed = true;
            // What it was to look at is not in the index: the next one
            // looks at everything.
            counts.paths = Changed::All;
            let delay =
                backoff.map_or(Duration::from_secs(1), |(_, d, _)| (d * 2).min(MAX_BACKOFF));
            backoff = Some((Instant::now() + delay, delay, target));
        }
        shared.changed.notify_all();
    }
}

/// The number of a sync token's event (`<sync dir>/token-N`).
fn token_of(event: &Event, sync_dir: &Path) -> Option<u64> {
    event.paths.iter().find_map(|p| {
        (p.parent() == Some(sync_dir))
            .then(|| {
                p.file_name()?
                    .to_str()?
                    .strip_prefix("token-")?
                    .parse()
                    .ok()
            })
            .flatten()
    })
}

/// Whether an event may change what the index holds: not a read (the
/// reindex itself opens files), not inside the index directory, and for a
/// watch on one file, about that file.
fn is_content_change(event: &Event, index_dir: &Path, only: Option<&Path>) -> bool {
    let mutating = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    };
    mutating
        && (event.need_rescan()
            || event
                .paths
                .iter()
                .any(|p| is_content_path(p, index_dir, only)))
}

/// Whether a path is the content's: not inside the index directory, and
/// for a watch on one file, that file.
fn is_content_path(path: &Path, index_dir: &Path, only: Option<&Path>) -> bool {
    !path.starts_with(index_dir) && only.is_none_or(|f| path == f)
}

fn is_watch_limit(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<notify::Error>()
            .is_some_and(|n| matches!(n.kind, notify::ErrorKind::MaxFilesWatch))
            || cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.raw_os_error() == Some(28))
    })
}

#[cfg(test)]
mod tests;
