#!/usr/bin/env bash
# End-to-end demo on loopback: a device simulator publishes telemetry to an
# "edge" Mosquitto, a simulated PLC (pymodbus) serves registers over Modbus TCP,
# edgeferry stores every message and every PLC value in SQLite and uplinks them
# to a "cloud" Mosquitto, and counters on the cloud side print what arrives.
# At the end (after --duration seconds, or on Ctrl-C) it stops the simulator,
# lets edgeferry drain, and prints a summary; it exits 1 if events were lost.
#
# Usage: scripts/demo.sh [--duration SECONDS]   (default 20)
# Environment: BUILD_DIR (default "build").
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo_root="$PWD"

usage() {
  echo "usage: scripts/demo.sh [--duration SECONDS]" >&2
}

duration=20
while (($# > 0)); do
  case "$1" in
    --duration) (($# >= 2)) || { usage; exit 2; }; duration="$2"; shift 2 ;;
    --duration=*) duration="${1#*=}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage; exit 2 ;;
  esac
done
if ! [[ "$duration" =~ ^[1-9][0-9]*$ ]]; then
  echo "demo.sh: --duration must be a positive number of seconds" >&2
  exit 2
fi

build_dir="${BUILD_DIR:-build}"

# --- Processes we start, and cleanup --------------------------------------------
tmp=""
pids=()   # every PID this script started, in start order
ok=0      # set to 1 when the demo completed; keeps the temp dir otherwise

if [[ -t 2 ]]; then
  say() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }
else
  say() { printf '== %s\n' "$*" >&2; }
fi
die() {
  echo "demo.sh: $*" >&2
  exit 1
}

# Sends SIGTERM to one PID we started and waits up to $2 seconds for it to exit,
# then SIGKILLs it. Returns the process's exit status (or 0 if it was gone).
stop_pid() {
  local pid="$1" grace="${2:-5}" deadline rc=0
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || rc=$?; return "$rc"; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + grace))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.05
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "demo.sh: PID $pid did not stop within ${grace}s, killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || rc=$?
  return "$rc"
}

