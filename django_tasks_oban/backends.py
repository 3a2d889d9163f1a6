"""``ObanTaskBackend``: the Django face of Oban.py."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from inspect import iscoroutinefunction
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.db import connections
from django.tasks import DEFAULT_TASK_QUEUE_NAME, Task, TaskResult, TaskResultStatus
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.exceptions import (
    InvalidTask,
    InvalidTaskBackend,
    TaskResultDoesNotExist,
)
from django.tasks.signals import task_enqueued
from django.utils import timezone
from django.utils.module_loading import import_string
from oban import Job, Oban
from oban._query import Query
from psycopg_pool import AsyncConnectionPool

from .config import ObanOptions
from .connection import DjangoConnection, run
from .conversion import (
    META_KEY,
    check_json,
    described,
    job_args,
    job_from_task,
    local_time,
    result_from_job,
)
from .tasks import AnyResult, AnyTask, ObanTask

MAX_SMALLINT = 32767
JSON_COLUMNS = ("args", "meta", "errors")

# One client-mode Oban per schema, built on first enqueue and never connected:
# every insert goes through the caller's Django connection.
_clients: dict[str, Oban] = {}


def oban_client(prefix: str) -> Oban:
    """The client-mode ``Oban`` whose insert API the backend calls."""
    client = _clients.get(prefix)
    if client is None:
        pool = AsyncConnectionPool("", open=False)
        client = Oban(
            pool=pool, name=f"django_tasks_oban.client.{prefix}", prefix=prefix
        )
        _clients[prefix] = client
    return client


class ObanTaskBackend(BaseTaskBackend):
    """A Django ``TASKS`` backend that stores every task as an Oban job.

    ``enqueue`` inserts through Oban.py on the Django connection of
    ``OPTIONS["DATABASE"]``, inside the caller's transaction.
    """

    task_class = ObanTask
    supports_defer = True
    supports_async_task = True
    supports_get_result = True
    supports_priority = True

    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.config, self.problems = ObanOptions.parse(self.options)
        if "QUEUES" not in params:
            # With bad OPTIONS, tasks must still import, for the checks to report.
            self.queues = (
                set() if self.problems else {self.config.queue, *self.config.queues}
            )

    @property
    def database(self) -> str:
        """The Django database alias that holds the jobs."""
        return self.config.database

    def queue_for(self, task: AnyTask) -> str:
        """The Oban queue of a task: its own, or ``OPTIONS["QUEUE"]`` if unnamed."""
        if task.queue_name == DEFAULT_TASK_QUEUE_NAME:
            return self.config.queue
        return task.queue_name

    def validate_task(self, task: AnyTask) -> None:
        """Django's checks, plus Oban's options of an :class:`ObanTask`."""
        run_after = task.run_after
        if isinstance(run_after, timedelta):
            run_after = None
        super().validate_task(
            described(task, queue_name=self.queue_for(task), run_after=run_after)
        )
        if not isinstance(task, ObanTask):
            return
        attempts = task.max_attempts
        if attempts is not None and (
            not isinstance(attempts, int) or not 1 <= attempts <= MAX_SMALLINT
        ):
            raise InvalidTask(
                f"max_attempts must be a whole number from 1 to {MAX_SMALLINT}, "
                f"not {attempts!r}."
            )
        if task.timeout is not None and not iscoroutinefunction(task.func):
            raise InvalidTask(
                "timeout applies to async tasks only: a thread running a sync "
                "task cannot be stopped."
            )
        if not all(isinstance(tag, str) for tag in task.tags):
            raise InvalidTask(f"tags must be strings, not {task.tags!r}.")
        if task.meta is not None:
            if not isinstance(task.meta, dict) or META_KEY in task.meta:
                raise InvalidTask(f"meta must be a dict without the key {META_KEY!r}.")
            check_json("meta", task.meta)

    def _scheduled_at(self, task: AnyTask) -> datetime | None:
        run_after = task.run_after
        if isinstance(run_after, timedelta):
            return datetime.now(UTC) + run_after
        if run_after is not None and timezone.is_naive(run_after):
            return timezone.make_aware(run_after)
        return run_after

    def _raise_problems(self) -> None:
        if self.problems:
            raise InvalidTaskBackend(
                f"TASKS[{self.alias!r}] is misconfigured: "
                + " ".join(problem.msg for problem in self.problems)
            )

    def job_for(self, task: AnyTask, args: Any, kwargs: Any) -> Job:
        """The ``oban.Job`` that :meth:`enqueue` would insert for this call."""
        self._raise_problems()
        if task.backend != self.alias:
            # A task of this backend was validated by it when it was created.
            self.validate_task(task)
        oban_task = task if isinstance(task, ObanTask) else None
        return job_from_task(
            task,
            tuple(args),
            dict(kwargs),
            queue=self.queue_for(task),
            max_attempts=(oban_task and oban_task.max_attempts)
            or self.config.max_attempts,
            scheduled_at=self._scheduled_at(task),
            tags=list(oban_task.tags) if oban_task else [],
            meta=(oban_task and oban_task.meta) or {},
        )

    def enqueue[**P, R](
        self, task: Task[P, R], args: Any, kwargs: Any
    ) -> TaskResult[P, R]:
        """Insert the task as an Oban job in the current transaction."""
        job = self.job_for(task, args, kwargs)
        scheduled_at = job.scheduled_at
        client = oban_client(self.config.prefix)
        with connections[self.database].cursor() as cursor:
            job = run(client.enqueue(job, conn=DjangoConnection(cursor)))
        shown = task
        if scheduled_at is not None or task.queue_name != job.queue:
            shown = described(
                task, queue_name=job.queue, run_after=local_time(scheduled_at)
            )
        result = TaskResult(
            task=shown,
            id=str(job.id),
            status=TaskResultStatus.READY,
            enqueued_at=local_time(job.inserted_at),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id: str) -> AnyResult:
        """Read the job ``result_id`` and describe it as a Django ``TaskResult``."""
        self._raise_problems()
        try:
            job_id = int(result_id)
        except (TypeError, ValueError):
            raise TaskResultDoesNotExist(result_id) from None
        if not 0 < job_id < 2**63:
            raise TaskResultDoesNotExist(result_id)
        job = self._fetch(job_id)
        if job is None:
            raise TaskResultDoesNotExist(result_id)
        try:
            task = import_string(job.worker)
        except ImportError:
            raise TaskResultDoesNotExist(result_id) from None
        if not isinstance(task, Task):
            raise TaskResultDoesNotExist(result_id)
        return result_from_job(job, task, self.alias)

    def _fetch(self, job_id: int) -> Job | None:
        statement = Query._load_file("get_job.sql", self.config.prefix)
        with connections[self.database].cursor() as cursor:
            cursor.execute(statement, (job_id,))
            row = cursor.fetchone()
            if row is None:
                return None
            names = [column.name for column in cursor.description]
        values = dict(zip(names, row, strict=True))
        for name in JSON_COLUMNS:
            # Django loads jsonb as text, for JSONField to decode.
            values[name] = json.loads(values[name])
        return Job(**values, _validate=False)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        """System checks: settings, database engine, apps and periodic tasks."""
        where = f"TASKS[{self.alias!r}]"
        return [
            *(
                checks.Error(
                    f"{where}: {problem.msg}", hint=problem.hint, id=problem.id
                )
                for problem in self.problems
            ),
            *self._check_apps(where),
            *self._check_database(where),
            *self._check_cron(where),
        ]

    def _check_apps(self, where: str) -> Iterable[checks.CheckMessage]:
        for app in ("django.contrib.postgres", "django_tasks_oban"):
            if not apps.is_installed(app):
                yield checks.Error(
                    f"{where} uses ObanTaskBackend but {app!r} is not in "
                    "INSTALLED_APPS.",
                    hint=f"Add {app!r} to INSTALLED_APPS.",
                    id="django_tasks_oban.E002",
                )

    def _check_database(self, where: str) -> Iterable[checks.CheckMessage]:
        if self.database not in settings.DATABASES:
            yield checks.Error(
                f"{where}: DATABASE {self.database!r} is not in DATABASES.",
                hint=f"Use one of: {', '.join(settings.DATABASES)}.",
                id="django_tasks_oban.E009",
            )
        elif connections[self.database].vendor != "postgresql":
            yield checks.Error(
                f"{where}: database {self.database!r} is not PostgreSQL.",
                hint="Oban needs PostgreSQL 14 or newer: "
                "ENGINE 'django.db.backends.postgresql'.",
                id="django_tasks_oban.E001",
            )

    def _check_cron(self, where: str) -> Iterable[checks.CheckMessage]:
        for entry in self.config.cron:
            try:
                task = import_string(entry.path)
            except Exception as error:  # an import can fail in any way
                problem = f"cannot be imported ({error})"
            else:
                if not isinstance(task, Task):
                    problem = f"is a {type(task).__name__}, not a Django task"
                elif task.backend != self.alias:
                    problem = f"belongs to the TASKS backend {task.backend!r}"
                else:
                    try:
                        job_args(task, (), {})
                        continue
                    except TypeError as error:
                        problem = f"cannot be called without arguments ({error})"
            yield checks.Error(
                f"{where}: CRON task {entry.path!r} {problem}.",
                hint="Give the dotted path of a function decorated with @task "
                "for this backend.",
                id="django_tasks_oban.E011",
            )
