//! Reliability: `needle index` killed mid-reindex, searches in threads and
//! processes while reindexes commit, a second writer, `watch` sharing the
//! index with the command line.
//!
//! Each test has a short bounded form that `cargo test` runs; `just soak`
//! runs the `#[ignore]`d long forms (sizes from `NEEDLE_SOAK_*` variables).
//! RELIABILITY.md records what was run and what came out.
//!
//! Long (over 600 lines): each scenario needs its own process choreography
//! (kill points, lock holders, watchers), kept beside its soak form.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use needle_index::{ContentSource, NeedleIndex, ReindexOptions, SearchRequest};

use crate::util::{Run, Sandbox, lines_of};

/// A small deterministic random number generator (splitmix64): the same
/// seed gives the same corpus, edits and kill moments on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// True with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A number from the environment (for the soak versions), or `default`.
fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------
// Crash safety

/// How many sections article `n` has at `version` (so that an update also
/// changes the number of passages).
fn sections(n: usize, version: u32) -> usize {
    1 + (n + version as usize) % 4
}

/// Article `n` at `version`: an introduction and `sections(n, version)`
/// sections, one passage each, every passage carrying `artN` and `verV`.
fn article_text(n: usize, version: u32) -> String {
    let mut s = format!("# Article {n}\n\nIntroduction of art{n} at ver{version}.\n");
    for k in 0..sections(n, version) {
        s.push_str(&format!(
            "\n## Part {k}\n\nPart {k} of art{n} at ver{version}, about sunscreen.\n"
        ));
    }
    s
}

fn article_rel(n: usize) -> String {
    format!("part{:02}/a{n:05}.md", n % 20)
}

/// The generated corpus: article number -> version, for the articles that exist.
struct Corpus {
    articles: BTreeMap<usize, u32>,
    next: usize,
}

impl Corpus {
    fn create(s: &Sandbox, files: usize) -> Self {
        for n in 0..files {
            s.write(&article_rel(n), &article_text(n, 0));
        }
        Corpus {
            articles: (0..files).map(|n| (n, 0)).collect(),
            next: files,
        }
    }

    /// One round of edits: about a third of the articles rewritten (a new
    /// version, often a different number of passages), a few deleted, a few added.
    fn edit(&mut self, s: &Sandbox, rng: &mut Rng, round: u32) {
        let ids: Vec<usize> = self.articles.keys().copied().collect();
        for n in ids {
            if rng.chance(3) {
                std::fs::remove_file(s.content().join(article_rel(n))).unwrap();
                self.articles.remove(&n);
            } else if rng.chance(33) {
                s.write(&article_rel(n), &article_text(n, round));
                self.articles.insert(n, round);
            }
        }
        let add = 1 + self.articles.len() / 50;
        for _ in 0..add {
            let n = self.next;
            self.next += 1;
            s.write(&article_rel(n), &article_text(n, round));
            self.articles.insert(n, round);
        }
    }

    fn passage_count(&self) -> usize {
        self.articles
            .iter()
            .map(|(&n, &v)| 1 + sections(n, v))
            .sum()
    }
}

/// What an index holds: passage id -> text, and the manifest's articles
/// (id -> passage count) of the same commit.
#[derive(Debug, PartialEq, Eq)]
struct State {
    passages: BTreeMap<String, String>,
    articles: BTreeMap<String, u32>,
}

/// Opens the index as a new needle process would and reads everything it
/// holds, checking that the passages and the manifest agree: no passage
/// twice, none missing, none of an article the manifest does not list.
fn observe(dir: &Path) -> State {
    let index = NeedleIndex::open(dir)
        .unwrap_or_else(|e| panic!("the index does not open after a kill: {e}"));
    let count = usize::try_from(index.passage_count()).unwrap();
    let all = index
        .search(&SearchRequest::new("").limit(count.max(1)))
        .unwrap();
    assert_eq!(all.total, count, "browsing returns every passage");
    let mut passages = BTreeMap::new();
    let mut per_article: BTreeMap<String, u32> = BTreeMap::new();
    for hit in &all.hits {
        let p = &hit.passage;
        assert!(
            passages.insert(p.id.clone(), p.text.clone()).is_none(),
            "passage {} is in the index twice",
            p.id
        );
        *per_article.entry(p.article.clone()).or_default() += 1;
    }
    let articles: BTreeMap<String, u32> = index
        .articles()
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a.passages))
        .collect();
    assert_eq!(
        per_article, articles,
        "the passages in the index are not those of the commit's manifest"
    );
    State { passages, articles }
}

