//! The walk on temporary directories: content files by extension, ignore
//! files and hidden names (against the `ignore` crate's walker), wide and
//! deep trees, bad rules, links and loops, an unreadable root.

use super::*;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// The relative paths of the files found, sorted, and of the rest.
fn walked(root: &Path) -> (Vec<String>, Vec<String>) {
    let mut files = Vec::new();
    let mut other = Vec::new();
    for visit in walk(root).into_iter().flatten() {
        match visit {
            Visit::File(file) => files.push(file.rel),
            Visit::Issue(issue) => other.push(issue.to_string()),
            Visit::Unreadable(rel, issue) => other.push(format!("{rel}! {}", issue.message)),
        }
    }
    files.sort();
    other.sort();
    (files, other)
}

#[test]
fn finds_content_files_by_extension_at_any_depth() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for rel in [
        "a.md",
        "b.txt",
        "c.jsonl",
        "d.markdown",
        "e.rs",
        "x/y/z.md",
        "x/notes",
    ] {
        write(root, rel, "text");
    }
    let (files, other) = walked(root);
    assert_eq!(
        files,
        ["a.md", "b.txt", "c.jsonl", "d.markdown", "x/y/z.md"]
    );
    assert!(other.is_empty(), "{other:?}");
}

/// The content files the `ignore` crate's own walker (as configured
/// before this module replaced it) finds under `root`.
fn walked_by_the_ignore_crate(root: &Path) -> Vec<String> {
    let mut files: Vec<String> = ignore::WalkBuilder::new(root)
        .follow_links(true)
        .hidden(true)
        .parents(false)
        .git_global(false)
        .git_exclude(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .build()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(root)
                .ok()?
                .to_str()?
                .replace('\\', "/");
            Format::of(&rel).map(|_| rel)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn ignore_files_and_hidden_names_follow_the_ignore_crate() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ignore_tree(root);
    let (files, other) = walked(root);
    assert_eq!(
        files,
        [
            ".shown.md",
            "keep.txt",
            "plain/gi.md",
            "repo/kept.md",
            "sub/again.txt"
        ]
    );
    assert!(other.is_empty(), "{other:?}");
    assert_eq!(files, walked_by_the_ignore_crate(root));
}

/// Hidden names, ignore files at several levels, a repository.
fn ignore_tree(root: &Path) {
    write(root, IGNORE_FILE, "drafts/\n*.txt\n!keep.txt\n!.shown.md\n");
    write(root, ".hidden.md", "text");
    // A rule can let a hidden name in.
    write(root, ".shown.md", "text");
    write(root, ".dot/inside.md", "text");
    write(root, "drafts/one.md", "text");
    write(root, "keep.txt", "text");
    write(root, "drop.txt", "text");
    // A deeper file overrides a shallower one.
    write(root, "sub/.needleignore", "!again.txt\n");
    write(root, "sub/again.txt", "text");
    write(root, "sub/other.txt", "text");
    // .ignore applies everywhere; .gitignore only inside a repository.
    write(root, "sub/.ignore", "ig.md\n");
    write(root, "sub/ig.md", "text");
    write(root, "plain/.gitignore", "gi.md\n");
    write(root, "plain/gi.md", "text");
    write(root, "repo/.git/HEAD", "ref");
    write(root, "repo/.gitignore", "gi.md\n");
    write(root, "repo/gi.md", "text");
    write(root, "repo/kept.md", "text");
}

/// Every path under `dir` (links not followed), relative to `root`.
fn every_path(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().to_str().unwrap();
        out.push(rel.replace('\\', "/"));
        if fs::symlink_metadata(&path).unwrap().is_dir() {
            every_path(root, &path, out);
        }
    }
}

#[test]
fn one_path_is_seen_as_the_walk_sees_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    ignore_tree(root);
    write(root, "drafts/deeper/two.md", "text");
    write(root, "real/a.md", "text");
    #[cfg(unix)]
    std::os::unix::fs::symlink("real", root.join("linked")).unwrap();
    let walked: Vec<SourceFile> = walk(root)
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Visit::File(file) => Some(file),
            _ => None,
        })
        .collect();
    let mut paths = Vec::new();
    every_path(root, root, &mut paths);
    paths.extend(["nope.md", "drafts/nope.md", "gone/x.md", "linked/a.md"].map(String::from));
    for rel in &paths {
        let name = rel.rsplit('/').next().unwrap();
        let path = root.join(rel);
        let meta = fs::symlink_metadata(&path).ok();
        let seen = visit_path(root, rel);
        // Through a link the walk gives other paths: only it can tell.
        if rel.starts_with("linked/") {
            assert!(matches!(seen, PathVisit::Unsure), "{rel}: {seen:?}");
            continue;
        }
        if let Some(file) = walked.iter().find(|f| f.rel == *rel) {
            let PathVisit::File(one) = seen else {
                panic!("{rel}: {seen:?}");
            };
            assert_eq!(
                (&one.rel, one.size, one.mtime),
                (&file.rel, file.size, file.mtime)
            );
            continue;
        }
        let expected = match meta {
            // Under an ignored folder, or gone from a folder that is there.
            None if rel.starts_with("drafts/") => "Skipped",
            None if rel.starts_with("gone/") => "Unsure",
            None => "Missing",
            Some(_) if [IGNORE_FILE, ".ignore", ".gitignore", ".git"].contains(&name) => "Unsure",
            Some(m) if m.file_type().is_symlink() => "Unsure",
            // Folders the walk skips, and anything in them.
            Some(_)
                if [".dot", "drafts", "repo/.git"]
                    .iter()
                    .any(|d| rel == d || rel.starts_with(&format!("{d}/"))) =>
            {
                "Skipped"
            }
            Some(m) if m.is_dir() => "Unsure",
            Some(_) => "Skipped",
        };
        assert_eq!(format!("{seen:?}"), expected, "{rel}");
    }
}

