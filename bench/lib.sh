# Shared by the bench scripts (source it, do not run it).
#
#   bench_build_dir NAME BUILD_DIR TARGET...
#
# Sets BENCH_BUILD_DIR to BUILD_DIR made absolute (relative to the repository root). A
# missing build dir is configured (Release, benchmarks on, tests off); then TARGETs are built
# (incrementally, so an existing build dir is brought up to date with the sources), with
# progress on stderr prefixed by NAME.
bench_build_dir() {
  local name=$1 dir=$2
  shift 2
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  [[ $dir = /* ]] || dir=$root/$dir
  if [[ ! -d $dir ]]; then
    echo "$name: $dir missing, building (Release)" >&2
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DEF_BUILD_BENCH=ON \
      -DEF_BUILD_TESTS=OFF >&2
  fi
  echo "$name: building $* in $dir" >&2
  cmake --build "$dir" -j"$(nproc)" --target "$@" >&2
  BENCH_BUILD_DIR=$dir
}
