#!/usr/bin/env bash
# End-to-end throughput of edgeferry against the broker's own ceiling, in one run.
#
#   bench/e2e.sh [--count 200000] [--build-dir build] [--rate 0] [--keep]
#
# (a) ceiling:   ef-mqtt-load -> edge broker -> ef-mqtt-count (subscribed to the edge broker)
# (b) edgeferry: ef-mqtt-load -> edge broker -> edgeferry (SQLite queue) -> cloud broker
#                -> ef-mqtt-count
# Both brokers are Mosquitto on free loopback ports in a temp dir. What it needs is built
# first in the build dir (a missing one is configured as Release). Only processes this script
# started are stopped, by PID. --rate N offers N msgs/s instead of "as fast as the broker takes them"
# (0), to see latency below saturation. The last stdout line is one JSON object.
set -euo pipefail

COUNT=200000
BUILD_DIR=build
RATE=0
KEEP=0
DEVICES=20

usage() {
  echo "usage: bench/e2e.sh [--count 200000] [--build-dir build] [--rate 0] [--keep]" >&2
  exit 2
}
die() { echo "e2e: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --count) COUNT=${2:?}; shift 2 ;;
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    --rate) RATE=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive integer"
[[ $RATE =~ ^[0-9]+$ ]] || die "--rate must be a non-negative integer"

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build_dir e2e "$BUILD_DIR" edgeferry ef-mqtt-load ef-mqtt-count
BUILD_DIR=$BENCH_BUILD_DIR
EDGEFERRY=$BUILD_DIR/daemon/edgeferry
LOAD=$BUILD_DIR/bench/ef-mqtt-load
COUNTER=$BUILD_DIR/bench/ef-mqtt-count
for bin in "$EDGEFERRY" "$LOAD" "$COUNTER"; do
  [[ -x $bin ]] || die "$bin not built; run: cmake --build $BUILD_DIR"
done
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[[ -x $MOSQUITTO ]] || die "mosquitto not found"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ef-bench-XXXXXX")
PIDS=()

cleanup() {
  local status=$?
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if ((status != 0)); then
    for log in "$WORK"/*.log "$WORK"/*.err; do
      [[ -s $log ]] && { echo "--- tail of $log" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  if ((KEEP)); then echo "e2e: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# measure NAME URI TOPIC: runs ef-mqtt-count on URI/TOPIC while ef-mqtt-load offers COUNT
# messages to the edge broker; leaves the counter's JSON in $WORK/NAME.json.
measure() {
  local name=$1 uri=$2 topic=$3 timeout=$((60 + COUNT / 1000)) counter_pid
  "$COUNTER" --uri "$uri" --topic "$topic" --expect "$COUNT" --timeout "$timeout" \
    >"$WORK/$name.json" 2>"$WORK/$name-count.err" &
  counter_pid=$!
  PIDS+=("$counter_pid")
  wait_until 15 "$name subscriber" grep -q '^subscribed' "$WORK/$name-count.err"
  "$LOAD" --uri "tcp://127.0.0.1:$EDGE_PORT" --devices "$DEVICES" --count "$COUNT" --rate "$RATE" \
    --topic-prefix plant --qos 1 --inflight 100 >"$WORK/$name-load.out" 2>"$WORK/$name-load.err" \
    || die "ef-mqtt-load failed ($name)"
  local status=0
  wait "$counter_pid" || status=$?
  forget_pid "$counter_pid"
  ((status == 0)) || die "$name: not all $COUNT arrived: $(tail -n 1 "$WORK/$name.json")"
}

EDGE_PORT=$(free_port)
CLOUD_PORT=$(free_port "$EDGE_PORT")
start_broker edge "$EDGE_PORT"
start_broker cloud "$CLOUD_PORT"

echo "e2e: (a) ceiling, $COUNT messages at rate ${RATE:-0} (0 = max), edge broker only" >&2
measure ceiling "tcp://127.0.0.1:$EDGE_PORT" 'plant/#'

echo "e2e: (b) edgeferry, edge -> SQLite queue -> cloud" >&2
mkdir -p "$WORK/data"
cat >"$WORK/edgeferry.toml" <<TOML
[gateway]
id = "gw-bench"
data_dir = "$WORK/data"

[[sources.mqtt]]
name = "edge"
uri = "tcp://127.0.0.1:$EDGE_PORT"
client_id = "edgeferry-ingest-bench"
topics = ["plant/+/telemetry"]
device_id_level = 1
qos = 1

[queue]
commit_interval_ms = 10
commit_max_events = 1000

[uplink]
uri = "tcp://127.0.0.1:$CLOUD_PORT"
client_id = "edgeferry-uplink-bench"
topic = "edgeferry/{gateway}/{stream}/{device}"
qos = 1
max_inflight = 100
TOML
env -u NOTIFY_SOCKET "$EDGEFERRY" run --config "$WORK/edgeferry.toml" --log-level warning \
  >"$WORK/edgeferry.log" 2>&1 &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
# Ready = its SUBSCRIBE reached the edge broker (the broker logs "<client> <qos> <topic>").
daemon_subscribed() {
  alive "$DAEMON_PID" || die "edgeferry exited during start-up"
  grep -Eq ': edgeferry-ingest-bench [0-2] plant/\+/telemetry$' "$WORK/edge.log"
}
wait_until 30 "edgeferry to subscribe" daemon_subscribed
measure edgeferry "tcp://127.0.0.1:$CLOUD_PORT" 'edgeferry/+/+/+'

PEAK_RSS_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
kill -TERM "$DAEMON_PID"
deadline=$((SECONDS + 30))
while alive "$DAEMON_PID" && ((SECONDS < deadline)); do sleep 0.05; done
alive "$DAEMON_PID" && die "edgeferry did not exit within 30 s of SIGTERM"
DAEMON_EXIT=0
wait "$DAEMON_PID" || DAEMON_EXIT=$?
forget_pid "$DAEMON_PID"

CEILING_EPS=$(json_field "$WORK/ceiling.json" rate)
EF_EPS=$(json_field "$WORK/edgeferry.json" rate)
RATIO=$(awk -v b="$EF_EPS" -v a="$CEILING_EPS" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
P50=$(json_field "$WORK/edgeferry.json" p50_ms)
P99=$(json_field "$WORK/edgeferry.json" p99_ms)
DUPS=$(json_field "$WORK/edgeferry.json" duplicates)

echo "ceiling   (load -> broker -> sub):          $CEILING_EPS events/s"
echo "edgeferry (load -> edge -> ef -> cloud -> sub): $EF_EPS events/s, ratio $RATIO"
echo "edgeferry latency p50 $P50 ms, p99 $P99 ms; peak RSS $PEAK_RSS_KB kB; exit $DAEMON_EXIT"
printf '{"bench":"e2e","count":%s,"offered_rate":%s,' "$COUNT" "$RATE"
printf '"ceiling_eps":%s,"edgeferry_eps":%s,"ratio":%s,' "$CEILING_EPS" "$EF_EPS" "$RATIO"
printf '"p50_ms":%s,"p99_ms":%s,"peak_rss_kb":%s,"duplicates":%s,"daemon_exit":%s}\n' \
  "$P50" "$P99" "$PEAK_RSS_KB" "$DUPS" "$DAEMON_EXIT"
