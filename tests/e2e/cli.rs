//! The command line: index, search (text, JSON, batch), topics, articles,
//! watch, exit codes and error messages.
//!
//! Long (over 600 lines) because it is the command line's contract, one
//! short test per promise, sharing one sandbox builder.

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::util::{Run, Sandbox, lines_of, needle_command, repo_root};

const CARE: &str = "# Skin care\n\n## Aftercare\n\nWear sunscreen with SPF 30 after every session.\n\n## Cost\n\nA session costs about $200.\n";
const RISKS: &str =
    "# Risks\n\n## Potential Risks\n\nInfection and redness are possible side effects.\n";

fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.write("care.md", CARE);
    s.write("guides/risks.md", RISKS);
    s.write(
        "topics.toml",
        "[[topic]]\nname = \"aftercare\"\nheadings = [\"aftercare\"]\n[[topic]]\nname = \"cost\"\nheadings = [\"cost\"]\n[[topic]]\nname = \"side-effects\"\nlabel = \"Side effects\"\nheadings = [\"risk\"]\n",
    );
    s
}

#[test]
fn index_then_search() {
    let s = sandbox();
    let r = s.run(&["index"]);
    r.code(0);
    assert!(
        r.stdout
            .contains("2 added, 0 updated, 0 removed, 0 unchanged; 3 passages"),
        "{}",
        r.stdout
    );
    let again = s.run(&["index"]);
    assert!(
        again
            .stdout
            .contains("0 added, 0 updated, 0 removed, 2 unchanged"),
        "{}",
        again.stdout
    );
    let r = s.run(&["search", "sunscreen"]);
    r.code(0);
    assert!(
        r.stdout.starts_with("1. [aftercare] Aftercare care:5\n"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Wear sunscreen with SPF 30"));
    assert!(r.stdout.contains("1 result"));
}

#[test]
fn index_json_report() {
    let s = sandbox();
    let v = s.run(&["index", "--json"]).code(0).json();
    assert_eq!(v["added"], 2);
    assert_eq!(v["passages"], 3);
    assert_eq!(v["committed"], true);
    assert!(v["took_ms"].as_f64().unwrap() > 0.0);
    assert!(v["issues"].as_array().unwrap().is_empty());
}

#[test]
fn json_contract_field_by_field() {
    let s = sandbox();
    let v = s
        .run(&["search", "--json", "sunscrean", "spf"])
        .code(0)
        .json();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["hits", "query", "took_ms", "topics", "total"]);
    assert_eq!(v["query"], "sunscrean spf");
    assert_eq!(v["topics"], serde_json::json!([]));
    assert_eq!(v["total"], 1);
    assert!(v["took_ms"].is_f64());
    let hit = &v["hits"][0];
    let mut keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "article",
            "highlights",
            "id",
            "kind",
            "line",
            "rank",
            "score",
            "section",
            "text",
            "title",
            "topics"
        ]
    );
    assert_eq!(hit["rank"], 1);
    assert!(hit["score"].as_f64().unwrap() > 0.0);
    assert_eq!(hit["id"], "care#aftercare.1");
    assert_eq!(hit["article"], "care");
    assert_eq!(hit["title"], "Skin care");
    assert_eq!(hit["section"], "Aftercare");
    assert_eq!(hit["topics"], serde_json::json!(["aftercare"]));
    assert_eq!(hit["line"], 5);
    assert_eq!(hit["kind"], "text");
    let text = hit["text"].as_str().unwrap();
    assert_eq!(text, "Wear sunscreen with SPF 30 after every session.");
    // Highlights are [start, end) character offsets of every matched word,
    // the typo match ("sunscrean" -> "sunscreen") included.
    let words: Vec<String> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let (a, b) = (
                r[0].as_u64().unwrap() as usize,
                r[1].as_u64().unwrap() as usize,
            );
            text.chars().skip(a).take(b - a).collect()
        })
        .collect();
    assert_eq!(words, ["sunscreen", "SPF"]);
}

#[test]
fn json_offsets_are_characters_not_bytes() {
    let s = Sandbox::new();
    s.write("u.md", "Crème brûlée — café au lait.\n");
    let v = s.run(&["search", "--json", "cafe"]).code(0).json();
    let hit = &v["hits"][0];
    assert_eq!(hit["highlights"], serde_json::json!([[15, 19]]));
    let text: Vec<char> = hit["text"].as_str().unwrap().chars().collect();
    assert_eq!(text[15..19].iter().collect::<String>(), "café");
    assert_eq!(hit["article"], "u");
}

