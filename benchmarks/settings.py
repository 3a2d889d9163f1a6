"""Django settings of the benchmarks: both backends on one PostgreSQL database.

``TASKS["default"]`` is this package's ``ObanTaskBackend``; ``TASKS["db"]`` is
django-tasks-db's ``DatabaseBackend``, the peer the benchmarks compare with.
The database is ``DATABASE_URL``, or an embedded PostgreSQL started by
``example/devdb.py`` (child processes inherit its ``DATABASE_URL``).
"""

import os

from devdb import database_settings

SECRET_KEY = "benchmarks"
DEBUG = False
USE_TZ = True
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.postgres",
    "django_tasks_oban",
    "django_tasks_db",
    "benchmarks",
]
DATABASES = {"default": database_settings()}
TASKS = {
    "default": {
        "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
        "OPTIONS": {"QUEUES": {"default": 10}},
    },
    "db": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}
# Django logs every task's start and finish at INFO. Raw Oban.py logs nothing per
# job, so the per-task lines are off for all workers (db_worker runs with
# --verbosity 0); the worker's own start/stop lines stay on.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.tasks": {"handlers": ["stderr"], "level": "WARNING"},
        "django_tasks_oban": {"handlers": ["stderr"], "level": "INFO"},
    },
}

# DATABASES["prepared"] is the same database as "default", with Django's
# server-side parameter binding and psycopg's prepared statements, the way a
# project may set them; TASKS["prepared"] enqueues through it. enqueue.py uses it
# for an "info" row: with Django's default client-side binding, PostgreSQL
# parses and plans the insert of every enqueue.
DATABASES["prepared"] = {
    **DATABASES["default"],
    "OPTIONS": {
        **DATABASES["default"]["OPTIONS"],
        "server_side_binding": True,
        "prepare_threshold": 5,
    },
}
TASKS["prepared"] = {
    "BACKEND": "django_tasks_oban.backends.ObanTaskBackend",
    "OPTIONS": {"QUEUES": {"default": 10}, "DATABASE": "prepared"},
}

# Settings of worker.py's "info" rows, through the environment of the worker
# subprocess. The worker's pool prepares its statements unless OPTIONS sets
# prepare_threshold: BENCH_PREPARE_THRESHOLD=none turns that off, as behind
# PgBouncer in transaction mode (a number sets it explicitly).
if threshold := os.environ.get("BENCH_PREPARE_THRESHOLD"):
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        None if threshold.lower() == "none" else int(threshold)
    )
# BENCH_DEBOUNCE_INTERVAL=0.005 makes the queue gather freed slots for 5 ms
# before fetching (Oban.py's own default) instead of this package's 2 ms.
if debounce := os.environ.get("BENCH_DEBOUNCE_INTERVAL"):
    TASKS["default"]["OPTIONS"]["QUEUES"] = {
        "default": {"limit": 10, "debounce_interval": float(debounce)}
    }
