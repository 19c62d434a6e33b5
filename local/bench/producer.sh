# shellcheck shell=bash
# ./runnel bench producer: Runnel's producer against Kafka's own ProducerPerformance (what
# kafka-producer-perf-test runs), side by side in the same run, same broker, same settings
# (acks=all, idempotence, lz4, linger 20 ms, 256 KiB batches), same partitions and record size.
# Sourced by ./runnel.

BENCH_PRODUCER_SECONDS=${RUNNEL_BENCH_PRODUCER_SECONDS:-60}
KAFKA_TOOLS_HOME=$RUNNEL_CACHE_DIR/kafka-tools-$KAFKA_VERSION

kafka_tools_install() {
  [[ -f $KAFKA_TOOLS_HOME/.complete ]] && return 0
  info "installing Kafka $KAFKA_VERSION's command-line tools (for the baseline)"
  rm -rf "$KAFKA_TOOLS_HOME"
  mvn_quiet -q -f local/kafka/tools-pom.xml dependency:copy-dependencies \
    -Dkafka.version="$KAFKA_VERSION" -DincludeScope=runtime -DoutputDirectory="$KAFKA_TOOLS_HOME/libs"
  touch "$KAFKA_TOOLS_HOME/.complete"
}

kafka_tool() {
  "$JAVA" -Xmx512m -cp "$KAFKA_TOOLS_HOME/libs/*" "$@"
}

cmd_bench_producer() {
  load_env
  find_java
  cmd_up
  kafka_tools_install
  local jar dir size i id ours tool sent
  jar=$(producer_jar)
  dir=$RUNNEL_RUN_DIR/bench/producer-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$dir"
  # The tool sends fixed-size values: the mean size of Runnel's events (seed 42).
  size=$("$JAVA" -jar "$jar" --count 20000 --dry-run --progress-seconds 0 2>/dev/null |
    awk -F'\t' '{v += length($2); n++} END {printf "%d", v / n}')
  info "producer benchmark: ${RUNNEL_BENCH_REPEATS:-3} rounds of ${BENCH_PRODUCER_SECONDS}s each, records of $size bytes; results in $dir"
  for ((i = 1; i <= ${RUNNEL_BENCH_REPEATS:-3}; i++)); do
    id=$(date +%s)-$RANDOM
    admin kafka-ready --topic "bench-ours-$id:2" --topic "bench-tool-$id:2" >>"$dir/admin.log" 2>&1 ||
      die "could not create the benchmark topics"
    "$JAVA" -jar "$jar" --topic "bench-ours-$id" --duration "${BENCH_PRODUCER_SECONDS}s" \
      --progress-seconds 0 >"$dir/ours-$i.log" 2>&1 || die "the producer failed (log: $dir/ours-$i.log)"
    ours=$(sed -n 's/.*: \([0-9,]*\) records\/s.*/\1/p' "$dir/ours-$i.log" | tr -d , | tail -n 1)
    sent=$(awk '/^ *acked / {gsub(",", "", $2); print $2}' "$dir/ours-$i.log" | tail -n 1)
    # The same number of records: both runs last about as long.
    kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "bench-tool-$id" \
      --num-records "$sent" --record-size "$size" --throughput -1 \
      --producer-props "bootstrap.servers=$RUNNEL_KAFKA_BOOTSTRAP" acks=all enable.idempotence=true \
      compression.type=lz4 linger.ms=20 batch.size=262144 >"$dir/tool-$i.log" 2>&1 ||
      die "ProducerPerformance failed (log: $dir/tool-$i.log)"
    tool=$(tail -n 1 "$dir/tool-$i.log" | sed -n 's/.* records sent, \([0-9.]*\) records\/sec.*/\1/p')
    kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$RUNNEL_KAFKA_BOOTSTRAP" \
      --delete --topic "bench-ours-$id,bench-tool-$id" >>"$dir/admin.log" 2>&1 || true
    echo "{\"round\":$i,\"ours\":$ours,\"tool\":${tool%.*},\"records\":$sent,\"record_bytes\":$size}" | tee -a "$dir/results.jsonl"
  done
  python3 - "$dir/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def med(xs, fmt="{:,.0f}"):
    xs = sorted(xs)
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(xs[0])}–{fmt.format(xs[-1])})"
print("| producer | events/s, median (min–max) |")
print("|---|---|")
print(f"| Runnel producer (JSON events, key user_id, 2 headers) | {med([r['ours'] for r in rows])} |")
print(f"| Kafka ProducerPerformance ({rows[0]['record_bytes']} B values, no key) | {med([r['tool'] for r in rows])} |")
print(f"| ratio | {med([r['ours'] / r['tool'] for r in rows], '{:.2f}')} |")
PY
}
