#!/usr/bin/env bash
# `needle serve` under HTTP load, beside tantivy-cli's `serve` on the same
# passages, in one run: REQUESTS searches from CLIENTS kept-alive clients
# (needle-load, crates/bench), the queries of a file in turn, each server in
# turn for ROUNDS rounds:
#   - tantivy-cli serve (when `tantivy` is installed: cargo install tantivy-cli),
#     an index of needle's passages (id, title, section, text; en_stem);
#   - needle serve, its content unchanged;
#   - needle serve while a file of its content changes every 300 ms, so that
#     its watcher reindexes while it serves.
# Queries that either server does not answer with 200 are left out of the
# list for both, and named.
#
# Usage: bench/serve_load.sh [CONTENT] [QUERIES] [WORKDIR]
#   CONTENT  a content directory, copied into WORKDIR (default
#            ../shared/corpora/rust-book)
#   QUERIES  JSON Lines, a "text" per query (default
#            tests/relevance/rust-book/queries.jsonl)
#   WORKDIR  where the copy, the indexes and the logs go, outside the
#            repository (default ${TMPDIR:-/tmp}/needle-serve-load)
# Environment: REQUESTS (default 10000), CLIENTS (16), ROUNDS (2),
#   NEEDLE and NEEDLE_LOAD (default: target/release/needle and needle-load,
#   built by cargo when not given).
# Needs python3 (JSON to tantivy-cli's documents; the probe of each query)
# and curl.
set -euo pipefail

cd "$(dirname "$0")/.."
CONTENT_SRC="${1:-../shared/corpora/rust-book}"
QUERIES_SRC="${2:-tests/relevance/rust-book/queries.jsonl}"
WORK="${3:-${TMPDIR:-/tmp}/needle-serve-load}"
REQUESTS="${REQUESTS:-10000}"
CLIENTS="${CLIENTS:-16}"
ROUNDS="${ROUNDS:-2}"
if [ -z "${NEEDLE:-}" ] || [ -z "${NEEDLE_LOAD:-}" ]; then
  echo "== building release binaries"
  cargo build --release --quiet -p needle -p needle-bench
fi
NEEDLE="${NEEDLE:-$PWD/target/release/needle}"
NEEDLE_LOAD="${NEEDLE_LOAD:-$PWD/target/release/needle-load}"
QUERIES_FILE="$(realpath "$QUERIES_SRC")"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
CONTENT="$WORK/content"
NI="$WORK/needle-index"
TI="$WORK/tantivy-index"
RESULTS="$WORK/results.txt"
have() { command -v "$1" >/dev/null 2>&1; }
: >"$RESULTS"
note() { echo "$*" | tee -a "$RESULTS"; }

PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -f "$CONTENT/zz-serve-load.md"
}
trap cleanup EXIT

rm -rf "$CONTENT" "$NI" "$TI"
cp -r "$CONTENT_SRC" "$CONTENT"
"$NEEDLE" --content "$CONTENT" --index "$NI" index >/dev/null 2>&1
"$NEEDLE" --content "$CONTENT" --index "$NI" search --json --no-refresh --limit 100000000 "" \
  >"$WORK/passages.json"
python3 - "$WORK/passages.json" "$WORK/tantivy-docs.json" "$QUERIES_FILE" "$WORK/queries.txt" <<'EOF'
import json, sys
hits = json.load(open(sys.argv[1]))["hits"]
with open(sys.argv[2], "w") as out:
    for h in hits:
        out.write(json.dumps({k: h[k] for k in ("id", "title", "section", "text")}) + "\n")
with open(sys.argv[4], "w") as out:
    for line in open(sys.argv[3]):
        if line.strip():
            out.write(" ".join(json.loads(line)["text"].split()) + "\n")
EOF
PASSAGES=$(grep -c . "$WORK/tantivy-docs.json")

note "machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') memory, $(uname -sr)"
note "content: $CONTENT_SRC, $PASSAGES passages (both indexes); queries: $QUERIES_SRC"
note "tools: $("$NEEDLE" --version), $(tantivy --version 2>/dev/null || echo 'tantivy-cli missing')"

