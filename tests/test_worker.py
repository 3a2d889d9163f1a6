"""End to end: real ``oban_worker`` processes run Django tasks from PostgreSQL."""

import os
import signal
import time

import pytest
from django.db import connection
from django.tasks import TaskResultStatus
from oban import Job

from tests import lazy, tasks
from tests.conftest import insert_job, job_columns, wait_for
from tests.models import Event, Execution

FAST = {
    "STAGER": {"interval": 0.2},
    "SHUTDOWN_GRACE_PERIOD": 10,
}


def finished(result, timeout=20.0):
    """Wait until ``result`` is SUCCESSFUL or FAILED, and return it refreshed."""

    def done():
        result.refresh()
        return result.is_finished

    wait_for(done, timeout)
    return result


def job_state(job_id):
    return job_columns(job_id, "state", "attempt", "errors::text", "meta::text")


JSON_VALUES = [
    None,
    True,
    False,
    0,
    -7,
    2**40,
    1.5,
    "",
    "naïve café ☕ 日本",
    [],
    [1, "two", None, [3.5]],
    {},
    {"nested": {"list": [1, {"a": None}], "ok": True}, "ü": "ß"},
]


def test_sync_and_async_tasks_return_every_json_type(start_worker):
    worker = start_worker(options=FAST)
    results = [tasks.echo.enqueue(value) for value in JSON_VALUES]
    results += [tasks.async_echo.enqueue(value=value) for value in JSON_VALUES]
    sums = [tasks.add.enqueue(2, b=3), tasks.async_add.enqueue(a=4, b=5)]
    for result, value in zip(results, JSON_VALUES * 2, strict=True):
        assert finished(result).status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == value
        assert result.attempts == 1
        assert result.errors == []
        assert result.finished_at >= result.started_at >= result.enqueued_at
    assert [finished(result).return_value for result in sums] == [5, 9]
    assert sums[0].args == [2] and sums[0].kwargs == {"b": 3}
    log = worker.output()
    assert f"Task id={sums[0].id} path=tests.tasks.add state=RUNNING" in log
    assert f"Task id={sums[0].id} path=tests.tasks.add state=SUCCESSFUL" in log


def test_tuples_come_back_as_lists(start_worker):
    start_worker(options=FAST)
    result = tasks.echo.enqueue((1, (2, 3)))
    assert finished(result).return_value == [1, [2, 3]]


def test_banner(start_worker):
    worker = start_worker("--node", "web-7", "--queues", "default:3,mail")
    banner = next(line for line in worker.output().splitlines() if "queues=" in line)
    name = connection.settings_dict["NAME"]
    assert "django-tasks-oban 0.1.0 (Oban.py 0.7" in banner
    assert "node=web-7" in banner
    assert f"/{name}" in banner
    assert "prefix=public" in banner
    assert banner.endswith("queues=default:3, mail:10")


def test_module_never_imported_before_the_job(start_worker):
    start_worker(options=FAST)
    result = lazy.lazy_double.enqueue(21)
    assert finished(result).return_value == 42
    assert result.attempts == 1


def test_orm_in_sync_and_async_tasks(start_worker):
    start_worker(options=FAST)
    first = finished(tasks.record.enqueue("sync-orm"))
    second = finished(tasks.async_record.enqueue("async-orm"))
    assert first.status == second.status == TaskResultStatus.SUCCESSFUL
    assert second.return_value == 2
    pids = set(Execution.objects.values_list("pid", flat=True))
    assert len(pids) == 1 and os.getpid() not in pids


def test_sync_tasks_run_in_threads_up_to_the_queue_limit(start_worker):
    start_worker("--queues", "default:5", options=FAST)
    started = time.monotonic()
    results = [tasks.sleep.enqueue(1.0) for _ in range(5)]
    heartbeat = tasks.async_echo.enqueue("loop is free")
    for result in results:
        finished(result)
    elapsed = time.monotonic() - started
    # One after another would take 5 s; side by side it is about one sleep.
    assert elapsed < 3.0, elapsed
    assert finished(heartbeat).return_value == "loop is free"
    names = {finished(tasks.thread_name.enqueue()).return_value for _ in range(2)}
    assert all(name.startswith("oban-task-") for name in names)


def test_retries_then_failed_with_errors(start_worker):
    start_worker(options=FAST)
    sync = finished(tasks.fail.enqueue("bad input"))
    async_ = finished(tasks.async_fail.enqueue(message="no key"))
    assert sync.status == TaskResultStatus.FAILED
    assert sync.attempts == 2
    assert [error.exception_class_path for error in sync.errors] == [
        "builtins.ValueError"
    ] * 2
    assert sync.errors[0].exception_class is ValueError
    assert "raise ValueError(message)" in sync.errors[0].traceback
    assert sync.errors[-1].traceback.endswith("ValueError: bad input\n")
    assert "_finished" not in sync.errors[0].traceback
    with pytest.raises(ValueError, match="Task failed"):
        _ = sync.return_value
    assert async_.status == TaskResultStatus.FAILED
    assert async_.attempts == 3
    assert {error.exception_class_path for error in async_.errors} == {
        "builtins.KeyError"
    }
    assert "raise KeyError(message)" in async_.errors[0].traceback
    assert "asgiref" not in async_.errors[0].traceback


