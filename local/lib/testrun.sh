# shellcheck shell=bash
# ./runnel test's bookkeeping: each suite runs timed, in the foreground or beside another one
# (its output kept in a log and printed when it is joined), and every run ends with a table of
# where the time went, the integration test classes included, so that each CI log shows it.
# Sourced after common.sh.

# One row per suite: NAME<TAB>SECONDS<TAB>STATUS<TAB>CGROUP (its CPU is read when the table is
# printed).
TEST_ROWS=()
# Suites running beside: NAME<TAB>PID<TAB>LOG.
TEST_BESIDE=()

# test_run NAME COMMAND...: runs COMMAND in the foreground and records its wall time.
test_run() {
  # Names no command it runs would use: bash's locals are visible to (and assignable by) every
  # function called from here, and an installer's loop once renamed this row.
  local _test_name=$1 _test_started=$SECONDS _test_rc=0 _test_cg
  shift
  _test_cg=$(_test_cgroup "$_test_name")
  # This shell joins the suite's cgroup while the suite runs: what it starts stays there.
  [[ -z $_test_cg ]] || echo "$BASHPID" >"$_test_cg/cgroup.procs" 2>/dev/null || _test_cg=''
  "$@" || _test_rc=$?
  [[ -z $_test_cg ]] || echo "$BASHPID" >"$_TEST_CG_HOME/cgroup.procs" 2>/dev/null || true
  _test_row "$_test_name" $((SECONDS - _test_started)) "$_test_rc" "$_test_cg"
  return "$_test_rc"
}

# CPU seconds per suite, where the kernel counts them for us: a cpuacct cgroup (v1) per suite,
# which everything the suite starts inherits (the services ./runnel up starts stay in its own,
# so that row's CPU is theirs for the whole run). Without a writable cpuacct hierarchy (not root,
# cgroup v2 only) the column shows "-". It tells where a CI budget goes: wall times of suites
# that overlap do not.
_TEST_CG_ROOT='' _TEST_CG_HOME=''
test_cpu_init() {
  local base=/sys/fs/cgroup/cpuacct own
  own=$(sed -nE 's/^[0-9]+:([^:]*,)?cpuacct(,[^:]*)?:(.*)$/\3/p' /proc/self/cgroup 2>/dev/null)
  own=${own%/}
  [[ -w $base$own ]] || return 0
  mkdir -p "$base$own/runnel-test-$$" 2>/dev/null || return 0
  _TEST_CG_HOME=$base$own _TEST_CG_ROOT=$base$own/runnel-test-$$
}

# _test_cgroup NAME: prints a new cgroup's folder for a suite, or nothing.
_test_cgroup() {
  [[ -n $_TEST_CG_ROOT ]] || return 0
  local dir n
  # Numbered (this runs in a subshell: the count is the folders already there).
  n=$(find "$_TEST_CG_ROOT" -mindepth 1 -maxdepth 1 -type d | wc -l)
  dir=$_TEST_CG_ROOT/$((n + 1))-$(printf '%s' "${1%%:*}" | tr -c 'A-Za-z0-9._-' '_')
  mkdir -p "$dir" 2>/dev/null && echo "$dir"
}

# _test_cpu CGROUP: the CPU seconds of everything that ran in it.
_test_cpu() {
  local ns
  [[ -n ${1:-} ]] && ns=$(cat "$1/cpuacct.usage" 2>/dev/null) || {
    echo -
    return
  }
  echo $(((ns + 500000000) / 1000000000))
}

