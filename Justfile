# needle's everyday commands. The README's commands work without `just`;
# this file is a convenience. `just` lists the recipes.

# List the recipes
default:
    @just --list

# Open the terminal interface on ./content (or the bundled article)
run *ARGS:
    cargo run --release -- {{ARGS}}

# Run every test (the README's test command)
test:
    cargo test --workspace

# Format the code
fmt:
    cargo fmt --all

# Lint as CI does (formatting, clippy, and the docs without a warning)
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps

# Exactly what CI runs
ci:
    bash .ci/run

# Build an optimised binary at target/release/needle
build:
    cargo build --release

# Generate a benchmark corpus of N passages in DIR (deterministic: --seed S)
corpus N DIR *ARGS:
    cargo run --release -p needle-bench --bin needle-corpus -- {{N}} {{DIR}} {{ARGS}}

# Run the Criterion benchmarks of the hot paths
bench *ARGS:
    cargo bench --workspace {{ARGS}}

# needle vs ripgrep and tantivy-cli on a generated corpus (default 100000 passages)
compare N="100000" *ARGS:
    bash bench/compare.sh {{N}} {{ARGS}}

# Every large-folder figure in one run (compare.sh, needle bench, keystrokes): BENCHMARKS.md
fresh N="1000000" *ARGS:
    bash bench/fresh_1m.sh {{N}} {{ARGS}}

# Every judged set in one table (RELEVANCE.md): optionally a partial ranking as JSON
relevance *ARGS:
    bash bench/relevance.sh {{ARGS}}

# needle serve under HTTP load beside tantivy-cli's serve (default: the rust-book corpus and its queries)
serve-load *ARGS:
    bash bench/serve_load.sh {{ARGS}}

# Long reliability runs: kills mid-reindex, concurrent searches, random queries, a 50 MB file (see RELIABILITY.md)
soak:
    cargo test --release -p needle --test e2e -- --ignored --nocapture soak_

# Fuzz one target (markdown, front_matter, front_matter_checks, text, jsonl, query, tiered) for SECS seconds; needs `cargo install cargo-fuzz`
fuzz TARGET SECS="600":
    RUSTC_BOOTSTRAP=1 cargo fuzz run -O {{TARGET}} -- -max_total_time={{SECS}} -timeout=10
