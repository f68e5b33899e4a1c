#!/usr/bin/env bash
# A/B of two shopws release binaries, run side by side: both servers pinned to CPU 0 at the
# same time, each loaded by its own wrk (both on CPU 1) for the same seconds. CPU 0 is the
# bottleneck and the scheduler shares it fairly, so the ratio of the two req/s figures is the
# inverse ratio of their cost per request, and whatever else runs on the machine during a
# round slows both alike. Rounds alternate which load starts first.
#
# Usage: bash bench/ab.sh BEFORE_BIN AFTER_BIN [ROUNDS] [ROUND_SECONDS]
#   PATHS="/api/taxes/1 /api/products/1"   requests measured (default: those two)
#   CONNS=50                               connections per wrk
#   ARGS_A="--activity off" ARGS_B=""      extra `serve` arguments of each server (the same
#                                          binary twice with a feature off in one: its cost)
# Prints, per request: each build's req/s (median; rounds), the per-round after/before ratio
# (median; rounds), and each server's CPU time per request (from /proc/<pid>/stat, 10 ms
# ticks). Run it with the same binary twice first: that A/A spread is the noise floor.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ $# -ge 2 ] || { echo "usage: bash bench/ab.sh BEFORE_BIN AFTER_BIN [ROUNDS] [SECONDS]" >&2; exit 2; }
A=$(realpath "$1"); B=$(realpath "$2"); ROUNDS=${3:-7}; SECS=${4:-3}
PATHS=${PATHS:-/api/taxes/1 /api/products/1}
CONNS=${CONNS:-50}
read -r -a EXTRA_A <<<"${ARGS_A:-}"
read -r -a EXTRA_B <<<"${ARGS_B:-}"

source bench/lib.sh
bench_tools
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

# The dataset of bench/run.sh: the demo shop plus 1,000 generated products.
export SHOPWS_DATABASE="sqlite:$WORK/bench.db" SHOPWS_LOG=warn
"$A" demo --products 1000 >/dev/null 2>&1
"$A" webservice enable >/dev/null
KEY=$("$A" key add --all 2>/dev/null | tail -1)
AUTH="Authorization: Basic $(printf '%s:' "$KEY" | base64 -w0)"
PA=$(port)
taskset -c 0 "$A" serve --listen "127.0.0.1:$PA" "${EXTRA_A[@]}" >/dev/null 2>&1 &
PIDS+=($!); IA=$!
PB=$(port)
taskset -c 0 "$B" serve --listen "127.0.0.1:$PB" "${EXTRA_B[@]}" >/dev/null 2>&1 &
PIDS+=($!); IB=$!
wait_port "$PA"; wait_port "$PB"

# CPU time of a server in ns (user + system, exited threads included).
cpu() { awk '{print ($14 + $15) * 10000000}' /proc/"$1"/stat; }
load() { taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" -H "$AUTH" "$1" >"$2"; }
joined() { local IFS=/; echo "$*"; }

for path in $PATHS; do
  # Same answer from both (the port in links aside), or the comparison means nothing.
  curl -g -s -H "$AUTH" "http://127.0.0.1:$PA$path" | sed "s/:$PA\//:P\//g" >"$WORK/a.body"
  curl -g -s -H "$AUTH" "http://127.0.0.1:$PB$path" | sed "s/:$PB\//:P\//g" >"$WORK/b.body"
  cmp -s "$WORK/a.body" "$WORK/b.body" || echo "warning: the two builds answer $path differently"
  ra=(); rb=(); ca=(); cb=(); pr=()
  for r in $(seq 1 "$ROUNDS"); do
    a0=$(cpu "$IA"); b0=$(cpu "$IB")
    if (( r % 2 )); then
      load "http://127.0.0.1:$PA$path" "$WORK/a" & wa=$!
      load "http://127.0.0.1:$PB$path" "$WORK/b" & wb=$!
    else
      load "http://127.0.0.1:$PB$path" "$WORK/b" & wb=$!
      load "http://127.0.0.1:$PA$path" "$WORK/a" & wa=$!
    fi
    wait "$wa" "$wb"
    a1=$(cpu "$IA"); b1=$(cpu "$IB")
    na=$(awk '/requests in/ {print $1}' "$WORK/a"); nb=$(awk '/requests in/ {print $1}' "$WORK/b")
    ra+=("$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$WORK/a")")
    rb+=("$(awk '/^Requests\/sec/ {printf "%.0f", $2}' "$WORK/b")")
    ca+=("$(awk -v c=$((a1 - a0)) -v n="$na" 'BEGIN {printf "%.1f", c / 1000 / n}')")
    cb+=("$(awk -v c=$((b1 - b0)) -v n="$nb" 'BEGIN {printf "%.1f", c / 1000 / n}')")
    pr+=("$(ratio "${rb[-1]}" "${ra[-1]}")")
  done
  echo "$path"
  echo "  req/s before $(printf '%s\n' "${ra[@]}" | median) ($(joined "${ra[@]}")), after $(printf '%s\n' "${rb[@]}" | median) ($(joined "${rb[@]}"))"
  echo "  after/before per round: median $(printf '%s\n' "${pr[@]}" | median) ($(joined "${pr[@]}"))"
  echo "  CPU us/request before $(printf '%s\n' "${ca[@]}" | median) ($(joined "${ca[@]}")), after $(printf '%s\n' "${cb[@]}" | median) ($(joined "${cb[@]}"))"
done
