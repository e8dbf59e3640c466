#!/usr/bin/env bash
# edgeferry's SQLite queue against the raw SQLite ceiling, in one run (see bench/README.md).
#
#   bench/storage.sh [--build-dir build] [ef-bench-storage options...]
#
# Runs BUILD/bench/ef-bench-storage (default options: --events 200000 --backlog 100000
# --runs 10 --dir /var/tmp --durability both). What it needs is built first in the build
# dir (incremental; a missing one is configured as Release, without tests). The database goes
# to a fresh directory under --dir, which should be on the real disk, not tmpfs. The last
# stdout line is JSON.
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
bench_build_dir storage "$BUILD_DIR" ef-bench-storage
BUILD_DIR=$BENCH_BUILD_DIR
BENCH=$BUILD_DIR/bench/ef-bench-storage
[[ -x $BENCH ]] || { echo "storage: $BENCH not built; run: cmake --build $BUILD_DIR" >&2; exit 1; }
exec "$BENCH" "${ARGS[@]}"
