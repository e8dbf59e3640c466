#!/usr/bin/env bash
# End-to-end throughput of edgeferry next to the broker's ceiling and Mosquitto's own bridge,
# interleaved over rounds in one run, medians.
#
#   bench/e2e.sh [--count 200000] [--rounds 3] [--durability "normal full"]
#                [--build-dir build] [--rate 0] [--keep]
#
# Every case offers COUNT QoS 1 messages from 20 devices with ef-mqtt-load and counts them
# (de-duplicated, events inside batches one by one) with ef-mqtt-count:
#   ceiling:  load -> edge broker -> counter
#   bridge:   load -> bridge broker (Mosquitto bridge to the cloud broker: QoS 1,
#             max_queued_messages 0, cleansession false) -> cloud broker -> counter
#   none_D:   load -> edge broker -> edgeferry (batch = "none", durability D) -> cloud -> counter
#   json_D:   the same with batch = "json"
# D "through" is durability "normal" with persist_after_ms = 0: every event written before it
# is sent, as before write-behind (the "before" figures).
# Each round runs every case once (edgeferry fresh, with an empty queue, per case). The
# brokers are Mosquitto on free loopback ports in a temp dir; only processes this script
# started are stopped, by PID. What it needs is built first in the build dir (a missing one is
# configured as Release). CPU seconds per 100,000 events are measured per process (utime +
# stime from /proc, the tools' from the shell's `times`). --rate N offers N msgs/s (0 = as
# fast as the broker takes them). The last stdout line is one JSON object.
set -euo pipefail

COUNT=200000
ROUNDS=3
DURABILITIES="normal full"
BUILD_DIR=build
RATE=0
KEEP=0
DEVICES=20

usage() {
  echo "usage: bench/e2e.sh [--count 200000] [--rounds 3] [--durability \"normal full\"]" \
    "[--build-dir build] [--rate 0] [--keep]" >&2
  exit 2
}
die() { echo "e2e: $*" >&2; exit 1; }

while (($#)); do
  case "$1" in
    --count) COUNT=${2:?}; shift 2 ;;
    --rounds) ROUNDS=${2:?}; shift 2 ;;
    --durability) DURABILITIES=${2:?}; shift 2 ;;
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    --rate) RATE=${2:?}; shift 2 ;;
    --keep) KEEP=1; shift ;;
    *) usage ;;
  esac
done
[[ $COUNT =~ ^[1-9][0-9]*$ ]] || die "--count must be a positive integer"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "--rounds must be a positive integer"
[[ $RATE =~ ^[0-9]+$ ]] || die "--rate must be a non-negative integer"
for d in $DURABILITIES; do
  [[ $d =~ ^(normal|full|through)$ ]] || die "unknown durability $d (normal, full, through)"
done

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

bench_work e2e ef-bench

cpu_ticks() { # cpu_ticks PID: utime + stime in clock ticks
  awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
TICKS=$(getconf CLK_TCK)
children_cpu() { # children_cpu FILE: seconds of the children in the output of `times`
  awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] };
       printf "%.3f", t }' "$1"
}

