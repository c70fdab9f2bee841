//! The tiered evaluation against the Tantivy query it stands for, on any
//! query string, over a generated index of 2,500 passages in two segments
//! with deleted passages (the benchmark corpus generator, seed 3, with the
//! bundled topics and synonyms). The first byte picks the page (limit,
//! offset, topic counts) and the topic filter; the rest is the query.
//! `needle_index::differential::compare` must find the same total, page
//! (scores bit for bit) and topic counts from the pruned top-k, the tiered
//! scorer and the Tantivy query, the same count, and explanations that add
//! up to the scores; any difference is a crash.
//!
//! The index is searched with a tuning that sends it down the paths of
//! large ones (its segments on the thread pool, ties on a page's last
//! score read through the ordinal index); its typo vocabulary is built in
//! the background after the first searches, so both ways of walking the
//! term dictionaries are fuzzed.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use needle_index::differential::{Page, compare};
use needle_index::{ContentSource, NeedleIndex, ReindexOptions, Tuning};

const TOPICS: &str = include_str!("../../content/topics.toml");
const SYNONYMS: &str = include_str!("../../content/synonyms.toml");

fn index() -> &'static NeedleIndex {
    static INDEX: OnceLock<NeedleIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut articles: Vec<(String, String)> = Vec::new();
        needle_bench::corpus::for_each_article(2500, 3, |_, path, text| {
            articles.push((path.to_owned(), text.to_owned()));
            Ok(())
        })
        .expect("generating the corpus");
        let content = |articles: &[(String, String)]| {
            ContentSource::memory(
                articles
                    .iter()
                    .map(|(p, t)| (p.as_str(), t.as_str()))
                    .chain([("topics.toml", TOPICS), ("synonyms.toml", SYNONYMS)]),
            )
        };
        let mut index = NeedleIndex::in_memory().expect("in-memory index");
        index.set_tuning(Tuning::default().parallel_from(2).tie_reads(8));
        let half = articles.len() / 2;
        index
            .reindex(&content(&articles[..half]), &ReindexOptions::default())
            .expect("indexing half the corpus");
        // A second commit adds a segment; the rewritten articles leave
        // deleted passages in the first.
        for (_, text) in articles.iter_mut().take(5) {
            text.push_str("\n\nCollagen colagen sunscreen microneedling, the price of skin.\n");
        }
        index
            .reindex(&content(&articles), &ReindexOptions::default())
            .expect("indexing the corpus");
        index
    })
}

const PAGES: [Page; 4] = [
    Page {
        limit: 10,
        offset: 0,
        count_topics: true,
    },
    Page {
        limit: 3,
        offset: 4,
        count_topics: false,
    },
    Page {
        limit: 50,
        offset: 0,
        count_topics: false,
    },
    Page {
        limit: 1,
        offset: 0,
        count_topics: true,
    },
];

const TOPIC_FILTERS: [&[&str]; 4] = [&[], &["side-effects"], &["side-effects", "cost"], &["aftercare"]];

fuzz_target!(|data: &[u8]| {
    let Some((&choice, query)) = data.split_first() else {
        return;
    };
    let page = PAGES[usize::from(choice & 3)];
    let topics: Vec<String> = TOPIC_FILTERS[usize::from((choice >> 2) & 3)]
        .iter()
        .map(|t| (*t).to_owned())
        .collect();
    let query = String::from_utf8_lossy(query);
    if let Err(e) = compare(index(), &query, &topics, page) {
        panic!("{e}");
    }
});
