"""Rescue depends on the worker being gone, not on how long a task runs."""

import pytest
from django.tasks import TaskResultStatus

from tests import tasks
from tests.conftest import job_columns, wait_for
from tests.models import Event

# Oban.py would rescue anything executing for over a second; the producers'
# heartbeats are every half second and expire after two.
QUICK_RESCUE = {
    "STAGER": {"interval": 0.2},
    "LIFELINE": {"interval": 0.5, "rescue_after": 1},
    "REFRESHER": {"interval": 0.5, "max_age": 2},
}


def job_state(job_id):
    return job_columns(job_id, "state", "attempt", "(meta->>'rescued')::int")


def events(name):
    return list(Event.objects.filter(name=name).values_list("pid", flat=True))


@pytest.mark.parametrize("task", [tasks.sleep, tasks.async_sleep])
def test_long_task_on_a_live_worker_runs_once(start_worker, task):
    worker = start_worker(options=QUICK_RESCUE)
    result = task.enqueue(4, key="long")
    wait_for(lambda: events("end:long"), timeout=30)
    assert events("start:long") == [worker.process.pid]
    assert events("end:long") == [worker.process.pid]
    wait_for(lambda: job_state(result.id)[0] == "completed")
    assert job_state(result.id) == ("completed", 1, None)
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.attempts == 1


def test_task_of_a_killed_worker_is_rescued_and_completed(start_worker):
    # The survivor starts first, so that it is the leader that rescues.
    survivor = start_worker("--queues", "default:1", options=QUICK_RESCUE)
    tasks.sleep.enqueue(5, key="blocker")
    wait_for(lambda: events("start:blocker"))
    victim = start_worker("--queues", "default:1", options=QUICK_RESCUE)
    result = tasks.sleep.enqueue(2, key="orphan")
    wait_for(lambda: events("start:orphan"))
    assert events("start:orphan") == [victim.process.pid]
    victim.process.kill()
    victim.process.wait()
    wait_for(lambda: job_state(result.id)[0] == "completed", timeout=40)
    assert job_state(result.id) == ("completed", 2, 1)
    assert events("start:orphan") == [victim.process.pid, survivor.process.pid]
    assert events("end:orphan") == [survivor.process.pid]
