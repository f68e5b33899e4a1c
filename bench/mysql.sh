#!/usr/bin/env bash
# MariaDB benchmarks beside SQLite, in one run on the same data: a throw-away MariaDB
# (scripts/mariadb.sh, loopback TCP), shopws pinned to CPU 0, the load generator (wrk) to
# CPU 1, MariaDB free to use both. Every figure is also given for SQLite in the same run, and
# the MariaDB/SQLite ratio, since absolute figures drift between days on these machines.
#
#   - flat entity (taxes/1): requests/s at 50 connections, p50 on one connection;
#   - products/1 display=full: p50 / p99 on one connection, requests/s at 50 connections;
#   - products display=full limit=1000: p50 / p90 of 20 requests on one connection;
#   - POST /api/products on one connection: p50 / p90, with 1,000 and with 100,000 products.
#
# Usage: bash bench/mysql.sh [ROUND_SECONDS]     (about 5 minutes with the default 4 s, most
# of it generating the 100,000 products)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
SECS=${1:-4}
OUT=$ROOT/target/bench
mkdir -p "$OUT"

source bench/lib.sh
bench_tools
scripts/mariadb.sh install
cargo build --release --locked --quiet
BIN=$ROOT/target/release/shopws

WORK=$(mktemp -d)
SERVER=; MDB_DIR=
cleanup() {
  [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
  [ -z "$MDB_DIR" ] || scripts/mariadb.sh down "$MDB_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
read -r MDB_PORT MDB_DIR _ < <(scripts/mariadb.sh up)
MYSQL="mysql://shopws:shopws@127.0.0.1:$MDB_PORT"
mdb() { mariadb --no-defaults --socket="$MDB_DIR/mysqld.sock" -uroot -e "$1"; }

SHOPWS_PEPPER=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export SHOPWS_PEPPER SHOPWS_LOG=warn

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


# Prepares DATABASE with the demo shop plus N products; starts shopws on it; sets AUTH, URL.
start() { # database products
  local db=$1 n=$2
  SHOPWS_DATABASE="$db" "$BIN" demo --products "$n" --pictures false >/dev/null 2>&1
  SHOPWS_DATABASE="$db" "$BIN" webservice enable >/dev/null
  local key; key=$(SHOPWS_DATABASE="$db" "$BIN" key add --all 2>/dev/null | tail -1)
  AUTH="Authorization: Basic $(printf '%s:' "$key" | base64 -w0)"
  local sp; sp=$(port)
  SHOPWS_DATABASE="$db" taskset -c 0 "$BIN" serve --listen "127.0.0.1:$sp" >/dev/null 2>&1 &
  SERVER=$!
  wait_port "$sp"
  URL="http://127.0.0.1:$sp"
  curl -s -o /dev/null -H "$AUTH" "$URL/api/products/1"
}
stop() { kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=; }

declare -A R
measure() { # backend database
  local b=$1 db=$2 t
  start "$db" 1000
  R[$b.flat_rps]=$(rps "$URL/api/taxes/1")
  t=$(lat "$URL/api/taxes/1"); R[$b.flat_p50]=${t%% *}
  t=$(lat "$URL/api/products/1"); R[$b.full_p50]=${t%% *}; R[$b.full_p99]=${t##* }
  R[$b.full_rps]=$(rps "$URL/api/products/1")
  t=$(list_ms "$URL/api/products?display=full&limit=0,1000"); R[$b.list_p50]=${t% *}; R[$b.list_p90]=${t#* }
  t=$(lat "$URL/api/products" -s "$WORK/product.lua"); R[$b.post1k_p50]=${t%% *}; R[$b.post1k_p90]=$(echo "$t" | awk '{print $2}')
  stop
}

echo "SQLite, demo shop + 1,000 products"
measure sqlite "sqlite:$WORK/bench.db"
echo "MariaDB, demo shop + 1,000 products"
mdb "CREATE DATABASE bench"
measure mysql "$MYSQL/bench"

echo "100,000 products (generating on both backends)"
GEN_START=$(date +%s)
mdb "CREATE DATABASE big"
start "$MYSQL/big" 100000
GEN_MYSQL=$(( $(date +%s) - GEN_START ))
t=$(lat "$URL/api/products" -s "$WORK/product.lua"); R[mysql.post100k_p50]=${t%% *}; R[mysql.post100k_p90]=$(echo "$t" | awk '{print $2}')
stop
start "sqlite:$WORK/big.db" 100000
t=$(lat "$URL/api/products" -s "$WORK/product.lua"); R[sqlite.post100k_p50]=${t%% *}; R[sqlite.post100k_p90]=$(echo "$t" | awk '{print $2}')
stop

row() { # label key unit
  echo "| $1 | ${R[mysql.$2]} $3 | ${R[sqlite.$2]} $3 | $(ratio "${R[mysql.$2]}" "${R[sqlite.$2]}") |"
}
{
  echo
  echo "MariaDB $(mariadbd --version | awk '{print $3}') on loopback TCP; SQLite in-process; same data, same run; ratio = MariaDB / SQLite"
  echo
  echo "| measure | MariaDB | SQLite | ratio |"
  echo "|---|---|---|---|"
  row "taxes/1 (flat), 50 connections" flat_rps "req/s"
  row "taxes/1 (flat), one connection, p50" flat_p50 "ms"
  row "products/1 full, one connection, p50" full_p50 "ms"
  row "products/1 full, one connection, p99" full_p99 "ms"
  row "products/1 full, 50 connections" full_rps "req/s"
  row "products display=full limit=1000, p50 (20 requests)" list_p50 "ms"
  row "products display=full limit=1000, p90" list_p90 "ms"
  row "POST /api/products, 1,000 products, p50" post1k_p50 "ms"
  row "POST /api/products, 1,000 products, p90" post1k_p90 "ms"
  row "POST /api/products, 100,000 products, p50" post100k_p50 "ms"
  row "POST /api/products, 100,000 products, p90" post100k_p90 "ms"
  echo "| POST p50, 100,000 / 1,000 products | $(ratio "${R[mysql.post100k_p50]}" "${R[mysql.post1k_p50]}") | $(ratio "${R[sqlite.post100k_p50]}" "${R[sqlite.post1k_p50]}") | |"
  echo "| generating 100,000 products (shopws demo) | ${GEN_MYSQL} s | | |"
} | tee "$OUT/mysql-table.md"
