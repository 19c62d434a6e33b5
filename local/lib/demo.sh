# shellcheck shell=bash
# ./runnel demo: the whole pipeline live. The producer sends events at a rate, Bronze streams them
# continuously, and Silver -> load -> dbt run every RUNNEL_SCHEDULE_SECONDS (like the Airflow DAG
# in orchestration/) or, with --continuous, Silver and the load stream too and dbt runs in a loop.
# When the producer is done (or on Ctrl-C) the jobs drain and stop, a last cycle runs, and the
# report reconciles every layer through Trino and gives the freshness of each.
# Sourced by ./runnel after the other libraries.

demo_usage() {
  cat <<EOF
Usage: ./runnel demo [--events N | --duration TIME] [--rate PER_SECOND] [--every SECONDS | --continuous]

  --events N        events to send (default RUNNEL_DEMO_EVENTS, or 100000)
  --duration TIME   send for this long instead (90s, 5m, 1h)
  --rate N          events per second, 0 for as fast as Kafka takes them (default RUNNEL_DEMO_RATE, or 5000)
  --every SECONDS   run Silver -> load -> dbt every SECONDS (default RUNNEL_SCHEDULE_SECONDS, or 60)
  --continuous      Silver and the load stream continuously; dbt runs incrementally every SECONDS
EOF
}

DEMO_JOBS=(demo-producer demo-bronze demo-silver demo-load)

# demo_job NAME CLASS JAR ARGS...: a Spark job in the background, in its own session (Ctrl-C
# here does not reach it; the demo stops it), its scratch space in the run folder, supervised
# (local/lib/supervise): when it exits with an error or is killed, it is started again with
# backoff, until it fails RUNNEL_RESTART_LIMIT times in a row. Its start-up waits up to
# RUNNEL_PREFLIGHT_SECONDS (120 here, 20 for a job run by hand) for a service that is down: a
# restart during an outage then waits for the service once instead of failing and starting a JVM
# again after each 20 s.
demo_job() {
  local name=$1 class=$2 jar=$3
  shift 3
  RUNNEL_PREFLIGHT_SECONDS=${RUNNEL_PREFLIGHT_SECONDS:-120} spark_env start_process "demo-$name" "$PIPELINE_LOGS/$name.log" \
    "$RUNNEL_ROOT/local/lib/supervise" "$name" "$PIPELINE_LOGS/$name.log" "$PIPELINE_LOGS/.$name.state" -- \
    "$RUNNEL_SPARK_SUBMIT" --conf "spark.local.dir=$RUNNEL_RUN_DIR/spark-local" --class "$class" "$jar" "$@"
}

