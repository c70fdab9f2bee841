//! The passages of a word in one segment, by tier: postings read into
//! bitmaps, dictionary walks for prefixes and typos.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::index::InvertedIndexReader;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, SegmentReader, Term};

use super::docbits::DocBits;
use super::prepare::{Prepared, Ready, Word};
use super::vocabulary;

/// The passages of a word in one segment, by tier score.
pub(super) struct Levels {
    /// Distinct tier scores, best first, each with the passages whose
    /// best tier has it (disjoint sets).
    pub(super) levels: Vec<(f32, DocBits)>,
    pub(super) matched: DocBits,
}

/// The inverted indexes a segment's evaluation reads, opened once, and
/// one reusable postings reader per field.
pub(super) struct Inverted<'r> {
    pub(super) reader: &'r SegmentReader,
    pub(super) open: HashMap<Field, (Arc<InvertedIndexReader>, Option<BlockSegmentPostings>)>,
    /// The segment's term tables of the raw fields, when built.
    pub(super) tables: Option<(&'r [Field; 3], &'r [Arc<vocabulary::TermTable>; 3])>,
}

impl Inverted<'_> {
    /// The term table of a field, when there is one.
    #[inline]
    pub(super) fn table(&self, field: Field) -> Option<Arc<vocabulary::TermTable>> {
        let (fields, tables) = self.tables?;
        let i = fields.iter().position(|&f| f == field)?;
        Some(Arc::clone(&tables[i]))
    }

    /// Where a term's postings are, if the field has it.
    #[inline]
    pub(super) fn term_info(&mut self, term: &Term) -> tantivy::Result<Option<TermInfo>> {
        if let Some(table) = self.table(term.field()) {
            return Ok(table.get(term.serialized_value_bytes()));
        }
        Ok(self.get(term.field())?.get_term_info(term)?)
    }

    #[inline]
    pub(super) fn get(&mut self, field: Field) -> tantivy::Result<Arc<InvertedIndexReader>> {
        if let Some((inv, _)) = self.open.get(&field) {
            return Ok(inv.clone());
        }
        let inv = self.reader.inverted_index(field)?;
        self.open.insert(field, (inv.clone(), None));
        Ok(inv)
    }

    /// Adds the passages of a term of `field` to `bits`.
    pub(super) fn add_postings(
        &mut self,
        field: Field,
        info: &TermInfo,
        bits: &mut DocBits,
    ) -> tantivy::Result<()> {
        let mut postings = self.postings(field)?;
        postings.add(info, bits)
    }

    /// The postings reader of a field.
    pub(super) fn postings(&mut self, field: Field) -> tantivy::Result<Postings<'_>> {
        self.get(field)?;
        let (inv, reuse) = self
            .open
            .get_mut(&field)
            .ok_or_else(|| tantivy::TantivyError::InternalError("no field".to_owned()))?;
        Ok(Postings {
            inv: inv.clone(),
            reuse,
        })
    }
}

/// Reads postings of one field into bitmaps, reusing one reader.
pub(super) struct Postings<'a> {
    pub(super) inv: Arc<InvertedIndexReader>,
    pub(super) reuse: &'a mut Option<BlockSegmentPostings>,
}

impl Postings<'_> {
    pub(super) fn add(&mut self, info: &TermInfo, bits: &mut DocBits) -> tantivy::Result<()> {
        let block = match self.reuse {
            Some(block) => {
                self.inv.reset_block_postings_from_terminfo(info, block)?;
                block
            }
            None => self.reuse.insert(
                self.inv
                    .read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?,
            ),
        };
        loop {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            for &doc in docs {
                bits.insert(doc);
            }
            block.advance();
        }
        Ok(())
    }
}

/// The smallest byte string greater than every string starting with
/// `prefix` (`None`: there is none).
pub(super) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// A dictionary walk of one field for one word: the level its terms go
/// to, and the sources with the same text and no edits (as a prefix or
/// a whole word) it decides too, when they score higher.
pub(super) struct Walk<'a> {
    pub(super) field: Field,
    pub(super) automaton: usize,
    pub(super) text: &'a str,
    /// A walk over the terms starting with `text`, no edits: a range of
    /// the dictionary, with no automaton.
    pub(super) plain_prefix: bool,
    pub(super) level: usize,
    /// (as a prefix, level).
    pub(super) also: Vec<(bool, usize)>,
}

impl Walk<'_> {
    /// The level of a term the walk found: the best of the walk's own and
    /// those of the other sources of the word that `key` matches too.
    pub(super) fn level_of(&self, key: &[u8]) -> usize {
        let text = self.text.as_bytes();
        self.also.iter().fold(self.level, |level, &(prefix, l)| {
            if (prefix && key.starts_with(text)) || (!prefix && key == text) {
                level.min(l)
            } else {
                level
            }
        })
    }
}

