//! One reindex's changes: each file read, parsed and compared with what the
//! last commit held, its articles sent to the writer, and the commit that
//! names the new list of sources. The full reindex (`full`) and the reindex
//! of changed paths (`paths`) both go through here, so that a file is
//! treated the same way whichever found it.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tantivy::indexer::UserOperation;
use tantivy::{IndexWriter, Term};

use super::{ReindexReport, to_document};
use crate::content::{self, Article, ContentConfig, ContentIssue, ContentSource, SourceFile};
use crate::error::{Error, Result};
use crate::fnv::FnvHashSet;
use crate::index::{
    ArticleEntry, FileEntry, Manifest, NeedleIndex, SourceChanges, Sources, SourcesNames,
    changes_fit,
};
use crate::schema::{Fields, SCHEMA_VERSION};

/// The writer while a reindex sends it changes. Each article goes to the
/// writer as soon as its file is parsed, so memory stays within the
/// writer's budget however large the content; if the reindex stops before
/// its commit (an error, the mass-removal guard), the changes sent are
/// rolled back, never left for the next commit to pick up.
pub(super) struct Pending<'w> {
    writer: &'w mut IndexWriter,
    fields: &'w Fields,
    /// Whether an article added may already be in the index under its id
    /// (an update, or an article that moved from another file), so that
    /// the id is deleted first: not when the index starts empty.
    delete_first: bool,
    /// Articles added by this reindex.
    added: HashSet<String>,
    /// Whether anything was sent.
    sent: bool,
    committed: bool,
}

impl<'w> Pending<'w> {
    /// `sent` when something was sent already (a forced rebuild's delete
    /// of everything).
    pub fn new(
        writer: &'w mut IndexWriter,
        fields: &'w Fields,
        delete_first: bool,
        sent: bool,
    ) -> Self {
        Pending {
            writer,
            fields,
            delete_first,
            added: HashSet::new(),
            sent,
            committed: false,
        }
    }

    /// Adds an article's passages, first deleting what the index holds
    /// under its id. They go to the writer as one group, which one of its
    /// threads indexes into one segment: a reindex of one article writes
    /// one small segment, not one per thread.
    fn add(&mut self, article: &Article, report: &mut ReindexReport) -> Result<()> {
        self.sent = true;
        let delete = self.delete_first.then(|| {
            UserOperation::Delete(Term::from_field_text(self.fields.article, &article.id))
        });
        let adds = article
            .passages
            .iter()
            .map(|passage| UserOperation::Add(to_document(self.fields, passage)));
        let operations: Vec<UserOperation> = delete.into_iter().chain(adds).collect();
        self.writer.run(operations)?;
        report.passages_added += article.passages.len();
        self.added.insert(article.id.clone());
        Ok(())
    }

    /// Deletes an article's passages, unless this reindex added it back
    /// (an article that moved to a file read earlier).
    fn delete(&mut self, id: &str) {
        if !self.added.contains(id) {
            self.sent = true;
            self.writer
                .delete_term(Term::from_field_text(self.fields.article, id));
        }
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if self.sent && !self.committed {
            // Nothing better to do with a failure here: the next reindex
            // gets a fresh writer error if the writer is really broken.
            let _ = self.writer.rollback();
        }
    }
}

/// Who holds which article id: an id belongs to one file, the first in path
/// order that has it.
pub(super) trait Claims {
    /// Claims every article id of a file's last entry, unless one is taken.
    fn claim_all(&mut self, entry: &FileEntry) -> bool;
    /// Claims one id for the file being read.
    fn claim(&mut self, id: &str) -> Claim;
}

pub(super) enum Claim {
    /// The id is the file's.
    Granted,
    /// A file before it holds the id.
    Taken,
    /// A file this reindex does not look at may hold it.
    Unsure,
}

/// Claims in a reindex that looks at every file, in path order.
pub(super) struct AllClaims(FnvHashSet<String>);

impl AllClaims {
    /// Room for about `articles` ids without growing.
    pub fn with_capacity(articles: usize) -> Self {
        AllClaims(FnvHashSet::with_capacity_and_hasher(
            articles,
            Default::default(),
        ))
    }
}

impl Claims for AllClaims {
    fn claim_all(&mut self, entry: &FileEntry) -> bool {
        if entry.articles.iter().any(|a| self.0.contains(&a.id)) {
            return false;
        }
        self.0.extend(entry.articles.iter().map(|a| a.id.clone()));
        true
    }

