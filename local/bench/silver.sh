# shellcheck shell=bash
# ./runnel bench silver: SilverJob's rate on one Bronze table, against a baseline, in one run.
# Sourced by ./runnel (its helpers and settings are in scope). Results go under
# $RUNNEL_RUN_DIR/bench/silver-<time>/ and a Markdown table is printed for BENCHMARKS.md.
#
# Once: the producer sends RUNNEL_BENCH_SILVER_ROWS records (10% duplicates, 1% bad records of six
# kinds) to a fresh topic, and the Bronze job lands them. Then, RUNNEL_BENCH_REPEATS times, in turn:
# SilverJob (available now, a fresh Silver folder and checkpoint each time) and BaselineSilverJob
# (from_json and append: no rules, quarantine or deduplication) on the same Bronze table. The rate is
# Bronze rows / the time from the job's start of work to its end, as each job prints it (JVM and
# Spark start-up are not included; they are the same for both).

SILVER_BENCH_ROWS=${RUNNEL_BENCH_SILVER_ROWS:-1000000}

cmd_bench_silver() {
  load_env
  find_java
  cmd_up
  info "building the jars"
  mvn_quiet -q package -DskipTests -Dspotless.check.skip=true
  local streaming_jar=$RUNNEL_ROOT/streaming/target/runnel-streaming.jar
  local batch_jar=$RUNNEL_ROOT/batch/target/runnel-batch.jar
  local bench_jar=$RUNNEL_ROOT/bench/target/runnel-bench.jar
  local producer_jar=$RUNNEL_ROOT/producer/target/runnel-producer.jar
  local repeats=${RUNNEL_BENCH_REPEATS:-3}
  local id dir topic base i line
  id=$(date +%s)-$RANDOM
  dir=$RUNNEL_RUN_DIR/bench/silver-$(date +%Y%m%d-%H%M%S)
  topic=bench-silver-$id
  base=_bench/silver-$id
  mkdir -p "$dir"
  admin kafka-ready --topic "$topic:2" >>"$dir/admin.log" 2>&1 || die "could not create $topic"

  info "producing $SILVER_BENCH_ROWS records to $topic (10% duplicates, 1% bad)"
  "$JAVA" -jar "$producer_jar" --topic "$topic" --count "$SILVER_BENCH_ROWS" --progress-seconds 0 \
    --bad duplicate=0.1 --bad malformed-json=0.0017 --bad missing-field=0.0017 \
    --bad wrong-type=0.0017 --bad unknown-event-type=0.0017 --bad negative-price=0.0016 \
    --bad invalid-utf8=0.0016 >"$dir/producer.log" 2>&1 || die "the producer failed (log: $dir/producer.log)"
  info "Bronze: landing them in $base/bronze"
  RUNNEL_BRONZE_TOPICS=$topic RUNNEL_BRONZE_TABLE=$base/bronze \
    RUNNEL_BRONZE_CHECKPOINT=$base/_checkpoints/bronze RUNNEL_BRONZE_METRICS_TABLE=$base/metrics \
    spark_submit --class io.runnel.streaming.BronzeIngestJob "$streaming_jar" --available-now \
    >"$dir/bronze.log" 2>&1 || die "the Bronze job failed (log: $dir/bronze.log)"

  for ((i = 1; i <= repeats; i++)); do
    info "run $i of $repeats: SilverJob"
    RUNNEL_BRONZE_TABLE=$base/bronze RUNNEL_SILVER_ROOT=$base/silver-$i \
      RUNNEL_SILVER_CHECKPOINT=$base/_checkpoints/silver-$i RUNNEL_SILVER_METRICS_TABLE=$base/metrics \
      RUNNEL_SILVER_EVENT_TOPICS=$topic \
      spark_submit --class io.runnel.batch.silver.SilverJob "$batch_jar" --available-now \
      >"$dir/silver-$i.log" 2>&1 || die "SilverJob failed (log: $dir/silver-$i.log)"
    line=$(grep '^silver: this run:' "$dir/silver-$i.log") || die "no summary in $dir/silver-$i.log"
    echo "  $line"
    echo "silver $(sed -E 's/.*, ([0-9,]+) rows\/s$/\1/' <<<"$line" | tr -d ,)" >>"$dir/rates"
    info "run $i of $repeats: baseline (from_json and append)"
    spark_submit --class io.runnel.bench.BaselineSilverJob "$bench_jar" \
      --bronze "$base/bronze" --table "$base/baseline-$i" \
      >"$dir/baseline-$i.log" 2>&1 || die "the baseline failed (log: $dir/baseline-$i.log)"
    line=$(grep '^baseline-silver:' "$dir/baseline-$i.log") || die "no summary in $dir/baseline-$i.log"
    echo "  $line"
    echo "baseline $(sed -E 's/.*, ([0-9,]+) rows\/s$/\1/' <<<"$line" | tr -d ,)" >>"$dir/rates"
  done

  spark_submit --class io.runnel.bench.BenchCleanup "$bench_jar" --topic "$topic" \
    --prefix "$base/" >"$dir/cleanup.log" 2>&1 || info "cleanup failed (log: $dir/cleanup.log)"
  python3 - "$dir/rates" "$SILVER_BENCH_ROWS" <<'EOF'
import statistics, sys
rates = {}
for line in open(sys.argv[1]):
    job, rate = line.split()
    rates.setdefault(job, []).append(int(rate))
silver, base = statistics.median(rates["silver"]), statistics.median(rates["baseline"])
print(f"\n| job | runs (rows/s) | median rows/s |\n|---|---|---|")
for job, label in (("silver", "SilverJob"), ("baseline", "baseline: from_json + append")):
    runs = ", ".join(f"{r:,}" for r in rates[job])
    print(f"| {label} | {runs} | {statistics.median(rates[job]):,.0f} |")
print(f"\nSilverJob at {silver / base:.0%} of the baseline's rate on {int(sys.argv[2]):,} Bronze rows; goal 50,000 rows/s: {'met' if silver >= 50000 else 'NOT met'}")
EOF
}
