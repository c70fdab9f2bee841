//! Tests of opening an index and of storage faults: each fault injected at
//! several points of a reindex (`faulty`) must leave the index as it was
//! (same files, same answers, on this index and on one opened anew), say
//! what failed where, and let the next reindex succeed once it is gone.

mod faulty;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use tantivy::directory::error::{LockError, OpenReadError};

use self::faulty::{EDQUOT, EIO, ENOSPC, Faulty, Inject, Plan};
use super::*;
use crate::error::StorageOp;
use crate::{ContentSource, ReindexOptions, SearchRequest};

#[test]
fn a_directory_of_other_files_is_not_an_index() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
    let err = NeedleIndex::open(dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotAnIndex { .. }), "{err}");
    assert!(dir.path().join("thesis.tex").exists());
    let err = NeedleIndex::recreate(dir.path()).unwrap_err();
    assert!(matches!(err, Error::NotAnIndex { .. }), "{err}");
    assert!(dir.path().join("thesis.tex").exists());
}

/// A word of article `n`: letters only, so that every article has words
/// of its own.
fn word(n: usize, i: usize) -> String {
    let mut x = (n * 7919 + i * 104_729) as u64;
    (0..7)
        .map(|_| {
            let c = b'a' + (x % 26) as u8;
            x /= 26;
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            c as char
        })
        .collect()
}

/// `count` articles from number `first` on, of a few hundred words each.
fn write_articles(content: &Path, first: usize, count: usize) {
    for n in first..first + count {
        let mut text = format!("# Article {n}\n\nMarker{n} opens the article.\n\n");
        for section in 0..4 {
            text.push_str(&format!("## Part {section}\n\n"));
            let words: Vec<String> = (0..60).map(|i| word(n, section * 60 + i)).collect();
            text.push_str(&words.join(" "));
            text.push_str(".\n\n");
        }
        fs::write(content.join(format!("article-{n:04}.md")), text).unwrap();
    }
}

/// An index on disk, through a faulty directory, holding 20 articles.
struct Setup {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    content: PathBuf,
    plan: Arc<Plan>,
    index: NeedleIndex,
}

impl Setup {
    fn new() -> Setup {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("index");
        let content = tmp.path().join("content");
        fs::create_dir_all(&content).unwrap();
        write_articles(&content, 0, 20);
        let plan = Arc::new(Plan::default());
        let index = Self::open(&dir, &plan);
        index
            .reindex(&Self::source(&content), &ReindexOptions::default())
            .unwrap();
        Setup {
            _tmp: tmp,
            dir,
            content,
            plan,
            index,
        }
    }

    fn open(dir: &Path, plan: &Arc<Plan>) -> NeedleIndex {
        let plan = Arc::clone(plan);
        NeedleIndex::open_with(dir, &move |inner| {
            Box::new(Faulty {
                inner,
                plan: Arc::clone(&plan),
            })
        })
        .unwrap()
    }

    fn source(content: &Path) -> ContentSource {
        ContentSource::Path(content.to_owned())
    }

    fn reindex(&self) -> Result<crate::ReindexReport> {
        self.index
            .reindex(&Self::source(&self.content), &ReindexOptions::default())
    }
}

/// Every file of the index directory with its size; Tantivy's list of
/// its files (`.managed.json`, a set written in any order) as the names it
/// lists that exist (where the disk stayed full, it may still list files
/// removed since: harmless, it is rewritten at the next commit).
fn files(dir: &Path) -> BTreeMap<String, String> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            let what = if name == ".managed.json" {
                let names: BTreeSet<String> =
                    serde_json::from_slice(&fs::read(e.path()).unwrap()).unwrap();
                let names: BTreeSet<&String> =
                    names.iter().filter(|n| dir.join(n).exists()).collect();
                format!("{names:?}")
            } else {
                e.metadata().unwrap().len().to_string()
            };
            (name, what)
        })
        .collect()
}

/// What some searches find: passage ids and scores.
fn answers(index: &NeedleIndex) -> Vec<(String, u32)> {
    let mut all = Vec::new();
    for q in ["article", "marker3", "marker15", &word(7, 5), "marker25"] {
        let results = index.search(&SearchRequest::new(q).limit(5)).unwrap();
        all.push((format!("{q}: {}", results.total), 0));
        for hit in results.hits {
            all.push((hit.passage.id.clone(), hit.score.to_bits()));
        }
    }
    all
}

