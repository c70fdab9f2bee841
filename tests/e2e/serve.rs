//! `needle serve`: the HTTP JSON API on loopback, through a plain HTTP/1.1
//! client over `TcpStream`; and the load test (ignored: `cargo test -p
//! needle --test e2e -- --ignored serve_load`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::programs::sandbox;
use crate::util::Sandbox;

/// A running `needle serve` and the address it bound.
pub struct Server {
    child: Child,
    pub addr: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `needle --content <sandbox> serve --addr 127.0.0.1:0 ARGS` and
/// reads the bound address from stderr.
#[allow(clippy::zombie_processes)] // the Server's Drop kills and waits for it
pub fn start(s: &Sandbox, args: &[&str]) -> Server {
    let content = s.content();
    let mut all = vec![
        "--content",
        content.to_str().unwrap(),
        "serve",
        "--addr",
        "127.0.0.1:0",
    ];
    all.extend_from_slice(args);
    let mut child = s.cmd(&all).stderr(Stdio::piped()).spawn().unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "needle serve ended"
        );
        if let Some(at) = line.find("http://") {
            let addr = line[at + 7..].split_whitespace().next().unwrap().to_owned();
            // Keep draining stderr so the server never blocks on it.
            std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
            return Server { child, addr };
        }
    }
}

/// One request on a connection of its own: status, headers, body.
pub fn request(addr: &str, raw: &str) -> (u16, String, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_owned(), body.to_owned())
}

pub fn get(addr: &str, path: &str) -> (u16, Value) {
    let (status, _, body) = request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    );
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body:?}")),
    )
}

