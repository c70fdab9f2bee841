//! The query history: each query chosen with Enter in the interface, one
//! per line, oldest first, in `$XDG_STATE_HOME/needle/history` (else
//! `~/.local/state/needle/history`; on Windows the local application data
//! folder). It keeps the newest [`MAX_ENTRIES`] and never the same query
//! twice in a row. `history = false` in the config file, or `--no-history`,
//! turns it off (nothing read, nothing written).

use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// How many queries the history keeps.
pub const MAX_ENTRIES: usize = 1000;

/// The history file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    pub path: PathBuf,
    max: usize,
}

impl History {
    /// The history at `path`, keeping at most `max` queries.
    pub fn new(path: PathBuf, max: usize) -> History {
        History {
            path,
            max: max.max(1),
        }
    }

    /// The usual place, from this process's environment (`None` without a
    /// home directory).
    pub fn default_path() -> Option<PathBuf> {
        History::path_with(|name| std::env::var_os(name), crate::config::home_dir())
    }

    /// The usual place, from an environment (`var`) and a home directory.
    pub fn path_with(
        var: impl Fn(&str) -> Option<OsString>,
        home: Option<PathBuf>,
    ) -> Option<PathBuf> {
        let state = var("XDG_STATE_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .filter(|p| p.is_absolute());
        let base = match state {
            Some(dir) => Some(dir),
            None if cfg!(windows) => {
                directories::BaseDirs::new().map(|d| d.data_local_dir().to_owned())
            }
            None => home.map(|h| h.join(".local").join("state")),
        };
        base.map(|b| b.join("needle").join("history"))
    }

    /// The queries, oldest first (none when the file does not exist or
    /// cannot be read: a history is a convenience, never a reason to fail).
    pub fn load(&self) -> Vec<String> {
        let Ok(text) = fs::read_to_string(&self.path) else {
            return Vec::new();
        };
        let entries: Vec<String> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        let skip = entries.len().saturating_sub(self.max);
        entries.into_iter().skip(skip).collect()
    }

    /// Adds a query: not an empty one, nor the newest one again. Appends a
    /// line; when the file grows past its bound, rewrites it with the
    /// newest entries (through a temporary file, renamed over it). Returns
    /// whether it was added.
    ///
    /// # Errors
    /// When the file or its directory cannot be written.
    pub fn add(&self, query: &str) -> io::Result<bool> {
        let query = one_line(query);
        if query.is_empty() {
            return Ok(false);
        }
        let mut entries = self.load_all();
        if entries.last().is_some_and(|last| *last == query) {
            return Ok(false);
        }
        if let Some(dir) = self.path.parent() {
            fs::create_dir_all(dir)?;
        }
        entries.push(query.clone());
        if entries.len() > self.max {
            let keep = &entries[entries.len() - self.max..];
            self.rewrite(keep)?;
        } else {
            let mut file = fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            writeln!(file, "{query}")?;
        }
        Ok(true)
    }

    /// Every line of the file, unbounded.
    fn load_all(&self) -> Vec<String> {
        fs::read_to_string(&self.path)
            .map(|t| {
                t.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }

    fn rewrite(&self, entries: &[String]) -> io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        for e in entries {
            writeln!(tmp, "{e}")?;
        }
        tmp.flush()?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// A query as one history line: control characters (a pasted newline)
/// become spaces, and the ends are trimmed.
fn one_line(query: &str) -> String {
    query
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(max: usize) -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let h = History::new(dir.path().join("state/needle/history"), max);
        (dir, h)
    }

    #[test]
    fn queries_are_appended_oldest_first_and_read_back() {
        let (_dir, h) = history(10);
        assert!(h.load().is_empty(), "no file yet");
        assert!(h.add("sunscreen").unwrap());
        assert!(h.add("  cold compresses ").unwrap());
        assert_eq!(h.load(), ["sunscreen", "cold compresses"]);
        assert_eq!(
            fs::read_to_string(&h.path).unwrap(),
            "sunscreen\ncold compresses\n"
        );
    }

    #[test]
    fn the_same_query_twice_in_a_row_is_kept_once() {
        let (_dir, h) = history(10);
        h.add("spf").unwrap();
        assert!(!h.add("spf").unwrap());
        assert!(!h.add(" spf ").unwrap());
        h.add("redness").unwrap();
        h.add("spf").unwrap();
        assert_eq!(h.load(), ["spf", "redness", "spf"]);
    }

    #[test]
    fn empty_queries_are_not_kept_and_newlines_become_spaces() {
        let (_dir, h) = history(10);
        assert!(!h.add("").unwrap());
        assert!(!h.add("   ").unwrap());
        h.add("two\nlines").unwrap();
        assert_eq!(h.load(), ["two lines"]);
    }

    #[test]
    fn the_history_keeps_only_the_newest_entries() {
        let (_dir, h) = history(3);
        for q in ["a", "b", "c", "d", "e"] {
            h.add(q).unwrap();
        }
        assert_eq!(h.load(), ["c", "d", "e"]);
        assert_eq!(fs::read_to_string(&h.path).unwrap(), "c\nd\ne\n");
        // A file longer than the bound (written by hand) reads as its end.
        fs::write(&h.path, "1\n2\n3\n4\n5\n").unwrap();
        assert_eq!(h.load(), ["3", "4", "5"]);
    }

    #[test]
    fn the_file_is_under_xdg_state_home_else_local_state() {
        let var = |name: &str| (name == "XDG_STATE_HOME").then(|| OsString::from("/s"));
        assert_eq!(
            History::path_with(var, Some(PathBuf::from("/home/me"))),
            Some(PathBuf::from("/s/needle/history"))
        );
        if !cfg!(windows) {
            assert_eq!(
                History::path_with(|_| None, Some(PathBuf::from("/home/me"))),
                Some(PathBuf::from("/home/me/.local/state/needle/history"))
            );
            let relative = |_: &str| Some(OsString::from("rel"));
            assert_eq!(
                History::path_with(relative, Some(PathBuf::from("/home/me"))),
                Some(PathBuf::from("/home/me/.local/state/needle/history"))
            );
        }
    }
}
