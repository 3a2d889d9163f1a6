"""``manage.py oban_worker``: Oban.py's supervisor running Django tasks."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
from argparse import ArgumentTypeError
from typing import Any

import oban
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django.tasks.exceptions import InvalidTaskBackend
from django.utils.module_loading import autodiscover_modules, import_string
from oban import Oban
from oban._scheduler import register_scheduled
from psycopg_pool import PoolTimeout

import django_tasks_oban
from django_tasks_oban import lifeline, worker
from django_tasks_oban.backends import ObanTaskBackend
from django_tasks_oban.connection import build_pool, describe_database
from django_tasks_oban.threads import TaskThreads

logger = logging.getLogger("django_tasks_oban")


def parse_queues(spec: str, default_limit: int) -> dict[str, int]:
    """Parse ``--queues``: ``high:20,default,mail:5``; a bare name gets the default.

    >>> parse_queues("high:20,default", 15)
    {'high': 20, 'default': 15}
    """
    queues: dict[str, int] = {}
    for item in spec.split(","):
        name, colon, limit = item.strip().partition(":")
        name = name.strip()
        if not name:
            raise CommandError(f"--queues: {item.strip()!r} has no queue name.")
        if not colon:
            queues[name] = default_limit
            continue
        try:
            queues[name] = int(limit)
        except ValueError:
            raise CommandError(
                f"--queues: the limit of {name!r} must be a whole number, "
                f"not {limit!r}."
            ) from None
        if queues[name] < 1:
            raise CommandError(
                f"--queues: the limit of {name!r} must be at least 1, not {limit}."
            )
    return queues


def seconds(value: str) -> float:
    """Parse ``--shutdown-grace-period``: a number of seconds, zero or more."""
    try:
        parsed = float(value)
    except ValueError:
        parsed = -1.0
    if not parsed >= 0:
        raise ArgumentTypeError(f"must be a number of seconds (>= 0), not {value!r}")
    return parsed


class Command(BaseCommand):
    """Run Oban queues that execute this project's Django tasks."""

    help = "Run Oban queues that execute Django tasks, until SIGTERM or SIGINT."
    requires_system_checks = "__all__"

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the command's options."""
        parser.add_argument(
            "--queues",
            help="Queues of this node with their limits, e.g. high:20,default,mail:5 "
            "(default: OPTIONS['QUEUES']).",
        )
        parser.add_argument(
            "--backend",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="The TASKS alias of an ObanTaskBackend (default: 'default').",
        )
        parser.add_argument("--node", help="This node's name (default: host.pid).")
        parser.add_argument(
            "--shutdown-grace-period",
            type=seconds,
            help="Seconds running tasks get to finish after SIGTERM (default: 15).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        """Start Oban.py and run until a signal stops it."""
        backend = self._backend(options["backend"])
        config = backend.config
        queues = (
            parse_queues(options["queues"], config.default_concurrency)
            if options["queues"] is not None
            else dict(config.queues)
        )
        settings = dict(config.oban)
        if options["node"]:
            settings["node"] = options["node"]
        if options["shutdown_grace_period"] is not None:
            settings["shutdown_grace_period"] = options["shutdown_grace_period"]
        _show_logs()
        autodiscover_modules("tasks")
        worker.install()
        lifeline.install()
        for entry in config.cron:
            cron = {"expr": entry.expression, "timezone": entry.timezone}
            register_scheduled(cron, worker.worker_class(import_string(entry.path)))
        try:
            asyncio.run(serve(backend, queues, settings))
        except asyncio.CancelledError:
            logger.warning("Stopped at once by a second signal.")
            sys.exit(1)
        except PoolTimeout as error:
            raise CommandError(
                f"Cannot connect to the database "
                f"{describe_database(backend.database)}: {error}"
            ) from None

    def _backend(self, alias: str) -> ObanTaskBackend:
        try:
            backend = task_backends[alias]
        except InvalidTaskBackend as error:
            raise CommandError(str(error)) from None
        if not isinstance(backend, ObanTaskBackend):
            raise CommandError(
                f"TASKS[{alias!r}] is {type(backend).__name__}, not ObanTaskBackend."
            )
        if backend.problems:
            raise CommandError("; ".join(problem.msg for problem in backend.problems))
        return backend


def _show_logs() -> None:
    """Show the worker's INFO logs on stderr unless LOGGING already routes them."""
    for name in ("django_tasks_oban", "django.tasks"):
        named = logging.getLogger(name)
        if not named.handlers and named.level == logging.NOTSET:
            handler = logging.StreamHandler()
            handler.setFormatter(
                logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
            )
            named.addHandler(handler)
            named.setLevel(logging.INFO)


async def serve(
    backend: ObanTaskBackend, queues: dict[str, int], settings: dict[str, Any]
) -> None:
    """Run Oban.py with ``queues`` until SIGTERM/SIGINT, then stop gracefully."""
    config = backend.config
    threads = TaskThreads(sum(queues.values()))
    await worker.start(threads)
    pool = build_pool(backend.database, config.pool)
    instance = Oban(
        pool=pool, queues=config.oban_queues(queues), prefix=config.prefix, **settings
    )
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    main = asyncio.current_task()

    def on_signal(signum: signal.Signals) -> None:
        if stopping.is_set():
            assert main is not None
            main.cancel()
            return
        logger.info("Received %s: finishing running tasks, then stopping.", signum.name)
        stopping.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    await pool.open(wait=True, timeout=config.pool.get("timeout", 30.0))
    try:
        await instance.start()
        logger.info(
            "django-tasks-oban %s (Oban.py %s) node=%s database=%s prefix=%s queues=%s",
            django_tasks_oban.__version__,
            oban.__version__,
            instance.check_all_queues()[0].node,
            describe_database(backend.database),
            config.prefix,
            ", ".join(f"{name}:{limit}" for name, limit in queues.items()),
        )
        await stopping.wait()
        await instance.stop()
    finally:
        await pool.close()
        threads.shutdown(wait=False)
    if threads.busy:
        logger.warning(
            "%d sync task(s) still running after the grace period were cut off; "
            "their jobs will be rescued.",
            threads.busy,
        )
    logger.info("Stopped.")
