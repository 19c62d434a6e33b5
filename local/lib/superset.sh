# shellcheck shell=bash
# Apache Superset in its own virtualenv (superset/requirements.txt, every package pinned), served
# by gunicorn on loopback, with a SQLite metadata database in the run folder. It reads data only
# through Trino as the read-only BI user; the dashboards are the asset bundle in superset/,
# imported by superset_import with the BI password supplied at import time.
#
# ./runnel calls, in this order: superset_install, superset_start, superset_ready (up);
# superset_import (dashboards, once Trino is up); stop_service superset (down).
# A second, throw-away instance (the tests) passes its own name, folder and port to the same
# functions; see local/tests/superset_instance.sh.

SUPERSET_VENV=$RUNNEL_CACHE_DIR/venvs/superset
SUPERSET_BUNDLE_DIR=$RUNNEL_ROOT/superset
SUPERSET_ADMIN_USER=${RUNNEL_SUPERSET_ADMIN_USER:-admin}
# Superset's processes run without these: the requests library lets either variable override the
# CA file a connection is given, so Trino's certificate (connect_args verify) would be ignored.
SUPERSET_CLEAN_ENV=(env -u REQUESTS_CA_BUNDLE -u CURL_CA_BUNDLE)

# (Re)installs the virtualenv when superset/requirements.txt changed since the last install.
# Superset 6.1 supports Python 3.10 to 3.12 (its pinned numpy and pandas have no 3.13 wheels).
superset_install() {
  venv_install "Apache Superset" "$SUPERSET_VENV" "$SUPERSET_BUNDLE_DIR/requirements.txt" superset 3.10 3.12 1200
}

# superset_env [HOME]: the variables superset/superset_config.py reads, for the instance whose
# data (metadata database, certificates) is in HOME (default: the run folder's superset/).
superset_env() {
  local home=${1:-$RUNNEL_RUN_DIR/superset}
  mkdir -p "$home"
  : "${RUNNEL_SUPERSET_SECRET_KEY:?load_env first}"
  export RUNNEL_SUPERSET_HOME=$home SUPERSET_HOME=$home
  export RUNNEL_SUPERSET_DATABASE_URI=sqlite:///$home/superset.db
  export SUPERSET_CONFIG_PATH=$SUPERSET_BUNDLE_DIR/superset_config.py
  export FLASK_APP=superset
}

# superset_cli LOG ARGS...: the pinned `superset` command, output to LOG; one line on failure.
superset_cli() {
  local log=$1
  shift
  "${SUPERSET_CLEAN_ENV[@]}" "$SUPERSET_VENV/bin/superset" "$@" >>"$log" 2>&1 || {
    grep -v '^\s*$' "$log" | tail -n 3 >&2
    die "superset $1 failed (log: $log)"
  }
}

# superset_prepare [HOME]: migrates the metadata database, creates Superset's roles and
# permissions and the admin account (password from the environment). Idempotent; never loads
# the examples.
superset_prepare() {
  superset_env "${1:-}"
  local log=$LOG_DIR/superset-admin.log
  : "${RUNNEL_SUPERSET_ADMIN_PASSWORD:?load_env first}"
  superset_cli "$log" db upgrade
  superset_cli "$log" init
  # Not `superset fab create-admin --password`: a password on the command line shows in `ps`.
  "${SUPERSET_CLEAN_ENV[@]}" "$SUPERSET_VENV/bin/python" "$SUPERSET_BUNDLE_DIR/runnel_superset.py" admin "$SUPERSET_ADMIN_USER" >>"$log" 2>&1 || {
    grep -v '^\s*$' "$log" | tail -n 3 >&2
    die "creating the Superset admin account failed (log: $log)"
  }
}

# superset_start [NAME HOME PORT]: prepares the metadata database, then starts gunicorn in the
# background (default: service `superset`, the run folder's superset/, RUNNEL_SUPERSET_PORT).
superset_start() {
  local name=${1:-superset} home=${2:-$RUNNEL_RUN_DIR/superset} port=${3:-$RUNNEL_SUPERSET_PORT}
  already_running "$name" "Superset on 127.0.0.1:$port" && return 0
  require_free_port "$port" RUNNEL_SUPERSET_PORT
  superset_prepare "$home"
  # Two workers of four threads: a dashboard fires all its chart queries at once, and each
  # waits on Trino, not on the CPU. The PID file path puts HOME (inside the run folder) on the
  # command line, which is how service_pid recognises the process as ours.
  start_process "$name" "$LOG_DIR/$name.log" "${SUPERSET_CLEAN_ENV[@]}" "$SUPERSET_VENV/bin/gunicorn" \
    --bind "127.0.0.1:$port" --workers 2 --worker-class gthread --threads 4 --timeout 120 \
    --pid "$home/gunicorn.pid" --access-logfile - "superset.app:create_app()"
}

# superset_ready [NAME PORT]: waits until the server answers its health check.
superset_ready() {
  local name=${1:-superset} port=${2:-$RUNNEL_SUPERSET_PORT} i
  wait_for_port "$name" "$port" 120 "$LOG_DIR/$name.log"
  for ((i = 0; i < 300; i++)); do
    [[ $(curl -fsS --max-time 5 "http://127.0.0.1:$port/health" 2>/dev/null) == OK ]] && break
    service_pid "$name" >/dev/null || died_during_start_up "$name" "$LOG_DIR/$name.log"
    sleep 0.2
  done
  ((i < 300)) || die "$name did not answer http://127.0.0.1:$port/health within 60 s (log: $LOG_DIR/$name.log)"
  ok "Superset ready on http://127.0.0.1:$port (user $SUPERSET_ADMIN_USER, pid $(service_pid "$name"))"
}

# superset_import [HOME]: imports the bundle in superset/ (database, datasets, charts,
# dashboards; existing ones are overwritten). The BI user's password and the path of Trino's CA
# certificate are supplied here, from the environment; neither is in git.
superset_import() {
  superset_env "${1:-}"
  : "${RUNNEL_TRINO_BI_PASSWORD:?load_env first}"
  [[ -f $RUNNEL_TRINO_CA_FILE ]] || die "Trino's CA certificate $RUNNEL_TRINO_CA_FILE is missing: start Trino first (./runnel up)"
  local log=$LOG_DIR/superset-import.log
  "${SUPERSET_CLEAN_ENV[@]}" "$SUPERSET_VENV/bin/python" "$SUPERSET_BUNDLE_DIR/runnel_superset.py" import "$SUPERSET_BUNDLE_DIR" "$SUPERSET_ADMIN_USER" \
    >>"$log" 2>&1 || {
    grep -v '^\s*$' "$log" | tail -n 3 >&2
    die "importing the Superset bundle failed (log: $log)"
  }
  ok "dashboards imported: $(tail -n 1 "$log")"
}

# --- the dashboards in a headless browser (screenshots, the tests, the benchmark) --------------

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
