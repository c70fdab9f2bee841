#!/usr/bin/env bash
# Every figure of the large-folder targets in one run, one after another on
# one corpus and index (BENCHMARKS.md, "Fresh results at 1M"):
#   1. bench/compare.sh: `needle search` with and without a watcher against
#      `rg -i`, a one-article reindex (the watcher's, `needle index FILE`,
#      `needle index` walking), the watcher's start, idle CPU and memory;
#   2. `needle bench` twice: query latency by class, as-you-type included;
#   3. the keystroke-to-frame benchmark at the same size.
# Then a summary of the figures the targets name.
#
# Usage: bench/fresh_1m.sh [PASSAGES] [WORKDIR]
#   PASSAGES  corpus size (default 1000000)
#   WORKDIR   as for bench/compare.sh (default ${TMPDIR:-/tmp}/needle-compare);
#             the corpus and index there are reused.
# Environment: NEEDLE_BIN=PATH to measure that needle binary (else one is
#   built); RUNS (default 5) and WATCH_IDLE (default 30) go to compare.sh.
# Run it on a quiet machine: on a shared host the figures move by tens of
# percent between runs (BENCHMARKS.md shows sittings of the same code).
set -euo pipefail

cd "$(dirname "$0")/.."
N="${1:-1000000}"
WORK="${2:-${TMPDIR:-/tmp}/needle-compare}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
if [ -z "${NEEDLE_BIN:-}" ]; then
    cargo build --release --quiet -p needle
    NEEDLE_BIN="$PWD/target/release/needle"
fi
# Built before anything is timed.
cargo bench -p needle --bench keystroke --no-run --quiet 2>/dev/null

stamp() { echo "== $* ($(date -u +%H:%M:%S), load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?'))"; }

stamp "1. bench/compare.sh"
NEEDLE_BIN="$NEEDLE_BIN" RUNS="${RUNS:-5}" INDEXING=0 WATCH_IDLE="${WATCH_IDLE:-30}" \
    bash bench/compare.sh "$N" "$WORK" >"$WORK/fresh-compare.log" 2>&1
RESULTS="$WORK/results-$N.txt"

for r in 1 2; do
    stamp "2. needle bench, run $r"
    "$NEEDLE_BIN" --content "$WORK/corpus-$N" --index "$WORK/index-$N" \
        bench --no-refresh --json --rounds 20 >"$WORK/fresh-bench-$r.json" 2>"$WORK/fresh-bench-$r.err"
done

stamp "3. keystroke to frame"
NEEDLE_BENCH_PASSAGES="$N" cargo bench -p needle --bench keystroke \
    >"$WORK/fresh-keystroke.out" 2>"$WORK/fresh-keystroke.err"
stamp "done"

echo
echo "== summary ($N passages; full output in $WORK)"
grep -E "rg / needle|first reindex|watch idle|one-article reindex|index after|index FILE|peak RSS|load average" "$RESULTS" || true
for r in 1 2; do
    python3 - "$WORK/fresh-bench-$r.json" <<'PY' || echo "needle bench run: see its .err file"
import json, sys
d = json.load(open(sys.argv[1]))
classes = {c["class"]: c for c in d["classes"]}
line = ", ".join(
    f"{name} p50 {classes[name]['p50_ms']:.2f} p99 {classes[name]['p99_ms']:.2f} ms"
    for name in ("single word", "as-you-type") if name in classes
)
print(f"needle bench: {line}")
PY
done
grep -E "^all [0-9]+ keystrokes" "$WORK/fresh-keystroke.err" | tail -1 | sed "s/^/keystroke to frame at $N: /" || true
