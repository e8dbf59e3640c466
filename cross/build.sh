#!/usr/bin/env bash
# Cross-builds edgeferry for an ARM gateway, runs the unit tests under qemu-user and packs
# the .deb:
#
#   cross/build.sh arm64|armhf [BUILD_DIR]     (BUILD_DIR default: build-ARCH)
#
# Needs crossbuild-essential-ARCH, qemu-user and mmdebstrap (Debian packages); the sysroot is
# made by cross/make-sysroot.sh on first use. Integration tests and benchmarks are not built:
# they start brokers and peers of the build machine. Ends with the .deb's path.
set -euo pipefail

arch=${1:?usage: cross/build.sh arm64|armhf [BUILD_DIR]}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${2:-$root/build-$arch}
case $arch in
  arm64) triple=aarch64-linux-gnu ;;
  armhf) triple=arm-linux-gnueabihf ;;
  *) echo "cross/build.sh: unknown architecture '$arch' (arm64 or armhf)" >&2; exit 2 ;;
esac
qemu=qemu-${triple%%-*}
[[ $arch == armhf ]] && qemu=qemu-arm
missing=()
for tool in "$triple-g++" "$qemu" mmdebstrap; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if ((${#missing[@]})); then
  echo "cross/build.sh: missing ${missing[*]}: apt-get install --no-install-recommends" \
       "crossbuild-essential-$arch qemu-user mmdebstrap" >&2
  exit 1
fi

sysroot=$root/cross/sysroot-$arch
"$root/cross/make-sysroot.sh" "$arch" "$sysroot"

echo "cross/build.sh: building for $arch in $build"
cmake -S "$root" -B "$build" --toolchain "$root/cross/$triple.cmake" -DEF_SYSROOT="$sysroot" \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DEF_WERROR=ON -DEF_SMALL=ON \
      -DEF_INTEGRATION_TESTS=OFF -DEF_BUILD_BENCH=OFF
cmake --build "$build" -j"$(nproc)"

echo "cross/build.sh: unit tests under qemu-user"
ctest --test-dir "$build" -L unit --output-on-failure

depends=$("$root/cross/deb-depends.sh" "$triple-readelf" "$build/daemon/edgeferry")
# The libraries edgeferry loads with dlopen (Paho, libnats): no NEEDED entry names them.
dlopen_depends=$(sed -n 's/^EF_DLOPEN_DEPENDS:INTERNAL=//p' "$build/CMakeCache.txt")
[[ -n $dlopen_depends ]] || { echo "cross/build.sh: no EF_DLOPEN_DEPENDS in the cache" >&2; exit 1; }
(cd "$build" && cpack -D CPACK_DEBIAN_PACKAGE_ARCHITECTURE="$arch" \
                      -D CPACK_DEBIAN_PACKAGE_DEPENDS="$depends, $dlopen_depends, systemd, procps" \
                      -D CPACK_DEBIAN_PACKAGE_SHLIBDEPS=OFF >/dev/null)
deb=$(ls "$build"/edgeferry_*_"$arch".deb)
echo "cross/build.sh: $deb"
dpkg-deb --field "$deb" Architecture Depends
