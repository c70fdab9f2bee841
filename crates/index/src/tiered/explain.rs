//! Why a passage matches a tiered query as it does: per word, the tier it
//! is in and the source that put it there, and the BM25 of each clause.

use std::sync::Arc;

use tantivy::postings::TermInfo;
use tantivy::query::Explanation;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocId, DocSet, SegmentReader, Term};

use super::levels::{Levels, prefix_end};
use super::prepare::{Prepared, Ready, Scored, Tier};
use super::scorer::TermScorer;
use crate::explain::{FieldScore, WordMatch};

/// Whether `doc` has the term of `info` in its field.
fn has(reader: &SegmentReader, field: Field, info: &TermInfo, doc: DocId) -> tantivy::Result<bool> {
    let mut postings = reader
        .inverted_index(field)?
        .read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
    Ok(reaches(&mut postings, doc))
}

/// Whether a doc set has `doc` (it stands at its first document, which
/// may be past `doc`).
fn reaches(docs: &mut impl DocSet, doc: DocId) -> bool {
    docs.doc() == doc || (docs.doc() < doc && docs.seek(doc) == doc)
}

/// What put a passage in a tier.
enum Found {
    /// A term of a field.
    Term(Field, String),
    /// A phrase (a synonym of several words).
    Phrase,
}

/// The first term of a term stream that `doc` has.
macro_rules! first_with_doc {
    ($reader:expr, $field:expr, $stream:expr, $doc:expr) => {{
        let mut stream = $stream;
        let mut found = None;
        while stream.advance() {
            if has($reader, $field, stream.value(), $doc)? {
                found = Some(Found::Term(
                    $field,
                    String::from_utf8_lossy(stream.key()).into_owned(),
                ));
                break;
            }
        }
        found
    }};
}

/// How `doc` has a source (`None`: it does not).
fn matched(
    q: &Prepared,
    reader: &SegmentReader,
    source: &Ready,
    doc: DocId,
) -> tantivy::Result<Option<Found>> {
    Ok(match source {
        Ready::Term(field, term) => {
            let inverted = reader.inverted_index(*field)?;
            match inverted.get_term_info(term)? {
                Some(info) if has(reader, *field, &info, doc)? => {
                    Some(Found::Term(*field, term_text(term)))
                }
                _ => None,
            }
        }
        Ready::Fuzzy {
            field,
            automaton,
            text,
            distance,
            prefix,
        } => {
            let inverted = reader.inverted_index(*field)?;
            let dict = inverted.terms();
            if *prefix && *distance == 0 {
                let mut range = dict.range().ge(text.as_bytes());
                if let Some(end) = prefix_end(text.as_bytes()) {
                    range = range.lt(end);
                }
                first_with_doc!(reader, *field, range.into_stream()?, doc)
            } else {
                let a = &q.automata[*automaton];
                let dfa = match &a.dfa {
                    Some(dfa) => Arc::clone(dfa),
                    None => q.caches.automata.dfa(&a.text, a.distance, a.prefix)?,
                };
                first_with_doc!(reader, *field, dict.search(&*dfa).into_stream()?, doc)
            }
        }
        Ready::Phrase(weight) => {
            let mut scorer = weight.scorer(reader, 1.0)?;
            reaches(&mut scorer, doc).then_some(Found::Phrase)
        }
    })
}

/// The best tier of a word that `doc` is in (at `level`, its level's
/// score), with the term that put it there.
fn best_tier<'q>(
    q: &'q Prepared,
    reader: &SegmentReader,
    tiers: &'q [Tier],
    clamp: bool,
    level: f32,
    doc: DocId,
) -> tantivy::Result<Option<(&'q Tier, Found)>> {
    let score_of = |t: &Tier| if clamp { t.score.max(0.0) } else { t.score };
    for tier in tiers.iter().filter(|t| score_of(t) == level) {
        for source in &tier.sources {
            if let Some(found) = matched(q, reader, source, doc)? {
                return Ok(Some((tier, found)));
            }
        }
    }
    Ok(None)
}

/// The BM25 score of each term of `list` that `doc` has.
fn scores(
    reader: &SegmentReader,
    list: &[Scored],
    doc: DocId,
) -> tantivy::Result<Vec<(FieldScore, f32)>> {
    let schema = reader.schema();
    let mut out = Vec::new();
    for scored in list {
        if let Some(x) = TermScorer::new(scored, reader)?.score(doc) {
            let field = scored.term.field();
            out.push((
                FieldScore {
                    field: schema.get_field_name(field).to_owned(),
                    term: term_text(&scored.term),
                    score: x,
                },
                x,
            ));
        }
    }
    Ok(out)
}

fn term_text(term: &Term) -> String {
    term.value().as_str().unwrap_or_default().to_owned()
}

/// How `doc` matches each word of `q` (`words`: the words' levels in its
/// segment), and what each adds to its score, summed as the scorer sums
/// them.
pub(super) fn words(
    q: &Prepared,
    reader: &SegmentReader,
    words: &[Levels],
    doc: DocId,
) -> tantivy::Result<Vec<WordMatch>> {
    let schema = reader.schema();
    let mut out = Vec::with_capacity(q.words.len());
    for (word, levels) in q.words.iter().zip(words) {
        let tier = levels.tier_of(doc);
        let mut m = WordMatch::new(word.text.clone());
        if tier.is_nan() {
            out.push(m);
            continue;
        }
        if let Some((best, found)) = best_tier(q, reader, &word.tiers, word.clamp, tier, doc)? {
            m.matched = Some(best.kind);
            m.subject = best.subject;
            if let Found::Term(field, term) = found {
                m.field = Some(schema.get_field_name(field).to_owned());
                m.term = Some(term);
            }
        }
        m.tier = tier;
        let mut sum = 0.0f32;
        // The clauses the passage lacks add 0: summed as the scorer does.
        for (score, x) in scores(reader, &word.bm25, doc)? {
            sum += x;
            m.bm25.push(score);
        }
        let mut best = 0.0f32;
        for (score, x) in scores(reader, &word.expansions, doc)? {
            if x > best {
                best = x;
                m.prefix_bm25 = Some(score);
            }
        }
        m.score = (tier + sum) + best;
        out.push(m);
    }
    Ok(out)
}

/// Tantivy's explanation of a tiered score: the words' scores, each with
/// its tier, BM25 clauses and best expansion.
pub(super) fn tantivy_explanation(words: &[WordMatch]) -> Explanation {
    let mut total = 0.0f32;
    let mut details = Vec::new();
    for w in words {
        // A word the passage lacks scores 0 (and adds nothing).
        total += w.score;
        if w.matched.is_none() && w.score == 0.0 {
            continue;
        }
        let kind = w
            .matched
            .map_or_else(|| "a tier".to_owned(), |k| format!("{k:?}").to_lowercase());
        let mut e = Explanation::new_with_string(
            format!("word {:?}: {kind} tier, plus BM25", w.word),
            w.score,
        );
        e.add_const("tier", w.tier);
        for s in w.bm25.iter().chain(&w.prefix_bm25) {
            e.add_detail(Explanation::new_with_string(
                format!("BM25 of {:?} in {}", s.term, s.field),
                s.score,
            ));
        }
        details.push(e);
    }
    let mut out = Explanation::new("tiered query: sum of its words", total);
    for e in details {
        out.add_detail(e);
    }
    out
}
