#!/usr/bin/env bash
# The rules engine: 50 rules (mixed windows and aggregates) over 1,000 devices.
#
#   bench/rules.sh [--events 1000000] [--count 200000] [--build-dir build] [--keep]
#
# (a) in-process, pinned to one core (taskset -c 0): ef-bench-rules runs the same pre-built
#     events through a RulesStage with no rules (the pass-through) and with the 50 rules, in
#     one run (the median of three rounds each); events/s of both, the ratio, open state
#     bytes, state bytes written per event and peak RSS.
# (b) end to end through the daemon, four times in the same run on the same load:
#     ef-mqtt-load -> edge broker -> edgeferry (JSON decoded into fields) -> SQLite queue ->
#     cloud broker -> ef-mqtt-count, with an empty rules.d and then with the 50 rules
#     (ef-bench-rules --write-rules; raw input kept), each with the uplink publishing one
#     message per event (batch "none") and batches (batch "json"); telemetry events/s at the
#     cloud, the rule outputs that reached it meanwhile (a second counter), the messages/s
#     in all, and the daemon's peak RSS.
# (c) the anomaly detectors (bench/replay.sh, with the same build dir): 50 detector rules of
#     mixed types through the engine against a pass-through, and `edgeferry replay` in rows/s.
# Both brokers are Mosquitto on free loopback ports in a temp dir. What it needs is built first
# in the build dir (a missing one is configured as Release). Only processes this script started
# are stopped, by PID. The last stdout line is one JSON object.
set -euo pipefail

EVENTS=1000000
COUNT=200000
BUILD_DIR=build
KEEP=0
DEVICES=1000

usage() {
  echo "usage: bench/rules.sh [--events 1000000] [--count 200000] [--build-dir build] [--keep]" >&2
  exit 2
}
die() { echo "rules: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --events) EVENTS=${2:?}; shift 2 ;;
    --count) COUNT=${2:?}; shift 2 ;;
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done
[[ $EVENTS =~ ^[1-9][0-9]*$ ]] || die "--events must be a positive integer"
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive integer"

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build_dir rules "$BUILD_DIR" edgeferry ef-bench-rules ef-mqtt-load ef-mqtt-count
BUILD_DIR=$BENCH_BUILD_DIR
EDGEFERRY=$BUILD_DIR/daemon/edgeferry
BENCH=$BUILD_DIR/bench/ef-bench-rules
LOAD=$BUILD_DIR/bench/ef-mqtt-load
COUNTER=$BUILD_DIR/bench/ef-mqtt-count
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[[ -x $MOSQUITTO ]] || die "mosquitto not found"

bench_work rules ef-bench-rules

echo "rules: (a) in-process, one core, $EVENTS events, pass-through vs 50 rules" >&2
taskset -c 0 "$BENCH" --events "$EVENTS" --devices "$DEVICES" | tee "$WORK/inprocess.out"
INPROC=$(tail -n 1 "$WORK/inprocess.out")

EDGE_PORT=$(free_port)
CLOUD_PORT=$(free_port "$EDGE_PORT")
start_broker edge "$EDGE_PORT"
start_broker cloud "$CLOUD_PORT"

