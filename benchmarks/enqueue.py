"""Enqueue throughput: 5,000 tasks, one at a time, each in its own transaction.

Compares, on the same database and in the same process:

- ours: ``noop.enqueue(n)`` through ``ObanTaskBackend`` (Django autocommit, so
  every call is its own transaction);
- raw Oban.py: ``await oban.enqueue(Job(...))`` on a client-mode
  ``Oban(pool=pool)`` with an open ``AsyncConnectionPool`` (Oban.py's documented
  setup; the pool's connection block commits after each insert);
- django-tasks-db: ``db_noop.enqueue(n)`` through its ``DatabaseBackend``.

Three more rows are for information, with no target: ours through
``aenqueue`` (an async view's path); ours on a Django connection with
server-side binding and psycopg's prepared statements (``DATABASES["prepared"]``
in ``benchmarks/settings.py``), so that PostgreSQL plans the insert once rather
than at every enqueue; and raw Oban.py on a pool of autocommit connections.

Each round runs every variant once after emptying the tables, every other
round backwards; a rate is the median over the rounds (5 by default) and a
ratio the median of the per-round ratios. "client CPU" is this process's CPU
time per job (median of the rounds): the client's own cost, whatever
PostgreSQL does.

Every commit waits for PostgreSQL's WAL flush (``synchronous_commit=on``),
which on small VMs costs about as much as the rest of an enqueue and pulls all
ratios towards 1. A second pass repeats the rounds with ``synchronous_commit=off``
(set through ``PGOPTIONS`` for this process's connections only) to show the
cost that the clients themselves add. Run with
``uv run --group bench python benchmarks/enqueue.py [--jobs 5000 --rounds 5]``
(``--synchronous-commit on`` or ``off`` runs one pass only).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import os
import sys
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import (
    describe_database,
    median,
    setup_django,
    table,
    truncate,
)


def ours(jobs: int) -> float:
    """Seconds to enqueue ``jobs`` tasks through ``ObanTaskBackend``."""
    from benchmarks.tasks import noop

    start = time.perf_counter()
    for n in range(jobs):
        noop.enqueue(n)
    return time.perf_counter() - start


def ours_prepared(jobs: int) -> float:
    """Seconds to enqueue ``jobs`` tasks through ``TASKS["prepared"]``.

    Its Django connection binds parameters on the server and prepares a
    statement from its fifth run (``server_side_binding``, ``prepare_threshold``).
    """
    from benchmarks.tasks import noop

    prepared = noop.using(backend="prepared")
    start = time.perf_counter()
    for n in range(jobs):
        prepared.enqueue(n)
    return time.perf_counter() - start


def ours_async(jobs: int) -> float:
    """Seconds to ``aenqueue`` ``jobs`` tasks from a coroutine."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    from benchmarks.tasks import noop

    async def run() -> float:
        # aenqueue runs in asgiref's one sync thread, on that thread's connection.
        await sync_to_async(connections["default"].ensure_connection)()
        start = time.perf_counter()
        for n in range(jobs):
            await noop.aenqueue(n)
        elapsed = time.perf_counter() - start
        await sync_to_async(connections.close_all)()
        return elapsed

    return asyncio.run(run())


def django_tasks_db(jobs: int) -> float:
    """Seconds to enqueue ``jobs`` tasks through django-tasks-db."""
    from benchmarks.tasks import db_noop

    start = time.perf_counter()
    for n in range(jobs):
        db_noop.enqueue(n)
    return time.perf_counter() - start


def raw_oban(jobs: int, *, autocommit: bool = False) -> float:
    """Seconds to enqueue ``jobs`` jobs with Oban.py's own client and pool.

    Opening the pool is not timed: a real application opens it once at start.
    """
    from oban import Job, Oban
    from psycopg_pool import AsyncConnectionPool

    async def run() -> float:
        kwargs = {"autocommit": True} if autocommit else {}
        pool = AsyncConnectionPool(
            os.environ["DATABASE_URL"], min_size=1, kwargs=kwargs, open=False
        )
        await pool.open(wait=True)
        try:
            oban = Oban(pool=pool, name="benchmarks.raw_client")
            start = time.perf_counter()
            for n in range(jobs):
                await oban.enqueue(Job(worker="benchmarks.tasks.noop", args={"n": n}))
            return time.perf_counter() - start
        finally:
            await pool.close()

    return asyncio.run(run())


