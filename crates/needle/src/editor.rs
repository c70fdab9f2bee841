//! Opening a passage's source file in the user's editor, at its line: for
//! `needle open ID` and the interface's Ctrl-O.
//!
//! The editor is `$VISUAL`, else `$EDITOR`, else `vi` (`notepad` on
//! Windows), as git and crontab choose it. On Unix it runs through `sh`, so
//! the variable may hold arguments (`code --wait`, `emacs -nw`). Each
//! editor gets the line in its own syntax ([`Syntax`]): `+LINE FILE` for
//! vi, vim, nvim, nano, emacs, helix (hx), kak, micro and their kin;
//! `--goto FILE:LINE` for VS Code and its forks; `FILE:LINE` for Sublime
//! Text and Zed; any other editor gets the file alone.
//!
//! A passage of the bundled article, or of a JSON Lines file (a record, not
//! a file of its own), has no file to open: [`locate`] says so.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use needle_index::{ContentSource, NeedleIndex};

use crate::workspace::Resolved;

/// How an editor takes a line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `+LINE FILE` (vi and its kin, nano, emacs, helix, kak, micro).
    PlusLine,
    /// `--goto FILE:LINE` (VS Code and its forks).
    Goto,
    /// `FILE:LINE` (Sublime Text, Zed).
    Colon,
    /// `FILE`: the editor is not known to take a line.
    FileOnly,
}

impl Syntax {
    /// The syntax of an editor command (`/usr/bin/nvim`, `code --wait`),
    /// by its program's name.
    pub fn of(editor: &str) -> Syntax {
        let program = editor.split_whitespace().next().unwrap_or("");
        let name = Path::new(program)
            .file_name()
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let name = name.strip_suffix(".exe").unwrap_or(&name);
        match name {
            "vi" | "vim" | "nvim" | "view" | "gvim" | "mvim" | "vimx" | "nano" | "pico"
            | "emacs" | "emacsclient" | "hx" | "helix" | "kak" | "micro" | "mg" | "joe" | "jed"
            | "ne" => Syntax::PlusLine,
            "code" | "code-insiders" | "codium" | "vscodium" | "cursor" | "windsurf" => {
                Syntax::Goto
            }
            "subl" | "sublime_text" | "zed" | "zeditor" => Syntax::Colon,
            _ => Syntax::FileOnly,
        }
    }

    /// The arguments that open `file` at `line` (at its start without one).
    pub fn args(self, file: &Path, line: Option<u32>) -> Vec<OsString> {
        let at = |line: u32| {
            let mut s = file.as_os_str().to_owned();
            s.push(format!(":{line}"));
            s
        };
        match (self, line) {
            (Syntax::PlusLine, Some(line)) => vec![format!("+{line}").into(), file.into()],
            (Syntax::Goto, Some(line)) => vec!["--goto".into(), at(line)],
            (Syntax::Colon, Some(line)) => vec![at(line)],
            _ => vec![file.into()],
        }
    }
}

/// The editor command: `$VISUAL`, else `$EDITOR`, else the system's plain
/// editor.
pub fn editor_from_env() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(std::env::var_os)
        .map(|v| v.to_string_lossy().trim().to_owned())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| if cfg!(windows) { "notepad" } else { "vi" }.to_owned())
}

/// A file to open, at a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub file: PathBuf,
    pub line: Option<u32>,
}

impl Target {
    /// `path:line`, for messages.
    pub fn describe(&self) -> String {
        match self.line {
            Some(line) => format!("{}:{line}", self.file.display()),
            None => self.file.display().to_string(),
        }
    }
}

