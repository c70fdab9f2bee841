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

    /// `needle ARGS` in the empty working dir, with this sandbox's index.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(needle_bin());
        c.current_dir(self.root.path().join("work"))
            .env("NEEDLE_INDEX", self.index())
            .env_remove("NO_COLOR")
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
