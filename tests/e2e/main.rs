//! End-to-end tests: the real `needle` binary on temporary directories.
//! One test binary (as ripgrep's tests are), one module per area. They are
//! the `e2e` test of the `needle` package (`crates/needle/Cargo.toml`), so
//! Cargo builds the binary first: `cargo test -p needle --test e2e`.

mod bad_input;
mod cli;
mod config;
mod editor;
mod freshness;
mod fuzz_regressions;
mod mcp;
mod packaging;
mod programs;
mod pty;
mod relevance;
mod reliability;
mod serve;
mod storage_faults;
mod theme;
mod tui;
mod util;
