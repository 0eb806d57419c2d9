#!/bin/sh
# PowerPulse container entrypoint.
#
# With no arguments it starts the appliance: checks the environment, prepares the data directory
# with tight permissions, creates the JWT secret once, applies database migrations once (not once
# per worker), then execs supervisord, which runs the api worker and the poller.
# With arguments (`docker run <image> powerpulse user create …`, the self-update runner) it
# prepares the same user and directories and execs the arguments instead.
#
# Started as root it runs everything as the unprivileged user `powerpulse` (uid 1000), giving
# that user the Docker socket's group when the socket is mounted, so self-update works without
# running the workers as root. Started as any other user it stays that user.
set -eu
umask 027

RUN_USER="${POWERPULSE_USER:-powerpulse}"
DATA_DIR="${POWERPULSE_DATA_DIR:-/app/data}"
RUN_DIR="${POWERPULSE_RUN_DIR:-/run/powerpulse}"
SOCKET="${DOCKER_SOCKET:-/var/run/docker.sock}"
HERE="$(cd "$(dirname "$0")" && pwd)"
CONF="${POWERPULSE_SUPERVISORD_CONF:-$HERE/supervisord.conf}"
export POWERPULSE_DATA_DIR="$DATA_DIR" POWERPULSE_RUN_DIR="$RUN_DIR"

say() { echo "entrypoint: $*" >&2; }

# `as_user CMD…` runs CMD as the runtime user (plain exec when we are not root).
DROP=""
if [ "$(id -u)" = 0 ] && id -u "$RUN_USER" >/dev/null 2>&1; then
    uid="$(id -u "$RUN_USER")"
    gid="$(id -g "$RUN_USER")"
    groups="$gid"
    if [ -S "$SOCKET" ]; then
        sock_gid="$(stat -c %g "$SOCKET")"
        groups="$gid,$sock_gid"
        say "Docker socket $SOCKET found: $RUN_USER gets its group (gid $sock_gid) for self-update"
    fi
    DROP="setpriv --reuid=$uid --regid=$gid --groups=$groups --no-new-privs --"
    export HOME="$RUN_DIR" USER="$RUN_USER"
    mkdir -p "$DATA_DIR" "$RUN_DIR"
    # Files left by an older image or a root `docker exec` must stay readable by the workers.
    find "$DATA_DIR" -xdev \( ! -user "$uid" -o ! -group "$gid" \) -exec chown "$uid:$gid" {} +
    chown "$uid:$gid" "$RUN_DIR"
    # The container's stdout/stderr are pipes owned by root: let supervisord reopen them.
    chown "$uid" /proc/self/fd/1 /proc/self/fd/2 2>/dev/null || true
else
    mkdir -p "$DATA_DIR" "$RUN_DIR" || { say "cannot create $DATA_DIR or $RUN_DIR"; exit 1; }
fi
chmod 0750 "$DATA_DIR" 2>/dev/null || say "warning: cannot restrict $DATA_DIR to mode 0750 (not its owner)"
chmod 0700 "$RUN_DIR" 2>/dev/null || say "warning: cannot restrict $RUN_DIR to mode 0700 (not its owner)"

if [ "$#" -gt 0 ]; then
    exec $DROP "$@"
fi

if ! $DROP powerpulse check-config >/dev/null; then
    say "invalid configuration: fix the environment variable named above"
    exit 2
fi
if [ -f "$DATA_DIR/jwt_secret" ]; then
    chmod 0600 "$DATA_DIR/jwt_secret"
fi
$DROP powerpulse migrate >/dev/null || { say "database migration failed"; exit 1; }

# POWERPULSE_EXEC replaces supervisord (tests use it to stop right before the workers start).
if [ -n "${POWERPULSE_EXEC:-}" ]; then
    # shellcheck disable=SC2086 # word splitting wanted: it is a command line
    exec $DROP $POWERPULSE_EXEC
fi
exec $DROP supervisord -n -c "$CONF"
