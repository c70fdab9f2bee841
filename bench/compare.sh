#!/usr/bin/env bash
# needle side by side with what a user would otherwise run, on one generated
# corpus and in one run:
#   1. `needle search` as a whole process (with --no-refresh and with the
#      default refresh) vs `rg -i` over the same files for the same words;
#   2. `needle index` from scratch vs tantivy-cli indexing the same passages
#      as JSON (when `tantivy` is installed: cargo install tantivy-cli);
#   3. incremental reindex after changing one article (every file compared,
#      and `needle index FILE`) vs a full rebuild;
#   plus startup on the bundled article and peak memory (GNU time).
#
# Usage: bench/compare.sh [PASSAGES] [WORKDIR]
#   PASSAGES  corpus size in passages (default 100000)
#   WORKDIR   where the corpus, indexes and results go, outside the repository
#             (default ${TMPDIR:-/tmp}/needle-compare); a corpus already there
#             with the same size is reused.
# Environment: RUNS (timed runs per measurement, default 10), SEED (default 1),
#   WORDS (space-separated words searched, default "collagen sunscreen pigmentation"),
#   INDEXING=0 to skip the from-scratch indexing and the full rebuild (at 1M
#   passages each takes minutes): the index in WORKDIR is brought up to date
#   once instead, and everything else is measured as usual;
#   WATCH=0 to skip the searches with `needle watch` running; WATCH_IDLE=S
#   to also measure the watcher's CPU over S idle seconds and its memory;
#   NEEDLE_BIN=PATH to measure that needle binary instead of building one
#   (an older build, for a before/after).
# Timing uses hyperfine when installed, else a loop over `date +%s%N`.
# Medians are printed with the spread (min..max) over RUNS runs.
set -euo pipefail

cd "$(dirname "$0")/.."
N="${1:-100000}"
WORK="${2:-${TMPDIR:-/tmp}/needle-compare}"
RUNS="${RUNS:-10}"
INDEXING="${INDEXING:-1}"
SEED="${SEED:-1}"
WORDS="${WORDS:-collagen sunscreen pigmentation}"
mkdir -p "$WORK"
WORK="$(cd "$WORK" && pwd)"
CORPUS="$WORK/corpus-$N"
INDEX="$WORK/index-$N"
RESULTS="$WORK/results-$N.txt"

echo "== building release binaries"
if [ -n "${NEEDLE_BIN:-}" ]; then
  cargo build --release --quiet -p needle-bench
  NEEDLE="$(cd "$(dirname "$NEEDLE_BIN")" && pwd)/$(basename "$NEEDLE_BIN")"
else
  cargo build --release --quiet -p needle -p needle-bench
  NEEDLE="$PWD/target/release/needle"
fi
CORPUS_BIN="$PWD/target/release/needle-corpus"

if [ -f "$CORPUS/needle-corpus.json" ] && grep -q "\"passages\": $N," "$CORPUS/needle-corpus.json" \
  && grep -q "\"seed\": $SEED," "$CORPUS/needle-corpus.json"; then
  echo "== reusing the corpus in $CORPUS"
else
  echo "== generating $N passages into $CORPUS"
  rm -rf "$CORPUS"
  "$CORPUS_BIN" "$N" "$CORPUS" --seed "$SEED" >/dev/null
fi
BYTES=$(sed -n 's/.*"bytes": \([0-9]*\).*/\1/p' "$CORPUS/needle-corpus.json")
ARTICLES=$(sed -n 's/.*"articles": \([0-9]*\).*/\1/p' "$CORPUS/needle-corpus.json")

have() { command -v "$1" >/dev/null 2>&1; }
declare -A RG
: >"$RESULTS"
note() { echo "$*" | tee -a "$RESULTS"; }

