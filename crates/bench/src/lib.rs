//! # needle-bench
//!
//! Tooling for measuring needle at scale. Its main piece is [`corpus`]: a
//! deterministic generator of Markdown articles (same seed, same bytes),
//! written as the `needle-corpus` binary (`just corpus N DIR`). The
//! `needle-load` binary loads an HTTP search API (`needle serve`, or
//! another server) from kept-alive clients and prints requests per second
//! and latency percentiles (`bench/serve_load.sh`).
//!
//! ```
//! let dir = tempfile::tempdir().unwrap();
//! let stats = needle_bench::corpus::generate(120, 7, dir.path()).unwrap();
//! assert_eq!(stats.passages, 120);
//! assert!(dir.path().join("topics.toml").exists());
//! ```
#![deny(missing_docs)]

pub mod corpus;
pub mod rng;

/// How many passages a benchmark's generated corpus has:
/// `NEEDLE_BENCH_PASSAGES` when it is set to a number, else `default`.
#[must_use]
pub fn passages_from_env(default: usize) -> usize {
    std::env::var("NEEDLE_BENCH_PASSAGES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}