def test_failures_are_logged_with_their_traceback(start_worker):
    worker = start_worker(options=FAST)
    for result in (tasks.fail.enqueue("logged"), tasks.async_fail.enqueue("logged")):
        finished(result)
        log = worker.output()
        line = f"Task id={result.id} path={result.task.module_path} state=FAILED"
        assert line in log
        assert "Traceback" in log.split(line, 1)[1].split("Task id=", 1)[0]


def test_timeout_of_async_tasks(start_worker):
    start_worker(options=FAST)
    result = finished(tasks.too_slow.enqueue())
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "oban.worker.JobTimeoutError"
    assert "tests.tasks.too_slow timed out after 0.5s" in result.errors[0].traceback


def test_plain_django_task(start_worker):
    start_worker(options=FAST)
    result = tasks.plain_double.enqueue(n=4)
    assert type(result.task).__name__ == "Task"
    assert finished(result).return_value == 8


def test_retry_then_success(start_worker):
    start_worker(options=FAST)
    result = finished(tasks.flaky.enqueue("retried"))
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == "second attempt"
    assert result.attempts == 2
    assert [error.exception_class_path for error in result.errors] == [
        "builtins.RuntimeError"
    ]


def test_ready_while_a_retry_is_pending(start_worker):
    start_worker(options=FAST)
    result = tasks.flaky_later.enqueue("later")

    def failed_once():
        result.refresh()
        return result.errors

    wait_for(failed_once)
    # The backoff is 3 s: the job waits as retryable, which Django calls READY.
    assert result.status == TaskResultStatus.READY
    assert job_state(result.id)[0] == "retryable"
    assert result.attempts == 1
    assert finished(result).status == TaskResultStatus.SUCCESSFUL
    assert result.attempts == 2


def test_context(start_worker):
    start_worker(options=FAST)
    result = finished(tasks.contextual.enqueue(fail_first=True))
    assert result.return_value == {"id": result.id, "attempt": 2, "status": "RUNNING"}
    assert result.attempts == 2


@pytest.mark.parametrize("task", [tasks.signalled, tasks.async_signalled])
def test_signals_and_broken_receivers(start_worker, task):
    worker = start_worker(options=FAST, apps=["tests.signalling"])
    result = finished(task.enqueue())
    assert result.status == TaskResultStatus.SUCCESSFUL
    names = list(Event.objects.order_by("id").values_list("name", "value"))
    assert names == [
        (f"{task.name}:started", "RUNNING"),
        (f"{task.name}:ran", None),
        (f"{task.name}:finished", ["SUCCESSFUL", "ok"]),
    ]
    log = worker.output()
    assert "of task_started failed for task id=" in log
    assert "of task_finished failed for task id=" in log
    assert "RuntimeError: a broken task_started receiver" in log