/// Checks a completed state against the corpus: every article present with
/// all its passages, at its current version, and nothing else.
fn assert_matches_corpus(state: &State, corpus: &Corpus) {
    assert_eq!(state.passages.len(), corpus.passage_count());
    let want: BTreeMap<String, u32> = corpus
        .articles
        .iter()
        .map(|(&n, &v)| {
            let rel = article_rel(n);
            let id = rel.trim_end_matches(".md").to_owned();
            (id, u32::try_from(1 + sections(n, v)).unwrap())
        })
        .collect();
    assert_eq!(state.articles, want);
    for (id, text) in &state.passages {
        let article: usize = id[id.find("/a").unwrap() + 2..id.find('#').unwrap()]
            .parse()
            .unwrap();
        let version = corpus.articles[&article];
        assert!(
            text.contains(&format!("art{article} at ver{version}")),
            "{id} is not at version {version}: {text:?}"
        );
    }
}

struct CrashStats {
    kills: usize,
    before_commit: usize,
    after_commit: usize,
    exited_first: usize,
}

/// Edits the corpus, kills `needle index` at random moments (one to three
/// times per round, without completing in between), checks the state after
/// every kill, then lets `needle index` complete and checks it again.
fn crash_safety(files: usize, rounds: u32, seed: u64) -> CrashStats {
    let s = Sandbox::new();
    let mut rng = Rng::new(seed);
    let mut corpus = Corpus::create(&s, files);
    let started = Instant::now();
    s.run(&["index"]).code(0);
    let full = started.elapsed();
    let mut before = observe(&s.index());
    assert_matches_corpus(&before, &corpus);

    let mut stats = CrashStats {
        kills: 0,
        before_commit: 0,
        after_commit: 0,
        exited_first: 0,
    };
    // Kill moments are drawn below this; it shrinks when a kill came after
    // the process had finished, and grows when it came before.
    // A round rewrites about a third of the articles: start at a third.
    let mut max_delay_ms = (u64::try_from(full.as_millis()).unwrap() / 3).max(50);
    let content = s.content();
    for round in 1..=rounds {
        corpus.edit(&s, &mut rng, round);
        let mut killed_states = Vec::new();
        for _ in 0..=rng.below(3) {
            let mut child = s
                .cmd(&["--content", content.to_str().unwrap(), "index"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(Duration::from_millis(rng.below(max_delay_ms)));
            if child.try_wait().unwrap().is_some() {
                stats.exited_first += 1;
                max_delay_ms = (max_delay_ms * 2 / 3).max(20);
            } else {
                max_delay_ms = max_delay_ms * 11 / 10;
            }
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            stats.kills += 1;
            let state = observe(&s.index());
            if state == before {
                stats.before_commit += 1;
            } else {
                killed_states.push(state);
            }
        }
        let done = s.run(&["index", "--json"]).code(0).json();
        assert!(done["issues"].as_array().unwrap().is_empty(), "{done}");
        let after = observe(&s.index());
        assert_matches_corpus(&after, &corpus);
        for state in killed_states {
            // Not the last completed commit: then it must be the new one.
            assert!(
                state == after,
                "after a kill the index held a state that is neither the last commit nor the next"
            );
            stats.after_commit += 1;
        }
        before = after;
    }
    // The command line agrees with what the library saw.
    let v = s
        .run(&[
            "search",
            "--json",
            "--no-refresh",
            "--limit",
            "5",
            "sunscreen",
        ])
        .code(0)
        .json();
    assert_eq!(v["total"], corpus.passage_count() - corpus.articles.len());
    stats
}

fn report_crash(stats: &CrashStats, files: usize, rounds: u32) {
    eprintln!(
        "crash safety: {files} files, {rounds} rounds, {} kills ({} before the commit, {} after it, {} after the process had exited); every state consistent",
        stats.kills, stats.before_commit, stats.after_commit, stats.exited_first
    );
}

/// Guards: a SIGKILL at any moment of a reindex leaves the index at the last
/// completed commit (exactly its passages, no duplicates, the manifest
/// agreeing), and the next `needle index` completes the work.
#[test]
fn killed_reindex_leaves_the_last_commit_and_the_next_completes_it() {
    let (files, rounds) = (1500, 4);
    let stats = crash_safety(files, rounds, 7);
    report_crash(&stats, files, rounds);
    assert!(stats.kills >= rounds as usize);
}

/// The long form: `just soak` (NEEDLE_SOAK_FILES, NEEDLE_SOAK_ROUNDS).
#[test]
#[ignore = "soak test: run with `just soak`"]
fn soak_killed_reindex() {
    let files = env_usize("NEEDLE_SOAK_FILES", 20_000);
    let rounds = u32::try_from(env_usize("NEEDLE_SOAK_ROUNDS", 40)).unwrap();
    let stats = crash_safety(files, rounds, 1234);
    report_crash(&stats, files, rounds);
}

// ---------------------------------------------------------------------------
// Concurrency

/// Passages of the marked article at `version` (it changes with the version).
fn marked_passages(version: u32) -> usize {
    3 + version as usize % 4
}

fn marked_text(version: u32) -> String {
    let mut s = String::from("# Marked\n");
    for k in 0..marked_passages(version) {
        s.push_str(&format!(
            "\n## Section {k}\n\nZebraquark ver{version} passage {k}.\n"
        ));
    }
    s
}

/// The version every hit carries, checking that all hits carry the same one
/// and that the article is whole at that version.
fn check_marked(texts: &[String], total: usize) -> Result<u32, String> {
    let versions: BTreeSet<u32> = texts
        .iter()
        .map(|t| {
            let at = t.find(" ver").expect("marker") + 4;
            let digits: String = t[at..].chars().take_while(char::is_ascii_digit).collect();
            digits.parse().unwrap()
        })
        .collect();
    let [version] = versions.iter().copied().collect::<Vec<_>>()[..] else {
        return Err(format!("a search saw a half-applied article: {texts:?}"));
    };
    if total != marked_passages(version) || texts.len() != total {
        return Err(format!(
            "version {version} should have {} passages, a search saw {total}: {texts:?}",
            marked_passages(version)
        ));
    }
    Ok(version)
}

#[derive(Default)]
struct Seen {
    checks: AtomicUsize,
    failures: std::sync::Mutex<Vec<String>>,
    versions: std::sync::Mutex<BTreeSet<u32>>,
}

impl Seen {
    fn record(&self, r: Result<u32, String>) {
        self.checks.fetch_add(1, Ordering::Relaxed);
        match r {
            Ok(v) => {
                self.versions.lock().unwrap().insert(v);
            }
            Err(e) => self.failures.lock().unwrap().push(e),
        }
    }
}

fn texts_of(v: &serde_json::Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap().to_owned())
        .collect()
}

/// Runs `needle index` until it succeeds, counting how often another
/// process (a searching `needle` refreshing the index) held the writer.
fn index_until_done(s: &Sandbox, locked: &mut usize) {
    loop {
        let r = s.run(&["index"]);
        if r.code == 0 {
            return;
        }
        assert_eq!(r.code, 2, "{r:?}");
        assert!(
            r.stderr.contains("being updated by another needle process"),
            "{}",
            r.stderr
        );
        *locked += 1;
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Reindexes `versions` times in other processes while searches run in two
/// threads (the library), in a batch `needle search` process and in
/// refreshing `needle search` processes. Returns what the searchers saw.
fn concurrent_searches(versions: u32, filler: usize) -> (Arc<Seen>, usize, usize) {
    let s = Sandbox::new();
    for n in 0..filler {
        s.write(&format!("filler/f{n}.md"), &article_text(n, 0));
    }
    s.write("marked.md", &marked_text(0));
    s.run(&["index"]).code(0);

    let seen = Arc::new(Seen::default());
    let stop = Arc::new(AtomicBool::new(false));
    let mut threads = Vec::new();

    // Searches in threads of this process, through the library.
    let index = Arc::new(NeedleIndex::open(s.index()).unwrap());
    for _ in 0..2 {
        let (index, seen, stop) = (Arc::clone(&index), Arc::clone(&seen), Arc::clone(&stop));
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let r = index
                    .search(&SearchRequest::new("zebraquark").limit(50))
                    .map_err(|e| format!("a search failed: {e}"))
                    .and_then(|res| {
                        let texts: Vec<String> =
                            res.hits.iter().map(|h| h.passage.text.clone()).collect();
                        check_marked(&texts, res.total)
                    });
                seen.record(r);
            }
        }));
    }

    // A long-running search process, one query per line, no refresh.
    let mut batch = s.spawn_batch(&["--no-refresh", "--limit", "50"]);
    let mut batch_in = batch.stdin.take().unwrap();
    {
        let stop = Arc::clone(&stop);
        threads.push(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                if batch_in.write_all(b"zebraquark\n").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        }));
    }
    let batch_out = batch.stdout.take().unwrap();
    let batch_reader = {
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            for line in BufReader::new(batch_out).lines() {
                let line = line.unwrap();
                let v: serde_json::Value = serde_json::from_str(&line).unwrap();
                let total = usize::try_from(v["total"].as_u64().unwrap()).unwrap();
                seen.record(check_marked(&texts_of(&v), total));
            }
        })
    };

    // Searches in new processes, each refreshing the index first (taking
    // the writer when it is free): they must never fail.
    let refreshing = {
        let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
        let content = s.content().to_str().unwrap().to_owned();
        let search = s.cmd(&[
            "--content",
            &content,
            "search",
            "--json",
            "--limit",
            "50",
            "zebraquark",
        ]);
        let (program, dir) = (search.get_program().to_owned(), s.root.path().join("work"));
        let args: Vec<_> = search.get_args().map(ToOwned::to_owned).collect();
        let (index_dir, home) = (s.index(), s.home());
        std::thread::spawn(move || {
            let mut runs = 0;
            while !stop.load(Ordering::Relaxed) {
                let out = crate::util::isolate(&mut std::process::Command::new(&program), &home)
                    .current_dir(&dir)
                    .env("NEEDLE_INDEX", &index_dir)
                    .args(&args)
                    .stdin(Stdio::null())
                    .output()
                    .unwrap();
                let r = Run::from(out);
                runs += 1;
                if r.code != 0 {
                    seen.record(Err(format!("a refreshing search failed: {r:?}")));
                    continue;
                }
                let v = r.json();
                let total = usize::try_from(v["total"].as_u64().unwrap()).unwrap();
                seen.record(check_marked(&texts_of(&v), total));
            }
            runs
        })
    };

    let mut locked = 0;
    for version in 1..=versions {
        std::thread::sleep(Duration::from_millis(20));
        // Saved atomically: what is checked is the index's atomicity; a
        // file written in place can be read half written by any reader
        // (the next refresh reads it again).
        s.write_atomically("marked.md", &marked_text(version));
        index_until_done(&s, &mut locked);
    }
    // Let the searchers see the last version before stopping.
    std::thread::sleep(Duration::from_millis(800));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().unwrap();
    }
    let refreshing_runs = refreshing.join().unwrap();
    let status = batch.wait().unwrap();
    batch_reader.join().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut batch.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "batch search failed: {status}: {err}");
    let v = s
        .run(&["search", "--json", "--no-refresh", "zebraquark"])
        .code(0)
        .json();
    let total = usize::try_from(v["total"].as_u64().unwrap()).unwrap();
    assert_eq!(check_marked(&texts_of(&v), total), Ok(versions));
    (seen, locked, refreshing_runs)
}

