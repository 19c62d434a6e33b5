# shellcheck shell=bash
# ./runnel bench bronze: Bronze ingest rate and freshness against a baseline, open loop.
# Sourced by ./runnel (its helpers and settings are in scope). Writes results under
# $RUNNEL_RUN_DIR/bench/bronze-<time>/ and prints a Markdown table for BENCHMARKS.md.
#
# Each run: a fresh topic and table; the job under test starts first; a probe lists the table's
# Delta log every 100 ms to see when each commit becomes visible; the producer sends at a fixed
# rate (open loop) for a fixed time; the job is stopped when no commit has come for 10 s.
# Freshness = commit visible - Kafka timestamp, for every event. The job's CPU time comes from
# /proc. The baseline is BaselineIngestJob: Kafka to Delta with nothing but the value as text.

BENCH_FULL_RATE=${RUNNEL_BENCH_FULL_RATE:-80000}
BENCH_HALF_RATE=${RUNNEL_BENCH_HALF_RATE:-$((BENCH_FULL_RATE / 2))}
BENCH_SECONDS=${RUNNEL_BENCH_SECONDS:-120}
BENCH_REPEATS=${RUNNEL_BENCH_REPEATS:-3}
# Freshness is measured on events after this warm-up (JIT, code generation, the first commits).
BENCH_WARMUP=${RUNNEL_BENCH_WARMUP_SECONDS:-30}
BENCH_RUNS=${RUNNEL_BENCH_RUNS:-bronze-full baseline-full bronze-half baseline-half}
# Extra spark-submit options for the Bronze job, to measure a setting: "--conf key=value ...".
BENCH_SPARK_CONF=${RUNNEL_BENCH_SPARK_CONF:-}

cpu_seconds() {
  # utime + stime of a process, in seconds (fields 14 and 15 of /proc/PID/stat).
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0
}

