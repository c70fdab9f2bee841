//! Helpers: the built `needle` binary, temp dirs, running commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The `needle` binary that Cargo built for these tests (ripgrep's
/// `tests/util.rs` finds `rg` the same way): `cargo test` builds it first.
pub fn needle_bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_needle"))
}

/// The repository root (where `content/` is): these tests belong to the
/// `needle` package, in `crates/needle`.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/needle is inside the repository")
        .to_owned()
}

/// The variables through which needle reads the user's own settings and
/// history: every test run of needle goes without them, so that a
/// developer's config file, history or editor never changes a result.
pub const USER_VARIABLES: [&str; 7] = [
    "NEEDLE_CONFIG",
    "NEEDLE_CONTENT",
    "NEEDLE_DRAFTS",
    "COLORFGBG",
    "VISUAL",
    "EDITOR",
    "NO_COLOR",
];

/// Where needle looks for its config file, keeps its history and (without
/// `--index`) its indexes, under `home` (a test's temporary directory):
/// `home/config`, `home/state` and `home/cache`, as `XDG_CONFIG_HOME`,
/// `XDG_STATE_HOME` and `XDG_CACHE_HOME`.
pub fn user_dirs(home: &Path) -> [(&'static str, PathBuf); 3] {
    [
        ("XDG_CONFIG_HOME", home.join("config")),
        ("XDG_STATE_HOME", home.join("state")),
        ("XDG_CACHE_HOME", home.join("cache")),
    ]
}

/// Isolates a command from the user's settings: none of
/// [`USER_VARIABLES`], and the config and state directories under `home`.
pub fn isolate<'a>(cmd: &'a mut Command, home: &Path) -> &'a mut Command {
    for name in USER_VARIABLES {
        cmd.env_remove(name);
    }
    for (name, dir) in user_dirs(home) {
        cmd.env(name, dir);
    }
    cmd
}

/// `needle` isolated from the user's settings (see [`isolate`]), for a test
/// with no sandbox: its config and state directories are under Cargo's
/// scratch directory for integration tests (it writes nothing there but a
/// query history, which only the interface does, and indexes when a test
/// gives no index).
pub fn needle_command() -> Command {
    let mut cmd = Command::new(needle_bin());
    isolate(
        &mut cmd,
        &Path::new(env!("CARGO_TARGET_TMPDIR")).join("e2e-home"),
    );
    cmd
}

/// A scratch area: a content dir, an index dir and an empty working dir.
pub struct Sandbox {
    pub root: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join("content")).unwrap();
        std::fs::create_dir_all(root.path().join("work")).unwrap();
        Sandbox { root }
    }

    pub fn content(&self) -> PathBuf {
        self.root.path().join("content")
    }

    pub fn index(&self) -> PathBuf {
        self.root.path().join("index")
    }

    /// Writes a content file (creating folders).
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.content().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// Writes `rel` whole at once, as an editor's atomic save does: its
    /// text goes to a file beside it (not content: no content extension),
    /// then replaces it by a rename, so a reader never sees it half written.
    pub fn write_atomically(&self, rel: &str, text: &str) {
        let path = self.content().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let temp = path.with_extension("saving");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(temp, path).unwrap();
    }

    /// The sandbox's stand-in for the user's home: its config and state
    /// directories are `home/config` and `home/state` (see [`isolate`]).
    pub fn home(&self) -> PathBuf {
        self.root.path().join("home")
    }

    /// `needle ARGS` in the empty working dir, with this sandbox's index,
    /// isolated from the user's settings (see [`isolate`]).
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(needle_bin());
        isolate(&mut c, &self.home());
        c.current_dir(self.root.path().join("work"))
            .env("NEEDLE_INDEX", self.index())
            .args(args)
            .stdin(Stdio::null());
        c
    }

    /// `needle --content <sandbox content> search --json ARGS -`, the batch
    /// mode, with standard input, output and error piped.
    pub fn spawn_batch(&self, args: &[&str]) -> std::process::Child {
        let content = self.content();
        let mut all = vec!["--content", content.to_str().unwrap(), "search", "--json"];
        all.extend_from_slice(args);
        all.push("-");
        self.cmd(&all)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning needle search --json -")
    }

    /// `needle --content <sandbox content> ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        let content = self.content();
        let mut all = vec!["--content", content.to_str().unwrap()];
        all.extend_from_slice(args);
        Run::from(self.cmd(&all).output().expect("running needle"))
    }
}

/// A finished run: exit code and output as text.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    /// Asserts the exit code, showing the output when it is not.
    pub fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON value ({e}):\n{}", self.stdout))
    }
}

/// The lines a child writes to a pipe, through a channel (read on a thread
/// of their own, so that a test can wait for a line with a timeout).
pub fn lines_of(pipe: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
