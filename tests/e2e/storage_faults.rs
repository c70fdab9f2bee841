//! Storage faults on a real file system: a full disk (a 6 MB tmpfs, filled
//! up) and a read-only index directory (the same tmpfs remounted
//! read-only). The file system is mounted in a user and mount namespace of
//! the test's own (`unshare -rm`), which needs no privilege and which
//! nothing outside the test sees; every command runs in it, through a
//! shell that reads them one per line. Where `unshare` or mounting is not
//! available, the tests say "skipped" and pass.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use crate::util::{Run, Sandbox, needle_bin};

/// A shell in a namespace of its own, with a tmpfs mounted at `mount`.
struct Namespace {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: BufReader<ChildStdout>,
    scratch: PathBuf,
    runs: usize,
}

fn quote(p: &Path) -> String {
    let s = p.to_str().expect("a UTF-8 path");
    assert!(!s.contains('\''), "{s}");
    format!("'{s}'")
}

impl Namespace {
    /// Mounts a tmpfs of `size` at `mount`; `Err` says why it could not.
    fn start(mount: &Path, size: &str, scratch: &Path) -> Result<Namespace, String> {
        std::fs::create_dir_all(mount).unwrap();
        std::fs::create_dir_all(scratch).unwrap();
        let mut child = Command::new("unshare")
            .args(["-rm", "sh"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("unshare: {e}"))?;
        let stdin = child.stdin.take();
        let lines = BufReader::new(child.stdout.take().unwrap());
        let mut ns = Namespace {
            child,
            stdin,
            lines,
            scratch: scratch.to_owned(),
            runs: 0,
        };
        let mounted = ns.sh(&format!(
            "mount -t tmpfs -o size={size} tmpfs {}",
            quote(mount)
        ));
        if mounted.code != 0 {
            let mut why = mounted.stderr;
            if let Some(mut err) = ns.child.stderr.take() {
                ns.stdin = None;
                let _ = std::io::Read::read_to_string(&mut err, &mut why);
            }
            return Err(format!("mounting a tmpfs failed: {}", why.trim()));
        }
        Ok(ns)
    }

    /// Runs `cmd` in the namespace's shell; code -1 if the shell is gone.
    fn sh(&mut self, cmd: &str) -> Run {
        self.runs += 1;
        let out = self.scratch.join(format!("{}.out", self.runs));
        let err = self.scratch.join(format!("{}.err", self.runs));
        let line = format!(
            "{{ {cmd} ; }} >{} 2>{} </dev/null; echo \"rc $?\"\n",
            quote(&out),
            quote(&err)
        );
        let sent = self.stdin.as_mut().is_some_and(|i| {
            i.write_all(line.as_bytes())
                .and_then(|()| i.flush())
                .is_ok()
        });
        let mut answer = String::new();
        let code = if sent && self.lines.read_line(&mut answer).is_ok() {
            answer
                .trim()
                .strip_prefix("rc ")
                .and_then(|c| c.parse().ok())
                .unwrap_or(-1)
        } else {
            -1
        };
        Run {
            code,
            stdout: std::fs::read_to_string(&out).unwrap_or_default(),
            stderr: std::fs::read_to_string(&err).unwrap_or_default(),
        }
    }

    /// `needle --content <content> ARGS` with the index at `index`.
    fn needle(&mut self, s: &Sandbox, index: &Path, args: &[&str]) -> Run {
        let args: Vec<String> = args.iter().map(|a| quote(Path::new(a))).collect::<Vec<_>>();
        self.sh(&format!(
            "cd {} && NEEDLE_INDEX={} {} --content {} {}",
            quote(&s.root.path().join("work")),
            quote(index),
            quote(needle_bin()),
            quote(&s.content()),
            args.join(" ")
        ))
    }

    /// The files under `dir`, with their sizes, one per line.
    fn listing(&mut self, dir: &Path) -> String {
        let r = self.sh(&format!(
            "cd {} && find . -type f -printf '%P %s\\n' | sort",
            quote(dir)
        ));
        assert_eq!(r.code, 0, "{}", r.stderr);
        r.stdout
    }

    /// Bytes used or available on the file system of `dir` (`df`).
    fn df(&mut self, dir: &Path, what: &str) -> u64 {
        let r = self.sh(&format!(
            "df -B1 --output={what} {} | tail -n 1",
            quote(dir)
        ));
        r.stdout
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("df: {r:?}"))
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        // The shell exits at the end of its input; the namespace and its
        // mount go with it.
        self.stdin = None;
        let _ = self.child.wait();
    }
}

