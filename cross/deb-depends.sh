#!/usr/bin/env bash
# Prints the Depends of a cross-built binary, one "package (>= version)" per shared library
# it links (its NEEDED entries), as dpkg-shlibdeps would from the libraries' shlibs files.
# dpkg-shlibdeps knows only this machine's architecture; Debian's library packages have the
# same names and shlibs on every architecture, so the build machine's copies (installed by
# scripts/setup.sh) answer for the target's.
#
#   cross/deb-depends.sh READELF BINARY      e.g. aarch64-linux-gnu-readelf build-arm64/...
set -euo pipefail

readelf=${1:?readelf}
binary=${2:?binary}
host_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)

depends=()
for soname in $("$readelf" -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
  owner=$(dpkg -S "$host_dir/$soname" "/lib/$(basename "$host_dir")/$soname" 2>/dev/null |
          head -1 | cut -d: -f1 || true)
  if [[ -z $owner ]]; then
    echo "deb-depends: no package of this machine provides $soname" >&2
    exit 1
  fi
  name=${soname%%.so*}
  version=${soname##*.so.}
  shlibs=$(ls /var/lib/dpkg/info/"$owner".shlibs /var/lib/dpkg/info/"$owner":*.shlibs \
             2>/dev/null | head -1 || true)
  dep=$owner
  if [[ -n $shlibs ]]; then
    line=$(awk -v n="$name" -v v="$version" '$1 == n && $2 == v {$1 = ""; $2 = ""; print; exit}' \
             "$shlibs" | sed 's/^ *//')
    [[ -n $line ]] && dep=$line
  fi
  depends+=("$dep")
done
printf '%s\n' "${depends[@]}" | awk '!seen[$0]++' | paste -sd, - | sed 's/,/, /g'
