#!/bin/sh
# A throw-away MariaDB server for tests (spec: storage-mysql.md §1.1).
#
# Usage:
#   scripts/mariadb.sh up          start a private server on a free 127.0.0.1 port; prints one
#                                  line "PORT DIR PID" on stdout and leaves the server running
#   scripts/mariadb.sh down DIR    stop the server whose data lives in DIR, then delete DIR
#   scripts/mariadb.sh install     apt-get install mariadb-server mariadb-client if mariadbd
#                                  is not on PATH
#
# The server listens on 127.0.0.1:PORT and on the socket DIR/mysqld.sock. User shopws, password
# shopws (from 127.0.0.1 and localhost) has every privilege, so tests can create one database
# each; an empty database shopws_test exists too:
#   mysql://shopws:shopws@127.0.0.1:PORT/shopws_test
# Nothing is durable: no binary log, no fsync per commit; `down` uses SIGKILL.
# Diagnostics go to stderr only; stdout carries nothing but the "PORT DIR PID" line.
set -eu

# Debian installs mariadbd in /usr/sbin, which is not on an ordinary user's PATH.
case ":$PATH:" in
  *:/usr/sbin:*) ;;
  *) PATH=$PATH:/usr/sbin ;;
esac

me=${0##*/}

die() {
  printf '%s: %s\n' "$me" "$*" >&2
  exit 1
}

usage() {
  cat >&2 <<EOF
usage: $me up | down DIR | kill DIR | start DIR | install
  up          start a throw-away server; prints "PORT DIR PID"
  down DIR    kill the server living in DIR and remove DIR
  kill DIR    kill the server living in DIR (as a crash), keep its data
  start DIR   start the server of DIR again, on its port; prints its PID
MARIADB_SQL_MODE sets the server's sql_mode (default '', as PrestaShop runs).
  install     apt-get install mariadb-server mariadb-client when mariadbd is missing
EOF
  exit 2
}

# alive PID: the process exists and is not a zombie (an orphan killed in a container may stay
# a zombie when PID 1 does not reap children).
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
    [ "$state" != Z ] || return 1
  fi
  return 0
}

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

# Account that mariadb-install-db gives unix-socket access to: root when run as root,
# otherwise the invoking user.
if [ "$(id -u)" -eq 0 ]; then
  admin_user=root
else
  admin_user=$(id -un)
fi

# start_server PORT: launches mariadbd in the background, sets PID.
start_server() {
  if [ "$admin_user" = root ]; then
    set -- "$1" --user=root
  else
    set -- "$1"
  fi
  port=$1
  shift
  # stdin/stdout/stderr detached so that "$(mariadb.sh up)" returns at once.
  mariadbd --no-defaults "$@" --datadir="$D/data" --tmpdir="$D/tmp" \
    --socket="$D/mysqld.sock" --port="$port" --bind-address=127.0.0.1 \
    --pid-file="$D/mysqld.pid" --log-error="$D/error.log" \
    --skip-name-resolve --skip-log-bin \
    --innodb-buffer-pool-size=128M --innodb-log-file-size=16M \
    --innodb-flush-log-at-trx-commit=2 --innodb-file-per-table=0 \
    --innodb-buffer-pool-dump-at-shutdown=0 --innodb-buffer-pool-load-at-startup=0 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
    --sql-mode="${MARIADB_SQL_MODE:-}" </dev/null >/dev/null 2>&1 &
  PID=$!
  echo "$PID" >"$D/server.pid"
}

# wait_ready: 0 when the server answers on its socket, 1 when it died or 15 s passed.
wait_ready() {
  deadline=$(($(date +%s) + 15))
  until mariadb-admin --no-defaults --socket="$D/mysqld.sock" --user="$admin_user" \
    ping >/dev/null 2>&1; do
    alive "$PID" || return 1
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.05
  done
  return 0
}

cleanup_failed_up() {
  if [ -n "${PID:-}" ] && alive "$PID"; then
    kill -KILL "$PID" 2>/dev/null || true
  fi
  if [ -n "${D:-}" ]; then
    rm -rf "$D"
  fi
}

cmd_up() {
  command -v mariadbd >/dev/null 2>&1 || die "mariadbd not found (run: $0 install)"
  command -v mariadb-install-db >/dev/null 2>&1 ||
    die "mariadb-install-db not found (run: $0 install)"
  command -v python3 >/dev/null 2>&1 || die "python3 is needed to pick a free port"

  PID=
  D=$(mktemp -d -t shopws-mdb.XXXXXX) # honours $TMPDIR
  trap cleanup_failed_up EXIT
  trap 'exit 129' HUP
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # 1. system tables (root@localhost authenticates by unix socket; no test database)
  if [ "$admin_user" = root ]; then
    set -- --user=root
  else
    set --
  fi
  # Temporary tables in the server's own folder: a shared /tmp cleaned by someone else (or a
  # name clash with another server) must not fail the install or a query.
  mkdir -p "$D/tmp"
  if ! mariadb-install-db --no-defaults --datadir="$D/data" --tmpdir="$D/tmp" "$@" \
    --auth-root-authentication-method=socket --skip-test-db --skip-name-resolve \
    >"$D/install.log" 2>&1; then
    cat "$D/install.log" >&2
    die "mariadb-install-db failed"
  fi

  # 2. server, 3. readiness; one retry on a new port if the first one was taken meanwhile
  attempt=1
  while :; do
    start_server "$(free_port)"
    if wait_ready; then
      break
    fi
    if [ "$attempt" -eq 1 ] && ! alive "$PID" &&
      grep -Eq 'Address already in use|Bind on TCP/IP port' "$D/error.log" 2>/dev/null; then
      printf '%s: port %s was taken, retrying with another port\n' "$me" "$port" >&2
      mv "$D/error.log" "$D/error.log.1"
      rm -f "$D/mysqld.sock" "$D/mysqld.pid"
      attempt=2
      continue
    fi
    [ -f "$D/error.log" ] && cat "$D/error.log" >&2
    if alive "$PID"; then
      die "server not ready after 15 s"
    fi
    die "server exited during start-up"
  done

  # 4. application user (TCP from 127.0.0.1 and socket from localhost)
  if ! mariadb --no-defaults --socket="$D/mysqld.sock" --user="$admin_user" >/dev/null <<'SQL'
CREATE DATABASE shopws_test CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER 'shopws'@'127.0.0.1' IDENTIFIED BY 'shopws';
CREATE USER 'shopws'@'localhost' IDENTIFIED BY 'shopws';
GRANT ALL PRIVILEGES ON *.* TO 'shopws'@'127.0.0.1', 'shopws'@'localhost';
SQL
  then
    die "could not create the shopws user"
  fi

  trap - EXIT INT TERM HUP
  echo "$port" >"$D/port"
  echo "$port $D $PID"
}

