//! Incremental, atomic reindexing.
//!
//! The last commit names a list of every source file (size, modification
//! time, hash) and the articles it held (id, hash, passage count), kept in a
//! sources file beside the index files. A reindex stats every file; only
//! files whose size or time changed are read, only articles whose text
//! changed are replaced, and the whole change (deletes, adds, new sources
//! file named in the new manifest) lands in one commit: a reader sees the
//! old state or the new one, never a mix.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::content::{self, Article, ContentIssue, ContentSource, Passage, PassageKind, scan};
use crate::error::{Error, Result};
use crate::index::{ArticleEntry, FileEntry, Manifest, NeedleIndex, Sources};
use crate::schema::{Fields, SCHEMA_VERSION};
use tantivy::schema::Field;

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

/// The writer while a reindex sends it changes. Each article goes to the
/// writer as soon as its file is parsed, so memory stays within the
/// writer's budget however large the content; if the reindex stops before
/// its commit (an error, the mass-removal guard), the changes sent are
/// rolled back, never left for the next commit to pick up.
struct Pending<'w> {
    writer: &'w mut IndexWriter,
    fields: &'w Fields,
    /// The hashes of the article ids of the last commit (a collision only
    /// costs a delete of an id nothing has).
    old_ids: HashSet<u64>,
    /// Articles added by this reindex.
    added: HashSet<String>,
    /// Whether anything was sent.
    sent: bool,
    committed: bool,
}

