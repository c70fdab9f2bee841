//! Criterion benchmarks of needle-index's hot paths: passage splitting,
//! query building, search and highlighting, and the no-change refresh.
//!
//! Run with `cargo bench -p needle-index` (or `just bench`). The search
//! benchmarks index a generated corpus (`needle_bench::corpus`, seed 1) in a
//! temporary directory at start: 20,000 passages, or `NEEDLE_BENCH_PASSAGES`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use needle_bench::corpus;
use needle_index::{
    ContentSource, NeedleIndex, ReindexOptions, SearchRequest, TopicRules, split_markdown,
};

const ARTICLE: &str = include_str!("../../../content/microneedling.md");

/// One query per class of `needle bench`.
const QUERIES: [(&str, &str); 7] = [
    ("single", "collagen"),
    ("two", "acne scars"),
    ("three", "reduce acne scars"),
    ("phrase", "\"side effects\""),
    ("typo", "sunscrean"),
    ("prefix", "collagen prod"),
    ("short-prefix", "co"),
];

fn passages() -> usize {
    needle_bench::passages_from_env(20_000)
}

fn splitting(c: &mut Criterion) {
    let rules = TopicRules::from_toml(corpus::TOPICS_TOML).unwrap();
    let mut generated = String::new();
    // The longest of the first 20 generated articles.
    corpus::for_each_article(200, 1, |_, _, text| {
        if text.len() > generated.len() {
            generated = text.to_owned();
        }
        Ok(())
    })
    .unwrap();
    let mut g = c.benchmark_group("split_markdown");
    for (name, text) in [
        ("bundled article", ARTICLE),
        ("generated article", &generated),
    ] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), text, |b, text| {
            b.iter(|| split_markdown("doc", black_box(text), &rules));
        });
    }
    g.finish();
}

struct Fixture {
    _content: tempfile::TempDir,
    _dir: tempfile::TempDir,
    source: ContentSource,
    index: NeedleIndex,
}

fn fixture() -> Fixture {
    let content = tempfile::tempdir().unwrap();
    let n = passages();
    corpus::generate(n, 1, content.path()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = NeedleIndex::open(dir.path()).unwrap();
    let source = ContentSource::Path(content.path().to_owned());
    let report = index.reindex(&source, &ReindexOptions::default()).unwrap();
    assert_eq!(report.passages, n as u64);
    eprintln!("indexed {n} generated passages in {:.0} ms", report.took_ms);
    Fixture {
        _content: content,
        _dir: dir,
        source,
        index,
    }
}

fn searching(c: &mut Criterion) {
    let f = fixture();
    let n = passages();

    let mut g = c.benchmark_group("build_query");
    for (class, q) in QUERIES {
        g.bench_with_input(BenchmarkId::new(class, q), q, |b, q| {
            b.iter(|| f.index.bench_build_query(black_box(q)).unwrap());
        });
    }
    g.finish();

    let mut g = c.benchmark_group(format!("search_{n}"));
    for (class, q) in QUERIES {
        let request = SearchRequest::new(q);
        g.bench_with_input(BenchmarkId::new(class, q), &request, |b, r| {
            b.iter(|| f.index.search(black_box(r)).unwrap());
        });
    }
    let filtered = SearchRequest::new("infection").topic("side-effects");
    g.bench_function("topic-filtered/infection", |b| {
        b.iter(|| f.index.search(black_box(&filtered)).unwrap());
    });
    let counted = SearchRequest::new("collagen").count_topics(true);
    g.bench_function("count-topics/collagen", |b| {
        b.iter(|| f.index.search(black_box(&counted)).unwrap());
    });
    g.finish();

    // Highlighting one long passage (the bundled article's longest).
    let rules = TopicRules::default();
    let longest = split_markdown("doc", ARTICLE, &rules)
        .into_iter()
        .map(|p| p.text)
        .max_by_key(String::len)
        .unwrap();
    let mut g = c.benchmark_group("highlight");
    g.throughput(Throughput::Bytes(longest.len() as u64));
    for (class, q) in QUERIES {
        g.bench_with_input(BenchmarkId::new(class, q), q, |b, q| {
            b.iter(|| {
                f.index
                    .bench_highlights(black_box(q), black_box(&longest))
                    .unwrap()
            });
        });
    }
    g.finish();

    // A refresh with nothing changed: a stat per file, no commit.
    let mut g = c.benchmark_group("refresh_unchanged");
    g.sample_size(10);
    g.bench_function(BenchmarkId::from_parameter(n), |b| {
        b.iter(|| {
            let r = f
                .index
                .reindex(&f.source, &ReindexOptions::default())
                .unwrap();
            assert!(!r.committed);
        });
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(30)
}

criterion_group! {
    name = benches;
    config = config();
    targets = splitting, searching
}
criterion_main!(benches);
