# shellcheck shell=bash
# ./runnel bench load: WarehouseLoadJob against the naive loader of the reference documents
# (INSERT ... ON CONFLICT and a commit per event), side by side in one run. Sourced by ./runnel.
#
# Once: a Silver events table of RUNNEL_BENCH_LOAD_ROWS generated rows (8 files, one commit) and a
# database of its own (RUNNEL_BENCH_DATABASE, migrated like the real one). Then, RUNNEL_BENCH_REPEATS
# times: empty the tables, WarehouseLoadJob --available-now with a fresh checkpoint (all rows in one
# batch), check the row count; empty the tables, the naive loader on the first
# RUNNEL_BENCH_NAIVE_ROWS events. Results in $RUNNEL_RUN_DIR/bench/load-<time>/results.jsonl.

LOAD_BENCH_ROWS=${RUNNEL_BENCH_LOAD_ROWS:-1000000}
LOAD_BENCH_NAIVE_ROWS=${RUNNEL_BENCH_NAIVE_ROWS:-20000}
LOAD_BENCH_REPEATS=${RUNNEL_BENCH_REPEATS:-3}
LOAD_BENCH_DATABASE=${RUNNEL_BENCH_DATABASE:-runnel_bench}

cmd_bench_load() {
  load_env
  find_java
  cmd_up
  mvn_quiet -q package -DskipTests -Dspotless.check.skip=true -pl batch -am
  local jar=$RUNNEL_ROOT/batch/target/runnel-batch.jar
  local dir=$RUNNEL_RUN_DIR/bench/load-$(date +%Y%m%d-%H%M%S)
  local base=_bench/load-$(date +%s)
  mkdir -p "$dir"
  export RUNNEL_PG_DATABASE=$LOAD_BENCH_DATABASE
  admin pg-init >>"$dir/admin.log" 2>&1 || die "could not create the benchmark database (log: $dir/admin.log)"
  info "generating $LOAD_BENCH_ROWS Silver events under $base/silver"
  spark_submit --class io.runnel.batch.bench.SilverEventsGenerator "$jar" \
    --root "$base/silver" --rows "$LOAD_BENCH_ROWS" --files 8 >"$dir/generate.log" 2>&1 ||
    die "generating the Silver table failed (log: $dir/generate.log)"
  local i line wall cpu rate count naive
  for ((i = 1; i <= LOAD_BENCH_REPEATS; i++)); do
    "$JAVA" -cp "$jar" io.runnel.batch.bench.BenchDatabase --truncate >>"$dir/admin.log" 2>&1 || die "truncate failed"
    info "run $i/$LOAD_BENCH_REPEATS: WarehouseLoadJob, $LOAD_BENCH_ROWS rows"
    local started=$EPOCHREALTIME
    TIMEFORMAT='%U %S'
    { time RUNNEL_SILVER_ROOT=$base/silver RUNNEL_WAREHOUSE_CHECKPOINT=$base/checkpoints-$i \
      RUNNEL_WAREHOUSE_METRICS_TABLE=$base/metrics \
      spark_submit --class io.runnel.batch.warehouse.WarehouseLoadJob "$jar" --available-now \
      >"$dir/load-$i.log" 2>&1; } 2>"$dir/load-$i.time" || die "the load failed (log: $dir/load-$i.log)"
    wall=$(awk -v a="$started" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.1f", b - a}')
    cpu=$(awk '{printf "%.1f", $1 + $2}' "$dir/load-$i.time")
    line=$(grep '^load: silver.events: ' "$dir/load-$i.log") || die "no summary line (log: $dir/load-$i.log)"
    rate=$(sed -E 's/.*, ([0-9,]+) rows\/s while loading.*/\1/; s/,//g' <<<"$line")
    count=$("$JAVA" -cp "$jar" io.runnel.batch.bench.BenchDatabase --count)
    [[ $count == "$LOAD_BENCH_ROWS $LOAD_BENCH_ROWS" ]] || die "run $i: PostgreSQL holds '$count' (rows, distinct ids), expected $LOAD_BENCH_ROWS"
    echo "{\"kind\":\"load\",\"run\":$i,\"rows\":$LOAD_BENCH_ROWS,\"rows_per_s\":$rate,\"wall_s\":$wall,\"spark_cpu_s\":$cpu}" | tee -a "$dir/results.jsonl"

    "$JAVA" -cp "$jar" io.runnel.batch.bench.BenchDatabase --truncate >>"$dir/admin.log" 2>&1 || die "truncate failed"
    info "run $i/$LOAD_BENCH_REPEATS: naive loader, $LOAD_BENCH_NAIVE_ROWS rows"
    spark_submit --class io.runnel.batch.bench.NaiveEventLoader "$jar" --root "$base/silver" \
      --rows "$LOAD_BENCH_NAIVE_ROWS" >"$dir/naive-$i.log" 2>&1 || die "the naive loader failed (log: $dir/naive-$i.log)"
    naive=$(grep '^{"kind":"naive"' "$dir/naive-$i.log") || die "no result line (log: $dir/naive-$i.log)"
    count=$("$JAVA" -cp "$jar" io.runnel.batch.bench.BenchDatabase --count)
    [[ $count == "$LOAD_BENCH_NAIVE_ROWS $LOAD_BENCH_NAIVE_ROWS" ]] || die "run $i: the naive loader left '$count' rows"
    echo "${naive%\}},\"run\":$i}" | tee -a "$dir/results.jsonl"
  done
  python3 - "$dir/results.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
load = [r for r in rows if r["kind"] == "load"]
naive = [r for r in rows if r["kind"] == "naive"]
def col(rs, k): return sorted(r[k] for r in rs)
lr, nr = col(load, "rows_per_s"), col(naive, "rows_per_s")
print("| loader | rows | median rows/s | min | max | median wall s (incl. Spark start) | median Spark CPU s |")
print("|---|---|---|---|---|---|---|")
print(f"| WarehouseLoadJob | {load[0]['rows']:,} | {statistics.median(lr):,.0f} | {lr[0]:,.0f} | {lr[-1]:,.0f} | {statistics.median(col(load, 'wall_s')):.1f} | {statistics.median(col(load, 'spark_cpu_s')):.1f} |")
print(f"| naive (INSERT ... ON CONFLICT + commit per event) | {naive[0]['rows']:,} | {statistics.median(nr):,.0f} | {nr[0]:,.0f} | {nr[-1]:,.0f} | | |")
print(f"\nspeed-up (median / median): {statistics.median(lr) / statistics.median(nr):.1f}x over {len(load)} runs each")
PY
  info "results: $dir/results.jsonl"
}