/// A search's output without its time (`· 1.2 ms`), which varies.
fn hits(r: &Run) -> String {
    r.stdout
        .lines()
        .map(|l| l.split(" · ").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The namespace, or `None` after saying why the test is skipped.
fn namespace(s: &Sandbox, test: &str) -> Option<(Namespace, PathBuf)> {
    let mount = s.root.path().join("mnt");
    match Namespace::start(&mount, "6m", &s.root.path().join("runs")) {
        Ok(ns) => Some((ns, mount)),
        Err(why) => {
            eprintln!("skipped: {test}: {why} (needs unshare -rm and tmpfs)");
            None
        }
    }
}

/// Articles `first..first + count`, each with a marker word of its own
/// (`markerN`) and about `words` other words.
fn write_articles(s: &Sandbox, first: usize, count: usize, words: usize) {
    for n in first..first + count {
        let mut text = format!("# Article {n}\n\nMarker{n} opens article {n}.\n\n## Body\n\n");
        let mut x = n as u64 * 2_654_435_761 + 1;
        for i in 0..words {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let len = 4 + (x >> 60) as usize;
            let word: String = (0..len)
                .map(|k| char::from(b'a' + ((x >> ((k * 5) % 60)) % 26) as u8))
                .collect();
            text.push_str(&word);
            text.push(if i % 12 == 11 { '\n' } else { ' ' });
        }
        s.write(&format!("a/article-{n:05}.md"), &text);
    }
}

/// Guards: a reindex and a forced rebuild that fill the disk fail with a
/// message naming the index directory and the full disk (never "damaged"),
/// leave the disk as it was (the same files, the same space used), keep
/// the old index searchable, and the next reindex after space is freed
/// succeeds without --force.
#[test]
fn a_full_disk_fails_the_reindex_cleanly_and_the_next_one_succeeds() {
    let s = Sandbox::new();
    let Some((mut ns, mount)) = namespace(&s, "a_full_disk_fails_the_reindex_cleanly") else {
        return;
    };
    let index = mount.join("index");
    write_articles(&s, 0, 30, 200);
    ns.needle(&s, &index, &["index"]).code(0);
    let old = ns.needle(&s, &index, &["search", "--no-refresh", "marker7"]);
    old.code(0);
    assert!(old.stdout.contains("Article 7"), "{}", old.stdout);

    // Leave about 150 kB free, then add about 400 kB of text (its index
    // takes about 2 MB).
    let avail = ns.df(&mount, "avail");
    let filler = mount.join("filler");
    ns.sh(&format!(
        "head -c {} /dev/zero > {}",
        avail.saturating_sub(150_000),
        quote(&filler)
    ))
    .code(0);
    write_articles(&s, 30, 300, 200);
    let files = ns.listing(&index);
    let used = ns.df(&mount, "used");

    for args in [&["index"][..], &["index", "--force"], &["index"]] {
        let r = ns.needle(&s, &index, args);
        r.code(2);
        assert!(
            r.stderr.contains(&format!(
                "no space left on the disk of the index at {}",
                index.display()
            )),
            "{args:?}: {}",
            r.stderr
        );
        assert!(r.stderr.contains("free now"), "{}", r.stderr);
        assert!(r.stderr.contains("No space left on device"), "{}", r.stderr);
        assert!(
            r.stderr.contains("the index is as it was before"),
            "{}",
            r.stderr
        );
        for wrong in ["damaged", "thread", "--force", "panicked"] {
            assert!(!r.stderr.contains(wrong), "{args:?}: {}", r.stderr);
        }
        assert_eq!(ns.listing(&index), files, "{args:?}: files left behind");
        let now = ns.df(&mount, "used");
        assert!(
            now <= used + 8192,
            "{args:?}: {now} bytes used, {used} before"
        );
        // The old index answers as before, with or without a refresh.
        let again = ns.needle(&s, &index, &["search", "--no-refresh", "marker7"]);
        again.code(0);
        assert_eq!(hits(&again), hits(&old));
        let refreshed = ns.needle(&s, &index, &["search", "marker7"]);
        refreshed.code(0);
        assert_eq!(hits(&refreshed), hits(&old));
        assert!(
            refreshed
                .stderr
                .contains("the index was not refreshed, searching it as it is: no space left"),
            "{}",
            refreshed.stderr
        );
    }

    ns.sh(&format!("rm {}", quote(&filler))).code(0);
    let r = ns.needle(&s, &index, &["index", "--json"]);
    r.code(0);
    assert_eq!(r.json()["added"], 300, "{}", r.stdout);
    let new = ns.needle(&s, &index, &["search", "--no-refresh", "marker329"]);
    new.code(0);
    assert!(new.stdout.contains("Article 329"), "{}", new.stdout);
}

/// Guards: an index on a read-only file system is searched (`search` with
/// and without --no-refresh, `topics`, `articles`, `get`) without writing
/// anything; once the content changed, a search says once that the index
/// is read-only and stale, and searches it as it is; `needle index` (with
/// or without --force) is an error that says the directory is read-only,
/// never "damaged".
#[test]
fn a_read_only_index_is_searched_without_writing() {
    let s = Sandbox::new();
    let Some((mut ns, mount)) = namespace(&s, "a_read_only_index_is_searched_without_writing")
    else {
        return;
    };
    let index = mount.join("index");
    write_articles(&s, 0, 20, 100);
    ns.needle(&s, &index, &["index"]).code(0);
    // A copy of the index without lock files: nothing may create them.
    let copy = mount.join("copy");
    ns.sh(&format!(
        "cp -a {} {} && rm -f {}/.tantivy-*.lock",
        quote(&index),
        quote(&copy),
        quote(&copy)
    ))
    .code(0);
    let expected = ns.needle(&s, &index, &["search", "--no-refresh", "marker7"]);
    expected.code(0);
    let hit = ns.needle(&s, &index, &["search", "--no-refresh", "--json", "marker7"]);
    let article = hit.json()["hits"][0]["article"]
        .as_str()
        .expect("an article id")
        .to_owned();
    ns.sh(&format!("mount -o remount,ro {}", quote(&mount)))
        .code(0);
    let written = ns.sh(&format!("touch {}/probe", quote(&mount)));
    assert_ne!(written.code, 0, "the file system is not read-only");

    for dir in [&index, &copy] {
        let files = ns.listing(dir);
        for args in [
            &["search", "--no-refresh", "marker7"][..],
            &["search", "marker7"],
        ] {
            let r = ns.needle(&s, dir, args);
            r.code(0);
            assert_eq!(hits(&r), hits(&expected), "{args:?}");
            assert_eq!(r.stderr, "", "{args:?}");
        }
        for args in [&["topics"][..], &["articles"], &["get", &article]] {
            let r = ns.needle(&s, dir, args);
            r.code(0);
            assert_eq!(r.stderr, "", "{args:?}");
        }
        assert_eq!(ns.listing(dir), files, "{}: written", dir.display());
    }

    // The content changes: the index is stale, and still answers.
    s.write("a/new.md", "# New\n\nQuokkaword appears here.\n");
    let r = ns.needle(&s, &index, &["search", "marker7"]);
    r.code(0);
    assert_eq!(hits(&r), hits(&expected));
    assert_eq!(r.stderr.matches("is read-only").count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "the index at {} is read-only (Read-only file system",
            index.display()
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("searching it as it is"), "{}", r.stderr);
    ns.needle(&s, &index, &["search", "quokkaword"]).code(1);

    let files = ns.listing(&index);
    for args in [&["index"][..], &["index", "--force"]] {
        let r = ns.needle(&s, &index, args);
        r.code(2);
        assert!(
            r.stderr.contains(&format!(
                "the index at {} is read-only (Read-only file system",
                index.display()
            )),
            "{args:?}: {}",
            r.stderr
        );
        for wrong in ["damaged", "--force", "panicked"] {
            assert!(!r.stderr.contains(wrong), "{args:?}: {}", r.stderr);
        }
    }
    assert_eq!(ns.listing(&index), files);
}