fn disk_full(op: Option<StorageOp>, file: &'static str) -> impl Fn(&Error, &Path) -> bool {
    move |e, dir| match e {
        Error::DiskFull {
            dir: d,
            path,
            op: o,
            available,
            ..
        } => {
            d == dir
                && op.is_none_or(|op| *o == op)
                && path.starts_with(dir)
                && path.to_string_lossy().contains(file)
                && available.is_some()
        }
        _ => false,
    }
}

fn write_failed(op: StorageOp, file: &'static str) -> impl Fn(&Error, &Path) -> bool {
    move |e, dir| match e {
        Error::WriteFailed {
            dir: d,
            path,
            op: o,
            ..
        } => d == dir && *o == op && path.starts_with(dir) && path.to_string_lossy().contains(file),
        _ => false,
    }
}

/// Whether an error is the one expected, for the index directory given.
type Check = dyn Fn(&Error, &Path) -> bool;

/// Guards: a fault at any point of a reindex (the first byte, mid-segment,
/// an fsync, the sources file, the rename of meta.json) commits nothing,
/// leaves the files and the answers as they were, says what failed on
/// which file, and the next reindex after the fault is gone succeeds.
#[test]
fn a_failed_reindex_changes_nothing_and_the_next_one_succeeds() {
    let any_segment = "";
    let cases: Vec<(Inject, Box<Check>)> = vec![
        (
            Inject::WriteAfter {
                bytes: 0,
                errno: ENOSPC,
            },
            Box::new(disk_full(Some(StorageOp::Replace), ".managed.json")),
        ),
        (
            Inject::WriteAfter {
                bytes: 60_000,
                errno: ENOSPC,
            },
            // The sources file is written while the indexing threads still
            // write their segments: either may meet the full disk first.
            Box::new(|e: &Error, dir: &Path| {
                disk_full(Some(StorageOp::Write), any_segment)(e, dir)
                    || disk_full(Some(StorageOp::Replace), ".needle-sources-")(e, dir)
            }),
        ),
        (
            Inject::WriteAfter {
                bytes: 4096,
                errno: EDQUOT,
            },
            Box::new(disk_full(None, any_segment)),
        ),
        (
            Inject::Sync { nth: 1, errno: EIO },
            Box::new(write_failed(StorageOp::Sync, any_segment)),
        ),
        (
            Inject::Sync { nth: 4, errno: EIO },
            Box::new(write_failed(StorageOp::Sync, any_segment)),
        ),
        (
            Inject::Replace {
                prefix: ".needle-sources-",
                errno: ENOSPC,
            },
            Box::new(disk_full(Some(StorageOp::Replace), ".needle-sources-")),
        ),
        (
            Inject::Replace {
                prefix: "meta.json",
                errno: EIO,
            },
            Box::new(write_failed(StorageOp::Replace, "meta.json")),
        ),
        (
            Inject::Replace {
                prefix: "meta.json",
                errno: ENOSPC,
            },
            Box::new(disk_full(Some(StorageOp::Replace), "meta.json")),
        ),
    ];
    for (inject, check) in cases {
        let s = Setup::new();
        let listing = files(&s.dir);
        let before = answers(&s.index);
        write_articles(&s.content, 20, 200);
        s.plan.set(Some(inject));
        let err = s.reindex().unwrap_err();
        let message = err.to_string();
        assert!(check(&err, &s.dir), "{inject:?}: {err:?}");
        assert!(message.contains(&*s.dir.to_string_lossy()), "{message}");
        assert!(
            message.contains("the index is as it was before") || message.contains("the index at"),
            "{message}"
        );
        assert!(!message.contains("damaged"), "{message}");
        s.plan.set(None);
        assert_eq!(files(&s.dir), listing, "{inject:?}: files left behind");
        assert_eq!(answers(&s.index), before, "{inject:?}");
        let reopened = NeedleIndex::open(&s.dir).unwrap();
        assert_eq!(answers(&reopened), before, "{inject:?}: reopened");
        drop(reopened);

        let report = s.reindex().unwrap();
        assert!(report.committed, "{inject:?}");
        assert_eq!(report.added, 200, "{inject:?}");
        let found = s.index.search(&SearchRequest::new("marker25")).unwrap();
        assert_eq!(found.hits[0].passage.article, "article-0025", "{inject:?}");
    }
}

