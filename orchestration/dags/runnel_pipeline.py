"""Runnel's batch stages on a schedule, for teams that run Apache Airflow.

Bronze (Kafka to Delta) runs continuously outside Airflow (`./runnel bronze`, or the `bronze`
service of docker-compose.yml); this DAG checks that it is alive and keeping up, then runs the
stages after it with the same commands as `./runnel`, each as its own task:

    bronze_health >> silver >> load >> dbt_build >> dbt_test

Every stage is idempotent and exactly once (Silver and the load skip batches they already
committed; dbt recomputes the groups new rows touch), so a retried or re-run task never counts an
event twice. The tasks run `./runnel` in the Runnel checkout on the worker, which reads its
settings (RUNNEL_KAFKA_BOOTSTRAP, RUNNEL_S3_*, RUNNEL_PG_*, ...) from the worker's environment.

Settings, read when the DAG file is parsed (environment of the DAG processor and the workers):
    RUNNEL_ROOT              the Runnel checkout (required): the directory holding `runnel`
    RUNNEL_SCHEDULE_SECONDS  how often a run starts (default 60); a run that takes longer delays
                             the next one (one run at a time, no catch-up)
    RUNNEL_AIRFLOW_RETRIES   retries per task (default 2), with exponential backoff from 15 s
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG

DAG_ID = "runnel_pipeline"


def _setting_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _runnel_root() -> str:
    root = os.environ.get("RUNNEL_ROOT", "").strip()
    if not root:
        # An import error in Airflow's UI, naming the variable: never a DAG that runs nothing.
        raise ValueError(
            "RUNNEL_ROOT is not set: export it (the Runnel checkout holding ./runnel) in the "
            "environment of Airflow's DAG processor and workers"
        )
    return root


RUNNEL_ROOT = _runnel_root()
SCHEDULE = timedelta(seconds=_setting_int("RUNNEL_SCHEDULE_SECONDS", 60, minimum=10))
RETRIES = _setting_int("RUNNEL_AIRFLOW_RETRIES", 2, minimum=0)

# The stages in order: task id, the ./runnel command, its time limit, what it does.
STAGES = [
    (
        "bronze_health",
        # The continuous Bronze job holds its writer lease (renewed every few seconds) and has
        # committed a batch recently, or has nothing left to read in Kafka.
        "./runnel bronze-health",
        timedelta(minutes=2),
        "Bronze is running and keeping up with Kafka",
    ),
    (
        "silver",
        "./runnel silver --available-now",
        timedelta(minutes=30),
        "Bronze to Silver: validate, quarantine, deduplicate, MERGE (drain and stop)",
    ),
    (
        "load",
        "./runnel load --available-now",
        timedelta(minutes=30),
        "Silver into PostgreSQL schema silver, exactly once (drain and stop)",
    ),
    (
        "dbt_build",
        # ./runnel transform: dbt source freshness, then dbt build; the tests run in dbt_test.
        "./runnel transform --exclude-resource-type test --exclude-resource-type unit_test",
        timedelta(minutes=30),
        "dbt source freshness, then the models and the snapshot",
    ),
    (
        "dbt_test",
        "./runnel dbt test",
        timedelta(minutes=15),
        "dbt data tests and unit tests on the models just built",
    ),
]

default_args = {
    "owner": "runnel",
    "retries": RETRIES,
    "retry_delay": timedelta(seconds=15),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=5),
}

with DAG(
    dag_id=DAG_ID,
    description="Runnel: Bronze health, Silver, warehouse load, dbt build and tests",
    doc_md=__doc__,
    schedule=SCHEDULE,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    # Silver and the load are single writers of their tables: never two runs at once.
    max_active_runs=1,
    max_active_tasks=1,
    default_args=default_args,
    tags=["runnel"],
) as dag:
    previous = None
    for task_id, command, timeout, summary in STAGES:
        task = BashOperator(
            task_id=task_id,
            bash_command=command,
            cwd=RUNNEL_ROOT,
            execution_timeout=timeout,
            doc_md=summary,
        )
        if previous is not None:
            previous >> task
        previous = task
