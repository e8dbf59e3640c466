#!/usr/bin/env bash
# Installs the Debian packages that the build, the tests and the demo need.
# Idempotent: only missing packages are installed, and `apt-get update` runs only
# when something is missing, so a second run is a fast no-op.
set -euo pipefail

readonly PACKAGES=(
  build-essential cmake pkg-config
  libpaho-mqtt-dev libpaho-mqttpp-dev libmodbus-dev libsqlite3-dev
  libtomlplusplus-dev libsimdjson-dev libzstd-dev libnats-dev doctest-dev libevent-dev
  mosquitto mosquitto-clients
  python3-pymodbus python3-serial python3-serial-asyncio python3-numpy python3-prometheus-client
  socat nats-server libssl-dev openssl procps faketime
  curl  # bench/flash.sh reads the daemon's /metrics
  systemd dpkg-dev fakeroot
  # The libFuzzer run of tests/fuzz (scripts/test.sh).
  clang libclang-rt-14-dev
  # Only for the test that loads the status page in a real browser (skipped without it).
  chromium
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup.sh: installing ${missing[*]}" >&2

as_root=()
if ((EUID != 0)); then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "setup.sh: not root and sudo is missing; install as root: ${missing[*]}" >&2
    exit 1
  fi
  as_root=(sudo)
fi

"${as_root[@]}" apt-get update
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
