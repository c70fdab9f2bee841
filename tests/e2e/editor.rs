//! `needle open ID`: the passage's source file at its line in `$VISUAL` or
//! `$EDITOR`, each editor with its own line syntax (fake editors here: a
//! script, named as the editor it stands for, records its arguments).

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::util::{Run, Sandbox};

const CARE: &str =
    "# Care\n\n## Aftercare\n\nWear sunscreen every day.\n\n## Diet\n\nDrink water.\n";

/// A script called `name` that writes its arguments, one per line, to
/// `args.txt` beside it and exits with `code`.
fn fake_editor(dir: &Path, name: &str, code: i32) -> (PathBuf, PathBuf) {
    let bin = dir.join(format!("bin-{name}"));
    std::fs::create_dir_all(&bin).unwrap();
    let args = bin.join("args.txt");
    let path = bin.join(name);
    std::fs::write(
        &path,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nexit {code}\n",
            args.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    (path, args)
}

fn open(s: &Sandbox, id: &str, env: &[(&str, &Path)]) -> Run {
    let content = s.content();
    let mut cmd = s.cmd(&["--content", content.to_str().unwrap(), "open", id]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("running needle open"))
}

/// Guards each editor family's line syntax, VISUAL over EDITOR, and an
/// article id opening its file at the top.
#[test]
fn open_runs_the_editor_on_the_file_at_the_passage_line() {
    let s = Sandbox::new();
    s.write("care.md", CARE);
    let care = s.content().join("care.md");
    let root = s.root.path();

    let (nvim, args) = fake_editor(root, "nvim", 0);
    let r = open(&s, "care#aftercare.1", &[("EDITOR", &nvim)]);
    r.code(0);
    let written = std::fs::read_to_string(&args).unwrap();
    assert_eq!(written, format!("+5\n{}\n", care.display()));

    let (code, code_args) = fake_editor(root, "code", 0);
    let r = open(&s, "care#diet.1", &[("VISUAL", &code), ("EDITOR", &nvim)]);
    r.code(0);
    let written = std::fs::read_to_string(&code_args).unwrap();
    assert_eq!(written, format!("--goto\n{}:9\n", care.display()));

    let (other, other_args) = fake_editor(root, "my-editor", 0);
    open(&s, "care#diet.1", &[("EDITOR", &other)]).code(0);
    let written = std::fs::read_to_string(&other_args).unwrap();
    assert_eq!(
        written,
        format!("{}\n", care.display()),
        "no known line syntax"
    );

    // An article: its file, from the top.
    open(&s, "care", &[("EDITOR", &nvim)]).code(0);
    let written = std::fs::read_to_string(&args).unwrap();
    assert_eq!(written, format!("{}\n", care.display()));
}

/// Guards what has no file to open (a JSON Lines record, the bundled
/// article), an unknown id (exit 1) and an editor that fails (exit 2).
#[test]
fn open_says_when_there_is_no_file_and_when_the_editor_fails() {
    let s = Sandbox::new();
    s.write("care.md", CARE);
    s.write(
        "faq.jsonl",
        "{\"_id\": \"faq\", \"title\": \"FAQ\", \"text\": \"Zinc oxide blocks the sun.\"}\n",
    );
    let (nvim, args) = fake_editor(s.root.path(), "nvim", 0);
    let r = open(&s, "faq#1", &[("EDITOR", &nvim)]);
    r.code(2);
    assert!(
        r.stderr
            .contains("cannot open faq#1: no file to edit: faq is a JSON Lines record (line 1 of"),
        "{}",
        r.stderr
    );
    assert!(!args.exists(), "the editor did not run");

    let r = open(&s, "nothing#here.1", &[("EDITOR", &nvim)]);
    r.code(1);
    assert!(
        r.stderr.contains("no passage or article has the id"),
        "{}",
        r.stderr
    );

    let (failing, _) = fake_editor(s.root.path(), "vim", 3);
    let r = open(&s, "care#aftercare.1", &[("EDITOR", &failing)]);
    r.code(2);
    assert!(
        r.stderr.contains("exited with exit status: 3"),
        "{}",
        r.stderr
    );

    // The bundled article (no --content, no ./content), in an index of
    // its own.
    let mut cmd = s.cmd(&["open", "microneedling"]);
    cmd.env("EDITOR", &nvim)
        .env("NEEDLE_INDEX", s.root.path().join("bundled-index"));
    let r = Run::from(cmd.output().unwrap());
    r.code(2);
    assert!(
        r.stderr
            .contains("no file to edit: microneedling is the article built into needle"),
        "{}",
        r.stderr
    );
}
