//! A reindex of changed paths against a full reindex: the same content is
//! indexed twice on disk, one index kept up to date with
//! `reindex_paths`, the other with `reindex`; after every change both
//! must hold the same passages, manifest (with its fingerprint) and list of
//! sources, and report the same counts, and a full reindex of the first
//! must then find nothing to do.

use std::fs;
use std::path::PathBuf;

use tantivy::schema::document::Document;

use crate::index::{Manifest, Sources};
use crate::{ContentSource, NeedleIndex, ReindexOptions, ReindexReport};

/// Content in a temporary directory and its two indexes.
struct Twin {
    _tmp: tempfile::TempDir,
    content: PathBuf,
    by_paths: NeedleIndex,
    full: NeedleIndex,
}

fn article(title: &str, words: &str) -> String {
    format!("# {title}\n\n## Care\n\n{words} care text.\n\n## Results\n\n{words} results text.\n")
}

impl Twin {
    fn new(files: &[(&str, &str)]) -> Twin {
        let tmp = tempfile::tempdir().unwrap();
        let content = tmp.path().join("content");
        fs::create_dir_all(&content).unwrap();
        let twin = Twin {
            by_paths: NeedleIndex::open(tmp.path().join("by-paths")).unwrap(),
            full: NeedleIndex::open(tmp.path().join("full")).unwrap(),
            content,
            _tmp: tmp,
        };
        for (rel, text) in files {
            twin.write(rel, text);
        }
        let first = twin
            .by_paths
            .reindex(&twin.source(), &ReindexOptions::default());
        assert!(first.unwrap().committed);
        assert!(
            twin.full
                .reindex(&twin.source(), &ReindexOptions::default())
                .unwrap()
                .committed
        );
        twin.assert_same();
        twin
    }