impl Pending<'_> {
    /// Adds an article's passages, first deleting what the index holds
    /// under its id (an update, or an article moved from another file).
    fn add(&mut self, article: &Article, report: &mut ReindexReport) -> Result<()> {
        self.sent = true;
        if self.old_ids.contains(&id_hash(&article.id)) {
            self.writer
                .delete_term(Term::from_field_text(self.fields.article, &article.id));
        }
        for passage in &article.passages {
            self.writer
                .add_document(to_document(self.fields, passage))?;
            report.passages_added += 1;
        }
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
    pub fn reindex(
        &self,
        source: &ContentSource,
        options: &ReindexOptions,
    ) -> Result<ReindexReport> {
        self.begin_write();
        self.reindex_once(source, options)
            .map_err(|e| self.failed_write(e))
    }

    fn reindex_once(
        &self,
        source: &ContentSource,
        options: &ReindexOptions,
    ) -> Result<ReindexReport> {
        let started = Instant::now();
        let found = scan(source)?;
        let fingerprint = found.fingerprint();
        // The topics, the synonyms or the index format changed since `old`:
        // every article is indexed again.
        // Whether drafts are indexed is part of the configuration: turning
        // it on or off reads every article again.
        let config_hash = found.config.hash ^ if options.drafts { DRAFTS_SALT } else { 0 };
        let config_changed =
            |old: &Manifest| old.config_hash != config_hash || old.needle != SCHEMA_VERSION;
        let unchanged = |old: &Manifest| -> Option<ReindexReport> {
            // Every file has the size and time the last commit saw, and the
            // commit had every file: nothing to do, nothing more to read.
            (!options.force
                && !config_changed(old)
                && fingerprint.is_some()
                && fingerprint == old.fingerprint)
                .then(|| ReindexReport {
                    rebuilt: self.rebuilt().map(str::to_owned),
                    unchanged: old.articles,
                    passages: self.reader.searcher().num_docs(),
                    took_ms: started.elapsed().as_secs_f64() * 1000.0,
                    ..ReindexReport::default()
                })
        };
        // Before the writer: opening one (its threads, its lock, the removal
        // of files no commit uses) costs more than a refresh with nothing to do.
        if let Ok(old) = self.committed_manifest()
            && let Some(report) = unchanged(&old)
        {
            return Ok(report);
        }
        let mut guard = self.writer()?;
        let writer = guard
            .as_mut()
            .ok_or_else(|| Error::InvalidRequest("no writer".into()))?;
        // The writer's lock is held: nobody else can commit from here on.
        let old = match self.committed_manifest() {
            Ok(manifest) => manifest,
            Err(_) if options.force => Manifest::default(),
            Err(e) => return Err(e),
        };
        // Another process may have committed this content meanwhile.
        if let Some(report) = unchanged(&old) {
            return Ok(report);
        }
        let mut report = ReindexReport {
            rebuilt: self.rebuilt().map(str::to_owned),
            ..ReindexReport::default()
        };
        let rebuild_all = options.force || config_changed(&old);
        let mut old_files = match self.read_sources(&old) {
            Ok(files) => files,
            // A forced rebuild starts over: it needs nothing of the old state.
            Err(_) if options.force => Sources::default(),
            Err(e) => return Err(e),
        };
        report.issues = found.issues;
        if options.force {
            writer.delete_all_documents()?;
        }
        let indexed: usize = old_files.values().map(|f| f.articles.len()).sum();
        let mut pending = Pending {
            writer,
            fields: &self.fields,
            old_ids: old_files
                .values()
                .flat_map(|f| f.articles.iter().map(|a| id_hash(&a.id)))
                .collect(),
            added: HashSet::new(),
            sent: options.force,
            committed: false,
        };
        // The new list of source files. Entries move over from the old list,
        // which is left with the files that are gone; `changed` tells
        // whether the two lists differ.
        let mut files = Sources::new();
        let mut changed = false;
        let mut claimed: HashSet<String> = HashSet::new();
        let mut added_ids: HashSet<String> = HashSet::new();
        let mut removed_ids: HashSet<String> = HashSet::new();
        let total = found.files.len();

        for (done, file) in found.files.iter().enumerate() {
            let previous = old_files.remove(&file.rel);
            // Unchanged by stat: carry the entry over without reading.
            if let Some(prev) = &previous
                && !rebuild_all
                && file.mtime.is_some()
                && prev.size == file.size
                && prev.mtime == file.mtime
                && claim_all(&mut claimed, prev)
            {
                report.unchanged += prev.articles.len();
                files.extend(previous.map(|prev| (file.rel.clone(), prev)));
                continue;
            }
            let text = match source.read(file) {
                Ok(t) => t,
                Err(issue) => {
                    report.issues.push(issue);
                    // Nothing is lost: an indexed file that cannot be read
                    // now keeps its passages until it can be (or is gone).
                    if let Some(prev) = &previous
                        && claim_all(&mut claimed, prev)
                    {
                        report.unchanged += prev.articles.len();
                        files.extend(previous.map(|prev| (file.rel.clone(), prev)));
                    } else {
                        changed |= previous.is_some();
                    }
                    continue;
                }
            };
            report.files_read += 1;
            let hash = content::hash_bytes(text.as_bytes());
            if let Some(prev) = &previous
                && !rebuild_all
                && prev.hash == hash
                && claim_all(&mut claimed, prev)
            {
                report.unchanged += prev.articles.len();
                if let Some(mut entry) = previous {
                    changed |= entry.size != file.size || entry.mtime != file.mtime;
                    entry.size = file.size;
                    entry.mtime = file.mtime;
                    files.insert(file.rel.clone(), entry);
                }
                continue;
            }
            let articles = content::parse_file(
                file.format,
                file.article_id(),
                &file.rel,
                &text,
                &found.config.topics,
                options.drafts,
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
                if !claimed.insert(article.id.clone()) {
                    report.issues.push(ContentIssue::new(
                        &file.rel,
                        article.passages.first().and_then(|p| p.line),
                        format!(
                            "article id {:?} is already used by another file; this one was skipped: rename one of them",
                            article.id
                        ),
                    ));
                    continue;
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
                    Some(prev) if !rebuild_all && prev.hash == article.hash => {
                        kept.insert(prev.id.as_str());
                        report.unchanged += 1;
                    }
                    Some(prev) => {
                        kept.insert(prev.id.as_str());
                        report.updated += 1;
                        report.passages_removed += prev.passages as usize;
                        pending.add(&article, &mut report)?;
                    }
                    None => {
                        report.added += 1;
                        added_ids.insert(article.id.clone());
                        pending.add(&article, &mut report)?;
                    }
                }
            }
            // Articles the file no longer has.
            for (id, prev) in &old_articles {
                if !kept.contains(id) {
                    report.removed += 1;
                    removed_ids.insert((*id).to_owned());
                    report.passages_removed += prev.passages as usize;
                    pending.delete(id);
                }
            }
            changed |= previous.as_ref() != Some(&entry);
            files.insert(file.rel.clone(), entry);
            if let Some(progress) = &options.progress {
                progress(done + 1, total);
            }
        }
        // Files that are gone: what is left of the old list.
        for (rel, prev) in old_files {
            // Under a folder that could not be listed (permissions), a
            // file is out of reach, not gone: it keeps its passages.
            let unreachable = found.unreadable.iter().any(|dir| {
                dir.is_empty()
                    || rel
                        .strip_prefix(dir.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            });
            if unreachable && claim_all(&mut claimed, &prev) {
                report.unchanged += prev.articles.len();
                files.insert(rel, prev);
                continue;
            }
            changed = true;
            for a in &prev.articles {
                report.removed += 1;
                removed_ids.insert(a.id.clone());
                report.passages_removed += a.passages as usize;
                pending.delete(&a.id);
            }
        }
        // An article that moved from one file to another is an update, not a
        // removal plus an addition.
        let moved = removed_ids.intersection(&added_ids).count();
        report.removed -= moved;
        report.added -= moved;
        report.updated += moved;

        if !options.force && indexed > 0 && report.removed * 2 > indexed {
            return Err(Error::MassRemoval {
                removing: report.removed,
                indexed,
            });
        }

        let manifest_changed = changed || config_changed(&old) || old.sources_file.is_none();
        if pending.sent || manifest_changed {
            let sources_file = self.write_sources(&files)?;
            // The fingerprint of what was indexed: when a file could not be
            // read, it differs from the next scan's, and that file is tried
            // again next time.
            let fingerprint = fingerprint.and_then(|_| {
                crate::content::stat_fingerprint(
                    files.iter().map(|(rel, f)| (rel.as_str(), f.size, f.mtime)),
                )
            });
            let manifest = Manifest {
                fingerprint,
                needle: SCHEMA_VERSION,
                config_hash,
                topics: found.config.topics.topics.clone(),
                synonyms: found.config.synonyms_text.clone(),
                articles: files.values().map(|f| f.articles.len()).sum(),
                sources_file: Some(sources_file.clone()),
            };
            let payload = serde_json::to_string(&manifest)
                .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            let mut prepared = pending.writer.prepare_commit()?;
            prepared.set_payload(&payload);
            prepared.commit()?;
            pending.committed = true;
            drop(pending);
            self.remove_stale_sources(&sources_file, old.sources_file.as_deref());
            report.committed = true;
            drop(guard);
            self.reload()?;
        } else {
            drop(pending);
            drop(guard);
        }
        report.passages = self.reader.searcher().num_docs();
        report.took_ms = started.elapsed().as_secs_f64() * 1000.0;
        Ok(report)
    }
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

/// Claims the ids of a file's articles, unless one is claimed already.
fn id_hash(id: &str) -> u64 {
    content::hash_bytes(id.as_bytes())
}

fn claim_all(claimed: &mut HashSet<String>, entry: &FileEntry) -> bool {
    if entry.articles.iter().any(|a| claimed.contains(&a.id)) {
        return false;
    }
    claimed.extend(entry.articles.iter().map(|a| a.id.clone()));
    true
}
