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

# Lint as CI does
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# Exactly what CI runs
ci:
    bash .ci/run

# Build an optimised binary at target/release/needle
build:
    cargo build --release
