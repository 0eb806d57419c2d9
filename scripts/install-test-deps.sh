#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine: system packages (real NUT
# upsd, Chromium, podman and a registry for the self-update tests), the Python package with its
# test extras, and the web UI's npm packages. Every step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(curl python3-venv nut-server nut-client openssh-server postgresql libnss3-tools chromium podman runc docker-registry busybox-static debootstrap wrk fuse-overlayfs mosquitto)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing system packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

VENV="${VENV:-$PWD/.venv}"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[test]"

if [ -f webui/package.json ]; then
  (cd webui && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; else npm install --no-audit --no-fund --loglevel=error; fi)
fi

# A real OpenID provider for the single sign-on tests (tests/oidc: the oidc-provider package).
(cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error)
