//! The reindex of the paths a watcher saw change: only those paths are
//! statted (through `content::visit_path`, which answers as the walk
//! would), the last commit's list of sources is changed where they are, and
//! its stat fingerprint is updated term by term, so that a later full
//! reindex finds nothing to do. Whatever the paths cannot tell exactly
//! (see [`NeedleIndex::reindex_paths`]) is left to the full reindex.

use std::collections::{BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};
use std::time::Instant;

use super::batch::{Batch, Claim, Claims, NewState, Outcome, Pending, Reading, config_changed};
use super::{DRAFTS_SALT, ReindexOptions, ReindexReport};
use crate::content::{self, ContentSource, PathVisit, SourceFile, StatSum};
use crate::error::{Error, Result};
use crate::index::{FileEntry, NeedleIndex, SourceChanges, Sources, changes_fit};

impl NeedleIndex {
    /// The reindex of `changed`; `None` when only a full reindex can tell
    /// (nothing was changed then).
    pub(super) fn reindex_changed(
        &self,
        source: &ContentSource,
        changed: &[PathBuf],
        options: &ReindexOptions,
    ) -> Result<Option<ReindexReport>> {
        let started = Instant::now();
        if options.force {
            return Ok(None);
        }
        let Some(root) = content::content_dir(source) else {
            return Ok(None);
        };
        let Some(rels) = relative_paths(root, changed) else {
            return Ok(None);
        };
        // What the walk would see at each path.
        let mut present: Vec<SourceFile> = Vec::new();
        let mut absent: Vec<&str> = Vec::new();
        for rel in &rels {
            match content::visit_path(root, rel) {
                PathVisit::File(file) => present.push(file),
                PathVisit::Missing | PathVisit::Skipped => absent.push(rel),
                PathVisit::Unsure => return Ok(None),
            }
        }
        let config = content::config_at(root)?;
        let config_hash = config.hash ^ if options.drafts { DRAFTS_SALT } else { 0 };

        let mut guard = self.writer()?;
        let writer = guard
            .as_mut()
            .ok_or_else(|| Error::InvalidRequest("no writer".into()))?;
        // The writer's lock is held: nobody else can commit from here on.
        let Ok(old) = self.committed_manifest() else {
            return Ok(None);
        };
        // A file of several names changes with another (a link, a hard
        // link): only the walk sees it.
        if config_changed(&old, config_hash) || old.sources_file.is_none() || !old.exact_paths {
            return Ok(None);
        }
        let (mut sources, mut changes) = self.take_sources(&old)?;
        let names = (old.sources_file.clone(), old.sources_changes.clone());
        // A path that held files (a directory that is gone, or replaced by
        // a file) is the walk's to tell.
        if rels.iter().any(|rel| holds_files(&sources, rel)) {
            self.keep_sources(names, sources, changes);
            return Ok(None);
        }
        let report = ReindexReport {
            rebuilt: self.rebuilt().map(str::to_owned),
            ..ReindexReport::default()
        };
        let mut batch = Batch::new(Pending::new(writer, &self.fields, true, false), report);
        let reading = Reading {
            source,
            config: &config,
            drafts: options.drafts,
            rebuild_all: false,
            trust_stat: false,
        };
        // The new entries of the paths, in path order: files present first,
        // as the walk lists them, then those that are gone; and the changes
        // to the list, as the full reindex records them.
        let mut updates: Vec<(String, Option<FileEntry>)> = Vec::new();
        let mut recorded = Some(SourceChanges::new());
        {
            let mut claims = ChangedClaims::new(&sources, &rels);
            for file in &present {
                let previous = sources.get(&file.rel).cloned();
                let outcome = batch.file(&reading, file, previous, &mut claims)?;
                outcome.record(&file.rel, &mut recorded, usize::MAX);
                match outcome {
                    Outcome::Listed(entry, _) => updates.push((file.rel.clone(), Some(entry))),
                    Outcome::Unlisted(_) => updates.push((file.rel.clone(), None)),
                    Outcome::Unsure => {
                        drop(claims);
                        drop(batch);
                        self.keep_sources(names, sources, changes);
                        return Ok(None);
                    }
                }
            }
            for rel in &absent {
                if let Some(prev) = sources.get(*rel) {
                    batch.gone(prev);
                    Outcome::Unlisted(true).record(rel, &mut recorded, usize::MAX);
                    updates.push(((*rel).to_owned(), None));
                }
            }
        }
        changes.extend(recorded.unwrap_or_default());
        // Articles of the last commit (its manifest counts them): those of
        // the paths are counted by the batch, the others are unchanged.
        let indexed = old.articles;
        let articles_of = |entry: Option<&FileEntry>| entry.map_or(0, |f| f.articles.len());
        let before: usize = updates
            .iter()
            .map(|(rel, _)| articles_of(sources.get(rel)))
            .sum();
        let after: usize = updates
            .iter()
            .map(|(_, entry)| articles_of(entry.as_ref()))
            .sum();
        // A count that does not add up is not this manifest's: walk.
        let Some(others) = indexed.checked_sub(before) else {
            drop(batch);
            return Ok(None);
        };
        batch.report.unchanged += others;
        // The new list, and its fingerprint term by term.
        let mut sum = old
            .fingerprint
            .map(|fp| StatSum::of_fingerprint(fp, sources.len()));
        for (rel, entry) in updates {
            if let Some(prev) = sources.remove(&rel) {
                sum = sum.and_then(|mut s| {
                    s.remove(&rel, prev.size, prev.mtime?);
                    Some(s)
                });
            }
            if let Some(entry) = entry {
                sum = sum.and_then(|mut s| {
                    s.add(&rel, entry.size, entry.mtime?);
                    Some(s)
                });
                sources.insert(rel, entry);
            }
        }
        let changes = Some(changes).filter(|c| changes_fit(c.len(), sources.len()));
        let new = NewState {
            old: &old,
            files: &sources,
            changes: changes.as_ref(),
            config: &config,
            config_hash,
            indexed,
            articles: others + after,
            exact_paths: true,
            force: false,
        };
        let (report, committed) = batch.commit(self, &new, || sum.map(StatSum::finish))?;
        drop(guard);
        self.conclude(report, committed, &old, sources, changes, started)
            .map(Some)
    }
}

