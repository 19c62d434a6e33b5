#!/usr/bin/env bash
# A broker outage under the producer (issue 21): the producer must wait through it, not drop.
#
#   local/tests/faults/kafka_outage.sh BOOTSTRAP RUN_DIR [OUTAGE_SECONDS]
#
# Starts a throwaway single-node Kafka of its own on BOOTSTRAP (127.0.0.1:PORT; its controller on
# PORT+1, or RUNNEL_OUTAGE_CONTROLLER_PORT) with RUN_DIR as its run folder (never the shared one:
# refused when RUN_DIR already holds a Kafka), starts runnel-producer against it, kill -9s the
# broker once records are acknowledged, keeps it down OUTAGE_SECONDS (default 20), starts it again
# on the same data, and waits for the producer. Then checks, with kcat (a client Runnel did not
# write), that acked + failed = sent and that every acknowledged record is in the topic exactly
# once (event_id counted); with an outage shorter than the producer's --max-outage, that nothing
# failed and the producer exited 0; with a longer one, that records failed and it exited 1. The
# broker is killed at the end and its data removed; logs stay in RUN_DIR/logs. Exit status
# non-zero on any failure.
#
# Tunables: RUNNEL_OUTAGE_EVENTS (default 20000), RUNNEL_OUTAGE_RATE (records/s, default 1000),
# RUNNEL_OUTAGE_MAX (the producer's --max-outage, default 2m). Needs the jars (./runnel build).
set -euo pipefail

usage="usage: $0 BOOTSTRAP(127.0.0.1:PORT) RUN_DIR [OUTAGE_SECONDS]"
bootstrap=${1:?$usage}
run_dir=${2:?$usage}
outage=${3:-20}
[[ $bootstrap =~ ^[0-9A-Za-z.-]+:([0-9]+)$ ]] || { echo "$usage" >&2; exit 2; }
port=${BASH_REMATCH[1]}
[[ $outage =~ ^[0-9]+$ ]] || { echo "$usage" >&2; exit 2; }
mkdir -p "$run_dir"
run_dir=$(cd "$run_dir" && pwd)

# The throwaway broker's settings, before common.sh reads them.
export RUNNEL_RUN_DIR=$run_dir
export RUNNEL_KAFKA_PORT=$port
export RUNNEL_KAFKA_CONTROLLER_PORT=${RUNNEL_OUTAGE_CONTROLLER_PORT:-$((port + 1))}
export RUNNEL_KAFKA_BOOTSTRAP=$bootstrap
# shellcheck source=../setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/../setup.sh" kafka

EVENTS=${RUNNEL_OUTAGE_EVENTS:-20000}
RATE=${RUNNEL_OUTAGE_RATE:-1000}
MAX_OUTAGE=${RUNNEL_OUTAGE_MAX:-2m}
PRODUCER_JAR=$RUNNEL_ROOT/producer/target/runnel-producer.jar
topic=outage-$(date +%s)-$RANDOM

ensure_dirs
find_java
ensure_platform_jar
[[ -f $PRODUCER_JAR ]] || die "no $PRODUCER_JAR: run ./runnel build first"
if service_pid kafka >/dev/null; then
  die "$run_dir already runs a Kafka: give this test a run folder of its own"
fi

broker_down() {
  local pid
  pid=$(service_pid kafka) || return 0
  kill -9 "$pid"
  while process_alive "$pid"; do sleep 0.1; done
}
producer_pid=
cleanup() {
  [[ -n $producer_pid ]] && kill "$producer_pid" 2>/dev/null
  broker_down
  rm -rf "$KAFKA_RUN/data"
}
trap cleanup EXIT

kafka_start
disown $!
kafka_ready

out=$LOG_DIR/producer-$topic.out
err=$LOG_DIR/producer-$topic.err
started=$(date +%s.%N)
RUNNEL_KAFKA_BOOTSTRAP=$bootstrap "$JAVA" -jar "$PRODUCER_JAR" --count "$EVENTS" --rate "$RATE" \
  --topic "$topic" --partitions 2 --max-outage "$MAX_OUTAGE" --progress-seconds 2 \
  >"$out" 2>"$err" &
producer_pid=$!

