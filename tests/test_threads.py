"""The daemon threads that run sync tasks, and the worker's own logging."""

import logging
import threading

import pytest

from django_tasks_oban.management.commands.oban_worker import _show_logs
from django_tasks_oban.threads import TaskThreads


def test_threads_run_calls_and_report_errors():
    threads = TaskThreads(2)
    assert threads.submit(lambda a, b: a + b, 1, b=2).result(5) == 3
    failing = threads.submit(int, "x")
    with pytest.raises(ValueError, match="invalid literal"):
        failing.result(5)
    assert threads.busy == 0
    threads.shutdown()


def test_cancelled_call_never_runs():
    threads = TaskThreads(1)
    release = threading.Event()
    ran = []
    blocker = threads.submit(release.wait, 5)
    queued = threads.submit(ran.append, "ran")
    assert queued.cancel()
    after = threads.submit(ran.append, "after")
    release.set()
    assert blocker.result(5) is True
    after.result(5)
    assert ran == ["after"]
    threads.shutdown()


def test_threads_are_daemons():
    threads = TaskThreads(3)
    named = [t for t in threading.enumerate() if t.name.startswith("oban-task-")]
    assert named and all(thread.daemon for thread in named)
    threads.shutdown()


def test_worker_logs_show_without_logging_settings():
    loggers = [
        logging.getLogger(name) for name in ("django_tasks_oban", "django.tasks")
    ]
    saved = [(logger.handlers[:], logger.level) for logger in loggers]
    try:
        for logger in loggers:
            logger.handlers = []
            logger.setLevel(logging.NOTSET)
        _show_logs()
        assert all(len(logger.handlers) == 1 for logger in loggers)
        assert all(logger.level == logging.INFO for logger in loggers)
        _show_logs()
        assert all(len(logger.handlers) == 1 for logger in loggers)
    finally:
        for logger, (handlers, level) in zip(loggers, saved, strict=True):
            logger.handlers = handlers
            logger.setLevel(level)
