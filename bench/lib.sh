# Shared by the bench scripts (source it, do not run it).
#
#   bench_build_dir NAME BUILD_DIR TARGET...
#
# Sets BENCH_BUILD_DIR to BUILD_DIR made absolute (relative to the repository root). A
# missing build dir is configured (Release, benchmarks on, tests off); then TARGETs are built
# (incrementally, so an existing build dir is brought up to date with the sources), with
# progress on stderr prefixed by NAME.
bench_build_dir() {
  local name=$1 dir=$2
  shift 2
  local root
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  [[ $dir = /* ]] || dir=$root/$dir
  if [[ ! -d $dir ]]; then
    echo "$name: $dir missing, building (Release)" >&2
    cmake -S "$root" -B "$dir" -DCMAKE_BUILD_TYPE=Release -DEF_BUILD_BENCH=ON \
      -DEF_BUILD_TESTS=OFF >&2
  fi
  echo "$name: building $* in $dir" >&2
  cmake --build "$dir" -j"$(nproc)" --target "$@" >&2
  BENCH_BUILD_DIR=$dir
}

# --- Processes and brokers of a bench run ----------------------------------------------------
# The caller defines die() (prints and exits) and MOSQUITTO (the broker binary), and calls
# bench_work first: WORK is its temp dir, PIDS the PIDs it started (cleanup stops exactly
# those).

# bench_work NAME PREFIX: makes WORK, a fresh temp dir (PREFIX-XXXXXX under $TMPDIR or /tmp),
# empties PIDS and traps EXIT with bench_cleanup: it stops exactly the PIDs in PIDS, shows the
# tail of every non-empty $WORK/*.log and *.err when the script fails, and removes WORK unless
# KEEP=1 (then it says where WORK is). NAME prefixes its messages. A script that needs more at
# exit defines its own trap after this one and calls bench_cleanup from it.
bench_work() {
  BENCH_NAME=$1
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/$2-XXXXXX")
  PIDS=()
  trap bench_cleanup EXIT
}

bench_cleanup() {
  local status=$? pid log
  # Untrapped first: bash runs a still-set EXIT trap again in the command substitutions below
  # (alive's), and that copy removed WORK before the tails were shown.
  trap - EXIT
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  if ((status != 0)); then
    for log in "$WORK"/*.log "$WORK"/*.err; do
      [[ -s $log ]] && { echo "--- tail of $log" >&2; tail -n 15 "$log" >&2; }
    done
  fi
  if ((${KEEP:-0})); then echo "$BENCH_NAME: kept $WORK" >&2; else rm -rf "$WORK"; fi
}

alive() { # alive PID: running and not a zombie
  kill -0 "$1" 2>/dev/null && [[ $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

wait_until() { # wait_until SECONDS WHAT COMMAND...: poll COMMAND until it succeeds
  local seconds=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    ((SECONDS < deadline)) || die "timed out after $seconds s waiting for $what"
    sleep 0.05
  done
}

stop_pid() { # stop_pid PID: SIGTERM, up to 10 s to exit, then SIGKILL
  local pid=$1 deadline=$((SECONDS + 10))
  kill -TERM "$pid" 2>/dev/null || return 0
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.05; done
  alive "$pid" && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null || true
}

forget_pid() { # forget_pid PID: reaped, so never signal that number again
  local kept=() pid
  for pid in "${PIDS[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  PIDS=("${kept[@]}")
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() { # a port nothing on 127.0.0.1 accepts connections on, not in $@
  local port
  for _ in {1..200}; do
    port=$((20000 + RANDOM % 40000))
    [[ " $* " == *" $port "* ]] && continue
    port_open "$port" || { echo "$port"; return 0; }
  done
  die "no free port found"
}

start_broker() { # start_broker NAME PORT [EXTRA_CONF]: sets BROKER_PID
  local name=$1 port=$2 extra=${3:-}
  cat >"$WORK/$name.conf" <<CONF
per_listener_settings false
allow_anonymous true
listener $port 127.0.0.1
persistence false
max_queued_messages 0
max_inflight_messages 0
user root
log_dest stderr
log_type error
log_type warning
log_type notice
log_type information
log_type subscribe
$extra
CONF
  "$MOSQUITTO" -c "$WORK/$name.conf" >"$WORK/$name.log" 2>&1 &
  BROKER_PID=$!
  PIDS+=("$BROKER_PID")
  wait_until 10 "$name broker on port $port" broker_listening "$BROKER_PID" "$port"
}

broker_listening() { alive "$1" || die "broker $1 exited"; port_open "$2"; }

json_field() { # json_field FILE KEY: a number from the last JSON line of FILE
  tail -n 1 "$1" | sed -n "s/.*\"$2\":\([-0-9.eE+]*\).*/\1/p"
}
