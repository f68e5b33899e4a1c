#!/usr/bin/env bash
# The whole test suite: formatting-independent checks that need the real binary.
#   1. installs what the tests need when missing (gcc, make, php-cli + curl/xml extensions, chromium,
#      chromium-driver, node + npm, prestapyt, openapi-spec-validator);
#   2. builds shopws (release) and runs the Rust tests (they start the real server): all of
#      them on SQLite, then the HTTP integration tests (tests/api) again on MariaDB, each test
#      in a fresh database of the throw-away server below;
#   3. runs the conformance suite (real PHP and Python clients) against fresh demo servers on
#      SQLite, on an empty MariaDB database shopws fills, and on an existing PrestaShop shop
#      in MariaDB (attached), treating the checks listed in tests/conformance-known-gaps.txt
#      as expected failures. A throw-away MariaDB (scripts/mariadb.sh) serves the MySQL
#      columns (Rust and conformance); SHOPWS_TEST_MYSQL=off skips them.
# Usage: bash scripts/test.sh            (from anywhere inside the repository)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
CONFORMANCE=${CONFORMANCE_DIR:-$ROOT/../shared/conformance}
GAPS=$ROOT/tests/conformance-known-gaps.txt

say() { printf '\n== %s\n' "$*"; }

need_apt=()
command -v cc >/dev/null 2>&1 || need_apt+=(gcc)
command -v make >/dev/null 2>&1 || need_apt+=(make)
command -v php >/dev/null 2>&1 || need_apt+=(php-cli)
if command -v php >/dev/null 2>&1; then
  php -m 2>/dev/null | grep -qi '^curl$' || need_apt+=(php-curl)
  php -m 2>/dev/null | grep -qi '^simplexml$' || need_apt+=(php-xml)
else
  need_apt+=(php-curl php-xml)
fi
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# The journey drives Chromium over CDP (playwright-core); Debian's WebDriver for the same
# build is installed beside it so WebDriver-based tools can drive the back office too.
command -v chromedriver >/dev/null 2>&1 || need_apt+=(chromium-driver)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ! python3 -c 'import prestapyt, requests' >/dev/null 2>&1; then
  say "installing prestapyt and requests"
  python3 -m pip install -q prestapyt==0.11.1 requests >/dev/null 2>&1 \
    || python3 -m pip install -q --break-system-packages prestapyt==0.11.1 requests >/dev/null
fi
if ! python3 -c 'import openapi_spec_validator' >/dev/null 2>&1; then
  say "installing openapi-spec-validator"
  python3 -m pip install -q openapi-spec-validator >/dev/null 2>&1 \
    || python3 -m pip install -q --break-system-packages openapi-spec-validator >/dev/null
fi

say "build"
cargo build --release --locked --quiet
BIN=$ROOT/target/release/shopws

# A throw-away MariaDB for the MySQL columns of the suite (SHOPWS_TEST_MYSQL=off skips them,
# with a visible line).
SERVERS=()
MYSQL_BASE=; MDB_DIR=; MYSQL_PEPPER=
ATTACH_KEY=AttachKeyMadeInPrestaShop0000001
cleanup() {
  for p in "${SERVERS[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -z "$MDB_DIR" ] || scripts/mariadb.sh down "$MDB_DIR" >/dev/null 2>&1 || true
}
trap cleanup EXIT
if [ "${SHOPWS_TEST_MYSQL:-auto}" = off ]; then
  say "MySQL columns skipped (SHOPWS_TEST_MYSQL=off)"
else
  say "throw-away MariaDB"
  scripts/mariadb.sh install
  read -r MDB_PORT MDB_DIR _ < <(scripts/mariadb.sh up)
  MYSQL_BASE="mysql://shopws:shopws@127.0.0.1:$MDB_PORT"
  echo "MariaDB on 127.0.0.1:$MDB_PORT"
  # Every process serving one MySQL database shares the pepper.
  MYSQL_PEPPER=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
fi

