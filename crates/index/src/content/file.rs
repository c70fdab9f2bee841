//! A content file: its format (by extension), where it is (on disk or in
//! memory), what its stat tells, and the article id its path gives.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::UNIX_EPOCH;

/// A content file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Markdown,
    Text,
    JsonLines,
}

impl Format {
    /// The format of a file, by the extension of its path (any case).
    pub fn of(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1;
        [
            ("md", Format::Markdown),
            ("markdown", Format::Markdown),
            ("mdx", Format::Markdown),
            ("txt", Format::Text),
            ("jsonl", Format::JsonLines),
        ]
        .into_iter()
        .find_map(|(known, format)| ext.eq_ignore_ascii_case(known).then_some(format))
    }
}

#[derive(Debug, Clone)]
pub(super) enum Location {
    /// A file on disk: its directory (shared by the files in it) and, when
    /// the file's path does not end with it (a name that is not UTF-8), its
    /// name. Most names are not stored twice: a walk of many files makes
    /// and frees one string fewer per file.
    Disk {
        dir: Arc<Path>,
        name: Option<Box<OsStr>>,
    },
    Memory(usize),
}

/// The path of a file on disk at `rel` (see [`Location::Disk`]).
pub(super) fn disk_path(dir: &Path, name: Option<&OsStr>, rel: &str) -> PathBuf {
    dir.join(name.unwrap_or_else(|| OsStr::new(rel.rsplit('/').next().unwrap_or(rel))))
}

/// A content file found by a scan, with what a stat tells.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// Path relative to the content root, `/`-separated.
    pub rel: String,
    pub format: Format,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch; `None` in memory.
    pub mtime: Option<u64>,
    /// Reached through a symbolic link, or one of several names of the
    /// same file (a hard link): a change made through another name is
    /// seen here too, though no event names this path.
    pub aliased: bool,
    pub(super) location: Location,
}

impl SourceFile {
    /// A file on disk, `name` in `dir`, with what its stat (links
    /// followed) tells; `via_link` when the walk reached it through a
    /// symbolic link.
    pub(super) fn on_disk(
        rel: String,
        dir: Arc<Path>,
        name: &OsStr,
        format: Format,
        meta: &fs::Metadata,
        via_link: bool,
    ) -> Self {
        let name = (rel.rsplit('/').next().map(OsStr::new) != Some(name)).then(|| name.into());
        SourceFile {
            rel,
            format,
            size: meta.len(),
            mtime: mtime_of(meta),
            aliased: via_link || has_other_names(meta),
            location: Location::Disk { dir, name },
        }
    }

    /// A file of a content source in memory: the `index`th of its files.
    pub(super) fn in_memory(rel: String, format: Format, size: u64, index: usize) -> Self {
        SourceFile {
            rel,
            format,
            size,
            mtime: None,
            aliased: false,
            location: Location::Memory(index),
        }
    }

    /// The article id of a Markdown or text file: `rel` without extension
    /// (`guides/Microneedling.md` -> `guides/Microneedling`); a Markdown page
    /// bundle's `index.md`, `_index.md` or `README.md` takes its folder's
    /// path (`deploy/netlify/index.md` -> `deploy/netlify`).
    pub fn article_id(&self) -> &str {
        match self.format {
            Format::Markdown => bundle_id_of(article_id_of(&self.rel)),
            _ => article_id_of(&self.rel),
        }
    }
}

/// Whether the file has more than one name (hard links).
#[cfg(unix)]
fn has_other_names(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.nlink() > 1
}

/// Whether the file has more than one name (unknown here: no).
#[cfg(not(unix))]
fn has_other_names(_: &fs::Metadata) -> bool {
    false
}

fn mtime_of(meta: &fs::Metadata) -> Option<u64> {
    let t = meta.modified().ok()?;
    let d = t.duration_since(UNIX_EPOCH).ok()?;
    u64::try_from(d.as_nanos()).ok()
}

/// `guides/Microneedling.md` -> `guides/Microneedling`.
fn article_id_of(rel: &str) -> &str {
    match rel.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() && !stem.ends_with('/') => stem,
        _ => rel,
    }
}

/// `docs/setup/index` -> `docs/setup`: a page bundle is named by its folder.
/// A bundle file at the content root keeps its own name.
fn bundle_id_of(id: &str) -> &str {
    match id.rsplit_once('/') {
        Some((dir, name))
            if !dir.is_empty()
                && (name == "index" || name == "_index" || name.eq_ignore_ascii_case("readme")) =>
        {
            dir
        }
        _ => id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::of("a/b.MD"), Some(Format::Markdown));
        assert_eq!(Format::of("x.markdown"), Some(Format::Markdown));
        assert_eq!(Format::of("x.txt"), Some(Format::Text));
        assert_eq!(Format::of("x.jsonl"), Some(Format::JsonLines));
        assert_eq!(Format::of("topics.toml"), None);
        assert_eq!(Format::of("noext"), None);
    }

    #[test]
    fn article_ids_drop_the_extension() {
        assert_eq!(article_id_of("guides/a.md"), "guides/a");
        assert_eq!(article_id_of("a.b.txt"), "a.b");
        assert_eq!(bundle_id_of("docs/setup/index"), "docs/setup");
        assert_eq!(bundle_id_of("blog/_index"), "blog");
        assert_eq!(bundle_id_of("tool/README"), "tool");
        assert_eq!(bundle_id_of("index"), "index");
        assert_eq!(bundle_id_of("docs/indexing"), "docs/indexing");
    }
}
