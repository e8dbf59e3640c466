#!/usr/bin/env bash
# Builds a Debian bookworm sysroot for a cross build: the -dev packages edgeferry needs,
# extracted (not installed) with mmdebstrap, from the same mirrors as this machine's apt.
#
#   cross/make-sysroot.sh arm64|armhf [DIR]     (DIR default: cross/sysroot-ARCH)
#
# Absolute symlinks inside it (libz.so -> /lib/...) are rewritten as relative ones, or the
# linker would follow them to the build machine's own files, or silently pick a static
# archive. The suite is named `bookworm`, never `stable` (which moves with Debian releases).
# An existing DIR made for the same package list is kept as it is (delete it to rebuild).
set -euo pipefail

arch=${1:?usage: cross/make-sysroot.sh arm64|armhf [DIR]}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${2:-$root/cross/sysroot-$arch}
case $arch in
  arm64) triple=aarch64-linux-gnu ;;
  armhf) triple=arm-linux-gnueabihf ;;
  *) echo "make-sysroot: unknown architecture '$arch' (arm64 or armhf)" >&2; exit 2 ;;
esac
readonly PACKAGES=(
  libc6-dev libstdc++-12-dev libpaho-mqtt-dev libpaho-mqttpp-dev libmodbus-dev
  libsqlite3-dev libtomlplusplus-dev libsimdjson-dev libssl-dev libzstd-dev libnats-dev
  libevent-dev doctest-dev
)

# A sysroot made for the same package list is kept; one made for another list (a dependency
# came or went) is made again, or the build would link what the list no longer names.
stamp=$dir/.edgeferry-packages
if [[ -d $dir/usr/lib/$triple ]]; then
  if [[ -f $stamp && $(cat "$stamp") == "${PACKAGES[*]}" ]]; then
    echo "make-sysroot: $dir exists for the same packages, kept as it is"
    exit 0
  fi
  echo "make-sysroot: $dir was made for other packages: making it again"
  rm -rf "$dir"
fi

# The host's mirrors (deb822 .sources files), bookworm suites only.
mirrors=()
while read -r uri suites; do
  for suite in $suites; do
    [[ $suite == bookworm* ]] && mirrors+=("deb $uri $suite main")
  done
done < <(awk '/^URIs:/ {uri = $2} /^Suites:/ {$1 = ""; print uri, $0}' \
           /etc/apt/sources.list.d/*.sources 2>/dev/null)
((${#mirrors[@]})) || mirrors=("deb http://deb.debian.org/debian bookworm main")

include=$(IFS=,; echo "${PACKAGES[*]}")
echo "make-sysroot: $arch sysroot in $dir (${#PACKAGES[@]} packages)"
if ! mmdebstrap --quiet --arch="$arch" --variant=extract --include="$include" \
       bookworm "$dir" "${mirrors[@]}"; then
  # The security suite's index for some architectures can lag ("unexpected size"): retry
  # without it rather than fail the build.
  echo "make-sysroot: retrying without the security suite" >&2
  rm -rf "$dir"
  mapfile -t mirrors < <(printf '%s\n' "${mirrors[@]}" | grep -v -- '-security')
  mmdebstrap --quiet --arch="$arch" --variant=extract --include="$include" \
    bookworm "$dir" "${mirrors[@]}"
fi

# Absolute symlinks -> relative, inside the sysroot.
while IFS= read -r -d '' link; do
  target=$(readlink "$link")
  [[ $target == /* ]] || continue
  ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$dir$target")" "$link"
done < <(find "$dir" -type l -print0)
echo "${PACKAGES[*]}" >"$stamp"
echo "make-sysroot: done ($(du -sh "$dir" | cut -f1))"