# daemon NAME RULES_DIR BATCH: runs edgeferry on the load, its uplink with `batch = BATCH`
# (none: one message per event; json: batches); leaves the cloud count in $WORK/NAME.json,
# the rule outputs counted in $WORK/NAME-outputs.json and the peak RSS in $WORK/NAME.rss.
daemon() {
  local name=$1 rules_dir=$2 batch=$3 timeout=$((60 + COUNT / 1000)) counter_pid daemon_pid
  local outputs_pid topic='edgeferry/{gateway}/{stream}/{device}' suffix='/+'
  [[ $batch == none ]] || { topic='edgeferry/{gateway}/{stream}'; suffix=''; }
  mkdir -p "$WORK/$name-data"
  cat >"$WORK/$name.toml" <<TOML
[gateway]
id = "gw-bench"
data_dir = "$WORK/$name-data"
rules_dir = "$rules_dir"

[[sources.mqtt]]
name = "edge"
uri = "tcp://127.0.0.1:$EDGE_PORT"
client_id = "edgeferry-ingest-$name"
topics = ["plant/+/telemetry"]
device_id_level = 1
qos = 1
data_format = "json"
fields = ["temp", "humidity", "vibration"]

[queue]
commit_interval_ms = 10
commit_max_events = 1000

[uplink]
uri = "tcp://127.0.0.1:$CLOUD_PORT"
client_id = "edgeferry-uplink-$name"
topic = "$topic"
batch = "$batch"
qos = 1
max_inflight = 100
TOML
  "$COUNTER" --uri "tcp://127.0.0.1:$CLOUD_PORT" --topic "edgeferry/+/telemetry$suffix" \
    --expect "$COUNT" --timeout "$timeout" >"$WORK/$name.json" 2>"$WORK/$name-count.err" &
  counter_pid=$!
  PIDS+=("$counter_pid")
  wait_until 15 "$name subscriber" grep -qs '^subscribed' "$WORK/$name-count.err"
  # The rule outputs (stream "aggregates") go to the cloud too: counted beside the telemetry.
  "$COUNTER" --uri "tcp://127.0.0.1:$CLOUD_PORT" --topic "edgeferry/+/aggregates$suffix" \
    --client-id "ef-count-outputs-$name" --timeout "$timeout" \
    >"$WORK/$name-outputs.json" 2>"$WORK/$name-outputs.err" &
  outputs_pid=$!
  PIDS+=("$outputs_pid")
  wait_until 15 "$name outputs subscriber" grep -qs '^subscribed' "$WORK/$name-outputs.err"
  env -u NOTIFY_SOCKET "$EDGEFERRY" run --config "$WORK/$name.toml" --log-level warning \
    >"$WORK/$name.log" 2>&1 &
  daemon_pid=$!
  PIDS+=("$daemon_pid")
  subscribed() {
    alive "$daemon_pid" || die "edgeferry ($name) exited during start-up"
    grep -Eq ": edgeferry-ingest-$name [0-2] plant/\+/telemetry$" "$WORK/edge.log"
  }
  wait_until 30 "edgeferry ($name) to subscribe" subscribed
  "$LOAD" --uri "tcp://127.0.0.1:$EDGE_PORT" --devices "$DEVICES" --count "$COUNT" --rate 0 \
    --topic-prefix plant --qos 1 --inflight 100 >"$WORK/$name-load.out" 2>"$WORK/$name-load.err" \
    || die "ef-mqtt-load failed ($name)"
  local status=0
  wait "$counter_pid" || status=$?
  forget_pid "$counter_pid"
  ((status == 0)) || die "$name: not all $COUNT arrived: $(tail -n 1 "$WORK/$name.json")"
  stop_pid "$outputs_pid"  # the rule outputs that arrived while the telemetry did
  forget_pid "$outputs_pid"
  awk '/^VmHWM:/ {print $2}' "/proc/$daemon_pid/status" >"$WORK/$name.rss"
  stop_pid "$daemon_pid"
  forget_pid "$daemon_pid"
}

mkdir -p "$WORK/no-rules.d" "$WORK/rules.d"
"$BENCH" --write-rules "$WORK/rules.d"
for batch in none json; do
  echo "rules: (b) the daemon, $COUNT messages from $DEVICES devices, batch $batch, without rules" >&2
  daemon "plain-$batch" "$WORK/no-rules.d" "$batch"
  echo "rules: (b) the daemon, the same load, batch $batch, with the 50 rules" >&2
  daemon "rules-$batch" "$WORK/rules.d" "$batch"
done