# The "test result:" lines of both runs are added up; a run that ends without a failed test
# result (a build error, a crash) counts as one more failure.
RUST_OUT=$(mktemp)
rust_broken=0
rust_run() { # title, command…
  local out
  out=$(mktemp)
  say "$1"
  shift
  if ! "$@" 2>&1 | tee "$out"; then
    grep -qE '^test result: FAILED' "$out" || rust_broken=$((rust_broken + 1))
  fi
  cat "$out" >>"$RUST_OUT"
  rm -f "$out"
}
rust_run "rust tests on SQLite (unit + integration against the real server)" \
  env -u SHOPWS_TEST_MYSQL SHOPWS_BIN="$BIN" cargo test --release --locked --quiet --no-fail-fast
if [ -n "$MYSQL_BASE" ]; then
  # Each test creates its own database t_<pid>_<n> on the server and drops it when done.
  rust_run "rust integration tests (tests/api) on MariaDB" \
    env SHOPWS_TEST_MYSQL="$MYSQL_BASE" SHOPWS_BIN="$BIN" cargo test --release --locked --quiet --test api
else
  say "rust integration tests on MariaDB skipped (SHOPWS_TEST_MYSQL=off)"
fi
rust_line=$(grep -E '^test result:' "$RUST_OUT" | awk -v broken="$rust_broken" '{p+=$4; f+=$6} END {print p+0" "f+broken}')
rm -f "$RUST_OUT"

[ -d tests/browser/node_modules/playwright-core ] || (cd tests/browser && npm ci --no-audit --no-fund --silent)
browser_pass=0; browser_fail=0
# The browser tests of the back office (every tests/browser/*.mjs but the shared lib.mjs),
# each on a database of its own: name, database prefix (empty: SQLite), extra environment.
journeys() {
  local name=$1 prefix=$2 file test out; shift 2
  for file in tests/browser/*.mjs; do
    test=$(basename "$file" .mjs)
    [ "$test" = lib ] && continue
    say "browser test $test on $name (back office in headless Chromium)"
    out=$(mktemp -d)
    local dbenv=()
    if [ -n "$prefix" ]; then
      mariadb --no-defaults --socket="$MDB_DIR/mysqld.sock" -uroot -e "CREATE DATABASE browser_$test"
      dbenv=("JOURNEY_DATABASE=$prefix/browser_$test")
    fi
    set +e
    # Pictures into the test's own folder (on MySQL the default is `img` in the working
    # directory).
    env "$@" "${dbenv[@]}" SHOPWS_BIN="$BIN" SCREENSHOTS="$out" SHOPWS_IMAGES_DIR="$out/img" node "$file" | tee "$out/out.txt"
    set -e
    local line p f
    line=$(tail -1 "$out/out.txt")
    p=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\1/p')
    f=$(echo "$line" | sed -nE 's/^([0-9]+) passed, ([0-9]+) failed$/\2/p')
    [ -n "$p" ] || { p=0; f=1; echo "the browser test $test did not finish"; }
    browser_pass=$((browser_pass + p)); browser_fail=$((browser_fail + f))
    echo "screenshots: $out"
  done
}
journeys sqlite ""
if [ -n "$MYSQL_BASE" ]; then
  journeys mysql "$MYSQL_BASE" "SHOPWS_PEPPER=$MYSQL_PEPPER"
fi

conf_pass=0; conf_fail=0
# One conformance column: serve DATABASE, then run the suite with KEY (a key with every
# permission; empty: the key `serve --demo` prints) and a customers-read key made by the CLI.
conformance() { # name, database URL, key
  local name=$1 db=$2 key=$3 port work pid total unexpected fixed
  local run=(env "SHOPWS_DATABASE=$db")
  case $db in mysql*) run+=("SHOPWS_PEPPER=$MYSQL_PEPPER") ;; esac
  say "conformance suite on $name ($CONFORMANCE)"
  work=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  "${run[@]}" "$BIN" serve --demo --listen "127.0.0.1:$port" --images-dir "$work/img" >"$work/serve.out" 2>"$work/serve.err" &
  pid=$!
  SERVERS+=("$pid")
  for _ in $(seq 1 300); do
    grep -q 'serving' "$work/serve.out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$work/serve.err"; conf_fail=$((conf_fail + 1)); return; }
    sleep 0.1
  done
  [ -n "$key" ] || key=$(grep -Eo '^ +[A-Z0-9]{32}$' "$work/serve.out" | tr -d ' ' | head -1)
  local limited
  limited=$("${run[@]}" "$BIN" key add --description "conformance: customers read" --allow customers=GET,HEAD 2>/dev/null | tail -1)
  set +e
  WS_URL="http://127.0.0.1:$port" WS_KEY="$key" WS_KEY_LIMITED="$limited" \
    bash "$CONFORMANCE/run-all.sh" >"$work/conformance.out" 2>&1
  set -e
  kill "$pid" 2>/dev/null || true
  cat "$work/conformance.out"
  # Failures as "runner:CHECK" (php:A3, python:G12).
  awk '/^=== php/ {r="php"} /^=== python/ {r="python"} /^FAIL / {print r ":" $2}' "$work/conformance.out" | sort -u >"$work/failed"
  grep -Ev '^\s*(#|$)' "$GAPS" 2>/dev/null | awk '{print $1}' | sort -u >"$work/gaps" || true
  unexpected=$(comm -23 "$work/failed" "$work/gaps")
  fixed=$(comm -13 "$work/failed" "$work/gaps")
  total=$(grep -E '^conformance: ' "$work/conformance.out" | tail -1)
  echo "$name: $total"
  if [ -n "$total" ]; then
    conf_pass=$((conf_pass + $(echo "$total" | sed -E 's/^conformance: ([0-9]+) passed.*/\1/')))
  else
    echo "the conformance suite did not finish"; conf_fail=$((conf_fail + 1))
  fi
  if [ -n "$unexpected" ]; then
    echo "conformance checks failing that are not known gaps:"; echo "$unexpected" | sed 's/^/  /'
    conf_fail=$((conf_fail + $(echo "$unexpected" | wc -l)))
  fi
  if [ -n "$fixed" ]; then
    echo "known gaps that now pass — remove them from tests/conformance-known-gaps.txt:"; echo "$fixed" | sed 's/^/  /'
    conf_fail=$((conf_fail + $(echo "$fixed" | wc -l)))
  fi
  echo "known gaps: $(wc -l <"$work/gaps") (expected failures)"
  rm -rf "$work"
}