pub(super) fn union_of(
    q: &Prepared,
    sources: &[Ready],
    inverted: &mut Inverted<'_>,
    max_doc: DocId,
) -> tantivy::Result<DocBits> {
    let mut bits = DocBits::new(max_doc);
    for source in sources {
        match source {
            Ready::Term(field, term) => {
                if let Some(info) = inverted.term_info(term)? {
                    inverted.add_postings(*field, &info, &mut bits)?;
                }
            }
            Ready::Fuzzy {
                field,
                automaton,
                text,
                distance,
                prefix,
            } => {
                let walk = Walk {
                    field: *field,
                    automaton: *automaton,
                    text,
                    plain_prefix: *prefix && *distance == 0,
                    level: 0,
                    also: Vec::new(),
                };
                run_walk(q, &walk, inverted, std::slice::from_mut(&mut bits))?;
            }
            Ready::Phrase(weight) => {
                weight.for_each_no_score(inverted.reader, &mut |docs| {
                    for &doc in docs {
                        bits.insert(doc);
                    }
                })?;
            }
        }
    }
    Ok(bits)
}

/// Runs a walk, adding each term's passages to the level it belongs to.
pub(super) fn run_walk(
    q: &Prepared,
    walk: &Walk<'_>,
    inverted: &mut Inverted<'_>,
    levels: &mut [DocBits],
) -> tantivy::Result<()> {
    let inv = inverted.get(walk.field)?;
    let table = inverted.table(walk.field);
    let mut postings = inverted.postings(walk.field)?;
    let dict = inv.terms();
    let text = walk.text.as_bytes();
    if let (true, Some(table)) = (walk.plain_prefix, &table) {
        // The terms starting with `text`: a slice of the table.
        for i in table.lower_bound(text)..table.len() {
            let key = table.key(i);
            if !key.starts_with(text) {
                break;
            }
            postings.add(&table.info(i), &mut levels[walk.level_of(key)])?;
        }
        return Ok(());
    }
    if walk.plain_prefix {
        // Every term starts with `text`: the prefix sources apply to all.
        let every = walk
            .also
            .iter()
            .filter(|a| a.0)
            .fold(walk.level, |level, a| level.min(a.1));
        // The terms starting with `text`: a range of term ordinals,
        // streamed with no automaton and no key comparisons.
        let first_from = |key: &[u8]| -> tantivy::Result<Option<u64>> {
            let mut stream = dict.range().ge(key).without_keys().into_stream()?;
            Ok(stream.advance().then(|| stream.term_ord()))
        };
        let end = match prefix_end(text) {
            Some(end) => first_from(&end)?.unwrap_or(u64::MAX),
            None => u64::MAX,
        };
        let exact = if walk.also.is_empty() {
            None
        } else {
            dict.term_ord(text)?
        };
        let mut stream = dict.range().ge(text).without_keys().into_stream()?;
        while stream.advance() {
            let ord = stream.term_ord();
            if ord >= end {
                break;
            }
            let mut level = every;
            if Some(ord) == exact {
                for &(_, l) in &walk.also {
                    level = level.min(l);
                }
            }
            postings.add(stream.value(), &mut levels[level])?;
        }
        return Ok(());
    }
    let automaton = &q.automata[walk.automaton];
    let bit = q.raw_fields.iter().position(|&f| f == walk.field);
    if let (Some(accepted), Some(bit)) = (&automaton.accepted, bit) {
        for (key, fields) in accepted.iter() {
            if fields & (1 << bit) == 0 {
                continue;
            }
            let info = match &table {
                Some(table) => table.get(key),
                None => dict.get(key)?,
            };
            let Some(info) = info else {
                continue;
            };
            postings.add(&info, &mut levels[walk.level_of(key)])?;
        }
        return Ok(());
    }
    let dfa = match &automaton.dfa {
        Some(dfa) => Arc::clone(dfa),
        None => q
            .caches
            .automata
            .dfa(&automaton.text, automaton.distance, automaton.prefix)?,
    };
    let mut stream = dict.search(&*dfa).into_stream()?;
    while stream.advance() {
        postings.add(stream.value(), &mut levels[walk.level_of(stream.key())])?;
    }
    Ok(())
}

