#!/usr/bin/env bash
# Attachment files: p50/p99 on one connection of uploading a 100 KB file (POST
# attachments/file, raw body: a new row and a new file each time), replacing it (PUT
# attachments/file/{id}: a new file, the old one removed) and downloading it (GET
# attachments/file/{id}), each beside a flat GET /api/taxes/1 measured in the same rounds, so
# the ratios hold on any machine. shopws pinned to CPU 0, wrk to CPU 1, 3 interleaved rounds,
# medians reported. The files land in a temporary directory (about 100 MB per second of upload
# round), removed at the end.
# Usage: bash bench/attachments.sh [ROUND_SECONDS]      (about a minute with the default 3 s)
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

export SHOPWS_DATABASE="sqlite:$WORK/bench.db" SHOPWS_LOG=warn
"$BIN" demo --products 10 >/dev/null 2>&1
"$BIN" webservice enable >/dev/null
KEY=$("$BIN" key add --all 2>/dev/null | tail -1)
AUTH="Authorization: Basic $(printf '%s:' "$KEY" | base64 -w0)"
SP=$(port)
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$SP" --download-dir "$WORK/download" >/dev/null 2>&1 &
SERVER=$!
wait_port "$SP"
BASE="http://127.0.0.1:$SP/api"

head -c 102400 /dev/urandom >"$WORK/file.bin"
ID=$(curl -s -H "$AUTH" --data-binary @"$WORK/file.bin" -H 'Content-Type: application/octet-stream' \
  "$BASE/attachments/file" | sed -n 's/.*<id><!\[CDATA\[\([0-9]*\)\]\]><\/id>.*/\1/p' | head -1)
[ -n "$ID" ] || { echo "upload failed" >&2; exit 1; }
cmp <(curl -s -H "$AUTH" "$BASE/attachments/file/$ID") "$WORK/file.bin" || { echo "download differs" >&2; exit 1; }

cat >"$WORK/send.lua" <<'EOF'
local f = assert(io.open(os.getenv("BENCH_FILE"), "rb"))
wrk.method = os.getenv("BENCH_METHOD")
wrk.body = f:read("*a")
f:close()
wrk.headers["Content-Type"] = "application/octet-stream"
EOF

# "p50 p99" in ms on one connection; extra wrk arguments before the URL.
lat() {
  taskset -c 1 wrk -t1 -c1 -d"${SECS}s" --latency -H "$AUTH" "$@" | awk '
    function ms(v,  n) { n = v + 0; if (v ~ /us$/) return n / 1000; if (v ~ /ms$/) return n; if (v ~ /s$/) return n * 1000; return n }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.3f %.3f\n", p50, p99 }'
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A P50 P99
add() { P50[$1]+="${2% *} "; P99[$1]+="${2#* } "; }
for _ in 1 2 3; do
  add taxes "$(lat "$BASE/taxes/1")"
  add download "$(lat "$BASE/attachments/file/$ID")"
  add upload "$(BENCH_FILE="$WORK/file.bin" BENCH_METHOD=POST lat -s "$WORK/send.lua" "$BASE/attachments/file")"
  add replace "$(BENCH_FILE="$WORK/file.bin" BENCH_METHOD=PUT lat -s "$WORK/send.lua" "$BASE/attachments/file/$ID")"
done
med() { printf '%s\n' $1 | median; }
ROWS=$(curl -s -D - -o /dev/null -H "$AUTH" "$BASE/attachments?limit=1" | tr -d '\r' | awk -F': ' 'tolower($1) == "x-total-count" {print $2}')
FILES=$(find "$WORK/download" -type f | wc -l)
TAX=$(med "${P50[taxes]}")
{
  echo
  echo "| request (one connection) | p50 ms | p99 ms | p50 / taxes/1 p50 |"
  echo "|---|---|---|---|"
  for k in taxes download upload replace; do
    case $k in
      taxes) label="GET /api/taxes/1 (flat)" ;;
      download) label="GET attachments/file/{id}, 100 KB" ;;
      upload) label="POST attachments/file, 100 KB raw body (new row + file)" ;;
      replace) label="PUT attachments/file/{id}, 100 KB (new file, old removed)" ;;
    esac
    p50=$(med "${P50[$k]}"); p99=$(med "${P99[$k]}")
    echo "| $label | $p50 | $p99 | $(awk -v a="$p50" -v b="$TAX" 'BEGIN {printf "%.1f", a/b}') |"
  done
  echo
  echo "attachment rows: $ROWS, files in the download directory: $FILES (they must match)"
} | tee "$OUT/attachments.md"
