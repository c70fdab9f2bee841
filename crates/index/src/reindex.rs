//! Incremental, atomic reindexing.
//!
//! The last commit names a list of every source file (size, modification
//! time, hash) and the articles it held (id, hash, passage count), kept in a
//! sources file beside the index files. A reindex stats every file (`full`),
//! or only the paths a watcher saw change (`paths`); only files whose size
//! or time changed are read, only articles whose text changed are replaced
//! (`batch`), and the whole change (deletes, adds, new sources file named in
//! the new manifest) lands in one commit: a reader sees the old state or
//! the new one, never a mix.

mod batch;
mod full;
mod paths;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;
use tantivy::TantivyDocument;
use tantivy::schema::Field;

use crate::content::{ContentIssue, ContentSource, Passage, PassageKind};
use crate::error::Result;
use crate::index::NeedleIndex;
use crate::schema::Fields;

/// Called during a reindex with (files done, files in all).
pub type ProgressFn = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// Mixed into the configuration's hash when drafts are indexed.
const DRAFTS_SALT: u64 = 0x5d1a_f7c3_0b6e_9a41;

/// How to reindex.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct ReindexOptions {
    /// Rebuild every article from scratch, and allow removing more than
    /// half of the indexed articles.
    pub force: bool,
    /// Progress callback, called after each file that had to be read.
    pub progress: Option<ProgressFn>,
    /// Index the articles whose front matter says `draft: true` (left out
    /// by default, as site generators leave them out of the built site).
    pub drafts: bool,
}

impl std::fmt::Debug for ReindexOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReindexOptions")
            .field("force", &self.force)
            .field("progress", &self.progress.is_some())
            .field("drafts", &self.drafts)
            .finish()
    }
}

impl ReindexOptions {
    /// Options for a forced rebuild.
    #[must_use]
    pub fn forced() -> Self {
        ReindexOptions {
            force: true,
            ..ReindexOptions::default()
        }
    }

    /// Rebuilds every article, and allows removing most of them
    /// ([`ReindexOptions::force`]).
    #[must_use]
    pub fn force(mut self, yes: bool) -> Self {
        self.force = yes;
        self
    }

    /// Also indexes drafts ([`ReindexOptions::drafts`]).
    #[must_use]
    pub fn drafts(mut self, yes: bool) -> Self {
        self.drafts = yes;
        self
    }

    /// Calls `progress` after each file read ([`ReindexOptions::progress`]).
    #[must_use]
    pub fn progress(mut self, progress: ProgressFn) -> Self {
        self.progress = Some(progress);
        self
    }
}

/// What a reindex did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct ReindexReport {
    /// Articles new to the index.
    pub added: usize,
    /// Articles whose text changed.
    pub updated: usize,
    /// Articles no longer in the content.
    pub removed: usize,
    /// Articles left as they were.
    pub unchanged: usize,
    /// Passages in the index after the reindex.
    pub passages: u64,
    /// Passages written by this reindex.
    pub passages_added: usize,
    /// Passages deleted by this reindex.
    pub passages_removed: usize,
    /// Files read (the others were unchanged by size and time).
    pub files_read: usize,
    /// Milliseconds taken.
    pub took_ms: f64,
    /// Whether a commit was made (false when nothing changed).
    pub committed: bool,
    /// Whether every content file was looked at: always for
    /// [`NeedleIndex::reindex`]; for [`NeedleIndex::reindex_paths`], only
    /// when the paths alone could not tell what changed.
    pub full_scan: bool,
    /// Why the index was rebuilt from scratch, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rebuilt: Option<String>,
    /// Files (or records) skipped or partly read, with the reason.
    pub issues: Vec<ContentIssue>,
}

impl ReindexReport {
    /// Whether any article was added, updated or removed.
    #[must_use]
    pub fn changed(&self) -> bool {
        self.added + self.updated + self.removed > 0
    }

    /// One line for people: `1 added, 0 updated, 0 removed, 3 unchanged; 24 passages; 12.3 ms`.
    #[must_use]
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} removed, {} unchanged; {} passages; {:.1} ms",
            self.added, self.updated, self.removed, self.unchanged, self.passages, self.took_ms
        )
    }
}

