//! `needle-load`: an HTTP load generator for search APIs. CLIENTS threads,
//! each on one kept-alive HTTP/1.1 connection, send GET requests for the
//! queries of a file in turn until REQUESTS have been answered (or the time
//! bound passes), then print the count, errors, requests per second and
//! latency percentiles. The same client serves `needle serve` and other
//! servers (`bench/serve_load.sh` runs it beside tantivy-cli's `serve`).
//!
//! ```text
//! needle-load 'http://127.0.0.1:7700/search?limit=10&q=' queries.txt
//! needle-load 'http://127.0.0.1:3000/api/?nhits=10&q=' queries.txt --requests 10000 --clients 16
//! ```
//!
//! A query is URL-encoded and appended to the URL. An answer other than 200,
//! a connection that fails or closes, and a response that cannot be read are
//! errors; the client then reconnects. Latency is from writing a request to
//! reading the last byte of its answer.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use clap::Parser;

/// Load an HTTP search API from kept-alive clients and time its answers.
#[derive(Debug, Parser)]
#[command(name = "needle-load", version, max_term_width = 100)]
struct Args {
    /// The URL each query is appended to (URL-encoded): plain `http://`
    /// with a numeric host, e.g. `http://127.0.0.1:7700/search?limit=10&q=`.
    url: String,

    /// The queries, one per line (blank lines skipped), sent in turn.
    queries: PathBuf,

    /// How many requests in all.
    #[arg(long, default_value_t = 10_000)]
    requests: usize,

    /// How many concurrent clients (one connection each).
    #[arg(long, default_value_t = 16)]
    clients: usize,

    /// Stop after this many seconds even if not all requests were sent.
    #[arg(long, default_value_t = 120)]
    max_seconds: u64,
}

/// One client's tally.
#[derive(Debug, Default)]
struct Tally {
    /// Of the requests answered (any status).
    latencies: Vec<Duration>,
    /// Answers other than 200, and requests that got no answer.
    errors: usize,
    /// Requests that got no answer.
    failed: usize,
    bytes: usize,
    first_error: Option<String>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let Some(rest) = args.url.strip_prefix("http://") else {
        bail!("{}: only http:// URLs are supported", args.url);
    };
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let text = std::fs::read_to_string(&args.queries)
        .with_context(|| format!("cannot read {}", args.queries.display()))?;
    let queries: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|q| !q.is_empty())
        .map(|q| format!("{path}{}", encode(q)))
        .collect();
    if queries.is_empty() {
        bail!("{}: no queries", args.queries.display());
    }
    if args.clients == 0 {
        bail!("--clients must be at least 1");
    }

    let queries = Arc::new(queries);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.max_seconds);
    let clients: Vec<_> = (0..args.clients)
        .map(|_| {
            let (host, queries, next) = (host.to_owned(), Arc::clone(&queries), Arc::clone(&next));
            let total = args.requests;
            std::thread::spawn(move || client(&host, &queries, &next, total, deadline))
        })
        .collect();
    let mut all = Tally::default();
    for c in clients {
        let t = c.join().expect("a client thread panicked");
        all.latencies.extend(t.latencies);
        all.errors += t.errors;
        all.failed += t.failed;
        all.bytes += t.bytes;
        all.first_error = all.first_error.or(t.first_error);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let mut times = all.latencies;
    times.sort_unstable();
    let n = times.len();
    // Requests that got no answer (a failed connection) have no latency.
    let sent = n + all.failed;
    let ms = |p: f64| {
        if n == 0 {
            return 0.0;
        }
        // Nearest rank: the smallest latency at or above p of the requests.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let rank = ((p * n as f64).ceil() as usize).clamp(1, n);
        times[rank - 1].as_secs_f64() * 1000.0
    };
    #[allow(clippy::cast_precision_loss)]
    let rate = sent as f64 / elapsed;
    println!(
        "{sent} requests, {} clients, {} errors, {elapsed:.2} s, {rate:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, {} bytes per answer",
        args.clients,
        all.errors,
        ms(0.5),
        ms(0.99),
        ms(1.0),
        all.bytes / n.max(1),
    );
    if let Some(e) = all.first_error {
        eprintln!("needle-load: first error: {e}");
    }
    if all.errors > 0 {
        bail!("{} of {sent} requests failed", all.errors);
    }
    if sent < args.requests {
        bail!(
            "stopped after {} s: {sent} of {} requests",
            args.max_seconds,
            args.requests
        );
    }
    Ok(())
}