    fn claim(&mut self, id: &str) -> Claim {
        if self.0.insert(id.to_owned()) {
            Claim::Granted
        } else {
            Claim::Taken
        }
    }
}

/// How files are read.
pub(super) struct Reading<'a> {
    pub source: &'a ContentSource,
    pub config: &'a ContentConfig,
    pub drafts: bool,
    /// Read and replace every article, whatever the last commit saw.
    pub rebuild_all: bool,
    /// A file whose size and time are the last commit's is unchanged (a
    /// walk's guess); a file an event named is read all the same (an edit
    /// within the file system's clock tick keeps the time).
    pub trust_stat: bool,
}

/// How long after its last change an empty file is taken to be in the
/// middle of a save (see [`Batch::file`]).
const SAVING: Duration = Duration::from_secs(2);

/// Whether `mtime` (nanoseconds since the epoch) is within [`SAVING`] of
/// now, either way (a clock a little ahead of this one included).
fn changed_just_now(mtime: Option<u64>) -> bool {
    let Some(mtime) = mtime else {
        return false;
    };
    let Ok(now) = SystemTime::now().duration_since(UNIX_EPOCH) else {
        return false;
    };
    let now = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
    let saving = u64::try_from(SAVING.as_nanos()).unwrap_or(u64::MAX);
    now.abs_diff(mtime) < saving
}

/// What became of a file.
pub(super) enum Outcome {
    /// Its entry in the new list of sources, and whether it differs from
    /// the last commit's.
    Listed(FileEntry, bool),
    /// Not listed: a new file that cannot be read, or an indexed one that
    /// cannot be read and whose ids another file took; whether the last
    /// commit listed it.
    Unlisted(bool),
    /// One of its ids may belong to a file this reindex does not look at.
    Unsure,
}

impl Outcome {
    /// The last commit's entry kept as it was, unchanged.
    fn carried(previous: Option<FileEntry>) -> Outcome {
        previous.map_or(Outcome::Unlisted(false), |p| Outcome::Listed(p, false))
    }

    /// Records a change of the list at `rel` in `changes`, unless they
    /// are too many to write on their own in a list of about `files`
    /// (`None`).
    pub fn record(&self, rel: &str, changes: &mut Option<SourceChanges>, files: usize) {
        let Some(map) = changes else {
            return;
        };
        match self {
            Outcome::Listed(entry, true) => {
                map.insert(rel.to_owned(), Some(entry.clone()));
            }
            Outcome::Unlisted(true) => {
                map.insert(rel.to_owned(), None);
            }
            _ => {}
        }
        if !changes_fit(map.len(), files) {
            *changes = None;
        }
    }
}

/// The changes of one reindex, as they are sent to the writer.
pub(super) struct Batch<'w> {
    pub pending: Pending<'w>,
    pub report: ReindexReport,
    /// Articles added, and removed: an article in both moved.
    added_ids: HashSet<String>,
    removed_ids: HashSet<String>,
    /// Whether the new list of sources differs from the old one.
    pub changed: bool,
}

/// What a commit writes besides the batch's changes.
pub(super) struct NewState<'a> {
    pub old: &'a Manifest,
    pub files: &'a Sources,
    /// Every change to the list since the last commit's list of every
    /// file was written; `None` when they are too many to write on their
    /// own (or unknown).
    pub changes: Option<&'a SourceChanges>,
    pub config: &'a ContentConfig,
    pub config_hash: u64,
    /// Articles in the last commit (for the mass-removal guard).
    pub indexed: usize,
    /// Articles in `files`.
    pub articles: usize,
    /// Whether each change is seen at the path it was made at
    /// ([`Manifest::exact_paths`]).
    pub exact_paths: bool,
    pub force: bool,
}

impl NewState<'_> {
    /// The topics, the synonyms or the index format changed since the last
    /// commit: every article is indexed again.
    pub fn config_changed(&self) -> bool {
        config_changed(self.old, self.config_hash)
    }
}

pub(super) fn config_changed(old: &Manifest, config_hash: u64) -> bool {
    old.config_hash != config_hash || old.needle != SCHEMA_VERSION
}

impl<'w> Batch<'w> {
    pub fn new(pending: Pending<'w>, report: ReindexReport) -> Self {
        Batch {
            pending,
            report,
            added_ids: HashSet::new(),
            removed_ids: HashSet::new(),
            changed: false,
        }
    }