    fn source(&self) -> ContentSource {
        ContentSource::Path(self.content.clone())
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.content.join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    /// Reindexes both after `changed` changed (relative to the content);
    /// checks that both agree; returns the report of the reindex by paths.
    fn sync(&self, changed: &[&str]) -> ReindexReport {
        let paths: Vec<PathBuf> = changed.iter().map(|rel| self.path(rel)).collect();
        self.sync_paths(&paths)
    }

    /// Reindexes the file at `rel` through `index` (another handle on
    /// one of the twins' indexes), by its path alone.
    fn reindex_path(
        &self,
        index: &NeedleIndex,
        rel: &str,
        options: &ReindexOptions,
    ) -> ReindexReport {
        index
            .reindex_paths(&self.source(), &[self.path(rel)], options)
            .unwrap()
    }

    fn sync_paths(&self, paths: &[PathBuf]) -> ReindexReport {
        let options = ReindexOptions::default();
        let by_paths = self
            .by_paths
            .reindex_paths(&self.source(), paths, &options)
            .unwrap();
        let full = self.full.reindex(&self.source(), &options).unwrap();
        assert!(full.full_scan);
        assert_eq!(counts(&by_paths), counts(&full), "reports");
        // A path reindex reads every file its paths name; a walk only
        // those whose size or time changed.
        assert!(by_paths.files_read >= full.files_read, "{by_paths:?}");
        self.assert_same();
        // The fingerprint is the walk's: a full reindex has nothing to do
        // (but try again the files that could not be read).
        let again = self.by_paths.reindex(&self.source(), &options).unwrap();
        assert!(!again.committed, "{again:?}");
        if by_paths.issues.is_empty() {
            assert_eq!(again.files_read, 0, "{again:?}");
        }
        by_paths
    }

    fn assert_same(&self) {
        let (a, b) = (state(&self.by_paths), state(&self.full));
        assert_eq!(a.0, b.0, "passages");
        assert_eq!(a.1, b.1, "manifest");
        assert_eq!(a.2, b.2, "sources");
    }
}

/// What a report counts (not its time, nor how it found the changes).
fn counts(r: &ReindexReport) -> String {
    format!(
        "added {} updated {} removed {} unchanged {} passages {} +{} -{} committed {} issues {:?}",
        r.added,
        r.updated,
        r.removed,
        r.unchanged,
        r.passages,
        r.passages_added,
        r.passages_removed,
        r.committed,
        r.issues
    )
}

/// Every live passage (stored fields, sorted), the manifest of the last
/// commit, and its list of sources.
fn state(index: &NeedleIndex) -> (Vec<String>, String, Sources) {
    index.reload().unwrap();
    let searcher = index.reader.searcher();
    let schema = index.index.schema();
    let mut passages = Vec::new();
    for segment in searcher.segment_readers() {
        let store = segment.get_store_reader(0).unwrap();
        for doc in segment.doc_ids_alive() {
            let doc: tantivy::TantivyDocument = store.get(doc).unwrap();
            passages.push(doc.to_json(&schema));
        }
    }
    passages.sort();
    let manifest: Manifest = index.committed_manifest().unwrap();
    let sources = index.read_sources(&manifest).unwrap();
    (passages, serde_json::to_string(&manifest).unwrap(), sources)
}

/// A few files of each kind, and 40 more: enough that the changes of a
/// few commits are written on their own, beside the list of every file.
fn base() -> Twin {
    let mut files: Vec<(String, String)> = [
        ("a.md", article("Alpha", "alpha")),
        ("b.txt", "Beta\n\nBeta text about care.\n".to_owned()),
        ("c.md", article("Gamma", "gamma")),
        ("sub/d.md", article("Delta", "delta")),
        ("sub/deeper/e.md", article("Epsilon", "epsilon")),
        (
            "records.jsonl",
            record("r1", "first record") + &record("r2", "second record"),
        ),
        ("more.jsonl", record("r3", "third record")),
        (".needleignore", "ignored/\n".to_owned()),
        (
            "topics.toml",
            "[[topic]]\nname = \"care\"\nheadings = [\"care\"]\n".to_owned(),
        ),
    ]
    .map(|(path, text)| (path.to_owned(), text))
    .into();
    files.extend((0..40).map(|i| {
        (
            format!("many/f{i:02}.md"),
            article(&format!("Many {i}"), "many"),
        )
    }));
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    Twin::new(&files)
}

fn record(id: &str, text: &str) -> String {
    format!(
        "{{\"_id\": \"{id}\", \"title\": \"{}\", \"text\": \"{text}\"}}\n",
        id.to_uppercase()
    )
}

#[test]
fn edits_adds_deletes_and_renames_by_path_match_a_full_reindex() {
    let twin = base();
    // An edit.
    twin.write("a.md", &article("Alpha", "alpha edited, longer"));
    let r = twin.sync(&["a.md"]);
    assert!(!r.full_scan && r.committed && r.updated == 1, "{r:?}");
    // One file changed of 48: its entry is written on its own, beside the
    // list of every file.
    let manifest = twin.by_paths.committed_manifest().unwrap();
    assert!(manifest.sources_changes.is_some(), "{manifest:?}");
    // An added file, in a folder that exists.
    twin.write("sub/new.md", &article("New", "fresh"));
    let r = twin.sync(&["sub/new.md"]);
    assert!(!r.full_scan && r.added == 1, "{r:?}");
    // A deleted file.
    fs::remove_file(twin.path("b.txt")).unwrap();
    let r = twin.sync(&["b.txt"]);
    assert!(!r.full_scan && r.removed == 1, "{r:?}");
    // A rename into another folder: the old path and the new.
    fs::rename(twin.path("c.md"), twin.path("sub/deeper/c2.md")).unwrap();
    let r = twin.sync(&["c.md", "sub/deeper/c2.md"]);
    assert!(!r.full_scan && r.added == 1 && r.removed == 1, "{r:?}");
    // A record that moves from one file to another is an update.
    twin.write(
        "records.jsonl",
        "{\"_id\": \"r2\", \"title\": \"R2\", \"text\": \"second record\"}\n",
    );
    twin.write("more.jsonl", "{\"_id\": \"r3\", \"title\": \"R3\", \"text\": \"third record\"}\n{\"_id\": \"r1\", \"title\": \"R1\", \"text\": \"first record, moved\"}\n");
    let r = twin.sync(&["more.jsonl", "records.jsonl"]);
    assert!(
        !r.full_scan && r.updated == 1 && r.added == 0 && r.removed == 0,
        "{r:?}"
    );
    // Written again with the same text: the new time is listed.
    std::thread::sleep(std::time::Duration::from_millis(20));
    twin.write("sub/d.md", &article("Delta", "delta"));
    let r = twin.sync(&["sub/d.md"]);
    assert!(!r.full_scan && !r.changed() && r.files_read == 1, "{r:?}");
}

/// A walk reads the old list alongside the files found, both in path
/// order: files gone before, between and after those found, and files
/// added between, in one reindex.
#[test]
fn files_gone_and_added_all_over_the_order_match_a_full_reindex() {
    let twin = base();
    let gone = ["a.md", "many/f10.md", "many/f11.md", "sub/deeper/e.md"];
    for rel in gone {
        fs::remove_file(twin.path(rel)).unwrap();
    }
    let added = ["0first.md", "many/f10b.md", "zz/last.md"];
    for rel in added {
        twin.write(rel, &article(rel, "added"));
    }
    let changed: Vec<&str> = gone.iter().chain(&added).copied().collect();
    let r = twin.sync(&changed);
    assert!(r.committed && r.removed == 4 && r.added == 3, "{r:?}");
    let (_, _, sources) = state(&twin.full);
    for rel in gone {
        assert!(!sources.contains_key(rel), "{rel}");
    }
    for rel in added {
        assert!(sources.contains_key(rel), "{rel}");
    }
    assert_eq!(sources.len(), 47 - 4 + 3);
}

#[test]
fn paths_that_are_not_content_change_nothing() {
    let twin = base();
    twin.write("notes.bak", "not content");
    twin.write(".hidden.md", &article("Hidden", "hidden"));
    twin.write("ignored/x.md", &article("Ignored", "ignored"));
    twin.write(".cache/y.md", &article("Cached", "cached"));
    fs::remove_dir_all(twin.path(".cache")).unwrap();
    let r = twin.sync(&[
        "notes.bak",
        ".hidden.md",
        "ignored/x.md",
        "ignored",
        ".cache/y.md",
    ]);
    assert!(!r.full_scan && !r.committed, "{r:?}");
    // Paths given twice, relative to the content, or already indexed.
    twin.write("a.md", &article("Alpha", "alpha once more"));
    let paths = [PathBuf::from("a.md"), twin.path("a.md"), twin.path("c.md")];
    let r = twin.sync_paths(&paths);
    assert!(!r.full_scan && r.updated == 1 && r.files_read == 2, "{r:?}");
}

#[test]
fn a_file_that_cannot_be_read_is_reported_and_retried() {
    let twin = base();
    twin.write("bin.md", "binary\0file");
    let r = twin.sync(&["bin.md"]);
    assert!(!r.full_scan && !r.changed() && r.issues.len() == 1, "{r:?}");
    twin.write("bin.md", &article("Readable", "readable"));
    let r = twin.sync(&["bin.md"]);
    assert!(!r.full_scan && r.added == 1, "{r:?}");
}

#[test]
fn what_the_paths_cannot_tell_is_walked() {
    let twin = base();
    // A new folder with files: only its own event is certain.
    twin.write("new/one.md", &article("One", "one"));
    twin.write("new/two.md", &article("Two", "two"));
    let r = twin.sync(&["new"]);
    assert!(r.full_scan && r.added == 2, "{r:?}");
    // A folder removed.
    fs::remove_dir_all(twin.path("sub")).unwrap();
    let r = twin.sync(&["sub"]);
    assert!(r.full_scan && r.removed == 2, "{r:?}");
    // An ignore file.
    twin.write(".needleignore", "ignored/\nnew/\n");
    let r = twin.sync(&[".needleignore"]);
    assert!(r.full_scan && r.removed == 2, "{r:?}");
    // The topics.
    twin.write(
        "topics.toml",
        "[[topic]]\nname = \"results\"\nheadings = [\"results\"]\n",
    );
    let r = twin.sync(&["topics.toml"]);
    assert!(r.full_scan && r.updated > 0, "{r:?}");
    // An id another file holds: `a/index.md` is the article `a`, as `a.md`.
    twin.write("a/index.md", &article("Alpha again", "clash"));
    let r = twin.sync(&["a/index.md"]);
    assert!(r.full_scan && r.issues.len() == 1, "{r:?}");
    // A path outside the content.
    twin.write("a.md", &article("Alpha", "alpha outside"));
    let outside = twin.content.parent().unwrap().join("elsewhere.md");
    let r = twin.sync_paths(&[twin.path("a.md"), outside]);
    assert!(r.full_scan && r.updated == 1, "{r:?}");
}

#[test]
fn sources_kept_in_memory_give_way_to_another_writers_commit() {
    let twin = base();
    twin.write("a.md", &article("Alpha", "alpha, first change"));
    twin.sync(&["a.md"]);
    // Another handle (another process) commits a change, which this
    // handle's kept sources do not have.
    twin.by_paths.close().unwrap();
    let dir = twin.by_paths.dir().unwrap().to_owned();
    let other = NeedleIndex::open(&dir).unwrap();
    twin.write("c.md", &article("Gamma", "gamma, changed elsewhere"));
    let r = twin.reindex_path(&other, "c.md", &ReindexOptions::default());
    assert!(r.committed && !r.full_scan);
    other.close().unwrap();
    drop(other);
    twin.full
        .reindex(&twin.source(), &ReindexOptions::default())
        .unwrap();
    twin.write("a.md", &article("Alpha", "alpha, second change"));
    let r = twin.sync(&["a.md"]);
    assert!(!r.full_scan && r.updated == 1 && r.unchanged == 47, "{r:?}");
}

#[test]
fn other_sources_and_a_forced_reindex_walk() {
    let twin = base();
    let r = twin.reindex_path(&twin.by_paths, "a.md", &ReindexOptions::forced());
    assert!(r.full_scan && r.committed);
    let memory = NeedleIndex::in_memory().unwrap();
    let source = ContentSource::memory([("x.md", "# X\n\nText.\n")]);
    let r = memory
        .reindex_paths(
            &source,
            &[PathBuf::from("x.md")],
            &ReindexOptions::default(),
        )
        .unwrap();
    assert!(r.full_scan && r.added == 1);
    let file = twin.path("a.md");
    let r = NeedleIndex::in_memory()
        .unwrap()
        .reindex_paths(
            &ContentSource::Path(file.clone()),
            &[file],
            &ReindexOptions::default(),
        )
        .unwrap();
    assert!(r.full_scan && r.added == 1);
}

#[cfg(unix)]
#[test]
fn files_of_several_names_make_it_walk() {
    let twin = base();
    // A link to a file: a change of `a.md` is a change of `alias.md`, which
    // no event names.
    std::os::unix::fs::symlink("a.md", twin.path("alias.md")).unwrap();
    let r = twin.sync(&["alias.md"]);
    assert!(r.full_scan && r.added == 1, "{r:?}");
    twin.write("a.md", &article("Alpha", "alpha, seen through the link"));
    let r = twin.sync(&["a.md"]);
    assert!(r.full_scan && r.updated == 2, "{r:?}");
    fs::remove_file(twin.path("alias.md")).unwrap();
    let r = twin.sync(&["alias.md"]);
    assert!(r.full_scan && r.removed == 1, "{r:?}");
    // No file of several names left: paths again.
    twin.write("a.md", &article("Alpha", "alpha, alone again"));
    let r = twin.sync(&["a.md"]);
    assert!(!r.full_scan && r.updated == 1, "{r:?}");
    // A hard link: one file, two names.
    fs::hard_link(twin.path("many/f00.md"), twin.path("many/hard.md")).unwrap();
    let r = twin.sync(&["many/hard.md"]);
    assert!(r.full_scan && r.added == 1, "{r:?}");
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(twin.path("many/f00.md"))
        .unwrap();
    std::io::Write::write_all(&mut file, b"\nMore text, written in place.\n").unwrap();
    drop(file);
    let r = twin.sync(&["many/f00.md"]);
    assert!(r.full_scan && r.updated == 2, "{r:?}");
}

/// Guards: an edit that keeps a file's size and time (two writes within
/// the file system's clock tick) is seen when an event names the file,
/// though a walk, which trusts size and time, cannot see it.
#[test]
fn an_edit_that_keeps_the_size_and_time_is_seen_by_its_path() {
    let twin = base();
    let path = twin.path("a.md");
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    let text = fs::read_to_string(&path).unwrap().replace("alpha", "omega");
    fs::write(&path, &text).unwrap();
    fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(before)
        .unwrap();
    let options = ReindexOptions::default();
    let walked = twin.full.reindex(&twin.source(), &options).unwrap();
    assert!(!walked.committed, "{walked:?}");
    let r = twin
        .by_paths
        .reindex_paths(&twin.source(), &[path], &options)
        .unwrap();
    assert!(!r.full_scan && r.updated == 1, "{r:?}");
    let results = twin
        .by_paths
        .search(&crate::SearchRequest::new("omega"))
        .unwrap();
    assert!(results.total > 0);
}

#[test]
fn preloaded_sources_spare_the_next_reindex_of_paths_a_read() {
    let twin = base();
    twin.by_paths.close().unwrap();
    let dir = twin.by_paths.dir().unwrap().to_owned();
    // A new handle, as a process that starts watching: nothing changed, so
    // its first (full) reindex reads no list; the preload does.
    let index = NeedleIndex::open(&dir).unwrap();
    let first = index
        .reindex(&twin.source(), &ReindexOptions::default())
        .unwrap();
    assert!(!first.committed);
    index.preload_sources().unwrap();
    // With the list out of the way, the reindex of a path still works: it
    // reads the list from memory.
    let manifest = index.committed_manifest().unwrap();
    let list = dir.join(manifest.sources_file.as_deref().unwrap());
    let away = dir.join("list-away");
    fs::rename(&list, &away).unwrap();
    twin.write("a.md", &article("Alpha", "alpha, preloaded"));
    let r = twin.reindex_path(&index, "a.md", &ReindexOptions::default());
    fs::rename(&away, &list).unwrap();
    assert!(!r.full_scan && r.updated == 1, "{r:?}");
    twin.full
        .reindex(&twin.source(), &ReindexOptions::default())
        .unwrap();
    assert_eq!(state(&index), state(&twin.full));
}

/// A file found empty just after it changed is taken to be in the middle
/// of a save in place: a walk keeps its passages and reads it again next
/// time; once the moment has passed, an emptied file's passages go.
#[test]
fn a_file_found_empty_while_being_saved_keeps_its_passages_until_read_again() {
    use std::time::{Duration, SystemTime};
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    fs::create_dir_all(&content).unwrap();
    let a = content.join("a.md");
    fs::write(&a, article("Alpha", "alpha")).unwrap();
    fs::write(content.join("b.md"), article("Beta", "beta")).unwrap();
    let index = NeedleIndex::open(tmp.path().join("index")).unwrap();
    let source = ContentSource::Path(content.clone());
    let options = ReindexOptions::default();
    index.reindex(&source, &options).unwrap();
    let passages = index.passage_count();
    let alpha = || {
        index
            .search(&crate::SearchRequest::new("alpha"))
            .unwrap()
            .total
    };
    assert!(alpha() > 0);

    // Truncated, as a save in place does first: nothing changes.
    fs::write(&a, "").unwrap();
    let r = index.reindex(&source, &options).unwrap();
    assert!(
        !r.changed() && r.issues.is_empty() && r.files_read == 1,
        "{r:?}"
    );
    assert_eq!(index.passage_count(), passages);
    assert!(alpha() > 0);
    // The write that follows is read at the next walk.
    fs::write(&a, article("Alpha", "alpha rewritten")).unwrap();
    let r = index.reindex(&source, &options).unwrap();
    assert!(r.committed && r.updated == 1, "{r:?}");

    // Emptied on purpose, a while ago: its passages go.
    fs::write(&a, "").unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(60);
    fs::File::options()
        .write(true)
        .open(&a)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    let r = index.reindex(&source, &options).unwrap();
    assert!(r.committed && r.passages_removed > 0, "{r:?}");
    assert_eq!(alpha(), 0);
}