impl NeedleIndex {
    /// Brings the index up to date with `source`, incrementally: see the
    /// module docs of the crate for what is read and when.
    ///
    /// # Errors
    /// - [`Error::ContentNotFound`] when the source path does not exist;
    /// - [`Error::Config`] when `topics.toml` or `synonyms.toml` is invalid;
    /// - [`Error::MassRemoval`] when more than half of the indexed articles
    ///   would go, unless `options.force`;
    /// - [`Error::Locked`] when another process is writing the index and
    ///   there is something to write (a reindex that finds every file as the
    ///   last commit saw it takes no writer, so it succeeds);
    /// - [`Error::DiskFull`], [`Error::ReadOnly`], [`Error::WriteFailed`]
    ///   when the index cannot be written: nothing was committed, the index
    ///   is as it was before, and the files the attempt wrote are removed.
    ///
    /// Unreadable, binary and non-UTF-8 files are not errors: they are
    /// listed in [`ReindexReport::issues`] and skipped.
    ///
    /// [`Error::ContentNotFound`]: crate::Error::ContentNotFound
    /// [`Error::Config`]: crate::Error::Config
    /// [`Error::MassRemoval`]: crate::Error::MassRemoval
    /// [`Error::Locked`]: crate::Error::Locked
    /// [`Error::DiskFull`]: crate::Error::DiskFull
    /// [`Error::ReadOnly`]: crate::Error::ReadOnly
    /// [`Error::WriteFailed`]: crate::Error::WriteFailed
    pub fn reindex(
        &self,
        source: &ContentSource,
        options: &ReindexOptions,
    ) -> Result<ReindexReport> {
        self.begin_write();
        self.reindex_all(source, options)
            .map_err(|e| self.failed_write(e))
    }

    /// Brings the index up to date with `source` when only the paths in
    /// `changed` may differ from the last commit: the paths a watcher of
    /// the content saw change (files created, written, removed or renamed),
    /// absolute or relative to the directory of a [`ContentSource::Path`].
    /// Only those paths are looked at, so one change costs about the same
    /// in a folder of 100,000 files as in one of 10.
    ///
    /// The index is left as [`reindex`](Self::reindex) would leave it,
    /// provided nothing else changed. Where the paths cannot tell what
    /// changed, the content is walked as `reindex` walks it
    /// ([`ReindexReport::full_scan`]): a directory among them, a link on
    /// the way, an ignore file (`.needleignore`, `.ignore`, `.gitignore`,
    /// `.git`), a changed `topics.toml` or `synonyms.toml`, a path outside
    /// the content, an article id that an unchanged file holds, a content
    /// with a file of several names (a symbolic link to it or on its way,
    /// a hard link: a change through one name changes the others, which
    /// no event names), `options.force`, a source that is not a directory,
    /// or an index whose last commit lists no sources. A file a path names
    /// is read even when its size and time are the last commit's (two
    /// writes within the clock's tick keep them).
    ///
    /// # Errors
    /// As [`reindex`](Self::reindex).
    pub fn reindex_paths(
        &self,
        source: &ContentSource,
        changed: &[PathBuf],
        options: &ReindexOptions,
    ) -> Result<ReindexReport> {
        self.begin_write();
        match self.reindex_changed(source, changed, options) {
            Ok(Some(report)) => Ok(report),
            Ok(None) => self.reindex_all(source, options),
            Err(e) => Err(e),
        }
        .map_err(|e| self.failed_write(e))
    }

    /// Reads the list of source files the last commit names into memory,
    /// unless it is there already, so that the next
    /// [`reindex_paths`](Self::reindex_paths) of this process reads nothing
    /// from disk: a long-running process calls it once it starts watching
    /// (a reindex that finds nothing changed does not read the list).
    ///
    /// # Errors
    /// When the list cannot be read: [`Error::Corrupt`], [`Error::Io`].
    ///
    /// [`Error::Corrupt`]: crate::Error::Corrupt
    /// [`Error::Io`]: crate::Error::Io
    pub fn preload_sources(&self) -> Result<()> {
        let manifest = self.committed_manifest()?;
        let (files, changes) = self.take_sources(&manifest)?;
        let names = (manifest.sources_file, manifest.sources_changes);
        self.keep_sources(names, files, changes);
        Ok(())
    }
}

/// The title an article's first passage also holds in its text, as a
/// second value of the `text` field (indexed and stored; readers show the
/// first value): the article's first words are its title, as every engine
/// that indexes a record as "title + text" reads it, so a title word
/// counts toward the passage's text score (its frequency, its length)
/// besides the title field's own, smaller weight. Only the first passage:
/// it is the whole of a one-passage article and the lead of a longer one,
/// whose other passages stand under their own headings. None for a code
/// passage, a passage that is its title (a record of a title only), and
/// a title that is only the article's id (a record without one).
/// Measured in RELEVANCE.md ("A title is its article's first words").
fn lead_title(p: &Passage) -> Option<&str> {
    let real = p.title != p.article && !p.title.trim().is_empty();
    (p.ordinal == 0 && p.kind != PassageKind::Code && real && p.text != p.title)
        .then_some(p.title.as_str())
}

