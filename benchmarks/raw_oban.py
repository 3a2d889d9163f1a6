"""Raw Oban.py workers, the peer of ``manage.py oban_worker``, and their runner.

No Django here: the workers are what a plain Oban.py project would write, and
``python -m benchmarks.raw_oban --limit 10`` runs them the way Oban.py's own
docs do (an ``AsyncConnectionPool`` to ``DATABASE_URL`` and
``Oban(pool=..., queues={"default": limit})``) until SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import time

from oban import Job, Oban, Record, job, worker
from psycopg_pool import AsyncConnectionPool


@worker(queue="default")
class AsyncNoop:
    """Do nothing, on the event loop."""

    async def process(self, job: Job) -> None:
        return None


@job(queue="default")
def sync_noop(n: int = 0) -> None:
    """Do nothing in a sync ``@job`` function (Oban.py calls it on the loop)."""


@job(queue="default")
def sync_sleep_10ms(n: int = 0) -> None:
    """Block for 10 ms; Oban.py runs sync functions on the loop, one at a time."""
    time.sleep(0.01)


@worker(queue="default")
class Pickup:
    """Record the wall-clock time at which the job started."""

    async def process(self, job: Job) -> Record:
        return Record(time.time())


def make_pool(max_size: int = 10) -> AsyncConnectionPool:
    """An unopened pool to ``DATABASE_URL``, sized like ``oban_worker``'s default."""
    return AsyncConnectionPool(
        os.environ["DATABASE_URL"], min_size=1, max_size=max_size, open=False
    )


async def serve(limit: int) -> None:
    """Run the ``default`` queue with ``limit`` until SIGTERM or SIGINT."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    pool = make_pool()
    await pool.open(wait=True)
    try:
        async with Oban(pool=pool, queues={"default": limit}):
            await stop.wait()
    finally:
        await pool.close()


def main() -> None:
    """Parse ``--limit`` and serve."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=10)
    asyncio.run(serve(parser.parse_args().limit))


if __name__ == "__main__":
    # Run the imported module, not ``__main__``: jobs name the workers
    # ``benchmarks.raw_oban.*`` and Oban.py resolves them by that path.
    from benchmarks import raw_oban

    raw_oban.main()
