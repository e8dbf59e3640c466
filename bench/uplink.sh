#!/usr/bin/env bash
# Uplink drain benchmark: one event per publish against batched, through the real daemon.
#
#   bench/uplink.sh [--build-dir build] [ef-bench-uplink options: --count N --modes none,json
#                   --sub-qos 1 --timeout S]
#
# Runs BUILD_DIR/bench/ef-bench-uplink (which starts its own brokers and edgeferry processes
# and removes its temp dir). What it needs is built first in the build dir (incremental; a
# missing one is configured as Release, without tests). The last stdout line is one JSON
# object.
set -euo pipefail

BUILD_DIR=build
ARGS=()
while (($#)); do
  case "$1" in
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build_dir uplink "$BUILD_DIR" edgeferry ef-bench-uplink
BUILD_DIR=$BENCH_BUILD_DIR
BENCH=$BUILD_DIR/bench/ef-bench-uplink
[[ -x $BENCH ]] || { echo "uplink: $BENCH not built; run: cmake --build $BUILD_DIR" >&2; exit 1; }
exec "$BENCH" --edgeferry "$BUILD_DIR/daemon/edgeferry" "${ARGS[@]}"
