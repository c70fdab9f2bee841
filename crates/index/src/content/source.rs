//! Where content comes from: a directory, a single file, or files in memory.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::article::{ContentIssue, hash_bytes};
use super::file::{Format, Location, SourceFile, disk_path};
use super::topics::TopicRules;
use super::walk::Visit;
use crate::error::{Error, Result};
use crate::synonyms::Synonyms;

/// The name of the topic rules file at the content root.
pub(crate) const TOPICS_FILE: &str = "topics.toml";
/// The name of the synonyms file at the content root.
pub(crate) const SYNONYMS_FILE: &str = "synonyms.toml";

/// A content source: what a reindex reads.
///
/// Files are recognised by extension: `.md`/`.markdown` (Markdown), `.txt`
/// (plain text), `.jsonl` (JSON Lines). Hidden files, files listed in a
/// `.needleignore` or `.ignore` (gitignore syntax) and, inside a git
/// repository that starts at the content root or below, files a `.gitignore`
/// lists are skipped. The root may hold `topics.toml` and `synonyms.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContentSource {
    /// A directory, searched recursively, or a single file. For a single
    /// file, `topics.toml` and `synonyms.toml` are looked for beside it.
    Path(PathBuf),
    /// Files held in memory, for example content embedded in a program.
    /// Paths are relative, with `/` separators; `topics.toml` and
    /// `synonyms.toml` at the top level are configuration.
    Memory(Vec<MemoryFile>),
}

impl ContentSource {
    /// Files in memory, from `(path, text)` pairs: a [`ContentSource::Memory`].
    /// Paths are relative to the content root, with `/` separators.
    ///
    /// ```
    /// use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};
    ///
    /// # fn main() -> Result<(), needle_index::Error> {
    /// let source = ContentSource::memory([
    ///     ("care.md", "# Care\n\n## Aftercare\n\nWear sunscreen every day.\n"),
    ///     ("synonyms.toml", "groups = [[\"sunscreen\", \"sunblock\"]]\n"),
    /// ]);
    /// let ContentSource::Memory(files) = &source else { unreachable!() };
    /// assert_eq!(files[1].path, "synonyms.toml");
    ///
    /// let index = NeedleIndex::in_memory()?;
    /// let report = index.reindex(&source, &ReindexOptions::default())?;
    /// assert_eq!(report.added, 1);
    /// assert_eq!(index.search(&SearchRequest::new("sunblock"))?.total, 1);
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn memory(files: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>) -> Self {
        ContentSource::Memory(
            files
                .into_iter()
                .map(|(path, contents)| MemoryFile {
                    path: path.into(),
                    contents: contents.into(),
                })
                .collect(),
        )
    }
}

/// A file of a [`ContentSource::Memory`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryFile {
    /// The path relative to the content root, with `/` separators.
    pub path: String,
    /// The file's text.
    pub contents: String,
}

/// The content's configuration: topic rules and synonyms.
#[derive(Debug, Clone, Default)]
pub(crate) struct ContentConfig {
    pub topics: TopicRules,
    /// The synonyms file's text, kept in the manifest so searches need no content.
    pub synonyms_text: String,
    /// Changes whenever either file changes: every article is then reindexed.
    pub hash: u64,
}

/// What a scan found.
#[derive(Debug)]
pub(crate) struct Scan {
    pub files: Vec<SourceFile>,
    pub config: ContentConfig,
    pub issues: Vec<ContentIssue>,
    /// Paths (relative, `/`-separated) that could not be listed: the files
    /// indexed under them are not gone, only out of reach for now.
    pub unreadable: Vec<String>,
}

impl Scan {
    /// Whether no file has another name (a symbolic link to it or on its
    /// way, a hard link): each change is then seen at the path it was made
    /// at, which a reindex of the changed paths relies on.
    pub fn exact_paths(&self) -> bool {
        !self.files.iter().any(|f| f.aliased)
    }

    /// A fingerprint of what the scan saw: every file's path, size and
    /// modification time. `None` when it cannot vouch for the files (one of
    /// them has no modification time, or something could not be listed).
    pub fn fingerprint(&self) -> Option<u64> {
        if !self.issues.is_empty() || !self.unreadable.is_empty() {
            return None;
        }
        stat_fingerprint(self.files.iter().map(|f| (f.rel.as_str(), f.size, f.mtime)))
    }
}

/// A fingerprint of files by path, size and modification time, whatever
/// their order; `None` if one has no modification time.
pub(crate) fn stat_fingerprint<'a>(
    files: impl Iterator<Item = (&'a str, u64, Option<u64>)>,
) -> Option<u64> {
    let mut sum = StatSum::default();
    for (rel, size, mtime) in files {
        sum.add(rel, size, mtime?);
    }
    Some(sum.finish())
}

