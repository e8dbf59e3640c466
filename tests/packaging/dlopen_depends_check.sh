#!/usr/bin/env bash
# The edgeferry binary links neither Paho nor libnats (it loads them at run time, see
# daemon/runtime_libraries.h), and the Depends the .deb gets for them (EF_DLOPEN_DEPENDS in
# packaging/CMakeLists.txt) names the packages that own the SONAMEs it loads. Exits 77 (skip)
# where dpkg cannot tell.
#
#   tests/packaging/dlopen_depends_check.sh BINARY "DEPENDS"
set -euo pipefail

binary=${1:?binary}
depends=${2:?depends}

needed=$(readelf -d "$binary" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
if linked=$(grep -E '^lib(paho-mqtt|nats)' <<<"$needed"); then
  echo "FAIL: $binary links $linked: it must load it at run time" >&2
  exit 1
fi

sonames=$(strings -a "$binary" | grep -xE 'lib(paho-mqtt3as?\.so\.[0-9]+|nats\.so\.[0-9.]+)' |
          sort -u)
if [[ $(wc -l <<<"$sonames") -ne 3 ]]; then
  echo "FAIL: expected the SONAMEs of Paho (3a, 3as) and libnats in $binary, found:" >&2
  echo "$sonames" >&2
  exit 1
fi

command -v dpkg-architecture >/dev/null || { echo "SKIP: no dpkg-architecture"; exit 77; }
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for soname in $sonames; do
  owner=$(dpkg -S "/usr/lib/$multiarch/$soname" "/lib/$multiarch/$soname" 2>/dev/null |
          head -1 | cut -d: -f1 || true)
  if [[ -z $owner ]]; then
    echo "SKIP: no package of this machine provides $soname"
    exit 77
  fi
  if ! grep -qE "(^|, )$owner( |,|$)" <<<"$depends"; then
    echo "FAIL: $soname comes from $owner, which Depends ($depends) does not name" >&2
    exit 1
  fi
  echo "ok: $soname from $owner"
done
