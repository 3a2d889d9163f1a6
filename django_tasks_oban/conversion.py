"""Pure translation between Django tasks and Oban jobs. No I/O happens here."""

from __future__ import annotations

import builtins
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import UTC, datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.tasks import Task, TaskResult, TaskResultStatus
from django.tasks.base import TaskError
from django.utils import timezone
from oban import Job
from oban._recorded import decode_recorded

from .tasks import AnyResult, AnyTask

META_KEY = "django_tasks_oban"
"""The key of the job's ``meta`` under which the Django call is kept."""

STATUSES = {
    "available": TaskResultStatus.READY,
    "scheduled": TaskResultStatus.READY,
    "retryable": TaskResultStatus.READY,
    "suspended": TaskResultStatus.READY,
    "executing": TaskResultStatus.RUNNING,
    "completed": TaskResultStatus.SUCCESSFUL,
    "discarded": TaskResultStatus.FAILED,
    "cancelled": TaskResultStatus.FAILED,
}
"""Oban job state to Django ``TaskResultStatus``."""


def oban_priority(priority: int) -> int:
    """Map a Django priority (-100..100, higher first) onto Oban's (0..9, 0 first).

    Each step of 20 Django points is one Oban level; Django's default 0 is Oban 5.

    >>> [oban_priority(p) for p in (100, 81, 80, 1, 0, -79, -80, -100)]
    [0, 0, 1, 4, 5, 8, 9, 9]
    """
    return min(9, (100 - priority) // 20)


def django_priority(priority: int) -> int:
    """The Django priority that stands for an Oban priority: its level's top.

    Used for jobs enqueued by other Oban clients, which carry no Django priority.

    >>> [django_priority(p) for p in (0, 5, 9)]
    [100, 0, -80]
    """
    return 100 - 20 * priority


def check_json(name: str, value: Any) -> None:
    """Raise if ``value`` would not come back from JSON exactly as it is.

    >>> check_json("order_id", 1)
    >>> check_json("when", float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: Argument 'when' is not JSON: nan is not a finite number
    """
    problem = _json_problem(value)
    if problem is None:
        return
    error, detail = problem
    raise error(f"Argument {name!r} is not JSON: {detail}")


def _json_problem(value: Any) -> tuple[type[Exception], str] | None:
    if value is None or isinstance(value, (str, bool, int)):
        return None
    if isinstance(value, float):
        return (
            None
            if math.isfinite(value)
            else (ValueError, f"{value} is not a finite number")
        )
    if isinstance(value, (list, tuple)):
        for item in value:
            if problem := _json_problem(item):
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return (TypeError, f"dict key {key!r} is not a string")
            if problem := _json_problem(item):
                return problem
        return None
    return (TypeError, f"{type(value).__name__} {value!r} is not JSON serialisable")


@cache
def _signature(func: Callable[..., Any], takes_context: bool) -> inspect.Signature:
    signature = inspect.signature(func)
    if takes_context:
        params = list(signature.parameters.values())[1:]
        signature = signature.replace(parameters=params)
    return signature


def job_args(
    task: AnyTask, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> dict[str, Any]:
    """Bind a call's arguments to the task's parameter names, as Oban.py's ``@job``.

    Raises ``TypeError`` when the call does not fit the signature; ``TypeError``
    or ``ValueError`` (NaN, infinity) when an argument is not JSON, naming it.
    """
    signature = _signature(task.func, task.takes_context)
    try:
        bound = signature.bind(*args, **kwargs)
    except TypeError as error:
        raise TypeError(f"{task.module_path}: {error}") from None
    arguments = dict(bound.arguments)
    for name, value in arguments.items():
        check_json(name, value)
    return arguments


def job_from_task(
    task: AnyTask,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    *,
    queue: str,
    max_attempts: int,
    scheduled_at: datetime | None,
    tags: list[str],
    meta: Mapping[str, Any],
) -> Job:
    """Build the ``oban.Job`` for a Django task call.

    ``meta`` keeps, under :data:`META_KEY`, how many arguments were positional
    and the exact Django priority, so that a result gives back the very call.
    """
    return Job(
        worker=task.module_path,
        queue=queue,
        args=job_args(task, args, kwargs),
        priority=oban_priority(task.priority),
        max_attempts=max_attempts,
        scheduled_at=scheduled_at,
        tags=tags,
        meta={**meta, META_KEY: {"args": len(args), "priority": task.priority}},
    )


def call_arguments(
    task: AnyTask, arguments: Mapping[str, Any], meta: Mapping[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Split a job's ``args`` back into the positional and keyword arguments.

    A job from another Oban client has no :data:`META_KEY`: its arguments go by
    keyword, except those that can only be positional.
    """
    signature = _signature(task.func, task.takes_context)
    keyword: dict[str, Any] = {}
    named: list[tuple[str, Any]] = []
    must = 0
    for param in signature.parameters.values():
        if param.name not in arguments:
            continue
        value = arguments[param.name]
        if param.kind is param.POSITIONAL_ONLY:
            named.append((param.name, value))
            must = len(named)
        elif param.kind is param.POSITIONAL_OR_KEYWORD:
            named.append((param.name, value))
        elif param.kind is param.VAR_POSITIONAL:
            named.extend((param.name, item) for item in value)
            must = len(named) if value else must
        elif param.kind is param.VAR_KEYWORD:
            keyword.update(value)
        else:
            keyword[param.name] = value
    count = max(must, _stored(meta).get("args", 0))
    positional = [value for _, value in named[:count]]
    keyword.update(named[count:])
    extra = set(arguments) - set(signature.parameters)
    keyword.update({name: arguments[name] for name in extra})
    return positional, keyword


def _stored(meta: Mapping[str, Any]) -> dict[str, Any]:
    stored = meta.get(META_KEY)
    return stored if isinstance(stored, dict) else {}


def task_error(error: Any) -> TaskError:
    """A Django ``TaskError`` from one entry (a dict) of an Oban job's ``errors``.

    >>> task_error({"error": "Traceback (most recent call last):\\n  File ...\\n"
    ...             "KeyError: 'x'\\n"}).exception_class_path
    'builtins.KeyError'
    """
    text = str(error.get("error", ""))
    return TaskError(exception_class_path=exception_class_path(text), traceback=text)


MARKER = "Traceback (most recent call last):\n"


def exception_class_path(text: str) -> str:
    """The dotted path of the exception a formatted traceback ends with.

    Errors that carry no Python traceback (a ``Cancel`` reason, an error written
    by Oban for Elixir) are reported as :class:`JobError`.
    """
    if MARKER not in text:
        return "django_tasks_oban.exceptions.JobError"
    tail = text.rsplit(MARKER, 1)[1]
    line = next(
        (line for line in tail.splitlines() if line and not line[0].isspace()), ""
    )
    name = line.split(":", 1)[0].strip()
    if "." in name:
        return name
    if isinstance(getattr(builtins, name, None), type):
        return f"builtins.{name}"
    return f"__main__.{name}"


def local_time(moment: datetime | None) -> datetime | None:
    """A time from Oban (UTC) as Django shows it: aware, or naive if not USE_TZ."""
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment if settings.USE_TZ else timezone.make_naive(moment)


def attempted_at(job: Job) -> datetime | None:
    """When the job's last attempt started, never before it was inserted.

    Oban stamps an attempt with the fetching transaction's start, which can
    precede, by microseconds, the commit of a job inserted meanwhile.
    """
    if job.attempted_at is None or job.inserted_at is None:
        return local_time(job.attempted_at)
    return local_time(max(job.attempted_at, job.inserted_at))


def described[T: Task[..., Any]](task: T, **changes: Any) -> T:
    """A copy of ``task`` with ``changes``, describing a stored job.

    Unlike ``dataclasses.replace`` it does not validate again: a result shows
    what the row holds, even if the settings have changed since.
    """
    copy = object.__new__(type(task))
    for item in fields(task):
        value = changes.get(item.name, getattr(task, item.name))
        object.__setattr__(copy, item.name, value)
    return copy


def result_from_job(job: Job, task: AnyTask, backend: str) -> AnyResult:
    """The Django ``TaskResult`` that an Oban job row stands for."""
    stored = _stored(job.meta)
    priority = stored.get("priority", django_priority(job.priority))
    deferred = job.scheduled_at if job.scheduled_at != job.inserted_at else None
    shown = described(
        task, queue_name=job.queue, priority=priority, run_after=local_time(deferred)
    )
    args, kwargs = call_arguments(task, job.args, job.meta)
    status = STATUSES[str(job.state)]
    finished = job.completed_at or job.discarded_at or job.cancelled_at
    node = job.attempted_by[0] if job.attempted_by else ""
    result = TaskResult(
        task=shown,
        id=str(job.id),
        status=status,
        enqueued_at=local_time(job.inserted_at),
        started_at=attempted_at(job),
        last_attempted_at=attempted_at(job),
        finished_at=local_time(finished),
        args=args,
        kwargs=kwargs,
        backend=backend,
        errors=[task_error(error) for error in job.errors],
        worker_ids=[node] * job.attempt,
    )
    if status == TaskResultStatus.SUCCESSFUL and job.meta.get("recorded"):
        object.__setattr__(result, "_return_value", decode_recorded(job.meta["return"]))
    return result
