//! The best hits of one segment, scoring only the candidates that can
//! reach the page.

use std::collections::HashMap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, SegmentReader};

use super::bounds::{Group, Largest, groups, nth_largest, page_floor, slack};
use super::docbits::DocBits;
use super::levels::{Inverted, union_of, word_levels};
use super::prepare::{Query, Scored};
use super::scratch;
use super::ties::first_by_ordinal;

/// Adds the BM25 score for a term of each document of `set`
/// (`add(doc, score)`, in document order); `size` is how many `set`
/// holds.
pub(super) fn score_postings(
    inverted: &mut Inverted<'_>,
    scored: &Scored,
    info: &TermInfo,
    set: &DocBits,
    size: usize,
    mut add: impl FnMut(DocId, f32),
) -> tantivy::Result<()> {
    let field = scored.term.field();
    let inv = inverted.get(field)?;
    let reader = inverted.reader;
    let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
        Some(r) => r,
        None => FieldNormReader::constant(reader.max_doc(), 1),
    };
    let mut postings: BlockSegmentPostings =
        inv.read_block_postings_from_terminfo(info, IndexRecordOption::WithFreqs)?;
    let score = |doc: DocId, tf: u32| scored.weight.score(fieldnorms.fieldnorm_id(doc), tf);
    if sparse(size, info) {
        // Few documents: skip to each.
        for doc in set.docs() {
            let at = postings.seek(doc);
            if postings.docs().get(at) == Some(&doc) {
                add(doc, score(doc, postings.freq(at)));
            }
        }
        return Ok(());
    }
    loop {
        let block = postings.docs();
        if block.is_empty() {
            break;
        }
        let freqs = postings.freqs();
        for (&doc, &tf) in block.iter().zip(freqs) {
            if set.has(doc) {
                add(doc, score(doc, tf));
            }
        }
        postings.advance();
    }
    Ok(())
}

/// The best hits of one segment (at most `need`), and its totals.
pub(super) struct SegmentHits {
    pub(super) total: usize,
    /// (score, ordinal, doc).
    pub(super) hits: Vec<(f32, u64, DocId)>,
    /// Matches without the topic filter, when asked for.
    pub(super) unfiltered: Option<DocBits>,
}

/// The candidates a scored term has reached, numbered in the order they
/// were reached: scores are kept for those only, not for every candidate
/// (a common word has hundreds of thousands in a large segment, and few
/// are reached before the rest are ruled out).
pub(super) struct Reached {
    /// The documents reached: a bit per document of the segment, read
    /// first (it stays in the processor's cache where `number` may not).
    pub(super) bits: DocBits,
    /// Per document of the segment, its number (`u32::MAX`: not reached).
    pub(super) number: Vec<u32>,
    /// The documents, by number.
    pub(super) docs: Vec<DocId>,
}

impl Reached {
    pub(super) fn new(max_doc: DocId) -> Self {
        Reached {
            bits: DocBits::new(max_doc),
            number: scratch::take_numbers(max_doc as usize),
            docs: Vec::new(),
        }
    }

    /// The document's number, if it has been reached.
    #[inline]
    pub(super) fn get(&self, doc: DocId) -> Option<usize> {
        if !self.bits.has(doc) {
            return None;
        }
        match self.number.get(doc as usize) {
            Some(&i) if i != u32::MAX => Some(i as usize),
            _ => None,
        }
    }

    /// Numbers a document not reached before.
    #[inline]
    pub(super) fn insert(&mut self, doc: DocId) -> usize {
        let i = self.docs.len();
        self.bits.insert(doc);
        self.number[doc as usize] = u32::try_from(i).unwrap_or(u32::MAX);
        self.docs.push(doc);
        i
    }

    pub(super) fn len(&self) -> usize {
        self.docs.len()
    }
}

impl Drop for Reached {
    fn drop(&mut self) {
        // Unnumber the reached documents only: the buffer goes back all
        // `u32::MAX`, without a pass over the whole segment.
        for &doc in &self.docs {
            self.number[doc as usize] = u32::MAX;
        }
        scratch::give_numbers(std::mem::take(&mut self.number));
    }
}

