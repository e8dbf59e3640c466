#!/bin/sh
# Runs inside the booted container (tests/system/systemd_test.sh), as a oneshot unit: installs
# the .deb the way a user would and checks the service under a real systemd. Every step prints
# "CHECK <what>: ok" or "CHECK <what>: FAILED ..." on the console; the last line is
# "EDGEFERRY-SYSTEM-TEST: PASS" or "EDGEFERRY-SYSTEM-TEST: FAIL". Powers the container off.
set -u
failed=0
ok() { echo "CHECK $1: ok"; }
fail() { echo "CHECK $1: FAILED $2"; failed=1; }

# wait_for SECONDS COMMAND...: polls the command (a deadline, not a fixed pause).
wait_for() {
  limit=$1; shift
  i=0
  while [ "$i" -lt $((limit * 10)) ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.1; i=$((i + 1))
  done
  return 1
}
active() { [ "$(systemctl is-active edgeferry)" = active ]; }
queued() { edgeferry queue stats --data-dir /var/lib/edgeferry --json | grep -q "\"events\":$1,"; }

finish() {
  journalctl -u edgeferry --no-pager | tail -n 20
  if [ "$failed" = 0 ]; then echo "EDGEFERRY-SYSTEM-TEST: PASS"; else echo "EDGEFERRY-SYSTEM-TEST: FAIL"; fi
  systemctl poweroff --no-block
  exit 0
}

wait_for 30 systemctl is-active mosquitto || fail mosquitto "the broker did not start"
if apt-get install -y --no-install-recommends /root/edgeferry.deb >/root/install.log 2>&1; then
  ok "apt install ./edgeferry.deb"
else
  fail "apt install" "$(tail -n 5 /root/install.log)"; finish
fi
id edgeferry | grep -q dialout && ok "service user in dialout" || fail user "$(id edgeferry 2>&1)"
systemctl is-enabled -q edgeferry && ok "enabled by postinst" || fail enabled "not enabled"

# Type=notify: active only after READY=1 (ingest is up).
wait_for 60 active && ok "active after READY=1" || fail active "$(systemctl status edgeferry --no-pager | tail -n 5)"
systemctl show -p StatusText edgeferry | grep -q "ingest is up" && ok "STATUS=ingest is up" ||
  fail status "$(systemctl show -p StatusText edgeferry)"

i=0
while [ $i -lt 50 ]; do
  mosquitto_pub -h 127.0.0.1 -q 1 -t plant/dev-01/telemetry -m "{\"n\":$i}"; i=$((i + 1))
done
wait_for 20 queued 50 && ok "50 messages queued" || fail queue "$(edgeferry queue stats --data-dir /var/lib/edgeferry)"

systemctl reload edgeferry && wait_for 20 active &&
  journalctl -u edgeferry --no-pager | grep -q "configuration reloaded" &&
  ok "reload (RELOADING=1, READY=1)" || fail reload "$(journalctl -u edgeferry --no-pager | tail -n 3)"

systemctl restart edgeferry && wait_for 60 active && ok "restart" || fail restart "not active again"
queued 50 && ok "queue survives a restart" || fail survive "$(edgeferry queue stats --data-dir /var/lib/edgeferry)"

# A serial device given to the service (DeviceAllow=char-ttyS, group dialout) opens; one of a
# kind not given (a pty) is refused by the device policy.
if [ -c /dev/ttyS0 ]; then
  chgrp dialout /dev/ttyS0 && chmod 660 /dev/ttyS0
  out=$(systemd-run --wait --pipe --quiet -p User=edgeferry -p SupplementaryGroups=dialout \
          -p DevicePolicy=closed -p DeviceAllow="char-ttyS rw" \
          sh -c 'exec 3<>/dev/ttyS0 && echo opened' 2>&1)
  [ "$out" = opened ] && ok "service user opens /dev/ttyS0" || fail serial "$out"
else
  echo "CHECK serial: skipped (no /dev/ttyS0 bound into the container)"
fi

systemctl stop edgeferry
[ "$(systemctl is-active edgeferry)" = inactive ] && ok "stop" || fail stop "$(systemctl is-active edgeferry)"
journalctl -u edgeferry --no-pager | grep -q "stopped: received=50" && ok "clean stop line" ||
  fail stopline "$(journalctl -u edgeferry --no-pager | grep stopped)"
finish