/// Guards: a forced rebuild that fails keeps the old index whole.
#[test]
fn a_failed_forced_rebuild_keeps_the_old_index() {
    let s = Setup::new();
    let listing = files(&s.dir);
    let before = answers(&s.index);
    s.plan.set(Some(Inject::WriteAfter {
        bytes: 20_000,
        errno: ENOSPC,
    }));
    let err = s
        .index
        .reindex(&Setup::source(&s.content), &ReindexOptions::forced())
        .unwrap_err();
    assert!(matches!(err, Error::DiskFull { .. }), "{err:?}");
    s.plan.set(None);
    assert_eq!(files(&s.dir), listing);
    assert_eq!(answers(&s.index), before);
    s.index
        .reindex(&Setup::source(&s.content), &ReindexOptions::forced())
        .unwrap();
    // Rebuilt: the same totals (ties may come in another order).
    let totals = |a: Vec<(String, u32)>| -> Vec<String> {
        a.into_iter()
            .filter(|(line, _)| line.contains(": "))
            .map(|(line, _)| line)
            .collect()
    };
    assert_eq!(totals(answers(&s.index)), totals(before));
}

/// Guards: a read-only index opens and answers without writing anything
/// (not even a lock file); a reindex with nothing to do succeeds, one with
/// something to do is `ReadOnly`, never "damaged".
#[test]
fn a_read_only_index_is_searched_and_not_written() {
    let s = Setup::new();
    let before = answers(&s.index);
    drop(s.index);
    for lock in [".tantivy-writer.lock", ".tantivy-meta.lock"] {
        let _ = fs::remove_file(s.dir.join(lock));
    }
    let listing = files(&s.dir);
    s.plan.set(Some(Inject::ReadOnly));
    let index = Setup::open(&s.dir, &s.plan);
    assert_eq!(answers(&index), before);
    let source = Setup::source(&s.content);
    let report = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert!(!report.committed);
    let err = index.check_writable().unwrap_err();
    assert!(matches!(err, Error::ReadOnly { .. }), "{err:?}");
    write_articles(&s.content, 20, 1);
    let err = index
        .reindex(&source, &ReindexOptions::default())
        .unwrap_err();
    let Error::ReadOnly { dir, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(dir, &s.dir);
    let message = err.to_string();
    assert!(
        message.contains("is read-only (Read-only file system"),
        "{message}"
    );
    assert!(!message.contains("damaged"), "{message}");
    assert_eq!(answers(&index), before);
    assert_eq!(files(&s.dir), listing, "a read-only index was written");
}

/// Guards: files a crash left (a segment no commit names, a temporary
/// file) are removed when the index is next opened.
#[test]
fn leftovers_of_a_crash_are_removed_at_the_next_open() {
    let s = Setup::new();
    let before = answers(&s.index);
    drop(s.index);
    let listing = files(&s.dir);
    let orphan = "0123456789abcdef0123456789abcdef";
    for name in [
        format!("{orphan}.idx"),
        format!("{orphan}.store"),
        ".tmpAb12Cd".to_owned(),
    ] {
        fs::write(s.dir.join(name), vec![7u8; 50_000]).unwrap();
    }
    let index = NeedleIndex::open(&s.dir).unwrap();
    assert_eq!(files(&s.dir), listing);
    assert_eq!(answers(&index), before);
}

/// Guards: an error of the operating system when reading is said as it is;
/// only what Tantivy finds wrong in the files is "damaged".
#[test]
fn only_bad_data_is_called_damaged() {
    let dir = Path::new("idx");
    let io = |errno| {
        TantivyError::OpenReadError(OpenReadError::IoError {
            io_error: Arc::new(std::io::Error::from_raw_os_error(errno)),
            filepath: PathBuf::from("a.idx"),
        })
    };
    let e = read_error(dir, io(EIO));
    assert!(
        matches!(&e, Error::Io { path, .. } if path == &dir.join("a.idx")),
        "{e:?}"
    );
    let e = read_error(dir, io(13));
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    let lock = TantivyError::LockFailure(
        LockError::IoError(Arc::new(std::io::Error::from_raw_os_error(faulty::EROFS))),
        None,
    );
    assert!(matches!(read_error(dir, lock), Error::ReadOnly { .. }));
    let truncated = TantivyError::OpenReadError(OpenReadError::IoError {
        io_error: Arc::new(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "Footer magic byte mismatch",
        )),
        filepath: PathBuf::from("a.fast"),
    });
    assert!(matches!(read_error(dir, truncated), Error::Corrupt { .. }));
    let bad = TantivyError::InternalError("checksum mismatch".to_owned());
    assert!(matches!(read_error(dir, bad), Error::Corrupt { .. }));
    let missing =
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(PathBuf::from("a.idx")));
    assert!(matches!(read_error(dir, missing), Error::Corrupt { .. }));
}