note "machine: $(nproc) cores, $(free -h | awk '/^Mem:/ {print $2}') memory, $(uname -sr)"
note "corpus: $N passages, $ARTICLES articles, $BYTES bytes of Markdown, seed $SEED"
note "tools: $("$NEEDLE" --version), $( { rg --version 2>/dev/null || echo 'rg missing'; } | head -1), $(hyperfine --version 2>/dev/null || echo 'no hyperfine: date loop')"
note "runs per measurement: $RUNS; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# measure NAME PREPARE COMMAND: sets MED, MIN, MAX (milliseconds).
# PREPARE ("" for none) runs before every timed run, untimed.
measure() {
  local name="$1" prepare="$2" cmd="$3"
  if have hyperfine; then
    local json="$WORK/hf.json"
    local args=(--runs "$RUNS" --warmup 1 --style none --export-json "$json" -i)
    if [ -n "$prepare" ]; then args+=(--prepare "$prepare"); fi
    hyperfine "${args[@]}" "$cmd" >/dev/null
    MED=$(awk -F': ' '/"median"/ {gsub(",","",$2); printf "%.2f", $2*1000; exit}' "$json")
    MIN=$(awk -F': ' '/"min"/ {gsub(",","",$2); printf "%.2f", $2*1000; exit}' "$json")
    MAX=$(awk -F': ' '/"max"/ {gsub(",","",$2); printf "%.2f", $2*1000; exit}' "$json")
  else
    local times=() t0 t1 i
    bash -c "$cmd" >/dev/null 2>&1 || true
    for ((i = 0; i < RUNS; i++)); do
      if [ -n "$prepare" ]; then bash -c "$prepare" >/dev/null 2>&1; fi
      t0=$(date +%s%N)
      bash -c "$cmd" >/dev/null 2>&1 || true
      t1=$(date +%s%N)
      times+=($(((t1 - t0) / 1000)))
    done
    read -r MED MIN MAX < <(printf '%s\n' "${times[@]}" | sort -n | awk '
      { v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2;
      printf "%.2f %.2f %.2f\n", m / 1000, v[1] / 1000, v[NR] / 1000 }')
  fi
  note "$(printf '%-52s median %9.2f ms  (min %9.2f, max %9.2f)' "$name" "$MED" "$MIN" "$MAX")"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f", a / b; else print "n/a" }'; }

# peak_rss NAME PREPARE COMMAND: peak resident memory in MB (GNU time).
peak_rss() {
  local name="$1" prepare="$2" cmd="$3"
  if [ -n "$prepare" ]; then bash -c "$prepare"; fi
  if [ -x /usr/bin/time ]; then
    local kb
    kb=$(/usr/bin/time -v bash -c "exec $cmd" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}')
    note "$(printf '%-52s peak RSS %7.1f MB' "$name" "$(awk -v k="$kb" 'BEGIN {print k / 1024}')")"
  else
    note "$name: skipped (GNU time not installed: apt-get install time)"
  fi
}

ND="$NEEDLE --content $CORPUS --index $INDEX"

echo
if [ "$INDEXING" = 1 ]; then
note "== 2. indexing from scratch"
measure "needle index (empty index dir)" "rm -rf $INDEX" "$ND index"
NEEDLE_INDEX_MS=$MED
note "   throughput: $(awk -v b="$BYTES" -v ms="$MED" 'BEGIN {printf "%.1f", b / 1e6 / (ms / 1000)}') MB/s of Markdown"
peak_rss "needle index (empty index dir)" "rm -rf $INDEX" "$ND index"
if have tantivy; then
  PASSAGES_JSON="$WORK/passages-$N.json"
  [ -f "$PASSAGES_JSON" ] || "$CORPUS_BIN" --export-passages "$CORPUS" "$PASSAGES_JSON"
  TI="$WORK/tantivy-cli-$N"
  # tantivy_index NAME FIELDS JSON: tantivy-cli indexes JSON into a fresh
  # index whose schema has FIELDS (lines of tantivy's schema JSON).
  tantivy_index() {
    printf '{"segments":[],"schema":[\n%s\n],"opstamp":0}\n' "$2" >"$WORK/tantivy-meta.json"
    measure "$1" "rm -rf $TI && mkdir -p $TI && cp $WORK/tantivy-meta.json $TI/meta.json" \
      "tantivy index -i $TI -t 2 < $3"
  }
  field() { # field NAME RECORD TOKENIZER STORED
    printf ' {"name":"%s","type":"text","options":{"indexing":{"record":"%s","fieldnorms":%s,"tokenizer":"%s"},"stored":%s,"fast":false}}' \
      "$1" "$2" "$([ "$3" = raw ] && echo false || echo true)" "$3" "$4"
  }
  ID="$(field id basic raw true)"
  # The same passages, with the fields needle searches: id (key), title,
  # section, text (stemmed English, positions, stored).
  tantivy_index "tantivy-cli index (same passages as JSON)" "$ID,
$(field title position en_stem true),
$(field section position en_stem true),
$(field text position en_stem true)" "$PASSAGES_JSON"
  note "   needle / tantivy-cli: $(ratio "$NEEDLE_INDEX_MS" "$MED")x the time"
  # Like for like: needle indexes each text twice, stemmed (frequencies) for
  # ranking and exact (positions for phrases, the vocabulary for prefixes and
  # typos). The same fields for tantivy-cli, from the same passages.
  TWICE_JSON="$WORK/passages-$N-twice.json"
  [ -f "$TWICE_JSON" ] || "$CORPUS_BIN" --export-passages "$CORPUS" "$TWICE_JSON" --exact-copies
  tantivy_index "tantivy-cli index, needle's text fields" "$ID,
$(field title freq en_stem true),
$(field title_raw basic default false),
$(field section freq en_stem true),
$(field section_raw basic default false),
$(field text freq en_stem true),
$(field text_raw position default false)" "$TWICE_JSON"
  note "   needle / tantivy-cli with needle's text fields: $(ratio "$NEEDLE_INDEX_MS" "$MED")x the time"
else
  note "tantivy-cli: skipped: tantivy-cli not installed (cargo install tantivy-cli)"
fi
else
  note "== 2. indexing from scratch: skipped (INDEXING=0)"
fi
# Leave an up-to-date index for what follows.
$ND index >/dev/null

echo
note "== 1. search as a whole process vs rg -i (index up to date)"
for w in $WORDS; do
  measure "needle search --no-refresh $w" "" "$ND search --no-refresh $w"
  NR=$MED
  measure "needle search $w (default refresh)" "" "$ND search $w"
  DR=$MED
  if have rg; then
    measure "rg -i $w" "" "rg -i $w $CORPUS"
    RG[$w]=$MED
    note "   rg / needle: $(ratio "$MED" "$NR")x faster with --no-refresh, $(ratio "$MED" "$DR")x with the refresh"
  else
    note "   rg: skipped (ripgrep not installed)"
  fi
done
W1="${WORDS%% *}"
ONE="$CORPUS/d0000/a0000000.md"
cp "$ONE" "$WORK/one.orig"
EDIT="printf '\nEdited paragraph number %s about collagen.\n' \$RANDOM\$RANDOM >> $ONE"

if [ "${WATCH:-1}" = 1 ]; then
  echo
  note "== 1b. with needle watch running (a search asks it to sync instead of walking)"
  WATCH_OUT="$WORK/watch-$N.jsonl"
  T0=$(date +%s%N)
  $ND watch --json >"$WATCH_OUT" 2>"$WORK/watch-$N.err" &
  WPID=$!
  for _ in $(seq 1 6000); do [ -s "$WATCH_OUT" ] && break; sleep 0.1; done
  note "needle watch: first reindex printed after $(( ($(date +%s%N) - T0) / 1000000 )) ms"
  for w in $WORDS; do
    measure "needle search $w (watcher running)" "" "$ND search $w"
    if [ -n "${RG[$w]:-}" ]; then note "   rg / needle: $(ratio "${RG[$w]}" "$MED")x faster"; fi
  done
  measure "one article changed, then needle search $W1" "$EDIT" "$ND search $W1"
  # `needle index` asks the watcher to catch up instead of walking.
  measure "one article changed, then needle index (watcher running)" "$EDIT" "$ND index"
  if [ -n "${WATCH_IDLE:-}" ]; then
    sleep 5
    cpu() { awk '{print $14 + $15}' "/proc/$WPID/stat"; }
    C0=$(cpu); sleep "$WATCH_IDLE"; C1=$(cpu)
    note "needle watch idle: $(( (C1 - C0) * 1000 / $(getconf CLK_TCK) )) ms of CPU in $WATCH_IDLE s; $(awk '/VmRSS|VmHWM/ {printf "%s %.1f MB  ", $1, $2 / 1024}' "/proc/$WPID/status")"
  fi
  kill -INT $WPID
  wait $WPID || true
  # The watcher's own time for each reindex after its first (took_ms).
  note "needle watch: one-article reindex, median $(grep -o '"took_ms":[0-9.]*' "$WATCH_OUT" | tail -n +2 | cut -d: -f2 | sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f ms (min %.1f, max %.1f, %d reindexes)", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2, v[1], v[NR], NR; else print "n/a" }')"
  cp "$WORK/one.orig" "$ONE"
fi
peak_rss "needle search --no-refresh $W1" "" "$ND search --no-refresh $W1"
peak_rss "needle search $W1 (default refresh)" "" "$ND search $W1"

echo
note "== 3. incremental reindex of one changed article vs a full rebuild"
measure "needle index after changing one article" "$EDIT" "$ND index"
INC=$MED
# The changed file named: only it is read, no walk.
measure "needle index FILE after changing that article" "$EDIT" "$ND index $ONE"
cp "$WORK/one.orig" "$ONE"
if [ "$INDEXING" = 1 ]; then
  measure "needle index --force (full rebuild)" "" "$ND index --force"
  note "   full rebuild / incremental: $(ratio "$MED" "$INC")x"
else
  note "needle index --force (full rebuild): skipped (INDEXING=0)"
fi
$ND index >/dev/null

echo
note "== startup: the bundled article, index up to date"
BUNDLED_INDEX="$WORK/index-bundled"
(cd "$WORK" && "$NEEDLE" --index "$BUNDLED_INDEX" index >/dev/null)
measure "needle search sunscreen (bundled article)" "" "cd $WORK && $NEEDLE --index $BUNDLED_INDEX search sunscreen"

note "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results written to $RESULTS"
