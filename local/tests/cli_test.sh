#!/usr/bin/env bash
# Tests of ./runnel itself: the failures a user meets first must be one clear line and a non-zero
# exit, before anything starts. Run by `./runnel test`; each case uses its own run folder.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

failures=0
tmp=$(mktemp -d)
listener_pid=''
cleanup() {
  [[ -n $listener_pid ]] && kill "$listener_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# expect_failure NAME EXPECTED-TEXT COMMAND...: the command must exit non-zero and its last line
# of stderr must contain the text.
expect_failure() {
  local name=$1 expected=$2 rc=0 last
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  last=$(tail -n 1 "$tmp/err" | sed 's/\x1b\[[0-9;]*m//g')
  if ((rc == 0)) || [[ $last != *"$expected"* ]]; then
    echo "FAIL $name: exit $rc, last line: $last"
    failures=$((failures + 1))
  else
    echo "ok   $name: $last"
  fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# 1. A port held by another process is named, with the variable that moves it.
port=$(free_port)
python3 -c "import socket,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1',$port)); s.listen(); time.sleep(600)" &
listener_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
# Every other port is free, so the one taken is the one reported.
expect_failure "port taken" "port $port (RUNNEL_PG_PORT) is already in use by python3" \
  env RUNNEL_RUN_DIR="$tmp/run-port" RUNNEL_PG_PORT="$port" RUNNEL_KAFKA_PORT="$(free_port)" \
  RUNNEL_KAFKA_CONTROLLER_PORT="$(free_port)" RUNNEL_S3_PORT="$(free_port)" \
  RUNNEL_S3_CONSOLE_PORT="$(free_port)" ./runnel up
[[ -z $(ls "$tmp/run-port/pids" 2>/dev/null) ]] || {
  echo "FAIL port taken: something was started anyway"
  failures=$((failures + 1))
}

# 2. A Java older than 17 is refused by name.
mkdir -p "$tmp/oldjdk/bin"
printf '#!/bin/sh\necho "    java.specification.version = 11" >&2\n' >"$tmp/oldjdk/bin/java"
chmod +x "$tmp/oldjdk/bin/java"
expect_failure "old Java" "Java 11 at $tmp/oldjdk/bin/java is too old" \
  env RUNNEL_RUN_DIR="$tmp/run-java" JAVA_HOME="$tmp/oldjdk" ./runnel up

# 3. dbt without PostgreSQL, and the docs site on a taken port: named before anything installs.
expect_failure "transform without PostgreSQL" "PostgreSQL is not running on 127.0.0.1:" \
  env RUNNEL_RUN_DIR="$tmp/run-dbt" RUNNEL_PG_HOST=127.0.0.1 RUNNEL_PG_PORT="$(free_port)" ./runnel transform
expect_failure "docs port taken" "port $port (RUNNEL_DOCS_PORT) is already in use by python3" \
  env RUNNEL_RUN_DIR="$tmp/run-docs" RUNNEL_DOCS_PORT="$port" RUNNEL_PG_HOST=db.example.internal ./runnel docs

# 4. Trino: its port taken, its console without the server, a JDK too old for it.
expect_failure "Trino port taken" "port $port (RUNNEL_TRINO_PORT) is already in use by python3" \
  env RUNNEL_RUN_DIR="$tmp/run-trino" RUNNEL_TRINO_PORT="$port" RUNNEL_PG_PORT="$(free_port)" \
  RUNNEL_KAFKA_PORT="$(free_port)" RUNNEL_KAFKA_CONTROLLER_PORT="$(free_port)" \
  RUNNEL_S3_PORT="$(free_port)" RUNNEL_S3_CONSOLE_PORT="$(free_port)" ./runnel up
expect_failure "sql without Trino" "Trino is not running: start it with ./runnel up" \
  env RUNNEL_RUN_DIR="$tmp/run-sql" RUNNEL_TRINO_PORT="$(free_port)" ./runnel sql --execute "SELECT 1"
expect_failure "Trino on Java 17" "is not a JDK 24 or newer: Trino 476 needs one" \
  env RUNNEL_RUN_DIR="$tmp/run-sql" RUNNEL_TRINO_JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" \
  ./runnel sql --execute "SELECT 1"

# 5. An unknown command says so.
expect_failure "unknown command" "unknown command 'frobnicate'" ./runnel frobnicate

# 5. bronze-health without Kafka: the admin tool's one line, naming the variable.
kafka_port=$(free_port)
expect_failure "bronze-health without Kafka" \
  "Kafka at 127.0.0.1:$kafka_port (RUNNEL_KAFKA_BOOTSTRAP) did not answer within 2 s" \
  env RUNNEL_RUN_DIR="$tmp/run-health" RUNNEL_KAFKA_BOOTSTRAP="127.0.0.1:$kafka_port" \
  ./runnel bronze-health --timeout-seconds 2

# 6. The Spark jobs' JDK: Spark 4.2's JDKs ranked 25 (from 25.0.3) over 21 over 17, anything else
# refused; a RUNNEL_SPARK_JAVA_HOME that is none of them stops a job before it starts.
fake_jdk() {
  mkdir -p "$tmp/jdk-$1/bin"
  printf '#!/bin/sh\nexit 0\n' >"$tmp/jdk-$1/bin/java"
  chmod +x "$tmp/jdk-$1/bin/java"
  printf 'IMPLEMENTOR="test"\nJAVA_VERSION="%s"\n' "$1" >"$tmp/jdk-$1/release"
}
for case in 25.0.3:3 25.1.0:3 25.0.3.1:3 25.0.2:0 25:0 21.0.5:2 17.0.15:1 26.0.1:0 11.0.2:0; do
  fake_jdk "${case%%:*}"
  rank=$(RUNNEL_ROOT=$PWD bash -c 'source local/lib/common.sh && spark_java_rank "$1"' _ "$tmp/jdk-${case%%:*}")
  if [[ $rank == "${case##*:}" ]]; then
    echo "ok   Spark JDK rank of ${case%%:*}: $rank"
  else
    echo "FAIL Spark JDK rank of ${case%%:*}: $rank, expected ${case##*:}"
    failures=$((failures + 1))
  fi
done
# The choice: with JAVA_HOME a 17, the best JDK of the usual folders (on a machine that has a 21
# or a 25, not JAVA_HOME); an explicit choice is kept.
best=$(RUNNEL_ROOT=$PWD bash -c 'source local/lib/common.sh; b=1
  for h in /usr/lib/jvm/* /opt/java/* /usr/local/java/*; do r=$(spark_java_rank "$h"); ((r > b)) && b=$r; done; echo $b')
chosen=$(RUNNEL_ROOT=$PWD JAVA_HOME="$tmp/jdk-17.0.15" bash -c \
  'source local/lib/common.sh && find_spark_java && spark_java_rank "$RUNNEL_SPARK_JAVA_HOME"')
kept=$(RUNNEL_ROOT=$PWD RUNNEL_SPARK_JAVA_HOME="$tmp/jdk-21.0.5" bash -c \
  'source local/lib/common.sh && find_spark_java && echo "$RUNNEL_SPARK_JAVA_HOME"')
if [[ $chosen == "$best" && $kept == "$tmp/jdk-21.0.5" ]]; then
  echo "ok   Spark JDK choice: rank $chosen, the best here, with JAVA_HOME a 17; RUNNEL_SPARK_JAVA_HOME kept"
else
  echo "FAIL Spark JDK choice: rank '$chosen' with JAVA_HOME a 17, the best here is $best; RUNNEL_SPARK_JAVA_HOME became '$kept'"
  failures=$((failures + 1))
fi
expect_failure "Spark on JDK 25.0.2" \
  "RUNNEL_SPARK_JAVA_HOME=$tmp/jdk-25.0.2 is not a JDK Spark 4.2.0 runs on: 17, 21, or 25.0.3 or newer" \
  env RUNNEL_RUN_DIR="$tmp/run-spark-java" RUNNEL_SPARK_JAVA_HOME="$tmp/jdk-25.0.2" ./runnel silver

# 7. A service just started is recognised as Runnel's at once: right after the fork its command
# line is still the shell's, and inside an exec (env here, setsid, a launcher) it is empty. Before
# service_pid looked again, about one start in ten was reported as "exited during start-up". Once
# they end (zombies first, then reaped), each is reported gone, and a set -e shell goes on.
probes=$(RUNNEL_ROOT=$PWD RUNNEL_RUN_DIR="$tmp/run-pids" bash -c 'set -euo pipefail
  source local/lib/common.sh
  mkdir -p "$PID_DIR" "$LOG_DIR"
  unrecognised=0 alive=0
  for i in $(seq 60); do
    start_process "probe-$i" "$LOG_DIR/probe.log" env python3 -c "import time; time.sleep(3)" "$RUNNEL_RUN_DIR/probe"
    service_pid "probe-$i" >/dev/null || unrecognised=$((unrecognised + 1))
  done
  sleep 3
  # Each lives 3 s; a busy machine (the other suites beside this one) may start some late.
  for _ in $(seq 40); do
    alive=0
    for i in $(seq 60); do
      ! service_pid "probe-$i" >/dev/null || alive=$((alive + 1))
    done
    ((alive == 0)) && break
    sleep 0.5
  done
  echo "$unrecognised $alive $(runnel_processes | wc -l)"')
if [[ $probes == "0 0 0" ]]; then
  echo "ok   60 services started: each recognised at once, and gone once ended"
else
  echo "FAIL 60 services started: unrecognised at once, still alive when ended, left running: '$probes'"
  failures=$((failures + 1))
fi

# The timing table keeps each suite's name and time whatever the suite's functions assign (a
# cold install's loop variable once renamed the row of ./runnel up).
row=$(bash -c 'source local/lib/testrun.sh
  clobber() { name=password-authenticators started=0 rc=3; }
  test_run "services up" clobber && printf "%s" "${TEST_ROWS[0]}"')
# NAME, SECONDS, STATUS, then its cgroup's folder (empty without a writable cpuacct hierarchy).
if [[ $row == $'services up\t'[0-9]$'\tok\t'* ]]; then
  echo "ok   test_run's row survives the names its command assigns"
else
  echo "FAIL test_run's row: '$row'"
  failures=$((failures + 1))
fi

# 8. The supervisor of ./runnel run and demo --continuous (local/lib/supervise): a job that fails
# or is killed is started again; one that keeps failing is given up with its last one-line error;
# SIGTERM reaches the job, whose own exit status ends supervision.
sup=$tmp/supervise
mkdir -p "$sup"
cat >"$sup/job" <<'JOB'
#!/usr/bin/env bash
n=$(($(cat "$1/runs" 2>/dev/null || echo 0) + 1))
echo "$n" >"$1/runs"
case $n in
  1) echo "silver: S3 at http://127.0.0.1:1 is unavailable"; exit 1 ;;
  2) kill -KILL $$ ;;
esac
trap 'echo "stopping on SIGTERM"; exit 0' TERM
echo "streaming"
sleep 60 &
wait
JOB
chmod +x "$sup/job"
RUNNEL_RESTART_BACKOFF_SECONDS=0 local/lib/supervise silver "$sup/log" "$sup/state" -- "$sup/job" "$sup" &
supervisor=$!
for _ in $(seq 100); do grep -q streaming "$sup/log" 2>/dev/null && break; sleep 0.1; done
kill -TERM "$supervisor"
wait "$supervisor"
rc=$?
state=$(head -n 1 "$sup/state")
if [[ $rc == 0 && $(cat "$sup/runs") == 3 && $state == "2 137 killed by signal 9" ]] &&
  grep -q 'stopping on SIGTERM' "$sup/log" && grep -q 'restart 1 in 0 s' "$sup/log"; then
  echo "ok   supervise: a failed and a killed job restarted, SIGTERM passed on (state: $state)"
else
  echo "FAIL supervise: exit $rc, runs $(cat "$sup/runs"), state '$state'; log:"
  sed 's/^/       /' "$sup/log"
  failures=$((failures + 1))
fi
rm -f "$sup/log"
RUNNEL_RESTART_LIMIT=2 RUNNEL_RESTART_BACKOFF_SECONDS=0 local/lib/supervise load "$sup/log" "$sup/state" -- \
  bash -c 'echo "load: PostgreSQL at 127.0.0.1:1 refused the connection"; exit 3'
rc=$?
if [[ $rc == 3 && $(tail -n 1 "$sup/state") == "gave up after 3 failures in a row" ]] &&
  grep -q 'load failed 3 times in a row (last: load: PostgreSQL at 127.0.0.1:1 refused the connection); giving up' "$sup/log"; then
  echo "ok   supervise: given up after RUNNEL_RESTART_LIMIT failures in a row, with the job's last line"
else
  echo "FAIL supervise: exit $rc, state '$(tr '\n' '|' <"$sup/state")'"
  failures=$((failures + 1))
fi

# SIGUSR1 drains: passed on to the job, which ends with 0 ("drained" in the state); a job that dies
# of it (a JVM before its handler is installed) is started again with --available-now.
rm -f "$sup/log" "$sup/runs"
cat >"$sup/drained-job" <<'JOB'
#!/usr/bin/env bash
n=$(($(cat "$1/runs" 2>/dev/null || echo 0) + 1))
echo "$n" >"$1/runs"
if [[ ${2:-} == --available-now ]]; then echo "silver: available now: 3 rows"; exit 0; fi
echo "streaming $n"
[[ -f $1/handles-usr1 ]] && trap 'echo "silver: drained: 5 rows"; exit 0' USR1
sleep 60 &
wait
JOB
chmod +x "$sup/drained-job"
for handler in yes no; do
  rm -f "$sup/log" "$sup/runs" "$sup/handles-usr1"
  [[ $handler == no ]] || touch "$sup/handles-usr1"
  RUNNEL_RESTART_BACKOFF_SECONDS=0 local/lib/supervise silver "$sup/log" "$sup/state" -- "$sup/drained-job" "$sup" &
  supervisor=$!
  for _ in $(seq 100); do grep -q streaming "$sup/log" 2>/dev/null && break; sleep 0.1; done
  kill -USR1 "$supervisor"
  wait "$supervisor"
  rc=$?
  expected='silver: drained: 5 rows' runs=1
  [[ $handler == yes ]] || expected='silver: available now: 3 rows' runs=2
  if [[ $rc == 0 && $(cat "$sup/runs") == "$runs" && $(tail -n 1 "$sup/state") == drained ]] && grep -q "$expected" "$sup/log"; then
    echo "ok   supervise: SIGUSR1 drains a job $([[ $handler == yes ]] && echo 'that handles it' || echo 'killed by it (restarted --available-now)')"
  else
    echo "FAIL supervise: SIGUSR1 (job handles it: $handler): exit $rc, runs $(cat "$sup/runs"), state '$(tr '\n' '|' <"$sup/state")'; log:"
    sed 's/^/       /' "$sup/log"
    failures=$((failures + 1))
  fi
done

# The jobs' start-up cache (local/spark/submit), which ./runnel up trains for the jobs' JDK and for
# JAVA_HOME's: the JVM must map it (strict mode makes a refused cache an error, where a job would
# start without it, unnoticed).
for home in $(printf '%s\n' "${RUNNEL_SPARK_JAVA_HOME:-}" "${JAVA_HOME:-}" | awk 'NF && !seen[$0]++'); do
  cache=$(JAVA_HOME=$home local/spark/submit --cache-file)
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  strict=-Xshare:on
  ((major < 25)) || strict=-XX:AOTMode=on
  if [[ -n $cache && -s $cache ]] &&
    JAVA_HOME=$home SPARK_SUBMIT_OPTS=$strict local/spark/submit --version >"$tmp/out" 2>&1; then
    echo "ok   start-up cache: Java $major starts spark-submit from ${cache##*/} ($strict)"
  else
    echo "FAIL start-up cache of Java $major at $home: '${cache:-none}' missing or refused (./runnel up trains it); output:"
    tail -n 5 "$tmp/out" 2>/dev/null | sed 's/^/       /'
    failures=$((failures + 1))
  fi
done

if ((failures > 0)); then
  echo "$failures ./runnel check(s) failed"
  exit 1
fi
echo "all ./runnel checks passed"