# demo_restarts: "; restarts: silver 2, load 1" for the supervised jobs restarted so far.
demo_restarts() {
  local file n list=''
  for file in "$PIPELINE_LOGS"/.*.state; do
    [[ -f $file ]] || continue
    read -r n _ <"$file" || continue
    ((n > 0)) || continue
    file=${file##*/.}
    list+="${list:+, }${file%.state} $n"
  done
  ((${DEMO_DBT_FAILURES:-0} == 0)) || list+="${list:+, }dbt ${DEMO_DBT_FAILURES}"
  [[ -z $list ]] || printf '  ·  restarts: %s' "$list"
}

# demo_check_jobs NAME...: dies with one line when a supervised job has ended: it gave up after
# failing RUNNEL_RESTART_LIMIT times in a row (its last error), or stopped on its own.
demo_check_jobs() {
  local name state
  for name in "$@"; do
    service_pid "demo-$name" >/dev/null && continue
    demo_job_errors "$PIPELINE_LOGS/$name.log" >&2
    state=$(head -n 1 "$PIPELINE_LOGS/.$name.state" 2>/dev/null) || state=''
    if grep -q '^gave up' "$PIPELINE_LOGS/.$name.state" 2>/dev/null; then
      die "the $name job was $(grep '^gave up' "$PIPELINE_LOGS/.$name.state" | sed 's/^gave up/given up/; s/failures/failure(s)/') (RUNNEL_RESTART_LIMIT=${RUNNEL_RESTART_LIMIT:-8}; last: ${state#* * }; log: $PIPELINE_LOGS/$name.log)"
    fi
    die "the $name job stopped unexpectedly (log: $PIPELINE_LOGS/$name.log)"
  done
}

# demo_drain_jobs NAME...: each supervised job in turn (Bronze before Silver before the load)
# takes what its sources hold and ends (SIGUSR1: its running JVM stops its streaming queries
# between two batches and runs them once more available-now); its summary lines are shown. A job
# that fails meanwhile is restarted by its supervisor, available-now; one that cannot end ends the
# caller with its error.
demo_drain_jobs() {
  local name pid first log
  for name in "$@"; do
    log=$PIPELINE_LOGS/$name.log
    pid=$(service_pid "demo-$name") || die "the $name job is not running: nothing to drain (log: $log)"
    first=$(($(wc -l <"$log") + 1))
    kill -USR1 "$pid"
    while process_alive "$pid"; do sleep 0.5; done
    rm -f "$(pid_file "demo-$name")"
    if ! grep -qx drained "$PIPELINE_LOGS/.$name.state" 2>/dev/null; then
      tail -n "+$first" "$log" | demo_job_errors /dev/stdin >&2
      die "the $name job did not drain (log: $log)"
    fi
    tail -n "+$first" "$log" | grep -E "^(bronze|silver|load)[:]" | sed 's/^/  /' || true
  done
}

demo_stop_jobs() {
  local name
  for name in "${DEMO_JOBS[@]}"; do
    stop_service "$name" >/dev/null
  done
}

# The producer's last progress line, e.g. "sent 45,000 (5,001/s) acked 45,000 errors 0".
demo_produced() {
  local line
  line=$(grep -E '(sent [0-9,]+ .*acked|^  acked)' "$PIPELINE_LOGS/producer.log" 2>/dev/null | tail -n 1) || true
  sed -nE 's/.*(sent [0-9,]+ \([0-9,]+\/s\)).*/\1/p; s/^  acked +([0-9,]+).*/acked \1/p' <<<"$line"
}

# Bronze's Kafka lag after its newest batch, or nothing before its first one.
demo_bronze_lag() {
  { grep -oE 'Kafka lag [0-9,]+' "$PIPELINE_LOGS/bronze.log" 2>/dev/null || true; } | tail -n 1 | tr -dc '0-9'
}

demo_progress() {
  local next=$1 produced lag events
  produced=$(demo_produced)
  lag=$(demo_bronze_lag)
  events=$(pipeline_query "select count(*) from silver.events" 2>/dev/null || echo '?')
  printf '%s\n' "${_dim}$(date +%H:%M:%S)${_off} produced: ${produced:-starting}  ·  Bronze lag: ${lag:-first batch pending}  ·  PostgreSQL silver.events: $events$(demo_restarts)  ·  $next"
}

# demo_dbt: an incremental dbt build; its start and end (epoch seconds) go to DEMO_DBT_RUNS for
# the marts' freshness.
# demo_dbt [--no-tests]: `dbt build`; without the tests while the load streams, since a test
# comparing the marts with Silver would race the rows the load is adding meanwhile (the last
# cycle, after the drain, builds and tests everything). Snapshots still run: the products
# dimension is built from one.
demo_dbt() {
  local started finished args=(build) log=$PIPELINE_LOGS/dbt-build.log first
  [[ ${1:-} != --no-tests ]] || args+=(--exclude-resource-type test unit_test)
  first=1
  [[ ! -f $log ]] || first=$(($(wc -l <"$log") + 1))
  started=$(date +%s.%N)
  if ! (cd "$DBT_PROJECT_DIR" && setsid -w "$DBT_VENV/bin/dbt" "${args[@]}") >>"$log" 2>&1; then
    # dbt's own summary of what failed (colour codes removed), so the cause shows without the log.
    tail -n "+$first" "$log" | sed -n '/Completed with/,$p' | sed -E 's/\x1b\[[0-9;]*m//g' | head -n 12 >&2
    printf '%s\n' "${_red}runnel: dbt ${args[*]} failed (log: $log)${_off}" >&2
    return 1
  fi
  finished=$(date +%s.%N)
  DEMO_DBT_RUNS+=("$started $finished")
  grep -E "Done\. PASS" "$log" | tail -n 1 | sed 's/^.*Done\./  dbt build:/' || true
}

# demo_stage NAME CLASS JAR [ARGS...]: a job (default argument --available-now) in a session of
# its own, so that Ctrl-C asks the demo to drain instead of killing the job mid-batch; its
# summary line is shown.
demo_stage() {
  local name=$1 class=$2 jar=$3
  shift 3
  (($#)) || set -- --available-now
  local log=$PIPELINE_LOGS/$name.log
  if ! spark_env setsid -w \
    "$RUNNEL_SPARK_SUBMIT" --class "$class" "$jar" "$@" >"$log" 2>&1; then
    demo_job_errors "$log" >&2
    die "$name failed (log: $log)"
  fi
  grep -E "^(bronze|silver|load)[:]" "$log" | sed 's/^/  /' || true
}

# demo_job_errors LOG: a failed job's ERROR lines and its closing one-line error ("load: ..."),
# so that the cause shows where the log itself cannot be read (a CI runner).
demo_job_errors() {
  grep -E '^[0-9:]+ ERROR |^(bronze|silver|load)[:] ' "$1" | cut -c 1-400 | tail -n 8 | sed 's/^/  | /' || true
}

# demo_wait PID: the background command's exit status. Waiting on it (not running it in the
# foreground) lets this shell's Ctrl-C trap run at once; the command itself goes on undisturbed.
demo_wait() {
  local pid=$1 rc
  while true; do
    wait "$pid" && return 0
    rc=$?
    kill -0 "$pid" 2>/dev/null || return "$rc"
  done
}

# One scheduled cycle: Silver and the load (available now), then dbt.
demo_cycle() {
  local n=$1
  info "cycle $n: Silver, load, dbt build"
  demo_stage "silver-$n" io.runnel.batch.silver.SilverJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
  demo_stage "load-$n" io.runnel.batch.warehouse.WarehouseLoadJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
  demo_dbt || exit 1
}

# demo_dbt_supervised: an incremental dbt build without tests, beside streaming jobs. A failed build
# (PostgreSQL restarting, say) is retried at the next cycle; RUNNEL_RESTART_LIMIT failures in a row
# end the run. Every build is idempotent: a killed or failed one leaves the next to finish its work.
demo_dbt_supervised() {
  if demo_dbt --no-tests; then
    DEMO_DBT_FAILED_IN_A_ROW=0
    return 0
  fi
  DEMO_DBT_FAILURES=$((${DEMO_DBT_FAILURES:-0} + 1))
  DEMO_DBT_FAILED_IN_A_ROW=$((${DEMO_DBT_FAILED_IN_A_ROW:-0} + 1))
  ((DEMO_DBT_FAILED_IN_A_ROW <= ${RUNNEL_RESTART_LIMIT:-8})) ||
    die "dbt build failed ${DEMO_DBT_FAILED_IN_A_ROW} times in a row; giving up (log: $PIPELINE_LOGS/dbt-build.log)"
  info "dbt build failed; it runs again at the next cycle"
}

# The federated reconciliation (trino/queries/reconciliation.sql) as "layer count" lines; all
# zeros before the jobs have created the tables.
demo_layers() {
  local out
  if out=$(trino_cli "$RUNNEL_TRINO_BI_USER" "$RUNNEL_TRINO_BI_PASSWORD" --output-format TSV \
    -f "$RUNNEL_ROOT/trino/queries/reconciliation.sql" </dev/null 2>"$PIPELINE_LOGS/trino-reconcile.err"); then
    awk -F'\t' '{print substr($1, 3) "\t" $2 "\t" $3 "\t" $4}' <<<"$out"
  else
    return 1
  fi
}

# demo_kafka_records: the records the events topic has taken (its end offsets), as a demo_layers
# line; for a first demo, whose lake tables do not exist yet, so the full query cannot run.
demo_kafka_records() {
  local n
  n=$(trino_cli "$RUNNEL_TRINO_BI_USER" "$RUNNEL_TRINO_BI_PASSWORD" --output-format TSV --execute \
    "SELECT coalesce(sum(end_offset), 0) FROM (SELECT max(_partition_offset) + 1 AS end_offset FROM stream.default.events GROUP BY _partition_id)" \
    </dev/null 2>>"$PIPELINE_LOGS/trino-reconcile.err") || return 1
  printf 'kafka (events topic)\t%s\n' "$n"
}

# demo_layer LINES NAME FIELD: one figure of demo_layers' output (FIELD 2: rows, 4: agrees).
demo_layer() {
  awk -F'\t' -v name="$2" -v f="$3" '$1 == name {print $f}' <<<"$1"
}

demo_report() {
  local before=$1 after=$2 started=$3 rc=0
  local acked name b a gaps=()
  acked=$(sed -nE 's/^  acked +([0-9,]+).*/\1/p' "$PIPELINE_LOGS/producer.log" | tr -d , | tail -n 1)
  printf '\n%s\n' "${_bold}Reconciliation${_off} (through Trino: Kafka, the lake, PostgreSQL, the marts)"
  printf '  %-28s %12s %14s  %s\n' "" "this run" "all time" "agrees"
  printf '  %-28s %12s\n' "produced (acked by Kafka)" "${acked:-0}"
  for name in "kafka (events topic)" "bronze (events topic)" "silver winners" "quarantined" \
    "duplicates collapsed" "unaccounted" "warehouse silver.events" "refused by PostgreSQL" "marts fct_events"; do
    a=$(demo_layer "$after" "$name" 2)
    b=$(demo_layer "$before" "$name" 2)
    printf '  %-28s %12s %14s  %s\n' "$name" "$((a - ${b:-0}))" "$a" "$(demo_layer "$after" "$name" 4)"
    [[ $(demo_layer "$after" "$name" 4) == true ]] || gaps+=("$name: $(demo_layer "$after" "$name" 2) rows, expected $(demo_layer "$after" "$name" 3)")
  done
  b=$(demo_layer "$before" "kafka (events topic)" 2)
  local kafka_delta=$(($(demo_layer "$after" "kafka (events topic)" 2) - ${b:-0}))
  # Other clients may write to the topic too (kcat in the BI test): their records are in every
  # layer's all-time figures above; the producer's own must all be in the topic's growth.
  ((kafka_delta >= ${acked:-0})) || gaps+=("the producer had $acked records acked, the events topic grew by only $kafka_delta")
  ((kafka_delta == ${acked:-0})) ||
    printf '  %-28s %12s\n' "written by other clients" "$((kafka_delta - ${acked:-0}))"
  local reasons
  reasons=$(trino_cli "$RUNNEL_TRINO_BI_USER" "$RUNNEL_TRINO_BI_PASSWORD" --output-format TSV --execute \
    "SELECT r, count(*) FROM lake.silver.events_quarantine CROSS JOIN UNNEST(error_reasons) AS t (r) WHERE silver_at >= from_unixtime($started) GROUP BY r ORDER BY 2 DESC, 1" </dev/null |
    awk -F'\t' 'NR <= 8 {printf "%s%s %s", sep, $1, $2; sep=", "} NR > 8 {more++} END {if (more) printf ", and %d more reasons", more}')
  printf '  %-28s %s\n' "quarantined, by reason" "${reasons:-none} (this run)"
  if ((${#gaps[@]} == 0)); then
    ok "every layer agrees: ${acked:-0} records produced in this run, none lost, none counted twice"
  else
    for b in "${gaps[@]}"; do printf '%s\n' "${_red}✘ $b${_off}" >&2; done
    rc=1
  fi
  demo_freshness "$started"
  return $rc
}

# Freshness of this run's on-time events: event time to Bronze (its batch's time), Silver, the
# warehouse (its load), and the marts (the end of the first dbt build that started after the load).
demo_freshness() {
  local started=$1 runs='' run
  for run in "${DEMO_DBT_RUNS[@]}"; do
    runs+="${runs:+, }(from_unixtime(${run% *}), from_unixtime(${run#* }))"
  done
  [[ -n $runs ]] || runs="(from_unixtime(0), from_unixtime(0))"
  local sql="
WITH runs (started, finished) AS (VALUES $runs),
lake AS (
    SELECT ts, ingested_at, silver_at FROM lake.silver.events
    WHERE ingested_at >= from_unixtime($started) AND NOT is_late
),
warehouse AS (
    SELECT e.ts, e.loaded_at,
        (SELECT min(r.finished) FROM runs AS r WHERE r.started >= e.loaded_at) AS in_marts
    FROM warehouse.silver.events AS e
    WHERE e.ingested_at >= from_unixtime($started) AND NOT e.is_late
),
lags (layer, ord, ms) AS (
    SELECT 'Bronze', 1, to_milliseconds(ingested_at - ts) FROM lake
    UNION ALL SELECT 'Silver', 2, to_milliseconds(silver_at - ts) FROM lake
    UNION ALL SELECT 'PostgreSQL', 3, to_milliseconds(loaded_at - ts) FROM warehouse
    UNION ALL SELECT 'marts', 4, to_milliseconds(in_marts - ts) FROM warehouse WHERE in_marts IS NOT NULL
)
SELECT layer, count(*), round(approx_percentile(ms, 0.5) / 1000e0, 1), round(approx_percentile(ms, 0.95) / 1000e0, 1)
FROM lags GROUP BY layer, ord ORDER BY ord"
  local out
  out=$(trino_cli "$RUNNEL_TRINO_BI_USER" "$RUNNEL_TRINO_BI_PASSWORD" --output-format TSV --execute "$sql" </dev/null) || {
    printf '%s\n' "${_red}✘ the freshness query failed${_off}" >&2
    return 1
  }
  printf '\n%s\n' "${_bold}Freshness${_off} (event time to visible in each layer, this run's on-time events)"
  awk -F'\t' '{printf "  %-12s p50 %7.1f s   p95 %7.1f s   (%s events)\n", $1, $3, $4, $2}' <<<"$out"
}

cmd_demo() {
  local events=${RUNNEL_DEMO_EVENTS:-100000} duration='' rate=${RUNNEL_DEMO_RATE:-5000}
  local every=${RUNNEL_SCHEDULE_SECONDS:-60} continuous=false
  while (($#)); do
    case $1 in
      --events) events=${2:?--events needs a number} && duration='' && shift 2 ;;
      --duration) duration=${2:?--duration needs a time} && shift 2 ;;
      --rate) rate=${2:?--rate needs a number} && shift 2 ;;
      --every) every=${2:?--every needs seconds} && shift 2 ;;
      --continuous) continuous=true && shift ;;
      -h | --help) demo_usage && return 0 ;;
      *) demo_usage >&2 && die "unknown demo option '$1'" ;;
    esac
  done
  [[ $events =~ ^[1-9][0-9]*$ ]] || die "--events (RUNNEL_DEMO_EVENTS) must be a positive number, got '$events'"
  [[ $rate =~ ^[0-9]+$ ]] || die "--rate (RUNNEL_DEMO_RATE) must be a number of events per second, got '$rate'"
  [[ $every =~ ^[0-9]+$ ]] && ((every >= 10)) || die "--every (RUNNEL_SCHEDULE_SECONDS) must be at least 10 seconds, got '$every'"

  local t0
  t0=$(date +%s)
  cmd_up
  cmd_build
  ensure_topics
  dbt_install
  dbt_env
  PIPELINE_LOGS=$LOG_DIR/demo-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$PIPELINE_LOGS" "$RUNNEL_RUN_DIR/spark-local"
  local name
  for name in "${DEMO_JOBS[@]}"; do
    ! service_pid "$name" >/dev/null || die "a demo is already running ($name, pid $(service_pid "$name")): stop it first (Ctrl-C in its terminal)"
  done
  trino_register_tables >/dev/null
  local before after started
  before=$(demo_layers) || before=$(demo_kafka_records) || before=''
  started=$(date +%s)
  DEMO_DBT_RUNS=()

  local produce=(--progress-seconds 2 --bad all=0.002)
  if [[ -n $duration ]]; then produce+=(--duration "$duration"); else produce+=(--count "$events"); fi
  ((rate == 0)) || produce+=(--rate "$rate")
  local speed="$rate/s"
  ((rate > 0)) || speed="full speed"
  info "the product catalog, then ${duration:-$events events} at $speed (0.2% of each kind of bad record); logs in $PIPELINE_LOGS"
  "$JAVA" -jar "$RUNNEL_ROOT/producer/target/runnel-producer.jar" products --progress-seconds 0 \
    >"$PIPELINE_LOGS/products.log" 2>&1 || die "the producer failed (log: $PIPELINE_LOGS/products.log)"
  trap 'demo_stop_jobs' EXIT
  DEMO_STOP_FLAG=$PIPELINE_LOGS/.ctrl-c DEMO_DRAIN_FLAG=$PIPELINE_LOGS/.draining DEMO_FOLLOW_PID=''
  trap demo_on_ctrl_c INT
  start_process demo-producer "$PIPELINE_LOGS/producer.log" "$JAVA" -Drunnel.run.dir="$RUNNEL_RUN_DIR" \
    -jar "$RUNNEL_ROOT/producer/target/runnel-producer.jar" "${produce[@]}"
  demo_job bronze io.runnel.streaming.BronzeIngestJob "$RUNNEL_ROOT/streaming/target/runnel-streaming.jar"
  if $continuous; then
    demo_job silver io.runnel.batch.silver.SilverJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
    demo_job load io.runnel.batch.warehouse.WarehouseLoadJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
    info "streaming: Bronze, Silver and the load run continuously; dbt every $every s"
  else
    info "streaming: Bronze runs continuously; Silver -> load -> dbt every $every s"
  fi
  demo_urls
  # The rest runs in a subshell that ignores SIGINT, and so do its programs: Ctrl-C reaches the
  # whole process group, and would otherwise kill whatever short command (date, psql, Trino's
  # CLI) happens to run, ending the demo mid-way. This shell handles Ctrl-C (demo_on_ctrl_c).
  (
    trap '' INT
    demo_follow
  ) &
  DEMO_FOLLOW_PID=$!
  local rc=0
  demo_wait "$DEMO_FOLLOW_PID" || rc=$?
  trap - INT
  return $rc
}

# demo_on_ctrl_c: the first Ctrl-C stops the producer (demo_follow then drains and reports); a
# second one, or one during the drain, aborts.
demo_on_ctrl_c() {
  if [[ -f $DEMO_STOP_FLAG || -f $DEMO_DRAIN_FLAG ]]; then
    [[ -z $DEMO_FOLLOW_PID ]] || kill "$DEMO_FOLLOW_PID" 2>/dev/null || true
    demo_stop_jobs
    exit 130
  fi
  touch "$DEMO_STOP_FLAG"
  info "Ctrl-C: stopping the producer; the running cycle finishes, then the jobs drain (Ctrl-C again aborts)"
  stop_service demo-producer >/dev/null
}

# demo_follow: cmd_demo's second half (its variables are in scope): until the producer is done
# and the jobs have caught up, the scheduled cycles and the progress line; then the drain, the
# last cycle and the report.
demo_follow() {
  # Until the producer is done and Bronze has caught up with Kafka: a cycle (or, when
  # continuous, a dbt run) every $every s, a progress line every 5 s.
  local cycle=0 next=$((started + every)) now lag quiet=0 loaded loaded_before='' stable=0 loaded_start
  loaded_start=$(pipeline_query "select (select count(*) from silver.events) + (select count(*) from silver.events_quarantine)")
  while true; do
    now=$(date +%s)
    if [[ -f $DEMO_STOP_FLAG ]] && service_pid demo-producer >/dev/null; then
      stop_service demo-producer >/dev/null
    fi
    if ! service_pid demo-producer >/dev/null; then
      grep -q '^  acked' "$PIPELINE_LOGS/producer.log" 2>/dev/null ||
        die "the producer stopped without its summary (log: $PIPELINE_LOGS/producer.log)"
      lag=$(demo_bronze_lag)
      # Caught up: a Bronze batch after the producer's end saw no lag (or Ctrl-C was pressed);
      # when Silver and the load stream too, also their output in PostgreSQL has grown and then
      # stayed put for 10 s (at most 2 minutes: the drain below takes what is left).
      if [[ -f $DEMO_STOP_FLAG ]]; then
        break
      elif [[ $lag == 0 ]] && ((quiet++ >= 1)); then
        $continuous || break
        loaded=$(pipeline_query "select (select count(*) from silver.events) + (select count(*) from silver.events_quarantine)" 2>/dev/null || echo 0)
        if [[ $loaded == "$loaded_before" ]] && ((loaded > loaded_start)); then
          ((++stable >= 2)) && break
        else
          stable=0
        fi
        loaded_before=$loaded
        ((quiet < 25)) || break
      fi
    fi
    # shellcheck disable=SC2046 # the job names are words
    demo_check_jobs bronze $($continuous && echo silver load)
    if ((now >= next)); then
      cycle=$((cycle + 1))
      if $continuous; then
        info "dbt build $cycle (without tests; the last one, after the drain, also tests)"
        demo_dbt_supervised
      else
        demo_cycle "$cycle"
      fi
      trino_register_tables >/dev/null
      next=$((next + every))
      ((next > $(date +%s))) || next=$(($(date +%s) + every))
    fi
    demo_progress "next $($continuous && echo 'dbt run' || echo cycle) in $((next - $(date +%s))) s"
    sleep 5
  done

  touch "$DEMO_DRAIN_FLAG"
  stop_service demo-producer >/dev/null
  # Records Bronze had not reached (after Ctrl-C) are taken now, by the running jobs themselves.
  if $continuous; then
    info "draining: Bronze, Silver and the load take what is left and stop, then a last dbt build with tests (Ctrl-C aborts)"
    demo_drain_jobs bronze silver load
    demo_dbt || exit 1
  else
    info "draining: Bronze takes what is left and stops, then a last Silver, load and dbt (Ctrl-C aborts)"
    demo_drain_jobs bronze
    demo_cycle last
  fi
  trino_register_tables >/dev/null
  after=$(demo_layers) || die "the reconciliation query failed (log: $PIPELINE_LOGS/trino-reconcile.err)"
  local rc=0
  demo_report "$before" "$after" "$started" || rc=$?
  printf '\n%s\n' "${_bold}Runnel is up${_off} ($(($(date +%s) - t0)) s; logs in $PIPELINE_LOGS)"
  demo_urls
  cat <<EOF

Stream more: ./runnel produce --rate 2000, with ./runnel bronze, ./runnel silver and ./runnel load
(each runs continuously) and ./runnel transform; or run the demo again. Stop everything with
./runnel down.
EOF
  return $rc
}

demo_urls() {
  cat <<EOF
  Kafka        $RUNNEL_KAFKA_BOOTSTRAP (topics events, products)
  S3 (MinIO)   $RUNNEL_S3_ENDPOINT   console http://127.0.0.1:$RUNNEL_S3_CONSOLE_PORT (user $RUNNEL_S3_ACCESS_KEY, password in $SECRETS_FILE)
  Lake         s3a://$RUNNEL_LAKE_BUCKET/bronze/events, s3a://$RUNNEL_LAKE_BUCKET/silver/{events,events_quarantine,products,products_history} (Delta)
  PostgreSQL   postgresql://127.0.0.1:$RUNNEL_PG_PORT/$RUNNEL_PG_DATABASE: schemas silver (loaded), staging, intermediate, marts (dbt)
  Superset     http://127.0.0.1:$RUNNEL_SUPERSET_PORT (dashboards Clickstream and Pipeline health; user $SUPERSET_ADMIN_USER, password RUNNEL_SUPERSET_ADMIN_PASSWORD in $SECRETS_FILE)
  Trino        $RUNNEL_TRINO_URL (catalogs lake, warehouse, stream): ./runnel sql
  Spark UI     http://127.0.0.1:4040 (the Bronze job, while it streams)
  dbt docs     ./runnel docs (http://127.0.0.1:$RUNNEL_DOCS_PORT)
EOF
}

# ./runnel replay --from TIME --to TIME: Bronze rows whose Kafka timestamp is in the window go
# through Silver again (one batch, outside the streaming checkpoint), then the load and dbt run.
# Every write is idempotent, so the counts of every layer must not change; the report shows them
# before and after, through Trino.
cmd_replay() {
  local from='' to=''
  while (($#)); do
    case $1 in
      --from) from=${2:?--from needs a time} && shift 2 ;;
      --to) to=${2:?--to needs a time} && shift 2 ;;
      *) die "usage: ./runnel replay --from TIME --to TIME (e.g. --from '2026-11-26 10:00' --to '2026-11-26 11:00', UTC)" ;;
    esac
  done
  [[ -n $from && -n $to ]] || die "usage: ./runnel replay --from TIME --to TIME (e.g. --from '2026-11-26 10:00' --to '2026-11-26 11:00', UTC)"
  from=$(TZ=UTC date -u -d "$from" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null) || die "--from: not a time date(1) understands: $from"
  to=$(TZ=UTC date -u -d "$to" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null) || die "--to: not a time date(1) understands: $to"
  [[ $from < $to ]] || die "--from ($from) must be before --to ($to)"
  load_env
  find_java
  service_pid trino >/dev/null || die "Trino is not running: start it with ./runnel up (the replay reports every layer through it)"
  cmd_build
  dbt_install
  dbt_env
  PIPELINE_LOGS=$LOG_DIR/replay-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$PIPELINE_LOGS"
  trino_register_tables >/dev/null
  local before after
  before=$(demo_layers) || die "the reconciliation query failed (log: $PIPELINE_LOGS/trino-reconcile.err)"
  DEMO_DBT_RUNS=()
  info "replaying Bronze records with a Kafka timestamp in [$from, $to): Silver, load, dbt (logs in $PIPELINE_LOGS)"
  demo_stage silver-replay io.runnel.batch.silver.SilverJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar" \
    --replay-from "$from" --replay-to "$to"
  demo_stage load io.runnel.batch.warehouse.WarehouseLoadJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
  demo_dbt || exit 1
  after=$(demo_layers) || die "the reconciliation query failed (log: $PIPELINE_LOGS/trino-reconcile.err)"
  printf '  %-28s %14s %14s\n' "" before after
  local name changed=0
  while IFS=$'\t' read -r name _ _ _; do
    printf '  %-28s %14s %14s\n' "$name" "$(demo_layer "$before" "$name" 2)" "$(demo_layer "$after" "$name" 2)"
    [[ $(demo_layer "$before" "$name" 2) == "$(demo_layer "$after" "$name" 2)" ]] || changed=$((changed + 1))
  done <<<"$after"
  ((changed == 0)) || die "$changed layer counts changed during the replay (did other jobs or a producer run at the same time?)"
  ok "replay done: every layer's count is unchanged"
}
