#!/usr/bin/env bash
# `make run`: PowerPulse's api and poller workers under supervisord, in the foreground, on the
# environment the Makefile sets (POWERPULSE_DATA_DIR, POWERPULSE_RUN_DIR, PORT, ...).
# Ctrl-C, SIGTERM and SIGHUP (the terminal closing) all stop it: supervisord on its own takes
# SIGHUP as "reload and restart the workers", which is not what closing a terminal means.
set -euo pipefail
source "$(dirname "$0")/foreground.sh"
cd "$(dirname "$0")/.."

mkdir -p "$POWERPULSE_RUN_DIR"
powerpulse check-config
powerpulse migrate
echo "PowerPulse on http://127.0.0.1:${PORT:-8080} (Ctrl-C stops it)"
set -m  # supervisord in a process group of its own: the signals come from the trap below only
supervisord -n -c supervisord.conf &
supervisor=$!
set +m
trap 'kill -TERM "$supervisor" 2>/dev/null || true' INT TERM HUP
set +e
while :; do  # a trapped signal interrupts `wait`: wait again until supervisord has stopped
    wait "$supervisor"
    status=$?
    kill -0 "$supervisor" 2>/dev/null || break
done
echo "PowerPulse stopped"
exit "$status"
