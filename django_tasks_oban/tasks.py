"""``ObanTask``: Django's ``Task`` with Oban's job options."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.tasks import (
    DEFAULT_TASK_BACKEND_ALIAS,
    DEFAULT_TASK_QUEUE_NAME,
    Task,
    TaskResult,
)
from django.tasks import task as django_task
from django.tasks.base import DEFAULT_TASK_PRIORITY

Backoff = int | Callable[[int], int]

type AnyTask = Task[..., Any]
"""Any Django task, whatever its parameters and return value."""

type AnyResult = TaskResult[..., Any]
"""The result of any Django task."""


if TYPE_CHECKING:
    _Task = Task[..., Any]
else:
    _Task = Task  # generic in django-stubs only


@dataclass(frozen=True, slots=True, kw_only=True)
class ObanTask(_Task):
    """The ``task_class`` of ``ObanTaskBackend``.

    Beyond Django's fields it carries Oban's job options, set with ``@task(...)``
    or ``.using(...)``:

    >>> from django.tasks import task
    >>> @task(max_attempts=5, tags=["billing"])  # doctest: +SKIP
    ... def charge(order_id): ...
    >>> later = charge.using(run_after=timedelta(minutes=5))  # doctest: +SKIP

    Django 6.0's ``@task`` takes no such options: use :func:`task` from this
    module, which does on every Django 6 release.

    ``run_after`` also takes a ``timedelta``, counted from the moment of enqueue.
    ``max_attempts`` defaults to the backend's ``MAX_ATTEMPTS``. ``backoff`` is
    the seconds to wait before a retry, or a function of the attempt number.
    ``timeout`` is the seconds an attempt may run (async tasks only).
    """

    run_after: datetime | timedelta | None = None  # type: ignore[assignment]
    max_attempts: int | None = None
    tags: tuple[str, ...] = field(default=(), hash=False)
    meta: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    backoff: Backoff | None = None
    timeout: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.tags, (list, set)):
            object.__setattr__(self, "tags", tuple(self.tags))
        Task.__post_init__(self)

    def using(
        self,
        *,
        priority: int | None = None,
        queue_name: str | None = None,
        queue: str | None = None,
        run_after: datetime | timedelta | None = None,
        backend: str | None = None,
        max_attempts: int | None = None,
        tags: list[str] | tuple[str, ...] | None = None,
        meta: Mapping[str, Any] | None = None,
    ) -> ObanTask:
        """A copy of this task with other defaults. ``queue`` is ``queue_name``.

        >>> report.using(queue="heavy_reports", max_attempts=3)  # doctest: +SKIP
        """
        if queue is not None and queue_name is not None and queue != queue_name:
            raise TypeError("Give queue or queue_name, not both.")
        changes: dict[str, Any] = {
            "priority": priority,
            "queue_name": queue if queue is not None else queue_name,
            "run_after": run_after,
            "backend": backend,
            "max_attempts": max_attempts,
            "tags": tuple(tags) if tags is not None else None,
            "meta": meta,
        }
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def task(
    function: Callable[..., Any] | None = None,
    *,
    priority: int = DEFAULT_TASK_PRIORITY,
    queue_name: str = DEFAULT_TASK_QUEUE_NAME,
    queue: str | None = None,
    backend: str = DEFAULT_TASK_BACKEND_ALIAS,
    takes_context: bool = False,
    **options: Any,
) -> Any:
    """Django's ``@task``, also taking Oban's options, on every Django 6 release.

    >>> from django_tasks_oban.tasks import task
    >>> @task(queue="mail", max_attempts=5, tags=["billing"])  # doctest: +SKIP
    ... def send_invoice(order_id): ...

    The options are ``max_attempts``, ``tags`` and ``meta`` (which
    :meth:`ObanTask.using` also takes), and ``backoff`` and ``timeout``, which
    belong to the task itself: the worker reads them from its definition.
    """
    if "run_after" in options:
        raise TypeError(
            "run_after cannot be defined statically with the @task decorator. "
            "Use .using(run_after=...) to set it dynamically."
        )
    if queue is not None and queue_name not in (DEFAULT_TASK_QUEUE_NAME, queue):
        raise TypeError("Give queue or queue_name, not both.")

    def wrapper(func: Callable[..., Any]) -> Any:
        # django-stubs types takes_context as a literal for each overload.
        decorate: Any = django_task
        created = decorate(
            func,
            priority=priority,
            queue_name=queue or queue_name,
            backend=backend,
            takes_context=takes_context,
        )
        return replace(created, **options) if options else created

    return wrapper(function) if function else wrapper
