#!/usr/bin/env bash
# bench/replay.sh: how fast anomaly detection runs, on one core, in-process.
#  1. `edgeferry replay` of a generated CSV (ROWS rows, a noisy daily sine with a few spikes)
#     with examples/rules/anomaly.toml (the adaptive detector): rows/s, as the replay reports
#     it (the rules engine only; CSV reading and writing excluded).
#  2. ef-bench-detectors: each detector type's observations/s, and the rules engine with 50
#     detector rules of mixed types over DEVICES devices against a pass-through engine in
#     the same run (bench/detectors_bench.cpp says how).
# Builds edgeferry and ef-bench-detectors in BUILD_DIR (default build-bench, Release) first.
# The last line is JSON.
#   bench/replay.sh [ROWS] [EVENTS] [DEVICES]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
source "$root/bench/lib.sh"
rows="${1:-500000}"
events="${2:-100000}"
devices="${3:-100}"
bench_build_dir replay "${BUILD_DIR:-build-bench}" edgeferry ef-bench-detectors
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "replay: generating $rows rows" >&2
awk -v n="$rows" 'BEGIN {
  srand(7); print "timestamp,value";
  for (i = 0; i < n; i++) {
    v = 50 + 10 * sin(i * 6.283185 / 288) + (rand() + rand() + rand() - 1.5) * 2;
    if (i % 20011 == 20000) v += 40;
    print 1700000000 + i * 300 "," v
  }
}' > "$work/in.csv"

echo "replay: edgeferry replay --rules examples/rules/anomaly.toml over $rows rows" >&2
summary=$("$BENCH_BUILD_DIR/daemon/edgeferry" replay --rules "$root/examples/rules/anomaly.toml" \
  --csv "$work/in.csv" --out "$work/out.csv" 2>&1 >/dev/null)
echo "$summary"
replay_rate=$(sed -n 's/.*(\([0-9]*\) rows\/s).*/\1/p' <<<"$summary")
alerts=$(sed -n 's/.*, \([0-9]*\) alerts raised.*/\1/p' <<<"$summary")
[[ -n $replay_rate ]] || { echo "replay: no rate in: $summary" >&2; exit 1; }

echo "replay: ef-bench-detectors $events events, $devices devices" >&2
bench_out=$("$BENCH_BUILD_DIR/bench/ef-bench-detectors" "$events" "$devices")
grep -v '^{' <<<"$bench_out"
detectors_json=$(tail -n 1 <<<"$bench_out")
echo "{\"bench\":\"replay\",\"rows\":$rows,\"replay_rows_per_s\":$replay_rate,\"replay_alerts\":$alerts,\"detectors\":$detectors_json}"