/// Whether to skip to each candidate in a term's postings rather than
/// read them all.
pub(super) fn sparse(candidates: usize, info: &TermInfo) -> bool {
    candidates * 32 < info.doc_freq as usize
}

/// A term scored for the candidates.
pub(super) struct Unit<'a> {
    pub(super) word: usize,
    pub(super) part: Part,
    pub(super) scored: &'a Scored,
    pub(super) info: TermInfo,
}

/// Which clause of its word a scored term is.
#[derive(Clone, Copy)]
pub(super) enum Part {
    /// The BM25 clause of that field (in the word's order).
    Bm25(usize),
    /// One of the prefix's expansions (the best counts).
    Expansion,
}

impl Part {
    /// Records a candidate's score `x` for a term of this part: `clause`
    /// is what the candidate's clause scores so far, `lower` its lower
    /// bound.
    #[inline]
    pub(super) fn record(self, x: f32, clause: &mut f32, lower: &mut f32) {
        match self {
            // The clause's one term: its score.
            Part::Bm25(_) => {
                *clause = x;
                *lower += x;
            }
            // The best expansion so far.
            Part::Expansion => {
                if x > *clause {
                    *lower += x - *clause;
                    *clause = x;
                }
            }
        }
    }
}

/// A term in fewer than one candidate in this many is cheap to score
/// for every candidate; before a longer one, candidates that cannot
/// reach the page are dropped.
pub(super) const CHEAP_SHARE: usize = 16;

