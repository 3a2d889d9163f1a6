"""The shim through which Oban.py executes Django tasks.

Oban.py executes a job by resolving ``job.worker`` to a class with
``async process(job)``. A Django ``@task`` is a ``Task`` instance, so each one
gets a class named after it (``module.qualname``, as Oban.py's own ``@job``
does) and registered with Oban.py before its first job runs.
"""

from __future__ import annotations

import asyncio
import contextvars
import importlib
import logging
import threading
import traceback
from collections.abc import Callable
from inspect import iscoroutinefunction
from typing import Any, ClassVar

from asgiref.sync import sync_to_async
from django.db import close_old_connections, connections
from django.db.backends.signals import connection_created
from django.dispatch import Signal
from django.tasks import Task, TaskContext, TaskResult, TaskResultStatus
from django.tasks.base import TaskError
from django.tasks.signals import (
    log_task_finished,
    log_task_started,
    task_finished,
    task_started,
)
from django.utils import timezone
from django.utils.json import normalize_json
from oban import Cancel, Job, Record, Snooze
from oban._extensions import get_ext, put_ext
from oban._producer import _get_jobs
from oban.worker import register_worker

from .conversion import attempted_at, call_arguments, local_time
from .exceptions import NotATask
from .tasks import AnyResult, AnyTask, ObanTask
from .threads import TaskThreads

logger = logging.getLogger("django_tasks_oban")

# Django's own receivers of the task signals: they only log.
LOGGING = {log_task_started, log_task_finished}


_threads: TaskThreads | None = None
# The thread where asgiref runs thread-sensitive code, such as the async ORM.
_sync_thread: int | None = None
# Threads that have opened a Django database connection and may still hold it.
_connected: set[int] = set()


async def start(threads: TaskThreads) -> None:
    """Run the sync tasks of this process in ``threads``; find asgiref's thread."""
    global _threads, _sync_thread
    _threads = threads
    _sync_thread = await sync_to_async(threading.get_ident)()


def _track_connection(**kwargs: Any) -> None:
    _connected.add(threading.get_ident())


def _close_old_connections() -> None:
    """Django's ``close_old_connections``, noting when this thread holds none."""
    close_old_connections()
    if all(conn.connection is None for conn in connections.all(initialized_only=True)):
        _connected.discard(threading.get_ident())


def _on_loop(signal: Signal) -> bool:
    """Whether ``signal``'s receivers are only Django's logging, safe on the loop."""
    sync, asynchronous = signal._live_receivers(ObanTaskWorker)
    return not asynchronous and all(receiver in LOGGING for receiver in sync)


def _needs_sync_thread(signal: Signal) -> bool:
    """Whether an async task's bookkeeping must hop to asgiref's thread.

    It must when a receiver may use the ORM, or when the task's own ORM calls
    left a connection there for ``close_old_connections`` to look after.
    Otherwise it runs on the loop, sparing two thread hops per task.
    """
    return _sync_thread in _connected or not _on_loop(signal)


def _send(signal: Signal, result: AnyResult) -> None:
    for receiver, response in signal.send_robust(ObanTaskWorker, task_result=result):
        if isinstance(response, Exception):
            logger.error(
                "Receiver %r of %s failed for task id=%s",
                receiver,
                "task_started" if signal is task_started else "task_finished",
                result.id,
                exc_info=response,
            )


def _set(result: AnyResult, **changes: Any) -> None:
    for name, value in changes.items():
        object.__setattr__(result, name, value)


def _started(result: AnyResult, close: bool = True) -> None:
    if close:
        _close_old_connections()
    _send(task_started, result)


def _finished(result: AnyResult, close: bool = True) -> None:
    _set(result, finished_at=timezone.now() if result.is_finished else None)
    # Called inside the task's except block, even across sync_to_async, so that
    # Django's logging receiver finds the exception in sys.exc_info().
    _send(task_finished, result)
    if close:
        _close_old_connections()


async def _astarted(result: AnyResult) -> None:
    if _needs_sync_thread(task_started):
        await sync_to_async(_started)(result)
    else:
        _started(result, close=False)


async def _afinished(result: AnyResult) -> None:
    if _needs_sync_thread(task_finished):
        await sync_to_async(_finished)(result)
    else:
        _finished(result, close=False)