fn report_concurrency(seen: &Seen, locked: usize, refreshing: usize, versions: u32) {
    let failures = seen.failures.lock().unwrap();
    eprintln!(
        "concurrency: {versions} reindexes, {} searches checked ({refreshing} in refreshing processes), {} distinct versions seen, writer busy {locked} times, {} failures",
        seen.checks.load(Ordering::Relaxed),
        seen.versions.lock().unwrap().len(),
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{:#?}",
        &failures[..failures.len().min(5)]
    );
    assert!(seen.checks.load(Ordering::Relaxed) > 0);
}

/// Guards: no search, in a thread or another process, ever fails or sees
/// an article half replaced while reindexes commit.
#[test]
fn searches_never_see_a_half_applied_article() {
    let versions = 12;
    let (seen, locked, refreshing) = concurrent_searches(versions, 300);
    report_concurrency(&seen, locked, refreshing, versions);
}

/// The long form: `just soak` (NEEDLE_SOAK_VERSIONS).
#[test]
#[ignore = "soak test: run with `just soak`"]
fn soak_concurrent_searches() {
    let versions = u32::try_from(env_usize("NEEDLE_SOAK_VERSIONS", 400)).unwrap();
    let (seen, locked, refreshing) = concurrent_searches(versions, 3000);
    report_concurrency(&seen, locked, refreshing, versions);
}

// ---------------------------------------------------------------------------
// One writer at a time

const NOTE: &str = "# Note\n\n## Aftercare\n\nWear sunscreen with SPF 30.\n";

/// Guards: while another process holds the writer, `needle index` (with or
/// without --force) exits 2 with the "being updated by another needle
/// process" message and changes nothing; searches and listings still work,
/// with a warning; once the writer is released, `needle index` works.
#[test]
fn a_second_writer_gets_a_clear_error_and_exit_2() {
    let s = Sandbox::new();
    s.write("note.md", NOTE);
    s.run(&["index"]).code(0);
    // This test process holds the writer, through the library, as `watch`
    // and the interface do.
    let holder = NeedleIndex::open(s.index()).unwrap();
    s.write("more.md", "# More\n\nZebraquark here.\n");
    let report = holder
        .reindex(
            &ContentSource::Path(s.content()),
            &ReindexOptions::default(),
        )
        .unwrap();
    assert_eq!(report.added, 1);
    s.write("third.md", "# Third\n\nQuokka there.\n");
    for args in [&["index"][..], &["index", "--force"], &["index", "--json"]] {
        let r = s.run(args);
        r.code(2);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
        assert!(
            r.stderr
                .contains("is being updated by another needle process: wait for it to finish"),
            "{args:?}: {}",
            r.stderr
        );
        assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    }
    let r = s.run(&["search", "zebraquark"]);
    r.code(0);
    assert!(
        r.stderr.contains("the index was not refreshed"),
        "{}",
        r.stderr
    );
    // The refused reindex changed nothing: the third file is not in yet.
    s.run(&["search", "--no-refresh", "quokka"]).code(1);
    s.run(&["articles"]).code(0);
    s.run(&["topics"]).code(0);
    holder.close().unwrap();
    drop(holder);
    s.run(&["index"]).code(0);
    s.run(&["search", "--no-refresh", "quokka"]).code(0);
}

fn wait_line(rx: &mpsc::Receiver<String>, want: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line.contains(want) => return line,
            Ok(_) => {}
            Err(_) => panic!("no line containing {want:?} within a minute"),
        }
    }
}