pub(super) fn segment_hits(
    q: &Query<'_>,
    segment: usize,
    reader: &SegmentReader,
    need: usize,
    count_topics: bool,
) -> tantivy::Result<SegmentHits> {
    let max_doc = reader.max_doc();
    let mut inverted = Inverted {
        reader,
        open: HashMap::new(),
        tables: q
            .vocabulary
            .as_ref()
            .and_then(|v| v.tables.get(segment))
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
            all.0[(d / 64) as usize] &= !(1u64 << (d % 64));
        }
    }
    let unfiltered = count_topics.then(|| all.clone());
    if !q.topics.is_empty() {
        all.intersect_with(&union_of(q, &q.topics, &mut inverted, max_doc)?);
    }
    let total = all.len();
    let need = need.min(total);
    if need == 0 {
        return Ok(SegmentHits {
            total,
            hits: Vec::new(),
            unfiltered,
        });
    }

    // Group the passages by their level in each word: a group's tier
    // scores bound its passages' scores from below, and with the words'
    // BM25 bounds, from above.
    let groups = groups(&words, &q.words, &all);
    // The `need`-th best lower bound: that many passages score at least
    // that much, so a passage that cannot reach it is not scored.
    let floor = {
        let mut by_lower: Vec<&Group> = groups.iter().collect();
        by_lower.sort_by(|a, b| b.lower.total_cmp(&a.lower));
        let mut seen = 0;
        let nth = by_lower.into_iter().find(|g| {
            seen += g.size;
            seen >= need
        });
        page_floor(nth.map(|g| g.lower))
    };
    let mut chosen = DocBits::new(max_doc);
    for g in &groups {
        if g.upper + slack(g.upper) >= floor {
            chosen.union_with(&g.bits);
        }
    }
    let n = chosen.len();

    // Score the candidates. The terms that can add most to a score are
    // scored first, for every candidate; before a long postings list,
    // the candidates that can no longer reach the page (their lower
    // bound plus all that the remaining terms could add is below the
    // page's lower bound) are dropped, and the remaining terms are
    // scored only for the others. Scores are kept per reached candidate
    // (by its number in `reached`), not per candidate.
    let n_words = q.words.len();
    // A document's tier score in a word (NaN: the word does not match).
    let tier = |w: usize, doc: DocId| -> f32 {
        words[w]
            .levels
            .iter()
            .find(|(_, bits)| bits.has(doc))
            .map_or(f32::NAN, |(score, _)| *score)
    };
    // The most the tiers of a candidate add up to.
    let top_tiers = groups
        .iter()
        .filter(|g| g.upper + slack(g.upper) >= floor)
        .map(|g| g.lower)
        .fold(f32::NEG_INFINITY, f32::max);
    // Per word: each BM25 clause's scores, and the best expansion's.
    let mut bm25: Vec<Vec<Vec<f32>>> = q
        .words
        .iter()
        .map(|word| word.bm25.iter().map(|_| scratch::take(0)).collect())
        .collect();
    let mut expansion: Vec<Vec<f32>> = q
        .words
        .iter()
        .map(|word| {
            if word.expansions.is_empty() {
                Vec::new()
            } else {
                scratch::take(0)
            }
        })
        .collect();
    // What the reached candidates score at least so far: tiers, plus
    // the terms scored.
    let mut lower = scratch::take(0);
    // Which words each reached candidate matches (bit `w`).
    let mut matches: Vec<u64> = Vec::new();
    // The most the terms that skipped each reached candidate (before it
    // was reached) could have added to it.
    let mut missing: Vec<f32> = Vec::new();
    let mut reached = Reached::new(max_doc);
    let mut units: Vec<Unit<'_>> = Vec::new();
    for (w, word) in q.words.iter().enumerate() {
        let bm25 = word
            .bm25
            .iter()
            .enumerate()
            .map(|(j, scored)| (Part::Bm25(j), scored));
        let expansions = word
            .expansions
            .iter()
            .map(|scored| (Part::Expansion, scored));
        for (part, scored) in bm25.chain(expansions) {
            if let Some(info) = inverted.term_info(&scored.term)? {
                units.push(Unit {
                    word: w,
                    part,
                    scored,
                    info,
                });
            }
        }
    }
    units.sort_by(|a, b| {
        b.scored
            .most()
            .total_cmp(&a.scored.most())
            .then(a.info.doc_freq.cmp(&b.info.doc_freq))
    });
    // The candidates still in the running (numbers in `reached`, and the
    // same as a set of documents), when some were dropped. Until then,
    // every candidate is: those no scored term has reached score their
    // tiers so far.
    let mut alive: Option<(Vec<usize>, DocBits)> = None;
    let mut reached_at_check = 0;
    // What the remaining terms (from the `from`-th) can add, per word:
    // their BM25 clauses, and their best expansion.
    let rest = |from: usize| {
        let mut bm25 = vec![0.0f32; n_words];
        let mut expansion = vec![0.0f32; n_words];
        for u in &units[from..] {
            match u.part {
                Part::Bm25(_) => bm25[u.word] += u.scored.most(),
                Part::Expansion => expansion[u.word] = expansion[u.word].max(u.scored.most()),
            }
        }
        (bm25, expansion)
    };
    // While every candidate is in the running, a term's scan skips the
    // candidates it is the first to reach when they cannot reach the page
    // even so: `missed` is the most the terms scanned so far can add to
    // a candidate they skipped (and `missing`, per reached candidate, what
    // it was when the candidate was reached).
    let mut missed = 0.0f32;
    for (k, unit) in units.iter().enumerate() {
        // While every candidate is in the running: the `need`-th best
        // lower bound of those reached, a lower bound of the page.
        let reached_nth = if alive.is_none() && reached.len() >= need {
            nth_largest(lower.iter().copied(), need)
        } else {
            None
        };
        let set_len = alive.as_ref().map_or(n, |a| a.0.len());
        let expensive = unit.info.doc_freq as usize * CHEAP_SHARE > set_len;
        // Check seldom: each check reads the candidates reached.
        let check = k > 0
            && set_len > need
            && match alive {
                Some(_) => expensive,
                None => {
                    reached.len() >= need
                        && (expensive || reached.len() >= 2 * reached_at_check.max(need))
                }
            };
        if check {
            let (rest_bm25, rest_expansion) = rest(k);
            let upper = |i: usize| {
                let mut up = lower[i] + missing[i];
                for w in 0..n_words {
                    if matches[i] & (1 << w.min(63)) != 0 {
                        up += rest_bm25[w];
                        if rest_expansion[w] > 0.0 {
                            up += (rest_expansion[w] - expansion[w][i]).max(0.0);
                        }
                    }
                }
                up
            };
            let kept: Option<Vec<usize>> = match &alive {
                Some((set, _)) => {
                    let floor = page_floor(nth_largest(set.iter().map(|&i| lower[i]), need));
                    Some(
                        set.iter()
                            .copied()
                            .filter(|&i| {
                                let up = upper(i);
                                up + slack(up) >= floor
                            })
                            .collect(),
                    )
                }
                None => {
                    reached_at_check = reached.len();
                    // The `need`-th best of the reached candidates is a
                    // lower bound of the page; the others cannot reach it
                    // when their tiers plus all the remaining terms
                    // could add stay below.
                    let floor = page_floor(reached_nth);
                    let others: f32 = top_tiers
                        + missed
                        + rest_bm25.iter().sum::<f32>()
                        + rest_expansion.iter().sum::<f32>();
                    (others + slack(others) < floor).then(|| {
                        (0..reached.len())
                            .filter(|&i| {
                                let up = upper(i);
                                up + slack(up) >= floor
                            })
                            .collect()
                    })
                }
            };
            if let Some(kept) = kept
                && kept.len() * 2 <= set_len
            {
                let mut bits = DocBits::new(max_doc);
                for &i in &kept {
                    bits.insert(reached.docs[i]);
                }
                alive = Some((kept, bits));
            }
        }
        let w = unit.word;
        let part = unit.part;
        let (set, size) = match &alive {
            Some((kept, bits)) => (bits, kept.len()),
            None => (&chosen, n),
        };
        let dense = alive.is_none();
        // A candidate first reached by this term is skipped when its
        // tiers, this term's score, what the remaining terms can add and
        // what skipped terms could have added stay below the `need`-th
        // best lower bound of the candidates reached (those stay in the
        // page's lower bound, and so the page).
        let (later_bm25, later_expansion) = rest(k + 1);
        let beyond = top_tiers
            + missed
            + later_bm25.iter().sum::<f32>()
            + later_expansion.iter().sum::<f32>();
        // Two lower bounds of the page: the `need`-th best of the
        // candidates reached before this term (`reached_nth`), and of
        // those this term scores (each once: a candidate offered twice
        // would count as two).
        let mut page = Largest::new(if dense { need } else { 0 });
        let floor_of = |page: &Largest| {
            page_floor(match (reached_nth, page.get()) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            })
        };
        let mut floor_now = floor_of(&page);
        let mut skipped = 0.0f32;
        score_postings(
            &mut inverted,
            unit.scored,
            &unit.info,
            set,
            size,
            |doc, x| {
                let i = match reached.get(doc) {
                    Some(i) => i,
                    None if dense => {
                        let up = beyond + x;
                        if up + slack(up) < floor_now {
                            skipped = skipped.max(x);
                            return;
                        }
                        // A candidate first reached: its tiers.
                        let i = reached.insert(doc);
                        let mut base = 0.0f32;
                        let mut words_matched = 0u64;
                        for w in 0..n_words {
                            let t = tier(w, doc);
                            if !t.is_nan() {
                                base += t;
                                words_matched |= 1 << w.min(63);
                            }
                        }
                        lower.push(base);
                        matches.push(words_matched);
                        missing.push(missed);
                        for clauses in &mut bm25 {
                            for clause in clauses {
                                clause.push(0.0);
                            }
                        }
                        for (best, word) in expansion.iter_mut().zip(&q.words) {
                            if !word.expansions.is_empty() {
                                best.push(0.0);
                            }
                        }
                        i
                    }
                    // The candidates in the running have all been reached.
                    None => return,
                };
                let out = match part {
                    Part::Bm25(c) => &mut bm25[w][c][i],
                    Part::Expansion => &mut expansion[w][i],
                };
                part.record(x, out, &mut lower[i]);
                if dense && page.offer(lower[i]) {
                    floor_now = floor_of(&page);
                }
            },
        )?;
        missed += skipped;
    }
    // Exact scores of the candidates in the running, summed as Tantivy
    // sums them: each word's clauses in order, then the words in order.
    // Candidates no scored term reached score their tiers: the same for
    // all of a group.
    let (set, flat_groups): (Vec<usize>, Vec<(f32, DocBits)>) = match alive {
        Some((set, _)) => (set, Vec::new()),
        None => {
            let flat = groups
                .iter()
                .filter(|g| g.upper + slack(g.upper) >= floor)
                .map(|g| (g.flat(), g.bits.difference(&reached.bits)))
                .filter(|(_, bits)| !bits.is_empty())
                .collect();
            ((0..reached.len()).collect(), flat)
        }
    };
    let mut scored: Vec<(f32, DocId)> = Vec::with_capacity(set.len());
    for &i in &set {
        let doc = reached.docs[i];
        let mut score = 0.0f32;
        for w in 0..n_words {
            let tier = tier(w, doc);
            if tier.is_nan() {
                continue;
            }
            let mut sum = 0.0f32;
            for part in &bm25[w] {
                sum += part[i];
            }
            let best = expansion[w].get(i).copied().unwrap_or(0.0);
            score += (tier + sum) + best;
        }
        scored.push((score, doc));
    }
    drop(reached);
    for buffer in bm25.into_iter().flatten().chain(expansion).chain([lower]) {
        scratch::give(buffer);
    }
    let flat_groups: Vec<(f32, usize, DocBits)> = flat_groups
        .into_iter()
        .map(|(score, bits)| (score, bits.len(), bits))
        .collect();

    // The best `need`, ties by ordinal, then document. Flat scores
    // (prefix and typo tiers) tie often: the ordinal is read only for
    // the passages that make the page, or tie with its last one.
    let ordinals = reader.fast_fields().u64("ordinal").ok();
    let ordinal = |doc: DocId| {
        ordinals
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(u64::MAX)
    };
    let cut = {
        // The `need`-th best score, counting each flat group's passages.
        let mut top: Vec<f32> = scored.iter().map(|s| s.0).collect();
        if top.len() > need {
            top.select_nth_unstable_by(need - 1, |a, b| b.total_cmp(a));
            top.truncate(need);
        }
        let mut values: Vec<(f32, usize)> = top.into_iter().map(|s| (s, 1)).collect();
        values.extend(flat_groups.iter().map(|(s, size, _)| (*s, *size)));
        values.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut seen = 0;
        let mut cut = f32::NEG_INFINITY;
        for (s, count) in values {
            seen += count;
            if seen >= need {
                cut = s;
                break;
            }
        }
        cut
    };
    let mut hits: Vec<(f32, u64, DocId)> = Vec::new();
    let mut ties: Vec<(u64, DocId)> = Vec::new();
    for &(s, doc) in &scored {
        if s > cut {
            hits.push((s, ordinal(doc), doc));
        } else if s == cut {
            ties.push((ordinal(doc), doc));
        }
    }
    let mut tied = DocBits::new(max_doc);
    for (s, _, bits) in &flat_groups {
        if *s > cut {
            hits.extend(bits.docs().map(|doc| (*s, ordinal(doc), doc)));
        } else if *s == cut {
            tied.union_with(bits);
        }
    }
    let room = need.saturating_sub(hits.len());
    ties.extend(first_by_ordinal(
        &mut inverted,
        q.ordinal,
        &tied,
        room,
        q.tie_reads,
        &ordinal,
    )?);
    if ties.len() > room {
        ties.select_nth_unstable(room);
        ties.truncate(room);
    }
    hits.extend(ties.into_iter().map(|(o, doc)| (cut, o, doc)));
    hits.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    hits.truncate(need);
    Ok(SegmentHits {
        total,
        hits,
        unfiltered,
    })
}