class ObanTaskWorker:
    """The Oban.py worker of one Django task; :func:`worker_class` names it."""

    task: ClassVar[AnyTask]

    @classmethod
    def new(cls, args: dict[str, Any] | None = None, /, **params: Any) -> Job:
        """The job for a call of the task with ``args`` as keyword arguments.

        Oban.py's scheduler calls ``new()`` on each periodic worker.
        """
        from .backends import ObanTaskBackend

        backend = cls.task.get_backend()
        assert isinstance(backend, ObanTaskBackend)
        return backend.job_for(cls.task, (), dict(args or {}))

    async def process(self, job: Job) -> Any:
        """Run the Django task with the job's arguments, then report how it went."""
        task = self.task
        args, kwargs = call_arguments(task, job.args, job.meta)
        node = job.attempted_by[0] if job.attempted_by else ""
        result = TaskResult(
            task=task,
            id=str(job.id),
            status=TaskResultStatus.RUNNING,
            enqueued_at=local_time(job.inserted_at),
            started_at=attempted_at(job),
            last_attempted_at=attempted_at(job),
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=task.backend,
            errors=[],
            worker_ids=[node] * job.attempt,
        )
        if task.takes_context:
            args = [TaskContext(task_result=result), *args]
        final = job.attempt >= job.max_attempts
        if iscoroutinefunction(task.func):
            await _astarted(result)
            try:
                value = _outcome(result, await task.func(*args, **kwargs))
            except Exception as error:
                _failed(result, error, final)
                frames = error.__traceback__
                await _afinished(result)
                # asgiref re-raises the exception in its thread, adding a frame.
                error.__traceback__ = frames
                raise
            await _afinished(result)
            return value
        assert _threads is not None, "start() was not called"
        context = contextvars.copy_context()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            _threads, context.run, _run_sync, task, result, args, kwargs, final
        )


def _run_sync(
    task: AnyTask,
    result: AnyResult,
    args: list[Any],
    kwargs: dict[str, Any],
    final: bool,
) -> Any:
    _started(result)
    try:
        value = _outcome(result, task.func(*args, **kwargs))
    except Exception as error:
        _failed(result, error, final)
        _finished(result)
        raise
    _finished(result)
    return value


def _outcome(result: AnyResult, value: Any) -> Any:
    """What Oban.py records for a task's return value."""
    if isinstance(value, Snooze):
        _set(result, status=TaskResultStatus.READY)
        return value
    if isinstance(value, Cancel):
        _set(result, status=TaskResultStatus.FAILED)
        return value
    if value is None:
        # Nothing to record: a completed job without one returns None.
        _set(result, status=TaskResultStatus.SUCCESSFUL)
        return None
    try:
        normalized = normalize_json(value)
        record = Record(normalized)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{result.task.module_path} returned a value that cannot be stored: {error}"
        ) from error
    _set(result, status=TaskResultStatus.SUCCESSFUL, _return_value=normalized)
    return record


def _failed(result: AnyResult, error: Exception, final: bool) -> None:
    kind = type(error)
    _set(result, status=TaskResultStatus.FAILED if final else TaskResultStatus.READY)
    result.errors.append(
        TaskError(
            exception_class_path=f"{kind.__module__}.{kind.__qualname__}",
            traceback="".join(traceback.format_exception(error)),
        )
    )


class RefusedWorker:
    """Stands for a job whose worker is not a Django task nor an Oban.py worker."""

    reason: ClassVar[str]

    async def process(self, job: Job) -> None:
        """Discard the job without calling what it names."""
        # A retry cannot turn the target into a task: make this the last attempt.
        job.max_attempts = job.attempt
        raise NotATask(self.reason)


def _named(base: type, path: str, **attrs: Any) -> type:
    module, _, qualname = path.rpartition(".")
    name = qualname.rpartition(".")[2]
    return type(
        name, (base,), {"__module__": module, "__qualname__": qualname, **attrs}
    )


def worker_class(task: AnyTask) -> type[ObanTaskWorker]:
    """The Oban.py worker class for ``task``, named ``task.module_path``."""
    attrs: dict[str, Any] = {"task": task}
    if isinstance(task, ObanTask):
        if task.backoff is not None:
            attrs["backoff"] = _backoff(task.backoff)
        if task.timeout is not None:
            seconds = task.timeout
            attrs["timeout"] = lambda self, job: seconds
    return _named(ObanTaskWorker, task.module_path, **attrs)


def _backoff(backoff: int | Callable[[int], int]) -> Callable[[Any, Job], int]:
    if callable(backoff):
        return lambda self, job: backoff(job.attempt)
    return lambda self, job: backoff


_prepared: set[str] = set()


def prepare(path: str) -> None:
    """Make ``path`` resolvable by Oban.py, or refuse it, before its job runs.

    A Django task gets its worker class. An Oban.py ``@worker``/``@job`` class is
    left to Oban.py. Anything else that imports (``os.system``, a plain function,
    any class) gets :class:`RefusedWorker`, so it is never called. A missing
    module or attribute is left for Oban.py to report.
    """
    if path in _prepared:
        return
    module_name, _, name = path.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception:
        return
    if not hasattr(module, name):
        return
    target = getattr(module, name)
    if isinstance(target, Task) and target.module_path == path:
        register_worker(worker_class(target))
    elif not (isinstance(target, type) and getattr(target, "_oban_name", None)):
        reason = (
            f"{path} is a {type(target).__name__}, not a Django task nor an Oban "
            "worker; the job was discarded without calling it."
        )
        register_worker(_named(RefusedWorker, path, reason=reason))
    _prepared.add(path)


def install() -> None:
    """Prepare the worker of every job Oban.py fetches in this process."""
    connection_created.connect(_track_connection, dispatch_uid=__name__)
    fetch = get_ext("producer.get_jobs", _get_jobs)

    async def get_jobs(producer: Any) -> list[Job]:
        jobs: list[Job] = await fetch(producer)
        for job in jobs:
            prepare(job.worker)
        return jobs

    put_ext("producer.get_jobs", get_jobs)
