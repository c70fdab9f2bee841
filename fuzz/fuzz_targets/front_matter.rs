//! Front matter (YAML, TOML, JSON) and site-generator markup: the fuzzer's
//! bytes as the front matter and body of a page, and as a whole `.md` and
//! `.mdx` file. Never a panic; `needle_index::fuzzing::Parsed::check`
//! holds; markup stripping keeps every line; a title in a front matter
//! that was read is the article's title. See `front_matter_checks.rs`.
#![no_main]

// Only its `rules` is used here; `run` is for the other targets.
#[allow(dead_code)]
#[path = "common.rs"]
mod common;
#[path = "front_matter_checks.rs"]
mod front_matter_checks;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| front_matter_checks::check_input(data, common::rules()));
