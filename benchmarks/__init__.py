"""Benchmarks of django-tasks-oban against raw Oban.py and django-tasks-db.

A Django app (``benchmarks``) holding the benchmark tasks, its settings module
(``benchmarks.settings``) and two scripts that compare peers within one run:

- ``benchmarks/enqueue.py``: enqueue throughput, one task per transaction.
- ``benchmarks/worker.py``: drain throughput, pickup latency and peak RSS of the
  worker processes.

See ``docs/benchmarks.md`` for how to run them and the measured numbers.
"""
