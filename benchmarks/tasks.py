"""The Django tasks that the benchmarks enqueue and drain.

Each body exists twice: once for ``ObanTaskBackend`` (the default backend) and
once with ``backend="db"`` for django-tasks-db, so each backend runs its own
task objects with identical bodies.
"""

import time

from django.tasks import task


@task
def noop(n: int = 0) -> None:
    """Do nothing: measures the queue's own cost."""


@task
async def async_noop(n: int = 0) -> None:
    """Do nothing, on the worker's event loop."""


@task
def sleep_10ms(n: int = 0) -> None:
    """Block a thread for 10 ms, like a short call to another service."""
    time.sleep(0.01)


@task
def pickup(n: int = 0) -> float:
    """Return the wall-clock time at which the task started (pickup latency)."""
    return time.time()


@task
async def async_pickup(n: int = 0) -> float:
    """Return the wall-clock time at which the async task started."""
    return time.time()


@task(backend="db")
def db_noop(n: int = 0) -> None:
    """``noop`` for django-tasks-db."""
