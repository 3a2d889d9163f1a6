"""Tasks that the test suite enqueues and the worker runs."""

import asyncio
import time

from django.tasks import task


@task
def add(a, b):
    return a + b


@task
async def async_add(a, b):
    await asyncio.sleep(0)
    return a + b


@task
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@task(backoff=1)
def fail(message="boom"):
    raise ValueError(message)
