# shellcheck shell=bash
# spark-submit from PySpark (PyPI) in its own virtualenv: local runs use the same command and the
# same jars as a cluster.

SPARK_VENV=$RUNNEL_CACHE_DIR/venvs/spark

# local/spark/requirements.txt pins PySpark (at PYSPARK_VERSION, which the jars are built
# against) and its one dependency.
spark_install() {
  local requirements=$RUNNEL_ROOT/local/spark/requirements.txt
  grep -qx "pyspark==$PYSPARK_VERSION" "$requirements" ||
    die "local/spark/requirements.txt must pin pyspark==$PYSPARK_VERSION (PYSPARK_VERSION in local/lib/common.sh)"
  venv_install "PySpark $PYSPARK_VERSION" "$SPARK_VENV" "$requirements" spark-submit 3.10 3.13 1500
  local pyspark_dirs=("$SPARK_VENV"/lib/python3*/site-packages/pyspark)
  RUNNEL_SPARK_HOME=${pyspark_dirs[0]}
  spark_train_start_up
}

# spark_train_start_up [JDK_HOME...]: Spark's start-up cache (local/spark/submit) for each JDK
# (default: the jobs' JDK), made once per JDK and Spark; a failure leaves the jobs starting
# without one. ./runnel test adds JAVA_HOME's: the integration tests' jobs run on it, so that 17
# stays covered.
spark_train_start_up() {
  [[ $RUNNEL_SPARK_SUBMIT == "$RUNNEL_ROOT/local/spark/submit" ]] || return 0
  local home cache
  for home in "${@:-$RUNNEL_SPARK_JAVA_HOME}"; do
    [[ -n $home ]] || continue
    cache=$(JAVA_HOME=$home SPARK_HOME=$RUNNEL_SPARK_HOME "$RUNNEL_SPARK_SUBMIT" --cache-file)
    [[ -n $cache && ! -s $cache ]] || continue
    info "Spark's start-up cache for Java $(java_release_version "$home"): one short Spark job, once (under a minute)"
    JAVA_HOME=$home SPARK_HOME=$RUNNEL_SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 "$RUNNEL_SPARK_SUBMIT" --train
    [[ ! -s $cache ]] || ok "Spark's start-up cache: $cache"
  done
}

# spark_env COMMAND ARGS...: COMMAND with the local profile's Spark environment: the Spark jobs'
# JDK, the Spark inside PySpark, loopback. Every launch of spark-submit goes through here
# (COMMAND may be exec, setsid or start_process, to keep the JVM's PID); only the cluster test's
# daemons start from an empty environment of their own.
spark_env() {
  JAVA_HOME=$RUNNEL_SPARK_JAVA_HOME SPARK_HOME=$RUNNEL_SPARK_HOME SPARK_LOCAL_IP=127.0.0.1 "$@"
}

# spark_submit ARGS...: the local profile's spark-submit (conf from local/spark/conf).
spark_submit() {
  spark_env "$RUNNEL_SPARK_SUBMIT" "$@"
}

# spark_job_note [ARG]: "(Java 25.0.3, ARG)", the JDK a job runs on, for its first line.
spark_job_note() {
  echo "(Java $(java_release_version "$RUNNEL_SPARK_JAVA_HOME")${1:+, $1})"
}
