# shellcheck shell=bash
# Apache Airflow (for the DAG in orchestration/) in its own virtualenv, from the fully pinned
# orchestration/requirements.txt. Runnel runs no Airflow scheduler itself: the virtualenv serves
# the DAG's test (local/tests/airflow_test.sh) and teams that try the DAG locally.

AIRFLOW_VENV=$RUNNEL_CACHE_DIR/venvs/airflow
AIRFLOW_REQUIREMENTS=$RUNNEL_ROOT/orchestration/requirements.txt

# (Re)installs the virtualenv when orchestration/requirements.txt changed since the last install.
# The pins were resolved on Python 3.12 (some, e.g. Deprecated 3.0.1, need it): RUNNEL_AIRFLOW_PYTHON,
# else a 3.12 on the PATH or among pyenv's versions.
airflow_install() {
  venv_install "Apache Airflow" "$AIRFLOW_VENV" "$AIRFLOW_REQUIREMENTS" airflow 3.12 3.12 800 "${RUNNEL_AIRFLOW_PYTHON:-}"
}
