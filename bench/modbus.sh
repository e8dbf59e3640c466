#!/usr/bin/env bash
# Modbus polling cost: edgeferry polls SLAVES x POINTS INT16 points (every other register, so
# they coalesce into one request per slave with max_gap >= 1) on a pymodbus TCP server, once
# with coalescing (max_gap = 10) and once without (max_gap = 0), each for DURATION seconds at
# a 1 s interval.
#
#   bench/modbus.sh [--duration 30] [--slaves 50] [--points 20] [--dead-slave]
#                   [--build-dir build] [--keep]
#
# --dead-slave adds one more slave (id SLAVES+1, with the same points) that the server never
# answers, polled with a 150 ms timeout and 1 retry: the live slaves' jitter p99 then shows
# what a dead slave beside them costs their interval (tests/integration/modbus_device_test.cpp
# prints the same figure for one live and one dead slave but does not assert it).
#
# Reports per run: requests per cycle (as the server counted them), the achieved poll
# interval's jitter p99 (|interval - 1 s| between the first requests of consecutive cycles of
# each slave, seen by the server) and edgeferry's CPU time per 1,000 points read (utime+stime
# from /proc over the values it received). Everything runs on 127.0.0.1 in a temp dir; only
# processes this script started are stopped, by PID. The last stdout line is one JSON object.
set -euo pipefail

DURATION=30
SLAVES=50
POINTS=20
BUILD_DIR=build
KEEP=0
DEAD=0

usage() {
  echo "usage: bench/modbus.sh [--duration 30] [--slaves 50] [--points 20] [--dead-slave] [--build-dir build] [--keep]" >&2
  exit 2
}
die() { echo "modbus-bench: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --duration) DURATION=${2:?}; shift 2 ;;
    --slaves) SLAVES=${2:?}; shift 2 ;;
    --points) POINTS=${2:?}; shift 2 ;;
    --dead-slave) DEAD=1; shift ;;
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done
for n in "$DURATION" "$SLAVES" "$POINTS"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || die "numbers must be positive integers"
done
((POINTS <= 50)) || die "--points is at most 50 (the server has 100 holding registers)"

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# bench_build_dir and the process helpers: alive, stop_pid, forget_pid, port_open, free_port.
source "$ROOT/bench/lib.sh"
bench_build_dir modbus-bench "$BUILD_DIR" edgeferry
EDGEFERRY=$BENCH_BUILD_DIR/daemon/edgeferry
[[ -x $EDGEFERRY ]] || die "$EDGEFERRY not built"

bench_work modbus-bench ef-modbus-bench  # WORK, PIDS and the EXIT cleanup (lib.sh)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

write_config() { # write_config FILE PORT MAX_GAP
  {
    echo "[gateway]"
    echo "id = \"bench\""
    echo "data_dir = \"$WORK/data-$3\""
    echo "[[sources.modbus]]"
    echo "name = \"plcs\""
    echo "address = \"127.0.0.1:$2\""
    echo "interval_ms = 1000"
    if ((DEAD)); then echo "timeout_ms = 150"; echo "retries = 1"; else echo "timeout_ms = 1000"; fi
    echo "max_gap = $3"
    local s p
    for ((s = 1; s <= SLAVES + DEAD; s++)); do
      for ((p = 0; p < POINTS; p++)); do
        echo "[[sources.modbus.points]]"
        echo "name = \"p$p\""
        echo "slave = $s"
        echo "device = \"plc-$s\""
        echo "register = \"holding\""
        echo "address = $((2 * p))"
        echo "type = \"INT16\""
      done
    done
  } >"$1"
}

