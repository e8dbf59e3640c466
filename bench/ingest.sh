#!/usr/bin/env bash
# Ingest throughput of edgeferry with decoding and a data contract against a plain Paho
# subscriber, in one run; the in-process decode-and-check rate; Paho C against Paho C++.
#
#   bench/ingest.sh [--count 100000] [--build-dir build] [--keep]
#
# (a)  ceiling:   ef-mqtt-load -> Mosquitto -> ef-paho-c-count (Paho C, counts QoS 1 messages)
# (a') the same subscriber written with the Paho C++ API (ef-paho-cpp-count): per-message CPU
#      cost of both APIs, measured the same way (process CPU time / messages)
# (b)  edgeferry: ef-mqtt-load -> Mosquitto -> edgeferry (data_format json, time field t_us,
#      a 5-field contract) -> SQLite queue, uplink off; done when
#      edgeferry_events_committed_total (its /metrics) reaches --count
# Rates are --count / (time from the load's start to the last message consumed), the same
# clock for (a), (a') and (b); ratio = b / a. Then ef-bench-decode: 120-byte messages
# decoded and checked on one thread (decode_eps). Everything runs on 127.0.0.1 in a temp dir;
# what it needs is built first. Only processes it started are stopped, by PID. The last
# stdout line is one JSON object.
set -euo pipefail

COUNT=100000
BUILD_DIR=build
KEEP=0
DEVICES=20

