//! The config file end to end: where it is, how flags and the environment
//! override it, what `needle config` says, and the errors and warnings a
//! bad file gives (naming the file, line and column).

use std::path::{Path, PathBuf};

use crate::util::{Run, Sandbox};

/// Where needle looks for the sandbox's config file (`XDG_CONFIG_HOME` is
/// `home/config`: see `util::isolate`).
fn config_path(s: &Sandbox) -> PathBuf {
    s.home().join("config/needle/config.toml")
}

fn write_config(s: &Sandbox, text: &str) -> PathBuf {
    let path = config_path(s);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

/// A directory of one article whose only passage says `word`.
fn notes(root: &Path, name: &str, word: &str) -> PathBuf {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.md")),
        format!("# {name}\n\n## Notes\n\nThe {word} note of {name}.\n\nA second {word} note.\n\nA third {word} note.\n"),
    )
    .unwrap();
    dir
}

/// `needle ARGS` in the sandbox, with extra environment and without the
/// sandbox's `NEEDLE_INDEX` (so that the config file's `index` counts):
/// the default index is under the sandbox's cache directory.
fn run(s: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = s.cmd(args);
    cmd.env_remove("NEEDLE_INDEX");
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("running needle"))
}

/// The article of each hit of `needle search --json`.
fn articles(r: &Run) -> Vec<String> {
    r.json()["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["article"].as_str().unwrap().to_owned())
        .collect()
}

/// Guards the order: a flag, then the environment, then the config file,
/// then the default, for the content, the index and the limit.
#[test]
fn flags_beat_the_environment_which_beats_the_config_file() {
    let s = Sandbox::new();
    let root = s.root.path();
    let from_file = notes(root, "file", "apple");
    let from_env = notes(root, "env", "apple");
    let from_flag = notes(root, "flag", "apple");
    let index = |name: &str| root.join(format!("index-{name}"));
    write_config(
        &s,
        &format!(
            "content = {:?}\nindex = {:?}\nlimit = 1\n",
            from_file.to_str().unwrap(),
            index("file").to_str().unwrap()
        ),
    );
    let env_content = from_env.to_str().unwrap().to_owned();
    let env_index = index("env").to_str().unwrap().to_owned();
    let env: &[(&str, &str)] = &[
        ("NEEDLE_CONTENT", env_content.as_str()),
        ("NEEDLE_INDEX", env_index.as_str()),
    ];

    // The config file alone: its content, its index, its limit.
    let r = run(&s, &["search", "--json", "apple"], &[]);
    r.code(0);
    assert_eq!(articles(&r), ["file"], "{}", r.stdout);
    assert!(index("file").join("meta.json").exists());

    // The environment over the file; the file's limit still counts.
    let r = run(&s, &["search", "--json", "apple"], env);
    r.code(0);
    assert_eq!(articles(&r), ["env"]);
    assert!(index("env").join("meta.json").exists());

    // Flags over both.
    let flag_index = index("flag");
    let r = run(
        &s,
        &[
            "--content",
            from_flag.to_str().unwrap(),
            "--index",
            flag_index.to_str().unwrap(),
            "search",
            "--json",
            "--limit",
            "3",
            "apple",
        ],
        env,
    );
    r.code(0);
    assert_eq!(articles(&r), ["flag", "flag", "flag"]);
    assert!(flag_index.join("meta.json").exists());

    // needle config says where each came from.
    let r = run(&s, &["config"], env);
    r.code(0);
    let line = |name: &str| {
        r.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} line:\n{}", r.stdout))
            .to_owned()
    };
    assert!(line("content").contains(&env_content), "{}", r.stdout);
    assert!(line("content").ends_with("environment NEEDLE_CONTENT"));
    assert!(line("index").ends_with("environment NEEDLE_INDEX"));
    assert!(
        line("limit").ends_with("config file, line 3"),
        "{}",
        r.stdout
    );
    assert!(line("mouse").ends_with("default"));
    assert!(line("config file").contains("(read)"));
    let r = run(
        &s,
        &["--content", from_flag.to_str().unwrap(), "config"],
        env,
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("content ") && l.ends_with("flag --content")),
        "{}",
        r.stdout
    );
}