/// The sum behind [`stat_fingerprint`]: a file's term is added or taken
/// away on its own, so a reindex of a few files updates the last
/// fingerprint without going over the others.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct StatSum {
    sum: u64,
    count: u64,
}

/// Mixes the count into the fingerprint.
const COUNT_MIX: u64 = 0x9E37_79B9_7F4A_7C15;

impl StatSum {
    /// The sum of a fingerprint of `count` files.
    pub fn of_fingerprint(fingerprint: u64, count: usize) -> StatSum {
        let count = count as u64;
        StatSum {
            sum: fingerprint ^ count.wrapping_mul(COUNT_MIX),
            count,
        }
    }

    pub fn add(&mut self, rel: &str, size: u64, mtime: u64) {
        self.sum = self.sum.wrapping_add(stat_term(rel, size, mtime));
        self.count += 1;
    }

    pub fn remove(&mut self, rel: &str, size: u64, mtime: u64) {
        self.sum = self.sum.wrapping_sub(stat_term(rel, size, mtime));
        self.count = self.count.wrapping_sub(1);
    }

    pub fn finish(self) -> u64 {
        self.sum ^ self.count.wrapping_mul(COUNT_MIX)
    }
}

/// The hash of `rel`, a zero byte, `size` and `mtime` (little-endian): on
/// the stack for the usual path, as a refresh makes one per file.
fn stat_term(rel: &str, size: u64, mtime: u64) -> u64 {
    const ON_STACK: usize = 256;
    let len = rel.len() + 17;
    let mut stack = [0u8; ON_STACK];
    let mut heap = Vec::new();
    let buf = if len <= ON_STACK {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap[..]
    };
    let (path, stat) = buf.split_at_mut(rel.len() + 1);
    path[..rel.len()].copy_from_slice(rel.as_bytes());
    stat[..8].copy_from_slice(&size.to_le_bytes());
    stat[8..].copy_from_slice(&mtime.to_le_bytes());
    hash_bytes(buf)
}

/// The directory a content source walks, if it is one (a single file or
/// files in memory are not walked).
pub(crate) fn content_dir(source: &ContentSource) -> Option<&Path> {
    match source {
        ContentSource::Path(path) if path.is_dir() => Some(path),
        _ => None,
    }
}

/// Lists the content files (a stat each, no reads) and loads the configuration.
pub(crate) fn scan(source: &ContentSource) -> Result<Scan> {
    match source {
        ContentSource::Path(path) => scan_path(path),
        ContentSource::Memory(files) => scan_memory(files),
    }
}

fn scan_memory(files: &[MemoryFile]) -> Result<Scan> {
    let get = |name: &str| {
        files
            .iter()
            .find(|f| f.path == name)
            .map(|f| f.contents.clone())
    };
    let config = load_config(
        get(TOPICS_FILE).map(|t| (PathBuf::from(TOPICS_FILE), t)),
        get(SYNONYMS_FILE).map(|t| (PathBuf::from(SYNONYMS_FILE), t)),
    )?;
    let mut found: Vec<SourceFile> = files
        .iter()
        .enumerate()
        .filter_map(|(i, f)| {
            let format = Format::of(&f.path)?;
            Some(SourceFile::in_memory(
                f.path.clone(),
                format,
                f.contents.len() as u64,
                i,
            ))
        })
        .collect();
    found.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(Scan {
        files: found,
        config,
        issues: Vec::new(),
        unreadable: Vec::new(),
    })
}

fn scan_path(path: &Path) -> Result<Scan> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::ContentNotFound {
            path: path.to_owned(),
        },
        _ => Error::io(path, e),
    })?;
    let root = if meta.is_dir() {
        path.to_owned()
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_owned()
    };
    let config = config_at(&root)?;

    let mut issues = Vec::new();
    let mut unreadable = Vec::new();
    let mut files = Vec::new();
    if meta.is_file() {
        let name = path.file_name().unwrap_or_default().to_owned();
        let rel = name.to_string_lossy().into_owned();
        let Some(format) = Format::of(&rel) else {
            return Err(Error::UnsupportedFile {
                path: path.to_owned(),
            });
        };
        files.push(SourceFile::on_disk(
            rel,
            Arc::from(root.as_path()),
            &name,
            format,
            &meta,
            false,
        ));
        return Ok(Scan {
            files,
            config,
            issues,
            unreadable: Vec::new(),
        });
    }

    let dirs = super::walk::walk(&root);
    files.reserve(dirs.iter().map(Vec::len).sum());
    for visit in dirs.into_iter().flatten() {
        match visit {
            Visit::File(file) => files.push(file),
            Visit::Issue(issue) => issues.push(issue),
            Visit::Unreadable(dir, issue) => {
                unreadable.push(dir);
                issues.push(issue);
            }
        }
    }
    // Nearly sorted already (by directory, then name): often sorted, else
    // a few merges.
    if !files.is_sorted_by(|a, b| a.rel <= b.rel) {
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
    }
    issues.sort_by(|a, b| a.path.cmp(&b.path));
    unreadable.sort();
    Ok(Scan {
        files,
        config,
        issues,
        unreadable,
    })
}

