#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the store_pg tests (and for trying the postgres
# store by hand). Nothing here is for production.
#
#   scripts/pg-test-server.sh start DIR   creates (initdb) and starts a cluster in DIR/data,
#                                         listening on 127.0.0.1 on a free port (unix socket
#                                         in DIR), with a database warung_test; prints
#                                         postgresql://postgres@127.0.0.1:PORT/warung_test
#                                         and writes it to DIR/url. Already running: prints
#                                         the same URL again.
#   scripts/pg-test-server.sh stop DIR    stops it and removes the cluster. Nothing running:
#                                         does nothing.
#
# Trust authentication on loopback only; fsync stays on (the tests exercise the durable
# commit path). As root, the cluster runs as the `postgres` OS user (initdb refuses
# root; when that user cannot reach DIR, e.g. a checkout under /root, the cluster lives
# in /tmp/warung-pg.* instead, recorded in DIR/rundir). The binaries come from
# $WARUNG_PG_BINDIR, `pg_config --bindir`, or the newest /usr/lib/postgresql/*/bin.
# Without them, `start` prints a warning and exits 0 without writing DIR/url, so the
# tests skip instead of failing.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}
[ $# -eq 2 ] || usage
cmd=$1
dir=$2

find_bindir() {
  if [ -n "${WARUNG_PG_BINDIR:-}" ] && [ -x "$WARUNG_PG_BINDIR/initdb" ]; then
    echo "$WARUNG_PG_BINDIR"
    return 0
  fi
  if command -v pg_config >/dev/null 2>&1; then
    local b
    b=$(pg_config --bindir 2>/dev/null || true)
    if [ -n "$b" ] && [ -x "$b/initdb" ]; then
      echo "$b"
      return 0
    fi
  fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

# Runs a server binary as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Where the cluster lives: DIR itself, or (as root, when the postgres user cannot reach
# DIR, e.g. a checkout under /root) a directory under /tmp whose path DIR/rundir keeps.
run_dir() {
  if [ -f "$dir/rundir" ]; then
    cat "$dir/rundir"
  else
    echo "$dir"
  fi
}

running() {
  local run
  run=$(run_dir)
  [ -f "$run/data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" -D "$run/data" status >/dev/null 2>&1
}

case "$cmd" in
  start | stop) ;;
  *) usage ;;
esac

if ! bindir=$(find_bindir); then
  if [ "$cmd" = start ]; then
    echo "##########################################################################" >&2
    echo "pg-test-server: no PostgreSQL server binaries found (initdb); the postgres" >&2
    echo "store tests will be SKIPPED. Install them: apt-get install postgresql" >&2
    echo "##########################################################################" >&2
  fi
  exit 0
fi

if [ "$cmd" = stop ]; then
  run=$(run_dir)
  if running; then
    # immediate: the cluster is removed next, so its shutdown checkpoint would only cost time.
    as_owner "$bindir/pg_ctl" -D "$run/data" -m immediate -w -t 30 stop >/dev/null
  fi
  rm -rf "$run/data" "$run/server.log" "$dir/url" "$dir/port" "$dir/initdb.log"
  if [ "$run" != "$dir" ]; then
    rm -rf "$run" "$dir/rundir"
  fi
  exit 0
fi

# --- start
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if running && [ -f "$dir/url" ]; then
  cat "$dir/url"
  exit 0
fi
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
  if [ ! -f "$dir/rundir" ] && ! runuser -u postgres -- test -w "$dir" 2>/dev/null; then
    tmp=$(mktemp -d /tmp/warung-pg.XXXXXX)
    chown postgres: "$tmp"
    echo "$tmp" >"$dir/rundir"
  fi
fi
run=$(run_dir)
if [ ! -f "$run/data/PG_VERSION" ]; then
  rm -rf "$run/data"
  # --no-sync only skips flushing initdb's own files; the server runs with fsync on.
  as_owner "$bindir/initdb" -D "$run/data" -U postgres --auth=trust --encoding=UTF8 --locale=C \
    --no-sync >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
fi

# A free port can be taken by someone else before the server binds it: try a few.
started=""
for _ in 1 2 3 4 5; do
  port=$(free_port)
  if as_owner "$bindir/pg_ctl" -D "$run/data" -l "$run/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $run -c fsync=on -c max_connections=300" \
    start >/dev/null 2>&1; then
    started=1
    break
  fi
done
if [ -z "$started" ]; then
  echo "pg-test-server: the server did not start; its log:" >&2
  cat "$run/server.log" >&2 || true
  exit 1
fi

psql=("$bindir/psql" -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1)
if [ -z "$("${psql[@]}" -tAc "SELECT 1 FROM pg_database WHERE datname = 'warung_test'")" ]; then
  "${psql[@]}" -c "CREATE DATABASE warung_test" >/dev/null
fi

url="postgresql://postgres@127.0.0.1:$port/warung_test"
echo "$port" >"$dir/port"
echo "$url" >"$dir/url"
echo "$url"