#[test]
fn serve_answers_the_json_contract_and_errors_as_json() {
    let s = sandbox();
    let server = start(&s, &[]);
    let a = server.addr.as_str();

    let (status, v) = get(a, "/search?q=sunscreen");
    assert_eq!(status, 200);
    let cli = s
        .run(&["search", "--json", "--no-refresh", "sunscreen"])
        .json();
    assert_eq!(v["hits"], cli["hits"], "the object of needle search --json");
    assert_eq!(v["query"], "sunscreen");
    let id = v["hits"][0]["id"].as_str().unwrap().replace('#', "%23");
    let (status, v) = get(a, "/search?q=session&topic=cost&limit=1&offset=0");
    assert_eq!((status, v["total"].clone()), (200, 1.into()));
    let (_, v) = get(a, "/search?q=session&limit=1&offset=1");
    assert_eq!(v["hits"][0]["rank"], 2);

    let (status, v) = get(a, &format!("/passages/{id}"));
    assert_eq!(status, 200);
    assert_eq!(v["after"][0]["text"], "Drink water.");
    let (status, v) = get(a, "/articles/guides/risks");
    assert_eq!((status, v["title"].clone()), (200, "Risks".into()));
    let (_, v) = get(a, "/topics");
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (_, v) = get(a, "/articles");
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (status, v) = get(a, "/health");
    assert_eq!((status, v["status"].clone()), (200, "ok".into()));

    for (path, want, says) in [
        ("/search?q=x&topic=nope", 400, "nope"),
        ("/search?q=x&limit=0", 400, "limit"),
        ("/search?q=x&limit=ten", 400, "whole number"),
        ("/search?topic=cost", 400, "missing q"),
        ("/search?q=x&frobnicate=1", 400, "unknown parameter"),
        ("/passages/nope%23x.1", 404, "no passage"),
        ("/articles/nope", 404, "no article"),
        ("/nowhere", 404, "no such endpoint"),
    ] {
        let (status, v) = get(a, path);
        assert_eq!(status, want, "{path}: {v}");
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{path}: {message}");
    }
    let (status, _, body) = request(
        a,
        "POST /search HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    assert_eq!(status, 405, "{body}");
    let big = "x".repeat(64 * 1024);
    let (status, _, _) = request(
        a,
        &format!(
            "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{big}",
            big.len()
        ),
    );
    assert_eq!(status, 413);
    // No CORS header unless asked for.
    let (_, head, _) = request(
        a,
        "GET /health HTTP/1.1\r\nHost: x\r\nOrigin: https://example.org\r\nConnection: close\r\n\r\n",
    );
    assert!(
        !head
            .to_ascii_lowercase()
            .contains("access-control-allow-origin"),
        "{head}"
    );

    // Live reindex: a new article is found while serving.
    s.write("new.md", "# New\n\nZebraquark stripes appear overnight.\n");
    let deadline = Instant::now() + Duration::from_secs(20);
    while get(a, "/search?q=zebraquark").1["total"] != 1 {
        assert!(Instant::now() < deadline, "the change was not picked up");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_refuses_a_public_address_and_sends_cors_only_when_asked() {
    let s = sandbox();
    let r = s.run(&["serve", "--addr", "0.0.0.0:0"]);
    r.code(2);
    assert!(r.stderr.contains("--public"), "{}", r.stderr);
    let server = start(&s, &["--cors", "https://example.org"]);
    let (_, head, _) = request(
        &server.addr,
        "GET /health HTTP/1.1\r\nHost: x\r\nOrigin: https://example.org\r\nConnection: close\r\n\r\n",
    );
    assert!(
        head.to_ascii_lowercase()
            .contains("access-control-allow-origin: https://example.org"),
        "{head}"
    );
}

/// A slowloris client (half a header line, then nothing) is disconnected
/// once the header deadline passes, while others are served meanwhile; and
/// headers past the size cap get 431.
#[test]
fn serve_closes_a_client_stalled_in_its_headers_and_caps_their_size() {
    let s = sandbox();
    let server = start(&s, &["--header-timeout-ms", "1000"]);
    let a = server.addr.as_str();
    let mut slow = TcpStream::connect(a).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    slow.write_all(b"GET /search?q=sunscreen HTTP/1.1\r\nHost: loc")
        .unwrap();
    let stalled = Instant::now();
    // Others are served while it stalls.
    let (status, v) = get(a, "/search?q=sunscreen");
    assert_eq!((status, v["query"].clone()), (200, "sunscreen".into()));
    let mut answer = Vec::new();
    match slow.read_to_end(&mut answer) {
        Ok(_) => assert!(
            answer.is_empty(),
            "the stalled client got an answer: {:?}",
            String::from_utf8_lossy(&answer)
        ),
        Err(e) => assert!(
            !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "the stalled client was not closed in 30 s"
        ),
    }
    assert!(stalled.elapsed() < Duration::from_secs(30));
    let (status, _) = get(a, "/health");
    assert_eq!(status, 200, "served after the stalled client went");

    let big = "x".repeat(32 * 1024);
    let (status, _, _) = request(
        a,
        &format!("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 431);
}

/// Reads one HTTP/1.1 response with a Content-Length from a kept-alive stream.
fn read_response(reader: &mut BufReader<TcpStream>) -> u16 {
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0;
    loop {
        line.clear();
        reader.read_line(&mut line).unwrap();
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    status
}

/// The load test: 10,000 searches from 16 concurrent keep-alive clients,
/// while the content changes and reindexes run; zero errors; prints
/// requests per second and p50/p99. Bounded: 10,000 requests, 120 s.
#[test]
#[ignore = "load test: cargo test -p needle --release --test e2e -- --ignored serve_load"]
fn serve_load_10000_requests_from_16_clients_during_reindex() {
    let s = Sandbox::new();
    let source = crate::util::repo_root().join("content");
    for name in ["microneedling.md", "topics.toml", "synonyms.toml"] {
        std::fs::copy(source.join(name), s.content().join(name)).unwrap();
    }
    for n in 0..200 {
        s.write(&format!("notes/n{n}.md"), &format!("# Note {n}\n\n## Skin\n\nCollagen and sunscreen note {n}, about redness and healing.\n"));
    }
    let server = start(&s, &[]);
    let queries = [
        "sunscreen",
        "collagen",
        "redness",
        "how often",
        "acne scars",
        "colagen",
        "micro",
        "side effects",
    ];
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let stop = stop.clone();
        let dir = s.content();
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                n += 1;
                std::fs::write(
                    dir.join("changing.md"),
                    format!("# Changing\n\nVersion {n} of a page.\n"),
                )
                .unwrap();
                std::thread::sleep(Duration::from_millis(300));
            }
            n
        })
    };
    let started = Instant::now();
    let clients: Vec<_> = (0..16)
        .map(|c| {
            let addr = server.addr.clone();
            std::thread::spawn(move || {
                let stream = TcpStream::connect(&addr).unwrap();
                stream
                    .set_read_timeout(Some(Duration::from_secs(30)))
                    .unwrap();
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                let mut times = Vec::with_capacity(625);
                let mut errors = 0;
                for i in 0..625 {
                    let q = queries[(c + i) % queries.len()].replace(' ', "+");
                    let t = Instant::now();
                    writer
                        .write_all(
                            format!("GET /search?q={q}&limit=10 HTTP/1.1\r\nHost: x\r\n\r\n")
                                .as_bytes(),
                        )
                        .unwrap();
                    if read_response(&mut reader) != 200 {
                        errors += 1;
                    }
                    times.push(t.elapsed());
                    assert!(
                        started.elapsed() < Duration::from_secs(120),
                        "over the time bound"
                    );
                }
                (times, errors)
            })
        })
        .collect();
    let mut times = Vec::new();
    let mut errors = 0;
    for c in clients {
        let (t, e) = c.join().unwrap();
        times.extend(t);
        errors += e;
    }
    let elapsed = started.elapsed();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let versions = writer.join().unwrap();
    times.sort();
    let pct = |p: f64| {
        times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
    };
    eprintln!(
        "serve load: {} requests, 16 clients, {errors} errors, {:.1} s, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {versions} content changes meanwhile",
        times.len(),
        elapsed.as_secs_f64(),
        times.len() as f64 / elapsed.as_secs_f64(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
    assert_eq!(times.len(), 10_000);
    assert_eq!(errors, 0);
    assert!(versions >= 2, "reindexes ran during the load");
}
