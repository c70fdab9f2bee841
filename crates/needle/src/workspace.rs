//! What the command line and the terminal interface share: where the
//! content and the index are (flags, defaults, the bundled article), and
//! opening the index and bringing it up to date.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use clap::Args;
use needle_index::{ContentSource, Error, NeedleIndex, ReindexOptions, ReindexReport};

use crate::beacon::{self, Answer, Question, SYNC_DIR};
use crate::config::{Origin, Setting};
use crate::hints;

/// The bundled content, built into the binary so that needle works from any
/// directory on a fresh machine.
const BUNDLED: [(&str, &str); 3] = [
    (
        "microneedling.md",
        include_str!("../../../content/microneedling.md"),
    ),
    ("topics.toml", include_str!("../../../content/topics.toml")),
    (
        "synonyms.toml",
        include_str!("../../../content/synonyms.toml"),
    ),
];

/// Where the content and the index are (the `--content` and `--index` flags).
#[derive(Debug, Clone, Args)]
pub struct Location {
    /// Content to search: a directory (recursive) or one file; Markdown (.md),
    /// plain text (.txt) or JSON Lines (.jsonl). Default: NEEDLE_CONTENT,
    /// else `content` in the config file, else ./content if it exists, else
    /// the article built into needle.
    #[arg(long, global = true, value_name = "PATH")]
    pub content: Option<PathBuf>,

    /// Index directory. Default: NEEDLE_INDEX, else `index` in the config
    /// file, else one per content source in the user's cache directory. The
    /// index is a cache: it can always be rebuilt from the content.
    #[arg(long, global = true, value_name = "DIR")]
    pub index: Option<PathBuf>,

    /// Also index the articles whose front matter says `draft: true` (left
    /// out by default, as site generators leave them out). Applies to every
    /// command that brings the index up to date; switching it reads every
    /// article again.
    #[arg(long, global = true, env = "NEEDLE_DRAFTS")]
    pub drafts: bool,
}

/// The content and index a command works on.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub source: ContentSource,
    /// The content path to watch for changes; `None` for the bundled article.
    pub watch: Option<PathBuf>,
    /// How to name the content to people.
    pub label: String,
    pub index_dir: PathBuf,
    /// Index drafts too (`--drafts`).
    pub drafts: bool,
}

impl Resolved {
    /// How an incremental reindex of this content runs.
    pub fn reindex_options(&self) -> ReindexOptions {
        ReindexOptions::default().drafts(self.drafts)
    }

    /// An incremental reindex of this content into `index`: of the paths a
    /// watcher saw change when they are known, else of everything.
    pub fn reindex(
        &self,
        index: &NeedleIndex,
        changed: Option<&[PathBuf]>,
    ) -> needle_index::Result<ReindexReport> {
        match changed {
            Some(paths) => index.reindex_paths(&self.source, paths, &self.reindex_options()),
            None => index.reindex(&self.source, &self.reindex_options()),
        }
    }
}

/// The bundled article as a content source.
pub fn bundled() -> ContentSource {
    ContentSource::memory(BUNDLED)
}

/// The content and index to work on: `content` and `index` as the flags,
/// the environment or the config file set them (see `cli::settings`), else
/// `./content` if it exists (else the bundled article) and an index per
/// content source in the cache directory.
pub fn resolve(
    content: &Setting<Option<PathBuf>>,
    index: &Setting<Option<PathBuf>>,
    drafts: bool,
) -> Result<Resolved> {
    let content = match &content.value {
        Some(p) => Some(p.canonicalize().with_context(|| {
            let shown = p.display();
            match &content.origin {
                Origin::Env(var) => {
                    format!("{var}={shown}: not found: check the path, or unset {var}")
                }
                Origin::File(place) => format!(
                    "content = {shown} (the config file, {place}): not found: check the path"
                ),
                Origin::Flag(flag) => format!("{flag} {shown}: not found: check the path"),
                Origin::Default => format!("{shown}: not found: check the path"),
            }
        })?),
        None => Path::new("content")
            .is_dir()
            .then(|| Path::new("content").canonicalize().ok())
            .flatten(),
    };
    let index_dir = match &index.value {
        Some(dir) => dir.clone(),
        None => default_index_dir(content.as_deref()),
    };

    Ok(match content {
        Some(path) => Resolved {
            source: ContentSource::Path(path.clone()),
            label: path.display().to_string(),
            watch: Some(path),
            index_dir,
            drafts,
        },
        None => Resolved {
            source: bundled(),
            label: "the bundled article".to_owned(),
            watch: None,
            index_dir,
            drafts,
        },
    })
}