cleanup() {
  local i
  trap - INT TERM
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    stop_pid "${pids[i]}" 3 || true
  done
  if [[ -n "$tmp" && -d "$tmp" ]]; then
    if ((ok)); then
      rm -rf "$tmp"
    else
      echo "demo.sh: logs kept in $tmp" >&2
    fi
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" in the background in its own session, so a Ctrl-C in the terminal
# reaches only this script, which then stops everything in order. setsid execs
# in place (a background child is not a process group leader), so $! is the
# program's own PID.
start_bg() {
  local out="$1" err="$2"
  shift 2
  setsid "$@" >"$out" 2>"$err" </dev/null &
  pids+=("$!")
}

# Polls until "$@" succeeds; fails if process $1 exits or after $2 seconds.
wait_for() {
  local pid="$1" timeout="$2" what="$3" deadline
  shift 3
  deadline=$((SECONDS + timeout))
  until "$@"; do
    kill -0 "$pid" 2>/dev/null || die "$what: process exited (see $tmp)"
    ((SECONDS < deadline)) || die "$what: not ready after ${timeout}s (see $tmp)"
    sleep 0.05
  done
}

port_open() { bash -c "</dev/tcp/127.0.0.1/$1" 2>/dev/null; }
log_has() { grep -qF -- "$2" "$1" 2>/dev/null; }

# Finds a built executable by name in the build tree.
find_tool() {
  local path
  path="$(find "$build_dir" -type f -name "$1" -perm -u+x -print -quit)"
  [[ -n "$path" ]] || die "$1 not found under $build_dir"
  printf '%s\n' "$path"
}

# Prints the number after KEY in LINE ("KEY=N", "KEY: N" or "KEY N"), or "?".
field() {
  local v
  v="$(sed -n "s/.*[^[:alnum:]_]$1[=:[:space:]][[:space:]]*\([0-9][0-9]*\).*/\1/p" <<<" $2")"
  printf '%s\n' "${v:-?}"
}

# --- Build ----------------------------------------------------------------------
scripts/setup.sh

say "building edgeferry and the demo tools in $build_dir"
configure=(cmake -S . -B "$build_dir" -DEF_BUILD_BENCH=ON)
if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  configure+=(-DCMAKE_BUILD_TYPE=Release)  # keep an existing build's type
fi
"${configure[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)" --target edgeferry ef-mqtt-load ef-mqtt-count

edgeferry="$(find_tool edgeferry)"
mqtt_load="$(find_tool ef-mqtt-load)"
mqtt_count="$(find_tool ef-mqtt-count)"
# Debian installs the broker in /usr/sbin, which is not on a normal user's PATH.
mosquitto="$(PATH="$PATH:/usr/sbin:/sbin" command -v mosquitto)" || die "mosquitto not found"

# --- Brokers ----------------------------------------------------------------------
tmp="$(mktemp -d "${TMPDIR:-/tmp}/edgeferry-demo.XXXXXX")"
read -r edge_port cloud_port plc_port < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(3)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
')

write_broker_conf() {
  local file="$1" port="$2"
  {
    echo "per_listener_settings false"
    echo "allow_anonymous true"
    echo "listener $port 127.0.0.1"
    echo "persistence false"
    echo "max_queued_messages 0"
    echo "max_inflight_messages 0"
    echo "log_dest stderr"
    printf 'log_type %s\n' error warning notice information subscribe
    if ((EUID == 0)); then echo "user root"; fi
  } >"$file"
}

for side in edge cloud; do
  port_var="${side}_port"
  port="${!port_var}"
  write_broker_conf "$tmp/$side-mosquitto.conf" "$port"
  start_bg "$tmp/$side-mosquitto.out" "$tmp/$side-mosquitto.log" \
    "$mosquitto" -c "$tmp/$side-mosquitto.conf"
  wait_for "${pids[-1]}" 10 "$side broker" port_open "$port"
done
edge_log="$tmp/edge-mosquitto.log"
say "edge broker on 127.0.0.1:$edge_port, cloud broker on 127.0.0.1:$cloud_port"

# --- Simulated PLC over Modbus TCP (Debian's pymodbus) -------------------------------
start_bg "$tmp/plc.out" "$tmp/plc.log" /usr/bin/python3 \
  "$repo_root/tests/support/modbus_server.py" --tcp "$plc_port" --slaves 1
wait_for "${pids[-1]}" 15 "simulated PLC" port_open "$plc_port"
say "simulated PLC on Modbus TCP 127.0.0.1:$plc_port"

# --- Cloud-side counter (prints every message as it arrives) ----------------------
count_out="$tmp/cloud-count.out"
count_err="$tmp/cloud-count.err"
# Line-buffered, so that the lines reach the file (and the terminal) as they come.
start_bg "$count_out" "$count_err" stdbuf -oL \
  "$mqtt_count" --uri "tcp://127.0.0.1:$cloud_port" --topic 'edgeferry/+/telemetry/+' --print \
  --timeout $((duration + 600))
count_pid="${pids[-1]}"
wait_for "$count_pid" 15 "ef-mqtt-count" log_has "$count_err" "subscribed edgeferry/+/telemetry/+"
# The PLC's values travel in their own stream, counted apart from the simulator's telemetry.
plc_out="$tmp/cloud-plc.out"
start_bg "$plc_out" "$tmp/cloud-plc.err" stdbuf -oL \
  "$mqtt_count" --uri "tcp://127.0.0.1:$cloud_port" --topic 'edgeferry/+/plc/+' --print \
  --timeout $((duration + 600))
plc_count_pid="${pids[-1]}"
wait_for "$plc_count_pid" 15 "ef-mqtt-count (plc)" log_has "$tmp/cloud-plc.err" \
  "subscribed edgeferry/+/plc/+"
# The rules' window results (examples/demo-rules.toml) on the aggregates stream.
agg_out="$tmp/cloud-aggregates.out"
start_bg "$agg_out" "$tmp/cloud-aggregates.err" stdbuf -oL \
  "$mqtt_count" --uri "tcp://127.0.0.1:$cloud_port" --topic 'edgeferry/+/aggregates/+' --print \
  --timeout $((duration + 600))
wait_for "${pids[-1]}" 15 "ef-mqtt-count (aggregates)" log_has "$tmp/cloud-aggregates.err" \
  "subscribed edgeferry/+/aggregates/+"
# Alerts (the boiler's detector rule) arrive on their own stream.
alerts_out="$tmp/cloud-alerts.out"
start_bg "$alerts_out" "$tmp/cloud-alerts.err" stdbuf -oL \
  "$mqtt_count" --uri "tcp://127.0.0.1:$cloud_port" --topic 'edgeferry/+/alerts/+' --print \
  --timeout $((duration + 600))
alerts_count_pid="${pids[-1]}"
wait_for "$alerts_count_pid" 15 "ef-mqtt-count (alerts)" log_has "$tmp/cloud-alerts.err" \
  "subscribed edgeferry/+/alerts/+"
# Show arrivals as they come; the counter's final JSON line goes into the summary instead.
tail -n +1 -s 0.1 -f --pid="$count_pid" "$count_out" | grep --line-buffered -v '^{"count"' &
tail_pid=$!
pids+=("$tail_pid")

# --- edgeferry ----------------------------------------------------------------------
config="$tmp/demo.toml"
sed -e "s/18830/$edge_port/g" -e "s/18840/$cloud_port/g" -e "s/18850/$plc_port/g" \
  -e "s|^data_dir = .*|data_dir = \"$tmp/data\"|" \
  "$repo_root/examples/demo.toml" >"$config"
mkdir -p "$tmp/rules.d"
cp "$repo_root/examples/demo-rules.toml" "$tmp/rules.d/"
# The boiler's detector rule (rules.d beside the configuration): hot above 85 for 1 s, cleared
# below 80.
cat >"$tmp/rules.d/boiler.toml" <<'RULE'
[[rule]]
name = "boiler-hot"
kind = "detector"
stream = "boiler"
fields = ["temp"]
detector = "threshold"
limit = 85
hysteresis = 5
min_duration = "1s"
severity = "critical"
publish = "hmi/{device}/alerts/{rule}"
RULE
# The local topic, as an HMI on site would read it (mosquitto_sub on the edge broker).
start_bg "$tmp/hmi.out" "$tmp/hmi.err" stdbuf -oL \
  mosquitto_sub -h 127.0.0.1 -p "$edge_port" -q 1 -v -t 'hmi/#'
"$edgeferry" check --config "$config"

ef_log="$tmp/edgeferry.log"
start_bg "$tmp/edgeferry.out" "$ef_log" "$edgeferry" run --config "$config"
ef_pid="${pids[-1]}"
wait_for "$ef_pid" 15 "edgeferry" log_has "$edge_log" " plant/+/telemetry"
say "edgeferry is subscribed"

# --- Device simulator --------------------------------------------------------------
load_out="$tmp/ef-mqtt-load.out"
start_bg "$load_out" "$tmp/ef-mqtt-load.err" \
  "$mqtt_load" --uri "tcp://127.0.0.1:$edge_port" --devices 5 --count 0 --rate 10
load_pid="${pids[-1]}"
say "simulator publishing on plant/dev-NN/telemetry for ${duration}s (Ctrl-C stops early)"
# The boiler: 5 readings a second; 60 degrees, drifting to 95 from 30% to 50% of the run, back
# to 60 by 65%. One mosquitto_pub connection publishes a line per reading.
boiler_readings() {
  local n=$((duration * 5)) i t
  for ((i = 0; i < n; i++)); do
    if ((i < n * 30 / 100)); then t=60
    elif ((i < n * 50 / 100)); then t=$((60 + 35 * (i - n * 30 / 100) / (n * 20 / 100)))
    elif ((i < n * 65 / 100)); then t=$((95 - 35 * (i - n * 50 / 100) / (n * 15 / 100)))
    else t=60; fi
    echo "{\"temp\":$t.$((RANDOM % 10))}"
    sleep 0.2
  done
}
start_bg "$tmp/boiler.out" "$tmp/boiler.err" bash -c "$(declare -f boiler_readings); \
  duration=$duration; boiler_readings | mosquitto_pub -h 127.0.0.1 -p $edge_port -q 1 \
  -t site/boiler-1/data -l"
say "boiler-1 publishing on site/boiler-1/data; it runs hot mid-run"

interrupted=0
trap 'interrupted=1' INT TERM
run_start=$SECONDS
sleep "$duration" &
sleep_pid=$!
pids+=("$sleep_pid")
wait "$sleep_pid" || true
if ((interrupted)); then
  kill "$sleep_pid" 2>/dev/null || true
  echo >&2
  say "interrupted, stopping"
fi
trap 'exit 130' INT
trap 'exit 143' TERM
ran_for=$((SECONDS - run_start))

# --- Orderly shutdown: simulator, drain, edgeferry, counter, brokers ------------------
kill -0 "$load_pid" 2>/dev/null || die "the simulator exited early (see $tmp)"
stop_pid "$load_pid" 10 || die "the simulator failed (see $tmp)"
published="$(field published "$(grep -E 'published' "$load_out" | tail -n 1)")"
[[ "$published" != "?" ]] || die "no 'published N' line from ef-mqtt-load (see $load_out)"

# Distinct events seen by the cloud so far. ef-mqtt-count --print writes
# "DEVICE seq=N PAYLOAD" per new event and "DUP DEVICE seq=N" per duplicate.
cloud_unique() {
  grep -cE '^[^ ]+ seq=[0-9]+' "$count_out" 2>/dev/null || true
}
say "simulator stopped after $published events; waiting for edgeferry to drain"
# Wait while the cloud count still grows: give up after 10 s without progress.
seen=-1
while true; do
  now_seen="$(cloud_unique)"
  ((now_seen < published)) || break
  kill -0 "$ef_pid" 2>/dev/null || break
  if ((now_seen > seen)); then
    seen=$now_seen
    deadline=$((SECONDS + 10))
  elif ((SECONDS >= deadline)); then
    echo "demo.sh: the cloud has $now_seen of $published events and no more arrive" >&2
    break
  fi
  sleep 0.1
done

ef_rc=0
stop_pid "$ef_pid" 30 || ef_rc=$?
stop_pid "$count_pid" 10 || true
stop_pid "$plc_count_pid" 10 || true
stop_pid "$alerts_count_pid" 10 || true
wait "$tail_pid" 2>/dev/null || true
for pid in "${pids[@]:0:3}"; do
  stop_pid "$pid" 5 || true
done

stop_line="$(grep -E 'stopped:' "$ef_log" | tail -n 1 || true)"
# ef-mqtt-count's last line: {"count":DISTINCT,"received":ALL,"duplicates":N,...}
count_line="$(grep -E '^\{"count"' "$count_out" | tail -n 1 || true)"
[[ -n "$count_line" ]] || die "no final JSON line from ef-mqtt-count (see $count_out)"
json_field() {
  local v
  v="$(sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\([0-9][0-9.]*\).*/\1/p" <<<"$count_line")"
  printf '%s\n' "${v:-?}"
}
unique="$(json_field count)"
received="$(json_field received)"
duplicates="$(json_field duplicates)"
[[ "$unique" != "?" ]] || die "cannot read the count in: $count_line"
lost=$((published - unique))

