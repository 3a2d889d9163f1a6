"""Translation between Django tasks and Oban jobs, without the database."""

import math
from datetime import UTC, datetime, timedelta

import pytest
from django.tasks import TaskResultStatus, task
from django.test import override_settings
from oban import Job
from oban._recorded import encode_recorded

from django_tasks_oban.conversion import (
    META_KEY,
    STATUSES,
    call_arguments,
    check_json,
    django_priority,
    exception_class_path,
    job_args,
    oban_priority,
    result_from_job,
)
from tests import tasks


@task
def positional_only(a, /, b, *rest, c=3, **extra):
    return a


def test_priority_mapping_is_monotonic_and_covers_oban_range():
    mapped = [oban_priority(priority) for priority in range(100, -101, -1)]
    assert mapped == sorted(mapped)
    assert set(mapped) == set(range(10))
    assert oban_priority(0) == 5


def test_priority_table():
    table = {100: 0, 81: 0, 80: 1, 61: 1, 41: 2, 21: 3, 20: 4, 1: 4, 0: 5}
    table |= {-19: 5, -20: 6, -40: 7, -60: 8, -79: 8, -80: 9, -100: 9}
    assert {priority: oban_priority(priority) for priority in table} == table


def test_django_priority_round_trips_each_oban_level():
    for level in range(10):
        assert oban_priority(django_priority(level)) == level


@pytest.mark.parametrize(
    ("value", "error", "detail"),
    [
        (object(), TypeError, "object"),
        (datetime(2026, 1, 1), TypeError, "datetime"),
        ({1, 2}, TypeError, "set"),
        (b"bytes", TypeError, "bytes"),
        (math.nan, ValueError, "nan is not a finite number"),
        ([1, [math.inf]], ValueError, "inf is not a finite number"),
        ({"when": {"at": datetime(2026, 1, 1)}}, TypeError, "datetime"),
        ({1: "a"}, TypeError, "dict key 1 is not a string"),
    ],
)
def test_check_json_names_the_argument(value, error, detail):
    with pytest.raises(error, match=f"Argument 'order' is not JSON: .*{detail}"):
        check_json("order", value)


def test_check_json_accepts_json():
    check_json("x", {"a": [1, 2.5, None, True, "é", {"b": []}], "c": (1, 2)})


def test_job_args_bind_parameter_names():
    assert job_args(tasks.add, (1,), {"b": 2}) == {"a": 1, "b": 2}
    assert job_args(positional_only, (1, 2, 3, 4), {"d": 5}) == {
        "a": 1,
        "b": 2,
        "rest": (3, 4),
        "extra": {"d": 5},
    }


def test_job_args_leave_out_the_context_parameter():
    assert job_args(tasks.contextual, (), {"fail_first": True}) == {"fail_first": True}


def test_job_args_reject_a_call_that_does_not_fit():
    with pytest.raises(TypeError, match=r"tests\.tasks\.add: missing a required"):
        job_args(tasks.add, (1,), {})


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((1, 2), {}),
        ((1,), {"b": 2}),
        ((), {"a": 1, "b": 2}),
    ],
)
def test_call_arguments_give_back_the_exact_split(args, kwargs):
    arguments = job_args(tasks.add, args, kwargs)
    meta = {META_KEY: {"args": len(args), "priority": 0}}
    assert call_arguments(tasks.add, arguments, meta) == (list(args), kwargs)


def test_call_arguments_with_varargs_and_keywords():
    arguments = {"a": 1, "b": 2, "rest": [3, 4], "c": 9, "extra": {"d": 5}}
    meta = {META_KEY: {"args": 4}}
    assert call_arguments(positional_only, arguments, meta) == (
        [1, 2, 3, 4],
        {"c": 9, "d": 5},
    )


def test_call_arguments_of_other_clients_go_by_keyword():
    assert call_arguments(tasks.add, {"a": 1, "b": 2}, {}) == ([], {"a": 1, "b": 2})
    # Positional-only parameters, and what follows them into *rest, stay positional.
    assert call_arguments(positional_only, {"a": 1, "b": 2}, {}) == ([1], {"b": 2})
    assert call_arguments(positional_only, {"a": 1, "b": 2, "rest": [3]}, {}) == (
        [1, 2, 3],
        {},
    )
    assert call_arguments(positional_only, {"a": 1, "b": 2, "rest": []}, {}) == (
        [1],
        {"b": 2},
    )