pub(crate) fn to_document(f: &Fields, p: &Passage) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, &p.id);
    doc.add_text(f.article, &p.article);
    // The title and the description are the page's subject: matched and
    // scored as the title (the description as a second value), and stored.
    // A code passage only stores them: the subject lifts the page's prose,
    // and the same match ranks higher in prose than in code.
    let subject: &[Field] = match p.kind {
        PassageKind::Code => &[f.subject_stored],
        _ => &[f.title, f.title_raw],
    };
    for &field in subject {
        doc.add_text(field, &p.title);
        if let Some(description) = &p.description {
            doc.add_text(field, description);
        }
    }
    if let Some(url) = &p.url {
        doc.add_text(f.url, url);
    }
    doc.add_text(f.section, &p.section);
    doc.add_text(f.section_raw, &p.section);
    // Code is scored in a field of its own, with a lower weight: the same
    // match ranks higher in prose than in code.
    match p.kind {
        PassageKind::Code => doc.add_text(f.code, &p.text),
        _ => doc.add_text(f.text, &p.text),
    }
    if let Some(title) = lead_title(p) {
        doc.add_text(f.text, title);
    }
    doc.add_text(f.text_raw, &p.text);
    for h in &p.heading_path {
        doc.add_text(f.heading_path, h);
    }
    for t in &p.topics {
        doc.add_text(f.topics, t);
    }
    doc.add_u64(f.ordinal, u64::from(p.ordinal));
    if let Some(line) = p.line {
        doc.add_u64(f.line, u64::from(line));
    }
    doc
}

#[cfg(test)]
mod document_tests {
    use tantivy::collector::DocSetCollector;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, Value};
    use tantivy::{TantivyDocument, Term};

    use crate::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};

    fn index(files: &[(&str, &str)]) -> NeedleIndex {
        let index = NeedleIndex::in_memory().unwrap();
        let content = ContentSource::memory(files.iter().copied());
        index.reindex(&content, &ReindexOptions::default()).unwrap();
        index
    }

    /// How many passages hold `word` (stemmed as indexed) in their text.
    fn in_text(index: &NeedleIndex, word: &str) -> u64 {
        let term = Term::from_field_text(index.fields.text, word);
        index.reader.searcher().doc_freq(&term).unwrap()
    }

    /// Guards: an article's title counts in its first passage's text (a
    /// title word is one of that passage's words, as an engine indexing
    /// "title + text" reads it) and in no other passage's; what a hit
    /// shows is the passage's own text.
    #[test]
    fn a_title_is_its_first_passages_first_words() {
        let index = index(&[(
            "q.md",
            "# Quasar notes\n\nThe lead paragraph about stars.\n\n## Later\n\nAnother paragraph about stars.\n",
        )]);
        assert_eq!(in_text(&index, "quasar"), 1);
        assert_eq!(in_text(&index, "star"), 2);
        let hits = index
            .search(&SearchRequest::new("quasar stars"))
            .unwrap()
            .hits;
        assert_eq!(hits[0].passage.ordinal, 0, "{hits:?}");
        assert_eq!(hits[0].passage.text, "The lead paragraph about stars.");
        assert_eq!(hits[0].passage.title, "Quasar notes");
    }

    /// Guards: a record without a title (its id stands for one) adds
    /// nothing to its text, and a record of a title only holds it once:
    /// only words a writer gave count.
    #[test]
    fn an_id_or_a_title_alone_is_not_added_again() {
        let index = index(&[(
            "r.jsonl",
            "{\"_id\": \"4711\", \"text\": \"alpha beta\"}\n{\"_id\": \"t\", \"title\": \"lone gamma\", \"text\": \"\"}\n",
        )]);
        assert_eq!(in_text(&index, "4711"), 0);
        assert_eq!(in_text(&index, "alpha"), 1);
        let searcher = index.reader.searcher();
        let term = Term::from_field_text(index.fields.text, "lone");
        let query = TermQuery::new(term, IndexRecordOption::Basic);
        let found: Vec<_> = searcher
            .search(&query, &DocSetCollector)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(found.len(), 1);
        let doc: TantivyDocument = searcher.doc(found[0]).unwrap();
        let texts: Vec<&str> = doc
            .get_all(index.fields.text)
            .filter_map(|v| v.as_str())
            .collect();
        assert_eq!(texts, ["lone gamma"]);
    }
}
