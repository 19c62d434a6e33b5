#!/usr/bin/env bash
# The infrastructure fails under a running pipeline, and nothing is lost or counted twice.
#
# Kafka, MinIO and PostgreSQL of their own (a run folder and loopback ports of this test's, so
# they can be killed without disturbing anything else), `./runnel run` streaming Bronze, Silver
# and the load under supervision with dbt every 3 minutes (every minute in the soak), and a
# producer at a steady rate. While it streams: the broker is killed with SIGKILL and restarted
# (with Bronze, which the supervisor restarts), MinIO is stopped for 60 s, PostgreSQL is killed
# with SIGKILL in the middle of the load and restarted, and a dbt build is killed mid-way. The
# soak (and the quick run with RUNNEL_FAULTS_DISK_FULL=1) also fills the run folder's file system
# (a tmpfs of the test's) for 30 s, and kills each job with SIGKILL at random moments. Then the
# jobs drain (SIGUSR1 to ./runnel run), and the same topics go through a fault-free run
# (available-now, a lake folder and database of their own). The verdict:
#   - every record Kafka acknowledged is in Bronze exactly once (Bronze rows = records in Kafka);
#   - acknowledged + failed = sent, with no failure (the producer rode out the broker's outage);
#   - the fault-free run reconciles layer by layer (pipeline_reconcile), and every silver and
#     marts table of the faulted run equals its table there (row count and checksum over every
#     column but processing times): nothing lost, nothing doubled, marts equal to Silver;
#   - each fault is recovered from: the time from the fault to a batch committed by each job it
#     hit (RUNNEL_FAULTS_RECOVERY_SECONDS at most).
# `--soak` runs the long version: RUNNEL_SOAK_EVENTS (1,000,000) at RUNNEL_SOAK_RATE (500/s),
# a job killed every 10 to 40 s until each was killed RUNNEL_SOAK_KILLS (10) times, and between
# the kills Kafka, MinIO, PostgreSQL and the full disk RUNNEL_SOAK_SERVICE_ROUNDS (2) times each.
# Needs the jars (./runnel build) and the installs of ./runnel up; starts no Trino or Superset.
set -euo pipefail

soak=false
[[ ${1:-} != --soak ]] || soak=true

# The run folder gets a small file system of its own (scenario 7 fills it): as root a tmpfs
# mounted for the test; otherwise the test runs in a user and mount namespace of its own, where
# it may mount one.
if ((EUID != 0)) && [[ -z ${RUNNEL_FAULTS_IN_NAMESPACE:-} ]]; then
  command -v unshare >/dev/null && unshare --map-root-user --mount true 2>/dev/null ||
    { echo "runnel: the fault test mounts a small file system for its run folder: run it as root, or enable unprivileged user namespaces (unshare --map-root-user --mount)" >&2 && exit 1; }
  exec env RUNNEL_FAULTS_IN_NAMESPACE=1 unshare --map-root-user --mount "$0" "$@"
fi

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
id=$(date +%s)-$RANDOM
parent_run=${RUNNEL_RUN_DIR:-$root/.runnel}
# This test's own services: none of the caller's endpoints, secrets or test settings may leak in.
for variable in $(compgen -e); do
  case $variable in
    RUNNEL_CACHE_DIR | RUNNEL_SPARK_JAVA_HOME | RUNNEL_KCAT | RUNNEL_SOAK_* | RUNNEL_FAULTS_*) ;;
    RUNNEL_* | DBT_ENV_SECRET_* | DBT_LOG_PATH | DBT_TARGET_PATH) unset "$variable" ;;
  esac
