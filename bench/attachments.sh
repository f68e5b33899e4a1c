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

source bench/lib.sh
bench_tools
cargo build --release --locked --quiet
BIN=$ROOT/target/release/shopws

WORK=$(mktemp -d)
SERVER=
cleanup() { [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

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

declare -A P50 P99
# lat prints "p50 p90 p99".
add() { local a; read -r -a a <<<"$2"; P50[$1]+="${a[0]} "; P99[$1]+="${a[2]} "; }
for _ in 1 2 3; do
  add taxes "$(lat "$BASE/taxes/1")"
  add download "$(lat "$BASE/attachments/file/$ID")"
  add upload "$(BENCH_FILE="$WORK/file.bin" BENCH_METHOD=POST lat "$BASE/attachments/file" -s "$WORK/send.lua")"
  add replace "$(BENCH_FILE="$WORK/file.bin" BENCH_METHOD=PUT lat "$BASE/attachments/file/$ID" -s "$WORK/send.lua")"
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
    echo "| $label | $p50 | $p99 | $(ratio "$p50" "$TAX") |"
  done
  echo
  echo "attachment rows: $ROWS, files in the download directory: $FILES (they must match)"
} | tee "$OUT/attachments.md"