# measure NAME LOAD_PORT SUB_PORT TOPIC [PROCS...]: runs ef-mqtt-count on SUB_PORT/TOPIC while
# ef-mqtt-load offers COUNT messages on LOAD_PORT; writes $WORK/NAME.json (the counter's) and
# $WORK/NAME.cpu ("proc seconds" lines for PROCS given as name=pid, the load and the counter).
measure() {
  local name=$1 load_port=$2 sub_port=$3 topic=$4 timeout=$((60 + COUNT / 1000)) counter_pid
  shift 4
  local -A before=()
  local p
  for p in "$@"; do before[$p]=$(cpu_ticks "${p#*=}"); done
  ( "$COUNTER" --uri "tcp://127.0.0.1:$sub_port" --topic "$topic" --expect "$COUNT" \
      --timeout "$timeout" >"$WORK/$name.json" 2>"$WORK/$name-count.err"
    status=$?; times >"$WORK/$name-count.times"; exit $status ) &
  counter_pid=$!
  PIDS+=("$counter_pid")
  wait_until 15 "$name subscriber" grep -q '^subscribed' "$WORK/$name-count.err"
  ( "$LOAD" --uri "tcp://127.0.0.1:$load_port" --devices "$DEVICES" --count "$COUNT" \
      --rate "$RATE" --topic-prefix plant --qos 1 --inflight 100 >"$WORK/$name-load.out" \
      2>"$WORK/$name-load.err"
    status=$?; times >"$WORK/$name-load.times"; exit $status ) || die "ef-mqtt-load failed ($name)"
  local status=0
  wait "$counter_pid" || status=$?
  forget_pid "$counter_pid"
  ((status == 0)) || die "$name: not all $COUNT arrived: $(tail -n 1 "$WORK/$name.json")"
  {
    for p in "$@"; do
      awk -v n="${p%%=*}" -v a="${before[$p]}" -v b="$(cpu_ticks "${p#*=}")" -v t="$TICKS" \
        'BEGIN { printf "%s %.3f\n", n, (b - a) / t }'
    done
    echo "load $(children_cpu "$WORK/$name-load.times")"
    echo "counter $(children_cpu "$WORK/$name-count.times")"
  } >"$WORK/$name.cpu"
}

EDGE_PORT=$(free_port)
CLOUD_PORT=$(free_port "$EDGE_PORT")
BRIDGE_PORT=$(free_port "$EDGE_PORT" "$CLOUD_PORT")
start_broker edge "$EDGE_PORT"
EDGE_PID=$BROKER_PID
start_broker cloud "$CLOUD_PORT"
CLOUD_PID=$BROKER_PID
start_broker bridge "$BRIDGE_PORT" "connection cloud
address 127.0.0.1:$CLOUD_PORT
clientid e2e-bridge
topic plant/# out 1
cleansession false
bridge_protocol_version mqttv311"
BRIDGE_PID=$BROKER_PID
wait_until 15 "the bridge to connect" grep -q 'e2e-bridge' "$WORK/cloud.log"

# edgeferry NAME BATCH DURABILITY: one case with a fresh daemon and queue.
edgeferry() {
  local name=$1 batch=$2 durability=$3 after=1000
  [[ $durability == through ]] && { durability=normal; after=0; }
  mkdir -p "$WORK/$name/data"
  cat >"$WORK/$name/edgeferry.toml" <<TOML
[gateway]
id = "gw-bench"
data_dir = "$WORK/$name/data"

[[sources.mqtt]]
name = "edge"
uri = "tcp://127.0.0.1:$EDGE_PORT"
client_id = "ef-ingest-$name"
topics = ["plant/+/telemetry"]
device_id_level = 1
qos = 1

[queue]
commit_interval_ms = 10
commit_max_events = 1000
durability = "$durability"
persist_after_ms = $after

[uplink]
uri = "tcp://127.0.0.1:$CLOUD_PORT"
client_id = "ef-uplink-$name"
qos = 1
max_inflight = 100
batch = "$batch"
TOML
  # One topic per device for single events; a batch holds several devices (default topic).
  [[ $batch == none ]] && echo 'topic = "edgeferry/{gateway}/{stream}/{device}"' \
    >>"$WORK/$name/edgeferry.toml"
  env -u NOTIFY_SOCKET "$EDGEFERRY" run --config "$WORK/$name/edgeferry.toml" \
    --log-level warning >"$WORK/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  # Ready = its SUBSCRIBE reached the edge broker (the broker logs "<client> <qos> <topic>").
  daemon_subscribed() {
    alive "$pid" || die "edgeferry exited during start-up ($name)"
    grep -Eq ": ef-ingest-$name [0-2] plant/\+/telemetry$" "$WORK/edge.log"
  }
  wait_until 30 "edgeferry to subscribe ($name)" daemon_subscribed
  measure "$name" "$EDGE_PORT" "$CLOUD_PORT" 'edgeferry/#' edgeferry="$pid" \
    edge_broker="$EDGE_PID" cloud_broker="$CLOUD_PID"
  awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" >"$WORK/$name.rss"
  stop_pid "$pid"
  forget_pid "$pid"
}

CASES=(ceiling bridge)
for d in $DURABILITIES; do CASES+=("none_$d" "json_$d"); done
for ((round = 1; round <= ROUNDS; round++)); do
  for c in "${CASES[@]}"; do
    echo "e2e: round $round/$ROUNDS: $c, $COUNT messages" >&2
    case $c in
      ceiling) measure "$c-$round" "$EDGE_PORT" "$EDGE_PORT" 'plant/#' edge_broker="$EDGE_PID" ;;
      bridge) measure "$c-$round" "$BRIDGE_PORT" "$CLOUD_PORT" 'plant/#' \
        bridge_broker="$BRIDGE_PID" cloud_broker="$CLOUD_PID" ;;
      none_* | json_*) edgeferry "$c-$round" "${c%%_*}" "${c#*_}" ;;
    esac
    echo "e2e:   $(json_field "$WORK/$c-$round.json" rate) events/s" >&2
  done
done

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print 0;
  else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
rate_of() { # rate_of CASE: median events/s over the rounds
  for ((r = 1; r <= ROUNDS; r++)); do json_field "$WORK/$1-$r.json" rate; done | median
}
cpu_of() { # cpu_of CASE PROC: median CPU seconds per 100,000 events
  for ((r = 1; r <= ROUNDS; r++)); do
    awk -v p="$2" -v n="$COUNT" '$1 == p { printf "%.3f\n", $2 * 100000 / n }' "$WORK/$1-$r.cpu"
  done | median
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }'; }

JSON="{\"bench\":\"e2e\",\"count\":$COUNT,\"rounds\":$ROUNDS,\"offered_rate\":$RATE"
CEILING=$(rate_of ceiling)
BRIDGE=$(rate_of bridge)
printf '%-14s %10s %8s  %s\n' case events/s ratio "CPU s per 100,000 events (median)"
for c in "${CASES[@]}"; do
  eps=$(rate_of "$c")
  cpu=""
  for proc in $(awk '{print $1}' "$WORK/$c-1.cpu"); do
    v=$(cpu_of "$c" "$proc")
    cpu+="$proc=$v "
    JSON+=",\"${c}_cpu_${proc}\":$v"
  done
  printf '%-14s %10s %8s  %s\n' "$c" "$eps" "$(ratio "$eps" "$CEILING")" "$cpu"
  JSON+=",\"${c}_eps\":$eps"
  if [[ $c == none_* || $c == json_* ]]; then
    JSON+=",\"${c}_peak_rss_kb\":$(cat "$WORK/$c-$ROUNDS.rss")"
    JSON+=",\"${c}_p99_ms\":$(json_field "$WORK/$c-$ROUNDS.json" p99_ms)"
  fi
done
for d in $DURABILITIES; do
  suffix=$([[ $d == normal ]] && echo "" || echo "_$d")
  JSON+=",\"none_vs_bridge$suffix\":$(ratio "$(rate_of "none_$d")" "$BRIDGE")"
  JSON+=",\"json_vs_ceiling$suffix\":$(ratio "$(rate_of "json_$d")" "$CEILING")"
done
echo "$JSON}"