done
export RUNNEL_RUN_DIR=$parent_run/faults-$id
# What this script writes itself (its stages' and the producer's logs, the results), outside the
# file system it fills; the services' and jobs' logs are copied here at the end.
logs=$parent_run/faults-$id-logs
mkdir -p "$RUNNEL_RUN_DIR" "$logs"
# Filling a tmpfs takes that much memory for DISK_FULL_SECONDS: 16 GB filled in the soak made
# the kernel's OOM killer end JVMs of other work on a 24 GB machine. The soak's 1.5M events with
# their fault-free copy took 5.5 GB.
if $soak; then disk_mb=${RUNNEL_FAULTS_DISK_MB:-8192}; else disk_mb=${RUNNEL_FAULTS_DISK_MB:-3072}; fi
mount -t tmpfs -o "size=${disk_mb}m,mode=755" runnel-faults "$RUNNEL_RUN_DIR" || {
  echo "runnel: could not mount a ${disk_mb} MB tmpfs on $RUNNEL_RUN_DIR for the fault test" >&2
  exit 1
}
ports=($(python3 -c 'import socket
socks = [socket.socket() for _ in range(5)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))'))
export RUNNEL_KAFKA_PORT=${ports[0]} RUNNEL_KAFKA_CONTROLLER_PORT=${ports[1]} RUNNEL_S3_PORT=${ports[2]}
export RUNNEL_S3_CONSOLE_PORT=${ports[3]} RUNNEL_PG_PORT=${ports[4]}

# shellcheck source=setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" kafka minio postgres spark dbt pipeline demo
setup_pipeline_tools

if $soak; then
  EVENTS=${RUNNEL_SOAK_EVENTS:-1000000} RATE=${RUNNEL_SOAK_RATE:-500} KILLS=${RUNNEL_SOAK_KILLS:-10}
  SERVICE_ROUNDS=${RUNNEL_SOAK_SERVICE_ROUNDS:-2} DBT_EVERY=60
  # Kills come faster than a job's healthy run: its failures in a row pile up by design.
  export RUNNEL_RESTART_LIMIT=40
else
  # The quick run (./runnel test): a few minutes of a slow stream, batches every 20 to 30 s and
  # dbt every 300 s, so that the jobs cost little CPU beside the other suites (an idle micro-batch
  # of each job and an incremental dbt build cost CPU seconds each; the test's verdict does not
  # depend on how often they come). 30 events/s: each batch still has rows whenever a fault lands,
  # and the faulted run and its fault-free copy read a third of what 100/s made them read (the
  # faults last over 10 minutes on a loaded machine: 75,000 events at 100/s).
  EVENTS=${RUNNEL_FAULTS_EVENTS:-5000} RATE=${RUNNEL_FAULTS_RATE:-30} KILLS=1 SERVICE_ROUNDS=1 DBT_EVERY=300
  # Batches every 40 to 60 s: the streaming jobs' CPU is mostly each micro-batch's fixed cost
  # (Delta log, checkpoint files, planning), paid for the whole run whatever the rate: at 30
  # events/s and batches every 20 to 30 s, the three jobs took 0.7 of a core between faults
  # (C1; 212 CPU-s in 300 s). A restarted job runs its first batch at once, so the recoveries
  # measured wait for no trigger.
  export RUNNEL_BRONZE_TRIGGER_SECONDS=${RUNNEL_BRONZE_TRIGGER_SECONDS:-40}
  export RUNNEL_SILVER_TRIGGER_SECONDS=${RUNNEL_SILVER_TRIGGER_SECONDS:-60} RUNNEL_LOAD_TRIGGER_SECONDS=${RUNNEL_LOAD_TRIGGER_SECONDS:-60}
fi
S3_OUTAGE=${RUNNEL_FAULTS_S3_OUTAGE_SECONDS:-60}
# Recovery from any fault must show within this (the jobs' restarts, their preflight waits and
# the leases of killed writers, which expire after RUNNEL_WRITER_LEASE_SECONDS).
RECOVERY_LIMIT=${RUNNEL_FAULTS_RECOVERY_SECONDS:-420}
export RUNNEL_WRITER_LEASE_SECONDS=10 RUNNEL_RESTART_BACKOFF_SECONDS=1 RUNNEL_RESTART_LIMIT=${RUNNEL_RESTART_LIMIT:-12}
export RUNNEL_SILVER_TRIGGER_SECONDS=${RUNNEL_SILVER_TRIGGER_SECONDS:-10} RUNNEL_LOAD_TRIGGER_SECONDS=${RUNNEL_LOAD_TRIGGER_SECONDS:-10}

DISK_FULL_SECONDS=${RUNNEL_FAULTS_DISK_FULL_SECONDS:-30}
PIPELINE_LOGS=$logs/faulted
mkdir -p "$PIPELINE_LOGS"
results=$logs/recovery.tsv
run_pid='' producer_pid='' RUN_LOGS=''

cleanup() {
  local rc=$?
  [[ -z $producer_pid ]] || kill -TERM "$producer_pid" 2>/dev/null || true
  if [[ -n $run_pid ]] && kill -0 "$run_pid" 2>/dev/null; then
    kill -TERM "$run_pid" 2>/dev/null || true
    for _ in $(seq 150); do kill -0 "$run_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  demo_stop_jobs
  local name
  for name in minio kafka postgres; do stop_service "$name" >/dev/null; done
  # The services' data goes with the file system; their logs and the jobs' stay for a post-mortem.
  rm -f "$RUNNEL_RUN_DIR/ballast" "$RUNNEL_RUN_DIR/ballast-rest"
  cp -r "$LOG_DIR" "$logs/run-folder-logs" 2>/dev/null || true
  umount "$RUNNEL_RUN_DIR" 2>/dev/null || umount -l "$RUNNEL_RUN_DIR" 2>/dev/null || true
  rmdir "$RUNNEL_RUN_DIR" 2>/dev/null || true
  ((rc == 0)) || printf '%s\n' "${_red}faults test failed (logs in $logs)${_off}" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the services -------------------------------------------------------------------------------

info "Kafka, MinIO and PostgreSQL of this test's own (ports $RUNNEL_KAFKA_PORT, $RUNNEL_S3_PORT, $RUNNEL_PG_PORT; run folder $RUNNEL_RUN_DIR)"
postgres_start
kafka_start
minio_start
postgres_ready >/dev/null
kafka_ready >/dev/null
minio_ready >/dev/null
admin kafka-ready --topic events:2 --topic products:1 >>"$LOG_DIR/admin.log" 2>&1 ||
  die "could not create the topics: $(tail -n 1 "$LOG_DIR/admin.log")"
ok "services up"

# restart_service NAME: starts a stopped service again and waits until it answers (PostgreSQL
# after SIGKILL may need its old backends to notice first: a few tries).
restart_service() {
  local name=$1 try
  for try in 1 2 3 4 5; do
    if ("${name}_start" && "${name}_ready") >>"$logs/restarts.log" 2>&1; then
      return 0
    fi
    sleep 2
  done
  die "$name did not come back after 5 tries (log: $LOG_DIR/$name.log, $logs/restarts.log)"
}

# kill_service NAME: SIGKILL, as a crash or the OOM killer would.
kill_service() {
  local pid
  pid=$(service_pid "$1") || die "$1 is not running"
  # Started by this shell: no "Killed" notice for it.
  disown "$pid" 2>/dev/null || true
  kill -KILL "$pid"
  while process_alive "$pid"; do sleep 0.1; done
  rm -f "$(pid_file "$1")"
}

# job_pid NAME: the JVM of a supervised job (the supervisor's child), once it runs.
job_pid() {
  local supervisor child i
  for ((i = 0; i < 600; i++)); do
    if supervisor=$(service_pid "demo-$1"); then
      for child in $(pgrep -P "$supervisor" || true); do
        if tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null | grep -q java; then
          echo "$child"
          return 0
        fi
      done
    fi
    sleep 0.2
  done
  die "the $1 job is not running (log: $PIPELINE_LOGS/$1.log)"
}

loaded() {
  pipeline_query "select count(*) from silver.events" 2>/dev/null || echo -1
}

# await_growth INJECTED: waits until silver.events grows past what it held when first read, and
# the supervised jobs are alive; dies RECOVERY_LIMIT seconds after INJECTED (epoch).
await_growth() {
  local injected=$1 from now
  from=$(loaded)
  while true; do
    now=$(loaded)
    ((from >= 0)) || from=$now
    ((now > from && from >= 0)) && break
    (($(date +%s) - injected <= RECOVERY_LIMIT)) ||
      die "no progress within $RECOVERY_LIMIT s of the fault (silver.events still $from; logs in $RUN_LOGS)"
    PIPELINE_LOGS=$RUN_LOGS demo_check_jobs bronze silver load
    sleep 1
  done
}

# mark_logs: the current length of each job's log; a fault's recovery is read after it.
declare -A mark
mark_logs() {
  local job
  for job in bronze silver load; do mark[$job]=$(wc -l <"$RUN_LOGS/$job.log"); done
}

# await_recovery SCENARIO INJECTED JOB...: waits until each JOB has committed, since mark_logs, a
# batch that moved rows (its MetricsListener line), then records the time from the fault (epoch
# INJECTED) to the last of them: the time to recover.
await_recovery() {
  local scenario=$1 injected=$2 job pending
  shift 2
  while true; do
    pending=()
    for job in "$@"; do
      tail -n "+$((mark[$job] + 1))" "$RUN_LOGS/$job.log" | grep -qE 'MetricsListener - .* batch [0-9]+: [1-9][0-9,]* rows' ||
        pending+=("$job")
    done
    ((${#pending[@]})) || break
    (($(date +%s) - injected <= RECOVERY_LIMIT)) ||
      die "$scenario: ${pending[*]} committed no batch within $RECOVERY_LIMIT s (logs in $RUN_LOGS)"
    PIPELINE_LOGS=$RUN_LOGS demo_check_jobs bronze silver load
    sleep 1
  done
  local took=$(($(date +%s) - injected))
  printf '%s\t%s\t%s\n' "$scenario" "$*" "$took" >>"$results"
  ok "$scenario: $* committed again within $took s of the fault"
}

# disk_full ROUND: scenario 7. The run folder's file system filled to the last byte for
# DISK_FULL_SECONDS, then freed; a service that stopped meanwhile is started again, as a service
# manager would; the jobs must say what happened in one line and go on once space is back.
disk_full() {
  info "round $1: the run folder's file system full for $DISK_FULL_SECONDS s (Kafka, MinIO, PostgreSQL and the jobs all write there)"
  mark_logs
  local injected free restarted=() name said job
  injected=$(date +%s)
  free=$(df -B1 --output=avail "$RUNNEL_RUN_DIR" | tail -n 1 | tr -d ' ')
  # fallocate takes all but what the file system keeps in reserve; dd takes the rest to the byte.
  fallocate -l "$free" "$RUNNEL_RUN_DIR/ballast" 2>/dev/null || true
  dd if=/dev/zero of="$RUNNEL_RUN_DIR/ballast-rest" bs=4k status=none 2>/dev/null || true
  printf '  free space: %s bytes\n' "$(df -B1 --output=avail "$RUNNEL_RUN_DIR" | tail -n 1 | tr -d ' ')"
  sleep "$DISK_FULL_SECONDS"
  rm -f "$RUNNEL_RUN_DIR/ballast" "$RUNNEL_RUN_DIR/ballast-rest"
  for name in kafka minio postgres; do
    service_pid "$name" >/dev/null && continue
    restarted+=("$name")
    restart_service "$name"
  done
  printf '  stopped by the full disk and started again: %s\n' "${restarted[*]:-none}"
  await_recovery "run folder full ${DISK_FULL_SECONDS} s" "$injected" bronze silver load
  # What the jobs said: the supervisor's line for each exit (the job's own one-line error).
  said=$(for job in bronze silver load; do
    # S3's request ids differ on every line: without them, equal lines count together.
    # A job that did not exit has no such line: grep's status 1 must not end the test (pipefail).
    { tail -n "+$((mark[$job] + 1))" "$RUN_LOGS/$job.log" | grep -E 'supervise: .* exited' || true; } |
      sed -E 's/.* after [0-9]+ s \((.*)\); restart [0-9]+ in [0-9]+ s$/\1/; s/,? (Extended )?Request ID: [^,)]*//g'
  done | sort | uniq -c | sort -rn)
  printf '%s\n' "${said:-  (no job exited)}" | sed -E 's/^ *([0-9]+) /  exited (×\1): /'
  grep -qiE 'space|storage|disk|full|quota' <<<"$said" ||
    die "no job's exit line says the disk was full (logs in $RUN_LOGS): ${said:-none exited}"
}

# random_sleep MAX: a random moment within MAX seconds.
random_sleep() { sleep "$((RANDOM % $1)).$((RANDOM % 10))"; }

# --- the pipeline, supervised, and a producer ---------------------------------------------------

info "./runnel run: Bronze, Silver and the load streaming under supervision, dbt every $DBT_EVERY s"
"$RUNNEL_ROOT/runnel" run --every "$DBT_EVERY" >"$logs/run.out" 2>&1 &
run_pid=$!
for _ in $(seq 600); do
  RUN_LOGS=$(sed -nE 's/.*\(logs in (.*)\)$/\1/p' "$logs/run.out")
  [[ -z $RUN_LOGS ]] || break
  kill -0 "$run_pid" 2>/dev/null || die "./runnel run failed at start: $(tail -n 1 "$logs/run.out")"
  sleep 0.5
done
[[ -n $RUN_LOGS ]] || die "./runnel run did not start its jobs within 5 minutes (log: $logs/run.out)"
"$JAVA" -jar "$RUNNEL_ROOT/producer/target/runnel-producer.jar" products --progress-seconds 0 \
  >"$PIPELINE_LOGS/products-1.log" 2>&1 || die "the producer failed (log: $PIPELINE_LOGS/products-1.log)"
# Until the faults are over and at least EVENTS are sent; stopped with SIGTERM, it flushes what it
# holds and prints its summary.
info "producing at $RATE/s (0.3% of each kind of bad record) while the faults happen"
"$JAVA" -jar "$RUNNEL_ROOT/producer/target/runnel-producer.jar" --duration 24h --rate "$RATE" \
  --bad all=0.003 --progress-seconds 5 >"$PIPELINE_LOGS/producer-1.log" 2>&1 &
producer_pid=$!
started=$(date +%s)

# outage SCENARIO HOW SERVICE DOWN JOB...: the service killed with SIGKILL (HOW kill, as a crash or
# the OOM killer would) or stopped (HOW stop), and with it the JVMs whose pids ALSO_KILL lists;
# DOWN seconds later started again; then each JOB's recovery is awaited.
outage() {
  local scenario=$1 how=$2 name=$3 down=$4 injected
  shift 4
  mark_logs
  injected=$(date +%s)
  if [[ $how == kill ]]; then kill_service "$name"; else stop_service "$name" >/dev/null; fi
  # shellcheck disable=SC2086 # a list of pids
  [[ -z ${ALSO_KILL:-} ]] || kill -KILL $ALSO_KILL 2>/dev/null || true
  sleep "$down"
  restart_service "$name"
  await_recovery "$scenario" "$injected" "$@"
}

# The faults, one function each (ROUND numbers the messages).
kafka_fault() {
  info "round $1: Kafka killed (SIGKILL) while producing and ingesting; restarted after 10 s"
  outage "Kafka SIGKILL, 10 s down" kill kafka 10 bronze
}

minio_fault() {
  info "round $1: MinIO stopped for $S3_OUTAGE s during Bronze and Silver writes"
  outage "MinIO stopped ${S3_OUTAGE} s" stop minio "$S3_OUTAGE" bronze silver load
}

postgres_fault() {
  info "round $1: PostgreSQL killed (SIGKILL) during the load; restarted after 5 s"
  # In the middle of a load: right after silver.events grew, the next batch is on its way.
  await_growth "$(date +%s)"
  random_sleep 4
  outage "PostgreSQL SIGKILL, 5 s down" kill postgres 5 load
}

# kill_job JOB: its JVM killed with SIGKILL, wherever it is (a batch, its start-up, a lease wait).
kill_job() {
  local pid
  pid=$(job_pid "$1")
  kill -KILL "$pid" 2>/dev/null || true
  echo "$pid"
}

await_growth "$started"
ok "the pipeline streams: silver.events holds $(loaded) rows after $(($(date +%s) - started)) s"

if ! $soak; then
  # The quick run: one restart of each service. The broker is killed with the job that reads it
  # (a job's restart costs a Spark start-up, some 40 CPU-s of a CI run; each job's own IT kills it
  # mid-batch, and the soak kills each one 10 times under supervision). The full disk, which
  # stops every job and service at once (five restarts), runs in the soak, and here with
  # RUNNEL_FAULTS_DISK_FULL=1.
  info "round 1: Kafka and the bronze job killed (SIGKILL) at once; Kafka restarted after 10 s"
  ALSO_KILL="$(job_pid bronze)" outage "Kafka and Bronze SIGKILL" kill kafka 10 bronze
  minio_fault 1
  postgres_fault 1
  [[ ${RUNNEL_FAULTS_DISK_FULL:-0} != 1 ]] || disk_full 1
else
  # The soak: a job killed every 10 to 40 s, picked at random among those killed fewer than
  # KILLS times, whatever it is doing (a restart included: nothing waits for it to recover);
  # between the kills, the service faults in turn, SERVICE_ROUNDS of each, each awaited.
  declare -A killed=([bronze]=0 [silver]=0 [load]=0)
  service_faults=()
  for ((round = 1; round <= SERVICE_ROUNDS; round++)); do
    service_faults+=("kafka_fault $round" "minio_fault $round" "postgres_fault $round" "disk_full $round")
  done
  every=$(((3 * KILLS) / (${#service_faults[@]} + 1)))
  ((every > 0)) || every=1
  kills=0
  while ((kills < 3 * KILLS)) || ((${#service_faults[@]} > 0)); do
    if ((kills < 3 * KILLS)); then
      sleep $((10 + RANDOM % 31))
      candidates=()
      for job in bronze silver load; do ((killed[$job] < KILLS)) && candidates+=("$job"); done
      job=${candidates[RANDOM % ${#candidates[@]}]}
      killed[$job]=$((killed[$job] + 1))
      kills=$((kills + 1))
      info "kill $kills of $((3 * KILLS)): the $job job (pid $(kill_job "$job"), its kill ${killed[$job]}) with SIGKILL; silver.events holds $(loaded)"
      PIPELINE_LOGS=$RUN_LOGS demo_check_jobs bronze silver load
    fi
    if ((${#service_faults[@]} > 0)) && { ((kills % every == 0)) || ((kills >= 3 * KILLS)); }; then
      ${service_faults[0]}
      service_faults=("${service_faults[@]:1}")
    fi
  done
  mark_logs
  await_recovery "the soak's last kill" "$(date +%s)" bronze silver load
fi

produced() {
  grep -oE 'sent [0-9,]+' "$PIPELINE_LOGS/producer-1.log" | tail -n 1 | tr -dc '0-9'
}
info "the faults are over; producing until $EVENTS events are sent (now $(produced))"
while (($(produced) < EVENTS)); do
  kill -0 "$producer_pid" 2>/dev/null || die "the producer stopped (log: $PIPELINE_LOGS/producer-1.log)"
  sleep 2
done
kill -TERM "$producer_pid"
# 143: the JVM ends on the signal once the producer has flushed and printed its summary.
wait "$producer_pid" || (($? == 143)) || die "the producer failed (log: $PIPELINE_LOGS/producer-1.log)"
producer_pid=''
grep -E '^(runnel-producer: sent|  acked|  failed)' "$PIPELINE_LOGS/producer-1.log" | sed 's/^/  /'
sent=$(sed -nE 's/^runnel-producer: sent ([0-9,]+) records.*/\1/p' "$PIPELINE_LOGS/producer-1.log" | tr -d ,)
acked=$(sed -nE 's/^  acked +([0-9,]+).*/\1/p' "$PIPELINE_LOGS/producer-1.log" | tr -d ,)
failed=$(sed -nE 's/^  failed +([0-9,]+).*/\1/p' "$PIPELINE_LOGS/producer-1.log" | tr -d ,)
((acked + ${failed:-0} == sent)) || die "the producer sent $sent, Kafka acknowledged $acked and $failed failed: they must add up"
((${failed:-0} == 0)) || die "$failed records failed: the producer must ride out the broker's outage"

info "draining ./runnel run (SIGUSR1): Bronze, Silver and the load take what is left, in turn, and stop"
kill -USR1 "$run_pid"
wait "$run_pid" || die "./runnel run ended with an error (log: $logs/run.out)"
run_pid=''
grep -E '^  (bronze|silver|load):|stopped after' "$logs/run.out" || true

info "dbt build killed mid-way (SIGKILL), then built again and tested"
(cd "$DBT_PROJECT_DIR" && exec setsid "$DBT_VENV/bin/dbt" build --target prod) >"$PIPELINE_LOGS/dbt-killed.log" 2>&1 &
dbt_pid=$!
# Until it is building models (connected, compiling done), then a random moment inside.
for _ in $(seq 300); do grep -q 'START sql' "$PIPELINE_LOGS/dbt-killed.log" && break; sleep 0.1; done
random_sleep 3
kill -KILL "$dbt_pid" 2>/dev/null || true
wait "$dbt_pid" 2>/dev/null || true
printf '  killed after: %s\n' "$(grep -c 'OK created\|OK snapshotted\|PASS' "$PIPELINE_LOGS/dbt-killed.log" || true) nodes done"
run_dbt build --target prod >"$PIPELINE_LOGS/dbt-build.log" 2>&1 ||
  die "dbt build after the killed one failed (log: $PIPELINE_LOGS/dbt-build.log)"
grep -E "Done\. PASS" "$PIPELINE_LOGS/dbt-build.log" | sed -E 's/\x1b\[[0-9;]*m//g; s/^/  /' || true

# --- the verdict --------------------------------------------------------------------------------

bronze_line=$(grep -E '^bronze: ' "$RUN_LOGS/bronze.log" | tail -n 1)
[[ $bronze_line == *"in agreement"* ]] || die "Bronze and Kafka disagree after the faults: $bronze_line"
ok "Bronze: ${bronze_line#bronze: }"

info "the same topics through a fault-free run (available-now; lake folder _reference, database runnel_reference)"
faulted_db=$RUNNEL_PG_DATABASE
pipeline_use_lake _reference
PIPELINE_LOGS=$logs/reference
mkdir -p "$PIPELINE_LOGS"
cp "$logs"/faulted/producer-1.log "$logs"/faulted/products-1.log "$PIPELINE_LOGS/"
pipeline_create_db runnel_reference
export RUNNEL_PG_DATABASE=runnel_reference
before=$(pipeline_warehouse_counts)
pipeline_stages 1
run_dbt build --target prod >"$PIPELINE_LOGS/dbt-build.log" 2>&1 ||
  die "dbt build of the reference failed (log: $PIPELINE_LOGS/dbt-build.log)"
pipeline_reconcile "$before" || die "the fault-free run does not reconcile (logs in $PIPELINE_LOGS)"

pipeline_checksums >"$logs/reference.checksums"
RUNNEL_PG_DATABASE=$faulted_db pipeline_checksums >"$logs/faulted.checksums"
sed 's/^/  /' "$logs/faulted.checksums"
if ! diff -u --label fault-free "$logs/reference.checksums" --label faulted "$logs/faulted.checksums" >"$logs/checksums.diff"; then
  cat "$logs/checksums.diff" >&2
  die "the faulted run's tables differ from the fault-free run's (above)"
fi
ok "every silver and marts table of the faulted run equals the fault-free run's"

printf '\n%s\n' "${_bold}Recovery${_off} (from the fault to a committed batch of each job it hit)"
awk -F'\t' '{printf "  %-30s %-20s %4d s\n", $1, $2, $3}' "$results"
restarts=$(cat "$RUN_LOGS"/{bronze,silver,load}.log | grep -c 'supervise: .* restart [0-9]' || true)
ok "faults test passed: $acked events acknowledged, all in every layer once; $restarts job restarts (logs in $logs)"
