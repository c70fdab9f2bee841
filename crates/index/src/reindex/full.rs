//! The reindex that walks the whole content: every file is statted and
//! compared with the last commit's list (see the parent module).

use std::time::Instant;

use super::batch::{AllClaims, Batch, Claims, NewState, Outcome, Pending, Reading, config_changed};
use super::{DRAFTS_SALT, ReindexOptions, ReindexReport};
use crate::content::{ContentSource, scan, stat_fingerprint};
use crate::error::{Error, Result};
use crate::index::{FileEntry, Manifest, NeedleIndex, SourceChanges, Sources, changes_fit};

impl NeedleIndex {
    pub(super) fn reindex_all(
        &self,
        source: &ContentSource,
        options: &ReindexOptions,
    ) -> Result<ReindexReport> {
        let started = Instant::now();
        let found = scan(source)?;
        let fingerprint = found.fingerprint();
        let exact_paths = found.exact_paths();
        // Whether drafts are indexed is part of the configuration: turning
        // it on or off reads every article again.
        let config_hash = found.config.hash ^ if options.drafts { DRAFTS_SALT } else { 0 };
        let unchanged = |old: &Manifest| -> Option<ReindexReport> {
            // Every file has the size and time the last commit saw, and the
            // commit had every file: nothing to do, nothing more to read.
            (!options.force
                && !config_changed(old, config_hash)
                && fingerprint.is_some()
                && fingerprint == old.fingerprint)
                .then(|| ReindexReport {
                    rebuilt: self.rebuilt().map(str::to_owned),
                    unchanged: old.articles,
                    passages: self.reader.searcher().num_docs(),
                    took_ms: started.elapsed().as_secs_f64() * 1000.0,
                    full_scan: true,
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
        let rebuild_all = options.force || config_changed(&old, config_hash);
        let (old_files, old_changes) = match self.take_sources(&old) {
            Ok(sources) => sources,
            // A forced rebuild starts over: it needs nothing of the old state.
            Err(_) if options.force => (Sources::default(), SourceChanges::default()),
            Err(e) => return Err(e),
        };
        // Every change since the list of every file was written, while
        // they are few enough to be written on their own; a forced rebuild
        // writes the whole list.
        let mut changes = (!options.force).then_some(old_changes);
        // At most this many files can be listed: changes past a sixteenth
        // of it are not kept (the final count decides at the commit).
        let listed = found.files.len() + old_files.len();
        if options.force {
            writer.delete_all_documents()?;
        }
        let indexed: usize = old_files.values().map(|f| f.articles.len()).sum();
        // An index that starts empty holds none of the articles added.
        let delete_first = !options.force && !old_files.is_empty();
        let report = ReindexReport {
            rebuilt: self.rebuilt().map(str::to_owned),
            issues: found.issues,
            full_scan: true,
            ..ReindexReport::default()
        };
        let mut batch = Batch::new(
            Pending::new(writer, &self.fields, delete_first, options.force),
            report,
        );
        let reading = Reading {
            source,
            config: &found.config,
            drafts: options.drafts,
            rebuild_all,
            trust_stat: true,
        };
        let mut claims = AllClaims::with_capacity(indexed);
        // The new list of source files, in path order. Both lists are in
        // path order: the old one is read alongside the files found (no
        // lookup per file), its entries move over, and the files it has
        // that were not found are gone.
        let mut files: Vec<(String, FileEntry)> = Vec::with_capacity(found.files.len());
        let mut gone: Vec<(String, FileEntry)> = Vec::new();
        let mut old_files = old_files.into_iter().peekable();
        let total = found.files.len();
        for (done, file) in found.files.into_iter().enumerate() {
            let previous = loop {
                match old_files.next_if(|(rel, _)| rel.as_str() <= file.rel.as_str()) {
                    Some((rel, entry)) if rel == file.rel => break Some(entry),
                    Some(before) => gone.push(before),
                    None => break None,
                }
            };
            let read = previous.is_none()
                || rebuild_all
                || previous
                    .as_ref()
                    .is_some_and(|p| p.size != file.size || p.mtime != file.mtime);
            let outcome = batch.file(&reading, &file, previous, &mut claims)?;
            outcome.record(&file.rel, &mut changes, listed);
            if let Outcome::Listed(entry, _) = outcome {
                files.push((file.rel, entry));
            }
            if read && let Some(progress) = &options.progress {
                progress(done + 1, total);
            }
        }
        gone.extend(old_files);
        // Files that are gone: what is left of the old list.
        for (rel, prev) in gone {
            // Under a folder that could not be listed (permissions), a
            // file is out of reach, not gone: it keeps its passages.
            let unreachable = found.unreadable.iter().any(|dir| {
                dir.is_empty()
                    || rel
                        .strip_prefix(dir.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            });
            if unreachable && claims.claim_all(&prev) {
                batch.report.unchanged += prev.articles.len();
                files.push((rel, prev));
                continue;
            }
            batch.gone(&prev);
            Outcome::Unlisted(true).record(&rel, &mut changes, listed);
        }
        // Sorted but for the unreachable files kept: built at once.
        let files: Sources = files.into_iter().collect();
        let changes = changes.filter(|c| changes_fit(c.len(), files.len()));
        let new = NewState {
            old: &old,
            files: &files,
            changes: changes.as_ref(),
            config: &found.config,
            config_hash,
            indexed,
            articles: files.values().map(|f| f.articles.len()).sum(),
            exact_paths,
            force: options.force,
        };
        let (report, committed) = batch.commit(self, &new, || {
            fingerprint.and_then(|_| {
                stat_fingerprint(files.iter().map(|(rel, f)| (rel.as_str(), f.size, f.mtime)))
            })
        })?;
        drop(guard);
        self.conclude(report, committed, &old, files, changes, started)
    }
}
