//! `needle bench`: query latency and throughput against an index, in one
//! process, through the same `NeedleIndex::search` as `needle search`.
//!
//! Every query of the set runs once per round, after warm-up rounds; each
//! search is timed on its own (query parsing, matching, ranking, fetching the
//! page of passages and highlighting them). Per query class it prints the
//! median, 95th and 99th percentiles and maximum latency, and the queries
//! per second one client sustains, asking one query at a time (the
//! library searches the segments of a large index on several threads).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Args;
use needle_index::{NeedleIndex, SearchRequest};
use serde::Serialize;

use crate::json::json_line;
use crate::workspace::{Resolved, open_index, refresh};

#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Queries to run instead of the built-in set: one per line, either
    /// `QUERY` or `CLASS<TAB>QUERY` (`#` starts a comment line). Use
    /// `topic:name` in a query to filter by topic.
    #[arg(long, value_name = "FILE")]
    pub queries: Option<PathBuf>,

    /// Timed rounds over the whole query set.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..))]
    pub rounds: u32,

    /// Untimed warm-up rounds before.
    #[arg(long, default_value_t = 3)]
    pub warmup: u32,

    /// Hits fetched (and highlighted) per search, as `needle search --limit`.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,

    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,

    /// Benchmark the index as it is, without checking the content for changes.
    #[arg(long)]
    pub no_refresh: bool,
}

/// One query of the set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchQuery {
    pub class: String,
    pub query: String,
    pub topics: Vec<String>,
}

impl BenchQuery {
    fn new(class: &str, query: &str) -> Self {
        BenchQuery {
            class: class.to_owned(),
            query: query.to_owned(),
            topics: Vec::new(),
        }
    }
}

/// Words of the bundled article: the generated benchmark corpora
/// (`needle-corpus`) draw their vocabulary from it, so they hold them too.
const SINGLE: [&str; 8] = [
    "collagen",
    "skin",
    "sunscreen",
    "infection",
    "scarring",
    "needles",
    "pigmentation",
    "microneedling",
];
const TWO: [&str; 6] = [
    "collagen production",
    "acne scars",
    "skin texture",
    "side effects",
    "fine lines",
    "sun exposure",
];
const THREE: [&str; 5] = [
    "reduce acne scars",
    "collagen production skin",
    "sunscreen after treatment",
    "risk of infection",
    "healing process redness",
];
const PHRASES: [&str; 5] = [
    "\"acne scars\"",
    "\"side effects\"",
    "\"skin texture\"",
    "\"collagen production\"",
    "\"the skin\"",
];
const TYPOS: [&str; 6] = [
    "colagen",
    "sunscrean",
    "infektion",
    "pigmentaton",
    "microneedlign",
    "scaring",
];
/// Typed letter by letter: every prefix is a query, as the TUI sends them.
const TYPED: [&str; 3] = [
    "collagen production",
    "microneedling aftercare",
    "sunscreen",
];
const TOPIC_FILTERED: [(&str, &str); 5] = [
    ("infection", "side-effects"),
    ("cost", "cost"),
    ("skin", "benefits"),
    ("sunscreen", "aftercare"),
    ("painful", "faq"),
];

/// The built-in query set, by class.
#[must_use]
pub fn default_queries() -> Vec<BenchQuery> {
    let mut out = Vec::new();
    out.extend(SINGLE.iter().map(|q| BenchQuery::new("single word", q)));
    out.extend(TWO.iter().map(|q| BenchQuery::new("two words", q)));
    out.extend(THREE.iter().map(|q| BenchQuery::new("three words", q)));
    out.extend(PHRASES.iter().map(|q| BenchQuery::new("phrase", q)));
    out.extend(TYPOS.iter().map(|q| BenchQuery::new("typo", q)));
    for text in TYPED {
        for (i, _) in text.char_indices().skip(1) {
            out.push(BenchQuery::new("as-you-type", &text[..i]));
        }
        out.push(BenchQuery::new("as-you-type", text));
    }
    for (q, topic) in TOPIC_FILTERED {
        let mut bq = BenchQuery::new("topic-filtered", q);
        bq.topics.push(topic.to_owned());
        out.push(bq);
    }
    out
}

