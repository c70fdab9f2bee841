//! Querying needle from programs: `needle get` and the batch requests of
//! `needle search --json -` (ids, per-line options, per-line errors).

use std::io::Write;

use serde_json::Value;

use crate::util::Sandbox;

const CARE: &str = "# Skin care\n\nA guide to care.\n\n## Aftercare\n\nWear sunscreen with SPF 30 after every session.\n\nDrink water.\n\n## Cost\n\nA session costs about $200.\n";
const RISKS: &str =
    "# Risks\n\n## Potential Risks\n\nInfection and redness are possible side effects.\n";

pub fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.write("care.md", CARE);
    s.write("guides/risks.md", RISKS);
    s.write(
        "topics.toml",
        "[[topic]]\nname = \"aftercare\"\nheadings = [\"aftercare\"]\n[[topic]]\nname = \"cost\"\nheadings = [\"cost\"]\n",
    );
    s
}

fn lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn get_prints_passages_with_neighbours_and_articles() {
    let s = sandbox();
    let hit = s.run(&["search", "--json", "sunscreen"]).code(0).json();
    let id = hit["hits"][0]["id"].as_str().unwrap().to_owned();

    let r = s.run(&["get", "--json", &id, "care"]);
    r.code(0);
    let got = lines(&r.stdout);
    assert_eq!(got.len(), 2, "{}", r.stdout);
    assert_eq!(got[0]["type"], "passage");
    assert_eq!(got[0]["passage"]["id"], id.as_str());
    assert_eq!(got[0]["passage"]["section"], "Aftercare");
    assert_eq!(got[0]["passage"]["kind"], "text");
    assert_eq!(got[0]["before"][0]["text"], "A guide to care.");
    assert_eq!(got[0]["after"][0]["text"], "Drink water.");
    assert_eq!(got[1]["type"], "article");
    assert_eq!(got[1]["id"], "care");
    assert_eq!(got[1]["title"], "Skin care");
    let texts: Vec<&str> = got[1]["passages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts.len(), 4);
    assert_eq!(texts[3], "A session costs about $200.");

    let text = s.run(&["get", &id]);
    text.code(0);
    assert!(
        text.stdout.contains("> Skin care › Aftercare care:7"),
        "{}",
        text.stdout
    );
    let article = s.run(&["get", "guides/risks"]);
    article.code(0);
    assert!(article.stdout.starts_with("Risks (guides/risks)"));
    assert!(article.stdout.contains("## Potential Risks"));
}

#[test]
fn get_an_unknown_id_exits_1_and_goes_on() {
    let s = sandbox();
    let r = s.run(&["get", "--json", "nope#x.1", "care"]);
    r.code(1);
    let got = lines(&r.stdout);
    assert_eq!(got[0]["id"], "nope#x.1");
    assert!(
        got[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no passage or article")
    );
    assert_eq!(got[1]["id"], "care");
    let r = s.run(&["get", "nope"]);
    r.code(1);
    assert!(
        r.stderr
            .contains("no passage or article has the id \"nope\"")
    );
    assert!(r.stdout.is_empty());
}

/// Runs `needle search --json [ARGS] -` on `input`; the exit code and lines.
fn batch(s: &Sandbox, args: &[&str], input: &str) -> (i32, Vec<Value>, String) {
    let mut child = s.spawn_batch(args);
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    (
        out.status.code().unwrap(),
        lines(&stdout),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn batch_lines_are_queries_or_requests_with_ids() {
    let s = sandbox();
    let input = concat!(
        "sunscreen\n",
        "{\"id\": \"a\", \"q\": \"session\", \"topics\": [\"cost\"]}\n",
        "{\"id\": 7, \"q\": \"session\", \"limit\": 1, \"offset\": 1}\n",
        "{\"q\": \"infection\", \"explain\": true, \"topics\": \"aftercare\"}\n",
        "{\"id\": [1, 2], \"q\": \"redness\", \"explain\": true}\n",
    );
    let (code, out, err) = batch(&s, &["--limit", "5"], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.len(), 5);
    assert!(out[0].get("id").is_none(), "a bare query has no id");
    assert_eq!(out[0]["hits"][0]["section"], "Aftercare");
    assert_eq!(out[1]["id"], "a");
    assert_eq!(out[1]["topics"], serde_json::json!(["cost"]));
    assert_eq!(out[1]["total"], 1);
    assert_eq!(out[2]["id"], 7);
    assert_eq!(out[2]["total"], 2);
    assert_eq!(out[2]["hits"].as_array().unwrap().len(), 1);
    assert_eq!(out[2]["hits"][0]["rank"], 2);
    assert_eq!(out[3]["total"], 0, "filtered to aftercare");
    assert_eq!(out[4]["id"], serde_json::json!([1, 2]));
    assert!(out[4]["hits"][0]["explain"]["score"].is_number());
}

/// Guards: one bad line (bad JSON, a missing or unknown field, a limit of
/// 0, an unknown topic, bytes that are not UTF-8) answers with an error on
/// its own line, and the lines after it are still answered; exit 2.
#[test]
fn a_bad_batch_line_is_an_error_on_its_line_and_the_stream_goes_on() {
    let s = sandbox();
    let mut input = String::from(concat!(
        "{\"id\": 1, \"q\": \"sunscreen\"\n",
        "{\"id\": 2}\n",
        "{\"id\": 3, \"q\": \"x\", \"limit\": 0}\n",
        "{\"id\": 4, \"q\": \"x\", \"topics\": [\"nope\"]}\n",
        "{\"id\": 5, \"query\": \"x\"}\n",
        "{\"id\": 6, \"q\": \"x\", \"limit\": \"ten\"}\n",
    ));
    input.push_str("sunscreen\n");
    let (code, out, err) = batch(&s, &[], &input);
    assert_eq!(code, 2, "{err}");
    assert_eq!(out.len(), 7);
    for (n, line) in out[..6].iter().enumerate() {
        let message = line["error"]["message"]
            .as_str()
            .unwrap_or_else(|| panic!("{line}"));
        assert!(
            message.starts_with(&format!("line {}:", n + 1)),
            "{message}"
        );
        if n > 0 {
            assert_eq!(line["id"], n + 1, "{line}");
        }
    }
    assert!(out[0]["id"].is_null(), "a line that is not JSON has no id");
    assert!(
        out[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("missing field `q`")
    );
    assert!(
        out[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nope")
    );
    assert!(
        out[4]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `query`")
    );
    assert_eq!(out[6]["hits"][0]["section"], "Aftercare");

    // Not UTF-8: an error line, and the next line answered.
    let mut child = s.spawn_batch(&[]);
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(b"caf\xe9\nsunscreen\n").unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let got = lines(&String::from_utf8(out.stdout).unwrap());
    assert!(
        got[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not UTF-8")
    );
    assert_eq!(got[1]["total"], 1);
}

/// The Python examples (standard library only) against the built binary:
/// batch requests, and HTTP against `needle serve`.
#[test]
fn python_examples_run() {
    let has_python = std::process::Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_python {
        eprintln!("skipped: no python3");
        return;
    }
    let s = sandbox();
    let examples = crate::util::repo_root().join("examples/python");
    let content = s.content();
    let out = crate::util::isolate(&mut std::process::Command::new("python3"), &s.home())
        .arg(examples.join("batch.py"))
        .args(["--content", content.to_str().unwrap()])
        .env("NEEDLE", crate::util::needle_bin())
        .env("NEEDLE_INDEX", s.index())
        .output()
        .unwrap();
    let stdout = succeeded(&out);
    assert!(
        stdout.contains("1. Aftercare (care#aftercare.1)"),
        "{stdout}"
    );
    assert!(stdout.contains("error: line 2:"), "{stdout}");

    let server = crate::serve::start(&s, &[]);
    let out = std::process::Command::new("python3")
        .arg(examples.join("http_api.py"))
        .arg(format!("http://{}", server.addr))
        .output()
        .unwrap();
    let stdout = succeeded(&out);
    assert!(
        stdout.contains("1. Aftercare (care#aftercare.1)"),
        "{stdout}"
    );
    assert!(stdout.contains("after it: ['Drink water.']"), "{stdout}");
    assert!(stdout.contains("no-such-topic"), "{stdout}");
}

/// A finished example script's standard output, asserting it exited 0.
fn succeeded(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
