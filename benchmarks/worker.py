"""Worker benchmarks: drain throughput, pickup latency and peak RSS.

Everything runs in one process against one database, and every worker is a
subprocess started the same way, so the numbers compare peers of one run:

- ours: ``python -m django oban_worker --queues default:N`` running the Django
  tasks of ``benchmarks/tasks.py`` (async and sync no-ops, a 10 ms sleep);
- raw Oban.py: ``python -m benchmarks.raw_oban --limit N``, an
  ``Oban(pool=..., queues={"default": N})`` running the ``@worker`` / ``@job``
  of ``benchmarks/raw_oban.py``, with no Django at all;
- django-tasks-db: ``python -m django db_worker --backend db`` (one task at a
  time, the only mode it has).

Drains. All jobs are inserted first (one transaction, not timed), then the
worker starts and the script polls the table every 50 ms until every job is
finished. The rate is ``jobs / (last finish - first start)`` as stored in the
rows (``attempted_at``/``completed_at`` for Oban, ``started_at``/``finished_at``
for django-tasks-db): process start-up is left out for every worker alike and
shown in its own column. Completion times are those of Oban's batched acks, so
they are never earlier than the real finish. The Oban drains run ``--rounds``
times (default 3), each next to its peer and every other round backwards;
ratios are the median of the per-round ratios, which a noisy neighbour upsets
less than a ratio of medians. django-tasks-db and raw Oban.py's 10 ms drain are
slow and steady (about 30 s and 21 s) and run once. Three "info" rows change
one setting of our worker through its environment (``benchmarks/settings.py``):
``prepare_threshold = None`` in ``DATABASES[...]["OPTIONS"]`` (no prepared
statements on the worker's pool, as behind PgBouncer in transaction mode) for
the async and sync no-ops, and a ``QUEUES`` dict with Oban.py's own 5 ms
``debounce_interval`` instead of the package's 2 ms for the sync no-op.

Pickup latency. With an idle worker already running, one task is inserted in
its own transaction; the task returns ``time.time()`` at its start and the
latency is that minus the time at which the insert's commit returned, for 20
tasks spaced 200 ms apart, after 3 warm-up tasks.

Peak RSS of each worker process is the kernel's high-water mark (``VmHWM`` in
``/proc/<pid>/status``) read just before SIGTERM; its CPU time (user + system,
start-up included) comes from ``os.wait4``.

Before the timed runs, each worker drains 20 jobs once (bytecode, caches).
Run with ``uv run --group bench python benchmarks/worker.py`` (about three
minutes; ``--jobs``, ``--sleep-jobs``, ``--limit`` and ``--rounds`` change it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks.common import (
    ROOT,
    child_env,
    describe_database,
    median,
    percentile,
    setup_django,
    table,
    truncate,
)

POLL = 0.05
PICKUPS = 20
WARM_UP = 3
STOP_TIMEOUT = 30.0

ASYNC_NOOP = "benchmarks.tasks.async_noop"
NOOP = "benchmarks.tasks.noop"

OURS_ASYNC = "ours, async no-op"
OURS_SYNC = "ours, sync no-op"
RAW_ASYNC = "raw Oban.py, async @worker no-op"
RAW_SYNC = "raw Oban.py, sync @job no-op"
DB_SYNC = "django-tasks-db, sync no-op"
OURS_SLEEP = "ours, sync 10 ms sleep"
RAW_SLEEP = "raw Oban.py, sync @job 10 ms sleep"
OURS_ASYNC_UNPREPARED = "ours, async no-op, prepare_threshold=None (info)"
OURS_SYNC_UNPREPARED = "ours, sync no-op, prepare_threshold=None (info)"
OURS_SYNC_DEBOUNCE = "ours, sync no-op, debounce 5 ms (info)"

# (label, ours, peer, target): the ratios the package aims for.
TARGETS: list[tuple[str, str, str, float | None]] = [
    ("async no-op / raw async", OURS_ASYNC, RAW_ASYNC, 0.8),
    ("sync no-op / raw async", OURS_SYNC, RAW_ASYNC, 0.6),
    ("sync no-op / raw sync @job", OURS_SYNC, RAW_SYNC, None),
    ("10 ms sync / raw sync @job", OURS_SLEEP, RAW_SLEEP, 6.0),
    ("sync no-op / django-tasks-db", OURS_SYNC, DB_SYNC, 10.0),
    ("async no-op, unprepared / raw async", OURS_ASYNC_UNPREPARED, RAW_ASYNC, None),
    ("sync no-op, unprepared / raw async", OURS_SYNC_UNPREPARED, RAW_ASYNC, None),
    ("sync no-op, debounce 5 ms / raw async", OURS_SYNC_DEBOUNCE, RAW_ASYNC, None),
]
PICKUP_TARGET_MS = 10.0


@dataclass
class Run:
    """One worker process that drained (or served) some jobs."""

    jobs: int
    drain: float  # first start to last finish, in seconds (from the rows)
    startup: float  # process spawn to first start, in seconds
    max_rss: int  # bytes
    cpu: float  # seconds, user + system, whole process life

    @property
    def rate(self) -> float:
        """Jobs per second between the first start and the last finish."""
        return self.jobs / self.drain if self.drain > 0 else float("nan")


class Worker:
    """A worker subprocess, its log file, and its resource usage once stopped."""

    def __init__(
        self, command: list[str], log: Path, env: dict[str, str] | None = None
    ) -> None:
        self.log = log
        self.started = time.time()
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**child_env(), **(env or {})},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def check_alive(self) -> None:
        """Fail with the worker's log if it has exited."""
        if self.process.poll() is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"worker exited early:\n{tail}")

    def peak_rss(self) -> int:
        """The process's peak RSS so far, in bytes (``VmHWM``, Linux only).

        ``ru_maxrss`` would not do: Linux keeps it across ``execve``, so a child
        reports at least the RSS of this script at the fork.
        """
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return 0
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0  # already exited

    def stop(self) -> tuple[int, float]:
        """SIGTERM, wait, and return (peak RSS in bytes, CPU seconds)."""
        max_rss = self.peak_rss()
        self.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        while True:
            pid, status, usage = os.wait4(self.process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                self.process.kill()
                pid, status, usage = os.wait4(self.process.pid, 0)
                break
            time.sleep(0.05)
        self.process.returncode = os.waitstatus_to_exitcode(status)
        return max_rss, usage.ru_utime + usage.ru_stime


def query(sql: str, params: object = ()) -> tuple[object, ...]:
    """One row of ``sql`` on Django's connection (autocommit)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def django_command(*args: str) -> list[str]:
    """A ``python -m django ...`` command line with the benchmark settings."""
    return [sys.executable, "-m", "django", *args]


def ours_command(limit: int) -> list[str]:
    """This package's worker."""
    return django_command("oban_worker", "--queues", f"default:{limit}")


def raw_command(limit: int) -> list[str]:
    """The raw Oban.py worker of ``benchmarks/raw_oban.py``."""
    return [sys.executable, "-m", "benchmarks.raw_oban", "--limit", str(limit)]


def db_command(limit: int) -> list[str]:
    """django-tasks-db's worker; it runs one task at a time whatever ``limit``."""
    return django_command(
        "db_worker",
        "--backend",
        "db",
        "--queue-name",
        "default",
        "--interval",
        "0.1",
        "--no-startup-delay",
        "--no-reload",
        "--verbosity",
        "0",
    )


# -- inserting jobs (not timed) ---------------------------------------------


def insert_tasks(task_path: str) -> Callable[[int], None]:
    """Insert ``count`` calls of a Django task with its backend, in one transaction."""

    def insert(count: int) -> None:
        from django.db import transaction
        from django.utils.module_loading import import_string

        task = import_string(task_path)
        with transaction.atomic():
            for n in range(count):
                task.enqueue(n)

    return insert


def insert_oban_jobs(worker: str) -> Callable[[int], None]:
    """Insert ``count`` available jobs for a raw Oban.py worker, in one statement."""

    def insert(count: int) -> None:
        query(
            "WITH rows AS (INSERT INTO oban_jobs (worker, queue, args, state) "
            "SELECT %s, 'default', jsonb_build_object('n', n), 'available' "
            "FROM generate_series(1, %s) AS n RETURNING 1) SELECT count(*) FROM rows",
            (worker, count),
        )

    return insert


# -- progress, read from the tables -----------------------------------------

OBAN_PROGRESS = (
    "SELECT count(*) FILTER (WHERE state = 'completed'), "
    "count(*) FILTER (WHERE state IN ('retryable', 'discarded', 'cancelled')), "
    "extract(epoch FROM min(attempted_at)), extract(epoch FROM max(completed_at)) "
    "FROM oban_jobs"
)


def db_progress_sql() -> str:
    """The progress query of django-tasks-db's table."""
    from django_tasks_db.models import DBTaskResult

    return (
        "SELECT count(*) FILTER (WHERE status = 'SUCCESSFUL'), "
        "count(*) FILTER (WHERE status = 'FAILED'), "
        "extract(epoch FROM min(started_at)), extract(epoch FROM max(finished_at)) "
        f"FROM {DBTaskResult._meta.db_table}"
    )


def drain(
    command: list[str],
    insert: Callable[[int], None],
    progress: str,
    jobs: int,
    log: Path,
    *,
    env: dict[str, str] | None = None,
    timeout: float = 600.0,
) -> Run:
    """Insert ``jobs``, start the worker, wait until all are done, stop it."""
    truncate()
    insert(jobs)
    worker = Worker(command, log, env)
    try:
        while True:
            time.sleep(POLL)
            done, failed, first, last = query(progress)
            if failed:
                raise RuntimeError(f"{failed} job(s) failed; see {log}")
            if done == jobs:
                break
            worker.check_alive()
            if time.time() - worker.started > timeout:
                raise RuntimeError(f"only {done}/{jobs} done after {timeout}s; {log}")
    finally:
        max_rss, cpu = worker.stop()
    return Run(
        jobs=jobs,
        drain=float(last) - float(first),
        startup=float(first) - worker.started,
        max_rss=max_rss,
        cpu=cpu,
    )


# -- pickup latency -----------------------------------------------------------


def wait_until_ready(worker: Worker) -> None:
    """Wait until the worker's ``default`` producer is registered, then a bit."""
    while not query("SELECT count(*) FROM oban_producers WHERE queue = 'default'")[0]:
        worker.check_alive()
        time.sleep(POLL)
    time.sleep(0.5)


def started_at(job_id: int, worker: Worker) -> float:
    """Poll the job until it completed; the ``time.time()`` it returned."""
    from oban._recorded import decode_recorded

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        state, meta = query(
            "SELECT state, meta FROM oban_jobs WHERE id = %s", (job_id,)
        )
        if state == "completed":
            meta = json.loads(meta) if isinstance(meta, str) else meta
            return float(decode_recorded(meta["return"]))
        if state not in ("available", "executing"):
            raise RuntimeError(f"job {job_id} is {state}; see {worker.log}")
        time.sleep(0.002)
    raise RuntimeError(f"job {job_id} not done in 30 s; see {worker.log}")


def enqueue_ours(task_path: str) -> Callable[[int], int]:
    """Enqueue one Django task (autocommit) and return the job id."""

    def enqueue(n: int) -> int:
        from django.utils.module_loading import import_string

        return int(import_string(task_path).enqueue(n).id)

    return enqueue


def enqueue_raw(worker: str) -> Callable[[int], int]:
    """Insert one job with Oban.py's own insert statement (autocommit)."""

    def enqueue(n: int) -> int:
        from oban._query import Query
        from psycopg.types.json import Jsonb

        params = {
            "args": Jsonb({"n": n}),
            "inserted_at": None,
            "max_attempts": 20,
            "meta": Jsonb({}),
            "priority": 0,
            "queue": "default",
            "scheduled_at": None,
            "state": "available",
            "tags": [],
            "worker": worker,
        }
        return int(query(Query._load_file("insert_job.sql"), params)[0])

    return enqueue


def pickups(
    command: list[str], enqueues: dict[str, Callable[[int], int]], log: Path
) -> tuple[dict[str, list[float]], int]:
    """Latencies (seconds) per enqueue function, on one idle running worker."""
    truncate()
    worker = Worker(command, log)
    latencies: dict[str, list[float]] = {name: [] for name in enqueues}
    try:
        wait_until_ready(worker)
        for n in range(WARM_UP + PICKUPS):
            for name, enqueue in enqueues.items():
                time.sleep(0.2)
                job_id = enqueue(n)
                committed = time.time()
                latency = started_at(job_id, worker) - committed
                if n >= WARM_UP:
                    latencies[name].append(latency)
    finally:
        max_rss, _cpu = worker.stop()
    return latencies, max_rss


# -- the report ---------------------------------------------------------------


@dataclass
class Drain:
    """One drain variant: its worker, how its jobs are inserted, how many."""

    command: list[str]
    insert: Callable[[int], None]
    progress: str
    jobs: int
    repeat: bool = True  # False: a slow, steady peer that runs once
    env: dict[str, str] = field(default_factory=dict)


def drains(options: argparse.Namespace) -> dict[str, Drain]:
    """Every drain variant, by the name the tables show."""
    jobs, limit, sleeps = options.jobs, options.limit, options.sleep_jobs
    ours, raw = ours_command(limit), raw_command(limit)
    unprepared = {"BENCH_PREPARE_THRESHOLD": "none"}
    debounce_5ms = {"BENCH_DEBOUNCE_INTERVAL": "0.005"}
    oban = OBAN_PROGRESS
    return {
        OURS_ASYNC: Drain(ours, insert_tasks(ASYNC_NOOP), oban, jobs),
        RAW_ASYNC: Drain(
            raw, insert_oban_jobs("benchmarks.raw_oban.AsyncNoop"), oban, jobs
        ),
        OURS_ASYNC_UNPREPARED: Drain(
            ours, insert_tasks(ASYNC_NOOP), oban, jobs, env=unprepared
        ),
        OURS_SYNC: Drain(ours, insert_tasks(NOOP), oban, jobs),
        RAW_SYNC: Drain(
            raw, insert_oban_jobs("benchmarks.raw_oban.sync_noop"), oban, jobs
        ),
        OURS_SYNC_UNPREPARED: Drain(
            ours, insert_tasks(NOOP), oban, jobs, env=unprepared
        ),
        OURS_SYNC_DEBOUNCE: Drain(
            ours, insert_tasks(NOOP), oban, jobs, env=debounce_5ms
        ),
        OURS_SLEEP: Drain(
            ours, insert_tasks("benchmarks.tasks.sleep_10ms"), oban, sleeps
        ),
        RAW_SLEEP: Drain(
            raw,
            insert_oban_jobs("benchmarks.raw_oban.sync_sleep_10ms"),
            oban,
            sleeps,
            repeat=False,
        ),
        DB_SYNC: Drain(
            db_command(limit),
            insert_tasks("benchmarks.tasks.db_noop"),
            db_progress_sql(),
            jobs,
            repeat=False,
        ),
    }


def mib(size: int) -> str:
    """Bytes as MiB."""
    return f"{size / 2**20:.0f}"


def run_drains(
    variants: dict[str, Drain], rounds: int, logs: Path
) -> dict[str, list[Run]]:
    """Run every variant ``rounds`` times (steady peers once).

    Each variant runs next to its peer, and every other round goes backwards,
    so that a compared pair always runs close in time on a noisy machine.
    """
    runs: dict[str, list[Run]] = {name: [] for name in variants}
    names = list(variants)
    for round_ in range(rounds):
        for name in names if round_ % 2 == 0 else names[::-1]:
            spec = variants[name]
            if round_ and not spec.repeat:
                continue
            slug = "".join(c if c.isalnum() else "_" for c in name)
            run = drain(
                spec.command,
                spec.insert,
                spec.progress,
                spec.jobs,
                logs / f"{slug}-{round_ + 1}.log",
                env=spec.env,
            )
            runs[name].append(run)
            print(
                f"round {round_ + 1}: {name}: {run.rate:,.0f} jobs/s "
                f"(drain {run.drain:.2f} s, RSS {mib(run.max_rss)} MiB)",
                file=sys.stderr,
            )
    return runs


def paired_ratios(ours: list[Run], peer: list[Run]) -> list[float]:
    """``ours / peer`` rates of each round; a peer that ran once serves all."""
    if len(peer) == 1:
        peer = peer * len(ours)
    return [mine.rate / theirs.rate for mine, theirs in zip(ours, peer, strict=False)]


def warm_up(logs: Path) -> None:
    """Drain a few jobs through each worker once, so that the timed runs do not
    pay for first-time costs (bytecode compilation, the database's caches)."""
    oban = OBAN_PROGRESS
    raw_noop = insert_oban_jobs("benchmarks.raw_oban.AsyncNoop")
    db_noop = insert_tasks("benchmarks.tasks.db_noop")
    for name, command, insert, progress in (
        ("ours", ours_command(2), insert_tasks(NOOP), oban),
        ("raw", raw_command(2), raw_noop, oban),
        ("db", db_command(1), db_noop, db_progress_sql()),
    ):
        drain(command, insert, progress, 20, logs / f"warm-up-{name}.log")


def main() -> None:
    """Run every drain and the pickup latencies; print the tables and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=5000, help="no-op jobs per drain")
    parser.add_argument("--sleep-jobs", type=int, default=2000, help="10 ms jobs")
    parser.add_argument("--limit", type=int, default=10, help="queue limit")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the Oban drains; django-tasks-db and raw Oban.py's "
        "10 ms drain are slow and steady and run once",
    )
    options = parser.parse_args()
    setup_django()
    logs = Path(tempfile.mkdtemp(prefix="django-tasks-oban-bench-"))
    print(f"worker logs: {logs}", file=sys.stderr)

    warm_up(logs)
    variants = drains(options)
    runs = run_drains(variants, options.rounds, logs)

    print("pickup latency: ours", file=sys.stderr)
    ours_latency, ours_rss = pickups(
        ours_command(options.limit),
        {
            "ours, sync task": enqueue_ours("benchmarks.tasks.pickup"),
            "ours, async task": enqueue_ours("benchmarks.tasks.async_pickup"),
        },
        logs / "pickup-ours.log",
    )
    print("pickup latency: raw Oban.py", file=sys.stderr)
    raw_latency, raw_rss = pickups(
        raw_command(options.limit),
        {"raw Oban.py, async @worker": enqueue_raw("benchmarks.raw_oban.Pickup")},
        logs / "pickup-raw.log",
    )
    truncate()

    rate = {name: median([run.rate for run in values]) for name, values in runs.items()}
    print(
        f"\nWorkers, queue limit {options.limit}, {options.jobs:,} no-op jobs and "
        f"{options.sleep_jobs:,} 10 ms jobs, median of {options.rounds} round(s); "
        f"{describe_database()}; {os.cpu_count()} CPUs; {datetime.date.today()}\n"
    )
    rows = [
        [
            name,
            f"{values[0].jobs:,}",
            f"{rate[name]:,.0f}",
            " / ".join(f"{run.rate:,.0f}" for run in values),
            f"{median([run.drain for run in values]):.2f}",
            f"{median([run.startup for run in values]):.2f}",
            mib(max(run.max_rss for run in values)),
            f"{median([run.cpu for run in values]):.1f}",
        ]
        for name, values in runs.items()
    ]
    header = ["variant", "jobs", "jobs/s", "rounds", "drain s", "spawn→1st s"]
    print(table([*header, "peak RSS MiB", "CPU s"], rows))

    print(
        "\nRatios: ours / peer, per round when both ran in it (a pair runs "
        "side by side), and their median\n"
    )
    rows = []
    for label, ours, peer, target in TARGETS:
        ratios = paired_ratios(runs[ours], runs[peer])
        ratio = median(ratios)
        verdict = "" if target is None else ("met" if ratio >= target else "MISSED")
        goal = "" if target is None else f">= {target}x"
        each = " / ".join(f"{r:.2f}" for r in ratios)
        rows.append([label, f"{ratio:.2f}x", each, goal, verdict])
    print(table(["comparison", "ratio", "rounds", "target", "verdict"], rows))

    latency = {**ours_latency, **raw_latency}
    rss = {
        **dict.fromkeys(ours_latency, ours_rss),
        **dict.fromkeys(raw_latency, raw_rss),
    }
    print(f"\nPickup latency, commit to task start, {PICKUPS} tasks, idle worker\n")
    rows = []
    for name, values in latency.items():
        p50 = median(values) * 1000
        verdict = ""
        if name in ours_latency:
            verdict = "met" if p50 <= PICKUP_TARGET_MS else "MISSED"
        rows.append(
            [
                name,
                f"{p50:.1f}",
                f"{percentile(values, 0.9) * 1000:.1f}",
                f"{min(values) * 1000:.1f}",
                f"{max(values) * 1000:.1f}",
                mib(rss[name]),
                verdict,
            ]
        )
    header = ["variant", "p50 ms", "p90 ms", "min ms", "max ms", "worker RSS MiB"]
    print(table([*header, f"p50 <= {PICKUP_TARGET_MS:.0f} ms"], rows))


if __name__ == "__main__":
    main()