def task_connections():
    """Connections of other processes whose last query touched tests_execution."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND query LIKE '%%tests_execution%%'"
        )
        return cursor.fetchone()[0]


@pytest.mark.parametrize(("conn_max_age", "left_open"), [(0, 0), (60, 1)])
def test_async_orm_connections_follow_conn_max_age(
    start_worker, conn_max_age, left_open
):
    start_worker(options=FAST, conn_max_age=conn_max_age)
    for key in ("first", "second"):
        finished(tasks.async_record.enqueue(key))
    # As in Django's request cycle: closed after each task unless persistent.
    assert task_connections() == left_open


def test_snooze_and_cancel(start_worker):
    start_worker(options=FAST)
    snoozed = tasks.snooze.enqueue(60)
    cancelled = finished(tasks.cancel.enqueue("not needed any more"))
    assert cancelled.status == TaskResultStatus.FAILED
    assert cancelled.errors[0].traceback == "not needed any more"
    assert cancelled.errors[0].exception_class_path == (
        "django_tasks_oban.exceptions.JobError"
    )
    wait_for(lambda: job_state(snoozed.id)[0] == "scheduled")
    _state, attempt, _, meta = job_state(snoozed.id)
    assert attempt == 0
    assert '"snoozed": 1' in meta
    assert tasks.snooze.get_result(snoozed.id).status == TaskResultStatus.READY


def test_unstorable_return_value_fails_the_attempt(start_worker):
    start_worker(options=FAST)
    result = finished(tasks.unstorable.using(max_attempts=1).enqueue())
    assert result.status == TaskResultStatus.FAILED
    assert result.errors[0].exception_class_path == "builtins.TypeError"
    assert "tests.tasks.unstorable returned a value that cannot be stored" in (
        result.errors[0].traceback
    )


@pytest.mark.parametrize(
    ("worker", "args", "kind"),
    [
        ("os.system", {"command": "touch {path}"}, "builtin_function_or_method"),
        ("subprocess.Popen", {"args": ["touch", "{path}"]}, "type"),
        ("tests.tasks.not_a_task", {"path": "{path}"}, "function"),
        ("tests.tasks.NotAWorker", {}, "type"),
        ("tests.tasks.Event", {}, "ModelBase"),
    ],
)
def test_refuses_anything_but_tasks(start_worker, tmp_path, worker, args, kind):
    start_worker(options=FAST)
    path = tmp_path / "called"
    args = {
        key: (
            value.format(path=path)
            if isinstance(value, str)
            else [item.format(path=path) for item in value]
        )
        for key, value in args.items()
    }
    job = insert_job(Job(worker=worker, args=args, max_attempts=5))
    follow_up = tasks.add.enqueue(1, 1)
    wait_for(lambda: job_state(job.id)[0] == "discarded")
    _state, attempt, errors, _ = job_state(job.id)
    assert attempt == 1
    assert "NotATask" in errors
    assert f"{worker} is a {kind}, not a Django task nor an Oban worker" in errors
    assert not path.exists()
    assert finished(follow_up).return_value == 2


def test_missing_module_or_attribute_fails_clearly(start_worker):
    worker = start_worker(options=FAST)
    missing_module = insert_job(Job(worker="shop.nowhere.task", max_attempts=1))
    missing_name = insert_job(Job(worker="tests.tasks.nowhere", max_attempts=1))
    wait_for(lambda: job_state(missing_module.id)[0] == "discarded")
    wait_for(lambda: job_state(missing_name.id)[0] == "discarded")
    assert "Module 'shop.nowhere' not found" in job_state(missing_module.id)[2]
    assert (
        "Class 'nowhere' not found in module 'tests.tasks'"
        in (job_state(missing_name.id)[2])
    )
    assert finished(tasks.add.enqueue(2, 2)).return_value == 4
    assert worker.process.poll() is None


def test_oban_workers_and_jobs_run_beside_tasks(start_worker):
    start_worker(options=FAST)
    plain = insert_job(Job(worker="tests.workers.PlainObanWorker"))
    function = insert_job(Job(worker="tests.workers.plain_oban_job", args={"n": 3}))
    for job in (plain, function):
        wait_for(lambda job=job: job_state(job.id)[0] == "completed")


def test_sigterm_lets_running_tasks_finish(start_worker):
    worker = start_worker(options=FAST)
    running = tasks.sleep.enqueue(1.5, key="graceful")
    wait_for(lambda: Event.objects.filter(name="start:graceful").exists())
    assert worker.stop(signal.SIGTERM) == 0
    assert Event.objects.filter(name="end:graceful").exists()
    assert tasks.sleep.get_result(running.id).status == TaskResultStatus.SUCCESSFUL
    assert "Received SIGTERM" in worker.output()
    assert worker.output().rstrip().endswith("Stopped.")


def test_sigint_lets_running_async_tasks_finish(start_worker):
    worker = start_worker(options=FAST)
    running = tasks.async_sleep.enqueue(1.0, key="interrupted")
    wait_for(lambda: Event.objects.filter(name="start:interrupted").exists())
    assert worker.stop(signal.SIGINT) == 0
    assert (
        tasks.async_sleep.get_result(running.id).status == TaskResultStatus.SUCCESSFUL
    )


def test_tasks_past_the_grace_period_are_cut_off_not_lost(start_worker):
    worker = start_worker("--shutdown-grace-period", "0.5", options=FAST)
    cut = tasks.sleep.enqueue(30, key="cut")
    wait_for(lambda: Event.objects.filter(name="start:cut").exists())
    started = time.monotonic()
    assert worker.stop(signal.SIGTERM) == 0
    assert time.monotonic() - started < 10
    assert "1 sync task(s) still running after the grace period" in worker.output()
    assert job_state(cut.id)[0] == "executing"
    assert not Event.objects.filter(name="end:cut").exists()


def test_second_signal_exits_at_once(start_worker):
    worker = start_worker(options={**FAST, "SHUTDOWN_GRACE_PERIOD": 60})
    long = tasks.async_sleep.enqueue(60, key="second")
    wait_for(lambda: Event.objects.filter(name="start:second").exists())
    worker.process.send_signal(signal.SIGTERM)
    wait_for(lambda: "Received SIGTERM" in worker.output())
    started = time.monotonic()
    assert worker.stop(signal.SIGINT) == 1
    assert time.monotonic() - started < 10
    assert "Stopped at once by a second signal" in worker.output()
    assert job_state(long.id)[0] == "executing"


def test_unreachable_database_is_a_clear_error(start_worker):
    worker = start_worker(
        options={"POOL": {"timeout": 1}},
        database_url="postgresql://shop:s3cret@127.0.0.1:9/shop",
        wait=False,
    )
    assert worker.process.wait(30) == 1
    output = worker.output()
    assert "CommandError: Cannot connect to the database 127.0.0.1:9/shop" in output
    assert "s3cret" not in output
    assert "Traceback" not in output