# test_cpu_cleanup: removes the cgroups (those whose processes all ended; the rest stay empty
# of nothing but their counters until the next boot).
test_cpu_cleanup() {
  [[ -n $_TEST_CG_ROOT ]] || return 0
  rmdir "$_TEST_CG_ROOT"/*/ "$_TEST_CG_ROOT" 2>/dev/null || true
}

# test_beside NAME COMMAND...: starts COMMAND in the background, in a process group of its own
# (test_abort stops it whole), its output into a log named after NAME up to its first colon;
# test_join waits for it. Only for suites that share no topic, table, database, port or file with
# what runs meanwhile.
test_beside() {
  local name=$1 log cg
  shift
  log=$LOG_DIR/test-${name%%:*}.log
  cg=$(_test_cgroup "$name")
  # The suite's own wall time goes to LOG.seconds when it ends, not when it is joined.
  setsid bash -c 'started=$SECONDS rc=0
    [[ -z $2 ]] || echo "$BASHPID" >"$2/cgroup.procs" 2>/dev/null || true
    "${@:3}" >"$1" 2>&1 </dev/null || rc=$?
    echo $((SECONDS - started)) >"$1.seconds"
    exit "$rc"' _ "$log" "$cg" "$@" &
  TEST_BESIDE+=("$name"$'\t'"$!"$'\t'"$log"$'\t'"$cg")
  info "$name: started beside (log: $log)"
}

# test_abort: on Ctrl-C or SIGTERM, stops the suites running beside (their whole process groups)
# and the jobs of a demo one of them started.
test_abort() {
  local entry name pid log
  for entry in "${TEST_BESIDE[@]}"; do
    IFS=$'\t' read -r name pid log _ <<<"$entry"
    kill -TERM -- "-$pid" 2>/dev/null || true
  done
  for name in "${DEMO_JOBS[@]}"; do
    stop_service "$name" >/dev/null 2>&1 || true
  done
}

# test_join: waits for every suite test_beside started, prints each one's output, records its
# time; returns non-zero when one failed.
test_join() {
  local entry name pid log cg seconds rc failed=0
  for entry in "${TEST_BESIDE[@]}"; do
    IFS=$'\t' read -r name pid log cg <<<"$entry"
    rc=0
    wait "$pid" || rc=$?
    info "$name (ran beside; its output follows)"
    sed 's/^/  | /' "$log"
    { read -r seconds <"$log.seconds"; } 2>/dev/null || seconds="?"
    _test_row "$name (beside)" "$seconds" "$rc" "$cg"
    ((rc == 0)) || failed=$rc
  done
  TEST_BESIDE=()
  return "$failed"
}

# test_skip NAME: a suite not run because an earlier one failed.
test_skip() {
  TEST_ROWS+=("$1"$'\t'"-"$'\t'"not run")
}

# _test_row NAME SECONDS RC [CGROUP]
_test_row() {
  local status=ok
  (($3 == 0)) || status="failed (exit $3)"
  TEST_ROWS+=("$1"$'\t'"$2"$'\t'"$status"$'\t'"${4:-}")
}

# test_table TOTAL_SECONDS: the suites' wall times and the total, then the integration test
# classes' own times (from failsafe's reports of this run).
test_table() {
  local total=$1 row name seconds status cg
  printf '\n%s\n' "${_bold}Where the time went${_off} (wall and CPU seconds; a suite marked 'beside' overlapped the build, the integration tests or the cluster test; the services' CPU is in the first row)"
  printf '  %-66s %8s %8s\n' "" "wall" "CPU"
  for row in "${TEST_ROWS[@]}"; do
    IFS=$'\t' read -r name seconds status cg <<<"$row"
    printf '  %-66s %6s s %6s s  %s\n' "$name" "$seconds" "$(_test_cpu "$cg")" "$status"
  done
  printf '  %-66s %6s s %6s s  (%d min %02d s)\n' "total" "$total" "$(_test_cpu "$_TEST_CG_ROOT")" $((total / 60)) $((total % 60))
  printf '%s\n' "  integration test classes (inside the suites above):"
  _test_it_rows
}

# The integration test classes run since ./runnel test started, slowest first, from failsafe's
# XML reports (the root element's name and time).
_test_it_rows() {
  find "$RUNNEL_ROOT" -path '*/target/failsafe-reports/TEST-*.xml' -newer "$TEST_STARTED_MARK" -print0 2>/dev/null |
    xargs -0 -r python3 -c 'import sys, xml.etree.ElementTree as ET
rows = [(float(r.get("time", 0)), r.get("name", "?").rsplit(".", 1)[-1]) for r in (ET.parse(f).getroot() for f in sys.argv[1:])]
for t, n in sorted(rows, reverse=True): print("    %-64s %6.0f s" % (n, t))'
}