/// `<cache dir>/needle/indexes/<name>-<hash of the canonical path>`, or
/// `.../bundled` for the built-in article.
fn default_index_dir(content: Option<&Path>) -> PathBuf {
    let base = directories::ProjectDirs::from("", "", "needle")
        .map_or_else(
            || std::env::temp_dir().join("needle-cache"),
            |d| d.cache_dir().to_owned(),
        )
        .join("indexes");
    match content {
        None => base.join("bundled"),
        Some(path) => {
            let name: String = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
                .chars()
                .map(|c| {
                    if c.is_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(40)
                .collect();
            let hash = xxhash_rust::xxh3::xxh3_64(path.to_string_lossy().as_bytes());
            base.join(format!("{name}-{hash:016x}"))
        }
    }
}

/// Opens the index; with `force`, a damaged one is recreated.
pub fn open_index(dir: &Path, force: bool) -> Result<NeedleIndex> {
    let index = match NeedleIndex::open(dir) {
        Err(Error::Corrupt { .. }) if force => {
            eprintln!(
                "needle: the index at {} was damaged; rebuilding it",
                dir.display()
            );
            NeedleIndex::recreate(dir).map_err(|e| hints::opening(dir, e))?
        }
        other => other.map_err(|e| hints::opening(dir, e))?,
    };
    if let Some(why) = index.rebuilt() {
        eprintln!("needle: {why}");
    }
    Ok(index)
}

/// Prints a reindex's content issues as warnings on stderr.
pub fn warn_issues(report: &ReindexReport) {
    for issue in &report.issues {
        eprintln!("needle: warning: {issue}");
    }
}

/// Brings the index up to date before a read, quietly. When another
/// process holds the writer, searches the index as it is and says so.
///
/// When a watcher of the same content keeps this index (`needle watch`,
/// the interface, the servers), it is asked instead of walking the content
/// (see [`crate::beacon`]): the index then holds every change made before
/// the call, and the reader is moved to its newest commit.
pub fn refresh(index: &NeedleIndex, content: &Resolved) -> Result<()> {
    match ask_watcher(content, beacon::WAIT) {
        Answer::Fresh => return Ok(index.reload()?),
        Answer::Busy => {
            eprintln!(
                "needle: warning: the watcher of this index is still reindexing; searching the index as it is"
            );
            return Ok(index.reload()?);
        }
        Answer::Absent => {}
    }
    match index.reindex(&content.source, &content.reindex_options()) {
        Ok(report) => {
            warn_issues(&report);
            Ok(())
        }
        Err(e @ (Error::Locked { .. } | Error::MassRemoval { .. })) => {
            eprintln!(
                "needle: warning: the index was not refreshed: {}",
                hints::with_hint(&e)
            );
            Ok(())
        }
        // A storage fault: the index as it is still answers (nothing of it
        // was changed), unless there is nothing in it yet.
        Err(Error::ReadOnly { dir, source }) if index.passage_count() > 0 => {
            eprintln!(
                "needle: warning: the index at {} is read-only ({source}) and the content has changed since it was built: searching it as it is; to update it, make the directory writable or pass another with --index DIR",
                dir.display()
            );
            Ok(())
        }
        Err(e @ (Error::DiskFull { .. } | Error::WriteFailed { .. }))
            if index.passage_count() > 0 =>
        {
            eprintln!(
                "needle: warning: the index was not refreshed, searching it as it is: {}",
                hints::with_hint(&e)
            );
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// What a search asks a watcher of `content` (see [`crate::beacon`]).
pub fn question(content: &Resolved) -> Question {
    Question {
        content: content
            .watch
            .as_ref()
            .map_or_else(|| content.label.clone(), |p| p.display().to_string()),
        drafts: content.drafts,
    }
}

/// Asks the watcher of `content`'s index, if one runs, to catch up within
/// `bound`.
pub fn ask_watcher(content: &Resolved, bound: Duration) -> Answer {
    if content.watch.is_none() {
        return Answer::Absent;
    }
    beacon::ask(&content.index_dir.join(SYNC_DIR), &question(content), bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_dirs_differ_by_content_path() {
        let a = default_index_dir(Some(Path::new("/x/notes")));
        let b = default_index_dir(Some(Path::new("/y/notes")));
        assert_ne!(a, b);
        assert!(
            a.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("notes-")
        );
        assert!(default_index_dir(None).ends_with("indexes/bundled"));
    }

    #[test]
    fn bundled_content_has_the_article_and_its_data() {
        let ContentSource::Memory(files) = bundled() else {
            panic!("bundled content is in memory")
        };
        assert!(
            files[0]
                .contents
                .contains("# Microneedling: Benefits And Side Effects")
        );
        assert!(files.iter().any(|f| f.path == "topics.toml"));
    }
}
