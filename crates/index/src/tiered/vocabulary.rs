//! The terms of the raw fields of all the segments of a searcher, in one
//! term dictionary, built in the background once a searcher generation
//! has served a few typo queries (a one-off search does not pay for it).

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tantivy::Searcher;
use tantivy::directory::FileSlice;
use tantivy::index::{InvertedIndexReader, SegmentId};
use tantivy::postings::TermInfo;
use tantivy::query::DfaWrapper;
use tantivy::schema::Field;
use tantivy::termdict::{TermDictionary, TermDictionaryBuilder};

/// The terms of one field of one segment, in memory, sorted: a
/// prefix is a slice of them, and a term is found by binary search,
/// without walking the dictionary's FST.
pub(super) struct TermTable {
    pub(super) keys: Vec<u8>,
    pub(super) ends: Vec<u32>,
    /// Postings start, postings length, document frequency.
    pub(super) infos: Vec<(u64, u32, u32)>,
}

impl TermTable {
    pub(super) fn read(inverted: &InvertedIndexReader) -> tantivy::Result<TermTable> {
        let dict = inverted.terms();
        let mut table = TermTable {
            keys: Vec::new(),
            ends: Vec::with_capacity(dict.num_terms()),
            infos: Vec::with_capacity(dict.num_terms()),
        };
        let mut stream = dict.stream()?;
        while stream.advance() {
            let info = stream.value();
            table.keys.extend_from_slice(stream.key());
            let end = u32::try_from(table.keys.len())
                .map_err(|_| tantivy::TantivyError::InternalError("too many terms".into()))?;
            table.ends.push(end);
            let len = u32::try_from(info.postings_range.len()).unwrap_or(u32::MAX);
            table
                .infos
                .push((info.postings_range.start as u64, len, info.doc_freq));
        }
        Ok(table)
    }

