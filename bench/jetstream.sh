#!/usr/bin/env bash
# JetStream uplink benchmark: a stored backlog drained into NATS JetStream (1-replica and
# 3-replica streams, one event per message and batched) and, for comparison, through the MQTT
# uplink to the same cluster's MQTT port; every run read back and counted (missing,
# duplicates). js3-json-inorder: the 3-replica batched run with the stream catch_up = "in_order"
# (one batch in flight, what keeps it in seq order across failures): the cost of that order.
#
#   bench/jetstream.sh [--build-dir build] [ef-bench-jetstream options: --count N
#                      --runs js1-none,js1-json,js3-none,js3-json,js3-json-inorder,
#                             mqtt-none,mqtt-json
#                      --timeout S]
#
# EF_JS_BENCH_COUNT=N sets --count (default 1,000,000, the issue's; on a busy 2-core machine
# 100,000 keeps the run to a few minutes). Runs BUILD_DIR/bench/ef-bench-jetstream, which
# starts its own 3-node nats-server cluster and edge Mosquitto on loopback, and the real
# edgeferry daemon per run, and removes its temp dir. What it needs is built first
# (incremental; a missing build dir is configured as Release, without tests). The last stdout
# line is one JSON object.
set -euo pipefail

BUILD_DIR=build
ARGS=(--count "${EF_JS_BENCH_COUNT:-1000000}")
while (($#)); do
  case "$1" in
    --build-dir) BUILD_DIR=${2:?}; shift 2 ;;
    *) ARGS+=("$1"); shift ;;
  esac
done

source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_build_dir jetstream "$BUILD_DIR" edgeferry ef-bench-jetstream
BUILD_DIR=$BENCH_BUILD_DIR
BENCH=$BUILD_DIR/bench/ef-bench-jetstream
[[ -x $BENCH ]] || { echo "jetstream: $BENCH not built; run: cmake --build $BUILD_DIR" >&2; exit 1; }
echo "jetstream: draining ${ARGS[1]} events per run" >&2
exec "$BENCH" --edgeferry "$BUILD_DIR/daemon/edgeferry" "${ARGS[@]}"