usage() { echo "usage: bench/ingest.sh [--count 100000] [--build-dir build] [--keep]" >&2; exit 2; }
die() { echo "ingest: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --count) COUNT=${2:?}; shift 2 ;;
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive integer"

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build_dir ingest "$BUILD_DIR" edgeferry ef-mqtt-load ef-paho-c-count ef-paho-cpp-count \
  ef-bench-decode
BUILD_DIR=$BENCH_BUILD_DIR
EDGEFERRY=$BUILD_DIR/daemon/edgeferry
LOAD=$BUILD_DIR/bench/ef-mqtt-load
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[[ -x $MOSQUITTO ]] || die "mosquitto not found"

bench_work ingest ef-ingest

now_ns() { date +%s%N; }
rate() { awk -v n="$COUNT" -v ns="$1" 'BEGIN { printf "%.0f", (ns > 0 ? n / (ns / 1e9) : 0) }'; }
load() { # load NAME: offers COUNT messages to the broker, as fast as it acknowledges
  "$LOAD" --uri "tcp://127.0.0.1:$PORT" --devices "$DEVICES" --count "$COUNT" --rate 0 \
    --topic-prefix plant --qos 1 --inflight 100 >"$WORK/$1-load.out" 2>"$WORK/$1-load.err" \
    || die "ef-mqtt-load failed ($1)"
}

# subscriber NAME BINARY: sets ELAPSED_NS (load start -> all counted) and writes NAME.json
subscriber() {
  local name=$1 bin=$2 pid start status=0
  "$bin" --uri "tcp://127.0.0.1:$PORT" --topic 'plant/#' --expect "$COUNT" \
    --timeout $((60 + COUNT / 1000)) >"$WORK/$name.json" 2>"$WORK/$name.err" &
  pid=$!
  PIDS+=("$pid")
  wait_until 15 "$name to subscribe" grep -q '^subscribed' "$WORK/$name.err"
  start=$(now_ns)
  load "$name"
  wait "$pid" || status=$?
  ELAPSED_NS=$(($(now_ns) - start))
  forget_pid "$pid"
  ((status == 0)) || die "$name: not all $COUNT arrived: $(tail -n 1 "$WORK/$name.json")"
}

PORT=$(free_port)
METRICS_PORT=$(free_port "$PORT")
start_broker edge "$PORT"

echo "ingest: (a) Paho C subscriber, $COUNT QoS 1 messages" >&2
subscriber paho_c "$BUILD_DIR/bench/ef-paho-c-count"
C_NS=$ELAPSED_NS
echo "ingest: (a') Paho C++ subscriber, $COUNT QoS 1 messages" >&2
subscriber paho_cpp "$BUILD_DIR/bench/ef-paho-cpp-count"
CPP_NS=$ELAPSED_NS

echo "ingest: (b) edgeferry: json decoding + 5-field contract -> SQLite queue (no uplink)" >&2
mkdir -p "$WORK/data" "$WORK/contracts.d"
cat >"$WORK/contracts.d/telemetry.toml" <<'TOML'
name = "telemetry"
topic_template = "plant/{device}/telemetry"
unknown_fields = "drop"
[[versions]]
version = 1
[[versions.fields]]
name = "n"
type = "int"
required = true
min = 0
[[versions.fields]]
name = "temp"
type = "float"
required = true
min = -40
max = 150
[[versions.fields]]
name = "humidity"
type = "float"
required = true
min = 0
max = 100
[[versions.fields]]
name = "vibration"
type = "float"
default = 0.0
[[versions.fields]]
name = "status"
type = "string"
required = true
TOML
cat >"$WORK/edgeferry.toml" <<TOML
[gateway]
id = "gw-bench"
data_dir = "$WORK/data"

[[sources.mqtt]]
name = "edge"
uri = "tcp://127.0.0.1:$PORT"
client_id = "edgeferry-ingest-bench"
topics = ["plant/+/telemetry"]
qos = 1
topic_template = "plant/{device}/telemetry"
data_format = "json"
time_field = "t_us"
time_format = "unix_us"

[queue]
commit_interval_ms = 10
commit_max_events = 1000

[metrics]
listen = "127.0.0.1:$METRICS_PORT"
TOML
"$EDGEFERRY" check --config "$WORK/edgeferry.toml" >&2
env -u NOTIFY_SOCKET "$EDGEFERRY" run --config "$WORK/edgeferry.toml" --log-level warning \
  >"$WORK/edgeferry.log" 2>&1 &
DAEMON_PID=$!
PIDS+=("$DAEMON_PID")
daemon_subscribed() {
  alive "$DAEMON_PID" || die "edgeferry exited during start-up"
  grep -Eq ': edgeferry-ingest-bench [0-2] plant/\+/telemetry$' "$WORK/edge.log"
}
wait_until 30 "edgeferry to subscribe" daemon_subscribed
committed() {
  curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
    awk '/^edgeferry_events_committed_total/ { n += $2 } END { print n + 0 }'
}
all_committed() { alive "$DAEMON_PID" || die "edgeferry exited"; (($(committed) >= COUNT)); }
START=$(now_ns)
load edgeferry
wait_until $((60 + COUNT / 1000)) "edgeferry to commit $COUNT" all_committed
EF_NS=$(($(now_ns) - START))
DEAD=$(curl -s "http://127.0.0.1:$METRICS_PORT/metrics" |
  awk '/^edgeferry_contract_violations_total|^edgeferry_decode_failures_total/ { n += $2 } END { print n + 0 }')
PEAK_RSS_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$DAEMON_PID/status")
stop_pid "$DAEMON_PID"
forget_pid "$DAEMON_PID"

echo "ingest: in-process decode + contract check, one thread" >&2
"$BUILD_DIR/bench/ef-bench-decode" --count 2000000 >"$WORK/decode.json"
cat "$WORK/decode.json" | head -n 1

C_EPS=$(rate "$C_NS")
CPP_EPS=$(rate "$CPP_NS")
EF_EPS=$(rate "$EF_NS")
RATIO=$(awk -v b="$EF_EPS" -v a="$C_EPS" 'BEGIN { printf "%.3f", (a > 0 ? b / a : 0) }')
C_CPU=$(json_field "$WORK/paho_c.json" cpu_us_per_msg)
CPP_CPU=$(json_field "$WORK/paho_cpp.json" cpu_us_per_msg)
DECODE_EPS=$(json_field "$WORK/decode.json" decode_eps)
echo "(a)  Paho C subscriber:   $C_EPS msgs/s, $C_CPU us CPU per message"
echo "(a') Paho C++ subscriber: $CPP_EPS msgs/s, $CPP_CPU us CPU per message"
echo "(b)  edgeferry json + 5-field contract -> queue: $EF_EPS msgs/s (ratio $RATIO)," \
  "$DEAD refused, peak RSS $PEAK_RSS_KB kB"
echo "decode + check in process: $DECODE_EPS msgs/s on one thread"
printf '{"bench":"ingest","count":%s,"paho_c_eps":%s,"paho_cpp_eps":%s,"edgeferry_eps":%s,' \
  "$COUNT" "$C_EPS" "$CPP_EPS" "$EF_EPS"
printf '"ratio":%s,"decode_eps":%s,"paho_c_cpu_us_per_msg":%s,"paho_cpp_cpu_us_per_msg":%s,' \
  "$RATIO" "$DECODE_EPS" "$C_CPU" "$CPP_CPU"
printf '"refused":%s,"peak_rss_kb":%s}\n' "$DEAD" "$PEAK_RSS_KB"
