#!/bin/sh
# Installs the Debian packages Lectern needs, only those that are missing.
# Run as root or through sudo (the Makefile does); idempotent and quick when
# everything is there.
set -eu

missing=""
python3 -c "import ensurepip, venv" 2>/dev/null || missing="$missing python3-venv"
command -v dockerd >/dev/null 2>&1 || docker info >/dev/null 2>&1 || missing="$missing docker.io"
command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
# gVisor, the second sandbox runtime (SANDBOX_RUNTIME=runsc; docs/security.md).
command -v runsc >/dev/null 2>&1 || missing="$missing runsc"
# The exercise editor is bundled with npm; the browser tests drive Debian's Chromium.
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
[ -x /usr/bin/chromium ] || missing="$missing chromium"
# The scaled-out test run and `make bench` use PostgreSQL and Redis. Only the
# programs are needed: scripts/services.sh runs a cluster and a server of its own
# on other ports, whether or not the packages' system services run.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
for extra in "$@"; do
    command -v "$extra" >/dev/null 2>&1 || missing="$missing $extra"
done

if [ -n "$missing" ]; then
    echo "Installing Debian packages:$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # shellcheck disable=SC2086  # the list is meant to split
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
