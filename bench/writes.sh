#!/usr/bin/env bash
# Write benchmarks, following the protocol of the performance notes: the server pinned to
# CPU 0, the load generator (wrk, with Lua scripts writing the POST bodies) to CPU 1, every
# round on a fresh copy of its database, figures reported as ratios measured in the same run.
#
#   1. POST /api/products on one connection, p50/p90: the demo shop against the demo shop plus
#      100,000 generated products, rounds interleaved; the ratio says whether a creation
#      costs more in a large catalogue.
#   2. POST /api/customers per second with 1 and with 16 concurrent clients (bcrypt, every
#      request with its own e-mail).
#   3. POST /api/tags latency alone, and while 8 clients create customers: a cheap write must
#      not wait behind password hashing.
#
# Usage: bash bench/writes.sh [ROUND_SECONDS]           (about 2 minutes with the default 4 s)
# With BASELINE_BIN=path/to/another/shopws every measurement also runs that build, interleaved,
# and the table gains its figures (before/after comparisons in one run).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SECS=${1:-4}
ROUNDS=3
OUT=$ROOT/target/bench
mkdir -p "$OUT"

source bench/lib.sh
bench_tools
cargo build --release --locked --quiet
BIN=$ROOT/target/release/shopws
BINS=("$BIN")
NAMES=("shopws")
if [ -n "${BASELINE_BIN:-}" ]; then
  BINS+=("$(cd "$(dirname "$BASELINE_BIN")" && pwd)/$(basename "$BASELINE_BIN")")
  NAMES+=("baseline")
fi

WORK=$(mktemp -d)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT
# One key for every copy: the pepper is given, not a file beside each database.
SHOPWS_PEPPER=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export SHOPWS_PEPPER SHOPWS_LOG=warn

# Datasets: the demo shop, and the demo shop plus 100,000 generated products (Home holds all
# of them; each of categories 3-10 an eighth).
make_db() { # name products
  SHOPWS_DATABASE="sqlite:$WORK/$1.db" "$BIN" demo --products "$2" >/dev/null 2>&1
  SHOPWS_DATABASE="sqlite:$WORK/$1.db" "$BIN" webservice enable >/dev/null
  SHOPWS_DATABASE="sqlite:$WORK/$1.db" "$BIN" key add --all 2>/dev/null | tail -1
}
KEY=$(make_db demo 0)
KEY_BIG=$(make_db big 100000)
declare -A KEYS=([demo]=$KEY [big]=$KEY_BIG)

# Lua: POST bodies, one distinct value per request (a run prefix, wrk thread, counter).
cat >"$WORK/product.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/xml"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, "<prestashop><product><price>12.5</price>"
    .. "<id_category_default>2</id_category_default><active>1</active>"
    .. "<name>Bench product " .. n .. "</name></product></prestashop>")
end
EOF
cat >"$WORK/customer.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/xml"
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) prefix = args[1] or "run" end
local n = 0
request = function()
  n = n + 1
  local email = string.format("%s-%d-%d@example.com", prefix, tid or 0, n)
  return wrk.format(nil, nil, nil, "<prestashop><customer><firstname>Bench</firstname>"
    .. "<lastname>Writer</lastname><email>" .. email .. "</email>"
    .. "<passwd>correct-horse-battery</passwd></customer></prestashop>")
end
EOF
cat >"$WORK/tag.lua" <<'EOF'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/xml"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil,
    "<prestashop><tag><id_lang>1</id_lang><name>bench " .. n .. "</name></tag></prestashop>")
end
EOF