pub(super) fn word_levels(
    q: &Prepared,
    word: &Word,
    inverted: &mut Inverted<'_>,
    max_doc: DocId,
) -> tantivy::Result<Levels> {
    let tier_score = |s: f32| if word.clamp { s.max(0.0) } else { s };
    let mut scores: Vec<f32> = word.tiers.iter().map(|t| tier_score(t.score)).collect();
    scores.sort_by(|a, b| b.total_cmp(a));
    scores.dedup();
    let level_of = |s: f32| scores.iter().position(|&x| x == s).unwrap_or(0);
    let mut levels: Vec<DocBits> = scores.iter().map(|_| DocBits::new(max_doc)).collect();

    // The sources: walks (field, prefix, distance, text, level,
    // automaton) and single terms (field, term, level).
    let mut walks: Vec<(Field, bool, u8, &str, usize, usize)> = Vec::new();
    let mut exact: Vec<(Field, &Term, usize)> = Vec::new();
    for tier in &word.tiers {
        let level = level_of(tier_score(tier.score));
        for source in &tier.sources {
            match source {
                Ready::Term(field, term) => exact.push((*field, term, level)),
                Ready::Fuzzy {
                    field,
                    automaton,
                    text,
                    distance,
                    prefix,
                } => walks.push((*field, *prefix, *distance, text, level, *automaton)),
                Ready::Phrase(weight) => {
                    let bits = &mut levels[level];
                    weight.for_each_no_score(inverted.reader, &mut |docs| {
                        for &doc in docs {
                            bits.insert(doc);
                        }
                    })?;
                }
            }
        }
    }
    // One walk per field and text where one can: a prefix walk with
    // more edits holds every term of a narrower walk of the same text
    // (and the text itself), so the widest goes first and decides the
    // others. A term in several levels counts in the best.
    walks.sort_by_key(|w| (w.0.field_id(), !w.1, std::cmp::Reverse(w.2)));
    let mut done = vec![false; walks.len()];
    let mut exact_done = vec![false; exact.len()];
    let mut planned: Vec<Walk<'_>> = Vec::new();
    for i in 0..walks.len() {
        if done[i] {
            continue;
        }
        done[i] = true;
        let (field, prefix, distance, text, level, automaton) = walks[i];
        let mut walk = Walk {
            field,
            automaton,
            text,
            plain_prefix: prefix && distance == 0,
            level,
            also: Vec::new(),
        };
        for j in i + 1..walks.len() {
            let (f2, p2, d2, t2, l2, _) = walks[j];
            if done[j] || f2 != field || t2 != text || d2 > distance || (p2 && !prefix) {
                continue;
            }
            if l2 >= level {
                done[j] = true;
            } else if d2 == 0 {
                walk.also.push((p2, l2));
                done[j] = true;
            }
        }
        for (k, (f2, term, l2)) in exact.iter().enumerate() {
            if exact_done[k] || *f2 != field || term.value().as_str() != Some(text) {
                continue;
            }
            exact_done[k] = true;
            if *l2 < level {
                walk.also.push((false, *l2));
            }
        }
        planned.push(walk);
    }
    for walk in &planned {
        run_walk(q, walk, inverted, &mut levels)?;
    }
    for (k, (field, term, level)) in exact.iter().enumerate() {
        if exact_done[k] {
            continue;
        }
        if let Some(info) = inverted.term_info(term)? {
            inverted.add_postings(*field, &info, &mut levels[*level])?;
        }
    }
    // Each passage in its best level only.
    let mut matched = DocBits::new(max_doc);
    for bits in &mut levels {
        bits.subtract(&matched);
        matched.union_with(bits);
    }
    Ok(Levels {
        levels: scores.into_iter().zip(levels).collect(),
        matched,
    })
}

impl Levels {
    /// A document's tier score in the word (NaN: the word does not match).
    #[inline]
    pub(super) fn tier_of(&self, doc: DocId) -> f32 {
        self.levels
            .iter()
            .find(|(_, bits)| bits.has(doc))
            .map_or(f32::NAN, |(score, _)| *score)
    }
}

/// What a query matches in one segment, before any scoring.
pub(super) struct Matches<'r> {
    /// The segment's postings, opened once.
    pub(super) inverted: Inverted<'r>,
    /// Per word, its passages by tier.
    pub(super) words: Vec<Levels>,
    /// The passages that match: some word, no exclusion, the topic
    /// filter; deleted passages left out.
    pub(super) all: DocBits,
    /// The same without the topic filter, when asked for.
    pub(super) unfiltered: Option<DocBits>,
}

/// What `q` matches in the segment of `reader`; with the matches before
/// the topic filter when `count_topics`.
pub(super) fn matches<'r>(
    q: &'r Prepared,
    reader: &'r SegmentReader,
    count_topics: bool,
) -> tantivy::Result<Matches<'r>> {
    let max_doc = reader.max_doc();
    let mut inverted = Inverted {
        reader,
        open: HashMap::new(),
        tables: q
            .vocabulary
            .as_ref()
            .and_then(|v| v.tables_of(reader.segment_id()))
            .map(|t| (&q.raw_fields, t)),
    };
    let words = q
        .words
        .iter()
        .map(|w| word_levels(q, w, &mut inverted, max_doc))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let mut all = DocBits::new(max_doc);
    for w in &words {
        all.union_with(&w.matched);
    }
    if !q.excluded.is_empty() {
        all.subtract(&union_of(q, &q.excluded, &mut inverted, max_doc)?);
    }
    if let Some(alive) = reader.alive_bitset() {
        let dead: Vec<DocId> = all.docs().filter(|&d| alive.is_deleted(d)).collect();
        for d in dead {
            all.remove(d);
        }
    }
    let unfiltered = count_topics.then(|| all.clone());
    if !q.topics.is_empty() {
        all.intersect_with(&union_of(q, &q.topics, &mut inverted, max_doc)?);
    }
    Ok(Matches {
        inverted,
        words,
        all,
        unfiltered,
    })
}
