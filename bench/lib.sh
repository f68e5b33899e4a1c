# Shared by the bench/ scripts (sourced, not run): tools, free ports, waiting for a server,
# and the statistics every script reports. Callers set AUTH (an Authorization header) and
# SECS (seconds per wrk round) before using rps/lat.

# wrk and taskset, installed when missing (the protocol pins servers and load to CPUs).
bench_tools() {
  command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
  command -v taskset >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq util-linux >/dev/null; }
}

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
wait_port() { for _ in $(seq 1 200); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }
rss_kib() { awk '/^VmRSS/ {print $2}' /proc/"$1"/status; }
hwm_kib() { awk '/^VmHWM/ {print $2}' /proc/"$1"/status; }

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
# "p50 p90" of the numbers on standard input (nearest rank).
p50_p90() { sort -g | awk '{a[NR]=$1} END {i=int(NR*0.5+0.5); j=int(NR*0.9+0.5); if (i<1) i=1; if (j<1) j=1; print a[i], a[j]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

# Requests/s at 50 connections, wrk on CPU 1.
rps() { taskset -c 1 wrk -t1 -c50 -d"${SECS}s" -H "$AUTH" "$1" | awk '/^Requests\/sec/ {printf "%.0f", $2}'; }
# "p50 p90 p99" in ms on one connection, wrk on CPU 1; extra wrk arguments after the URL.
lat() {
  local url=$1; shift
  taskset -c 1 wrk -t1 -c1 -d"${SECS}s" --latency -H "$AUTH" "$@" "$url" | awk '
    function ms(v,  n) { n = v + 0; if (v ~ /us$/) return n / 1000; if (v ~ /ms$/) return n; if (v ~ /s$/) return n * 1000; return n }
    $1 == "50%" { p50 = ms($2) }
    $1 == "90%" { p90 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    END { printf "%.3f %.3f %.3f\n", p50, p90, p99 }'
}
# "p50 p90" in ms of 20 whole requests with curl on one connection each (lists: a 40 ms
# Nagle/delayed-ACK stall shows in the p90).
list_ms() { for _ in $(seq 1 20); do curl -g -s -o /dev/null -w '%{time_total}\n' -H "$AUTH" "$1"; done | p50_p90 | awk '{printf "%.1f %.1f", $1*1000, $2*1000}'; }