# server_pid DIR: the pid of DIR's server (empty when none is recorded).
server_pid() {
  for f in "$1/mysqld.pid" "$1/server.pid"; do
    if [ -s "$f" ]; then
      tr -dc '0-9' <"$f"
      return 0
    fi
  done
}

# kill DIR: the server of DIR dies at once (SIGKILL, as a crash), its data stays.
cmd_kill() {
  [ $# -eq 1 ] || usage
  D=$1
  [ -f "$D/port" ] || die "$D was not made by $me up"
  pid=$(server_pid "$D")
  if [ -n "$pid" ] && alive "$pid"; then
    kill -KILL "$pid" 2>/dev/null || true
    while alive "$pid"; do sleep 0.05; done
  fi
  rm -f "$D/mysqld.pid"
}

# start DIR: starts the server of DIR again on its port (after kill); prints its PID.
cmd_start() {
  [ $# -eq 1 ] || usage
  D=$1
  [ -f "$D/port" ] || die "$D was not made by $me up"
  start_server "$(cat "$D/port")"
  wait_ready || { cat "$D/error.log" >&2; die "the server of $D did not start again"; }
  echo "$PID"
}

cmd_down() {
  [ $# -eq 1 ] || usage
  D=$1
  [ -d "$D" ] || die "$D: no such directory"
  # Refuse to delete a directory that `up` did not create.
  [ -f "$D/server.pid" ] || [ -d "$D/data" ] || die "$D does not look like a server directory"

  pid=
  for f in "$D/mysqld.pid" "$D/server.pid"; do
    if [ -s "$f" ]; then
      pid=$(tr -dc '0-9' <"$f")
      if [ -n "$pid" ]; then break; fi
    fi
  done

  if [ -n "$pid" ] && alive "$pid"; then
    # Make sure the pid was not reused by an unrelated process: mariadbd runs in its datadir.
    cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null || true)
    data=$( (cd "$D/data" && pwd -P) 2>/dev/null) || data=
    if [ -n "$cwd" ] && [ -n "$data" ] && [ "$cwd" != "$data" ]; then
      printf '%s: pid %s is not the server of %s; not killing it\n' "$me" "$pid" "$D" >&2
    else
      kill -KILL "$pid" 2>/dev/null || true
      i=0
      while alive "$pid"; do
        i=$((i + 1))
        [ "$i" -le 200 ] || die "process $pid still alive after 10 s"
        sleep 0.05
      done
    fi
  fi
  rm -rf "$D"
}

cmd_install() {
  if command -v mariadbd >/dev/null 2>&1; then
    printf '%s: mariadbd already installed (%s)\n' "$me" "$(command -v mariadbd)" >&2
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "mariadbd is missing and apt-get is not available; install MariaDB 10.4+ by hand"
  [ "$(id -u)" -eq 0 ] ||
    die "mariadbd is missing; as root run: apt-get install -y mariadb-server mariadb-client"
  log=$(mktemp -t shopws-mdb-apt.XXXXXX)
  printf '%s: installing mariadb-server mariadb-client...\n' "$me" >&2
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q mariadb-server mariadb-client >"$log" 2>&1; then
    # Stale package lists are the usual cause: refresh once and retry.
    if ! {
      apt-get update -q && apt-get install -y -q mariadb-server mariadb-client
    } >>"$log" 2>&1; then
      tail -n 30 "$log" >&2
      rm -f "$log"
      die "apt-get install mariadb-server mariadb-client failed"
    fi
  fi
  rm -f "$log"
  command -v mariadbd >/dev/null 2>&1 ||
    die "mariadb-server installed but mariadbd is still not on PATH"
  printf '%s: installed %s\n' "$me" "$(mariadbd --version)" >&2
}

[ $# -ge 1 ] || usage
sub=$1
shift
case $sub in
  up)
    [ $# -eq 0 ] || usage
    cmd_up
    ;;
  down) cmd_down "$@" ;;
  kill) cmd_kill "$@" ;;
  start) cmd_start "$@" ;;
  install)
    [ $# -eq 0 ] || usage
    cmd_install
    ;;
  -h | --help | help) usage ;;
  *) usage ;;
esac