/// Sends requests on one connection (reconnecting after an error) while
/// `next` hands out numbers below `total` and the deadline has not passed.
fn client(
    host: &str,
    queries: &[String],
    next: &AtomicUsize,
    total: usize,
    deadline: Instant,
) -> Tally {
    let mut tally = Tally::default();
    let mut connection: Option<(TcpStream, BufReader<TcpStream>)> = None;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= total || Instant::now() >= deadline {
            return tally;
        }
        let request = format!(
            "GET {} HTTP/1.1\r\nHost: {host}\r\n\r\n",
            queries[i % queries.len()]
        );
        let t = Instant::now();
        let answer = (|| -> Result<(u16, usize, bool)> {
            if connection.is_none() {
                let stream = TcpStream::connect(host).with_context(|| format!("connect {host}"))?;
                stream.set_read_timeout(Some(Duration::from_secs(30)))?;
                stream.set_nodelay(true)?;
                connection = Some((stream.try_clone()?, BufReader::new(stream)));
            }
            let (writer, reader) = connection.as_mut().expect("connected above");
            writer.write_all(request.as_bytes())?;
            read_response(reader)
        })();
        match answer {
            Ok((status, bytes, close)) => {
                tally.latencies.push(t.elapsed());
                tally.bytes += bytes;
                if status != 200 {
                    tally.errors += 1;
                    tally
                        .first_error
                        .get_or_insert_with(|| format!("status {status}"));
                }
                if close {
                    connection = None;
                }
            }
            Err(e) => {
                tally.errors += 1;
                tally.failed += 1;
                tally.first_error.get_or_insert_with(|| format!("{e:#}"));
                connection = None;
            }
        }
    }
}

/// Reads one response: its status, body length, and whether the server
/// closes the connection after it. Bodies come with a Content-Length or
/// chunked; without either, the body runs to the end of the connection.
fn read_response(reader: &mut BufReader<TcpStream>) -> Result<(u16, usize, bool)> {
    let mut line = String::new();
    if reader.read_line(&mut line)? == 0 {
        bail!("the server closed the connection");
    }
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .with_context(|| format!("not an HTTP status line: {line:?}"))?;
    let (mut length, mut chunked, mut close) = (None, false, false);
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            bail!("the connection closed in the headers");
        }
        if line == "\r\n" || line == "\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = Some(v.trim().parse::<usize>().context("a bad Content-Length")?);
        } else if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        } else if lower.starts_with("connection:") && lower.contains("close") {
            close = true;
        }
    }
    let bytes = if chunked {
        let mut total = 0;
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                .with_context(|| format!("a bad chunk size: {line:?}"))?;
            let mut chunk = vec![0; size + 2]; // the data and its CRLF
            reader.read_exact(&mut chunk)?;
            total += size;
            if size == 0 {
                break total;
            }
        }
    } else if let Some(length) = length {
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        length
    } else {
        let mut body = Vec::new();
        reader.read_to_end(&mut body)?;
        close = true;
        body.len()
    };
    Ok((status, bytes, close))
}

/// Percent-encodes a query for a URL's query string (space as `+`).
fn encode(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    for b in query.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::encode;

    #[test]
    fn queries_are_percent_encoded_with_spaces_as_plus() {
        assert_eq!(encode("rc smart pointer"), "rc+smart+pointer");
        assert_eq!(encode("can't & café"), "can%27t+%26+caf%C3%A9");
    }
}
