#!/usr/bin/env bash
# PowerPulse demo without a UPS: a built-in NUT simulator (real NUT protocol on 127.0.0.1) serving
# three UPS that go through a power outage, low battery and restore on a loop, plus PowerPulse
# itself (api + poller) on its own data dir. Ctrl-C stops everything.
#
#   ./scripts/demo.sh                 # http://127.0.0.1:8080, log in as demo / demo-password
#   PORT=8090 SIM_PORT=3599 ./scripts/demo.sh
#
# Settings (environment): PORT (8080), SIM_PORT (3499, not 3493, so a real upsd is left alone),
# SIM_UPS (3), SIM_CYCLE (150 s per outage loop), POLL_INTERVAL (2 s), DEMO_DIR (./data/demo).
# Nothing outside DEMO_DIR is written; the real ./data is not touched. Logs: $DEMO_DIR/logs/.
set -euo pipefail
source "$(dirname "$0")/foreground.sh"
cd "$(dirname "$0")/.."
DEMO_DIR=${DEMO_DIR:-$PWD/data/demo}
PORT=${PORT:-8080}
SIM_PORT=${SIM_PORT:-3499}
SIM_UPS=${SIM_UPS:-3}
SIM_CYCLE=${SIM_CYCLE:-150}
DEMO_USER=demo
DEMO_PASSWORD=demo-password
LOGS=$DEMO_DIR/logs
BASE=http://127.0.0.1:$PORT

export POWERPULSE_DATA_DIR=$DEMO_DIR PORT HOST=127.0.0.1
export POLL_INTERVAL=${POLL_INTERVAL:-2} LOG_LEVEL=${LOG_LEVEL:-INFO} PYTHONUNBUFFERED=1
unset DATABASE_URL  # the demo always uses its own SQLite file in DEMO_DIR

die() { echo "demo: $*" >&2; exit 1; }

command -v powerpulse >/dev/null || die "the powerpulse command is missing: run 'make install' first"
command -v curl >/dev/null || die "curl is needed"
port_free() {  # SO_REUSEADDR as the servers use it: connections of a previous run in TIME_WAIT don't count
    python3 -c "import socket,sys; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null
}
port_free "$PORT" || die "port $PORT is in use (set PORT=...)"
port_free "$SIM_PORT" || die "port $SIM_PORT is in use (set SIM_PORT=...)"

if [[ -z ${POWERPULSE_WEBUI_DIR:-} && ! -f webui/dist/index.html ]]; then
    echo "demo: note: the web UI is not built (run 'make webui'); the API and kiosk stream still work"
fi
mkdir -p "$LOGS"
PIDS=()
stop_all() {
    trap - EXIT INT TERM HUP
    if ((${#PIDS[@]})); then
        kill -TERM "${PIDS[@]}" 2>/dev/null || true
        wait "${PIDS[@]}" 2>/dev/null || true
    fi
}
trap stop_all EXIT
# Ctrl-C, SIGTERM or the terminal closing: a normal way to end the demo, so one line and exit 0.
trap 'stop_all; echo; echo "demo: stopped"; exit 0' INT TERM HUP

wait_for() {  # wait_for <seconds> <what> <command...>
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "$what did not start; see $LOGS"
        sleep 0.2
    done
}
json_field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

echo "demo: NUT simulator on 127.0.0.1:$SIM_PORT ($SIM_UPS UPS, ${SIM_CYCLE}s outage loop)"
powerpulse simulate --host 127.0.0.1 --port "$SIM_PORT" --ups "$SIM_UPS" --cycle "$SIM_CYCLE" \
    >"$LOGS/simulator.log" 2>&1 &
PIDS+=($!)
wait_for 15 "the simulator" grep -q "NUT simulator on" "$LOGS/simulator.log"

echo "demo: database in $DEMO_DIR"
powerpulse migrate >"$LOGS/migrate.log" 2>&1 || die "migrations failed; see $LOGS/migrate.log"
if ! printf '%s\n' "$DEMO_PASSWORD" |
    powerpulse user create "$DEMO_USER" --role admin --password-stdin >>"$LOGS/migrate.log" 2>&1; then
    # A second run: keep the account, make sure the printed password works.
    printf '%s\n' "$DEMO_PASSWORD" |
        powerpulse user reset-password "$DEMO_USER" --password-stdin >>"$LOGS/migrate.log" 2>&1 ||
        die "could not create the demo user; see $LOGS/migrate.log"
fi

echo "demo: starting the api and poller workers"
powerpulse api >"$LOGS/api.log" 2>&1 &
PIDS+=($!)
powerpulse poller >"$LOGS/poller.log" 2>&1 &
PIDS+=($!)
wait_for 60 "the api worker" curl -fsS "$BASE/api/auth/check-setup"

TOKEN=$(curl -fsS -H 'Content-Type: application/json' \
    -d "{\"username\": \"$DEMO_USER\", \"password\": \"$DEMO_PASSWORD\"}" \
    "$BASE/api/auth/login" | json_field '["token"]')
STATUS=$(curl -sS -o "$LOGS/nut-server.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -d "{\"host\": \"127.0.0.1\", \"port\": $SIM_PORT}" \
    "$BASE/api/nut-servers")
case $STATUS in
    201) echo "demo: added the simulator as a NUT server ($(json_field '["upsSystemsDiscovered"]' <"$LOGS/nut-server.json") UPS found)" ;;
    409) echo "demo: the simulator is already configured" ;;
    *) die "adding the simulator failed ($STATUS): $(cat "$LOGS/nut-server.json")" ;;
esac

cat <<EOF

  PowerPulse demo is running.

    Dashboard:  $BASE/
    Log in as:  $DEMO_USER / $DEMO_PASSWORD
    Kiosk:      $BASE/kiosk
    API:        $BASE/docs

  The simulated UPS (rack-a, rack-b, closet) lose mains power in turn: on battery, low
  battery, then charging back. Watch them change without reloading. Logs: $LOGS
  Press Ctrl-C to stop.

EOF

# Stop when any worker dies on its own (and say which); Ctrl-C lands in the trap above.
set +e
wait -n "${PIDS[@]}"
for pid in "${PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null || echo "demo: a process exited (pid $pid); see $LOGS" >&2
done
exit 1
