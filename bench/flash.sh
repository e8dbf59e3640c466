#!/usr/bin/env bash
# Flash wear: bytes edgeferry writes to storage per event, by queue setting and ingest rate.
#
#   bench/flash.sh [--build-dir build] [--modes "write_behind write_through full"]
#                  [--rates "100 1000 10000"]
#   FLASH_SECONDS=20         seconds of load per cloud-up case (shorter: quicker, noisier)
#   FLASH_OUTAGE_SECONDS=60  length of the cloud outage (at 1,000 events/s)
#
# Modes: write_behind = durability "normal" with the default persist_after_ms (1000);
# write_through = "normal" with persist_after_ms = 0 (every event written before it is sent,
# the behaviour before write-behind); full = durability "full".
# Per mode: at each rate, cloud up: a fresh daemon (empty queue) takes RATE x FLASH_SECONDS
# messages from ef-mqtt-load (~120-byte JSON, QoS 1) and forwards them to the cloud broker;
# then, at 1,000 events/s, the cloud broker is down for FLASH_OUTAGE_SECONDS while the load
# runs, comes back, and the backlog drains. Bytes per event = the daemon's write_bytes
# (/proc/PID/io) from when it is ready to when every event was acknowledged by the cloud and
# `sync` ran, divided by the events: WAL, checkpoints, deletes and the seq lease included.
# Mosquitto brokers on free loopback ports in a temp dir; only processes this script started
# are stopped, by PID. The last stdout line is one JSON object.
set -euo pipefail

BUILD_DIR=build
MODES="write_behind write_through full"
RATES="100 1000 10000"
SECONDS_UP=${FLASH_SECONDS:-20}
SECONDS_DOWN=${FLASH_OUTAGE_SECONDS:-60}
KEEP=0  # the temp dir is always removed (bench_cleanup)

usage() {
  echo "usage: bench/flash.sh [--build-dir build] [--modes \"write_behind write_through full\"]" \
    "[--rates \"100 1000 10000\"]" >&2
  exit 2
}
die() { echo "flash: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    --modes) MODES=${2:?}; shift 2 ;;
    --rates) RATES=${2:?}; shift 2 ;;
    *) usage ;;
  esac
done
for m in $MODES; do
  [[ $m =~ ^(write_behind|write_through|full)$ ]] || die "unknown mode $m"
done

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build_dir flash "$BUILD_DIR" edgeferry ef-mqtt-load
EDGEFERRY=$BENCH_BUILD_DIR/daemon/edgeferry
LOAD=$BENCH_BUILD_DIR/bench/ef-mqtt-load
MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
[[ -x $MOSQUITTO ]] || die "mosquitto not found"

bench_work flash ef-flash

EDGE_PORT=$(free_port)
CLOUD_PORT=$(free_port "$EDGE_PORT")
METRICS_PORT=$(free_port "$EDGE_PORT" "$CLOUD_PORT")
start_broker edge "$EDGE_PORT"
start_broker cloud "$CLOUD_PORT"
CLOUD_PID=$BROKER_PID

# The payload size, from one message as the broker delivers it.
mosquitto_sub -h 127.0.0.1 -p "$EDGE_PORT" -i flash-sample -t 'plant/#' -C 1 -W 20 \
  >"$WORK/sample" &
SUB_PID=$!
wait_until 10 "the sample subscriber" grep -q ': flash-sample 0 plant/#$' "$WORK/edge.log"
"$LOAD" --uri "tcp://127.0.0.1:$EDGE_PORT" --devices 1 --count 5 --rate 0 \
  --topic-prefix plant --qos 1 >/dev/null 2>&1
wait "$SUB_PID" || die "no sample message"
PAYLOAD=$(($(wc -c <"$WORK/sample") - 1))
echo "flash: payload ${PAYLOAD} bytes" >&2

metric_sum() { # metric_sum NAME: the sum of a metric's series on the daemon's /metrics
  curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" |
    awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }'
}
write_bytes() { awk '/^write_bytes:/ { print $2 }' "/proc/$1/io"; }

