# shellcheck shell=bash
# The BI integration tests, after a pipeline run with Trino up (local/tests/bi_test.sh calls
# bi_its): one fresh Superset (its own metadata database and port, started by the functions
# ./runnel uses) imports the bundle; Trino and that Superset are restarted; then one Maven run of TrinoIT (lake counts equal Spark's,
# the federated queries, the read-only BI user) and SupersetIT (every chart's data through
# Superset's REST API equals Trino's) on it; then screenshots of both dashboards from the same
# instance into docs/: the bundle as imported, not a hand-edited server.
# Needs local/lib/common.sh and local/lib/superset.sh sourced, and load_env done.

bi_its() {
  port_in_use "$RUNNEL_TRINO_PORT" || die "Trino is not running on port $RUNNEL_TRINO_PORT: start it with ./runnel up"
  superset_install
  superset_chromium
  superset_playwright
  local home port rc=0
  home=$(mktemp -d "$RUNNEL_RUN_DIR/superset-it-XXXXXX")
  port=$(free_port)
  info "a fresh Superset on port $port: the bundle imported"
  # Stopped on every way out, Ctrl-C and ./runnel test's abort (SIGTERM) included.
  trap "$(printf '%q ' "$RUNNEL_ROOT/local/tests/superset_instance.sh" down "$home" "$port")>/dev/null 2>&1 || true" EXIT
  trap 'exit 130' INT TERM
  "$RUNNEL_ROOT/local/tests/superset_instance.sh" up "$home" "$port" ||
    die "the fresh Superset did not start (logs in $LOG_DIR)"
  # Both restarted under the dashboards (issue 21): SupersetIT below reads every chart through
  # them, so they must answer again with no manual step (no import, no table registration).
  info "Trino and this Superset restarted (SIGTERM, then started the way ./runnel up starts them)"
  local restarted=$SECONDS
  stop_service trino >/dev/null
  trino_start
  trino_ready >/dev/null
  "$RUNNEL_ROOT/local/tests/superset_instance.sh" restart "$home" "$port" >/dev/null ||
    die "the Superset did not start again (logs in $LOG_DIR)"
  ok "Trino and Superset restarted in $((SECONDS - restarted)) s"
  bi_its_on "$port" && superset_screenshots "$port" || rc=$?
  "$RUNNEL_ROOT/local/tests/superset_instance.sh" down "$home" "$port"
  trap - EXIT INT TERM
  rm -rf "$home"
  return "$rc"
}

# bi_its_on PORT: TrinoIT and SupersetIT (on the Superset at PORT) in one Maven run.
bi_its_on() {
  local log=$LOG_DIR/bi-its.log mvn_offline=-o
  info "TrinoIT and SupersetIT (log: $log)"
  # The first Maven run resolves the bi module's test dependencies online.
  [[ -d $HOME/.m2/repository/io/trino/trino-jdbc ]] || mvn_offline=
  # Every setting the tests read, exported as ./runnel sees it.
  eval "$(./runnel env)"
  # Failsafe's goals after the compile phase: the integration tests without building or packaging
  # again (./runnel test runs this beside other Maven runs and the jobs' jars).
  (cd "$RUNNEL_ROOT" && ./mvnw $mvn_offline test-compile failsafe:integration-test failsafe:verify \
    -pl bi -am -Drunnel.bi.skip=false -Dit.test=TrinoIT,SupersetIT -Drunnel.superset.port="$1" \
    -Dfailsafe.failIfNoSpecifiedTests=false) >"$log" 2>&1 || {
    grep -E '^\[ERROR\]' "$log" | head -n 15 >&2
    printf '%s\n' "${_red}runnel: TrinoIT or SupersetIT failed (log: $log; reports: bi/target/failsafe-reports/)${_off}" >&2
    return 1
  }
  grep -E 'Tests run:.*in io.runnel.bi' "$log" | sed 's/^/  /' || true
}
