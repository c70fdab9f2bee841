//! The plain-text parser on any text: never panics, and keeps its guarantees
//! (see `needle_index::fuzzing::Parsed::check`).
#![no_main]

#[path = "common.rs"]
mod common;

use libfuzzer_sys::fuzz_target;
use needle_index::fuzzing::Format;

fuzz_target!(|data: &[u8]| common::run(Format::Text, "doc.txt", data));
