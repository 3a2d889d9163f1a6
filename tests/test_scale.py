"""Several workers share the database; every task runs exactly once."""

import time

from django.db import connection, transaction

from tests import tasks
from tests.conftest import wait_for
from tests.models import Execution

COUNT = 3000


def test_two_workers_run_each_task_exactly_once(start_worker):
    with transaction.atomic():
        results = [tasks.record.enqueue(f"scale-{n}") for n in range(COUNT)]
    workers = [
        start_worker("--queues", "default:10", options={"STAGER": {"interval": 0.2}})
        for _ in range(2)
    ]
    started = time.monotonic()
    wait_for(lambda: Execution.objects.count() == COUNT, timeout=240, every=0.5)
    with connection.cursor() as cursor:

        def all_completed():
            cursor.execute("SELECT state, count(*) FROM oban_jobs GROUP BY state")
            return dict(cursor.fetchall()) == {"completed": COUNT}

        wait_for(all_completed, timeout=60)
        cursor.execute(
            "SELECT max(attempt), count(DISTINCT attempted_by[1]) FROM oban_jobs"
        )
        max_attempt, nodes = cursor.fetchone()
    assert max_attempt == 1
    assert nodes == 2
    pids = set(Execution.objects.values_list("pid", flat=True))
    assert pids == {worker.process.pid for worker in workers}
    assert Execution.objects.values("key").distinct().count() == COUNT
    assert {result.id for result in results} == {
        str(job_id) for job_id in range(1, COUNT + 1)
    }
    print(f"{COUNT} tasks on 2 workers in {time.monotonic() - started:.1f}s")
