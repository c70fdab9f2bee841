//! A search after a change sees the change, in every mode: with a watcher
//! running (which the search trusts instead of walking the content), with
//! a watcher killed (a socket left behind, nobody answering), and with no
//! watcher at all (the walk); and `needle index PATH...`, which reads the
//! paths it is given and nothing else.

use std::process::{Child, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::util::{Sandbox, lines_of};

fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.write("a.md", "# Alpha\n\nThe quick zebra grazes.\n");
    s.write("b.md", "# Beta\n\nA calm heron waits.\n");
    s
}

/// `needle watch --json` on the sandbox, once its first reindex printed.
fn start_watch(s: &Sandbox) -> (Child, Receiver<String>) {
    let content = s.content();
    let mut child = s
        .cmd(&["--content", content.to_str().unwrap(), "watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawning needle watch");
    let rx = lines_of(child.stdout.take().unwrap());
    let first = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("needle watch printed its first reindex");
    assert!(first.contains("\"passages\":2"), "{first}");
    (child, rx)
}

/// The articles a search finds (exit 1: none), and its standard error.
fn articles(s: &Sandbox, query: &str) -> (Vec<String>, String) {
    search(s, &[], query)
}

/// The articles a search finds in the index as it is (`--no-refresh`).
fn indexed_articles(s: &Sandbox, query: &str) -> Vec<String> {
    search(s, &["--no-refresh"], query).0
}

/// `needle search --json FLAGS QUERY`: the articles found, and stderr.
fn search(s: &Sandbox, flags: &[&str], query: &str) -> (Vec<String>, String) {
    let mut args = vec!["search", "--json"];
    args.extend_from_slice(flags);
    args.push(query);
    let r = s.run(&args);
    let found = match r.code {
        0 => r.json()["hits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["article"].as_str().unwrap().to_owned())
            .collect(),
        1 => Vec::new(),
        _ => panic!("search {query:?} failed:\n{}", r.stderr),
    };
    (found, r.stderr)
}

/// Edits, adds, deletes and renames, each followed at once (no sleep) by a
/// search that must see it. With `quiet`, no search may warn (a warning
/// would mean it searched a stale index).
fn every_change_is_seen(s: &Sandbox, quiet: bool) {
    let check = |query: &str, want: &[&str]| {
        let (found, stderr) = articles(s, query);
        assert_eq!(found, want, "search {query:?}; stderr:\n{stderr}");
        if quiet {
            assert!(stderr.is_empty(), "search {query:?} warned:\n{stderr}");
        }
    };
    check("zebra", &["a"]);

    // An edit in place (same name, same directory).
    s.write("a.md", "# Alpha\n\nThe quick okapi grazes.\n");
    check("okapi", &["a"]);
    check("zebra", &[]);

    // A new file.
    s.write("c.md", "# Gamma\n\nA bright ibis flies.\n");
    check("ibis", &["c"]);

    // A deleted file.
    std::fs::remove_file(s.content().join("b.md")).unwrap();
    check("heron", &[]);

    // A renamed file.
    std::fs::rename(s.content().join("c.md"), s.content().join("d.md")).unwrap();
    check("ibis", &["d"]);
}

#[test]
fn with_a_watcher_running_a_search_sees_every_change_at_once() {
    let s = sandbox();
    let (mut watch, lines) = start_watch(&s);
    // The watcher holds the writer: a search that walked would find the
    // change but could not index it, and would warn. Every search being
    // right and quiet shows it was the watcher that caught up.
    every_change_is_seen(&s, true);
    watch.kill().unwrap();
    watch.wait().unwrap();
    // After its first, the watcher reindexed the paths that changed, and
    // did not walk the content.
    let reindexes: Vec<String> =
        std::iter::from_fn(|| lines.recv_timeout(Duration::from_secs(10)).ok()).collect();
    assert!(reindexes.len() >= 4, "{reindexes:?}");
    for line in &reindexes {
        assert!(line.contains("\"full_scan\":false"), "{line}");
    }
}

#[test]
fn with_the_watcher_killed_a_search_walks_again() {
    let s = sandbox();
    let (mut watch, _lines) = start_watch(&s);
    watch.kill().unwrap();
    watch.wait().unwrap();
    // SIGKILL leaves the socket behind, with nobody listening on it.
    if cfg!(target_os = "linux") {
        assert!(s.index().join(".watch").join("sock").exists());
    }
    every_change_is_seen(&s, true);
}

#[test]
fn with_no_watcher_a_search_walks() {
    let s = sandbox();
    s.run(&["index"]).code(0);
    every_change_is_seen(&s, true);
}

#[test]
fn a_watcher_of_other_content_is_not_trusted() {
    // Two contents, one index directory: the watcher watches the first;
    // a search of the second must walk its own content, not trust it.
    let s = sandbox();
    let (mut watch, _lines) = start_watch(&s);
    let other = s.root.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("o.md"), "# Other\n\nA lone walrus.\n").unwrap();
    s.run(&["search", "--json", "zebra"]).code(0);
    let search_other = |q: &str| {
        crate::util::Run::from(
            s.cmd(&["--content", other.to_str().unwrap(), "search", "--json", q])
                .output()
                .unwrap(),
        )
    };
    // The index is the watcher's, of other content: the search does not
    // take the watcher's word for it; it walks its own content, finds it
    // cannot reindex (the watcher holds the writer), says so, and finds
    // nothing of the other content.
    let r = search_other("walrus");
    r.code(1);
    assert!(r.stderr.contains("was not refreshed"), "{}", r.stderr);
    watch.kill().unwrap();
    watch.wait().unwrap();
}

#[test]
fn with_a_watcher_running_needle_index_asks_it_and_a_rebuild_needs_it_stopped() {
    let s = sandbox();
    let (mut watch, _lines) = start_watch(&s);
    s.write("a.md", "# Alpha\n\nThe quick okapi grazes.\n");
    // The watcher holds the writer: `needle index` asks it to catch up
    // instead of failing on the lock, and says so.
    let r = s.run(&["index", "--json"]);
    r.code(0);
    let report = r.json();
    assert_eq!(report["watcher"], true, "{}", r.stdout);
    assert_eq!(report["committed"], false, "{}", r.stdout);
    assert_eq!(report["passages"], 2, "{}", r.stdout);
    // The index holds the edit: a search that does not refresh finds it.
    let found = s.run(&["search", "--no-refresh", "--json", "okapi"]);
    found.code(0);
    assert_eq!(found.json()["hits"][0]["article"], "a", "{}", found.stdout);
    let r = s.run(&["index"]);
    r.code(0);
    assert!(
        r.stdout.contains("kept by the watcher") && r.stdout.contains("2 passages"),
        "{}",
        r.stdout
    );
    // A rebuild needs the writer: the lock's error, which names the fix.
    let r = s.run(&["index", "--force"]);
    r.code(2);
    assert!(r.stderr.contains("another needle process"), "{}", r.stderr);
    watch.kill().unwrap();
    watch.wait().unwrap();
}

#[test]
fn needle_index_with_paths_reads_those_and_only_those() {
    let s = sandbox();
    s.write("e.md", "# Epsilon\n\nA slow tortoise naps.\n");
    s.run(&["index"]).code(0);
    // An edit, an addition and a removal, named (relative to the working
    // directory, as a shell gives them); and an edit not named.
    s.write("a.md", "# Alpha\n\nThe quick okapi grazes.\n");
    s.write("c.md", "# Gamma\n\nA bright ibis flies.\n");
    std::fs::remove_file(s.content().join("b.md")).unwrap();
    s.write("e.md", "# Epsilon\n\nA slow lemur naps.\n");
    let r = s.run(&[
        "index",
        "--json",
        "../content/a.md",
        "../content/b.md",
        "../content/./c.md",
    ]);
    r.code(0);
    let report = r.json();
    assert_eq!(
        (&report["added"], &report["updated"], &report["removed"]),
        (&1.into(), &1.into(), &1.into()),
        "{}",
        r.stdout
    );
    assert_eq!(report["files_read"], 2, "{}", r.stdout);
    assert_eq!(report["full_scan"], false, "{}", r.stdout);
    assert_eq!(indexed_articles(&s, "okapi"), ["a"]);
    assert_eq!(indexed_articles(&s, "ibis"), ["c"]);
    assert!(indexed_articles(&s, "heron").is_empty());
    // The file not named was not read.
    assert_eq!(indexed_articles(&s, "tortoise"), ["e"]);

    // A rename: both names.
    let content = s.content();
    std::fs::rename(content.join("c.md"), content.join("d.md")).unwrap();
    let (old, new) = (content.join("c.md"), content.join("d.md"));
    let r = s.run(&["index", old.to_str().unwrap(), new.to_str().unwrap()]);
    r.code(0);
    assert!(
        r.stdout.contains("1 added, 0 updated, 1 removed") && !r.stdout.contains("every file"),
        "{}",
        r.stdout
    );
    assert_eq!(indexed_articles(&s, "ibis"), ["d"]);

    // A folder among the paths: every file is compared, and says so.
    let r = s.run(&["index", "../content"]);
    r.code(0);
    assert!(r.stdout.contains("every file compared"), "{}", r.stdout);
    assert_eq!(indexed_articles(&s, "lemur"), ["e"]);

    // A path outside the content is an error that names it; so is a
    // rebuild of some paths.
    let r = s.run(&["index", "../notes.md"]);
    r.code(2);
    assert!(
        r.stderr
            .contains("../notes.md is not in the content folder"),
        "{}",
        r.stderr
    );
    let r = s.run(&["index", "--force", "../content/a.md"]);
    r.code(2);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
}
