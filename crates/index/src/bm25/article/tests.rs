//! Article scores on in-RAM indexes of a few Markdown articles.

use std::collections::HashMap;

use tantivy::DocAddress;
use tantivy::schema::Field;

use super::{ArticleScores, Clause};
use crate::content::ContentSource;
use crate::index::NeedleIndex;
use crate::query::Ranking;
use crate::reindex::ReindexOptions;
use crate::search::SearchRequest;

/// An in-RAM index of `files` ranked with `article_weight`.
fn index(files: &[(&str, &str)], article_weight: f32) -> NeedleIndex {
    let mut index = NeedleIndex::in_memory().unwrap();
    index.set_ranking(Ranking {
        article_weight,
        ..Ranking::default()
    });
    let content = ContentSource::memory(files.iter().copied());
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    index
}

/// The article scores of `words` (a clause each, in `field`) by article
/// id, read through each live passage; `None` when the index gives none.
fn scores(index: &NeedleIndex, field: Field, words: &[&str]) -> Option<HashMap<String, f32>> {
    let searcher = index.reader.searcher();
    let f = &index.fields;
    let fields = [(f.text, false), (f.title, true)];
    let clauses: Vec<Clause> = words
        .iter()
        .map(|w| Clause {
            terms: vec![(field, (*w).to_owned(), 1.0)],
            max: false,
        })
        .collect();
    let scores = ArticleScores::compute(
        &index.caches.articles,
        &searcher,
        &tantivy::Executor::SingleThread,
        &fields,
        &clauses,
        index.ranking().bm25(),
    )
    .unwrap()?;
    let mut out = HashMap::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let column = segment.fast_fields().str("article").unwrap().unwrap();
        let mut id = String::new();
        for doc in segment.doc_ids_alive() {
            let term = column.term_ords(doc).next().unwrap();
            column.ord_to_str(term, &mut id).unwrap();
            let score = scores.of_passage(&searcher, DocAddress::new(ord as u32, doc));
            if let Some(seen) = out.insert(id.clone(), score) {
                assert_eq!(seen, score, "the passages of {id} disagree");
            }
        }
    }
    Some(out)
}

const SPREAD: &str = "# Spread\n\nalpha beta.\n\ngamma delta.\n\nepsilon zeta.\n";
const ONE: &str = "# One\n\nalpha alpha words.\n\nnothing else here.\n";
const NONE: &str = "# None\n\nunrelated text only.\n";

#[test]
fn an_index_of_one_passage_articles_has_no_article_scores() {
    let files = [
        ("a.md", "# A\n\nalpha beta.\n"),
        ("b.md", "# B\n\ngamma.\n"),
    ];
    let index = index(&files, 16.0);
    assert!(scores(&index, index.fields.text, &["alpha"]).is_none());
}

#[test]
fn an_article_counts_its_words_over_all_its_passages() {
    let files = [("spread.md", SPREAD), ("one.md", ONE), ("none.md", NONE)];
    let index = index(&files, 16.0);
    let s = scores(&index, index.fields.text, &["alpha", "gamma", "epsilon"]).unwrap();
    // Three words in three passages beat one word twice in one.
    assert!(s["spread"] > s["one"], "{s:?}");
    assert!(s["one"] > 0.0, "{s:?}");
    assert_eq!(s["none"], 0.0);
    // One word: the article repeating it leads.
    let s = scores(&index, index.fields.text, &["alpha"]).unwrap();
    assert!(s["one"] > s["spread"], "{s:?}");
}

#[test]
fn a_title_counts_once_however_many_passages_repeat_it() {
    let files = [
        ("long.md", "# Alpha guide\n\nfirst.\n\nsecond.\n\nthird.\n"),
        ("short.md", "# Alpha guide\n\nonly.\n"),
        ("other.md", "# Beta\n\nalpha.\n\nmore.\n"),
    ];
    let index = index(&files, 16.0);
    let s = scores(&index, index.fields.title, &["alpha"]).unwrap();
    assert!(s["long"] > 0.0, "{s:?}");
    assert_eq!(s["long"], s["short"], "{s:?}");
    assert_eq!(s["other"], 0.0, "{s:?}");
}

#[test]
fn a_long_question_whose_words_one_article_spreads_ranks_that_article_first() {
    // Each of the question's words is in two passages.
    let files = [
        (
            "spread.md",
            "# Notes\n\nalpha beta gamma.\n\ndelta epsilon.\n\nmore text here.\n",
        ),
        (
            "dense.md",
            "# Other\n\nalpha beta gamma delta.\n\nunrelated words only.\n",
        ),
        (
            "filler.md",
            "# Filler\n\nepsilon and filler.\n\nplain filler.\n",
        ),
    ];
    let question = "alpha beta gamma delta epsilon";
    let first = |article_weight: f32| {
        let r = index(&files, article_weight)
            .search(&SearchRequest::new(question).explain(true))
            .unwrap();
        let hit = &r.hits[0];
        let why = hit.explain.as_ref().unwrap();
        (hit.passage.article.clone(), why.article)
    };
    // Alone, the passage with four of the five words leads; with its
    // article, the page with all five does.
    assert_eq!(first(0.0), ("dense".to_owned(), 0.0));
    let (article, part) = first(16.0);
    assert_eq!(article, "spread");
    assert!(part > 0.0);
    // The explanation's parts add up to each hit's score, the article's
    // part included.
    let r = index(&files, 16.0)
        .search(&SearchRequest::new(question).explain(true))
        .unwrap();
    for hit in &r.hits {
        let e = hit.explain.as_ref().unwrap();
        let sum: f32 = e.words.iter().map(|w| w.score).sum::<f32>()
            + e.phrases.iter().map(|p| p.score).sum::<f32>()
            + e.feedback.iter().map(|t| t.score).sum::<f32>()
            + e.article;
        assert!(
            (sum - hit.score).abs() < 1e-3 * hit.score.max(1.0),
            "{sum} {e:?}"
        );
    }
    // A short query is ranked by its tiers: the article plays no part.
    let r = index(&files, 16.0)
        .search(&SearchRequest::new("alpha beta gamma delta").explain(true))
        .unwrap();
    assert_eq!(r.hits[0].passage.article, "dense");
    assert_eq!(r.hits[0].explain.as_ref().unwrap().article, 0.0);
}

#[test]
fn article_scores_follow_a_reindex() {
    let mut files = vec![
        (
            "spread.md",
            "# Notes\n\nalpha beta gamma.\n\ndelta epsilon.\n\nmore.\n",
        ),
        (
            "dense.md",
            "# Other\n\nalpha beta gamma delta.\n\nunrelated.\n",
        ),
        (
            "filler.md",
            "# Filler\n\nepsilon and filler.\n\nplain filler.\n",
        ),
    ];
    let index = index(&files, 16.0);
    let first = |index: &NeedleIndex| {
        let r = index
            .search(&SearchRequest::new("alpha beta gamma delta epsilon"))
            .unwrap();
        r.hits[0].passage.article.clone()
    };
    assert_eq!(first(&index), "spread");
    // The page loses the passage that made it whole.
    files[0].1 = "# Notes\n\nalpha beta gamma.\n\nmore.\n";
    let content = ContentSource::memory(files.iter().copied());
    index.reindex(&content, &ReindexOptions::default()).unwrap();
    assert_eq!(first(&index), "dense");
}
