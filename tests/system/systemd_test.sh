#!/usr/bin/env bash
# System test: boots a real systemd in a container (systemd-nspawn), installs the .deb with
# apt, and checks the service as a user would meet it: enabled by the package, active after
# READY=1, a reload, a restart that keeps the queue, the service user opening a serial device
# given to it, and a clean stop (tests/system/in_container_check.sh does the checks inside).
#
#   tests/system/systemd_test.sh DEB
#
# The container's root file system (Debian bookworm with systemd, mosquitto and the libraries
# edgeferry links) is made once with mmdebstrap and cached in $EF_SYSTEM_CACHE (default
# /var/tmp/edgeferry-system); each run boots a throw-away copy of it (--ephemeral) with no
# network but its own loopback. Exits 77 (skipped) when the .deb, systemd-nspawn or
# mmdebstrap is missing.
set -euo pipefail

deb=${1:?usage: systemd_test.sh DEB}
if [[ ! -f $deb ]]; then
  echo "systemd_test: SKIPPED: no package $deb (make it with cpack in the build dir)"
  exit 77
fi
deb=$(realpath "$deb")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${EF_SYSTEM_CACHE:-/var/tmp/edgeferry-system}
for tool in systemd-nspawn mmdebstrap script; do
  command -v "$tool" >/dev/null || {
    echo "systemd_test: SKIPPED: $tool is missing (apt-get install systemd-container mmdebstrap)"
    exit 77
  }
done

# What the container has besides a minimal Debian: systemd, a broker and its client, and the
# .deb's dependencies (the container has no network for apt to fetch them).
readonly PACKAGES=systemd,systemd-sysv,dbus,procps,mosquitto,mosquitto-clients,\
libpaho-mqtt1.3,libsqlite3-0,libsimdjson14,libzstd1,libsystemd0,libmodbus5,libevent-2.1-7,\
libnats3.4
rootfs=$cache/rootfs-bookworm-$(echo "$PACKAGES" | md5sum | cut -c1-8)
if [[ ! -x $rootfs/lib/systemd/systemd ]]; then
  echo "systemd_test: making the container's root file system in $rootfs (once)"
  mkdir -p "$cache"
  rm -rf "$rootfs.tmp"
  mmdebstrap --quiet --variant=minbase --include="$PACKAGES" bookworm "$rootfs.tmp"
  mv "$rootfs.tmp" "$rootfs"
fi

log=$(mktemp "${TMPDIR:-/tmp}/ef-system-XXXXXX.log")
unit=$(mktemp "${TMPDIR:-/tmp}/ef-system-XXXXXX.service")
trap 'rm -f "$log" "$unit"' EXIT
cat >"$unit" <<UNIT
[Unit]
Description=edgeferry system test
After=multi-user.target mosquitto.service
[Service]
Type=oneshot
StandardOutput=journal+console
ExecStart=/root/in_container_check.sh
UNIT

serial=()
[[ -c /dev/ttyS0 ]] && serial=(--bind=/dev/ttyS0)
echo "systemd_test: booting bookworm with systemd in a container"
timeout 300 script -qec "systemd-nspawn -D '$rootfs' --ephemeral -b --private-network \
  --register=no --keep-unit --bind-ro='$deb:/root/edgeferry.deb' \
  --bind-ro='$here/in_container_check.sh:/root/in_container_check.sh' \
  --bind-ro='$unit:/etc/systemd/system/edgeferry-check.service' ${serial[*]} \
  -- systemd.wants=edgeferry-check.service" "$log" >/dev/null || true

grep -a "CHECK \|EDGEFERRY-SYSTEM-TEST" "$log" | sed "s/^.*\(CHECK\|EDGEFERRY-SYSTEM-TEST\)/\1/" | tr -d '\r' || true
if grep -aq "EDGEFERRY-SYSTEM-TEST: PASS" "$log"; then
  echo "systemd_test: passed"
  exit 0
fi
echo "systemd_test: FAILED; the console's last lines:"
tail -n 40 "$log" | tr -d '\r'
exit 1