#[test]
fn batch_mode_reads_queries_from_stdin() {
    let s = sandbox();
    let mut child = s.spawn_batch(&[]);
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"sunscreen\nnothing-matches-this\ninfection\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["query"], "sunscreen");
    assert_eq!(lines[0]["total"], 1);
    assert_eq!(lines[1]["total"], 0);
    assert_eq!(lines[2]["hits"][0]["article"], "guides/risks");
}

#[test]
fn exit_codes() {
    let s = sandbox();
    s.run(&["search", "sunscreen"]).code(0);
    let none = s.run(&["search", "qqqqzzzz"]);
    none.code(1);
    assert!(none.stdout.contains("0 results"));
    let none_json = s.run(&["search", "--json", "qqqqzzzz"]).code(1).json();
    assert_eq!(none_json["total"], 0);
    let err = s.run(&["search", "--limit", "0", "x"]);
    err.code(2);
    assert!(err.stdout.is_empty());
    assert!(err.stderr.contains("--limit"), "{}", err.stderr);
}

#[test]
fn unknown_topic_lists_the_known_ones() {
    let s = sandbox();
    let r = s.run(&["search", "--topic", "nope", "session"]);
    r.code(2);
    assert!(r.stdout.is_empty());
    assert!(r.stderr.contains("unknown topic \"nope\""), "{}", r.stderr);
    assert!(
        r.stderr.contains("aftercare, cost, side-effects"),
        "{}",
        r.stderr
    );
    let ok = s
        .run(&["search", "--json", "--topic", "cost", "session"])
        .code(0)
        .json();
    assert_eq!(ok["total"], 1);
    assert_eq!(ok["topics"], serde_json::json!(["cost"]));
}

#[test]
fn missing_content_path() {
    let s = Sandbox::new();
    let r = Run::from(
        s.cmd(&["--content", "/no/such/needle/content", "search", "x"])
            .output()
            .unwrap(),
    );
    r.code(2);
    assert!(r.stderr.contains("/no/such/needle/content"), "{}", r.stderr);
    assert!(r.stderr.contains("--content"), "{}", r.stderr);
}

#[test]
fn unusable_index_directory() {
    let s = sandbox();
    // The index path is a regular file: it cannot be an index directory.
    std::fs::write(s.index(), "not a directory").unwrap();
    let r = s.run(&["search", "sunscreen"]);
    r.code(2);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains(s.index().to_str().unwrap()),
        "{}",
        r.stderr
    );
}

#[test]
fn a_directory_of_other_files_is_not_taken_for_an_index() {
    let s = sandbox();
    std::fs::create_dir_all(s.index()).unwrap();
    std::fs::write(s.index().join("thesis.tex"), "precious").unwrap();
    let r = s.run(&["index", "--force"]);
    r.code(2);
    assert!(r.stderr.contains("not a needle index"), "{}", r.stderr);
    assert!(s.index().join("thesis.tex").exists());
}

#[test]
fn damaged_index_is_recovered_by_force() {
    let s = sandbox();
    s.run(&["index"]).code(0);
    std::fs::write(s.index().join("meta.json"), "{ garbage").unwrap();
    let r = s.run(&["search", "sunscreen"]);
    r.code(2);
    assert!(r.stderr.contains("needle index --force"), "{}", r.stderr);
    s.run(&["index", "--force"]).code(0);
    s.run(&["search", "sunscreen"]).code(0);
}

