#!/usr/bin/env bash
# Benchmarks shopws against a bare hyper server serving the very same bytes (the ceiling),
# following the protocol of the performance notes: server and ceiling pinned to CPU 0, the
# load generator (wrk) to CPU 1, baseline and candidate interleaved over 3 rounds, figures
# reported as ratios measured in the same run.
# Usage: bash bench/run.sh [ROUND_SECONDS]      (about 6 minutes with the default 4 s)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SECS=${1:-4}
OUT=$ROOT/target/bench
mkdir -p "$OUT"

source bench/lib.sh
bench_tools
cargo build --release --locked --quiet
(cd bench/bare && cargo build --release --quiet)
BIN=$ROOT/target/release/shopws
BARE=$ROOT/bench/bare/target/release/bare

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# Dataset: the demo shop plus 1,000 generated products (every 10th with combinations and an image).
export SHOPWS_DATABASE="sqlite:$WORK/bench.db" SHOPWS_LOG=warn
"$BIN" demo --products 1000 >/dev/null 2>&1
"$BIN" webservice enable >/dev/null
KEY=$("$BIN" key add --all 2>/dev/null | tail -1)
AUTH="Authorization: Basic $(printf '%s:' "$KEY" | base64 -w0)"
SP=$(port)
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$SP" >/dev/null 2>&1 &
PIDS+=($!); SERVER=$!
wait_port "$SP"
# The same database served without reusing finished answers (--reply-cache 0): what every
# request costs when it is the first of its kind since the last write.
NP=$(port)
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$NP" --reply-cache 0 >/dev/null 2>&1 &
PIDS+=($!); UNCACHED=$!
wait_port "$NP"


ROWS=()
pair() { # name, path [, port]
  local name=$1 path=$2 url="http://127.0.0.1:${3:-$SP}$2" body="$WORK/body" ctype
  ctype=$(curl -s -o "$body" -w '%{content_type}' -H "$AUTH" "$url")
  local bp; bp=$(port)
  taskset -c 0 "$BARE" "$bp" "$body" "$ctype" &
  local bare_pid=$!
  wait_port "$bp"
  local ratios=() shop_all=() bare_all=()
  for _ in 1 2 3; do
    local b s
    b=$(rps "http://127.0.0.1:$bp/")
    s=$(rps "$url")
    bare_all+=("$b"); shop_all+=("$s")
    ratios+=("$(awk -v s="$s" -v b="$b" 'BEGIN {printf "%.3f", s/b}')")
  done
  local lat_s lat_b
  # "p50 p99" of lat's "p50 p90 p99".
  lat_s=$(lat "$url" | awk '{print $1, $3}'); lat_b=$(lat "http://127.0.0.1:$bp/" | awk '{print $1, $3}')
  kill "$bare_pid" 2>/dev/null || true; wait "$bare_pid" 2>/dev/null || true
  local s_med b_med r_med
  s_med=$(printf '%s\n' "${shop_all[@]}" | median); b_med=$(printf '%s\n' "${bare_all[@]}" | median)
  r_med=$(printf '%s\n' "${ratios[@]}" | median)
  ROWS+=("| $name | $(wc -c <"$body") B | $(printf '%.0f' "$s_med") | $(printf '%.0f' "$b_med") | $r_med ($(IFS=/; echo "${ratios[*]}")) | ${lat_s% *} / ${lat_s#* } | ${lat_b% *} / ${lat_b#* } |")
  echo "{\"name\":\"$name\",\"bytes\":$(wc -c <"$body"),\"rps\":$s_med,\"ceiling_rps\":$b_med,\"ratio\":$r_med,\"p50_ms\":${lat_s% *},\"p99_ms\":${lat_s#* },\"ceiling_p50_ms\":${lat_b% *},\"ceiling_p99_ms\":${lat_b#* }}" >>"$OUT/throughput.jsonl"
}

: >"$OUT/throughput.jsonl"
echo "throughput and latency (each pair: 3 interleaved rounds of ${SECS}s at 50 connections; latency on 1 connection)"
pair "taxes/1 (flat) XML" "/api/taxes/1"
pair "taxes/1 (flat) JSON" "/api/taxes/1?output_format=JSON"
pair "products/1 full XML" "/api/products/1"
pair "products/1 full JSON" "/api/products/1?output_format=JSON"
pair "taxes/1 (flat) XML, --reply-cache 0" "/api/taxes/1" "$NP"
pair "products/1 full XML, --reply-cache 0" "/api/products/1" "$NP"