    /// Brings one file up to date, given its entry in the last commit.
    pub fn file(
        &mut self,
        how: &Reading<'_>,
        file: &SourceFile,
        previous: Option<FileEntry>,
        claims: &mut dyn Claims,
    ) -> Result<Outcome> {
        let report = &mut self.report;
        // Unchanged by stat: carry the entry over without reading.
        if let Some(prev) = previous.as_ref()
            && !how.rebuild_all
            && how.trust_stat
            && file.mtime.is_some()
            && prev.size == file.size
            && prev.mtime == file.mtime
            && claims.claim_all(prev)
        {
            report.unchanged += prev.articles.len();
            return Ok(Outcome::carried(previous));
        }
        let text = match how.source.read(file) {
            Ok(t) => t,
            Err(issue) => {
                report.issues.push(issue);
                // Nothing is lost: an indexed file that cannot be read now
                // keeps its passages until it can be (or is gone).
                let had = previous.is_some();
                if let Some(prev) = previous
                    && claims.claim_all(&prev)
                {
                    report.unchanged += prev.articles.len();
                    return Ok(Outcome::Listed(prev, false));
                }
                self.changed |= had;
                return Ok(Outcome::Unlisted(had));
            }
        };
        report.files_read += 1;
        // Found empty a moment after it changed, a file is most likely being
        // saved in place (truncated, then written): a walk keeps what it
        // had, under its old size and time, so the next walk reads it again
        // instead of its passages going for a refresh. Events name the
        // write that follows; a file emptied on purpose goes at the next
        // walk past the moment.
        if text.is_empty()
            && how.trust_stat
            && !how.rebuild_all
            && changed_just_now(file.mtime)
            && let Some(prev) = previous.as_ref()
            && !prev.articles.is_empty()
            && claims.claim_all(prev)
        {
            report.unchanged += prev.articles.len();
            return Ok(Outcome::carried(previous));
        }
        let hash = content::hash_bytes(text.as_bytes());
        if let Some(prev) = previous.as_ref()
            && !how.rebuild_all
            && prev.hash == hash
            && claims.claim_all(prev)
        {
            report.unchanged += prev.articles.len();
            let Some(mut entry) = previous else {
                return Ok(Outcome::Unlisted(false));
            };
            let moved = entry.size != file.size || entry.mtime != file.mtime;
            self.changed |= moved;
            entry.size = file.size;
            entry.mtime = file.mtime;
            return Ok(Outcome::Listed(entry, moved));
        }
        let articles = content::parse_file(
            file.format,
            file.article_id(),
            &file.rel,
            &text,
            &how.config.topics,
            how.drafts,
            &mut report.issues,
        );
        let old_articles: BTreeMap<&str, &ArticleEntry> = previous
            .iter()
            .flat_map(|p| p.articles.iter().map(|a| (a.id.as_str(), a)))
            .collect();
        let mut entry = FileEntry {
            size: file.size,
            mtime: file.mtime,
            hash,
            articles: Vec::new(),
        };
        let mut kept: HashSet<&str> = HashSet::new();
        for article in articles {
            match claims.claim(&article.id) {
                Claim::Granted => {}
                Claim::Unsure => return Ok(Outcome::Unsure),
                Claim::Taken => {
                    self.report.issues.push(ContentIssue::new(
                        &file.rel,
                        article.passages.first().and_then(|p| p.line),
                        format!(
                            "article id {:?} is already used by another file; this one was skipped: rename one of them",
                            article.id
                        ),
                    ));
                    continue;
                }
            }
            let passages = u32::try_from(article.passages.len()).unwrap_or(u32::MAX);
            entry.articles.push(ArticleEntry {
                id: article.id.clone(),
                title: article.title.clone(),
                hash: article.hash,
                passages,
                url: article.url.clone(),
            });
            match old_articles.get(article.id.as_str()) {
                Some(prev) if !how.rebuild_all && prev.hash == article.hash => {
                    kept.insert(prev.id.as_str());
                    self.report.unchanged += 1;
                }
                Some(prev) => {
                    kept.insert(prev.id.as_str());
                    self.report.updated += 1;
                    self.report.passages_removed += prev.passages as usize;
                    self.pending.add(&article, &mut self.report)?;
                }
                None => {
                    self.report.added += 1;
                    self.added_ids.insert(article.id.clone());
                    self.pending.add(&article, &mut self.report)?;
                }
            }
        }
        // Articles the file no longer has.
        for (id, prev) in &old_articles {
            if !kept.contains(id) {
                self.report.removed += 1;
                self.removed_ids.insert((*id).to_owned());
                self.report.passages_removed += prev.passages as usize;
                self.pending.delete(id);
            }
        }
        let differs = previous.as_ref() != Some(&entry);
        self.changed |= differs;
        Ok(Outcome::Listed(entry, differs))
    }

