#!/bin/sh
# Makes sure a Docker engine answers, with gVisor registered as its "runsc"
# runtime: registers runsc in /etc/docker/daemon.json, then starts Debian's
# dockerd in the background if no engine answers, or has a running one reload
# its configuration. Exits non-zero with a message if it cannot.
set -eu

log_dir="${1:-build}"
config=/etc/docker/daemon.json

runsc_registered() {
    docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'
}

wait_for() {
    tries=0
    until "$@"; do
        tries=$((tries + 1))
        if [ "$tries" -ge 60 ]; then
            return 1
        fi
        sleep 0.5
    done
}

# gVisor gets no network of its own (--network=none), like the sandboxes.
if command -v runsc >/dev/null 2>&1; then
    mkdir -p /etc/docker
    python3 - "$config" "$(command -v runsc)" <<'PYTHON'
import json, pathlib, sys
path, runsc = pathlib.Path(sys.argv[1]), sys.argv[2]
config = json.loads(path.read_text()) if path.exists() and path.read_text().strip() else {}
wanted = {"path": runsc, "runtimeArgs": ["--network=none"]}
if config.get("runtimes", {}).get("runsc") != wanted:
    config.setdefault("runtimes", {})["runsc"] = wanted
    path.write_text(json.dumps(config, indent=2) + "\n")
PYTHON
fi

if docker info >/dev/null 2>&1; then
    if command -v runsc >/dev/null 2>&1 && ! runsc_registered; then
        echo "Registering gVisor (runsc) with the running Docker engine."
        if [ -d /run/systemd/system ] && systemctl is-active --quiet docker; then
            systemctl reload docker
        else
            # dockerd reloads its runtimes on SIGHUP, without stopping containers.
            kill -HUP "$(pidof dockerd)"
        fi
        wait_for runsc_registered || {
            echo "The Docker engine did not pick up the runsc runtime; see $config." >&2
            exit 1
        }
    fi
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

if ! wait_for docker info >/dev/null 2>&1; then
    echo "The Docker engine did not start within 30 s; see $log_dir/dockerd.log." >&2
    tail -n 20 "$log_dir/dockerd.log" >&2 2>/dev/null || true
    exit 1
fi
