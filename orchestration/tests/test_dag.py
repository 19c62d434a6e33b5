"""Loads orchestration/dags with Airflow's DagBag, the way Airflow's DAG processor does, and checks
the pipeline DAG: no import errors, the tasks and their order, the schedule, one run at a time,
retries with backoff, the ./runnel commands (each one a command ./runnel really has), and that the
scheduler can serialize it. Needs no scheduler and no database; run by local/tests/airflow_test.sh.
"""

from __future__ import annotations

import os
import re
import shlex
from datetime import timedelta
from pathlib import Path

import pendulum
import pytest
from airflow.models import DagBag
from airflow.serialization.serialized_objects import DagSerialization
from airflow.timetables.base import DataInterval, TimeRestriction

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "orchestration" / "dags"
DAG_ID = "runnel_pipeline"
EXPECTED_ORDER = ["bronze_health", "silver", "load", "dbt_build", "dbt_test"]
EXPECTED_COMMANDS = {
    "bronze_health": "./runnel bronze-health",
    "silver": "./runnel silver --available-now",
    "load": "./runnel load --available-now",
    "dbt_build": "./runnel transform --exclude-resource-type test --exclude-resource-type unit_test",
    "dbt_test": "./runnel dbt test",
}


def load_dagbag(monkeypatch, **env: str | None) -> DagBag:
    monkeypatch.setenv("RUNNEL_ROOT", str(REPO))
    for name in ("RUNNEL_SCHEDULE_SECONDS", "RUNNEL_AIRFLOW_RETRIES"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return DagBag(dag_folder=str(DAGS))


@pytest.fixture
def dagbag(monkeypatch) -> DagBag:
    return load_dagbag(monkeypatch)


@pytest.fixture
def dag(dagbag):
    return dagbag.dags[DAG_ID]


def test_no_import_errors_and_only_our_dag(dagbag):
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == [DAG_ID]


def test_tasks_run_in_order(dag):
    assert sorted(dag.task_ids) == sorted(EXPECTED_ORDER)
    for upstream, downstream in zip(EXPECTED_ORDER, EXPECTED_ORDER[1:]):
        assert dag.get_task(downstream).upstream_task_ids == {upstream}
    assert dag.get_task(EXPECTED_ORDER[0]).upstream_task_ids == set()
    assert dag.get_task(EXPECTED_ORDER[-1]).downstream_task_ids == set()
    assert [t.task_id for t in dag.topological_sort()] == EXPECTED_ORDER


def test_schedule_one_run_at_a_time_no_catchup(dag):
    assert dag.timetable.delta == timedelta(seconds=60)
    assert dag.max_active_runs == 1
    assert dag.max_active_tasks == 1
    assert dag.catchup is False


def test_retries_with_backoff_and_time_limits(dag):
    for task in dag.tasks:
        assert task.retries == 2, task.task_id
        assert task.retry_exponential_backoff, task.task_id
        assert task.retry_delay == timedelta(seconds=15), task.task_id
        assert task.max_retry_delay == timedelta(minutes=5), task.task_id
        assert task.execution_timeout is not None and task.execution_timeout > timedelta(0)


def test_commands_run_runnel_in_the_checkout(dag):
    for task_id, command in EXPECTED_COMMANDS.items():
        task = dag.get_task(task_id)
        assert type(task).__name__ == "BashOperator"
        assert task.bash_command == command
        assert task.cwd == str(REPO)


def runnel_commands() -> set[str]:
    """The commands ./runnel dispatches: the `name) shift && cmd_...` arms of its case statement."""
    script = (REPO / "runnel").read_text(encoding="utf-8")
    return set(re.findall(r"^  ([a-z][a-z-]*)\) shift", script, flags=re.MULTILINE))


def test_every_command_is_one_runnel_has(dag):
    known = runnel_commands()
    assert {"silver", "load", "transform"} <= known  # the parser reads the script right
    assert os.access(REPO / "runnel", os.X_OK)
    for task in dag.tasks:
        words = shlex.split(task.bash_command)
        assert words[0] == "./runnel", task.task_id
        assert words[1] in known, f"{task.task_id}: ./runnel has no command '{words[1]}'"


def test_the_scheduler_can_serialize_it_and_runs_it_every_interval(dag):
    data = DagSerialization.to_dict(dag)
    DagSerialization.validate_schema(data)
    restored = DagSerialization.from_dict(data)
    assert {t.task_id: t.upstream_task_ids for t in restored.tasks} == {
        t.task_id: t.upstream_task_ids for t in dag.tasks
    }
    assert restored.max_active_runs == 1
    assert restored.catchup is False
    # The scheduler's view: without catch-up, the first run is due now, not back at start_date,
    # and the next one an interval later.
    now = pendulum.now("UTC")
    restriction = TimeRestriction(earliest=restored.start_date, latest=None, catchup=False)
    first = restored.timetable.next_dagrun_info(
        last_automated_data_interval=None, restriction=restriction
    )
    assert first is not None
    assert abs((first.run_after - now).total_seconds()) < 120
    second = restored.timetable.next_dagrun_info(
        last_automated_data_interval=DataInterval.exact(first.run_after), restriction=restriction
    )
    assert second.run_after - first.run_after == timedelta(seconds=60)


def test_schedule_and_retries_come_from_the_environment(monkeypatch):
    dagbag = load_dagbag(monkeypatch, RUNNEL_SCHEDULE_SECONDS="300", RUNNEL_AIRFLOW_RETRIES="5")
    assert dagbag.import_errors == {}
    dag = dagbag.dags[DAG_ID]
    assert dag.timetable.delta == timedelta(seconds=300)
    assert {t.retries for t in dag.tasks} == {5}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RUNNEL_ROOT": None}, "RUNNEL_ROOT is not set"),
        ({"RUNNEL_SCHEDULE_SECONDS": "soon"}, "RUNNEL_SCHEDULE_SECONDS must be a whole number"),
        ({"RUNNEL_SCHEDULE_SECONDS": "1"}, "RUNNEL_SCHEDULE_SECONDS must be at least 10"),
        ({"RUNNEL_AIRFLOW_RETRIES": "-1"}, "RUNNEL_AIRFLOW_RETRIES must be at least 0"),
    ],
)
def test_a_bad_setting_is_an_import_error_naming_it(monkeypatch, env, message):
    dagbag = load_dagbag(monkeypatch, **env)
    assert DAG_ID not in dagbag.dags
    errors = list(dagbag.import_errors.values())
    assert len(errors) == 1
    assert message in errors[0]