    /// A file of the last commit that is gone: its articles leave.
    pub fn gone(&mut self, prev: &FileEntry) {
        self.changed = true;
        for a in &prev.articles {
            self.report.removed += 1;
            self.removed_ids.insert(a.id.clone());
            self.report.passages_removed += a.passages as usize;
            self.pending.delete(&a.id);
        }
    }

    /// Commits the changes, with `new.files` as the new list of sources and
    /// `fingerprint` (called only if there is a commit) as their stat
    /// fingerprint, when anything changed. Returns the report and the names
    /// of the sources files committed, if there was a commit. The caller
    /// then releases the writer and reloads the reader.
    pub fn commit(
        mut self,
        index: &NeedleIndex,
        new: &NewState<'_>,
        fingerprint: impl FnOnce() -> Option<u64>,
    ) -> Result<(ReindexReport, Option<SourcesNames>)> {
        let report = &mut self.report;
        // An article that moved from one file to another is an update, not
        // a removal plus an addition.
        let moved = self.removed_ids.intersection(&self.added_ids).count();
        report.removed -= moved;
        report.added -= moved;
        report.updated += moved;

        if !new.force && new.indexed > 0 && report.removed * 2 > new.indexed {
            return Err(Error::MassRemoval {
                removing: report.removed,
                indexed: new.indexed,
            });
        }
        let manifest_changed =
            self.changed || new.config_changed() || new.old.sources_file.is_none();
        if !self.pending.sent && !manifest_changed {
            return Ok((self.report, None));
        }
        let names = index.write_sources(new.old.sources_file.as_deref(), new.files, new.changes)?;
        let manifest = Manifest {
            // The fingerprint of what was indexed: when a file could not be
            // read, it differs from the next scan's, and that file is tried
            // again next time.
            fingerprint: fingerprint(),
            needle: SCHEMA_VERSION,
            config_hash: new.config_hash,
            topics: new.config.topics.topics.clone(),
            synonyms: new.config.synonyms_text.clone(),
            articles: new.articles,
            exact_paths: new.exact_paths,
            sources_file: Some(names.0.clone()),
            sources_changes: names.1.clone(),
        };
        let payload =
            serde_json::to_string(&manifest).map_err(|e| Error::InvalidRequest(e.to_string()))?;
        let mut prepared = self.pending.writer.prepare_commit()?;
        prepared.set_payload(&payload);
        prepared.commit()?;
        self.pending.committed = true;
        index.remove_stale_sources(&names, new.old);
        self.report.committed = true;
        Ok((self.report, Some(names)))
    }
}

impl NeedleIndex {
    /// After a reindex's commit (or its finding that nothing changed) and
    /// the release of the writer: moves the reader to the new commit and
    /// keeps `files`, the sources now committed, and `changes`, every
    /// change since the list of every file was written (when they were
    /// kept), for the next reindex.
    pub(super) fn conclude(
        &self,
        mut report: ReindexReport,
        committed: Option<SourcesNames>,
        old: &Manifest,
        files: Sources,
        changes: Option<SourceChanges>,
        started: std::time::Instant,
    ) -> Result<ReindexReport> {
        match committed {
            Some((base, changes_file)) => {
                // The whole list written: no changes since.
                let changes = match &changes_file {
                    Some(_) => changes.unwrap_or_default(),
                    None => SourceChanges::new(),
                };
                self.keep_sources((Some(base), changes_file), files, changes);
                self.reload()?;
            }
            // Nothing changed: `files` is the list the last commit names.
            None => {
                if let Some(changes) = changes {
                    let names = (old.sources_file.clone(), old.sources_changes.clone());
                    self.keep_sources(names, files, changes);
                }
            }
        }
        report.passages = self.reader.searcher().num_docs();
        report.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(report)
    }
}