# Whole lists, one connection: p50 and p90 of 20 requests (a 40 ms Nagle/delayed-ACK stall
# shows in the p90).
LIST_XML=$(list_ms "http://127.0.0.1:$SP/api/products?display=full&limit=0,1000" | sed 's| | / |')
LIST_JSON=$(list_ms "http://127.0.0.1:$SP/api/products?display=full&limit=0,1000&output_format=JSON" | sed 's| | / |')
LIST_BYTES=$(curl -g -s -H "$AUTH" "http://127.0.0.1:$SP/api/products?display=full&limit=0,1000" | wc -c)
LIST_XML_NC=$(list_ms "http://127.0.0.1:$NP/api/products?display=full&limit=0,1000" | sed 's| | / |')
LIST_JSON_NC=$(list_ms "http://127.0.0.1:$NP/api/products?display=full&limit=0,1000&output_format=JSON" | sed 's| | / |')
kill "$UNCACHED"; wait "$UNCACHED" 2>/dev/null || true
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

# One million rows, streamed; peak RSS from VmHWM, sampled every 100 ms.
export SHOPWS_DATABASE="sqlite:$WORK/million.db"
GEN_START=$(date +%s)
"$BIN" demo --products 1000000 --combinations-every 0 >/dev/null 2>&1
GEN_S=$(( $(date +%s) - GEN_START ))
"$BIN" webservice enable >/dev/null
KEY=$("$BIN" key add --all 2>/dev/null | tail -1)
AUTH="Authorization: Basic $(printf '%s:' "$KEY" | base64 -w0)"
SP=$(port)
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$SP" >/dev/null 2>&1 &
PIDS+=($!); SERVER=$!
wait_port "$SP"
curl -s -o /dev/null -H "$AUTH" "http://127.0.0.1:$SP/api/taxes/1"
IDLE=$(rss_kib "$SERVER")
stream() { # path -> "seconds bytes peak_kib"
  local start peak=0 t
  curl -g -s -o "$WORK/stream.out" -w '%{time_total} %{size_download}\n' -H "$AUTH" "http://127.0.0.1:$SP$1" >"$WORK/stream.t" &
  local c=$!
  while kill -0 "$c" 2>/dev/null; do t=$(hwm_kib "$SERVER"); [ "$t" -gt "$peak" ] && peak=$t; sleep 0.1; done
  wait "$c"
  t=$(hwm_kib "$SERVER"); [ "$t" -gt "$peak" ] && peak=$t
  echo "$(cat "$WORK/stream.t") $peak"
}
read -r M_XML_S M_XML_B M_XML_PEAK <<<"$(stream '/api/products?display=[id,reference,price,name]')"
read -r M_JSON_S M_JSON_B M_JSON_PEAK <<<"$(stream '/api/products?display=[id,reference,price,name]&output_format=JSON')"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true

{
  echo
  echo "| request | body | shopws req/s | ceiling req/s | ratio (median; rounds) | shopws p50 / p99 ms | ceiling p50 / p99 ms |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "| list | result |"
  echo "|---|---|"
  echo "| products display=full limit=1000, XML ($LIST_BYTES B) | p50 / p90 ${LIST_XML} ms (20 requests, one connection) |"
  echo "| products display=full limit=1000, JSON | p50 / p90 ${LIST_JSON} ms |"
  echo "| same, XML, --reply-cache 0 | p50 / p90 ${LIST_XML_NC} ms |"
  echo "| same, JSON, --reply-cache 0 | p50 / p90 ${LIST_JSON_NC} ms |"
  echo "| 1,000,000 products display=[id,reference,price,name], XML | $M_XML_S s, $M_XML_B B, peak RSS $((M_XML_PEAK / 1024)) MiB (idle $((IDLE / 1024)) MiB) |"
  echo "| 1,000,000 products, same, JSON | $M_JSON_S s, $M_JSON_B B, peak RSS $((M_JSON_PEAK / 1024)) MiB |"
  echo "| generating 1,000,000 products (shopws demo) | ${GEN_S} s |"
} | tee "$OUT/table.md"
