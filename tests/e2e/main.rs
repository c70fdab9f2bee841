//! End-to-end tests: the real `needle` binary on temporary directories.
//! One test binary (as ripgrep's tests are), one module per area.

mod bad_input;
mod cli;
mod fuzz_regressions;
mod relevance;
mod reliability;
mod tui;
mod util;
