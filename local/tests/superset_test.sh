# shellcheck shell=bash
# The Superset tests, after a pipeline run with Trino up (local/tests/bi_test.sh calls
# superset_test): SupersetIT (a fresh Superset imports the bundle; every chart's data through the
# REST API equals Trino's), then screenshots of both dashboards into docs/.
# Needs local/lib/common.sh and local/lib/superset.sh sourced, and load_env done.


superset_test() {
  port_in_use "$RUNNEL_TRINO_PORT" || die "Trino is not running on port $RUNNEL_TRINO_PORT: start it with ./runnel up"
  superset_install
  info "SupersetIT: a fresh Superset imports the bundle; every chart's data against Trino"
  local mvn_offline=-o
  # The first Maven run resolves the bi module's test dependencies online.
  [[ -d $HOME/.m2/repository/io/trino/trino-jdbc ]] || mvn_offline=
  (cd "$RUNNEL_ROOT" && ./mvnw $mvn_offline verify -pl bi -am -Drunnel.bi.skip=false -Dit.test=SupersetIT -Dtest=none \
    -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false) ||
    die "SupersetIT failed (reports: bi/target/failsafe-reports/)"
  # Screenshots from a fresh instance too: the bundle as imported, not a hand-edited server.
  superset_chromium
  superset_playwright
  local home port
  home=$(mktemp -d "$RUNNEL_RUN_DIR/superset-shots-XXXXXX")
  port=$(free_port)
  "$RUNNEL_ROOT/local/tests/superset_instance.sh" up "$home" "$port"
  superset_screenshots "$port" || {
    "$RUNNEL_ROOT/local/tests/superset_instance.sh" down "$home" "$port"
    return 1
  }
  "$RUNNEL_ROOT/local/tests/superset_instance.sh" down "$home" "$port"
  rm -rf "$home"
}
