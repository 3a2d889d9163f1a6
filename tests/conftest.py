"""Fixtures: real worker processes against the test database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.db import connection
from oban import Job

from django_tasks_oban.backends import oban_client
from django_tasks_oban.connection import DjangoConnection, run

ROOT = Path(__file__).resolve().parent.parent


def wait_for(
    condition: Callable[[], Any], timeout: float = 20.0, every: float = 0.05
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout}s waiting for {condition}")
        time.sleep(every)


def test_database_url() -> str:
    """``DATABASE_URL`` pointed at the test database that pytest-django made."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    name = connection.settings_dict["NAME"]
    return urlunsplit(parts._replace(path=f"/{name}"))


def insert_job(job: Job) -> Job:
    """Insert a job as another Oban.py client would, on the test's connection."""
    with connection.cursor() as cursor:
        return run(oban_client("public").enqueue(job, conn=DjangoConnection(cursor)))


def job_columns(job_id: str | int | None, *columns: str) -> tuple[Any, ...]:
    """Columns (SQL expressions) of one row of ``oban_jobs``."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(columns)} FROM oban_jobs WHERE id = %s",
            [int(job_id or 0)],
        )
        return cursor.fetchone()


def clear_oban_tables() -> None:
    """Transactional tests leave jobs behind: Oban's tables are not Django models."""
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE oban_jobs, oban_producers, oban_leaders RESTART IDENTITY"
        )


@dataclass
class Worker:
    """A running ``manage.py oban_worker`` process and its log file."""

    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        """Everything the worker has logged so far."""
        return self.log.read_text()

    def stop(self, signum: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Send ``signum`` and wait for the exit code."""
        self.process.send_signal(signum)
        return self.process.wait(timeout)


@pytest.fixture
def start_worker(
    transactional_db: None, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Start ``oban_worker`` subprocesses; each is stopped at the end of the test."""
    clear_oban_tables()
    workers: list[Worker] = []

    def start(
        *args: str,
        options: dict[str, Any] | None = None,
        apps: list[str] | None = None,
        conn_max_age: int = 0,
        database_url: str | None = None,
        wait: bool = True,
    ) -> Worker:
        env = {
            **os.environ,
            "DATABASE_URL": database_url or test_database_url(),
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example")]),
            "OBAN_TEST_OPTIONS": json.dumps(options or {}),
            "OBAN_TEST_APPS": json.dumps(apps or []),
            "OBAN_TEST_CONN_MAX_AGE": str(conn_max_age),
        }
        log = tmp_path / f"worker-{len(workers)}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "django", "oban_worker", *args],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
        worker = Worker(process, log)
        workers.append(worker)
        if wait:
            wait_for(lambda: "queues=" in worker.output() or process.poll() is not None)
            assert process.poll() is None, worker.output()
        return worker

    yield start
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
            try:
                worker.process.wait(30)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()
    clear_oban_tables()


@pytest.fixture
def extra_database() -> Iterator[Callable[[str, dict[str, Any]], None]]:
    """Add a ``DATABASES`` alias for one test (a server that is not there, SQLite)."""
    from django.db import connections

    added: list[str] = []

    def add(alias: str, settings: dict[str, Any]) -> None:
        configured = connections.configure_settings({"default": {}, alias: settings})
        connections.settings[alias] = configured[alias]
        added.append(alias)

    yield add
    for alias in added:
        if hasattr(connections._connections, alias):
            getattr(connections._connections, alias).close()
            delattr(connections._connections, alias)
        del connections.settings[alias]