#[test]
fn older_index_version_is_rebuilt_with_a_message() {
    let s = sandbox();
    s.run(&["index"]).code(0);
    let meta_path = s.index().join("meta.json");
    let meta = std::fs::read_to_string(&meta_path).unwrap();
    let needle_field = regex_free_find(&meta, "\\\"needle\\\":");
    let old = format!("{}0{}", &meta[..needle_field], &meta[needle_field + 1..]);
    std::fs::write(&meta_path, old).unwrap();
    let r = s.run(&["search", "sunscreen"]);
    r.code(0);
    assert!(
        r.stderr.contains("another version of needle"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("SPF 30"));
}

/// The byte offset of the value after `key` in `text`.
fn regex_free_find(text: &str, key: &str) -> usize {
    text.find(key).expect("key in meta.json") + key.len()
}

#[test]
fn plain_output_has_no_escape_codes() {
    let s = sandbox();
    // Piped: no colour even without NO_COLOR.
    let r = s.run(&["search", "sunscreen"]);
    assert!(!r.stdout.contains('\x1b'), "{:?}", r.stdout);
    let content = s.content();
    let r = Run::from(
        s.cmd(&[
            "--content",
            content.to_str().unwrap(),
            "search",
            "sunscreen",
        ])
        .env("NO_COLOR", "1")
        .output()
        .unwrap(),
    );
    assert!(!r.stdout.contains('\x1b'));
    assert!(!r.stderr.contains('\x1b'));
}

#[test]
fn incremental_refresh_sees_edits() {
    let s = sandbox();
    s.run(&["search", "sunscreen"]).code(0);
    std::thread::sleep(Duration::from_millis(20));
    s.write("care.md", &CARE.replace("sunscreen", "a wide hat"));
    s.run(&["search", "sunscreen"]).code(1);
    s.run(&["search", "hat"]).code(0);
    // --no-refresh searches the index as it is.
    std::thread::sleep(Duration::from_millis(20));
    s.write("care.md", CARE);
    s.run(&["search", "--no-refresh", "sunscreen"]).code(1);
    s.run(&["search", "sunscreen"]).code(0);
}

#[test]
fn topics_and_articles() {
    let s = sandbox();
    let topics = s.run(&["topics", "--json"]).code(0).json();
    assert_eq!(
        topics,
        serde_json::json!([
            {"name": "aftercare", "label": "Aftercare", "count": 1},
            {"name": "cost", "label": "Cost", "count": 1},
            {"name": "side-effects", "label": "Side effects", "count": 1},
        ])
    );
    let articles = s.run(&["articles", "--json"]).code(0).json();
    assert_eq!(articles[0]["id"], "care");
    assert_eq!(articles[1]["id"], "guides/risks");
    assert_eq!(articles[1]["path"], "guides/risks.md");
    assert_eq!(articles[1]["passages"], 1);
    let text = s.run(&["topics"]);
    text.code(0);
    assert!(text.stdout.contains("side-effects"));
}

#[test]
fn embedded_article_works_from_an_empty_directory() {
    let s = Sandbox::new();
    let r = Run::from(s.cmd(&["search", "--json", "sunscreen"]).output().unwrap());
    r.code(0);
    let v = r.json();
    assert_eq!(v["hits"][0]["article"], "microneedling");
    assert!(v["hits"][0]["text"].as_str().unwrap().contains("SPF 30"));
    assert_eq!(v["hits"][0]["section"], "Recovery And Aftercare");
}

#[test]
fn repository_content_search_puts_spf_30_first() {
    // `needle search sunscreen` from the repository root uses ./content.
    let idx = tempfile::tempdir().unwrap();
    let out = needle_command()
        .current_dir(repo_root())
        .env("NEEDLE_INDEX", idx.path())
        .args(["search", "sunscreen"])
        .output()
        .unwrap();
    let r = Run::from(out);
    r.code(0);
    let first = r.stdout.split("\n\n").next().unwrap();
    assert!(first.contains("Recovery And Aftercare"), "{first}");
    assert!(first.contains("SPF 30"), "{first}");
}

#[test]
fn closed_pipe_is_not_an_error() {
    let s = sandbox();
    s.run(&["index"]).code(0);
    let mut child = s.spawn_batch(&[]);
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    stdin.write_all(b"sunscreen\n").unwrap();
    stdin.flush().unwrap();
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap(); // then drop the read end
    assert!(first.contains("sunscreen"));
    // More queries now write into a closed pipe.
    for _ in 0..50 {
        if stdin.write_all(b"sunscreen\n").is_err() {
            break;
        }
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reads lines from a child's stdout until one contains `want`, or panics after `timeout`.
fn wait_for_line(
    lines: &std::sync::mpsc::Receiver<String>,
    want: &str,
    timeout: Duration,
) -> String {
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) if line.contains(want) => return line,
            Ok(_) => {}
            Err(_) => panic!("no line containing {want:?} within {timeout:?}"),
        }
    }
}

