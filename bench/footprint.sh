#!/usr/bin/env bash
# How small edgeferry is: the stripped binary, and its memory idle, under load and with a
# large backlog on disk, in one run.
#
#   bench/footprint.sh [--build-dir build-small] [--backlog 1000000] [--keep]
#
# - binary_bytes: the -Os, stripped binary (EF_SMALL=ON; the build dir is configured so when
#   missing, as Release, and brought up to date either way).
# - idle_rss_kb: VmRSS 5 s after "ingest is up", subscribed to an idle local broker, no uplink.
# - loaded_rss_kb: the peak RSS (VmHWM) during bench/e2e.sh's load (200,000 QoS 1 messages
#   at full speed through edgeferry to a cloud broker, one round), run with the same build:
#   the highest of its cases (batch "none" and "json", durability "normal" and "full").
# - backlog_rss_kb: VmRSS 5 s after "ingest is up" on a queue of --backlog stored events
#   (it must not grow with the backlog: edgeferry keeps counts, not events, in memory).
# - arm64_idle_rss_kb, armhf_idle_rss_kb: the idle case for the arm64 and armhf cross builds
#   (cross/build.sh ARCH, in build-ARCH) under qemu-aarch64 / qemu-arm, when both are there;
#   this includes qemu's own memory, so it is an upper bound. Otherwise null.
# Targets: binary under 3 MB, idle under 8 MiB, loaded under 32 MiB. Brokers are Mosquitto on
# free loopback ports; only processes this script started are stopped, by PID. The last stdout
# line is one JSON object.
set -euo pipefail

