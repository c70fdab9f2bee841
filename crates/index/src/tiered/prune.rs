//! Scoring the candidates of one segment that can reach the page, and
//! only those.
//!
//! The terms that can add most to a score are scored first, for every
//! candidate; before a long postings list, the candidates that can no
//! longer reach the page (their lower bound plus all that the remaining
//! terms could add is below the page's lower bound) are dropped, and the
//! remaining terms are scored only for the others. Scores are kept per
//! reached candidate (by its number in [`Reached`]), not per candidate.

use tantivy::DocId;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::schema::IndexRecordOption;

use super::bounds::{Candidates, Largest, nth_largest, page_floor, slack};
use super::docbits::DocBits;
use super::levels::{Inverted, Levels, Matches};
use super::prepare::{Prepared, Scored};
use super::scratch;

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

    #[inline]
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
#[inline]
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

/// What the terms from one on can add, per word: their BM25 clauses, and
/// their best expansion.
struct Rest {
    bm25: Vec<f32>,
    expansion: Vec<f32>,
}

impl Rest {
    /// What `units[from..]` can add.
    fn of(units: &[Unit<'_>], from: usize, n_words: usize) -> Rest {
        let mut bm25 = vec![0.0f32; n_words];
        let mut expansion = vec![0.0f32; n_words];
        for u in &units[from..] {
            match u.part {
                Part::Bm25(_) => bm25[u.word] += u.scored.most(),
                Part::Expansion => expansion[u.word] = expansion[u.word].max(u.scored.most()),
            }
        }
        Rest { bm25, expansion }
    }

    /// `base` plus what they can add to a passage matching every word.
    #[inline]
    fn after(&self, base: f32) -> f32 {
        base + self.bm25.iter().sum::<f32>() + self.expansion.iter().sum::<f32>()
    }
}

/// The reached candidates and their scores so far.
struct Board {
    reached: Reached,
    /// What each scores at least so far: tiers, plus the terms scored.
    lower: Vec<f32>,
    /// Which words each matches (bit `w`).
    matches: Vec<u64>,
    /// The most the terms that skipped each (before it was reached)
    /// could have added to it.
    missing: Vec<f32>,
    /// Per word: each BM25 clause's scores.
    bm25: Vec<Vec<Vec<f32>>>,
    /// Per word: the best expansion's score (empty: the word has none).
    expansion: Vec<Vec<f32>>,
    /// Per word: whether it has expansions.
    has_expansions: Vec<bool>,
}

impl Board {
    fn new(q: &Prepared, max_doc: DocId) -> Board {
        Board {
            bm25: q
                .words
                .iter()
                .map(|word| word.bm25.iter().map(|_| scratch::take(0)).collect())
                .collect(),
            expansion: q
                .words
                .iter()
                .map(|word| {
                    if word.expansions.is_empty() {
                        Vec::new()
                    } else {
                        scratch::take(0)
                    }
                })
                .collect(),
            has_expansions: q.words.iter().map(|w| !w.expansions.is_empty()).collect(),
            lower: scratch::take(0),
            matches: Vec::new(),
            missing: Vec::new(),
            reached: Reached::new(max_doc),
        }
    }

    /// Numbers a candidate first reached: its tiers are what it scores so
    /// far, and `missed` what the terms that skipped it could have added.
    fn reach(&mut self, doc: DocId, words: &[Levels], missed: f32) -> usize {
        let i = self.reached.insert(doc);
        let mut base = 0.0f32;
        let mut words_matched = 0u64;
        for (w, levels) in words.iter().enumerate() {
            let t = levels.tier_of(doc);
            if !t.is_nan() {
                base += t;
                words_matched |= 1 << w.min(63);
            }
        }
        self.lower.push(base);
        self.matches.push(words_matched);
        self.missing.push(missed);
        for clauses in &mut self.bm25 {
            for clause in clauses {
                clause.push(0.0);
            }
        }
        for (best, &has) in self.expansion.iter_mut().zip(&self.has_expansions) {
            if has {
                best.push(0.0);
            }
        }
        i
    }

