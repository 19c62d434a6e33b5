# shellcheck shell=bash
# ./runnel run: the pipeline for long-lived use. Bronze, Silver and the load stream continuously,
# each supervised (local/lib/supervise: a job that exits with an error or is killed is started
# again with backoff), and dbt builds the marts incrementally every --every seconds, retried at the
# next cycle when a build fails. It runs until Ctrl-C or SIGTERM (the operator's word), or until a
# job has failed RUNNEL_RESTART_LIMIT times in a row, which ends it with one line. SIGUSR1 drains
# instead: each job takes what its sources hold and stops, then a last dbt build. No producer: the
# events come from whatever writes to the topics. Sourced by ./runnel after demo.sh.

run_usage() {
  cat <<EOF
Usage: ./runnel run [--every SECONDS] [--duration TIME]

  --every SECONDS   incremental dbt build every SECONDS (default RUNNEL_SCHEDULE_SECONDS, or 60)
  --duration TIME   stop after this long (90s, 5m, 1h); default: until Ctrl-C or SIGTERM

Stop: Ctrl-C or SIGTERM stops the jobs between two batches; SIGUSR1 (kill -USR1 <pid of
./runnel run>) drains: Bronze, Silver and the load take what Kafka and the lake hold now, in that
order, then stop, and a last dbt build runs.

Restarts: RUNNEL_RESTART_LIMIT failures in a row (default 8) end the run; the backoff starts at
RUNNEL_RESTART_BACKOFF_SECONDS (2) and doubles up to RUNNEL_RESTART_BACKOFF_MAX_SECONDS (60); a
job that ran RUNNEL_RESTART_HEALTHY_SECONDS (120) before failing starts a new count.
EOF
}

# run_seconds TIME: 90s, 5m, 1h or a number of seconds, as seconds.
run_seconds() {
  case $1 in
    *h) echo $((${1%h} * 3600)) ;;
    *m) echo $((${1%m} * 60)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

cmd_run() {
  local every=${RUNNEL_SCHEDULE_SECONDS:-60} duration=''
  while (($#)); do
    case $1 in
      --every) every=${2:?--every needs seconds} && shift 2 ;;
      --duration) duration=${2:?--duration needs a time} && shift 2 ;;
      -h | --help) run_usage && return 0 ;;
      *) run_usage >&2 && die "unknown run option '$1'" ;;
    esac
  done
  [[ $every =~ ^[0-9]+$ ]] && ((every >= 10)) || die "--every (RUNNEL_SCHEDULE_SECONDS) must be at least 10 seconds, got '$every'"
  local until=''
  if [[ -n $duration ]]; then
    [[ $duration =~ ^[0-9]+[smh]?$ ]] || die "--duration must be a time such as 90s, 5m or 1h, got '$duration'"
    until=$(($(date +%s) + $(run_seconds "$duration")))
  fi
  local name
  for name in RUNNEL_RESTART_LIMIT RUNNEL_RESTART_BACKOFF_SECONDS RUNNEL_RESTART_BACKOFF_MAX_SECONDS RUNNEL_RESTART_HEALTHY_SECONDS; do
    [[ -z ${!name:-} || ${!name} =~ ^[0-9]+$ ]] || die "$name must be a whole number, got '${!name}'"
  done
  load_env
  find_java
  ensure_platform_jar
  cmd_build
  ensure_topics
  dbt_install
  dbt_env
  for name in "${DEMO_JOBS[@]}"; do
    ! service_pid "$name" >/dev/null || die "the pipeline is already running ($name, pid $(service_pid "$name")): stop it first (Ctrl-C in its terminal, or ./runnel down)"
  done
  PIPELINE_LOGS=$LOG_DIR/run-$(date +%Y%m%d-%H%M%S)
  mkdir -p "$PIPELINE_LOGS" "$RUNNEL_RUN_DIR/spark-local"
  DEMO_DBT_RUNS=()
  RUN_STOP=false RUN_DRAIN=false
  trap 'RUN_STOP=true' INT TERM
  trap 'RUN_STOP=true RUN_DRAIN=true' USR1
  trap 'demo_stop_jobs' EXIT
  demo_job bronze io.runnel.streaming.BronzeIngestJob "$RUNNEL_ROOT/streaming/target/runnel-streaming.jar"
  demo_job silver io.runnel.batch.silver.SilverJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
  demo_job load io.runnel.batch.warehouse.WarehouseLoadJob "$RUNNEL_ROOT/batch/target/runnel-batch.jar"
  info "running: Bronze, Silver and the load stream (supervised), dbt every $every s; Ctrl-C stops (logs in $PIPELINE_LOGS)"
  local next=$(($(date +%s) + every)) cycle=0 now
  while ! $RUN_STOP; do
    now=$(date +%s)
    [[ -z $until ]] || ((now < until)) || break
    demo_check_jobs bronze silver load
    if ((now >= next)); then
      cycle=$((cycle + 1))
      # dbt in its own session: Ctrl-C stops the run after this build, not the build mid-way.
      demo_dbt_supervised
      next=$((next + every))
      ((next > $(date +%s))) || next=$(($(date +%s) + every))
    fi
    run_progress "next dbt build in $((next - $(date +%s))) s"
    # Interruptible: Ctrl-C ends the sleep at once.
    sleep 10 &
    wait $! 2>/dev/null || true
  done
  if $RUN_DRAIN; then
    info "draining: Bronze, Silver and the load take what is left, in turn, then a last dbt build"
    demo_drain_jobs bronze silver load
    cycle=$((cycle + 1))
    demo_dbt --no-tests || exit 1
  else
    info "stopping: the jobs finish their batch and hand their tables back"
    demo_stop_jobs
  fi
  trap - EXIT INT TERM USR1
  ok "stopped after $cycle dbt builds$(demo_restarts | sed 's/^  ·  /; /') (logs in $PIPELINE_LOGS)"
}

run_progress() {
  local lag events
  lag=$(demo_bronze_lag)
  events=$(pipeline_query "select count(*) from silver.events" 2>/dev/null || echo '?')
  printf '%s\n' "${_dim}$(date +%H:%M:%S)${_off} Bronze lag: ${lag:-first batch pending}  ·  PostgreSQL silver.events: $events$(demo_restarts)  ·  $1"
}
