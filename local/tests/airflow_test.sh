#!/usr/bin/env bash
# The Airflow DAG (orchestration/dags) loaded by Airflow's own DagBag, as Airflow's DAG processor
# loads it: orchestration/tests/test_dag.py checks import errors, tasks and their order, schedule,
# one run at a time, retries, and that each task's ./runnel command exists. Installs the pinned
# Airflow virtualenv on first use ($RUNNEL_CACHE_DIR/venvs/airflow). Needs no running service, no
# scheduler: Airflow's home and its SQLite file are a temporary folder, deleted at the end.
# Exit status non-zero on any failure (a skipped test counts as one).
set -euo pipefail

# shellcheck source=setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh" airflow

started=$(date +%s)
ensure_dirs
airflow_install
ok "Airflow $("$AIRFLOW_VENV/bin/python" -c 'import airflow; print(airflow.__version__)') in $AIRFLOW_VENV ($(($(date +%s) - started)) s)"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export AIRFLOW_HOME=$tmp/airflow
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__DAGS_FOLDER=$RUNNEL_ROOT/orchestration/dags
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=sqlite:///$tmp/airflow.db
# The test sets RUNNEL_ROOT and the DAG's settings itself; the caller's must not leak in.
unset RUNNEL_SCHEDULE_SECONDS RUNNEL_AIRFLOW_RETRIES

info "pytest orchestration/tests (DagBag on orchestration/dags)"
rc=0
"$AIRFLOW_VENV/bin/python" -m pytest -p no:cacheprovider -q -rs orchestration/tests 2>&1 | tee "$tmp/pytest.log" || rc=$?
((rc == 0)) || die "the Airflow DAG test failed (exit $rc; output above)"
if grep -Eq '[0-9]+ skipped' "$tmp/pytest.log"; then
  die "the Airflow DAG test skipped tests (see above): every test must run"
fi
ok "Airflow DAG test passed ($(($(date +%s) - started)) s)"