/// Guards: `needle config --path` prints where the file is looked for, and
/// `NEEDLE_CONFIG` names another file (which must exist).
#[test]
fn needle_config_names_another_file_and_path_prints_it() {
    let s = Sandbox::new();
    let r = run(&s, &["config", "--path"], &[]);
    r.code(0);
    assert_eq!(r.stdout.trim_end(), config_path(&s).to_str().unwrap());

    let other = s.root.path().join("other.toml");
    std::fs::write(&other, "limit = 2\ngroup = true\n").unwrap();
    let other = other.to_str().unwrap();
    let r = run(&s, &["config", "--path"], &[("NEEDLE_CONFIG", other)]);
    assert_eq!(r.stdout.trim_end(), other);
    let r = run(&s, &["config"], &[("NEEDLE_CONFIG", other)]);
    r.code(0);
    assert!(
        r.stdout.contains("environment NEEDLE_CONFIG"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .lines()
            .any(|l| l.starts_with("group ") && l.contains("true") && l.ends_with("line 2")),
        "{}",
        r.stdout
    );

    let missing = s.root.path().join("missing.toml");
    let r = run(
        &s,
        &["topics"],
        &[("NEEDLE_CONFIG", missing.to_str().unwrap())],
    );
    r.code(2);
    assert!(
        r.stderr.contains("NEEDLE_CONFIG names") && r.stderr.contains("which does not exist"),
        "{}",
        r.stderr
    );
}

/// Guards: a config file that is not TOML, or a setting with a wrong
/// value, stops every command with the file, line and column; an unknown
/// setting or action is a warning that names it, and the command runs.
#[test]
fn a_bad_config_file_is_an_error_naming_file_line_and_column() {
    let s = Sandbox::new();
    let path = config_path(&s);
    let at = |line: usize, column: usize| format!("{}:{line}:{column}: ", path.display());

    write_config(&s, "limit = 5\ntheme = \"dark\n");
    let r = run(&s, &["topics"], &[]);
    r.code(2);
    assert!(
        r.stderr
            .starts_with(&format!("needle: error: {}", at(2, 14))),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty());

    write_config(&s, "# settings\n\nlimit = \"ten\"\n");
    let r = run(&s, &["search", "x"], &[]);
    r.code(2);
    assert!(
        r.stderr
            .contains(&format!("{}`limit` must be a whole number", at(3, 9))),
        "{}",
        r.stderr
    );

    write_config(&s, "theme = \"sepia\"\n");
    let r = run(&s, &["topics"], &[]);
    r.code(2);
    assert!(
        r.stderr
            .contains("`theme` must be one of \"auto\", \"dark\", \"light\", not \"sepia\""),
        "{}",
        r.stderr
    );

    write_config(&s, "[keys]\nopen = \"ctrl-\"\n");
    let r = run(&s, &["topics"], &[]);
    r.code(2);
    assert!(
        r.stderr
            .contains(&format!("{}\"ctrl-\" is not a key", at(2, 8))),
        "{}",
        r.stderr
    );

    write_config(
        &s,
        "limit = 1\ncolour = \"never\"\n[keys]\nopne = \"ctrl-e\"\n",
    );
    let r = run(&s, &["topics"], &[]);
    r.code(0);
    assert!(
        r.stderr
            .contains(&format!("{}unknown setting `colour` (ignored)", at(2, 1))),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains(&format!("{}unknown action `opne` in [keys]", at(4, 1))),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("aftercare"), "{}", r.stdout);

    // The packagers' commands read no config.
    write_config(&s, "limit = [");
    run(&s, &["completions", "bash"], &[]).code(0);
    run(&s, &["man"], &[]).code(0);
}

/// Guards `--color`: `always` colours even a pipe and beats `NO_COLOR`,
/// `never` beats the config file's `always`, and `NO_COLOR` beats the file.
#[test]
fn color_flag_environment_and_file_in_that_order() {
    let s = Sandbox::new();
    let colored = |r: &Run| r.stdout.contains("\x1b[");
    let r = run(&s, &["search", "sunscreen"], &[]);
    r.code(0);
    assert!(!colored(&r), "piped: plain by default");
    let r = run(
        &s,
        &["--color", "always", "search", "sunscreen"],
        &[("NO_COLOR", "1")],
    );
    assert!(colored(&r), "--color always beats NO_COLOR");
    write_config(&s, "color = \"always\"\n");
    let r = run(&s, &["search", "sunscreen"], &[]);
    assert!(colored(&r), "the file's color = \"always\"");
    let r = run(&s, &["search", "sunscreen"], &[("NO_COLOR", "1")]);
    assert!(!colored(&r), "NO_COLOR beats the file");
    let r = run(&s, &["--color", "never", "search", "sunscreen"], &[]);
    assert!(!colored(&r), "--color never beats the file");
}