VARIANTS: dict[str, Callable[[int], float]] = {
    "ours: task.enqueue()": ours,
    "raw Oban.py: oban.enqueue()": raw_oban,
    "django-tasks-db: task.enqueue()": django_tasks_db,
    "ours: await task.aenqueue() (info)": ours_async,
    "ours, server-side binding, prepared (info)": ours_prepared,
    "raw Oban.py, autocommit pool (info)": lambda jobs: raw_oban(jobs, autocommit=True),
}
OURS, RAW, DB = list(VARIANTS)[:3]
TARGET = 1.2


def run_pass(
    jobs: int, rounds: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Rates (jobs/s) and client CPU (µs/job) of every variant, in each round.

    The CPU time is this process's (``time.process_time``, all threads) over
    the whole call, opening raw Oban.py's pool included: what the client side
    spends per enqueue, PostgreSQL's own work left out.

    Every other round runs the variants backwards, so that no variant always
    runs first or last and compared variants run side by side.
    """
    from django.db import connections

    connections.close_all()  # new connections pick up PGOPTIONS
    for variant in VARIANTS.values():  # warm up imports, caches and connections
        variant(200)
    names = list(VARIANTS)
    rates: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            truncate()
            started = time.process_time()
            rate = jobs / VARIANTS[name](jobs)
            cpu[name].append((time.process_time() - started) * 1e6 / jobs)
            rates[name].append(rate)
            print(f"round {round_ + 1}: {name}: {rate:,.0f} jobs/s", file=sys.stderr)
    truncate()
    return rates, cpu


def report(
    rates: dict[str, list[float]], cpu: dict[str, list[float]], title: str
) -> None:
    """Print one pass as Markdown tables: the rates, then the ratios.

    A ratio is the median of the per-round ratios (a noisy neighbour slows both
    sides of a round alike), not the ratio of the medians.
    """

    def ratio(name: str, peer: str) -> float:
        return median([a / b for a, b in zip(rates[name], rates[peer], strict=True)])

    rows = [
        [
            name,
            f"{median(values):,.0f}",
            " / ".join(f"{rate:,.0f}" for rate in values),
            f"{1e6 / median(values):,.0f}",
            f"{median(cpu[name]):,.0f}",
            f"{ratio(name, RAW):.2f}x",
            f"{ratio(name, DB):.2f}x",
        ]
        for name, values in rates.items()
    ]
    print(f"\n{title}\n")
    header = ["variant", "jobs/s", "rounds", "µs/job", "client CPU µs/job"]
    print(table([*header, "vs raw Oban.py", "vs tasks-db"], rows))
    print()
    rows = []
    for peer in (RAW, DB):
        value = ratio(OURS, peer)
        verdict = "met" if value >= TARGET else "MISSED"
        rows.append([f"ours / {peer.split(':')[0]}", f"{value:.3f}x", verdict])
    print(table(["comparison", "ratio", f"target >= {TARGET}x"], rows))


def main() -> None:
    """Run the passes and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--synchronous-commit", choices=["on", "off", "both"], default="both"
    )
    options = parser.parse_args()
    setup_django()
    print(
        f"Enqueue, {options.jobs:,} tasks one per transaction, median of "
        f"{options.rounds} rounds; {describe_database()}; {os.cpu_count()} CPUs; "
        f"{datetime.date.today()}"
    )
    modes = ["on", "off"] if options.synchronous_commit == "both" else []
    pgoptions = os.environ.get("PGOPTIONS", "")
    for mode in modes or [options.synchronous_commit]:
        # libpq reads PGOPTIONS at connect: Django's and the pools' connections.
        os.environ["PGOPTIONS"] = f"{pgoptions} -c synchronous_commit={mode}".strip()
        rates, cpu = run_pass(options.jobs, options.rounds)
        report(rates, cpu, f"synchronous_commit={mode}")
    os.environ["PGOPTIONS"] = pgoptions


if __name__ == "__main__":
    main()
