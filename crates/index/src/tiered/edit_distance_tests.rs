use std::collections::BTreeSet;

use tantivy::Term;
use tantivy::directory::FileSlice;
use tantivy::postings::TermInfo;
use tantivy::schema::Field;
use tantivy::termdict::{TermDictionary, TermDictionaryBuilder};

use crate::query::osa_distance;

/// Words a few edits from `word`: every word one edit away, and those
/// one edit from them, over a small alphabet (with an accented letter).
fn near(word: &str, out: &mut BTreeSet<String>) {
    let alphabet: Vec<char> = "aeinorstxzé".chars().collect();
    let one = |w: &str| -> Vec<String> {
        let c: Vec<char> = w.chars().collect();
        let mut v = Vec::new();
        for i in 0..=c.len() {
            for &a in &alphabet {
                let mut x = c.clone();
                x.insert(i, a);
                v.push(x.iter().collect());
            }
            if i < c.len() {
                let mut x = c.clone();
                x.remove(i);
                v.push(x.iter().collect());
                for &a in &alphabet {
                    let mut x = c.clone();
                    x[i] = a;
                    v.push(x.iter().collect());
                }
            }
            if i + 1 < c.len() {
                let mut x = c.clone();
                x.swap(i, i + 1);
                v.push(x.iter().collect());
            }
        }
        v
    };
    for a in one(word) {
        for b in one(&a) {
            out.insert(b);
        }
        out.insert(a);
    }
}

/// A word within `d` edits of the query is a term of the typo tier;
/// the prefix automaton accepts it too (so the typo tier's terms can be
/// picked from the prefix automaton's with [`osa_distance`]).
#[test]
fn edit_distances_agree_with_tantivy_automata() {
    let queries = [
        "sunscreen",
        "collagen",
        "scaring",
        "treatmnet",
        "acne",
        "niacinamide",
    ];
    let mut words = BTreeSet::new();
    for q in queries {
        near(q, &mut words);
        words.insert(format!("{q}ing"));
    }
    words.retain(|w| !w.is_empty());
    let mut builder = TermDictionaryBuilder::create(Vec::new()).unwrap();
    let info = TermInfo {
        doc_freq: 1,
        postings_range: 0..0,
        positions_range: 0..0,
    };
    for w in &words {
        builder.insert(w.as_bytes(), &info).unwrap();
    }
    let dict = TermDictionary::open(FileSlice::from(builder.finish().unwrap())).unwrap();
    let accepted = |q: &str, distance: u8, prefix: bool| {
        let term = Term::from_field_text(Field::from_field_id(0), q);
        let dfa = crate::query::fuzzy_query(term, distance, prefix)
            .automaton()
            .unwrap();
        let mut accepted = BTreeSet::new();
        let mut stream = dict.search(&dfa).into_stream().unwrap();
        while stream.advance() {
            accepted.insert(String::from_utf8(stream.key().to_vec()).unwrap());
        }
        accepted
    };
    for q in queries {
        for distance in [1u8, 2] {
            let typos = accepted(q, distance, false);
            let d = usize::from(distance);
            let ours: BTreeSet<String> = words
                .iter()
                .filter(|w| osa_distance(w, q, d) <= d)
                .cloned()
                .collect();
            let missing: Vec<_> = typos.difference(&ours).take(5).collect();
            let extra: Vec<_> = ours.difference(&typos).take(5).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{q} {distance}: {} words; automaton only {missing:?}, ours only {extra:?}",
                words.len()
            );
            assert!(
                typos.is_subset(&accepted(q, distance, true)),
                "{q} {distance}"
            );
        }
    }
}