start() { # binary db: a fresh copy of the database, served on CPU 0
  rm -f "$WORK"/run.db*
  for s in "" -wal -shm; do [ -f "$WORK/$2.db$s" ] && cp "$WORK/$2.db$s" "$WORK/run.db$s"; done
  SP=$(port)
  SHOPWS_DATABASE="sqlite:$WORK/run.db" taskset -c 0 "$1" serve --listen "127.0.0.1:$SP" >/dev/null 2>&1 &
  SERVER=$!
  wait_port "$SP"
  AUTH="Authorization: Basic $(printf '%s:' "${KEYS[$2]}" | base64 -w0)"
}
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; SERVER=; }
# wrk on CPU 1 → "p50_ms p90_ms p99_ms req_per_s errors"
load() { # script connections seconds path [script args]
  local script=$1 c=$2 d=$3 path=$4; shift 4
  taskset -c 1 wrk -t1 -c"$c" -d"${d}s" --timeout 10s --latency -s "$WORK/$script" -H "$AUTH" \
    "http://127.0.0.1:$SP$path" -- "$@" | awk '
    function ms(v,  n) { n = v + 0; if (v ~ /us$/) return n / 1000; if (v ~ /ms$/) return n; if (v ~ /s$/) return n * 1000; return n }
    $1 == "50%" { p50 = ms($2) }
    $1 == "90%" { p90 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /^Requests\/sec/ { rps = $2 }
    /Non-2xx/ { err += $NF }
    /Socket errors/ { err += 1 }
    END { printf "%.3f %.3f %.3f %.1f %d\n", p50, p90, p99, rps, err }'
}
field() { awk -v i="$1" '{print $i}'; }
ERRORS=0
count_errors() { local e; e=$(echo "$1" | field 5); ERRORS=$((ERRORS + e)); }

: >"$OUT/writes.jsonl"
ROWS=()

# 1. Product creation, demo shop against 100k products, rounds interleaved.
echo "products: $ROUNDS rounds of ${SECS}s per size, one connection" >&2
for b in "${!BINS[@]}"; do
  declare -a P50_DEMO=() P90_DEMO=() P50_BIG=() P90_BIG=() RATIOS=()
  for _ in $(seq 1 "$ROUNDS"); do
    start "${BINS[$b]}" demo; d=$(load product.lua 1 "$SECS" /api/products); stop
    start "${BINS[$b]}" big; g=$(load product.lua 1 "$SECS" /api/products); stop
    count_errors "$d"; count_errors "$g"
    P50_DEMO+=("$(echo "$d" | field 1)"); P90_DEMO+=("$(echo "$d" | field 2)")
    P50_BIG+=("$(echo "$g" | field 1)"); P90_BIG+=("$(echo "$g" | field 2)")
    RATIOS+=("$(awk -v g="$(echo "$g" | field 1)" -v d="$(echo "$d" | field 1)" 'BEGIN {printf "%.2f", g/d}')")
  done
  dm=$(printf '%s\n' "${P50_DEMO[@]}" | median); d9=$(printf '%s\n' "${P90_DEMO[@]}" | median)
  gm=$(printf '%s\n' "${P50_BIG[@]}" | median); g9=$(printf '%s\n' "${P90_BIG[@]}" | median)
  rm_=$(printf '%s\n' "${RATIOS[@]}" | median)
  ROWS+=("| ${NAMES[$b]} | POST product p50 / p90, demo shop | $dm / $d9 ms |")
  ROWS+=("| ${NAMES[$b]} | POST product p50 / p90, 100k products | $gm / $g9 ms |")
  ROWS+=("| ${NAMES[$b]} | p50 ratio 100k / demo (median; rounds) | $rm_ ($(IFS=/; echo "${RATIOS[*]}")) |")
  echo "{\"build\":\"${NAMES[$b]}\",\"product_p50_ms\":$dm,\"product_p90_ms\":$d9,\"product_100k_p50_ms\":$gm,\"product_100k_p90_ms\":$g9,\"ratio\":$rm_}" >>"$OUT/writes.jsonl"
done

# 2. and 3. Customers (bcrypt) and a cheap write beside them, on the demo shop.
echo "customers and tags: ${SECS}s each" >&2
for b in "${!BINS[@]}"; do
  start "${BINS[$b]}" demo
  c1=$(load customer.lua 1 "$SECS" /api/customers "c1-$b")
  c16=$(load customer.lua 16 "$SECS" /api/customers "c16-$b")
  alone=$(load tag.lua 1 "$SECS" /api/tags)
  # Eight clients creating customers for the whole tag round (and a second either side).
  taskset -c 1 wrk -t1 -c8 -d"$((SECS + 2))s" --timeout 10s -s "$WORK/customer.lua" -H "$AUTH" \
    "http://127.0.0.1:$SP/api/customers" -- "busy-$b" >"$WORK/busy.out" &
  BUSY=$!
  sleep 1
  busy=$(load tag.lua 1 "$SECS" /api/tags)
  wait "$BUSY"
  busy_rps=$(awk '/^Requests\/sec/ {print $2}' "$WORK/busy.out")
  busy_err=$(awk '/Non-2xx/ {print $NF}' "$WORK/busy.out"); ERRORS=$((ERRORS + ${busy_err:-0}))
  stop
  for r in "$c1" "$c16" "$alone" "$busy"; do count_errors "$r"; done
  ROWS+=("| ${NAMES[$b]} | POST customer, 1 client | $(echo "$c1" | field 4) /s (p50 $(echo "$c1" | field 1) ms) |")
  ROWS+=("| ${NAMES[$b]} | POST customer, 16 clients | $(echo "$c16" | field 4) /s (p50 $(echo "$c16" | field 1) ms) |")
  ROWS+=("| ${NAMES[$b]} | POST tag p50 / p99, alone | $(echo "$alone" | field 1) / $(echo "$alone" | field 3) ms |")
  ROWS+=("| ${NAMES[$b]} | POST tag p50 / p99, 8 customer creations running ($busy_rps customers/s) | $(echo "$busy" | field 1) / $(echo "$busy" | field 3) ms |")
  ROWS+=("| ${NAMES[$b]} | tag p50 ratio busy / alone | $(awk -v a="$(echo "$alone" | field 1)" -v b="$(echo "$busy" | field 1)" 'BEGIN {printf "%.1f", b/a}') |")
  echo "{\"build\":\"${NAMES[$b]}\",\"customers_per_s_1\":$(echo "$c1" | field 4),\"customers_per_s_16\":$(echo "$c16" | field 4),\"tag_p50_ms\":$(echo "$alone" | field 1),\"tag_p99_ms\":$(echo "$alone" | field 3),\"tag_busy_p50_ms\":$(echo "$busy" | field 1),\"tag_busy_p99_ms\":$(echo "$busy" | field 3)}" >>"$OUT/writes.jsonl"
done

{
  echo
  echo "| build | measurement | result |"
  echo "|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "requests answered with an error (must be 0): $ERRORS"
} | tee "$OUT/writes.md"
[ "$ERRORS" -eq 0 ]