/// The paths relative to `root`, `/`-separated, sorted, without repeats;
/// `None` when one is not inside the root or not a plain UTF-8 path.
fn relative_paths(root: &Path, changed: &[PathBuf]) -> Option<BTreeSet<String>> {
    let mut roots = vec![root.to_owned()];
    if let Ok(cwd) = std::env::current_dir() {
        roots.push(cwd.join(root));
    }
    if let Ok(canonical) = root.canonicalize() {
        roots.push(canonical);
    }
    let mut rels = BTreeSet::new();
    for path in changed {
        let inside = if path.is_absolute() {
            roots.iter().find_map(|root| path.strip_prefix(root).ok())?
        } else {
            path.as_path()
        };
        let mut parts = Vec::new();
        for component in inside.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_str()?),
                Component::CurDir => {}
                _ => return None,
            }
        }
        if parts.is_empty() {
            return None;
        }
        rels.insert(parts.join("/"));
    }
    Some(rels)
}

/// Whether the last commit lists files under `rel` as a directory.
fn holds_files(sources: &Sources, rel: &str) -> bool {
    let dir = format!("{rel}/");
    sources
        .range(dir.clone()..)
        .next()
        .is_some_and(|(path, _)| path.starts_with(&dir))
}

/// Claims when only the changed paths are looked at. Every other file
/// keeps the ids the last commit gave it (they are unique there), so an id
/// is the changed file's when no changed file before it took it and no
/// other file holds it; one another file holds is for the full reindex to
/// settle, in path order.
struct ChangedClaims<'s> {
    sources: &'s Sources,
    paths: &'s BTreeSet<String>,
    /// Ids the changed files read so far took, in path order.
    taken: HashSet<String>,
    /// Ids the changed paths held in the last commit.
    theirs: HashSet<&'s str>,
    /// Ids every other file holds, gathered when first needed.
    others: Option<HashSet<&'s str>>,
}

impl<'s> ChangedClaims<'s> {
    fn new(sources: &'s Sources, paths: &'s BTreeSet<String>) -> Self {
        let theirs = paths
            .iter()
            .filter_map(|rel| sources.get(rel))
            .flat_map(|f| f.articles.iter().map(|a| a.id.as_str()))
            .collect();
        ChangedClaims {
            sources,
            paths,
            taken: HashSet::new(),
            theirs,
            others: None,
        }
    }
}

impl Claims for ChangedClaims<'_> {
    fn claim_all(&mut self, entry: &FileEntry) -> bool {
        // The entry's ids were its own in the last commit: only a changed
        // file before it can have taken one.
        if entry.articles.iter().any(|a| self.taken.contains(&a.id)) {
            return false;
        }
        self.taken
            .extend(entry.articles.iter().map(|a| a.id.clone()));
        true
    }

    fn claim(&mut self, id: &str) -> Claim {
        if self.taken.contains(id) {
            return Claim::Taken;
        }
        if !self.theirs.contains(id) {
            let (sources, paths) = (self.sources, self.paths);
            let others = self.others.get_or_insert_with(|| {
                sources
                    .iter()
                    .filter(|(rel, _)| !paths.contains(*rel))
                    .flat_map(|(_, f)| f.articles.iter().map(|a| a.id.as_str()))
                    .collect()
            });
            if others.contains(id) {
                return Claim::Unsure;
            }
        }
        self.taken.insert(id.to_owned());
        Claim::Granted
    }
}
