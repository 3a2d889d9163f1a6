"""The threads in which the worker runs sync tasks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future
from queue import SimpleQueue
from threading import Thread
from typing import Any


class TaskThreads(Executor):
    """Daemon threads that run sync tasks, one per slot of the queue limits.

    Daemon threads, so that a task still running when the grace period ends
    never holds the worker's exit: its job stays ``executing`` and is rescued.
    """

    def __init__(self, size: int) -> None:
        self._work: SimpleQueue[tuple[Future[Any], Callable[[], Any]] | None] = (
            SimpleQueue()
        )
        self._threads = [
            Thread(target=self._serve, name=f"oban-task-{n}", daemon=True)
            for n in range(size)
        ]
        self._running: set[Thread] = set()
        for thread in self._threads:
            thread.start()

    @property
    def busy(self) -> int:
        """How many threads are running a call."""
        return len(self._running)

    def submit(
        self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any
    ) -> Future[Any]:
        """Run ``fn(*args, **kwargs)`` in a free thread."""
        future: Future[Any] = Future()
        self._work.put((future, lambda: fn(*args, **kwargs)))
        return future

    def _serve(self) -> None:
        while (item := self._work.get()) is not None:
            future, call = item
            if not future.set_running_or_notify_cancel():
                continue
            # Each thread adds and removes only itself: no lock needed.
            self._running.add(current := threading.current_thread())
            try:
                future.set_result(call())
            except BaseException as error:
                future.set_exception(error)
            finally:
                self._running.discard(current)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Let idle threads end; busy ones end with the process."""
        for _ in self._threads:
            self._work.put(None)
