#!/usr/bin/env bash
# Every judged set needle is measured on, in one table (RELEVANCE.md):
# the six classic collections and five of them cut into paragraphs (from
# ../shared/eval), the bundled article's queries, and the short queries and
# the questions over the three documentation sets (../shared/corpora).
# Sets whose data is absent are listed as skipped.
#
# Usage: bench/relevance.sh [RANKING.json]
#   RANKING.json  a partial Ranking (as `needle eval --ranking` takes);
#                 without it, the defaults.
# Environment: NEEDLE_BIN=PATH to measure that binary instead of building
#   one; WORK=DIR for the paragraph copies (default ${TMPDIR:-/tmp}/needle-relevance).
set -euo pipefail

cd "$(dirname "$0")/.."
SHARED="$(cd .. && pwd)/shared"
WORK="${WORK:-${TMPDIR:-/tmp}/needle-relevance}"
if [ -z "${NEEDLE_BIN:-}" ]; then
    cargo build --release --quiet -p needle
    NEEDLE_BIN=target/release/needle
fi
RANKING=()
if [ $# -gt 0 ]; then
    RANKING=(--ranking "$1")
fi

# eval SET [--content DIR]: the set's line of figures
run() {
    local set=$1
    shift
    "$NEEDLE_BIN" eval "$set" "$@" "${RANKING[@]}" 2>/dev/null | tail -n 1
}

printf '%-36s %s\n' "set" "figures"
for name in cranfield cisi cacm lisa npl time; do
    if [ -f "$SHARED/eval/$name/queries.jsonl" ]; then
        printf '%-36s %s\n' "$name" "$(run "$SHARED/eval/$name")"
    else
        printf '%-36s %s\n' "$name" "skipped: ../shared/eval/$name is absent"
    fi
done
if [ -d "$SHARED/eval" ] && command -v python3 >/dev/null; then
    python3 bench/split_paragraphs.py "$WORK" "$SHARED/eval" >/dev/null
    for name in cranfield cisi cacm lisa time; do
        if [ -f "$WORK/$name/corpus.jsonl" ]; then
            printf '%-36s %s\n' "$name in paragraphs" "$(run "$WORK/$name")"
        fi
    done
else
    echo "in paragraphs: skipped (../shared/eval or python3 is absent)"
fi
printf '%-36s %s\n' "bundled" "$(run tests/relevance/bundled --content content)"
for name in jekyll-docs mkdocs-material-docs rust-book; do
    for set in "$name" "$name-questions"; do
        if [ -d "$SHARED/corpora/$name" ]; then
            printf '%-36s %s\n' "$set" "$(run "tests/relevance/$set" --content "$SHARED/corpora/$name")"
        else
            printf '%-36s %s\n' "$set" "skipped: ../shared/corpora/$name is absent"
        fi
    done
done
