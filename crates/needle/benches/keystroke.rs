//! Keystroke to frame: one key press in the terminal interface, the search it
//! triggers and the frame it draws, timed together.
//!
//! Run with `cargo bench -p needle --bench keystroke`. The target (issue
//! 4) is under 16 ms per keystroke at 100,000 passages: one frame at 60 Hz.
//!
//! What runs: [`needle::Headless`], the interface's own code on this
//! thread. The key goes through the key table to the state; the search it
//! queues runs synchronously through the function the worker's search
//! thread calls (`worker::run_search`: a first page of 24 hits with
//! highlights, see `Headless::page_size`, and the topic counts for the
//! tabs; further pages load only as the selection nears the end of the
//! list); the frame is drawn into a 100x30 ratatui `TestBackend` that keeps
//! the previous frame, so the draw diffs against it as on a real terminal.
//! Not timed: the two channel hops to the worker thread and back
//! (microseconds), and writing the frame's escape codes to a terminal.
//!
//! Corpora, each indexed on disk in a temporary directory at start (the
//! timing starts once the index's background merges are done): the
//! bundled article (`content/` at the repository root, 24 passages) and a
//! generated corpus (`needle_bench::corpus`, seed 1) of 100,000 passages, or
//! `NEEDLE_BENCH_PASSAGES` (indexing 100,000 takes 15 to 30 s on 2 cores).
//!
//! The benchmarks type `collagen induction` letter by letter: the benchmark
//! `keystroke_to_frame/<corpus>/type/<query>` is the key that makes `<query>`
//! out of the query one letter shorter; `.../backspace/<query>` is Backspace
//! from `<query>`. Before them, two tables go to standard error: each step's
//! split (key, search, draw; medians of several runs of the phrase), then,
//! apart from the keystroke figures, Ctrl-End after the Backspace, which
//! loads the next page (its "search" is `worker::run_page`); and where the
//! search's time goes (the same query asked of the library with the
//! interface's first page of 24 hits and its topic counts, with 200 hits as
//! before the interface paged, 50 as before its page was three screens,
//! and 10; with 10 without the counts; and the next page of 24 without
//! them).

use std::hint::black_box;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use needle::Headless;
use needle_bench::corpus;
use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};

/// Typed letter by letter: a common word, then a rarer one after a space.
const PHRASE: &str = "collagen induction";
const WIDTH: u16 = 100;
const HEIGHT: u16 = 30;