# serve_needle: starts needle serve on a free port; sets NEEDLE_URL.
serve_needle() {
  "$NEEDLE" --content "$CONTENT" --index "$NI" serve --addr 127.0.0.1:0 2>"$WORK/needle-serve.log" &
  PIDS+=($!)
  for _ in $(seq 100); do
    NEEDLE_URL=$(grep -o 'http://[0-9.:]*' "$WORK/needle-serve.log" || true)
    [ -n "$NEEDLE_URL" ] && return
    sleep 0.1
  done
  echo "needle serve did not start: $(cat "$WORK/needle-serve.log")" >&2
  exit 2
}
serve_needle
URLS=("needle serve|$NEEDLE_URL/search?limit=10&q=")
if have tantivy; then
  # The id stored only; title, section and text stemmed (en_stem), with
  # positions, stored.
  field() {
    printf ',{"name":"%s","type":"text","options":{"indexing":{"record":"position","fieldnorms":true,"tokenizer":"en_stem"},"stored":true,"fast":false}}' "$1"
  }
  printf '{"segments":[],"schema":[%s%s%s%s],"opstamp":0}\n' \
    '{"name":"id","type":"text","options":{"stored":true,"fast":false}}' \
    "$(field title)" "$(field section)" "$(field text)" >"$WORK/tantivy-meta.json"
  mkdir -p "$TI"
  cp "$WORK/tantivy-meta.json" "$TI/meta.json"
  tantivy index -i "$TI" -t 2 <"$WORK/tantivy-docs.json" >/dev/null 2>&1
  PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  tantivy serve -i "$TI" --host 127.0.0.1 -p "$PORT" >"$WORK/tantivy-serve.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do
    grep -q listening "$WORK/tantivy-serve.log" && break
    sleep 0.1
  done
  URLS=("tantivy-cli serve|http://127.0.0.1:$PORT/api/?nhits=10&q=" "${URLS[@]}")
else
  note "tantivy-cli: skipped: not installed (cargo install tantivy-cli)"
fi

# Every query once on each server (a warm-up); those not answered with 200
# by one of them are dropped for all.
python3 - "$WORK/queries.txt" "$WORK/queries-kept.txt" "${URLS[@]}" <<'EOF'
import sys, urllib.parse, urllib.request
queries = open(sys.argv[1]).read().splitlines()
kept = []
for q in queries:
    bad = []
    for spec in sys.argv[3:]:
        name, url = spec.split("|", 1)
        try:
            status = urllib.request.urlopen(url + urllib.parse.quote_plus(q), timeout=30).status
        except Exception as e:
            status = getattr(e, "code", str(e))
        if status != 200:
            bad.append(f"{name}: {status}")
    if bad:
        print(f"query dropped: {q!r} ({', '.join(bad)})")
    else:
        kept.append(q)
open(sys.argv[2], "w").write("".join(q + "\n" for q in kept))
print(f"{len(kept)} of {len(queries)} queries kept")
EOF
note "$(wc -l <"$WORK/queries-kept.txt") queries in the load"

# load NAME URL: one run of needle-load.
load() {
  local line
  line=$("$NEEDLE_LOAD" "$2" "$WORK/queries-kept.txt" --requests "$REQUESTS" --clients "$CLIENTS" 2>>"$WORK/load-errors.log") || true
  note "$(printf '%-26s %s' "$1" "$line")"
}

for round in $(seq "$ROUNDS"); do
  note "== round $round (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
  for spec in "${URLS[@]}"; do
    load "${spec%%|*}" "${spec#*|}"
  done
  # needle again, while a file of its content changes every 300 ms.
  before=$(grep -c 'reindexed' "$WORK/needle-serve.log" || true)
  (
    n=0
    while :; do
      n=$((n + 1))
      printf '# Serve load\n\nVersion %d: zqversion%d of a changing page.\n' "$n" "$n" >"$CONTENT/zz-serve-load.md.tmp"
      mv "$CONTENT/zz-serve-load.md.tmp" "$CONTENT/zz-serve-load.md"
      echo "$n" >"$WORK/versions.tmp"
      mv "$WORK/versions.tmp" "$WORK/versions"
      sleep 0.3
    done
  ) &
  WRITER=$!
  load "needle serve, reindexing" "$NEEDLE_URL/search?limit=10&q="
  kill "$WRITER"
  wait "$WRITER" 2>/dev/null || true
  last=$(cat "$WORK/versions")
  for _ in $(seq 100); do
    curl -sf "$NEEDLE_URL/search?q=zqversion$last" | grep -q '"total":1' && break
    sleep 0.1
  done
  after=$(grep -c 'reindexed' "$WORK/needle-serve.log" || true)
  found=$(curl -sf "$NEEDLE_URL/search?q=zqversion$last" | grep -q '"total":1' && echo yes || echo no)
  note "   meanwhile: $last versions of a page written, $((after - before)) reindexes by needle serve; its last version found by a search: $found"
done
note "results in $RESULTS"