/// Reads a query file: `QUERY` or `CLASS<TAB>QUERY` per line.
pub fn parse_queries(text: &str) -> Vec<BenchQuery> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((class, q)) => BenchQuery::new(class.trim(), q),
            None => BenchQuery::new("custom", l),
        })
        .collect()
}

/// Latency figures of one class (or of all queries).
#[derive(Debug, Clone, Serialize)]
pub struct ClassFigures {
    pub class: String,
    /// Distinct queries of the class.
    pub queries: usize,
    /// Timed searches.
    pub samples: usize,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
    /// Searches per second, one at a time: samples / total time.
    pub qps: f64,
    /// Mean number of matching passages.
    pub mean_total: f64,
}

#[derive(Debug, Serialize)]
struct Report<'a> {
    content: &'a str,
    index: String,
    passages: u64,
    rounds: u32,
    warmup: u32,
    limit: u32,
    classes: Vec<ClassFigures>,
    all: ClassFigures,
    skipped: Vec<String>,
}

/// The nearest-rank `p`-th quantile (`p` in 0..=1) of samples sorted in
/// ascending order: the smallest sample that at least `p` of all samples
/// are at or below (zero when there are none). `needle bench` reports
/// these, and so does the keystroke benchmark, so that they compare.
///
/// ```
/// use std::time::Duration;
///
/// let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
/// assert_eq!(needle::percentile(&ms, 0.5), Duration::from_millis(50));
/// assert_eq!(needle::percentile(&ms, 0.99), Duration::from_millis(99));
/// assert_eq!(needle::percentile(&ms, 1.0), Duration::from_millis(100));
/// ```
#[must_use]
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[allow(clippy::cast_precision_loss)]
fn figures(
    class: &str,
    queries: usize,
    samples: &mut [Duration],
    totals: &[usize],
) -> ClassFigures {
    samples.sort_unstable();
    let sum: Duration = samples.iter().sum();
    let n = samples.len().max(1) as f64;
    ClassFigures {
        class: class.to_owned(),
        queries,
        samples: samples.len(),
        p50_ms: ms(percentile(samples, 0.50)),
        p95_ms: ms(percentile(samples, 0.95)),
        p99_ms: ms(percentile(samples, 0.99)),
        max_ms: ms(samples.last().copied().unwrap_or_default()),
        mean_ms: ms(sum) / n,
        qps: if sum.is_zero() {
            0.0
        } else {
            samples.len() as f64 / sum.as_secs_f64()
        },
        mean_total: totals.iter().sum::<usize>() as f64 / totals.len().max(1) as f64,
    }
}