# daemon_figures BATCH: sets PLAIN_EPS, RULES_EPS, RATIO, OUTPUTS and DELIVERED_EPS, the last
# being everything the cloud got per second with rules: the telemetry and the rule outputs
# that arrived in the same time (the uplink carries both).
daemon_figures() {
  PLAIN_EPS=$(json_field "$WORK/plain-$1.json" rate)
  RULES_EPS=$(json_field "$WORK/rules-$1.json" rate)
  RATIO=$(awk -v b="$RULES_EPS" -v a="$PLAIN_EPS" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
  OUTPUTS=$(json_field "$WORK/rules-$1-outputs.json" count)
  DELIVERED_EPS=$(awk -v n="$COUNT" -v o="$OUTPUTS" -v r="$RULES_EPS" \
    'BEGIN { printf "%.0f", (r > 0 ? (n + o) * r / n : 0) }')
}
daemon_figures json
JSON_FIGURES=$(printf '"daemon_json_plain_eps":%s,"daemon_json_rules_eps":%s,"daemon_json_ratio":%s,' \
  "$PLAIN_EPS" "$RULES_EPS" "$RATIO")
JSON_FIGURES+=$(printf '"daemon_json_rules_outputs":%s,"daemon_json_rules_delivered_per_s":%s,' \
  "$OUTPUTS" "$DELIVERED_EPS")
JSON_LINE="batch json: without rules $PLAIN_EPS events/s, with 50 rules $RULES_EPS events/s, ratio \
$RATIO; with rules the cloud also got $OUTPUTS rule outputs: $DELIVERED_EPS messages/s in all"
daemon_figures none
PLAIN_RSS=$(cat "$WORK/plain-none.rss")
RULES_RSS=$(cat "$WORK/rules-none.rss")
IN_PASS=$(echo "$INPROC" | grep -o '"passthrough_eps":[0-9.]*' | cut -d: -f2)
IN_RULES=$(echo "$INPROC" | grep -o '"rules_eps":[0-9.]*' | cut -d: -f2)
IN_RSS=$(echo "$INPROC" | grep -o '"peak_rss_kb":[0-9]*' | cut -d: -f2)
IN_STATE=$(echo "$INPROC" | grep -o '"state_bytes":[0-9]*' | cut -d: -f2)

echo "rules: (c) the anomaly detectors and replay (bench/replay.sh)" >&2
REPLAY=$(BUILD_DIR="$BUILD_DIR" "$(dirname "$0")/replay.sh" 500000 50000 100 | tail -n 1)
REPLAY_RATE=$(echo "$REPLAY" | grep -o '"replay_rows_per_s":[0-9.]*' | cut -d: -f2)
DET_PLAIN=$(echo "$REPLAY" | grep -o '"rules50_no_adaptive_events_per_s":[0-9.]*' | cut -d: -f2)
DET_ADAPTIVE=$(echo "$REPLAY" | grep -o '"rules50_adaptive_events_per_s":[0-9.]*' | cut -d: -f2)

echo "in-process (one core): pass-through $IN_PASS events/s, 50 rules $IN_RULES events/s"
echo "detectors (one core):  50 detector rules $DET_PLAIN events/s ($DET_ADAPTIVE with adaptive" \
  "ones), replay $REPLAY_RATE rows/s"
echo "daemon end to end:     without rules $PLAIN_EPS events/s (peak RSS $PLAIN_RSS kB)," \
  "with 50 rules $RULES_EPS events/s (peak RSS $RULES_RSS kB), ratio $RATIO;" \
  "with rules the cloud also got $OUTPUTS rule outputs: $DELIVERED_EPS messages/s in all"
echo "daemon end to end, $JSON_LINE"
printf '{"bench":"rules","events":%s,"devices":%s,"rules":50,' "$EVENTS" "$DEVICES"
printf '"inprocess_passthrough_eps":%s,"inprocess_rules_eps":%s,"inprocess_peak_rss_kb":%s,' \
  "$IN_PASS" "$IN_RULES" "$IN_RSS"
printf '"inprocess_state_bytes":%s,"daemon_count":%s,"daemon_plain_eps":%s,' \
  "$IN_STATE" "$COUNT" "$PLAIN_EPS"
printf '"daemon_rules_eps":%s,"daemon_ratio":%s,"daemon_plain_rss_kb":%s,"daemon_rules_rss_kb":%s,' \
  "$RULES_EPS" "$RATIO" "$PLAIN_RSS" "$RULES_RSS"
printf '"daemon_rules_outputs":%s,"daemon_rules_delivered_per_s":%s,%s' "$OUTPUTS" \
  "$DELIVERED_EPS" "$JSON_FIGURES"
printf '"detectors50_eps":%s,"detectors50_adaptive_eps":%s,"replay_rows_per_s":%s}\n' \
  "$DET_PLAIN" "$DET_ADAPTIVE" "$REPLAY_RATE"
