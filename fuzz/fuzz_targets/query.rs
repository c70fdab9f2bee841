//! The query reader and the whole search on any input a person could type,
//! over an in-memory index of the bundled article: never a panic, never an
//! error, and hits whose highlights fall inside their text.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use needle_index::fuzzing::read_query;
use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest, Synonyms};

const SYNONYMS: &str = include_str!("../../content/synonyms.toml");

fn index() -> &'static NeedleIndex {
    static INDEX: OnceLock<NeedleIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let source = ContentSource::memory([
            (
                "microneedling.md",
                include_str!("../../content/microneedling.md"),
            ),
            ("topics.toml", include_str!("../../content/topics.toml")),
            ("synonyms.toml", SYNONYMS),
        ]);
        let index = NeedleIndex::in_memory().expect("in-memory index");
        index
            .reindex(&source, &ReindexOptions::default())
            .expect("indexing the bundled article");
        index
    })
}

fn synonyms() -> &'static Synonyms {
    static SYN: OnceLock<Synonyms> = OnceLock::new();
    SYN.get_or_init(|| Synonyms::from_toml(SYNONYMS).expect("synonyms.toml"))
}

fuzz_target!(|data: &[u8]| {
    let query = String::from_utf8_lossy(data);
    let _ = read_query(&query, synonyms());
    for (limit, offset) in [(10, 0), (3, 7)] {
        let request = SearchRequest::new(query.as_ref())
            .limit(limit)
            .offset(offset)
            .count_topics(true);
        let results = match index().search(&request) {
            Ok(r) => r,
            Err(e) => panic!("query {query:?} failed: {e}"),
        };
        assert!(results.hits.len() <= limit);
        assert!(results.total >= results.hits.len());
        for hit in &results.hits {
            let text = &hit.passage.text;
            let mut last_end = 0;
            for range in hit.highlight_byte_ranges() {
                assert!(
                    range.start >= last_end && range.start < range.end,
                    "{range:?}"
                );
                // Slicing panics if a range is outside the text or inside a character.
                assert!(!text[range.clone()].is_empty());
                last_end = range.end;
            }
        }
    }
});
