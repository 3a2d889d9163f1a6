"""``ObanTaskBackend``: enqueue, transactions, results and bad input, on PostgreSQL."""

import asyncio
import math
import threading
from datetime import UTC, datetime, timedelta

import django
import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections, transaction
from django.tasks import TaskResultStatus, default_task_backend, task, task_backends
from django.tasks.exceptions import (
    InvalidTask,
    InvalidTaskBackend,
    TaskResultDoesNotExist,
)
from django.tasks.signals import task_enqueued
from django.test import override_settings
from django.utils import timezone
from oban import Job
from shop.tasks import process_order

from django_tasks_oban.backends import ObanTaskBackend
from django_tasks_oban.conversion import META_KEY
from tests import tasks
from tests.conftest import insert_job

pytestmark = pytest.mark.django_db


def job_row(job_id):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT worker, queue, args, meta, priority, state, max_attempts, tags,"
            " scheduled_at, inserted_at FROM oban_jobs WHERE id = %s",
            [int(job_id)],
        )
        row = cursor.fetchone()
    names = "worker queue args meta priority state max_attempts tags scheduled_at"
    return dict(zip([*names.split(), "inserted_at"], row, strict=True))


def job_count():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM oban_jobs")
        return cursor.fetchone()[0]


def test_backend_is_the_task_class_and_flags():
    backend = task_backends["default"]
    assert isinstance(backend, ObanTaskBackend)
    assert backend.supports_defer
    assert backend.supports_async_task
    assert backend.supports_get_result
    assert backend.supports_priority
    assert type(process_order).__name__ == "ObanTask"


def test_enqueue_writes_a_normal_oban_job():
    result = process_order.enqueue(order_id=123)
    row = job_row(result.id)
    assert row["worker"] == "shop.tasks.process_order"
    assert row["queue"] == "default"
    assert row["args"] == '{"order_id": 123}'
    assert row["state"] == "available"
    assert row["priority"] == 5
    assert row["max_attempts"] == 3
    assert row["tags"] == []
    assert row["scheduled_at"] == row["inserted_at"]
    assert '"django_tasks_oban": {"args": 0, "priority": 0}' in row["meta"]


def test_enqueue_returns_a_ready_result():
    before = timezone.now()
    result = process_order.enqueue(123)
    assert result.status == TaskResultStatus.READY
    assert int(result.id) > 0
    assert result.backend == "default"
    assert result.args == [123]
    assert result.kwargs == {}
    assert before - timedelta(seconds=5) < result.enqueued_at < timezone.now()
    assert result.started_at is None
    assert result.finished_at is None
    assert result.errors == []
    assert result.worker_ids == []
    assert result.task.run_after is None


def test_enqueue_sends_task_enqueued():
    seen = []

    def receiver(sender, task_result, **kwargs):
        seen.append((sender, task_result.id))

    task_enqueued.connect(receiver)
    try:
        result = process_order.enqueue(1)
    finally:
        task_enqueued.disconnect(receiver)
    assert seen == [(ObanTaskBackend, result.id)]


def test_run_after_timedelta_means_from_now():
    result = process_order.using(run_after=timedelta(minutes=5)).enqueue(order_id=123)
    row = job_row(result.id)
    assert row["state"] == "scheduled"
    delay = row["scheduled_at"] - row["inserted_at"]
    assert timedelta(minutes=4, seconds=55) < delay <= timedelta(minutes=5, seconds=5)
    assert result.task.run_after.tzinfo is not None
    stored = process_order.get_result(result.id)
    assert stored.status == TaskResultStatus.READY
    assert abs(stored.task.run_after - result.task.run_after) < timedelta(seconds=1)


def test_run_after_aware_datetime():
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    result = process_order.using(run_after=when).enqueue(1)
    assert job_row(result.id)["scheduled_at"] == when.replace(tzinfo=None)
    assert process_order.get_result(result.id).task.run_after == when


@override_settings(USE_TZ=False, TIME_ZONE="UTC")
def test_run_after_naive_datetime_without_use_tz():
    when = datetime(2030, 1, 2, 3, 4, 5)
    result = process_order.using(run_after=when).enqueue(1)
    assert job_row(result.id)["scheduled_at"] == when
    assert result.task.run_after == when
    assert result.enqueued_at.tzinfo is None


def test_queue_alias_and_priority():
    result = process_order.using(queue="heavy_reports", priority=100).enqueue(
        order_id=123
    )
    row = job_row(result.id)
    assert (row["queue"], row["priority"]) == ("heavy_reports", 0)
    stored = process_order.get_result(result.id)
    assert stored.task.queue_name == "heavy_reports"
    assert stored.task.priority == 100