if [ -d "$CONFORMANCE" ]; then
  WORK=$(mktemp -d)
  conformance sqlite "sqlite:$WORK/shop.db" ""
  if [ -n "$MYSQL_BASE" ]; then
    # An empty database shopws fills, and an existing PrestaShop shop built without shopws,
    # served with the key PrestaShop's back office would have written.
    mariadb --no-defaults --socket="$MDB_DIR/mysqld.sock" -uroot -e "CREATE DATABASE conformance_own"
    conformance mysql-own "$MYSQL_BASE/conformance_own" ""
    python3 scripts/ps-fixture.py --socket "$MDB_DIR/mysqld.sock" --user root --database conformance_attach \
      --key "$ATTACH_KEY" >/dev/null
    conformance mysql-attach "$MYSQL_BASE/conformance_attach" "$ATTACH_KEY"
    # A server with MariaDB's own strict default sql_mode: shopws sets its session's mode
    # itself, so the server's setting must not matter.
    say "throw-away MariaDB with the server's default strict sql_mode"
    read -r STRICT_PORT STRICT_DIR _ < <(MARIADB_SQL_MODE=STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION scripts/mariadb.sh up)
    mariadb --no-defaults --socket="$STRICT_DIR/mysqld.sock" -uroot -e "CREATE DATABASE conformance_strict"
    conformance mysql-strict-server "mysql://shopws:shopws@127.0.0.1:$STRICT_PORT/conformance_strict" ""
    scripts/mariadb.sh down "$STRICT_DIR" >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
else
  say "conformance suite not found at $CONFORMANCE: skipped"
fi

read -r rust_pass rust_fail <<<"$rust_line"
say "summary"
echo "rust tests: $rust_pass passed, $rust_fail failed"
echo "browser tests: $browser_pass passed, $browser_fail failed"
echo "conformance: $conf_pass passed, $conf_fail unexpected"
echo "$((rust_pass + browser_pass + conf_pass)) passed, $((rust_fail + browser_fail + conf_fail)) failed"
[ "$rust_fail" -eq 0 ] && [ "$browser_fail" -eq 0 ] && [ "$conf_fail" -eq 0 ]