echo
echo "edgeferry demo summary (${ran_for}s of telemetry from 5 devices and a PLC)"
printf '  %-26s %s\n' \
  "published (simulator)" "$published" \
  "received (edgeferry)" "$(field received "$stop_line")" \
  "stored (edgeferry)" "$(field committed "$stop_line")" \
  "uplinked (edgeferry)" "$(field uplinked "$stop_line")" \
  "dropped (edgeferry)" "$(field dropped "$stop_line")" \
  "still queued (edgeferry)" "$(field queued "$stop_line")" \
  "received at cloud" "$received" \
  "  distinct events" "$unique" \
  "  duplicates" "$duplicates" \
  "lost" "$lost" \
  "latency p50 / p99" "$(json_field p50_ms) / $(json_field p99_ms) ms (simulator -> cloud)"
echo "  (edgeferry's counts include the PLC's and the boiler's values and the alerts; the cloud's are the simulator's)"

# The PLC: values at the cloud, and the last one of each point (fields of the envelope).
plc_values="$(grep -cE '^plc-1 seq=' "$plc_out" 2>/dev/null || true)"
last_field() {
  grep -oE "\"$1\":[^,}]*" "$plc_out" 2>/dev/null | tail -n 1 | cut -d: -f2
}
echo "simulated PLC over Modbus TCP (pymodbus, every 500 ms)"
printf '  %-26s %s\n' \
  "values at cloud" "${plc_values:-0}" \
  "last pressure / strokes" "$(last_field pressure) bar / $(last_field strokes)" \
  "running (on change)" "$(last_field running)"