struct Watch {
    child: Child,
    out: mpsc::Receiver<String>,
    err: mpsc::Receiver<String>,
}

fn start_watch(s: &Sandbox) -> Watch {
    let content = s.content();
    let mut child = s
        .cmd(&["--content", content.to_str().unwrap(), "watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = lines_of(child.stdout.take().unwrap());
    let err = lines_of(child.stderr.take().unwrap());
    Watch { child, out, err }
}

/// Guards: `needle watch` and command-line reindexes share one index
/// without corrupting it. A watch that starts while another process writes
/// reports the lock and keeps watching; while watch holds the writer,
/// `needle index` exits 2 and searches see watch's commits; after watch is
/// killed (SIGKILL), `needle index` completes and the index matches the content.
#[test]
fn watch_and_command_line_reindexes_share_the_index() {
    let s = Sandbox::new();
    s.write("note.md", NOTE);
    s.run(&["index"]).code(0);

    // A forced reindex takes the writer (one with nothing to do would not),
    // and the index keeps it until closed.
    let holder = NeedleIndex::open(s.index()).unwrap();
    holder
        .reindex(&ContentSource::Path(s.content()), &ReindexOptions::forced())
        .unwrap();
    // A change watch must index, while another process holds the writer.
    s.write("note.md", &NOTE.replace("SPF 30", "SPF 50"));
    let mut watch = start_watch(&s);
    let line = wait_line(&watch.err, "reindex failed");
    assert!(
        line.contains("being updated by another needle process"),
        "{line}"
    );
    wait_line(&watch.err, "watching");
    holder.close().unwrap();
    drop(holder);

    let rounds = 5;
    for round in 0..rounds {
        s.write(
            &format!("w{round}.md"),
            &format!("# W{round}\n\nWombat{round} lives here.\n"),
        );
        let line = wait_line(&watch.out, "\"committed\":true");
        assert!(line.contains("\"added\":1"), "{line}");
        // Watch holds the writer: a reindex with work to do is refused.
        let r = s.run(&["index", "--force"]);
        r.code(2);
        assert!(
            r.stderr.contains("being updated by another needle process"),
            "{}",
            r.stderr
        );
        let found = s
            .run(&[
                "search",
                "--json",
                "--no-refresh",
                &format!("wombat{round}"),
            ])
            .code(0)
            .json();
        assert_eq!(found["hits"][0]["article"], format!("w{round}"));
        // With nothing left to index, a refreshing search needs no writer.
        let r = s.run(&["search", "sunscreen"]);
        r.code(0);
        assert!(r.stderr.is_empty(), "{}", r.stderr);
    }
    // An edit watch may or may not have committed when it is killed.
    s.write("late.md", "# Late\n\nLaggard words.\n");
    std::thread::sleep(Duration::from_millis(100));
    watch.child.kill().unwrap();
    watch.child.wait().unwrap();
    let report = s.run(&["index", "--json"]).code(0).json();
    assert!(report["issues"].as_array().unwrap().is_empty(), "{report}");
    let state = observe(&s.index());
    let ids: Vec<&str> = state.articles.keys().map(String::as_str).collect();
    assert_eq!(ids, ["late", "note", "w0", "w1", "w2", "w3", "w4"]);
    assert_eq!(state.passages.len(), 7);
    s.run(&["search", "--no-refresh", "laggard"]).code(0);
}

/// Guards: the files a writer killed just before replacing `meta.json`
/// leaves behind (new segments, deletes files, `.managed.json`) do not stop
/// the next reindex. It failed with `FileAlreadyExists("<segment>.<opstamp>.del")`:
/// the next writer repeats the same operation numbers, so it wants the same
/// deletes-file name.
#[test]
fn files_left_by_a_killed_commit_do_not_block_the_next_reindex() {
    let s = Sandbox::new();
    for n in 0..20 {
        s.write(&article_rel(n), &article_text(n, 0));
    }
    s.run(&["index"]).code(0);
    let before = observe(&s.index());
    // The same reindex, completed in a copy of the index.
    let copy = s.root.path().join("copy");
    let copy_dir = |from: &Path, to: &Path, meta: bool| {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap();
            if meta || name != "meta.json" {
                std::fs::copy(&path, to.join(name)).unwrap();
            }
        }
    };
    copy_dir(&s.index(), &copy, true);
    for n in 0..10 {
        s.write(&article_rel(n), &article_text(n, 1));
    }
    let content = s.content();
    let r = Run::from(
        s.cmd(&["--content", content.to_str().unwrap(), "--index"])
            .arg(&copy)
            .arg("index")
            .output()
            .unwrap(),
    );
    r.code(0);
    // Everything that commit wrote except meta.json: a writer killed just
    // before the atomic rename leaves exactly this.
    copy_dir(&copy, &s.index(), false);
    assert_eq!(observe(&s.index()), before, "the last commit still holds");
    let r = s.run(&["index", "--json"]);
    r.code(0);
    assert_eq!(r.json()["updated"], 10);
    assert_eq!(observe(&s.index()), observe(&copy));
}