# Down once the broker has acknowledged something: the outage hits a run in progress.
for ((i = 0; i < 300; i++)); do
  grep -qE 'acked [1-9]' "$err" && break
  process_alive "$producer_pid" || die "the producer ended before the outage: $(tail -n 3 "$err")"
  sleep 0.1
done
grep -qE 'acked [1-9]' "$err" || die "nothing acknowledged within 30 s: $(tail -n 3 "$err")"
info "kill -9 of the broker (pid $(service_pid kafka)) after $(grep -oE 'acked [0-9,]+' "$err" | tail -n 1)"
down_at=$(date +%s.%N)
broker_down
sleep "$outage"
kafka_start
disown $!
while ! port_in_use "$port"; do sleep 0.1; done
up_at=$(date +%s.%N)
kafka_ready
info "broker listening again $(printf '%.1f' "$(echo "$up_at - $down_at" | bc)") s after the kill"

status=0
wait "$producer_pid" || status=$?
producer_pid=
ended=$(date +%s.%N)

# The summary the producer prints (Locale.ROOT: digits and commas).
count_of() { sed -nE "s/^  $1 +([0-9,]+)$/\\1/p" "$out" | tr -d ,; }
sent=$(sed -nE 's/^runnel-producer: sent ([0-9,]+) records.*/\1/p' "$out" | tr -d ,)
acked=$(count_of acked)
failed=$(count_of failed)
[[ -n $sent && -n $acked && -n $failed ]] || die "no summary from the producer (exit $status): $(tail -n 3 "$err")"

# Every record in the topic, by another client: total and distinct event ids.
read -r total distinct < <(kcat -C -b "$bootstrap" -t "$topic" -o beginning -e -q -f '%s\n' |
  python3 -c '
import json, sys
ids = [json.loads(line)["event_id"] for line in sys.stdin if line.strip()]
print(len(ids), len(set(ids)))')

waiting=$(grep -m 1 'waiting for the broker' "$err" || true)
info "outage ${outage} s (max ${MAX_OUTAGE}): producer exit $status after $(printf '%.1f' "$(echo "$ended - $started" | bc)") s (${EVENTS} at ${RATE}/s: $((EVENTS / RATE)) s without an outage), done $(printf '%.1f' "$(echo "$ended - $up_at" | bc)") s after the broker listened again"
info "sent $sent, acked $acked, failed $failed; in the topic $total records, $distinct distinct event ids"
info "progress during the outage: ${waiting:-none}"

# An outage longer than --max-outage (the restart takes seconds more) must end in failed records
# and exit 1, still with acked + failed = sent; a shorter one in none.
max_seconds=$(python3 -c '
import re, sys
m = re.fullmatch(r"(\d+)(ms|s|m|h)", sys.argv[1])
print(int(m.group(1)) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[m.group(2)] if m else -1)' "$MAX_OUTAGE")
((max_seconds > 0)) || die "RUNNEL_OUTAGE_MAX must be like 90s or 2m, got '$MAX_OUTAGE'"
fail=0
((sent == EVENTS)) || { echo "FAIL: sent $sent of $EVENTS" >&2; fail=1; }
((acked + failed == sent)) || { echo "FAIL: acked + failed = $((acked + failed)), sent $sent" >&2; fail=1; }
if ((outage < max_seconds)); then
  ((status == 0)) || { echo "FAIL: the producer exited $status: $(tail -n 2 "$err")" >&2; fail=1; }
  ((failed == 0)) || { echo "FAIL: $failed records failed during a ${outage} s outage" >&2; fail=1; }
else
  ((status == 1 && failed > 0)) ||
    { echo "FAIL: an outage past --max-outage: exit $status, $failed failed" >&2; fail=1; }
  info "the producer's last line: $(tail -n 1 "$err")"
fi
((total == acked && distinct == total)) ||
  { echo "FAIL: the topic holds $total records ($distinct distinct) for $acked acknowledged" >&2; fail=1; }
[[ -n $waiting ]] || { echo "FAIL: no progress line said it was waiting for the broker" >&2; fail=1; }
((fail == 0)) && ok "a ${outage} s broker outage under the producer (--max-outage $MAX_OUTAGE): acked + failed = sent, every acknowledged record in $topic exactly once"
exit "$fail"
