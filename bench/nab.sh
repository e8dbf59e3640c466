#!/usr/bin/env bash
# bench/nab.sh: scores the adaptive detector (its defaults, the same for every series) on the
# NAB series in ../shared/data/nab with ../shared/tools/nab_score.py at threshold 0.5 (an
# alert raised = 1.0). Builds ef-detector-csv in ./build first. Prints the scorer's table.
#   bench/nab.sh [NAB_DIR] [NAB_SCORE_PY]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
nab_dir="${1:-$here/../shared/data/nab}"
scorer="${2:-$here/../shared/tools/nab_score.py}"
build="${BUILD_DIR:-$here/build}"
echo "building ef-detector-csv in $build" >&2
cmake --build "$build" -j2 --target ef-detector-csv >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
(cd "$nab_dir/data" && find . -name '*.csv') | while read -r rel; do
  mkdir -p "$out/$(dirname "$rel")"
  "$build/bench/ef-detector-csv" "$nab_dir/data/$rel" "$out/$rel"
done
/usr/bin/python3 "$scorer" "$out" --nab-dir "$nab_dir" --threshold 0.5 --allow-subset --per-file