#[test]
fn wide_and_deep_trees_are_walked_whole_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let mut expected = Vec::new();
    for a in 0..12 {
        for b in 0..4 {
            let rel = format!("d{a:02}/e{b}/f{}.md", a * 4 + b);
            write(root, &rel, "text");
            expected.push(rel);
        }
        let rel = format!("d{a:02}/top.txt");
        write(root, &rel, "text");
        expected.push(rel);
    }
    let deep = "x/".repeat(40) + "deep.md";
    write(root, &deep, "text");
    expected.push(deep);
    expected.sort();
    // Unsorted, to see the walk's own order: by directory, then name.
    let order: Vec<String> = walk(root)
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Visit::File(file) => Some(file.rel),
            _ => None,
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    assert_eq!(sorted, walked_by_the_ignore_crate(root));
    let dirs: Vec<&str> = order
        .iter()
        .map(|r| r.rsplit_once('/').unwrap().0)
        .collect();
    assert!(dirs.is_sorted(), "{dirs:?}");
}

#[test]
fn a_bad_rule_is_reported_and_the_others_apply() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, IGNORE_FILE, "b.md\n[z-a].md\n");
    write(root, "a.md", "text");
    write(root, "b.md", "text");
    let (files, other) = walked(root);
    assert_eq!(files, ["a.md"]);
    assert_eq!(other.len(), 1, "{other:?}");
    assert!(
        other[0].starts_with(".needleignore:2: the rule `[z-a].md` is not a valid pattern"),
        "{other:?}"
    );
}

#[cfg(unix)]
#[test]
fn links_are_followed_and_loops_reported() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "real/a.md", "text");
    write(root, "elsewhere/b.md", "text");
    std::os::unix::fs::symlink("../elsewhere", root.join("real/linked")).unwrap();
    std::os::unix::fs::symlink("..", root.join("real/up")).unwrap();
    std::os::unix::fs::symlink("a.md", root.join("real/alias.md")).unwrap();
    std::os::unix::fs::symlink("missing.md", root.join("real/dangling.md")).unwrap();
    let (files, other) = walked(root);
    assert_eq!(
        files,
        [
            "elsewhere/b.md",
            "real/a.md",
            "real/alias.md",
            "real/linked/b.md"
        ]
    );
    assert_eq!(other.len(), 2, "{other:?}");
    assert!(
        other[0].starts_with("real/dangling.md! cannot be read"),
        "{other:?}"
    );
    assert!(
        other[1].starts_with("real/up! symbolic link loop"),
        "{other:?}"
    );
    assert_eq!(files, walked_by_the_ignore_crate(root));
}

#[test]
fn an_unreadable_root_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let (files, other) = walked(&dir.path().join("gone"));
    assert!(files.is_empty());
    assert_eq!(other.len(), 1, "{other:?}");
    assert!(other[0].starts_with("! cannot be read"), "{other:?}");
}

/// A name that is not UTF-8 is shown with a replacement character, and
/// the file is still read by its own name (which the path does not spell).
#[cfg(target_os = "linux")]
#[test]
fn a_name_that_is_not_utf8_is_read_by_its_own_name() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "sub/plain.md", "# Plain\n\nplain text\n");
    fs::write(
        root.join("sub").join(OsStr::from_bytes(b"caf\xe9.md")),
        "# Cafe\n\nlatin text\n",
    )
    .unwrap();
    let source = super::super::ContentSource::Path(root.to_owned());
    let mut texts: Vec<(String, String)> = walk(root)
        .into_iter()
        .flatten()
        .filter_map(|v| match v {
            Visit::File(file) => Some(file),
            _ => None,
        })
        .map(|file| (file.rel.clone(), source.read(&file).unwrap()))
        .collect();
    texts.sort();
    assert_eq!(
        texts,
        [
            (
                "sub/caf\u{fffd}.md".to_owned(),
                "# Cafe\n\nlatin text\n".to_owned()
            ),
            (
                "sub/plain.md".to_owned(),
                "# Plain\n\nplain text\n".to_owned()
            ),
        ]
    );
}