/// The source file of `article` (an article id) in `content`, at `line`.
///
/// # Errors
/// What to tell the user when there is no file to open: the bundled
/// article, a JSON Lines record, an article the index does not have.
pub fn locate(
    index: &NeedleIndex,
    content: &Resolved,
    article: &str,
    line: Option<u32>,
) -> Result<Target, String> {
    let ContentSource::Path(root) = &content.source else {
        return Err(format!(
            "no file to edit: {article} is the article built into needle (search your own files with --content DIR)"
        ));
    };
    let articles = index.articles().map_err(|e| e.to_string())?;
    let Some(info) = articles.iter().find(|a| a.id == article) else {
        return Err(format!(
            "{article} is no longer in the index: reindex (Ctrl-R, or needle index) and try again"
        ));
    };
    let file = if root.is_file() {
        root.clone()
    } else {
        root.join(&info.path)
    };
    if Path::new(&info.path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
    {
        return Err(format!(
            "no file to edit: {article} is a JSON Lines record ({}{}), not a file of its own",
            line.map_or(String::new(), |l| format!("line {l} of ")),
            file.display(),
        ));
    }
    Ok(Target { file, line })
}

/// The command that opens `target` in `editor`.
pub fn command(editor: &str, target: &Target) -> Command {
    let args = Syntax::of(editor).args(&target.file, target.line);
    if cfg!(unix) {
        // Through the shell, as git runs it: the variable may hold
        // arguments and quotes.
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!("{editor} \"$@\""))
            .arg(editor)
            .args(args);
        cmd
    } else {
        let mut words = editor.split_whitespace();
        let mut cmd = Command::new(words.next().unwrap_or(editor));
        cmd.args(words).args(args);
        cmd
    }
}

/// Runs `editor` on `target` and waits for it, on the terminal
/// (`/dev/tty` when standard input or output is redirected: `needle >
/// answer.txt`).
///
/// # Errors
/// When the editor cannot start, or exits with a failure.
pub fn run(editor: &str, target: &Target) -> Result<()> {
    let mut cmd = command(editor, target);
    if let Some((input, output, error)) = tty() {
        cmd.stdin(input).stdout(output).stderr(error);
    }
    let status = cmd
        .status()
        .with_context(|| format!("cannot start the editor `{editor}`: set VISUAL or EDITOR"))?;
    if !status.success() {
        bail!(
            "the editor `{editor}` exited with {status} ({})",
            target.describe()
        );
    }
    Ok(())
}

/// The controlling terminal as standard input, output and error, when
/// needle's own are not all a terminal.
fn tty() -> Option<(Stdio, Stdio, Stdio)> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return None;
    }
    if cfg!(windows) {
        return None;
    }
    let open = || {
        std::fs::File::options()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .ok()
    };
    Some((open()?.into(), open()?.into(), open()?.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(editor: &str, line: Option<u32>) -> Vec<String> {
        Syntax::of(editor)
            .args(Path::new("/n/care.md"), line)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn each_editor_gets_the_line_in_its_own_syntax() {
        for editor in [
            "vi",
            "vim",
            "/usr/bin/nvim",
            "nano",
            "emacs -nw",
            "emacsclient -t",
            "hx",
            "helix",
            "kak",
            "micro",
        ] {
            assert_eq!(args(editor, Some(12)), ["+12", "/n/care.md"], "{editor}");
        }
        for editor in ["code", "code --wait", "codium", "/opt/vscode/bin/code"] {
            assert_eq!(
                args(editor, Some(12)),
                ["--goto", "/n/care.md:12"],
                "{editor}"
            );
        }
        assert_eq!(args("subl -w", Some(3)), ["/n/care.md:3"]);
        assert_eq!(args("zed", Some(3)), ["/n/care.md:3"]);
        // Unknown editors get the file alone, and so does every editor
        // without a line.
        assert_eq!(args("ed", Some(12)), ["/n/care.md"]);
        assert_eq!(args("my-editor --flag", Some(12)), ["/n/care.md"]);
        assert_eq!(args("vim", None), ["/n/care.md"]);
        assert_eq!(args("code", None), ["/n/care.md"]);
    }

    #[cfg(unix)]
    #[test]
    fn the_editor_runs_through_the_shell_with_its_own_arguments() {
        let cmd = command(
            "vim -u NONE",
            &Target {
                file: PathBuf::from("/n/a b.md"),
                line: Some(4),
            },
        );
        assert_eq!(cmd.get_program(), "sh");
        let args: Vec<_> = cmd.get_args().map(|a| a.to_string_lossy()).collect();
        assert_eq!(
            args,
            ["-c", "vim -u NONE \"$@\"", "vim -u NONE", "+4", "/n/a b.md"]
        );
    }
}