pub fn run(content: &Resolved, args: &BenchArgs) -> Result<ExitCode> {
    let queries = match &args.queries {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("--queries {}: cannot be read", path.display()))?;
            let q = parse_queries(&text);
            if q.is_empty() {
                bail!("--queries {}: no queries in the file", path.display());
            }
            q
        }
        None => default_queries(),
    };
    let fresh = !content.index_dir.join("meta.json").exists();
    let index = open_index(&content.index_dir, false)?;
    if !args.no_refresh || fresh || index.passage_count() == 0 {
        refresh(&index, content)?;
    }
    let known: Vec<String> = index.topics()?.into_iter().map(|t| t.name).collect();
    let mut skipped = Vec::new();
    let queries: Vec<BenchQuery> = queries
        .into_iter()
        .filter(|q| {
            let missing: Vec<&String> = q.topics.iter().filter(|t| !known.contains(t)).collect();
            if missing.is_empty() {
                true
            } else {
                skipped.push(format!(
                    "{:?}: topic {:?} not in the index",
                    q.query, missing[0]
                ));
                false
            }
        })
        .collect();
    let request = |q: &BenchQuery| {
        SearchRequest::new(q.query.clone())
            .topics(q.topics.iter().cloned())
            .limit(args.limit as usize)
    };

    for _ in 0..args.warmup {
        for q in &queries {
            index.search(&request(q))?;
        }
    }
    // class -> (distinct queries, samples, totals), in first-seen order.
    let mut order: Vec<String> = Vec::new();
    let mut by_class: BTreeMap<String, (usize, Vec<Duration>, Vec<usize>)> = BTreeMap::new();
    for q in &queries {
        if !by_class.contains_key(&q.class) {
            order.push(q.class.clone());
        }
        by_class.entry(q.class.clone()).or_default().0 += 1;
    }
    let mut all = Vec::new();
    let mut all_totals = Vec::new();
    for _ in 0..args.rounds {
        for q in &queries {
            let req = request(q);
            let started = Instant::now();
            let results = index.search(&req)?;
            let took = started.elapsed();
            std::hint::black_box(&results);
            let entry = by_class.entry(q.class.clone()).or_default();
            entry.1.push(took);
            entry.2.push(results.total);
            all.push(took);
            all_totals.push(results.total);
        }
    }
    let classes: Vec<ClassFigures> = order
        .iter()
        .filter_map(|c| {
            let (n, samples, totals) = by_class.get_mut(c)?;
            Some(figures(c, *n, samples, totals))
        })
        .collect();
    let report = Report {
        content: &content.label,
        index: content.index_dir.display().to_string(),
        passages: index.passage_count(),
        rounds: args.rounds,
        warmup: args.warmup,
        limit: args.limit,
        all: figures("all", queries.len(), &mut all, &all_totals),
        classes,
        skipped,
    };
    let mut out = std::io::stdout().lock();
    if args.json {
        json_line(&mut out, &report)?;
    } else {
        print_table(&mut out, &report, &index)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn print_table(out: &mut impl Write, r: &Report<'_>, index: &NeedleIndex) -> Result<()> {
    writeln!(
        out,
        "needle bench: {} passages ({}), index {}",
        r.passages,
        r.content,
        index
            .dir()
            .map_or_else(|| r.index.clone(), |d| d.display().to_string())
    )?;
    writeln!(
        out,
        "{} timed rounds after {} warm-up rounds, top {} hits with highlights, one query at a time",
        r.rounds, r.warmup, r.limit
    )?;
    writeln!(
        out,
        "{:<16} {:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>9} {:>10}",
        "class", "queries", "samples", "p50 ms", "p95 ms", "p99 ms", "max ms", "QPS", "mean hits"
    )?;
    for c in r.classes.iter().chain(std::iter::once(&r.all)) {
        writeln!(
            out,
            "{:<16} {:>7} {:>7} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.0} {:>10.0}",
            c.class,
            c.queries,
            c.samples,
            c.p50_ms,
            c.p95_ms,
            c.p99_ms,
            c.max_ms,
            c.qps,
            c.mean_total
        )?;
    }
    for s in &r.skipped {
        writeln!(out, "skipped {s}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_set_covers_every_class_and_types_letter_by_letter() {
        let q = default_queries();
        for class in [
            "single word",
            "two words",
            "three words",
            "phrase",
            "typo",
            "as-you-type",
            "topic-filtered",
        ] {
            assert!(q.iter().any(|b| b.class == class), "{class}");
        }
        let typed: Vec<&str> = q
            .iter()
            .filter(|b| b.class == "as-you-type")
            .map(|b| b.query.as_str())
            .take(3)
            .collect();
        assert_eq!(typed, ["c", "co", "col"]);
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let s: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&s, 0.5), Duration::from_millis(50));
        assert_eq!(percentile(&s, 0.9), Duration::from_millis(90));
        assert_eq!(percentile(&s, 0.99), Duration::from_millis(99));
        assert_eq!(percentile(&s[..1], 0.99), Duration::from_millis(1));
        assert_eq!(percentile(&s[..3], 0.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 0.5), Duration::ZERO);
    }

    #[test]
    fn query_files_have_optional_classes() {
        let q = parse_queries("# comment\nskin\nphrase\t\"acne scars\"\n\n");
        assert_eq!(
            q,
            vec![
                BenchQuery::new("custom", "skin"),
                BenchQuery::new("phrase", "\"acne scars\"")
            ]
        );
    }
}
