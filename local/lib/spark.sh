# shellcheck shell=bash
# spark-submit from PySpark (PyPI) in its own virtualenv: local runs use the same command and the
# same jars as a cluster.

SPARK_VENV=$RUNNEL_CACHE_DIR/venvs/spark

python_for_venv() {
  local py
  for py in python3.12 python3.11 python3.10 python3; do
    if command -v "$py" >/dev/null &&
      "$py" -c 'import sys, venv; sys.exit(0 if (3, 10) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
      command -v "$py"
      return 0
    fi
  done
  return 1
}

spark_install() {
  [[ -x $RUNNEL_SPARK_SUBMIT && -f $SPARK_VENV/.complete-$PYSPARK_VERSION ]] && return 0
  require_disk "$RUNNEL_CACHE_DIR" 1500
  local py
  py=$(python_for_venv) || die "Python 3.10 to 3.13 with venv is needed for spark-submit (PySpark) and was not found"
  info "installing PySpark $PYSPARK_VERSION (spark-submit) into $SPARK_VENV"
  rm -rf "$SPARK_VENV"
  "$py" -m venv "$SPARK_VENV" || die "cannot create a virtualenv with $py (install python3-venv)"
  "$SPARK_VENV/bin/pip" install --quiet --no-cache-dir "pyspark==$PYSPARK_VERSION" >"$LOG_DIR/spark-install.log" 2>&1 || {
    tail -n 3 "$LOG_DIR/spark-install.log" >&2
    die "pip could not install pyspark==$PYSPARK_VERSION (log: $LOG_DIR/spark-install.log)"
  }
  touch "$SPARK_VENV/.complete-$PYSPARK_VERSION"
  local pyspark_dirs=("$SPARK_VENV"/lib/python3*/site-packages/pyspark)
  RUNNEL_SPARK_HOME=${pyspark_dirs[0]}
  RUNNEL_SPARK_SUBMIT=$RUNNEL_SPARK_HOME/bin/spark-submit
}

# spark_submit ARGS...: the local profile's spark-submit (conf from local/spark/conf).
spark_submit() {
  JAVA_HOME=$JAVA_HOME SPARK_HOME=$RUNNEL_SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 "$RUNNEL_SPARK_SUBMIT" "$@"
}