    #[inline]
    pub(super) fn len(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    pub(super) fn key(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.keys[start..self.ends[i] as usize]
    }

    /// The term's postings (no positions).
    #[inline]
    pub(super) fn info(&self, i: usize) -> TermInfo {
        let (start, len, doc_freq) = self.infos[i];
        let start = usize::try_from(start).unwrap_or(usize::MAX);
        TermInfo {
            doc_freq,
            postings_range: start..start + len as usize,
            positions_range: 0..0,
        }
    }

    /// The index of the first term not below `key`.
    #[inline]
    pub(super) fn lower_bound(&self, key: &[u8]) -> usize {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.key(mid) < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    pub(super) fn get(&self, key: &[u8]) -> Option<TermInfo> {
        let i = self.lower_bound(key);
        (i < self.len() && self.key(i) == key).then(|| self.info(i))
    }
}

/// Terms of a vocabulary, with the fields that have them.
pub(super) type Accepted = Vec<(Vec<u8>, u32)>;

/// What the raw fields of a searcher's segments hold.
pub(crate) struct Vocabulary {
    /// Every term of every raw field of every segment, with the
    /// fields that have it (bit `i` for the `i`-th raw field) as
    /// its `doc_freq`.
    pub(super) dict: TermDictionary,
    /// Per segment, in the searcher's order, per raw field.
    pub(super) tables: Vec<[Arc<TermTable>; 3]>,
    /// The segments, in the same order.
    segments: Vec<SegmentId>,
}

impl Vocabulary {
    /// The term tables of a segment's raw fields.
    pub(super) fn tables_of(&self, segment: SegmentId) -> Option<&[Arc<TermTable>; 3]> {
        let i = self.segments.iter().position(|&s| s == segment)?;
        self.tables.get(i)
    }
}

/// Searches on a generation before its vocabulary is built.
pub(super) const BUILD_AFTER: u32 = 2;
/// Generations remembered (their vocabularies are kept).
pub(super) const KEEP: usize = 3;

pub(super) enum State {
    Seen(u32),
    Building,
    Ready(Arc<Vocabulary>),
    Failed,
}

pub(super) struct Entry {
    pub(super) segments: Vec<SegmentId>,
    pub(super) fields: [Field; 3],
    pub(super) state: State,
    pub(super) used: u64,
}

impl Entry {
    /// Whether this is the entry of these segments' vocabulary.
    pub(super) fn of(&self, segments: &[SegmentId], fields: [Field; 3]) -> bool {
        self.segments == segments && self.fields == fields
    }
}

/// The generations searched, the least recently used first to go.
#[derive(Default)]
pub(super) struct Generations {
    /// Lookups so far: an entry's `used` is the count at its last.
    pub(super) clock: u64,
    pub(super) entries: Vec<Entry>,
}

/// The vocabularies of the last [`KEEP`] searcher generations. A
/// build in the background holds it weakly: when the cache is gone
/// by the end of the build, what was built is dropped.
#[derive(Default)]
pub(super) struct Vocabularies(Arc<Mutex<Generations>>);

pub(super) fn lock(cache: &Mutex<Generations>) -> MutexGuard<'_, Generations> {
    cache.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(super) fn segments_of(searcher: &Searcher) -> Vec<SegmentId> {
    searcher
        .segment_readers()
        .iter()
        .map(|r| r.segment_id())
        .collect()
}

impl Vocabularies {
    /// The vocabulary of the searcher's segments, when it is ready.
    /// The first searches of a generation start building it, in the
    /// background: a one-off search does not pay for it.
    pub(super) fn get(&self, searcher: &Searcher, fields: [Field; 3]) -> Option<Arc<Vocabulary>> {
        let segments = segments_of(searcher);
        if segments.is_empty() {
            return None;
        }
        let mut cache = lock(&self.0);
        cache.clock += 1;
        let now = cache.clock;
        let entries = &mut cache.entries;
        let i = match entries.iter().position(|e| e.of(&segments, fields)) {
            Some(i) => i,
            None => {
                if entries.len() >= KEEP
                    && let Some(oldest) = (0..entries.len()).min_by_key(|&i| entries[i].used)
                {
                    entries.swap_remove(oldest);
                }
                entries.push(Entry {
                    segments: segments.clone(),
                    fields,
                    state: State::Seen(0),
                    used: now,
                });
                entries.len() - 1
            }
        };
        let entry = &mut entries[i];
        entry.used = now;
        match &mut entry.state {
            State::Ready(vocabulary) => return Some(Arc::clone(vocabulary)),
            State::Building | State::Failed => return None,
            State::Seen(n) => {
                *n += 1;
                if *n < BUILD_AFTER {
                    return None;
                }
            }
        }
        entry.state = State::Building;
        let reuse = reusable(entries, fields);
        drop(cache);
        let searcher = searcher.clone();
        let cache = Arc::downgrade(&self.0);
        let key = segments.clone();
        let spawned = std::thread::Builder::new()
            .name("needle-vocabulary".to_owned())
            .spawn(move || {
                let built = build(&searcher, fields, &reuse);
                // The index may be gone by now: then so is the cache,
                // and what was built is dropped here.
                if let Some(cache) = cache.upgrade() {
                    finish(&cache, &segments, fields, built);
                }
            });
        if spawned.is_err() {
            finish(
                &self.0,
                &key,
                fields,
                Err(tantivy::TantivyError::InternalError("no thread".to_owned())),
            );
        }
        None
    }

    /// Builds the searcher's vocabulary now, for tests.
    #[cfg(test)]
    pub(super) fn build_now(&self, searcher: &Searcher, fields: [Field; 3]) {
        let segments = segments_of(searcher);
        let vocabulary = build(searcher, fields, &[]).unwrap();
        let mut cache = lock(&self.0);
        cache.entries.retain(|e| !e.of(&segments, fields));
        cache.entries.push(Entry {
            segments,
            fields,
            state: State::Ready(Arc::new(vocabulary)),
            used: u64::MAX,
        });
    }

    /// The searcher's vocabulary if it is built, for tests: unlike
    /// [`get`](Self::get), it does not count as a search.
    #[cfg(test)]
    pub(super) fn ready(&self, searcher: &Searcher, fields: [Field; 3]) -> Option<Arc<Vocabulary>> {
        let segments = segments_of(searcher);
        let cache = lock(&self.0);
        cache
            .entries
            .iter()
            .find(|e| e.of(&segments, fields))
            .and_then(|e| match &e.state {
                State::Ready(vocabulary) => Some(Arc::clone(vocabulary)),
                _ => None,
            })
    }
}

/// The term tables of the vocabularies at hand, to reuse: segments
/// outlive generations.
pub(super) fn reusable(
    entries: &[Entry],
    fields: [Field; 3],
) -> Vec<(SegmentId, [Arc<TermTable>; 3])> {
    let mut out = Vec::new();
    for e in entries.iter().filter(|e| e.fields == fields) {
        if let State::Ready(v) = &e.state {
            for (id, tables) in e.segments.iter().zip(&v.tables) {
                if !out.iter().any(|(known, _)| known == id) {
                    out.push((*id, tables.clone()));
                }
            }
        }
    }
    out
}

pub(super) fn finish(
    cache: &Mutex<Generations>,
    segments: &[SegmentId],
    fields: [Field; 3],
    built: tantivy::Result<Vocabulary>,
) {
    let mut cache = lock(cache);
    if let Some(entry) = cache.entries.iter_mut().find(|e| e.of(segments, fields)) {
        entry.state = match built {
            Ok(vocabulary) => State::Ready(Arc::new(vocabulary)),
            Err(_) => State::Failed,
        };
    }
}

pub(super) fn build(
    searcher: &Searcher,
    fields: [Field; 3],
    reuse: &[(SegmentId, [Arc<TermTable>; 3])],
) -> tantivy::Result<Vocabulary> {
    let mut tables = Vec::new();
    let mut segments = Vec::new();
    for segment in searcher.segment_readers() {
        let id = segment.segment_id();
        segments.push(id);
        if let Some((_, known)) = reuse.iter().find(|(k, _)| *k == id) {
            tables.push(known.clone());
            continue;
        }
        let read = |field: Field| -> tantivy::Result<Arc<TermTable>> {
            Ok(Arc::new(TermTable::read(&*segment.inverted_index(field)?)?))
        };
        tables.push([read(fields[0])?, read(fields[1])?, read(fields[2])?]);
    }
    // Merge the sorted tables into one dictionary.
    let all: Vec<(usize, &TermTable)> = tables
        .iter()
        .flat_map(|row| row.iter().enumerate().map(|(bit, t)| (bit, &**t)))
        .collect();
    let mut heap: BinaryHeap<Reverse<(&[u8], usize, usize)>> = all
        .iter()
        .enumerate()
        .filter(|(_, (_, t))| t.len() > 0)
        .map(|(i, (_, t))| Reverse((t.key(0), i, 0)))
        .collect();
    let mut builder = TermDictionaryBuilder::create(Vec::new())?;
    let mut current: Option<(&[u8], u32)> = None;
    while let Some(Reverse((key, i, pos))) = heap.pop() {
        let (bit, table) = all[i];
        if pos + 1 < table.len() {
            heap.push(Reverse((table.key(pos + 1), i, pos + 1)));
        }
        match &mut current {
            Some((k, mask)) if *k == key => *mask |= 1 << bit,
            _ => {
                if let Some((k, mask)) = current.take() {
                    builder.insert(k, &mask_info(mask))?;
                }
                current = Some((key, 1 << bit));
            }
        }
    }
    if let Some((k, mask)) = current {
        builder.insert(k, &mask_info(mask))?;
    }
    let bytes = builder.finish()?;
    Ok(Vocabulary {
        dict: TermDictionary::open(FileSlice::from(bytes))?,
        tables,
        segments,
    })
}

pub(super) fn mask_info(mask: u32) -> TermInfo {
    TermInfo {
        doc_freq: mask,
        postings_range: 0..0,
        positions_range: 0..0,
    }
}

/// The terms of the vocabulary an automaton accepts, with their fields.
pub(super) fn accepted(
    vocabulary: &Vocabulary,
    automaton: &DfaWrapper,
) -> tantivy::Result<Vec<(Vec<u8>, u32)>> {
    let mut out = Vec::new();
    let mut stream = vocabulary.dict.search(automaton).into_stream()?;
    while stream.advance() {
        out.push((stream.key().to_vec(), stream.value().doc_freq));
    }
    Ok(out)
}
