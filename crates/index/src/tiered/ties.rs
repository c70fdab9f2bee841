//! Ties on the page's last score, broken by ordinal.

use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, Term};

use super::docbits::DocBits;
use super::levels::Inverted;

/// The `room` first documents of `docs` by (ordinal, document). Many
/// tie on their score at times (flat tiers): rather than read every
/// one's ordinal, read the documents of ordinal 0, 1, 2... (the ordinal
/// field is indexed) until there are enough, unless they are at most
/// `tie_reads` more than four times the room ([`Tuning::tie_reads`]).
///
/// [`Tuning::tie_reads`]: crate::Tuning::tie_reads
pub(super) fn first_by_ordinal(
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