/// The configuration files in `root` (a directory), loaded.
pub(crate) fn config_at(root: &Path) -> Result<ContentConfig> {
    let read_config = |name: &str| -> Result<Option<(PathBuf, String)>> {
        let p = root.join(name);
        match fs::read_to_string(&p) {
            Ok(t) => Ok(Some((p, t))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(p, e)),
        }
    };
    load_config(read_config(TOPICS_FILE)?, read_config(SYNONYMS_FILE)?)
}

fn load_config(
    topics: Option<(PathBuf, String)>,
    synonyms: Option<(PathBuf, String)>,
) -> Result<ContentConfig> {
    let mut hash_input = Vec::new();
    let topics = match topics {
        Some((path, text)) => {
            hash_input.extend_from_slice(text.as_bytes());
            TopicRules::parse(&text, &path)?
        }
        None => TopicRules::default(),
    };
    hash_input.push(0);
    let synonyms_text = match synonyms {
        Some((path, text)) => {
            hash_input.extend_from_slice(text.as_bytes());
            // Parsed here only to report a broken file at reindex time.
            Synonyms::parse(&text, &path)?;
            text
        }
        None => String::new(),
    };
    Ok(ContentConfig {
        topics,
        synonyms_text,
        hash: hash_bytes(&hash_input),
    })
}

impl ContentSource {
    /// Reads one file's text. A file that cannot be used is reported as an
    /// issue (unreadable, vanished, binary, not UTF-8) and skipped.
    pub(crate) fn read(&self, file: &SourceFile) -> std::result::Result<String, ContentIssue> {
        let bytes = match (&file.location, self) {
            (Location::Memory(i), ContentSource::Memory(files)) => {
                return Ok(files[*i].contents.clone());
            }
            (Location::Disk { dir, name }, _) => {
                match fs::read(disk_path(dir, name.as_deref(), &file.rel)) {
                    Ok(b) => b,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(ContentIssue::new(
                            &file.rel,
                            None,
                            "vanished while indexing; skipped (it is picked up at the next reindex if it comes back)",
                        ));
                    }
                    Err(e) => {
                        return Err(ContentIssue::new(
                            &file.rel,
                            None,
                            format!("cannot be read ({e}); skipped: check its permissions"),
                        ));
                    }
                }
            }
            (Location::Memory(_), ContentSource::Path(_)) => {
                return Err(ContentIssue::new(
                    &file.rel,
                    None,
                    "internal: source mismatch",
                ));
            }
        };
        decode(&file.rel, bytes)
    }
}

/// UTF-8 text from bytes, or an issue for binary and non-UTF-8 files.
pub(crate) fn decode(rel: &str, bytes: Vec<u8>) -> std::result::Result<String, ContentIssue> {
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Err(ContentIssue::new(
            rel,
            None,
            "binary file (it contains NUL bytes); skipped",
        ));
    }
    match String::from_utf8(bytes) {
        Ok(mut s) => {
            if s.starts_with('\u{feff}') {
                s.drain(..'\u{feff}'.len_utf8());
            }
            Ok(s)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..valid]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            Err(ContentIssue::new(
                rel,
                u32::try_from(line).ok(),
                "not UTF-8 text; skipped: convert it to UTF-8 (for example with iconv)",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fingerprint stored by an index must still match after an upgrade:
    /// the term is the hash of the path, a zero byte, size and time, for a
    /// short path (on the stack) and a long one alike.
    #[test]
    fn a_file_stat_term_hashes_path_size_and_time() {
        let plain = |rel: &str, size: u64, mtime: u64| {
            let mut buf = rel.as_bytes().to_vec();
            buf.push(0);
            buf.extend_from_slice(&size.to_le_bytes());
            buf.extend_from_slice(&mtime.to_le_bytes());
            hash_bytes(&buf)
        };
        let long = "dir/".repeat(100) + "page.md";
        for rel in ["a.md", "guides/setup/index.md", &long, ""] {
            assert_eq!(stat_term(rel, 1234, 5678), plain(rel, 1234, 5678), "{rel}");
        }
        assert_ne!(stat_term("a.md", 1, 2), stat_term("a.md", 2, 1));
    }

    #[test]
    fn decode_rejects_binary_and_latin1() {
        assert!(
            decode("b", vec![1, 0, 2])
                .unwrap_err()
                .message
                .contains("binary")
        );
        let err = decode("l", b"ok\ncaf\xe9\n".to_vec()).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(decode("u", "\u{feff}hi".as_bytes().to_vec()).unwrap(), "hi");
    }
}
