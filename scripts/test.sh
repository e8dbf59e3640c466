#!/usr/bin/env bash
# Builds edgeferry with warnings as errors and runs every test (unit and
# integration; integration tests start their own brokers on free ports).
# Then builds the daemon again with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# the reload stress test (200 SIGHUPs under load) against that build.
# Environment: BUILD_DIR (default "build"), ASAN_BUILD_DIR (default "build-asan"),
# EF_SKIP_ASAN=1 to skip the sanitizer run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${BUILD_DIR:-build}"
asan_dir="${ASAN_BUILD_DIR:-build-asan}"

scripts/setup.sh

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_WERROR=ON
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure

if [[ "${EF_SKIP_ASAN:-0}" == 1 ]]; then
  echo "test.sh: EF_SKIP_ASAN=1: the sanitizer run of the reload stress test is skipped"
  exit 0
fi
echo "test.sh: building the daemon with -fsanitize=address,undefined into $asan_dir"
cmake -S . -B "$asan_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_WERROR=ON \
      -DEF_SANITIZE='address;undefined' -DEF_BUILD_TESTS=OFF -DEF_BUILD_BENCH=OFF
cmake --build "$asan_dir" -j"$(nproc)" --target edgeferry
echo "test.sh: reload stress test (200 SIGHUPs under load) against the sanitizer build"
EF_EDGEFERRY="$PWD/$asan_dir/daemon/edgeferry" \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir "$build_dir" --output-on-failure -R '^reload:'
