#!/usr/bin/env bash
# Checks the generated systemd unit offline (no running systemd needed):
#   - `systemd-analyze verify` prints nothing (it exits 0 even on warnings such as an unknown
#     key, so any output is a failure);
#   - `systemd-analyze security --offline=true` rates its exposure 2.0 or lower (its
#     --threshold is in tenths: 20).
# ExecStart is pointed at the built binary, since verify fails on a missing one.
# Usage: unit_check.sh UNIT_FILE EDGEFERRY_BINARY
set -euo pipefail

unit=${1:?unit file}
binary=${2:?edgeferry binary}
if ! command -v systemd-analyze >/dev/null; then
  echo "unit_check: systemd-analyze is not installed (Debian package systemd)" >&2
  exit 1
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s|^ExecStart=[^ ]*|ExecStart=$binary|" "$unit" > "$dir/edgeferry.service"

verify=$(systemd-analyze verify "$dir/edgeferry.service" 2>&1 || true)
if [[ -n $verify ]]; then
  echo "unit_check: systemd-analyze verify reported:" >&2
  echo "$verify" >&2
  exit 1
fi
echo "unit_check: systemd-analyze verify: no findings"

security=$(systemd-analyze security --offline=true --threshold=20 "$dir/edgeferry.service" 2>&1) || {
  echo "$security" | tail -5 >&2
  echo "unit_check: exposure above 2.0" >&2
  exit 1
}
echo "$security" | grep "Overall exposure level"