# start_daemon NAME MODE: a fresh daemon with an empty queue; sets DAEMON_PID.
start_daemon() {
  local name=$1 mode=$2 durability=normal after=1000
  [[ $mode == write_through ]] && after=0
  [[ $mode == full ]] && durability=full
  mkdir -p "$WORK/$name/data"
  cat >"$WORK/$name/edgeferry.toml" <<TOML
[gateway]
id = "gw-flash"
data_dir = "$WORK/$name/data"

[[sources.mqtt]]
name = "edge"
uri = "tcp://127.0.0.1:$EDGE_PORT"
client_id = "ef-ingest-$name"
topics = ["plant/+/telemetry"]
device_id_level = 1
qos = 1

[queue]
durability = "$durability"
persist_after_ms = $after

[uplink]
uri = "tcp://127.0.0.1:$CLOUD_PORT"
client_id = "ef-uplink-$name"
qos = 1

[metrics]
listen = "127.0.0.1:$METRICS_PORT"
TOML
  env -u NOTIFY_SOCKET "$EDGEFERRY" run --config "$WORK/$name/edgeferry.toml" \
    --log-level warning >"$WORK/$name.log" 2>&1 &
  DAEMON_PID=$!
  PIDS+=("$DAEMON_PID")
  daemon_ready() {
    alive "$DAEMON_PID" || die "edgeferry exited during start-up ($name)"
    grep -Eq ": ef-ingest-$name [0-2] plant/\+/telemetry$" "$WORK/edge.log" &&
      curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" >/dev/null
  }
  wait_until 30 "edgeferry to start ($name)" daemon_ready
}

uplinked_at_least() { (($(metric_sum edgeferry_events_uplinked_total) >= $1)); }
committed_at_least() { (($(metric_sum edgeferry_events_committed_total) >= $1)); }

# run_case NAME MODE RATE SECONDS OUTAGE(0/1): sets RESULT to the bytes per event. Runs in
# this shell (not in $(...)): it starts and stops processes and keeps PIDS up to date.
run_case() {
  local name=$1 mode=$2 rate=$3 secs=$4 outage=$5 count=$(($3 * $4)) before after
  start_daemon "$name" "$mode"
  before=$(write_bytes "$DAEMON_PID")
  if ((outage)); then stop_pid "$CLOUD_PID"; forget_pid "$CLOUD_PID"; fi
  "$LOAD" --uri "tcp://127.0.0.1:$EDGE_PORT" --devices 20 --count "$count" --rate "$rate" \
    --topic-prefix plant --qos 1 >"$WORK/$name-load.out" 2>&1 || die "load failed ($name)"
  wait_until 60 "edgeferry to commit $count ($name)" committed_at_least "$count"
  if ((outage)); then
    start_broker cloud "$CLOUD_PORT"
    CLOUD_PID=$BROKER_PID
  fi
  wait_until $((120 + secs)) "the cloud to acknowledge $count ($name)" uplinked_at_least "$count"
  sync
  after=$(write_bytes "$DAEMON_PID")
  stop_pid "$DAEMON_PID"
  forget_pid "$DAEMON_PID"
  RESULT=$(awk -v a="$before" -v b="$after" -v n="$count" 'BEGIN { printf "%.1f", (b - a) / n }')
}

JSON="{\"bench\":\"flash\",\"payload_bytes\":$PAYLOAD,\"seconds\":$SECONDS_UP,\"outage_seconds\":$SECONDS_DOWN"
printf '%-14s %-22s %16s %10s\n' mode case "bytes/event" "x payload"
for mode in $MODES; do
  for rate in $RATES; do
    echo "flash: $mode, cloud up, $rate events/s for $SECONDS_UP s" >&2
    run_case "$mode-up-$rate" "$mode" "$rate" "$SECONDS_UP" 0
    b=$RESULT
    printf '%-14s %-22s %16s %10s\n' "$mode" "cloud up, $rate/s" "$b" \
      "$(awk -v b="$b" -v p="$PAYLOAD" 'BEGIN { printf "%.2f", b / p }')"
    JSON+=",\"${mode}_up_${rate}\":$b"
    [[ $rate == 1000 && $mode == write_behind ]] && HEALTHY=$b
  done
  echo "flash: $mode, cloud down for $SECONDS_DOWN s at 1000 events/s, then the drain" >&2
  run_case "$mode-outage" "$mode" 1000 "$SECONDS_DOWN" 1
  b=$RESULT
  printf '%-14s %-22s %16s %10s\n' "$mode" "outage + drain, 1000/s" "$b" \
    "$(awk -v b="$b" -v p="$PAYLOAD" 'BEGIN { printf "%.2f", b / p }')"
  JSON+=",\"${mode}_outage_1000\":$b"
  [[ $mode == write_behind ]] && OUTAGE=$b
done
# The headline figures: the default setting (write_behind), or the first mode measured.
first=${MODES%% *}
HEALTHY=${HEALTHY:-$(sed -n "s/.*\"${first}_up_1000\":\([0-9.]*\).*/\1/p" <<<"$JSON")}
OUTAGE=${OUTAGE:-$(sed -n "s/.*\"${first}_outage_1000\":\([0-9.]*\).*/\1/p" <<<"$JSON")}
echo "$JSON,\"healthy_bytes_per_event\":${HEALTHY:-null},\"outage_bytes_per_event\":${OUTAGE:-null}}"
