# shellcheck shell=bash
# ./runnel bench dbt: how long an incremental dbt run takes for one load of ~100k new events on a
# base of 5M, against a full refresh of the same data. A database of its own (runnel_dbt_bench,
# dropped at the end), Silver generated in SQL, 3 runs; each run: full refresh of the base, one
# load of new events (new sessions of the last hour plus 1,000 late events of older sessions),
# `dbt run` incremental (timed), then `dbt run --full-refresh` (timed). The marts of both must be
# identical (row count and hash of every row). Results: stdout and $LOG_DIR/bench-dbt/.

cmd_bench_dbt() {
  load_env
  find_java
  ensure_platform_jar
  dbt_install
  dbt_env
  port_in_use "$RUNNEL_PG_PORT" || die "PostgreSQL is not running on 127.0.0.1:$RUNNEL_PG_PORT: start it with ./runnel up"
  BENCH_DBT_DB=${RUNNEL_BENCH_DBT_DATABASE:-runnel_dbt_bench}
  local db=$BENCH_DBT_DB
  local sessions=${RUNNEL_BENCH_DBT_SESSIONS:-625000} new_sessions=${RUNNEL_BENCH_DBT_NEW_SESSIONS:-12375}
  local runs=${RUNNEL_BENCH_DBT_RUNS:-3} out=$LOG_DIR/bench-dbt run
  mkdir -p "$out"
  local results=$out/results.tsv
  printf 'run\tbase_events\tnew_events\tfull_refresh_base_s\tincremental_s\tincremental_models_s\tfull_refresh_s\tfull_refresh_models_s\n' >"$results"

  bench_psql() {
    PGOPTIONS='-c client_min_messages=warning' PGPASSWORD=$RUNNEL_PG_ADMIN_PASSWORD psql -X -q -v ON_ERROR_STOP=1 -h "$RUNNEL_PG_HOST" -p "$RUNNEL_PG_PORT" \
      -U "$RUNNEL_PG_ADMIN_USER" "$@"
  }
  bench_drop_db() {
    [[ ${RUNNEL_BENCH_KEEP:-0} == 1 ]] && return 0
    bench_psql -d postgres -c "drop database if exists \"$BENCH_DBT_DB\" with (force)" >/dev/null
  }
  # bench_dbt_run LABEL ARGS...: runs `dbt run ARGS`, prints wall seconds and the models' own
  # seconds (run_results.json elapsed_time) as "WALL MODELS".
  bench_dbt_run() {
    local label=$1 start end
    shift
    start=$(date +%s.%N)
    run_dbt run --target prod "$@" >"$out/$label.log" 2>&1 || die "dbt run $* failed (log: $out/$label.log)"
    end=$(date +%s.%N)
    cp "$DBT_PROJECT_DIR/target/run_results.json" "$out/$label.run_results.json"
    printf '%.1f %.1f\n' "$(echo "$end - $start" | bc)" \
      "$("$DBT_VENV/bin/python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["elapsed_time"])' "$out/$label.run_results.json")"
  }
  bench_checksums() {
    bench_psql -d "$db" -At -c "
      select string_agg(m || ':' || n || ':' || h, ' ' order by m) from (
        select 'fct_events' as m, count(*) as n, sum(hashtext(t::text)::bigint) as h from marts.fct_events as t
        union all select 'user_event_summary', count(*), sum(hashtext(t::text)::bigint) from marts.user_event_summary as t
        union all select 'fct_purchases', count(*), sum(hashtext(t::text)::bigint) from marts.fct_purchases as t
        union all select 'funnel_daily', count(*), sum(hashtext(t::text)::bigint) from marts.funnel_daily as t
        union all select 'revenue_hourly', count(*), sum(hashtext(t::text)::bigint) from marts.revenue_hourly as t
        union all select 'dim_users', count(*), sum(hashtext(t::text)::bigint) from marts.dim_users as t
        union all select 'sessions', count(*), sum(hashtext(t::text)::bigint)
          from intermediate.int_events_aggregated_to_sessions as t
      ) as c"
  }

  trap bench_drop_db EXIT
  export RUNNEL_PG_DATABASE=$db
  info "dbt bench: database $db, base of $sessions sessions (~$((sessions * 8)) events), $runs runs"
  bench_psql -d postgres -c "drop database if exists \"$db\" with (force)" >/dev/null
  admin pg-init --timeout-seconds 30 >>"$LOG_DIR/admin.log" 2>&1 || die "migrating $db failed: $(tail -n 1 "$LOG_DIR/admin.log")"
  local t0 base
  t0=$(date +%s)
  bench_psql -d "$db" -v sessions="$sessions" -f "$RUNNEL_ROOT/local/bench/dbt/silver_base.sql"
  base=$(bench_psql -d "$db" -At -c "select count(*) from silver.events")
  info "base generated: $base events in $(($(date +%s) - t0)) s"
  # The snapshot reads the staging view; both are built once (a model run does not touch them).
  { run_dbt run --target prod --select staging && run_dbt snapshot --target prod; } >"$out/snapshot.log" 2>&1 ||
    die "dbt snapshot failed (log: $out/snapshot.log)"

  local full_base inc full new sum_inc sum_full
  for ((run = 1; run <= runs; run++)); do
    bench_psql -d "$db" -c "delete from silver.events where source_topic = 'bench-new'" -c "vacuum analyze silver.events"
    full_base=$(bench_dbt_run "run$run-full-refresh-base" --full-refresh)
    bench_psql -d "$db" -v sessions="$new_sessions" -v run="$run" -f "$RUNNEL_ROOT/local/bench/dbt/silver_new.sql"
    new=$(bench_psql -d "$db" -At -c "select count(*) from silver.events where source_topic = 'bench-new'")
    inc=$(bench_dbt_run "run$run-incremental")
    sum_inc=$(bench_checksums)
    full=$(bench_dbt_run "run$run-full-refresh" --full-refresh)
    sum_full=$(bench_checksums)
    [[ $sum_inc == "$sum_full" ]] || die "run $run: the incremental marts differ from the full refresh: $sum_inc vs $sum_full"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$base" "$new" "${full_base%% *}" "${inc%% *}" "${inc#* }" \
      "${full%% *}" "${full#* }" >>"$results"
    info "run $run: $new new events; incremental ${inc%% *} s (models ${inc#* } s), full refresh ${full%% *} s (models ${full#* } s); marts identical"
  done

  "$DBT_VENV/bin/python" - "$results" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def col(name): return [float(r[name]) for r in rows]
def fmt(name):
    v = col(name); return f"median {statistics.median(v):.1f} s (min {min(v):.1f}, max {max(v):.1f})"
print(f"base {rows[0]['base_events']} events, {rows[0]['new_events']} new events per run, {len(rows)} runs")
for name in ["incremental_s", "incremental_models_s", "full_refresh_s", "full_refresh_models_s"]:
    print(f"  {name:24} {fmt(name)}")
ratio = statistics.median(col("incremental_s")) / statistics.median(col("full_refresh_s"))
ratio_models = statistics.median(col("incremental_models_s")) / statistics.median(col("full_refresh_models_s"))
print(f"  incremental / full refresh: {ratio:.1%} wall, {ratio_models:.1%} models only (goal: at most 10%)")
PY
  ok "dbt bench done (details: $out)"
}
