"""Periodic tasks from OPTIONS["CRON"] run once per tick across all nodes."""

from django.db import connection
from django.tasks import TaskResultStatus

from tests import tasks
from tests.conftest import wait_for

CRON = {
    "STAGER": {"interval": 0.2},
    "CRON": [
        ["* * * * *", "tests.tasks.cron_tick"],
        ["@daily", "tests.tasks.thread_name", {"timezone": "Europe/Lisbon"}],
    ],
}


def cron_jobs():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, state, meta->>'cron_expr' FROM oban_jobs"
            " WHERE worker = 'tests.tasks.cron_tick' ORDER BY id"
        )
        return cursor.fetchall()


def test_cron_runs_once_per_tick_on_two_nodes(start_worker):
    start_worker(options=CRON)
    start_worker(options=CRON)
    wait_for(lambda: cron_jobs() and cron_jobs()[0][1] == "completed", timeout=75)
    ((job_id, _state, expression),) = cron_jobs()
    assert expression == "* * * * *"
    result = tasks.cron_tick.get_result(str(job_id))
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "tick"