# bench_run LABEL KIND RATE SECONDS -> appends one JSON line to $BENCH_DIR/results.jsonl
bench_run() {
  local label=$1 kind=$2 rate=$3 seconds=$4
  local id topic table dir job_pid probe_pid cpu0 cpu1 last_count count quiet
  id=$(date +%s)-$RANDOM
  topic=bench-$id
  table=_bench/$id/events
  dir=$BENCH_DIR/$label-$id
  mkdir -p "$dir"
  admin kafka-ready --topic "$topic:2" >>"$dir/admin.log" 2>&1 || die "could not create $topic"

  if [[ $kind == bronze ]]; then
    (RUNNEL_BRONZE_TOPICS=$topic RUNNEL_BRONZE_TABLE=$table RUNNEL_BRONZE_CHECKPOINT=$table-checkpoint \
      RUNNEL_BRONZE_METRICS_TABLE=$table-metrics RUNNEL_BRONZE_TRIGGER_SECONDS=0 \
      spark_env exec "$RUNNEL_SPARK_SUBMIT" $BENCH_SPARK_CONF --class io.runnel.streaming.BronzeIngestJob "$STREAMING_JAR") >"$dir/job.log" 2>&1 &
  else
    (spark_env exec "$RUNNEL_SPARK_SUBMIT" --class io.runnel.bench.BaselineIngestJob "$BENCH_JAR" \
      --topic "$topic" --table "$table") >"$dir/job.log" 2>&1 &
  fi
  job_pid=$!
  # The query is up once it has said so (Bronze) or has been running for 20 s (baseline).
  for _ in $(seq 120); do
    grep -q -e "ingesting" -e "baseline query started" "$dir/job.log" 2>/dev/null && break
    kill -0 "$job_pid" 2>/dev/null || die "$label: the job exited at start (log: $dir/job.log)"
    sleep 0.5
  done
  (spark_env exec "$RUNNEL_SPARK_SUBMIT" --class io.runnel.bench.DeltaLogProbe "$BENCH_JAR" \
    --table "$table" --out "$dir/probe.csv" --seconds $((seconds + 600))) >"$dir/probe.log" 2>&1 &
  probe_pid=$!
  sleep 3
  cpu0=$(cpu_seconds "$job_pid")
  info "$label: $rate events/s for ${seconds}s into $topic"
  "$JAVA" -jar "$PRODUCER_JAR" --topic "$topic" --rate "$rate" --duration "${seconds}s" \
    --progress-seconds 0 >"$dir/producer.log" 2>&1 || die "$label: the producer failed (log: $dir/producer.log)"
  # Wait for the job to catch up: no new commit for 10 s.
  last_count=-1
  quiet=0
  while ((quiet < 10)); do
    count=$(wc -l <"$dir/probe.csv" 2>/dev/null || echo 0)
    if [[ $count == "$last_count" ]]; then quiet=$((quiet + 1)); else quiet=0; fi
    last_count=$count
    sleep 1
  done
  cpu1=$(cpu_seconds "$job_pid")
  kill -TERM "$job_pid" "$probe_pid" 2>/dev/null || true
  wait "$job_pid" "$probe_pid" 2>/dev/null || true
  local report
  report=$(spark_submit --class io.runnel.bench.FreshnessReport "$BENCH_JAR" \
    --table "$table" --probe "$dir/probe.csv" --label "$label" --warmup-seconds "$BENCH_WARMUP" \
    2>"$dir/report.log" | tail -n 1)
  [[ $report == "{"* ]] || die "$label: no report (log: $dir/report.log)"
  (spark_env exec "$RUNNEL_SPARK_SUBMIT" --class io.runnel.bench.BenchCleanup "$BENCH_JAR" \
    --topic "$topic" --prefix "_bench/$id/") >"$dir/cleanup.log" 2>&1 || info "$label: cleanup failed (log: $dir/cleanup.log)"
  local sent
  sent=$(awk '/^ *acked / {gsub(",", "", $2); print $2}' "$dir/producer.log" | tail -n 1)
  echo "${report%\}},\"kind\":\"$kind\",\"rate\":$rate,\"seconds\":$seconds,\"acked\":${sent:-0},\"cpu_s\":$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.1f", b - a}')}" |
    tee -a "$BENCH_DIR/results.jsonl"
}

cmd_bench_bronze() {
  load_env
  find_java
  cmd_up
  mvn_quiet -q package -DskipTests -Dspotless.check.skip=true
  STREAMING_JAR=$RUNNEL_ROOT/streaming/target/runnel-streaming.jar
  BENCH_JAR=$RUNNEL_ROOT/bench/target/runnel-bench.jar
  PRODUCER_JAR=$RUNNEL_ROOT/producer/target/runnel-producer.jar
  BENCH_DIR=$RUNNEL_RUN_DIR/bench/bronze-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$BENCH_DIR"
  info "Bronze benchmark: ${BENCH_REPEATS}x (Bronze, baseline) at $BENCH_FULL_RATE/s and $BENCH_HALF_RATE/s, ${BENCH_SECONDS}s each; results in $BENCH_DIR"
  local i run
  for ((i = 1; i <= BENCH_REPEATS; i++)); do
    # Interleaved, so that drift of the machine hits Bronze and the baseline alike.
    for run in $BENCH_RUNS; do
      case $run in
        bronze-full) bench_run "$run" bronze "$BENCH_FULL_RATE" "$BENCH_SECONDS" ;;
        baseline-full) bench_run "$run" baseline "$BENCH_FULL_RATE" "$BENCH_SECONDS" ;;
        bronze-half) bench_run "$run" bronze "$BENCH_HALF_RATE" "$BENCH_SECONDS" ;;
        baseline-half) bench_run "$run" baseline "$BENCH_HALF_RATE" "$BENCH_SECONDS" ;;
        *) die "unknown benchmark run '$run' in RUNNEL_BENCH_RUNS" ;;
      esac
    done
  done
  python3 "$RUNNEL_ROOT/local/bench/summarize.py" "$BENCH_DIR/results.jsonl"
}
