"""Tasks that the test suite enqueues and its worker processes run.

The worker imports this module through its autodiscovery of ``tasks`` modules.
"""

import asyncio
import os
import threading
import time

import django
from django.tasks import Task, TaskContext
from django.tasks import task as django_task
from oban import Cancel, Snooze

from django_tasks_oban.tasks import task
from tests.models import Event, Execution


@task
def add(a, b):
    return a + b


@task(priority=50, queue="mail")
async def async_add(a, b):
    await asyncio.sleep(0)
    return a + b


@task
def echo(value):
    return value


@task
async def async_echo(value):
    return value


@task
def sleep(seconds, key=None):
    if key:
        Event.objects.create(name=f"start:{key}", pid=os.getpid())
    time.sleep(seconds)
    if key:
        Event.objects.create(name=f"end:{key}", pid=os.getpid())
    return seconds


@task
async def async_sleep(seconds, key=None):
    if key:
        await Event.objects.acreate(name=f"start:{key}", pid=os.getpid())
    await asyncio.sleep(seconds)
    if key:
        await Event.objects.acreate(name=f"end:{key}", pid=os.getpid())
    return seconds


@task
def record(key):
    Execution.objects.create(key=key, pid=os.getpid())


@task
async def async_record(key):
    await Execution.objects.acreate(key=key, pid=os.getpid())
    return await Execution.objects.acount()


@task(backoff=0, max_attempts=2)
def fail(message="boom"):
    raise ValueError(message)


@task(backoff=lambda attempt: 0, max_attempts=3)
async def async_fail(message="boom"):
    raise KeyError(message)


def fail_once(key):
    """Fail on the first call for ``key``, succeed on the next."""
    done, _ = Event.objects.get_or_create(name=f"flaky:{key}", defaults={"pid": 0})
    if done.pid == 0:
        done.pid = os.getpid()
        done.save()
        raise RuntimeError("first attempt fails")
    return "second attempt"


@task(backoff=0, max_attempts=3)
def flaky(key):
    return fail_once(key)


@task(backoff=lambda attempt: 3 * attempt, max_attempts=3)
def flaky_later(key):
    return fail_once(key)


@task(takes_context=True, backoff=0, max_attempts=2)
def contextual(context: TaskContext, fail_first=False):
    if fail_first and context.attempt == 1:
        raise RuntimeError("again")
    result = context.task_result
    return {"id": result.id, "attempt": context.attempt, "status": result.status}


@task
def snooze(seconds):
    return Snooze(seconds)


@task
def cancel(reason):
    return Cancel(reason)


@task
def unstorable():
    return object()


@task
def thread_name():
    return threading.current_thread().name


@task
def signalled():
    Event.objects.create(name="signalled:ran", pid=os.getpid())
    return "ok"


@task
async def async_signalled():
    await Event.objects.acreate(name="async_signalled:ran", pid=os.getpid())
    return "ok"


def not_a_task(path):
    """A plain function: the worker must never call it."""
    with open(path, "w") as file:
        file.write("called")


class NotAWorker:
    """A plain class: the worker must never instantiate it."""

    def __init__(self):
        raise AssertionError("instantiated")


@task
def cron_tick():
    return "tick"


def plain_double(n):
    return 2 * n


# A Django Task that is not an ObanTask, bound the way @task binds one.
plain_double = Task(  # type: ignore[assignment]
    func=plain_double,
    priority=0,
    backend="default",
    queue_name="default",
    run_after=None,
)


if django.VERSION >= (6, 1):
    # Django 6.1's own @task hands extra options to the backend's task class.
    @django_task(max_attempts=4, tags=["native"])
    def native_options():
        return "native"


@task(timeout=0.5, max_attempts=1)
async def too_slow():
    await asyncio.sleep(5)
