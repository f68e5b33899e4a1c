#!/usr/bin/env bash
# Picture benchmark: serving a ~20 KB product picture against a bare hyper server returning
# the very same bytes (the ceiling, measured in the same run), and uploading a 2000×2000 JPEG
# with every product size made, on one core. Protocol as bench/run.sh: server and ceiling
# pinned to CPU 0, wrk to CPU 1, shopws and ceiling interleaved over 3 rounds.
# Usage: bash bench/images.sh [ROUND_SECONDS] [UPLOADS]      (about 1 minute with defaults)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SECS=${1:-4}
UPLOADS=${2:-20}

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
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

export SHOPWS_DATABASE="sqlite:$WORK/bench.db" SHOPWS_LOG=warn
"$BIN" demo --products 10 --pictures false >/dev/null 2>&1
"$BIN" webservice enable >/dev/null
# A 2000×2000 picture as PNG (the step that makes the JPEG) is over PrestaShop's 2 MB.
sqlite3 "$WORK/bench.db" "UPDATE configuration SET value = '20' WHERE name = 'PS_LIMIT_UPLOAD_IMAGE_VALUE'"
KEY=$("$BIN" key add --all 2>/dev/null | tail -1)
AUTH="Authorization: Basic $(printf '%s:' "$KEY" | base64 -w0)"
SP=$(port)
taskset -c 0 "$BIN" serve --listen "127.0.0.1:$SP" --images-dir "$WORK/img" >/dev/null 2>&1 &
PIDS+=($!)
wait_port "$SP"
API="http://127.0.0.1:$SP/api"

# A picture whose 452×452 size is about 20 KB (a gradient with some noise, like a photo).
python3 bench/picture.py 600 600 4 >"$WORK/photo.png"
ID=$(curl -s -H "$AUTH" -F "image=@$WORK/photo.png;type=image/png" "$API/images/products/2" |
  grep -o '<id><!\[CDATA\[[0-9]*' | grep -o '[0-9]*$')
URL="$API/images/products/2/$ID/medium_default"
ctype=$(curl -s -o "$WORK/body" -w '%{content_type}' -H "$AUTH" "$URL")
BYTES=$(wc -c <"$WORK/body")
ETAG=$(curl -s -D - -o /dev/null -H "$AUTH" "$URL" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')

rps() { taskset -c 1 wrk -t1 -c50 -d"${SECS}s" "$@" | awk '/^Requests\/sec/ {print $2}'; }
BP=$(port)
taskset -c 0 "$BARE" "$BP" "$WORK/body" "$ctype" &
PIDS+=($!)
wait_port "$BP"
ratios=(); shop_all=(); bare_all=(); nm_all=()
for _ in 1 2 3; do
  b=$(rps "http://127.0.0.1:$BP/")
  s=$(rps -H "$AUTH" "$URL")
  n=$(rps -H "$AUTH" -H "If-None-Match: $ETAG" "$URL")
  bare_all+=("$b"); shop_all+=("$s"); nm_all+=("$n")
  ratios+=("$(awk -v s="$s" -v b="$b" 'BEGIN {printf "%.3f", s/b}')")
done
S_MED=$(printf '%s\n' "${shop_all[@]}" | median)
B_MED=$(printf '%s\n' "${bare_all[@]}" | median)
N_MED=$(printf '%s\n' "${nm_all[@]}" | median)
R_MED=$(printf '%s\n' "${ratios[@]}" | median)

# Uploads: a 2000×2000 JPEG (shopws's own re-encoding of a generated picture), each upload
# making the five product sizes; the server on one core, one upload at a time.
python3 bench/picture.py 2000 2000 8 >"$WORK/big.png"
BIG=$(curl -s -H "$AUTH" -F "image=@$WORK/big.png;type=image/png" "$API/images/products/3" |
  grep -o '<id><!\[CDATA\[[0-9]*' | grep -o '[0-9]*$')
curl -s -H "$AUTH" -o "$WORK/big.jpg" "$API/images/products/3/$BIG"
JPEG_BYTES=$(wc -c <"$WORK/big.jpg")
times=()
for _ in $(seq 1 "$UPLOADS"); do
  times+=("$(curl -s -o /dev/null -w '%{time_total}' -H "$AUTH" -F "image=@$WORK/big.jpg;type=image/jpeg" "$API/images/products/4")")
done
U_MED=$(printf '%s\n' "${times[@]}" | median | awk '{printf "%.0f", $1 * 1000}')
U_MAX=$(printf '%s\n' "${times[@]}" | sort -g | tail -1 | awk '{printf "%.0f", $1 * 1000}')

echo
echo "| measure | shopws | ceiling (bare hyper, same bytes) | ratio (rounds) |"
echo "|---|---|---|---|"
echo "| GET a ${BYTES} B product picture (medium_default), 50 connections | $(printf '%.0f' "$S_MED") req/s | $(printf '%.0f' "$B_MED") req/s | $R_MED ($(IFS=/; echo "${ratios[*]}")) |"
echo "| same with If-None-Match (304) | $(printf '%.0f' "$N_MED") req/s | | |"
echo "| upload of a 2000×2000 JPEG (${JPEG_BYTES} B) + 5 sizes, one core | median ${U_MED} ms, max ${U_MAX} ms (${UPLOADS} uploads) | | |"
