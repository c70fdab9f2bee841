use tantivy::collector::TopDocs;
use tantivy::query::{BoostQuery, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, STRING, Schema, TEXT};
use tantivy::{DocAddress, Index, IndexWriter, Searcher, Term, doc};

use super::{Bm25, Bm25Params, Bm25Query};

const TEXTS: [&str; 6] = [
    "rust rust rust",
    "rust is a language",
    "a language with a long history and many words about many things, rust once",
    "nothing to see here",
    "rust",
    "rust rust and more rust in a somewhat longer passage of text",
];

/// An in-RAM index of [`TEXTS`] (with `split`, in two segments and the
/// fourth deleted), and its text field.
fn index(split: bool) -> (Searcher, tantivy::schema::Field) {
    let mut builder = Schema::builder();
    let text = builder.add_text_field("text", TEXT);
    let id = builder.add_text_field("id", STRING);
    let index = Index::create_in_ram(builder.build());
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
    for (i, t) in TEXTS.iter().enumerate() {
        writer
            .add_document(doc!(text => *t, id => i.to_string()))
            .unwrap();
        if split && i == 2 {
            writer.commit().unwrap();
        }
    }
    if split {
        writer.delete_term(Term::from_field_text(id, "3"));
    }
    writer.commit().unwrap();
    (index.reader().unwrap().searcher(), text)
}

/// Every match of `q`, by address, with its score.
fn scores(searcher: &Searcher, q: &dyn Query) -> Vec<(DocAddress, u32)> {
    let mut hits: Vec<(DocAddress, u32)> = searcher
        .search(q, &TopDocs::with_limit(100).order_by_score())
        .unwrap()
        .into_iter()
        .map(|(score, addr)| (addr, score.to_bits()))
        .collect();
    hits.sort();
    hits
}

/// Guards: with k1 1.2 and b 0.75, [`Bm25Query`] scores as Tantivy's
/// `TermQuery` (in a `BoostQuery`) does, to the bit, boosted or not, and
/// each explanation gives its score.
#[test]
fn with_tantivys_parameters_the_scores_are_tantivys() {
    let (searcher, text) = index(true);
    for word in ["rust", "language", "many", "absent"] {
        let term = Term::from_field_text(text, word);
        for boost in [1.0f32, 0.5, 2.0, 0.3] {
            let theirs = BoostQuery::new(
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                boost,
            );
            let ours = Bm25Query::new(term.clone(), boost, Bm25Params::default());
            let expected = scores(&searcher, &theirs);
            assert_eq!(scores(&searcher, &ours), expected, "{word} × {boost}");
            assert_eq!(ours.count(&searcher).unwrap(), expected.len(), "{word}");
            for (addr, bits) in expected {
                let x = ours.explain(&searcher, addr).unwrap();
                assert_eq!(x.value().to_bits(), bits, "{word}: {}", x.to_pretty_json());
            }
        }
    }
}

/// Guards: k1 and b change the scores as BM25 says: with k1 0 every match
/// scores its idf (frequency and length ignored); with b 0 length is
/// ignored; a larger k1 lets repeats add more.
#[test]
fn k1_and_b_are_bm25s() {
    let (searcher, text) = index(false);
    let term = Term::from_field_text(text, "rust");
    let run = |k1: f32, b: f32| -> Vec<f32> {
        scores(
            &searcher,
            &Bm25Query::new(
                term.clone(),
                1.0,
                Bm25Params {
                    k1,
                    b,
                    ..Bm25Params::default()
                },
            ),
        )
        .into_iter()
        .map(|(_, bits)| f32::from_bits(bits))
        .collect()
    };
    // 6 documents, 5 with the term (in the order of `TEXTS`, the fourth
    // left out).
    let idf = (1.0f32 + (6.0 - 5.0 + 0.5) / (5.0 + 0.5)).ln();
    let flat = run(0.0, 0.75);
    assert_eq!(flat.len(), 5);
    assert!(flat.iter().all(|s| (s - idf).abs() < 1e-6), "{flat:?}");
    // b 0 ignores lengths: only the frequency counts.
    let no_length = run(1.2, 0.0);
    let expected = |tf: f32| idf * 2.2 * tf / (tf + 1.2);
    for (score, tf) in no_length.iter().zip([3.0, 1.0, 1.0, 1.0, 3.0]) {
        assert!((score - expected(tf)).abs() < 1e-6, "{no_length:?}");
    }
    let ratio = |s: &[f32]| s[0] / s[3];
    assert!(ratio(&run(2.0, 0.75)) > ratio(&run(1.2, 0.75)));
}

/// Guards: the shortest field with a huge frequency bounds every score
/// (what the tiered evaluation prunes with), and the explanation gives
/// the score and the parameters.
#[test]
fn the_bound_and_the_explanation() {
    let params = Bm25Params {
        k1: 1.5,
        b: 0.3,
        idf_power: 1.2,
    };
    let w = Bm25::new(3, 100, 12.0, params).boost_by(0.5);
    for id in [0u8, 10, 100, 255] {
        for tf in [1u32, 2, 50] {
            assert!(w.score(id, tf) <= w.score(0, u32::MAX));
            let x = w.explain(id, tf);
            assert_eq!(x.value().to_bits(), w.score(id, tf).to_bits());
            let json = x.to_pretty_json();
            assert!(
                json.contains("1.5") && json.contains("0.3") && json.contains("1.2"),
                "{json}"
            );
        }
    }
}

/// Guards: the idf power raises each term's idf (with k1 0 a match scores
/// its idf alone): a rare term gains on a common one, and a power of 1
/// leaves BM25's idf as it is.
#[test]
fn the_idf_power_raises_the_idf() {
    let flat = |doc_freq: u64, idf_power: f32| {
        let params = Bm25Params {
            k1: 0.0,
            idf_power,
            ..Bm25Params::default()
        };
        Bm25::new(doc_freq, 100, 12.0, params).score(10, 1)
    };
    let idf = |n: f32| (1.0f32 + (100.0 - n + 0.5) / (n + 0.5)).ln();
    assert_eq!(flat(3, 1.0), idf(3.0));
    assert!((flat(3, 1.5) - idf(3.0).powf(1.5)).abs() < 1e-5);
    assert!(flat(3, 1.5) / flat(40, 1.5) > flat(3, 1.0) / flat(40, 1.0));
}
