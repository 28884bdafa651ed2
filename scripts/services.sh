#!/bin/sh
# The project's own PostgreSQL cluster and Redis server, on loopback only, for
# the scaled-out test run and `make bench` (docs/deploy.md#the-test-services).
# `scripts/services.sh start` starts whichever is not running (a second call is
# quick and starts nothing); `stop` stops both; `urls` prints the settings.
#
# The cluster trusts every connection from loopback (a throwaway test cluster,
# never a production one) and runs without fsync; Redis keeps nothing on disk.
set -eu

action="${1:-start}"
state="${LECTERN_SERVICES_DIR:-$(pwd)/build/services}"
pg_port="${LECTERN_PG_PORT:-55432}"
redis_port="${LECTERN_REDIS_PORT:-56379}"
pg_data="$state/postgres"
redis_dir="$state/redis"

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
# PostgreSQL refuses to run as root: as root, the cluster belongs to the
# `postgres` user of Debian's package.
as_pg() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

pg_running() {
    [ -f "$pg_data/PG_VERSION" ] && as_pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1
}

pg_start() {
    if [ -z "$pg_bin" ]; then
        echo "PostgreSQL is not installed (apt-get install postgresql)." >&2
        exit 1
    fi
    if pg_running; then
        return
    fi
    mkdir -p "$state"
    if [ ! -f "$pg_data/PG_VERSION" ]; then
        mkdir -p "$pg_data"
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$pg_data"
        if ! as_pg test -w "$pg_data"; then
            echo "The postgres user cannot write to $pg_data (set LECTERN_SERVICES_DIR" \
                "to a folder it can reach)." >&2
            exit 1
        fi
        as_pg "$pg_bin/initdb" -D "$pg_data" -U lectern --auth=trust --encoding=UTF8 \
            --locale=C.UTF-8 >"$state/initdb.log" 2>&1 || {
            cat "$state/initdb.log" >&2
            exit 1
        }
    fi
    echo "Starting PostgreSQL on 127.0.0.1:$pg_port (log: $state/postgres.log)."
    touch "$state/postgres.log"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$state/postgres.log"
    as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$state/postgres.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $pg_port -c unix_socket_directories=$pg_data \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
            -c max_connections=200" start >/dev/null || {
        tail -n 20 "$state/postgres.log" >&2
        exit 1
    }
    if ! as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U lectern -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'lectern'" | grep -q 1; then
        as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U lectern lectern
    fi
}

redis_running() {
    redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG
}

redis_start() {
    if ! command -v redis-server >/dev/null 2>&1; then
        echo "Redis is not installed (apt-get install redis-server)." >&2
        exit 1
    fi
    if redis_running; then
        return
    fi
    mkdir -p "$redis_dir"
    echo "Starting Redis on 127.0.0.1:$redis_port (log: $redis_dir/redis.log)."
    redis-server --bind 127.0.0.1 --port "$redis_port" --daemonize yes --dir "$redis_dir" \
        --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log" \
        --save "" --appendonly no
    tries=0
    until redis_running; do
        tries=$((tries + 1))
        if [ "$tries" -ge 50 ]; then
            echo "Redis did not start; see $redis_dir/redis.log." >&2
            exit 1
        fi
        sleep 0.1
    done
}

case "$action" in
start)
    pg_start
    redis_start
    ;;
stop)
    if pg_running; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast stop >/dev/null; fi
    if redis_running; then redis-cli -h 127.0.0.1 -p "$redis_port" shutdown nosave || true; fi
    ;;
urls)
    echo "DATABASE_URL=postgres://lectern@127.0.0.1:$pg_port/lectern"
    echo "REDIS_URL=redis://127.0.0.1:$redis_port/0"
    ;;
*)
    echo "usage: $0 start|stop|urls" >&2
    exit 2
    ;;
esac