def test_call_arguments_pass_unknown_keys_on():
    assert call_arguments(tasks.add, {"a": 1, "z": 2}, {META_KEY: "junk"}) == (
        [],
        {"a": 1, "z": 2},
    )


TRACEBACK = """Traceback (most recent call last):
  File "/app/shop/tasks.py", line 3, in charge
    raise PaymentError("declined:\\nretry later")
shop.errors.PaymentError: declined:
retry later
"""


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (TRACEBACK, "shop.errors.PaymentError"),
        (
            "Traceback (most recent call last):\n  File x\nKeyError: 'a'\n",
            "builtins.KeyError",
        ),
        (
            "Traceback (most recent call last):\n  File x\nStopIteration\n",
            "builtins.StopIteration",
        ),
        (
            "Traceback (most recent call last):\n  File x\nLocalError: x\n",
            "__main__.LocalError",
        ),
        (
            "Traceback (most recent call last):\n  File a\nValueError: a\n\n"
            "The above exception was the direct cause of the following exception:\n\n"
            "Traceback (most recent call last):\n  File b\nshop.Err: b\n",
            "shop.Err",
        ),
        ("Cancelled by the shop", "django_tasks_oban.exceptions.JobError"),
    ],
)
def test_exception_class_path(text, path):
    assert exception_class_path(text) == path


def stored_job(**fields):
    defaults = {
        "worker": "tests.tasks.add",
        "id": 7,
        "state": "available",
        "queue": "default",
        "args": {"a": 1, "b": 2},
        "meta": {META_KEY: {"args": 1, "priority": 3}},
        "inserted_at": datetime(2026, 1, 1, 12, 0),
        "scheduled_at": datetime(2026, 1, 1, 12, 0),
    }
    return Job(**(defaults | fields), _validate=False)


@pytest.mark.parametrize(("state", "status"), list(STATUSES.items()))
def test_every_oban_state_has_a_status(state, status):
    result = result_from_job(stored_job(state=state), tasks.add, "default")
    assert result.status == status


def test_result_from_job_gives_back_the_call():
    result = result_from_job(stored_job(), tasks.add, "default")
    assert (result.args, result.kwargs) == ([1], {"b": 2})
    assert result.task.priority == 3
    assert result.task.run_after is None
    assert result.enqueued_at == datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert result.backend == "default"
    assert result.id == "7"
    assert result.worker_ids == []


def test_result_of_a_job_from_another_client():
    job = stored_job(meta={}, priority=9, queue="mail")
    result = result_from_job(job, tasks.add, "default")
    assert result.task.priority == -80
    assert result.task.queue_name == "mail"
    assert (result.args, result.kwargs) == ([], {"a": 1, "b": 2})


def test_result_of_a_finished_job():
    done = datetime(2026, 1, 1, 12, 5)
    job = stored_job(
        state="completed",
        attempt=2,
        attempted_by=["web-1.42", "uuid"],
        attempted_at=datetime(2026, 1, 1, 12, 4),
        completed_at=done,
        scheduled_at=datetime(2026, 1, 1, 12, 3),
        errors=[{"attempt": 1, "at": "x", "error": TRACEBACK}],
        meta={"recorded": True, "return": encode_recorded({"total": 3})},
    )
    result = result_from_job(job, tasks.add, "default")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"total": 3}
    assert result.worker_ids == ["web-1.42", "web-1.42"]
    assert result.attempts == 2
    assert result.finished_at == done.replace(tzinfo=UTC)
    assert result.task.run_after == datetime(2026, 1, 1, 12, 3, tzinfo=UTC)
    assert [error.exception_class_path for error in result.errors] == [
        "shop.errors.PaymentError"
    ]
    assert result.errors[0].traceback == TRACEBACK


def test_completed_job_without_recorded_value_returns_none():
    result = result_from_job(stored_job(state="completed"), tasks.add, "default")
    assert result.return_value is None


@override_settings(USE_TZ=False, TIME_ZONE="Europe/Lisbon")
def test_times_are_naive_local_without_use_tz():
    job = stored_job(scheduled_at=datetime(2026, 7, 1, 12, 0) + timedelta(hours=1))
    result = result_from_job(job, tasks.add, "default")
    assert result.enqueued_at == datetime(2026, 1, 1, 12, 0)
    assert result.task.run_after == datetime(2026, 7, 1, 14, 0)
