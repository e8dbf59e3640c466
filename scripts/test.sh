#!/usr/bin/env bash
# Builds edgeferry with warnings as errors and runs every test (unit and
# integration; integration tests start their own brokers on free ports), then the system test
# (the .deb installed under a real systemd in a container) when systemd-nspawn is there.
# Then builds the daemon again with AddressSanitizer and UndefinedBehaviorSanitizer and runs
# the reload stress test (200 SIGHUPs under load) against that build, and, for arm64 and
# armhf each when its cross toolchain is installed, cross-builds and runs the unit tests under
# qemu-user (setup.sh installs neither toolchain: CI stays short; it says which it skipped).
# With clang installed it also runs the libFuzzer target of tests/fuzz for a short time.
# Environment: BUILD_DIR (default "build"), ASAN_BUILD_DIR (default "build-asan"),
# EF_SKIP_ASAN=1 to skip the sanitizer run.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir="${BUILD_DIR:-build}"
asan_dir="${ASAN_BUILD_DIR:-build-asan}"

scripts/setup.sh

cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_WERROR=ON \
      -DCMAKE_INSTALL_PREFIX=/usr
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -LE system

echo "test.sh: system test: the .deb under a real systemd in a container (label system;"
echo "         ctest reports it as skipped, with the reason, when it cannot run here)"
(cd "$build_dir" && cpack >/dev/null)
ctest --test-dir "$build_dir" --output-on-failure -L system

# arch, compiler, emulator
for cross in "arm64 aarch64-linux-gnu-g++ qemu-aarch64" "armhf arm-linux-gnueabihf-g++ qemu-arm"; do
  read -r arch compiler emulator <<<"$cross"
  if command -v "$compiler" >/dev/null && command -v "$emulator" >/dev/null &&
     command -v mmdebstrap >/dev/null; then
    echo "test.sh: cross build for $arch (cross/build.sh), unit tests under qemu-user"
    cross/build.sh "$arch" "$build_dir-$arch"
  else
    echo "test.sh: SKIPPED the $arch cross build: it needs crossbuild-essential-$arch," \
         "qemu-user and mmdebstrap (see README, Cross-compiling)"
  fi
done

if command -v clang++ >/dev/null; then
  # tests/fuzz: the MQTT payload decoder and the data contract check under libFuzzer, ASan
  # and UBSan, for a short run (EF_FUZZ_SECONDS, default 25) from an empty corpus.
  fuzz_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
  echo "test.sh: libFuzzer: payload decoder and contract check (${EF_FUZZ_SECONDS:-25} s)"
  cmake -S . -B "$fuzz_dir" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEF_FUZZ=ON -DEF_BUILD_TESTS=OFF -DEF_BUILD_BENCH=OFF
  cmake --build "$fuzz_dir" -j"$(nproc)" --target ef_ingest_fuzzer
  corpus="$(mktemp -d)"
  "$fuzz_dir/tests/fuzz/ef_ingest_fuzzer" -max_total_time="${EF_FUZZ_SECONDS:-25}" \
      -max_len=4096 "$corpus"
  rm -rf "$corpus"
else
  echo "test.sh: SKIPPED the libFuzzer run: it needs clang and libclang-rt-14-dev"
fi

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
