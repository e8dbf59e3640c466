#!/usr/bin/env bash
# Builds edgeferry with warnings as errors and runs every test (unit and
# integration; integration tests start their own brokers on free ports).
# Environment: BUILD_DIR (default "build").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${BUILD_DIR:-build}"

scripts/setup.sh

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_WERROR=ON
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure
