# shellcheck shell=bash
# Apache Airflow (for the DAG in orchestration/) in its own virtualenv, from the fully pinned
# orchestration/requirements.txt. Runnel runs no Airflow scheduler itself: the virtualenv serves
# the DAG's test (local/tests/airflow_test.sh) and teams that try the DAG locally.

AIRFLOW_VENV=$RUNNEL_CACHE_DIR/venvs/airflow
AIRFLOW_REQUIREMENTS=$RUNNEL_ROOT/orchestration/requirements.txt

# The pins were resolved on Python 3.12 (some, e.g. Deprecated 3.0.1, need it): find a 3.12 with
# venv, on the PATH or among pyenv's versions, or take RUNNEL_AIRFLOW_PYTHON.
airflow_python() {
  local py
  for py in ${RUNNEL_AIRFLOW_PYTHON:-} python3.12 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.12*/bin/python3.12; do
    if [[ -n $py ]] && command -v "$py" >/dev/null &&
      "$py" -c 'import sys, venv; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

# (Re)installs the virtualenv when orchestration/requirements.txt changed since the last install.
airflow_install() {
  local stamp=$AIRFLOW_VENV/.requirements.sha256 want
  want=$(sha256sum "$AIRFLOW_REQUIREMENTS" | cut -d' ' -f1)
  [[ -x $AIRFLOW_VENV/bin/airflow && -f $stamp && $(<"$stamp") == "$want" ]] && return 0
  require_disk "$RUNNEL_CACHE_DIR" 800
  local py log=$LOG_DIR/airflow-install.log
  py=$(airflow_python) || die "Python 3.12 with venv is needed for Airflow (orchestration/requirements.txt) and was not found: install it, or set RUNNEL_AIRFLOW_PYTHON"
  info "installing Apache Airflow (orchestration/requirements.txt) into $AIRFLOW_VENV"
  rm -rf "$AIRFLOW_VENV"
  "$py" -m venv "$AIRFLOW_VENV" || die "cannot create a virtualenv with $py (install python3-venv)"
  # --no-deps: the file pins the whole tree; pip check then proves nothing is missing.
  if ! "$AIRFLOW_VENV/bin/pip" install --quiet --no-cache-dir --no-deps -r "$AIRFLOW_REQUIREMENTS" >"$log" 2>&1; then
    tail -n 3 "$log" >&2
    die "pip could not install orchestration/requirements.txt (log: $log)"
  fi
  if ! "$AIRFLOW_VENV/bin/pip" check >>"$log" 2>&1; then
    tail -n 3 "$log" >&2
    die "orchestration/requirements.txt is incomplete for $("$py" --version 2>&1) (pip check; log: $log)"
  fi
  echo "$want" >"$stamp"
}
