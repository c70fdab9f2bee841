//! The watch on temporary directories: syncs, debouncing, what is not a
//! change, the paths a reindex is given, the watch limit, sync tokens.

use super::*;
use std::sync::atomic::AtomicUsize;

/// What each reindex was given: the paths changed, or `None` for all.
type Given = Arc<Mutex<Vec<Option<Vec<PathBuf>>>>>;

fn watch(dir: &Path, index: &Path) -> (ContentWatch, Arc<AtomicUsize>) {
    let (w, runs, _) = watch_given(dir, index);
    (w, runs)
}

/// Whether the watch can sync here; says the test is skipped when not.
fn syncs_here(w: &ContentWatch) -> bool {
    let syncs = w.syncs();
    if !syncs {
        eprintln!("skipped: this platform has no ordered file events to sync with");
    }
    syncs
}

fn watch_given(dir: &Path, index: &Path) -> (ContentWatch, Arc<AtomicUsize>, Given) {
    let runs = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&runs);
    let given: Given = Arc::default();
    let record = Arc::clone(&given);
    let spec = WatchSpec {
        path: dir.to_owned(),
        index_dir: index.to_owned(),
        question: Question {
            content: dir.display().to_string(),
            drafts: false,
        },
    };
    let w = watch_content(
        &spec,
        move |paths: Option<&[PathBuf]>| {
            record.lock().unwrap().push(paths.map(<[PathBuf]>::to_vec));
            counter.fetch_add(1, Ordering::SeqCst);
            true
        },
        |_| {},
    )
    .expect("watch");
    (w, runs, given)
}

#[test]
fn a_reindex_is_given_the_paths_that_changed() {
    let content = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let root = content.path().canonicalize().unwrap();
    std::fs::create_dir(root.join("sub")).unwrap();
    let (w, _, given) = watch_given(&root, index.path());
    if !syncs_here(&w) {
        return;
    }
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    std::fs::write(root.join("a.md"), "# A\n\nText.\n").unwrap();
    std::fs::write(root.join("sub/b.md"), "# B\n\nText.\n").unwrap();
    std::fs::rename(root.join("sub/b.md"), root.join("c.md")).unwrap();
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    let given = given.lock().unwrap().clone();
    // The catch-up at start looks at everything.
    assert_eq!(given[0], None);
    let seen: BTreeSet<PathBuf> = given[1..].iter().flatten().flatten().cloned().collect();
    let expected: BTreeSet<PathBuf> = ["a.md", "sub/b.md", "c.md"]
        .iter()
        .map(|rel| root.join(rel))
        .collect();
    assert_eq!(seen, expected);
}

#[test]
fn a_sync_after_a_change_waits_for_its_reindex() {
    let content = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let (w, runs) = watch(content.path(), index.path());
    if !syncs_here(&w) {
        return;
    }
    // The first sync waits for the catch-up reindex.
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    let caught_up = runs.load(Ordering::SeqCst);
    assert_eq!(caught_up, 1, "one catch-up reindex");
    std::fs::write(content.path().join("a.md"), "# A\n\nText.\n").unwrap();
    // No waiting for the debounce: the sync itself sees the change.
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    assert!(
        runs.load(Ordering::SeqCst) > caught_up,
        "the change was reindexed before the answer"
    );
    let after = runs.load(Ordering::SeqCst);
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    assert_eq!(
        runs.load(Ordering::SeqCst),
        after,
        "a second sync has nothing to do"
    );
}

#[test]
fn changes_reindex_once_the_content_is_quiet() {
    let content = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let (w, runs) = watch(content.path(), index.path());
    let deadline = Instant::now() + Duration::from_secs(10);
    while runs.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    let caught_up = runs.load(Ordering::SeqCst);
    assert_eq!(caught_up, 1, "the catch-up reindex runs at once");
    for i in 0..5 {
        std::fs::write(content.path().join(format!("{i}.md")), "text\n").unwrap();
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while runs.load(Ordering::SeqCst) == caught_up && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    assert!(
        runs.load(Ordering::SeqCst) > caught_up,
        "a burst of writes gives a reindex"
    );
    drop(w);
}

#[test]
fn the_index_directory_and_reads_are_not_changes() {
    let content = tempfile::tempdir().unwrap();
    let index_dir = content.path().join(".index");
    std::fs::create_dir(&index_dir).unwrap();
    std::fs::write(content.path().join("a.md"), "text\n").unwrap();
    let (w, runs) = watch(content.path(), &index_dir);
    if !syncs_here(&w) {
        return;
    }
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    let caught_up = runs.load(Ordering::SeqCst);
    std::fs::write(index_dir.join("meta.json"), "{}").unwrap();
    let _ = std::fs::read(content.path().join("a.md")).unwrap();
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    assert_eq!(runs.load(Ordering::SeqCst), caught_up);
}

#[test]
fn a_watch_that_reported_an_error_no_longer_vouches_for_the_index() {
    let content = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let (w, _runs) = watch(content.path(), index.path());
    if !syncs_here(&w) {
        return;
    }
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Fresh);
    // As the event handler does on an error (an overflowed queue, a new
    // directory past the watch limit).
    w.shared.lock().untrusted = true;
    assert_eq!(w.sync(Duration::from_secs(10)), Synced::Failed);
    let left: Vec<_> = std::fs::read_dir(index.path().join(SYNC_DIR))
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with("token-"))
        .collect();
    assert!(left.is_empty(), "no token left behind: {left:?}");
}

#[test]
fn the_watch_limit_is_told_from_other_failures() {
    let limit = anyhow::Error::new(notify::Error::new(notify::ErrorKind::MaxFilesWatch))
        .context("cannot watch /notes");
    assert!(is_watch_limit(&limit));
    let no_space = anyhow::Error::new(std::io::Error::from_raw_os_error(28));
    assert!(
        is_watch_limit(&no_space),
        "inotify_add_watch says ENOSPC at the limit"
    );
    let missing = anyhow::Error::new(notify::Error::path_not_found()).context("cannot watch");
    assert!(!is_watch_limit(&missing));
}

#[test]
fn token_paths_are_recognised() {
    let dir = Path::new("/idx/.watch");
    let event = Event::new(EventKind::Any).add_path(dir.join("token-42"));
    assert_eq!(token_of(&event, dir), Some(42));
    let other = Event::new(EventKind::Any).add_path(PathBuf::from("/idx/token-42"));
    assert_eq!(token_of(&other, dir), None);
}
