//! The best hits of a segment from its scores: ties on the page's last
//! score broken by ordinal (the passage's position in its article), then
//! by document.

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Term};

use super::docbits::DocBits;
use super::levels::Inverted;
use super::prepare::Prepared;
use super::prune::Scores;

/// The best `need` of the scores, best first, ties by ordinal, then
/// document: (score, ordinal, document). Flat scores (prefix and typo
/// tiers) tie often: the ordinal is read only for the passages that make
/// the page, or tie with its last one.
pub(super) fn best(
    q: &Prepared,
    inverted: &mut Inverted<'_>,
    scores: &Scores,
    need: usize,
) -> tantivy::Result<Vec<(f32, u64, DocId)>> {
    let Scores { scored, flat } = scores;
    let reader = inverted.reader;
    let max_doc = reader.max_doc();
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
        values.extend(flat.iter().map(|(s, size, _)| (*s, *size)));
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
    for &(s, doc) in scored {
        if s > cut {
            hits.push((s, ordinal(doc), doc));
        } else if s == cut {
            ties.push((ordinal(doc), doc));
        }
    }
    let mut tied = DocBits::new(max_doc);
    for (s, _, bits) in flat {
        if *s > cut {
            hits.extend(bits.docs().map(|doc| (*s, ordinal(doc), doc)));
        } else if *s == cut {
            tied.union_with(bits);
        }
    }
    let room = need.saturating_sub(hits.len());
    ties.extend(first_by_ordinal(
        inverted,
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
    Ok(hits)
}

/// The `room` first documents of `docs` by (ordinal, document). Many
/// tie on their score at times (flat tiers): rather than read every
/// one's ordinal, read the documents of ordinal 0, 1, 2... (the ordinal
/// field is indexed) until there are enough, unless they are at most
/// `tie_reads` more than four times the room ([`Tuning::tie_reads`]).
///
/// [`Tuning::tie_reads`]: crate::Tuning::tie_reads
fn first_by_ordinal(
    inverted: &mut Inverted<'_>,
    field: Field,
    docs: &DocBits,
    room: usize,
    tie_reads: usize,
    ordinal: &dyn Fn(DocId) -> u64,
) -> tantivy::Result<Vec<(u64, DocId)>> {
    let count = docs.len();
    if count == 0 || room == 0 {
        return Ok(Vec::new());
    }
    let read_all = || {
        let mut all: Vec<(u64, DocId)> = docs.docs().map(|d| (ordinal(d), d)).collect();
        if all.len() > room {
            all.select_nth_unstable(room);
            all.truncate(room);
        }
        all
    };
    // Ordinals are positions in an article: small. Past the largest,
    // the documents left have none (they sort last).
    let largest = inverted
        .reader
        .fast_fields()
        .u64("ordinal")
        .map_or(u64::MAX, |c| c.max_value());
    if count <= 4 * room + tie_reads || largest > 1 << 16 {
        return Ok(read_all());
    }
    let inv = inverted.get(field)?;
    let mut out: Vec<(u64, DocId)> = Vec::with_capacity(room);
    let mut seen = 0;
    let mut value = 0u64;
    while out.len() < room && value <= largest {
        let term = Term::from_field_u64(field, value);
        if let Some(info) = inv.get_term_info(&term)? {
            let mut block =
                inv.read_block_postings_from_terminfo(&info, IndexRecordOption::Basic)?;
            'blocks: loop {
                let block_docs = block.docs();
                if block_docs.is_empty() {
                    break;
                }
                for &doc in block_docs {
                    if docs.has(doc) {
                        seen += 1;
                        out.push((value, doc));
                        if out.len() == room {
                            break 'blocks;
                        }
                    }
                }
                block.advance();
            }
        }
        value += 1;
    }
    if out.len() < room && seen < count {
        // Documents with no ordinal: last, by document.
        if inv.terms().num_terms() == 0 {
            return Ok(read_all());
        }
        let have: std::collections::HashSet<DocId> = out.iter().map(|&(_, d)| d).collect();
        for doc in docs.docs() {
            if out.len() == room {
                break;
            }
            if !have.contains(&doc) {
                out.push((ordinal(doc), doc));
            }
        }
    }
    Ok(out)
}
