#!/bin/sh
# Makes sure a Docker engine answers: starts Debian's dockerd in the
# background if none does. Exits non-zero with a message if it cannot.
set -eu

log_dir="${1:-build}"
if docker info >/dev/null 2>&1; then
    exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
    echo "No Docker engine answers and dockerd is not installed (apt-get install docker.io)." >&2
    exit 1
fi

mkdir -p "$log_dir"
if [ -d /run/systemd/system ] && systemctl start docker >/dev/null 2>&1; then
    echo "Started the Docker engine with systemctl."
else
    echo "Starting the Docker engine in the background (log: $log_dir/dockerd.log)."
    nohup dockerd >>"$log_dir/dockerd.log" 2>&1 &
fi

tries=0
until docker info >/dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge 60 ]; then
        echo "The Docker engine did not start within 30 s; see $log_dir/dockerd.log." >&2
        tail -n 20 "$log_dir/dockerd.log" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.5
done