#[test]
fn watch_reindexes_on_change_and_holds_the_writer() {
    let s = sandbox();
    let content = s.content();
    let mut child = s
        .cmd(&["--content", content.to_str().unwrap(), "watch", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = lines_of(child.stdout.take().unwrap());
    let first = wait_for_line(&lines, "\"added\":2", Duration::from_secs(30));
    assert!(first.contains("\"passages\":3"), "{first}");

    // While watch holds the writer, a reindex with work to do (here a
    // forced one) gets the lock error.
    let locked = s.run(&["index", "--force"]);
    locked.code(2);
    assert!(
        locked
            .stderr
            .contains("being updated by another needle process"),
        "{}",
        locked.stderr
    );
    // With nothing changed, a reindex and a refreshing search need no
    // writer: they succeed without a warning.
    let unchanged = s.run(&["index", "--json"]).code(0).json();
    assert_eq!(unchanged["committed"], false, "{unchanged}");
    let search = s.run(&["search", "sunscreen"]);
    search.code(0);
    assert!(search.stderr.is_empty(), "{}", search.stderr);

    s.write(
        "new.md",
        "# New\n\nFresh words about microneedling aftercare.\n",
    );
    let line = wait_for_line(&lines, "\"added\":1", Duration::from_secs(30));
    assert!(line.contains("\"passages\":4"), "{line}");
    child.kill().unwrap();
    child.wait().unwrap();
    s.run(&["search", "--no-refresh", "fresh"]).code(0);
}

#[test]
fn watch_needs_a_content_directory() {
    let s = Sandbox::new();
    let r = Run::from(s.cmd(&["watch"]).output().unwrap());
    r.code(2);
    assert!(r.stderr.contains("--content"), "{}", r.stderr);
}

#[test]
fn bad_files_are_reported_by_path_and_the_rest_is_searchable() {
    let s = sandbox();
    std::fs::write(s.content().join("latin1.txt"), b"caf\xe9\n").unwrap();
    s.write(
        "broken.jsonl",
        "{\"_id\": \"1\", \"text\": \"Good record.\"}\nnot json\n",
    );
    let r = s.run(&["index"]);
    r.code(0);
    assert!(r.stderr.contains("latin1.txt:1: not UTF-8"), "{}", r.stderr);
    assert!(r.stderr.contains("broken.jsonl:2:"), "{}", r.stderr);
    s.run(&["search", "record"]).code(0);
}

#[test]
fn help_and_version() {
    let s = Sandbox::new();
    let help = Run::from(s.cmd(&["--help"]).output().unwrap());
    help.code(0);
    for cmd in ["index", "search", "topics", "articles", "watch", "tui"] {
        assert!(help.stdout.contains(cmd), "{cmd} missing from --help");
    }
    let version = Run::from(s.cmd(&["--version"]).output().unwrap());
    assert!(version.stdout.starts_with("needle "), "{}", version.stdout);
}

/// A documentation folder as site generators keep it: front matter, a page
/// bundle, a long code listing, a draft.
fn docs_sandbox() -> Sandbox {
    let s = Sandbox::new();
    let listing: String = (1..=12)
        .map(|i| format!("netlify deploy --step {i}\n"))
        .collect();
    s.write(
        "hosting/netlify/index.md",
        &format!(
            "---\ntitle: Host on Netlify\ndescription: Deploy with one click.\ntags: [hosting]\npermalink: /docs/netlify/\n---\n\nConnect your repository to Netlify.\n\n## Script\n\n```sh\n{listing}```\n"
        ),
    );
    s.write(
        "providers.md",
        "# Providers\n\nNetlify and others host sites; netlify is popular.\n\nNetlify runs functions too.\n\nNetlify forms are handy.\n",
    );
    s.write(
        "soon.md",
        "---\ntitle: Soon\ndraft: true\n---\n\nUnreleased netlify plans.\n",
    );
    s
}

/// Guards: the JSON of a hit from a page with front matter carries its
/// kind, description and url; a draft is left out unless --drafts.
#[test]
fn front_matter_reaches_the_json_and_drafts_wait_for_drafts() {
    let s = docs_sandbox();
    let r = s.run(&["index"]);
    r.code(0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    let v = s
        .run(&[
            "search",
            "--no-refresh",
            "--json",
            "--limit",
            "20",
            "netlify",
        ])
        .code(0)
        .json();
    let hits = v["hits"].as_array().unwrap();
    let first = &hits[0];
    assert_eq!(first["article"], "hosting/netlify");
    assert_eq!(first["title"], "Host on Netlify");
    assert_eq!(first["description"], "Deploy with one click.");
    assert_eq!(first["url"], "/docs/netlify/");
    assert!(
        first["topics"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("hosting"))
    );
    assert!(hits.iter().any(|h| h["kind"] == "code"));
    assert!(hits.iter().all(|h| h["article"] != "soon"));
    assert!(hits.iter().all(|h| h.get("article_rank").is_none()));
    let v = s
        .run(&["search", "--drafts", "--json", "unreleased"])
        .code(0)
        .json();
    assert_eq!(v["hits"][0]["article"], "soon");
    let articles = s.run(&["articles", "--drafts", "--json"]).code(0).json();
    assert_eq!(articles.as_array().unwrap().len(), 3);
}

/// Guards: --per-article caps the passages of one article, --group shows
/// each article once with its passages beneath, counting articles.
#[test]
fn per_article_and_group() {
    let s = docs_sandbox();
    let v = s
        .run(&["search", "--json", "--per-article", "1", "netlify"])
        .code(0)
        .json();
    let articles: Vec<&str> = v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["article"].as_str().unwrap())
        .collect();
    assert_eq!(articles, ["hosting/netlify", "providers"]);
    assert_eq!(v["hits"][1]["article_rank"], 2);

    let v = s
        .run(&[
            "search", "--json", "--group", "--limit", "1", "--offset", "1", "netlify",
        ])
        .code(0)
        .json();
    let hits = v["hits"].as_array().unwrap();
    assert!(hits.len() >= 2 && hits.len() <= 3, "{v}");
    assert!(
        hits.iter()
            .all(|h| h["article"] == "providers" && h["article_rank"] == 2)
    );

    // Text: the article once, its passages beneath.
    let r = s.run(&["search", "--group", "netlify"]);
    r.code(0);
    let out = &r.stdout;
    assert_eq!(
        out.matches("Host on Netlify hosting/netlify /docs/netlify/")
            .count(),
        1,
        "{out}"
    );
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("2. Providers"))
            .count(),
        1,
        "{out}"
    );
    assert!(out.contains("[code]"), "{out}");
}

