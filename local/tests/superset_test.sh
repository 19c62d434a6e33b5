# shellcheck shell=bash
# The Superset tests, after a pipeline run with Trino up (local/tests/bi_test.sh calls
# superset_test): SupersetIT (a fresh Superset imports the bundle; every chart's data through the
# REST API equals Trino's), then screenshots of both dashboards into docs/.
# Needs local/lib/common.sh and local/lib/superset.sh sourced, and load_env done.

SUPERSET_SCREENSHOTS_DIR=$RUNNEL_ROOT/superset/screenshots

# Debian's chromium, installed once (as root through apt-get; otherwise it must be there already).
superset_chromium() {
  RUNNEL_CHROMIUM=${RUNNEL_CHROMIUM:-$(command -v chromium || true)}
  if [[ -z $RUNNEL_CHROMIUM ]]; then
    [[ $EUID -eq 0 ]] || die "chromium is not installed: install Debian's chromium package (apt-get install chromium) or set RUNNEL_CHROMIUM"
    info "installing Debian's chromium (once) for the dashboard screenshots"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$LOG_DIR/chromium-install.log" 2>&1 ||
      die "apt-get could not install chromium (log: $LOG_DIR/chromium-install.log)"
    RUNNEL_CHROMIUM=$(command -v chromium)
  fi
  export RUNNEL_CHROMIUM
}

# playwright-core from superset/screenshots/package-lock.json (npm ci: exactly the locked version).
superset_playwright() {
  command -v npm >/dev/null || die "npm is needed for the dashboard screenshots (install Node.js 18 or newer)"
  local lock=$SUPERSET_SCREENSHOTS_DIR/package-lock.json stamp=$SUPERSET_SCREENSHOTS_DIR/node_modules/.lock.sha256 want
  want=$(sha256sum "$lock" | cut -d' ' -f1)
  [[ -f $stamp && $(<"$stamp") == "$want" ]] && return 0
  (cd "$SUPERSET_SCREENSHOTS_DIR" && npm ci --no-audit --no-fund) >"$LOG_DIR/playwright-install.log" 2>&1 ||
    die "npm ci failed in superset/screenshots (log: $LOG_DIR/playwright-install.log)"
  echo "$want" >"$stamp"
}

# superset_dashboards_node MODE ARGS...: dashboards.mjs against a running Superset.
superset_dashboards_node() {
  superset_chromium
  superset_playwright
  (cd "$SUPERSET_SCREENSHOTS_DIR" && node dashboards.mjs "$@")
}

# superset_screenshots [PORT]: docs/dashboard-clickstream.png and docs/dashboard-pipeline-health.png
# from the Superset on PORT (default: the one ./runnel up started, bundle imported).
superset_screenshots() {
  local port=${1:-$RUNNEL_SUPERSET_PORT}
  mkdir -p "$RUNNEL_ROOT/docs"
  # shellcheck disable=SC2154 # _red and _off come from common.sh
  superset_dashboards_node shots "http://127.0.0.1:$port" "$RUNNEL_ROOT/docs" || {
    printf '%s\n' "${_red}runnel: dashboard screenshots failed: a chart did not render (see above)${_off}" >&2
    return 1
  }
  ok "screenshots: docs/dashboard-clickstream.png, docs/dashboard-pipeline-health.png"
}

superset_test() {
  port_in_use "$RUNNEL_TRINO_PORT" || die "Trino is not running on port $RUNNEL_TRINO_PORT: start it with ./runnel up"
  superset_install
  info "SupersetIT: a fresh Superset imports the bundle; every chart's data against Trino"
  local mvn_offline=-o
  # The first Maven run resolves the bi module's test dependencies online.
  [[ -d $HOME/.m2/repository/io/trino/trino-jdbc ]] || mvn_offline=
  (cd "$RUNNEL_ROOT" && ./mvnw $mvn_offline verify -pl bi -Drunnel.bi.skip=false -Dit.test=SupersetIT -Dtest=none \
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

# A free loopback port, chosen by the kernel.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}