    /// The most candidate `i` can score once `rest` is scored.
    #[inline]
    fn upper(&self, i: usize, rest: &Rest) -> f32 {
        let mut up = self.lower[i] + self.missing[i];
        for w in 0..rest.bm25.len() {
            if self.matches[i] & (1 << w.min(63)) != 0 {
                up += rest.bm25[w];
                if rest.expansion[w] > 0.0 {
                    up += (rest.expansion[w] - self.expansion[w][i]).max(0.0);
                }
            }
        }
        up
    }

    /// Candidate `i`'s score, summed as Tantivy sums it: each word's
    /// clauses in order, then the words in order.
    #[inline]
    fn exact(&self, i: usize, words: &[Levels]) -> f32 {
        let doc = self.reached.docs[i];
        let mut score = 0.0f32;
        for (w, levels) in words.iter().enumerate() {
            let tier = levels.tier_of(doc);
            if tier.is_nan() {
                continue;
            }
            let mut sum = 0.0f32;
            for part in &self.bm25[w] {
                sum += part[i];
            }
            let best = self.expansion[w].get(i).copied().unwrap_or(0.0);
            score += (tier + sum) + best;
        }
        score
    }
}

impl Drop for Board {
    fn drop(&mut self) {
        let bm25 = std::mem::take(&mut self.bm25);
        let expansion = std::mem::take(&mut self.expansion);
        let lower = std::mem::take(&mut self.lower);
        for buffer in bm25.into_iter().flatten().chain(expansion).chain([lower]) {
            scratch::give(buffer);
        }
    }
}

/// The scores of the candidates of a segment that can reach the page.
pub(super) struct Scores {
    /// Scored one by one: (score, document).
    pub(super) scored: Vec<(f32, DocId)>,
    /// Groups no scored term reached, all of one score: (score, size,
    /// documents).
    pub(super) flat: Vec<(f32, usize, DocBits)>,
}

/// The scored terms of a query found in a segment, those that can add most
/// first (then the shorter postings lists).
fn units<'q>(q: &'q Prepared, inverted: &mut Inverted<'_>) -> tantivy::Result<Vec<Unit<'q>>> {
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
    Ok(units)
}

/// The scores of the passages of `m` (a segment's matches) that can make
/// its best `need`, exactly as Tantivy computes them; the others are left
/// out.
pub(super) fn score(q: &Prepared, m: &mut Matches<'_>, need: usize) -> tantivy::Result<Scores> {
    let max_doc = m.inverted.reader.max_doc();
    let words = &m.words;
    let c = Candidates::of(words, &q.words, &m.all, need, max_doc);
    let n_words = q.words.len();
    let units = units(q, &mut m.inverted)?;
    let mut board = Board::new(q, max_doc);
    // The candidates still in the running (numbers in `board.reached`, and
    // the same as a set of documents), when some were dropped. Until then,
    // every candidate is: those no scored term has reached score their
    // tiers so far.
    let mut alive: Option<(Vec<usize>, DocBits)> = None;
    let mut reached_at_check = 0;
    // While every candidate is in the running, a term's scan skips the
    // candidates it is the first to reach when they cannot reach the page
    // even so: `missed` is the most the terms scanned so far can add to
    // a candidate they skipped (and `board.missing`, per reached
    // candidate, what it was when the candidate was reached).
    let mut missed = 0.0f32;
    for (k, unit) in units.iter().enumerate() {
        // While every candidate is in the running: the `need`-th best
        // lower bound of those reached, a lower bound of the page.
        let reached_nth = if alive.is_none() && board.reached.len() >= need {
            nth_largest(board.lower.iter().copied(), need)
        } else {
            None
        };
        let set_len = alive.as_ref().map_or(c.size, |a| a.0.len());
        let expensive = unit.info.doc_freq as usize * CHEAP_SHARE > set_len;
        // Check seldom: each check reads the candidates reached.
        let check = k > 0
            && set_len > need
            && match alive {
                Some(_) => expensive,
                None => {
                    board.reached.len() >= need
                        && (expensive || board.reached.len() >= 2 * reached_at_check.max(need))
                }
            };
        if check {
            if alive.is_none() {
                reached_at_check = board.reached.len();
            }
            let rest = Rest::of(&units, k, n_words);
            let kept = survivors(&board, alive.as_ref(), &rest, &c, missed, reached_nth, need);
            if let Some(kept) = kept
                && kept.len() * 2 <= set_len
            {
                let mut bits = DocBits::new(max_doc);
                for &i in &kept {
                    bits.insert(board.reached.docs[i]);
                }
                alive = Some((kept, bits));
            }
        }
        let w = unit.word;
        let part = unit.part;
        let (set, size) = match &alive {
            Some((kept, bits)) => (bits, kept.len()),
            None => (&c.chosen, c.size),
        };
        let dense = alive.is_none();
        // A candidate first reached by this term is skipped when its
        // tiers, this term's score, what the remaining terms can add and
        // what skipped terms could have added stay below the `need`-th
        // best lower bound of the candidates reached (those stay in the
        // page's lower bound, and so the page).
        let beyond = Rest::of(&units, k + 1, n_words).after(c.top_tiers + missed);
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
            &mut m.inverted,
            unit.scored,
            &unit.info,
            set,
            size,
            |doc, x| {
                let i = match board.reached.get(doc) {
                    Some(i) => i,
                    None if dense => {
                        let up = beyond + x;
                        if up + slack(up) < floor_now {
                            skipped = skipped.max(x);
                            return;
                        }
                        board.reach(doc, words, missed)
                    }
                    // The candidates in the running have all been reached.
                    None => return,
                };
                let out = match part {
                    Part::Bm25(c) => &mut board.bm25[w][c][i],
                    Part::Expansion => &mut board.expansion[w][i],
                };
                part.record(x, out, &mut board.lower[i]);
                if dense && page.offer(board.lower[i]) {
                    floor_now = floor_of(&page);
                }
            },
        )?;
        missed += skipped;
    }
    // Exact scores of the candidates in the running. Candidates no scored
    // term reached score their tiers: the same for all of a group.
    let (set, flat): (Vec<usize>, Vec<(f32, usize, DocBits)>) = match alive {
        Some((set, _)) => (set, Vec::new()),
        None => {
            let flat = c
                .groups
                .iter()
                .filter(|g| c.chosen(g))
                .map(|g| (g.flat(), g.bits.difference(&board.reached.bits)))
                .filter(|(_, bits)| !bits.is_empty())
                .map(|(score, bits)| (score, bits.len(), bits))
                .collect();
            ((0..board.reached.len()).collect(), flat)
        }
    };
    let scored = set
        .iter()
        .map(|&i| (board.exact(i, words), board.reached.docs[i]))
        .collect();
    Ok(Scores { scored, flat })
}

/// At a check, the candidates that stay in the running (`None`: all of
/// them, the reached and the others): those whose upper bound reaches
/// the page's lower bound. With every candidate in the running, the
/// `need`-th best of the reached ones is that lower bound, and the
/// others are dropped only when none of them can reach it.
fn survivors(
    board: &Board,
    alive: Option<&(Vec<usize>, DocBits)>,
    rest: &Rest,
    c: &Candidates,
    missed: f32,
    reached_nth: Option<f32>,
    need: usize,
) -> Option<Vec<usize>> {
    let reaches = |i: usize, floor: f32| {
        let up = board.upper(i, rest);
        up + slack(up) >= floor
    };
    match alive {
        Some((set, _)) => {
            let floor = page_floor(nth_largest(set.iter().map(|&i| board.lower[i]), need));
            Some(set.iter().copied().filter(|&i| reaches(i, floor)).collect())
        }
        None => {
            let floor = page_floor(reached_nth);
            let others = rest.after(c.top_tiers + missed);
            (others + slack(others) < floor).then(|| {
                (0..board.reached.len())
                    .filter(|&i| reaches(i, floor))
                    .collect()
            })
        }
    }
}
