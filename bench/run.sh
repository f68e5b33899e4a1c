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

command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
command -v taskset >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
cargo build --release --locked --quiet
(cd bench/bare && cargo build --release --quiet)
BIN=$ROOT/target/release/shopws
BARE=$ROOT/bench/bare/target/release/bare

WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
rss_kib() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
hwm_kib() { awk '/^VmHWM/ {print $2}' /proc/"$1"/status; }

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

# wrk on CPU 1: requests/s, or "p50 p99" in ms with one connection.
rps() { taskset -c 1 wrk -t1 -c50 -d"${SECS}s" -H "$AUTH" "$1" | awk '/^Requests\/sec/ {print $2}'; }
lat() {
  taskset -c 1 wrk -t1 -c1 -d"${SECS}s" --latency -H "$AUTH" "$1" | awk '
    function ms(v,  n) { n = v + 0; if (v ~ /us$/) return n / 1000; if (v ~ /ms$/) return n; if (v ~ /s$/) return n * 1000; return n }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.3f %.3f\n", p50, p99 }'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# "p50 p90" of the numbers on standard input (nearest rank).
p50_p90() { sort -g | awk '{a[NR]=$1} END {i=int(NR*0.5+0.5); j=int(NR*0.9+0.5); if (i<1) i=1; if (j<1) j=1; print a[i], a[j]}'; }

ROWS=()
pair() { # name, path
  local name=$1 path=$2 url="http://127.0.0.1:$SP$2" body="$WORK/body" ctype
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
  lat_s=$(lat "$url"); lat_b=$(lat "http://127.0.0.1:$bp/")
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

# Whole lists, one connection: p50 and p90 of 20 requests (a 40 ms Nagle/delayed-ACK stall
# shows in the p90).
list_ms() { for _ in $(seq 1 20); do curl -g -s -o /dev/null -w '%{time_total}\n' -H "$AUTH" "$1"; done | p50_p90 | awk '{printf "%.1f / %.1f", $1*1000, $2*1000}'; }
LIST_XML=$(list_ms "http://127.0.0.1:$SP/api/products?display=full&limit=0,1000")
LIST_JSON=$(list_ms "http://127.0.0.1:$SP/api/products?display=full&limit=0,1000&output_format=JSON")
LIST_BYTES=$(curl -g -s -H "$AUTH" "http://127.0.0.1:$SP/api/products?display=full&limit=0,1000" | wc -c)
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
  echo "| 1,000,000 products display=[id,reference,price,name], XML | $M_XML_S s, $M_XML_B B, peak RSS $((M_XML_PEAK / 1024)) MiB (idle $((IDLE / 1024)) MiB) |"
  echo "| 1,000,000 products, same, JSON | $M_JSON_S s, $M_JSON_B B, peak RSS $((M_JSON_PEAK / 1024)) MiB |"
  echo "| generating 1,000,000 products (shopws demo) | ${GEN_S} s |"
} | tee "$OUT/table.md"