fn passages() -> usize {
    needle_bench::passages_from_env(100_000)
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// An index in a temporary directory, and what it was built from.
struct Corpus {
    name: String,
    index: Arc<NeedleIndex>,
    ui: Headless,
    _content: Option<tempfile::TempDir>,
    _index: tempfile::TempDir,
}

fn index(content: &Path) -> (Arc<NeedleIndex>, tempfile::TempDir, u64, f64) {
    let dir = tempfile::tempdir().unwrap();
    let index = NeedleIndex::open(dir.path()).unwrap();
    let source = ContentSource::Path(content.to_owned());
    let report = index.reindex(&source, &ReindexOptions::default()).unwrap();
    // The writer's merges of a fresh index go on after the commit: timed
    // beside them, keystrokes share the cores with them (and the segments
    // change under them). Wait for them, and search what they made.
    index.close().unwrap();
    index.reload().unwrap();
    (Arc::new(index), dir, report.passages, report.took_ms)
}

fn bundled() -> Corpus {
    let content = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../content");
    let (index, dir, n, _) = index(&content);
    assert_eq!(n, 24, "the bundled article's passages");
    Corpus {
        name: "bundled".to_owned(),
        ui: Headless::new(Arc::clone(&index), "the bundled article", WIDTH, HEIGHT),
        index,
        _content: None,
        _index: dir,
    }
}

fn generated(n: usize) -> Corpus {
    let content = tempfile::tempdir().unwrap();
    let started = Instant::now();
    corpus::generate(n, 1, content.path()).unwrap();
    let generating = started.elapsed();
    let (index, dir, indexed, took_ms) = index(content.path());
    assert_eq!(indexed, n as u64);
    eprintln!(
        "generated {n} passages in {:.1} s, indexed them in {:.1} s",
        generating.as_secs_f64(),
        took_ms / 1000.0
    );
    Corpus {
        name: n.to_string(),
        ui: Headless::new(Arc::clone(&index), "generated corpus", WIDTH, HEIGHT),
        index,
        _content: Some(content),
        _index: dir,
    }
}

/// One step's times.
#[derive(Default, Clone)]
struct Split {
    key: Vec<Duration>,
    search: Vec<Duration>,
    draw: Vec<Duration>,
}

impl Split {
    fn time(&mut self, ui: &mut Headless, k: KeyEvent) {
        let t0 = Instant::now();
        ui.press(k);
        let t1 = Instant::now();
        ui.search();
        let t2 = Instant::now();
        ui.draw();
        let t3 = Instant::now();
        self.key.push(t1 - t0);
        self.search.push(t2 - t1);
        self.draw.push(t3 - t2);
    }

    fn totals(&self) -> Vec<Duration> {
        (0..self.key.len())
            .map(|i| self.key[i] + self.search[i] + self.draw[i])
            .collect()
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The nearest-rank quantile, as `needle bench` reports them.
fn quantile(v: &[Duration], q: f64) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    needle::percentile(&v, q)
}

/// Types the phrase `runs` times (and a Backspace after it), timing each
/// step's parts, and prints the medians.
fn split(c: &mut Corpus, runs: usize) {
    let steps = PHRASE.chars().count();
    let mut typed = vec![Split::default(); steps];
    let mut back = Split::default();
    let mut more = Split::default();
    let mut hits = vec![(0, None); steps + 2];
    for _ in 0..runs {
        for (i, ch) in PHRASE.chars().enumerate() {
            typed[i].time(&mut c.ui, key(KeyCode::Char(ch)));
            hits[i] = (c.ui.hits(), c.ui.total());
        }
        back.time(&mut c.ui, key(KeyCode::Backspace));
        hits[steps] = (c.ui.hits(), c.ui.total());
        // To the last hit loaded: the next page loads, when there is one.
        more.time(
            &mut c.ui,
            KeyEvent::new(KeyCode::End, KeyModifiers::CONTROL),
        );
        hits[steps + 1] = (c.ui.hits(), c.ui.total());
        c.ui.keystroke(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
        assert_eq!(c.ui.query(), "");
    }
    eprintln!(
        "\nkeystroke to frame, {} passages ({}x{}): medians of {runs} runs, ms",
        c.name, WIDTH, HEIGHT
    );
    eprintln!(
        "{:<34} {:>9} {:>7} {:>7} {:>8} {:>7} {:>7} {:>7}",
        "query after the key", "matching", "loaded", "key", "search", "draw", "total", "max"
    );
    let mut all = Vec::new();
    let row = |all: &mut Vec<Duration>,
               label: String,
               s: &Split,
               (loaded, total): (usize, Option<usize>)| {
        let totals = s.totals();
        all.extend(totals.iter().copied());
        eprintln!(
            "{:<34} {:>9} {:>7} {:>7.3} {:>8.3} {:>7.3} {:>7.3} {:>7.3}",
            label,
            total.map_or_else(|| "-".to_owned(), |t| t.to_string()),
            loaded,
            ms(quantile(&s.key, 0.5)),
            ms(quantile(&s.search, 0.5)),
            ms(quantile(&s.draw, 0.5)),
            ms(quantile(&totals, 0.5)),
            ms(quantile(&totals, 1.0)),
        );
    };
    for (i, s) in typed.iter().enumerate() {
        let query: String = PHRASE.chars().take(i + 1).collect();
        row(&mut all, format!("{query:?}"), s, hits[i]);
    }
    let after: String = PHRASE.chars().take(steps - 1).collect();
    row(
        &mut all,
        format!("{after:?} (Backspace)"),
        &back,
        hits[steps],
    );
    eprintln!(
        "all {} keystrokes: p50 {:.3}, p90 {:.3}, p99 {:.3}, max {:.3} ms",
        all.len(),
        ms(quantile(&all, 0.5)),
        ms(quantile(&all, 0.9)),
        ms(quantile(&all, 0.99)),
        ms(quantile(&all, 1.0)),
    );
    // Not a search: the next page of the same one (its "search" is the
    // page's), so not in the figures above.
    row(
        &mut Vec::new(),
        format!("{after:?} (Ctrl-End)"),
        &more,
        hits[steps + 1],
    );
    eprintln!();
}

/// Where a search's time goes: each prefix asked of the library as the
/// interface asks it (its page of hits with highlights, and the topic
/// counts), with other page sizes (200: the interface's before it paged;
/// 50: before its first page was three screens),
/// without the counts, and the interface's next page (the hits after the
/// first page, without the counts), which the worker runs when the
/// selection nears the end of the list.
fn library(c: &Corpus, runs: usize) {
    let page = c.ui.page_size();
    let tui = format!("{page}+counts (TUI)");
    let next = format!("next {page} (TUI)");
    let shapes: Vec<(&str, usize, usize, bool)> = vec![
        ("200+counts", 200, 0, true),
        (tui.as_str(), page, 0, true),
        ("50+counts", 50, 0, true),
        ("10+counts", 10, 0, true),
        ("10", 10, 0, false),
        (next.as_str(), page, page, false),
    ];
    eprintln!(
        "where the search goes, {} passages: library `search` medians of {runs} runs, ms",
        c.name
    );
    let mut header = format!("{:<22}", "query");
    for (name, _, _, _) in &shapes {
        header.push_str(&format!(" {name:>17}"));
    }
    eprintln!("{header}");
    let mut query = String::new();
    for ch in PHRASE.chars() {
        query.push(ch);
        let mut line = format!("{:<22}", format!("{query:?}"));
        for &(_, limit, offset, counts) in &shapes {
            let request = SearchRequest::new(query.as_str())
                .limit(limit)
                .offset(offset)
                .count_topics(counts);
            let times: Vec<Duration> = (0..runs)
                .map(|_| {
                    let t = Instant::now();
                    black_box(c.index.search(&request).unwrap());
                    t.elapsed()
                })
                .collect();
            line.push_str(&format!(" {:>17.3}", ms(quantile(&times, 0.5))));
        }
        eprintln!("{line}");
    }
    eprintln!();
}

/// Criterion benchmarks of each step: the state before each timed key is
/// the previous step's, reached by real keystrokes (not timed).
fn steps(crit: &mut Criterion, c: &mut Corpus, flat: bool) {
    let mut g = crit.benchmark_group(format!("keystroke_to_frame/{}", c.name));
    if flat {
        // Milliseconds per iteration: the same number of iterations in
        // every sample instead of a linear ramp that would take minutes.
        g.sampling_mode(SamplingMode::Flat);
    }
    let ui = &mut c.ui;
    ui.keystroke(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for ch in PHRASE.chars() {
        let query = format!("{}{ch}", ui.query());
        g.bench_function(BenchmarkId::new("type", &query), |b| {
            b.iter_custom(|iters| {
                let mut timed = Duration::ZERO;
                for _ in 0..iters {
                    let t = Instant::now();
                    ui.keystroke(black_box(key(KeyCode::Char(ch))));
                    timed += t.elapsed();
                    // Back to the step's start (not timed).
                    ui.keystroke(key(KeyCode::Backspace));
                }
                timed
            });
        });
        ui.keystroke(key(KeyCode::Char(ch)));
        assert_eq!(ui.query(), query);
    }
    let last = PHRASE.chars().last().unwrap();
    g.bench_function(BenchmarkId::new("backspace", PHRASE), |b| {
        b.iter_custom(|iters| {
            let mut timed = Duration::ZERO;
            for _ in 0..iters {
                let t = Instant::now();
                ui.keystroke(black_box(key(KeyCode::Backspace)));
                timed += t.elapsed();
                ui.keystroke(key(KeyCode::Char(last)));
            }
            timed
        });
    });
    g.finish();
}

fn keystroke_to_frame(crit: &mut Criterion) {
    let mut small = bundled();
    split(&mut small, 200);
    library(&small, 200);
    steps(crit, &mut small, false);
    drop(small);

    let mut large = generated(passages());
    split(&mut large, 10);
    library(&large, 5);
    steps(crit, &mut large, true);
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = config();
    targets = keystroke_to_frame
}
criterion_main!(benches);
