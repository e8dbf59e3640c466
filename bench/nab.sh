#!/usr/bin/env bash
# bench/nab.sh: scores examples/rules/anomaly.toml (the adaptive detector with its defaults,
# the same for every series) with `edgeferry replay` (the daemon's rules engine) on the NAB
# series in ../shared/data/nab, using ../shared/tools/nab_score.py at threshold 0.5 (an
# alert raised = 1.0). Builds edgeferry in BUILD_DIR (default ./build) first. Prints the
# replay summaries and the scorer's table for the three NAB profiles.
#   bench/nab.sh [NAB_DIR] [NAB_SCORE_PY]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/lib.sh"
nab_dir="${1:-$root/../shared/data/nab}"
scorer="${2:-$root/../shared/tools/nab_score.py}"
bench_build_dir nab "${BUILD_DIR:-build}" edgeferry
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
echo "nab: replaying every CSV under $nab_dir/data with examples/rules/anomaly.toml" >&2
while read -r rel; do
  mkdir -p "$out/$(dirname "$rel")"
  "$BENCH_BUILD_DIR/daemon/edgeferry" replay --rules "$root/examples/rules/anomaly.toml" \
    --csv "$nab_dir/data/$rel" --out "$out/$rel"
done < <(cd "$nab_dir/data" && find . -name '*.csv' | sort)
/usr/bin/python3 "$scorer" "$out" --nab-dir "$nab_dir" --threshold 0.5 --allow-subset --per-file
