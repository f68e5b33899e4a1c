#!/usr/bin/env bash
# /api/search latency: p50 / p90 of a few queries on one connection (wrk --latency), at the
# demo size (the demo shop plus 1,000 generated products) and at 100,000 generated products,
# each beside a flat GET /api/taxes/1 measured in the same run (the ratio is search / taxes).
# Server pinned to CPU 0, wrk to CPU 1, as bench/run.sh. Also reports how long the generated
# catalogue takes to index (printed by `shopws demo`).
# Usage: bash bench/search.sh [SECONDS_PER_QUERY]      (about 3 minutes with the default 3 s)
# SERVE_ARGS="--reply-cache 0" measures every query as if asked for the first time (by default
# a query asked again while nothing is written is answered from memory).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SECS=${1:-3}
OUT=$ROOT/target/bench
mkdir -p "$OUT"

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v taskset >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
cargo build --release --locked --quiet
BIN=$ROOT/target/release/shopws

WORK=$(mktemp -d)
SERVER=
cleanup() { [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# "p50 p90" in ms of one URL on one connection.
lat() {
  taskset -c 1 wrk -t1 -c1 -d"${SECS}s" --latency -H "$AUTH" "$1" | awk '
    function ms(v,  n) { n = v + 0; if (v ~ /us$/) return n / 1000; if (v ~ /ms$/) return n; if (v ~ /s$/) return n * 1000; return n }
    $1 == "50%" { p50 = ms($2) }
    $1 == "90%" { p90 = ms($2) }
    END { printf "%.3f %.3f\n", p50, p90 }'
}

QUERIES=(
  "shirt"
  "hummingbird"
  "HUMMINGBIRD%20cushion"
  "brown%20bear;mountain%20fox"
  "gen%2000012345"
  "product%2012345"
  "generated"
  "gen"
  "generated%20product"
)

ROWS=()
run() { # label, generated products
  local label=$1 n=$2 db="$WORK/$2.db" took
  export SHOPWS_DATABASE="sqlite:$db" SHOPWS_LOG=warn
  took=$("$BIN" demo --products "$n" 2>/dev/null | tr '\n' ' ')
  "$BIN" webservice enable >/dev/null
  KEY=$("$BIN" key add --all 2>/dev/null | tail -1)
  AUTH="Authorization: Basic $(printf '%s:' "$KEY" | base64 -w0)"
  local sp; sp=$(port)
  # shellcheck disable=SC2086 # SERVE_ARGS holds several arguments
  taskset -c 0 "$BIN" serve --listen "127.0.0.1:$sp" ${SERVE_ARGS:-} >/dev/null 2>&1 &
  SERVER=$!
  wait_port "$sp"
  local base="http://127.0.0.1:$sp/api"
  read -r b50 b90 <<<"$(lat "$base/taxes/1")"
  echo "$label: $took"
  ROWS+=("| $label | GET /api/taxes/1 (baseline) | — | $b50 / $b90 | 1 |")
  for q in "${QUERIES[@]}"; do
    local url="$base/search?query=$q&language=1" found p50 p90
    found=$(curl -s -H "$AUTH" -H 'Output-Format: JSON' "$url" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d["products"]) if isinstance(d, dict) else 0)')
    read -r p50 p90 <<<"$(lat "$url")"
    ROWS+=("| $label | search \`$q\` | $found | $p50 / $p90 | $(awk -v a="$p50" -v b="$b50" 'BEGIN {printf "%.1f", a/b}') |")
  done
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

run "demo + 1,000" 1000
run "demo + 100,000" 100000

{
  echo
  echo "| dataset | request | products found | p50 / p90 ms | p50 / baseline p50 |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
} | tee "$OUT/search.md"
