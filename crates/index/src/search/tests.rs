//! The tiered evaluation against the Tantivy query, on every query shape.

use std::sync::Arc;

use super::*;
use crate::content::ContentSource;
use crate::differential;
use crate::query::Ranking;
use crate::reindex::ReindexOptions;
use crate::tuning::Tuning;

const ARTICLE: &str = include_str!("../../../../content/microneedling.md");
const TOPICS: &str = include_str!("../../../../content/topics.toml");
const SYNONYMS: &str = include_str!("../../../../content/synonyms.toml");

/// Queries of every shape the fast evaluation takes: words, prefixes
/// (the last word), typos, stop words, synonyms of one and several
/// words, exclusions, topic filters, odd input.
const QUERIES: &[&str] = &[
    "collagen",
    "colagen",
    "collagen ",
    "co",
    "c",
    "mic",
    "microneedl",
    "microneedlign",
    "microneedling",
    "microneedling aft",
    "collagen production",
    "collagen produ",
    "sunscreen after treatment",
    "sunscrean",
    "hyperpigmentaton",
    "recieve",
    "pigmentaton ",
    "infektion",
    "scaring",
    "acne scars -acne",
    "scars -redness -skin",
    "skin topic:aftercare",
    "cost topic:cost",
    "how long",
    "how long does it take",
    "how to",
    "the",
    "whe",
    "dark spots",
    "sun block",
    "price",
    "is microneedling painful",
    "pain swelling redness bruising",
    "xyzzy",
    "q",
    "日本語 skin",
    "downtime recovery results",
    "needles needle needling",
];

/// The tiered evaluation ranks exactly as the Tantivy query, its pruned
/// top-k as its scorer: the same total, the same page, the same scores to
/// the bit, the same counts (see [`crate::differential::compare`]).
fn assert_same_ranking(index: &NeedleIndex) -> usize {
    let pages = [
        differential::Page {
            limit: 10,
            offset: 0,
            count_topics: true,
        },
        differential::Page {
            limit: 3,
            offset: 4,
            count_topics: false,
        },
        differential::Page {
            limit: 500,
            offset: 0,
            count_topics: false,
        },
    ];
    let mut checked = 0;
    for q in QUERIES {
        for topics in [vec![], vec!["side-effects".to_owned(), "cost".to_owned()]] {
            for page in pages {
                match differential::compare(index, q, &topics, page) {
                    Ok(true) => checked += 1,
                    Ok(false) => {}
                    Err(e) => panic!("{e}"),
                }
            }
        }
    }
    checked
}

/// Checks the fast evaluation on `index`, walking the segments'
/// dictionaries, then the vocabulary of all of them; with the shipped
/// tuning, then with one that sends small indexes down the paths of
/// large ones (the thread pool, ties read through the ordinal index).
fn check_both_ways(index: &mut NeedleIndex) {
    for tuning in [
        Tuning::default(),
        Tuning::default().parallel_from(2).tie_reads(8),
    ] {
        index.set_tuning(tuning);
        let searcher = index.reader.searcher();
        index.caches = Arc::default();
        assert!(assert_same_ranking(index) > QUERIES.len() * 3);
        index.caches.build_vocabulary_now(&searcher, &index.fields);
        assert_same_ranking(index);
    }
    index.set_tuning(Tuning::default());
}

/// The fast evaluation's caches belong to their index: another index
/// does not see its vocabulary, and dropping the index drops it.
#[test]
fn fast_caches_are_owned_by_their_index() {
    fn shared_between_threads<T: Send + Sync>(_: &T) {}
    let content = ContentSource::memory([("microneedling.md", ARTICLE), ("topics.toml", TOPICS)]);
    let index = NeedleIndex::in_memory().unwrap();
    let other = NeedleIndex::in_memory().unwrap();
    shared_between_threads(&index.caches);
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    index.reload().unwrap();
    let searcher = index.reader.searcher();
    index.caches.build_vocabulary_now(&searcher, &index.fields);
    let vocabulary = index
        .caches
        .built_vocabulary(&searcher, &index.fields)
        .unwrap();
    assert!(
        other
            .caches
            .built_vocabulary(&searcher, &other.fields)
            .is_none()
    );
    // A typo search keeps what its automata accept in the vocabulary.
    let before = Arc::strong_count(&vocabulary);
    let results = index.search(&SearchRequest::new("colagen")).unwrap();
    assert!(results.total > 0);
    assert!(Arc::strong_count(&vocabulary) > before);
    let weak = Arc::downgrade(&vocabulary);
    drop(vocabulary);
    assert!(weak.upgrade().is_some());
    drop(index);
    assert!(weak.upgrade().is_none());
}

#[test]
fn fast_evaluation_ranks_as_tantivy_on_the_bundled_article() {
    let mut index = NeedleIndex::in_memory().unwrap();
    let content = ContentSource::memory([
        ("microneedling.md", ARTICLE),
        ("topics.toml", TOPICS),
        ("synonyms.toml", SYNONYMS),
    ]);
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    check_both_ways(&mut index);
}

