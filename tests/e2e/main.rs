//! End-to-end tests: the real `needle` binary on temporary directories.
//! One test binary (as ripgrep's tests are), one module per area.

mod cli;
mod util;