def test_task_decorator_options():
    result = tasks.async_add.enqueue(1, b=2)
    row = job_row(result.id)
    assert (row["queue"], row["priority"]) == ("mail", 2)


def test_oban_options_on_tasks():
    tagged = process_order.using(
        max_attempts=9, tags=["Billing", "eu"], meta={"tenant": "acme"}
    )
    result = tagged.enqueue(5)
    row = job_row(result.id)
    assert row["max_attempts"] == 9
    assert row["tags"] == ["billing", "eu"]
    assert '"tenant": "acme"' in row["meta"]


@override_settings(
    TASKS={
        "default": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "OPTIONS": {"QUEUE": "mail", "QUEUES": {"mail": 2, "heavy_reports": 1}},
        }
    }
)
def test_tasks_that_name_no_queue_use_option_queue():
    assert task_backends["default"].queues == {"mail", "heavy_reports"}
    result = process_order.using(priority=0).enqueue(1)
    assert job_row(result.id)["queue"] == "mail"
    assert result.task.queue_name == "mail"
    assert process_order.get_result(result.id).task.queue_name == "mail"


@override_settings(
    TASKS={
        "default": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "QUEUES": ["default", "extra"],
        }
    }
)
def test_django_queues_list_wins():
    assert task_backends["default"].queues == {"default", "extra"}
    assert job_row(process_order.using(queue="extra").enqueue(1).id)["queue"] == "extra"


@pytest.mark.django_db(transaction=True)
def test_rollback_leaves_no_job_and_commit_keeps_it():
    def enqueue_then_fail():
        with transaction.atomic():
            lost.append(process_order.enqueue(1))
            assert job_row(lost[0].id)["worker"] == "shop.tasks.process_order"
            raise RuntimeError("rollback")

    lost = []
    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    with pytest.raises(TaskResultDoesNotExist):
        process_order.get_result(lost[0].id)
    with transaction.atomic():
        kept = process_order.enqueue(2)
    assert process_order.get_result(kept.id).args == [2]


@pytest.mark.django_db(transaction=True)
def test_autocommit_commits_at_once():
    result = process_order.enqueue(3)
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT state FROM oban_jobs WHERE id = %s", [int(result.id)]
            )
            assert cursor.fetchone() == ("available",)
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_aenqueue_and_aget_result_run_off_the_event_loop():
    threads = []

    def receiver(sender, task_result, **kwargs):
        threads.append(threading.get_ident())

    async def main():
        loop_thread = threading.get_ident()
        ticks = 0

        async def tick():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        ticker = asyncio.create_task(tick())
        result = await process_order.aenqueue(order_id=8)
        stored = await process_order.aget_result(result.id)
        ticker.cancel()
        await sync_to_async(connections.close_all)()
        return loop_thread, result, stored, ticks

    task_enqueued.connect(receiver)
    try:
        loop_thread, result, stored, ticks = asyncio.run(main())
    finally:
        task_enqueued.disconnect(receiver)
    assert threads and threads[0] != loop_thread
    assert ticks > 0
    assert stored.kwargs == {"order_id": 8}
    assert stored.id == result.id


def test_get_result_of_unknown_ids():
    for result_id in ["999999999", "abc", "", "-1", "0", str(2**63), None]:
        with pytest.raises(TaskResultDoesNotExist):
            default_task_backend.get_result(result_id)


def test_get_result_of_jobs_that_are_not_django_tasks():
    oban_worker = insert_job(Job(worker="tests.workers.PlainObanWorker"))
    missing = insert_job(Job(worker="tests.nowhere.missing"))
    for job in (oban_worker, missing):
        with pytest.raises(TaskResultDoesNotExist):
            default_task_backend.get_result(str(job.id))


def test_get_result_of_a_job_from_another_client():
    job = insert_job(
        Job(worker="shop.tasks.process_order", args={"order_id": 4}, priority=0)
    )
    result = process_order.get_result(str(job.id))
    assert (result.args, result.kwargs) == ([], {"order_id": 4})
    assert result.task.priority == 100
    assert result.status == TaskResultStatus.READY


@pytest.mark.parametrize(
    ("value", "error"),
    [
        (object(), TypeError),
        (datetime(2026, 1, 1, tzinfo=UTC), TypeError),
        ({1, 2}, TypeError),
        (b"raw", TypeError),
        (math.nan, ValueError),
    ],
)
def test_non_json_arguments_insert_nothing(value, error):
    with pytest.raises(error, match="Argument 'order_id' is not JSON"):
        process_order.enqueue(value)
    with pytest.raises(error, match="Argument 'b' is not JSON"):
        tasks.add.enqueue(1, b=value)
    assert job_count() == 0