# run MAX_GAP: prints "requests_per_cycle jitter_p99_ms cpu_ms_per_1000_points values"
run() {
  local gap=$1 port server ef ticks0 ticks1 received hz
  port=$(free_port)
  /usr/bin/python3 "$ROOT/tests/support/modbus_server.py" --tcp "$port" --slaves "1-$SLAVES" \
    --times "$WORK/times-$gap" >"$WORK/server-$gap.log" 2>&1 &
  server=$!
  PIDS+=("$server")
  local deadline=$((SECONDS + 15))
  until port_open "$port"; do
    ((SECONDS < deadline)) || die "the pymodbus server did not listen (see $WORK)"
    sleep 0.05
  done
  write_config "$WORK/edgeferry-$gap.toml" "$port" "$gap"
  "$EDGEFERRY" check --config "$WORK/edgeferry-$gap.toml" >&2
  "$EDGEFERRY" run --config "$WORK/edgeferry-$gap.toml" >"$WORK/edgeferry-$gap.log" 2>&1 &
  ef=$!
  PIDS+=("$ef")
  sleep 2  # connect and settle; the measured window starts after it
  ticks0=$(cpu_ticks "$ef")
  sleep "$DURATION"
  ticks1=$(cpu_ticks "$ef")
  stop_pid "$ef"
  forget_pid "$ef"
  stop_pid "$server"
  forget_pid "$server"
  received=$(sed -n 's/.*stopped: received=\([0-9]*\).*/\1/p' "$WORK/edgeferry-$gap.log" | tail -n 1)
  [[ -n $received && $received -gt 0 ]] || die "edgeferry read nothing (see $WORK/edgeferry-$gap.log)"
  hz=$(getconf CLK_TCK)
  /usr/bin/python3 - "$WORK/times-$gap" "$SLAVES" "$DURATION" "$((ticks1 - ticks0))" "$hz" \
    "$received" <<'PY'
import sys
from collections import defaultdict
path, slaves, duration, ticks, hz, received = sys.argv[1:]
times = defaultdict(list)
for line in open(path):
    unit, t = line.split()
    times[int(unit)].append(float(t))
requests = sum(len(v) for v in times.values())
starts = []
for unit, ts in times.items():
    ts.sort()
    cycle = [t for i, t in enumerate(ts) if i == 0 or t - ts[i - 1] > 0.5]
    starts.append(cycle)
cycles = sum(len(c) for c in starts)
jitter = sorted(abs(b - a - 1.0) * 1000 for c in starts for a, b in zip(c, c[1:]))
p99 = jitter[min(len(jitter) - 1, int(len(jitter) * 0.99))] if jitter else float("nan")
# CPU over the measured window; values over the whole run scaled to the window.
window_values = int(received) * int(duration) / (int(duration) + 2)
cpu_ms = int(ticks) * 1000 / int(hz)
print(f"{requests / cycles:.2f} {p99:.1f} {cpu_ms * 1000 / window_values:.2f} {received}")
PY
}

dead_note=""
((DEAD)) && dead_note=", and one slave that never answers"
echo "modbus-bench: $SLAVES slaves x $POINTS points, 1 s interval, ${DURATION}s per run$dead_note" >&2
read -r c_req c_jit c_cpu c_vals < <(run 10)
echo "coalesced (max_gap 10):  requests/cycle/slave $c_req  jitter p99 ${c_jit} ms  CPU ${c_cpu} ms per 1000 points  ($c_vals values)"
read -r s_req s_jit s_cpu s_vals < <(run 0)
echo "single reads (max_gap 0): requests/cycle/slave $s_req  jitter p99 ${s_jit} ms  CPU ${s_cpu} ms per 1000 points  ($s_vals values)"
printf '{"slaves":%d,"dead_slaves":%d,"points_per_slave":%d,"interval_ms":1000,"duration_s":%d,' "$SLAVES" "$DEAD" "$POINTS" "$DURATION"
printf '"coalesced":{"requests_per_cycle":%s,"jitter_p99_ms":%s,"cpu_ms_per_1000_points":%s},' \
  "$(awk -v r="$c_req" -v s="$SLAVES" 'BEGIN{printf "%.1f", r*s}')" "$c_jit" "$c_cpu"
printf '"uncoalesced":{"requests_per_cycle":%s,"jitter_p99_ms":%s,"cpu_ms_per_1000_points":%s}}\n' \
  "$(awk -v r="$s_req" -v s="$SLAVES" 'BEGIN{printf "%.1f", r*s}')" "$s_jit" "$s_cpu"