BUILD_DIR=build-small
BACKLOG=1000000
KEEP=0
usage() { echo "usage: bench/footprint.sh [--build-dir build-small] [--backlog N] [--keep]" >&2; exit 2; }
die() { echo "footprint: $*" >&2; exit 1; }
while (($#)); do
  case "$1" in
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    --backlog) BACKLOG=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$ROOT/bench/lib.sh"
[[ $BUILD_DIR = /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
if [[ ! -d $BUILD_DIR ]]; then
  echo "footprint: configuring $BUILD_DIR (Release, EF_SMALL=ON)" >&2
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DEF_SMALL=ON -DEF_BUILD_TESTS=OFF \
        -DEF_BUILD_BENCH=ON >&2
fi
bench_build_dir footprint "$BUILD_DIR" edgeferry ef-bench-fill ef-mqtt-load ef-mqtt-count
EDGEFERRY=$BENCH_BUILD_DIR/daemon/edgeferry
FILL=$BENCH_BUILD_DIR/bench/ef-bench-fill
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[[ -x $MOSQUITTO ]] || die "mosquitto not found"

WORK=$(mktemp -d "${TMPDIR:-/var/tmp}/ef-footprint-XXXXXX")
PIDS=()
cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  ((status == 0)) || for log in "$WORK"/*.log; do
    [[ -s $log ]] && { echo "--- tail of $log" >&2; tail -n 15 "$log" >&2; }
  done
  if ((KEEP)); then echo "footprint: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

PORT=$(free_port)
start_broker edge "$PORT"

# rss_when_idle NAME DATA_DIR [LAUNCHER...]: runs the daemon with no uplink on DATA_DIR, waits
# for "ingest is up", 5 s more, and prints its VmRSS in kB (the launcher's, under qemu).
rss_when_idle() {
  local name=$1 data=$2 pid rss
  shift 2
  mkdir -p "$data"
  cat >"$WORK/$name.toml" <<TOML
[gateway]
id = "gw-footprint"
data_dir = "$data"

[[sources.mqtt]]
name = "edge"
uri = "tcp://127.0.0.1:$PORT"
client_id = "edgeferry-footprint-$name"
topics = ["plant/+/telemetry"]
TOML
  env -u NOTIFY_SOCKET "$@" "$EDGEFERRY_RUN" run --config "$WORK/$name.toml" \
    >"$WORK/$name.log" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  ingest_up() { alive "$pid" || die "edgeferry ($name) exited"; grep -q "ingest is up" "$WORK/$name.log"; }
  wait_until 120 "edgeferry ($name) to be up" ingest_up
  sleep 5  # idle on purpose: this measures the resting footprint
  rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
  stop_pid "$pid"
  forget_pid "$pid"
  echo "$rss"
}

BINARY_BYTES=$(stat -c %s "$EDGEFERRY")
echo "footprint: binary $BINARY_BYTES bytes ($EDGEFERRY)" >&2

EDGEFERRY_RUN=$EDGEFERRY
IDLE_RSS=$(rss_when_idle idle "$WORK/idle-data")
echo "footprint: idle RSS $IDLE_RSS kB" >&2

echo "footprint: filling a queue with $BACKLOG events" >&2
mkdir -p "$WORK/backlog-data"
"$FILL" --db "$WORK/backlog-data/queue.db" --count "$BACKLOG" >&2
BACKLOG_RSS=$(rss_when_idle backlog "$WORK/backlog-data")
echo "footprint: RSS with $BACKLOG events waiting: $BACKLOG_RSS kB" >&2

echo "footprint: loaded RSS from bench/e2e.sh with the same build" >&2
"$ROOT/bench/e2e.sh" --build-dir "$BENCH_BUILD_DIR" --rounds 1 >"$WORK/e2e.out" \
  2>"$WORK/e2e.log" || die "bench/e2e.sh failed"
# e2e.sh reports one <case>_peak_rss_kb per edgeferry case: the loaded figure is the highest.
LOADED_RSS=$(tail -n 1 "$WORK/e2e.out" | grep -o '_peak_rss_kb":[0-9]*' | cut -d: -f2 |
  sort -n | tail -n 1)
[[ -n $LOADED_RSS ]] || die "no *_peak_rss_kb in bench/e2e.sh's JSON line"
echo "footprint: loaded (peak) RSS $LOADED_RSS kB" >&2

# cross_idle ARCH QEMU: the idle RSS of build-ARCH's binary under QEMU, or null.
cross_idle() {
  local arch=$1 qemu=$2 bin=$ROOT/build-$1/daemon/edgeferry rss
  if [[ -x $bin ]] && command -v "$qemu" >/dev/null && [[ -d $ROOT/cross/sysroot-$arch ]]; then
    EDGEFERRY_RUN=$bin
    rss=$(rss_when_idle "$arch" "$WORK/$arch-data" "$qemu" -L "$ROOT/cross/sysroot-$arch")
    echo "footprint: $arch idle RSS under $qemu (qemu included) $rss kB" >&2
    echo "$rss"
  else
    echo "footprint: no $arch measurement (needs cross/build.sh $arch and qemu-user)" >&2
    echo null
  fi
}
ARM64_RSS=$(cross_idle arm64 qemu-aarch64)
ARMHF_RSS=$(cross_idle armhf qemu-arm)

echo "binary          $BINARY_BYTES bytes (target < 3 MB)"
echo "idle RSS        $IDLE_RSS kB (target < 8 MiB)"
echo "loaded RSS      $LOADED_RSS kB peak (target < 32 MiB)"
echo "backlog RSS     $BACKLOG_RSS kB with $BACKLOG events on disk"
echo "arm64 idle RSS  $ARM64_RSS kB (under qemu, qemu included)"
echo "armhf idle RSS  $ARMHF_RSS kB (under qemu, qemu included)"
printf '{"bench":"footprint","binary_bytes":%s,"idle_rss_kb":%s,"loaded_rss_kb":%s,' \
  "$BINARY_BYTES" "$IDLE_RSS" "$LOADED_RSS"
printf '"backlog_events":%s,"backlog_rss_kb":%s,"arm64_idle_rss_kb":%s,"armhf_idle_rss_kb":%s}\n' \
  "$BACKLOG" "$BACKLOG_RSS" "$ARM64_RSS" "$ARMHF_RSS"