def test_call_that_does_not_fit_the_signature():
    with pytest.raises(TypeError, match="missing a required argument: 'order_id'"):
        process_order.enqueue(order=1)
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'x'"):
        process_order.enqueue(1, x=2)
    assert job_count() == 0


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"run_after": datetime(2030, 1, 1)}, "run_after must be an aware datetime"),
        ({"priority": 101}, "priority must be a whole number"),
        ({"priority": -101}, "priority must be a whole number"),
        ({"queue": "nowhere"}, "Queue 'nowhere' is not valid"),
        ({"max_attempts": 0}, "max_attempts must be a whole number from 1"),
        ({"max_attempts": 40000}, "max_attempts must be a whole number from 1"),
        ({"tags": [1]}, "tags must be strings"),
        ({"meta": {META_KEY: 1}}, "meta must be a dict without the key"),
        ({"meta": ["x"]}, "meta must be a dict without the key"),
    ],
)
def test_bad_options_raise_invalid_task(change, message):
    with pytest.raises(InvalidTask, match=message):
        process_order.using(**change)
    assert job_count() == 0


def test_meta_must_be_json():
    with pytest.raises(TypeError, match="Argument 'meta' is not JSON"):
        process_order.using(meta={"when": datetime(2026, 1, 1)})


def test_task_decorator_takes_oban_options():
    assert tasks.fail.max_attempts == 2
    assert tasks.fail.backoff == 0
    assert tasks.too_slow.timeout == 0.5
    assert tasks.async_add.queue_name == "mail"
    result = tasks.fail.using(tags=["x"]).enqueue()
    assert job_row(result.id)["max_attempts"] == 2


@pytest.mark.skipif(django.VERSION < (6, 1), reason="Django 6.1 passes options on")
def test_django_task_decorator_passes_oban_options():
    assert tasks.native_options.max_attempts == 4
    assert tasks.native_options.tags == ("native",)


def test_task_decorator_refuses_what_django_refuses():
    from django_tasks_oban.tasks import task as oban_task

    with pytest.raises(TypeError, match="run_after cannot be defined statically"):
        oban_task(run_after=timedelta(1))
    with pytest.raises(TypeError, match="Give queue or queue_name, not both"):
        oban_task(queue="mail", queue_name="heavy_reports")
    assert oban_task(queue="mail", queue_name="mail")
    with pytest.raises(InvalidTask, match="timeout applies to async tasks only"):
        oban_task(timeout=5)(tasks.not_a_task)


@override_settings(
    TASKS={
        "default": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "OPTIONS": {"QUEUES": {"default": 1, "heavy_reports": 1}},
        },
        "mail_only": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "OPTIONS": {"QUEUE": "mail", "QUEUES": {"mail": 1}},
        },
    }
)
def test_another_backends_task_is_validated_by_this_one():
    other = task_backends["mail_only"]
    heavy = process_order.using(queue="heavy_reports")
    with pytest.raises(InvalidTask, match="Queue 'heavy_reports' is not valid"):
        other.enqueue(heavy, (1,), {})
    result = other.enqueue(process_order, (1,), {})
    assert job_row(result.id)["queue"] == "mail"
    assert job_count() == 1


def test_queue_and_queue_name_together():
    with pytest.raises(TypeError, match="Give queue or queue_name, not both"):
        process_order.using(queue="mail", queue_name="default")
    assert process_order.using(queue="mail", queue_name="mail").queue_name == "mail"


def test_tasks_must_be_at_module_level():
    with pytest.raises(InvalidTask, match="module level"):

        @task
        def nested():
            pass


@override_settings(
    TASKS={
        "default": {
            "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
            "OPTIONS": {"QUEUES": {"default": 0}},
        }
    }
)
def test_misconfigured_backend_refuses_to_work():
    backend = task_backends["default"]
    with pytest.raises(InvalidTaskBackend, match="misconfigured: QUEUES"):
        backend.enqueue(process_order, (1,), {})
    with pytest.raises(InvalidTaskBackend):
        backend.get_result("1")


def test_prefixed_schema_round_trip():
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('oban_private.oban_jobs')")
        assert cursor.fetchone() == (None,)
    from django_tasks_oban.schema import install

    with connection.schema_editor() as editor:
        install(editor, "oban_private")
    with override_settings(
        TASKS={
            "default": {
                "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
                "OPTIONS": {"PREFIX": "oban_private"},
            }
        }
    ):
        result = process_order.enqueue(77)
        assert process_order.get_result(result.id).args == [77]
    with connection.cursor() as cursor:
        cursor.execute("SELECT worker FROM oban_private.oban_jobs")
        assert cursor.fetchall() == [("shop.tasks.process_order",)]
    assert job_count() == 0