/// Guards: --explain says per hit why it ranked: in text an indented block,
/// in JSON an `explain` object whose words add up to the score.
#[test]
fn explain_says_why_each_hit_ranked() {
    let s = docs_sandbox();
    let r = s.run(&["search", "--explain", "--limit", "1", "netlify"]);
    r.code(0);
    assert!(r.stdout.contains("why: score"), "{}", r.stdout);
    assert!(
        r.stdout.contains("netlify: exact, the page's subject,"),
        "{}",
        r.stdout
    );
    let v = s
        .run(&["search", "--json", "--explain", "--limit", "3", "netlify"])
        .code(0)
        .json();
    for hit in v["hits"].as_array().unwrap() {
        let e = &hit["explain"];
        assert_eq!(e["ranking"], "tiered", "{e}");
        let words: f64 = e["words"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["score"].as_f64().unwrap())
            .sum();
        let score = hit["score"].as_f64().unwrap();
        assert!((words - score).abs() < 1e-2, "{words} vs {score}: {e}");
        assert_eq!(e["words"][0]["matched"], "exact");
    }
    let v = s.run(&["search", "--json", "netlify"]).code(0).json();
    assert!(v["hits"][0].get("explain").is_none());
}

/// Guards: `needle articles` gives each article's url from its front matter.
#[test]
fn articles_carry_their_url() {
    let s = docs_sandbox();
    let v = s.run(&["articles", "--json"]).code(0).json();
    let netlify = v
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "hosting/netlify")
        .unwrap();
    assert_eq!(netlify["url"], "/docs/netlify/");
    assert_eq!(netlify["title"], "Host on Netlify");
    let text = s.run(&["articles"]);
    text.code(0);
    assert!(text.stdout.contains("\t/docs/netlify/"), "{}", text.stdout);
}