#[test]
fn fast_evaluation_ranks_as_tantivy_across_segments_and_deletes() {
    let mut articles: Vec<(String, String)> = Vec::new();
    needle_bench::corpus::for_each_article(2500, 3, |_, path, text| {
        articles.push((path.to_owned(), text.to_owned()));
        Ok(())
    })
    .unwrap();
    let files = |articles: &[(String, String)]| {
        ContentSource::memory(
            articles
                .iter()
                .map(|(p, t)| (p.as_str(), t.as_str()))
                .chain([("topics.toml", TOPICS), ("synonyms.toml", SYNONYMS)]),
        )
    };
    let mut index = NeedleIndex::in_memory().unwrap();
    let half = articles.len() / 2;
    index
        .reindex(&files(&articles[..half]), &ReindexOptions::default())
        .unwrap();
    // A second commit adds a segment; rewritten articles leave deleted
    // passages in the first.
    for (_, text) in articles.iter_mut().take(5) {
        text.push_str("\n\nCollagen colagen sunscreen microneedling, the price of skin.\n");
    }
    index
        .reindex(&files(&articles), &ReindexOptions::default())
        .unwrap();
    index.reload().unwrap();
    let searcher = index.reader.searcher();
    assert!(searcher.segment_readers().len() >= 2);
    assert!(
        searcher
            .segment_readers()
            .iter()
            .any(|s| s.alive_bitset().is_some())
    );
    check_both_ways(&mut index);
}

#[test]
fn fast_evaluation_ranks_as_tantivy_without_sections() {
    // JSON Lines records have no sections: the section field is empty
    // in every passage.
    let mut records = String::new();
    for (i, paragraph) in ARTICLE.split("\n\n").enumerate() {
        let text = paragraph.trim_start_matches('#').trim();
        if !text.is_empty() {
            let record = serde_json::json!({"_id": i.to_string(), "title": format!("Record {i}"), "text": text});
            records.push_str(&record.to_string());
            records.push('\n');
        }
    }
    let mut index = NeedleIndex::in_memory().unwrap();
    let content = ContentSource::memory([
        ("records.jsonl", records.as_str()),
        ("synonyms.toml", SYNONYMS),
    ]);
    let report = index.reindex(&content, &ReindexOptions::default()).unwrap();
    assert!(report.passages > 10);
    check_both_ways(&mut index);
    let results = index
        .search(&SearchRequest::new("collagen production skin"))
        .unwrap();
    assert!(results.total > 0 && !results.hits.is_empty());
}

#[test]
fn fast_evaluation_follows_other_rankings() {
    let mut index = NeedleIndex::in_memory().unwrap();
    let content = ContentSource::memory([
        ("microneedling.md", ARTICLE),
        ("topics.toml", TOPICS),
        ("synonyms.toml", SYNONYMS),
    ]);
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    // Tiers that tie, tiers below zero, no BM25 on headings, every
    // query ranked by tiers.
    index.set_ranking(Ranking {
        exact: 50.0,
        stem: 50.0,
        synonym: -20.0,
        prefix: -5.0,
        typo: -2000.0,
        section_boost: 0.0,
        strict_words: 10,
        ..Ranking::default()
    });
    check_both_ways(&mut index);
    index.set_ranking(Ranking {
        strict_words: 1,
        loose_bonus: 7.0,
        feedback_docs: 0,
        ..Ranking::default()
    });
    check_both_ways(&mut index);
    // Other BM25 parameters, the bounds' extremes among them: repeats
    // count fully (k1 large), not at all (k1 0), length fully or not.
    for (k1, b) in [(2.0, 1.0), (0.0, 0.3), (0.9, 0.0)] {
        index.set_ranking(Ranking {
            k1,
            b,
            ..Ranking::default()
        });
        check_both_ways(&mut index);
    }
}

#[test]
fn char_and_byte_offsets_round_trip() {
    let text = "día — café ok";
    let bytes = vec![
        (0, "día".len()),
        (text.find("café").unwrap(), text.find(" ok").unwrap()),
    ];
    let chars = byte_to_char_ranges(text, &bytes);
    assert_eq!(chars, vec![[0, 3], [6, 10]]);
    let back = char_to_byte_ranges(text, &chars);
    assert_eq!(&text[back[1].clone()], "café");
    assert_eq!(char_to_byte_ranges("ab", &[[1, 99]]), vec![1..2]);
}

/// "how long" (a run with synonyms, `how` a stop word) matches through its
/// synonyms, days and weeks, and not through `long` alone: the passage
/// about long-term side effects is no answer, and nothing highlights
/// `long`.
#[test]
fn how_long_matches_its_synonyms_not_long_alone() {
    let index = NeedleIndex::in_memory().unwrap();
    let content =
        ContentSource::memory([("microneedling.md", ARTICLE), ("synonyms.toml", SYNONYMS)]);
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    let long_term = index.search(&SearchRequest::new("long-term")).unwrap();
    assert!(
        long_term.total > 0,
        "the article speaks of long-term effects"
    );
    let results = index
        .search(&SearchRequest::new("how long").limit(50))
        .unwrap();
    assert!(results.total > 0);
    for hit in &results.hits {
        let text: Vec<char> = hit.passage.text.chars().collect();
        let marked: Vec<String> = hit
            .highlights
            .iter()
            .map(|[a, b]| text[*a..*b].iter().collect::<String>().to_lowercase())
            .collect();
        assert!(
            !marked.is_empty(),
            "{}: nothing highlighted",
            hit.passage.id
        );
        assert!(
            marked
                .iter()
                .all(|w| w.starts_with("day") || w.starts_with("week")),
            "{}: {marked:?}",
            hit.passage.id
        );
    }
    let ids: Vec<&str> = results.hits.iter().map(|h| h.passage.id.as_str()).collect();
    for hit in &long_term.hits {
        if !hit.passage.text.contains("day") && !hit.passage.text.contains("week") {
            assert!(
                !ids.contains(&hit.passage.id.as_str()),
                "{}",
                hit.passage.id
            );
        }
    }
}