# The window results: how many, and the last one's pressure summary.
agg_field() {
  grep -oE "\"$1\":[^,}]*" "$agg_out" 2>/dev/null | tail -n 1 | cut -d: -f2
}
echo "rule plc-pressure-5s (5 s tumbling windows over the PLC's pressure, rules.d/)"
printf '  %-26s %s\n' \
  "windows at cloud" "$(grep -c 'plc-pressure-5s' "$agg_out" 2>/dev/null || true)" \
  "last window: n / mean" "$(agg_field pressure_count) / $(agg_field pressure_mean) bar" \
  "last window: min / max" "$(agg_field pressure_min) / $(agg_field pressure_max) bar"
# The boiler's alert at the cloud (ef-mqtt-count --print: "DEVICE seq=N ENVELOPE").
raised="$(grep -c '"state":"raised"' "$alerts_out" 2>/dev/null || true)"
cleared="$(grep -c '"state":"cleared"' "$alerts_out" 2>/dev/null || true)"
local_raised="$(grep -c '"state":"raised"' "$tmp/hmi.out" 2>/dev/null || true)"
local_cleared="$(grep -c '"state":"cleared"' "$tmp/hmi.out" 2>/dev/null || true)"
echo "boiler-1 (drifts to 95 degrees mid-run; rule boiler-hot: above 85 for 1 s, clear below 80)"
printf '  %-26s %s\n' \
  "alert raised at cloud" "${raised:-0}" \
  "alert cleared at cloud" "${cleared:-0}" \
  "raised on hmi/boiler-1/..." "${local_raised:-0}" \
  "cleared on hmi/boiler-1/..." "${local_cleared:-0}"
((${raised:-0} >= 1 && ${cleared:-0} >= 1 && ${local_raised:-0} >= 1 && ${local_cleared:-0} >= 1)) ||
  echo "demo.sh: the boiler's alert was not raised and cleared at the cloud and on the local" \
    "topic (see $alerts_out, $tmp/hmi.out)" >&2

[[ -n "$stop_line" ]] || echo "demo.sh: edgeferry logged no 'stopped:' line (see $ef_log)" >&2
((ef_rc == 0)) || die "edgeferry exited with status $ef_rc (see $ef_log)"
((lost == 0)) || die "$lost events did not reach the cloud"
ok=1
